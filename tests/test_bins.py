"""trackpack.bins: the UCSC binning scheme, checked against a brute-force model of it."""
import random

import pytest

from trackpack import bins
from trackpack.errors import OutOfRangeError

MB = 1 << 20


def _levels(extended):
    """(first bin number, bin width) per level, finest first, from the scheme's definition."""
    widths = [1 << 17, 1 << 20, 1 << 23, 1 << 26, 1 << 29] + ([1 << 32] if extended else [])
    counts = [1 << (3 * (len(widths) - 1 - i)) for i in range(len(widths))]  # 4096, 512, ... or 32768, ...
    firsts = []
    for i in range(len(widths)):
        firsts.append(sum(counts[i + 1:]))  # coarser levels are numbered first
    base = 4681 if extended else 0
    return [(base + f, w) for f, w in zip(firsts, widths)]


def brute_bin(start, end):
    """The smallest bin that holds [start, end), searched level by level (finest first)."""
    extended = end > 512 * MB
    last = end - 1
    for first, width in _levels(extended):
        if start // width == last // width:
            return first + start // width
    raise AssertionError("no bin")


def test_level_offsets_match_the_definition():
    assert [f for f, _ in _levels(False)] == list(bins.STANDARD_OFFSETS)
    assert [f - 4681 for f, _ in _levels(True)] == list(bins.EXTENDED_OFFSETS)


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (0, 1, 585),  # first 128 kb bin
        (131071, 131072, 585),
        (131072, 131073, 586),
        (0, 131073, 73),  # crosses a 128 kb boundary: 1 Mb level
        (0, 512 * MB, 0),  # the whole 512 Mb bin
        (1000, 2000, 585),
        (512 * MB, 512 * MB + 1, 4681 + 4681 + 4096),  # extended scheme, finest level
    ],
)
def test_known_bins(start, end, expected):
    assert bins.bin_from_range(start, end) == expected
    assert brute_bin(start, end) == expected


def test_random_ranges_match_brute_force():
    rng = random.Random(5)
    for _ in range(20000):
        start = rng.randrange(0, 2**31 - 2)
        length = rng.choice([1, 10, 1000, 100_000, 1 << 20, 1 << 24, 1 << 28])
        end = min(start + rng.randrange(1, length + 1), 2**31 - 1)
        assert bins.bin_from_range(start, end) == brute_bin(start, end), (start, end)


def test_overlapping_bins_hold_every_overlapping_feature():
    rng = random.Random(6)
    for _ in range(300):
        big = rng.random() < 0.3
        limit = (2**31 - 1) if big else 512 * MB
        qs = rng.randrange(0, limit - 2)
        qe = min(qs + rng.randrange(1, 1 << rng.choice([10, 17, 22, 27])), limit)
        wanted = set(bins.overlapping_bin_list(qs, qe))
        for _ in range(40):
            # a feature overlapping the query
            fs = rng.randrange(max(0, qs - (1 << 20)), qe)
            fe = min(max(fs + 1, qs + 1, fs + rng.randrange(1, 1 << rng.choice([8, 16, 24]))), 2**31 - 1)
            if fe <= qs or fs >= qe:
                continue
            assert bins.bin_from_range(fs, fe) in wanted, (qs, qe, fs, fe)


