"""File-level conversions: GTF/GFF3 -> genePred -> BED12 / bigGenePred, step by step.

Each function reads its input one sequence at a time (:class:`~.partition.Partition`), so
memory does not grow with the whole file, and writes its outputs atomically (a failed run
leaves none).  Output order and messages follow kent's tools.

Messages kent prints on stderr (errors under -allErrors, warnings) go to ``report``;
the CLI passes a function that prints them.
"""
from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import FormatError, NotFoundError
from ..files import atomic_output, display_name, open_input
from . import fastgtf
from . import gff3 as gff3mod
from . import gtf as gtfmod
from .biggenepred import BigGenePredExtras, format_biggenepred
from .genepred import format_bed12, format_genepred, read_genepreds
from .partition import Partition

__all__ = [
    "ConversionError",
    "GtfResult",
    "gtf_to_genepred",
    "gff3_to_genepred",
    "genepred_to_bed",
    "genepred_to_biggenepred",
    "read_key_file",
]

Report = Callable[[str], None]


class ConversionError(FormatError):
    """Conversion failed after reporting each problem; the message is kent's summary line."""


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


@dataclass
class GtfResult:
    """What a GTF conversion did."""

    transcripts: int = 0
    errors: int = 0
    messages: List[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------
# GTF


def _gtf_probe(first_line: Optional[bytes]) -> bool:
    if first_line is None:
        return False
    cols = first_line.decode("utf-8", "surrogateescape").rstrip("\r\n").split("\t", 9)
    return len(cols) >= 9 and gtfmod.is_gtf_attributes(cols[8])


def _first_full_line(part: Partition) -> Optional[bytes]:
    """The first data line with 9 columns (kent decides GTF-ness on it)."""
    found = part.first_line(lambda raw: raw.count(b"\t") >= 8)
    return found[1] if found else None


def gtf_to_genepred(source, out, *, info_out=None, extended: bool = False, include_version: bool = False,
                    gene_name_as_name2: bool = False, ignore_groups_without_exons: bool = False,
                    implied_stop_after_cds: bool = False, source_prefixes: Sequence[str] = (),
                    all_errors: bool = False, simple: bool = False, with_bin: bool = False,
                    report: Optional[Report] = None, progress: Optional[bool] = None) -> GtfResult:
    """Convert a GTF file to genePred (kent's gtfToGenePred).

    Args:
        source: GTF path (plain or gzip), ``stdin`` or binary file object.
        out: genePred output path (``stdout`` allowed).
        info_out: optional path for kent's per-transcript info table.
        extended: write all genePred columns (-genePredExt).
        all_errors: report transcripts that fail and skip them (their messages go to
            ``report``); the outputs are still written and ``errors`` counts them.
        simple: only check the lines (no output rows).
        with_bin: prepend the UCSC bin column.

    Returns:
        a :class:`GtfResult`.

    Raises:
        FormatError: bad input (naming file and line), unless ``all_errors`` skips it.
    """
    report = report if report is not None else _stderr
    opts = gtfmod.GtfOptions(extended=extended, include_version=include_version,
                             gene_name_as_name2=gene_name_as_name2,
                             implied_stop_after_cds=implied_stop_after_cds)
    result = GtfResult()
    # kernel results per sequence (rows as one bytes with offsets: little memory), rows
    # converted in Python as (first line, row, info row, transcript id), and (first line,
    # messages) per error
    blocks: List[dict] = []
    rows: List[Tuple[int, str, str, str]] = []
    errors: List[Tuple[int, List[str]]] = []
    seen = fastgtf.SeenTranscripts()

    def line_error(err: FormatError) -> None:
        errors.append((err.line or 0, [str(err)]))

    with Partition(source, progress=progress) as part:
        path = part.path
        is_gtf = _gtf_probe(_first_full_line(part))
        if not is_gtf:
            raise FormatError(f"{path} doesn't appear to be a GTF file (GFF not supported by this program)")
        use_kernel = not simple and not source_prefixes

        def convert_tx(tx) -> None:
            if source_prefixes and not any(tx.source.startswith(p) for p in source_prefixes):
                return
            if simple:
                return
            try:
                gp = gtfmod.transcript_to_genepred(tx, opts, path)
            except gtfmod.TranscriptError as err:
                if not all_errors:
                    raise
                errors.append((tx.first, err.kent_lines))
                return
            if gp is None:
                if not ignore_groups_without_exons:
                    text = (f"no exons defined for group {tx.name}, feature {tx.lines[0].feature} "
                            "(perhaps try -ignoreGroupsWithoutExons)")
                    if not all_errors:
                        raise FormatError(text, path=path, line=tx.first)
                    errors.append((tx.first, [text]))
                    return
                row = ""
            else:
                row = format_genepred(gp, with_bin=with_bin)
            info = gtfmod.info_row(tx, include_version) if info_out is not None else ""
            rows.append((tx.first, row, info, tx.name))

        for name in part.names:
            res = None
            if use_kernel:
                res = fastgtf.convert(part, name, fastgtf.MODE_GENEPRED, extended=extended,
                                      include_version=include_version, gene_name_as_name2=gene_name_as_name2,
                                      with_bin=with_bin, implied_stop=implied_stop_after_cds,
                                      info=info_out is not None, names_list=False)
            if res is not None:
                seen.add(name, res["names_blob"], res["name_hash"], res["first_line"])
                for tx in fastgtf.fallback_transcripts(res, path):
                    convert_tx(tx)
                blocks.append({key: res[key] for key in
                               ("rows", "row_end", "info", "info_end", "first_line", "flags", "names_blob")})
                del res
                continue
            names: List[str] = []
            firsts: List[int] = []
            with gff3mod.no_gc():  # many small objects, no cycles
                lines = gtfmod.read_gtf_lines(part.lines(name), path, state={"is_gtf": True},
                                              on_error=line_error if all_errors else None)
                for tx in gtfmod.group_transcripts(lines):
                    names.append(tx.name)
                    firsts.append(tx.first)
                    convert_tx(tx)
            seen.add_names(name, names, firsts)

        # a transcript on two sequences: an error (kent's group would mix them)
        dropped = set()
        for tid, first_seq, other_seq, line in seen.conflicts():
            err = gtfmod.TranscriptError(
                f"transcript {tid} has lines on {first_seq} and on {other_seq}: "
                "all lines of a transcript must be on the same chromosome and strand",
                path=path, line=line,
                kent_lines=[f"GFF/GTF group {tid} on {first_seq}, this line is on {other_seq}, "
                            "all group members must be on same seq and strand"],
            )
            if not all_errors:
                raise err
            errors.append((line, err.kent_lines))
            dropped.add(tid)

    errors.sort(key=lambda e: e[0])
    for _, lines in errors:
        for text in lines:
            report(text)
        result.messages.extend(lines)
    result.errors = len(errors)
    _write_genepred_rows(out, info_out, blocks, rows, dropped, result)
    return result


def _write_genepred_rows(out, info_out, blocks: List[dict], rows, dropped, result: GtfResult) -> None:
    """Write the rows of all sequences in transcript order (first appearance in the file)."""
    import numpy as np

    # one entry per row: (first line, block index, row index); Python rows are block -1
    firsts = [b["first_line"] for b in blocks] + [np.array([r[0] for r in rows], dtype=np.int64)]
    which = np.concatenate([np.full(len(f), i, dtype=np.int64) for i, f in enumerate(firsts[:-1])]
                           + [np.full(len(rows), -1, dtype=np.int64)])
    index = np.concatenate([np.arange(len(f), dtype=np.int64) for f in firsts])
    order = np.argsort(np.concatenate(firsts), kind="stable")
    skip = [np.zeros(len(b["first_line"]), dtype=bool) for b in blocks]
    for i, b in enumerate(blocks):
        skip[i] |= b["flags"] != 0  # handed to the reference: they are among ``rows``
        if dropped:
            names = b["names_blob"].split(b"\n")
            for j, n in enumerate(names[:-1]):
                if n.decode("utf-8", "surrogateescape") in dropped:
                    skip[i][j] = True
    starts = [np.concatenate([[0], b["row_end"][:-1]]) for b in blocks]
    info_starts = [np.concatenate([[0], b["info_end"][:-1]]) for b in blocks]
    with ExitStack() as stack:
        gp_out = stack.enter_context(atomic_output(out, "wb"))
        info_f = stack.enter_context(atomic_output(info_out, "wb")) if info_out is not None else None
        if info_f is not None:
            info_f.write(gtfmod.INFO_HEADER.encode())
        views = [memoryview(b["rows"]) for b in blocks]
        info_views = [memoryview(b["info"]) for b in blocks]
        for k in order.tolist():
            i, j = int(which[k]), int(index[k])
            if i < 0:
                _, row, info, tname = rows[j]
                if tname in dropped:
                    continue
                if row:
                    gp_out.write(row.encode("utf-8", "surrogateescape"))
                    result.transcripts += 1
                if info_f is not None:
                    info_f.write(info.encode("utf-8", "surrogateescape"))
                continue
            if skip[i][j]:
                continue
            gp_out.write(views[i][int(starts[i][j]):int(blocks[i]["row_end"][j])])
            result.transcripts += 1
            if info_f is not None:
                info_f.write(info_views[i][int(info_starts[i][j]):int(blocks[i]["info_end"][j])])
        for v in views + info_views:
            v.release()


# ----------------------------------------------------------------------------------------
# GFF3


class _Gff3Directives:
    """Checks the header and ``##`` directives during the first pass."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.messages: List[Tuple[int, str]] = []
        self.seen_first = False

    def __call__(self, lineno: int, raw: bytes) -> Optional[bool]:
        text = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
        parser = gff3mod._Parser(self.path, 2**62, False, lambda m: None)
        parser.lineno = lineno
        if lineno == 1:
            self.seen_first = True
            parser.header(text)
        elif text.startswith("##"):
            if not parser.directive(text):
                self.messages.extend((lineno, m) for m in parser.messages)
                return False
        self.messages.extend((lineno, m) for m in parser.messages)
        return None


def gff3_to_genepred(source, out, *, attrs_out=None, unprocessed_roots_out=None, bad_out=None,
                     options: Optional[gff3mod.Gff3Options] = None, max_parse_errors: int = 50,
                     with_bin: bool = False, report: Optional[Report] = None,
                     progress: Optional[bool] = None) -> int:
    """Convert a GFF3 file to genePred (kent's gff3ToGenePred).

    Returns the number of conversion errors (warnings with ``warn_and_continue``).

    Raises:
        Gff3ParseError: the file does not parse (every message is in ``messages``; they
            were also passed to ``report``).
        FormatError: conversion errors without ``warn_and_continue`` (the outputs are not
            written).
    """
    report = report if report is not None else _stderr
    opts = options if options is not None else gff3mod.Gff3Options()
    path = display_name(source)
    directives = _Gff3Directives(path)
    parse_messages: List[Tuple[int, str]] = []
    late_messages: List[str] = []
    # per root: (root line, genePred rows, attrs rows, messages)
    blocks: List[Tuple[int, str, str, List[str]]] = []
    unprocessed: List[Tuple[int, str]] = []
    bad_rows: List[Tuple[int, str]] = []
    counts = [0]  # conversion errors
    max_errors = max_parse_errors if max_parse_errors >= 0 else 2**62

    with Partition(source, on_comment=directives, progress=progress) as part:
        path = part.path
        if part.lines_read == 0 or not directives.seen_first:
            parse_messages.append((0, "empty GFF file, must have header"))
        parse_messages.extend(directives.messages)
        first_data = min((part.runs(n)[0][2] for n in part.names), default=None)
        if first_data == 1:
            parse_messages.append((1, f"{path}:1: invalid GFF3 header"))
        with gff3mod.no_gc():
            _gff3_sequences(part, path, opts, attrs_out, unprocessed_roots_out, with_bin, max_errors,
                            parse_messages, late_messages, blocks, unprocessed, bad_rows, counts)
        errors = counts[0]

    if parse_messages:
        parse_messages.sort(key=lambda m: m[0])
        texts = [m for _, m in parse_messages]
        for text in late_messages:
            report(text)
        for text in texts:
            report(text)
        raise gff3mod.Gff3ParseError(texts, path=path)
    for text in late_messages:
        report(text)
    blocks.sort(key=lambda b: -b[0])
    for _, _, _, messages in blocks:
        for text in messages:
            report(text)
    if errors and not opts.warn_and_continue:
        raise ConversionError(f"{errors} errors converting GFF3 file: {path}")
    with ExitStack() as stack:
        gp_out = stack.enter_context(atomic_output(out, "w"))
        attrs_f = stack.enter_context(atomic_output(attrs_out, "w")) if attrs_out is not None else None
        for _, rows, attrs, _ in blocks:
            gp_out.write(rows)
            if attrs_f is not None:
                attrs_f.write(attrs)
        if unprocessed_roots_out is not None:
            with atomic_output(unprocessed_roots_out, "w") as f:
                for _, text in sorted(unprocessed, key=lambda u: -u[0]):
                    f.write(text)
        if bad_out is not None:
            with atomic_output(bad_out, "w") as f:
                for _, text in sorted(bad_rows, key=lambda u: -u[0]):
                    f.write(text)
    if errors:
        report(f"{errors} warnings converting GFF3 file: {path}")
    return errors


def _gff3_sequences(part, path, opts, attrs_out, unprocessed_roots_out, with_bin, max_errors,
                    parse_messages, late_messages, blocks, unprocessed, bad_rows, counts) -> None:
    """Parse and convert each sequence of a partitioned GFF3 file (gff3_to_genepred's loop)."""
    for name in part.names:
        seq_messages: List[str] = []
        try:
            gff = gff3mod.parse_gff3(
                part.lines(name), path, max_errors=max_errors - len(parse_messages),
                warn_when_possible=opts.warn_and_continue, report=seq_messages.append,
                header=False,
            )
        except gff3mod.Gff3ParseError as err:
            parse_messages.extend((_message_line(m), m) for m in err.messages)
            late_messages.extend(m for m in seq_messages if m not in err.messages)
            if len(parse_messages) > max_errors:
                break
            continue
        late_messages.extend(seq_messages)
        if parse_messages:
            gff.release()
            continue  # keep parsing to report every error, convert nothing
        conv = gff3mod.Gff3Converter(gff, opts, late_messages.append)
        with gff3mod.no_gc():
            converted = list(conv.convert())
            unprocessed_roots = conv.unprocessed_roots() if unprocessed_roots_out is not None else []
            gff.release()
        for root, items, messages in converted:
            rows = []
            attrs = []
            for gp, rec in items:
                if gp is None:
                    if attrs_out is not None:
                        attrs.append(gff3mod.attribute_rows(rec.id or "", rec))
                    continue
                rows.append(format_genepred(gp, with_bin=with_bin))
                if attrs_out is not None:
                    attrs.append(gff3mod.attribute_rows(gp.name, rec))
            if rows or attrs or messages:
                blocks.append((root.line, "".join(rows), "".join(attrs), messages))
        counts[0] += conv.errors
        bad_rows.extend(conv.bad)
        unprocessed.extend((r.line, gff3mod.format_gff3_record(r)) for r in unprocessed_roots)
        if counts[0] >= opts.max_convert_errors:
            break


def _message_line(message: str) -> int:
    # "path:LINE: what" -> LINE, for ordering
    head = message.split(": ", 1)[0]
    tail = head.rsplit(":", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 2**62


# ----------------------------------------------------------------------------------------
# genePred -> BED12 / bigGenePred


def genepred_to_bed(source, out, *, with_bin: bool = False) -> int:
    """Convert genePred rows to BED12 (kent's genePredToBed); returns the row count."""
    count = 0
    with atomic_output(out, "w") as f:
        for gp in read_genepreds(source, tabs=False, max_columns=10):
            f.write(format_bed12(gp, with_bin=with_bin))
            count += 1
    return count


def read_key_file(path, columns: int, what: str) -> Dict[str, List[str]]:
    """A tab-separated ``key value...`` file as a dict (kent's -score/-geneNames/-colors files).

    Lines with fewer than ``columns`` columns are an error naming the line.
    """
    table: Dict[str, List[str]] = {}
    name = display_name(path)
    with open_input(path) as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
            if not text or text.startswith("#"):
                continue
            cols = text.split("\t") if "\t" in text else text.split()
            if len(cols) < columns:
                raise FormatError(f"expected {columns} columns in the {what} file, found {len(cols)}",
                                  path=name, line=lineno)
            table[cols[0]] = cols[1:columns]
    return table


def genepred_to_biggenepred(source, out, *, scores=None, gene_names=None, colors=None, cds=None,
                            gene_types=None) -> int:
    """Convert genePred rows to bigGenePred text (kent's genePredToBigGenePred).

    The optional tables (paths) map a genePred name to a score (``scores``: 2 columns), to
    geneName and geneName2 (``gene_names``: 3 columns), to an r, g, b color (``colors``: 4
    columns), to cdsStartStat, cdsEndStat, exonCount, exonFrames (``cds``: 5 columns, as
    kent's knownCds), or to a geneType (``gene_types``: 2 columns; trackpack's addition).
    Returns the row count.
    """
    score_t = read_key_file(scores, 2, "score") if scores is not None else None
    names_t = read_key_file(gene_names, 3, "geneNames") if gene_names is not None else None
    color_t = read_key_file(colors, 4, "colors") if colors is not None else None
    cds_t = read_key_file(cds, 5, "cds") if cds is not None else None
    types_t = read_key_file(gene_types, 2, "geneType") if gene_types is not None else None
    count = 0
    with atomic_output(out, "w") as f:
        for gp in read_genepreds(source, tabs=True, max_columns=15):
            extras = BigGenePredExtras()
            if gp.exon_frames is None and cds_t is not None and gp.name in cds_t:
                start_stat, end_stat, _, frames = cds_t[gp.name]
                gp.cds_start_stat = _cds_status(int(start_stat) if start_stat.lstrip("-").isdigit() else -1)
                gp.cds_end_stat = _cds_status(int(end_stat) if end_stat.lstrip("-").isdigit() else -1)
                gp.exon_frames = [int(v) for v in frames.split(",") if v]
                gp.fields = 4
            if score_t is not None and gp.name in score_t:
                value = score_t[gp.name][0]
                if not value.isdigit():
                    raise FormatError(f"score for {gp.name} is not an unsigned integer: {value!r}",
                                      path=display_name(scores))
                extras.score = int(value)
            if color_t is not None:
                rgb = color_t.get(gp.name)
                if rgb is None:
                    raise NotFoundError(f"{gp.name} has no color in {display_name(colors)}")
                r, g, b = (_atoi(v) & 0xFF for v in rgb)
                extras.item_rgb = str((r << 16) | (g << 8) | b)
            if names_t is not None:
                gn = names_t.get(gp.name)
                if gn is None:
                    raise NotFoundError(f"{gp.name} has no gene names in {display_name(gene_names)}")
                extras.gene_name, extras.gene_name2 = gn[0], gn[1]
            if types_t is not None and gp.name in types_t:
                extras.gene_type = types_t[gp.name][0]
            f.write(format_biggenepred(gp, extras))
            count += 1
    return count


def _atoi(text: str) -> int:
    digits = ""
    for i, c in enumerate(text.strip()):
        if c.isdigit() or (i == 0 and c in "+-"):
            digits += c
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


def _cds_status(value: int) -> str:
    from .genepred import CDS_STATUSES

    if not 0 <= value < len(CDS_STATUSES):
        raise FormatError(f"invalid cdsStatus enum value: {value}")
    return CDS_STATUSES[value]
