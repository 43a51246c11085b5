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

Writing (:func:`write_twobit`) packs one sequence at a time and spools the records to a
temporary file next to the output, because the index (which holds every record's offset)
precedes the data; memory stays at about a quarter of the largest sequence.
"""
from __future__ import annotations

import contextlib
import logging
import mmap
import os
import shutil
import stat
import struct
import sys
import tempfile
from array import array
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import _kernels
from .errors import ArgumentError, FormatError, OutOfRangeError, UsageError
from .fasta import FastaHeader, scan_fasta, sequence_pairs
from .files import STDIN_NAMES, STDOUT_NAMES, PathOrFile, RandomAccess, atomic_output, display_name
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
    - :meth:`n_blocks`, :meth:`mask_blocks` - runs of N and of soft-masked bases;
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
        """Runs of N in sequence ``name`` as (start, end) pairs, as stored in the file."""
        return self._blocks(name, False)

    def mask_blocks(self, name: str) -> List[Tuple[int, int]]:
        """Soft-masked (lower-case) runs of sequence ``name`` as (start, end) pairs."""
        return self._blocks(name, True)

    def _blocks(self, name: str, mask: bool) -> List[Tuple[int, int]]:
        import numpy as np  # here, not at import: the command-line tools start faster

        raw, count, _ = self._block_table(name, mask)
        record = self._record_of(name)
        dtype = "<u4" if self.byte_order == "little" else ">u4"
        table = np.frombuffer(raw, dtype=dtype)
        starts = table[:count].astype(np.int64)
        ends = starts + table[count:]
        bad = np.flatnonzero(ends > record.size)
        if bad.size:
            i = int(bad[0])
            what = "mask" if mask else "N"
            raise FormatError(
                f"{what} block {i} of sequence '{name}' ({int(starts[i])}-{int(ends[i])}) runs past "
                f"the sequence end ({record.size})",
                path=self.path,
                offset=record.offset,
            )
        return list(zip(starts.tolist(), ends.tolist()))

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
    """Packs the records of FASTA inputs or (name, sequence) pairs, one at a time.

    Two packers take turns, so that one record is written to the spool (by a helper
    thread: the write releases the GIL) while the next one is being packed.
    """

    def __init__(self, table: bytes, progress: Progress) -> None:
        self._packers = [_codec.TwoBitPacker(table), _codec.TwoBitPacker(table)]
        self._pending: List[Optional[Future]] = [None, None]
        self._turn = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="trackpack-2bit-writer")
        self.progress = progress
        self.packer = self._packers[0]

    def _next_packer(self):
        """The other packer, once its record is on disk."""
        self._turn ^= 1
        pending = self._pending[self._turn]
        if pending is not None:
            pending.result()  # re-raises a failed write
            self._pending[self._turn] = None
        self.packer = self._packers[self._turn]
        self.packer.reset()
        return self.packer

    def write(self, spool: IO[bytes], header: bytes) -> None:
        """Queue the current record (``header`` + packed bases) for the spool."""
        packed = self.packer.packed()

        def job() -> None:
            spool.write(header)
            spool.write(packed)

        self._pending[self._turn] = self._pool.submit(job)

    def flush(self) -> None:
        """Wait for every queued write (and raise the first error)."""
        for i, pending in enumerate(self._pending):
            if pending is not None:
                pending.result()
                self._pending[i] = None

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def from_fasta(self, sources: List) -> Iterator[Tuple[str, str, int, bool]]:
        """(name, path, line, from_fasta) per record; ``self.packer`` holds its bases."""
        for source in sources:
            path = display_name(source)
            current: Optional[FastaHeader] = None
            packer = self.packer
            for item in scan_fasta(source):
                if isinstance(item, FastaHeader):
                    if current is not None:
                        packer.finish()
                        yield current.name, path, current.line, True
                    packer = self._next_packer()
                    current = item
                else:
                    try:
                        packer.feed(item)
                    except OverflowError:
                        raise FormatError(
                            f"sequence '{current.name}' has more than {_codec.MAX_BASES:,} bases, "
                            "the most a .2bit record can hold",
                            path=path,
                            line=current.line,
                        ) from None
                    self.progress.update(len(item))
            if current is not None:
                packer.finish()
                yield current.name, path, current.line, True

    def from_pairs(self, pairs) -> Iterator[Tuple[str, str, int, bool]]:
        """(name, "", record number, False) per (name, sequence) pair; as :meth:`from_fasta`."""
        for number, name, data in sequence_pairs(pairs):
            packer = self._next_packer()
            try:
                packer.feed(data)
            except OverflowError:
                raise ArgumentError(
                    f"record {number} ({name}): more than {_codec.MAX_BASES:,} bases, "
                    "the most a .2bit record can hold"
                ) from None
            packer.finish()
            self.progress.update(packer.size)
            yield name, "", number, False


def _check_name(name: str, path: str, line: int, from_fasta: bool) -> bytes:
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) > MAX_NAME_BYTES:
        what = f"sequence name '{name}' is {len(raw)} bytes long; .2bit names are limited to {MAX_NAME_BYTES}"
        if from_fasta:
            raise FormatError(what, path=path, line=line)
        raise ArgumentError(f"record {line}: {what}")
    return raw


def _choose_version(names: List[bytes], sizes: List[int], version: Optional[int]) -> Tuple[int, List[int]]:
    """Version and record offsets: version 0 unless an offset would pass 2^32-1."""
    for candidate in (0, 1):
        if version is not None and candidate != version:
            continue
        offset_size = 8 if candidate == 1 else 4
        pos = _HEADER.size + sum(1 + len(n) + offset_size for n in names)
        offsets = []
        for size in sizes:
            offsets.append(pos)
            pos += size
        if candidate == 1 or not offsets or offsets[-1] <= _U32_MAX:
            return candidate, offsets
        if version == 0:
            raise UsageError(
                f"the sequences need {pos:,} bytes, more than version-0 .2bit offsets can address "
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


def _copy_file(src: IO[bytes], dst: IO[bytes], size: int) -> None:
    """Append ``size`` bytes of ``src`` (from its start) to ``dst``, in the kernel if possible."""
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
                        n = os.sendfile(dst_fd, src_fd, done, size - done)
                    else:
                        n = copy(src_fd, dst_fd, size - done, done)  # type: ignore[misc]
                    if n <= 0:
                        break
                    done += n
                if done == size:
                    return
            except OSError:
                pass
    src.seek(done)
    shutil.copyfileobj(src, dst, 16 << 20)


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
            default a repeated name is a FormatError naming both lines.
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
    total = None
    if fasta is not None:
        try:
            total = sum(os.path.getsize(s) for s in fasta if _is_path(s) and os.fspath(s) not in STDIN_NAMES)
        except OSError:
            total = None
    with Progress("faToTwoBit", total, "B" if fasta is not None else "bases", enabled=progress) as bar, _spool_for(
        out_path
    ) as spool:
        records = _Records(table, bar)
        try:
            chosen, index, data_size, count, bases = _pack_all(
                records, fasta, source, spool, swap, order, version, strip_version, ignore_dups
            )
        finally:
            records.close()
        with atomic_output(out_path) as out:
            out.write(index)
            _copy_file(spool, out, data_size)
    return TwoBitSummary(count, bases, chosen, len(index) + data_size)


def _pack_all(
    records: _Records, fasta, source, spool: IO[bytes], swap: bool, order: str, version: Optional[int],
    strip_version: bool, ignore_dups: bool,
) -> Tuple[int, bytes, int, int, int]:
    """Pack every record into ``spool``, with kent's rules for empty and repeated records.

    Returns (version, header + index bytes, data bytes, sequences, bases).
    """
    names: List[bytes] = []
    sizes: List[int] = []
    seen = {}
    bases = 0
    stream = records.from_fasta(fasta) if fasta is not None else records.from_pairs(source)
    with contextlib.closing(stream):  # on errors, stops the FASTA reader thread now
        for name, path, line, from_fasta in stream:
            packer = records.packer
            if packer.size == 0:
                if from_fasta:
                    log.warning("Invalid fasta format: sequence size == 0 for element %s", name)
                log.warning("Skipping item %s which has no sequence.\n", name)
                continue
            if strip_version:
                name = name.split(".", 1)[0]
            first = seen.get(name)
            if first is not None:
                if ignore_dups:
                    continue
                where = f"{first[0]}:{first[1]}" if first[0] else f"record {first[1]}"
                if from_fasta:
                    raise FormatError(f"duplicate sequence name '{name}' (first seen at {where})", path=path, line=line)
                raise ArgumentError(f"record {line}: duplicate sequence name '{name}' (first seen at {where})")
            seen[name] = (path, line)
            raw_name = _check_name(name, path, line, from_fasta)
            header = packer.record_header(swap)
            records.write(spool, header)
            names.append(raw_name)
            sizes.append(len(header) + (packer.size + 3) // 4)
            bases += packer.size
    records.flush()
    chosen, offsets = _choose_version(names, sizes, version)
    offset_format = order + ("Q" if chosen == 1 else "I")
    index = bytearray(struct.pack(order + _HEADER.format, TWOBIT_SIGNATURE, chosen, len(names), 0))
    for raw_name, offset in zip(names, offsets):
        index.append(len(raw_name))
        index += raw_name
        index += struct.pack(offset_format, offset)
    return chosen, bytes(index), sum(sizes), len(names), bases
