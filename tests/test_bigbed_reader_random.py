"""Randomized differential tests of the bigBed reader.

Thousands of random regions (zero-length, 1-base, whole-chromosome, touching item edges,
reaching past the chromosome end) on generated files of every shape, compared with a
brute-force overlap of the source items and with pybbi (kent's C library).  Files come
from three writers: the independent test writer (all versions, both byte orders, deep
trees), pybigtools, and trackpack's own ``write_bigbed``.
"""
import math
import random

import pytest

from bigbed_fixtures import overlapping, random_items, write_test_bigbed
from common import require_module, unavailable
from trackpack import BigBedFile
from trackpack.bbi.summary import EMPTY, SummaryElement, bin_edges, coverage_pieces, exact_slices, exact_span_slices


def random_regions(rng, items, sizes, count):
    """Regions that stress the edges: zero-length, 1 base, whole chromosome, item edges."""
    chroms = list(sizes)
    edges = {c: [p for it in items if it[0] == c for p in it[1:3]] or [0] for c in chroms}
    regions = []
    for _ in range(count):
        chrom = rng.choice(chroms)
        size = sizes[chrom]
        kind = rng.random()
        if kind < 0.15:
            start = rng.choice(edges[chrom] + [0, size])
            end = start
        elif kind < 0.3:
            start = rng.randrange(size)
            end = start + 1
        elif kind < 0.35:
            start, end = 0, size
        elif kind < 0.6:
            start = rng.choice(edges[chrom])
            end = max(start, rng.choice(edges[chrom]))
        elif kind < 0.65:
            start = rng.randrange(size)
            end = size + rng.randrange(1, 1000)
        else:
            start = rng.randrange(size + 1)
            end = start + rng.choice([10, 100, 1000, 10_000])
        regions.append((chrom, start, end))
    return regions


CONFIGS = [
    dict(),
    dict(order=">"),
    dict(items_per_slot=1, block_size=2),
    dict(items_per_slot=7, block_size=3, compress=False),
    dict(version=1, items_per_slot=32, block_size=4),
    dict(version=3, order=">", items_per_slot=5, block_size=256),
    dict(items_per_slot=64, block_size=2),
    dict(items_per_slot=512, block_size=256, order=">", compress=False),
]


@pytest.mark.parametrize("config", CONFIGS, ids=[str(c) or "default" for c in CONFIGS])
def test_random_regions_equal_brute_force(tmp_path, config):
    rng = random.Random(repr(config))
    items, sizes = random_items(rng, chroms=4, per_chrom=800, bed_fields=rng.choice([3, 6]))
    path = tmp_path / "r.bb"
    write_test_bigbed(path, items, sizes, **config)
    with BigBedFile(path, cache_bytes=rng.choice([0, 40_000, 1 << 20])) as bb:
        assert list(bb) == items
        for region in random_regions(rng, items, sizes, 600):
            assert bb.query(*region) == overlapping(items, *region), region


def test_pybigtools_written_file(tmp_path):
    pybigtools = require_module("pybigtools")
    rng = random.Random(3)
    items, sizes = random_items(rng, chroms=5, per_chrom=1500)
    # pybigtools 0.3 refuses items that start at the chromosome end, and records each
    # block's last end instead of its maximum end in the index (so any reader following
    # the index misses longer earlier items): give every item the same length.
    items = [(c, s, min(s + 700, sizes[c]), r) for c, s, e, r in items if s < sizes[c]]
    items.sort(key=lambda it: (it[0].encode(), it[1]))
    path = tmp_path / "p.bb"
    writer = pybigtools.open(str(path), "w")
    writer.write(sizes, iter(items))
    with BigBedFile(path) as bb:
        assert list(bb) == items
        for region in random_regions(rng, items, sizes, 1000):
            assert bb.query(*region) == overlapping(items, *region), region


def _our_writer():
    try:
        from trackpack.bbi.writer import write_bigbed
    except ImportError as err:
        unavailable(f"trackpack.bbi.writer is not importable ({err})")
    return write_bigbed


def test_trackpack_written_file(tmp_path):
    write_bigbed = _our_writer()
    rng = random.Random(4)
    items, sizes = random_items(rng, chroms=4, per_chrom=1500)
    path = tmp_path / "w.bb"
    write_bigbed(iter(items), sizes, path, bed_type="bed6", tab=True, extra_index=["name"], items_per_slot=64)
    with BigBedFile(path) as bb:
        assert list(bb) == items
        for region in random_regions(rng, items, sizes, 1000):
            assert bb.query(*region) == overlapping(items, *region), region
        for name in rng.sample(sorted({it[3].split("\t")[0] for it in items}), 50):
            assert bb.search(name) == [it for it in items if it[3].split("\t")[0] == name]


def _pybbi_rows(pybbi_file, chrom, start, end):
    return [tuple(row) for row in pybbi_file.fetch_intervals(chrom, start, end, iterator=True)]


def _as_pybbi(record):
    chrom, start, end, rest = record
    return (chrom, start, end, *rest.split("\t")) if rest else (chrom, start, end)


