"""GFF3: parse records, link them into gene trees, and build genePreds as kent does.

The rules are those of kent's ``gff3ToGenePred`` (gff3.c and the tool), restated:

Parsing
  The file starts with ``##gff-version 3``.  Lines starting with ``#`` are comments,
  ``##`` lines are directives (``##FASTA`` ends the annotations).  A record has exactly 9
  tab-separated columns (runs of tabs count as one separator).  Coordinates become 0-based,
  half-open; ``.`` means no score / strand / phase.  Attributes are ``tag=value[,value]``
  pairs separated by ``;``, URL-escaped (``%3B``); tags may only hold letters, digits, ``-``
  and ``_``; tags starting with an upper-case letter must be one of the GFF3 standard ones.
  Records sharing an ``ID`` are the parts of one discontinuous feature (same type and
  parents required).  ``Parent`` links children to parents; records without a parent are
  the roots of the trees.  The files are read one sequence at a time (bounded memory), so
  a record's parents and parts must be on its own sequence, as they are in GENCODE, Ensembl
  and RefSeq files; a parent on another sequence is reported as not found, where kent
  would link the two.

  Problems are counted and reported (``path:line: what``) until a limit is reached; some of
  them ("can be a warning") become warnings with ``warn_when_possible``.  Any error left
  after parsing aborts the conversion.

Conversion
  Roots are processed from the last to the first.  A ``gene`` (or ``pseudogene``) yields
  one genePred per transcript-like child (mRNA, ncRNA, rRNA, tRNA, transcript,
  primary_transcript, [CDJV]_gene_segment, or a CDS directly under the gene); a
  transcript-like root yields its own.  Exons are the transcript's ``exon`` children, or
  its UTR and CDS pieces when it has no exon, or the transcript itself when it has
  neither; adjacent blocks merge.  The CDS spans the ``CDS`` children, whose phases give
  the exon frames (several CDS pieces in one exon, i.e. ribosomal frameshifts, split it).
  The genePred is named after the transcript's ``Name`` (else its ``ID``), name2 after the
  gene's ``ID``; both can come from another attribute.  Every genePred is checked (kent's
  genePredCheck) before it is written.
"""
from __future__ import annotations

import contextlib
import gc
import math
import re
import struct
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..errors import FormatError, UsageError
from .genepred import FIELDS_ALL, GenePred, genepred_check
from .textio import decode_line

__all__ = [
    "Gff3Record",
    "Gff3File",
    "Gff3ParseError",
    "Gff3Options",
    "parse_gff3",
    "Gff3Converter",
    "format_gff3_record",
    "no_gc",
]

_SPACE = " \t\n\v\f\r"
_STANDARD_TAGS = frozenset({
    "ID", "Name", "Alias", "Parent", "Target", "Gap", "Derives_from", "Note", "Dbxref",
    "Ontology_term", "Is_circular",
})
_SINGLE_VALUE_TAGS = ("ID", "Name", "Target", "Gap")
_TAG_CHARS = re.compile(r"[A-Za-z0-9_-]+\Z")
#: tags already found valid (the same few dozen recur on every line)
_VALID_TAGS: set = set()
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_KNOWN_DIRECTIVES = (
    "##sequence-region", "##feature-ontology", "##attribute-ontology", "##source-ontology",
    "##species", "##genome-build", "##gff-spec-version", "##source-version", "##source",
    "##date", "##Type",
)

GENE_TYPES = ("gene", "pseudogene", "ncRNA_gene")
SEGMENT_TYPES = ("C_gene_segment", "D_gene_segment", "J_gene_segment", "V_gene_segment")
TRANSCRIPT_TYPES = frozenset({
    "mRNA", "ncRNA", "CDS", "rRNA", "tRNA", *SEGMENT_TYPES, "transcript", "primary_transcript",
})
_PHASE_TO_FRAME = {0: 0, 1: 2, 2: 1}


_NONE: tuple = ()


