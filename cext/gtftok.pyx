# cython: boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""GTF kernel: the lines of one chromosome -> genePred or bigGenePred rows, in C.

:func:`convert_chromosome` takes the bytes of every line of one chromosome (as
trackpack.genes.partition reads them back) and does, without the GIL:

1. tokenize each line (kent's rules: tab columns, ``key value;`` attributes, quoted values)
   keeping slices of the attributes it needs;
2. group lines by transcript_id (hash table), order each group's lines like kent
   (start, end, later lines first);
3. assemble each transcript's genePred (exons, CDS, status, frames) exactly as
   trackpack/genes/gtf.py's ``transcript_to_genepred`` (the reference, compared with
   this kernel in the tests);
4. format the rows: genePred (+ info) rows in transcript order, or bigGenePred rows
   sorted like ``sort -k1,1 -k2,2n`` (start, then the whole line).

The fast path only handles what it can handle exactly.  A line it cannot (a parse error,
a backslash inside quotes, a missing id, ...) makes the whole chromosome go back to the
Python reference (``status`` CHROM_SLOW); a transcript it cannot (lines on two strands,
no exon, a CDS outside its exons, frames that disagree) is handed back as a list of its
lines (``fallback``) for the reference to report or convert.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memchr, memcmp, memcpy, memset

from growbuf cimport GrowBuf, growbuf_add, growbuf_add_byte, growbuf_add_int, growbuf_free, growbuf_init

import numpy as np

cdef enum:
    # attributes kept per line
    A_GID = 0
    A_TID = 1
    A_GNAME = 2
    A_GTYPE = 3
    A_TTYPE = 4
    A_TNAME = 5
    A_GVER = 6
    A_TVER = 7
    A_PID = 8
    A_PVER = 9
    NATTR = 10

cdef enum:
    # feature codes: F_OTHER is ignored by kent's GTF conversion
    F_OTHER = 0
    F_EXON = 1
    F_CDS = 2
    F_START = 3
    F_STOP = 4
    F_5UTR = 5
    F_3UTR = 6
    F_INTER = 7

cdef enum:
    MODE_GENEPRED = 1
    MODE_BIGGENEPRED = 2

cdef enum:
    # results of the whole call
    CHROM_OK = 0
    CHROM_SLOW = 1
    CHROM_NOMEM = 2

cdef enum:
    # per transcript
    TX_OK = 0
    TX_FALLBACK = 1
    TX_FILTERED = 2

cdef enum:
    COLOR_NONE = 0
    COLOR_CODING = 1
    COLOR_NONCODING = 2
    COLOR_PSEUDO = 3

cdef struct Slice:
    # offset in the chromosome's buffer (buffers beyond 2 GB go to the Python path), -1: absent
    int32_t off
    int32_t len

cdef struct Line:
    int64_t off
    int32_t len
    int32_t start
    int32_t end
    int64_t lineno
    int32_t idx
    int32_t group
    char strand
    char frame
    uint8_t feat
    uint8_t tagged
    Slice source
    Slice a[NATTR]

cdef inline int is_space(unsigned char c) noexcept nogil:
    return c == 32 or (c >= 9 and c <= 13)


cdef uint8_t feature_code(const unsigned char *p, int n) noexcept nogil:
    if n == 4 and memcmp(p, b"exon", 4) == 0:
        return F_EXON
    if n == 3 and memcmp(p, b"CDS", 3) == 0:
        return F_CDS
    if n == 11 and memcmp(p, b"start_codon", 11) == 0:
        return F_START
    if n == 10 and memcmp(p, b"stop_codon", 10) == 0:
        return F_STOP
    if n == 4 and memcmp(p, b"5UTR", 4) == 0:
        return F_5UTR
    if n == 4 and memcmp(p, b"3UTR", 4) == 0:
        return F_3UTR
    if (n == 5 and memcmp(p, b"inter", 5) == 0) or (n == 9 and memcmp(p, b"inter_CNS", 9) == 0) \
            or (n == 10 and memcmp(p, b"intron_CNS", 10) == 0):
        return F_INTER
    return F_OTHER


cdef inline int is_exonish(uint8_t f) noexcept nogil:
    return f >= F_EXON and f <= F_3UTR


cdef inline int is_cdsish(uint8_t f) noexcept nogil:
    return f == F_CDS or f == F_START or f == F_STOP


cdef int parse_uint(const unsigned char *p, int n, int32_t *out) noexcept nogil:
    """Digits only, at most 2**31-1; returns 0 on success."""
    cdef int64_t v = 0
    cdef int i
    if n <= 0 or n > 10:
        return -1
    for i in range(n):
        if p[i] < 48 or p[i] > 57:
            return -1
        v = v * 10 + (p[i] - 48)
    if v > 2147483647:
        return -1
    out[0] = <int32_t>v
    return 0


cdef int match_any(const unsigned char *p, int n, const unsigned char *pool, const int32_t *offs,
                   int count) noexcept nogil:
    """Whether p[:n] equals one of ``count`` strings stored back to back in pool."""
    cdef int i
    cdef int32_t a, b
    for i in range(count):
        a = offs[i]
        b = offs[i + 1]
        if b - a == n and memcmp(pool + a, p, n) == 0:
            return 1
    return 0


cdef int parse_line(const unsigned char *buf, Line *ln, const unsigned char *tag_pool,
                    const int32_t *tag_offs, int ntags) noexcept nogil:
    """Tokenize one line.  Returns 1 (keep: has transcript_id), 0 (skip: no transcript_id,
    not exon-like) or -1 (needs the Python reference: an error or a case not handled)."""
    cdef const unsigned char *line = buf + ln.off
    cdef int n = ln.len
    cdef int col_start[9]
    cdef int col_end[9]
    cdef int ncol = 0
    cdef int pos = 0
    cdef const unsigned char *t
    cdef int i, k
    cdef int32_t start1, end
    # kent's chopTabs with 9 words: the 9th ends at the next tab
    while ncol < 9:
        col_start[ncol] = pos
        t = <const unsigned char *>memchr(line + pos, 9, n - pos)
        if t == NULL:
            col_end[ncol] = n
            ncol += 1
            break
        col_end[ncol] = <int>(t - line)
        ncol += 1
        pos = col_end[ncol - 1] + 1
    if ncol < 9:
        return -1  # 8 columns would have no attributes: an error in a GTF file
    if parse_uint(line + col_start[3], col_end[3] - col_start[3], &start1) < 0:
        return -1
    if parse_uint(line + col_start[4], col_end[4] - col_start[4], &end) < 0:
        return -1
    if start1 == 0 or start1 > end + 1:
        return -1
    ln.start = start1 - 1
    ln.end = end
    ln.strand = <char>line[col_start[6]] if col_end[6] > col_start[6] else 0
    ln.frame = <char>line[col_start[7]] if col_end[7] > col_start[7] else 0
    ln.feat = feature_code(line + col_start[2], col_end[2] - col_start[2])
    ln.source.off = <int32_t>(ln.off + col_start[1])
    ln.source.len = col_end[1] - col_start[1]
    ln.tagged = 0
    for i in range(NATTR):
        ln.a[i].off = -1
        ln.a[i].len = 0
    if parse_attributes(buf, ln, ln.off + col_start[8], ln.off + col_end[8], tag_pool, tag_offs, ntags) < 0:
        return -1
    if ln.a[A_GID].off < 0:
        return -1  # no gene_id: an error
    if ln.a[A_TID].off < 0:
        return -1 if is_exonish(ln.feat) else 0
    return 1


