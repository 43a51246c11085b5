"""Generate a genome of realistic shape for the .2bit benchmarks (once, into bench/data/).

    python bench/gen_genome.py            # writes bench/data/genome300.fa and .2bit
    python bench/gen_genome.py --mb 50    # a smaller one

Shape, modelled on a soft-masked UCSC assembly (hg38.fa.gz):

- 12 chromosomes from 15% down to 3% of the total, plus 300 unplaced scaffolds of
  2-60 kb (the chrUn_* / random tail);
- about half of the bases soft-masked, in alternating runs (repeat runs of ~300 bases,
  unmasked runs of ~320, exponentially distributed), so there are hundreds of thousands
  of mask blocks;
- N gaps: 10 kb at each chromosome end, a 0.5-3 Mb "centromere", and a gap of 100 bases
  to 50 kb every ~2 Mb; a few single Ns; scaffolds mostly without gaps;
- upper- and lower-case ACGT, 50 bases per line (like UCSC downloads).

Deterministic (fixed seed).  The .2bit is written by kent's faToTwoBit when it is
available (TRACKPACK_KENT_BIN or PATH), else by trackpack's writer, which produces the
same bytes.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Tuple

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TRACKPACK_BENCH_DATA", BENCH_DIR / "data"))
LINE_WIDTH = 50
SEED = 20240611
DEFAULT_MB = 300

_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


def _chromosome(rng: np.random.Generator, size: int, scaffold: bool) -> bytes:
    """One sequence with soft-masked runs and N gaps."""
    seq = _BASES[rng.integers(0, 4, size, dtype=np.uint8)]
    # Alternating unmasked / masked runs, starting at a random phase.
    runs = rng.exponential(1.0, size // 150 + 16)
    means = np.where(np.arange(runs.size) % 2 == 0, 320.0, 300.0)
    lengths = np.maximum(1, (runs * means).astype(np.int64))
    bounds = np.cumsum(lengths)
    bounds = bounds[bounds < size]
    flags = np.zeros(size + 1, dtype=np.int8)
    np.add.at(flags, bounds, 1)
    masked = (np.cumsum(flags[:size]) + int(rng.integers(0, 2))) % 2 == 1
    seq[masked] |= 0x20
    gaps = []
    if not scaffold:
        gaps.append((0, min(size, 10_000)))
        gaps.append((max(0, size - 10_000), size))
        centre = int(size * rng.uniform(0.3, 0.6))
        gaps.append((centre, min(size, centre + int(rng.uniform(0.5e6, 3e6)))))
        for pos in range(int(rng.uniform(0, 2e6)), size, 2_000_000):
            gaps.append((pos, min(size, pos + int(rng.uniform(100, 50_000)))))
        for pos in rng.integers(0, size, 20):
            gaps.append((int(pos), int(pos) + 1))
    elif rng.random() < 0.2:
        pos = int(rng.integers(0, size))
        gaps.append((pos, min(size, pos + 100)))
    for start, end in gaps:
        seq[start:end] = np.where(seq[start:end] >= 0x61, ord("n"), ord("N"))
    return seq.tobytes()


def _fasta_lines(name: str, seq: bytes) -> bytes:
    arr = np.frombuffer(seq, dtype=np.uint8)
    full = arr.size // LINE_WIDTH
    body = np.empty((full, LINE_WIDTH + 1), dtype=np.uint8)
    body[:, :LINE_WIDTH] = arr[: full * LINE_WIDTH].reshape(full, LINE_WIDTH)
    body[:, LINE_WIDTH] = 10
    tail = seq[full * LINE_WIDTH:]
    return b">" + name.encode() + b"\n" + body.tobytes() + (tail + b"\n" if tail else b"")


def generate_fasta(path: Path, total_mb: int = DEFAULT_MB) -> None:
    rng = np.random.default_rng(SEED)
    total = total_mb * 1_000_000
    shares = np.linspace(0.15, 0.03, 12)
    shares = shares / shares.sum() * 0.98
    tmp = path.with_suffix(".fa.part")
    with open(tmp, "wb") as out:
        for i, share in enumerate(shares, 1):
            size = int(total * share)
            out.write(_fasta_lines(f"chr{i}", _chromosome(rng, size, False)))
        for i in range(300):
            size = int(rng.uniform(2_000, 60_000))
            out.write(_fasta_lines(f"chrUn_scaffold{i:04d}v1", _chromosome(rng, size, True)))
    os.replace(tmp, path)


def _kent(name: str):
    kent_dir = os.environ.get("TRACKPACK_KENT_BIN")
    if kent_dir and (Path(kent_dir) / name).is_file():
        return str(Path(kent_dir) / name)
    return shutil.which(name)


def ensure_genome(total_mb: int = DEFAULT_MB) -> Tuple[Path, Path]:
    """(FASTA, .2bit) of the benchmark genome, generating them on first use."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    fasta = DATA_DIR / f"genome{total_mb}.fa"
    twobit = DATA_DIR / f"genome{total_mb}.2bit"
    if not fasta.exists():
        generate_fasta(fasta, total_mb)
    if not twobit.exists():
        kent = _kent("faToTwoBit")
        if kent:
            subprocess.run([kent, str(fasta), str(twobit)], check=True)
        else:
            from trackpack import write_twobit

            write_twobit(fasta, twobit)
    return fasta, twobit


def ensure_reads(count: int = 1_000_000, length: int = 150) -> Path:
    """FASTA of ``count`` short reads (upper case, one line each): the many-records shape."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"reads{count // 1000}k.fa"
    if path.exists():
        return path
    rng = np.random.default_rng(SEED + 1)
    tmp = path.with_suffix(".fa.part")
    with open(tmp, "wb") as out:
        for first in range(0, count, 100_000):
            n = min(100_000, count - first)
            seqs = _BASES[rng.integers(0, 4, (n, length), dtype=np.uint8)]
            out.write(b"".join(b">read%07d/1\n" % (first + i) + seqs[i].tobytes() + b"\n" for i in range(n)))
    os.replace(tmp, path)
    return path


def ensure_gzip(path: Path) -> Path:
    """``path`` compressed as gzip (level 6, like gzip's default), made once."""
    import zlib

    gz = path.with_name(path.name + ".gz")
    if gz.exists():
        return gz
    tmp = gz.with_name(gz.name + ".part")
    deflate = zlib.compressobj(6, zlib.DEFLATED, 31)
    with open(path, "rb") as src, open(tmp, "wb") as out:
        for piece in iter(lambda: src.read(1 << 22), b""):
            out.write(deflate.compress(piece))
        out.write(deflate.flush())
    os.replace(tmp, gz)
    return gz


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=DEFAULT_MB, help="genome size in Mb (default %(default)s)")
    args = parser.parse_args(argv)
    fasta, twobit = ensure_genome(args.mb)
    print(f"{fasta} ({fasta.stat().st_size:,} bytes)\n{twobit} ({twobit.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
