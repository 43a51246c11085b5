"""GTF or GFF3 straight to a bigGenePred bigBed, in one streaming pass per chromosome.

kent's way takes four tools and a sort::

    gtfToGenePred -genePredExt in.gtf stdout | genePredToBigGenePred stdin stdout \\
        | sort -k1,1 -k2,2n | bedToBigBed -type=bed12+8 -tab -as=bigGenePred.as stdin chrom.sizes out.bb

:func:`gtf_to_bigbed` gives the same first 16 columns (gff3ToGenePred's for GFF3 input),
and fills the last four from the annotation instead of leaving them empty: ``type`` =
transcript_type (or transcript_biotype, or GFF3 ``biotype``), ``geneName`` = gene_name (GFF3:
the gene's gene_name or Name), ``geneName2`` = gene_id, ``geneType`` = gene_type (or
gene_biotype / biotype).  Extra indexes on ``name`` and ``geneName`` let a browser search by
transcript id or gene symbol.

Memory stays bounded: the input is partitioned by chromosome in a first pass
(:class:`~.partition.Partition`), then each chromosome is assembled, sorted and handed to
the bigBed writer before the next one is read.  Rows within a chromosome are ordered like
``sort -k1,1 -k2,2n`` in the C locale (start, then the whole line).
"""
from __future__ import annotations

import io
import queue
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Collection, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ..bed import read_chrom_sizes
from ..errors import FormatError
from ..files import atomic_output, display_name
from . import gff3 as gff3mod
from . import gtf as gtfmod
from .biggenepred import (
    BED_TYPE,
    EXTRA_INDEX,
    BigGenePredExtras,
    autosql_text,
    biggenepred_fields,
    biotype_color,
)
from . import fastgtf
from .textio import Report, report_to_stderr
from .partition import Partition

__all__ = ["OneStepOptions", "OneStepResult", "biggenepred_rows", "gtf_to_bigbed", "gtf_to_biggenepred_text"]

@dataclass
class OneStepOptions:
    """What :func:`biggenepred_rows` keeps and how it fills the extra columns."""

    #: None: detect (a "##gff-version 3" first line means GFF3)
    gff3: Optional[bool] = None
    #: keep transcripts carrying any of these tags (GENCODE ``tag``), None: all
    tags: Optional[Collection[str]] = None
    #: keep transcripts of genes of these types, None: all
    gene_types: Optional[Collection[str]] = None
    #: keep transcripts of these types, None: all
    transcript_types: Optional[Collection[str]] = None
    #: itemRgb by biotype class (coding, non-coding, pseudogene)
    color_by_biotype: bool = False
    #: report bad transcripts and skip them instead of stopping
    all_errors: bool = False


@dataclass
class OneStepResult:
    """What a one-step conversion did."""

    transcripts: int = 0
    filtered: int = 0
    errors: int = 0
    format: str = "gtf"
    #: the bigBed writer's summary (items, chromosomes, zoom levels, bytes), when written
    summary: object = None


class _Restart(Exception):
    """Transcripts found on two chromosomes after some were written: run again without them."""

    def __init__(self, names: Set[str]) -> None:
        super().__init__(f"{len(names)} transcripts on several chromosomes")
        self.names = names


class _FormatSniffer:
    """First-pass comment callback: detects GFF3 (a ``##gff-version`` first line, unless
    the format is forced) and checks a GFF3 file's header and directives."""

    def __init__(self, path: str, forced: Optional[bool]) -> None:
        self.gff3 = forced
        self.directives = gff3mod.DirectiveChecker(path)

    def __call__(self, lineno: int, raw: bytes) -> Optional[bool]:
        if lineno == 1 and self.gff3 is None:
            self.gff3 = raw.startswith(b"##gff-version")
        return self.directives(lineno, raw) if self.gff3 else None

    def finish(self, part: Partition) -> None:
        """After the first pass: settle the format and complete the header check."""
        if self.gff3:
            self.directives.finish(part.first_record_line())
        else:
            self.gff3 = False

    @property
    def messages(self) -> List[Tuple[int, str]]:
        """``(line, message)`` for each problem of a GFF3 header or directive."""
        return self.directives.messages


