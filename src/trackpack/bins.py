"""The UCSC binning scheme: the ``bin`` column of UCSC database tables.

A feature is placed in the smallest bin that holds it completely.  The standard scheme has
five levels: 4,096 bins of 128 kb, 512 of 1 Mb, 64 of 8 Mb, 8 of 64 Mb and one of 512 Mb,
numbered finest level last (bins 585-4680 are the 128 kb ones, bin 0 is the 512 Mb one).
It covers coordinates up to 512 Mb.  Features ending beyond 512 Mb use the extended scheme:
one more level (4 Gb) on top, with every bin number shifted by 4,681 so that both schemes
can share one table.  A table query for a range then looks at the bins returned by
:func:`overlapping_bins` (one interval per level, as kent's table queries do).

Coordinates are 0-based and half-open.  The arithmetic follows kent's ``binRange``
(bins are computed from ``start`` and ``end - 1``), so the numbers are those of UCSC tables.
"""
from __future__ import annotations

from typing import List, Tuple

from .errors import OutOfRangeError

__all__ = [
    "FIRST_SHIFT",
    "NEXT_SHIFT",
    "STANDARD_MAX_END",
    "EXTENDED_OFFSET",
    "STANDARD_OFFSETS",
    "EXTENDED_OFFSETS",
    "bin_from_range",
    "overlapping_bins",
    "overlapping_bin_list",
]

#: the finest bins are 2**17 = 128 kb wide
FIRST_SHIFT = 17
#: each coarser level is 2**3 = 8 times wider
NEXT_SHIFT = 3
#: features ending at or before this use the standard scheme (512 Mb)
STANDARD_MAX_END = 512 * 1024 * 1024
#: bin numbers of the extended scheme start after the 4,681 standard bins
EXTENDED_OFFSET = 4681
#: first bin number of each standard level, finest level first
STANDARD_OFFSETS: Tuple[int, ...] = (512 + 64 + 8 + 1, 64 + 8 + 1, 8 + 1, 1, 0)
#: first bin number of each extended level (before adding EXTENDED_OFFSET), finest first
EXTENDED_OFFSETS: Tuple[int, ...] = (4096 + 512 + 64 + 8 + 1, 512 + 64 + 8 + 1, 64 + 8 + 1, 8 + 1, 1, 0)

#: kent keeps coordinates in C ints; the extended scheme reaches 2 Gb - 1
_MAX_COORD = 2**31 - 1


def _check(start: int, end: int) -> None:
    if start < 0 or end < start or end > _MAX_COORD:
        raise OutOfRangeError(f"cannot bin range {start}-{end}: need 0 <= start <= end <= {_MAX_COORD}")


def bin_from_range(start: int, end: int) -> int:
    """The bin of the feature ``[start, end)``, as stored in UCSC tables.

    Raises:
        OutOfRangeError: negative or inverted coordinates, or a range no bin holds (a
            zero-length range at position 0, which kent cannot bin either).
    """
    _check(start, end)
    if end <= STANDARD_MAX_END:
        offsets, base = STANDARD_OFFSETS, 0
    else:
        offsets, base = EXTENDED_OFFSETS, EXTENDED_OFFSET
    first = start >> FIRST_SHIFT
    last = (end - 1) >> FIRST_SHIFT  # Python's >> floors like C's arithmetic shift
    for offset in offsets:
        if first == last:
            return base + offset + first
        first >>= NEXT_SHIFT
        last >>= NEXT_SHIFT
    raise OutOfRangeError(f"no bin holds range {start}-{end}")


def _level_ranges(start: int, end: int, offsets: Tuple[int, ...], base: int) -> List[Tuple[int, int]]:
    first = start >> FIRST_SHIFT
    last = (end - 1) >> FIRST_SHIFT
    result = []
    for offset in offsets:
        result.append((base + offset + first, base + offset + last))
        first >>= NEXT_SHIFT
        last >>= NEXT_SHIFT
    return result


def overlapping_bins(start: int, end: int) -> List[Tuple[int, int]]:
    """Bins whose features may overlap ``[start, end)``: inclusive ``(first, last)`` per level.

    This is what a UCSC range query puts in its ``WHERE bin ...`` clause (the rule of
    kent's hAddBinToQuery).  A range ending by 512 Mb gets, per standard level (finest
    first), the bins its range meets, then the extended scheme's top bin as
    ``(4681, 4681)``: the only bin that can hold an extended feature (one crossing 512 Mb)
    overlapping it.  This list is exact: each bin in it can hold an overlapping feature.
    A range reaching past 512 Mb gets the standard bins its part before 512 Mb meets (when
    it has one), then per extended level the bins its whole range meets; like kent's, this
    list may name extended bins below 512 Mb that no feature can use.
    """
    _check(start, end)
    if end <= STANDARD_MAX_END:
        return _level_ranges(start, end, STANDARD_OFFSETS, 0) + [(EXTENDED_OFFSET, EXTENDED_OFFSET)]
    result = _level_ranges(start, end, EXTENDED_OFFSETS, EXTENDED_OFFSET)
    if start < STANDARD_MAX_END:
        result = _level_ranges(start, STANDARD_MAX_END, STANDARD_OFFSETS, 0) + result
    return result


def overlapping_bin_list(start: int, end: int) -> List[int]:
    """Every bin number of :func:`overlapping_bins`, ascending."""
    return sorted({b for first, last in overlapping_bins(start, end) for b in range(first, last + 1)})
