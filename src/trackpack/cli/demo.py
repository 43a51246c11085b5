"""``trackpack demo``: the main jobs, end to end, on the example data shipped with trackpack.

Packs the bundled FASTA into .2bit and reads regions back, then builds an indexed bigBed
from the bundled BED (chromosome sizes taken from the .2bit) and queries it by region,
by name and for summaries.  Everything it shows is computed, nothing is canned.
"""
from __future__ import annotations

import os
import shutil
from importlib.resources import as_file, files
from typing import List

from .options import parse_args

USAGE = """\
demo - run trackpack's main jobs on the example data shipped with it
usage:
   trackpack demo [outDir]
Copies the example inputs (demo.fa, demo.bed) into outDir (default: trackpack-demo),
writes demo.2bit and demo.bb there and prints what it reads back from them.
options:
   -q - no progress display
"""


def demo(argv: List[str]) -> int:
    """trackpack demo [outDir]"""
    from .. import BigBedFile, TwoBitFile, write_bigbed, write_twobit

    p = parse_args(argv, {}, USAGE, nargs=(0, 1))
    out_dir = p.args[0] if p.args else "trackpack-demo"
    os.makedirs(out_dir, exist_ok=True)
    twobit_path = os.path.join(out_dir, "demo.2bit")
    bigbed_path = os.path.join(out_dir, "demo.bb")
    data = files("trackpack") / "data"

    for name in ("demo.fa", "demo.bed"):  # the inputs too, to try the tools on
        with as_file(data / name) as source:
            shutil.copyfile(source, os.path.join(out_dir, name))
    fasta = os.path.join(out_dir, "demo.fa")
    bed = os.path.join(out_dir, "demo.bed")
    print(f"1. FASTA -> .2bit: {fasta} -> {twobit_path}")
    packed = write_twobit(fasta, twobit_path, progress=p.progress)
    print(f"   {packed.sequences} sequences, {packed.bases:,} bases, {packed.bytes:,} bytes (2bit version {packed.version})")

    with TwoBitFile(twobit_path) as genome:
        sizes = dict(genome.sizes)
        print("2. Random access into the .2bit")
        for name, size in sizes.items():
            n_bases = sum(e - s for s, e in genome.n_blocks(name))
            masked = sum(e - s for s, e in genome.mask_blocks(name))
            print(f"   {name}: {size:,} bp, {n_bases:,} N, {masked:,} soft-masked")
        print(f"   chrA:0-60 (soft-masked repeats in lower case):\n   {genome.fetch('chrA', 0, 60)}")
        gap_start, gap_end = genome.n_blocks("chrA")[0]
        print(f"   chrA:{gap_start - 10}-{gap_start + 10} (edge of the assembly gap at {gap_start}-{gap_end}):")
        print(f"   {genome.fetch('chrA', gap_start - 10, gap_start + 10)}")
        windows = [("chrB", start, start + 8) for start in range(100, 140, 8)]
        print(f"   batch fetch of {len(windows)} windows, upper case: {genome.fetch_many(windows, mask=False)}")

    print(f"3. BED -> bigBed: {bed} -> {bigbed_path} (sizes from the .2bit, name index)")
    built = write_bigbed(bed, sizes, bigbed_path, bed_type="bed6", extra_index=("name",), progress=p.progress)
    print(
        f"   {built.items} items on {built.chromosomes} chromosomes, "
        f"{built.zoom_levels} zoom levels, {built.bytes:,} bytes"
    )

    with BigBedFile(bigbed_path) as bb:
        print("4. Queries on the bigBed")
        hits = bb.query("chrA", 900, 1100)
        print(f"   chrA:900-1100 -> {len(hits)} items (a zero-length insertion at 1000 included):")
        for chrom, start, end, rest in hits:
            print(f"     {chrom}\t{start}\t{end}\t{rest}")
        name = hits[0][3].split("\t")[0]
        found = bb.search(name)
        print(f"   search name={name!r} -> {[(c, s, e) for c, s, e, _ in found]}")
        size = bb.chroms["chrB"]
        means = bb.summary("chrB", 0, size, bins=4, kind="mean", exact=True)
        cover = bb.summary("chrB", 0, size, bins=4, kind="coverage", exact=True)
        print("   chrB coverage depth in 4 bins (exact): mean " + ", ".join(f"{m:.2f}" for m in means))
        print("   fraction of bases covered:            " + ", ".join(f"{c:.2f}" for c in cover))
    print(f"Done. Try the tools on the files in {out_dir}, e.g.: trackpack bigBedInfo {bigbed_path}")
    return 0