def biggenepred_rows(part: Partition, sniffer: _FormatSniffer, opts: OneStepOptions, result: OneStepResult,
                     report: Report, exclude: Collection[str] = ()) -> Iterator[Tuple[str, bytes, int]]:
    """Yield ``(chromosome, rows, largest end)`` per chromosome in byte order: the rows as
    text lines (each ending with a newline), sorted like ``sort -k1,1 -k2,2n``."""
    names = sorted(part.names, key=lambda n: n.encode("utf-8", "surrogateescape"))
    if sniffer.gff3:
        result.format = "gff3"
        if sniffer.messages:
            texts = [m for _, m in sorted(sniffer.messages)]
            for text in texts:
                report(text)
            raise gff3mod.Gff3ParseError(texts, path=part.path)
        yield from _gff3_rows(part, names, opts, result, report)
    else:
        if part.names and not gtfmod.is_gtf_file(part):
            raise FormatError("neither GTF (no gene_id attribute on the first line with attributes) nor GFF3 "
                              "(no ##gff-version 3 first line; -gff3 reads GFF3 without it)", path=part.path)
        yield from _gtf_rows(part, names, opts, result, report, exclude)


#: the strands a BED item may have
_BED_STRANDS = ("+", "-", ".")


def _row_end(row: str) -> int:
    return int(row.split("\t", 3)[2])


def _checked(chroms, sizes: Optional[Dict[bytes, int]], sizes_name: str, path: str):
    """Check each chromosome's rows against the chromosome sizes (clear errors before the
    bigBed writer would meet them), passing ``(name, rows)`` on."""
    for name, rows, max_end in chroms:
        if not rows:
            continue
        if sizes is not None:
            size = sizes.get(name.encode("utf-8", "surrogateescape"))
            if size is None:
                first = rows.split(b"\t", 4)[3].decode("utf-8", "surrogateescape")
                raise FormatError(f"sequence {name} (of transcript {first} and others) is not in {sizes_name}",
                                  path=path)
            if max_end > size:
                for row in fastgtf.decode_rows(rows):
                    f = row.split("\t", 4)
                    if int(f[2]) > size:
                        raise FormatError(f"transcript {f[3]} ends at {f[2]}, beyond the end of {name} "
                                          f"({size} bases in {sizes_name})", path=path)
        yield name, rows


def _join_rows(rows) -> bytes:
    text = "\n".join(rows)
    return (text + "\n").encode("utf-8", "surrogateescape") if text else b""


def _keep(opts: OneStepOptions, tags, gene_type: str, tx_type: str) -> bool:
    if opts.tags is not None and not any(t in tags for t in opts.tags):
        return False
    if opts.gene_types is not None and gene_type not in opts.gene_types:
        return False
    if opts.transcript_types is not None and tx_type not in opts.transcript_types:
        return False
    return True