class Gff3Record:
    """One GFF3 annotation record (coordinates 0-based, half-open)."""

    __slots__ = (
        "seqid", "source", "type", "start", "end", "score", "strand", "phase", "attrs",
        "id", "name", "parent_ids", "parents", "children", "line", "next_part",
    )

    def __init__(self, line: int) -> None:
        self.line = line
        self.seqid = self.source = self.type = ""
        self.start = self.end = 0
        self.score: Optional[float] = None
        self.strand: Optional[str] = None
        self.phase = -1
        #: attribute tag -> list of (unescaped) values, in file order
        self.attrs: Dict[str, List[str]] = {}
        self.id: Optional[str] = None
        self.name: Optional[str] = None
        # shared empty tuples until a record has parents or children (most have neither)
        self.parent_ids: Sequence[str] = ()
        self.parents: List["Gff3Record"] = _NONE
        self.children: List["Gff3Record"] = _NONE
        #: next part of a discontinuous feature (records sharing an ID)
        self.next_part: Optional["Gff3Record"] = None

    def attr(self, tag: str) -> Optional[str]:
        """First value of attribute ``tag``, or None."""
        values = self.attrs.get(tag)
        return values[0] if values else None

    def __repr__(self) -> str:
        return f"Gff3Record({self.type} {self.id or self.name} {self.seqid}:{self.start}-{self.end}, line {self.line})"


class Gff3ParseError(FormatError):
    """The GFF3 file had errors; ``messages`` holds each, as reported."""

    def __init__(self, messages: Sequence[str], *, path: str) -> None:
        self.messages = list(messages)
        super().__init__(f"GFF3: {len(self.messages)} parser errors", path=path)

    @property
    def message(self) -> str:  # the messages name their own file and line
        return f"GFF3: {len(self.messages)} parser errors"


@dataclass
class Gff3File:
    """A parsed GFF3 file: every record in file order, the roots, and records by ID."""

    path: str
    records: List[Gff3Record]
    roots: List[Gff3Record]
    by_id: Dict[str, Gff3Record]

    def release(self) -> None:
        """Break the parent/child links so that the records are freed at once (without
        waiting for Python's cycle collector)."""
        for rec in self.records:
            rec.parents = rec.children = _NONE
            rec.next_part = None
        self.records = []
        self.roots = []
        self.by_id = {}


def _float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0] if math.isfinite(value) else value


