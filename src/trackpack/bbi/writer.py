"""BED -> bigBed: :func:`write_bigbed`, kent's bedToBigBed as a library call.

The file is laid out as kent's bedToBigBed lays it out (kent src/utils/bedToBigBed,
src/lib/bbiWrite.c; formats.md), in this order: header, 10 zoom-header slots, autoSql,
total summary, header extension, extra-index list, chromosome B+ tree, data (item count,
blocks), R-tree of the data, zoom levels (count, blocks, R-tree each), extra-index
B+ trees, and the magic again.  For the same input and options the header fields and, in
practice, every byte equal current kent's (tests/test_bigbed_writer.py compares with files
kent wrote).  Chromosome ids number the chromosomes in input order, which for sorted input
is byte-wise name order; input whose chromosomes come in another order (each one's items
together, as current kent accepts) keeps the data and the R-tree in (id, start) order.

How it runs (one pass over the input, memory bounded whatever the input size):

1. The tokenizer (cext/bedtok.pyx, GIL released) validates each line, packs it into the
   current data block and sweeps coverage depth.  Full blocks are zlib-compressed on a
   thread pool while tokenizing goes on, and spooled to a temporary file in order: the
   chromosome tree must precede the data but is known only at the end.
2. Coverage segments go to a spool (extsort.ChunkSpool); extra-index keys to compact
   collectors (bbi/extra_index.py) sorted in runs, spilled beyond a memory budget and
   merged at the end.  With ``sort=True`` the input is first sorted by an external
   merge sort.
3. At the end the final file is assembled: the spooled data is copied behind the
   chromosome tree, then the R-tree, zoom levels (bbi/zoom.py), extra indexes; the
   header is filled in last.  The output is created (as a temporary file) before the
   pass, so an output that cannot be written fails at once, and it is renamed into
   place only on success.

Progress (on a terminal) is one line naming the phase under way (reading, copying the
data blocks, each zoom level, each index) and counting that phase's work.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import io
import itertools
import os
import tempfile
import zlib
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .. import bed as bedlib
from .._kernels import load as load_kernel
from ..errors import ArgumentError, FormatError, UsageError
from ..extsort import ChunkSpool, ExternalSorter
from ..files import STDIN_NAMES, STDOUT_NAMES, atomic_output, display_name, open_input
from ..progress import Phases
from .bptree import write_bptree
from .extra_index import KeyIndex, value_table, write_index_tree
from .layout import (
    BBI_VERSION,
    BIGBED_MAGIC,
    CHROM_VALUE,
    DATA_COUNT,
    HEADER,
    MAGIC,
    MAX_ZOOM_LEVELS,
    TOTAL_SUMMARY,
    ZOOM_HEADER,
    BbiHeader,
    Extension,
    ExtraIndexEntry,
    ZoomHeader,
)
from .rtree import write_rtree
from .zoom import RECORD_SIZE, empty_total, write_zoom_levels

__all__ = [
    "write_bigbed",
    "BigBedSummary",
    "BlockSink",
    "DEFAULT_BLOCK_SIZE",
    "DEFAULT_ITEMS_PER_SLOT",
]

#: R-tree and B+ tree fan-out (kent's -blockSize default)
DEFAULT_BLOCK_SIZE = 256
#: items per data block (kent's -itemsPerSlot default)
DEFAULT_ITEMS_PER_SLOT = 512
#: bytes of input handed to the tokenizer at a time
READ_SIZE = 1 << 20
#: coverage segments are moved from the tokenizer to the spool beyond this many bytes
SEGMENT_FLUSH = 1 << 20
#: memory budget of -sort's external sort
SORT_MEMORY = 64 << 20
#: memory budget of all extra indexes' keys together (beyond it they are sorted externally)
INDEX_MEMORY = 64 << 20
#: lines per chunk fed back to the tokenizer from the sorter
SORTED_LINES_PER_CHUNK = 20000
_EXTENSION_SIZE = 64

# tokenizer statuses (cext/bedtok.pyx)
_S_NEED_MORE, _S_BLOCK, _S_NEW_CHROM, _S_ERROR = 0, 1, 2, 3

Source = Union[str, "os.PathLike[str]", BinaryIO, Iterable[Any]]


@dataclass(frozen=True)
class BigBedSummary:
    """What :func:`write_bigbed` wrote."""

    path: str
    items: int
    chromosomes: int
    zoom_levels: int
    bytes: int
    field_count: int
    defined_field_count: int
    compressed: bool
    extra_indexes: Tuple[str, ...] = ()


class BlockSink:
    """Writes blocks to ``out`` in submission order, zlib-compressing them on a thread pool.

    :meth:`drain` waits for everything and returns ``(offset, size)`` per block (or per
    piece, for blocks submitted with ``pieces``), offsets being positions in ``out``.
    """

    def __init__(self, out: BinaryIO, pool: Optional[concurrent.futures.Executor], compress: bool,
                 max_pending: int = 16) -> None:
        self.out = out
        self.pool = pool
        self.compress = compress
        self.max_pending = max_pending
        self._pending: collections.deque = collections.deque()
        self.positions: List[Tuple[int, int]] = []
        self.max_raw = 0

    def submit(self, data: bytes, *, pieces: int = 1, piece_size: int = 0) -> None:
        if len(data) > self.max_raw:
            self.max_raw = len(data)
        if not self.compress:
            self._write(data, pieces, piece_size)
            return
        if self.pool is None:
            self._write(zlib.compress(data), pieces, piece_size)
            return
        self._pending.append((self.pool.submit(zlib.compress, data), pieces, piece_size))
        while self._pending and (len(self._pending) > self.max_pending or self._pending[0][0].done()):
            fut, n, size = self._pending.popleft()
            self._write(fut.result(), n, size)

    def _write(self, data: bytes, pieces: int, piece_size: int) -> None:
        at = self.out.tell()
        self.out.write(data)
        if pieces == 1:
            self.positions.append((at, len(data)))
        else:
            self.positions.extend((at + i * piece_size, piece_size) for i in range(pieces))

    @property
    def pending(self) -> int:
        """Blocks submitted and not yet written."""
        return len(self._pending)

    def drain(self, progress: Optional[Callable[[int], None]] = None) -> List[Tuple[int, int]]:
        while self._pending:
            fut, n, size = self._pending.popleft()
            self._write(fut.result(), n, size)
            if progress is not None:
                progress(1)
        return self.positions


# --- inputs ------------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """A raw file that counts the bytes read from it (for progress over gzip input too)."""

    def __init__(self, raw: "io.FileIO", name: str) -> None:
        super().__init__()
        self._raw = raw
        self.name = name
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer) -> Optional[int]:  # type: ignore[override]
        n = self._raw.readinto(buffer)
        if n:
            self.consumed += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Input:
    """BED text in chunks from a path/stream or from Python records, with a peek at line 1."""

    def __init__(self, source: Source, tab: Optional[bool]) -> None:
        self._stream: Optional[BinaryIO] = None
        self._counter: Optional[_CountingReader] = None
        self._checked = False
        self._records: Optional[Iterator[Any]] = None
        self.total_bytes: Optional[int] = None
        self.first_fields: Optional[int] = None
        if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
            self.name = display_name(source)
            if isinstance(source, (str, os.PathLike)) and os.fspath(source) not in STDIN_NAMES:
                path = os.fspath(source)
                if os.path.isdir(path):
                    raise ArgumentError(f"{path} is a directory, not a BED file")
                if os.path.isfile(path):
                    # progress counts the file's bytes as read, compressed or not
                    self._counter = _CountingReader(open(path, "rb", buffering=0), path)
                    self.total_bytes = os.fstat(self._counter.fileno()).st_size
            try:
                self._stream = open_input(self._counter if self._counter is not None else source)  # type: ignore[arg-type]
            except BaseException:
                self.close()
                raise
            self.tab = bool(tab)
            self._head = b""
        elif isinstance(source, (bytes, bytearray, memoryview)):
            raise ArgumentError("source is bytes: pass BED text as a file object (io.BytesIO(data)) or a path")
        else:
            self.name = "<records>"
            self.tab = True  # fields are given one by one: only tabs separate them
            if type(source).__name__ == "DataFrame" and hasattr(source, "itertuples"):
                self.first_fields = len(source.columns)  # type: ignore[union-attr]
                self._records = iter(source.itertuples(index=False, name=None))  # type: ignore[union-attr]
            else:
                try:
                    self._records = iter(source)  # type: ignore[arg-type]
                except TypeError:
                    raise ArgumentError(
                        "source must be a BED path, a binary file object, an iterable of tuples or a DataFrame, "
                        f"not {type(source).__name__}"
                    ) from None
            self._first_record: Any = None
            self._has_first = False

    def first_line_fields(self) -> Optional[Tuple[int, int]]:
        """(columns, line number) of the first data line; None for empty input.

        Blank and ``#`` lines are skipped as the tokenizer skips them; a track or browser
        line first is refused here, where the type is guessed.
        """
        if self._records is not None:
            if self.first_fields is not None:
                return self.first_fields, 1
            if not self._has_first:
                for rec in self._records:
                    self._first_record = rec
                    self._has_first = True
                    break
                else:
                    return None
            return bedlib.record_field_count(self._first_record), 1
        stream = self._stream
        if stream is None:
            return None
        checked = 0  # bytes of _head already looked at (whole lines)
        line_no = 0
        while True:
            more = stream.read(READ_SIZE)
            self._check_text(more)
            self._head += more
            end = len(self._head) if not more else self._head.rfind(b"\n") + 1
            lines = self._head[checked:end].split(b"\n")
            if self._head[checked:end].endswith(b"\n"):
                lines.pop()  # the piece after the last newline is not a line
            for line in lines:
                line_no += 1
                text = line.rstrip(b"\r")
                if not text.strip() or text.lstrip().startswith(b"#"):
                    continue
                if bedlib.is_track_line(text):
                    raise FormatError(bedlib.describe_track_line(), path=self.name, line=line_no)
                return bedlib.sniff_field_count(text, self.tab), line_no
            checked = max(checked, end)
            if not more:
                return None

    def chunks(self, field_count: int) -> Iterator[bytes]:
        """The input as BED text, in chunks (line boundaries anywhere)."""
        if self._records is not None:
            records: Iterable[Any] = self._records
            if self._has_first:
                records = itertools.chain([self._first_record], self._records)
            yield from bedlib.render_records(records, field_count)
            return
        if self._stream is None:
            return
        if self._head:
            head, self._head = self._head, b""
            yield head
        while True:
            data = self._stream.read(READ_SIZE)
            if not data:
                return
            self._check_text(data)
            yield data

    def _check_text(self, data: bytes) -> None:
        """Refuse a binary file given as BED (e.g. a bigBed or a .2bit), looking at its start."""
        if self._checked or not data:
            return
        self._checked = True
        kind = bedlib.binary_kind(data)
        if kind == "binary":
            raise FormatError("holds binary data, not BED text", path=self.name)
        if kind is not None:
            raise FormatError(f"looks like a {kind} file, not BED text", path=self.name)

    @property
    def bytes_read(self) -> Optional[int]:
        """Bytes of the input file read so far (None for streams and records)."""
        return self._counter.consumed if self._counter is not None else None

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._counter is not None:
            self._counter.close()
            self._counter = None


def _read_autosql(autosql: Union[str, "os.PathLike[str]", None]) -> Tuple[Optional[str], Optional[str]]:
    """(text, path) of an autoSql given as text or as a file."""
    if autosql is None:
        return None, None
    # a string is a path unless it is autoSql text (a table's columns are in parentheses)
    if isinstance(autosql, os.PathLike) or (
        isinstance(autosql, str) and ("(" not in autosql or os.path.isfile(autosql))
    ):
        path = os.fspath(autosql)
        with open_input(path) as f:
            # surrogateescape: the file's bytes go into the bigBed unchanged, as kent copies them
            return f.read().decode("utf-8", errors="surrogateescape"), path
    if isinstance(autosql, str):
        return autosql, None
    raise ArgumentError(f"autosql must be autoSql text or a path, not {type(autosql).__name__}")


def _cpus() -> int:
    """CPUs this process may run on (zlib releases the GIL: one compressor per CPU)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _as_bytes(name: Union[str, bytes]) -> bytes:
    return name.encode() if isinstance(name, str) else bytes(name)


