"""autoSql: the schema language of bigBed files (parse, standard BED schemas, typed values).

Standard library only (the bigBed reader uses it to type records).

Grammar (kent src/lib/asParse.c, restated)::

    object  := ("table" | "object" | "simple") NAME STRING "(" column* ")"
    column  := TYPE [OBJNAME] [ "[" (NUMBER | FIELD) "]" | "(" VALUE ("," VALUE)* [","] ")" ]
               NAME [("primary" | "unique" | "index") ["[" NUMBER "]"]] ["auto"] ";" STRING

Tokens are words of letters, digits and ``_``; strings in double or single quotes; any other
character stands alone.  Type names compare case-insensitively.  ``#`` outside a string
starts a comment to the end of the line (kent's own gencodeBGP.as has such lines).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple, Union

from .errors import FormatError

__all__ = [
    "AsColumn",
    "AsObject",
    "parse_autosql",
    "parse_autosql_all",
    "standard_bed_autosql",
    "check_standard_bed",
    "STANDARD_BED_FIELDS",
    "LOW_TYPES",
]

#: low-level types kent knows, lower-case
LOW_TYPES = (
    "double",
    "float",
    "char",
    "int",
    "uint",
    "short",
    "ushort",
    "byte",
    "ubyte",
    "bigint",
    "string",
    "lstring",
    "enum",
    "set",
    "object",
    "table",
    "simple",
)
INT_TYPES = frozenset({"int", "uint", "short", "ushort", "byte", "ubyte", "bigint"})
FLOAT_TYPES = frozenset({"float", "double"})

#: names of the 15 standard BED columns, in order
STANDARD_BED_FIELDS = (
    "chrom",
    "chromStart",
    "chromEnd",
    "name",
    "score",
    "strand",
    "thickStart",
    "thickEnd",
    "reserved",
    "blockCount",
    "blockSizes",
    "chromStarts",
    "expCount",
    "expIds",
    "expScores",
)


@dataclass
class AsColumn:
    """One column of an autoSql object."""

    type: str  # low-level type name, lower-case ("uint", "char", "string", ...)
    name: str
    comment: str = ""
    is_list: bool = False  # TYPE[N] or TYPE[field] (not char[N])
    is_array: bool = False  # simple-object arrays
    fixed_size: int = 0  # N of TYPE[N] / char[N]
    linked_size_name: Optional[str] = None  # field of TYPE[field]
    is_size_link: bool = False  # another column's length is this column
    values: Tuple[str, ...] = ()  # enum/set symbols
    object_name: Optional[str] = None  # for object/simple columns
    index: Optional[str] = None  # "primary" / "unique" / "index"
    auto: bool = False

    @property
    def type_text(self) -> str:
        """The declaration as autoSql writes it, e.g. ``int[blockCount]`` or ``char[1]``."""
        base = self.type
        if self.object_name:
            base += " " + self.object_name
        if self.values:
            return f"{base}({', '.join(self.values)})"
        if self.linked_size_name:
            return f"{base}[{self.linked_size_name}]"
        if self.fixed_size:
            return f"{base}[{self.fixed_size}]"
        return base

    def converter(self) -> Callable[[str], object]:
        """A function turning this column's BED text into a Python value.

        Integers -> int, float/double -> float, lists -> tuple (comma-separated, trailing
        comma allowed), set -> tuple of str, everything else -> str unchanged.
        """
        if self.is_list or self.is_array:
            inner: Callable[[str], object]
            inner = int if self.type in INT_TYPES else float if self.type in FLOAT_TYPES else str
            return lambda text: tuple(inner(v) for v in text.split(",") if v != "")
        if self.type in INT_TYPES:
            return int
        if self.type in FLOAT_TYPES:
            return float
        if self.type == "set":
            return lambda text: tuple(v for v in text.split(",") if v != "")
        return str


@dataclass
class AsObject:
    """A parsed autoSql table/object definition."""

    name: str
    comment: str
    columns: List[AsColumn] = field(default_factory=list)
    kind: str = "table"  # "table", "object" or "simple"

    @property
    def field_names(self) -> List[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Optional[AsColumn]:
        """The column called ``name`` (exact match), or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None

    def index_of(self, name: str) -> int:
        """Position of column ``name``, or -1."""
        for i, col in enumerate(self.columns):
            if col.name == name:
                return i
        return -1


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<word>[A-Za-z0-9_]+)
      | "(?P<dq>(?:[^"\\\n]|\\.)*)"?
      | '(?P<sq>(?:[^'\\\n]|\\.)*)'?
      | (?P<char>\S)
    )""",
    re.VERBOSE,
)


class _Tokens:
    """Token stream with line numbers, for error messages."""

    def __init__(self, text: str, path: Optional[str]) -> None:
        self.path = path
        self.tokens: List[Tuple[str, int, bool]] = []  # (text, line, is_string)
        for lineno, line in enumerate(text.splitlines(), 1):
            pos = 0
            while True:
                m = _TOKEN.match(line, pos)
                if m is None or m.end() == pos:
                    break
                pos = m.end()
                if m.group("word") is not None:
                    self.tokens.append((m.group("word"), lineno, False))
                elif m.group("dq") is not None:
                    self.tokens.append((m.group("dq"), lineno, True))
                elif m.group("sq") is not None:
                    self.tokens.append((m.group("sq"), lineno, True))
                elif m.group("char") == "#":
                    break
                elif m.group("char") is not None:
                    self.tokens.append((m.group("char"), lineno, False))
        self.pos = 0

    def error(self, what: str) -> FormatError:
        line = self.tokens[min(self.pos, len(self.tokens) - 1)][1] if self.tokens else 1
        return FormatError(f"autoSql: {what}", path=self.path, line=line)

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self) -> str:
        if self.at_end():
            raise self.error("unexpected end of text")
        return self.tokens[self.pos][0]

    def next(self) -> str:
        tok = self.peek()
        self.pos += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.next()
        if tok != text:
            self.pos -= 1
            raise self.error(f"expected '{text}' but found '{tok}'")


def _parse_column(tk: _Tokens, obj: AsObject) -> AsColumn:
    type_word = tk.next()
    low = type_word.lower()
    if low not in LOW_TYPES:
        tk.pos -= 1
        raise tk.error(f"unknown type '{type_word}'")
    col = AsColumn(type=low, name="")
    if low in ("object", "table", "simple"):
        col.object_name = tk.next()
    tok = tk.next()
    if tok == "[":
        if low == "simple":
            col.is_array = True
        else:
            col.is_list = True
        size = tk.next()
        if size.isdigit():
            col.fixed_size = int(size)
        elif size[:1].isalpha():
            col.linked_size_name = size
            linked = next((c for c in obj.columns if c.name.lower() == size.lower()), None)
            if linked is None:
                tk.pos -= 1
                raise tk.error(f"array size field '{size}' is not defined before it is used")
            linked.is_size_link = True
        else:
            tk.pos -= 1
            raise tk.error("must have column name or integer inside []'s")
        tk.expect("]")
        tok = tk.next()
    elif tok == "(":
        values = []
        tok = tk.next()
        while tok != ")":
            values.append(tok)
            tok = tk.next()
            if tok not in (",", ")"):
                tk.pos -= 1
                raise tk.error(f"expected ',' or ')' but found '{tok}'")
            if tok == ",":
                tok = tk.next()
        col.values = tuple(values)
        tok = tk.next()
    col.name = tok
    if not re.match(r"[A-Za-z_][A-Za-z0-9_]*\Z", col.name):
        tk.pos -= 1
        raise tk.error(f"expected a column name but found '{col.name}'")
    if any(c.name.lower() == col.name.lower() for c in obj.columns):
        tk.pos -= 1
        raise tk.error(f"duplicate column name '{col.name}'")
    tok = tk.next()
    if tok in ("primary", "unique", "index"):
        col.index = tok
        tok = tk.next()
        if tok == "[":
            size = tk.next()
            if not size.isdigit():
                tk.pos -= 1
                raise tk.error(f"expecting a number but found '{size}'")
            tk.expect("]")
            tok = tk.next()
    if tok == "auto":
        if low not in INT_TYPES:
            raise tk.error(f"auto with non-integer type for field {col.name}")
        col.auto = True
        tok = tk.next()
    if tok != ";":
        tk.pos -= 1
        raise tk.error(f"expected ';' after column '{col.name}' but found '{tok}'")
    if tk.at_end():
        raise tk.error(f"missing comment string after column '{col.name}'")
    col.comment = tk.next()
    if low == "char" and col.fixed_size:
        col.is_list = False  # char[N] is a fixed-width string, not a list
    return col


def parse_autosql_all(text: str, *, path: Optional[str] = None) -> List[AsObject]:
    """Parse every object defined in ``text``; raises FormatError naming the line."""
    tk = _Tokens(text, path)
    objects: List[AsObject] = []
    while not tk.at_end():
        kind = tk.next().lower()
        if kind not in ("table", "object", "simple"):
            tk.pos -= 1
            raise tk.error(f"expecting 'table' or 'object' but found '{tk.peek()}'")
        name = tk.next()
        comment = tk.next()
        obj = AsObject(name=name, comment=comment, kind=kind)
        tk.expect("(")
        while tk.peek() != ")":
            obj.columns.append(_parse_column(tk, obj))
        tk.next()
        if any(o.name.lower() == name.lower() for o in objects):
            raise tk.error(f"duplicate definition of {name}")
        objects.append(obj)
    if not objects:
        raise FormatError("autoSql: no table definition found", path=path, line=1)
    return objects


def parse_autosql(text: str, *, path: Optional[str] = None) -> AsObject:
    """Parse autoSql ``text`` and return its first object (the one bigBed files use)."""
    return parse_autosql_all(text, path=path)[0]


# The standard BED schema, word for word as kent's bedToBigBed stores it in files that
# were made without -as (its text is part of the file format users compare against).
_STANDARD_BED_HEAD = (
    "table bed\n"
    '"Browser Extensible Data"\n'
    "   (\n"
    '   string chrom;       "Reference sequence chromosome or scaffold"\n'
    '   uint   chromStart;  "Start position in chromosome"\n'
    '   uint   chromEnd;    "End position in chromosome"\n'
)
_STANDARD_BED_LINES = (
    '   string name;        "Name of item."\n',
    '   uint score;          "Score (0-1000)"\n',
    '   char[1] strand;     "+ or - for strand"\n',
    '   uint thickStart;   "Start of where display should be thick (start codon)"\n',
    '   uint thickEnd;     "End of where display should be thick (stop codon)"\n',
    '   uint reserved;     "Used as itemRgb as of 2004-11-22"\n',
    '   int blockCount;    "Number of blocks"\n',
    '   int[blockCount] blockSizes; "Comma separated list of block sizes"\n',
    '   int[blockCount] chromStarts; "Start positions relative to chromStart"\n',
    '   int expCount;\t"Experiment count"\n',
    '   int[expCount] expIds;\t"Comma separated list of experiment ids. Always 0,1,2,3...."\n',
    '   float[expCount] expScores; "Comma separated list of experiment scores."\n',
)


def standard_bed_autosql(bed_fields: int, total_fields: Optional[int] = None) -> str:
    """The autoSql kent writes for ``-type=bed{bed_fields}[+extra]`` without ``-as``.

    Extra columns are ``lstring`` and numbered as kent numbers them (one past their
    1-based position: the first extra column of a bed6+ is ``field8``).
    """
    total = bed_fields if total_fields is None else total_fields
    if not 3 <= bed_fields <= 15:
        raise ValueError(f"BED field count must be between 3 and 15, not {bed_fields}")
    if total < bed_fields:
        raise ValueError(f"total field count {total} is less than BED field count {bed_fields}")
    text = _STANDARD_BED_HEAD + "".join(_STANDARD_BED_LINES[: bed_fields - 3])
    for i in range(bed_fields + 1, total + 1):
        text += f'lstring field{i + 1};\t"Undocumented field"\n'
    return text + "   )\n"


def _standard_bed_object() -> AsObject:
    return parse_autosql(standard_bed_autosql(15))


def check_standard_bed(obj: AsObject, n: int, *, path: Optional[str] = None) -> None:
    """Raise FormatError unless the first ``n`` columns of ``obj`` are standard BED's.

    Compares what kent compares: names (column 9 may be ``reserved`` or ``itemRgb``),
    list/array-ness, size links, types and sizes.
    """
    if n > 15:
        raise FormatError(f"there are only 15 standard BED columns, not {n}", path=path)
    standard = _standard_bed_object()
    if obj.kind != "table":
        raise FormatError(f"autoSql object '{obj.name}' must be a table to describe BED", path=path)
    if len(obj.columns) < n:
        raise FormatError(
            f"autoSql '{obj.name}' has {len(obj.columns)} columns, fewer than the {n} standard BED columns",
            path=path,
        )
    for i, (mine, std) in enumerate(zip(obj.columns[:n], standard.columns[:n]), 1):
        problems = []
        if mine.name != std.name and not (std.name == "reserved" and mine.name == "itemRgb"):
            # current kent accepts itemRgb, the column's meaning since 2004, as well as reserved
            problems.append(f"name is '{mine.name}', standard BED has '{std.name}'")
        elif (mine.is_list, mine.is_array, mine.is_size_link) != (std.is_list, std.is_array, std.is_size_link):
            problems.append(f"'{mine.type_text} {mine.name}' differs in shape from standard '{std.type_text} {std.name}'")
        elif mine.type != std.type or mine.fixed_size != std.fixed_size or mine.linked_size_name != std.linked_size_name:
            problems.append(f"type is '{mine.type_text}', standard BED has '{std.type_text}'")
        if problems:
            raise FormatError(
                f"autoSql column #{i} does not match standard BED: {problems[0]}",
                path=path,
            )


def columns_for(obj: AsObject, names: Sequence[str]) -> List[int]:
    """Indexes of ``names`` in ``obj`` (FormatError naming the first that is missing)."""
    out = []
    for name in names:
        ix = obj.index_of(name)
        if ix < 0:
            raise FormatError(f"no field named '{name}' in autoSql '{obj.name}' (fields: {', '.join(obj.field_names)})")
        out.append(ix)
    return out


Scalar = Union[int, float, str, tuple]