cdef int parse_attributes(const unsigned char *buf, Line *ln, int64_t p, int64_t e,
                          const unsigned char *tag_pool, const int32_t *tag_offs, int ntags) noexcept nogil:
    """kent's parseGtfEnd over buf[p:e]; -1 for anything the reference must handle."""
    cdef int64_t kp, ke, vp, ve, q
    cdef int got_semi
    cdef int have_more = 1
    cdef unsigned char quote
    cdef int slot
    cdef int klen
    cdef const unsigned char *key
    cdef const unsigned char *hit
    while have_more:
        while p < e and is_space(buf[p]):
            p += 1
        if p >= e:
            break
        kp = p
        while p < e and not is_space(buf[p]):
            p += 1
        ke = p
        if p >= e:
            return -1  # key without value
        p += 1  # past the space ending the key
        while p < e and is_space(buf[p]):
            p += 1
        if p >= e:
            return -1
        got_semi = 0
        if buf[p] == 34 or buf[p] == 39:
            quote = buf[p]
            vp = p + 1
            hit = <const unsigned char *>memchr(buf + vp, quote, e - vp)
            if hit == NULL:
                return -1  # unterminated quote
            q = hit - buf
            if memchr(buf + vp, 92, q - vp) != NULL:
                return -1  # backslash escapes: leave to the reference
            ve = q
            p = q + 1
        else:
            vp = p
            while p < e and not is_space(buf[p]):
                p += 1
            ve = p
            if ve > vp and buf[ve - 1] == 59:
                ve -= 1
                got_semi = 1
            if ve <= vp:
                return -1  # empty value
            if p >= e:
                have_more = 0
            else:
                p += 1
        if have_more and not got_semi:
            hit = <const unsigned char *>memchr(buf + p, 59, e - p) if p < e else NULL
            if hit == NULL:
                have_more = 0
            else:
                p = (hit - buf) + 1
        key = buf + kp
        klen = <int>(ke - kp)
        slot = -1
        if klen == 7 and memcmp(key, b"gene_id", 7) == 0:
            if ln.a[A_GID].off < 0:
                slot = A_GID
        elif klen == 13 and memcmp(key, b"transcript_id", 13) == 0:
            if ln.a[A_TID].off < 0:
                slot = A_TID
        elif klen == 3 and memcmp(key, b"tag", 3) == 0:
            if ntags and match_any(buf + vp, <int>(ve - vp), tag_pool, tag_offs, ntags):
                ln.tagged = 1
        elif klen == 9 and memcmp(key, b"gene_name", 9) == 0:
            slot = A_GNAME
        elif (klen == 9 and memcmp(key, b"gene_type", 9) == 0) or (klen == 12 and memcmp(key, b"gene_biotype", 12) == 0):
            slot = A_GTYPE
        elif (klen == 15 and memcmp(key, b"transcript_type", 15) == 0) or \
                (klen == 18 and memcmp(key, b"transcript_biotype", 18) == 0):
            slot = A_TTYPE
        elif klen == 15 and memcmp(key, b"transcript_name", 15) == 0:
            slot = A_TNAME
        elif klen == 12 and memcmp(key, b"gene_version", 12) == 0:
            slot = A_GVER
        elif klen == 18 and memcmp(key, b"transcript_version", 18) == 0:
            slot = A_TVER
        elif klen == 10 and memcmp(key, b"protein_id", 10) == 0:
            slot = A_PID
        elif klen == 15 and memcmp(key, b"protein_version", 15) == 0:
            slot = A_PVER
        elif klen == 11 and memcmp(key, b"exon_number", 11) == 0:
            if buf[vp] < 48 or buf[vp] > 57:
                return -1  # kent rejects it
        if slot >= 0:
            ln.a[slot].off = <int32_t>vp
            ln.a[slot].len = <int32_t>(ve - vp)
    return 0


# --- grouping -------------------------------------------------------------------------------

cdef inline uint64_t hash_bytes(const unsigned char *p, int n) noexcept nogil:
    cdef uint64_t h = 14695981039346656037ULL
    cdef int i
    for i in range(n):
        h ^= p[i]
        h *= 1099511628211ULL
    return h


cdef inline int line_before(const Line *a, const Line *b) noexcept nogil:
    """kent's group order: start, end, then later lines first."""
    if a.start != b.start:
        return a.start < b.start
    if a.end != b.end:
        return a.end < b.end
    return a.idx > b.idx


ctypedef int (*IndexBefore)(const void *ctx, int32_t a, int32_t b) noexcept nogil


cdef void stable_sort(int32_t *ix, int32_t *tmp, int n, IndexBefore before, const void *ctx) noexcept nogil:
    """Stable sort of the indexes ix[0:n] by ``before`` (insertion sort for small n, else
    bottom-up merge sort through ``tmp``, which must hold n items)."""
    cdef int width, lo, mid, hi, i, j, k
    cdef int32_t *src = ix
    cdef int32_t *dst = tmp
    cdef int32_t *swap
    if n < 2:
        return
    if n <= 16:
        for i in range(1, n):
            k = ix[i]
            j = i - 1
            while j >= 0 and before(ctx, k, ix[j]):
                ix[j + 1] = ix[j]
                j -= 1
            ix[j + 1] = k
        return
    width = 1
    while width < n:
        lo = 0
        while lo < n:
            mid = lo + width if lo + width < n else n
            hi = lo + 2 * width if lo + 2 * width < n else n
            i = lo
            j = mid
            k = lo
            while i < mid and j < hi:
                if before(ctx, src[j], src[i]):
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
            lo += 2 * width
        swap = src
        src = dst
        dst = swap
        width *= 2
    if src != ix:
        memcpy(ix, src, n * sizeof(int32_t))


cdef int _lines_before(const void *ctx, int32_t a, int32_t b) noexcept nogil:
    cdef const Line *lines = <const Line *>ctx
    return line_before(&lines[a], &lines[b])


cdef void sort_group(Line *lines, int32_t *ix, int32_t *tmp, int n) noexcept nogil:
    """Stable sort of line indexes by line_before."""
    stable_sort(ix, tmp, n, _lines_before, lines)


# --- one transcript ------------------------------------------------------------------------------

cdef struct Tx:
    int32_t tx_start
    int32_t tx_end
    int32_t cds_start
    int32_t cds_end
    int has_cds
    char strand
    int start_stat  # 0 none 1 unk 2 incmpl 3 cmpl
    int end_stat
    int nexon
    int32_t *es
    int32_t *ee
    int32_t *fr
    int cap


cdef int tx_reserve(Tx *tx, int n) noexcept nogil:
    cdef int32_t *a
    cdef int32_t *b
    cdef int32_t *c
    if n <= tx.cap:
        return 0
    a = <int32_t *>realloc(tx.es, n * sizeof(int32_t))
    if a == NULL:
        return -1
    tx.es = a
    b = <int32_t *>realloc(tx.ee, n * sizeof(int32_t))
    if b == NULL:
        return -1
    tx.ee = b
    c = <int32_t *>realloc(tx.fr, n * sizeof(int32_t))
    if c == NULL:
        return -1
    tx.fr = c
    tx.cap = n
    return 0


cdef inline void cds_exon(Tx *tx, int i, int32_t *s, int32_t *e) noexcept nogil:
    s[0] = tx.es[i] if tx.es[i] > tx.cds_start else tx.cds_start
    e[0] = tx.ee[i] if tx.ee[i] < tx.cds_end else tx.cds_end


cdef inline int phase_to_frame(char c) noexcept nogil:
    if c == b'0':
        return 0
    if c == b'1':
        return 2
    if c == b'2':
        return 1
    return -1