def _chrom_sizes(chrom_sizes, sizes_is_2bit: bool) -> Dict[bytes, int]:
    if sizes_is_2bit:
        if not isinstance(chrom_sizes, (str, os.PathLike)):
            raise ArgumentError("with sizes_is_2bit, chrom_sizes must be the path of a .2bit file")
        try:
            from ..twobit import TwoBitFile
        except ImportError as err:
            raise UsageError(f"reading sizes from a .2bit needs trackpack.twobit ({err})") from None
        bedlib.refuse_text_sizes(chrom_sizes, ".2bit", "-sizesIs2Bit (sizes_is_2bit)")
        with TwoBitFile(chrom_sizes) as tb:
            return bedlib.read_chrom_sizes(dict(tb.sizes))
    return bedlib.read_chrom_sizes(chrom_sizes)


# --- the main pass -------------------------------------------------------------------------------


class _Chrom:
    __slots__ = ("name", "id", "size", "first_line")

    def __init__(self, name: bytes, cid: int, size: int, first_line: int) -> None:
        self.name = name
        self.id = cid
        self.size = size
        self.first_line = first_line


class _Pass:
    """State of the one pass over the input: tokenizer, blocks, chromosomes, spools."""

    def __init__(self, *, schema: bedlib.BedSchema, sizes: Dict[bytes, int], name: str, tab: bool,
                 items_per_slot: int, order: str, fix_scores: bool, allow_overlap: bool,
                 index_cols: List[int], sink: BlockSink, segments: ChunkSpool,
                 key_indexes: List[KeyIndex], sizes_name: str,
                 aliases: Optional[Dict[bytes, bytes]] = None) -> None:
        kernels = load_kernel("bedtok")
        self.scanner = kernels.BedScanner(
            schema.field_count,
            schema.bed_n,
            tab=tab,
            items_per_slot=items_per_slot,
            big_endian=order == ">",
            index_cols=index_cols,
            fix_scores=fix_scores,
            allow_overlap=allow_overlap,
            **schema.column_rules(),
        )
        self.schema = schema
        self.sizes = sizes
        self.sizes_name = sizes_name
        self.name = name
        self.sink = sink
        self.segments = segments
        self.key_indexes = key_indexes
        self.chroms: List[_Chrom] = []
        self.by_name: Dict[bytes, _Chrom] = {}
        self.aliases = aliases or {}
        self.by_sequence: Dict[bytes, _Chrom] = {}
        self.bounds: List[Tuple[int, int, int, int]] = []

    def feed(self, buf: bytes, at_eof: bool, line_map: Optional[Sequence[int]] = None) -> int:
        """Tokenize ``buf`` from its start; return how many bytes were used (whole lines)."""
        scanner = self.scanner
        scanner.pos = 0
        if line_map is not None:
            scanner.line_no = 1
        while True:
            status = scanner.scan(buf, at_eof)
            if status == _S_NEED_MORE:
                break
            if status == _S_BLOCK:
                self._take_block()
            elif status == _S_NEW_CHROM:
                self._new_chrom(bytes(buf[scanner.pending_start : scanner.pending_end]), line_map)
            else:
                self._raise(buf, line_map)
        if scanner.segment_bytes >= SEGMENT_FLUSH:
            self.segments.append(scanner.take_segments())
        return scanner.pos

    def finish(self) -> None:
        if self.scanner.finish():
            self._take_block()
        self.segments.append(self.scanner.take_segments())

    def _line(self, line_map: Optional[Sequence[int]]) -> int:
        n = self.scanner.line_no
        return line_map[n] if line_map is not None else n

    def _take_block(self) -> None:
        sc = self.scanner
        block_no = len(self.bounds)
        self.bounds.append((sc.done_chrom, sc.done_start, sc.done_chrom, sc.done_end))
        self.sink.submit(sc.take_block())
        for i, index in enumerate(self.key_indexes):
            index.add_block(block_no, *sc.take_keys(i))

    def _new_chrom(self, name: bytes, line_map: Optional[Sequence[int]]) -> None:
        line = self._line(line_map)
        shown = bedlib.printable(name)
        seen = self.by_name.get(name)
        if seen is not None:
            raise FormatError(
                f"the items of {shown} are not all together: {shown} started at line {seen.first_line} "
                "and other sequences came in between; sort with 'LC_ALL=C sort -k1,1 -k2,2n' or use -sort",
                path=self.name,
                line=line,
            )
        size = self.sizes.get(name)
        if size is None:
            raise FormatError(f"{shown} is not in the chromosome sizes ({self.sizes_name})", path=self.name, line=line)
        chrom = _Chrom(name, len(self.chroms), size, line)
        sequence = self.aliases.get(name, name)
        other = self.by_sequence.get(sequence)
        if other is not None:
            raise FormatError(
                f"{shown} is another alias of {bedlib.printable(sequence)}, which was already named "
                f"{bedlib.printable(other.name)} on line {other.first_line}; use one name per sequence",
                path=self.name,
                line=line,
            )
        self.by_sequence[sequence] = chrom
        self.chroms.append(chrom)
        self.by_name[name] = chrom
        self.scanner.set_chrom(name, chrom.id, size)

    def _raise(self, buf: bytes, line_map: Optional[Sequence[int]]) -> None:
        sc = self.scanner
        chrom = self.chroms[-1] if self.chroms else None
        what = bedlib.describe_error(
            sc.err_code,
            sc.err_col,
            sc.err_a,
            sc.err_b,
            sc.err_c,
            bytes(buf[sc.err_start : sc.err_end]),
            self.schema,
            chrom=chrom.name if chrom else b"",
        )
        raise FormatError(what, path=self.name, line=self._line(line_map))


