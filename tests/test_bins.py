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


def test_overlapping_bins_per_level():
    ranges = bins.overlapping_bins(0, 300_000)
    assert ranges[0] == (585, 587)  # three 128 kb bins
    assert ranges[-1] == (4681, 4681)  # the extended top bin, for features crossing 512 Mb
    ext = bins.overlapping_bins(600 * MB, 600 * MB + 10)
    assert all(first >= 4681 for first, _ in ext)
    assert len(ext) == 6


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
