"""bigBed data blocks: inflate, split into records, keep recently used ones.

Standard library only (this module is on the pure-Python reader's import path).

A data block (formats.md "bigBed data") is a run of records, zlib-compressed as a whole
unless the file is uncompressed.  A record is ``chromId u32, start u32, end u32`` followed
by the remaining BED columns as tab-joined text and a NUL.  Records carry no length, and
their 12-byte heads may hold NUL bytes themselves, so record boundaries can only be found
by walking the block from its beginning.

The walk runs in C: a regular expression matches a *step* of several whole records (12
bytes of head, text without NUL, the NUL) and captures their heads, so Python sees one
match per step, not one per record.  Steps are matched at an exact offset (``match``,
never ``search``), which keeps the walk on record boundaries: at a boundary a record fails
to match only when no NUL follows its head, that is when the data ends inside it.

Two ways of decoding, for two kinds of work:

- :func:`decode_block` decodes a whole block, texts included (iteration, name search);
  :func:`block_spans` only its positions (exact summaries) and :func:`block_bed_lines`
  straight to BED text (bigBedToBed), both split by :func:`split_records`.
- :class:`BlockRecords` decodes a block lazily, for region queries; it is what the
  reader's :class:`BlockCache` keeps.  Writers put a block's records in order (kent's
  bedToBigBed refuses unsorted input), so a query needs the records only up to the first
  one that starts past its end: the rest of the block is neither inflated nor walked, and
  a later query on the block carries on where the last one stopped.  The order is checked
  on every record decoded (and the last few records of a block are always decoded
  together, so a small block is checked whole); a block found out of order is decoded
  whole and every record tested.  What stays assumed is that a block in order up to a
  query's end does not fall out of order after it.
"""
from __future__ import annotations

import array
import re
import struct
import sys
import threading
import zlib
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from functools import lru_cache
from itertools import accumulate, chain, repeat
from typing import Any, List, Optional, Sequence, Tuple, Union

from ..errors import FormatError

__all__ = [
    "BlockRecords",
    "BlockCache",
    "block_bed_lines",
    "block_spans",
    "decode_block",
    "inflate",
    "native_swap",
    "split_records",
    "within",
    "TEXT_ERRORS",
]

#: How undecodable bytes in record text are represented: ``surrogateescape`` keeps them
#: (as lone surrogates) so that writing the text back with the same handler restores
#: the original bytes, as kent's byte-oriented tools print them.
TEXT_ERRORS = "surrogateescape"

# A record's text, up to its NUL.  Possessive where Python has it (3.11+), so that a failed
# match gives nothing back; before 3.11 it gives back characters, each of which fails at
# once (texts hold no NUL), so a failure still costs time linear in the data.  The matches
# are the same either way.
_TEXT = rb"[^\0]*+" if sys.version_info >= (3, 11) else rb"[^\0]*"
#: One record, capturing its head.
_RECORD_HEAD = rb"(.{12})" + _TEXT + rb"\0"
#: One record, capturing head and text.
_RECORD_FULL = rb"(.{12})(" + _TEXT + rb")\0"

#: Records per step of a walk, largest first.  Big steps keep Python's share of the work
#: small; once a big step fails because the block ends within it, the smaller ones
#: finish the block in a few matches rather than one per record.
STEP_SIZES = (64, 16, 4, 1)
_STEPS = tuple(re.compile(_RECORD_HEAD * n, re.S).match for n in STEP_SIZES)
_BIG_STEP = STEP_SIZES[0]
_FULL_STEP = re.compile(_RECORD_FULL * STEP_SIZES[0], re.S).match
_FULL_ONE = re.compile(_RECORD_FULL, re.S).match

#: Stored bytes inflated beyond a query's estimated need: about one big step of records,
#: so that the step that passes the query's end usually finds its data.
INFLATE_MARGIN = 768
#: Stored bytes inflated at a time when a walk runs short of data.
INFLATE_STEP = 768

