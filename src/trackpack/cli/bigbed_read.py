"""bigBed reading tools, kent-compatible: bigBedToBed, bigBedInfo, bigBedSummary, bigBedNamedItems.

Same arguments, flags and output bytes as current kent's tools (src/utils/<tool>/<tool>.c,
src/lib/bigBedCmdSupport.c); the work is done by :class:`trackpack.bbi.reader.BigBedFile`.
Where kent's behaviour is a bug, these tools follow the file instead and say so:

- bigBedToBed returns zero-length items at base 0 (kent's padded index search misses a
  block that holds only such an item);
- ``-maxItems`` (kept from older kent releases) limits the whole output to N items, as its
  help says; kent's last release with it applied N to each chromosome.
"""
from __future__ import annotations

import math
import sys
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from ..bbi.blocks import TEXT_ERRORS
from ..bbi.reader import BigBedFile, Record
from ..bbi.summary import std_from_sums, summary_kind, summary_values
from ..errors import FormatError, NotFoundError, UsageError
from ..files import atomic_output, open_input
from .options import MULTI, parse_args

__all__ = ["big_bed_to_bed", "big_bed_info", "big_bed_summary", "big_bed_named_items"]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", TEXT_ERRORS)


def _bed_lines(records: Iterable[Record], *, always_tab: bool = False) -> bytes:
    """BED text of ``records``: chrom, start, end and (if any) the rest, tab-separated."""
    if always_tab:
        text = "".join([f"{c}\t{s}\t{e}\t{r}\n" for c, s, e, r in records])
    else:
        text = "".join([f"{c}\t{s}\t{e}\t{r}\n" if r else f"{c}\t{s}\t{e}\n" for c, s, e, r in records])
    return _encode(text)


def _header_line(bb: BigBedFile, start_char: str) -> bytes:
    """The column names of the file's autoSql, as -header / -tsv print them."""
    if bb.autosql_in_file is None:
        raise FormatError("the file has no autoSql schema to make a header from", path=bb.path)
    return _encode(start_char + "\t".join(bb.field_names) + "\n")


# ---------------------------------------------------------------------------------------
# bigBedToBed
# ---------------------------------------------------------------------------------------

BIG_BED_TO_BED_USAGE = """\
bigBedToBed - Convert from bigBed to ascii bed format.
usage:
   bigBedToBed input.bb output.bed
options:
   -chrom=chr1 - if set restrict output to given chromosome
   -start=N - if set, restrict output to only that over start 0 based coordinate
   -end=N - if set, restrict output to only that under end
   -maxItems=N - if set, restrict output to first N items
   -range="chrom start end" - if set, restrict output to only that within range from start to end.
          This range start is a half-open 0-based coordinate like used in BED files.
   -range=chrom:start-end - if set, restrict output to only that within range from start to end.
          This range start is a 1-based start position.
    Do not use range with chrom, start, and/or end options.
   -range may be specified multiple times for multiple ranges.
   -bed=in.bed - restrict output to all regions in a BED file
   -positions=in.pos - restrict output to all regions in a position file with 1-based start
   -udcDir=/dir/to/cache - place to put cache for remote bigBed/bigWigs (accepted, unused)
   -header - output a autoSql-style header (starts with '#').
   -tsv - output a TSV header (without '#').
   -skipChromCheck - skip checking chrom name.
The output may be 'stdout'. Zero-length items at base 0 are output too (kent misses them).
"""

_TO_BED_OPTIONS = {
    "chrom": str,
    "start": int,
    "end": int,
    "maxItems": int,
    "range": MULTI,
    "bed": str,
    "positions": str,
    "udcDir": str,
    "header": bool,
    "tsv": bool,
    "skipChromCheck": bool,
}

Region = Tuple[str, int, int]


def _unsigned(text: str, what: str, where: str) -> int:
    if not text.isdigit() or int(text) > 0xFFFFFFFF:
        raise FormatError(f"{where}: {what} must be an unsigned 32-bit integer, not '{text}'")
    return int(text)


def _real_lines(path: str) -> Iterable[Tuple[int, str]]:
    """(line number, text) of the lines that are not blank or comments (kent's NextReal)."""
    with open_input(path) as f:
        for number, raw in enumerate(f, 1):
            line = raw.decode("utf-8", TEXT_ERRORS).rstrip("\r\n")
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                yield number, line