cdef int assemble(const unsigned char *buf, Line *lines, int32_t *ix, int n, Tx *tx,
                  int extended, int implied_stop) noexcept nogil:
    """Build the genePred of one transcript (lines ordered).  0: ok; 1: give it to the
    reference (an error, no exon, ...); -1: out of memory."""
    cdef int i, k, m
    cdef Line *gl
    cdef int exon_count = 0
    cdef int have_cds = 0
    cdef int32_t cds_s = 0, cds_e = 0
    cdef int32_t stop_s = -1, stop_e = -1
    cdef int have_start = 0, have_stop = 0
    cdef int32_t ts = 0, te = 0
    cdef uint8_t f
    cdef char strand = lines[ix[0]].strand
    for k in range(n):
        gl = &lines[ix[k]]
        f = gl.feat
        if f == F_OTHER:
            continue
        m = 0
        if is_exonish(f):
            m = 1
            exon_count += 1
        if is_cdsish(f):
            m = 1
            if not have_cds or gl.start < cds_s:
                cds_s = gl.start
            if not have_cds or gl.end > cds_e:
                cds_e = gl.end
            have_cds = 1
        if m:
            if ts == te:
                ts = gl.start
                te = gl.end
            else:
                if gl.start < ts:
                    ts = gl.start
                if gl.end > te:
                    te = gl.end
        if f == F_START:
            have_start = 1
        elif f == F_STOP:
            have_stop = 1
            if stop_s < 0 or gl.start < stop_s:
                stop_s = gl.start
            if stop_e < 0 or gl.end > stop_e:
                stop_e = gl.end
    if exon_count == 0:
        return 1
    if not have_cds:
        cds_s = 0
        cds_e = 0
    tx.has_cds = cds_s < cds_e
    tx.strand = strand
    tx.tx_start = ts
    tx.tx_end = te
    if tx.has_cds:
        tx.cds_start = cds_s
        tx.cds_end = cds_e
        if strand == b'+':
            tx.start_stat = 3 if have_start else 2
            tx.end_stat = 3 if have_stop else 2
        else:
            tx.end_stat = 3 if have_start else 2
            tx.start_stat = 3 if have_stop else 2
    else:
        tx.cds_start = te
        tx.cds_end = te
        tx.start_stat = 0
        tx.end_stat = 0
    if strand == b'+' and tx.tx_end == stop_s:
        tx.tx_end = stop_e
    elif strand == b'-' and tx.tx_start == stop_e:
        tx.tx_start = stop_s
    if tx_reserve(tx, exon_count) < 0:
        return -1
    m = 0
    for k in range(n):
        gl = &lines[ix[k]]
        if not is_exonish(gl.feat):
            continue
        if gl.strand != strand:
            return 1  # lines on two strands: the reference reports it
        if m == 0 or gl.start > tx.ee[m - 1]:
            tx.es[m] = gl.start
            tx.ee[m] = gl.end
            tx.fr[m] = -1
            m += 1
        elif gl.end > tx.ee[m - 1]:
            tx.ee[m - 1] = gl.end
    tx.nexon = m
    if check_cds_in_exons(lines, ix, n) != 0:
        return 1
    if implied_stop and not have_stop and tx.has_cds:
        if add_implied_stop(tx, extended) != 0:
            return 1
    if extended:
        return assign_frames(lines, ix, n, tx)
    return 0


cdef int check_cds_in_exons(Line *lines, int32_t *ix, int n) noexcept nogil:
    """trackpack's check: every CDS line inside the union of the exon lines (if any)."""
    cdef int k, j, nex = 0, ok
    cdef int32_t lo = 0, hi = 0
    cdef Line *gl
    cdef Line *cl
    # exon lines are ordered by start: merge them on the fly and test each CDS line
    for k in range(n):
        if lines[ix[k]].feat == F_EXON:
            nex = 1
            break
    if not nex:
        return 0
    for j in range(n):
        cl = &lines[ix[j]]
        if cl.feat != F_CDS:
            continue
        ok = 0
        nex = 0
        for k in range(n):
            gl = &lines[ix[k]]
            if gl.feat != F_EXON:
                continue
            if nex and gl.start <= hi:
                if gl.end > hi:
                    hi = gl.end
            else:
                if nex and lo <= cl.start and cl.end <= hi:
                    ok = 1
                    break
                lo = gl.start
                hi = gl.end
                nex = 1
        if not ok and nex and lo <= cl.start and cl.end <= hi:
            ok = 1
        if not ok:
            return 1
    return 0


cdef int find_exon(Tx *tx, int32_t pos) noexcept nogil:
    cdef int i
    for i in range(tx.nexon):
        if tx.es[i] <= pos and pos < tx.ee[i]:
            return i
    return -1


cdef int add_implied_stop(Tx *tx, int extended) noexcept nogil:
    cdef int i
    cdef int32_t space
    cdef int complete = 0
    if tx.strand == b'+':
        i = find_exon(tx, tx.cds_end - 1)
        if i < 0:
            return 1
        space = tx.ee[i] - tx.cds_end
        if space >= 3:
            tx.cds_end += 3
            complete = 1
        elif i + 1 < tx.nexon and (tx.ee[i + 1] - tx.es[i + 1]) + space >= 3:
            tx.cds_end = tx.es[i + 1] + (3 - space)
            complete = 1
        if complete and extended:
            tx.end_stat = 3
    else:
        i = find_exon(tx, tx.cds_start)
        if i < 0:
            return 1
        space = tx.cds_start - tx.es[i]
        if space >= 3:
            tx.cds_start -= 3
            complete = 1
        elif i > 0 and (tx.ee[i - 1] - tx.es[i - 1]) + space >= 3:
            tx.cds_start = tx.ee[i - 1] - (3 - space)
            complete = 1
        if complete and extended:
            tx.start_stat = 3
    return 0


cdef int assign_frames(Line *lines, int32_t *ix, int n, Tx *tx) noexcept nogil:
    """Exon frames from the CDS lines' frame column (the reference's ``_assign_frames``).
    Returns 1 when frames conflict (the reference reports it), else 0."""
    cdef int i, k = 0, fr
    cdef int32_t s, e, lo, hi
    cdef int have_frame = 0
    cdef Line *gl
    for i in range(tx.nexon):
        cds_exon(tx, i, &s, &e)
        if s >= e:
            continue
        while k < n and not (lines[ix[k]].feat == F_CDS and lines[ix[k]].end >= s):
            k += 1
        while k < n:
            gl = &lines[ix[k]]
            lo = gl.start if gl.start > s else s
            hi = gl.end if gl.end < e else e
            if hi - lo <= 0:
                break
            if gl.feat == F_CDS:
                fr = phase_to_frame(gl.frame)
                if fr >= 0:
                    tx.fr[i] = fr
            k += 1
        if tx.fr[i] >= 0:
            have_frame = 1
    if have_frame:
        return extend_frames(tx)
    if tx.has_cds:
        frames_from_cds(tx)
    return 0


cdef inline int32_t cds_len(Tx *tx, int i) noexcept nogil:
    cdef int32_t s, e
    cds_exon(tx, i, &s, &e)
    return e - s if e > s else 0


cdef int extend_frames(Tx *tx) noexcept nogil:
    """Continue the reading frame past the last framed exon (a stop codon alone in an
    exon); 1 when an exon's own frame contradicts it."""
    cdef int step = 1 if tx.strand == b'+' else -1
    cdef int i = 0 if step == 1 else tx.nexon - 1
    cdef int stop = tx.nexon if step == 1 else -1
    cdef int last = -1
    cdef int frame
    while i != stop and tx.fr[i] == -1:
        i += step
    while i != stop and tx.fr[i] != -1:
        last = i
        i += step
    if last < 0:
        return 0
    frame = (tx.fr[last] + cds_len(tx, last)) % 3
    i = last + step
    while 0 <= i < tx.nexon and ((tx.es[i] < tx.cds_end) if step == 1 else (tx.ee[i] > tx.cds_start)):
        if tx.fr[i] >= 0 and tx.fr[i] != frame:
            return 1
        tx.fr[i] = frame
        frame = (frame + cds_len(tx, i)) % 3
        i += step
    return 0


