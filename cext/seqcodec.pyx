# cython: language_level=3
"""Hot loops of the .2bit / .nib sequence engine.

Everything here works on buffers the Python layer has validated and sized; the loops touch
no Python objects and run without the GIL where the work is large.  Plain-Python
references of every kernel live in tests/test_seq_kernels.py.

Base codes (formats.md): .2bit stores 2 bits per base, first base in the two most
significant bits, T=0 C=1 A=2 G=3.  .nib stores 4 bits per base, first base in the high
nibble, T=0 C=1 A=2 G=3 N=4, plus 8 for a masked (lower-case) base.

Packing tables map each input byte to a class: bits 0-1 the 2-bit code, then the flags
below.  The Python layer builds them (it knows kent's rules); the kernels only apply them.
"""
cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_1BYTE_DATA, PyUnicode_DecodeUTF8, PyUnicode_New
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memchr, memcpy, memset

from growbuf cimport GrowBuf, growbuf_add, growbuf_free, growbuf_init, growbuf_reserve, growbuf_reserve_total

from operator import index as _index

from trackpack.errors import (
    ArgumentError, ClosedFileError, FormatError, NotFoundError, OutOfRangeError, UsageError,
)


def as_index(value, what):
    """``value`` as an int: integers only (numpy integers too), never floats or strings."""
    try:
        return _index(value)
    except TypeError:
        raise ArgumentError(f"{what} must be an integer, not {type(value).__name__}") from None

#: class flags of a packing table entry
FLAG_N = 4
FLAG_LOWER = 8
FLAG_SKIP = 16

cdef enum:
    _FLAG_N = 4
    _FLAG_LOWER = 8
    _FLAG_SKIP = 16
    _RUN_FLAGS = 12
    # Text bytes the packer handles per block (its scratch copy stays in L2).
    SCRATCH = 65536
    # Strings at least this long get the huge-page hint (tp_advise_huge).
    HUGE_PAGE_HINT = 4 << 20
    # Above this many bases, decoding releases the GIL (below, the switch costs more).
    NOGIL_BASES = 65536
    # Block tables longer than this get a sampled index (every SAMPLE_STEP-th start).
    SAMPLE_MIN = 256
    SAMPLE_STEP = 32

#: Largest base count a .2bit or .nib sequence can record (u32 size field).
MAX_BASES = 0xFFFFFFFF

# Four output characters (or codes) per packed byte, stored so that a 4-byte memcpy writes
# them in base order whatever the host byte order is.
cdef uint32_t DECODE_UPPER[256]
cdef uint32_t DECODE_LOWER[256]
cdef uint32_t DECODE_CODES[256]

#: Codes of the array form (fetch_array): A=0 C=1 G=2 T=3, N (and padding) = 4.
ARRAY_CODES = "ACGT"
ARRAY_N = 4


cdef void _init_tables():
    cdef int b, j
    cdef char chars[4]
    cdef char letters[4]
    cdef char codes[4]
    letters[0] = b'T'
    letters[1] = b'C'
    letters[2] = b'A'
    letters[3] = b'G'
    codes[0] = 3  # T
    codes[1] = 1  # C
    codes[2] = 0  # A
    codes[3] = 2  # G
    for b in range(256):
        for j in range(4):
            chars[j] = letters[(b >> (6 - 2 * j)) & 3]
        memcpy(&DECODE_UPPER[b], chars, 4)
        for j in range(4):
            chars[j] = letters[(b >> (6 - 2 * j)) & 3] | 0x20
        memcpy(&DECODE_LOWER[b], chars, 4)
        for j in range(4):
            chars[j] = codes[(b >> (6 - 2 * j)) & 3]
        memcpy(&DECODE_CODES[b], chars, 4)


_init_tables()


cdef inline uint32_t _rd32(const uint8_t* p, bint swap) noexcept nogil:
    cdef uint32_t v
    memcpy(&v, p, 4)
    if swap:
        v = ((v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24))
    return v


cdef inline uint64_t _rd64(const uint8_t* p, bint swap) noexcept nogil:
    cdef uint64_t v
    cdef uint64_t r = 0
    cdef int i
    memcpy(&v, p, 8)
    if swap:
        for i in range(8):
            r = (r << 8) | (v & 0xFF)
            v >>= 8
        return r
    return v


cdef inline void _wr32(uint8_t* p, uint32_t v, bint swap) noexcept nogil:
    if swap:
        v = ((v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24))
    memcpy(p, &v, 4)


cdef inline void _wr64(uint8_t* p, uint64_t v, bint swap) noexcept nogil:
    cdef uint64_t r = 0
    cdef int i
    if swap:
        for i in range(8):
            r = (r << 8) | (v & 0xFF)
            v >>= 8
        v = r
    memcpy(p, &v, 8)


# ---------------------------------------------------------------------------------------
# .2bit unpacking
# ---------------------------------------------------------------------------------------

cdef void _unpack2(const uint8_t* data, int phase, Py_ssize_t n, uint8_t* out,
                   const uint32_t* table) noexcept nogil:
    """Expand ``n`` bases starting at base ``phase`` (0-3) of ``data[0]`` into ``out``.

    Reads exactly the bytes holding those bases: ((phase + n + 3) >> 2) of them.
    """
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t k = 0
    cdef uint8_t tmp[4]
    if n <= 0:
        return
    if phase:
        memcpy(tmp, &table[data[0]], 4)
        while phase < 4 and i < n:
            out[i] = tmp[phase]
            i += 1
            phase += 1
        k = 1
    while i + 4 <= n:
        memcpy(out + i, &table[data[k]], 4)
        i += 4
        k += 1
    if i < n:
        memcpy(tmp, &table[data[k]], 4)
        phase = 0
        while i < n:
            out[i] = tmp[phase]
            i += 1
            phase += 1


cdef Py_ssize_t _first_block(const uint8_t* starts, Py_ssize_t count, bint swap,
                             uint64_t pos, const uint32_t* sample=NULL) noexcept nogil:
    """Index of the last block starting at or before ``pos`` (0 when none does).

    ``sample`` (optional) holds every SAMPLE_STEP-th start in host order, ((count - 1) //
    SAMPLE_STEP) + 1 of them: searching it first keeps the search in the table to one
    short stretch (a few cache lines) instead of log2(count) scattered reads.
    """
    cdef Py_ssize_t lo = 0
    cdef Py_ssize_t hi = count
    cdef Py_ssize_t mid
    cdef Py_ssize_t slo, shi
    if sample != NULL and count > 0:
        slo = 0
        shi = (count - 1) // SAMPLE_STEP + 1
        while slo < shi:
            mid = (slo + shi) >> 1
            if sample[mid] <= pos:
                slo = mid + 1
            else:
                shi = mid
        if slo == 0:
            return 0
        lo = (slo - 1) * SAMPLE_STEP
        hi = lo + SAMPLE_STEP
        if hi > count:
            hi = count
    while lo < hi:
        mid = (lo + hi) >> 1
        if _rd32(starts + 4 * mid, swap) <= pos:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1 if lo > 0 else 0


cdef enum:
    RUN_SET = 0        # overwrite with a byte value
    RUN_LOWER = 1      # OR 0x20 (upper -> lower case)
    RUN_KEEP_CASE = 2  # overwrite with a letter in the case of the byte it replaces


cdef void _apply_runs(uint8_t* out, uint64_t start, uint64_t end, const uint8_t* table,
                      Py_ssize_t count, bint swap, int how, uint8_t value,
                      const uint32_t* sample=NULL) noexcept nogil:
    """Apply the blocks (u32 starts then u32 sizes, ``count`` each) overlapping [start, end).

    Blocks are clipped to the window, so corrupt tables can never write outside ``out``.
    """
    cdef const uint8_t* starts = table
    cdef const uint8_t* sizes = table + 4 * count
    cdef Py_ssize_t i
    cdef uint64_t s, e
    cdef uint8_t* p
    cdef uint8_t* q
    if count <= 0 or end <= start:
        return
    i = _first_block(starts, count, swap, start, sample)
    while i < count:
        s = _rd32(starts + 4 * i, swap)
        if s >= end:
            break
        e = s + _rd32(sizes + 4 * i, swap)
        i += 1
        if e <= start:
            continue
        if s < start:
            s = start
        if e > end:
            e = end
        if how == RUN_SET:
            memset(out + (s - start), value, e - s)
        elif how == RUN_KEEP_CASE:
            p = out + (s - start)
            q = out + (e - start)
            while p < q:
                p[0] = value | (p[0] & 0x20)
                p += 1
        else:
            p = out + (s - start)
            q = out + (e - start)
            while p < q:
                p[0] |= 0x20
                p += 1


