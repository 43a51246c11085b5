"""Regenerate the example data shipped in src/trackpack/data/ (deterministic).

    python tools/make_demo_data.py

demo.fa: three small sequences with soft-masked (lower-case) repeats and an N gap, wrapped
at 60 columns.  demo.bed: BED6 items (genes/peaks) on them, sorted as bedToBigBed wants.
"""
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "trackpack" / "data"
SEQS = {"chrA": 30_000, "chrB": 20_000, "chrM": 1_650}


def make_sequence(rng, size):
    bases = [rng.choice("ACGT") for _ in range(size)]
    pos = 0
    while pos < size:  # soft-masked repeats covering about a third of the sequence
        pos += rng.randrange(200, 1500)
        length = rng.randrange(50, 600)
        for i in range(pos, min(pos + length, size)):
            bases[i] = bases[i].lower()
        pos += length
    if size > 10_000:  # one assembly gap
        gap = rng.randrange(size // 3, size // 2)
        for i in range(gap, gap + 500):
            bases[i] = "N"
    return "".join(bases)


def main():
    rng = random.Random(2026)
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "demo.fa", "w") as fa:
        for name, size in SEQS.items():
            seq = make_sequence(rng, size)
            fa.write(f">{name} demo sequence, {size} bp\n")
            fa.writelines(seq[i:i + 60] + "\n" for i in range(0, size, 60))
    items = []
    for name, size in SEQS.items():
        for i in range(size // 400):
            longest = min(2000, size // 4)
            start = rng.randrange(0, size - longest)
            end = start + rng.randrange(1, longest)
            items.append((name, start, end, f"{name}_feature{i}", rng.randrange(0, 1001), rng.choice("+-")))
    items.append(("chrA", 1000, 1000, "insertion", 0, "+"))  # zero-length items are valid
    items.sort(key=lambda t: (t[0].encode(), t[1], t[2]))
    with open(OUT / "demo.bed", "w") as bed:
        bed.writelines("\t".join(map(str, item)) + "\n" for item in items)


if __name__ == "__main__":
    main()
