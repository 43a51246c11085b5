"""File-level conversions: GTF/GFF3 -> genePred -> BED12 / bigGenePred, step by step.

Each function reads its input one sequence at a time (:class:`~.partition.Partition`), so
memory does not grow with the whole file, and writes its outputs atomically (a failed run
leaves none).  Output order and messages follow kent's tools.

Messages kent prints on stderr (errors under -allErrors, warnings) go to ``report``;
the CLI passes a function that prints them.
"""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import FormatError, NotFoundError
from ..files import atomic_output, display_name, open_input
from . import fastgtf
from . import gff3 as gff3mod
from . import gtf as gtfmod
from .biggenepred import BigGenePredExtras, format_biggenepred
from .genepred import CDS_STATUSES, FIELDS_ALL, format_bed12, format_genepred, read_genepreds
from .textio import Report, decode_line, report_to_stderr, text_output
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

class ConversionError(FormatError):
    """Conversion failed after reporting each problem; the message is kent's summary line."""


@dataclass
class GtfResult:
    """What a GTF conversion did."""

    transcripts: int = 0
    errors: int = 0
    messages: List[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------
# GTF


def gtf_to_genepred(source, out, *, info_out=None, extended: bool = False, include_version: bool = False,
                    gene_name_as_name2: bool = False, ignore_groups_without_exons: bool = False,
                    implied_stop_after_cds: bool = False, source_prefixes: Sequence[str] = (),
                    all_errors: bool = False, simple: bool = False, with_bin: bool = False,
                    report: Optional[Report] = None, progress: Optional[bool] = None) -> GtfResult:
    """Convert a GTF file to genePred (kent's gtfToGenePred).

    Args:
        source: GTF path (plain or gzip), ``stdin`` or binary file object.
        out: genePred output path (``stdout`` allowed).
        info_out: optional path for kent's per-transcript info table (-infoOut).
        extended: write all genePred columns (-genePredExt).
        include_version: add gene_version / transcript_version to the ids (-includeVersion).
        gene_name_as_name2: name2 from gene_name rather than gene_id (-geneNameAsName2).
        ignore_groups_without_exons: skip transcripts without exon-like lines instead of
            reporting them (-ignoreGroupsWithoutExons).
        implied_stop_after_cds: the CDS lines exclude the stop codon (-impliedStopAfterCds).
        source_prefixes: only transcripts whose source starts with one of these
            (-sourcePrefix).
        all_errors: report transcripts that fail and skip them (their messages go to
            ``report``); the outputs are still written and ``errors`` counts them.
        simple: only check the lines (no output rows; -simple).
        with_bin: prepend the UCSC bin column (trackpack's -bin).
        report: receives kent's stderr messages (default: print them).
        progress: show progress on a terminal (None: when stderr is one).

    Returns:
        a :class:`GtfResult`.  The rows are written in kent's order (transcripts by their
        first line in the file), so they are held until the whole file is read.

    Raises:
        FormatError: bad input (naming file and line), unless ``all_errors`` skips it.
    """
    report = report if report is not None else report_to_stderr
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
        if not gtfmod.is_gtf_file(part):
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
                    errors.append((tx.first, [text]))  # reported, yet its info row is written, as kent does
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
                                      info=info_out is not None)
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


def gff3_to_genepred(source, out, *, attrs_out=None, unprocessed_roots_out=None, bad_out=None,
                     options: Optional[gff3mod.Gff3Options] = None, max_parse_errors: int = 50,
                     with_bin: bool = False, report: Optional[Report] = None,
                     progress: Optional[bool] = None) -> int:
    """Convert a GFF3 file to genePred (kent's gff3ToGenePred).

    Args:
        source: GFF3 path (plain or gzip), ``stdin`` or binary file object.
        out: genePred output path (``stdout`` allowed).
        attrs_out: optional path for the attributes of each converted record (-attrsOut).
        unprocessed_roots_out: optional path for the top-level records that gave no
            genePred (-unprocessedRootsOut).
        bad_out: optional path for the genePreds that failed the checks (-bad).
        options: the conversion options (kent's other flags).
        max_parse_errors: stop parsing after this many errors (negative: no limit).
        with_bin: prepend the UCSC bin column (trackpack's -bin).
        report: receives kent's stderr messages (default: print them).
        progress: show progress on a terminal (None: when stderr is one).

    Returns the number of conversion errors (warnings with ``warn_and_continue``).

    Raises:
        Gff3ParseError: the file does not parse (every message is in ``messages``; they
            were also passed to ``report``).
        FormatError: conversion errors without ``warn_and_continue`` (the outputs are not
            written).
    """
    report = report if report is not None else report_to_stderr
    opts = options if options is not None else gff3mod.Gff3Options()
    path = display_name(source)
    directives = gff3mod.DirectiveChecker(path)
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
        directives.finish(part.first_record_line())
        parse_messages.extend(directives.messages)
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
    with ExitStack() as stack:  # every output is renamed into place only when all are written
        gp_out = stack.enter_context(text_output(out))
        attrs_f = stack.enter_context(text_output(attrs_out)) if attrs_out is not None else None
        for _, rows, attrs, _ in blocks:
            gp_out.write(rows)
            if attrs_f is not None:
                attrs_f.write(attrs)
        for target, texts in ((unprocessed_roots_out, unprocessed), (bad_out, bad_rows)):
            if target is not None:
                f = stack.enter_context(text_output(target))
                for _, text in sorted(texts, key=lambda u: -u[0]):
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
    with text_output(out) as f:
        for gp in read_genepreds(source, tabs=False, max_columns=10):
            f.write(format_bed12(gp, with_bin=with_bin))
            count += 1
    return count