cdef void _decode2(const uint8_t* data, uint64_t start, Py_ssize_t n, uint8_t* out,
                   const uint8_t* ntable, Py_ssize_t ncount,
                   const uint8_t* mtable, Py_ssize_t mcount,
                   bint swap, bint mask, bint codes,
                   const uint32_t* nsample=NULL, const uint32_t* msample=NULL) noexcept nogil:
    """Bases [start, start+n) of one sequence: ``data`` points at the byte holding ``start``."""
    cdef uint64_t end = start + <uint64_t>n
    cdef Py_ssize_t i
    cdef uint64_t pos, s, e
    if codes:
        _unpack2(data, <int>(start & 3), n, out, DECODE_CODES)
        _apply_runs(out, start, end, ntable, ncount, swap, RUN_SET, 4, nsample)
        return
    if not mask or mcount <= 0:
        _unpack2(data, <int>(start & 3), n, out, DECODE_UPPER)
        _apply_runs(out, start, end, ntable, ncount, swap, RUN_SET, b'N', nsample)
        return
    # One pass: unmasked stretches through the upper-case table, mask blocks through the
    # lower-case one; then N blocks take the case of the bases they replace.
    pos = start
    i = _first_block(mtable, mcount, swap, start, msample)
    while pos < end:
        if i < mcount:
            s = _rd32(mtable + 4 * i, swap)
            e = s + _rd32(mtable + 4 * (mcount + i), swap)
        else:
            s = e = end
        if s >= end:
            s = e = end
        elif e <= pos:
            i += 1
            continue
        if s > pos:
            _unpack_span(data, start, pos, s, out, DECODE_UPPER)
            pos = s
        if e > end:
            e = end
        if e > pos:
            _unpack_span(data, start, pos, e, out, DECODE_LOWER)
            pos = e
        i += 1
    _apply_runs(out, start, end, ntable, ncount, swap, RUN_KEEP_CASE, b'N', nsample)


cdef inline void _unpack_span(const uint8_t* data, uint64_t start, uint64_t a, uint64_t b,
                              uint8_t* out, const uint32_t* table) noexcept nogil:
    """Bases [a, b) where ``data`` points at the byte holding base ``start`` <= a."""
    _unpack2(data + ((a >> 2) - (start >> 2)), <int>(a & 3), <Py_ssize_t>(b - a), out + (a - start), table)


def unpack_2bit(const uint8_t[::1] data, Py_ssize_t start, Py_ssize_t n):
    """Upper-case bases [start, start+n) of the packed bytes ``data`` (no N or mask runs).

    ``start`` counts bases from the beginning of ``data``.  Bounds are checked.
    """
    if start < 0 or n < 0:
        raise ValueError("negative start or count")
    if ((start + n + 3) >> 2) > data.shape[0]:
        raise ValueError(
            f"packed data too short: {data.shape[0]} bytes, need {(start + n + 3) >> 2}"
        )
    out = PyBytes_FromStringAndSize(NULL, n)
    if n:
        _unpack2(&data[start >> 2], <int>(start & 3), n, <uint8_t*>PyBytes_AS_STRING(out), DECODE_UPPER)
    return out


def apply_runs(bytearray out, Py_ssize_t start, const uint8_t[::1] table, Py_ssize_t count,
               bint swap, bint lower, int value=78):
    """Apply block runs to ``out`` (holding bases [start, start+len(out))), in place.

    ``table`` holds ``count`` u32 starts then ``count`` u32 sizes; ``lower`` ORs 0x20 over
    covered bytes, otherwise they are set to ``value``.  Exposed for the tests.
    """
    if count < 0 or 8 * count > table.shape[0]:
        raise ValueError("block table shorter than its count")
    if start < 0:
        raise ValueError("negative start")
    cdef uint8_t[::1] view = out
    if view.shape[0] == 0:
        return
    _apply_runs(&view[0], start, start + view.shape[0], &table[0] if count else NULL,
                count, swap, RUN_LOWER if lower else RUN_SET, <uint8_t>value)


