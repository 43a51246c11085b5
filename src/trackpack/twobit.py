"""Read and write .2bit sequence files (formats.md ".2bit"; kent src/inc/twoBit.h).

Layout, in the writer's byte order (the reader takes it from the signature):

- header, 16 bytes: signature u32 0x1A412743, version u32 (0; 1 = 64-bit offsets),
  sequenceCount u32, reserved u32;
- index, in file order: nameSize u8, name, offset of the record (u32, or u64 in version 1);
- one record per sequence: dnaSize u32, nBlockCount u32, nBlockStarts u32[], nBlockSizes
  u32[], maskBlockCount u32, maskBlockStarts u32[], maskBlockSizes u32[], reserved u32,
  then the bases at 2 bits each (T=0 C=1 A=2 G=3, first base in the high bits).

Bases inside N blocks are stored as T and read back as N; bases inside mask blocks read
back in lower case.  Coordinates are 0-based and half-open everywhere.

Reading (:class:`TwoBitFile`) memory-maps the file when it can, parses only the header and
the name index on open, and reads a record's block tables on first use; a region read
touches just its packed bytes and finds its N and mask blocks by binary search.

Writing (:func:`write_twobit`) parses FASTA text and packs it in one C pass, a chunk of
text at a time (so millions of short records cost no more than a few chromosomes), and
appends the records to a temporary file next to the output, because the index (which
holds every record's offset) precedes the data; memory stays at about a quarter of the
largest sequence, plus the names.
"""
from __future__ import annotations

import bisect
import contextlib
import logging
import mmap
import os
import stat
import struct
import sys
import tempfile
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _kernels
from .errors import ArgumentError, FormatError, OutOfRangeError, UsageError
from .fasta import read_chunks, sequence_pairs, text_size
from .files import STDOUT_NAMES, PathOrFile, RandomAccess, atomic_output, display_name
from .progress import Progress

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "TwoBitFile",
    "TwoBitSequence",
    "TwoBitSummary",
    "write_twobit",
    "TWOBIT_SIGNATURE",
    "ARRAY_CODES",
]

_codec = _kernels.load("seqcodec")
log = logging.getLogger(__name__)

TWOBIT_SIGNATURE = 0x1A412743
#: header: signature, version, sequenceCount, reserved (all u32)
_HEADER = struct.Struct("IIII")
#: longest sequence name the index can hold (nameSize is a u8)
MAX_NAME_BYTES = 255
_U32_MAX = 0xFFFFFFFF
#: index bytes read at a time from unmappable streams: at most 1 MiB, at least 4 KiB (more
#: than one entry, which is at most 1 + 255 + 8 bytes), else about what the rest needs
_INDEX_CHUNK_MAX = 1 << 20
_INDEX_CHUNK_MIN = 4096
_INDEX_ENTRY_GUESS = 32

#: Letters of the array codes returned by :meth:`TwoBitFile.fetch_array`: A=0, C=1, G=2,
#: T=3, and 4 for N, other bases and padding.
ARRAY_CODES = _codec.ARRAY_CODES

_HOST_LITTLE = sys.byteorder == "little"
#: madvise() advice that drops mapped pages from our resident memory (None: unavailable)
_DONTNEED = getattr(mmap, "MADV_DONTNEED", None)
#: block tables longer than this are released from memory once read through
_RELEASE_MIN_BLOCKS = 1 << 16


def _order_prefix(byte_order: str) -> str:
    if byte_order == "little":
        return "<"
    if byte_order == "big":
        return ">"
    raise ArgumentError(f"byte_order must be 'little' or 'big', not {byte_order!r}")


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


