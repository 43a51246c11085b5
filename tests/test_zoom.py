"""Zoom levels: kernels (cext/zoomsum.pyx) against plain-Python references, and semantics.

The references restate kent's algorithm step by step, in numpy float32 where kent uses
C floats; a brute-force per-base depth check pins what the records mean.
"""
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackpack._kernels import load
from trackpack.bed import resolve_schema
from trackpack.bbi.zoom import RECORD_DTYPE, choose_reduction, reduction_scales

zoomsum = load("zoomsum")
bedtok = load("bedtok")
F32 = np.float32
MASK = 0xFFFFFFFF


# --- references ---------------------------------------------------------------------------------


def ref_segments(chrom_items):
    """Coverage segments and zero-length markers, per chromosome in order, by brute force.

    chrom_items: list of (chrom_id, [(start, end), ...] sorted by start).
    """
    rows = []
    for cid, items in chrom_items:
        points = sorted({p for s, e in items for p in (s, e)})
        pieces = []
        for a, b in zip(points, points[1:]):
            depth = sum(1 for s, e in items if s < e and s <= a and e >= b)
            if depth:
                pieces.append((a, 1, (cid, a, b, depth)))
        pieces += [(s, 0, (cid, s, s, 0)) for s, e in items if s == e]
        pieces.sort(key=lambda p: (p[0], p[1]))  # stable: markers first at a position
        rows += [p[2] for p in pieces]
    return rows


def rows_bytes(rows):
    return np.array(rows, dtype="=u4").reshape(-1, 4).tobytes() if rows else b""


def ref_window_counts_from_items(chrom_items, scales):
    """kent's resSizes, counted per item as its writeBlocks does."""
    counts = [0] * len(scales)
    for _, items in chrom_items:
        ends = [0] * len(scales)
        for s, e in items:
            for i, scale in enumerate(scales):
                if s >= ends[i]:
                    counts[i] += 1
                    ends[i] = s + scale
                while e > ends[i]:
                    counts[i] += 1
                    ends[i] += scale
    return counts


class Rec(list):
    """[chrom, start, end, valid, min, max, sum, sumSquares] with float32 statistics."""


def _fold(into, r):
    into[2] = r[2]
    if r[3]:
        if into[3] == 0:
            into[4], into[5] = r[4], r[5]
        else:
            into[4] = min(into[4], r[4])
            into[5] = max(into[5], r[5])
    into[3] = (into[3] + r[3]) & MASK
    into[6] = F32(into[6]) + F32(r[6])
    into[7] = F32(into[7]) + F32(r[7])


def ref_level0(rows, reduction, sizes):
    """kent's bedWriteReducedOnceReturnReducedTwice with statistics over covered bases."""
    out0, out1 = [], []
    total = {"valid": 0, "min": 0.0, "max": 0.0, "sum": 0.0, "sq": 0.0, "first": True}
    state = {"cur": None, "twice": None}
    double = (reduction * 4) & MASK

    def output():
        cur = list(state["cur"])
        if cur[3] == 0:
            cur[4] = cur[5] = F32(0)
        out0.append(cur)
        tw = state["twice"]
        if tw is None or tw[0] != cur[0] or ((tw[1] + double) & MASK) < cur[2]:
            if tw is not None:
                out1.append(tw)
            state["twice"] = list(cur)
        else:
            _fold(tw, cur)
        state["cur"] = None

    def open_(chrom, start, size):
        state["cur"] = [chrom, start, min(start + reduction, size), 0, F32(0), F32(0), F32(0), F32(0)]

    def add(val, n):
        cur = state["cur"]
        if cur[3] == 0:
            cur[4] = cur[5] = F32(val)
        else:
            if cur[4] > val:
                cur[4] = F32(val)
            if cur[5] < val:
                cur[5] = F32(val)
        cur[3] += n
        cur[6] = F32(float(cur[6]) + val * n)
        cur[7] = F32(float(cur[7]) + val * val * n)

    chrom = None
    for c, s, e, d in rows:
        if c != chrom:
            if state["cur"] is not None:
                output()
            chrom = c
        size_c = sizes[c]
        cur = state["cur"]
        if cur is not None and cur[2] <= s and cur[2] < size_c:
            output()
        if state["cur"] is None:
            open_(c, s, size_c)
        if d == 0:
            continue
        val = float(d)
        n = e - s
        if total["first"]:
            total.update(valid=n, min=val, max=val, sum=val * n, sq=val * val * n, first=False)
        else:
            total["valid"] += n
            total["min"] = min(total["min"], val)
            total["max"] = max(total["max"], val)
            total["sum"] += val * n
            total["sq"] += val * val * n
        while e > state["cur"][2]:
            cur = state["cur"]
            overlap = cur[2] - max(s, cur[1])
            add(val, overlap)
            n -= overlap
            s = cur[2]
            output()
            open_(c, s, size_c)
        add(val, n)
    if state["cur"] is not None:
        output()
    if state["twice"] is not None:
        out1.append(state["twice"])
    return out0, out1, total


