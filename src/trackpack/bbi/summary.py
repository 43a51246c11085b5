"""Summaries of bigBed coverage depth over bins: kent's zoom-level algorithm, and exact.

Standard library only (this module is on the pure-Python reader's import path).

The "value" of a bigBed at a base is its coverage depth: how many items cover that base.
A summary splits a region into ``bins`` equal parts and gives, per part, statistics of
that depth over the bases that have any (``valid_count`` bases, their ``min``, ``max``,
``sum`` and ``sum_squares``).

Two algorithms:

- :func:`kent_slices` reproduces current kent (bbiRead.c ``bbiSummaryArrayExtended``),
  so that ``bigBedSummary`` prints kent's numbers.  It reads the coarsest zoom level whose
  resolution is at most half a bin (:func:`best_zoom`) and spreads each zoom record over
  the bins it straddles in proportion to the overlap; only when no such level exists does
  it use the items themselves.  Either way counts are fractional and rounded up per bin,
  and min/max come from whole zoom records, so the figures are estimates.
- :func:`exact_slices` counts the depth base by base from the items (ours, ``-exact``).

Bins follow kent's arithmetic: bin ``i`` of ``start-end`` in ``n`` bins ends at
``start + (end - start) * (i + 1) // n``.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import accumulate, compress, repeat
from operator import add, and_, gt, lshift, mul, rshift, sub
from typing import Iterable, List, NamedTuple, Optional, Sequence, Tuple

__all__ = [
    "SummaryElement",
    "ZoomRecord",
    "SUMMARY_KINDS",
    "summary_kind",
    "best_zoom",
    "bin_edges",
    "kent_slices",
    "coverage_pieces",
    "kent_coverage_pieces",
    "exact_slices",
    "exact_span_slices",
    "element_value",
    "summary_values",
    "std_from_sums",
]


class SummaryElement(NamedTuple):
    """Statistics of coverage depth over the covered bases of one bin."""

    valid_count: int
    min: float
    max: float
    sum: float
    sum_squares: float


EMPTY = SummaryElement(0, 0.0, 0.0, 0.0, 0.0)


class ZoomRecord(NamedTuple):
    """One record of a zoom level: depth statistics of a window of one chromosome."""

    chrom_id: int
    start: int
    end: int
    valid_count: int
    min: float
    max: float
    sum: float
    sum_squares: float


#: accepted names of each summary statistic (kent's bbiSummaryTypeFromString, any case)
SUMMARY_KINDS = {
    "mean": "mean",
    "average": "mean",
    "max": "max",
    "maximum": "max",
    "min": "min",
    "minimum": "min",
    "coverage": "coverage",
    "datacoverage": "coverage",
    "std": "std",
    "sum": "sum",
}


def summary_kind(name: str) -> Optional[str]:
    """Canonical statistic for ``name`` ("mean", "max", ...), or None if unknown."""
    return SUMMARY_KINDS.get(name.lower())


def best_zoom(reductions: Sequence[int], desired: int) -> Optional[int]:
    """Index of the zoom level kent picks for ``desired`` bases per record, or None.

    That is the level with the largest reduction not above ``desired``; none when
    ``desired`` is at most 1 (kent's bbiBestZoom).
    """
    if desired <= 1:
        return None
    best = None
    best_diff = 0x3FFFFFFF  # kent's BIGNUM
    for i, reduction in enumerate(reductions):
        diff = desired - reduction
        if 0 <= diff < best_diff:
            best_diff = diff
            best = i
    return best


def bin_edges(start: int, end: int, bins: int) -> List[Tuple[int, int]]:
    """The ``bins`` (start, end) pieces of ``start-end`` as kent computes them."""
    count = end - start
    edges = []
    lo = start
    for i in range(bins):
        hi = start + count * (i + 1) // bins
        edges.append((lo, hi))
        lo = hi
    return edges


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return min(a_end, b_end) - max(a_start, b_start)


def _normalize(count_factor: float, min_val: float, max_val: float, sum_data: float, sum_squares: float) -> SummaryElement:
    # kent rounds the fractional base count up and rescales the sums to match.
    valid = math.ceil(count_factor)
    factor = valid / count_factor if count_factor else 0.0
    return SummaryElement(valid, min_val, max_val, sum_data * factor, sum_squares * factor)


def _zoom_slice(records: Sequence[ZoomRecord], first: int, lo: int, hi: int) -> SummaryElement:
    """kent's bbiSummarySlice over records[first:] for the bin lo-hi."""
    if first >= len(records):
        return EMPTY
    min_val = records[first].min
    max_val = records[first].max
    sum_data = sum_squares = count_factor = 0.0
    for i in range(first, len(records)):
        rec = records[i]
        if rec.start >= hi:
            break
        overlap = _overlap(lo, hi, rec.start, rec.end)
        if overlap > 0:
            share = overlap / (rec.end - rec.start)
            count_factor += rec.valid_count * share
            sum_data += rec.sum * share
            sum_squares += rec.sum_squares * share
            if max_val < rec.max:
                max_val = rec.max
            if min_val > rec.min:
                min_val = rec.min
    if count_factor > 0:
        return _normalize(count_factor, min_val, max_val, sum_data, sum_squares)
    return EMPTY


def _interval_slice(pieces: Sequence[Tuple[int, int, int]], first: int, lo: int, hi: int) -> SummaryElement:
    """kent's bbiIntervalSlice over depth pieces[first:] (start, end, depth) for lo-hi."""
    if first >= len(pieces):
        return EMPTY
    min_val = max_val = float(pieces[first][2])
    sum_data = sum_squares = count_factor = 0.0
    for i in range(first, len(pieces)):
        p_start, p_end, depth = pieces[i]
        if p_start >= hi:
            break
        overlap = _overlap(lo, hi, p_start, p_end)
        if overlap > 0:
            size = p_end - p_start
            weight = size * (overlap / size)
            count_factor += weight
            sum_data += depth * weight
            sum_squares += depth * depth * weight
            if max_val < depth:
                max_val = depth
            if min_val > depth:
                min_val = depth
    return _normalize(count_factor, min_val, max_val, sum_data, sum_squares)


def kent_slices(
    start: int,
    end: int,
    bins: int,
    *,
    zoom_records: Optional[Sequence[ZoomRecord]] = None,
    pieces: Optional[Sequence[Tuple[int, int, int]]] = None,
) -> List[SummaryElement]:
    """Per-bin statistics the way kent computes them (bbiSummaryArrayFromZoom/FromFull).

    Give ``zoom_records`` (the records of the chosen zoom level overlapping the region,
    in file order) when :func:`best_zoom` picked a level, else ``pieces``: the coverage
    depth pieces of the items (:func:`coverage_pieces`).
    """
    out: List[SummaryElement] = []
    if start >= end or bins <= 0:
        return out
    base_start = start
    count = end - start
    index = 0
    if zoom_records is not None:
        records = zoom_records
        for i in range(bins):
            base_end = start + count * (i + 1) // bins
            while index < len(records) and records[index].end <= base_start:
                index += 1
            out.append(_zoom_slice(records, index, base_start, base_end))
            base_start = base_end
        return out
    pieces = pieces or ()
    if not pieces:
        return [EMPTY] * bins
    for i in range(bins):
        base_end = start + count * (i + 1) // bins
        slice_end = base_end if base_end != base_start else base_start + 1
        while index < len(pieces) and pieces[index][1] <= base_start:
            index += 1
        out.append(_interval_slice(pieces, index, base_start, slice_end))
        base_start = base_end
    return out


def coverage_pieces(items: Iterable[Tuple[int, int]], start: int, end: int) -> List[Tuple[int, int, int]]:
    """Coverage depth of ``items`` (start, end) as (start, end, depth) pieces, clipped.

    Pieces are cut at every item start and end (depth > 0 only), which is how a range
    tree that splits at item edges leaves them; kent clips them to ``start-end`` without
    dropping the ones that end up empty, and so do we.  Zero-length items cover no base
    and add nothing.
    """
    events: dict = {}
    for s, e in items:
        if s < e:
            events[s] = events.get(s, 0) + 1
            events[e] = events.get(e, 0) - 1
    pieces = []
    depth = 0
    previous = None
    for pos in sorted(events):
        if previous is not None and depth > 0 and pos > previous:
            pieces.append((max(previous, start), min(pos, end), depth))
        depth += events[pos]
        previous = pos
    return pieces


def kent_coverage_pieces(items: Iterable[Tuple[int, int]], start: int, end: int) -> List[Tuple[int, int, int]]:
    """Coverage "depth" pieces exactly as kent's bigBedSummary computes them, clipped.

    kent (bigBed.c bigBedCoverageIntervals) adds the items one by one to a range tree
    (rangeTree.c rangeTreeAddToCoverageDepth).  When an item reaches into a range that
    extends past the item's end, that range is not split there: the whole range gains
    one, so depth is overstated on its far side.  Zero-length items leave zero-width
    ranges.  This replays those rules (ranges kept sorted and disjoint) so that the
    default summary prints kent's numbers; :func:`coverage_pieces` is the true depth.
    """
    starts: List[int] = []  # range starts, for bisection
    ranges: List[List[int]] = []  # [start, end, value], sorted by (start, end), disjoint
    for s, e in items:
        # ranges overlapping s..e by kent's comparison (r.start < e and r.end > s); being
        # sorted and disjoint, they are the run that ends just before the first start >= e
        hi = bisect_left(starts, e)
        lo = hi
        while lo > 0 and ranges[lo - 1][1] > s:
            lo -= 1
        if lo == hi:
            new = [[s, e, 1]]
        elif hi - lo == 1 and ranges[lo][0] <= s and ranges[lo][1] >= e:
            # one range holds the whole item: split it at both ends
            r_start, r_end, value = ranges[lo]
            new = [[s, e, value + 1]]
            if r_start < s:
                new.insert(0, [r_start, s, value])
            if r_end > e:
                new.append([e, r_end, value])
        else:
            new = []
            pos = s
            for r in ranges[lo:hi]:
                if pos < r[0]:
                    new.append([pos, r[0], 1])
                    pos = r[0]
                elif pos > r[0]:
                    new.append([r[0], pos, r[2]])
                    r[0] = pos
                r[2] += 1  # the whole range, even past the item's end (kent's behaviour)
                new.append(r)
                pos = r[1]
            if pos < e:
                new.append([pos, e, 1])
        ranges[lo:hi] = new
        starts[lo:hi] = [r[0] for r in new]
    return [(max(s, start), min(e, end), v) for s, e, v in ranges]


def exact_slices(items: Iterable[Tuple[int, int]], start: int, end: int, bins: int) -> List[SummaryElement]:
    """True per-base depth statistics of ``items`` (start, end) in each of ``bins`` bins
    of start-end (see :func:`exact_span_slices`)."""
    spans = list(items)
    return exact_span_slices([s for s, _ in spans], [e for _, e in spans], start, end, bins)


def exact_span_slices(
    starts: Sequence[int], ends: Sequence[int], start: int, end: int, bins: int
) -> List[SummaryElement]:
    """True per-base depth statistics, in each of ``bins`` bins of start-end, of the
    items whose starts and ends are ``starts`` and ``ends`` (in any order).

    Items are clipped to the region (an item outside it, or of zero length, or reversed,
    covers nothing).  The depth is then a step function: +1 at each start, -1 at each
    end.  The steps are sorted as one list of events, each an integer ``4 * position +
    kind`` (kind 0: an end, 1: a bin edge, 2: a start), whose running sum of ``kind - 1``
    is the depth after each event; every statistic of a bin is then a sum or an extreme
    over the runs between its events.  All of it is done by C loops (sorted, map,
    accumulate, compress), none by Python code per item, so millions of items take
    about a second.
    """
    if start >= end or bins <= 0:
        return []
    if any(map(gt, starts, ends)):  # reversed items (no writer makes them) cover nothing
        kept = [(s, e) for s, e in zip(starts, ends) if s <= e]
        starts, ends = [s for s, _ in kept], [e for _, e in kept]
    edges = bin_edges(start, end, bins)
    # each list sorted, so that sorting them together is a merge
    rises = list(map(add, map(lshift, _clipped(sorted(starts), start, end), repeat(2)), repeat(2)))
    falls = list(map(lshift, _clipped(sorted(ends), start, end), repeat(2)))
    cuts = [4 * lo + 1 for lo, _ in edges] + [4 * end + 1]
    events = sorted(rises + falls + cuts)
    depth = list(accumulate(map(sub, map(and_, events, repeat(3)), repeat(1))))
    positions = list(map(rshift, events, repeat(2)))
    # run i: from event i to event i + 1, lengths[i] bases (0 between events at one place)
    lengths = list(map(sub, positions[1:], positions[:-1]))
    out = []
    for lo, hi in edges:
        first = bisect_left(events, 4 * lo + 1)
        last = bisect_left(events, 4 * hi + 1, first)
        runs, level = lengths[first:last], depth[first:last]
        valid = sum(compress(runs, level))
        if not valid:
            out.append(EMPTY)
            continue
        total = sum(map(mul, level, runs))
        squares = sum(map(mul, map(mul, level, level), runs))
        covering = list(compress(level, runs))  # depths of runs of at least one base
        low = min(filter(None, covering))
        out.append(SummaryElement(valid, float(low), float(max(covering)), float(total), float(squares)))
    return out


def _clipped(values: List[int], start: int, end: int) -> List[int]:
    """Sorted ``values`` each clipped into start..end."""
    below = bisect_left(values, start)
    if below:
        values[:below] = [start] * below
    above = bisect_right(values, end)
    if above < len(values):
        values[above:] = [end] * (len(values) - above)
    return values


def summary_values(
    elements: Sequence[SummaryElement], kind: str, start: int, end: int, *, exact: bool = False
) -> List[float]:
    """The statistic ``kind`` (canonical name) of each bin, NaN where a bin has no data.

    Coverage is kent's estimate (covered bases times bins / region size) for kent's
    figures, and the true covered fraction of each bin for exact ones.
    """
    bins = len(elements)
    if exact and kind == "coverage":
        return [
            el.valid_count / (hi - lo) if el.valid_count else math.nan
            for (lo, hi), el in zip(bin_edges(start, end, bins), elements)
        ]
    return [element_value(el, kind, bins, start, end) for el in elements]


def std_from_sums(total: float, squares: float, n: int) -> float:
    """Sample standard deviation from sums, as kent's calcStdFromSums (NaN if negative)."""
    if n == 0:
        return math.nan
    var = squares - total * total / n
    if n > 1:
        var /= n - 1
    return math.sqrt(var) if var >= 0 else math.nan


def element_value(el: SummaryElement, kind: str, bins: int, start: int, end: int) -> float:
    """The statistic ``kind`` of one bin (NaN when the bin holds no covered base)."""
    if el.valid_count <= 0:
        return math.nan
    if kind == "mean":
        return el.sum / el.valid_count
    if kind == "max":
        return el.max
    if kind == "min":
        return el.min
    if kind == "coverage":
        # kent's approximation: the bin's covered bases times bins / region size
        return bins / (end - start) * el.valid_count
    if kind == "std":
        return std_from_sums(el.sum, el.sum_squares, el.valid_count)
    if kind == "sum":
        return el.sum
    raise ValueError(f"unknown summary kind {kind!r}")