def _sorted_feed(
    chunks: Iterator[bytes], *, tab: bool, name: str, schema: bedlib.BedSchema, tmp_dir: Optional[str],
    memory: int, phases: "Phases", total: Optional[int], bytes_read: Callable[[], Optional[int]],
) -> Iterator[Tuple[bytes, List[int]]]:
    """-sort: the input's lines by (chrom byte-wise, start, input order), with line numbers."""
    progress = phases.start("reading and sorting", total, "B")
    kernels = load_kernel("bedtok")
    with ExternalSorter(memory_limit=memory, tmp_dir=tmp_dir) as sorter:
        leftover = b""
        line_no = 1
        for chunk, at_eof in _with_eof(chunks):
            buf = leftover + chunk if leftover else chunk
            records, pos, line_no, err = kernels.sort_records(buf, 0, tab, at_eof, line_no)
            sorter.extend(records)
            if err is not None:
                code, col, a, err_line, s, e = err
                what = bedlib.describe_error(code, col, a, 0, 0, bytes(buf[s:e]), schema)
                raise FormatError(what, path=name, line=err_line)
            leftover = buf[pos:]
            done = bytes_read()
            if done is None:
                progress.update(len(chunk))
            else:
                progress.set(done)
        progress = phases.start("writing sorted items", sorter.count, "lines")
        records = sorter.sorted()
        while True:
            batch = list(itertools.islice(records, SORTED_LINES_PER_CHUNK))
            if not batch:
                return
            progress.update(len(batch))
            yield kernels.unkey_lines(batch)