def _gtf_rows(part, names, opts, result, report, exclude):
    path = part.path
    gopts = gtfmod.GtfOptions(extended=True)
    seen = fastgtf.SeenTranscripts()
    state = {"is_gtf": True}

    def line_error(err: FormatError) -> None:
        report(str(err))
        result.errors += 1

    def row_of(tx) -> Optional[Tuple[int, str]]:
        try:
            gp = gtfmod.transcript_to_genepred(tx, gopts, path)
            if gp is not None and gp.strand not in _BED_STRANDS:
                raise FormatError(f"transcript {tx.name} has strand {gp.strand!r}: a bigGenePred item needs "
                                  "+, - or .", path=path, line=tx.first)
        except FormatError as err:
            if not opts.all_errors:
                raise
            report(str(err))
            result.errors += 1
            return None
        if gp is None:
            return None  # a gene line or another group without exons: nothing to draw
        tx_type = tx.first_value("transcript_type") or ""
        gene_type = tx.first_value("gene_type") or ""
        if not _keep(opts, tx.tags() if opts.tags is not None else (), gene_type, tx_type):
            result.filtered += 1
            return None
        extras = BigGenePredExtras(
            type=tx_type,
            gene_name=tx.first_value("gene_name") or "",
            gene_name2=gp.name2,
            gene_type=gene_type,
        )
        return _row(gp, extras, opts, result)

    for name in names:
        res = None
        if not exclude:
            res = fastgtf.convert(part, name, fastgtf.MODE_BIGGENEPRED, tags=opts.tags, gene_types=opts.gene_types,
                                  transcript_types=opts.transcript_types,
                                  color_by_biotype=opts.color_by_biotype)
        if res is not None:
            seen.add(name, res["names_blob"], res["name_hash"], res["first_line"])
            result.transcripts += res["kept"]
            result.filtered += res["filtered"]
            extra = []
            for tx in fastgtf.fallback_transcripts(res, path):
                row = row_of(tx)
                if row is not None:
                    extra.append(row)
            max_end = int(res["max_end"])
            if not extra:
                rows = res["rows"]
            else:
                merged = sorted(list(zip(res["starts"].tolist(), fastgtf.decode_rows(res["rows"]))) + extra)
                rows = _join_rows(r for _, r in merged)
                max_end = max([max_end] + [_row_end(r) for _, r in extra])
            del res  # the chromosome's lines: free them before the next one is read
            yield name, rows, max_end
            continue
        out: List[Tuple[int, str]] = []
        tx_names: List[str] = []
        tx_lines: List[int] = []
        with gff3mod.no_gc():  # many small objects, no cycles
            lines = gtfmod.read_gtf_lines(part.lines(name), path, state=state,
                                          on_error=line_error if opts.all_errors else None)
            for tx in gtfmod.group_transcripts(lines):
                if tx.name in exclude:
                    continue
                tx_names.append(tx.name)
                tx_lines.append(tx.first)
                row = row_of(tx)
                if row is not None:
                    out.append(row)
        seen.add_names(name, tx_names, tx_lines)
        out.sort()
        yield name, _join_rows(r for _, r in out), max((_row_end(r) for _, r in out), default=0)
    conflicts = seen.conflicts()
    if conflicts:
        for tid, first, other, line in conflicts:
            err = FormatError(f"transcript {tid} has lines on {first} and on {other}: all lines of a "
                              "transcript must be on the same chromosome", path=path, line=line)
            if not opts.all_errors:
                raise err
            report(str(err))
        raise _Restart({tid for tid, _, _, _ in conflicts})


def _gff3_attr(rec: Optional[gff3mod.Gff3Record], *tags: str) -> str:
    if rec is None:
        return ""
    for tag in tags:
        value = rec.attr(tag)
        if value:
            return value
    return ""


def _gff3_rows(part, names, opts, result, report):
    path = part.path
    gopts = gff3mod.Gff3Options(warn_and_continue=opts.all_errors, max_convert_errors=2**62)
    for name in names:
        rows: List[Tuple[int, str]] = []
        with gff3mod.no_gc():
            gff = gff3mod.parse_gff3(part.lines(name), path, max_errors=50, warn_when_possible=opts.all_errors,
                                     report=report, header=False)
            conv = gff3mod.Gff3Converter(gff, gopts, report)
            for _root, items, msgs in conv.convert():
                for text in msgs:
                    report(text)
                for gp, rec in items:
                    if gp is None:
                        continue
                    row = _gff3_row(gp, rec, opts, result)
                    if row is not None:
                        rows.append(row)
            gff.release()
        result.errors += conv.errors
        if conv.errors and not opts.all_errors:
            raise FormatError(f"{conv.errors} errors converting GFF3 file: {path}")
        rows.sort()
        yield name, _join_rows(r for _, r in rows), max((_row_end(r) for _, r in rows), default=0)