class TwoBitFile(_codec.TwoBitCore, Mapping):
    """A .2bit file opened for random access (versions 0 and 1, either byte order).

    ``TwoBitFile(path_or_fileobj)`` reads the header and name index only.  The object is
    a read-only mapping from sequence name to :class:`TwoBitSequence` (names in file
    order), a context manager, and safe to share between threads.

    Main queries (0-based, half-open):

    - :attr:`sizes` - ``{name: length}`` in file order;
    - :meth:`fetch` - one region as a str (soft-masked bases in lower case by default);
    - :meth:`fetch_many` - many regions in one call, a list of str;
    - :meth:`fetch_array` - many regions as a numpy array of base codes or one-hot rows;
    - :meth:`n_blocks`, :meth:`mask_blocks` - runs of N and of soft-masked bases
      (:meth:`block_arrays`, :meth:`blocks_bed`, :meth:`block_count`,
      :meth:`block_bases` for tables of millions of blocks);
    - :meth:`region` - checks a region as :meth:`fetch` would, without reading it.

    Attributes: ``path`` (as given), ``version`` (0, or 1 for 64-bit offsets) and
    ``byte_order`` ("little" or "big").

    Errors: an unknown name is :class:`~trackpack.errors.NotFoundError` (a KeyError), a
    region outside the sequence :class:`~trackpack.errors.OutOfRangeError` (an IndexError),
    a corrupt or truncated file :class:`~trackpack.errors.FormatError` (a ValueError)
    naming the byte offset, use after :meth:`close` ClosedFileError.
    """

    def __init__(self, source: PathOrFile) -> None:
        self.path = display_name(source)
        self._mmap: Optional[mmap.mmap] = None
        self._buffer = None  # a BytesIO's exported buffer
        self._random: Optional[RandomAccess] = None
        self._sizes_cache: Optional[dict] = None
        try:
            mapped, size = self._open(source)
            self._read_header_and_index(mapped, size)
        except BaseException:
            self.close()
            raise

    def _open(self, source: PathOrFile):
        """Memory-map ``source`` when possible; else read it through RandomAccess."""
        if isinstance(source, (str, os.PathLike)):
            with open(os.fspath(source), "rb") as f:
                mapped = self._try_mmap(f.fileno())
                if mapped is not None:
                    return mapped, len(mapped)
            self._random = RandomAccess(source)
            return None, self._random.size
        if hasattr(source, "getbuffer"):  # io.BytesIO: use its memory directly
            self._buffer = source.getbuffer()
            return self._buffer, len(self._buffer)
        if hasattr(source, "fileno"):
            try:
                fd = source.fileno()
            except (OSError, ValueError, AttributeError):
                fd = None
            if fd is not None:
                mapped = self._try_mmap(fd)
                if mapped is not None:
                    return mapped, len(mapped)
        self._random = RandomAccess(source)
        return None, self._random.size

    def _try_mmap(self, fd: int) -> Optional[mmap.mmap]:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size < _HEADER.size:
                return None
            self._mmap = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        return self._mmap

    def _read(self, mapped, offset: int, size: int, what: str) -> bytes:
        if mapped is None:
            return self._random.read(offset, size, what)  # type: ignore[union-attr]
        return bytes(mapped[offset:offset + size])

    def _read_header_and_index(self, mapped, size: int) -> None:
        if size < _HEADER.size:
            raise FormatError(
                f"not a .2bit file: {size} bytes, shorter than the {_HEADER.size}-byte header",
                path=self.path,
                offset=0,
            )
        head = self._read(mapped, 0, _HEADER.size, ".2bit header")
        if struct.unpack("<I", head[:4])[0] == TWOBIT_SIGNATURE:
            order = "<"
        elif struct.unpack(">I", head[:4])[0] == TWOBIT_SIGNATURE:
            order = ">"
        else:
            raise FormatError(
                "not a .2bit file (bad signature)",
                path=self.path,
                offset=0,
                expected=hex(TWOBIT_SIGNATURE),
                found="0x" + head[:4].hex(),
            )
        _, version, count, _ = struct.unpack(order + _HEADER.format, head)
        if version not in (0, 1):
            raise FormatError(
                f"unsupported .2bit version {version}", path=self.path, offset=4, expected="0 or 1", found=version
            )
        offset_size = 8 if version == 1 else 4
        if count > (size - _HEADER.size) // (1 + offset_size):
            raise FormatError(
                f"sequence count {count} cannot fit in a file of {size} bytes; the header is corrupt",
                path=self.path,
                offset=8,
            )
        self.version: int = version
        self.byte_order: str = "little" if order == "<" else "big"
        swap = (order == "<") != _HOST_LITTLE
        names: List[str] = []
        offsets = array("Q")
        pos = _HEADER.size
        remaining = count
        while remaining:
            if mapped is not None:
                with memoryview(mapped) as whole:
                    with whole[pos:] as chunk:
                        parsed, used, error = _codec.parse_index(
                            chunk, remaining, offset_size, swap, size, names, offsets
                        )
            else:
                want = min(_INDEX_CHUNK_MAX, max(_INDEX_CHUNK_MIN, remaining * _INDEX_ENTRY_GUESS), size - pos)
                chunk = self._random.read(pos, want, "index")  # type: ignore[union-attr]
                parsed, used, error = _codec.parse_index(chunk, remaining, offset_size, swap, size, names, offsets)
            if error is not None:
                raise FormatError(error[1], path=self.path, offset=pos + error[0])
            if parsed == 0:
                raise FormatError(
                    f"the index is truncated: entry {count - remaining + 1} of {count} runs past the end of the file",
                    path=self.path,
                    offset=pos,
                )
            remaining -= parsed
            pos += used
        reader = None if mapped is not None else self._random.read  # type: ignore[union-attr]
        self._attach(mapped, reader, swap, names, offsets, size, self.path)

    # -- mapping -------------------------------------------------------------------------

    def __getitem__(self, name: str) -> "TwoBitSequence":
        record = self._record_of(name)  # NotFoundError for unknown names
        return TwoBitSequence(self, name, record.size)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    # -- queries -------------------------------------------------------------------------

    @property
    def sizes(self) -> dict:
        """``{name: length}`` for every sequence, in file order (cached after first use).

        A name the index repeats (kent's writer never does) stands for its last record,
        as in kent's reader and every lookup here."""
        cache = self._sizes_cache
        if cache is None:
            cache = dict(zip(self._names, self._sizes()))
            self._sizes_cache = cache
        return cache

    def n_blocks(self, name: str) -> List[Tuple[int, int]]:
        """Runs of N in sequence ``name`` as (start, end) pairs, as stored in the file.

        A list of tuples is handy for short tables; for tables of millions of blocks use
        :meth:`block_arrays` (compact numpy arrays) or :meth:`blocks_bed` (BED text)."""
        return self._blocks(name, False)

    def mask_blocks(self, name: str) -> List[Tuple[int, int]]:
        """Soft-masked (lower-case) runs of sequence ``name`` as (start, end) pairs
        (see :meth:`n_blocks` for long tables)."""
        return self._blocks(name, True)

    def _blocks(self, name: str, mask: bool) -> List[Tuple[int, int]]:
        starts, ends = self.block_arrays(name, mask)
        return list(zip(starts.tolist(), ends.tolist()))

    def block_count(self, name: str, mask: bool = False) -> int:
        """Number of N blocks of sequence ``name`` (with ``mask``: of soft-masked blocks)."""
        return self._block_count(name, mask)

    def block_arrays(self, name: str, mask: bool = False) -> Tuple["np.ndarray", "np.ndarray"]:
        """(starts, ends) of the N blocks of ``name`` (with ``mask``: the soft-masked
        blocks) as two int64 numpy arrays, in file order.  A block that runs past the end
        of the sequence is a FormatError."""
        import numpy as np  # here, not at import: the command-line tools start faster

        raw, count, _ = self._block_table(name, mask)
        dtype = "<u4" if self.byte_order == "little" else ">u4"
        table = np.frombuffer(raw, dtype=dtype)
        starts = table[:count].astype(np.int64)
        ends = starts + table[count:]
        size = self._record_of(name).size
        bad = np.flatnonzero(ends > size)
        if bad.size:
            self._block_total(name, mask)  # raises the FormatError naming the first bad block
        return starts, ends

    def block_bases(self, name: str, mask: bool = False) -> int:
        """Bases inside the N blocks of ``name`` (with ``mask``: inside soft-masked blocks);
        ``twoBitInfo -noNs`` reports the sequence size minus the N bases."""
        total = self._block_total(name, mask)
        count = self._block_count(name, mask)
        if count > _RELEASE_MIN_BLOCKS:
            self._release_table(name, mask, count, count)
        return total

    def blocks_bed(self, name: str, mask: bool = False, *, lines_per_piece: int = 1 << 18) -> Iterator[bytes]:
        """The N blocks of ``name`` (with ``mask``: the soft-masked blocks) as BED3 text,
        ``name<TAB>start<TAB>end<LF>`` per block: what ``twoBitInfo -nBed`` (``-maskBed``)
        prints.

        Yields bytes pieces of ``lines_per_piece`` lines (the last may be shorter), formatted
        straight from the file's tables: memory stays at one piece, however many millions
        of blocks the sequence has.  An unknown name raises NotFoundError at the call; a
        block past the end of the sequence raises FormatError when its piece is reached.
        """
        lines_per_piece = _codec.as_index(lines_per_piece, "lines_per_piece")
        if lines_per_piece <= 0:
            raise ArgumentError(f"lines_per_piece must be positive, not {lines_per_piece}")
        count = self._block_count(name, mask)
        prefix = name.encode("utf-8", "surrogateescape") + b"\t"

        def pieces() -> Iterator[bytes]:
            for first in range(0, count, lines_per_piece):
                stop = min(count, first + lines_per_piece)
                piece = self._blocks_bed(name, mask, prefix, first, lines_per_piece)
                self._release_table(name, mask, count, stop)
                yield piece

        return pieces()

    def _release_table(self, name: str, mask: bool, count: int, stop: int) -> None:
        """Let the OS take back the mapped pages of blocks [0, stop) of a table we have read
        through: their data stays in the page cache, but not in this process's resident
        memory, which would otherwise grow by every table read (hundreds of MB)."""
        if self._mmap is None or _DONTNEED is None or stop <= 0:
            return
        starts = self._block_table_offset(name, mask)
        for begin in (starts, starts + 4 * count):  # the starts, then the sizes
            aligned = begin - begin % mmap.PAGESIZE
            with contextlib.suppress(OSError, ValueError):
                self._mmap.madvise(_DONTNEED, aligned, begin + 4 * stop - aligned)

    def fetch_chunks(
        self, name: str, start: int = 0, end: Optional[int] = None, mask: bool = True, chunk_size: int = 10_000_000
    ) -> Iterator[str]:
        """Bases [start, end) of ``name`` as consecutive str pieces of ``chunk_size`` bases
        (the last may be shorter): a whole chromosome without holding it in memory.

        The name and range are checked by the call itself, before any piece is read."""
        chunk_size = _codec.as_index(chunk_size, "chunk_size")
        if chunk_size <= 0:
            raise ArgumentError(f"chunk_size must be positive, not {chunk_size}")
        start, end = self.region(name, start, end)
        return (self.fetch(name, pos, min(end, pos + chunk_size), mask) for pos in range(start, end, chunk_size))

    def fetch_array(
        self,
        regions: Iterable[Tuple[str, int, Optional[int]]],
        length: Optional[int] = None,
        *,
        one_hot: bool = False,
    ) -> "np.ndarray":
        """Regions as numpy arrays for machine learning.

        Each base becomes a code: A=0, C=1, G=2, T=3, and 4 for N (case is ignored).
        With ``one_hot`` each code becomes a row of 4 (A, C, G, T), all zero for N.

        Args:
            regions: (name, start, end) triples; end None means the sequence end.
            length: row length.  None: all regions must have the same length.  Given:
                shorter regions are padded at the right end with N (code 4, one-hot
                zeros); a longer region is a UsageError.

        Returns:
            uint8 array of shape (n, length), or (n, length, 4) with ``one_hot``.
        """
        import numpy as np

        resolved = []
        for number, region in enumerate(regions, 1):
            name, start, end = _codec.region_triple(region, number)
            start, end = self.region(name, start, end)  # names and ranges checked up front
            resolved.append((name, start, end))
        if length is None:
            lengths = {end - start for _, start, end in resolved}
            if len(lengths) > 1:
                raise UsageError(
                    "regions have different lengths "
                    f"({min(lengths)} to {max(lengths)}); pass length= to pad them to one row length"
                )
            length = lengths.pop() if lengths else 0
        else:
            length = _codec.as_index(length, "length")
            if length < 0:
                raise ArgumentError(f"length must not be negative, got {length}")
        codes = np.full((len(resolved), length), 4, dtype=np.uint8)
        self._fill_codes(resolved, codes)  # UsageError for a region longer than a row
        if one_hot:
            one_hot_rows = np.zeros((5, 4), dtype=np.uint8)  # row 4 (N, padding) stays zero
            one_hot_rows[np.arange(4), np.arange(4)] = 1
            return one_hot_rows[codes]
        return codes

    # -- life cycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Release the file.  Further reads raise ClosedFileError."""
        self._detach()
        if self._buffer is not None:
            with contextlib.suppress(BufferError):
                self._buffer.release()
            self._buffer = None
        if self._mmap is not None:
            try:
                self._mmap.close()
            except BufferError:
                pass  # another thread is mid-read: the map closes when it finishes
            self._mmap = None
        if self._random is not None:
            self._random.close()
            self._random = None

    def __enter__(self) -> "TwoBitFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self)} sequences"
        return f"<TwoBitFile {self.path!r}: {state}>"

    # Mapping supplies get/items/values/__eq__; equality by content is not meaningful here.
    __eq__ = object.__eq__  # type: ignore[assignment]
    __hash__ = object.__hash__  # type: ignore[assignment]