#: Past any start: walks a block to its end.
_NEVER = 1 << 40

#: Memory of the Python objects behind one step of a walk (its match) and behind one
#: block, and of a zlib inflater besides its window, for the cache's accounting (the
#: data and arrays are counted exactly).
_STEP_BYTES = 1200
_BLOCK_BYTES = 1000
_INFLATER_BYTES = 7200

# An array typecode for u32 (itemsize 4 on every mainstream platform, checked here).
_U32 = next(code for code in "IL" if array.array(code).itemsize == 4)


def native_swap(order: str) -> bool:
    """True when a file in byte order ``order`` ("<" or ">") needs swapping on this host."""
    return (order == "<") != (sys.byteorder == "little")


def _u32_array(heads: bytes, swap: bool) -> array.array:
    values = array.array(_U32)
    values.frombytes(heads)
    if swap:
        values.byteswap()
    return values


def inflate(raw: bytes, limit: int, *, name: str, offset: int, what: str = "data block") -> bytes:
    """Decompress a whole zlib stream of at most ``limit`` bytes, or raise FormatError."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as err:
        raise FormatError(f"{what} is not valid zlib data ({err})", path=name, offset=offset) from None
    if len(data) > limit:
        raise FormatError(
            f"{what} inflates to more than the {limit} bytes the header allows", path=name, offset=offset
        )
    if not inflater.eof:
        raise FormatError(f"{what} ends inside its zlib stream (truncated or corrupt)", path=name, offset=offset)
    return data


def _stray(data: bytes, pos: int, records: int, name: str, offset: int) -> FormatError:
    return FormatError(
        f"data block ends inside a record ({len(data) - pos} stray bytes after {records} records)",
        path=name,
        offset=offset,
    )


def decode_block(
    data: bytes, swap: bool, *, name: str, offset: int
) -> Tuple[array.array, array.array, array.array, List[str]]:
    """(chrom ids, starts, ends, texts) of every record of an inflated block."""
    groups = []
    pos = 0
    m = _FULL_STEP(data, pos)
    while m is not None:
        groups.append(m.groups())
        pos = m.end()
        m = _FULL_STEP(data, pos)
    size = len(data)
    while pos < size:
        m = _FULL_ONE(data, pos)
        if m is None:
            raise _stray(data, pos, len(groups), name, offset)
        groups.append(m.groups())
        pos = m.end()
    if not groups:
        empty = array.array(_U32)
        return empty, empty, empty, []
    flat = list(chain.from_iterable(groups))
    heads = _u32_array(b"".join(flat[0::2]), swap)
    # All texts decoded at once (joined by NUL, which they cannot contain).
    texts = b"\0".join(flat[1::2]).decode("utf-8", TEXT_ERRORS).split("\0")
    return heads[0::3], heads[1::3], heads[2::3], texts


# -- whole blocks in bulk: positions only, or straight to BED text ------------------------------
#
# Writing a whole file as BED is millions of records, so what is done per record must be
# done by C calls on the whole block: one regular-expression split finds the records, one
# struct call makes the numbers of all their heads, and one %-format writes all the lines,
# with a template made of the block's own texts between line heads ("chr1\t%d\t%d\t").

#: Splits "\0" + a block before every record head: [b"", head, text, head, text, ...].
_SPLIT_AT_HEADS = re.compile(rb"\0(.{12})", re.S).split
#: Records per match of the split's first pass: what a match costs beyond its records is
#: then shared by several (about a fifth less time than one record per match).
SPLIT_STEP = 8
#: The first pass: a match is SPLIT_STEP records from one NUL-and-head to the head after
#: the last of them, so its pieces follow each other just as the one-record split's do.
_SPLIT_STEPS = re.compile(rb"\0(.{12})" + (rb"(" + _TEXT + rb")\0(.{12})") * (SPLIT_STEP - 1), re.S).split


def split_records(data: bytes) -> Optional[List[bytes]]:
    """``[b"", head0, text0, head1, text1, ...]`` of an inflated block ([] when empty),
    or None when the data do not end exactly at the end of a record.

    The split searches ``b"\0" + data`` for a NUL followed by 12 bytes.  The first one is
    the added NUL and the first head; each search then resumes after the head just
    found, inside a text, which holds no NUL: so the next NUL found is the one ending
    that text, and the 12 bytes after it the next head.  The last record's NUL has no
    head after it and stays at the end of the last piece.

    A first pass takes :data:`SPLIT_STEP` records per match, and the few records left
    after its last match (fewer than a step) are split one by one.  Searching on past
    the point where a step no longer fits never finds a step out of line with the
    records: a match tried from a NUL inside a head takes that record's text to its
    real end and is back in line after it, so it can span no more records than are
    left from that head on, fewer than a step.
    """
    if not data:
        return []
    parts = _SPLIT_STEPS(b"\0" + data)
    last = parts[-1]
    if b"\0" in last[:-1]:  # records left over
        parts[-1:] = _SPLIT_AT_HEADS(last)
        last = parts[-1]
    if parts[0] or not last or last.find(b"\0") != len(last) - 1:
        return None
    parts[-1] = last[:-1]
    return parts


def _make_head_unpackers(order: str, count: int) -> Tuple[Any, Any]:
    return struct.Struct(order + "4xII" * count).unpack, struct.Struct(order + "I8x" * count).unpack


#: (unpack of starts and ends, unpack of chromosome ids) of ``count`` joined heads: blocks
#: mostly hold the same number of records, so a few of these serve a whole file.  Each
#: costs ~100 bytes per record, so only blocks of at most _UNPACKER_RECORDS records (kent
#: writes 512) use them; larger ones, from other writers or crafted, go through an array.
_head_unpackers = lru_cache(maxsize=64)(_make_head_unpackers)
_UNPACKER_RECORDS = 1024


def _heads(
    data: bytes, swap: bool, name: str, offset: int
) -> Tuple[List[bytes], Sequence[int], Sequence[int]]:
    """(split parts, (start0, end0, start1, end1, ...), chrom ids) of an inflated block."""
    parts = split_records(data)
    if parts is None:
        decode_block(data, swap, name=name, offset=offset)  # raises the walk's exact error
        raise FormatError("data block ends inside a record", path=name, offset=offset)
    count = len(parts) >> 1
    if not count:
        return parts, (), ()
    heads = b"".join(parts[1::2])
    if count > _UNPACKER_RECORDS:
        values = _u32_array(heads, swap)
        ids = values[0::3]
        del values[0::3]
        return parts, tuple(values), ids
    little = (sys.byteorder == "little") != swap
    pairs, ids = _head_unpackers("<" if little else ">", count)
    return parts, pairs(heads), ids(heads)


def _matching(pairs: Sequence[int], ids: Sequence[int], chrom_id: int, start: int, end: int) -> List[int]:
    """Indexes of the records (``pairs`` of start and end) that match ``chrom_id:start-end``
    by kent's rule (see :meth:`BlockRecords.fetch`)."""
    return [
        i
        for i, (c, s, e) in enumerate(zip(ids, pairs[0::2], pairs[1::2]))
        if c == chrom_id and ((s < end and e > start) or (s == e and (s == start or s == end)))
    ]


