"""BigBedFile: a pure-Python reader of bigBed files.

Standard library only on this import path (pandas is imported lazily, only by
:meth:`BigBedFile.to_dataframe`), so it works where no compiler ever ran.

Coordinates are 0-based and half-open, as in the file.  A query returns records as
tuples ``(chrom, start, end, rest)`` where ``rest`` is the tab-joined text of the
remaining BED columns ("" for BED3), in file order, with current kent's rule (bigBed.c
bigBedIntervalQuery): an item ``(s, e)`` is returned for ``start-end`` when

    (s < end and e > start) or (s == e and (s == start or s == end))

that is, half-open overlap plus zero-length items (insertions) touching an edge of the
range.  Unlike kent, an insertion at position 0 is found too: kent pads its index
search by one base on each side except below 0, and so misses a block holding only
such an item (pyBigWig and pybbi inherit this).

A chromosome that the file does not name has no items: bigBed writers leave out
chromosomes without items, so ``query`` and ``summary`` treat such a name as empty
(``[]``, all-NaN) rather than as an error.  Use ``chrom in f.chroms`` to tell the cases
apart.

Speed without a compiler: records are split in C by regular expressions, and a query
inflates and splits a block only as far as it needs (:mod:`trackpack.bbi.blocks`);
blocks read in part are kept, decoded as far as they got, in an LRU cache with a memory
budget (``cache_bytes``), so that repeated, overlapping or nearby queries carry on where
earlier ones stopped; R-tree nodes are cached and searched by bisection; and blocks
wholly inside a query's range are read together and decoded in bulk, as kent reads
adjacent blocks in one go.  Within a block, records are taken to be in order, as every
writer (kent's included) puts them; every record decoded is checked, and a block found
out of order is read whole (:mod:`trackpack.bbi.blocks` says what remains assumed).

A reader may be shared by threads.  Anything wrong with the file raises
:class:`~trackpack.errors.FormatError` (a ``ValueError``) naming the byte offset; sizes
and counts read from the file are bounded before anything is allocated for them, and
tree walks refuse cycles.

Layout and format facts: formats.md; structures: :mod:`trackpack.bbi.layout`.
"""
from __future__ import annotations