class TwoBitSequence:
    """One sequence of a :class:`TwoBitFile`: a light handle that reads on slicing.

    ``len(seq)`` is its length; ``seq[a:b]`` (and ``seq[i]``) read bases like a str would,
    soft-masked bases in lower case; ``str(seq)`` reads the whole sequence.
    """

    __slots__ = ("file", "name", "size")

    def __init__(self, file: TwoBitFile, name: str, size: int) -> None:
        self.file = file
        self.name = name
        self.size = size

    def __len__(self) -> int:
        return self.size

    def fetch(self, start: int = 0, end: Optional[int] = None, mask: bool = True) -> str:
        """Bases [start, end) (see :meth:`TwoBitFile.fetch`)."""
        return self.file.fetch(self.name, start, end, mask)

    def __getitem__(self, key: Union[int, slice]) -> str:
        if isinstance(key, slice):
            start, stop, step = key.indices(self.size)
            if step == 1:
                return self.file.fetch(self.name, start, max(start, stop))
            lo, hi = (start, stop) if step > 0 else (stop + 1, start + 1)
            if hi <= lo:
                return ""
            text = self.file.fetch(self.name, lo, hi)
            return text[start - lo:(stop - lo) if stop - lo >= 0 else None:step]
        index = _codec.as_index(key, "index")
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise OutOfRangeError(
                f"index {key} is outside sequence '{self.name}' of length {self.size}", path=self.file.path
            )
        return self.file.fetch(self.name, index, index + 1)

    def __str__(self) -> str:
        return self.file.fetch(self.name)

    def n_blocks(self) -> List[Tuple[int, int]]:
        """Runs of N as (start, end) pairs (see :meth:`TwoBitFile.n_blocks`)."""
        return self.file.n_blocks(self.name)

    def mask_blocks(self) -> List[Tuple[int, int]]:
        """Soft-masked runs as (start, end) pairs (see :meth:`TwoBitFile.mask_blocks`)."""
        return self.file.mask_blocks(self.name)

    def __repr__(self) -> str:
        return f"<TwoBitSequence {self.name!r}: {self.size} bases>"


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

