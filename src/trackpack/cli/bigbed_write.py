"""``trackpack bedToBigBed``: kent's bedToBigBed command line over :func:`trackpack.write_bigbed`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Tuple

from ..bed import refuse_text_sizes
from ..errors import UsageError
from .options import parse_args

__all__ = ["bed_to_big_bed"]

USAGE = """\
bedToBigBed - convert BED to an indexed bigBed (trackpack; bbi version 4)
usage:
   bedToBigBed in.bed chrom.sizes out.bb
in.bed is BED text (plain or gzip; 'stdin' or '-' reads standard input) without track or
browser lines, chrom.sizes has two columns, <sequence name> <size in bases>, and out.bb is
the bigBed to write.  Items must be sorted by chromosome, then start, e.g. with
   LC_ALL=C sort -k1,1 -k2,2n unsorted.bed > sorted.bed
or use -sort.

options:
   -type=bedN[+[P]] : N standard BED columns (3 to 15), + extra columns; P says how many
                      (without -as a bare + adds none).  E.g. -type=bed6 or -type=bed6+4
   -as=fields.as    - autoSql describing all columns (needed for non-standard extra ones)
   -blockSize=N     - items per R-tree node.  Default 256
   -itemsPerSlot=N  - items per data block.  Default 512
   -unc             - do not compress data and zoom blocks
   -tab             - columns are separated by tabs only (so they may hold spaces)
   -extraIndex=fieldList - index these string columns (comma separated) for name search,
                      e.g. -extraIndex=name or -extraIndex=name,geneName
   -sizesIs2Bit     - chrom.sizes is a .2bit file
   -sizesIsChromAliasBb - chrom.sizes is a chromAlias bigBed: any alias may name a sequence
   -sizesIsBb       - old name of -sizesIsChromAliasBb
   -allow1bpOverlap - let blocks (exons) overlap by one base
   -fixScores       - clamp scores to 0-1000 (non-integer scores become 0)
   -sort            - sort the input first (external sort: memory stays bounded)
   -udcDir=dir      - accepted for compatibility; remote files are not read
   -maxAlloc=N      - accepted for compatibility; memory use is bounded anyway
   -q               - no progress display
"""

OPTIONS = {
    "type": str,
    "as": str,
    "blockSize": int,
    "itemsPerSlot": int,
    "unc": bool,
    "tab": bool,
    "extraIndex": str,
    "sizesIs2Bit": bool,
    "sizesIsChromAliasBb": bool,
    "sizesIsBb": bool,
    "udcDir": str,
    "allow1bpOverlap": bool,
    "maxAlloc": int,
    "fixScores": bool,
    "sort": bool,
}


def _alias_sizes(path: str) -> Tuple[Dict[str, int], Dict[str, str]]:
    """Sizes and aliases from a chromAlias bigBed: (name or alias -> size, alias -> name)."""
    try:
        from ..bbi.reader import BigBedFile  # the CLI may use the reader; the writer never does
    except ImportError as err:
        raise UsageError(f"-sizesIsChromAliasBb needs trackpack's bigBed reader ({err})") from None
    refuse_text_sizes(path, "bigBed", "-sizesIsChromAliasBb / -sizesIsBb")
    sizes: Dict[str, int] = {}
    aliases: Dict[str, str] = {}
    with BigBedFile(path) as bb:
        for chrom, _start, end, rest in bb:
            sizes[chrom] = end
            for alias in rest.split("\t") if rest else ():
                if alias and alias != chrom:
                    sizes.setdefault(alias, end)
                    aliases.setdefault(alias, chrom)
    return sizes, aliases


def bed_to_big_bed(argv: List[str]) -> int:
    """Run ``bedToBigBed`` with kent's arguments; returns the exit status."""
    parsed = parse_args(argv, OPTIONS, USAGE, nargs=3)
    in_bed, sizes_arg, out_bb = parsed.args
    from ..bbi.writer import write_bigbed

    alias_bb = parsed.flag("sizesIsChromAliasBb") or parsed.flag("sizesIsBb")
    if alias_bb and parsed.flag("sizesIs2Bit"):
        raise UsageError("-sizesIs2Bit and -sizesIsChromAliasBb cannot be combined")
    chrom_sizes = sizes_arg
    aliases = None
    if alias_bb:
        chrom_sizes, aliases = _alias_sizes(sizes_arg)
    summary = write_bigbed(
        in_bed,
        chrom_sizes,
        out_bb,
        bed_type=parsed.get("type"),
        autosql=Path(parsed.get("as")) if parsed.get("as") is not None else None,  # always a file here
        extra_index=parsed.get("extraIndex") or (),
        block_size=parsed.get("blockSize", 256),
        items_per_slot=parsed.get("itemsPerSlot", 512),
        compress=not parsed.flag("unc"),
        tab=parsed.flag("tab"),
        sort=parsed.flag("sort"),
        sizes_is_2bit=parsed.flag("sizesIs2Bit"),
        chrom_aliases=aliases,
        fix_scores=parsed.flag("fixScores"),
        allow_1bp_overlap=parsed.flag("allow1bpOverlap"),
        progress=parsed.progress,
    )
    if (parsed.get("verbose") or 0) >= 2:
        print(
            f"{summary.items} items on {summary.chromosomes} chromosomes, {summary.zoom_levels} zoom levels, "
            f"{summary.bytes} bytes",
            file=sys.stderr,
        )
    return 0
