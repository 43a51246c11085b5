"""Generated BED inputs for the bigBed benchmarks (deterministic for a given seed).

    python bench/gen_bed.py 1000000      # writes bench/data/bed6_1000000.bed + hg38ish.chrom.sizes

Items are sorted (chrom byte-wise, then start) BED6 lines over human-like chromosomes, with
peak-like lengths (50 bp - 5 kb), names, scores and strands.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, Tuple

import numpy as np

from common import data_path

#: GRCh38 primary chromosome sizes
CHROM_SIZES: Dict[str, int] = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555,
    "chr5": 181538259, "chr6": 170805979, "chr7": 159345973, "chr8": 145138636,
    "chr9": 138394717, "chr10": 133797422, "chr11": 135086622, "chr12": 133275309,
    "chr13": 114364328, "chr14": 107043718, "chr15": 101991189, "chr16": 90338345,
    "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415,
    "chrM": 16569,
}


def chrom_sizes_file() -> Path:
    path = data_path("hg38ish.chrom.sizes")
    if not path.exists():
        path.write_text("".join(f"{c}\t{s}\n" for c, s in CHROM_SIZES.items()))
    return path


def bed6_file(n_lines: int, seed: int = 1) -> Tuple[Path, Path]:
    """(BED path, chrom.sizes path) for ``n_lines`` sorted BED6 items; generated once."""
    sizes = chrom_sizes_file()
    path = data_path(f"bed6_{n_lines}.bed")
    if path.exists():
        return path, sizes
    rng = np.random.default_rng(seed)
    names = sorted(CHROM_SIZES)  # byte-wise order, as bedToBigBed wants
    weights = np.array([CHROM_SIZES[c] for c in names], dtype=float)
    counts = rng.multinomial(n_lines, weights / weights.sum())
    tmp = path.with_suffix(".part")
    with open(tmp, "w") as out:
        item = 0
        for chrom, count in zip(names, counts):
            size = CHROM_SIZES[chrom]
            lengths = rng.integers(50, 5000, count)
            starts = np.sort(rng.integers(0, size - 5000, count))
            ends = starts + lengths
            scores = rng.integers(0, 1001, count)
            strands = rng.choice(["+", "-", "."], count)
            lines = [
                f"{chrom}\t{s}\t{e}\tpeak{item + i}\t{sc}\t{st}\n"
                for i, (s, e, sc, st) in enumerate(zip(starts.tolist(), ends.tolist(), scores.tolist(), strands.tolist()))
            ]
            item += count
            out.write("".join(lines))
    tmp.rename(path)
    return path, sizes


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(*bed6_file(n))