import os
import threading
from collections import namedtuple
from itertools import repeat
from typing import (
    Any,
    BinaryIO,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from ..autosql import AsObject, parse_autosql, standard_bed_autosql
from ..errors import ArgumentError, ClosedFileError, FormatError, NotFoundError, OutOfRangeError
from ..files import RandomAccess
from ..progress import Phases, Progress
from .blocks import (
    TEXT_ERRORS,
    BlockCache,
    BlockRecords,
    block_bed_lines,
    block_spans,
    decode_block,
    inflate,
    native_swap,
    within,
)
from .bptree import BPlusTree
from .layout import (
    BIGBED_MAGIC,
    BIGWIG_MAGIC,
    CHROM_VALUE,
    DATA_COUNT,
    EXTENSION,
    EXTRA_INDEX,
    EXTRA_INDEX_FIELD,
    HEADER,
    OFFSET_SIZE_VALUE,
    TOTAL_SUMMARY,
    ZOOM_COUNT,
    ZOOM_HEADER,
    ZOOM_RECORD,
    BbiHeader,
    Extension,
    TotalSummary,
    ZoomHeader,
    byte_order_of,
)
from .rtree import RTree
from .summary import (
    EMPTY,
    SummaryElement,
    ZoomRecord,
    best_zoom,
    kent_coverage_pieces,
    exact_span_slices,
    kent_slices,
    summary_kind,
    summary_values,
)

__all__ = ["BigBedFile", "ExtraIndex", "Record"]

PathOrFile = Union[str, "os.PathLike[str]", BinaryIO]
#: (chrom, start, end, rest): one bigBed item as stored
Record = Tuple[str, int, int, str]

#: Memory budget of the decoded-block cache by default.  A block of 512 BED6 items takes
#: about 40 KB decoded part way (its stored bytes, the inflated part, the zlib inflater
#: with its 16 KB window) and about 30 KB decoded whole: 48 MB keep some 1,200 blocks.
DEFAULT_CACHE_BYTES = 48 << 20
#: Reads of adjacent blocks are merged, like kent does, up to this many bytes at once.
MERGE_LIMIT = 4 << 20
#: No data block, tree node or other single structure of a sane file is this large; a
#: larger size is corruption, not data, and is refused before anything is allocated.
MAX_BLOCK_BYTES = 1 << 28
#: Longest autoSql text we accept (kent's own schemas are a few KB).
MAX_AUTOSQL_BYTES = 1 << 24


class ExtraIndex(NamedTuple):
    """An extra (name) index of a bigBed: the field it indexes and its B+ tree offset."""

    field: str
    field_id: int
    offset: int


class BigBedFile:
    """A bigBed file opened for reading.

    Args:
        source: a path or a seekable binary file object (which stays the caller's).
        cache_bytes: memory budget, in bytes, of the cache of decoded data blocks that
            serves repeated or overlapping queries (least recently used blocks go
            first; 0 disables the cache).

    Header fields are plain attributes; ``chroms`` maps each chromosome the file names
    to its size, in file order (byte-wise sorted names).  The reader is safe to share
    between threads.  Errors: :class:`~trackpack.errors.FormatError` (a ``ValueError``)
    for anything wrong with the file, naming the byte offset.
    """

    def __init__(self, source: PathOrFile, *, cache_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        if not isinstance(cache_bytes, int) or isinstance(cache_bytes, bool) or cache_bytes < 0:
            raise ArgumentError(f"cache_bytes must be a non-negative integer, not {cache_bytes!r}")
        self._file = RandomAccess(source)
        try:
            self._open(cache_bytes)
        except BaseException:
            self._file.close()
            raise

    # -- opening ------------------------------------------------------------------------------

    def _open(self, cache_bytes: int) -> None:
        f = self._file
        self.path = f.name
        if f.size < HEADER.size:
            raise FormatError(
                f"not a bigBed file: {f.size} bytes is shorter than the {HEADER.size}-byte header",
                path=f.name,
                offset=0,
            )
        head = f.read(0, HEADER.size, "BBI header")
        order = byte_order_of(head, BIGBED_MAGIC)
        if order is None:
            if byte_order_of(head, BIGWIG_MAGIC) is not None:
                raise FormatError("this is a bigWig file, not a bigBed", path=f.name, offset=0)
            raise FormatError(
                "not a bigBed file (bad magic number)",
                path=f.name,
                offset=0,
                expected=hex(BIGBED_MAGIC),
                found="0x" + head[:4].hex(),
            )
        self._order = order
        self._swap = native_swap(order)
        header = BbiHeader.unpack(order, head)
        self.header = header
        if header.version < 1:
            raise FormatError(f"bigBed version {header.version} does not exist", path=f.name, offset=4)
        for field_at, what, target in (
            (8, "chromosome index", header.chrom_tree_offset),
            (16, "data", header.full_data_offset),
            (24, "data index", header.full_index_offset),
        ):
            if target >= f.size:  # named here: the read there would blame the bogus offset
                raise FormatError(
                    f"header says the {what} starts at byte {target}, past the end of the file ({f.size} bytes)",
                    path=f.name,
                    offset=field_at,
                )
        #: BBI format version (1-4)
        self.version: int = header.version
        #: "little" or "big": the byte order of the file
        self.byte_order = "little" if order == "<" else "big"
        self.field_count: int = header.field_count
        self.defined_field_count: int = header.defined_field_count
        #: largest inflated block size; 0 when blocks are stored uncompressed
        self.uncompress_buf_size: int = header.uncompress_buf_size
        # what inflating one block may produce (bounded even if the header is corrupt)
        self._inflate_limit = min(header.uncompress_buf_size, MAX_BLOCK_BYTES)
        self.compressed: bool = header.uncompress_buf_size > 0
        zoom_bytes = f.read(HEADER.size, ZOOM_HEADER.size * header.zoom_levels, "zoom headers")
        #: zoom level headers, finest first
        self.zooms: List[ZoomHeader] = [
            ZoomHeader.unpack(order, zoom_bytes, i * ZOOM_HEADER.size) for i in range(header.zoom_levels)
        ]
        self.zoom_levels: int = header.zoom_levels
        self._read_chroms()
        self._data_index: Optional[RTree] = None
        self._zoom_indexes: Dict[int, RTree] = {}
        self._cache = BlockCache(cache_bytes)
        self._lock = threading.Lock()
        self._autosql_text: Optional[str] = None
        self._schema: Optional[AsObject] = None
        self._record_type: Any = None
        self._extension: Optional[Extension] = None
        self._extra: Optional[List[ExtraIndex]] = None
        self._item_count: Optional[int] = None
        self._total: Optional[TotalSummary] = None

    def _bptree(self, offset: int, value_size: int, what: str) -> BPlusTree:
        """The B+ tree at ``offset``, whose values must be ``value_size`` bytes."""
        tree = BPlusTree(self._tree_read, offset, self._order, self.path)
        if tree.item_count and tree.val_size != value_size:
            raise FormatError(
                f"{what} values have the wrong size",
                path=self.path,
                offset=offset,
                expected=value_size,
                found=tree.val_size,
            )
        return tree

    def _read_chroms(self) -> None:
        f = self._file
        tree = self._bptree(self.header.chrom_tree_offset, CHROM_VALUE.size, "chromosome B+ tree")
        chroms: Dict[str, int] = {}
        ids: Dict[str, int] = {}
        names: Dict[int, str] = {}
        for key, value in tree.items():
            name = key.split(b"\0", 1)[0].decode("utf-8", TEXT_ERRORS)
            chrom_id, size = CHROM_VALUE.unpack(self._order, value)
            if name in chroms or chrom_id in names:
                raise FormatError(
                    f"chromosome index names '{name}' or id {chrom_id} twice",
                    path=f.name,
                    offset=tree.offset,
                )
            chroms[name] = size
            ids[name] = chrom_id
            names[chrom_id] = name
        #: chromosome name -> size, in file order
        self.chroms: Dict[str, int] = chroms
        #: chromosome name -> the id records carry
        self.chrom_ids: Dict[str, int] = ids
        self._names = names
        self._chrom_tree = tree

    def _index(self) -> RTree:
        index = self._data_index
        if index is None:
            index = RTree(self._tree_read, self.header.full_index_offset, self._order, self._file.name)
            self._data_index = index
        return index

    # -- plain header data ---------------------------------------------------------------------

    @property
    def item_count(self) -> int:
        """Number of items, as the data section records it."""
        if self._item_count is None:
            width = DATA_COUNT.size if self.version >= 2 else ZOOM_COUNT.size
            layout = DATA_COUNT if self.version >= 2 else ZOOM_COUNT
            raw = self._read(self.header.full_data_offset, width, "data item count")
            self._item_count = layout.unpack(self._order, raw)[0]
        return self._item_count

    @property
    def autosql_in_file(self) -> Optional[str]:
        """The autoSql text stored in the file, or None when it has none."""
        if self.header.autosql_offset == 0:
            return None
        if self._autosql_text is None:
            self._autosql_text = self._read_string(self.header.autosql_offset, "autoSql text")
        return self._autosql_text

    @property
    def autosql(self) -> str:
        """The file's autoSql text, or for files without one what kent uses instead:
        the standard ``bedN`` schema (plus ``lstring fieldN`` for extra columns)."""
        text = self.autosql_in_file
        if text is not None:
            return text
        bed_fields = min(max(self.defined_field_count, 3), 15)
        return standard_bed_autosql(bed_fields, max(self.field_count, bed_fields))

    @property
    def schema(self) -> AsObject:
        """The parsed autoSql (:class:`trackpack.autosql.AsObject`)."""
        if self._schema is None:
            where = f"{self.path} (autoSql at byte {self.header.autosql_offset})"
            self._schema = parse_autosql(self.autosql, path=where)
        return self._schema

    @property
    def field_names(self) -> List[str]:
        """Column names from the autoSql (chrom, chromStart, chromEnd, ...)."""
        return self.schema.field_names

    @property
    def total_summary(self) -> TotalSummary:
        """Whole-file statistics of coverage depth (bases covered, min, max, sum, sum of
        squares), as kent reports them: stored in version 2+ files, summed from the
        coarsest zoom level in version 1 files, zeros when neither exists."""
        if self._total is None:
            offset = self.header.total_summary_offset
            if offset:
                raw = self._read(offset, TOTAL_SUMMARY.size, "total summary")
                self._total = TotalSummary.unpack(self._order, raw)
            elif self.version == 1 and self.zooms:
                self._total = self._total_from_zoom()
            else:
                self._total = TotalSummary(0, 0.0, 0.0, 0.0, 0.0)
        return self._total

    def _total_from_zoom(self) -> TotalSummary:
        zoom = max(self.zooms, key=lambda z: z.reduction_level)
        (count,) = ZOOM_COUNT.unpack(self._order, self._read(zoom.data_offset, ZOOM_COUNT.size, "zoom record count"))
        size = count * ZOOM_RECORD.size
        if zoom.data_offset + ZOOM_COUNT.size + size > self._file.size:
            raise FormatError(
                f"zoom level claims {count} records, more than the file holds",
                path=self.path,
                offset=zoom.data_offset,
            )
        raw = self._tree_read(zoom.data_offset + ZOOM_COUNT.size, size, "zoom records")
        valid = 0
        low = high = total = squares = 0.0
        for i, rec in enumerate(ZOOM_RECORD[self._order].iter_unpack(raw)):
            valid += rec[3]
            if i == 0 or rec[4] < low:
                low = rec[4]
            if i == 0 or rec[5] > high:
                high = rec[5]
            total += rec[6]
            squares += rec[7]
        return TotalSummary(valid, low, high, total, squares)

    @property
    def extension(self) -> Optional[Extension]:
        """The header extension (None when the file has none)."""
        if self._extension is None and self.header.extension_offset:
            raw = self._read(self.header.extension_offset, EXTENSION.size, "header extension")
            self._extension = Extension.unpack(self._order, raw)
        return self._extension

    @property
    def extra_indexes(self) -> List[str]:
        """Names of the fields that have an extra (name) index, in file order."""
        return [ix.field for ix in self._extra_index_list()]

    @property
    def extra_index_info(self) -> List[ExtraIndex]:
        """The extra indexes: field name, field number and B+ tree offset, in file order."""
        return list(self._extra_index_list())

    def _extra_index_list(self) -> List[ExtraIndex]:
        if self._extra is not None:
            return self._extra
        ext = self.extension
        found: List[ExtraIndex] = []
        if ext is not None and ext.extra_index_count and ext.extra_index_list_offset:
            offset = ext.extra_index_list_offset
            columns = self.schema.columns
            for _ in range(ext.extra_index_count):
                kind, field_count, tree_offset = EXTRA_INDEX.unpack(
                    self._order, self._read(offset, EXTRA_INDEX.size, "extra index entry")
                )
                if kind != 0:
                    raise FormatError(f"extra index of unknown type {kind}", path=self.path, offset=offset)
                if field_count != 1:
                    raise FormatError(
                        f"extra index over {field_count} fields (only single-field indexes exist)",
                        path=self.path,
                        offset=offset,
                    )
                field_at = offset + EXTRA_INDEX.size
                field_id = EXTRA_INDEX_FIELD.unpack(
                    self._order, self._read(field_at, EXTRA_INDEX_FIELD.size, "extra index field")
                )[0]
                if field_id >= len(columns):
                    raise FormatError(
                        f"extra index on field {field_id}, but the autoSql has {len(columns)} fields",
                        path=self.path,
                        offset=field_at,
                    )
                found.append(ExtraIndex(columns[field_id].name, field_id, tree_offset))
                offset = field_at + EXTRA_INDEX_FIELD.size * field_count
        self._extra = found
        return found

    def extra_index_item_count(self, field: str) -> int:
        """Number of entries in the extra index on ``field``."""
        return self._extra_tree(field)[0].item_count

    # -- low-level reads -----------------------------------------------------------------------

    def _tree_read(self, offset: int, size: int, what: str) -> bytes:
        """Reads for the tree modules: bounded, so a corrupt key size or count cannot
        make one read allocate gigabytes."""
        if size > MAX_BLOCK_BYTES:
            raise FormatError(f"{what} of {size} bytes is larger than any valid one", path=self.path, offset=offset)
        return self._read(offset, size, what)

    def _read(self, offset: int, size: int, what: str) -> bytes:
        if self._file.closed:
            raise ClosedFileError("I/O on a closed bigBed file", path=self.path)
        return self._file.read(offset, size, what)

    def _read_string(self, offset: int, what: str) -> str:
        """NUL-terminated text at ``offset``."""
        parts = []
        at = offset
        limit = min(self._file.size, offset + MAX_AUTOSQL_BYTES)
        while True:
            if at >= limit:
                raise FormatError(f"{what} has no terminating NUL", path=self.path, offset=offset)
            chunk = self._read(at, min(4096, limit - at), what)
            nul = chunk.find(b"\0")
            if nul >= 0:
                parts.append(chunk[:nul])
                break
            parts.append(chunk)
            at += len(chunk)
        return b"".join(parts).decode("utf-8", TEXT_ERRORS)

    def _check_open(self) -> None:
        if self._file.closed:
            raise ClosedFileError("I/O on a closed bigBed file", path=self.path)

    def _check_block(self, offset: int, size: int) -> None:
        limit = MAX_BLOCK_BYTES
        if self.compressed:
            # zlib never grows data by more than a few bytes per 16 KB
            limit = min(limit, self.uncompress_buf_size + self.uncompress_buf_size // 256 + 64)
        if size > limit:
            raise FormatError(
                f"data block of {size} bytes is larger than any valid block", path=self.path, offset=offset
            )

    def _raw_blocks(self, blocks: Sequence[Tuple[int, int]]) -> Iterator[Tuple[int, bytes]]:
        """(offset, stored bytes) of ``blocks``, reading adjacent ones in one go."""
        i = 0
        n = len(blocks)
        while i < n:
            offset, size = blocks[i]
            self._check_block(offset, size)
            j = i + 1
            end = offset + size
            while j < n and blocks[j][0] == end and end - offset + blocks[j][1] <= MERGE_LIMIT:
                self._check_block(*blocks[j])
                end += blocks[j][1]
                j += 1
            data = self._read(offset, end - offset, "data block")
            at = 0
            for k in range(i, j):
                b_offset, b_size = blocks[k]
                yield b_offset, data[at : at + b_size] if j - i > 1 else data
                at += b_size
            i = j

    def _new_block(self, offset: int, size: int) -> BlockRecords:
        """The data block at ``offset``, read and ready to decode lazily."""
        self._check_block(offset, size)
        raw = self._file.read(offset, size, "data block")  # (query checked the file is open)
        return BlockRecords(raw, offset, limit=self._inflate_limit, swap=self._swap, name=self.path)

    # -- queries -------------------------------------------------------------------------------

    def _range(self, chrom: str, start: int, end: Optional[int]) -> Optional[Tuple[int, int, int]]:
        """(chrom id, start, end) for a query, or None for a chromosome not in the file."""
        self._check_open()
        if not isinstance(chrom, str):
            raise ArgumentError(f"chromosome name must be a str, not {type(chrom).__name__}")
        chrom_id = self.chrom_ids.get(chrom)
        for name, value in (("start", start), ("end", end)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ArgumentError(f"{name} must be an int, not {type(value).__name__}")
        if chrom_id is None:
            if start < 0 or (end is not None and end < start):
                raise OutOfRangeError(f"invalid range {chrom}:{start}-{end}", path=self.path)
            return None
        if end is None:
            end = self.chroms[chrom]
        if start < 0 or end < start:
            raise OutOfRangeError(
                f"invalid range {chrom}:{start}-{end}: need 0 <= start <= end", path=self.path
            )
        return chrom_id, start, end

    def query(
        self,
        chrom: str,
        start: int = 0,
        end: Optional[int] = None,
        *,
        typed: bool = False,
        max_items: int = 0,
    ) -> List[Any]:
        """Items of ``chrom:start-end`` in file order, by kent's rule (module docstring).

        Args:
            chrom: chromosome name; one the file does not have gives ``[]``.
            start, end: 0-based half-open range; ``end=None`` means the chromosome end.
            typed: return typed records (see :meth:`typed_record`) instead of
                ``(chrom, start, end, rest)`` tuples.
            max_items: stop after this many items (0 = all).

        Raises:
            OutOfRangeError: negative start or end before start.
            FormatError: the file is corrupt where the query reads it.
        """
        chrom_id = self.chrom_ids.get(chrom) if type(chrom) is str else None
        if (
            chrom_id is None
            or type(start) is not int
            or type(end) not in (int, type(None))
            or start < 0
            or (end is not None and end < start)
            or self._file.closed
        ):
            found = self._range(chrom, start, end)  # the careful path: errors and oddities
            if found is None:
                return []
            chrom_id, start, end = found
        elif end is None:
            end = self.chroms[chrom]
        out: List[Record] = []
        for offset, data, records in self._region_blocks(chrom, chrom_id, start, end):
            if data is not None:
                out += self._rows_inside(offset, data, chrom, chrom_id, start, end)
            else:
                out += records  # type: ignore[operator]
            if max_items and len(out) >= max_items:
                break
        if max_items and len(out) > max_items:
            del out[max_items:]
        if typed:
            return [self.typed_record(r) for r in out]
        return out

    def _rows_inside(
        self, offset: int, data: bytes, chrom: str, chrom_id: int, start: int, end: int
    ) -> Iterable[Record]:
        """Records of an inflated block whose index bounds lie inside ``chrom_id:start-end``.

        Every record within those bounds matches kent's rule, so no record is tested
        one by one; a block whose records stray outside its bounds is filtered instead.
        """
        ids, starts, ends, texts = decode_block(data, self._swap, name=self.path, offset=offset)
        if not starts:
            return ()
        if ids.count(chrom_id) == len(ids) and within(starts, ends, start, end):
            return zip(repeat(chrom), starts, ends, texts)
        return [
            (chrom, s, e, t)
            for c, s, e, t in zip(ids, starts, ends, texts)
            if c == chrom_id and ((s < end and e > start) or (s == e and (s == start or s == end)))
        ]

    def _region_blocks(
        self, chrom: str, chrom_id: int, start: int, end: int
    ) -> Iterator[Tuple[int, Optional[bytes], Optional[List[Record]]]]:
        """The blocks of a region in file order, for work on many records at once:
        ``(offset, inflated data, None)`` for a block inside the range (read with its
        neighbours in one go, not cached: whole-chromosome work would only flush the
        cache), ``(offset, None, records)`` for the others (through the cache), where
        ``records`` are the block's items that match, as :meth:`query` gives them."""
        leaves = (self._data_index or self._index()).find_items(chrom_id, start, end, touching=True)
        cache = self._cache
        i, count = 0, len(leaves)
        while i < count:
            sc, sb, ec, eb, offset, size = leaves[i]
            if sc == ec == chrom_id and sb >= start and eb <= end and offset not in cache:
                run = []
                while i < count:
                    sc, sb, ec, eb, offset, size = leaves[i]
                    if not (sc == ec == chrom_id and sb >= start and eb <= end) or offset in cache:
                        break
                    run.append((offset, size))
                    i += 1
                for offset, raw in self._raw_blocks(run):
                    data = inflate(raw, self._inflate_limit, name=self.path, offset=offset) if self.compressed else raw
                    yield offset, data, None
                continue
            block = cache.get(offset)
            if block is None:
                block = self._new_block(offset, size)
            # how much of the block lies before the query end, if records are spread evenly
            share = (end - sb + 1) / (eb - sb + 1) if sc == ec == chrom_id and eb > sb else 1.0
            records = block.fetch(chrom, chrom_id, start, end, share)
            cache.store(block)
            yield offset, None, records
            i += 1

    def write_bed(
        self,
        out: BinaryIO,
        regions: Optional[Iterable[Tuple[str, int, Optional[int]]]] = None,
        *,
        max_items: int = 0,
        progress: Optional[bool] = None,
    ) -> int:
        """Write the items of ``regions`` (else of the whole file) to ``out`` as BED text.

        The bytes are those of kent's bigBedToBed: one line per item, ``chrom``,
        ``start``, ``end`` and the rest of the item (if any), tab-separated.  Each region
        ``(chrom, start, end)`` gives the items :meth:`query` gives (``end`` None: the
        chromosome end), in turn; the whole file is every chromosome from 0 to its size,
        in file order.  Much faster than formatting :meth:`query`'s records: whole blocks
        go to text in a few C calls.

        Args:
            out: a binary stream.
            max_items: stop after this many items in all (0 = no limit).
            progress: show progress on stderr (None: only on a terminal).

        Returns:
            The number of items written.
        """
        self._check_open()
        if not isinstance(max_items, int) or max_items < 0:
            raise ArgumentError(f"max_items must be a non-negative integer, not {max_items!r}")
        total = None
        if regions is None:
            self._check_chrom_ids()
            regions = [(chrom, 0, size) for chrom, size in self.chroms.items()]
            total = self.item_count
        written = 0
        with Progress("writing BED", total, "items", enabled=progress) as bar:
            for chrom, start, end in regions:
                found = self._range(chrom, start, end)
                if found is None:
                    continue
                chrom_id, start, end = found
                name = chrom.encode("utf-8", TEXT_ERRORS)
                for offset, data, records in self._region_blocks(chrom, chrom_id, start, end):
                    limit = max_items - written if max_items else 0
                    if data is not None:
                        text, count = block_bed_lines(
                            data, self._swap, chrom_id, name, start, end, limit=limit, name=self.path, offset=offset
                        )
                    else:
                        if limit:
                            del records[limit:]  # type: ignore[index]
                        count = len(records)  # type: ignore[arg-type]
                        text = "".join(
                            [f"{c}\t{s}\t{e}\t{r}\n" if r else f"{c}\t{s}\t{e}\n" for c, s, e, r in records]  # type: ignore[union-attr]
                        ).encode("utf-8", TEXT_ERRORS)
                    out.write(text)
                    written += count
                    bar.update(count)
                    if max_items and written >= max_items:
                        return written
        return written

    def _check_chrom_ids(self) -> None:
        """Refuse a file whose data index reaches chromosome ids its chromosome index
        lacks (corrupt): going by the chromosome index alone would drop those items
        without a word, as kent's bigBedToBed does."""
        index = self._data_index or self._index()
        if not index.item_count:
            return
        for chrom_id in (index.start_chrom_ix, index.end_chrom_ix):
            if chrom_id not in self._names:
                raise FormatError(
                    f"the data index holds items of chromosome id {chrom_id}, which the chromosome "
                    f"index ({len(self._names)} chromosomes) lacks",
                    path=self.path,
                    offset=self.header.chrom_tree_offset,
                )

    def _spans(self, chrom: str, start: int, end: int, bar: Optional[Progress] = None) -> Tuple[List[int], List[int]]:
        """(starts, ends) of the items of ``chrom:start-end`` (kent's rule), without
        decoding their texts; ``bar`` counts them."""
        found = self._range(chrom, start, end)
        starts: List[int] = []
        ends: List[int] = []
        if found is None:
            return starts, ends
        chrom_id, start, end = found
        for offset, data, records in self._region_blocks(chrom, chrom_id, start, end):
            if data is not None:
                block_starts, block_ends = block_spans(
                    data, self._swap, chrom_id, start, end, name=self.path, offset=offset
                )
                starts += block_starts
                ends += block_ends
            else:
                starts += [r[1] for r in records]  # type: ignore[union-attr]
                ends += [r[2] for r in records]  # type: ignore[union-attr]
            if bar is not None:
                bar.set(len(starts))
        return starts, ends

    def __iter__(self) -> Iterator[Record]:
        """Every item of the file, in file order (see :meth:`items`)."""
        return self.items()

    def items(self, *, typed: bool = False) -> Iterator[Any]:
        """Every item of the file as ``(chrom, start, end, rest)`` tuples, in file order.

        Decodes block by block (memory stays at one read of a few blocks).
        """
        self._check_open()
        blocks = self._index().all_blocks()
        names = self._names
        for offset, raw in self._raw_blocks(blocks):
            data = inflate(raw, self._inflate_limit, name=self.path, offset=offset) if self.compressed else raw
            ids, starts, ends, texts = decode_block(data, self._swap, name=self.path, offset=offset)
            if not starts:
                continue
            first = ids[0]
            if ids.count(first) == len(ids):
                name = names.get(first)
                if name is None:
                    raise self._unknown_chrom(first, offset)
                chroms: Iterable[str] = repeat(name, len(starts))
            else:
                try:
                    chroms = [names[i] for i in ids]
                except KeyError as err:
                    raise self._unknown_chrom(err.args[0], offset) from None
            rows = zip(chroms, starts, ends, texts)
            if typed:
                yield from map(self.typed_record, rows)
            else:
                yield from rows

    def _unknown_chrom(self, chrom_id: int, offset: int) -> FormatError:
        return FormatError(
            f"a record names chromosome id {chrom_id}, which the chromosome index lacks",
            path=self.path,
            offset=offset,
        )

    # -- typed records ------------------------------------------------------------------------

    def _typed_factory(self) -> Tuple[Any, List[Callable[[str], Any]]]:
        if self._record_type is None:
            columns = self.schema.columns
            names = [c.name for c in columns] or ["chrom", "chromStart", "chromEnd"]
            while len(names) < 3:
                names.append(f"field{len(names) + 1}")
            record_type = namedtuple("BigBedRecord", names, rename=True)  # type: ignore[misc]
            converters = [
                _rgb_or(c.converter()) if i == 8 or c.name.lower() in ("itemrgb", "reserved") else c.converter()
                for i, c in enumerate(columns)
            ][3:]
            self._record_type = (record_type, converters)
        return self._record_type

    def typed_record(self, record: Record) -> Any:
        """``record`` as a named tuple of the autoSql's fields with typed values.

        Integers become int, floats float, lists (``int[blockCount]``) tuples, other
        text str.  An itemRgb written as ``r,g,b`` (in BED's ``reserved`` column) becomes
        the integer ``r << 16 | g << 8 | b``, as kent stores it.  A record whose field
        count or values do not fit the autoSql raises FormatError naming it.
        """
        record_type, converters = self._typed_factory()
        chrom, start, end, rest = record
        fields = rest.split("\t") if rest else []
        if len(fields) != len(converters):
            raise FormatError(
                f"item {chrom}:{start}-{end} has {len(fields) + 3} fields, the autoSql declares {len(converters) + 3}",
                path=self.path,
            )
        try:
            values = [convert(text) for convert, text in zip(converters, fields)]
        except ValueError as err:
            raise FormatError(f"item {chrom}:{start}-{end} does not fit the autoSql: {err}", path=self.path) from None
        return record_type(chrom, start, end, *values)

    # -- name search ----------------------------------------------------------------------------

    def _extra_tree(self, field: str) -> Tuple[BPlusTree, int]:
        if not isinstance(field, str):
            raise ArgumentError(f"field must be a str, not {type(field).__name__}")
        column = self.schema.index_of(field)
        if column < 0:
            raise NotFoundError(f"no field named '{field}'", path=self.path)
        for ix in self._extra_index_list():
            if ix.field_id == column:
                return self._bptree(ix.offset, OFFSET_SIZE_VALUE.size, "extra index"), column
        have = ", ".join(self.extra_indexes) or "none"
        raise NotFoundError(f"field '{field}' is not indexed (indexed: {have})", path=self.path)

    def search(
        self,
        values: Union[str, Iterable[str]],
        field: str = "name",
        *,
        typed: bool = False,
        block_order: str = "file",
        progress: Optional[bool] = None,
    ) -> List[Any]:
        """Every item whose ``field`` equals ``values`` (one str, or any of several).

        Uses the file's extra index on ``field`` (bedToBigBed -extraIndex); an index key
        may point at several blocks, and every matching item in them is returned.  Many
        values are looked up together, in one walk of the index.

        Args:
            block_order: "file" returns items in file order; "kent" visits blocks in the
                order kent's bigBedNamedItems prints them (sorted by the bytes of their
                index entries).
            progress: show progress on stderr (None: only on a terminal).

        Raises:
            NotFoundError: no such field, or the field has no index.
        """
        self._check_open()
        if isinstance(values, str):
            wanted = {values}
        else:
            wanted = set(values)
            if not all(isinstance(v, str) for v in wanted):
                raise ArgumentError("search values must be str")
        if block_order not in ("file", "kent"):
            raise ArgumentError(f"block_order must be 'file' or 'kent', not {block_order!r}")
        tree, column = self._extra_tree(field)
        with Phases("name search", enabled=progress) as phases:
            keys = [v.encode("utf-8", TEXT_ERRORS) for v in wanted]
            raw_values = set(tree.find_many(keys, phases.start("looking up names", None, "index nodes").update))
            entries = sorted(raw_values) if block_order == "kent" else sorted(
                raw_values, key=lambda raw: OFFSET_SIZE_VALUE.unpack(self._order, raw)
            )
            blocks = [OFFSET_SIZE_VALUE.unpack(self._order, raw) for raw in entries]
            bar = phases.start("reading blocks", len(blocks), "blocks")
            out = self._search_blocks(blocks, wanted, column, bar)
        if typed:
            return [self.typed_record(r) for r in out]
        return out

    def _search_blocks(
        self, blocks: Sequence[Tuple[int, int]], wanted: Set[str], column: int, bar: Progress
    ) -> List[Record]:
        """The items of ``blocks`` whose field ``column`` is one of ``wanted``."""
        skip = column - 3  # the field's place in the text after chrom, start and end
        out: List[Record] = []
        names = self._names
        for offset, raw in self._raw_blocks(blocks):
            bar.update()
            data = inflate(raw, self._inflate_limit, name=self.path, offset=offset) if self.compressed else raw
            ids, starts, ends, texts = decode_block(data, self._swap, name=self.path, offset=offset)
            for i, text in enumerate(texts):
                name = names.get(ids[i])
                if name is None:
                    raise self._unknown_chrom(ids[i], offset)
                if skip >= 0:
                    parts = text.split("\t", skip + 1)
                    value = parts[skip] if len(parts) > skip else None
                else:  # an index on chrom, chromStart or chromEnd
                    value = (name, str(starts[i]), str(ends[i]))[column]
                if value in wanted:
                    out.append((name, starts[i], ends[i], text))
        return out

    # -- summaries --------------------------------------------------------------------------------

    def zoom_summaries(self, level: int, chrom: str, start: int = 0, end: Optional[int] = None) -> List[ZoomRecord]:
        """Records of zoom ``level`` (0 = finest) that overlap ``chrom:start-end``.

        What kent's bbiSummariesInRegion returns: records of that chromosome whose
        window overlaps the range, in file order.
        """
        if not isinstance(level, int) or not 0 <= level < len(self.zooms):
            raise OutOfRangeError(f"zoom level {level} does not exist (the file has {len(self.zooms)})", path=self.path)
        found = self._range(chrom, start, end)
        if found is None:
            return []
        chrom_id, start, end = found
        zoom = self.zooms[level]
        index = self._zoom_indexes.get(level)
        if index is None:
            index = RTree(self._tree_read, zoom.index_offset, self._order, self.path)
            self._zoom_indexes[level] = index
        unpack = ZOOM_RECORD[self._order].iter_unpack
        out: List[ZoomRecord] = []
        leaves = index.find_items(chrom_id, start, end)
        for offset, raw in self._raw_blocks([(it[4], it[5]) for it in leaves]):
            data = inflate(raw, self._inflate_limit, name=self.path, offset=offset, what="zoom block") if self.compressed else raw
            if len(data) % ZOOM_RECORD.size:
                raise FormatError(
                    f"zoom block of {len(data)} bytes is not a whole number of {ZOOM_RECORD.size}-byte records",
                    path=self.path,
                    offset=offset,
                )
            for rec in unpack(data):
                if rec[0] == chrom_id and max(rec[1], start) < min(rec[2], end):
                    out.append(ZoomRecord(*rec))
        return out

    def summary_elements(
        self,
        chrom: str,
        start: int,
        end: int,
        bins: int = 1,
        *,
        exact: bool = False,
        progress: Optional[bool] = None,
    ) -> List[SummaryElement]:
        """Per-bin depth statistics (valid_count, min, max, sum, sum_squares).

        ``exact=False`` follows kent's algorithm (zoom levels where they are fine enough,
        else the items; see :mod:`trackpack.bbi.summary`), ``exact=True`` counts the
        depth of every base from the items.  A bin without covered bases has
        ``valid_count`` 0.  ``progress``: show the items read on stderr (None: only on
        a terminal).
        """
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
            raise ArgumentError(f"bins must be a positive integer, not {bins!r}")
        found = self._range(chrom, start, end)
        if found is None or found[1] >= found[2]:
            return [EMPTY] * bins
        _, start, end = found
        if not exact:
            level = best_zoom([z.reduction_level for z in self.zooms], (end - start) // bins // 2)
            if level is not None:
                records = self.zoom_summaries(level, chrom, start, end)
                if not records:
                    return [EMPTY] * bins
                return kent_slices(start, end, bins, zoom_records=records)
        with Progress("summary, reading items", None, "items", enabled=progress) as bar:
            starts, ends = self._spans(chrom, start, end, bar)
        if exact:
            return exact_span_slices(starts, ends, start, end, bins)
        pieces = kent_coverage_pieces(zip(starts, ends), start, end)
        return kent_slices(start, end, bins, pieces=pieces)

    def summary(
        self,
        chrom: str,
        start: int,
        end: int,
        bins: int = 1,
        kind: str = "mean",
        *,
        exact: bool = False,
        progress: Optional[bool] = None,
    ) -> List[float]:
        """One statistic of coverage depth per bin of ``chrom:start-end`` (NaN: no data).

        ``kind``: "mean" (of covered bases), "min", "max", "coverage" (fraction of the
        bin covered), "std" or "sum".  By default the figures are kent's zoom-level
        estimates (what ``bigBedSummary`` prints); ``exact=True`` computes them base by
        base from the items.  ``progress``: show the items read on stderr (None: only
        on a terminal).
        """
        canonical = summary_kind(kind) if isinstance(kind, str) else None
        if canonical is None:
            raise ArgumentError(f"unknown summary kind {kind!r}: use mean, min, max, coverage, std or sum")
        elements = self.summary_elements(chrom, start, end, bins, exact=exact, progress=progress)
        return summary_values(elements, canonical, start, end, exact=exact)

    # -- pandas -------------------------------------------------------------------------------------

    def to_dataframe(self, chrom: Optional[str] = None, start: int = 0, end: Optional[int] = None, *, typed: bool = True):
        """Items as a pandas DataFrame (columns named by the autoSql; needs pandas).

        Without ``chrom`` the whole file; else ``chrom:start-end`` as :meth:`query`.
        """
        import pandas as pd  # optional dependency, only for this method

        rows: Iterable[Any]
        if chrom is None:
            rows = self.items(typed=typed)
        else:
            rows = self.query(chrom, start, end, typed=typed)
        if typed:
            record_type, _ = self._typed_factory()
            return pd.DataFrame.from_records(list(rows), columns=list(record_type._fields))
        return pd.DataFrame.from_records(list(rows), columns=["chrom", "start", "end", "rest"])

    # -- life cycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the file (a file object passed in stays open)."""
        self._file.close()
        self._cache.clear()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def __enter__(self) -> "BigBedFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self.chroms)} chromosomes"
        return f"<BigBedFile {self.path!r} v{self.version}, {state}>"


def _rgb_or(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``convert``, but "r,g,b" text becomes kent's packed itemRgb integer."""

    def rgb(text: str) -> Any:
        if "," in text:
            parts = text.split(",")
            if len(parts) == 3 and all(p.isdigit() and int(p) < 256 for p in parts):
                r, g, b = map(int, parts)
                return r << 16 | g << 8 | b
        return convert(text)

    return rgb