class _Parser:
    """State of one parse: error counting and the records read so far."""

    def __init__(self, path: str, max_errors: int, warn_when_possible: bool,
                 report: Callable[[str], None]) -> None:
        self.path = path
        self.max_errors = max_errors
        self.warn_when_possible = warn_when_possible
        self.report = report
        self.messages: List[str] = []
        self.records: List[Gff3Record] = []
        self.by_id: Dict[str, Gff3Record] = {}
        self.id_order: List[str] = []
        self.lineno: Optional[int] = None

    def error(self, what: str, *, can_warn: bool = False) -> None:
        where = f"{self.path}:{self.lineno}: " if self.lineno is not None else ""
        if can_warn and self.warn_when_possible:
            self.report(f"WARNING: {where}{what}")
            return
        text = f"{where}{what}" + (" (error can be a warning)" if can_warn else "")
        self.report(text)
        self.messages.append(text)
        if len(self.messages) > self.max_errors:
            raise Gff3ParseError(self.messages, path=self.path)

    # -- records ---------------------------------------------------------------------

    def unescape(self, text: str) -> str:
        if "%" not in text:
            return text
        out = []
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c == "%":
                m = _ESCAPE.match(text, i)
                if m is None:
                    self.error(f"invalid GFF escape sequence in string: {text}")
                    out.append(c)
                    i += 1
                    continue
                out.append(chr(int(m.group(1), 16)))
                i += 3
            else:
                out.append(c)
                i += 1
        return "".join(out)

    def integer(self, text: str, what: str) -> Optional[int]:
        if not text.isdigit() or not text.isascii():
            self.error(f"invalid integer: {text}")
            return None
        value = int(text)
        if value > 2**31 - 1:
            self.error(f"{what} {value} is too large")
            return None
        return value

    def record(self, text: str) -> None:
        cols = [c for c in text.split("\t") if c]
        if len(cols) != 9:
            self.error(f"expected 9 tab-separated columns: {text}")
            return
        rec = Gff3Record(self.lineno or 0)
        rec.seqid = self.unescape(cols[0])
        rec.source = self.unescape(cols[1])
        rec.type = self.unescape(cols[2])
        start = self.integer(cols[3], "start")
        end = self.integer(cols[4], "end")
        if start is None or end is None:
            return
        if start == 0 or start > end + 1:
            self.error(f"invalid coordinates: start {start} is after end {end}" if start else "start is 0 (GFF3 is 1-based)")
            return
        rec.start, rec.end = start - 1, end
        if cols[5] != ".":
            try:
                rec.score = _float32(float(cols[5]))
            except ValueError:
                self.error(f"invalid float: {cols[5]}")
        strand = cols[6]
        if strand in ("+", "-", "?"):
            rec.strand = strand
        elif strand != ".":
            self.error(f"invalid strand: '{strand}'")
        phase = cols[7]
        if phase != ".":
            if phase in ("0", "1", "2"):
                rec.phase = int(phase)
            else:
                self.error(f"invalid phase: {phase}")
        if rec.type == "CDS" and rec.phase < 0:
            self.error("CDS feature must have phase", can_warn=True)
        self.attributes(rec, cols[8])
        self.standard_attributes(rec)
        self.records.append(rec)

    def record_tokens(self, tokens) -> None:
        """A record from the compiled tokenizer's split of a line (see ``tokenize_gff3``)."""
        rec = Gff3Record(self.lineno or 0)
        rec.seqid, rec.source, rec.type, rec.start, rec.end, score, rec.strand, rec.phase, rec.attrs, upper = tokens
        if score is not None:
            try:
                rec.score = _float32(float(score))
            except ValueError:
                self.error(f"invalid float: {score}")
        if rec.type == "CDS" and rec.phase < 0:
            self.error("CDS feature must have phase", can_warn=True)
        self.standard_attributes(rec, upper)
        self.records.append(rec)

    def attributes(self, rec: Gff3Record, column: str) -> None:
        attrs = rec.attrs
        escaped = "%" in column
        valid = _VALID_TAGS
        for part in column.split(";"):
            part = part.strip(_SPACE)
            if not part:
                continue
            eq = part.find("=")
            if eq <= 0:
                self.error(f"expected name=value: {part}")
                continue
            tag = part[:eq]
            if escaped:
                tag = self.unescape(tag)
            if tag not in valid:
                if not _TAG_CHARS.match(tag):
                    self.error(f'invalid attribute tag, must be only alphanumeric, dash or underscore: {tag}',
                               can_warn=True)
                    continue
                if len(valid) < 10000:
                    valid.add(tag)
            text = part[eq + 1:]
            if "," in text:
                values = [v for v in text.split(",") if v] or [""]
            else:
                values = [text]
            if escaped:
                values = [self.unescape(v) for v in values]
            existing = attrs.get(tag)
            if existing is None:
                attrs[tag] = values
            else:
                existing.extend(values)

    def standard_attributes(self, rec: Gff3Record, upper: Optional[List[str]] = None) -> None:
        attrs = rec.attrs
        tags = upper if upper is not None else [t for t in attrs if t[0].isupper()]
        for tag in tags:
            values = attrs[tag]
            if tag not in _STANDARD_TAGS:
                self.error(f"unknown standard attribute, user defined attributes must start with a lower-case letter: {tag}")
                continue
            if tag in _SINGLE_VALUE_TAGS and len(values) > 1:
                self.error(f"attribute {tag} must have a single value, found multiple comma-separated values")
            if tag == "ID":
                rec.id = values[0]
            elif tag == "Name":
                rec.name = values[0]
            elif tag == "Parent":
                rec.parent_ids = values
            elif tag == "Target":
                words = values[0].split()
                if not 3 <= len(words) <= 4:
                    self.error(f'expected Target attribute in the form "target_id start end [strand]", got "{values[0]}"')
        if rec.id is not None:
            head = self.by_id.get(rec.id)
            if head is None:
                self.by_id[rec.id] = rec
                self.id_order.append(rec.id)
            else:
                rec.next_part = head.next_part
                head.next_part = rec

    # -- whole file ------------------------------------------------------------------

    def header(self, text: Optional[str]) -> None:
        if text is None:
            self.error("empty GFF file, must have header")
            return
        words = text.split(None, 1)
        version = words[1].strip(_SPACE) if len(words) > 1 else ""
        if not (words and words[0] == "##gff-version" and (version == "3" or version.startswith("3."))):
            self.error("invalid GFF3 header")

    def directive(self, text: str) -> bool:
        """Handle a ``##`` line; returns False when the annotations end (##FASTA)."""
        text = text.rstrip(_SPACE)
        if text == "###":
            return True
        if text == "##FASTA":
            return False
        word = text.split(None, 1)[0]
        if word in _KNOWN_DIRECTIVES or word == "##gff-version":
            return True
        self.error(f"invalid meta line: {text}")
        return True

    def resolve(self) -> Tuple[List[Gff3Record], Dict[str, Gff3Record]]:
        """Link parts, parents and children; return the roots (last record first)."""
        self.lineno = None
        multi = [ident for ident in self.id_order if self.by_id[ident].next_part is not None]
        for ident in _kent_hash_order(multi, len(self.id_order)):
            head = self.by_id[ident]
            parts = []
            rec: Optional[Gff3Record] = head
            while rec is not None:
                parts.append(rec)
                rec = rec.next_part
            parts.sort(key=lambda r: (r.start, r.end))
            head = parts[0]
            for part in parts[1:]:
                if part.type != head.type:
                    self.error(
                        f'Annotation records for discontinuous features with ID="{ident}" do not have the '
                        f'same type, found "{head.type}" and "{part.type}"'
                    )
                    break
                if part.parent_ids != head.parent_ids:
                    self.error(
                        f'Annotation records for discontinuous features with ID="{ident}" must have same '
                        f'parent, found: "{",".join(head.parent_ids)}" and "{",".join(part.parent_ids)}"'
                    )
                    break
            for a, b in zip(parts, parts[1:]):
                a.next_part = b
            parts[-1].next_part = None
            self.by_id[ident] = head
        roots: List[Gff3Record] = []
        for rec in self.records:
            for pid in rec.parent_ids:
                parent = self.by_id.get(pid)
                if parent is None:
                    self.lineno = rec.line if not self.warn_when_possible else None
                    self.error(
                        f'Can\'t find annotation record "{pid}" referenced by "{rec.id or "(null)"}" Parent attribute',
                        can_warn=True,
                    )
                    self.lineno = None
                    continue
                if rec.parents is _NONE:
                    rec.parents = []
                rec.parents.append(parent)
            for parent in rec.parents:
                if parent.children is _NONE:
                    parent.children = []
                parent.children.append(rec)
            if not rec.parent_ids:
                roots.append(rec)  # an orphan (unknown parent, a warning) is not a root
        # kent builds these lists by pushing at the head: last record first
        roots.reverse()
        for rec in self.records:
            if len(rec.children) > 1:
                rec.children.reverse()
        return roots, self.by_id