cdef void frames_from_cds(Tx *tx) noexcept nogil:
    """Frames of one continuous reading frame over the CDS, in transcription order."""
    cdef int k, i
    cdef int32_t done = 0, s, e
    for k in range(tx.nexon):
        i = k if tx.strand == b'+' else tx.nexon - 1 - k
        tx.fr[i] = -1
        cds_exon(tx, i, &s, &e)
        if s < e:
            tx.fr[i] = done % 3
            done += e - s


# --- formatting ----------------------------------------------------------------------------------

cdef const char *STAT_TEXT[4]
STAT_TEXT[0] = b"none"
STAT_TEXT[1] = b"unk"
STAT_TEXT[2] = b"incmpl"
STAT_TEXT[3] = b"cmpl"


cdef inline void put_slice(GrowBuf *b, const unsigned char *buf, Slice s) noexcept nogil:
    if s.off >= 0 and s.len > 0:
        growbuf_add(b, <const char *>(buf + s.off), s.len)


cdef inline void put_versioned(GrowBuf *b, const unsigned char *buf, Slice ident, Slice version,
                               int with_version) noexcept nogil:
    """An identifier, with ``.version`` added when asked for and both are present."""
    put_slice(b, buf, ident)
    if with_version and ident.off >= 0 and version.off >= 0:
        growbuf_add_byte(b, b'.')
        put_slice(b, buf, version)


cdef inline void put_stat(GrowBuf *b, int stat) noexcept nogil:
    cdef const char *t = STAT_TEXT[stat]
    cdef int n = 0
    while t[n]:
        n += 1
    growbuf_add(b, t, n)


cdef inline void put_int_tab(GrowBuf *b, int64_t v) noexcept nogil:
    growbuf_add_int(b, v)
    growbuf_add_byte(b, 9)


cdef inline void put_char_tab(GrowBuf *b, char c) noexcept nogil:
    if c:
        growbuf_add_byte(b, c)
    growbuf_add_byte(b, 9)


cdef void put_list(GrowBuf *b, const int32_t *values, const int32_t *minus, int32_t base, int n) noexcept nogil:
    """``values[i] - minus[i]`` (or ``- base`` without ``minus``), each followed by a comma,
    as kent writes genePred and BED lists."""
    cdef int i
    for i in range(n):
        growbuf_add_int(b, values[i] - (minus[i] if minus != NULL else base))
        growbuf_add_byte(b, b',')


cdef void put_cds_columns(GrowBuf *b, Tx *tx) noexcept nogil:
    """cdsStartStat, cdsEndStat and exonFrames, tab separated."""
    put_stat(b, tx.start_stat)
    growbuf_add_byte(b, 9)
    put_stat(b, tx.end_stat)
    growbuf_add_byte(b, 9)
    put_list(b, tx.fr, NULL, 0, tx.nexon)


cdef Slice first_value(Line *lines, int32_t *ix, int n, int slot) noexcept nogil:
    cdef int k
    cdef Slice none
    none.off = -1
    none.len = 0
    for k in range(n):
        if lines[ix[k]].a[slot].off >= 0:
            return lines[ix[k]].a[slot]
    return none


cdef int bin_from_range(int64_t start, int64_t end) noexcept nogil:
    """trackpack.bins.bin_from_range, or -1 when no bin holds the range."""
    cdef int64_t first, last
    cdef int i
    cdef int offsets[6]
    cdef int nlev, base
    if end <= 536870912:
        offsets[0] = 585; offsets[1] = 73; offsets[2] = 9; offsets[3] = 1; offsets[4] = 0
        nlev = 5
        base = 0
    else:
        offsets[0] = 4681; offsets[1] = 585; offsets[2] = 73; offsets[3] = 9; offsets[4] = 1; offsets[5] = 0
        nlev = 6
        base = 4681
    if start < 0 or end < start or end > 2147483647:
        return -1
    first = start >> 17
    last = (end - 1) >> 17
    for i in range(nlev):
        if first == last:
            return base + offsets[i] + <int>first
        first >>= 3
        last >>= 3
    return -1


cdef void put_genepred(GrowBuf *b, const unsigned char *buf, Line *lines, int32_t *ix, int n, Tx *tx,
                       Slice name, const char *chrom, int chrom_len, int extended, int include_version,
                       int gene_name_as_name2, int with_bin) noexcept nogil:
    """The genePred row of a transcript (the reference's ``format_genepred``)."""
    cdef Line *first = &lines[ix[0]]
    if with_bin:
        put_int_tab(b, bin_from_range(tx.tx_start, tx.tx_end))
    put_versioned(b, buf, name, first.a[A_TVER], include_version)
    growbuf_add_byte(b, 9)
    growbuf_add(b, chrom, chrom_len)
    growbuf_add_byte(b, 9)
    put_char_tab(b, tx.strand)
    put_int_tab(b, tx.tx_start)
    put_int_tab(b, tx.tx_end)
    put_int_tab(b, tx.cds_start)
    put_int_tab(b, tx.cds_end)
    put_int_tab(b, tx.nexon)
    put_list(b, tx.es, NULL, 0, tx.nexon)
    growbuf_add_byte(b, 9)
    put_list(b, tx.ee, NULL, 0, tx.nexon)
    if extended:
        growbuf_add(b, b"\t0\t", 3)
        if gene_name_as_name2:
            put_slice(b, buf, first.a[A_GNAME])
        else:
            put_versioned(b, buf, first.a[A_GID], first.a[A_GVER], include_version)
        growbuf_add_byte(b, 9)
        put_cds_columns(b, tx)
    growbuf_add_byte(b, 10)


cdef void put_info(GrowBuf *b, const unsigned char *buf, Line *lines, int32_t *ix, int n, Slice name,
                   Slice source, const char *chrom, int chrom_len, int include_version) noexcept nogil:
    """The -infoOut row of a transcript (the reference's ``info_row``)."""
    cdef int32_t lo = lines[ix[0]].start, hi = lines[ix[0]].end
    cdef int k
    for k in range(n):
        if lines[ix[k]].start < lo:
            lo = lines[ix[k]].start
        if lines[ix[k]].end > hi:
            hi = lines[ix[k]].end
    put_versioned(b, buf, name, first_value(lines, ix, n, A_TVER), include_version)
    growbuf_add_byte(b, 9)
    put_versioned(b, buf, first_value(lines, ix, n, A_GID), first_value(lines, ix, n, A_GVER), include_version)
    growbuf_add_byte(b, 9)
    put_slice(b, buf, source)
    growbuf_add_byte(b, 9)
    growbuf_add(b, chrom, chrom_len)
    growbuf_add_byte(b, 9)
    put_int_tab(b, lo)
    put_int_tab(b, hi)
    put_char_tab(b, lines[ix[0]].strand)
    put_versioned(b, buf, first_value(lines, ix, n, A_PID), first_value(lines, ix, n, A_PVER), include_version)
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_GNAME))
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_TNAME))
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_GTYPE))
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_TTYPE))
    growbuf_add_byte(b, 10)


cdef inline int contains(const unsigned char *p, int n, const char *lit, int m) noexcept nogil:
    cdef int i
    for i in range(n - m + 1):
        if memcmp(p + i, lit, m) == 0:
            return 1
    return 0