def _bins_meeting(start, end, extended):
    """Per level, the inclusive range of bin numbers whose span meets [start, end)."""
    return [(first + start // width, first + (end - 1) // width) for first, width in _levels(extended)]


def model_overlapping_bins(start, end):
    """The bins a UCSC table query looks in, from the scheme's rules.

    Features ending by 512 Mb are binned in the standard scheme; a feature ending beyond it
    is binned in the extended scheme.  So a query ending by 512 Mb looks in the standard
    bins its range meets, and in the extended scheme's top bin (4681), the only one that
    can hold an extended feature starting before 512 Mb.  A query reaching past 512 Mb
    looks in the standard bins its part before 512 Mb meets, and in the extended bins its
    whole range meets.
    """
    limit = 512 * MB
    if end <= limit:
        return _bins_meeting(start, end, False) + [(4681, 4681)]
    ranges = _bins_meeting(start, end, True)
    if start < limit:
        ranges = _bins_meeting(start, limit, False) + ranges
    return ranges


@pytest.mark.parametrize(
    "start,end",
    [
        (0, 1),
        (0, 300_000),
        (131071, 131073),
        (100 * MB, 200 * MB),
        (0, 512 * MB),
        (512 * MB - 1, 512 * MB),
        (512 * MB - 1, 512 * MB + 1),  # crosses 512 Mb by one base each side
        (500 * MB, 600 * MB),
        (0, 2**31 - 1),
        (512 * MB, 512 * MB + 1),
        (1024 * MB - 5, 1024 * MB + 5),  # crosses a 512 Mb boundary of the extended scheme
        (2**31 - 2, 2**31 - 1),
    ],
)
def test_overlapping_bins_follow_the_rules(start, end):
    assert bins.overlapping_bins(start, end) == model_overlapping_bins(start, end)


def test_overlapping_bins_random_ranges_follow_the_rules():
    rng = random.Random(8)
    for _ in range(5000):
        around = rng.choice([0, 512 * MB, 1024 * MB, 1536 * MB, rng.randrange(0, 2**31 - 1)])
        start = max(0, min(around + rng.randrange(-(1 << 26), 1 << 26), 2**31 - 2))
        end = min(start + rng.randrange(1, 1 << rng.choice([3, 17, 20, 27, 30])), 2**31 - 1)
        assert bins.overlapping_bins(start, end) == model_overlapping_bins(start, end), (start, end)
        listed = bins.overlapping_bin_list(start, end)
        assert listed == sorted({b for lo, hi in model_overlapping_bins(start, end) for b in range(lo, hi + 1)})


def test_query_ending_by_512mb_looks_only_where_an_overlapping_feature_can_be():
    # below 512 Mb the rule is exact: every listed bin can hold a feature overlapping the
    # query, checked with the largest feature of each listed bin
    rng = random.Random(9)
    for _ in range(300):
        qs = rng.randrange(0, 512 * MB - 1)
        qe = min(qs + rng.randrange(1, 1 << rng.choice([10, 17, 22, 27])), 512 * MB)
        for b in bins.overlapping_bin_list(qs, qe):
            if b == 4681:
                fs, fe = qs, 512 * MB + 1  # crosses 512 Mb: the extended top bin
            else:
                first, width = max((f, w) for f, w in _levels(False) if f <= b)
                fs, fe = (b - first) * width, (b - first + 1) * width
            assert bins.bin_from_range(fs, fe) == b
            assert fs < qe and qs < fe, (qs, qe, b)


def test_features_crossing_512mb_are_found():
    rng = random.Random(10)
    for _ in range(2000):
        fs = rng.randrange(512 * MB - (1 << 28), 512 * MB)
        fe = rng.randrange(512 * MB + 1, 2**31 - 1)
        assert bins.bin_from_range(fs, fe) == 4681
        qs = rng.randrange(max(0, fs - (1 << 20)), fe)
        qe = min(qs + rng.randrange(1, 1 << rng.choice([10, 20, 29])), 2**31 - 1)
        if qs < fe and fs < qe:
            assert 4681 in bins.overlapping_bin_list(qs, qe)


def test_overlapping_bins_per_level():
    ranges = bins.overlapping_bins(0, 300_000)
    assert ranges[0] == (585, 587)  # three 128 kb bins
    assert ranges[-1] == (4681, 4681)  # the extended top bin, for features crossing 512 Mb
    ext = bins.overlapping_bins(600 * MB, 600 * MB + 10)
    assert all(first >= 4681 for first, _ in ext)
    assert len(ext) == 6
    both = bins.overlapping_bins(500 * MB, 600 * MB)
    assert len(both) == 5 + 6 and both[4] == (0, 0) and both[5][0] >= 4681


@pytest.mark.parametrize("start,end", [(-1, 5), (10, 5), (0, 2**31)])
def test_bad_ranges(start, end):
    with pytest.raises(OutOfRangeError):
        bins.bin_from_range(start, end)


def test_zero_length_at_zero_has_no_bin():
    with pytest.raises(OutOfRangeError, match="no bin"):
        bins.bin_from_range(0, 0)


def test_lazy_attribute_of_package():
    import trackpack

    assert trackpack.bins.bin_from_range(0, 1) == 585
