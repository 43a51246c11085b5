"""BED text: bedN+M types, the column schema a bigBed is written with, and its checks.

What a BED line must satisfy to go into a bigBed is what kent's bedToBigBed checks
(``loadAndValidateBed`` in kent src/lib/basicBed.c, restated in our words):

- chromStart, chromEnd: unsigned 32-bit integers, chromStart <= chromEnd <= chromosome size
  (zero-length items are valid anywhere, also at 0 and at the chromosome end);
- name: at most 255 characters; score: a signed integer from 0 to 1000; strand: one of
  ``+ - .``; thickStart/thickEnd: integers, thickStart <= thickEnd, each 0 or inside the
  item; itemRgb: ``r,g,b`` (each 0-255) or one integer;
- blockCount >= 1; blockSizes/chromStarts: lists of blockCount non-negative integers, the
  first block at 0, blocks ascending without overlap (``allow_1bp_overlap`` tolerates one
  base), the last block ending at chromEnd; expCount/expIds/expScores alike for bed15;
- extra columns by their autoSql type: integers in range for their width, floats parse,
  ``string`` at most 255 characters, integer lists as long as their size column says.

The checks themselves run in the compiled tokenizer (cext/bedtok.pyx); this module holds
the Python side: parsing ``-type=bedN[+[P]]``, resolving the autoSql schema, describing the
tokenizer's error codes in words, reading chrom.sizes, and turning tuples or DataFrame rows
into BED lines.
"""
from __future__ import annotations

import io
import itertools
import os
import re
import struct
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from .autosql import AsObject, check_standard_bed, parse_autosql, standard_bed_autosql
from .bbi.layout import BIGBED_MAGIC, BIGWIG_MAGIC
from .errors import ArgumentError, FormatError, UsageError
from .files import open_input

__all__ = [
    "BedType",
    "BedSchema",
    "resolve_schema",
    "sniff_field_count",
    "record_field_count",
    "is_track_line",
    "describe_track_line",
    "read_chrom_sizes",
    "render_records",
    "describe_error",
    "binary_kind",
    "printable",
    "refuse_text_sizes",
    "MAX_BED_FIELDS",
    "MAX_STANDARD_FIELDS",
]

#: kent's limit on standard BED columns (bed15: the microarray columns)
MAX_STANDARD_FIELDS = 15
#: kent refuses to guess a type for lines with more columns than this
MAX_SNIFFED_FIELDS = 256
#: our tokenizer's limit on columns per line (far beyond any real schema)
MAX_BED_FIELDS = 512
#: our tokenizer's limit on extra indexes (kent's files hold one or two)
MAX_EXTRA_INDEXES = 16

# Column kinds the tokenizer checks in extra (bed-plus) columns, by autoSql type.
KIND_NONE, KIND_INT, KIND_FLOAT, KIND_STRING, KIND_INT_LIST = 0, 1, 2, 3, 4
_INT_WIDTH = {
    "byte": (True, 1),
    "ubyte": (False, 1),
    "short": (True, 2),
    "ushort": (False, 2),
    "int": (True, 4),
    "uint": (False, 4),
    "bigint": (True, 8),
}

_TYPE_RE = re.compile(r"bed(\d+)(\+(\d*))?\Z")


@dataclass(frozen=True)
class BedType:
    """A ``-type=bedN[+[P]]`` value: N standard BED columns, optionally P more.

    ``plus`` is None without a ``+``, 0 for a bare ``+`` (kent adds no columns for it
    unless an autoSql file says how many there are) and P for ``+P``.
    """

    bed_n: int
    plus: Optional[int] = None

    @classmethod
    def parse(cls, text: Union[str, "BedType"]) -> "BedType":
        if isinstance(text, BedType):
            return text
        if not isinstance(text, str):
            raise ArgumentError(f"bed type must be a string like 'bed6+4', not {type(text).__name__}")
        m = _TYPE_RE.match(text.strip())
        if m is None:
            raise UsageError(
                f"bad BED type '{text}': expected bedN, bedN+ or bedN+P with N from 3 to 15 (e.g. bed6, bed12+8)"
            )
        n = int(m.group(1))
        if not 3 <= n <= MAX_STANDARD_FIELDS:
            raise UsageError(f"bad BED type '{text}': N must be between 3 and 15, not {n}")
        plus = None if m.group(2) is None else int(m.group(3) or 0)
        return cls(n, plus)

    def __str__(self) -> str:
        if self.plus is None:
            return f"bed{self.bed_n}"
        return f"bed{self.bed_n}+{self.plus or ''}"