cdef int classify(const unsigned char *buf, Slice ttype, Slice gtype, int has_cds,
                  const unsigned char *coding_pool, const int32_t *coding_offs, int ncoding) noexcept nogil:
    """Biotype class for -colorByBiotype (same rules as biggenepred.biotype_color)."""
    cdef Slice t = ttype if ttype.off >= 0 and ttype.len > 0 else gtype
    cdef int has_t = t.off >= 0 and t.len > 0
    if has_t and contains(buf + t.off, t.len, b"pseudogene", 10) and \
            not (t.len == 22 and memcmp(buf + t.off, b"polymorphic_pseudogene", 22) == 0):
        return COLOR_PSEUDO
    if (has_t and match_any(buf + t.off, t.len, coding_pool, coding_offs, ncoding)) or (not has_t and has_cds):
        return COLOR_CODING
    if not has_t and gtype.off >= 0 and contains(buf + gtype.off, gtype.len, b"pseudogene", 10):
        return COLOR_PSEUDO
    return COLOR_NONCODING


cdef void put_biggenepred(GrowBuf *b, const unsigned char *buf, Line *lines, int32_t *ix, int n, Tx *tx,
                          Slice name, const char *chrom, int chrom_len, const char *rgb, int rgb_len) noexcept nogil:
    """The bigGenePred row of a transcript, without its newline (the reference's
    ``biggenepred_fields`` with the annotation's extras)."""
    cdef Line *first = &lines[ix[0]]
    growbuf_add(b, chrom, chrom_len)
    growbuf_add_byte(b, 9)
    put_int_tab(b, tx.tx_start)
    put_int_tab(b, tx.tx_end)
    put_slice(b, buf, name)
    growbuf_add(b, b"\t0\t", 3)
    put_char_tab(b, tx.strand)
    put_int_tab(b, tx.cds_start)
    put_int_tab(b, tx.cds_end)
    growbuf_add(b, rgb, rgb_len)
    growbuf_add_byte(b, 9)
    put_int_tab(b, tx.nexon)
    put_list(b, tx.ee, tx.es, 0, tx.nexon)  # block sizes
    growbuf_add_byte(b, 9)
    put_list(b, tx.es, NULL, tx.tx_start, tx.nexon)  # block starts
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first.a[A_GID])  # name2 = gene_id of the first line, as kent
    growbuf_add_byte(b, 9)
    put_cds_columns(b, tx)
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_TTYPE))
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_GNAME))
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first.a[A_GID])
    growbuf_add_byte(b, 9)
    put_slice(b, buf, first_value(lines, ix, n, A_GTYPE))


# --- row sorting (bigGenePred mode) ------------------------------------------------------------

cdef inline int row_before(const char *data, const int64_t *roff, const int32_t *rstart, int a, int b) noexcept nogil:
    cdef int64_t la, lb, n
    cdef int c
    if rstart[a] != rstart[b]:
        return rstart[a] < rstart[b]
    la = roff[a + 1] - roff[a]
    lb = roff[b + 1] - roff[b]
    n = la if la < lb else lb
    c = memcmp(data + roff[a], data + roff[b], n)
    if c != 0:
        return c < 0
    return la < lb


cdef struct RowKeys:
    const char *data
    const int64_t *roff
    const int32_t *rstart


cdef int _rows_before(const void *ctx, int32_t a, int32_t b) noexcept nogil:
    cdef const RowKeys *keys = <const RowKeys *>ctx
    return row_before(keys.data, keys.roff, keys.rstart, a, b)


cdef void sort_rows(const char *data, const int64_t *roff, const int32_t *rstart, int32_t *ix,
                    int32_t *tmp, int n) noexcept nogil:
    """Stable sort of output row indexes by row_before."""
    cdef RowKeys keys
    keys.data = data
    keys.roff = roff
    keys.rstart = rstart
    stable_sort(ix, tmp, n, _rows_before, &keys)


# --- the entry point ---------------------------------------------------------------------------

cdef int tokenize_lines(const unsigned char *data, int64_t nbuf, const int64_t *run_offsets,
                        const int64_t *run_lines, int nruns, const unsigned char *tag_pool,
                        const int32_t *tag_offs, int ntags, Line **lines_out, int32_t *count_out) noexcept nogil:
    """Tokenize every line of ``data``, keeping those with a transcript_id in ``*lines_out``
    (allocated here, freed by the caller, also on failure).  Line numbers come from the
    runs.  Returns CHROM_OK, CHROM_SLOW (a line the reference must handle) or CHROM_NOMEM."""
    cdef int64_t cap = nbuf // 128 + 64  # a guess, then doubling
    cdef Line *lines = <Line *>malloc(cap * sizeof(Line))
    cdef Line *grown
    cdef int64_t p = 0, q, i = 0, j = 0
    cdef int64_t lineno = run_lines[0] if nruns > 0 else 1
    cdef int run = 0
    cdef int rc
    cdef const unsigned char *nl
    lines_out[0] = lines
    count_out[0] = 0
    if lines == NULL:
        return CHROM_NOMEM
    while p < nbuf:
        nl = <const unsigned char *>memchr(data + p, 10, nbuf - p)
        q = (nl - data) if nl != NULL else nbuf
        if i > 0:
            lineno += 1
        while run + 1 < nruns and run_offsets[run + 1] <= p:
            run += 1
            lineno = run_lines[run]
        if q - p > 2147483000:
            return CHROM_SLOW  # an absurdly long line: leave it to Python
        if j == cap:
            cap *= 2
            grown = <Line *>realloc(lines, cap * sizeof(Line))
            if grown == NULL:
                return CHROM_NOMEM
            lines = lines_out[0] = grown
        lines[j].off = p
        lines[j].len = <int32_t>(q - p)
        if lines[j].len > 0 and data[q - 1] == 13:
            lines[j].len -= 1
        lines[j].lineno = lineno
        lines[j].idx = <int32_t>i
        rc = 0 if lines[j].len == 0 or data[p] == 35 else parse_line(data, &lines[j], tag_pool, tag_offs, ntags)
        if rc < 0:
            return CHROM_SLOW
        if rc > 0:
            j += 1
            count_out[0] = <int32_t>j
        i += 1
        p = q + 1
    return CHROM_OK


cdef int group_lines(const unsigned char *data, Line *lines, int32_t n, int32_t *order, int32_t *gfirst,
                     int32_t *gstart, int32_t *ngroups_out) noexcept nogil:
    """Group lines by transcript_id, groups in order of first appearance: group g has lines
    ``order[gstart[g]:gstart[g + 1]]`` (file order), the first being ``gfirst[g]``.
    ``order`` and ``gfirst`` hold n items, ``gstart`` n + 1.  Returns CHROM_OK or CHROM_NOMEM."""
    cdef int64_t hsize = 16, hmask, h
    cdef int64_t *htab
    cdef int32_t *gcount
    cdef int32_t i, g, r, ngroups = 0
    cdef Slice key
    while hsize < 2 * <int64_t>n + 2:
        hsize *= 2
    hmask = hsize - 1
    htab = <int64_t *>malloc(hsize * sizeof(int64_t))
    gcount = <int32_t *>calloc(n + 1, sizeof(int32_t))
    if htab == NULL or gcount == NULL:
        free(htab)
        free(gcount)
        return CHROM_NOMEM
    for h in range(hsize):
        htab[h] = -1
    # open addressing on the id bytes
    for i in range(n):
        key = lines[i].a[A_TID]
        h = <int64_t>(hash_bytes(data + key.off, key.len) & <uint64_t>hmask)
        while True:
            if htab[h] < 0:
                htab[h] = ngroups
                gfirst[ngroups] = i
                g = ngroups
                ngroups += 1
                break
            g = <int32_t>htab[h]
            r = gfirst[g]
            if lines[r].a[A_TID].len == key.len and memcmp(data + lines[r].a[A_TID].off, data + key.off,
                                                            key.len) == 0:
                break
            h = (h + 1) & hmask
        lines[i].group = g
        gcount[g] += 1
    gstart[0] = 0
    for g in range(ngroups):
        gstart[g + 1] = gstart[g] + gcount[g]
        gcount[g] = 0
    for i in range(n):
        g = lines[i].group
        order[gstart[g] + gcount[g]] = i
        gcount[g] += 1
    free(htab)
    free(gcount)
    ngroups_out[0] = ngroups
    return CHROM_OK


