"""On-disk layouts of the BBI container (bigBed / bigWig), defined once for both directions.

Standard library only.  Every structure is a :class:`Layout`: a struct format without a
byte-order prefix, compiled for both orders, with named fields.  Readers decide the byte
order once, from the magic number (:func:`byte_order_of`), and pass ``"<"`` or ``">"``
along; writers choose it.  Sizes come from the structs, never from typed numbers.

References: kent src/inc/bbiFile.h, bigBed.h, bPlusTree.h, cirTree.h (Kent et al. 2010,
Bioinformatics 26:2204, supplementary tables); our digest: formats.md.
"""
from __future__ import annotations

import struct
from typing import Dict, NamedTuple, Optional, Tuple

__all__ = [
    "BIGBED_MAGIC",
    "BIGWIG_MAGIC",
    "BPT_MAGIC",
    "CIR_MAGIC",
    "BBI_VERSION",
    "Layout",
    "HEADER",
    "ZOOM_HEADER",
    "TOTAL_SUMMARY",
    "EXTENSION",
    "EXTRA_INDEX",
    "EXTRA_INDEX_FIELD",
    "BPT_HEADER",
    "NODE_HEADER",
    "CIR_HEADER",
    "CIR_LEAF_ITEM",
    "CIR_INDEX_ITEM",
    "ZOOM_RECORD",
    "BED_HEAD",
    "DATA_COUNT",
    "ZOOM_COUNT",
    "MAGIC",
    "CHROM_VALUE",
    "OFFSET_SIZE_VALUE",
    "byte_order_of",
    "BbiHeader",
    "ZoomHeader",
    "TotalSummary",
    "Extension",
    "ExtraIndexEntry",
    "MAX_ZOOM_LEVELS",
    "ZOOM_INCREMENT",
]

BIGBED_MAGIC = 0x8789F2EB
BIGWIG_MAGIC = 0x888FFC26
BPT_MAGIC = 0x78CA8C91  # B+ tree (chromosome names, extra indexes)
CIR_MAGIC = 0x2468ACE0  # chromosome-id R-tree ("cirTree")

BBI_VERSION = 4  # what current kent writes
MAX_ZOOM_LEVELS = 10  # kent reserves room for this many zoom headers
ZOOM_INCREMENT = 4  # each zoom level is this many times coarser than the previous


class Layout:
    """One fixed-size structure: ``fmt`` (no byte-order prefix) compiled for "<" and ">"."""

    __slots__ = ("name", "fmt", "fields", "size", "_structs")

    def __init__(self, name: str, fmt: str, fields: Tuple[str, ...] = ()) -> None:
        self.name = name
        self.fmt = fmt
        self.fields = fields
        self._structs: Dict[str, struct.Struct] = {o: struct.Struct(o + fmt) for o in "<>"}
        self.size = self._structs["<"].size

    def __getitem__(self, order: str) -> struct.Struct:
        """The compiled struct for byte order ``order`` ("<" or ">")."""
        return self._structs[order]

    def unpack(self, order: str, data: bytes, offset: int = 0) -> tuple:
        return self._structs[order].unpack_from(data, offset)

    def pack(self, order: str, *values) -> bytes:
        return self._structs[order].pack(*values)

    def __repr__(self) -> str:
        return f"Layout({self.name!r}, {self.fmt!r}, size={self.size})"


# --- BBI file header (64 bytes) ----------------------------------------------------------
# magic u32, version u16, zoomLevels u16, chromTreeOffset u64, fullDataOffset u64,
# fullIndexOffset u64, fieldCount u16, definedFieldCount u16, autoSqlOffset u64,
# totalSummaryOffset u64, uncompressBufSize u32 (0 = not compressed), extensionOffset u64
HEADER = Layout(
    "BBI header",
    "IHHQQQHHQQIQ",
    (
        "magic",
        "version",
        "zoom_levels",
        "chrom_tree_offset",
        "full_data_offset",
        "full_index_offset",
        "field_count",
        "defined_field_count",
        "autosql_offset",
        "total_summary_offset",
        "uncompress_buf_size",
        "extension_offset",
    ),
)

# --- zoom header (24 bytes each, right after the file header) ----------------------------
# reductionLevel u32, reserved u32, dataOffset u64, indexOffset u64
ZOOM_HEADER = Layout("zoom header", "IIQQ", ("reduction_level", "reserved", "data_offset", "index_offset"))

# --- total summary (40 bytes, version >= 2) -----------------------------------------------
# basesCovered u64, minVal f64, maxVal f64, sumData f64, sumSquares f64
TOTAL_SUMMARY = Layout("total summary", "Qdddd", ("bases_covered", "min", "max", "sum", "sum_squares"))

# --- header extension (64 bytes) -------------------------------------------------------------
# extensionSize u16 (64), extraIndexCount u16, extraIndexListOffset u64, 52 reserved bytes
EXTENSION = Layout("header extension", "HHQ52x", ("size", "extra_index_count", "extra_index_list_offset"))

# --- extra index list entry (16 bytes + 4 per field) --------------------------------------------
# type u16 (0 = B+ tree), fieldCount u16, indexOffset u64, reserved u32; then per field:
EXTRA_INDEX = Layout("extra index entry", "HHQ4x", ("type", "field_count", "offset"))
# fieldId u16 (column number in the autoSql), reserved u16
EXTRA_INDEX_FIELD = Layout("extra index field", "HH", ("field_id", "reserved"))