def _all_inside(pairs: Sequence[int], ids: Sequence[int], chrom_id: int, start: int, end: int) -> bool:
    """True when every record is of ``chrom_id`` and lies within ``start-end``: then each
    one matches (as ``within`` says for the query path)."""
    return ids.count(chrom_id) == len(ids) and (not start or min(pairs[0::2]) >= start) and max(pairs[1::2]) <= end


def block_spans(
    data: bytes, swap: bool, chrom_id: int, start: int, end: int, *, name: str, offset: int
) -> Tuple[Sequence[int], Sequence[int]]:
    """(starts, ends) of the records of an inflated block that match ``chrom_id:start-end``
    by kent's rule, in block order; their texts are not decoded."""
    _, pairs, ids = _heads(data, swap, name, offset)
    if not ids:
        return (), ()
    if _all_inside(pairs, ids, chrom_id, start, end):
        return pairs[0::2], pairs[1::2]
    picked = _matching(pairs, ids, chrom_id, start, end)
    return [pairs[2 * i] for i in picked], [pairs[2 * i + 1] for i in picked]


def block_bed_lines(
    data: bytes,
    swap: bool,
    chrom_id: int,
    chrom: bytes,
    start: int,
    end: int,
    *,
    limit: int = 0,
    name: str,
    offset: int,
) -> Tuple[bytes, int]:
    """BED lines of the records of an inflated block that match ``chrom_id:start-end`` by
    kent's rule, and how many: at most ``limit`` (0: all).

    The bytes are those of kent's bigBedToBed: ``chrom``, start, end and, when a record
    has any, its text, tab-separated, each line ending in a newline.
    """
    parts, pairs, ids = _heads(data, swap, name, offset)
    count = len(ids)
    if not count:
        return b"", 0
    texts = parts[2::2]
    if not _all_inside(pairs, ids, chrom_id, start, end) or (limit and count > limit):
        picked = _matching(pairs, ids, chrom_id, start, end)
        if limit:
            del picked[limit:]
        lines = [
            b"%s\t%d\t%d\t%s\n" % (chrom, pairs[2 * i], pairs[2 * i + 1], texts[i])
            if texts[i]
            else b"%s\t%d\t%d\n" % (chrom, pairs[2 * i], pairs[2 * i + 1])
            for i in picked
        ]
        return b"".join(lines), len(lines)
    # The template: each record's head becomes "\n<chrom>\t%d\t%d" (+ "\t" before a
    # text); the first line has no newline before it, the last one gets one after it.
    prefix = b"\n" + chrom.replace(b"%", b"%%") + b"\t%d\t%d"
    with_text = prefix + b"\t"
    if all(texts):
        parts[1::2] = [with_text] * count
    elif not any(texts):
        parts[1::2] = [prefix] * count
    else:
        parts[1::2] = [with_text if text else prefix for text in texts]
    parts[1] = parts[1][1:]
    parts.append(b"\n")
    template = b"".join(parts)
    if template.count(b"%") != count * prefix.count(b"%"):  # texts with a '%' in them
        parts[2::2] = [text.replace(b"%", b"%%") for text in texts]
        template = b"".join(parts)
    return template % pairs, count