def ref_simple_reduce(records, reduction):
    out, new = [], None
    for r in records:
        if new is None or new[0] != r[0] or r[2] > ((new[1] + reduction) & MASK):
            if new is not None:
                out.append(new)
            new = list(r)
        else:
            _fold(new, r)
    if new is not None:
        out.append(new)
    return out


def as_tuples(data):
    recs = np.frombuffer(data, RECORD_DTYPE)
    return [tuple(x.item() if hasattr(x, "item") else x for x in r) for r in recs.tolist()]


def ref_tuples(records):
    return [(r[0], r[1], r[2], r[3], float(F32(r[4])), float(F32(r[5])), float(F32(r[6])), float(F32(r[7])))
            for r in records]


# --- random inputs -------------------------------------------------------------------------------


def random_chrom_items(rng, n_chroms=3, size=5000, n=60, zero_frac=0.15, maxlen=400):
    out = []
    sizes = []
    for cid in range(n_chroms):
        csize = rng.randrange(size // 2, size)
        items = []
        for _ in range(rng.randrange(0, n)):
            s = rng.randrange(0, csize + 1)
            e = s if rng.random() < zero_frac else min(csize, s + rng.randrange(1, maxlen))
            items.append((s, e))
        if rng.random() < 0.3:
            items.append((csize, csize))  # zero-length item at the chromosome end
        items.sort(key=lambda it: it[0])
        if items:
            out.append((cid, items))
        sizes.append(csize)
    return out, sizes


def scan_segments(chrom_items, sizes):
    """Run the tokenizer over the items as BED3 text and return its coverage segments."""
    names = [f"c{cid}" for cid in range(len(sizes))]
    lines = "".join(f"{names[cid]}\t{s}\t{e}\n" for cid, items in chrom_items for s, e in items)
    sc = bedtok.BedScanner(3, 3, tab=True, items_per_slot=7, big_endian=False,
                           **resolve_schema("bed3", None).column_rules())
    buf = lines.encode()
    segs = []
    while True:
        st_ = sc.scan(buf, True)
        if st_ == 0:
            break
        if st_ == 1:
            sc.take_block()
        elif st_ == 2:
            name = bytes(buf[sc.pending_start:sc.pending_end]).decode()
            cid = int(name[1:])
            sc.set_chrom(name.encode(), cid, sizes[cid])
        else:
            raise AssertionError(f"scanner error {sc.err_code}")
        segs.append(sc.take_segments())
    if sc.finish():
        sc.take_block()
    segs.append(sc.take_segments())
    return b"".join(segs)


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_tokenizer_segments_equal_brute_force(seed):
    rng = random.Random(seed)
    chrom_items, sizes = random_chrom_items(rng)
    got = np.frombuffer(scan_segments(chrom_items, sizes), dtype="=u4").reshape(-1, 4).tolist()
    assert [tuple(r) for r in got] == ref_segments(chrom_items)


@pytest.mark.parametrize("seed", range(40))
def test_window_counts_from_segments_equal_kent_item_counts(seed):
    rng = random.Random(100 + seed)
    chrom_items, sizes = random_chrom_items(rng)
    scales = reduction_scales(rng.choice([1, 15, 80, 300]))
    counter = zoomsum.WindowCounter(scales)
    data = rows_bytes(ref_segments(chrom_items))
    half = len(data) // 32 * 16  # in two pieces, on a row boundary
    counter.feed(data[:half])
    counter.feed(data[half:])
    assert counter.counts == ref_window_counts_from_items(chrom_items, scales)


@pytest.mark.parametrize("seed", range(60))
def test_level0_builder_equals_reference(seed):
    rng = random.Random(200 + seed)
    chrom_items, sizes = random_chrom_items(rng, maxlen=rng.choice([20, 400, 3000]))
    rows = ref_segments(chrom_items)
    reduction = rng.choice([10, 37, 160, 1000])
    b = zoomsum.Level0Builder(reduction, np.array(sizes, dtype=np.uint32))
    data = rows_bytes(rows)
    got0, got1 = [], []
    for at in range(0, len(data), 16 * 5):  # many small feeds
        b.feed(data[at:at + 16 * 5])
        a0, a1 = b.take()
        got0 += as_tuples(a0)
        got1 += as_tuples(a1)
    b.finish()
    a0, a1 = b.take()
    got0 += as_tuples(a0)
    got1 += as_tuples(a1)
    ref0, ref1, total = ref_level0(rows, reduction, sizes)
    assert got0 == ref_tuples(ref0)
    assert got1 == ref_tuples(ref1)
    assert (b.count0, b.count1) == (len(ref0), len(ref1))
    assert (b.total_valid, b.total_min, b.total_max, b.total_sum, b.total_sq) == (
        total["valid"], total["min"], total["max"], total["sum"], total["sq"])


@pytest.mark.parametrize("seed", range(30))
def test_level0_records_are_true_per_base_depth(seed):
    rng = random.Random(300 + seed)
    chrom_items, sizes = random_chrom_items(rng, size=3000)
    reduction = rng.choice([10, 50, 400])
    b = zoomsum.Level0Builder(reduction, np.array(sizes, dtype=np.uint32))
    b.feed(rows_bytes(ref_segments(chrom_items)))
    b.finish()
    recs = np.frombuffer(b.take()[0], RECORD_DTYPE)
    depth = {cid: np.zeros(sizes[cid], dtype=np.int64) for cid in range(len(sizes))}
    for cid, items in chrom_items:
        for s, e in items:
            depth[cid][s:e] += 1
    covered_total = []
    for r in recs:
        d = depth[int(r["chrom"])][int(r["start"]):int(r["end"])]
        cov = d[d > 0]
        covered_total.append(cov)
        assert r["valid"] == len(cov)
        if len(cov):
            assert (r["min"], r["max"]) == (cov.min(), cov.max())
            assert r["sum"] == cov.sum() and r["sum_squares"] == (cov * cov).sum()
        else:
            assert (r["min"], r["max"], r["sum"]) == (0, 0, 0)
    all_cov = np.concatenate([depth[c][depth[c] > 0] for c in depth])
    assert b.total_valid == len(all_cov) == sum(len(c) for c in covered_total)
    if len(all_cov):
        assert (b.total_min, b.total_max, b.total_sum) == (all_cov.min(), all_cov.max(), all_cov.sum())


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2000), st.integers(1, 300),
                          st.integers(0, 50), st.floats(0, 9, width=32), st.floats(0, 9, width=32)),
                max_size=80),
       st.integers(10, 3000))