def _position(text: str, where: str) -> Region:
    """chrom:start-end with a 1-based start, as a 0-based region."""
    chrom, colon, rest = text.strip().partition(":")
    if not colon:
        raise FormatError(f"{where}: required character colon (:) not found in position {text}")
    if not chrom:
        raise FormatError(f"{where}: chrom is not allowed to be empty in position {text}")
    start_text, dash, end_text = rest.partition("-")
    if not dash:
        raise FormatError(f"{where}: required character dash (-) not found in position {text}")
    if not start_text or not end_text:
        raise FormatError(f"{where}: start and end must not be empty in position {text}")
    start = _unsigned(start_text, "start", where)
    end = _unsigned(end_text, "end", where)
    if start == 0:
        raise FormatError(f"{where}: invalid position start = 0 since position starts at 1: {text}")
    return chrom, start - 1, end


def _bed_regions(path: str) -> List[Region]:
    regions = []
    for number, line in _real_lines(path):
        words = line.split()
        where = f"{path}:{number}"
        if len(words) < 3:
            raise FormatError(
                f"file {path} doesn't appear to be in bed format. At least 3 fields required, got {len(words)}",
                path=path,
                line=number,
            )
        regions.append((words[0], _unsigned(words[1], "chromStart", where), _unsigned(words[2], "chromEnd", where)))
    return regions


def _position_regions(path: str) -> List[Region]:
    return [_position(line, f"{path}:{number}") for number, line in _real_lines(path)]


def _range_regions(ranges: Sequence[str]) -> List[Region]:
    regions = []
    for number, text in enumerate(ranges, 1):
        where = f"-range #{number}"
        if ":" in text or "-" in text:
            regions.append(_position(text, where))
            continue
        words = text.split()
        if len(words) != 3:
            raise UsageError(f"range {text} doesn't appear to be in bed format. 3 fields required, got {len(words)}")
        regions.append((words[0], _unsigned(words[1], "chromStart", where), _unsigned(words[2], "chromEnd", where)))
    return regions


def _check_region(bb: BigBedFile, region: Region, check_chrom: bool) -> None:
    chrom, start, end = region
    size = bb.chroms.get(chrom)
    if check_chrom and size is None:
        raise NotFoundError(f"invalid chrom = {chrom} not found", path=bb.path)
    if check_chrom and start > size:  # type: ignore[operator]
        raise FormatError(f"invalid start={start} > chromSize={size}")
    if check_chrom and end > size:  # type: ignore[operator]
        raise FormatError(f"invalid end={end} > chromSize={size}")
    if start > end:
        raise FormatError(f"invalid range, start={start} > end={end}")


def big_bed_to_bed(argv: List[str]) -> int:
    """trackpack bigBedToBed input.bb output.bed [options]"""
    parsed = parse_args(argv, _TO_BED_OPTIONS, BIG_BED_TO_BED_USAGE, nargs=2)
    opts = parsed.opts
    if opts.get("header") and opts.get("tsv"):
        raise UsageError("can't specify both -header and -tsv")
    picked = [name for name in ("bed", "positions", "range") if name in opts]
    if picked and any(name in opts for name in ("chrom", "start", "end")):
        raise UsageError("-bed or -positions or -range can not be used with -chrom -start or -end options")
    if len(picked) > 1:
        raise UsageError("-bed, -positions, and -range can not be used together")
    max_items = opts.get("maxItems", 0)
    if max_items < 0:
        raise UsageError("-maxItems must not be negative")
    check_chrom = not opts.get("skipChromCheck")
    in_path, out_path = parsed.args
    with BigBedFile(in_path) as bb:
        wanted = opts.get("chrom")
        if not picked and wanted is not None and wanted not in bb.chroms and check_chrom:
            raise NotFoundError(f"specified chrom {wanted} not found in bigBed", path=in_path)
        regions: Optional[Iterable[Region]] = None  # the whole file
        if picked:
            regions = _checked_regions(bb, _listed_regions(opts), check_chrom)
        elif any(name in opts for name in ("chrom", "start", "end")):
            regions = _clipped_regions(bb, wanted, opts.get("start", -1), opts.get("end", -1))  # type: ignore[arg-type]
        with atomic_output(out_path, "wb") as out:
            if opts.get("header"):
                out.write(_header_line(bb, "#"))
            elif opts.get("tsv"):
                out.write(_header_line(bb, ""))
            bb.write_bed(out, regions, max_items=max_items, progress=parsed.progress)
    return 0


def _listed_regions(opts) -> List[Region]:
    """The regions of -bed, -positions or -range, sorted as kent sorts them."""
    if "bed" in opts:
        regions = _bed_regions(opts["bed"])
    elif "positions" in opts:
        regions = _position_regions(opts["positions"])
    else:
        regions = _range_regions(opts["range"])
    # kent sorts the regions by chromosome name, then start
    regions.sort(key=lambda r: (_encode(r[0]), r[1]))
    return regions