def _gff3_row(gp, rec, opts: OneStepOptions, result: OneStepResult) -> Optional[Tuple[int, str]]:
    """The bigGenePred row of a GFF3 transcript, its extra columns from the records."""
    gene = rec.parents[0] if rec.parents and gff3mod._is_gene_type(rec.parents[0].type) else None
    tx_type = _gff3_attr(rec, "transcript_type", "transcript_biotype", "biotype")
    gene_type = _gff3_attr(gene if gene is not None else rec, "gene_type", "gene_biotype", "biotype")
    tags = set(rec.attrs.get("tag", ())) if opts.tags is not None else ()
    if not _keep(opts, tags, gene_type, tx_type):
        result.filtered += 1
        return None
    src = gene if gene is not None else rec
    extras = BigGenePredExtras(
        type=tx_type,
        gene_name=_gff3_attr(src, "gene_name", "Name"),
        gene_name2=_gff3_attr(src, "gene_id") or (src.id or ""),
        gene_type=gene_type,
    )
    return _row(gp, extras, opts, result)


def _row(gp, extras: BigGenePredExtras, opts: OneStepOptions, result: OneStepResult) -> Tuple[int, str]:
    """A kept transcript's ``(chromStart, bigGenePred row)``, colored if asked, counted."""
    if opts.color_by_biotype:
        extras.item_rgb = biotype_color(extras.type, extras.gene_type, gp.has_cds())
    result.transcripts += 1
    return gp.tx_start, "\t".join(biggenepred_fields(gp, extras))


def _run(source, opts: OneStepOptions, report: Report, progress: Optional[bool], consume,
         sizes: Optional[Dict[bytes, int]] = None, sizes_name: str = "") -> OneStepResult:
    exclude: Set[str] = set()
    reported: Set[str] = set()

    def report_once(text: str) -> None:
        # a second attempt meets the same problems again: report each once
        if text not in reported:
            reported.add(text)
            report(text)

    for _attempt in range(2):
        result = OneStepResult()
        try:
            with _partition(source, opts, progress) as (part, sniffer):
                rows = biggenepred_rows(part, sniffer, opts, result, report_once, exclude)
                consume(_checked(rows, sizes, sizes_name, part.path), result)
            result.errors += len(exclude)
            return result
        except _Restart as again:  # only raised with all_errors
            exclude = again.names
    raise FormatError("transcripts on several chromosomes remained after excluding them")


class _RowStream(io.RawIOBase):
    """The rows of a (chromosome, bytes) iterator as a readable stream, produced ahead
    in a background thread so that conversion and bigBed writing overlap (the kernel
    and the writer's compression release the GIL)."""

    _DONE = object()

    def __init__(self, chroms: Iterator[Tuple[str, bytes]], *, name: str, depth: int = 1) -> None:
        super().__init__()
        self.name = name
        self._queue: "queue.Queue" = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._chunk = b""
        self._pos = 0
        self._finished = False
        self._thread = threading.Thread(target=self._produce, args=(chroms,), name="gtfToBigBed-rows", daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, chroms) -> None:
        try:
            for _name, rows in chroms:
                if rows and not self._put(rows):
                    return
            self._put(self._DONE)
        except BaseException as err:  # handed to the reading side
            self._put(err)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._pos >= len(self._chunk):
            if self._finished:
                return 0
            item = self._queue.get()
            if item is self._DONE:
                self._finished = True
                return 0
            if isinstance(item, BaseException):
                self._finished = True
                raise item
            self._chunk, self._pos = item, 0
        n = min(len(buffer), len(self._chunk) - self._pos)
        buffer[:n] = self._chunk[self._pos:self._pos + n]
        self._pos += n
        return n

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()
        super().close()