def test_simple_reducer_equals_reference(raw, reduction):
    # records sorted by (chrom, start), non-overlapping, as a level produces them
    raw.sort(key=lambda r: (r[0], r[1]))
    recs, last = [], {}
    for c, s, n, valid, a, b in raw:
        s = max(s, last.get(c, 0))
        recs.append([c, s, s + n, valid, F32(min(a, b)), F32(max(a, b)), F32(a * valid), F32(a * a * valid)])
        last[c] = s + n
    data = np.array([tuple(r) for r in recs], dtype=RECORD_DTYPE).tobytes() if recs else b""
    red = zoomsum.SimpleReducer(reduction)
    red.feed(data[: len(data) // 64 * 32])
    red.feed(data[len(data) // 64 * 32:])
    red.finish()
    assert as_tuples(red.take()) == ref_simple_reduce_tuples(recs, reduction)


def ref_simple_reduce_tuples(recs, reduction):
    return ref_tuples(ref_simple_reduce([list(r) for r in recs], reduction))


def test_reduction_scales_follow_kent():
    assert reduction_scales(3.7) == [10 * 4**i for i in range(10)]
    assert reduction_scales(123.9) == [123 * 4**i for i in range(10)]
    big = 1_000_000
    scales = reduction_scales(big)
    # stops after the first candidate beyond INT_MAX / 4
    assert scales[-1] > (2**31 - 1) // 4 and all(s <= (2**31 - 1) // 4 for s in scales[:-1])
    assert reduction_scales(3e9) == [2**31 - 1]  # not kent's undefined int conversion


def test_choose_reduction_picks_first_that_fits():
    scales = [10, 40, 160]
    counts = [1000, 300, 50]
    # compressed estimate halves the size: 1000*32/2 = 16000 fits in 40000/2
    assert choose_reduction(scales, counts, 40000, True) == (10, 1000)
    assert choose_reduction(scales, counts, 40000, False) == (40, 300)
    assert choose_reduction(scales, counts, 100, False) == (10, 1000)  # none fits: the first