def _checked_regions(bb: BigBedFile, regions: List[Region], check_chrom: bool) -> Iterator[Region]:
    """``regions``, each checked as it is reached (one past -maxItems is not)."""
    for region in regions:
        _check_region(bb, region, check_chrom)
        yield region


def _clipped_regions(bb: BigBedFile, wanted: Optional[str], start: int, end: int) -> Iterator[Region]:
    """-chrom/-start/-end: the chromosome (or each one), from start to end clipped to
    its size; a start past the end is an error when reached."""
    start = start if start >= 0 else 0
    for chrom, size in bb.chroms.items():
        if wanted is not None and chrom != wanted:
            continue
        stop = min(end, size) if end >= 0 else size
        if start > stop:
            raise FormatError(f"invalid range, start={start} > end={stop}")
        yield chrom, start, stop


# ---------------------------------------------------------------------------------------
# bigBedInfo
# ---------------------------------------------------------------------------------------

BIG_BED_INFO_USAGE = """\
bigBedInfo - Show information about a bigBed file.
usage:
   bigBedInfo file.bb
options:
   -udcDir=/dir/to/cache - place to put cache for remote bigBed/bigWigs (accepted, unused)
   -chroms - list all chromosomes and their sizes
   -zooms - list all zoom levels and their sizes
   -as - get autoSql spec
   -extraIndex - list all the extra indexes
"""


def _with_commas(value: int) -> str:
    return f"{value:,}"


def _c_int(value: int) -> int:
    """``value`` as C's ``%d`` prints a 32-bit unsigned field."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _c_float(value: float) -> str:
    """C's ``%f``: glibc spells NaN "-nan" when its sign bit is set (as sqrt(-x) gives)."""
    if math.isnan(value):
        return "-nan" if math.copysign(1.0, value) < 0 else "nan"
    return f"{value:f}"


def big_bed_info(argv: List[str]) -> int:
    """trackpack bigBedInfo file.bb [options]"""
    parsed = parse_args(
        argv,
        {"udcDir": str, "chroms": bool, "zooms": bool, "as": bool, "extraIndex": bool},
        BIG_BED_INFO_USAGE,
        nargs=1,
    )
    opts = parsed.opts
    lines: List[str] = []
    add = lines.append
    with BigBedFile(parsed.args[0]) as bb:
        header = bb.header
        ext = bb.extension
        add(f"version: {bb.version}")
        add(f"hasHeaderExtension: {'yes' if header.extension_offset else 'no'}")
        add(f"isCompressed: {'yes' if bb.compressed else 'no'}")
        add(f"isSwapped: {1 if bb.byte_order != sys.byteorder else 0}")
        add(f"extraIndexCount: {ext.extra_index_count if ext else 0}")
        if opts.get("extraIndex"):
            for index in bb.extra_index_info:
                add(f"    {index.field} (field {index.field_id}) with {bb.extra_index_item_count(index.field)} items")
        add(f"itemCount: {_with_commas(bb.item_count)}")
        add(f"primaryDataSize: {_with_commas(header.full_index_offset - header.full_data_offset)}")
        if bb.zooms:
            add(f"primaryIndexSize: {_with_commas(bb.zooms[0].data_offset - header.full_index_offset)}")
        add(f"zoomLevels: {bb.zoom_levels}")
        if opts.get("zooms"):
            for level, zoom in enumerate(bb.zooms):
                add(f"\t{_c_int(zoom.reduction_level)}\t{_c_int(zoom.index_offset - zoom.data_offset)}")
                for chrom in bb.chroms:
                    for rec in bb.zoom_summaries(level, chrom):
                        add(f"\t\t{chrom}:{_c_int(rec.start)}-{_c_int(rec.end)}")
        add(f"chromCount: {len(bb.chroms)}")
        if opts.get("chroms"):
            for chrom, size in bb.chroms.items():
                add(f"\t{chrom} {_c_int(bb.chrom_ids[chrom])} {_c_int(size)}")
        text = "\n".join(lines) + "\n"
        if opts.get("as"):
            autosql = bb.autosql_in_file
            text += "as:  n/a\n" if autosql is None else "as:\n" + autosql
        total = bb.total_summary
        n = total.bases_covered
        mean = total.sum / n if n else 0.0
        std = std_from_sums(total.sum, total.sum_squares, n) if n else 0.0
        text += (
            f"basesCovered: {_with_commas(n)}\n"
            f"meanDepth (of bases covered): {_c_float(mean)}\n"
            f"minDepth: {_c_float(total.min)}\n"
            f"maxDepth: {_c_float(total.max)}\n"
            f"std of depth: {_c_float(std if not math.isnan(std) else -math.nan)}\n"
        )
    with atomic_output("stdout", "wb") as out:
        out.write(_encode(text))
    return 0