cdef int filtered_out(const unsigned char *data, Line *lines, int32_t *ix, int n, int filter_tags,
                      const unsigned char *gt_pool, const int32_t *gt_offs, int ngt,
                      const unsigned char *tt_pool, const int32_t *tt_offs, int ntt) noexcept nogil:
    """Whether -tags / -geneTypes / -transcriptTypes drop a transcript (negative counts:
    no such filter)."""
    cdef int k, tagged = 0
    cdef Slice gs = first_value(lines, ix, n, A_GTYPE)
    cdef Slice ts = first_value(lines, ix, n, A_TTYPE)
    for k in range(n):
        tagged |= lines[ix[k]].tagged
    if filter_tags and not tagged:
        return 1
    if ngt >= 0 and not match_any(data + (gs.off if gs.off >= 0 else 0), gs.len, gt_pool, gt_offs, ngt):
        return 1
    if ntt >= 0 and not match_any(data + (ts.off if ts.off >= 0 else 0), ts.len, tt_pool, tt_offs, ntt):
        return 1
    return 0


def _pool(values):
    """(bytes pool, int32 offsets) for a list of byte strings."""
    values = [bytes(v) for v in (values or ())]
    offs = np.zeros(len(values) + 1, dtype=np.int32)
    pos = 0
    for i, v in enumerate(values):
        pos += len(v)
        offs[i + 1] = pos
    return b"".join(values) + b"\0", offs


