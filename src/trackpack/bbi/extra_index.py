"""Extra indexes of a bigBed (kent's -extraIndex): collect keys, sort them, write B+ trees.

An extra index maps the value of one ``string`` column to the (offset, size) of the data
block holding the item.  As kent writes it (bedToBigBed.c, restated): one entry per item,
keys sorted byte-wise (strcmp) with equal keys in item order, the key size being the
longest value, and the tree's fan-out the -blockSize.

Keys are kept compactly (per data block: the keys back to back and their lengths, no
Python object per key), sorted with numpy's stable argsort over fixed-width byte strings
(NUL-padded, which orders them as strcmp does: keys hold no NUL), and the tree is written
with its leaves built in vectorized slices; the bytes equal
:func:`trackpack.bbi.bptree.write_bptree`'s.  Beyond a memory budget, sorted batches go
to an external merge sort (trackpack.extsort) and the result is read back page by page,
so memory stays bounded whatever the number of items.
"""
from __future__ import annotations

import collections
import os
import struct
import tempfile
from typing import BinaryIO, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .._kernels import load as load_kernel
from ..extsort import ExternalSorter
from .bptree import write_bptree_index
from .layout import NODE_HEADER, OFFSET_SIZE_VALUE

__all__ = ["KeyIndex", "value_table", "write_index_tree"]

#: leaves written per slice (times the block size)
_LEAVES_PER_SLICE = 64
#: records per page read back from a spilled index
_PAGE_RECORDS = 8192
#: bytes per key besides the padded key while a batch is sorted (lengths, block numbers,
#: the sort's index array and the reordered copy)
_SORT_OVERHEAD = 24
_BE32 = struct.Struct(">I")


def value_table(positions: Sequence[Tuple[int, int]], base: int, order: str) -> np.ndarray:
    """Packed (offset u64, size u64) values, one row of 16 bytes per data block."""
    pairs = np.array([(base + off, size) for off, size in positions], dtype=np.uint64).reshape(-1, 2)
    return pairs.astype(np.dtype(np.uint64).newbyteorder(order)).view(np.uint8).reshape(-1, OFFSET_SIZE_VALUE.size)


class _Rows:
    """Sorted keys (NUL-padded to key_size) with their block numbers, in memory."""

    def __init__(self, keys: np.ndarray, blocks: np.ndarray, key_size: int) -> None:
        self.keys = keys
        self.blocks = blocks
        self.key_size = key_size
        self.count = len(blocks)

    def key(self, j: int) -> bytes:
        return self.keys[j].tobytes()

    def rows(self, start: int, stop: int, values: np.ndarray) -> np.ndarray:
        return np.hstack([self.keys[start:stop], values[self.blocks[start:stop]]])

    def close(self) -> None:
        pass