_CODE = {"T": 0, "C": 1, "A": 2, "G": 3, "U": 0}


def packing_table(mask: bool, fasta: bool) -> bytes:
    """Byte classes for :class:`TwoBitPacker`, following kent's faToTwoBit exactly.

    - A C G T (and U, stored as T) keep their code; in lower case they are also masked.
    - Any other letter is N (kent's ``unknownToN``); a lower-case one is also masked.
    - ``-`` is stored as an unmasked T (kent keeps it through ``unknownToN``); with
      ``mask=False`` it is N (kent's ``faToDna``).
    - Other bytes: skipped when reading FASTA text (as kent's reader drops them), N
      otherwise (sequences given directly).
    """
    flag_n, flag_lower, flag_skip = _codec.FLAG_N, _codec.FLAG_LOWER, _codec.FLAG_SKIP
    table = bytearray(256)
    for b in range(256):
        c = chr(b)
        if c.isascii() and c.isalpha():
            code = _CODE.get(c.upper())
            value = code if code is not None else flag_n
            if mask and c.islower():
                value |= flag_lower
        elif c == "-":
            value = 0 if mask else flag_n
        else:
            value = flag_skip if fasta else flag_n
        table[b] = value
    return bytes(table)


@dataclass(frozen=True)
class TwoBitSummary:
    """What :func:`write_twobit` wrote."""

    sequences: int
    bases: int
    version: int
    bytes: int


