"""Zoom levels and the total summary of a bigBed, built as kent's bedToBigBed builds them.

Inputs are the coverage-depth segments the tokenizer emitted while the data was written
(see cext/bedtok.pyx): rows of native u32 (chromId, start, end, depth), plus
(chromId, p, p, 0) markers for zero-length items.  From them (kent src/lib/bbiWrite.c
bbiCalcResScalesAndSizes / bbiWriteZoomLevels and bedToBigBed.c, restated):

1. candidate reductions: the average item size (at least 10 bases), then x4 each, up to
   10 candidates (fewer when the next would pass 2^31/4);
2. for each, the number of windows it gives (kent's resSizes);
3. the first level uses the first candidate whose records (32 bytes each, halved when
   compressed: an estimate) fit in half the data section, else the first candidate;
4. every further level merges the previous one 4x coarser, and is written only while it
   has fewer records than the level before (at most 10 levels).

Records hold the true per-base coverage depth statistics of their window (bases covered,
min, max, sum, sum of squares), accumulated in single precision as kent does.  The total
summary is the same statistics over the whole file, in double precision.
"""
from __future__ import annotations

import sys
from typing import Any, BinaryIO, Callable, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .._kernels import load as load_kernel
from ..extsort import ChunkSpool
from .layout import MAX_ZOOM_LEVELS, ZOOM_COUNT, ZOOM_INCREMENT, TotalSummary, ZoomHeader
from .rtree import write_rtree

__all__ = [
    "RECORD_DTYPE",
    "reduction_scales",
    "choose_reduction",
    "write_zoom_levels",
    "ZoomResult",
    "MIN_REDUCTION",
]

#: a zoom record in native byte order, as the kernels produce it
RECORD_DTYPE = np.dtype(
    [
        ("chrom", "=u4"),
        ("start", "=u4"),
        ("end", "=u4"),
        ("valid", "=u4"),
        ("min", "=f4"),
        ("max", "=f4"),
        ("sum", "=f4"),
        ("sum_squares", "=f4"),
    ]
)
RECORD_SIZE = RECORD_DTYPE.itemsize  # 32 (kent's bbiSummaryOnDisk)
#: kent never zooms finer than this many bases
MIN_REDUCTION = 10
_INT_MAX = 2**31 - 1
_U32 = 0xFFFFFFFF
_NATIVE = "<" if sys.byteorder == "little" else ">"
#: bytes of one coverage segment from the tokenizer (u32 chromId, start, end, depth)
_SEGMENT_SIZE = 16


class ZoomResult(NamedTuple):
    """What :func:`write_zoom_levels` wrote: the zoom headers and the total summary."""

    headers: List[ZoomHeader]
    total: TotalSummary
    window_counts: List[int]


def reduction_scales(ave_size: float) -> List[int]:
    """Candidate first-level reductions for items of ``ave_size`` bases on average."""
    # kent passes the average to an int parameter: truncation.  Beyond the int range (items
    # of 2 Gb and more on average, on chromosomes that long) C leaves the result undefined;
    # x86 gives INT_MIN, which would zoom such items at 10 bases, hundreds of millions of
    # records each: we take the largest int instead.
    res = int(min(ave_size, _INT_MAX))
    if res < MIN_REDUCTION:
        res = MIN_REDUCTION
    scales = []
    for _ in range(MAX_ZOOM_LEVELS):
        scales.append(res)
        if res > _INT_MAX // ZOOM_INCREMENT:
            break
        res *= ZOOM_INCREMENT
    return scales