class _PagedRows:
    """Sorted ``key(padded) NUL blockNo(be32)`` records in a temporary file, read by pages."""

    def __init__(self, records: Iterable[bytes], key_size: int, tmp_dir: Optional[str]) -> None:
        self.key_size = key_size
        self._width = key_size + 5
        self._file = tempfile.TemporaryFile(prefix="trackpack-index-", dir=tmp_dir)
        count = 0
        parts: List[bytes] = []
        for rec in records:
            key = rec[:-5]
            parts.append(key + b"\0" * (key_size - len(key)) + rec[-5:])
            count += 1
            if len(parts) >= _PAGE_RECORDS:
                self._file.write(b"".join(parts))
                parts.clear()
        if parts:
            self._file.write(b"".join(parts))
        self._file.flush()
        self.count = count
        self._pages: "collections.OrderedDict[int, np.ndarray]" = collections.OrderedDict()

    def _page(self, number: int) -> np.ndarray:
        page = self._pages.get(number)
        if page is None:
            size = _PAGE_RECORDS * self._width
            data = os.pread(self._file.fileno(), size, number * size)
            page = np.frombuffer(data, dtype=np.uint8).reshape(-1, self._width)
            self._pages[number] = page
            if len(self._pages) > 4:
                self._pages.popitem(last=False)
        return page

    def key(self, j: int) -> bytes:
        return self._page(j // _PAGE_RECORDS)[j % _PAGE_RECORDS, : self.key_size].tobytes()

    def rows(self, start: int, stop: int, values: np.ndarray) -> np.ndarray:
        out = []
        while start < stop:
            number, at = divmod(start, _PAGE_RECORDS)
            take = min(stop - start, _PAGE_RECORDS - at)
            page = self._page(number)[at : at + take]
            blocks = page[:, self.key_size + 1 :].copy().view(">u4").ravel()
            out.append(np.hstack([page[:, : self.key_size], values[blocks]]))
            start += take
        return np.vstack(out)

    def close(self) -> None:
        self._file.close()


class KeyIndex:
    """The keys of one extra index, collected block by block during the data pass."""

    def __init__(self, *, memory_limit: int, tmp_dir: Optional[str] = None) -> None:
        self.memory_limit = memory_limit
        self.tmp_dir = tmp_dir
        self._parts: List[Tuple[int, bytes, np.ndarray]] = []
        self._batch_count = 0
        self._batch_width = 0
        self.count = 0
        self.max_len = 0
        self._sorter: Optional[ExternalSorter] = None

    @property
    def spilled(self) -> bool:
        return self._sorter is not None

    def add_block(self, block_no: int, keys: bytes, lengths: bytes) -> None:
        """The keys of data block ``block_no``: their bytes back to back, native u32 lengths."""
        lens = np.frombuffer(lengths, dtype=np.uint32)
        if not len(lens):
            return
        self._parts.append((block_no, keys, lens))
        self.count += len(lens)
        longest = int(lens.max())
        self.max_len = max(self.max_len, longest)
        self._batch_count += len(lens)
        self._batch_width = max(self._batch_width, longest)
        # sorting pads every key to the longest: count what that will take
        if self._batch_count * (self._batch_width + _SORT_OVERHEAD) >= self.memory_limit:
            self._spill()

    def _sorted_batch(self) -> Tuple[np.ndarray, np.ndarray]:
        """The held keys as a sorted (n, width) byte matrix, and their block numbers."""
        if not self._parts:
            return np.zeros((0, self.max_len), dtype=np.uint8), np.zeros(0, dtype=np.uint32)
        lens = np.concatenate([p[2] for p in self._parts])
        blocks = np.repeat(
            np.array([p[0] for p in self._parts], dtype=np.uint32), [len(p[2]) for p in self._parts]
        )
        blob = b"".join(p[1] for p in self._parts)
        self._parts = []
        self._batch_count = 0
        self._batch_width = 0
        n = len(lens)
        width = int(lens.max()) if n else 0
        keys = np.zeros((n, width), dtype=np.uint8)
        if width:
            padded = load_kernel("bedtok").pad_keys(blob, lens.astype(np.uint32), width)
            keys = np.frombuffer(padded, dtype=np.uint8).reshape(n, width)
            order = np.argsort(keys.view(f"S{width}").ravel(), kind="stable")
            keys, blocks = keys[order], blocks[order]
        return keys, blocks

    def _spill(self) -> None:
        if not self._parts:
            return
        keys, blocks = self._sorted_batch()
        if self._sorter is None:
            self._sorter = ExternalSorter(memory_limit=self.memory_limit, tmp_dir=self.tmp_dir)
        width = keys.shape[1]
        texts = keys.view(f"S{width}").ravel().tolist() if width else [b""] * len(blocks)
        pack = _BE32.pack
        self._sorter.extend([k + b"\0" + pack(b) for k, b in zip(texts, blocks.tolist())])

    def sorted_rows(self):
        """The sorted keys, ready for :func:`write_index_tree` (close() it afterwards)."""
        if self._sorter is None:
            keys, blocks = self._sorted_batch()
            return _Rows(keys, blocks, self.max_len)
        self._spill()
        rows = _PagedRows(self._sorter.sorted(), self.max_len, self.tmp_dir)
        self._sorter.close()
        return rows

    def close(self) -> None:
        if self._sorter is not None:
            self._sorter.close()
        self._parts = []


def write_index_tree(out: BinaryIO, rows, values: np.ndarray, block_size: int, order: str) -> int:
    """Write the B+ tree of ``rows`` (sorted keys + block numbers) at the current position.

    The layout is kent's (trackpack.bbi.bptree.write_bptree, which this reproduces byte
    for byte): header, index levels top down, then leaves of ``block_size`` slots, unused
    slots zero.  Returns the bytes written.
    """
    count = rows.count
    key_size = rows.key_size
    val_size = OFFSET_SIZE_VALUE.size
    start = out.tell()
    write_bptree_index(out, count, rows.key, block_size, key_size, val_size, order)
    item = key_size + val_size
    full_head = np.frombuffer(NODE_HEADER.pack(order, 1, 0, block_size), dtype=np.uint8)
    step = block_size * _LEAVES_PER_SLICE
    for first in range(0, count, step):
        chunk = rows.rows(first, min(first + step, count), values)
        full = len(chunk) // block_size
        if full:
            body = chunk[: full * block_size].reshape(full, block_size * item)
            out.write(np.hstack([np.broadcast_to(full_head, (full, NODE_HEADER.size)), body]).tobytes())
        rest = len(chunk) - full * block_size
        if rest:
            out.write(NODE_HEADER.pack(order, 1, 0, rest) + chunk[full * block_size :].tobytes()
                      + b"\0" * ((block_size - rest) * item))
    return out.tell() - start