Source = Union[PathOrFile, Sequence[PathOrFile], Iterable[Tuple[str, Union[str, bytes]]]]


def _is_path(x) -> bool:
    return isinstance(x, (str, os.PathLike))


def _fasta_sources(source) -> Optional[List]:
    """The FASTA inputs in ``source``, or None when it is an iterable of records."""
    if _is_path(source) or hasattr(source, "read"):
        return [source]
    if isinstance(source, (list, tuple)) and source and all(_is_path(s) or hasattr(s, "read") for s in source):
        return list(source)
    return None


class _Records:
    """The records a :class:`TwoBitRecordWriter` packs into the spool, with kent's rules.

    After every call into the writer, :meth:`collect` takes the names of the records it
    finished.  Names are checked (repeats, length) in bulk when the input ends, or when
    the writer reports a problem: the first problem in input order is the one raised,
    as a record-by-record check would find it, but millions of short records cost little.
    """

    def __init__(self, writer, out_path, *, strip_version: bool, ignore_dups: bool) -> None:
        self.writer = writer
        self.out_path = out_path
        self.strip_version = strip_version
        self.ignore_dups = ignore_dups
        self.taken: List[bytes] = []  # names of the writer's records, in its numbering
        self.empty: List[Tuple[int, bytes]] = []  # (records before it, name) of records without bases
        self.names: List[bytes] = []  # after check(): kept records' names, in file order
        self.skipped: List[int] = []  # after check(): writer records left out as repeats
        self.source_starts: List[int] = []  # first record number of each input
        self.source_paths: List[str] = []  # each input's name, "" for (name, sequence) pairs
        self.path = ""

    # -- inputs --------------------------------------------------------------------------

    def fasta(self, source, bar: Progress) -> None:
        """Pack every record of one FASTA input."""
        self._begin(display_name(source))
        writer = self.writer
        writer.begin_source()
        chunks = read_chunks(source)
        with contextlib.closing(chunks):  # on errors, stops the reader thread now
            for chunk in chunks:
                self.collect(writer.feed(chunk))
                bar.update(len(chunk))
        self.collect(writer.end_source())

    def pairs(self, pairs, bar: Progress) -> None:
        """Pack (name, sequence) pairs, each a record."""
        self._begin("")
        add = self.writer.add_sequence
        for number, name, data in sequence_pairs(pairs):
            self.collect(add(name.encode("utf-8", "surrogateescape"), data, number))
            bar.update(len(data))
        self.collect(self.writer.flush())

    def _begin(self, path: str) -> None:
        self.path = path
        self.source_starts.append(len(self.taken))
        self.source_paths.append(path)

    # -- checks --------------------------------------------------------------------------

    def collect(self, status) -> None:
        """Take the records finished since the last call; raise for ``status``."""
        names, empty = self.writer.take()
        before = len(self.taken)
        self.taken.extend(names)
        self.empty.extend((before + position, name) for position, name, _ in empty)
        if status is not None:
            self.check()  # a problem with an earlier record comes first
            raise self._status_error(*status)

    def check(self) -> None:
        """Apply kent's rules to every record taken: warn about records without bases,
        refuse (or with ignore_dups, skip) repeated names, refuse names over 255 bytes."""
        names = self.taken
        if self.strip_version:
            names = [name.split(b".", 1)[0] for name in names]
        if len(set(names)) == len(names) and max(map(len, names), default=0) <= MAX_NAME_BYTES:
            for _, name in self.empty:
                self._warn_empty(name)
            self.names = names
            return
        # one record at a time, in input order: the first problem is the one reported
        empty = self.empty
        next_empty = 0
        seen: Dict[bytes, int] = {}
        kept: List[bytes] = []
        for record, name in enumerate(names):
            while next_empty < len(empty) and empty[next_empty][0] <= record:
                self._warn_empty(empty[next_empty][1])
                next_empty += 1
            earlier = seen.get(name)
            if earlier is not None:
                if self.ignore_dups:
                    self.skipped.append(record)
                    continue
                raise self._duplicate(name, earlier, record)
            if len(name) > MAX_NAME_BYTES:
                raise self._too_long_name(name, record)
            seen[name] = record
            kept.append(name)
        for _, name in empty[next_empty:]:
            self._warn_empty(name)
        self.names = kept

    def _warn_empty(self, name: bytes) -> None:
        text = _name_text(name)
        if self.source_paths and self.source_paths[0]:  # FASTA input
            log.warning("Invalid fasta format: sequence size == 0 for element %s", text)
        log.warning("Skipping item %s which has no sequence.\n", text)

    def _where(self, record: int) -> Tuple[str, int]:
        """(input name, line or record number) of a writer record."""
        source = bisect.bisect_right(self.source_starts, record) - 1
        return self.source_paths[source], self.writer.line_of(record)

    def _duplicate(self, name: bytes, earlier: int, record: int) -> Exception:
        first_path, first_line = self._where(earlier)
        path, line = self._where(record)
        text = _name_text(name)
        if not path:  # pairs: duplicates are bad data as in FASTA, named by record number
            return FormatError(f"record {line}: duplicate sequence name '{text}' (first seen at record {first_line})")
        where = f"{first_path}:{first_line}" if first_path else f"record {first_line}"
        return FormatError(f"duplicate sequence name '{text}' (first seen at {where})", path=path, line=line)

    def _too_long_name(self, name: bytes, record: int) -> Exception:
        path, line = self._where(record)
        what = (f"sequence name '{_name_text(name)}' is {len(name)} bytes long; "
                f".2bit names are limited to {MAX_NAME_BYTES}")
        if path:
            return FormatError(what, path=path, line=line)
        return ArgumentError(f"record {line}: {what}")

    def _status_error(self, code: int, line: int, detail) -> Exception:
        path = self.path
        if code == _codec.WRITER_TOO_LONG:
            name = _name_text(detail)
            if not path:
                return ArgumentError(
                    f"record {line} ({name}): more than {_codec.MAX_BASES:,} bases, the most a .2bit record can hold"
                )
            return FormatError(
                f"sequence '{name}' has more than {_codec.MAX_BASES:,} bases, the most a .2bit record can hold",
                path=path,
                line=line,
            )
        if code == _codec.WRITER_NO_NAME:
            return FormatError("expecting a sequence name after '>'", path=path, line=line)
        if code == _codec.WRITER_NOT_FASTA:
            return FormatError("not FASTA: expected a header line starting with '>'", path=path, line=line)
        if code == _codec.WRITER_NO_RECORDS:
            return FormatError("no FASTA records: the input is empty", path=path, line=line)
        if code == _codec.WRITER_IO_ERROR:
            return OSError(detail, os.strerror(detail), os.fspath(self.out_path))
        return MemoryError("out of memory while packing sequences")

    # -- results -------------------------------------------------------------------------

    def layout(self) -> Tuple[List[bytes], "array", int, List[Tuple[int, int]]]:
        """(names, record sizes, bases, spool ranges) of the records to write."""
        sizes = array("Q", self.writer.record_sizes())
        bases = self.writer.total_bases
        ranges = [(0, sum(sizes))]
        if self.skipped:
            skip = set(self.skipped)
            all_bases = array("Q", self.writer.record_bases())
            bases -= sum(all_bases[i] for i in skip)
            kept = array("Q")
            ranges = []
            pos = 0
            for i, size in enumerate(sizes):
                if i not in skip:
                    kept.append(size)
                    if ranges and sum(ranges[-1]) == pos:
                        ranges[-1] = (ranges[-1][0], ranges[-1][1] + size)
                    else:
                        ranges.append((pos, size))
                pos += size
            sizes = kept
        return self.names, sizes, bases, ranges


