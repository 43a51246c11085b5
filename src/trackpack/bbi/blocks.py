"""bigBed data blocks: inflate, split into records, keep recently used ones.

Standard library only (this module is on the pure-Python reader's import path).

A data block (formats.md "bigBed data") is a run of records, zlib-compressed as a whole
unless the file is uncompressed.  A record is ``chromId u32, start u32, end u32`` followed
by the remaining BED columns as tab-joined text and a NUL.  Records have no length field
and the 12-byte heads may themselves hold NUL bytes, so record boundaries can only be
found by walking the block from its beginning.

How the walk stays fast in pure Python: a regular expression matches a *group* of
:data:`GROUP` whole records at a time (12 bytes of head, text without NUL, the NUL) and
captures the heads, so the per-record work happens in C and Python sees one match per
group.  ``match`` at an exact offset (never ``search``) keeps the walk on record
boundaries: at a true boundary a record fails to match only when no NUL follows its head,
which means the data ends inside it.

Two ways of decoding, for the two kinds of work:

- :class:`BlockRecords` decodes a block *lazily*, a prefix at a time, for region queries.
  Writers put a block's records in start order (kent's bedToBigBed refuses unsorted
  input), so a query stops inflating and splitting once it has seen a step of records
  ending past its end, and a later query on the same block carries on from there.
  Every decoded record is checked for that order and a block found out of order is
  decoded whole; only a block whose records were in order up to the query's end and out
  of order after it would be misread, and no writer makes such blocks.  Records that
  start before a query but may reach into it are found from the heads' bytes with byte
  tables and big-integer bit operations, without an int per record.  The match of each
  step is kept: it knows where every record starts, so texts are sliced out directly.
  Objects of this class live in :class:`BlockCache`, a small LRU cache.
- :func:`decode_block` decodes a whole block at once, texts included, for iteration.
"""
from __future__ import annotations

import array
import re
import sys
import threading
import zlib
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from itertools import chain
from typing import List, Optional, Tuple

from ..errors import FormatError

__all__ = ["BlockRecords", "BlockCache", "decode_block", "inflate", "TEXT_ERRORS", "GROUP"]

#: How undecodable bytes in record text are represented: ``surrogateescape`` keeps them
#: (as lone surrogates) so that writing the text back with the same handler restores
#: the original bytes, as kent's byte-oriented tools print them.
TEXT_ERRORS = "surrogateescape"

#: Records matched per regular-expression step.
GROUP = 64
_ONE_HEAD = rb"(.{12})[^\0]*+\0"
_ONE_FULL = rb"(.{12})([^\0]*+)\0"
#: one record, capturing its head
_HEAD_1 = re.compile(_ONE_HEAD, re.S)
#: GROUP records, capturing their heads
_HEAD_N = re.compile(_ONE_HEAD * GROUP, re.S)
_HEAD_8 = re.compile(_ONE_HEAD * 16, re.S)
#: (match function, records per match), largest first
_STEPS = ((_HEAD_N.match, GROUP), (_HEAD_8.match, 8), (_HEAD_1.match, 1))
#: one record, capturing head and text
_FULL_1 = re.compile(_ONE_FULL, re.S)
#: GROUP records, capturing heads and texts
_FULL_N = re.compile(_ONE_FULL * GROUP, re.S)



def _above(q: int) -> bytes:
    """A byte table flagging (1) the bytes above ``q`` (-1 <= q <= 255)."""
    return b"\0" * (q + 1) + b"\1" * (255 - q)


def _equal(q: int) -> bytes:
    """A byte table flagging (1) the byte ``q``."""
    return b"\0" * q + b"\1" + b"\0" * (255 - q)


