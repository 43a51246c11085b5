# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Zoom-level records of a bigBed from coverage-depth segments.

Input: rows of native u32 ``(chromId, start, end, depth)`` in file order, as
cext/bedtok.pyx emits them: consecutive pieces of constant coverage depth (depth >= 1),
and ``(chromId, p, p, 0)`` markers for zero-length items.

Output: 32-byte records (chromId, start, end, validCount as u32; min, max, sum,
sumSquares as f32, native order), computed the way kent's bedToBigBed does it
(bedWriteReducedOnceReturnReducedTwice / bbiOutputOneSummaryFurtherReduce /
bbiSummarySimpleReduce in src/utils/bedToBigBed and src/lib/bbiWrite.c), including its
single-precision accumulation, so that the bytes match:

- a window of ``reduction`` bases (clipped to the chromosome) opens at the first covered
  base (or zero-length item) at or after the previous window's end; pieces crossing a
  window end are split;
- statistics are over covered bases only: validCount = bases covered, min/max/sum/sum of
  squares of the depth there.  A window opened by a zero-length item alone covers nothing
  and records min = max = 0 (kent would put a made-up depth there);
- the next level merges consecutive records of a chromosome while they fit in
  ``reduction * 4`` bases (u32 arithmetic, as kent).
"""
from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

cdef enum:
    MAX_SCALES = 16


cdef packed struct ZoomRec:
    uint32_t chrom
    uint32_t start
    uint32_t end
    uint32_t valid
    float mn
    float mx
    float sm
    float sq


cdef struct RecBuf:
    ZoomRec* data
    Py_ssize_t n
    Py_ssize_t cap


cdef inline int rec_push(RecBuf* b, ZoomRec* r) noexcept nogil:
    cdef ZoomRec* d
    cdef Py_ssize_t cap
    if b.n == b.cap:
        cap = b.cap * 2 if b.cap else 1024
        d = <ZoomRec*>realloc(b.data, cap * sizeof(ZoomRec))
        if d == NULL:
            return -1
        b.data = d
        b.cap = cap
    b.data[b.n] = r[0]
    b.n += 1
    return 0


cdef inline object rec_take(RecBuf* b):
    out = PyBytes_FromStringAndSize(<char*>b.data, b.n * sizeof(ZoomRec))
    b.n = 0
    return out


cdef inline void fold(ZoomRec* into, ZoomRec* r) noexcept nogil:
    """Merge record ``r`` into ``into`` (kent's float32 sums; empty records leave min/max)."""
    into.end = r.end
    if r.valid:
        if into.valid == 0:
            into.mn = r.mn
            into.mx = r.mx
        else:
            if r.mn < into.mn:
                into.mn = r.mn
            if r.mx > into.mx:
                into.mx = r.mx
    into.valid += r.valid
    into.sm = into.sm + r.sm
    into.sq = into.sq + r.sq


RECORD_SIZE = sizeof(ZoomRec)


cdef class WindowCounter:
    """Number of zoom windows for each candidate reduction (kent's resSizes).

    kent counts them per item while writing the data; the same windows follow from the
    coverage segments, whose union is the union of the items.
    """

    cdef int n
    cdef uint64_t scales[MAX_SCALES]
    cdef uint64_t ends[MAX_SCALES]
    cdef int64_t counts[MAX_SCALES]
    cdef uint32_t chrom
    cdef bint started

    def __init__(self, scales):
        cdef int i
        if not 0 < len(scales) <= MAX_SCALES:
            raise ValueError("between 1 and 16 scales")
        self.n = len(scales)
        for i in range(self.n):
            if scales[i] < 1:
                raise ValueError("scales must be positive")
            self.scales[i] = scales[i]
            self.ends[i] = 0
            self.counts[i] = 0
        self.started = False

    def feed(self, const uint8_t[::1] segments):
        cdef Py_ssize_t rows = segments.shape[0] // 16
        cdef const uint32_t* s = <const uint32_t*>&segments[0] if rows else NULL
        cdef Py_ssize_t r
        cdef int i
        cdef uint64_t start, end, res_end, scale
        with nogil:
            for r in range(rows):
                if not self.started or s[4 * r] != self.chrom:
                    self.started = True
                    self.chrom = s[4 * r]
                    for i in range(self.n):
                        self.ends[i] = 0
                start = s[4 * r + 1]
                end = s[4 * r + 2]
                for i in range(self.n):
                    res_end = self.ends[i]
                    scale = self.scales[i]
                    if start >= res_end:
                        self.counts[i] += 1
                        res_end = start + scale
                    if end > res_end:
                        # whole windows crossed by this piece, then the one it ends in
                        self.counts[i] += (end - res_end + scale - 1) // scale
                        res_end += ((end - res_end + scale - 1) // scale) * scale
                    self.ends[i] = res_end

    @property
    def counts(self):
        return [self.counts[i] for i in range(self.n)]


cdef class Level0Builder:
    """First zoom level from coverage segments, plus the level after it (4x coarser)."""

    cdef uint32_t reduction, double_reduction
    cdef const uint32_t[::1] sizes
    cdef bint has_sum, has_twice, started
    cdef ZoomRec cur, twice
    cdef uint32_t chrom, chrom_size
    cdef RecBuf out0, out1
    cdef public uint64_t total_valid
    cdef public double total_min, total_max, total_sum, total_sq
    cdef bint total_first
    cdef public Py_ssize_t count0, count1

    def __init__(self, uint32_t reduction, const uint32_t[::1] chrom_sizes, uint32_t increment=4):
        if reduction < 1:
            raise ValueError("reduction must be positive")
        self.reduction = reduction
        self.double_reduction = reduction * increment  # u32, wraps as kent's does
        self.sizes = chrom_sizes
        self.total_first = True
        self.total_min = self.total_max = self.total_sum = self.total_sq = 0.0

    def __dealloc__(self):
        free(self.out0.data)
        free(self.out1.data)

    cdef int _output(self) noexcept nogil:
        """Write the open window and fold it into the next level (bbiOutputOneSummaryFurtherReduce)."""
        if not self.cur.valid:
            self.cur.mn = 0
            self.cur.mx = 0
        if rec_push(&self.out0, &self.cur):
            return -1
        self.count0 += 1
        if (not self.has_twice or self.twice.chrom != self.cur.chrom
                or <uint32_t>(self.twice.start + self.double_reduction) < self.cur.end):
            if self.has_twice:
                if rec_push(&self.out1, &self.twice):
                    return -1
                self.count1 += 1
            self.twice = self.cur
            self.has_twice = True
        else:
            fold(&self.twice, &self.cur)
        self.has_sum = False
        return 0

    cdef inline void _open(self, uint32_t start) noexcept nogil:
        cdef uint64_t end = <uint64_t>start + self.reduction
        if end > self.chrom_size:
            end = self.chrom_size
        self.cur.chrom = self.chrom
        self.cur.start = start
        self.cur.end = <uint32_t>end
        self.cur.valid = 0
        self.cur.mn = 0
        self.cur.mx = 0
        self.cur.sm = 0
        self.cur.sq = 0
        self.has_sum = True

    cdef inline void _add(self, double val, uint32_t size) noexcept nogil:
        if self.cur.valid == 0:
            self.cur.mn = <float>val
            self.cur.mx = <float>val
        else:
            if self.cur.mn > val:
                self.cur.mn = <float>val
            if self.cur.mx < val:
                self.cur.mx = <float>val
        self.cur.valid += size
        self.cur.sm = <float>(<double>self.cur.sm + val * <double>size)
        self.cur.sq = <float>(<double>self.cur.sq + val * val * <double>size)

    def feed(self, const uint8_t[::1] segments):
        """Add segments; finished records accumulate for :meth:`take`."""
        cdef Py_ssize_t rows = segments.shape[0] // 16
        cdef const uint32_t* s = <const uint32_t*>&segments[0] if rows else NULL
        cdef Py_ssize_t r
        cdef uint32_t c, start, end, depth, overlap, size, lo
        cdef double val
        cdef int fail = 0
        cdef Py_ssize_t nsizes = self.sizes.shape[0]
        with nogil:
            for r in range(rows):
                c = s[4 * r]
                start = s[4 * r + 1]
                end = s[4 * r + 2]
                depth = s[4 * r + 3]
                if not self.started or c != self.chrom:
                    if self.has_sum and self._output():
                        fail = 1
                        break
                    if c >= nsizes:
                        fail = 2
                        break
                    self.started = True
                    self.chrom = c
                    self.chrom_size = self.sizes[c]
                if self.has_sum and self.cur.end <= start and self.cur.end < self.chrom_size:
                    if self._output():
                        fail = 1
                        break
                if not self.has_sum:
                    self._open(start)
                if depth == 0:
                    continue  # a zero-length item: it opens a window, it covers nothing
                val = depth
                size = end - start
                if self.total_first:
                    self.total_first = False
                    self.total_valid = size
                    self.total_min = self.total_max = val
                    self.total_sum = val * size
                    self.total_sq = val * val * size
                else:
                    self.total_valid += size
                    if val < self.total_min:
                        self.total_min = val
                    if val > self.total_max:
                        self.total_max = val
                    self.total_sum += val * size
                    self.total_sq += val * val * size
                while end > self.cur.end:
                    lo = start if start > self.cur.start else self.cur.start
                    overlap = self.cur.end - lo
                    self._add(val, overlap)
                    size -= overlap
                    start = self.cur.end
                    if self._output():
                        fail = 1
                        break
                    self._open(start)
                if fail:
                    break
                self._add(val, size)
        if fail == 1:
            raise MemoryError()
        if fail == 2:
            raise ValueError("segment names a chromosome id without a size")

    def finish(self):
        """Close the last window and the last next-level record."""
        if self.has_sum and self._output():
            raise MemoryError()
        if self.has_twice:
            if rec_push(&self.out1, &self.twice):
                raise MemoryError()
            self.count1 += 1
            self.has_twice = False

    def take(self):
        """(first-level records, next-level records) finished so far, as bytes."""
        return rec_take(&self.out0), rec_take(&self.out1)


cdef class SimpleReducer:
    """The next zoom level from a level's records (kent's bbiSummarySimpleReduce)."""

    cdef uint32_t reduction
    cdef bint has_new
    cdef ZoomRec new
    cdef RecBuf out
    cdef public Py_ssize_t count

    def __init__(self, uint32_t reduction):
        self.reduction = reduction

    def __dealloc__(self):
        free(self.out.data)

    def feed(self, const uint8_t[::1] records):
        cdef Py_ssize_t n = records.shape[0] // sizeof(ZoomRec)
        cdef const ZoomRec* r = <const ZoomRec*>&records[0] if n else NULL
        cdef Py_ssize_t i
        cdef ZoomRec x
        cdef int fail = 0
        with nogil:
            for i in range(n):
                x = r[i]
                if not self.has_new or self.new.chrom != x.chrom or x.end > <uint32_t>(self.new.start + self.reduction):
                    if self.has_new:
                        if rec_push(&self.out, &self.new):
                            fail = 1
                            break
                        self.count += 1
                    self.new = x
                    self.has_new = True
                else:
                    fold(&self.new, &x)
        if fail:
            raise MemoryError()

    def finish(self):
        if self.has_new:
            if rec_push(&self.out, &self.new):
                raise MemoryError()
            self.count += 1
            self.has_new = False

    def take(self):
        return rec_take(&self.out)