# ---------------------------------------------------------------------------------------
# bigBedSummary
# ---------------------------------------------------------------------------------------

BIG_BED_SUMMARY_USAGE = """\
bigBedSummary - Extract summary information from a bigBed file.
usage:
   bigBedSummary file.bb chrom start end dataPoints
Get summary data from bigBed for indicated region, broken into
dataPoints equal parts.  (Use dataPoints=1 for simple summary.)
options:
   -type=X where X is one of:
         coverage - % of region that is covered (default)
         mean - average depth of covered regions
         min - minimum depth of covered regions
         max - maximum depth of covered regions
         std - standard deviation of depth of covered regions
   -fields - print out information on fields in file.
      If fields option is used, the chrom, start, end, dataPoints
      parameters may be omitted
   -exact - compute exact per-base statistics from the items instead of kent's
      estimates from zoom levels (trackpack only)
   -udcDir=/dir/to/cache - place to put cache for remote bigBed/bigWigs (accepted, unused)
"""


def _format_g(value: float) -> str:
    return "n/a" if math.isnan(value) else "%g" % value


def big_bed_summary(argv: List[str]) -> int:
    """trackpack bigBedSummary file.bb chrom start end dataPoints [options]"""
    options = {"type": str, "fields": bool, "udcDir": str, "exact": bool}
    parsed = parse_args(argv, options, BIG_BED_SUMMARY_USAGE, nargs=(1, None))
    opts = parsed.opts
    args = parsed.args
    if opts.get("fields"):
        with BigBedFile(args[0]) as bb:
            text = f"{bb.defined_field_count} bed definition fields, {bb.field_count} total fields\n"
            if bb.autosql_in_file is not None:
                text += "".join(f"\t{col.name}\t{col.comment}\n" for col in bb.schema.columns)
            else:
                text += "No additional field information included.\n"
        with atomic_output("stdout", "wb") as out:
            out.write(_encode(text))
        return 0
    if len(args) != 5:
        raise UsageError(BIG_BED_SUMMARY_USAGE.rstrip("\n"))
    kind_name = opts.get("type", "coverage")
    kind = summary_kind(kind_name)  # type: ignore[arg-type]
    if kind is None:
        raise UsageError(f"Unknown bbiSummaryType {kind_name}")
    path, chrom = args[0], args[1]
    start, end, points = (_unsigned(text, name, "bigBedSummary") for text, name in zip(args[2:], ("start", "end", "dataPoints")))
    if points < 1:
        raise UsageError("dataPoints must be at least 1")
    with BigBedFile(path) as bb:
        elements = bb.summary_elements(chrom, start, end, points, exact=bool(opts.get("exact")), progress=parsed.progress)
        if not any(el.valid_count > 0 for el in elements):
            raise NotFoundError(f"no data in region {chrom}:{start}-{end} in {path}")
        values = summary_values(elements, kind, start, end, exact=bool(opts.get("exact")))
    with atomic_output("stdout", "wb") as out:
        out.write(_encode("\t".join(_format_g(v) for v in values) + "\n"))
    return 0


# ---------------------------------------------------------------------------------------
# bigBedNamedItems
# ---------------------------------------------------------------------------------------

BIG_BED_NAMED_ITEMS_USAGE = """\
bigBedNamedItems - Extract item of given name from bigBed
usage:
   bigBedNamedItems file.bb name output.bed
options:
   -nameFile - if set, treat name parameter as file full of space delimited names
   -field=fieldName - use index on field name, default is "name"
   -header - output a autoSql-style header (starts with '#').
"""


def big_bed_named_items(argv: List[str]) -> int:
    """trackpack bigBedNamedItems file.bb name output.bed [options]"""
    parsed = parse_args(
        argv, {"nameFile": bool, "field": str, "header": bool, "udcDir": str}, BIG_BED_NAMED_ITEMS_USAGE, nargs=3
    )
    opts = parsed.opts
    path, name, out_path = parsed.args
    field = opts.get("field", "name")
    if opts.get("nameFile"):
        with open_input(name) as f:
            names: List[str] = f.read().decode("utf-8", TEXT_ERRORS).split()
    else:
        names = [name]
    with BigBedFile(path) as bb:
        if field not in bb.field_names:
            raise NotFoundError(f"No field {field}", path=path)
        if not bb.extra_indexes:
            raise NotFoundError("the file has no extra indexes", path=path)
        records = bb.search(names, field, block_order="kent", progress=parsed.progress)  # type: ignore[arg-type]
        with atomic_output(out_path, "wb") as out:
            if opts.get("header"):
                out.write(_header_line(bb, "#"))
            out.write(_bed_lines(records, always_tab=True))
    return 0