class DirectiveChecker:
    """Checks the header and the ``##`` directives of a GFF3 file as its comment lines go by.

    Made to be a :class:`~.partition.Partition`'s ``on_comment`` callback: call it with
    ``(line number, raw line)`` for each comment or empty line in file order; it returns
    False at ``##FASTA``, where the annotations end.  Call :meth:`finish` after the pass.
    ``messages`` collects ``(line number, message)`` for each problem (0: no line).
    """

    def __init__(self, path: str) -> None:
        self.messages: List[Tuple[int, str]] = []
        self._parser = _Parser(path, 2**62, False, lambda m: None)
        self._seen_line1 = False

    def _collect(self, lineno: int) -> None:
        self.messages.extend((lineno, m) for m in self._parser.messages)
        self._parser.messages.clear()

    def __call__(self, lineno: int, raw: bytes) -> Optional[bool]:
        text = decode_line(raw)
        parser = self._parser
        parser.lineno = lineno
        keep = True
        if lineno == 1:
            self._seen_line1 = True
            parser.header(text)
        elif text.startswith("##"):
            keep = parser.directive(text)
        self._collect(lineno)
        return None if keep else False

    def finish(self, first_record_line: Optional[int]) -> None:
        """Complete the header check once the pass is over: ``first_record_line`` is the
        line number of the first record (None: no record)."""
        if first_record_line == 1:
            self._parser.lineno = 1
            self._parser.header("")  # a record where the header should be
            self._collect(1)
        elif not self._seen_line1:
            self._parser.lineno = None
            self._parser.header(None)  # no line at all
            self._collect(0)