def choose_reduction(scales: Sequence[int], counts: Sequence[int], data_size: int, compress: bool) -> Tuple[int, int]:
    """(reduction, estimated record count) of the first zoom level, as kent picks it.

    ``data_size`` is the size of the data section (item count and blocks).
    """
    # kent keeps half the data size in an int and compares it with a 64-bit size.
    half = (data_size // 2) & _U32
    if half > _INT_MAX:
        half -= 2**32
    limit = half % 2**64
    for scale, count in zip(scales, counts):
        reduced = (count * RECORD_SIZE) % 2**64
        if compress:
            reduced //= 2
        if reduced <= limit:
            return scale, count
    return scales[0], counts[0]


class _LevelWriter:
    """Writes one zoom level: record count, blocks of items_per_slot records, R-tree."""

    def __init__(self, out: BinaryIO, sink, *, block_size: int, items_per_slot: int, order: str, per_record: bool):
        self.out = out
        self.sink = sink
        self.block_size = block_size
        self.items_per_slot = items_per_slot
        self.order = order
        self.per_record = per_record
        self.data_offset = out.tell()
        out.write(ZOOM_COUNT.pack(order, 0))  # the count is filled in at the end
        self.pending = bytearray()
        self.bounds: List[Tuple[int, int, int, int]] = []
        self.count = 0
        self._file_dtype = RECORD_DTYPE.newbyteorder(order) if order != _NATIVE else None

    def add(self, records: bytes) -> None:
        if not records:
            return
        self.pending += records
        slot = self.items_per_slot * RECORD_SIZE
        if len(self.pending) < slot:
            return
        full = len(self.pending) // slot * slot
        data = bytes(self.pending[:full])
        del self.pending[:full]
        for at in range(0, full, slot):
            self._block(data[at : at + slot])

    def _to_file_order(self, recs: np.ndarray, data: bytes) -> bytes:
        if self._file_dtype is None:
            return data
        return recs.astype(self._file_dtype).tobytes()

    def _block(self, data: bytes) -> None:
        recs = np.frombuffer(data, RECORD_DTYPE)
        self.count += len(recs)
        chrom = recs["chrom"]
        if self.per_record:
            # uncompressed levels after the first: every record is its own R-tree item
            starts = recs["start"].tolist()
            ends = recs["end"].tolist()
            self.bounds.extend(zip(chrom.tolist(), starts, chrom.tolist(), ends))
            self.sink.submit(self._to_file_order(recs, data), pieces=len(recs), piece_size=RECORD_SIZE)
            return
        last = int(chrom[-1])
        if int(chrom[0]) == last:
            end = int(recs["end"].max())
        else:
            end = int(recs["end"][chrom == last].max())
        self.bounds.append((int(chrom[0]), int(recs["start"][0]), last, end))
        self.sink.submit(self._to_file_order(recs, data))

    def finish(self) -> Tuple[int, int, int]:
        """Flush, write the R-tree and the count; return (data offset, index offset, count)."""
        if self.pending:
            self._block(bytes(self.pending))
            self.pending = bytearray()
        positions = self.sink.drain()
        out = self.out
        index_offset = out.tell()
        leaves = [b + p for b, p in zip(self.bounds, positions)]
        # kent's zoom R-tree header counts the records, although its leaves are per block
        write_rtree(out, leaves, self.block_size, self.items_per_slot, index_offset, self.order, item_count=self.count)
        end = out.tell()
        out.seek(self.data_offset)
        out.write(ZOOM_COUNT.pack(self.order, self.count))
        out.seek(end)
        return self.data_offset, index_offset, self.count


def write_zoom_levels(
    out: BinaryIO,
    segments: Iterable[bytes],
    chrom_sizes: np.ndarray,
    *,
    ave_size: float,
    data_size: int,
    block_size: int,
    items_per_slot: int,
    compress: bool,
    order: str,
    new_sink,
    tmp_dir: Optional[str] = None,
    phase: Optional[Callable[[str, Optional[int], str], Any]] = None,
) -> ZoomResult:
    """Write the zoom levels at the current position of ``out``.

    Args:
        segments: the coverage segments, re-iterable (read twice).
        chrom_sizes: u32 sizes indexed by chromosome id.
        ave_size: average item size (bases).
        data_size: bytes of the data section (item count + blocks).
        new_sink: ``new_sink()`` returns a block sink writing to ``out`` (writer.BlockSink):
            ``submit(data)`` and ``drain() -> [(offset, size), ...]``.
        phase: for progress: ``phase(name, total, unit)`` is called as each step starts and
            returns an object whose ``update(n)`` counts the step's work.
    """
    if phase is None:
        phase = _no_progress
    kernels = load_kernel("zoomsum")
    scales = reduction_scales(ave_size)
    counter = kernels.WindowCounter(scales)
    segment_count = getattr(segments, "nbytes", None)
    if segment_count is not None:
        segment_count //= _SEGMENT_SIZE
    prog = phase("sizing the zoom levels", segment_count, "segments")
    for chunk in segments:
        counter.feed(chunk)
        prog.update(len(chunk) // _SEGMENT_SIZE)
    counts = counter.counts
    reduction, estimate = choose_reduction(scales, counts, data_size, compress)
    sizes = np.ascontiguousarray(chrom_sizes, dtype=np.uint32)

    builder = kernels.Level0Builder(reduction, sizes, ZOOM_INCREMENT)
    headers: List[ZoomHeader] = []
    with ChunkSpool(tmp_dir=tmp_dir) as next_level:
        level = _LevelWriter(
            out, new_sink(), block_size=block_size, items_per_slot=items_per_slot, order=order, per_record=False
        )
        prog = phase("zoom level 1", segment_count, "segments")
        for chunk in segments:
            builder.feed(chunk)
            prog.update(len(chunk) // _SEGMENT_SIZE)
            first, second = builder.take()
            level.add(first)
            next_level.append(second)
        builder.finish()
        first, second = builder.take()
        level.add(first)
        next_level.append(second)
        data_offset, index_offset, _ = level.finish()
        headers.append(ZoomHeader(reduction, 0, data_offset, index_offset))
        total = TotalSummary(
            builder.total_valid, builder.total_min, builder.total_max, builder.total_sum, builder.total_sq
        )

        zoom_count = estimate  # kent compares further levels with its estimate
        current, current_count = next_level, builder.count1
        reduction = (reduction * ZOOM_INCREMENT) & _U32
        spools = [next_level]
        try:
            while len(headers) < MAX_ZOOM_LEVELS and current_count < zoom_count:
                zoom_count = current_count
                coarser = kernels.SimpleReducer((reduction * ZOOM_INCREMENT) & _U32)
                following = ChunkSpool(tmp_dir=tmp_dir)
                spools.append(following)
                level = _LevelWriter(
                    out,
                    new_sink(),
                    block_size=block_size,
                    items_per_slot=items_per_slot,
                    order=order,
                    per_record=not compress,
                )
                prog = phase(f"zoom level {len(headers) + 1}", current_count, "records")
                for chunk in current:
                    prog.update(len(chunk) // RECORD_SIZE)
                    level.add(chunk)
                    coarser.feed(chunk)
                    following.append(coarser.take())
                coarser.finish()
                following.append(coarser.take())
                data_offset, index_offset, _ = level.finish()
                headers.append(ZoomHeader(reduction, 0, data_offset, index_offset))
                current.close()
                current, current_count = following, coarser.count
                reduction = (reduction * ZOOM_INCREMENT) & _U32
        finally:
            for spool in spools:
                spool.close()
    return ZoomResult(headers, total, counts)


class _NoProgress:
    def update(self, amount: int = 1) -> None:
        pass


def _no_progress(name: str, total: Optional[int], unit: str) -> _NoProgress:
    return _NoProgress()


def empty_total() -> TotalSummary:
    """The total summary of a file without items (all zeros, as kent writes it)."""
    return TotalSummary(0, 0.0, 0.0, 0.0, 0.0)