# -- many u32 comparisons at once ------------------------------------------------------------
#
# Decoding a block checks every start against the one before it (the block's order), and a
# query checks the end of every record before it against its start (the records that
# reach into it).  One Python int per value would make that the dearest part of a query,
# so the values are read instead as the *lanes* of one big integer, value i in bits 32*i
# to 32*i+31, and compared all at once by a few big-integer operations, which run in C.
# Lanes have no spare bit, so the comparison is the classic one for packed unsigned
# fields: the low 31 bits of the lanes are compared by a subtraction that cannot borrow
# across lanes (bit 31 of the minuend is set first), and the top bits separately.


def _lanes(values: array.array) -> int:
    """``values`` (u32) as one integer, value i in bits 32*i to 32*i+31."""
    if sys.byteorder == "big":
        values = array.array(_U32, values)
        values.byteswap()
    return int.from_bytes(values.tobytes(), "little")


def _make_lane_masks(count: int) -> Tuple[int, int, int]:
    ones = int.from_bytes(b"\1\0\0\0" * count, "little")
    high = ones << 31
    return ones, high, high - ones


#: Masks for up to this many lanes (a block of 512 items needs up to 512) are kept, as
#: making them costs about as much as a comparison; kept, they take at most ~6 MB.
_KEPT_MASKS = 1024
_kept_lane_masks = lru_cache(maxsize=None)(_make_lane_masks)


