"""genePred: UCSC's gene-model table format, in memory, as text, and as BED12.

A genePred row describes one transcript: ``name chrom strand txStart txEnd cdsStart cdsEnd
exonCount exonStarts exonEnds`` (0-based, half-open; exon lists are comma-terminated),
optionally followed by the "extended" columns ``score name2 cdsStartStat cdsEndStat
exonFrames``.  Transcripts without a CDS have ``cdsStart == cdsEnd`` (kent puts both at
``txEnd``).  ``exonFrames`` gives, per exon, the reading frame of its first coding base in
the direction of transcription (0, 1, 2) or -1 for a non-coding exon.

Text is read and written exactly as kent's genePred library does, so files round-trip
byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Sequence, Tuple

from ..bins import bin_from_range
from ..errors import FormatError, OutOfRangeError
from ..files import display_name, open_input
from .textio import decode_line

__all__ = [
    "CDS_STATUSES",
    "GenePred",
    "FIELDS_BASIC",
    "FIELDS_SCORE",
    "FIELDS_NAME2",
    "FIELDS_CDS_STAT",
    "FIELDS_ALL",
    "read_genepreds",
    "parse_genepred_row",
    "format_genepred",
    "format_bed12",
    "genepred_check",
]

#: the values of cdsStartStat / cdsEndStat, in kent's enum order
CDS_STATUSES = ("none", "unk", "incmpl", "cmpl")

#: how many optional columns a genePred carries (kent's optFields, compared with >=)
FIELDS_BASIC = 0
FIELDS_SCORE = 1
FIELDS_NAME2 = 2
FIELDS_CDS_STAT = 3
FIELDS_ALL = 4  # exonFrames too: a full "genePredExt"

#: number of text columns for each level above
_COLUMNS = {FIELDS_BASIC: 10, FIELDS_SCORE: 11, FIELDS_NAME2: 12, FIELDS_CDS_STAT: 14, FIELDS_ALL: 15}


@dataclass
class GenePred:
    """One transcript as a genePred row (0-based, half-open coordinates)."""

    name: str
    chrom: str
    strand: str
    tx_start: int
    tx_end: int
    cds_start: int
    cds_end: int
    exon_starts: List[int]
    exon_ends: List[int]
    score: int = 0
    name2: str = ""
    cds_start_stat: str = "none"
    cds_end_stat: str = "none"
    exon_frames: Optional[List[int]] = None
    #: which optional columns are present (one of the FIELDS_* levels)
    fields: int = FIELDS_BASIC
    #: where the row came from, for messages (path, line); not part of the format
    origin: Optional[Tuple[str, int]] = field(default=None, compare=False, repr=False)

    @property
    def exon_count(self) -> int:
        return len(self.exon_starts)

    def has_cds(self) -> bool:
        return self.cds_start < self.cds_end

    def cds_exon(self, i: int) -> Tuple[int, int]:
        """The coding part ``(start, end)`` of exon ``i`` (``start >= end`` when none)."""
        return max(self.exon_starts[i], self.cds_start), min(self.exon_ends[i], self.cds_end)

    def frames_from_cds(self) -> List[int]:
        """Exon frames computed by assuming the CDS is one contiguous reading frame.

        This is what kent does for genePreds without an exonFrames column.
        """
        frames = [-1] * self.exon_count
        order = range(self.exon_count) if self.strand == "+" else range(self.exon_count - 1, -1, -1)
        done = 0
        for i in order:
            start, end = self.cds_exon(i)
            if start < end:
                frames[i] = done % 3
                done += end - start
        return frames

    def bin(self) -> int:
        """The UCSC bin of the transcript (see :mod:`trackpack.bins`).

        Raises:
            FormatError: a range no bin holds (inverted, or past 2 Gb), naming the row.
        """
        try:
            return bin_from_range(self.tx_start, self.tx_end)
        except OutOfRangeError as err:
            path, line = self.origin if self.origin is not None else (None, None)
            raise FormatError(f"{self.name}: {err}", path=path, line=line) from None


def _uint(text: str, what: str, path: str, line: int) -> int:
    if not text.isdigit() or not text.isascii():
        raise FormatError(f"{what} is not an unsigned integer: {text!r}", path=path, line=line)
    return int(text)


def _uint_list(text: str, what: str, path: str, line: int) -> List[int]:
    # kent's sqlUnsignedDynamicArray: comma separated, trailing comma optional
    parts = text.split(",")
    if parts and parts[-1] == "":
        parts.pop()
    return [_uint(p, what, path, line) for p in parts]


def _int(text: str, what: str, path: str, line: int) -> int:
    body = text[1:] if text.startswith("-") else text
    if not body.isdigit() or not body.isascii():
        raise FormatError(f"{what} is not an integer: {text!r}", path=path, line=line)
    return int(text)


def _int_list(text: str, what: str, path: str, line: int) -> List[int]:
    parts = text.split(",")
    if parts and parts[-1] == "":
        parts.pop()
    return [_int(p, what, path, line) for p in parts]


def parse_genepred_row(row: Sequence[str], path: str = "<genePred>", line: int = 0) -> GenePred:
    """Build a :class:`GenePred` from 10 to 15 text columns (kent's genePredExtLoad).

    Raises:
        FormatError: a number that is not one, a list whose length is not exonCount, an
            unknown CDS status, or fewer than 10 columns.
    """
    n = len(row)
    if n < 10:
        raise FormatError(f"expected at least 10 columns in a genePred row, found {n}", path=path, line=line)
    name, chrom, strand = row[0], row[1], row[2]
    tx_start = _uint(row[3], "txStart", path, line)
    tx_end = _uint(row[4], "txEnd", path, line)
    cds_start = _uint(row[5], "cdsStart", path, line)
    cds_end = _uint(row[6], "cdsEnd", path, line)
    count = _uint(row[7], "exonCount", path, line)
    starts = _uint_list(row[8], "exonStarts", path, line)
    ends = _uint_list(row[9], "exonEnds", path, line)
    if len(starts) != count:
        raise FormatError(f"{name}: number of exonStarts ({len(starts)}) != number of exons ({count})", path=path, line=line)
    if len(ends) != count:
        raise FormatError(f"{name}: number of exonEnds ({len(ends)}) != number of exons ({count})", path=path, line=line)
    gp = GenePred(name, chrom, strand, tx_start, tx_end, cds_start, cds_end, starts, ends, origin=(path, line))
    if n > 10:
        gp.score = _int(row[10], "score", path, line)
        gp.fields = FIELDS_SCORE
    if n > 11:
        gp.name2 = row[11]
        gp.fields = FIELDS_NAME2
    if n > 12:
        gp.cds_start_stat = _cds_stat(row[12], path, line)
        gp.fields = FIELDS_CDS_STAT
    if n > 13:
        gp.cds_end_stat = _cds_stat(row[13], path, line)
    if n > 14:
        frames = _int_list(row[14], "exonFrames", path, line)
        if len(frames) != count:
            raise FormatError(f"{name}: number of exonFrames ({len(frames)}) != number of exons ({count})", path=path, line=line)
        gp.exon_frames = frames
        gp.fields = FIELDS_ALL
    return gp


def _cds_stat(text: str, path: str, line: int) -> str:
    if text not in CDS_STATUSES:
        raise FormatError(f'invalid genePred cdsStatus: "{text}"', path=path, line=line)
    return text


def read_genepreds(source, *, tabs: bool = True, max_columns: int = 15) -> Iterator[GenePred]:
    """Read genePred rows from a path, ``stdin`` or a binary file object (plain or gzip).

    ``tabs=True`` splits at tabs (kent's genePredExtLoadAll, used by genePredToBigGenePred:
    empty columns are allowed); ``tabs=False`` splits at runs of white space and uses only
    the first ``max_columns`` words (kent's genePredLoadAll, used by genePredToBed).  Blank
    lines and lines starting with ``#`` are skipped.
    """
    name = display_name(source)
    with open_input(source) as f:
        for lineno, raw in enumerate(f, 1):
            text = decode_line(raw)
            if not text or text.startswith("#"):
                continue
            if tabs:
                row = text.split("\t")[:max_columns]
            else:
                row = text.split()[:max_columns]
                if not row:
                    continue
            yield parse_genepred_row(row, name, lineno)


def _join(values: Sequence[int]) -> str:
    return "".join(f"{v}," for v in values)


def format_genepred(gp: GenePred, *, with_bin: bool = False) -> str:
    """The genePred as one tab-separated text line (with newline), as kent writes it.

    The optional columns written are those of ``gp.fields``; missing frames are written
    as -1.  ``with_bin`` prepends the UCSC ``bin`` column, as in database tables.
    """
    cols = [
        gp.name,
        gp.chrom,
        gp.strand,
        str(gp.tx_start),
        str(gp.tx_end),
        str(gp.cds_start),
        str(gp.cds_end),
        str(gp.exon_count),
        _join(gp.exon_starts),
        _join(gp.exon_ends),
    ]
    if gp.fields >= FIELDS_SCORE:
        cols.append(str(gp.score))
    if gp.fields >= FIELDS_NAME2:
        cols.append(gp.name2 or "")
    if gp.fields >= FIELDS_CDS_STAT:
        cols.append(gp.cds_start_stat)
        cols.append(gp.cds_end_stat)
    if gp.fields >= FIELDS_ALL:
        frames = gp.exon_frames if gp.exon_frames is not None else [-1] * gp.exon_count
        cols.append(_join(frames))
    if with_bin:
        cols.insert(0, str(gp.bin()))
    return "\t".join(cols) + "\n"


def format_bed12(gp: GenePred, *, with_bin: bool = False) -> str:
    """The genePred as a BED12 line (with newline), exactly as kent's genePredToBed."""
    sizes = "".join(f"{e - s}," for s, e in zip(gp.exon_starts, gp.exon_ends))
    rel = "".join(f"{s - gp.tx_start}," for s in gp.exon_starts)
    line = (
        f"{gp.chrom}\t{gp.tx_start}\t{gp.tx_end}\t{gp.name}\t0\t{gp.strand}\t"
        f"{gp.cds_start}\t{gp.cds_end}\t0\t{gp.exon_count}\t{sizes}\t{rel}\n"
    )
    if with_bin:
        line = f"{gp.bin()}\t{line}"
    return line


def genepred_check(gp: GenePred, description: str, chrom_size: int = -1) -> List[str]:
    """Consistency problems of ``gp`` (kent's genePredCheck); an empty list means valid.

    Each message reads ``description: name problem``, as kent prints them after "Error: ".
    ``chrom_size`` is checked when >= 0 (0 means the chromosome is unknown).
    """
    errors: List[str] = []

    def err(text: str) -> None:
        errors.append(f"{description}: {gp.name} {text}")

    if gp.strand not in ("+", "-"):
        err(f'invalid strand: "{gp.strand}"')
    if chrom_size == 0:
        err(f'chrom not a valid chromosome: "{gp.chrom}"')
    elif chrom_size > 0 and gp.tx_end > chrom_size:
        err(f"txEnd {gp.tx_end} >= chromSize {chrom_size}")
    if gp.tx_start >= gp.tx_end:
        err(f"txStart {gp.tx_start} >= txEnd {gp.tx_end}")
    if gp.cds_start != gp.cds_end:
        _check_cds_bounds(gp, err)
    if gp.exon_count:
        if gp.tx_start != gp.exon_starts[0]:
            err(f"first exon start {gp.exon_starts[0]} doesn't match txStart {gp.tx_start}")
        if gp.tx_end != gp.exon_ends[-1]:
            err(f"last exon end {gp.exon_ends[-1]} doesn't match txEnd {gp.tx_end}")
    for i in range(gp.exon_count):
        _check_exon(gp, i, err)
    return errors


def _check_cds_bounds(gp: GenePred, err) -> None:
    if gp.cds_start > gp.cds_end:
        err(f"cdsStart {gp.cds_start} > cdsEnd {gp.cds_end}")
    if gp.cds_start < gp.tx_start or gp.cds_start > gp.tx_end:
        err(f"cdsStart {gp.cds_start} not in tx bounds {gp.tx_start}-{gp.tx_end}")
    if gp.cds_end < gp.tx_start or gp.cds_end > gp.tx_end:
        err(f"cdsEnd {gp.cds_end} not in tx bounds {gp.tx_start}-{gp.tx_end}")
    found_start = any(s <= gp.cds_start < e for s, e in zip(gp.exon_starts, gp.exon_ends))
    found_end = any(s < gp.cds_end <= e for s, e in zip(gp.exon_starts, gp.exon_ends))
    if not found_start:
        err(f"cdsStart {gp.cds_start} not in an exon")
    if not found_end:
        err(f"cdsEnd {gp.cds_end} not in an exon")


def _check_exon(gp: GenePred, i: int, err) -> None:
    start, end = gp.exon_starts[i], gp.exon_ends[i]
    if start >= end:
        err(f"exon {i} start {start} >= end {end}")
    if start < gp.tx_start:
        err(f"exon {i} start {start} < txStart {gp.tx_start}")
    if end > gp.tx_end:
        err(f"exon {i} end {end} > txEnd {gp.tx_end}")
    if i > 0 and start < gp.exon_ends[i - 1]:
        err(
            f"exon {i} ({gp.chrom}:{start}-{end}) overlaps previous exon "
            f"({gp.chrom}:{gp.exon_starts[i - 1]}-{gp.exon_ends[i - 1]})"
        )
    if gp.fields >= FIELDS_ALL and gp.exon_frames is not None:
        frame = gp.exon_frames[i]
        if frame < -1 or frame > 2:
            err(f"invalid exonFrame: {frame}")
        if end > gp.cds_start and start < gp.cds_end:
            if frame == -1:
                err(f"no exonFrame on CDS exon {i}")
        elif frame != -1:
            err(f"exonFrame on non-CDS exon {i}")
