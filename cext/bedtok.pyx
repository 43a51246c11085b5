# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""BED tokenizer for the bigBed writer: split, validate, pack records, sweep coverage.

One :class:`BedScanner` walks BED text line by line (GIL released) and, per line:

- skips blank lines and ``#`` comments, refuses track/browser lines and NUL bytes;
- splits on tabs (``tab``) or runs of white space and checks the column count;
- checks every column as kent's bedToBigBed does (see trackpack/bed.py for the rules);
- appends the bigBed record (chromId, start, end as u32 in the file's byte order, the
  other columns tab-joined, NUL) to the current data block;
- sweeps per-base coverage depth, emitting (chromId, start, end, depth) segments between
  consecutive item boundaries (kent's range-tree segmentation) and (chromId, p, p, 0)
  markers for zero-length items, for the zoom levels built later;
- collects extra-index keys.

It stops and returns to Python when a block is full (``S_BLOCK``), a new chromosome starts
(``S_NEW_CHROM``: Python looks its size up), a line is invalid (``S_ERROR`` with a code
described in words by trackpack.bed.describe_error), or the buffer has no complete line
left (``S_NEED_MORE``).  Error codes are shared with trackpack/bed.py.
"""
from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc, strtod
from libc.string cimport memchr, memcmp, memcpy

from growbuf cimport (
    GrowBuf, growbuf_add, growbuf_add_byte, growbuf_add_int, growbuf_free, growbuf_init, growbuf_reserve,
)

# statuses of scan()
cdef enum:
    S_NEED_MORE = 0
    S_BLOCK = 1
    S_NEW_CHROM = 2
    S_ERROR = 3
    S_NOMEM = 4
# results of one line
cdef enum:
    L_DONE = 10
    L_SKIP = 11

cdef enum:
    MAXF = 512
    MAX_INDEX = 16

# error codes (trackpack/bed.py)
cdef enum:
    E_FIELD_COUNT = 1
    E_NUMBER = 2
    E_START_AFTER_END = 3
    E_END_BEYOND_CHROM = 4
    E_NOT_SORTED = 5
    E_NAME_LONG = 6
    E_SCORE_RANGE = 7
    E_STRAND = 8
    E_THICK_ORDER = 9
    E_THICK_START_RANGE = 10
    E_THICK_END_RANGE = 11
    E_RGB = 12
    E_BLOCK_COUNT = 13
    E_LIST_COUNT = 14
    E_FIRST_BLOCK = 15
    E_BLOCK_ABSOLUTE = 16
    E_BLOCK_PAST_END = 17
    E_BLOCK_OVERLAP = 18
    E_LAST_BLOCK = 19
    E_EXP_COUNT = 20
    E_STRING_LONG = 21
    E_FLOAT = 22
    E_LIST_SIZE = 23
    E_TRACK_LINE = 24
    E_NUL = 25
    E_LINE_LONG = 26
    E_NUMBER_IN_LIST = 27

#: the error codes by name, for the test that keeps trackpack/bed.py's copy in step
ERROR_CODES = {
    "E_FIELD_COUNT": E_FIELD_COUNT, "E_NUMBER": E_NUMBER, "E_START_AFTER_END": E_START_AFTER_END,
    "E_END_BEYOND_CHROM": E_END_BEYOND_CHROM, "E_NOT_SORTED": E_NOT_SORTED, "E_NAME_LONG": E_NAME_LONG,
    "E_SCORE_RANGE": E_SCORE_RANGE, "E_STRAND": E_STRAND, "E_THICK_ORDER": E_THICK_ORDER,
    "E_THICK_START_RANGE": E_THICK_START_RANGE, "E_THICK_END_RANGE": E_THICK_END_RANGE, "E_RGB": E_RGB,
    "E_BLOCK_COUNT": E_BLOCK_COUNT, "E_LIST_COUNT": E_LIST_COUNT, "E_FIRST_BLOCK": E_FIRST_BLOCK,
    "E_BLOCK_ABSOLUTE": E_BLOCK_ABSOLUTE, "E_BLOCK_PAST_END": E_BLOCK_PAST_END, "E_BLOCK_OVERLAP": E_BLOCK_OVERLAP,
    "E_LAST_BLOCK": E_LAST_BLOCK, "E_EXP_COUNT": E_EXP_COUNT, "E_STRING_LONG": E_STRING_LONG, "E_FLOAT": E_FLOAT,
    "E_LIST_SIZE": E_LIST_SIZE, "E_TRACK_LINE": E_TRACK_LINE, "E_NUL": E_NUL, "E_LINE_LONG": E_LINE_LONG,
    "E_NUMBER_IN_LIST": E_NUMBER_IN_LIST,
}

# column kinds (trackpack/bed.py)
cdef enum:
    KIND_NONE = 0
    KIND_INT = 1
    KIND_FLOAT = 2
    KIND_STRING = 3
    KIND_INT_LIST = 4

# number parse results (kent's lineFileCheckAllIntsNoAbort, restated)
cdef enum:
    P_OK = 0
    P_TRAILING = 1
    P_OVERFLOW = 2
    P_MINUS = 3
    P_NEGATIVE = 4
    P_EMPTY = 5


# a u32 field of a bigBed record in the file's byte order (only this kernel needs it)
cdef inline int buf_u32(GrowBuf* b, uint32_t v, bint big) noexcept nogil:
    if growbuf_reserve(b, 4):
        return -1
    cdef uint8_t* d = b.data + b.size
    if big:
        d[0] = (v >> 24) & 0xFF
        d[1] = (v >> 16) & 0xFF
        d[2] = (v >> 8) & 0xFF
        d[3] = v & 0xFF
    else:
        d[0] = v & 0xFF
        d[1] = (v >> 8) & 0xFF
        d[2] = (v >> 16) & 0xFF
        d[3] = (v >> 24) & 0xFF
    b.size += 4
    return 0


cdef inline bint is_space(uint8_t c) noexcept nogil:
    return c == 32 or (9 <= c <= 13)


cdef enum:
    LINE_DATA = 0
    LINE_SKIP = -1


cdef inline bint find_line(const uint8_t* p, Py_ssize_t pos, Py_ssize_t n, bint at_eof,
                           Py_ssize_t* le, Py_ssize_t* nxt) noexcept nogil:
    """The line at ``pos``: its end (at the newline) and where the next one starts.

    False when the buffer holds no complete line and more input is to come.
    """
    cdef const uint8_t* nl = <const uint8_t*>memchr(p + pos, 10, n - pos)
    if nl == NULL:
        if not at_eof:
            return False
        le[0] = n
        nxt[0] = n
    else:
        le[0] = nl - p
        nxt[0] = le[0] + 1
    return True


cdef inline bint starts_with_word(const uint8_t* p, Py_ssize_t ls, Py_ssize_t le, const char* word,
                                  Py_ssize_t n) noexcept nogil:
    return le - ls >= n and memcmp(p + ls, word, n) == 0 and (le - ls == n or is_space(p[ls + n]))


cdef inline int classify_line(const uint8_t* p, Py_ssize_t ls, Py_ssize_t* le) noexcept nogil:
    """What line ``p[ls:le]`` is, after dropping a final CR from ``le``.

    LINE_SKIP for blank lines and comments (first non-blank character '#', as kent's
    lineFileNextReal skips them), E_NUL or E_TRACK_LINE for lines refused whole, else
    LINE_DATA.
    """
    cdef Py_ssize_t e = le[0]
    cdef Py_ssize_t i = ls
    if e > ls and p[e - 1] == 13:
        e -= 1
        le[0] = e
    while i < e and is_space(p[i]):
        i += 1
    if i == e or p[i] == 35:
        return LINE_SKIP
    if memchr(p + ls, 0, e - ls) != NULL:
        return E_NUL
    if starts_with_word(p, ls, e, b"track", 5) or starts_with_word(p, ls, e, b"browser", 7):
        return E_TRACK_LINE
    return LINE_DATA


cdef inline int parse_int(const uint8_t* p, Py_ssize_t n, bint is_signed, int nbytes, bint no_neg,
                          int64_t* out) noexcept nogil:
    """kent's strict integer rules: optional '-', digits only, range of the width."""
    cdef uint64_t limit = 0xFFFFFFFFFFFFFFFFULL >> (8 * (8 - nbytes))
    cdef uint64_t res = 0
    cdef bint minus = False
    cdef Py_ssize_t i = 0
    cdef uint8_t c
    if is_signed:
        limit >>= 1
    if n > 0 and p[0] == 45:  # '-'
        if not is_signed:
            return P_MINUS
        if no_neg:
            return P_NEGATIVE
        minus = True
        limit += 1
        i = 1
    cdef Py_ssize_t first = i
    while i < n:
        c = p[i]
        if c < 48 or c > 57:
            break
        if res > (limit - (c - 48)) // 10:
            return P_OVERFLOW
        res = res * 10 + (c - 48)
        i += 1
    if i < n:
        return P_TRAILING
    if i == first:
        return P_EMPTY
    if minus:
        out[0] = -<int64_t>(res - 1) - 1 if res else 0
    else:
        out[0] = <int64_t>res
    return P_OK


cdef inline bint parse_double_ok(const uint8_t* p, Py_ssize_t n) noexcept nogil:
    """True when the whole field is one number for C's strtod (as kent checks floats)."""
    cdef char small[64]
    cdef char* s
    cdef char* end
    cdef bint ok
    if n == 0:
        return False
    if n < 64:
        s = small
    else:
        s = <char*>malloc(n + 1)
        if s == NULL:
            return False
    memcpy(s, p, n)
    s[n] = 0
    strtod(s, &end)
    ok = end == s + n
    if s != small:
        free(s)
    return ok


cdef class BedScanner:
    """Streaming tokenizer/validator/packer for one bigBed's BED input (see module doc)."""

    # configuration
    cdef int field_count, bed_n, items_per_slot
    cdef bint tab, big, fix_scores, allow_overlap
    cdef int kinds[MAXF]
    cdef int int_signed[MAXF]
    cdef int int_bytes[MAXF]
    cdef int list_fixed[MAXF]
    cdef int list_link[MAXF]
    cdef int size_link[MAXF]
    cdef int n_index
    cdef int index_cols[MAX_INDEX]
    # fields of the current line
    cdef Py_ssize_t fs[MAXF + 1]
    cdef Py_ssize_t fe[MAXF + 1]
    cdef int64_t link_val[MAXF]
    cdef bint link_ok[MAXF]
    # list scratch (blockSizes, chromStarts)
    cdef int64_t* sizes
    cdef int64_t* starts
    cdef Py_ssize_t list_cap
    # chromosome
    cdef uint8_t* chrom
    cdef Py_ssize_t chrom_len
    cdef bint has_chrom
    cdef uint32_t chrom_id, chrom_size
    cdef int64_t last_start
    # blocks
    cdef GrowBuf block
    cdef GrowBuf done
    cdef GrowBuf keys[MAX_INDEX]
    cdef GrowBuf keylens[MAX_INDEX]
    cdef GrowBuf segs
    cdef uint32_t cur_start, cur_end
    # coverage sweep: min-heap of ends of active items
    cdef uint32_t* heap
    cdef Py_ssize_t heap_n, heap_cap
    cdef uint32_t cov_pos
    # readable from Python
    cdef public Py_ssize_t pos, line_no
    cdef public int err_code, err_col
    cdef public int64_t err_a, err_b, err_c
    cdef public Py_ssize_t err_start, err_end, pending_start, pending_end
    cdef public uint32_t done_chrom, done_start, done_end
    cdef public Py_ssize_t done_items, block_items, max_block, blocks
    cdef public uint64_t item_count, total_bases
    cdef uint64_t max_index_key[MAX_INDEX]

    def __cinit__(self):
        self.sizes = NULL
        self.starts = NULL
        self.chrom = NULL
        self.heap = NULL

    def __init__(self, int field_count, int bed_n, *, bint tab, int items_per_slot, bint big_endian,
                 kinds, int_signed, int_bytes, list_fixed, list_link, size_link,
                 index_cols=(), bint fix_scores=False, bint allow_overlap=False):
        cdef int i
        if not 3 <= bed_n <= 15 or not bed_n <= field_count <= MAXF:
            raise ValueError(f"bad field counts {bed_n}/{field_count}")
        if items_per_slot < 1:
            raise ValueError("items_per_slot must be at least 1")
        if len(index_cols) > MAX_INDEX:
            raise ValueError(f"at most {MAX_INDEX} extra indexes")
        for seq in (kinds, int_signed, int_bytes, list_fixed, list_link, size_link):
            if len(seq) != field_count:
                raise ValueError("column rules must have one entry per column")
        self.field_count = field_count
        self.bed_n = bed_n
        self.tab = tab
        self.items_per_slot = items_per_slot
        self.big = big_endian
        self.fix_scores = fix_scores
        self.allow_overlap = allow_overlap
        for i in range(field_count):
            self.kinds[i] = kinds[i]
            self.int_signed[i] = int_signed[i]
            self.int_bytes[i] = int_bytes[i] if int_bytes[i] in (1, 2, 4, 8) else 4
            self.list_fixed[i] = list_fixed[i]
            self.list_link[i] = list_link[i] if -1 <= list_link[i] < field_count else -1
            self.size_link[i] = size_link[i]
        self.n_index = len(index_cols)
        for i in range(self.n_index):
            if not 0 <= index_cols[i] < field_count:
                raise ValueError("extra index column out of range")
            self.index_cols[i] = index_cols[i]
            self.max_index_key[i] = 0
        self.has_chrom = False
        self.last_start = -1
        self.line_no = 1
        self.err_code = 0

    def __dealloc__(self):
        cdef int i
        free(self.sizes)
        free(self.starts)
        free(self.chrom)
        free(self.heap)
        growbuf_free(&self.block)
        growbuf_free(&self.done)
        growbuf_free(&self.segs)
        for i in range(MAX_INDEX):
            growbuf_free(&self.keys[i])
            growbuf_free(&self.keylens[i])

    # --- Python-facing ---------------------------------------------------------------------

    def scan(self, const uint8_t[::1] buf, bint at_eof):
        """Process lines of ``buf`` from ``self.pos``; return a status (module doc)."""
        cdef Py_ssize_t n = buf.shape[0]
        cdef const uint8_t* p = &buf[0] if n > 0 else NULL
        cdef Py_ssize_t pos = self.pos
        cdef Py_ssize_t le, nxt
        cdef int st = S_NEED_MORE
        if not 0 <= pos <= n:
            raise ValueError(f"scan position {pos} is outside the buffer of {n} bytes")
        with nogil:
            while True:
                if pos >= n or not find_line(p, pos, n, at_eof, &le, &nxt):
                    st = S_NEED_MORE
                    break
                st = self._line(p, pos, le)
                if st == L_DONE or st == L_SKIP:
                    pos = nxt
                    self.line_no += 1
                    continue
                break
        self.pos = pos
        if st == S_NOMEM:
            raise MemoryError()
        return st

    def set_chrom(self, bytes name, uint32_t chrom_id, uint32_t size):
        """Start chromosome ``name`` (after S_NEW_CHROM): finishes the previous one's sweep."""
        cdef Py_ssize_t n = len(name)
        cdef uint8_t* p
        if self.block.size:
            raise RuntimeError("set_chrom with a block pending")
        if self._drain():
            raise MemoryError()
        p = <uint8_t*>realloc(self.chrom, n + 1)
        if p == NULL:
            raise MemoryError()
        self.chrom = p
        if n:
            memcpy(self.chrom, <const char*>name, n)
        self.chrom_len = n
        self.has_chrom = True
        self.chrom_id = chrom_id
        self.chrom_size = size
        self.last_start = -1
        self.cov_pos = 0
        self.heap_n = 0

    def finish(self):
        """At the end of input: end the coverage sweep; close a partly filled block.

        Returns True when a last block is ready for :meth:`take_block`.
        """
        if self._drain():
            raise MemoryError()
        if self.block_items:
            self._finish_block()
            return True
        return False

    def take_block(self):
        """The finished block's bytes (its bounds are in done_chrom/done_start/done_end)."""
        out = PyBytes_FromStringAndSize(<char*>self.done.data, self.done.size)
        self.done.size = 0
        return out

    def take_keys(self, int index):
        """Keys of the finished block for extra index ``index``.

        Returns (the keys' bytes back to back, their lengths as native u32 bytes).
        """
        if not 0 <= index < self.n_index:
            raise IndexError(index)
        out = (PyBytes_FromStringAndSize(<char*>self.keys[index].data, self.keys[index].size),
               PyBytes_FromStringAndSize(<char*>self.keylens[index].data, self.keylens[index].size))
        self.keys[index].size = 0
        self.keylens[index].size = 0
        return out

    def take_segments(self):
        """Coverage segments so far as bytes of native u32 (chromId, start, end, depth) rows."""
        out = PyBytes_FromStringAndSize(<char*>self.segs.data, self.segs.size)
        self.segs.size = 0
        return out

    @property
    def segment_bytes(self):
        return self.segs.size

    def max_key_length(self, int index):
        """Longest key seen so far for extra index ``index``."""
        if not 0 <= index < self.n_index:
            raise IndexError(index)
        return self.max_index_key[index]

    # --- per line ------------------------------------------------------------------------------

    cdef int _error(self, int code, int col, int64_t a, int64_t b, int64_t c) noexcept nogil:
        self.err_code = code
        self.err_col = col
        self.err_a = a
        self.err_b = b
        self.err_c = c
        if 0 <= col < MAXF:
            self.err_start = self.fs[col]
            self.err_end = self.fe[col]
        return S_ERROR

    cdef int _line(self, const uint8_t* p, Py_ssize_t ls, Py_ssize_t le) noexcept nogil:
        cdef Py_ssize_t i, nf, flen
        cdef int k, st, col, bad
        cdef int64_t v, start, end, thick_start, thick_end, count, bc, n_rgb
        cdef uint8_t c
        cdef const uint8_t* nl
        cdef const uint8_t* score_text = NULL
        cdef Py_ssize_t score_len = 0
        k = classify_line(p, ls, &le)
        self.err_start = ls
        self.err_end = le
        if k == LINE_SKIP:
            return L_SKIP
        if k != LINE_DATA:
            return self._error(k, -1, 0, 0, 0)
        # split into fields
        nf = 0
        if self.tab:
            i = ls
            self.fs[0] = ls
            while True:
                nl = <const uint8_t*>memchr(p + i, 9, le - i)
                if nl == NULL:
                    if nf < MAXF:
                        self.fe[nf] = le
                    nf += 1
                    break
                if nf < MAXF:
                    self.fe[nf] = nl - p
                nf += 1
                i = (nl - p) + 1
                if nf < MAXF:
                    self.fs[nf] = i
        else:
            i = ls
            while True:
                while i < le and is_space(p[i]):
                    i += 1
                if i >= le:
                    break
                if nf < MAXF:
                    self.fs[nf] = i
                while i < le and not is_space(p[i]):
                    i += 1
                if nf < MAXF:
                    self.fe[nf] = i
                nf += 1
        if nf != self.field_count:
            if nf > MAXF:
                return self._error(E_LINE_LONG, -1, nf, 0, 0)
            return self._error(E_FIELD_COUNT, -1, nf, 0, 0)
        # chromosome change and block boundaries come before anything else
        flen = self.fe[0] - self.fs[0]
        if not self.has_chrom or flen != self.chrom_len or memcmp(p + self.fs[0], self.chrom, flen) != 0:
            if self.block_items:
                self._finish_block()
                return S_BLOCK
            self.pending_start = self.fs[0]
            self.pending_end = self.fe[0]
            return S_NEW_CHROM
        if self.block_items >= self.items_per_slot:
            self._finish_block()
            return S_BLOCK
        # chromStart, chromEnd
        st = parse_int(p + self.fs[1], self.fe[1] - self.fs[1], False, 4, False, &start)
        if st:
            return self._error(E_NUMBER, 1, st, 0, 0)
        st = parse_int(p + self.fs[2], self.fe[2] - self.fs[2], False, 4, False, &end)
        if st:
            return self._error(E_NUMBER, 2, st, 0, 0)
        if start > end:
            return self._error(E_START_AFTER_END, -1, start, end, 0)
        if end > self.chrom_size:
            return self._error(E_END_BEYOND_CHROM, 2, end, self.chrom_size, 0)
        if start < self.last_start:
            return self._error(E_NOT_SORTED, 1, start, self.last_start, 0)
        # standard columns
        if self.bed_n > 3:
            flen = self.fe[3] - self.fs[3]
            if flen > 255:
                return self._error(E_NAME_LONG, 3, flen, 0, 0)
        if self.bed_n > 4:
            st = parse_int(p + self.fs[4], self.fe[4] - self.fs[4], True, 4, False, &v)
            if self.fix_scores:
                if st == P_OK:
                    if v < 0:
                        score_text = <const uint8_t*>b"0"
                    elif v > 1000:
                        score_text = <const uint8_t*>b"1000"
                elif st == P_OVERFLOW and p[self.fs[4]] != 45:
                    score_text = <const uint8_t*>b"1000"
                else:
                    score_text = <const uint8_t*>b"0"
                if score_text != NULL:
                    score_len = 4 if score_text[0] == 49 else 1
            else:
                if st:
                    return self._error(E_NUMBER, 4, st, 0, 0)
                if v < 0 or v > 1000:
                    return self._error(E_SCORE_RANGE, 4, v, 0, 0)
        if self.bed_n > 5:
            flen = self.fe[5] - self.fs[5]
            c = p[self.fs[5]] if flen else 0
            if flen != 1 or not (c == 43 or c == 45 or c == 46):
                return self._error(E_STRAND, 5, 0, 0, 0)
        thick_start = start
        if self.bed_n > 6:
            st = parse_int(p + self.fs[6], self.fe[6] - self.fs[6], False, 4, False, &thick_start)
            if st:
                return self._error(E_NUMBER, 6, st, 0, 0)
        if self.bed_n > 7:
            st = parse_int(p + self.fs[7], self.fe[7] - self.fs[7], False, 4, False, &thick_end)
            if st:
                return self._error(E_NUMBER, 7, st, 0, 0)
            if thick_end < thick_start:
                return self._error(E_THICK_ORDER, 6, thick_start, thick_end, 0)
            if thick_start != 0 and (thick_start < start or thick_start > end):
                return self._error(E_THICK_START_RANGE, 6, thick_start, start, end)
            if thick_end != 0 and (thick_end < start or thick_end > end):
                return self._error(E_THICK_END_RANGE, 7, thick_end, start, end)
        if self.bed_n > 8:
            if memchr(p + self.fs[8], 44, self.fe[8] - self.fs[8]) != NULL:
                st = self._int_list(p, 8, False, 1, False, 4, NULL, &n_rgb, &bad)
                if st or n_rgb != 3:
                    return self._error(E_RGB, 8, 0, 0, 0)
            else:
                st = parse_int(p + self.fs[8], self.fe[8] - self.fs[8], False, 4, False, &v)
                if st:
                    return self._error(E_RGB, 8, st, 0, 0)
        bc = 1
        if self.bed_n > 9:
            st = parse_int(p + self.fs[9], self.fe[9] - self.fs[9], True, 4, False, &bc)
            if st:
                return self._error(E_NUMBER, 9, st, 0, 0)
            if bc < 1:
                return self._error(E_BLOCK_COUNT, 9, bc, 0, 0)
        if self.bed_n > 10:
            st = self._block_list(p, 10, bc, False)
            if st:
                return st
        if self.bed_n > 11:
            st = self._block_list(p, 11, bc, True)
            if st:
                return st
            if self.starts[0] != 0:
                return self._error(E_FIRST_BLOCK, 11, self.starts[0], 0, 0)
            for i in range(1, bc):
                if self.starts[i] + start >= end:
                    if self.starts[i] >= start:
                        return self._error(E_BLOCK_ABSOLUTE, 11, self.starts[i], i, 0)
                    return self._error(E_BLOCK_PAST_END, 11, self.starts[i], i, 0)
                if self.starts[i] < self.starts[i - 1] + self.sizes[i - 1] - (1 if self.allow_overlap else 0):
                    return self._error(E_BLOCK_OVERLAP, 11, self.starts[i], i, 0)
            if start + self.starts[bc - 1] + self.sizes[bc - 1] != end:
                return self._error(E_LAST_BLOCK, 11, start + self.starts[bc - 1] + self.sizes[bc - 1], end, 0)
        if self.bed_n > 12:
            st = parse_int(p + self.fs[12], self.fe[12] - self.fs[12], True, 4, True, &v)
            if st:
                return self._error(E_NUMBER, 12, st, 0, 0)
            if v < 1:
                return self._error(E_EXP_COUNT, 12, v, 0, 0)
            st = self._int_list(p, 13, True, 4, True, v, NULL, &count, &bad)
            if st:
                return self._error(E_NUMBER_IN_LIST, 13, st, bad, 0)
            if count != v:
                return self._error(E_LIST_COUNT, 13, v, count, 0)
            if self.bed_n > 14:
                count = self._count_list(p, 14, v)
                if count != v:
                    return self._error(E_LIST_COUNT, 14, v, count, 0)
        # size columns of linked lists, then the extra (bed-plus) columns
        for col in range(self.field_count):
            self.link_ok[col] = False
            if self.size_link[col]:
                st = parse_int(p + self.fs[col], self.fe[col] - self.fs[col], True, 4, True, &v)
                if st:
                    return self._error(E_NUMBER, col, st, 0, 0)
                self.link_val[col] = v
                self.link_ok[col] = True
        for col in range(self.bed_n, self.field_count):
            k = self.kinds[col]
            flen = self.fe[col] - self.fs[col]
            if k == KIND_INT:
                st = parse_int(p + self.fs[col], flen, self.int_signed[col], self.int_bytes[col], False, &v)
                if st:
                    return self._error(E_NUMBER, col, st, 0, 0)
            elif k == KIND_FLOAT:
                if not parse_double_ok(p + self.fs[col], flen):
                    return self._error(E_FLOAT, col, 0, 0, 0)
            elif k == KIND_STRING:
                if flen > 255:
                    return self._error(E_STRING_LONG, col, flen, 0, 0)
            elif k == KIND_INT_LIST:
                st = self._int_list(p, col, self.int_signed[col], self.int_bytes[col], False, 10240, NULL,
                                    &count, &bad)
                if st:
                    return self._error(E_NUMBER_IN_LIST, col, st, bad, 0)
                if self.list_fixed[col] > 0:
                    if count != self.list_fixed[col]:
                        return self._error(E_LIST_COUNT, col, self.list_fixed[col], count, 0)
                else:
                    i = self.list_link[col]
                    if i < 0 or not self.link_ok[i]:
                        return self._error(E_LIST_SIZE, col, -1, 0, 0)
                    if self.link_val[i] < 1:
                        return self._error(E_LIST_SIZE, col, self.link_val[i], 0, 0)
                    if self.link_val[i] != count:
                        return self._error(E_LIST_COUNT, col, self.link_val[i], count, 0)
        # the record
        if self._emit(p, <uint32_t>start, <uint32_t>end, score_text, score_len):
            return S_NOMEM
        if self._cover(<uint32_t>start, <uint32_t>end):
            return S_NOMEM
        self.last_start = start
        self.item_count += 1
        self.total_bases += <uint64_t>(end - start)
        return L_DONE

    cdef int _list_room(self, Py_ssize_t flen, int64_t cap) noexcept nogil:
        """Make the list scratch arrays hold the values a field of ``flen`` bytes can list."""
        cdef Py_ssize_t need = flen // 2 + 2
        cdef int64_t* a
        if cap < need:
            need = cap + 1
        if need <= self.list_cap:
            return 0
        a = <int64_t*>realloc(self.sizes, need * sizeof(int64_t))
        if a == NULL:
            return S_NOMEM
        self.sizes = a
        a = <int64_t*>realloc(self.starts, need * sizeof(int64_t))
        if a == NULL:
            return S_NOMEM
        self.starts = a
        self.list_cap = need
        return 0

    cdef int _block_list(self, const uint8_t* p, int col, int64_t bc, bint starts) noexcept nogil:
        """blockSizes (into ``sizes``) or chromStarts (into ``starts``): ``bc`` integers >= 0.

        Returns 0, or the status to return from the line (error or out of memory).
        """
        cdef int64_t count
        cdef int bad, st
        st = self._list_room(self.fe[col] - self.fs[col], bc)
        if st:
            return st
        st = self._int_list(p, col, True, 4, True, bc, self.starts if starts else self.sizes, &count, &bad)
        if st:
            return self._error(E_NUMBER_IN_LIST, col, st, bad, 0)
        if count != bc:
            return self._error(E_LIST_COUNT, col, bc, count, 0)
        return 0

    cdef int _int_list(self, const uint8_t* p, int col, bint is_signed, int nbytes, bint no_neg, int64_t cap,
                       int64_t* out, int64_t* count, int* bad) noexcept nogil:
        """Comma-separated integers (trailing comma allowed), at most ``cap`` of them."""
        cdef Py_ssize_t s = self.fs[col]
        cdef Py_ssize_t e = self.fe[col]
        cdef Py_ssize_t x
        cdef const uint8_t* comma
        cdef int64_t n = 0, v
        cdef int st
        while s < e and n < cap:
            comma = <const uint8_t*>memchr(p + s, 44, e - s)
            x = (comma - p) if comma != NULL else e
            st = parse_int(p + s, x - s, is_signed, nbytes, no_neg, &v)
            if st:
                count[0] = n
                bad[0] = <int>n
                return st
            if out != NULL:
                out[n] = v
            n += 1
            s = x + 1 if comma != NULL else e
        count[0] = n
        bad[0] = 0
        return 0

    cdef int64_t _count_list(self, const uint8_t* p, int col, int64_t cap) noexcept nogil:
        cdef Py_ssize_t s = self.fs[col]
        cdef Py_ssize_t e = self.fe[col]
        cdef const uint8_t* comma
        cdef int64_t n = 0
        while s < e and n < cap:
            comma = <const uint8_t*>memchr(p + s, 44, e - s)
            n += 1
            s = (comma - p) + 1 if comma != NULL else e
        return n

    cdef int _emit(self, const uint8_t* p, uint32_t start, uint32_t end,
                   const uint8_t* score_text, Py_ssize_t score_len) noexcept nogil:
        cdef GrowBuf* b = &self.block
        cdef int col, j
        cdef Py_ssize_t flen
        cdef uint32_t rec_len
        if buf_u32(b, self.chrom_id, self.big) or buf_u32(b, start, self.big) or buf_u32(b, end, self.big):
            return -1
        for col in range(3, self.field_count):
            if col > 3:
                if growbuf_add_byte(b, 9):
                    return -1
            if col == 4 and score_text != NULL:
                if growbuf_add(b, score_text, score_len):
                    return -1
            elif growbuf_add(b, p + self.fs[col], self.fe[col] - self.fs[col]):
                return -1
        if growbuf_add_byte(b, 0):
            return -1
        if self.block_items == 0:
            self.cur_start = start
            self.cur_end = end
        elif end > self.cur_end:
            self.cur_end = end
        self.block_items += 1
        for j in range(self.n_index):
            col = self.index_cols[j]
            flen = self.fe[col] - self.fs[col]
            if <uint64_t>flen > self.max_index_key[j]:
                self.max_index_key[j] = flen
            rec_len = <uint32_t>flen
            if growbuf_add(&self.keys[j], p + self.fs[col], flen) or \
               growbuf_add(&self.keylens[j], &rec_len, 4):
                return -1
        return 0

    cdef void _finish_block(self) noexcept nogil:
        cdef GrowBuf t
        t = self.done
        self.done = self.block
        self.block = t
        self.block.size = 0
        if self.done.size > self.max_block:
            self.max_block = self.done.size
        self.done_chrom = self.chrom_id
        self.done_start = self.cur_start
        self.done_end = self.cur_end
        self.done_items = self.block_items
        self.block_items = 0
        self.blocks += 1

    # --- coverage sweep -------------------------------------------------------------------------

    cdef inline int _seg(self, uint32_t s, uint32_t e, uint32_t depth) noexcept nogil:
        cdef uint32_t row[4]
        row[0] = self.chrom_id
        row[1] = s
        row[2] = e
        row[3] = depth
        return growbuf_add(&self.segs, row, 16)

    cdef int _push(self, uint32_t v) noexcept nogil:
        cdef Py_ssize_t i, parent
        cdef uint32_t* h
        if self.heap_n == self.heap_cap:
            h = <uint32_t*>realloc(self.heap, (self.heap_cap * 2 + 64) * sizeof(uint32_t))
            if h == NULL:
                return -1
            self.heap = h
            self.heap_cap = self.heap_cap * 2 + 64
        h = self.heap
        i = self.heap_n
        self.heap_n += 1
        while i > 0:
            parent = (i - 1) >> 1
            if h[parent] <= v:
                break
            h[i] = h[parent]
            i = parent
        h[i] = v
        return 0

    cdef uint32_t _pop(self) noexcept nogil:
        cdef uint32_t* h = self.heap
        cdef uint32_t top = h[0]
        cdef uint32_t last
        cdef Py_ssize_t i = 0, child, n
        self.heap_n -= 1
        n = self.heap_n
        if n == 0:
            return top
        last = h[n]
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and h[child + 1] < h[child]:
                child += 1
            if h[child] >= last:
                break
            h[i] = h[child]
            i = child
        h[i] = last
        return top

    cdef int _advance(self, uint32_t to) noexcept nogil:
        """Emit the segments that end at or before ``to``."""
        cdef uint32_t x
        cdef Py_ssize_t depth
        while self.heap_n > 0 and self.heap[0] <= to:
            depth = self.heap_n
            x = self._pop()
            if x > self.cov_pos:
                if self._seg(self.cov_pos, x, <uint32_t>depth):
                    return -1
                self.cov_pos = x
        return 0

    cdef int _cover(self, uint32_t s, uint32_t e) noexcept nogil:
        if self._advance(s):
            return -1
        if self.heap_n > 0:
            if s > self.cov_pos:
                if self._seg(self.cov_pos, s, <uint32_t>self.heap_n):
                    return -1
        self.cov_pos = s
        if e == s:
            return self._seg(s, s, 0)
        return self._push(e)

    cdef int _drain(self) noexcept nogil:
        if not self.has_chrom:
            return 0
        return self._advance(0xFFFFFFFF)


def sort_records(const uint8_t[::1] buf, Py_ssize_t pos, bint tab, bint at_eof, Py_ssize_t line_no):
    """Sortable records for ``-sort``: ``chrom NUL start(be32) lineNo(be64) line`` per line.

    Byte-wise order of the records is (chrom byte-wise, start, input order), the order
    ``LC_ALL=C sort -k1,1 -k2,2n`` with a stable sort gives.  Blank and ``#`` lines are
    dropped.  Returns (records, new pos, new line_no, error) where error is None or
    (code, column, a, line_no, field_start, field_end) for trackpack.bed.describe_error.
    """
    cdef Py_ssize_t n = buf.shape[0]
    cdef const uint8_t* p = &buf[0] if n > 0 else NULL
    cdef Py_ssize_t ls, le, nxt, i, c0, c1, s0, s1, L
    cdef const uint8_t* nl
    cdef int64_t start
    cdef int st, kind
    cdef bytes rec
    cdef uint8_t* r
    cdef uint64_t ln
    out = []
    while pos < n and find_line(p, pos, n, at_eof, &le, &nxt):
        ls = pos
        kind = classify_line(p, ls, &le)
        if kind == LINE_SKIP:
            pos = nxt
            line_no += 1
            continue
        if kind != LINE_DATA:
            return out, pos, line_no, (kind, -1, 0, line_no, ls, le)
        i = ls
        while i < le and is_space(p[i]):
            i += 1
        # chrom and start fields
        if tab:
            c0 = ls
            nl = <const uint8_t*>memchr(p + ls, 9, le - ls)
            if nl == NULL:
                return out, pos, line_no, (E_FIELD_COUNT, -1, 1, line_no, ls, le)
            c1 = nl - p
            s0 = c1 + 1
            nl = <const uint8_t*>memchr(p + s0, 9, le - s0)
            s1 = (nl - p) if nl != NULL else le
        else:
            c0 = i
            c1 = c0
            while c1 < le and not is_space(p[c1]):
                c1 += 1
            s0 = c1
            while s0 < le and is_space(p[s0]):
                s0 += 1
            if s0 >= le:
                return out, pos, line_no, (E_FIELD_COUNT, -1, 1, line_no, ls, le)
            s1 = s0
            while s1 < le and not is_space(p[s1]):
                s1 += 1
        st = parse_int(p + s0, s1 - s0, False, 4, False, &start)
        if st:
            return out, pos, line_no, (E_NUMBER, 1, st, line_no, s0, s1)
        L = (c1 - c0) + 13 + (le - ls)
        rec = PyBytes_FromStringAndSize(NULL, L)
        r = <uint8_t*><char*>rec
        memcpy(r, p + c0, c1 - c0)
        r += c1 - c0
        r[0] = 0
        r[1] = (start >> 24) & 0xFF
        r[2] = (start >> 16) & 0xFF
        r[3] = (start >> 8) & 0xFF
        r[4] = start & 0xFF
        ln = <uint64_t>line_no
        for i in range(8):
            r[5 + i] = (ln >> (56 - 8 * i)) & 0xFF
        memcpy(r + 13, p + ls, le - ls)
        out.append(rec)
        pos = nxt
        line_no += 1
    return out, pos, line_no, None


# --- Python records to BED text ------------------------------------------------------------------

from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.float cimport PyFloat_AS_DOUBLE


cdef int _render_value(GrowBuf* b, object v) except -1:
    cdef Py_ssize_t n
    cdef const char* s
    cdef long long iv
    cdef int overflow
    cdef double d
    t = type(v)
    if t is str:
        s = PyUnicode_AsUTF8AndSize(v, &n)
        if growbuf_add(b, s, n):
            raise MemoryError()
        return 0
    if t is int:
        iv = PyLong_AsLongLongAndOverflow(v, &overflow)
        if overflow == 0:
            if growbuf_add_int(b, iv):
                raise MemoryError()
            return 0
    elif t is bytes:
        if growbuf_add(b, <char*>v, len(<bytes>v)):
            raise MemoryError()
        return 0
    elif t is float or isinstance(v, float):
        d = PyFloat_AS_DOUBLE(v) if t is float else float(v)
        # pandas turns integer columns with missing values into floats: write them as integers
        if d == d and -9007199254740992.0 < d < 9007199254740992.0 and d == <double><long long>d:
            if growbuf_add_int(b, <long long>d):
                raise MemoryError()
            return 0
    elif v is None:
        return 0
    elif t is list or t is tuple or (hasattr(v, "__array__") and getattr(v, "ndim", 0) > 0):
        # lists (blockSizes, chromStarts, exonFrames...) in kent's form: trailing comma
        for x in v:
            _render_value(b, x)
            if growbuf_add_byte(b, 44):
                raise MemoryError()
        return 0
    elif hasattr(v, "__index__"):  # numpy integers
        return _render_value(b, v.__index__())
    text = str(v)
    s = PyUnicode_AsUTF8AndSize(text, &n)
    if growbuf_add(b, s, n):
        raise MemoryError()
    return 0


def render_chunk(list records, int field_count):
    """BED text (one line per record) for ``records``; see trackpack.bed.render_records.

    Returns (text, index of the first record of a wrong length or -1, its length).
    """
    cdef GrowBuf b
    cdef Py_ssize_t i, j, n
    cdef const char* s
    growbuf_init(&b)
    try:
        for i in range(len(records)):
            rec = records[i]
            t = type(rec)
            if t is str or t is bytes or t is bytearray:
                if t is str:
                    s = PyUnicode_AsUTF8AndSize(rec, &n)
                    if growbuf_add(&b, s, n):
                        raise MemoryError()
                else:
                    _render_value(&b, bytes(rec))
                while b.size and (b.data[b.size - 1] == 10 or b.data[b.size - 1] == 13):
                    b.size -= 1
            else:
                n = len(rec)
                if n == field_count or (n == 4 and field_count > 4):
                    for j in range(n):
                        if j:
                            if growbuf_add_byte(&b, 9):
                                raise MemoryError()
                        _render_value(&b, rec[j])
                elif n == 4 and field_count == 3 and rec[3] in ("", b"", None):
                    for j in range(3):
                        if j:
                            if growbuf_add_byte(&b, 9):
                                raise MemoryError()
                        _render_value(&b, rec[j])
                else:
                    return PyBytes_FromStringAndSize(<char*>b.data, b.size), i, n
            if growbuf_add_byte(&b, 10):
                raise MemoryError()
        return PyBytes_FromStringAndSize(<char*>b.data, b.size), -1, 0
    finally:
        growbuf_free(&b)


def unkey_lines(list records):
    """Lines and input line numbers back from :func:`sort_records` records.

    Returns (text of the lines, each ending in a newline; [0] + their line numbers), the
    leading 0 because the tokenizer numbers the lines of a fed chunk from 1.
    """
    cdef GrowBuf b
    cdef Py_ssize_t i, n, cut
    cdef const uint8_t* r
    cdef const uint8_t* nul
    cdef uint64_t ln
    cdef int k
    growbuf_init(&b)
    numbers = [0]
    try:
        for i in range(len(records)):
            rec = <bytes>records[i]
            n = len(rec)
            r = <const uint8_t*><char*>rec
            nul = <const uint8_t*>memchr(r, 0, n)
            if nul == NULL or (nul - r) + 13 > n:
                raise ValueError("not a sort record")
            cut = (nul - r) + 13
            ln = 0
            for k in range(8):
                ln = (ln << 8) | nul[5 + k]
            numbers.append(ln)
            if growbuf_add(&b, r + cut, n - cut) or growbuf_add_byte(&b, 10):
                raise MemoryError()
        return PyBytes_FromStringAndSize(<char*>b.data, b.size), numbers
    finally:
        growbuf_free(&b)


def pad_keys(const uint8_t[::1] blob, const uint32_t[::1] lengths, Py_ssize_t width):
    """Keys laid back to back in ``blob`` as rows of ``width`` bytes, NUL-padded."""
    cdef Py_ssize_t n = lengths.shape[0]
    cdef Py_ssize_t i, at = 0, total = blob.shape[0]
    cdef uint32_t length
    cdef bint bad = False
    out = bytearray(n * width)
    cdef uint8_t* o = <uint8_t*><char*>out if n * width else NULL
    with nogil:
        for i in range(n):
            length = lengths[i]
            if length > width or at + length > total:
                bad = True
                break
            if length:
                memcpy(o + i * width, &blob[at], length)
            at += length
    if bad or at != total:
        raise ValueError("key lengths do not match the keys")
    return out