@dataclass
class BedSchema:
    """Everything the writer needs to know about the columns of the input.

    Attributes:
        bed_n: definedFieldCount: how many leading columns are standard BED.
        field_count: fieldCount: columns per line (the autoSql's column count).
        autosql: the autoSql text stored in the file.
        table: the parsed autoSql.
        kinds, int_signed, int_bytes, list_fixed, list_link, size_link: per-column rules
            for the tokenizer (see cext/bedtok.pyx).
    """

    bed_n: int
    field_count: int
    autosql: str
    table: AsObject
    kinds: List[int] = field(default_factory=list)
    int_signed: List[int] = field(default_factory=list)
    int_bytes: List[int] = field(default_factory=list)
    list_fixed: List[int] = field(default_factory=list)
    list_link: List[int] = field(default_factory=list)
    size_link: List[int] = field(default_factory=list)
    type_text: str = ""

    def column_rules(self) -> Dict[str, List[int]]:
        """The per-column rules as keyword arguments of the tokenizer (bedtok.BedScanner)."""
        return {
            "kinds": self.kinds,
            "int_signed": self.int_signed,
            "int_bytes": self.int_bytes,
            "list_fixed": self.list_fixed,
            "list_link": self.list_link,
            "size_link": self.size_link,
        }

    def column_name(self, index: int) -> str:
        if 0 <= index < len(self.table.columns):
            return self.table.columns[index].name
        return f"column {index + 1}"

    def index_columns(self, names: Sequence[str]) -> List[int]:
        """Column numbers of the extra-index fields ``names`` (checked as kent checks them)."""
        if len(names) > MAX_EXTRA_INDEXES:
            raise UsageError(f"at most {MAX_EXTRA_INDEXES} -extraIndex fields are supported, not {len(names)}")
        out = []
        for name in names:
            ix = self.table.index_of(name)
            if ix < 0:
                raise UsageError(
                    f"-extraIndex field '{name}' is not a column of the autoSql "
                    f"(columns: {', '.join(self.table.field_names)})"
                )
            col = self.table.columns[ix]
            if col.type != "string" or col.is_list:
                raise UsageError(
                    f"-extraIndex field '{name}' has type '{col.type_text}': only 'string' columns can be indexed"
                )
            if ix in out:
                raise UsageError(f"-extraIndex field '{name}' is given twice")
            out.append(ix)
        return out


def _compare_with_standard(table: AsObject, bed_n: int, path: Optional[str]) -> None:
    """kent's check that the first ``bed_n`` columns are standard BED, saying which -type."""
    try:
        check_standard_bed(table, bed_n, path=path)
    except FormatError as err:
        raise FormatError(
            f"{err.what}; with -type=bed{bed_n} the first {bed_n} columns of the autoSql must be standard BED's",
            path=err.path,
            line=err.line,
        ) from None