def _with_eof(chunks: Iterator[bytes]) -> Iterator[Tuple[bytes, bool]]:
    """(chunk, is_last) pairs; an empty last chunk marks the end when needed."""
    previous: Optional[bytes] = None
    for chunk in chunks:
        if previous is not None:
            yield previous, False
        previous = chunk
    yield (previous if previous is not None else b""), True


# --- assembling the file -------------------------------------------------------------------------


def _write_header(out: BinaryIO, order: str, header: BbiHeader, zooms: List[ZoomHeader]) -> None:
    out.seek(0)
    out.write(header.pack(order))
    for i in range(MAX_ZOOM_LEVELS):
        z = zooms[i] if i < len(zooms) else ZoomHeader(0, 0, 0, 0)
        out.write(z.pack(order))


def write_bigbed(
    source: Source,
    chrom_sizes: Union[str, "os.PathLike[str]", Mapping[str, int]],
    out_path: Union[str, "os.PathLike[str]"],
    *,
    bed_type: Optional[str] = None,
    autosql: Union[str, "os.PathLike[str]", None] = None,
    extra_index: Union[str, Sequence[str]] = (),
    block_size: int = DEFAULT_BLOCK_SIZE,
    items_per_slot: int = DEFAULT_ITEMS_PER_SLOT,
    compress: bool = True,
    tab: Optional[bool] = None,
    sort: bool = False,
    byte_order: str = "little",
    sizes_is_2bit: bool = False,
    chrom_aliases: Optional[Mapping[str, str]] = None,
    fix_scores: bool = False,
    allow_1bp_overlap: bool = False,
    threads: Optional[int] = None,
    tmp_dir: Optional[str] = None,
    sort_memory: int = SORT_MEMORY,
    progress: Optional[bool] = None,
) -> BigBedSummary:
    """Write a bigBed from BED input, as kent's ``bedToBigBed`` does.

    Args:
        source: a BED file path (plain or gzip; ``"stdin"``/``"-"`` for standard input),
            a binary file object, an iterable of records, or a pandas DataFrame (one row
            per item, columns in BED order).  A record is a tuple/list of all columns
            ``(chrom, start, end, name, score, ...)`` (lists such as blockSizes may be
            Python sequences), or ``(chrom, start, end, rest)`` with the remaining columns
            tab-joined in ``rest``.  Records must be sorted by (chrom, start) unless
            ``sort``; each chromosome's items must be together.
        chrom_sizes: chrom.sizes path (name and size per line), a mapping name -> size, or
            with ``sizes_is_2bit`` a .2bit file.
        out_path: the bigBed to write (atomically: nothing appears on failure).
        bed_type: ``"bedN"``, ``"bedN+"`` or ``"bedN+P"`` (kent's -type).  None: guessed
            from the first line's column count, as kent does without -type.
        autosql: the autoSql schema (text, or a path to an .as file); None: the standard
            BED schema for bed_type (extra columns as ``lstring fieldN``).
        extra_index: names of ``string`` columns to index for name search (kent's
            -extraIndex), e.g. ``("name", "geneName")`` or ``"name,geneName"``.
        block_size: R-tree / B+ tree fan-out.  items_per_slot: items per data block.
        compress: zlib-compress data and zoom blocks (kent's default; False = -unc).
        tab: fields are separated by tabs only, so they may hold spaces (-tab).  Default
            False for text input; Python records are always tab-joined.
        sort: sort the input first (bounded memory: an external merge sort in temporary
            files) instead of refusing unsorted input.
        byte_order: ``"little"`` (default) or ``"big"``.
        sizes_is_2bit: ``chrom_sizes`` is a .2bit file (kent's -sizesIs2Bit).
        chrom_aliases: alias -> sequence name, for chrom_sizes that list aliases too (kent's
            -sizesIsChromAliasBb): items may name a sequence by any alias, but by one only.
        fix_scores: clamp scores to 0-1000 (non-integers become 0) instead of refusing them.
        allow_1bp_overlap: let blocks (exons) overlap by one base.
        threads: compression threads (default: the CPUs available).
        tmp_dir: where temporary files go (default: the output's directory).
        sort_memory: memory budget of ``sort`` in bytes.
        progress: show progress on stderr (None: only on a terminal).

    Returns:
        A :class:`BigBedSummary` (items, chromosomes, zoom levels, bytes, ...).

    Raises:
        FormatError: invalid input (file and line named), an invalid autoSql, or a binary
            file given as BED text or as chrom.sizes (saying what it looks like).
        UsageError: contradictory or unsupported options.
        OSError: the output cannot be created (no such directory, no permission, a
            directory): raised naming ``out_path``, before the input is read.
    """
    if byte_order not in ("little", "big"):
        raise UsageError(f"byte_order must be 'little' or 'big', not {byte_order!r}")
    order = "<" if byte_order == "little" else ">"
    if not isinstance(block_size, int) or block_size < 2:
        raise UsageError(f"block size must be an integer of at least 2, not {block_size!r}")
    if not isinstance(items_per_slot, int) or items_per_slot < 1:
        raise UsageError(f"items per slot must be a positive integer, not {items_per_slot!r}")
    if block_size > 0xFFFF:
        raise UsageError(f"block size must be at most 65535 (a tree node counts its items in 16 bits), not {block_size}")
    if items_per_slot > 1 << 24:
        raise UsageError(f"items per slot {items_per_slot} is unreasonably large")
    out_name = os.fspath(out_path)
    if not out_name:
        raise UsageError("the output path is empty")
    if out_name in STDOUT_NAMES:
        raise UsageError("a bigBed cannot be written to standard output (it is written out of order)")
    index_names = [n for n in (extra_index.split(",") if isinstance(extra_index, str) else extra_index) if n]
    if tmp_dir is None:
        # temporary files next to the output (same file system, space checked once),
        # unless the output is a device such as /dev/null or the directory is not writable
        # (the output itself then fails, when it is created, with an error naming it)
        out_dir = os.path.dirname(os.path.realpath(out_name))
        special = os.path.exists(out_name) and not os.path.isfile(out_name)
        tmp_dir = out_dir if not special and os.path.isdir(out_dir) and os.access(out_dir, os.W_OK) else None
    as_text, as_path = _read_autosql(autosql)
    sizes = _chrom_sizes(chrom_sizes, sizes_is_2bit)
    aliases = {_as_bytes(k): _as_bytes(v) for k, v in (chrom_aliases or {}).items()}
    sizes_name = display_name(chrom_sizes) if isinstance(chrom_sizes, (str, os.PathLike)) else "the given mapping"

    inp = _Input(source, tab)
    try:
        sniffed_fields = sniffed_line = None
        if bed_type is None:
            first = inp.first_line_fields()
            if first is None:
                raise FormatError("the input is empty: give the BED type to write an empty bigBed", path=inp.name)
            sniffed_fields, sniffed_line = first
        schema = bedlib.resolve_schema(
            bed_type, as_text, sniffed_fields=sniffed_fields, autosql_path=as_path, input_path=inp.name,
            sniffed_line=sniffed_line,
        )
        index_cols = schema.index_columns(index_names)
        workers = threads if threads is not None else _cpus()
        # the output is created first: a path that cannot be written fails before the work
        with atomic_output(out_name) as out, Phases("bedToBigBed", enabled=progress) as phases, \
                _Resources(tmp_dir, compress, workers, len(index_cols)) as res:
            state = _Pass(
                schema=schema, sizes=sizes, name=inp.name, tab=inp.tab, items_per_slot=items_per_slot,
                order=order, fix_scores=fix_scores, allow_overlap=allow_1bp_overlap, index_cols=index_cols,
                sink=res.data_sink, segments=res.segments, key_indexes=res.key_indexes, sizes_name=sizes_name,
                aliases=aliases,
            )
            if sort:
                batches = _sorted_feed(
                    inp.chunks(schema.field_count), tab=inp.tab, name=inp.name, schema=schema,
                    tmp_dir=tmp_dir, memory=sort_memory, phases=phases, total=inp.total_bytes,
                    bytes_read=lambda: inp.bytes_read,
                )
                with contextlib.closing(batches):  # its sorter's files go as soon as we stop
                    for buf, numbers in batches:
                        state.feed(buf, True, numbers)
            else:
                prog = phases.start("reading", inp.total_bytes, "B")
                leftover = b""
                for chunk, at_eof in _with_eof(inp.chunks(schema.field_count)):
                    buf = leftover + chunk if leftover else chunk
                    used = state.feed(buf, at_eof)
                    leftover = buf[used:]
                    done = inp.bytes_read
                    if done is None:
                        prog.update(len(chunk))
                    else:
                        prog.set(done)
            state.finish()
            counter = None
            if res.data_sink.pending:
                counter = phases.start("compressing the last blocks", res.data_sink.pending, "blocks").update
            positions = res.data_sink.drain(counter)
            total_size, zoom_levels = _assemble(
                out, state=state, schema=schema, positions=positions, res=res, order=order,
                block_size=block_size, items_per_slot=items_per_slot, compress=compress,
                index_cols=index_cols, index_names=index_names,
                tmp_dir=tmp_dir, phases=phases,
            )
    finally:
        inp.close()
    return BigBedSummary(
        path=out_name,
        items=int(state.scanner.item_count),
        chromosomes=len(state.chroms),
        zoom_levels=zoom_levels,
        bytes=total_size,
        field_count=schema.field_count,
        defined_field_count=schema.bed_n,
        compressed=compress,
        extra_indexes=tuple(index_names),
    )