def read_key_file(path, columns: int, what: str,
                  parse: Optional[Callable[[List[str]], Any]] = None) -> Dict[str, Any]:
    """A tab-separated ``key value...`` file as a dict (kent's -score/-geneNames/-colors files).

    Each key maps to its next ``columns - 1`` values, or to ``parse(values)`` when given
    (``parse`` raises ValueError for bad values).  Lines with fewer columns, or values
    ``parse`` rejects, are an error naming the file and line.
    """
    table: Dict[str, Any] = {}
    name = display_name(path)
    with open_input(path) as f:
        for lineno, raw in enumerate(f, 1):
            text = decode_line(raw)
            if not text or text.startswith("#"):
                continue
            cols = text.split("\t") if "\t" in text else text.split()
            if len(cols) < columns:
                raise FormatError(f"expected {columns} columns in the {what} file, found {len(cols)}",
                                  path=name, line=lineno)
            values = cols[1:columns]
            if parse is not None:
                try:
                    values = parse(values)
                except ValueError as err:
                    raise FormatError(f"{what} of {cols[0]}: {err}", path=name, line=lineno) from None
            table[cols[0]] = values
    return table


def _score(values: List[str]) -> int:
    if not values[0].isdigit() or not values[0].isascii():
        raise ValueError(f"not an unsigned integer: {values[0]!r}")
    return int(values[0])


def _rgb(values: List[str]) -> str:
    # kent reads each component with atoi (leading number, else 0) and keeps its low byte
    r, g, b = (_atoi(v) & 0xFF for v in values)
    return str((r << 16) | (g << 8) | b)


def _cds_columns(values: List[str]) -> Tuple[str, str, List[int]]:
    """cdsStartStat, cdsEndStat (kent's enum numbers), exonCount and exonFrames of a
    knownCds row, as (status, status, frames)."""
    stats = []
    for text in values[:2]:
        value = int(text) if text.lstrip("-").isdigit() and text.isascii() else -1
        if not 0 <= value < len(CDS_STATUSES):
            raise ValueError(f"invalid cdsStatus enum value: {text!r}")
        stats.append(CDS_STATUSES[value])
    frames = []
    for text in values[3].split(","):
        if text:
            if not text.lstrip("-").isdigit() or not text.isascii() or not -1 <= int(text) <= 2:
                raise ValueError(f"invalid exonFrame: {text!r}")
            frames.append(int(text))
    if not values[2].isdigit() or int(values[2]) != len(frames):
        raise ValueError(f"exonCount {values[2]!r} but {len(frames)} exonFrames")
    return stats[0], stats[1], frames


def genepred_to_biggenepred(source, out, *, scores=None, gene_names=None, colors=None, cds=None,
                            gene_types=None) -> int:
    """Convert genePred rows to bigGenePred text (kent's genePredToBigGenePred).

    The optional tables (paths) map a genePred name to a score (``scores``: 2 columns), to
    geneName and geneName2 (``gene_names``: 3 columns), to an r, g, b color (``colors``: 4
    columns), to cdsStartStat, cdsEndStat, exonCount, exonFrames (``cds``: 5 columns, as
    kent's knownCds; used for genePreds without frames), or to a geneType (``gene_types``:
    2 columns; trackpack's addition).  Every genePred needs a color and gene names when
    those tables are given.  Returns the row count.

    Raises:
        FormatError: a bad row in the input or in a table (naming file and line).
        NotFoundError: a genePred missing from the colors or gene names table.
    """
    score_t = read_key_file(scores, 2, "score", _score) if scores is not None else None
    names_t = read_key_file(gene_names, 3, "geneNames") if gene_names is not None else None
    color_t = read_key_file(colors, 4, "colors", _rgb) if colors is not None else None
    cds_t = read_key_file(cds, 5, "cds", _cds_columns) if cds is not None else None
    types_t = read_key_file(gene_types, 2, "geneType") if gene_types is not None else None
    count = 0
    with text_output(out) as f:
        for gp in read_genepreds(source, tabs=True, max_columns=15):
            extras = BigGenePredExtras()
            if gp.exon_frames is None and cds_t is not None and gp.name in cds_t:
                gp.cds_start_stat, gp.cds_end_stat, frames = cds_t[gp.name]
                if len(frames) != gp.exon_count:
                    raise FormatError(f"{gp.name} has {len(frames)} exonFrames in {display_name(cds)} but "
                                      f"{gp.exon_count} exons", path=gp.origin[0] if gp.origin else None,
                                      line=gp.origin[1] if gp.origin else None)
                gp.exon_frames = frames
                gp.fields = FIELDS_ALL
            if score_t is not None and gp.name in score_t:
                extras.score = score_t[gp.name]
            if color_t is not None:
                extras.item_rgb = color_t.get(gp.name)
                if extras.item_rgb is None:
                    raise NotFoundError(f"{gp.name} has no color in {display_name(colors)}")
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
    """C's atoi: the leading (signed) number of ``text`` after white space, else 0."""
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