def _lane_masks(count: int) -> Tuple[int, int, int]:
    """(1 in each of ``count`` lanes, bit 31 of each, bits 0 to 30 of each)."""
    return _kept_lane_masks(count) if count <= _KEPT_MASKS else _make_lane_masks(count)


def _at_least(lanes: int, bound: int, count: int) -> int:
    """Bit 31 of lane i set where lane i >= ``bound`` (< 2**32), for i < ``count``."""
    ones, high, low = _lane_masks(count)
    # per lane 2**31 + (x mod 2**31) - (bound mod 2**31): bit 31 says the low bits are >=
    low_ge = ((lanes & low) | high) - (bound & 0x7FFFFFFF) * ones
    if bound < 1 << 31:
        return (lanes | low_ge) & high  # x's top bit is set, or the low bits are >=
    return lanes & low_ge & high  # x's top bit is set too, and the low bits are >=


def within(starts: array.array, ends: array.array, start: int, end: int) -> bool:
    """True when every value of ``starts`` is >= ``start`` and every value of ``ends``
    <= ``end`` (u32 arrays of one length; 0 <= start)."""
    count = len(starts)
    if start > 0xFFFFFFFF:
        return not count
    if start and _at_least(_lanes(starts), start, count) != _lane_masks(count)[1]:
        return False  # a start below ``start``
    return end >= 0xFFFFFFFF or not _at_least(_lanes(ends), end + 1, count)


def _ascending(values: array.array) -> bool:
    """True when ``values`` (u32) never decrease."""
    count = len(values)
    if count < 2:
        return True
    lanes = _lanes(values)
    _, high, low = _lane_masks(count - 1)
    nxt = lanes >> 32  # lane i holds value i + 1
    if values.tobytes()[3 if sys.byteorder == "little" else 0 :: 4].isascii():
        # no top bit set (values below 2**31, as genome positions nearly always are):
        # bit 31 of 2**31 + next - value says next >= value
        return ((nxt | high) - (lanes & (high | low))) & high == high
    low_ge = ((nxt & low) | high) - (lanes & low)
    nxt_top, top = nxt & high, lanes & high
    # value i + 1 >= value i: its top bit alone is set, or the top bits are equal and
    # the low bits >=
    ge = (nxt_top & (top ^ high)) | ((nxt_top ^ top ^ high) & low_ge)
    return ge == high