class _Resources:
    """Thread pool, data spool, segment spool and key sorters of one run (closed together)."""

    def __init__(self, tmp_dir: Optional[str], compress: bool, workers: int, n_index: int) -> None:
        self.tmp_dir = tmp_dir
        self.compress = compress
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) if compress and workers > 0 else None
        self.data_file: IO[bytes] = tempfile.TemporaryFile(prefix="trackpack-data-", dir=tmp_dir)
        self.data_sink = BlockSink(self.data_file, self.pool, compress, max_pending=4 * max(1, workers) + 4)
        # coverage segments are written once and read twice; zstd shrinks them only ~2.4x
        # for ~1 s of CPU per 4M items, on CPUs already busy with zlib: they go raw
        # (about 32 bytes of temporary disk per item)
        self.segments = ChunkSpool(tmp_dir=tmp_dir, compress=False)
        per_index = INDEX_MEMORY // max(1, n_index)
        self.key_indexes = [KeyIndex(memory_limit=per_index, tmp_dir=tmp_dir) for _ in range(n_index)]

    def new_sink(self, out: BinaryIO) -> Callable[[], BlockSink]:
        return lambda: BlockSink(out, self.pool, self.compress, max_pending=16)

    def __enter__(self) -> "_Resources":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.data_file.close()
        self.segments.close()
        for index in self.key_indexes:
            index.close()


