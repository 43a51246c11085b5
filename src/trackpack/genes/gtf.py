"""GTF: parse lines, group them into transcripts, and build genePreds as kent does.

The rules are those of kent's ``gtfToGenePred`` (gff.c, genePred.c), restated:

- Columns are tab separated; lines starting with ``#`` and empty lines are skipped; the
  attribute column ends at the next tab.  Whether the file is GTF is decided on the first
  line with an attribute column (it must mention ``gene_id`` and have two quotes or a
  ``transcript_id``).
- Attributes are ``key value`` pairs separated by ``;``; values may be quoted with ``"`` or
  ``'`` (backslash escapes the quote or itself).  The first ``gene_id`` and ``transcript_id``
  count; for the other keys the last occurrence wins.  ``tag`` values are all kept.
- The lines of a transcript (same ``transcript_id``) may be anywhere in the file.  They are
  ordered by (chromosome, start, end), later lines first among equals.  The transcript's
  strand, its name2 (gene_id, or gene_name) and the versions added by -includeVersion come
  from its first line in that order.
- Only GTF's own features count (case matters): exons are the union of the ``exon``,
  ``CDS``, ``start_codon``, ``stop_codon``, ``5UTR`` and ``3UTR`` lines (overlapping or
  adjacent ones merge) and span the transcript; the CDS spans the ``CDS`` and codon lines.
  Other features (``transcript``, ``UTR``, ``Selenocysteine``, ...) only take part in the
  ordering above.
- Frames come from the ``CDS`` lines' frame column; exons after the last framed one (a
  stop codon alone in an exon) continue the reading frame, and a transcript whose file
  gives no frame at all gets frames computed from its CDS.

trackpack adds checks kent lacks (each names the file and line): coordinates that are not
integers or are inverted, a line without ``gene_id``, and a ``CDS`` line outside the
transcript's ``exon`` lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..errors import FormatError
from .genepred import FIELDS_ALL, FIELDS_BASIC, GenePred
from .textio import decode_line

__all__ = [
    "GtfLine",
    "GtfOptions",
    "Transcript",
    "TranscriptError",
    "is_gtf_attributes",
    "is_gtf_file",
    "parse_gtf_attributes",
    "parse_gtf_line",
    "read_gtf_lines",
    "check_ids",
    "group_transcripts",
    "transcript_to_genepred",
    "info_row",
    "INFO_HEADER",
]

#: header of kent's -infoOut file
INFO_HEADER = (
    "#transId\tgeneId\tsource\tchrom\tstart\tend\tstrand\tproteinId\tgeneName\t"
    "transcriptName\tgeneType\ttranscriptType\n"
)

_SPACE = " \t\n\v\f\r"  # C isspace() in the C locale
#: the features kent's GTF conversion looks at (case matters); others are ignored
_GTF_FEATURES = frozenset({"CDS", "start_codon", "stop_codon", "5UTR", "3UTR", "inter", "inter_CNS",
                           "intron_CNS", "exon"})
#: of those, the ones that make up exons, and the ones that make up the CDS
_EXON_FEATURES = frozenset({"CDS", "stop_codon", "start_codon", "exon", "5UTR", "3UTR"})
_CDS_FEATURES = frozenset({"CDS", "stop_codon", "start_codon"})
_MAX_COORD = 2**31 - 1
_FLOAT_PREFIX = re.compile(r"[ \t\n\v\f\r]*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.I)

#: attribute keys kept on a line, mapped to the GtfLine slot they fill
_KEPT_KEYS = {
    "exon_id": "exon_id",
    "intron_id": "intron_id",
    "intron_status": "intron_status",
    "protein_id": "protein_id",
    "gene_name": "gene_name",
    "transcript_name": "transcript_name",
    "gene_version": "gene_version",
    "transcript_version": "transcript_version",
    "protein_version": "protein_version",
    "gene_type": "gene_type",
    "gene_biotype": "gene_type",
    "transcript_type": "transcript_type",
    "transcript_biotype": "transcript_type",
}


class GtfLine:
    """One parsed GTF line.  Coordinates are 0-based, half-open."""

    __slots__ = (
        "seq", "source", "feature", "start", "end", "score", "strand", "frame",
        "gene_id", "transcript_id", "exon_id", "exon_number", "intron_id", "intron_status",
        "protein_id", "gene_name", "transcript_name", "gene_version", "transcript_version",
        "protein_version", "gene_type", "transcript_type", "tags", "line", "index",
    )

    def __init__(self, seq: str, source: str, feature: str, start: int, end: int, score: float,
                 strand: str, frame: str, line: int, index: int) -> None:
        self.seq = seq
        self.source = source
        self.feature = feature
        self.start = start
        self.end = end
        self.score = score
        self.strand = strand
        self.frame = frame
        self.line = line
        self.index = index
        self.gene_id: Optional[str] = None
        self.transcript_id: Optional[str] = None
        self.exon_id: Optional[str] = None
        self.exon_number = 0
        self.intron_id: Optional[str] = None
        self.intron_status: Optional[str] = None
        self.protein_id: Optional[str] = None
        self.gene_name: Optional[str] = None
        self.transcript_name: Optional[str] = None
        self.gene_version: Optional[str] = None
        self.transcript_version: Optional[str] = None
        self.protein_version: Optional[str] = None
        self.gene_type: Optional[str] = None
        self.transcript_type: Optional[str] = None
        self.tags: Tuple[str, ...] = ()

    def kent_text(self) -> str:
        """The line as kent prints it in messages (gffTabOut), without the newline."""
        text = (
            f"{self.seq}\t{self.source}\t{self.feature}\t{self.start + 1}\t{self.end}\t"
            f"{self.score:f}\t{self.strand}\t{self.frame}\t"
        )
        if self.gene_id is not None:
            text += f'gene_id "{self.gene_id}"; '
        text += f'transcript_id "{self.transcript_id}"; '
        if self.exon_id is not None:
            text += f'exon_id "{self.exon_id}"; '
        return text

    def __repr__(self) -> str:
        return f"GtfLine({self.kent_text()!r}, line={self.line})"


def is_gtf_attributes(text: str) -> bool:
    """Whether an attribute column looks like GTF (kent's test on the first such line)."""
    if "gene_id" not in text:
        return False
    return text.count('"') >= 2 or "transcript_id" in text


def is_gtf_file(part) -> bool:
    """Whether a partitioned file (:class:`~.partition.Partition`) is GTF, decided as kent
    does on its first line with an attribute column."""
    found = part.first_line(lambda raw: raw.count(b"\t") >= 8)
    if found is None:
        return False
    cols = decode_line(found[1]).split("\t", 9)
    return len(cols) >= 9 and is_gtf_attributes(cols[8])


def _skip_space(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] in _SPACE:
        i += 1
    return i


def _next_word(s: str, i: Optional[int]) -> Tuple[Optional[str], Optional[int]]:
    """kent's nextWord: the next run of non-space and the position after its terminator."""
    if i is None or i >= len(s):
        return None, None
    i = _skip_space(s, i)
    if i >= len(s):
        return None, None
    j = i
    n = len(s)
    while j < n and s[j] not in _SPACE:
        j += 1
    return s[i:j], (j + 1 if j < n else None)


def _quoted(s: str, i: int, path: str, line: int) -> Tuple[str, int]:
    """kent's parseQuotedString from s[i] (the quote); returns (value, index after it)."""
    quote = s[i]
    out = []
    i += 1
    n = len(s)
    escaped = False
    while True:
        if i >= n:
            raise FormatError(f"unterminated {quote} quote in attributes", path=path, line=line)
        c = s[i]
        i += 1
        if escaped:
            if c == "\\" or c == quote:
                out.append(c)
            else:
                out.append("\\")
                out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == quote:
            return "".join(out), i
        else:
            out.append(c)


def parse_gtf_attributes(text: str, path: str = "<gtf>", line: int = 0) -> List[Tuple[str, str]]:
    """The ``(key, value)`` pairs of a GTF attribute column, in order, by kent's rules.

    Raises:
        FormatError: a key without a value, an empty value, or an unterminated quote.
    """
    pairs: List[Tuple[str, str]] = []
    s = text
    i: Optional[int] = 0
    n = len(s)
    while True:
        key, i = _next_word(s, i)
        if key is None:
            break
        if i is not None:
            i = _skip_space(s, i)
        if i is None or i >= n:
            raise FormatError(f"attribute {key!r} has no value", path=path, line=line)
        got_semi = False
        if s[i] == '"' or s[i] == "'":
            value, i = _quoted(s, i, path, line)
        else:
            value, i = _next_word(s, i)
            if value.endswith(";"):
                value = value[:-1]
                got_semi = True
            if not value:
                raise FormatError(f"empty value for attribute {key!r}", path=path, line=line)
        if i is not None and not got_semi:
            semi = s.find(";", i)
            i = semi + 1 if semi >= 0 else None
        pairs.append((key, value))
    return pairs


def _coordinate(text: str, what: str, path: str, line: int) -> int:
    if not text.isdigit() or not text.isascii():
        raise FormatError(f"{what} is not a positive integer: {text!r}", path=path, line=line)
    value = int(text)
    if value > _MAX_COORD:
        raise FormatError(f"{what} {value} is larger than {_MAX_COORD}", path=path, line=line)
    return value


def _atof(text: str) -> float:
    m = _FLOAT_PREFIX.match(text)
    if not m:
        return 0.0
    try:
        return float(m.group(0))
    except ValueError:
        return 0.0


def parse_gtf_line(cols: Sequence[str], path: str, line: int, index: int,
                   attributes: bool = True) -> GtfLine:
    """A :class:`GtfLine` from the columns of one line (8 or 9 of them).

    ``attributes=False`` ignores column 9 (files that are not GTF).
    """
    if len(cols) < 8:
        raise FormatError(f"expected 9 tab-separated columns, found {len(cols)}", path=path, line=line)
    start1 = _coordinate(cols[3], "start (column 4)", path, line)
    end = _coordinate(cols[4], "end (column 5)", path, line)
    if start1 > end + 1 or start1 == 0:
        raise FormatError(f"start {cols[3]} is after end {cols[4]}" if start1 else "start is 0 (GTF is 1-based)",
                          path=path, line=line)
    gl = GtfLine(cols[0], cols[1], cols[2], start1 - 1, end, _atof(cols[5]),
                 cols[6][:1], cols[7][:1], line, index)
    if attributes and len(cols) > 8:
        _fill_attributes(gl, parse_gtf_attributes(cols[8], path, line), path, line)
    return gl


def _fill_attributes(gl: GtfLine, pairs: Iterable[Tuple[str, str]], path: str, line: int) -> None:
    tags = []
    for key, value in pairs:
        if key == "gene_id":
            if gl.gene_id is None:
                gl.gene_id = value
        elif key == "transcript_id":
            if gl.transcript_id is None:
                gl.transcript_id = value
        elif key == "tag":
            tags.append(value)
        elif key == "exon_number":
            if not value[:1].isdigit():
                raise FormatError(f"exon_number is not a number: {value!r}", path=path, line=line)
            m = re.match(r"\d+", value)
            gl.exon_number = int(m.group(0)) if m else 0
        else:
            slot = _KEPT_KEYS.get(key)
            if slot is not None:
                setattr(gl, slot, value)
    if tags:
        gl.tags = tuple(tags)


def read_gtf_lines(lines: Iterable[Tuple[int, bytes]], path: str, *,
                   state: Optional[dict] = None,
                   on_error: Optional[Callable[[FormatError], None]] = None) -> Iterator[GtfLine]:
    """Parse ``(line number, raw bytes)`` pairs into :class:`GtfLine` objects.

    Comment and empty lines are skipped.  ``state`` (a dict shared between calls) remembers
    whether the file was found to be GTF (key ``"is_gtf"``), decided on the first line
    with an attribute column; lines of a file that is not GTF keep no attributes.  A bad
    line raises :class:`FormatError`, or, when ``on_error`` is given, is passed to it and
    skipped.
    """
    if state is None:
        state = {}
    for lineno, raw in lines:
        text = decode_line(raw)
        if not text or text[0] == "#":
            continue
        cols = text.split("\t", 9)
        if len(cols) > 9:
            cols = cols[:9]  # kent's chopTabs keeps 9 words; the 9th ends at the next tab
        if len(cols) >= 9 and "is_gtf" not in state:
            state["is_gtf"] = is_gtf_attributes(cols[8])
        try:
            is_gtf = state.get("is_gtf", False)
            gl = parse_gtf_line(cols, path, lineno, lineno, attributes=is_gtf)
            if is_gtf:
                check_ids(gl, path)
        except FormatError as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        yield gl


def check_ids(gl: GtfLine, path: str) -> None:
    """Reject a line without gene_id, or an exon-like line without transcript_id."""
    if gl.gene_id is None:
        raise FormatError("line has no gene_id attribute", path=path, line=gl.line)
    if gl.transcript_id is None and gl.feature in _EXON_FEATURES:
        raise FormatError(f"{gl.feature} line has no transcript_id attribute", path=path, line=gl.line)


class TranscriptError(FormatError):
    """A transcript whose lines cannot form a genePred.

    ``kent_lines`` holds what kent prints for it under -allErrors (one or two lines).
    """

    def __init__(self, what: str, *, path: str, line: Optional[int], kent_lines: Sequence[str]) -> None:
        super().__init__(what, path=path, line=line)
        self.kent_lines = list(kent_lines)


class Transcript:
    """The lines of one transcript_id, in kent's order, with the bounds kent computes."""

    __slots__ = ("name", "seq", "source", "lines", "start", "end", "strand", "first")

    def __init__(self, first: GtfLine) -> None:
        self.name: str = first.transcript_id  # type: ignore[assignment]
        self.seq = first.seq
        self.source = first.source
        self.first = first.index
        self.lines: List[GtfLine] = [first]
        self.start = self.end = 0
        self.strand = ""

    def finish(self) -> None:
        """Order the lines and compute bounds and strand (kent's gffGroupLines)."""
        self.lines.sort(key=_line_order)
        self.start = min(gl.start for gl in self.lines)
        self.end = max(gl.end for gl in self.lines)
        self.strand = self.lines[0].strand

    def first_value(self, attr: str) -> Optional[str]:
        """The first non-missing value of a line attribute, in line order."""
        for gl in self.lines:
            value = getattr(gl, attr)
            if value is not None:
                return value
        return None

    def tags(self) -> set:
        """Every ``tag`` value of any of the lines."""
        out: set = set()
        for gl in self.lines:
            out.update(gl.tags)
        return out


def _line_order(gl: GtfLine):
    # kent sorts a reversed list with a stable sort: later lines first among equals
    return (gl.seq.encode("utf-8", "surrogateescape"), gl.start, gl.end, -gl.index)


def group_transcripts(lines: Iterable[GtfLine]) -> List[Transcript]:
    """Group lines by transcript_id, in order of first appearance; lines without one drop."""
    groups: Dict[str, Transcript] = {}
    for gl in lines:
        tid = gl.transcript_id
        if tid is None:
            continue
        group = groups.get(tid)
        if group is None:
            groups[tid] = Transcript(gl)
        else:
            group.lines.append(gl)
    result = list(groups.values())
    for group in result:
        group.finish()
    return result


@dataclass
class GtfOptions:
    """Options of the GTF -> genePred conversion (kent's gtfToGenePred flags)."""

    #: write all extended columns (-genePredExt)
    extended: bool = False
    #: add ".version" to transcript and gene ids when the attributes give one (-includeVersion)
    include_version: bool = False
    #: use gene_name rather than gene_id for name2 (-geneNameAsName2)
    gene_name_as_name2: bool = False
    #: for files whose CDS excludes the stop codon, add it after the CDS (-impliedStopAfterCds)
    implied_stop_after_cds: bool = False
    #: reject CDS lines outside the transcript's exon lines (trackpack's check)
    check_cds_in_exons: bool = True


def _versioned(ident: Optional[str], version: Optional[str], include: bool) -> Optional[str]:
    if include and ident is not None and version is not None:
        return f"{ident}.{version}"
    return ident


def transcript_to_genepred(tx: Transcript, opts: GtfOptions, path: str) -> Optional[GenePred]:
    """Build the genePred of a transcript, or None when it has no exon-like line.

    Raises:
        TranscriptError: lines on another chromosome or strand, a CDS outside the exons,
            or frames that contradict each other.
    """
    lines = [gl for gl in tx.lines if gl.feature in _GTF_FEATURES]
    exon_count = 0
    cds_start = cds_end = None
    stop_start = stop_end = -1
    have_start_codon = have_stop_codon = False
    tx_start = tx_end = 0
    for gl in lines:
        feat = gl.feature
        exonish = False
        if feat in _EXON_FEATURES:
            exonish = True
            exon_count += 1
        if feat in _CDS_FEATURES:
            exonish = True
            if cds_start is None or gl.start < cds_start:
                cds_start = gl.start
            if cds_end is None or gl.end > cds_end:
                cds_end = gl.end
        if exonish:
            if tx_start == tx_end:  # not set yet (kent's test, which zero-length lines also meet)
                tx_start, tx_end = gl.start, gl.end
            else:
                tx_start = min(tx_start, gl.start)
                tx_end = max(tx_end, gl.end)
        if feat == "start_codon":
            have_start_codon = True
        elif feat == "stop_codon":
            have_stop_codon = True
            if stop_start < 0 or gl.start < stop_start:
                stop_start = gl.start
            if stop_end < 0 or gl.end > stop_end:
                stop_end = gl.end
    if exon_count == 0:
        return None
    if cds_start is None:
        cds_start = cds_end = 0
    has_cds = cds_start < cds_end  # type: ignore[operator]

    first = tx.lines[0]  # kent takes names and versions from the first line in its order
    strand = tx.strand
    if opts.gene_name_as_name2:
        name2 = first.gene_name or ""
    elif first.gene_id is not None:
        name2 = _versioned(first.gene_id, first.gene_version, opts.include_version) or ""
    else:
        name2 = ""
    name = _versioned(tx.name, first.transcript_version, opts.include_version)
    gp = GenePred(
        name=name,  # type: ignore[arg-type]
        chrom=tx.seq,
        strand=strand,
        tx_start=tx_start,
        tx_end=tx_end,
        cds_start=cds_start if has_cds else tx_end,  # type: ignore[arg-type]
        cds_end=cds_end if has_cds else tx_end,  # type: ignore[arg-type]
        exon_starts=[],
        exon_ends=[],
        fields=FIELDS_ALL if opts.extended else FIELDS_BASIC,
        origin=(path, tx.lines[0].line),
    )
    if opts.extended:
        gp.name2 = name2
        if has_cds:
            if strand == "+":
                gp.cds_start_stat = "cmpl" if have_start_codon else "incmpl"
                gp.cds_end_stat = "cmpl" if have_stop_codon else "incmpl"
            else:
                gp.cds_end_stat = "cmpl" if have_start_codon else "incmpl"
                gp.cds_start_stat = "cmpl" if have_stop_codon else "incmpl"
        else:
            gp.cds_start_stat = gp.cds_end_stat = "none"

    if strand == "+" and gp.tx_end == stop_start:
        gp.tx_end = stop_end
    elif strand == "-" and gp.tx_start == stop_end:
        gp.tx_start = stop_start

    starts, ends = gp.exon_starts, gp.exon_ends
    for gl in lines:
        if gl.feature not in _EXON_FEATURES:
            continue
        if gl.seq != tx.seq or gl.strand != strand:
            raise TranscriptError(
                f"transcript {tx.name} is on {tx.seq}{strand} but this line is on {gl.seq}{gl.strand}: "
                "all lines of a transcript must be on the same chromosome and strand",
                path=path, line=gl.line,
                kent_lines=[
                    "invalid gffGroup detected on line: " + gl.kent_text(),
                    f"GFF/GTF group {tx.name} on {tx.seq}{strand}, this line is on {gl.seq}{gl.strand}, "
                    "all group members must be on same seq and strand",
                ],
            )
        if not starts or gl.start > ends[-1]:
            starts.append(gl.start)
            ends.append(gl.end)
        elif gl.end > ends[-1]:
            ends[-1] = gl.end

    if opts.check_cds_in_exons:
        _check_cds_in_exons(tx, path)
    if opts.implied_stop_after_cds and not have_stop_codon and has_cds:
        _add_implied_stop(gp)
    if opts.extended:
        gp.exon_frames = [-1] * gp.exon_count
        _assign_frames(tx, gp, path)
    return gp


def _check_cds_in_exons(tx: Transcript, path: str) -> None:
    exons: List[List[int]] = []
    for gl in tx.lines:
        if gl.feature == "exon":
            if exons and gl.start <= exons[-1][1]:
                exons[-1][1] = max(exons[-1][1], gl.end)
            else:
                exons.append([gl.start, gl.end])
    if not exons:
        return
    for gl in tx.lines:
        if gl.feature == "CDS" and not any(s <= gl.start and gl.end <= e for s, e in exons):
            raise TranscriptError(
                f"CDS {gl.start + 1}-{gl.end} of transcript {tx.name} is not inside any of its exon lines",
                path=path, line=gl.line,
                kent_lines=[f"CDS {gl.start}-{gl.end} of {tx.name} (line {gl.line} of {path}) is not inside any exon"],
            )


def _find_exon(gp: GenePred, pos: int) -> int:
    for i, (s, e) in enumerate(zip(gp.exon_starts, gp.exon_ends)):
        if s <= pos < e:
            return i
    return -1


def _add_implied_stop(gp: GenePred) -> None:
    """Extend the CDS by three bases past its 3' end, crossing into the next exon if needed."""
    complete = False
    if gp.strand == "+":
        i = _find_exon(gp, gp.cds_end - 1)
        space = gp.exon_ends[i] - gp.cds_end
        if space >= 3:
            gp.cds_end += 3
            complete = True
        elif i + 1 < gp.exon_count and (gp.exon_ends[i + 1] - gp.exon_starts[i + 1]) + space >= 3:
            gp.cds_end = gp.exon_starts[i + 1] + (3 - space)
            complete = True
        if complete and gp.fields >= FIELDS_ALL:
            gp.cds_end_stat = "cmpl"
    else:
        i = _find_exon(gp, gp.cds_start)
        space = gp.cds_start - gp.exon_starts[i]
        if space >= 3:
            gp.cds_start -= 3
            complete = True
        elif i > 0 and (gp.exon_ends[i - 1] - gp.exon_starts[i - 1]) + space >= 3:
            gp.cds_start = gp.exon_ends[i - 1] - (3 - space)
            complete = True
        if complete and gp.fields >= FIELDS_ALL:
            gp.cds_start_stat = "cmpl"


_PHASE_TO_FRAME = {"0": 0, "1": 2, "2": 1}


def _assign_frames(tx: Transcript, gp: GenePred, path: str) -> None:
    """Frames from the CDS lines' frame column (kent's walk over the ordered lines).

    Exons after the last framed one (a stop codon alone in an exon) continue the reading
    frame; a transcript with a CDS but no frame at all gets frames from its CDS length.
    """
    frames = gp.exon_frames
    assert frames is not None
    lines = tx.lines
    n = len(lines)
    k = 0
    have_frame = False
    for i in range(gp.exon_count):
        start, end = gp.cds_exon(i)
        if start >= end:
            continue
        while k < n and not (lines[k].feature == "CDS" and lines[k].end >= start):
            k += 1
        while k < n and min(lines[k].end, end) - max(lines[k].start, start) > 0:
            gl = lines[k]
            if gl.feature == "CDS":
                frame = _PHASE_TO_FRAME.get(gl.frame, -1)
                if frame >= 0:
                    frames[i] = frame
            k += 1
        if frames[i] >= 0:
            have_frame = True
    if have_frame:
        _extend_frames(tx, gp, path)
    elif gp.has_cds():
        gp.exon_frames = gp.frames_from_cds()


def _extend_frames(tx: Transcript, gp: GenePred, path: str) -> None:
    """Continue the reading frame past the last framed exon (kent's fixStopFrame)."""
    frames = gp.exon_frames
    assert frames is not None
    count = gp.exon_count
    step = 1 if gp.strand == "+" else -1
    i = 0 if step == 1 else count - 1
    stop = count if step == 1 else -1
    while i != stop and frames[i] == -1:
        i += step
    last = -1
    while i != stop and frames[i] != -1:
        last = i
        i += step
    if last < 0:
        return

    def cds_len(j: int) -> int:
        a, b = gp.cds_exon(j)
        return max(0, b - a)

    frame = (frames[last] + cds_len(last)) % 3
    i = last + step
    while 0 <= i < count and (gp.exon_starts[i] < gp.cds_end if step == 1 else gp.exon_ends[i] > gp.cds_start):
        if frames[i] >= 0 and frames[i] != frame:
            raise TranscriptError(
                f"conflicting frame for {gp.name} exon index {i}: the CDS lines give {frames[i]}, "
                f"the reading frame of the exons before gives {frame}",
                path=path, line=tx.lines[0].line,
                kent_lines=[f"conflicting frame for {gp.name} exon index {i}, was {frames[i]}, trying to assign {frame}"],
            )
        frames[i] = frame
        frame = (frame + cds_len(i)) % 3
        i += step


def info_row(tx: Transcript, include_version: bool) -> str:
    """The -infoOut row of a transcript (with newline)."""
    gene_id = tx.first_value("gene_id")
    protein_id = tx.first_value("protein_id")
    gene_version = tx.first_value("gene_version")
    tx_version = tx.first_value("transcript_version")
    protein_version = tx.first_value("protein_version")
    trans_id = f"{tx.name}.{tx_version}" if include_version and tx_version is not None else tx.name
    gene = _versioned(gene_id, gene_version, include_version) or ""
    protein = _versioned(protein_id, protein_version, include_version) or ""
    return (
        f"{trans_id}\t{gene}\t{tx.source}\t{tx.seq}\t{tx.start}\t{tx.end}\t{tx.strand}\t{protein}\t"
        f"{tx.first_value('gene_name') or ''}\t{tx.first_value('transcript_name') or ''}\t"
        f"{tx.first_value('gene_type') or ''}\t{tx.first_value('transcript_type') or ''}\n"
    )