class BlockRecords:
    """The records of one data block, decoded from its start only as far as queries need.

    Attributes (covering the records decoded so far, in block order):
        offset: the block's file offset (its key in the cache).
        chrom_ids, starts, ends: u32 arrays.
        ordered: True while the records are of one chromosome and their starts never
            decrease; a block found otherwise is decoded whole and every record tested.
        complete: True once the whole block is decoded.

    Inflating: a query inflates about the share of the block it needs, as estimated by
    the caller from the block's bounds in the index, and more as its walk runs short.
    The inflater stays with the block until it reaches the end of the stream, so a later
    query carries on from there.  It inflates raw deflate data: the checksum zlib would
    update on the way is wasted on blocks never inflated to their end, and is checked
    when one is.  Its window holds just the block's largest size (back-references in a
    block reach no further), which keeps a cached block small.

    Walking: the match of every step is kept, as it knows where each of its records
    starts: a query slices the texts of the records it returns straight from the data.
    """

    __slots__ = (
        "offset",
        "chrom_ids",
        "starts",
        "ends",
        "ordered",
        "complete",
        "_end_lanes",
        "_marks",
        "_steps",
        "_data",
        "_pos",
        "_raw",
        "_fed",
        "_inflater",
        "_limit",
        "_window",
        "_swap",
        "_name",
        "_lock",
    )

    def __init__(self, raw: bytes, offset: int, *, limit: int, swap: bool, name: str) -> None:
        """``raw`` is the block as stored; ``limit`` the uncompressBufSize (0 = stored plain)."""
        self.offset = offset
        # u32 arrays once records are decoded (the first decode's arrays are taken over)
        self.chrom_ids: Any = ()
        self.starts: Any = ()
        self.ends: Any = ()
        self.ordered = True
        self.complete = False
        self._end_lanes = 0  # the ends as lanes, for _reaching
        self._marks: List[int] = []  # index of the first record of each step
        self._steps: list = []  # the match of each step
        # The inflated data so far.  A bytearray grows in place, so the step matches,
        # which refer to it, stay valid and no second copy is made.
        self._data: Union[bytes, bytearray] = bytearray() if limit else raw
        self._pos = 0  # where the walk stopped in the data
        self._raw = raw if limit else b""  # stored bytes, until all are inflated
        self._fed = 0  # stored bytes given to the inflater
        self._inflater: Any = None  # a zlib decompressor, once inflating has begun
        self._limit = limit
        self._window = 15  # zlib window bits, set when inflating begins
        self._swap = swap
        self._name = name
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Approximate memory held, for the cache's budget."""
        held = len(self._raw) + len(self._data) + 12 * len(self.starts) + _STEP_BYTES * len(self._steps)
        if self._inflater is not None:
            held += _INFLATER_BYTES + (1 << self._window)
        return held + _BLOCK_BYTES

    # -- inflating ----------------------------------------------------------------------------

    def _inflate(self, upto: int) -> bool:
        """Inflate the stored bytes up to ``upto`` onto the data; False if all are inflated."""
        raw = self._raw
        if not raw:
            return False
        inflater = self._inflater
        if inflater is None:
            # raw deflate after the 2-byte zlib header (see the class docstring)
            header = int.from_bytes(raw[:2], "big")
            if len(raw) < 2 or header >> 8 & 0x0F != 8 or header % 31 or header & 0x20:
                raise self._error("is not valid zlib data (bad header)")
            # the smallest window that holds the largest block: back-references reach no further
            self._window = min(15, max(9, (self._limit - 1).bit_length()))
            inflater = self._inflater = zlib.decompressobj(-self._window)
            self._fed = 2
        fed = self._fed
        chunk = raw[fed:upto]
        self._fed = fed + len(chunk)
        room = self._limit - len(self._data)
        try:
            piece = inflater.decompress(chunk, room + 1)
        except zlib.error as err:
            raise self._error(f"is not valid zlib data ({err})") from None
        if len(piece) > room:
            raise self._error(f"inflates to more than the {self._limit} bytes the header allows")
        self._data += piece
        if inflater.eof:
            trailer = inflater.unused_data + raw[self._fed : self._fed + 4]
            if len(trailer) < 4 or int.from_bytes(trailer[:4], "big") != zlib.adler32(self._data):
                raise self._error("fails its zlib checksum (corrupt)")
            self._inflater = None
            self._raw = b""
        elif self._fed >= len(raw):
            raise self._error("ends inside its zlib stream (truncated or corrupt)")
        return True

    def _error(self, what: str) -> FormatError:
        return FormatError(f"data block {what}", path=self._name, offset=self.offset)

    # -- walking ------------------------------------------------------------------------------

    def _walk(self, chrom_id: int, stop: int) -> None:
        """Decode records until a step ends with one past ``chrom_id:stop`` (by chromosome
        id, then start), or the block ends."""
        data, pos = self._data, self._pos
        matches: list = []
        # (chrom_id, stop) as 8 big-endian bytes: the (chromId, start) bytes of a head in
        # big-endian order compare with it directly, without unpacking the step (_NEVER:
        # 9 bytes, above every 8-byte key).
        limit = (chrom_id << 32 | stop).to_bytes(8, "big") if stop <= 0xFFFFFFFF else b"\xff" * 9
        little = (sys.byteorder == "little") != self._swap  # the file's byte order
        level = 0
        while True:
            m = _STEPS[level](data, pos)
            if m is None:
                if self._inflate(self._fed + INFLATE_STEP):
                    data = self._data
                    level = 0
                elif level + 1 < len(_STEPS):
                    level += 1  # fewer records than this step left: try a smaller one
                elif pos == len(data):
                    self.complete = True
                    break
                else:
                    count = len(self.starts) + sum(m.re.groups for m in matches)
                    raise _stray(data, pos, count, self._name, self.offset)
                continue
            matches.append(m)
            pos = m.end()
            # Stop after a big step that passes ``stop``.  The few records at the end of a
            # block are always decoded together, so a small block is checked whole.
            if level == 0:
                last = m.group(_BIG_STEP)
                if ((last[3::-1] + last[7:3:-1]) if little else last[:8]) > limit:
                    break
        if matches:
            self._add(matches)
        self._pos = pos

    def _add(self, matches: list) -> None:
        """Append the records of the steps ``matches`` (all or nothing, so that a walk
        that fails leaves the block as it was)."""
        values = _u32_array(b"".join([b"".join(m.groups()) for m in matches]), self._swap)
        ids, starts, ends = values[0::3], values[1::3], values[2::3]
        count = len(self.starts)
        if self.ordered:
            first = (self.chrom_ids or ids)[:1].tobytes()
            self.ordered = (
                ids.tobytes() == first * len(ids)
                and (not count or starts[0] >= self.starts[-1])
                and _ascending(starts)
            )
        self._end_lanes |= _lanes(ends) << (32 * count)
        self._marks += accumulate([m.re.groups for m in matches[:-1]], initial=count)
        self._steps += matches
        if count:
            self.chrom_ids += ids
            self.starts += starts
            self.ends += ends
        else:
            self.chrom_ids, self.starts, self.ends = ids, starts, ends

    # -- queries ------------------------------------------------------------------------------

    def fetch(
        self, chrom: str, chrom_id: int, start: int, end: int, share: float = 1.0
    ) -> List[Tuple[str, int, int, str]]:
        """The records matching ``chrom_id:start-end``, as ``(chrom, start, end, rest)``.

        A record (s, e) matches by kent's rule: it overlaps the half-open range, ``s <
        end and e > start``, or it is zero-length and touches an edge of the range, ``s
        == e and (s == start or s == end)``.  ``share`` estimates how much of the block
        lies before ``end``, so that a query inflates little more than it needs.
        """
        with self._lock:
            picked = self._select(chrom_id, start, end, share)
            if not picked:
                return []
            starts, ends = self.starts, self.ends
            texts = self._texts(picked)
            return list(zip(repeat(chrom), map(starts.__getitem__, picked), map(ends.__getitem__, picked), texts))

    def _select(self, chrom_id: int, start: int, end: int, share: float) -> List[int]:
        """Indexes of the records that match (see :meth:`fetch`), in block order."""
        starts = self.starts
        # Decode on unless the records so far pass (chrom_id, end): in an ordered block
        # they are all of the chromosome of the first.
        if not self.complete and (
            not self.ordered or not starts or (self.chrom_ids[0], starts[-1]) <= (chrom_id, end)
        ):
            goal = int(len(self._raw) * share) + INFLATE_MARGIN
            if goal > self._fed:
                self._inflate(goal)
            self._walk(chrom_id, end)
            while not self.ordered and not self.complete:
                self._walk(chrom_id, _NEVER)  # a block found out of order is decoded whole
            starts = self.starts
        ends = self.ends
        if not self.ordered:
            ids = self.chrom_ids
            return [
                i
                for i, (s, e) in enumerate(zip(starts, ends))
                if ids[i] == chrom_id and ((s < end and e > start) or (s == e and (s == start or s == end)))
            ]
        if not starts or self.chrom_ids[0] != chrom_id:  # (an ordered block has one chromosome)
            return []
        # By start: [0, lo) before the range, [lo, mid) inside it, [mid, hi) at its end.
        hi = bisect_right(starts, end)
        lo = bisect_left(starts, start, 0, hi)
        mid = bisect_left(starts, end, lo, hi)
        picked = self._reaching(start, lo) if lo else []
        if lo < mid:
            # These overlap unless one ends at or before the range start, which only a
            # record ending before it starts can (a zero-length one at start matches).
            if min(ends[lo:mid]) > start:
                picked += range(lo, mid)
            else:
                picked += [i for i in range(lo, mid) if ends[i] > start or starts[i] == ends[i] == start]
        if mid < hi:  # starting at the range end: zero-length records only
            picked += [i for i in range(mid, hi) if ends[i] == end]
        return picked

    def _reaching(self, start: int, lo: int) -> List[int]:
        """Indexes below ``lo`` (records that start before ``start``, in an ordered
        block) of the records that end after ``start``: they overlap the query."""
        if start >= 0xFFFFFFFF:
            return []
        found = _at_least(self._end_lanes, start + 1, lo)
        if not found:
            return []
        # Flags sit at bit 31 of their lanes: read those from the first to the last.
        first = ((found & -found).bit_length() - 1) >> 5
        last = (found.bit_length() - 1) >> 5
        flags = (found >> (32 * first + 31)).to_bytes(4 * (last - first) + 1, "little")[0::4]
        out = []
        i = flags.find(1)
        while i >= 0:
            out.append(first + i)
            i = flags.find(1, i + 1)
        return out

    def _texts(self, indexes: List[int]) -> List[str]:
        """Texts after chrom/start/end of the records at ``indexes``."""
        # A record's text runs from the end of its head to the start of the next head
        # (or the end of its step), less the NUL; the step's match knows both.
        marks, data = self._marks, self._data
        out = []
        after = 0  # index of the first record after the current step
        for index in indexes:
            if index >= after:
                k = bisect_right(marks, index) - 1
                m = self._steps[k]
                base, size = marks[k] - 1, m.re.groups  # record index = base + group
                after = base + 1 + size
                start_of, end_of = m.start, m.end
            group = index - base
            out.append(data[end_of(group) : (start_of(group + 1) if group < size else end_of()) - 1])
        return b"\0".join(out).decode("utf-8", TEXT_ERRORS).split("\0")