def resolve_schema(
    bed_type: Optional[Union[str, BedType]],
    autosql: Optional[str],
    *,
    sniffed_fields: Optional[int] = None,
    autosql_path: Optional[str] = None,
    input_path: Optional[str] = None,
    sniffed_line: Optional[int] = None,
) -> BedSchema:
    """The column schema for ``bed_type`` and ``autosql``, resolved as kent's bedToBigBed does.

    - With an autoSql text, a type is required (it says how many columns are standard);
      fieldCount is the autoSql's column count.
    - Without one, the standard schema for bedN (+P extra ``lstring`` columns) is used.
    - Without a type, the column count of the first line (``sniffed_fields``) decides:
      bedN for up to 15 columns, bed15+P beyond.  ``input_path`` and ``sniffed_line``
      say where that line is, for errors.
    """
    if bed_type is None:
        if autosql is not None:
            raise UsageError(
                "an autoSql schema needs the BED type as well (e.g. -type=bed6+4), "
                "so that the number of standard BED columns is known"
            )
        if sniffed_fields is None:
            raise UsageError("no BED type given and no first line to guess it from")
        if sniffed_fields > MAX_SNIFFED_FIELDS:
            raise FormatError(
                f"too many columns ({sniffed_fields}) for a BED line; at most {MAX_SNIFFED_FIELDS} without -type",
                path=input_path,
                line=sniffed_line,
            )
        if sniffed_fields < 3:
            raise FormatError(
                f"the first BED line has {sniffed_fields} column{'s' if sniffed_fields != 1 else ''}; BED needs at least 3",
                path=input_path,
                line=sniffed_line,
            )
        n = min(sniffed_fields, MAX_STANDARD_FIELDS)
        btype = BedType(n, sniffed_fields - n if sniffed_fields > n else None)
    else:
        btype = BedType.parse(bed_type)
    if autosql is None:
        text = standard_bed_autosql(btype.bed_n, btype.bed_n + (btype.plus or 0))
        where = None
    else:
        text = autosql.split("\0", 1)[0]  # kent stores the text up to a NUL
        where = autosql_path
    table = parse_autosql(text, path=where)
    if table.kind != "table":
        raise FormatError(f"autoSql must define a table, not a {table.kind}", path=where)
    if autosql is None and btype.bed_n in (10, 13):
        # kent's own schema for these has a count column without its list, which its
        # standard-BED check then refuses; say so plainly.
        raise UsageError(
            f"-type=bed{btype.bed_n} cannot be used without -as (as in kent): the standard schema for "
            f"{btype.bed_n} columns has {'blockCount without blockSizes' if btype.bed_n == 10 else 'expCount without expIds'}; "
            f"use -type=bed{btype.bed_n - 1}+1 or give an autoSql"
        )
    _compare_with_standard(table, btype.bed_n, where)
    if len(table.columns) > MAX_BED_FIELDS:
        raise FormatError(f"autoSql has {len(table.columns)} columns, more than {MAX_BED_FIELDS}", path=where)
    schema = BedSchema(
        bed_n=btype.bed_n,
        field_count=len(table.columns),
        autosql=text,
        table=table,
        type_text=str(btype),
    )
    _column_rules(schema)
    return schema


def _column_rules(schema: BedSchema) -> None:
    names = [c.name for c in schema.table.columns]
    for col in schema.table.columns:
        kind, signed, nbytes, fixed, link = KIND_NONE, 0, 0, 0, -1
        width = _INT_WIDTH.get(col.type)
        if not (col.is_list or col.is_array):
            if width is not None:
                kind, (signed, nbytes) = KIND_INT, width
            elif col.type in ("float", "double"):
                kind = KIND_FLOAT
            elif col.type == "string":
                kind = KIND_STRING
        elif col.is_list and width is not None:
            kind, (signed, nbytes) = KIND_INT_LIST, width
            if col.linked_size_name:
                link = next(j for j, n in enumerate(names) if n.lower() == col.linked_size_name.lower())
            else:
                fixed = col.fixed_size
        schema.kinds.append(kind)
        schema.int_signed.append(int(signed))
        schema.int_bytes.append(nbytes)
        schema.list_fixed.append(fixed)
        schema.list_link.append(link)
        schema.size_link.append(int(col.is_size_link and width is not None and not col.is_list))


def is_track_line(line: bytes) -> bool:
    """True for a ``track`` or ``browser`` line (the words alone, or followed by white space)."""
    for word in (b"track", b"browser"):
        if line.startswith(word) and (len(line) == len(word) or line[len(word) : len(word) + 1].isspace()):
            return True
    return False


def sniff_field_count(line: bytes, tab: bool) -> int:
    """Columns in ``line`` as kent counts them when no -type is given."""
    line = line.rstrip(b"\r\n")
    if tab:
        return line.count(b"\t") + 1
    return len(line.split())


# --- chromosome sizes -------------------------------------------------------------------------


# --- text that is not text --------------------------------------------------------------------