def convert_chromosome(const unsigned char[::1] buf, const int64_t[::1] run_offsets,
                       const int64_t[::1] run_lines, bytes chrom, int mode, *, bint extended=True,
                       bint include_version=False, bint gene_name_as_name2=False, bint with_bin=False,
                       bint implied_stop=False, bint info=False, tags=None, gene_types=None,
                       transcript_types=None, coding_types=None, rgb=None):
    """Convert the GTF lines of one chromosome (see the module docstring).

    Args:
        buf: the lines, each ending with a newline (the last one may not).
        run_offsets, run_lines: where each run of consecutive file lines starts in ``buf``
            and its first line number (for line numbers).
        chrom: the chromosome name as written in the rows.
        mode: 1 genePred rows (+ info rows) in transcript order; 2 bigGenePred rows sorted.
        tags, gene_types, transcript_types: keep-lists (bigGenePred mode; None: keep all).
        coding_types: transcript types counted as coding for the colors.
        rgb: None (itemRgb 0) or the three color texts (coding, non-coding, pseudogene).

    Returns:
        dict with ``status`` (0 ok, 1 the chromosome needs the Python reference), and for
        status 0: ``rows`` (bytes), ``info`` (bytes), ``names_blob`` (the transcript id of
        each transcript, in transcript order, each followed by a newline, as one bytes),
        ``name_hash`` (uint64 FNV-1a hash of each id), ``first_line`` (int64 array: first
        line number per transcript), ``row_end``/``info_end`` (int64 arrays: cumulative
        end offset per transcript in ``rows``/``info``; genePred mode), ``flags`` (uint8
        per transcript: 0 converted, 1 handed back, 2 filtered out), ``starts`` (int64
        chromStart of each sorted bigGenePred row), ``kept``/``filtered`` counts,
        ``max_end`` (the largest txEnd of the bigGenePred rows), ``fallback`` (list of
        int64 arrays (n, 3): offset, length, line number of each line of a transcript the
        reference must handle, in file order).
    """
    cdef int64_t nbuf = buf.shape[0]
    cdef const unsigned char *data = &buf[0] if nbuf > 0 else <const unsigned char *>b""
    cdef Line *lines = NULL
    cdef int32_t *order = NULL
    cdef int32_t *tmp = NULL
    cdef int32_t *gstart = NULL
    cdef int32_t *gfirst = NULL
    cdef int32_t ngroups = 0
    cdef int32_t nlines = 0
    cdef int64_t i, j, r, q
    cdef int32_t *ix
    cdef int nx
    cdef int rc
    cdef int status = CHROM_OK
    cdef Tx tx
    cdef GrowBuf rows, infos  # output rows; their sticky ``failed`` flags are checked per transcript
    cdef int32_t *row_start = NULL
    cdef int64_t *row_off = NULL
    cdef int32_t *row_ix = NULL
    cdef int32_t *row_tmp = NULL
    cdef int64_t *grow_end = NULL
    cdef int64_t *ginfo_end = NULL
    cdef uint8_t *gflag = NULL
    cdef int32_t nrows = 0
    cdef int64_t kept = 0, filtered = 0
    cdef int nruns = run_offsets.shape[0]
    cdef Slice nm
    cdef int color
    cdef int64_t name_len = 0
    cdef int64_t max_end = 0
    cdef char *out_p
    cdef const char *rgb_text[4]
    cdef int rgb_len[4]

    tag_pool, tag_offs = _pool(tags)
    gt_pool, gt_offs = _pool(gene_types)
    tt_pool, tt_offs = _pool(transcript_types)
    cd_pool, cd_offs = _pool(coding_types)
    cdef const unsigned char *tagp = tag_pool
    cdef const int32_t[::1] tago = tag_offs
    cdef int ntags = len(tags) if tags else 0
    cdef const unsigned char *gtp = gt_pool
    cdef const int32_t[::1] gto = gt_offs
    cdef int ngt = len(gene_types) if gene_types is not None else -1
    cdef const unsigned char *ttp = tt_pool
    cdef const int32_t[::1] tto = tt_offs
    cdef int ntt = len(transcript_types) if transcript_types is not None else -1
    cdef const unsigned char *cdp = cd_pool
    cdef const int32_t[::1] cdo = cd_offs
    cdef int ncd = len(coding_types) if coding_types else 0
    cdef int filter_tags = tags is not None
    cdef int use_rgb = rgb is not None
    # itemRgb text per COLOR_* class (kept alive by ``colors`` during the call)
    colors = [b"0"] + ([bytes(x) for x in rgb] if use_rgb else [b"0", b"0", b"0"])
    for color in range(4):
        rgb_text[color] = <const char *>(<bytes>colors[color])
        rgb_len[color] = len(colors[color])
    cdef const char *chrom_p = chrom
    cdef int chrom_len = len(chrom)

    if nbuf > 2147483000:
        return {"status": 1}  # attribute offsets are 32-bit: the Python path handles giants
    memset(&tx, 0, sizeof(Tx))
    growbuf_init(&rows)
    growbuf_init(&infos)
    fallback_lists = []
    try:
        with nogil:
            status = tokenize_lines(data, nbuf, &run_offsets[0] if nruns > 0 else NULL,
                                    &run_lines[0] if nruns > 0 else NULL, nruns, tagp, &tago[0], ntags,
                                    &lines, &nlines)
            if status == CHROM_OK:
                order = <int32_t *>malloc((nlines + 1) * sizeof(int32_t))
                tmp = <int32_t *>malloc((nlines + 1) * sizeof(int32_t))
                gfirst = <int32_t *>malloc((nlines + 1) * sizeof(int32_t))
                gstart = <int32_t *>malloc((nlines + 2) * sizeof(int32_t))
                if order == NULL or tmp == NULL or gfirst == NULL or gstart == NULL:
                    status = CHROM_NOMEM
                else:
                    status = group_lines(data, lines, nlines, order, gfirst, gstart, &ngroups)
            if status == CHROM_OK:
                grow_end = <int64_t *>malloc((ngroups + 1) * sizeof(int64_t))
                ginfo_end = <int64_t *>malloc((ngroups + 1) * sizeof(int64_t))
                gflag = <uint8_t *>malloc((ngroups + 1) * sizeof(uint8_t))
                row_start = <int32_t *>malloc((ngroups + 1) * sizeof(int32_t))
                row_off = <int64_t *>malloc((ngroups + 2) * sizeof(int64_t))
                if grow_end == NULL or ginfo_end == NULL or gflag == NULL or row_start == NULL or row_off == NULL:
                    status = CHROM_NOMEM
            if status == CHROM_OK:
                for r in range(ngroups):
                    ix = order + gstart[r]
                    nx = gstart[r + 1] - gstart[r]
                    sort_group(lines, ix, tmp, nx)
                    nm = lines[gfirst[r]].a[A_TID]
                    rc = assemble(data, lines, ix, nx, &tx, extended or mode == MODE_BIGGENEPRED, implied_stop)
                    if rc < 0:
                        status = CHROM_NOMEM
                        break
                    if rc == 0 and mode == MODE_GENEPRED and with_bin and bin_from_range(tx.tx_start, tx.tx_end) < 0:
                        rc = 1  # no bin holds it: the reference reports it
                    if rc == 0 and mode == MODE_BIGGENEPRED and not (tx.strand == b'+' or tx.strand == b'-'
                                                                     or tx.strand == b'.'):
                        rc = 1  # a strand a bigBed cannot hold: the reference reports it
                    if rc > 0:
                        gflag[r] = TX_FALLBACK
                    elif mode == MODE_GENEPRED:
                        gflag[r] = TX_OK
                        put_genepred(&rows, data, lines, ix, nx, &tx, nm, chrom_p, chrom_len, extended,
                                     include_version, gene_name_as_name2, with_bin)
                        if info:
                            put_info(&infos, data, lines, ix, nx, nm, lines[gfirst[r]].source, chrom_p, chrom_len,
                                     include_version)
                        kept += 1
                    elif filtered_out(data, lines, ix, nx, filter_tags, gtp, &gto[0], ngt, ttp, &tto[0], ntt):
                        gflag[r] = TX_FILTERED
                        filtered += 1
                    else:
                        gflag[r] = TX_OK
                        color = COLOR_NONE
                        if use_rgb:
                            color = classify(data, first_value(lines, ix, nx, A_TTYPE),
                                             first_value(lines, ix, nx, A_GTYPE), tx.has_cds, cdp, &cdo[0], ncd)
                        row_off[nrows] = rows.size
                        row_start[nrows] = tx.tx_start
                        if tx.tx_end > max_end:
                            max_end = tx.tx_end
                        put_biggenepred(&rows, data, lines, ix, nx, &tx, nm, chrom_p, chrom_len, rgb_text[color],
                                        rgb_len[color])
                        nrows += 1
                        kept += 1
                    grow_end[r] = rows.size
                    ginfo_end[r] = infos.size
                    if rows.failed or infos.failed:
                        status = CHROM_NOMEM
                        break
                if status == CHROM_OK and mode == MODE_BIGGENEPRED and nrows > 0:
                    row_off[nrows] = rows.size
                    row_ix = <int32_t *>malloc(nrows * sizeof(int32_t))
                    row_tmp = <int32_t *>malloc(nrows * sizeof(int32_t))
                    if row_ix == NULL or row_tmp == NULL:
                        status = CHROM_NOMEM
                    else:
                        for i in range(nrows):
                            row_ix[i] = <int32_t>i
                        sort_rows(<const char *>rows.data, row_off, row_start, row_ix, row_tmp, nrows)
        if status == CHROM_NOMEM:
            raise MemoryError("out of memory converting GTF lines")
        if status == CHROM_SLOW:
            return {"status": 1}
        # results to Python objects
        first_line = np.empty(ngroups, dtype=np.int64)
        row_end = np.empty(ngroups, dtype=np.int64)
        info_end = np.empty(ngroups, dtype=np.int64)
        flags = np.empty(ngroups, dtype=np.uint8)
        name_hash = np.empty(ngroups, dtype=np.uint64)
        name_len = 0
        for r in range(ngroups):
            name_len += lines[gfirst[r]].a[A_TID].len + 1
        names_blob = PyBytes_FromStringAndSize(NULL, name_len)
        out_p = PyBytes_AS_STRING(names_blob)
        q = 0
        for r in range(ngroups):
            i = gfirst[r]
            nm = lines[i].a[A_TID]
            memcpy(out_p + q, data + nm.off, nm.len)
            q += nm.len
            out_p[q] = 10
            q += 1
            name_hash[r] = hash_bytes(data + nm.off, nm.len)
            first_line[r] = lines[i].lineno
            row_end[r] = grow_end[r]
            info_end[r] = ginfo_end[r]
            flags[r] = gflag[r]
            if gflag[r] == TX_FALLBACK:
                fb = np.empty((gstart[r + 1] - gstart[r], 3), dtype=np.int64)
                for j in range(gstart[r], gstart[r + 1]):
                    fb[j - gstart[r], 0] = lines[order[j]].off
                    fb[j - gstart[r], 1] = lines[order[j]].len
                    fb[j - gstart[r], 2] = lines[order[j]].lineno
                fallback_lists.append(fb[np.argsort(fb[:, 2], kind="stable")])  # file order, for the reference
        # the per-line arrays are no longer needed: free them before the output copy
        free(lines)
        lines = NULL
        free(order)
        order = NULL
        free(tmp)
        tmp = NULL
        if mode == MODE_BIGGENEPRED and nrows > 0:
            rows_bytes = PyBytes_FromStringAndSize(NULL, rows.size + nrows)
            out_p = PyBytes_AS_STRING(rows_bytes)
            starts = np.empty(nrows, dtype=np.int64)
            q = 0
            for i in range(nrows):
                r = row_ix[i]
                memcpy(out_p + q, rows.data + row_off[r], row_off[r + 1] - row_off[r])
                q += row_off[r + 1] - row_off[r]
                out_p[q] = 10
                q += 1
                starts[i] = row_start[r]
        else:
            rows_bytes = PyBytes_FromStringAndSize(<char *>rows.data, rows.size) if rows.size else b""
            starts = np.empty(0, dtype=np.int64)
        return {
            "status": 0,
            "rows": rows_bytes,
            "starts": starts,
            "info": PyBytes_FromStringAndSize(<char *>infos.data, infos.size) if infos.size else b"",
            "names_blob": names_blob,
            "name_hash": name_hash,
            "first_line": first_line,
            "row_end": row_end,
            "info_end": info_end,
            "flags": flags,
            "kept": kept,
            "filtered": filtered,
            "max_end": max_end,
            "fallback": fallback_lists,
        }
    finally:
        free(lines)
        free(order)
        free(tmp)
        free(gfirst)
        free(gstart)
        free(grow_end)
        free(ginfo_end)
        free(gflag)
        free(row_start)
        free(row_off)
        free(row_ix)
        free(row_tmp)
        free(tx.es)
        free(tx.ee)
        free(tx.fr)
        growbuf_free(&rows)
        growbuf_free(&infos)


# --- first pass: runs of lines on one sequence ---------------------------------------------