#: Compressed bytes fed to zlib per step of a lazy decode, after a first step sized by
#: where the query falls in the block (see BlockRecords.select).
STEP_INPUT = 1024
#: Compressed bytes fed beyond the estimated need in the first step.
FIRST_MARGIN = 512

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
    match = _FULL_N.match
    m = match(data, pos)
    while m is not None:
        groups.append(m.groups())
        pos = m.end()
        m = match(data, pos)
    size = len(data)
    while pos < size:
        m = _FULL_1.match(data, pos)
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


class BlockRecords:
    """The records of one data block, split on demand from its start.

    Attributes (covering the records decoded so far, in block order):
        chrom_ids, starts, ends: u32 arrays.
        ordered: True while starts never decrease; queries of a block found out of order
            decode it whole and test every record.
        complete: True once the whole block is decoded.
    """

    __slots__ = (
        "offset",
        "chrom_ids",
        "starts",
        "ends",
        "ordered",
        "complete",
        "_data",
        "_pos",
        "_heads",
        "_marks",
        "_steps",
        "_raw",
        "_inflater",
        "_fed",
        "_feed",
        "_feed_goal",
        "_limit",
        "_swap",
        "_big",
        "_name",
        "_lock",
    )

    def __init__(self, raw: bytes, offset: int, *, limit: int, swap: bool, big_endian: bool, name: str) -> None:
        """``raw`` is the block as stored; ``limit`` the uncompressBufSize (0 = stored plain)."""
        self.offset = offset
        self.chrom_ids = array.array(_U32)
        self.starts = array.array(_U32)
        self.ends = array.array(_U32)
        self.ordered = True
        self.complete = False
        self._heads = bytearray()  # the 12-byte heads of the decoded records, in order
        self._marks: List[int] = []  # index of the first record of each decoded step
        self._steps: list = []  # ... and its match, which knows where each record starts
        self._pos = 0
        self._limit = limit
        self._swap = swap
        self._big = big_endian
        self._name = name
        self._lock = threading.Lock()
        self._fed = 0  # compressed bytes given to zlib so far
        self._feed = STEP_INPUT  # ... and how many to give it next
        self._feed_goal = len(raw)  # ... and how many a query probably needs
        if limit:
            self._data = b""
            self._raw = raw
            self._inflater: Optional[zlib._Decompress] = zlib.decompressobj()  # type: ignore[name-defined]
        else:
            self._data = raw
            self._raw = b""
            self._inflater = None

    # -- decoding ---------------------------------------------------------------------------

    def _more(self) -> bool:
        """Inflate more of the block onto the data; False when everything is inflated."""
        inflater = self._inflater
        if inflater is None:
            return False
        if inflater.eof:
            self._inflater = None
            self._raw = b""
            return False
        fed = self._fed
        feed = self._feed
        self._feed = STEP_INPUT
        chunk = self._raw[fed : fed + feed]
        self._fed = fed + len(chunk)
        room = self._limit - len(self._data)
        try:
            piece = inflater.decompress(chunk, room + 1)
        except zlib.error as err:
            raise FormatError(
                f"data block is not valid zlib data ({err})", path=self._name, offset=self.offset
            ) from None
        if len(piece) > room or inflater.unconsumed_tail:
            raise FormatError(
                f"data block inflates to more than the {self._limit} bytes the header allows",
                path=self._name,
                offset=self.offset,
            )
        if not chunk and not inflater.eof:
            raise FormatError(
                "data block ends inside its zlib stream (truncated or corrupt)",
                path=self._name,
                offset=self.offset,
            )
        if piece:
            self._data += piece
        return True

    def _decode(self, stop: int) -> None:
        """Decode on until a record starts after ``stop`` or the block ends (lock held)."""
        groups: list = []
        marks, steps = self._marks, self._steps
        count = len(self.starts)
        data, pos = self._data, self._pos
        # ``stop`` as the big-endian bytes of a start, so that a slice of a head can be
        # compared with it directly (bytes compare like big-endian numbers).
        limit = min(stop, 0xFFFFFFFF).to_bytes(4, "big")
        big = self._big
        # Bytes per record so far, to pick a step that the inflated data can hold: a step
        # that fails for lack of data has scanned its records in vain.
        per_record = pos / count if count else 32.0
        big_room = GROUP * 1.5 * per_record
        match_big, match_small, match_one = _HEAD_N.match, _HEAD_8.match, _HEAD_1.match
        try_big = try_small = True  # turned off once they fail on data that is all there
        while not self.complete:
            inflating = self._inflater is not None
            m = None
            if try_big and (not inflating or len(data) - pos > big_room):
                m = match_big(data, pos)
                if m is None and not inflating:
                    try_big = False
            if m is None:
                if inflating and self._fed < self._feed_goal:
                    # short of where the query should end: inflate on rather than walk
                    # in small steps
                    self._more()
                    data = self._data
                    continue
                if try_small:
                    m = match_small(data, pos)
                    if m is None and not inflating:
                        try_small = False
                if m is None:
                    m = match_one(data, pos)
            if m is not None:
                heads = m.groups()
                groups.append(heads)
                marks.append(count)
                steps.append(m)
                count += len(heads)
                pos = m.end()
                last = heads[-1]
                # stop after a step whose last record starts past ``stop`` (a step of one
                # record is too short to have shown the records' order: go on)
                if (last[4:8] if big else last[7:3:-1]) > limit and len(heads) > 1:
                    break
                continue
            if self._more():
                data = self._data
                continue
            if pos != len(data):
                raise _stray(data, pos, count, self._name, self.offset)
            self.complete = True
            self._inflater = None
            self._raw = b""
        self._pos = pos
        if not groups:
            return
        joined = b"".join(chain.from_iterable(groups))
        self._heads += joined
        values = _u32_array(joined, self._swap)
        starts = values[1::3]
        if self.ordered:
            listed = starts.tolist()
            if sorted(listed) != listed or (self.starts and listed[0] < self.starts[-1]):
                self.ordered = False
        self.chrom_ids.extend(values[0::3])
        self.starts.extend(starts)
        self.ends.extend(values[2::3])

    def decode_all(self) -> None:
        """Decode the rest of the block."""
        with self._lock:
            while not self.complete:
                self._decode(1 << 40)

    # -- queries ------------------------------------------------------------------------------

    def select(self, chrom_id: int, start: int, end: int, share: float = 1.0) -> List[int]:
        """Indexes of the records matching ``chrom_id:start-end`` by kent's query rule.

        A record (s, e) matches when it overlaps the half-open range, ``s < end and e >
        start``, or when it is zero-length and touches an edge of the range, ``s == e and
        (s == start or s == end)``.  ``share`` estimates how much of the block lies before
        ``end`` (from the block's bounds in the index); the first inflate step covers that
        much of the compressed block, so a query inflates little more than it needs.
        """
        with self._lock:
            return self._select(chrom_id, start, end, share)

    def fetch(self, chrom_id: int, start: int, end: int, share: float = 1.0) -> Tuple[list, list, List[str]]:
        """(starts, ends, texts) of the records :meth:`select` picks."""
        with self._lock:
            picked = self._select(chrom_id, start, end, share)
            if not picked:
                return [], [], []
            starts, ends = self.starts, self.ends
            return [starts[i] for i in picked], [ends[i] for i in picked], self._texts(picked)

    def _select(self, chrom_id: int, start: int, end: int, share: float) -> List[int]:
        if self._inflater is not None and not self._data:
            self._feed = self._feed_goal = int(len(self._raw) * min(share, 1.0)) + FIRST_MARGIN
        # Decode until a record starts past the range (then none later can match).
        while not self.complete and (not self.ordered or not self.starts or self.starts[-1] <= end):
            self._decode(end if self.ordered else 1 << 40)
        starts, ends, ids = self.starts, self.ends, self.chrom_ids
        if self.ordered:
            hi = bisect_right(starts, end)
            lo = bisect_left(starts, start, 0, hi)
            picked = self._reaching(chrom_id, start, lo) if lo else []
        else:
            picked, lo, hi = [], 0, len(starts)
        for i in range(lo, hi):
            s = starts[i]
            e = ends[i]
            if ids[i] == chrom_id and ((s < end and e > start) or (s == e and (s == start or s == end))):
                picked.append(i)
        return picked

    def _reaching(self, chrom_id: int, start: int, lo: int) -> List[int]:
        """Indexes below ``lo`` of records of ``chrom_id`` that end after ``start``.

        Records below ``lo`` start before ``start``, so these are the ones that match.

        Done in C on the raw heads, without making an int per record: byte tables turn
        the three top bytes of every end into flags (above / equal to the same byte of
        ``start``), big-integer bit operations combine the flags of all records at once,
        and only the records whose flags allow ``end >= start`` (those ending at most
        255 bases below it, or later) are checked exactly.
        """
        if start > 0xFFFFFFFF:
            return []
        heads = self._heads
        count = lo * 12
        # the three top bytes of every end, most significant first
        if self._big:
            b3, b2, b1 = heads[8:count:12], heads[9:count:12], heads[10:count:12]
        else:
            b3, b2, b1 = heads[11:count:12], heads[10:count:12], heads[9:count:12]
        q3, q2, q1 = start >> 24, (start >> 16) & 0xFF, (start >> 8) & 0xFF

        def flag(column: bytearray, table: bytes) -> int:
            return int.from_bytes(column.translate(table), "big")

        # end >> 8 >= start >> 8, byte by byte: above, or equal and the rest not below
        lower = flag(b2, _above(q2)) | (flag(b2, _equal(q2)) & flag(b1, _above(q1 - 1)))
        if b3.count(q3) == lo:  # the usual case: every end shares start's top byte
            flags = lower
        else:
            flags = flag(b3, _above(q3)) | (flag(b3, _equal(q3)) & lower)
        if not flags:
            return []
        may = flags.to_bytes(lo, "big")
        ends, ids = self.ends, self.chrom_ids
        out = []
        i = may.find(1)
        while i >= 0:
            if ends[i] > start and ids[i] == chrom_id:
                out.append(i)
            i = may.find(1, i + 1)
        return out

    def texts(self, indexes: List[int]) -> List[str]:
        """Texts after chrom/start/end of the records at ``indexes`` (ascending)."""
        with self._lock:
            return self._texts(indexes) if indexes else []

    def _texts(self, indexes: List[int]) -> List[str]:
        # The match of each step holds the span of every head it captured: a record's
        # text runs from the end of its head to the start of the next head (or the end
        # of the step), less the NUL.
        marks, steps = self._marks, self._steps
        out = []
        for index in indexes:
            k = bisect_right(marks, index) - 1
            m = steps[k]
            group = index - marks[k] + 1
            stop = m.start(group + 1) if group < m.re.groups else m.end()
            out.append(m.string[m.end(group) : stop - 1])
        return b"\0".join(out).decode("utf-8", TEXT_ERRORS).split("\0")


class BlockCache:
    """A small thread-safe LRU cache of :class:`BlockRecords`, keyed by file offset,
    holding at most ``capacity`` blocks."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(0, int(capacity))
        self._items: "OrderedDict[int, BlockRecords]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, offset: int) -> Optional[BlockRecords]:
        with self._lock:
            block = self._items.get(offset)
            if block is not None:
                self._items.move_to_end(offset)
            return block

    def put(self, block: BlockRecords) -> BlockRecords:
        """Store ``block`` (or return the one another thread stored first)."""
        if self.capacity == 0:
            return block
        with self._lock:
            existing = self._items.get(block.offset)
            if existing is not None:
                self._items.move_to_end(block.offset)
                return existing
            self._items[block.offset] = block
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
            return block

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __contains__(self, offset: int) -> bool:
        return offset in self._items

    def __len__(self) -> int:
        return len(self._items)