#: first four bytes (either byte order) of binary files given where text is expected:
#: what the file is, and what to do instead when it was given as chrom.sizes
_MAGICS = (
    (0x1A412743, ".2bit", "use -sizesIs2Bit (in Python: sizes_is_2bit=True)"),  # twoBit signature
    (BIGBED_MAGIC, "bigBed",
     "for a chromAlias bigBed use -sizesIsChromAliasBb (or its old name -sizesIsBb)"),
    (BIGWIG_MAGIC, "bigWig", "give its chromosome sizes as text (bigWigInfo -chroms lists them)"),
    (0x6BE93D3A, ".nib", "give the chromosome sizes as text"),  # nib signature
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"


def binary_kind(head: bytes) -> Optional[str]:
    """What a file starting with ``head`` is, if it is binary: ".2bit", "bigBed", ...,
    "binary" for other binary data (a NUL byte, and control bytes: more than 1%, at least
    4), None for text.

    Text with a stray NUL or control byte is left to the line-by-line checks, which name
    the line (kent's tools read control characters other than NUL as text)."""
    if len(head) >= 4:
        for order in "<>":
            (magic,) = struct.unpack(order + "I", head[:4])
            for value, kind, _ in _MAGICS:
                if magic == value:
                    return kind
    sample = head[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\0" in sample and controls >= 4 and controls * 100 > len(sample):
        return "binary"
    return None


def printable(data: Union[bytes, str], limit: int = 80) -> str:
    """``data`` for an error message: UTF-8 text as is; bytes that are not UTF-8 and
    characters that do not print (controls, tabs, format characters) escaped as ``\\xNN``
    or ``\\uNNNN``; cut to ``limit`` characters with "...".  Never echoes raw binary."""
    text = data.decode("utf-8", errors="backslashreplace") if isinstance(data, (bytes, bytearray)) else data
    cut = len(text) > limit
    if cut:
        text = text[: max(limit - 3, 1)]
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else _escaped(ch) for ch in text)
    return text + "..." if cut else text


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _not_chrom_sizes(kind: str, path: str) -> FormatError:
    for _, name, advice in _MAGICS:
        if name == kind:
            return FormatError(f"looks like a {name} file, not a chrom.sizes text: {advice}", path=path)
    return FormatError(
        "holds binary data, not a chrom.sizes text (two columns: sequence name, size)", path=path
    )


def refuse_text_sizes(path: Union[str, "os.PathLike[str]"], expected: str, option: str) -> None:
    """Raise if ``path``, given as a binary ``expected`` file (".2bit", "bigBed") of chromosome
    sizes by ``option``, is text: most likely a chrom.sizes given with that option by mistake."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return  # the reader itself reports it
    if head and binary_kind(head) is None:
        raise FormatError(
            f"is text, not a {expected} file: for a chrom.sizes text leave out {option}", path=os.fspath(path)
        )


def read_chrom_sizes(source: Union[str, "os.PathLike[str]", Mapping[str, int]]) -> Dict[bytes, int]:
    """chrom.sizes (name and size per line, blank and ``#`` lines skipped) or a mapping.

    Returns a dict from the name as bytes to the size.  A name that repeats keeps its last
    size, as in kent.  A binary file (a .2bit, a bigBed, ...) is refused saying what it
    looks like and which option reads it.
    """
    if isinstance(source, Mapping):
        out: Dict[bytes, int] = {}
        for name, size in source.items():
            key = name.encode() if isinstance(name, str) else bytes(name)
            try:
                value = int(size)
            except (TypeError, ValueError):
                raise ArgumentError(f"chromosome size of {name!r} is not an integer: {size!r}") from None
            if not 0 <= value <= 0xFFFFFFFF:
                raise ArgumentError(f"chromosome size of {name!r} must be 0 to 4294967295, not {value}")
            out[key] = value
        return out
    if not isinstance(source, (str, os.PathLike)):
        raise ArgumentError(f"chrom_sizes must be a path or a mapping of name to size, not {type(source).__name__}")
    path = os.fspath(source)
    if re.match(r"(https?|ftp)://", path):
        raise UsageError(f"chrom.sizes from a URL is not supported ({path}): download it first")
    sizes: Dict[bytes, int] = {}
    with open_input(path) as f:
        head = f.read(4096)
        kind = binary_kind(head)
        if kind is not None:
            raise _not_chrom_sizes(kind, path)
        lines = itertools.chain(io.BytesIO(head + f.readline()), f)
        for lineno, raw in enumerate(lines, 1):
            line = raw.rstrip(b"\r\n")
            words = line.split()
            if not words or line.startswith(b"#"):
                continue
            if len(words) < 2 or not words[1].isdigit() or int(words[1]) > 0xFFFFFFFF:
                if binary_kind(line) is not None:
                    raise _not_chrom_sizes("binary", path)
            if len(words) < 2:
                raise FormatError(
                    "expected two columns, a sequence name and its size", path=path, line=lineno
                )
            size_text = words[1]
            if not size_text.isdigit() or int(size_text) > 0xFFFFFFFF:
                raise FormatError(
                    f"size '{printable(size_text, 40)}' of {printable(words[0], 60)} "
                    "is not an unsigned 32-bit integer",
                    path=path,
                    line=lineno,
                )
            sizes[words[0]] = int(size_text)
    return sizes


# --- records from Python objects -----------------------------------------------------------------


def render_records(
    records: Iterable[Any], field_count: int, *, chunk_lines: int = 8192, first_line: int = 1
) -> Iterator[bytes]:
    """Tab-separated BED text, in chunks of whole lines, from tuples or lists.

    Each record is either all ``field_count`` columns ``(chrom, start, end, name, ...)``,
    or ``(chrom, start, end, rest)`` with the remaining columns tab-joined in ``rest``
    (pybigtools' form).  Strings are written as UTF-8, integers (also numpy's) in decimal,
    floats holding whole numbers as integers (pandas makes integer columns with missing
    values float) and others with ``str``; ``None`` is an empty field; lists, tuples and
    arrays become kent's comma-separated form with a trailing comma.  Strings and bytes
    records are taken as ready-made lines.  The conversion runs in cext/bedtok.pyx.
    """
    from ._kernels import load

    render = load("bedtok").render_chunk
    iterator = iter(records)
    number = first_line
    while True:
        chunk = list(itertools.islice(iterator, chunk_lines))
        if not chunk:
            return
        text, bad, length = render(chunk, field_count)
        if bad >= 0:
            if text:
                yield text
            raise FormatError(
                f"record has {length} values; expected {field_count} columns"
                + (" or (chrom, start, end, rest)" if field_count > 4 else ""),
                line=number + bad,
            )
        number += len(chunk)
        yield text


def record_field_count(rec: Any) -> int:
    """Columns of one Python record (for guessing the type from the first one)."""
    if isinstance(rec, (str, bytes, bytearray)):
        text = rec.encode() if isinstance(rec, str) else bytes(rec)
        return sniff_field_count(text, True)
    n = len(rec)
    if n == 4 and isinstance(rec[3], (str, bytes)):
        rest = rec[3]
        if rest in ("", b""):
            return 3
        return 3 + (rest.count("\t") if isinstance(rest, str) else rest.count(b"\t")) + 1
    return n


# --- error codes of the tokenizer, in words ---------------------------------------------------------

# Codes shared with cext/bedtok.pyx (keep in sync).
E_FIELD_COUNT = 1
E_NUMBER = 2  # a = parse status, column = which
E_START_AFTER_END = 3
E_END_BEYOND_CHROM = 4
E_NOT_SORTED = 5
E_NAME_LONG = 6
E_SCORE_RANGE = 7
E_STRAND = 8
E_THICK_ORDER = 9
E_THICK_START_RANGE = 10
E_THICK_END_RANGE = 11
E_RGB = 12
E_BLOCK_COUNT = 13
E_LIST_COUNT = 14  # a = expected, b = found
E_FIRST_BLOCK = 15
E_BLOCK_ABSOLUTE = 16
E_BLOCK_PAST_END = 17
E_BLOCK_OVERLAP = 18
E_LAST_BLOCK = 19
E_EXP_COUNT = 20
E_STRING_LONG = 21
E_FLOAT = 22
E_LIST_SIZE = 23  # linked size < 1
E_TRACK_LINE = 24
E_NUL = 25
E_LINE_LONG = 26
E_NUMBER_IN_LIST = 27  # a = parse status, b = element index

_PARSE_PROBLEM = {
    1: "has characters after the number",
    2: "is out of range",
    3: "is negative",
    4: "is negative, which is not allowed here",
    5: "is empty where a number is required",
}

_NUMBER_KIND = {
    1: "unsigned integer",
    2: "unsigned integer",
    4: "integer",
    6: "unsigned integer",
    7: "unsigned integer",
    8: "unsigned integer",
    9: "integer",
}


def _number_kind(schema: BedSchema, column: int) -> str:
    if column < schema.bed_n:
        return _NUMBER_KIND.get(column, "integer")
    if schema.kinds[column] in (KIND_INT, KIND_INT_LIST):
        signed = schema.int_signed[column]
        bits = schema.int_bytes[column] * 8
        return f"{'signed' if signed else 'unsigned'} {bits}-bit integer"
    return "integer"


def describe_track_line() -> str:
    """Why a track or browser line is refused."""
    return "track and browser lines are not allowed in bedToBigBed input; remove them"


def describe_error(
    code: int,
    column: int,
    a: int,
    b: int,
    c: int,
    text: bytes,
    schema: BedSchema,
    *,
    chrom: bytes = b"",
) -> str:
    """The tokenizer's error ``code`` as a sentence (the caller adds file and line).

    ``a``, ``b``, ``c`` are the numbers the tokenizer reports with the code; ``text`` is
    the offending field (or line).
    """
    shown = printable(text, 80)
    name = schema.column_name(column) if column >= 0 else ""
    col = f"column {column + 1} ({name})" if column >= 0 else ""
    chrom_text = printable(chrom, 80)
    if code == E_FIELD_COUNT:
        hint = ""
        if schema.type_text.endswith("+") and a > schema.field_count:
            hint = (f"; a bare '+' in -type={schema.type_text} adds no columns unless an autoSql "
                    f"(-as) describes them: use -type={schema.type_text}{a - schema.bed_n}")
        elif a > schema.field_count:
            hint = "; is the type right, or do fields hold spaces (then use -tab)?"
        return f"expected {schema.field_count} columns ({schema.type_text}), found {a}{hint}"
    if code == E_NUMBER:
        return f"{col} '{shown}' {_PARSE_PROBLEM.get(a, 'is not a number')} (expected an {_number_kind(schema, column)})"
    if code == E_NUMBER_IN_LIST:
        return (f"{col}: value {b + 1} of '{shown}' {_PARSE_PROBLEM.get(a, 'is not a number')} "
                f"(expected a comma-separated list of {_number_kind(schema, column)}s)")
    if code == E_START_AFTER_END:
        return f"chromStart {a} is after chromEnd {b}"
    if code == E_END_BEYOND_CHROM:
        return (f"chromEnd {a} is beyond the end of {chrom_text}, which has {b} bases "
                "in the chromosome sizes")
    if code == E_NOT_SORTED:
        return (f"not sorted: chromStart {a} comes after chromStart {b} on {chrom_text}; "
                "sort with 'LC_ALL=C sort -k1,1 -k2,2n' or use -sort")
    if code == E_NAME_LONG:
        return f"{col} is {a} characters long; at most 255 are allowed"
    if code == E_SCORE_RANGE:
        return f"score {a} is outside 0-1000 (-fixScores clamps scores instead)"
    if code == E_STRAND:
        return f"strand '{shown}' must be +, - or ."
    if code == E_THICK_ORDER:
        return f"thickStart {a} is after thickEnd {b}"
    if code == E_THICK_START_RANGE:
        return f"thickStart {a} is outside the item {b}-{c} (it must be inside, or 0 for no thick part)"
    if code == E_THICK_END_RANGE:
        return f"thickEnd {a} is outside the item {b}-{c} (it must be inside, or 0 for no thick part)"
    if code == E_RGB:
        return f"itemRgb '{shown}' must be r,g,b with each value 0-255, or one integer"
    if code == E_BLOCK_COUNT:
        return f"blockCount {a} must be 1 or more"
    if code == E_LIST_COUNT:
        return f"{col} has {b} values where {a} are expected"
    if code == E_FIRST_BLOCK:
        return f"the first of chromStarts is {a}; it must be 0 (blocks span chromStart to chromEnd)"
    if code == E_BLOCK_ABSOLUTE:
        return (f"block {b + 1} starts at offset {a}, past chromEnd: chromStarts are offsets from "
                "chromStart, not positions on the chromosome")
    if code == E_BLOCK_PAST_END:
        return f"block {b + 1} starts at offset {a}, at or past chromEnd"
    if code == E_BLOCK_OVERLAP:
        return f"blocks {b} and {b + 1} overlap or are out of order (block {b + 1} starts at offset {a})"
    if code == E_LAST_BLOCK:
        return f"the last block ends at {a}, but chromEnd is {b}: blocks must span chromStart to chromEnd"
    if code == E_EXP_COUNT:
        return f"expCount {a} must be 1 or more"
    if code == E_STRING_LONG:
        return f"{col} is {a} characters long; a string column holds at most 255"
    if code == E_FLOAT:
        return f"{col} '{shown}' is not a number"
    if code == E_LIST_SIZE:
        if a < 0:
            return f"{col}: the column holding its length has no integer value"
        return f"{col}: its length column says {a}; lists must have 1 or more values"
    if code == E_TRACK_LINE:
        return describe_track_line()
    if code == E_NUL:
        return "the line contains a NUL byte"
    if code == E_LINE_LONG:
        return f"the line has {a} columns, more than the {MAX_BED_FIELDS} allowed"
    return f"invalid BED line (error {code})"