@pytest.mark.parametrize("config", [dict(), dict(items_per_slot=3, block_size=2), dict(order=">")])
def test_same_as_pybbi_except_its_missed_insertions_at_zero(tmp_path, config):
    """pybbi is kent's C library: identical results, except that kent's index search is not
    padded below base 0, so it misses zero-length items at 0 in a block that ends at 0."""
    bbi = require_module("bbi")
    rng = random.Random(repr(config) + "pybbi")
    items, sizes = random_items(rng, chroms=3, per_chrom=600, ascii_only=True)  # pybbi decodes ASCII only
    path = tmp_path / "k.bb"
    write_test_bigbed(path, items, sizes, **config)
    with BigBedFile(path) as bb, bbi.open(str(path)) as kent:
        for chrom, start, end in random_regions(rng, items, sizes, 700):
            end = min(end, sizes[chrom])  # pybbi treats end beyond the chromosome differently
            start = min(start, end)
            ours = [_as_pybbi(r) for r in bb.query(chrom, start, end)]
            theirs = _pybbi_rows(kent, chrom, start, end)
            missed = [row for row in ours if row not in theirs]
            assert all(row[1] == row[2] == 0 for row in missed), (chrom, start, end, missed)
            assert [row for row in ours if row not in missed] == theirs


PYBBI_KIND = {"coverage": "cov"}


@pytest.mark.parametrize("kind", ["mean", "min", "max", "coverage", "std"])
def test_summary_equals_pybbi(tmp_path, kind):
    """Default summaries are kent's algorithm: the same numbers as kent's library gives,
    through the zoom levels for coarse bins and the items for fine ones."""
    bbi = require_module("bbi")
    np = require_module("numpy")
    rng = random.Random(kind)
    items, sizes = random_items(rng, chroms=2, per_chrom=1500, ascii_only=True)
    path = tmp_path / "s.bb"
    write_test_bigbed(path, items, sizes, zoom_reductions=[40, 160, 640, 2560])
    with BigBedFile(path) as bb, bbi.open(str(path)) as kent:
        for _ in range(60):
            chrom = rng.choice(list(sizes))
            size = sizes[chrom]
            start = rng.randrange(size)
            end = rng.randint(start + 1, size)
            bins = rng.choice([1, 2, 7, 50, 300])
            ours = bb.summary(chrom, start, end, bins, kind)
            theirs = kent.fetch(chrom, start, end, bins=bins, summary=PYBBI_KIND.get(kind, kind), missing=np.nan).tolist()
            assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12, nan_ok=True), (chrom, start, end, bins)


def _reference_depth(items, chrom, start, end):
    depth = {}
    for c, s, e, _ in items:
        if c == chrom:
            for pos in range(max(s, start), min(e, end)):
                depth[pos] = depth.get(pos, 0) + 1
    return depth


def test_exact_summary_equals_per_base_counting(tmp_path):
    rng = random.Random(9)
    items, sizes = random_items(rng, chroms=2, per_chrom=150, max_size=5000)
    path = tmp_path / "e.bb"
    write_test_bigbed(path, items, sizes)
    with BigBedFile(path) as bb:
        for _ in range(80):
            chrom = rng.choice(list(sizes))
            start = rng.randrange(sizes[chrom])
            end = rng.randint(start + 1, sizes[chrom])
            bins = rng.randint(1, 20)
            depth = _reference_depth(items, chrom, start, end)
            for kind in ("mean", "min", "max", "coverage"):
                got = bb.summary(chrom, start, end, bins, kind, exact=True)
                expected = []
                count = end - start
                lo = start
                for i in range(bins):
                    hi = start + count * (i + 1) // bins
                    values = [depth[p] for p in range(lo, hi) if p in depth]
                    if not values:
                        expected.append(math.nan)
                    elif kind == "mean":
                        expected.append(sum(values) / len(values))
                    elif kind == "min":
                        expected.append(min(values))
                    elif kind == "max":
                        expected.append(max(values))
                    else:
                        expected.append(len(values) / (hi - lo))
                    lo = hi
                assert got == pytest.approx(expected, nan_ok=True), (chrom, start, end, bins, kind)


def test_coverage_pieces_reference():
    """The true-depth pieces against a per-base count (plain-Python reference)."""
    rng = random.Random(5)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 30)):
            s = rng.randrange(200)
            spans.append((s, s + rng.randrange(0, 60)))
        depth = {}
        for s, e in spans:
            for p in range(s, e):
                depth[p] = depth.get(p, 0) + 1
        got = {}
        for s, e, d in coverage_pieces(spans, 0, 10_000):
            for p in range(s, e):
                got[p] = d
        assert got == depth
        assert exact_slices(spans, 0, 300, 1)[0].valid_count == len(depth)


def test_exact_span_slices_equal_per_base_statistics():
    """Every statistic of every bin against a per-base count (plain-Python reference):
    spans in any order, outside the region, zero-length, reversed (covering nothing),
    bins of one base or none."""
    rng = random.Random(11)
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(0, 40)):
            s = rng.randrange(-20, 220) if rng.random() < 0.9 else rng.randrange(1 << 32)
            s = max(s, 0)
            spans.append((s, s + rng.choice([0, 1, rng.randrange(80), -rng.randrange(1, 5)])))
        rng.shuffle(spans)
        start = rng.randrange(150)
        end = start + rng.randint(1, 120)
        bins = rng.choice([1, 3, 10, end - start, end - start + 7])
        depth = {}
        for s, e in spans:
            for p in range(max(s, start), min(e, end)):
                depth[p] = depth.get(p, 0) + 1
        expected = []
        for lo, hi in bin_edges(start, end, bins):
            values = [depth[p] for p in range(lo, hi) if p in depth]
            if values:
                squares = sum(v * v for v in values)
                expected.append(SummaryElement(len(values), min(values), max(values), sum(values), squares))
            else:
                expected.append(EMPTY)
        got = exact_span_slices([s for s, _ in spans], [e for _, e in spans], start, end, bins)
        assert got == expected, (spans, start, end, bins)
        assert exact_slices(spans, start, end, bins) == expected