# --- B+ tree (bPlusTree.h) -------------------------------------------------------------------------
# magic u32, blockSize u32 (children per node), keySize u32, valSize u32, itemCount u64,
# reserved u32 x2
BPT_HEADER = Layout("B+ tree header", "IIIIQ8x", ("magic", "block_size", "key_size", "val_size", "item_count"))
# isLeaf u8, reserved u8, count u16 (shared by B+ tree and R-tree nodes)
NODE_HEADER = Layout("tree node header", "BBH", ("is_leaf", "reserved", "count"))

# --- R-tree (cirTree.h) ------------------------------------------------------------------------------
# magic u32, blockSize u32, itemCount u64, startChromIx u32, startBase u32, endChromIx u32,
# endBase u32, endFileOffset u64, itemsPerSlot u32, reserved u32
CIR_HEADER = Layout(
    "R-tree header",
    "IIQIIIIQI4x",
    (
        "magic",
        "block_size",
        "item_count",
        "start_chrom_ix",
        "start_base",
        "end_chrom_ix",
        "end_base",
        "end_file_offset",
        "items_per_slot",
    ),
)
# leaf item: startChromIx, startBase, endChromIx, endBase (u32), dataOffset u64, dataSize u64
CIR_LEAF_ITEM = Layout("R-tree leaf item", "IIIIQQ")
# internal item: the same four bounds, child node offset u64
CIR_INDEX_ITEM = Layout("R-tree index item", "IIIIQ")

# --- data -------------------------------------------------------------------------------------------------
# zoom record: chromId, start, end, validCount (u32), minVal, maxVal, sumData, sumSquares (f32)
ZOOM_RECORD = Layout("zoom record", "IIIIffff", ("chrom_id", "start", "end", "valid_count", "min", "max", "sum", "sum_squares"))
# bigBed record head: chromId u32, start u32, end u32; then "rest" text, NUL-terminated
BED_HEAD = Layout("bigBed record", "III", ("chrom_id", "start", "end"))
# item count at the start of the data section (u64 since version 2) and of each zoom level (u32)
DATA_COUNT = Layout("data item count", "Q")
ZOOM_COUNT = Layout("zoom record count", "I")
# chromosome B+ tree value: chromId u32, chromSize u32
CHROM_VALUE = Layout("chromosome tree value", "II", ("chrom_id", "chrom_size"))
# extra-index B+ tree value: offset u64 and size u64 of the data block holding the item
OFFSET_SIZE_VALUE = Layout("extra index value", "QQ", ("offset", "size"))
MAGIC = Layout("magic", "I")


def byte_order_of(first4: bytes, magic: int) -> Optional[str]:
    """Byte order ("<" or ">") in which ``first4`` spells ``magic``, or None if neither."""
    if len(first4) < 4:
        return None
    if struct.unpack("<I", first4[:4])[0] == magic:
        return "<"
    if struct.unpack(">I", first4[:4])[0] == magic:
        return ">"
    return None


class BbiHeader(NamedTuple):
    """The 64-byte BBI header, field by field."""

    magic: int
    version: int
    zoom_levels: int
    chrom_tree_offset: int
    full_data_offset: int
    full_index_offset: int
    field_count: int
    defined_field_count: int
    autosql_offset: int
    total_summary_offset: int
    uncompress_buf_size: int
    extension_offset: int

    @classmethod
    def unpack(cls, order: str, data: bytes, offset: int = 0) -> "BbiHeader":
        return cls(*HEADER.unpack(order, data, offset))

    def pack(self, order: str) -> bytes:
        return HEADER.pack(order, *self)


class ZoomHeader(NamedTuple):
    """One zoom level's header: its reduction (bases per record) and where it lives."""

    reduction_level: int
    reserved: int
    data_offset: int
    index_offset: int

    @classmethod
    def unpack(cls, order: str, data: bytes, offset: int = 0) -> "ZoomHeader":
        return cls(*ZOOM_HEADER.unpack(order, data, offset))

    def pack(self, order: str) -> bytes:
        return ZOOM_HEADER.pack(order, *self)


class TotalSummary(NamedTuple):
    """Whole-file summary over per-base coverage depth (for bigBed)."""

    bases_covered: int
    min: float
    max: float
    sum: float
    sum_squares: float

    @classmethod
    def unpack(cls, order: str, data: bytes, offset: int = 0) -> "TotalSummary":
        return cls(*TOTAL_SUMMARY.unpack(order, data, offset))

    def pack(self, order: str) -> bytes:
        return TOTAL_SUMMARY.pack(order, *self)


class Extension(NamedTuple):
    """The header extension: where the extra-index list is."""

    size: int
    extra_index_count: int
    extra_index_list_offset: int

    @classmethod
    def unpack(cls, order: str, data: bytes, offset: int = 0) -> "Extension":
        return cls(*EXTENSION.unpack(order, data, offset))

    def pack(self, order: str) -> bytes:
        return EXTENSION.pack(order, *self)


class ExtraIndexEntry(NamedTuple):
    """One entry of the extra-index list (single-field B+ tree indexes only, as kent)."""

    type: int
    field_count: int
    offset: int
    field_ids: Tuple[int, ...]

    @property
    def size(self) -> int:
        return EXTRA_INDEX.size + EXTRA_INDEX_FIELD.size * len(self.field_ids)

    def pack(self, order: str) -> bytes:
        out = EXTRA_INDEX.pack(order, self.type, self.field_count, self.offset)
        for fid in self.field_ids:
            out += EXTRA_INDEX_FIELD.pack(order, fid, 0)
        return out