def _assemble(out: BinaryIO, *, state: _Pass, schema: bedlib.BedSchema, positions: List[Tuple[int, int]],
              res: _Resources, order: str, block_size: int, items_per_slot: int, compress: bool,
              index_cols: List[int], index_names: Sequence[str], tmp_dir: Optional[str],
              phases: Phases) -> Tuple[int, int]:
    """Write the whole file into ``out`` (fresh, seekable); return its size and zoom level count."""
    scanner = state.scanner
    item_count = int(scanner.item_count)
    out.write(b"\0" * (HEADER.size + MAX_ZOOM_LEVELS * ZOOM_HEADER.size))
    as_offset = out.tell()
    out.write(schema.autosql.encode("utf-8", errors="surrogateescape") + b"\0")
    total_offset = out.tell()
    out.write(b"\0" * TOTAL_SUMMARY.size)
    ext_offset = out.tell()
    out.write(b"\0" * _EXTENSION_SIZE)
    index_list_offset = 0
    if index_cols:
        index_list_offset = out.tell()
        out.write(b"\0" * sum(ExtraIndexEntry(0, 1, 0, (0,)).size for _ in index_cols))

    # chromosome B+ tree: names in byte order; ids in order of appearance (sorted input: the same)
    chrom_tree_offset = out.tell()
    chroms = sorted(state.chroms, key=lambda c: c.name)
    key_size = max((len(c.name) for c in chroms), default=0)
    items = [(c.name, CHROM_VALUE.pack(order, c.id, c.size)) for c in chroms]
    write_bptree(out, items, min(block_size, len(items)), key_size, CHROM_VALUE.size, order)

    # data: count, then the spooled blocks
    data_offset = out.tell()
    out.write(DATA_COUNT.pack(order, item_count))
    blocks_at = out.tell()
    res.data_file.flush()
    data_bytes = res.data_file.seek(0, os.SEEK_END)
    res.data_file.seek(0)
    prog = phases.start("copying the data blocks", data_bytes, "B")
    while True:
        piece = res.data_file.read(4 << 20)
        if not piece:
            break
        out.write(piece)
        prog.update(len(piece))
    index_offset = out.tell()
    prog = phases.start("writing the R-tree", len(positions), "blocks")
    leaves = [bounds + (blocks_at + off, size) for bounds, (off, size) in zip(state.bounds, positions)]
    write_rtree(out, leaves, block_size, 1, index_offset, order)
    prog.update(len(positions))

    # zoom levels and the total summary
    if item_count:
        sizes = np.array([c.size for c in state.chroms], dtype=np.uint32)
        zoom = write_zoom_levels(
            out, res.segments, sizes,
            ave_size=float(scanner.total_bases) / item_count,
            data_size=index_offset - data_offset,
            block_size=block_size, items_per_slot=items_per_slot, compress=compress, order=order,
            new_sink=res.new_sink(out), tmp_dir=tmp_dir, phase=phases.start,
        )
        zooms, total = zoom.headers, zoom.total
    else:
        zooms, total = [], empty_total()

    # extra indexes: one B+ tree per field, key -> (offset, size) of the block holding the item
    entries: List[ExtraIndexEntry] = []
    values = value_table(positions, blocks_at, order)
    for i, col in enumerate(index_cols):
        tree_offset = out.tell()
        index = res.key_indexes[i]
        prog = phases.start(f"sorting the {index_names[i]} index", index.count, "keys")
        keys = index.sorted_keys()
        prog.update(index.count)
        try:
            prog = phases.start(f"writing the {index_names[i]} index", index.count, "keys")
            write_index_tree(out, keys, values, block_size, order, progress=prog.update)
        finally:
            keys.close()
        entries.append(ExtraIndexEntry(0, 1, tree_offset, (col,)))

    out.write(MAGIC.pack(order, BIGBED_MAGIC))
    end = out.tell()

    # fill in what was reserved
    uncompress_buf = max(res.data_sink.max_raw, items_per_slot * RECORD_SIZE) if compress else 0
    header = BbiHeader(
        BIGBED_MAGIC, BBI_VERSION, len(zooms), chrom_tree_offset, data_offset, index_offset,
        schema.field_count, schema.bed_n, as_offset, total_offset, uncompress_buf, ext_offset,
    )
    _write_header(out, order, header, zooms)
    out.seek(total_offset)
    out.write(total.pack(order))
    out.seek(ext_offset)
    out.write(Extension(_EXTENSION_SIZE, len(entries), index_list_offset).pack(order))
    if entries:
        out.seek(index_list_offset)
        for entry in entries:
            out.write(entry.pack(order))
    out.seek(end)
    return end, len(zooms)
