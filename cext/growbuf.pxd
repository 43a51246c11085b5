"""A growable byte buffer for the kernels: ``from growbuf cimport GrowBuf, growbuf_add, ...``.

One definition instead of one per kernel.  Everything is ``noexcept nogil`` so the kernels'
loops can build their output without the GIL.

Error convention: every function that may allocate returns 0, or -1 when memory runs out
(or a size would overflow ``Py_ssize_t``); the buffer is then left as it was and its
``failed`` flag is set.  The flag is sticky: a kernel may append many pieces unchecked and
test ``failed`` once at the end (the GTF kernel does), or check each return value.

Ownership: a zeroed GrowBuf (``growbuf_init``, or the zeroed fields of a cdef class) is
empty and owns nothing; ``growbuf_free`` releases the memory and leaves it empty again.
Call it in the ``finally`` or ``__dealloc__`` that goes with the code creating the buffer.
"""
cimport cython
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX

cdef enum:
    # the first allocation of a buffer; later ones double it (or take what is asked for)
    GROWBUF_MIN_CAPACITY = 4096


cdef struct GrowBuf:
    uint8_t* data     # NULL until the first byte is reserved
    Py_ssize_t size   # bytes in use
    Py_ssize_t cap    # bytes allocated
    bint failed       # sticky: an allocation failed (module doc)


cdef inline void growbuf_init(GrowBuf* b) noexcept nogil:
    """An empty buffer owning no memory."""
    b.data = NULL
    b.size = 0
    b.cap = 0
    b.failed = False


cdef inline void growbuf_free(GrowBuf* b) noexcept nogil:
    """Release the memory; the buffer is empty (and usable) afterwards."""
    free(b.data)
    growbuf_init(b)


cdef inline int growbuf_reserve_total(GrowBuf* b, Py_ssize_t total) noexcept nogil:
    """Room for ``total`` bytes in all, for code that writes ``data`` by position.

    Growth is geometric (at least double), so appending n bytes costs O(n) overall.
    """
    cdef Py_ssize_t cap
    cdef uint8_t* p
    if total <= b.cap:
        return 0
    if total < 0:
        b.failed = True
        return -1
    cap = b.cap * 2 if b.cap <= PY_SSIZE_T_MAX // 2 else PY_SSIZE_T_MAX
    if cap < GROWBUF_MIN_CAPACITY:
        cap = GROWBUF_MIN_CAPACITY
    if cap < total:
        cap = total
    p = <uint8_t*>realloc(b.data, <size_t>cap)
    if p == NULL:
        b.failed = True
        return -1
    b.data = p
    b.cap = cap
    return 0


cdef inline int growbuf_reserve(GrowBuf* b, Py_ssize_t extra) noexcept nogil:
    """Room for ``extra`` more bytes after ``size``."""
    if 0 <= extra <= b.cap - b.size:
        return 0
    if extra < 0 or extra > PY_SSIZE_T_MAX - b.size:
        b.failed = True
        return -1
    return growbuf_reserve_total(b, b.size + extra)


cdef inline int growbuf_add(GrowBuf* b, const void* src, Py_ssize_t n) noexcept nogil:
    """Append ``n`` bytes from ``src``."""
    if growbuf_reserve(b, n):
        return -1
    if n:
        memcpy(b.data + b.size, src, <size_t>n)
        b.size += n
    return 0


cdef inline int growbuf_add_byte(GrowBuf* b, uint8_t c) noexcept nogil:
    """Append one byte."""
    if b.size >= b.cap and growbuf_reserve_total(b, b.size + 1):
        return -1
    b.data[b.size] = c
    b.size += 1
    return 0


@cython.cdivision(True)
cdef inline int growbuf_add_int(GrowBuf* b, int64_t v) noexcept nogil:
    """Append ``v`` in decimal (a leading '-' when negative), as printf's %lld writes it."""
    cdef char digits[20]  # 18446744073709551615 has 20 digits
    cdef int n = 0
    cdef bint negative = v < 0
    # the magnitude as unsigned, without negating INT64_MIN as a signed number
    cdef uint64_t u = (<uint64_t>0 - <uint64_t>v) if negative else <uint64_t>v
    while True:
        digits[19 - n] = <char>(48 + u % 10)
        n += 1
        u //= 10
        if u == 0:
            break
    if growbuf_reserve(b, n + negative):
        return -1
    if negative:
        b.data[b.size] = 45  # '-'
        b.size += 1
    memcpy(b.data + b.size, &digits[20 - n], <size_t>n)
    b.size += n
    return 0