def _name_text(name: bytes) -> str:
    return name.decode("utf-8", "surrogateescape")


def _index(names: List[bytes], sizes, version: Optional[int], order: str) -> Tuple[int, bytes]:
    """(version, header + index): version 0 unless a record offset would pass 2^32-1."""
    swap = (order == "<") != _HOST_LITTLE
    for candidate in (0, 1):
        if version is not None and candidate != version:
            continue
        entries = _codec.index_entries(names, sizes, 8 if candidate == 1 else 4, swap)
        if entries is not None:
            return candidate, struct.pack(order + _HEADER.format, TWOBIT_SIGNATURE, candidate, len(names), 0) + entries
        if version == 0:
            need = _HEADER.size + sum(len(name) + 5 for name in names) + sum(sizes)
            raise UsageError(
                f"the sequences need {need:,} bytes, more than version-0 .2bit offsets can address "
                "(4 GiB); write version 1 (faToTwoBit -long)"
            )
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def _spool_for(out_path) -> Iterator[IO[bytes]]:
    """A temporary file on the output's disk (not in a RAM-backed /tmp when avoidable)."""
    path = os.fspath(out_path)
    directory = None
    if path not in STDOUT_NAMES:
        directory = os.path.dirname(os.path.abspath(path))
        if not os.access(directory, os.W_OK):
            directory = None
    with tempfile.TemporaryFile(prefix=".trackpack-2bit-", dir=directory) as spool:
        yield spool