# ---------------------------------------------------------------------------------------
# .2bit packing: ASCII -> 2-bit bytes, N runs and lower-case runs found in the same pass
# ---------------------------------------------------------------------------------------

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
    #include <emmintrin.h>
    #define TP_HAVE_SSE2 1
    #else
    #define TP_HAVE_SSE2 0
    #endif

    /* Copy src to dst without its newline characters (and the CR of CRLF endings);
       return the bytes written and add the newlines seen to *lines. */
    static size_t tp_strip_newlines(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *lines)
    {
        size_t k = 0;
        const uint8_t *end = src + n;
        while (src < end) {
            const uint8_t *nl = (const uint8_t *)memchr(src, 10, (size_t)(end - src));  /* LF */
            size_t len = (size_t)((nl ? nl : end) - src);
            if (nl && len && src[len - 1] == 13)  /* CR of CRLF */
                len--;
            memcpy(dst + k, src, len);
            k += len;
            if (!nl)
                break;
            (*lines)++;
            src = nl + 1;
        }
        return k;
    }

    #if defined(__linux__)
    #include <sys/mman.h>
    #endif

    /* Ask for transparent huge pages on a large, not yet touched buffer: a sequence
       string of tens of megabytes then costs a few page faults instead of thousands
       (numpy does the same for its large arrays).  A hint only: errors are ignored. */
    static void tp_advise_huge(void *p, size_t n)
    {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        uintptr_t start = ((uintptr_t)p + 0x1FFFFF) & ~(uintptr_t)0x1FFFFF;
        uintptr_t end = ((uintptr_t)p + n) & ~(uintptr_t)0x1FFFFF;
        if (end > start)
            (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    #else
        (void)p; (void)n;
    #endif
    }

    #if TP_HAVE_SSE2
    /* Classify 16 bytes.  When all are A/C/G/T or all are N (either case), and their case
       is uniform (or ignored: lower_flag 0), store their 32 packed bits (first base in the
       top bits) in *packed, their run flags (4 = N, 8 = lower case) in *kind and return 1.
       Otherwise return 0. */
    static inline int tp_pack16(const uint8_t *p, int lower_flag, uint32_t *packed, int *kind)
    {
        __m128i x = _mm_loadu_si128((const __m128i *)p);
        __m128i up = _mm_and_si128(x, _mm_set1_epi8((char)0xDF));
        __m128i acgt = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(up, _mm_set1_epi8('A')), _mm_cmpeq_epi8(up, _mm_set1_epi8('C'))),
            _mm_or_si128(_mm_cmpeq_epi8(up, _mm_set1_epi8('G')), _mm_cmpeq_epi8(up, _mm_set1_epi8('T'))));
        int m_acgt = _mm_movemask_epi8(acgt);
        int m_n = _mm_movemask_epi8(_mm_cmpeq_epi8(up, _mm_set1_epi8('N')));
        int m_low = _mm_movemask_epi8(_mm_slli_epi16(x, 2));  /* bit 5 (lower case) -> bit 7 */
        int k;
        if (m_acgt == 0xFFFF)
            k = 0;
        else if (m_n == 0xFFFF)
            k = 4;
        else
            return 0;
        if (lower_flag) {
            if (m_low == 0xFFFF)
                k |= 8;
            else if (m_low != 0)
                return 0;
        }
        *kind = k;
        if (k & 4) {
            *packed = 0;  /* N is stored as T */
            return 1;
        }
        /* (byte >> 1) & 3 gives A0 C1 T2 G3; flipping bit 1 of the even ones gives
           the .2bit codes T0 C1 A2 G3. */
        __m128i c = _mm_and_si128(_mm_srli_epi16(x, 1), _mm_set1_epi8(3));
        c = _mm_xor_si128(c, _mm_slli_epi16(_mm_andnot_si128(c, _mm_set1_epi8(1)), 1));
        /* pairs -> 4 bits in each 16-bit lane, quads -> 8 bits in each 32-bit lane */
        __m128i q = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(c, 2), _mm_set1_epi16(0x0C)), _mm_srli_epi16(c, 8));
        q = _mm_or_si128(_mm_and_si128(_mm_slli_epi32(q, 4), _mm_set1_epi32(0xF0)), _mm_srli_epi32(q, 16));
        q = _mm_packs_epi32(q, q);
        q = _mm_packus_epi16(q, q);
        uint32_t v = (uint32_t)_mm_cvtsi128_si32(q);  /* byte 0 = first four bases */
        *packed = (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
        return 1;
    }
    #else
    static inline int tp_pack16(const uint8_t *p, int lower_flag, uint32_t *packed, int *kind)
    {
        (void)p; (void)lower_flag; (void)packed; (void)kind;
        return 0;
    }
    #endif
    """
    bint TP_HAVE_SSE2
    size_t tp_strip_newlines(const uint8_t* src, size_t n, uint8_t* dst, uint64_t* lines) noexcept nogil
    bint tp_pack16(const uint8_t* p, int lower_flag, uint32_t* packed, int* kind) noexcept nogil
    void tp_advise_huge(void* p, size_t n) noexcept nogil


cdef class TwoBitPacker:
    """Streaming packer for one sequence at a time.

    ``table`` (256 bytes) gives each input byte its class: 2-bit code in bits 0-1, plus
    FLAG_N, FLAG_LOWER and FLAG_SKIP (the byte is not a base: newlines, digits...).
    Feed text with :meth:`feed` (any number of times), then :meth:`finish`; read the
    record with :meth:`record_header` and :meth:`packed`, and :meth:`reset` for the next.
    Memory grows with the current sequence only.
    """
    cdef uint8_t table[256]
    cdef GrowBuf packed_bytes  # written by position (``n`` counts bases; its size is unused)
    cdef uint64_t n
    cdef uint32_t acc
    cdef uint8_t prev
    cdef uint64_t n_start
    cdef uint64_t m_start
    cdef uint32_t* nblocks   # starts, sizes interleaved
    cdef Py_ssize_t ncount, ncap
    cdef uint32_t* mblocks
    cdef Py_ssize_t mcount, mcap
    cdef bint finished
    cdef public uint64_t newlines
    cdef uint8_t* scratch
    cdef bint strip_lines    # newlines are not bases (FASTA text): drop them up front
    cdef int vector          # 0: no 16-byte path; 1: with lower-case runs; 2: case ignored

    def __cinit__(self, const uint8_t[::1] table, bint vector=True):
        if table.shape[0] != 256:
            raise ValueError(f"packing table must have 256 entries, not {table.shape[0]}")
        memcpy(self.table, &table[0], 256)
        growbuf_init(&self.packed_bytes)
        self.nblocks = NULL
        self.mblocks = NULL
        self.ncap = self.mcap = 0
        self.newlines = 0
        self.scratch = <uint8_t*>malloc(SCRATCH + 8)
        if self.scratch == NULL:
            raise MemoryError()
        self.strip_lines = (self.table[10] & _FLAG_SKIP) and (self.table[13] & _FLAG_SKIP)
        self.vector = 0  # vector=False forces the portable path (the tests use it)
        if vector and TP_HAVE_SSE2 and self._standard(True):
            self.vector = 1
        elif vector and TP_HAVE_SSE2 and self._standard(False):
            self.vector = 2
        self.reset()

    cdef bint _standard(self, bint lower):
        """Does the table treat ACGTN/acgtn as the 16-byte path assumes?"""
        cdef int i
        cdef const char* letters = b"TCAGN"
        cdef uint8_t want
        for i in range(5):
            want = i if i < 4 else _FLAG_N
            if self.table[<uint8_t>letters[i]] != want:
                return False
            if self.table[<uint8_t>(letters[i] | 0x20)] != (want | (_FLAG_LOWER if lower else 0)):
                return False
        return True

    def __dealloc__(self):
        growbuf_free(&self.packed_bytes)
        free(self.nblocks)
        free(self.mblocks)
        free(self.scratch)

    def reset(self):
        """Start a new sequence (buffers are kept for reuse)."""
        self._reset()

    cdef void _reset(self) noexcept nogil:
        self.n = 0
        self.acc = 0
        self.prev = 0
        self.ncount = 0
        self.mcount = 0
        self.n_start = 0
        self.m_start = 0
        self.finished = False

    @property
    def size(self):
        """Bases packed so far."""
        return self.n

    cdef int _reserve(self, Py_ssize_t more) noexcept nogil:
        """Room for ``more`` bases after those packed so far; -1 when memory runs out."""
        # the bytes of the bases so far and of ``more``, each rounded up, plus one spare
        return growbuf_reserve_total(&self.packed_bytes,
                                     <Py_ssize_t>((self.n + 3) >> 2) + ((more + 3) >> 2) + 1)

    cdef int _push(self, bint is_n, uint64_t start, uint64_t end) noexcept nogil:
        cdef uint32_t** arr
        cdef Py_ssize_t* count
        cdef Py_ssize_t* cap
        cdef uint32_t* p
        cdef Py_ssize_t newcap
        if is_n:
            arr = &self.nblocks
            count = &self.ncount
            cap = &self.ncap
        else:
            arr = &self.mblocks
            count = &self.mcount
            cap = &self.mcap
        if count[0] == cap[0]:
            newcap = cap[0] * 2 if cap[0] else 1024
            p = <uint32_t*>realloc(arr[0], newcap * 2 * sizeof(uint32_t))
            if p == NULL:
                return -1
            arr[0] = p
            cap[0] = newcap
        arr[0][2 * count[0]] = <uint32_t>start
        arr[0][2 * count[0] + 1] = <uint32_t>(end - start)
        count[0] += 1
        return 0

    cdef inline int _one(self, uint8_t c) noexcept nogil:
        """Append one base of class ``c`` (not a skip class); -1 when memory runs out."""
        cdef uint8_t changed = (c ^ self.prev) & _RUN_FLAGS
        if changed:
            if changed & _FLAG_N:
                if c & _FLAG_N:
                    self.n_start = self.n
                elif self._push(True, self.n_start, self.n):
                    return -1
            if changed & _FLAG_LOWER:
                if c & _FLAG_LOWER:
                    self.m_start = self.n
                elif self._push(False, self.m_start, self.n):
                    return -1
            self.prev = c & _RUN_FLAGS
        self.acc = (self.acc << 2) | (c & 3)
        self.n += 1
        if (self.n & 3) == 0:
            self.packed_bytes.data[(self.n >> 2) - 1] = <uint8_t>self.acc
            self.acc = 0
        return 0

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int _pack(self, const uint8_t* p, Py_ssize_t k) noexcept nogil:
        # 16 bytes at a time when they are bases of one run kind (tp_pack16: SSE2), then
        # appended as 32 bits to the byte being filled; anything else (run boundaries,
        # other letters, skipped bytes) goes byte by byte through the table and _one().
        # `acc` holds the 2*(n % 4) bits of the byte being filled.
        cdef const uint8_t* T = self.table
        cdef Py_ssize_t j = 0
        cdef Py_ssize_t stop
        cdef uint64_t n = self.n
        cdef uint64_t v
        cdef uint32_t acc = self.acc
        cdef uint32_t packed, word
        cdef int kind, r
        cdef int lower = self.vector == 1
        cdef uint8_t prev = self.prev
        cdef uint8_t c
        cdef uint8_t* out = self.packed_bytes.data
        while j < k:
            if self.vector and j + 16 <= k and tp_pack16(p + j, lower, &packed, &kind) and kind == prev:
                r = <int>(2 * (n & 3))
                v = ((<uint64_t>acc) << 32) | packed
                word = <uint32_t>(v >> r)
                out[n >> 2] = <uint8_t>(word >> 24)
                out[(n >> 2) + 1] = <uint8_t>(word >> 16)
                out[(n >> 2) + 2] = <uint8_t>(word >> 8)
                out[(n >> 2) + 3] = <uint8_t>word
                acc = <uint32_t>(v & ((1U << r) - 1))
                n += 16
                j += 16
                continue
            stop = j + 16 if j + 16 < k else k
            self.n = n
            self.acc = acc
            while j < stop:
                c = T[p[j]]
                j += 1
                if c & _FLAG_SKIP:
                    continue
                if self._one(c):
                    return -1
            n = self.n
            acc = self.acc
            prev = self.prev
        self.n = n
        self.acc = acc
        return 0

    cdef int _feed(self, const uint8_t* text, Py_ssize_t length) noexcept nogil:
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t m, k
        cdef uint64_t lines = 0
        cdef int status = 0
        if not self.strip_lines:
            return self._pack(text, length)
        while i < length and status == 0:
            m = length - i
            if m > SCRATCH:
                m = SCRATCH
            k = <Py_ssize_t>tp_strip_newlines(text + i, <size_t>m, self.scratch, &lines)
            i += m
            status = self._pack(self.scratch, k)
        self.newlines += lines
        return status

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def feed(self, const uint8_t[::1] text not None):
        """Pack the bases of ``text`` (a chunk of any size; state carries over)."""
        cdef Py_ssize_t length = text.shape[0]
        cdef int status
        if self.finished:
            raise ValueError("feed() after finish(): call reset() first")
        if length == 0:
            return
        if self._reserve(length):
            raise MemoryError()
        if length >= NOGIL_BASES:
            with nogil:
                status = self._feed(&text[0], length)
        else:  # short texts (many small records): releasing the GIL would cost more
            status = self._feed(&text[0], length)
        if status:
            raise MemoryError()
        if self.n > MAX_BASES:
            raise OverflowError("sequence longer than 4,294,967,295 bases, the .2bit limit")

    cdef int _finish(self) noexcept nogil:
        """End the sequence: flush the last partial byte and close open runs (-1: no memory)."""
        if self.finished:
            return 0
        if self.n & 3:
            if self._reserve(0):
                return -1
            self.packed_bytes.data[self.n >> 2] = <uint8_t>(self.acc << (2 * (4 - (self.n & 3))))
        if self.prev & _FLAG_N:
            if self._push(True, self.n_start, self.n):
                return -1
        if self.prev & _FLAG_LOWER:
            if self._push(False, self.m_start, self.n):
                return -1
        self.prev = 0
        self.finished = True
        return 0

    def finish(self):
        """End the sequence: flush the last partial byte and close open runs."""
        if self._finish():
            raise MemoryError()

    cdef inline Py_ssize_t _header_size(self) noexcept nogil:
        return 16 + 8 * (self.ncount + self.mcount)

    def record_header(self, bint swap):
        """The record fields before the packed bases, in the file's byte order.

        dnaSize, nBlockCount, nBlockStarts, nBlockSizes, maskBlockCount, maskBlockStarts,
        maskBlockSizes, reserved (formats.md ".2bit").
        """
        if not self.finished:
            raise ValueError("record_header() before finish()")
        out = PyBytes_FromStringAndSize(NULL, self._header_size())
        self._write_header(<uint8_t*>PyBytes_AS_STRING(out), swap)
        return out

    cdef void _write_header(self, uint8_t* p, bint swap) noexcept nogil:
        """Write the record fields (:meth:`record_header`) at ``p``."""
        cdef Py_ssize_t i
        _wr32(p, <uint32_t>self.n, swap)
        p += 4
        _wr32(p, <uint32_t>self.ncount, swap)
        p += 4
        for i in range(self.ncount):
            _wr32(p + 4 * i, self.nblocks[2 * i], swap)
            _wr32(p + 4 * (self.ncount + i), self.nblocks[2 * i + 1], swap)
        p += 8 * self.ncount
        _wr32(p, <uint32_t>self.mcount, swap)
        p += 4
        for i in range(self.mcount):
            _wr32(p + 4 * i, self.mblocks[2 * i], swap)
            _wr32(p + 4 * (self.mcount + i), self.mblocks[2 * i + 1], swap)
        p += 8 * self.mcount
        _wr32(p, 0, swap)

    def packed(self):
        """The packed bases (a memoryview valid until the next feed or reset)."""
        if not self.finished:
            raise ValueError("packed() before finish()")
        cdef Py_ssize_t nbytes = <Py_ssize_t>((self.n + 3) >> 2)
        if nbytes == 0:
            return memoryview(b"")
        return memoryview(<uint8_t[:nbytes]> self.packed_bytes.data)

    def blocks(self):
        """(n_blocks, mask_blocks) as lists of (start, end)."""
        cdef Py_ssize_t i
        nb = [(self.nblocks[2 * i], self.nblocks[2 * i] + self.nblocks[2 * i + 1]) for i in range(self.ncount)]
        mb = [(self.mblocks[2 * i], self.mblocks[2 * i] + self.mblocks[2 * i + 1]) for i in range(self.mcount)]
        return nb, mb


# ---------------------------------------------------------------------------------------
# FASTA text -> .2bit records, many records per call
# ---------------------------------------------------------------------------------------

cdef extern from *:
    """
    #include <errno.h>
    #ifdef _WIN32
    #include <io.h>
    #else
    #include <unistd.h>
    #endif

    /* write() all n bytes to fd, retrying short writes and EINTR; 0 or an errno value. */
    static int tp_write_all(int fd, const uint8_t *p, size_t n)
    {
        while (n) {
            size_t want = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
    #ifdef _WIN32
            int k = _write(fd, p, (unsigned)want);
    #else
            ssize_t k = write(fd, p, want);
    #endif
            if (k < 0) {
                if (errno == EINTR)
                    continue;
                return errno ? errno : EIO;
            }
            if (k == 0)
                return EIO;
            p += k;
            n -= (size_t)k;
        }
        return 0;
    }
    """
    int tp_write_all(int fd, const uint8_t* p, size_t n) noexcept nogil


cdef inline int _add_u64(GrowBuf* b, uint64_t x) noexcept nogil:
    """Append ``x`` as 8 native-order bytes (the writer's per-record tables)."""
    return growbuf_add(b, &x, 8)


cdef inline bint _is_blank(uint8_t c) noexcept nogil:
    # ASCII whitespace as bytes.split() sees it: space, \t, \n, \v, \f, \r
    return c == 32 or (c >= 9 and c <= 13)


cdef enum:
    # where the parser is in the FASTA text
    ST_LINE_START = 0     # at the start of a line
    ST_TEXT = 1           # inside a sequence line (or a line before the first header)
    ST_HEADER_BLANKS = 2  # after '>', before the name
    ST_NAME = 3           # in the name
    ST_HEADER_REST = 4    # after the name, up to the end of the header line
    # records with fewer packed bytes are copied into the output batch
    SMALL_RECORD = 1 << 18
    # the output batch is written once it holds this much
    OUT_BATCH = 4 << 20

cdef enum:
    W_NO_MEMORY = 1
    W_IO_ERROR = 2
    W_NO_NAME = 3
    W_NOT_FASTA = 4
    W_TOO_LONG = 5
    W_NO_RECORDS = 6

#: status codes of :class:`TwoBitRecordWriter`
WRITER_NO_MEMORY = W_NO_MEMORY
WRITER_IO_ERROR = W_IO_ERROR
WRITER_NO_NAME = W_NO_NAME
WRITER_NOT_FASTA = W_NOT_FASTA
WRITER_TOO_LONG = W_TOO_LONG
WRITER_NO_RECORDS = W_NO_RECORDS


cdef class TwoBitRecordWriter:
    """Turns FASTA text (or whole sequences) into .2bit records written to a file descriptor.

    The FASTA parser and the packer run together in C: a chunk of text holding thousands
    of short records costs one call, so inputs of many small sequences (contigs, reads)
    stream as fast as chromosomes.  Records are appended to ``fd`` (the writer's spool)
    as header fields + packed bases; small records are batched into one write.

    Per source: :meth:`begin_source`, :meth:`feed` any number of chunks, :meth:`end_source`.
    Or :meth:`add_sequence` for a sequence given whole.  After each call, :meth:`take`
    returns the names of the records completed since the previous take.  Calls return
    None, or (status, line, detail) for a problem the caller turns into an exception:
    WRITER_NO_NAME ('>' without a name), WRITER_NOT_FASTA (text before the first header),
    WRITER_TOO_LONG (more than ``max_bases`` bases; detail = the record's name),
    WRITER_NO_RECORDS (no header at all), WRITER_NO_MEMORY, WRITER_IO_ERROR (detail =
    errno).  Rules for the text are those of :func:`trackpack.fasta.scan_fasta`.
    """
    cdef TwoBitPacker packer
    cdef int fd
    cdef bint swap
    cdef uint64_t max_bases
    cdef GrowBuf out         # batch of finished records not yet written
    cdef GrowBuf name        # name of the record being read
    cdef GrowBuf pending     # finished records since take(): [u8 empty][u32 len][name][u64 line]
    # per non-empty record, a native u64 each:
    cdef GrowBuf sizes       # record bytes (header + packed)
    cdef GrowBuf bases       # bases
    cdef GrowBuf lines       # header line (or record number)
    cdef int state
    cdef bint seen_header
    cdef bint in_record
    cdef uint64_t line       # line number of the next byte
    cdef uint64_t name_line  # line of the current record's header
    cdef readonly uint64_t written      # bytes written to fd
    cdef readonly uint64_t total_bases  # bases of the non-empty records
    cdef int err_errno

    def __cinit__(self, const uint8_t[::1] table, int fd, bint swap, uint64_t max_bases,
                  bint vector=True):
        self.packer = TwoBitPacker(table, vector)
        self.fd = fd
        self.swap = swap
        self.max_bases = max_bases
        growbuf_init(&self.out)
        growbuf_init(&self.name)
        growbuf_init(&self.pending)
        growbuf_init(&self.sizes)
        growbuf_init(&self.bases)
        growbuf_init(&self.lines)
        self.written = 0
        self.total_bases = 0
        self.state = ST_LINE_START
        self.seen_header = False
        self.in_record = False
        self.line = 1

    def __dealloc__(self):
        growbuf_free(&self.out)
        growbuf_free(&self.name)
        growbuf_free(&self.pending)
        growbuf_free(&self.sizes)
        growbuf_free(&self.bases)
        growbuf_free(&self.lines)

    @property
    def records(self):
        """Non-empty records written so far."""
        return self.sizes.size // 8

    def _status(self, int code):
        if code == 0:
            return None
        if code == W_IO_ERROR:
            return code, self.name_line, self.err_errno
        if code == W_TOO_LONG:
            name = PyBytes_FromStringAndSize(<char*>self.name.data, self.name.size) if self.name.size else b""
            return code, self.name_line, name
        if code in (W_NO_RECORDS, W_NOT_FASTA):
            return code, self.line, None
        return code, self.name_line, None

    # -- FASTA text ----------------------------------------------------------------------

    def begin_source(self):
        """Start a FASTA input: line 1, no header seen yet."""
        if not (self.packer.strip_lines):
            raise ValueError("FASTA text needs a packing table that skips newlines")
        self.state = ST_LINE_START
        self.seen_header = False
        self.in_record = False
        self.line = 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def feed(self, const uint8_t[::1] text not None):
        """Parse and pack a chunk of FASTA text (state carries over between chunks)."""
        cdef Py_ssize_t n = text.shape[0]
        cdef int code = 0
        if n == 0:
            return None
        if n >= NOGIL_BASES:
            with nogil:
                code = self._parse(&text[0], n)
        else:
            code = self._parse(&text[0], n)
        return self._status(code)

    def end_source(self):
        """End the input: finish its last record and write everything batched."""
        cdef int code = 0
        if self.state == ST_HEADER_BLANKS:
            return self._status(W_NO_NAME)
        if self.state == ST_NAME or self.state == ST_HEADER_REST:
            self._start_record()  # a header line without a newline at the end of the input
        self.state = ST_LINE_START
        if self.in_record:
            code = self._end_record()
        if code == 0 and not self.seen_header:
            code = W_NO_RECORDS
        if code == 0:
            code = self._flush()
        return self._status(code)

    def flush(self):
        """Write everything batched so far (the FASTA path does it in :meth:`end_source`)."""
        return self._status(self._flush())

    cdef inline void _start_record(self) noexcept nogil:
        self.packer._reset()
        self.in_record = True

    cdef int _parse(self, const uint8_t* p, Py_ssize_t n) noexcept nogil:
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t j, stop
        cdef const uint8_t* hit
        cdef uint8_t c
        cdef int code
        while i < n:
            if self.state == ST_LINE_START:
                if p[i] == 62:  # '>' at the start of a line: a header
                    if self.in_record:
                        code = self._end_record()
                        if code:
                            return code
                    self.seen_header = True
                    self.name.size = 0
                    self.name_line = self.line
                    self.state = ST_HEADER_BLANKS
                    i += 1
                    continue
                self.state = ST_TEXT
            if self.state == ST_TEXT:
                if not self.seen_header:
                    # before the first header: blank lines only
                    while i < n:
                        c = p[i]
                        if not _is_blank(c):
                            return W_NOT_FASTA
                        i += 1
                        if c == 10:
                            self.line += 1
                            self.state = ST_LINE_START
                            break
                    continue
                # sequence text, up to the next '>' that starts a line
                stop = n
                j = i
                while j < n:
                    hit = <const uint8_t*>memchr(p + j, 62, <size_t>(n - j))
                    if hit == NULL:
                        break
                    j = hit - p
                    if j > i and p[j - 1] == 10:
                        stop = j
                        break
                    j += 1
                code = self._sequence(p + i, stop - i)
                if code:
                    return code
                self.state = ST_LINE_START if p[stop - 1] == 10 else ST_TEXT
                i = stop
            elif self.state == ST_HEADER_BLANKS:
                while i < n:
                    c = p[i]
                    if c == 10:
                        return W_NO_NAME
                    if not _is_blank(c):
                        self.state = ST_NAME
                        break
                    i += 1
            elif self.state == ST_NAME:
                j = i
                while j < n and not _is_blank(p[j]):
                    j += 1
                if growbuf_add(&self.name, p + i, j - i):
                    return W_NO_MEMORY
                i = j
                if j < n:
                    if p[j] == 10:
                        self.line += 1
                        i += 1
                        self._start_record()
                        self.state = ST_LINE_START
                    else:
                        self.state = ST_HEADER_REST
            else:  # ST_HEADER_REST: the description, up to the newline
                hit = <const uint8_t*>memchr(p + i, 10, <size_t>(n - i))
                if hit == NULL:
                    i = n
                else:
                    i = (hit - p) + 1
                    self.line += 1
                    self._start_record()
                    self.state = ST_LINE_START
        return 0

    cdef int _sequence(self, const uint8_t* text, Py_ssize_t n) noexcept nogil:
        cdef uint64_t before = self.packer.newlines
        if self.packer._reserve(n) or self.packer._feed(text, n):
            return W_NO_MEMORY
        self.line += self.packer.newlines - before
        if self.packer.n > self.max_bases:
            return W_TOO_LONG
        return 0

    # -- whole sequences -----------------------------------------------------------------

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def add_sequence(self, bytes name not None, const uint8_t[::1] data not None, uint64_t number):
        """Pack ``data`` as one record named ``name`` (``number`` stands in for its line)."""
        cdef Py_ssize_t n = data.shape[0]
        cdef int code = 0
        self.name.size = 0
        self.name_line = number
        if growbuf_add(&self.name, <const char*>name, len(name)):
            raise MemoryError()
        self._start_record()
        if n >= NOGIL_BASES:
            with nogil:
                code = self._add(&data[0], n)
        elif n:
            code = self._add(&data[0], n)
        if code == 0:
            code = self._end_record()
        return self._status(code)

    cdef int _add(self, const uint8_t* data, Py_ssize_t n) noexcept nogil:
        if self.packer._reserve(n) or self.packer._feed(data, n):
            return W_NO_MEMORY
        if self.packer.n > self.max_bases:
            return W_TOO_LONG
        return 0

    # -- output --------------------------------------------------------------------------

    cdef int _end_record(self) noexcept nogil:
        """Finish the current record: queue or write it, note its name, size and line."""
        cdef Py_ssize_t head, nbytes
        cdef uint32_t length = <uint32_t>self.name.size
        cdef uint8_t empty
        cdef int code
        self.in_record = False
        if self.packer._finish():
            return W_NO_MEMORY
        empty = self.packer.n == 0
        if (growbuf_add(&self.pending, &empty, 1) or growbuf_add(&self.pending, &length, 4)
                or growbuf_add(&self.pending, self.name.data, self.name.size)
                or growbuf_add(&self.pending, &self.name_line, 8)):
            return W_NO_MEMORY
        if empty:
            return 0
        head = self.packer._header_size()
        nbytes = <Py_ssize_t>((self.packer.n + 3) >> 2)
        if growbuf_reserve(&self.out, head + (nbytes if nbytes < SMALL_RECORD else 0)):
            return W_NO_MEMORY
        self.packer._write_header(self.out.data + self.out.size, self.swap)
        self.out.size += head
        if nbytes < SMALL_RECORD:
            memcpy(self.out.data + self.out.size, self.packer.packed_bytes.data, nbytes)
            self.out.size += nbytes
            code = self._flush() if self.out.size >= OUT_BATCH else 0
        else:  # a long sequence goes straight from the packer to the file
            code = self._flush()
            if code == 0:
                code = self._write(self.packer.packed_bytes.data, nbytes)
        if code:
            return code
        if (_add_u64(&self.sizes, <uint64_t>(head + nbytes)) or _add_u64(&self.bases, self.packer.n)
                or _add_u64(&self.lines, self.name_line)):
            return W_NO_MEMORY
        self.total_bases += self.packer.n
        return 0

    cdef int _write(self, const uint8_t* data, Py_ssize_t n) noexcept nogil:
        cdef int e = tp_write_all(self.fd, data, <size_t>n)
        if e:
            self.err_errno = e
            return W_IO_ERROR
        self.written += <uint64_t>n
        return 0

    cdef int _flush(self) noexcept nogil:
        cdef int code = 0
        if self.out.size:
            code = self._write(self.out.data, self.out.size)
            self.out.size = 0
        return code

    def take(self):
        """(names, empty) of the records finished since the last call, in input order.

        ``names``: the names (bytes) of records with bases, numbered on from the previous
        takes; ``empty``: (position, name, line) of records without bases (not written),
        position being the number of ``names`` that came before it."""
        cdef Py_ssize_t pos = 0
        cdef uint32_t length
        cdef uint64_t line
        cdef uint8_t* p = self.pending.data
        names = []
        empty = []
        while pos < self.pending.size:
            memcpy(&length, p + pos + 1, 4)
            name = PyBytes_FromStringAndSize(<char*>p + pos + 5, length)
            if p[pos]:
                memcpy(&line, p + pos + 5 + length, 8)
                empty.append((len(names), name, line))
            else:
                names.append(name)
            pos += 13 + length
        self.pending.size = 0
        return names, empty

    def line_of(self, Py_ssize_t record):
        """Header line (or record number) of the ``record``-th non-empty record."""
        if not 0 <= record < self.lines.size // 8:
            raise IndexError(record)
        return (<uint64_t*>self.lines.data)[record]

    def record_sizes(self):
        """Bytes of every non-empty record (header fields + packed bases), as u64 bytes."""
        return PyBytes_FromStringAndSize(<char*>self.sizes.data, self.sizes.size) if self.sizes.size else b""

    def record_bases(self):
        """Bases of every non-empty record, as u64 bytes."""
        return PyBytes_FromStringAndSize(<char*>self.bases.data, self.bases.size) if self.bases.size else b""


@cython.boundscheck(False)
@cython.wraparound(False)
def index_entries(list names not None, const uint64_t[::1] sizes not None, int offset_size, bint swap):
    """The .2bit index after the header: per record its name size, name and offset.

    Records follow the index back to back, ``sizes`` bytes each.  Returns None when an
    offset does not fit in ``offset_size`` (4 or 8) bytes.
    """
    cdef Py_ssize_t count = len(names)
    cdef Py_ssize_t i, length
    cdef Py_ssize_t total = 0
    cdef uint64_t pos, limit
    cdef uint8_t* p
    cdef bytes name
    if sizes.shape[0] != count:
        raise ValueError(f"{count} names but {sizes.shape[0]} sizes")
    if offset_size not in (4, 8):
        raise ValueError("offset_size must be 4 or 8")
    for i in range(count):
        name = names[i]
        if len(name) > 255:
            raise ValueError(f"name {i} is longer than 255 bytes")
        total += 1 + len(name) + offset_size
    limit = 0xFFFFFFFF if offset_size == 4 else 0xFFFFFFFFFFFFFFFF
    out = PyBytes_FromStringAndSize(NULL, total)
    p = <uint8_t*>PyBytes_AS_STRING(out)
    pos = 16 + <uint64_t>total
    for i in range(count):
        if pos > limit:
            return None
        name = names[i]
        length = len(name)
        p[0] = <uint8_t>length
        memcpy(p + 1, <const char*>name, length)
        p += 1 + length
        if offset_size == 4:
            _wr32(p, <uint32_t>pos, swap)
        else:
            _wr64(p, pos, swap)
        p += offset_size
        pos += sizes[i]
    return out


# ---------------------------------------------------------------------------------------
# .2bit index and random access
# ---------------------------------------------------------------------------------------

def parse_index(const uint8_t[::1] buf, Py_ssize_t count, int offset_size, bint swap,
                uint64_t file_size, list names, offsets):
    """Parse up to ``count`` index entries from ``buf``; append names (str) and offsets.

    Returns (entries parsed, bytes consumed, error) where error is None or
    (entry position in buf, message) for an entry whose record cannot fit in the file.
    Stops early at the end of ``buf`` (the caller reads more and calls again).
    """
    cdef Py_ssize_t pos = 0
    cdef Py_ssize_t parsed = 0
    cdef Py_ssize_t length = buf.shape[0]
    cdef Py_ssize_t name_len
    cdef uint64_t off
    while parsed < count:
        if pos >= length:
            break
        name_len = buf[pos]
        if pos + 1 + name_len + offset_size > length:
            break
        if offset_size == 8:
            off = _rd64(&buf[pos + 1 + name_len], swap)
        else:
            off = _rd32(&buf[pos + 1 + name_len], swap)
        if off > file_size or file_size - off < 16:
            return parsed, pos, (pos, f"sequence record offset {off} lies past the end of the file ({file_size} bytes)")
        names.append(PyUnicode_DecodeUTF8(<char*>&buf[pos + 1], name_len, "surrogateescape"))
        offsets.append(off)
        pos += 1 + name_len + offset_size
        parsed += 1
    return parsed, pos, None


cpdef tuple region_triple(region, Py_ssize_t number):
    """(name, start, end) from the ``number``-th region of a batch, or ArgumentError."""
    if type(region) is tuple and len(<tuple>region) == 3:
        return <tuple>region
    try:
        name, start, end = region
    except (TypeError, ValueError):
        raise ArgumentError(
            f"region {number}: expected a (name, start, end) triple, got {region!r}"
        ) from None
    return name, start, end


cdef class _Record:
    """Where one sequence's parts are: sizes, block tables and packed bases."""
    cdef readonly uint32_t size
    cdef readonly uint32_t n_count
    cdef readonly uint32_t mask_count
    cdef Py_ssize_t n_off      # N starts table, within `tables` (or the map)
    cdef Py_ssize_t m_off      # mask starts table, within `tables` (or the map)
    cdef readonly uint64_t dna_offset
    cdef readonly uint64_t offset
    cdef object tables         # bytes of both tables (stream mode) or None (mapped)
    cdef bytes n_sample        # sampled starts (see _first_block), or None
    cdef bytes m_sample
    cdef bint sampled          # n_sample and m_sample are made on the first decode


cdef extern from *:
    """
    static const char TP_DIGIT_PAIRS[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";

    /* Decimal digits of v at p; returns the end. */
    static inline uint8_t *tp_put_u64(uint8_t *p, uint64_t v)
    {
        char tmp[20];
        int i = 20;
        while (v >= 100) {
            unsigned r = (unsigned)(v % 100);
            v /= 100;
            i -= 2;
            memcpy(tmp + i, TP_DIGIT_PAIRS + 2 * r, 2);
        }
        if (v >= 10) {
            i -= 2;
            memcpy(tmp + i, TP_DIGIT_PAIRS + 2 * v, 2);
        } else {
            tmp[--i] = (char)('0' + v);
        }
        memcpy(p, tmp + i, (size_t)(20 - i));
        return p + (20 - i);
    }
    """
    uint8_t* tp_put_u64(uint8_t* p, uint64_t v) noexcept nogil


cdef Py_ssize_t _format_bed(const uint8_t* table, Py_ssize_t count, Py_ssize_t first, Py_ssize_t stop,
                            bint swap, const uint8_t* prefix, Py_ssize_t plen, uint64_t size,
                            uint8_t* out, Py_ssize_t* bad) noexcept nogil:
    """BED lines of blocks [first, stop) of a table (``count`` u32 starts then sizes) into
    ``out`` (room for plen + 22 bytes per line); stops at a block ending past ``size``."""
    cdef uint8_t* p = out
    cdef Py_ssize_t i
    cdef uint64_t s, e
    for i in range(first, stop):
        s = _rd32(table + 4 * i, swap)
        e = s + _rd32(table + 4 * (count + i), swap)
        if e > size:
            bad[0] = i
            break
        memcpy(p, prefix, plen)
        p = tp_put_u64(p + plen, s)
        p[0] = 9
        p = tp_put_u64(p + 1, e)
        p[0] = 10
        p += 1
    return p - out


cdef class TwoBitCore:
    """Random access to a parsed .2bit file: the hot path of :class:`trackpack.TwoBitFile`.

    The Python layer opens the file, checks the header, parses the index with
    :func:`parse_index` and calls :meth:`_attach`.  The file is either memory-mapped
    (``mapped`` buffer: reads are plain memory accesses, safe from many threads) or read
    through a ``reader(offset, size, what) -> bytes`` callable (file objects).
    """
    cdef const uint8_t[::1] _map
    cdef bint _mapped
    cdef bint _swap
    cdef bint _closed
    cdef object _read
    cdef readonly dict _index
    cdef readonly list _names
    cdef list _records
    cdef const uint64_t[::1] _offsets
    cdef uint64_t _file_size
    cdef public object path

    def __cinit__(self, *args, **kwargs):
        self._closed = True
        self._mapped = False
        self._index = {}
        self._names = []
        self._records = []
        self.path = None

    def _attach(self, mapped, reader, bint swap, list names, offsets, uint64_t file_size, path):
        """Install the file: ``mapped`` (a buffer of the whole file) or ``reader``."""
        cdef Py_ssize_t i
        if mapped is not None:
            self._map = mapped
            self._mapped = True
        else:
            self._mapped = False
        self._read = reader
        self._swap = swap
        self._names = names
        self._offsets = offsets
        self._file_size = file_size
        self.path = path
        self._index = {}
        for i in range(len(names)):
            self._index[names[i]] = i  # a repeated name means its last record, as in kent
        self._records = [None] * len(names)
        self._closed = False

    def _detach(self):
        """Forget the file (the Python layer then closes the map and the file)."""
        self._closed = True
        self._map = None
        self._read = None

    @property
    def closed(self):
        return self._closed

    cdef inline Py_ssize_t _lookup(self, name) except -1:
        if self._closed:
            raise ClosedFileError("I/O operation on a closed .2bit file", path=self.path)
        idx = self._index.get(name)
        if idx is None:
            raise NotFoundError(f"sequence '{name}' is not in the file", path=self.path)
        return idx

    cdef bytes _read_at(self, uint64_t offset, Py_ssize_t size, str what):
        return self._read(offset, size, what)

    cdef uint32_t _u32(self, uint64_t offset, str what) except? 0xFFFFFFFF:
        cdef bytes b
        if offset + 4 > self._file_size:
            raise FormatError(
                f"{what} at offset {offset} runs past the end of the file ({self._file_size} bytes); "
                "the file is truncated or an offset is corrupt",
                path=self.path, offset=offset)
        if self._mapped:
            return _rd32(&self._map[offset], self._swap)
        b = self._read_at(offset, 4, what)
        return _rd32(<const uint8_t*>PyBytes_AS_STRING(b), self._swap)

    cdef _Record _record(self, Py_ssize_t idx):
        cdef _Record rec = self._records[idx]
        if rec is not None:
            return rec
        cdef uint64_t off = self._offsets[idx]
        cdef uint64_t pos, tables_end, need
        rec = _Record()
        rec.offset = off
        rec.size = self._u32(off, "sequence size")
        rec.n_count = self._u32(off + 4, "N block count")
        pos = off + 8
        if <uint64_t>rec.n_count * 8 + 4 > self._file_size - pos:
            raise FormatError(
                f"N block count {rec.n_count} of sequence '{self._names[idx]}' does not fit in the file",
                path=self.path, offset=off + 4)
        pos += 8 * <uint64_t>rec.n_count
        rec.mask_count = self._u32(pos, "mask block count")
        if <uint64_t>rec.mask_count * 8 + 4 > self._file_size - pos - 4:
            raise FormatError(
                f"mask block count {rec.mask_count} of sequence '{self._names[idx]}' does not fit in the file",
                path=self.path, offset=pos)
        tables_end = pos + 4 + 8 * <uint64_t>rec.mask_count
        rec.dna_offset = tables_end + 4  # skip the reserved word
        need = (<uint64_t>rec.size + 3) >> 2
        if rec.dna_offset > self._file_size or need > self._file_size - rec.dna_offset:
            raise FormatError(
                f"packed bases of sequence '{self._names[idx]}' ({rec.size} bases) run past the end "
                f"of the file ({self._file_size} bytes); the file is truncated",
                path=self.path, offset=rec.dna_offset)
        if self._mapped:
            rec.tables = None
            rec.n_off = <Py_ssize_t>(off + 8)
            rec.m_off = <Py_ssize_t>(pos + 4)
        else:
            rec.tables = self._read_at(off + 8, <Py_ssize_t>(tables_end - off - 8), "block tables")
            rec.n_off = 0
            rec.m_off = <Py_ssize_t>(pos + 4 - off - 8)
        rec.sampled = False  # sizes and block queries never need the samples
        self._records[idx] = rec
        return rec

    cdef bytes _sample(self, _Record rec, bint mask):
        """Every SAMPLE_STEP-th block start of a long table, in host order (None if short)."""
        cdef Py_ssize_t count = rec.mask_count if mask else rec.n_count
        cdef Py_ssize_t off = rec.m_off if mask else rec.n_off
        cdef Py_ssize_t k, m
        cdef const uint8_t* table
        cdef bytes tables
        cdef uint32_t* out
        if count < SAMPLE_MIN:
            return None
        m = (count - 1) // SAMPLE_STEP + 1
        result = PyBytes_FromStringAndSize(NULL, 4 * m)
        out = <uint32_t*>PyBytes_AS_STRING(result)
        if self._mapped:
            table = &self._map[0] + off
        else:
            tables = rec.tables
            table = <const uint8_t*>PyBytes_AS_STRING(tables) + off
        for k in range(m):
            out[k] = _rd32(table + 4 * k * SAMPLE_STEP, self._swap)
        return result

    def _record_of(self, name):
        """The record (sizes, counts, offsets) of sequence ``name``."""
        return self._record(self._lookup(name))

    def _sizes(self):
        """Sizes of all sequences, in file order (reads 4 bytes per sequence)."""
        cdef Py_ssize_t i
        if self._closed:
            raise ClosedFileError("I/O operation on a closed .2bit file", path=self.path)
        return [self._u32(self._offsets[i], "sequence size") for i in range(len(self._names))]

    def _block_table(self, name, bint mask):
        """(raw bytes of the starts+sizes table, count, swap) of N or mask blocks."""
        cdef _Record rec = self._record(self._lookup(name))
        cdef Py_ssize_t count = rec.mask_count if mask else rec.n_count
        cdef Py_ssize_t off = rec.m_off if mask else rec.n_off
        if self._mapped:
            raw = bytes(self._map[off:off + 8 * count])
        else:
            raw = rec.tables[off:off + 8 * count]
        return raw, count, self._swap

    def _block_count(self, name, bint mask):
        """Number of N (or mask) blocks of sequence ``name``."""
        cdef _Record rec = self._record(self._lookup(name))
        return rec.mask_count if mask else rec.n_count

    def _block_table_offset(self, name, bint mask):
        """File offset of the starts of the N (or mask) table of ``name``; the sizes follow."""
        cdef _Record rec = self._record(self._lookup(name))
        if mask:
            return rec.offset + 12 + 8 * <uint64_t>rec.n_count
        return rec.offset + 8

    cdef const uint8_t[::1] _tables_view(self, _Record rec):
        """The memory holding the block tables of ``rec`` (the map, or its own copy).

        The caller keeps the view while it reads: the map stays valid even if the file is
        closed meanwhile."""
        if self._mapped:
            if self._map is None:
                raise ClosedFileError("I/O operation on a closed .2bit file", path=self.path)
            return self._map
        return rec.tables

    def _blocks_bed(self, name, bint mask, bytes prefix not None, Py_ssize_t first, Py_ssize_t limit):
        """BED lines ``prefix + start \\t end \\n`` of blocks [first, first + limit), as bytes.

        A block that runs past the end of the sequence is a FormatError."""
        cdef _Record rec = self._record(self._lookup(name))
        cdef Py_ssize_t count = rec.mask_count if mask else rec.n_count
        cdef Py_ssize_t stop, written
        cdef Py_ssize_t bad = -1
        cdef Py_ssize_t plen = len(prefix)
        cdef const uint8_t[::1] owner
        cdef const uint8_t* table
        cdef const uint8_t* pre = <const uint8_t*>PyBytes_AS_STRING(prefix)
        cdef uint8_t* out
        if first < 0 or limit < 0:
            raise ValueError("negative block index or limit")
        if first > count:
            first = count
        stop = count if limit > count - first else first + limit
        if stop == first:
            return b""
        result = PyBytes_FromStringAndSize(NULL, (stop - first) * (plen + 22))
        out = <uint8_t*>PyBytes_AS_STRING(result)
        owner = self._tables_view(rec)
        table = &owner[0] + (rec.m_off if mask else rec.n_off)
        if stop - first >= 4096:
            with nogil:
                written = _format_bed(table, count, first, stop, self._swap, pre, plen, rec.size, out, &bad)
        else:
            written = _format_bed(table, count, first, stop, self._swap, pre, plen, rec.size, out, &bad)
        if bad >= 0:
            self._block_past_end(name, rec, mask, table, count, bad)
        return result[:written] if written != len(result) else result

    def _block_total(self, name, bint mask):
        """Bases covered by the N (or mask) blocks of ``name`` (the sum of their sizes)."""
        cdef _Record rec = self._record(self._lookup(name))
        cdef Py_ssize_t count = rec.mask_count if mask else rec.n_count
        cdef Py_ssize_t i
        cdef Py_ssize_t bad = -1
        cdef const uint8_t[::1] owner
        cdef const uint8_t* table
        cdef uint64_t total = 0
        cdef uint64_t s, e
        if count == 0:
            return 0
        owner = self._tables_view(rec)
        table = &owner[0] + (rec.m_off if mask else rec.n_off)
        with nogil:
            for i in range(count):
                s = _rd32(table + 4 * i, self._swap)
                e = s + _rd32(table + 4 * (count + i), self._swap)
                if e > rec.size:
                    bad = i
                    break
                total += e - s
        if bad >= 0:
            self._block_past_end(name, rec, mask, table, count, bad)
        return total

    cdef _block_past_end(self, name, _Record rec, bint mask, const uint8_t* table, Py_ssize_t count,
                         Py_ssize_t i):
        cdef uint64_t s = _rd32(table + 4 * i, self._swap)
        cdef uint64_t e = s + _rd32(table + 4 * (count + i), self._swap)
        raise FormatError(
            f"{'mask' if mask else 'N'} block {i} of sequence '{name}' ({s}-{e}) runs past the sequence "
            f"end ({rec.size})",
            path=self.path, offset=rec.offset)

    cdef object _decode(self, _Record rec, uint64_t start, uint64_t end, bint mask, bint codes,
                        uint8_t* dest):
        """Decode [start, end) of ``rec`` into ``dest`` (or a new str when dest is NULL)."""
        cdef Py_ssize_t n = <Py_ssize_t>(end - start)
        cdef uint64_t first_byte = rec.dna_offset + (start >> 2)
        cdef Py_ssize_t nbytes = <Py_ssize_t>(((end + 3) >> 2) - (start >> 2))
        cdef const uint8_t[::1] view
        cdef const uint8_t* data
        cdef const uint8_t* base
        cdef const uint8_t* ntab
        cdef const uint8_t* mtab
        cdef bytes chunk
        cdef bytes tables
        cdef object result = None
        cdef uint8_t* out
        cdef const uint32_t* nsample = NULL
        cdef const uint32_t* msample = NULL
        if dest == NULL:
            result = PyUnicode_New(n, 127)
            out = <uint8_t*>PyUnicode_1BYTE_DATA(result)
            if n >= HUGE_PAGE_HINT:
                tp_advise_huge(out, <size_t>n)
        else:
            out = dest
        if n == 0:
            return result
        if self._mapped:
            view = self._map  # holds the map for the whole decode, even if closed meanwhile
            if view is None:
                raise ClosedFileError("I/O operation on a closed .2bit file", path=self.path)
            base = &view[0]
            data = base + first_byte
            ntab = base + rec.n_off
            mtab = base + rec.m_off
        else:
            chunk = self._read_at(first_byte, nbytes, "sequence data")
            data = <const uint8_t*>PyBytes_AS_STRING(chunk)
            tables = rec.tables
            base = <const uint8_t*>PyBytes_AS_STRING(tables)
            ntab = base + rec.n_off
            mtab = base + rec.m_off
        if not rec.sampled:
            rec.n_sample = self._sample(rec, False)
            rec.m_sample = self._sample(rec, True)
            rec.sampled = True
        if rec.n_sample is not None:
            nsample = <const uint32_t*>PyBytes_AS_STRING(rec.n_sample)
        if rec.m_sample is not None:
            msample = <const uint32_t*>PyBytes_AS_STRING(rec.m_sample)
        if n >= NOGIL_BASES:
            with nogil:
                _decode2(data, start, n, out, ntab, rec.n_count, mtab, rec.mask_count,
                         self._swap, mask, codes, nsample, msample)
        else:
            _decode2(data, start, n, out, ntab, rec.n_count, mtab, rec.mask_count,
                     self._swap, mask, codes, nsample, msample)
        return result

    cdef inline _Record _checked(self, name, start, end, uint64_t* s, uint64_t* e):
        cdef _Record rec
        cdef Py_ssize_t idx = self._lookup(name)
        cdef int64_t a, b
        rec = <_Record>self._records[idx]
        if rec is None:
            rec = self._record(idx)
        if type(start) is not int:
            start = as_index(start, "start")
        if end is not None and type(end) is not int:
            end = as_index(end, "end")
        try:
            a = start
            b = rec.size if end is None else end
        except OverflowError:
            a, b = -1, 0  # far outside any sequence: reported below
        if a < 0 or b > rec.size or a > b:
            raise OutOfRangeError(
                f"{name}:{start}-{end if end is not None else rec.size} is outside the sequence "
                f"'{name}' (0-{rec.size})",
                path=self.path)
        s[0] = <uint64_t>a
        e[0] = <uint64_t>b
        return rec

    def fetch(self, name, start=0, end=None, bint mask=True):
        """Bases [start, end) of sequence ``name`` as a str.

        With ``mask`` (default) soft-masked bases are lower case, as twoBitToFa prints
        them; with ``mask=False`` everything is upper case.  0-based, half-open; ``end``
        None means the end of the sequence.
        """
        cdef uint64_t s, e
        cdef _Record rec = self._checked(name, start, end, &s, &e)
        return self._decode(rec, s, e, mask, False, NULL)

    def region(self, name, start=0, end=None):
        """(start, end) of a region as ints, checked like :meth:`fetch` checks it.

        ``end`` None means the sequence end.  Raises NotFoundError, OutOfRangeError or
        ArgumentError exactly as :meth:`fetch` would, without reading any bases.
        """
        cdef uint64_t s, e
        self._checked(name, start, end, &s, &e)
        return s, e

    def fetch_many(self, regions, bint mask=True):
        """Many regions at once: an iterable of (name, start, end) -> list of str."""
        cdef uint64_t s, e
        cdef _Record rec
        out = []
        for number, region in enumerate(regions, 1):
            name, start, end = region_triple(region, number)
            rec = self._checked(name, start, end, &s, &e)
            out.append(self._decode(rec, s, e, mask, False, NULL))
        return out

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def _fill_codes(self, regions, uint8_t[:, ::1] out):
        """Decode each region into a row of ``out`` as A=0 C=1 G=2 T=3 N=4 codes.

        Rows are pre-filled by the caller (padding); a region longer than a row, or more
        regions than rows, is a UsageError.
        """
        cdef uint64_t s, e
        cdef _Record rec
        cdef Py_ssize_t row = 0
        cdef Py_ssize_t width = out.shape[1]
        for region in regions:
            name, start, end = region_triple(region, row + 1)
            if row >= out.shape[0]:
                raise UsageError(f"more regions than the {out.shape[0]} rows of the array")
            rec = self._checked(name, start, end, &s, &e)
            if <Py_ssize_t>(e - s) > width:
                raise UsageError(f"region {name}:{s}-{e} is longer than the row length {width}")
            if e > s:
                self._decode(rec, s, e, False, True, &out[row, 0])
            row += 1
        return row


# ---------------------------------------------------------------------------------------
# .nib: 4 bits per base
# ---------------------------------------------------------------------------------------

cdef uint8_t NIB_UPPER[16]
cdef uint8_t NIB_MIXED[16]


cdef void _init_nib():
    cdef int v
    cdef const char* letters = b"TCAGN"
    for v in range(16):
        NIB_UPPER[v] = 0
        NIB_MIXED[v] = 0
    for v in range(5):
        NIB_UPPER[v] = letters[v]
        NIB_UPPER[v | 8] = letters[v]
        NIB_MIXED[v] = letters[v]
        NIB_MIXED[v | 8] = letters[v] | 0x20


_init_nib()


@cython.boundscheck(False)
@cython.wraparound(False)
def unpack_nib(const uint8_t[::1] data, Py_ssize_t start, Py_ssize_t n, bint mask):
    """Bases [start, start+n) of nibble data ``data`` (``start`` counts from data[0]).

    Returns (text bytes, index of the first invalid nibble or -1).  Masked nibbles come
    back lower case when ``mask``; otherwise everything is upper case.
    """
    if start < 0 or n < 0:
        raise ValueError("negative start or count")
    if ((start + n + 1) >> 1) > data.shape[0]:
        raise ValueError(f"nib data too short: {data.shape[0]} bytes, need {(start + n + 1) >> 1}")
    out = PyBytes_FromStringAndSize(NULL, n)
    cdef uint8_t* p = <uint8_t*>PyBytes_AS_STRING(out)
    cdef const uint8_t* table = NIB_UPPER
    if mask:
        table = NIB_MIXED
    cdef Py_ssize_t i
    cdef Py_ssize_t bad = -1
    cdef uint64_t pos
    cdef uint8_t v
    with nogil:
        for i in range(n):
            pos = <uint64_t>(start + i)
            v = data[pos >> 1]
            v = (v >> 4) if (pos & 1) == 0 else (v & 15)
            p[i] = table[v]
            if p[i] == 0 and bad < 0:
                bad = i
    return out, bad


cdef class NibPacker:
    """Streaming .nib packer: bytes -> nibbles through a 256-entry table.

    ``table`` gives each byte its nibble (0-4, plus 8 when masked) or 255 to skip it.
    """
    cdef uint8_t table[256]
    cdef GrowBuf nibbles  # written by position (``n`` counts bases; its size is unused)
    cdef uint64_t n
    cdef uint8_t half

    def __cinit__(self, const uint8_t[::1] table):
        if table.shape[0] != 256:
            raise ValueError(f"packing table must have 256 entries, not {table.shape[0]}")
        memcpy(self.table, &table[0], 256)
        growbuf_init(&self.nibbles)
        self.n = 0
        self.half = 0

    def __dealloc__(self):
        growbuf_free(&self.nibbles)

    @property
    def size(self):
        return self.n

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def feed(self, const uint8_t[::1] text not None):
        cdef Py_ssize_t length = text.shape[0]
        cdef Py_ssize_t need = <Py_ssize_t>((self.n + 1) >> 1) + ((length + 1) >> 1) + 1
        if length == 0:
            return
        if growbuf_reserve_total(&self.nibbles, need):
            raise MemoryError()
        if length >= NOGIL_BASES:
            with nogil:
                self._feed(&text[0], length)
        else:
            self._feed(&text[0], length)
        if self.n > MAX_BASES:
            raise OverflowError("sequence longer than 4,294,967,295 bases, the .nib limit")

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef void _feed(self, const uint8_t* text, Py_ssize_t length) noexcept nogil:
        cdef Py_ssize_t i
        cdef uint8_t v
        for i in range(length):
            v = self.table[text[i]]
            if v == 255:
                continue
            if self.n & 1:
                self.nibbles.data[self.n >> 1] = self.half | v
            else:
                self.half = <uint8_t>(v << 4)
            self.n += 1

    def packed(self):
        """The packed nibbles so far (a copy; the last odd base sits in a high nibble)."""
        cdef Py_ssize_t full = <Py_ssize_t>(self.n >> 1)
        out = PyBytes_FromStringAndSize(<char*>self.nibbles.data, full) if full else b""
        if self.n & 1:
            out += bytes([self.half])
        return out


# ---------------------------------------------------------------------------------------
# FASTA text
# ---------------------------------------------------------------------------------------

@cython.boundscheck(False)
@cython.wraparound(False)
def count_newlines(const uint8_t[::1] text not None):
    """Number of b'\\n' bytes in ``text``."""
    cdef Py_ssize_t i
    cdef Py_ssize_t n = text.shape[0]
    cdef uint64_t count = 0
    if n >= NOGIL_BASES:
        with nogil:
            count = _count_byte(&text[0], n, 10)
    elif n:
        count = _count_byte(&text[0], n, 10)
    return count


cdef uint64_t _count_byte(const uint8_t* p, Py_ssize_t n, uint8_t byte) noexcept nogil:
    cdef Py_ssize_t i
    cdef uint64_t count = 0
    for i in range(n):
        count += (p[i] == byte)
    return count


@cython.boundscheck(False)
@cython.wraparound(False)
def keep_bytes(const uint8_t[::1] text not None, const uint8_t[::1] keep not None):
    """The bytes of ``text`` whose entry in the 256-byte table ``keep`` is non-zero."""
    if keep.shape[0] != 256:
        raise ValueError("keep table must have 256 entries")
    cdef Py_ssize_t n = text.shape[0]
    cdef Py_ssize_t i
    cdef Py_ssize_t k = 0
    out = PyBytes_FromStringAndSize(NULL, n)
    cdef uint8_t* p = <uint8_t*>PyBytes_AS_STRING(out)
    with nogil:
        for i in range(n):
            p[k] = text[i]
            k += keep[text[i]] != 0
    return out[:k] if k != n else out


def wrap_lines(seq, Py_ssize_t width):
    """``seq`` with a newline after every ``width`` bytes and at the end (kent's faWriteNext).

    ``seq`` is a bytes-like object or an ASCII str (read in place, without encoding it
    first).  Empty input gives empty output.
    """
    cdef const uint8_t[::1] view
    cdef const uint8_t* src
    cdef Py_ssize_t n
    if width <= 0:
        raise ValueError("line width must be positive")
    if isinstance(seq, str):
        if not (<str>seq).isascii():
            raise ValueError("sequence text must be ASCII")
        n = len(<str>seq)
        src = <const uint8_t*>PyUnicode_1BYTE_DATA(seq)
    else:
        view = seq
        n = view.shape[0]
        src = &view[0] if n else NULL
    if n == 0:
        return b""
    cdef Py_ssize_t lines = (n + width - 1) // width
    out = PyBytes_FromStringAndSize(NULL, n + lines)
    cdef uint8_t* p = <uint8_t*>PyBytes_AS_STRING(out)
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t take
    with nogil:
        if n + lines >= HUGE_PAGE_HINT:
            tp_advise_huge(p, <size_t>(n + lines))
        while i < n:
            take = width if n - i > width else n - i
            memcpy(p, src + i, take)
            p += take
            p[0] = 10
            p += 1
            i += take
    return out