class BlockCache:
    """A thread-safe LRU cache of :class:`BlockRecords`, keyed by file offset, holding
    blocks of at most ``budget`` bytes in all (as :attr:`BlockRecords.nbytes` counts)."""

    def __init__(self, budget: int) -> None:
        self.budget = max(0, int(budget))
        self.nbytes = 0
        self._items: "OrderedDict[int, Tuple[BlockRecords, int]]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, offset: int) -> Optional[BlockRecords]:
        """The block at ``offset``, or None.  Call :meth:`store` after using it."""
        found = self._items.get(offset)
        return found[0] if found is not None else None

    def store(self, block: BlockRecords) -> None:
        """Keep ``block`` as the most recently used, at its current size, and drop the
        least recently used blocks beyond the budget."""
        if not self.budget:
            return
        size = block.nbytes
        with self._lock:
            items = self._items
            old = items.get(block.offset)
            if old is not None and old[0] is block and old[1] == size:
                items.move_to_end(block.offset)  # used again, unchanged
                return
            if old is not None:
                del items[block.offset]
            items[block.offset] = (block, size)
            self.nbytes += size - (old[1] if old is not None else 0)
            while self.nbytes > self.budget:
                _, (_, dropped) = items.popitem(last=False)
                self.nbytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.nbytes = 0

    def __contains__(self, offset: int) -> bool:
        return offset in self._items

    def __len__(self) -> int:
        return len(self._items)