@contextlib.contextmanager
def no_gc():
    """Pause Python's cyclic garbage collector while building many small objects.

    Parsing creates hundreds of thousands of records, dicts and lists; every few hundred
    allocations the collector would walk all of them again (quadratic time).  Nothing
    built here needs it until the records are dropped.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _tokenizer():
    """The compiled line tokenizer, or None without the kernels (the Python path is used)."""
    from .fastgtf import kernel

    k = kernel()
    return getattr(k, "tokenize_gff3", None) if k is not None else None


def _kent_string_hash(text: str) -> int:
    value = 0
    for c in text.encode("utf-8", "surrogateescape"):
        value = (value + (value << 3) + c) & 0xFFFFFFFF
    return value


def _kent_hash_order(keys: Sequence[str], table_count: Optional[int] = None) -> List[str]:
    """``keys`` (distinct, in insertion order) in the order kent's hash table lists them.

    kent reports per-ID problems while walking its ID hash; walking in the same order
    keeps the messages in kent's order.  ``table_count`` is the number of entries of the
    whole table (its size depends on it), when ``keys`` are only some of them.
    """
    size = 4096
    count = len(keys) if table_count is None else table_count
    while count > size:
        size *= 2
    mask = size - 1
    order = sorted(range(len(keys)), key=lambda i: (_kent_string_hash(keys[i]) & mask, -i))
    return [keys[i] for i in order]


def parse_gff3(lines: Iterable[Tuple[int, bytes]], path: str, *, max_errors: int = 50,
               warn_when_possible: bool = False,
               report: Optional[Callable[[str], None]] = None, header: bool = True) -> Gff3File:
    """Parse GFF3 from ``(line number, raw bytes)`` pairs.

    Args:
        header: the first pair is the ``##gff-version 3`` header (False when the lines are
            a subset, e.g. one sequence's, and the header was checked already).
        max_errors: stop after this many errors (negative: no limit).
        warn_when_possible: report the errors that allow it as warnings and go on.
        report: receives each error or warning message as it happens.

    Raises:
        Gff3ParseError: the file had errors (all of them are in ``messages``).
    """
    with no_gc():
        return _parse(lines, path, max_errors, warn_when_possible, report, header)


def _parse(lines, path, max_errors, warn_when_possible, report, header) -> Gff3File:
    messages: List[str] = []
    parser = _Parser(path, max_errors if max_errors >= 0 else 2**62, warn_when_possible,
                     report if report is not None else messages.append)
    first = header
    tokenize = _tokenizer()
    for lineno, raw in lines:
        if tokenize is not None and not first and raw[:1] != b"#":
            body = raw[:-1] if raw.endswith(b"\n") else raw
            if body:
                tokens = tokenize(body)
                if tokens is not None:
                    parser.lineno = lineno
                    parser.record_tokens(tokens)
                    continue
        text = decode_line(raw)
        parser.lineno = lineno
        if first:
            first = False
            parser.header(text)
            continue
        if text.startswith("##"):
            if not parser.directive(text):
                break
        elif text.startswith("#") or not text:
            continue
        else:
            parser.record(text)
    if first and header:
        parser.lineno = None
        parser.header(None)
    roots, by_id = parser.resolve()
    if parser.messages:
        raise Gff3ParseError(parser.messages, path=path)
    return Gff3File(path, parser.records, roots, by_id)


# ----------------------------------------------------------------------------------------
# conversion


@dataclass
class Gff3Options:
    """Options of the GFF3 -> genePred conversion (kent's gff3ToGenePred flags)."""

    rna_name_attr: Optional[str] = None
    gene_name_attr: Optional[str] = None
    use_name: bool = False
    honor_start_stop_codons: bool = False
    default_cds_status_unknown: bool = False
    allow_minimal_genes: bool = False
    process_all_gene_children: bool = False
    refseq_hacks: bool = False
    warn_and_continue: bool = False
    #: stop after this many conversion errors (negative: no limit)
    max_convert_errors: int = 50

    def __post_init__(self) -> None:
        if self.honor_start_stop_codons and self.default_cds_status_unknown:
            raise UsageError("can't specify both -honorStartStopCodons and -defaultCdsStatusToUnknown")
        if self.max_convert_errors < 0:
            self.max_convert_errors = 2**62
        if self.refseq_hacks:
            self.use_name = True
            self.allow_minimal_genes = True
            self.process_all_gene_children = True


def _is_gene_type(type_: str) -> bool:
    return type_ in GENE_TYPES or (type_.endswith("_gene") and not type_.endswith("_gene_segment"))


def _sorted_children(rec: Gff3Record, type_: str) -> List[Gff3Record]:
    # children are kept last-first like kent's; its stable sort sees them in file order
    kids = [c for c in reversed(rec.children) if c.type == type_]
    kids.sort(key=_location_key)
    return kids


def _location_key(rec: Gff3Record):
    # kent's gff3AnnRefLocCmp: seqid, then strand (no strand last), start, end
    strand = rec.strand
    return (rec.seqid.encode("utf-8", "surrogateescape"), 1 if strand is None else 0,
            strand or "", rec.start, rec.end)


class Gff3Converter:
    """Turns the trees of a :class:`Gff3File` into genePreds, kent's way.

    ``report`` receives the messages kent prints on stderr ("Error: ...",
    "Warning: ...").  After :meth:`convert`, ``errors`` counts conversion errors (or
    warnings with ``warn_and_continue``) and ``processed`` holds the ids of the records
    turned into genePreds.
    """

    def __init__(self, gff: Gff3File, opts: Gff3Options, report: Callable[[str], None]) -> None:
        self.gff = gff
        self.opts = opts
        self.report = report
        self.errors = 0
        self.processed: set = set()
        #: (record line, genePred row) of the genePreds that failed the check (kent's -bad)
        self.bad: List[Tuple[int, str]] = []

    # -- messages ------------------------------------------------------------------------

    def _cnv_error(self, what: str) -> None:
        self.report(("Warning: skipping: " if self.opts.warn_and_continue else "Error: ") + what)
        self.errors += 1

    # -- names -----------------------------------------------------------------------------

    def _refseq_name(self, rna: Gff3Record) -> Optional[str]:
        # a RefSeq gene whose only child is a CDS: name it after the CDS's protein accession
        if rna.type == "gene" and len(rna.children) == 1 and rna.children[0].type == "CDS":
            name = rna.children[0].name or ""
            if (len(name) > 4 and name[0].isupper() and name[1].isupper() and name[2] == "_"
                    and name[3].isdigit() and not name.startswith("WP_")):
                return name
        return None

    def rna_name(self, rna: Gff3Record, gene: Optional[Gff3Record] = None) -> str:
        name: Optional[str] = None
        if self.opts.rna_name_attr is not None:
            name = rna.attr(self.opts.rna_name_attr)
        if not name and self.opts.refseq_hacks:
            name = self._refseq_name(rna)
        if not name:
            name = rna.name
        if not name and gene is not None and gene is not rna and rna.type in SEGMENT_TYPES:
            # NCBI's gene segments carry no name of their own: use the gene's
            name = self.gene_name(gene)
        if not name:
            name = rna.id
        return name or "no_name"

    def gene_name(self, gene: Gff3Record) -> str:
        name: Optional[str] = None
        if self.opts.gene_name_attr is not None:
            name = gene.attr(self.opts.gene_name_attr)
        if not name and self.opts.use_name:
            name = gene.name
        if not name:
            name = gene.id
        return name or ""

    # -- building ----------------------------------------------------------------------------

    def _make(self, gene: Gff3Record, rna: Gff3Record, exons: List[Gff3Record],
              cds: List[Gff3Record]) -> Optional[GenePred]:
        if not exons:
            self._cnv_error(f"no exons defined for mRNA {rna.id}")
            return None
        tx_start = exons[0].start
        tx_end = exons[-1].end
        cds_start = cds[0].start if cds else tx_end
        cds_end = cds[-1].end if cds else tx_end
        if rna.strand is None or rna.strand == "?":
            self._cnv_error(f"invalid strand for mRNA {rna.id}")
            return None
        gp = GenePred(self.rna_name(rna, gene), rna.seqid, rna.strand, tx_start, tx_end, cds_start, cds_end,
                      [], [], fields=FIELDS_ALL, origin=(self.gff.path, rna.line))
        gp.exon_frames = []
        gp.name2 = self.gene_name(gene)
        if self.opts.honor_start_stop_codons:
            has_start = any(c.type == "start_codon" for c in rna.children)
            has_stop = any(c.type == "stop_codon" for c in rna.children)
            five, three = ("cmpl" if has_start else "incmpl"), ("cmpl" if has_stop else "incmpl")
            gp.cds_start_stat, gp.cds_end_stat = (five, three) if gp.strand == "+" else (three, five)
        elif gp.cds_start < gp.cds_end:
            gp.cds_start_stat = gp.cds_end_stat = "unk" if self.opts.default_cds_status_unknown else "cmpl"
        else:
            gp.cds_start_stat = gp.cds_end_stat = "none"
        return gp

    @staticmethod
    def _add_exons(gp: GenePred, blocks: List[Gff3Record]) -> None:
        prev: Optional[Gff3Record] = None
        for blk in blocks:
            if prev is not None and prev.end == blk.start:
                gp.exon_ends[-1] = blk.end
            else:
                gp.exon_starts.append(blk.start)
                gp.exon_ends.append(blk.end)
                gp.exon_frames.append(-1)  # type: ignore[union-attr]
            prev = blk

    def _validate_cds(self, gp: GenePred, cds: List[Gff3Record]) -> bool:
        for c in cds:
            if not any(s <= c.start and c.end <= e for s, e in zip(gp.exon_starts, gp.exon_ends)):
                self._cnv_error(f"no exon in {gp.name} contains CDS {c.start}-{c.end}")
                return False
        return True

    @staticmethod
    def _add_frames(gp: GenePred, cds: List[Gff3Record]) -> None:
        frames = gp.exon_frames
        assert frames is not None
        i = 0
        while i < len(gp.exon_starts):
            start, end = gp.exon_starts[i], gp.exon_ends[i]
            inside = [c for c in cds if start <= c.start and c.end <= end]
            if not inside:
                i += 1
            elif len(inside) == 1:
                frames[i] = _PHASE_TO_FRAME.get(inside[0].phase, -1)
                i += 1
            else:
                # several CDS pieces in one exon (frameshift): split the exon at them
                n = len(inside)
                gp.exon_starts[i + 1:i + 1] = [0] * (n - 1)
                gp.exon_ends[i + 1:i + 1] = [0] * (n - 1)
                frames[i + 1:i + 1] = [0] * (n - 1)
                for k, piece in enumerate(inside):
                    j = i + k
                    gp.exon_starts[j] = start if k == 0 else piece.start
                    gp.exon_ends[j] = end if k == n - 1 else piece.end
                    frames[j] = _PHASE_TO_FRAME.get(piece.phase, -1)
                    if k > 0 and gp.exon_starts[j] <= gp.exon_ends[j - 1]:
                        dist = gp.exon_ends[j - 1] - gp.exon_starts[j]
                        gp.exon_starts[j] += dist
                        if gp.strand == "+":
                            frames[j] = (frames[j] + dist) % 3
                i += n

    def transcript_genepred(self, gene: Optional[Gff3Record], rna: Gff3Record) -> Optional[GenePred]:
        """The genePred of a transcript record (``gene`` may be None), or None on error."""
        exons = _sorted_children(rna, "exon")
        cds = _sorted_children(rna, "CDS")
        blocks = exons
        if not blocks:
            blocks = sorted(
                _sorted_children(rna, "five_prime_UTR") + cds + _sorted_children(rna, "three_prime_UTR"),
                key=_location_key,
            )
        if not blocks:
            blocks = [rna]
            if rna.type == "CDS":
                cds = blocks
        gp = self._make(gene if gene is not None else rna, rna, blocks, cds)
        if gp is None:
            return None
        self._add_exons(gp, blocks)
        if not self._validate_cds(gp, cds):
            return None
        self._add_frames(gp, cds)
        return gp

    def _check(self, rna: Gff3Record, gp: GenePred) -> bool:
        problems = genepred_check(gp, f"genePred from GFF3: {self.gff.path}:{rna.line}")
        if problems:
            from .genepred import format_genepred

            self.bad.append((rna.line, format_genepred(gp)))
            for text in problems:
                self.report("Error: " + text)
            self._cnv_error(f"invalid genePred created: {gp.name} {gp.chrom}:{gp.tx_start}-{gp.tx_end}")
            return False
        return True

    # -- traversal ---------------------------------------------------------------------------

    def _is_transcript(self, rec: Gff3Record) -> bool:
        if rec.type in TRANSCRIPT_TYPES:
            return True
        if not rec.parents or not _is_gene_type(rec.parents[0].type):
            return False
        # under a gene, any RNA or transcript type (Ensembl's lnc_RNA, snoRNA,
        # pseudogenic_transcript, ...), or anything with -processAllGeneChildren
        return (self.opts.process_all_gene_children or rec.type.endswith("RNA")
                or rec.type.endswith("transcript"))

    def _transcript(self, gene: Optional[Gff3Record], rna: Gff3Record) -> Iterator[Tuple[GenePred, Gff3Record]]:
        self.processed.add(id(rna))
        gp = self.transcript_genepred(gene, rna)
        if gp is not None and self._check(rna, gp):
            yield gp, rna

    def _gene(self, gene: Gff3Record) -> Iterator[Tuple[Optional[GenePred], Gff3Record]]:
        self.processed.add(id(gene))
        kids = gene.children
        if any(k.type == "CDS" for k in kids) and any(k.type in SEGMENT_TYPES for k in kids):
            self.report(
                f"Warning: dropping CDS from {gene.type} {self.gene_name(gene)} at "
                f"{gene.seqid}:{gene.start}-{gene.end} as we are unable to convert this form of "
                "annotation to genePred"
            )
            gene.children = [k for k in kids if k.type != "CDS"]
            kids = gene.children
        if self.opts.allow_minimal_genes and any(k.type in ("exon", "CDS") for k in kids):
            yield from self._transcript(None, gene)
        elif any(self._is_transcript(k) for k in kids):
            yield None, gene  # the gene's own attributes come first in -attrsOut
            for kid in kids:
                if self._is_transcript(kid) and id(kid) not in self.processed:
                    yield from self._transcript(gene, kid)
                if self.errors >= self.opts.max_convert_errors and not self.opts.warn_and_continue:
                    break
        elif self.opts.allow_minimal_genes:
            gp = self._make(gene, gene, [gene], [])
            if gp is not None:
                self._add_exons(gp, [gene])
                if self._check(gene, gp):
                    yield gp, gene

    def convert(self) -> Iterator[Tuple[Gff3Record, List[Tuple[Optional[GenePred], Gff3Record]], List[str]]]:
        """Yield ``(root, items, messages)`` for each root, in kent's order.

        ``items`` are ``(genePred, record)`` pairs; a pair with genePred None announces a
        gene whose transcripts follow (for the attributes output).  ``messages`` are those
        kent prints while converting that root.  Stops early once ``max_convert_errors``
        is reached.
        """
        outer = self.report
        for root in self.gff.roots:
            if id(root) in self.processed:
                continue
            messages: List[str] = []
            self.report = messages.append
            try:
                if _is_gene_type(root.type):
                    items = list(self._gene(root))
                elif self._is_transcript(root):
                    items = list(self._transcript(None, root))
                else:
                    items = []
            finally:
                self.report = outer
            yield root, items, messages
            if self.errors >= self.opts.max_convert_errors:
                break

    def unprocessed_roots(self) -> List[Gff3Record]:
        """Roots that gave no genePred (kent's -unprocessedRootsOut)."""
        return [r for r in self.gff.roots if id(r) not in self.processed]


def attribute_rows(name: str, rec: Gff3Record) -> str:
    """kent's -attrsOut rows for a record: its attributes, then its columns."""
    rows = [f"{name}\t{tag}\t{','.join(values)}\n" for tag, values in rec.attrs.items()]
    rows.append(f"{name}\tSeqid\t{rec.seqid}\n")
    rows.append(f"{name}\tSource\t{rec.source}\n")
    rows.append(f"{name}\tType\t{rec.type}\n")
    rows.append(f"{name}\tStart\t{rec.start}\n")
    rows.append(f"{name}\tEnd\t{rec.end}\n")
    rows.append(f"{name}\tStrand\t{rec.strand or '.'}\n")
    return "".join(rows)


def _escape(text: str) -> str:
    out = []
    for c in text:
        o = ord(c)
        if c in "\t\n\r;=&," or o < 0x20 or o >= 0x7F:
            out.append(f"%{o & 0xFF:02X}")
        else:
            out.append(c)
    return "".join(out)


def _format_g(value: float) -> str:
    return "%g" % value


def format_gff3_record(rec: Gff3Record) -> str:
    """A record as a GFF3 line (with newline), escaped as kent writes it."""
    score = _format_g(rec.score) if rec.score is not None else "."
    phase = str(rec.phase) if rec.phase >= 0 else "."
    attrs = ";".join(f"{_escape(tag)}={','.join(_escape(v) for v in values)}" for tag, values in rec.attrs.items())
    return (
        f"{_escape(rec.seqid)}\t{_escape(rec.source)}\t{_escape(rec.type)}\t{rec.start + 1}\t{rec.end}\t"
        f"{score}\t{rec.strand or '.'}\t{phase}\t{attrs}\n"
    )