@contextmanager
def _partition(source, opts: OneStepOptions, progress: Optional[bool]) -> Iterator[Tuple[Partition, _FormatSniffer]]:
    """The first pass over ``source``: its Partition and what the sniffer found."""
    sniffer = _FormatSniffer(display_name(source), opts.gff3)
    with Partition(source, on_comment=sniffer, progress=progress) as part:
        sniffer.finish(part)
        yield part, sniffer


def gtf_to_biggenepred_text(source, out, *, options: Optional[OneStepOptions] = None,
                            report: Optional[Report] = None, progress: Optional[bool] = None) -> OneStepResult:
    """Write the sorted bigGenePred text (the input of bedToBigBed) instead of a bigBed."""
    opts = options if options is not None else OneStepOptions()
    report = report if report is not None else report_to_stderr

    def consume(chroms, result):
        with atomic_output(out, "wb") as f:
            for _name, rows in chroms:
                f.write(rows)

    return _run(source, opts, report, progress, consume)


def gtf_to_bigbed(source, chrom_sizes, out_path, *, gff3: Optional[bool] = None,
                  tags: Optional[Sequence[str]] = None, gene_types: Optional[Sequence[str]] = None,
                  transcript_types: Optional[Sequence[str]] = None, color_by_biotype: bool = False,
                  all_errors: bool = False, sizes_is_2bit: bool = False, compress: bool = True,
                  block_size: int = 256, items_per_slot: int = 512, report: Optional[Report] = None,
                  progress: Optional[bool] = None) -> OneStepResult:
    """Convert a GTF or GFF3 annotation to a bigGenePred bigBed in one step.

    Args:
        source: GTF or GFF3 path (plain or gzip), ``stdin`` or binary file object.
        chrom_sizes: chrom.sizes path (or a .2bit with ``sizes_is_2bit``), or a mapping.
        out_path: the bigBed to write (atomically: a failed run leaves none).
        gff3: force the input format (None: detect from the first line).
        tags, gene_types, transcript_types: keep only matching transcripts (see
            :class:`OneStepOptions`).
        color_by_biotype: itemRgb by coding / non-coding / pseudogene.
        all_errors: report bad transcripts (to ``report``) and skip them.

    Returns:
        a :class:`OneStepResult`.

    Raises:
        FormatError: bad input (naming file and line), unless ``all_errors``.
    """
    opts = OneStepOptions(gff3=gff3, tags=tags, gene_types=gene_types, transcript_types=transcript_types,
                          color_by_biotype=color_by_biotype, all_errors=all_errors)
    report = report if report is not None else report_to_stderr
    from ..bbi.writer import write_bigbed  # imported here: text output does without it

    sizes, sizes_name = _read_sizes(chrom_sizes, sizes_is_2bit)

    def consume(chroms, result):
        with _RowStream(chroms, name=f"<rows from {source}>") as stream:
            result.summary = write_bigbed(
                io.BufferedReader(stream, 1 << 20),
                chrom_sizes,
                out_path,
                sizes_is_2bit=sizes_is_2bit,
                bed_type=BED_TYPE,
                autosql=autosql_text(),
                extra_index=EXTRA_INDEX,
                tab=True,
                compress=compress,
                block_size=block_size,
                items_per_slot=items_per_slot,
                progress=progress,
            )

    return _run(source, opts, report, progress, consume, sizes, sizes_name)


def _read_sizes(chrom_sizes, sizes_is_2bit: bool) -> Tuple[Optional[Dict[bytes, int]], str]:
    """Chromosome sizes for the early check (None: leave the check to the writer)."""
    if isinstance(chrom_sizes, Mapping):
        sizes = {(k.encode("utf-8", "surrogateescape") if isinstance(k, str) else bytes(k)): int(v)
                 for k, v in chrom_sizes.items()}
        return sizes, "the chromosome sizes"
    if sizes_is_2bit:
        return None, ""
    return read_chrom_sizes(chrom_sizes), display_name(chrom_sizes)