def _copy_range(src: IO[bytes], dst: IO[bytes], offset: int, size: int) -> None:
    """Append bytes [offset, offset+size) of ``src`` to ``dst``, in the kernel if possible."""
    src.flush()
    dst.flush()
    try:
        src_fd, dst_fd = src.fileno(), dst.fileno()
    except (OSError, AttributeError, ValueError):
        src_fd = dst_fd = None
    done = 0
    if src_fd is not None and dst_fd is not None:
        for copy in (getattr(os, "copy_file_range", None), getattr(os, "sendfile", None)):
            if copy is None:
                continue
            try:
                while done < size:
                    if copy is os.sendfile:
                        n = os.sendfile(dst_fd, src_fd, offset + done, size - done)
                    else:
                        n = copy(src_fd, dst_fd, size - done, offset + done)  # type: ignore[misc]
                    if n <= 0:
                        break
                    done += n
                if done == size:
                    return
            except OSError:
                pass
    src.seek(offset + done)
    while done < size:
        piece = src.read(min(size - done, 16 << 20))
        if not piece:
            raise OSError(f"the spool file ended {size - done} bytes early")
        dst.write(piece)
        done += len(piece)


def write_twobit(
    source: Source,
    out_path: Union[str, "os.PathLike[str]"],
    *,
    mask: bool = True,
    version: Optional[int] = None,
    byte_order: str = "little",
    strip_version: bool = False,
    ignore_dups: bool = False,
    progress: Optional[bool] = None,
) -> TwoBitSummary:
    """Write a .2bit file, with the same bytes as kent's faToTwoBit.

    Args:
        source: a FASTA path (plain or gzip; ``stdin``/``-``), a binary file object, a
            list of those (concatenated, like faToTwoBit's several inputs), or an
            iterable of (name, sequence) pairs (sequence as str or bytes).
        out_path: the .2bit to write (``stdout``/``-`` for standard output).  It appears
            only when everything succeeded.
        mask: record lower-case runs as mask blocks (kent: without -noMask).
        version: None picks 0, or 1 when an offset would pass 2^32-1; 0 refuses files
            that need 64-bit offsets (UsageError); 1 always writes 64-bit offsets (-long).
        byte_order: "little" (default, what kent writes on x86) or "big".
        strip_version: cut names at the first '.' (-stripVersion).
        ignore_dups: keep the first of records with the same name (-ignoreDups); by
            default a repeated name is a FormatError naming both occurrences (their
            lines, or for (name, sequence) pairs their record numbers).
        progress: show progress on stderr (None: only on a terminal).

    Bases that are not A, C, G, T (or U, stored as T) become N as kent's faToTwoBit does;
    see :func:`packing_table` for the exact rules.  Records without bases are skipped
    with a warning (logged on ``trackpack.twobit``), as kent does.
    """
    if version not in (None, 0, 1):
        raise ArgumentError(f"version must be None, 0 or 1, not {version!r}")
    order = _order_prefix(byte_order)
    swap = (order == "<") != _HOST_LITTLE
    fasta = _fasta_sources(source)
    table = packing_table(mask, fasta is not None)
    total = text_size(fasta) if fasta is not None else None
    with Progress("faToTwoBit", total, "B" if fasta is not None else "bases", enabled=progress) as bar, _spool_for(
        out_path
    ) as spool:
        writer = _codec.TwoBitRecordWriter(table, spool.fileno(), swap, _codec.MAX_BASES)
        records = _Records(writer, out_path, strip_version=strip_version, ignore_dups=ignore_dups)
        if fasta is not None:
            for one in fasta:
                records.fasta(one, bar)
        else:
            records.pairs(source, bar)
        records.check()
        names, sizes, bases, ranges = records.layout()
        chosen, index = _index(names, sizes, version, order)
        with atomic_output(out_path) as out:
            out.write(index)
            for offset, size in ranges:
                _copy_range(spool, out, offset, size)
    return TwoBitSummary(len(names), bases, chosen, len(index) + sum(sizes))