def scan_runs(const unsigned char[::1] chunk, int64_t pos, bint final):
    """Find runs of consecutive data lines with the same first column in ``chunk[pos:]``.

    Stops at the first comment (``#``) or empty line, or at the last incomplete line
    (unless ``final``, where the rest is one last line).

    Returns:
        ``(status, position, runs)``: status 0 means more data is needed from ``position``
        (the start of an incomplete line, or the end), 1 means a comment or empty line
        starts at ``position``.  ``runs`` lists ``(name, start, size, line_count)`` in
        order, positions relative to ``chunk``.
    """
    cdef int64_t n = chunk.shape[0]
    cdef const unsigned char *data = &chunk[0] if n > 0 else <const unsigned char *>b""
    cdef const unsigned char *nl
    cdef const unsigned char *tab
    cdef int64_t p = pos, q, end, name_end
    cdef int64_t run_start = -1, run_size = 0, run_lines = 0
    cdef int64_t name_off = 0, name_len = 0
    cdef int status = 0
    runs = []
    while p < n:
        nl = <const unsigned char *>memchr(data + p, 10, n - p)
        if nl == NULL:
            if not final:
                break
            q = n
            end = n
        else:
            q = (nl - data) + 1
            end = q - 1
        if end > p and data[end - 1] == 13:
            end -= 1
        if end == p or data[p] == 35:
            status = 1
            break
        tab = <const unsigned char *>memchr(data + p, 9, end - p)
        name_end = (tab - data) if tab != NULL else end
        if run_start >= 0 and name_end - p == name_len and memcmp(data + p, data + name_off, name_len) == 0:
            run_size += q - p
            run_lines += 1
        else:
            if run_start >= 0:
                runs.append((PyBytes_FromStringAndSize(<const char *>(data + name_off), name_len),
                             run_start, run_size, run_lines))
            run_start = p
            run_size = q - p
            run_lines = 1
            name_off = p
            name_len = name_end - p
        p = q
    if run_start >= 0:
        runs.append((PyBytes_FromStringAndSize(<const char *>(data + name_off), name_len),
                     run_start, run_size, run_lines))
    return status, p, runs


# --- GFF3 records ------------------------------------------------------------------------------

from cpython.unicode cimport PyUnicode_DecodeLatin1, PyUnicode_DecodeUTF8

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    void *PyUnicode_DATA(object o)

cdef enum:
    TEXT_CACHE_SIZE = 4096  # a power of two
    TEXT_CACHE_MAX = 48  # longer texts are rarely repeated

# Recently made ASCII strings, by a hash of their bytes: GFF3 lines repeat their sequence,
# source, type, attribute tags and many values, so most need no new object.  Only ever
# touched with the GIL held.
cdef list _text_cache = [None] * TEXT_CACHE_SIZE


cdef inline object _text(const unsigned char *p, Py_ssize_t n, bint ascii):
    cdef Py_ssize_t slot
    cdef object cached
    if not ascii:
        return PyUnicode_DecodeUTF8(<const char *>p, n, "surrogateescape")
    if n > TEXT_CACHE_MAX:
        return PyUnicode_DecodeLatin1(<const char *>p, n, NULL)
    slot = <Py_ssize_t>(hash_bytes(p, <int>n) & (TEXT_CACHE_SIZE - 1))
    cached = _text_cache[slot]
    # an ASCII str stores one byte per character: compare them with the line's bytes
    if cached is not None and PyUnicode_GET_LENGTH(cached) == n and memcmp(PyUnicode_DATA(cached), p, n) == 0:
        return cached
    cached = PyUnicode_DecodeLatin1(<const char *>p, n, NULL)
    _text_cache[slot] = cached
    return cached


def tokenize_gff3(const unsigned char[::1] line):
    """Split one GFF3 record (without its newline) the way trackpack/genes/gff3.py does.

    Returns ``(seqid, source, type, start, end, score, strand, phase, attrs, upper)`` with
    start 0-based, score the text or None, strand None for ``.``, phase -1 for ``.``,
    attrs a dict tag -> list of values and upper the tags starting with an upper-case
    letter (GFF3's reserved ones); or None when the line needs the Python reference (an
    error, a ``%`` escape, an unusual tag, more or fewer than 9 columns, ...).
    """
    cdef Py_ssize_t n = line.shape[0]
    cdef const unsigned char *p = &line[0] if n > 0 else <const unsigned char *>b""
    cdef Py_ssize_t cs[9]
    cdef Py_ssize_t ce[9]
    cdef int ncol = 0
    cdef Py_ssize_t i = 0, j, k, a, b, e, t0, t1, v0, v1
    cdef int32_t start1, end
    cdef unsigned char c
    cdef bint ascii = True
    if n > 0 and p[n - 1] == 13:
        n -= 1
    if memchr(p, 37, n) != NULL:
        return None  # '%' escapes: the reference unescapes them
    for j in range(n):
        if p[j] >= 128:
            ascii = False
            break
    # columns: runs of tabs count as one separator (kent's chopString)
    while i < n:
        while i < n and p[i] == 9:
            i += 1
        if i >= n:
            break
        if ncol == 9:
            return None  # too many columns
        cs[ncol] = i
        while i < n and p[i] != 9:
            i += 1
        ce[ncol] = i
        ncol += 1
    if ncol != 9:
        return None
    if parse_uint(p + cs[3], <int>(ce[3] - cs[3]), &start1) < 0 or parse_uint(p + cs[4], <int>(ce[4] - cs[4]), &end) < 0:
        return None
    if start1 == 0 or start1 > end + 1:
        return None
    # strand and phase
    if ce[6] - cs[6] != 1 or p[cs[6]] not in (43, 45, 46, 63):  # + - . ?
        return None
    strand = None if p[cs[6]] == 46 else chr(p[cs[6]])
    if ce[7] - cs[7] != 1 or p[cs[7]] not in (46, 48, 49, 50):
        return None
    phase = -1 if p[cs[7]] == 46 else p[cs[7]] - 48
    score = None
    if not (ce[5] - cs[5] == 1 and p[cs[5]] == 46):
        score = _text(p + cs[5], ce[5] - cs[5], ascii)
    upper = []
    # attributes: ';'-separated tag=value[,value], trimmed of white space
    attrs = {}
    a = cs[8]
    e = ce[8]
    while a <= e:
        b = a
        while b < e and p[b] != 59:
            b += 1
        t0 = a
        t1 = b
        while t0 < t1 and is_space(p[t0]):
            t0 += 1
        while t1 > t0 and is_space(p[t1 - 1]):
            t1 -= 1
        if t1 > t0:
            k = t0
            while k < t1 and p[k] != 61:
                k += 1
            if k >= t1 or k == t0:
                return None  # not name=value
            for j in range(t0, k):
                c = p[j]
                if not ((c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122) or c == 45 or c == 95):
                    return None
            tag = _text(p + t0, k - t0, ascii)
            values = []
            v0 = k + 1
            while v0 <= t1:
                v1 = v0
                while v1 < t1 and p[v1] != 44:
                    v1 += 1
                if v1 > v0:
                    values.append(_text(p + v0, v1 - v0, ascii))
                v0 = v1 + 1
            if not values:
                values.append("")
            old = attrs.get(tag)
            if old is None:
                attrs[tag] = values
                if p[t0] >= 65 and p[t0] <= 90:
                    upper.append(tag)
            else:
                old.extend(values)
        a = b + 1
    return (_text(p + cs[0], ce[0] - cs[0], ascii), _text(p + cs[1], ce[1] - cs[1], ascii),
            _text(p + cs[2], ce[2] - cs[2], ascii), start1 - 1, end, score, strand, phase, attrs, upper)
