"""Chromosome-id R-tree ("cirTree"): the index from genomic ranges to data blocks.

Standard library only (the reader side is on the pure-Python import path).

Layout (kent src/inc/cirTree.h; formats.md "R-tree"): a 48-byte header, then nodes of
``block_size`` slots.  Keys are (chromIx, base) pairs compared lexicographically.  A leaf
item is the bounds of one data block plus its file offset and size; an internal item is
the bounds of a child node plus the child's offset.  Every node's bounds cover the
maximum end beneath it.  Nodes are written top level first.
"""
from __future__ import annotations

import itertools
import struct
import threading
from bisect import bisect_left, bisect_right
from typing import BinaryIO, Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from ..errors import FormatError
from .layout import CIR_HEADER, CIR_INDEX_ITEM, CIR_LEAF_ITEM, CIR_MAGIC, NODE_HEADER

__all__ = ["RTree", "RNode", "write_rtree", "rtree_size", "BlockBounds"]

ReadFn = Callable[[int, int, str], bytes]
#: (start_chrom_ix, start_base, end_chrom_ix, end_base, data_offset, data_size)
BlockBounds = Tuple[int, int, int, int, int, int]

MAX_DEPTH = 64  # far deeper than any real tree; stops offset cycles in corrupt files
NODE_CACHE_LIMIT = 8192  # parsed nodes kept per tree (upper levels are reused by every query)


class RNode(NamedTuple):
    """A parsed R-tree node, with keys prepared for bisection.

    ``items`` are (start_chrom, start_base, end_chrom, end_base, offset[, size]) tuples
    (leaf items carry the data block size).  Keys pack a (chromIx, base) pair into one
    integer, ``chrom << 32 | base``, so pairs compare as integers.  ``hi_max`` is the
    running maximum of ``hi_keys``; ``ordered`` says the start keys ascend, as every
    writer lays nodes out, which lets a search bisect instead of scanning.
    """

    is_leaf: bool
    items: List[tuple]
    lo_keys: List[int]
    hi_keys: List[int]
    hi_max: List[int]
    ordered: bool


class RTree:
    """Read side: find the data blocks that may hold items in a range.

    Args:
        read: ``read(offset, size, what) -> bytes`` returning exactly ``size`` bytes or
            raising FormatError (e.g. :meth:`trackpack.files.RandomAccess.read`).
        offset: file offset of the R-tree header.
        order: byte order of the file, "<" or ">".
        name: file name for error messages.

    Searches visit each node at most once and stop at :data:`MAX_DEPTH`, so corrupt child
    offsets (cycles, shared children) give a FormatError, never a hang.  Parsed nodes are
    cached (upper levels are shared by every query); the cache is thread-safe.
    """

    def __init__(self, read: ReadFn, offset: int, order: str, name: str = "") -> None:
        self._read = read
        self.order = order
        self.name = name
        self.offset = offset
        fields = CIR_HEADER.unpack(order, read(offset, CIR_HEADER.size, "R-tree header"))
        magic = fields[0]
        if magic != CIR_MAGIC:
            raise FormatError(
                "not an R-tree index (bad magic number)",
                path=name,
                offset=offset,
                expected=hex(CIR_MAGIC),
                found=hex(magic),
            )
        (
            _,
            self.block_size,
            self.item_count,
            self.start_chrom_ix,
            self.start_base,
            self.end_chrom_ix,
            self.end_base,
            self.end_file_offset,
            self.items_per_slot,
        ) = fields
        if self.item_count and self.block_size < 1:
            raise FormatError("R-tree block size is 0", path=name, offset=offset)
        self.root_offset = offset + CIR_HEADER.size
        self._leaf = struct.Struct(order + CIR_LEAF_ITEM.fmt)
        self._index = struct.Struct(order + CIR_INDEX_ITEM.fmt)
        self._cache: Dict[int, RNode] = {}
        self._cache_lock = threading.Lock()

    def node(self, offset: int) -> RNode:
        """The node at ``offset``, parsed (and cached)."""
        cached = self._cache.get(offset)
        if cached is not None:
            return cached
        is_leaf, _, count = NODE_HEADER.unpack(self.order, self._read(offset, NODE_HEADER.size, "R-tree node"))
        if is_leaf > 1 or count > self.block_size:
            raise FormatError(
                f"corrupt R-tree node (is_leaf={is_leaf}, count={count}, block size {self.block_size})",
                path=self.name,
                offset=offset,
            )
        item = self._leaf if is_leaf else self._index
        body = self._read(offset + NODE_HEADER.size, count * item.size, "R-tree node items")
        items = list(item.iter_unpack(body))
        lo_keys = [(it[0] << 32) | it[1] for it in items]
        hi_keys = [(it[2] << 32) | it[3] for it in items]
        hi_max = list(itertools.accumulate(hi_keys, max))
        node = RNode(bool(is_leaf), items, lo_keys, hi_keys, hi_max, lo_keys == sorted(lo_keys))
        with self._cache_lock:
            if len(self._cache) >= NODE_CACHE_LIMIT:
                self._cache.clear()
            self._cache[offset] = node
        return node

    def search(self, lo: int, hi: int) -> List[tuple]:
        """Leaf items whose key range meets ``lo..hi`` (inclusive packed keys), in file order."""
        if self.item_count == 0:
            return []
        out: List[tuple] = []
        seen: Set[int] = set()
        stack = [(self.root_offset, 0)]
        while stack:
            offset, depth = stack.pop()
            if depth >= MAX_DEPTH or offset in seen:
                raise FormatError("R-tree node reached twice: child offsets form a cycle or are shared", path=self.name, offset=offset)
            seen.add(offset)
            node = self._cache.get(offset) or self.node(offset)
            items, lo_keys, hi_keys = node.items, node.lo_keys, node.hi_keys
            if node.ordered:
                first = bisect_left(node.hi_max, lo)
                last = bisect_right(lo_keys, hi)
                hits = [items[i] for i in range(first, last) if hi_keys[i] >= lo]
            else:
                hits = [items[i] for i in range(len(items)) if lo_keys[i] <= hi and hi_keys[i] >= lo]
            if node.is_leaf:
                out += hits
                continue
            for it in reversed(hits):
                stack.append((self._check_child(it[4], offset), depth + 1))
        return out

    def find_items(self, chrom_ix: int, start: int, end: int, *, touching: bool = False) -> List[tuple]:
        """Leaf items (bounds, offset, size) of the blocks meeting ``chrom_ix:start-end``.

        By default overlap is strict on both sides, as kent's cirTree tests it.  With
        ``touching=True`` blocks that only touch the range count too (what a bigBed query
        for zero-length items at the range edges needs).
        """
        lo = (chrom_ix << 32) | start
        hi = (chrom_ix << 32) | end
        if not touching:
            lo += 1  # end key > lo   <=>  end key >= lo + 1
            hi -= 1  # start key < hi <=>  start key <= hi - 1
        return self.search(lo, hi)

    def find_blocks(self, chrom_ix: int, start: int, end: int) -> List[Tuple[int, int]]:
        """(offset, size) of every leaf block whose bounds overlap ``chrom_ix:start-end``
        strictly, as kent's cirTree does; callers wanting edge-touching blocks pad."""
        return [(it[4], it[5]) for it in self.find_items(chrom_ix, start, end)]

    def _check_child(self, child: int, parent: int) -> int:
        if child <= parent:
            raise FormatError(
                f"R-tree child offset {child} does not follow its parent node",
                path=self.name,
                offset=parent,
            )
        return child

    def all_items(self) -> List[tuple]:
        """Every leaf item, in file order."""
        return self.search(0, (1 << 64) - 1)

    def all_blocks(self) -> List[Tuple[int, int]]:
        """(offset, size) of every leaf block, in file order."""
        return [(it[4], it[5]) for it in self.all_items()]


# --- write side ------------------------------------------------------------------------------


def _group_levels(blocks: Sequence[BlockBounds], block_size: int) -> List[List[tuple]]:
    """Nodes of every level, root level first.

    Each node is (bounds, children) where bounds = (sc, sb, ec, eb) and children are the
    indexes of its children in the level below (for the lowest node level: block indexes).
    """
    entries = [((b[0], b[1]), (b[2], b[3])) for b in blocks]
    levels: List[List[tuple]] = []
    while True:
        nodes = []
        for first in range(0, len(entries), block_size):
            group = entries[first : first + block_size]
            lo = min(e[0] for e in group)
            hi = max(e[1] for e in group)
            nodes.append(((lo, hi), range(first, first + len(group))))
        levels.append(nodes)
        if len(nodes) == 1:
            break
        entries = [n[0] for n in nodes]
    levels.reverse()
    return levels


def rtree_size(block_count: int, block_size: int) -> int:
    """Bytes :func:`write_rtree` will write for ``block_count`` leaf blocks."""
    size = CIR_HEADER.size
    if block_count == 0:
        return size
    index_node = NODE_HEADER.size + block_size * CIR_INDEX_ITEM.size
    count = block_count
    node_counts = []
    while True:
        count = (count + block_size - 1) // block_size
        node_counts.append(count)
        if count == 1:
            break
    leaves = node_counts[0]
    size += sum(node_counts[1:]) * index_node
    size += leaves * (NODE_HEADER.size + block_size * CIR_LEAF_ITEM.size)
    last_used = block_count - (leaves - 1) * block_size
    # kent pads the unused slots of leaf nodes with index-sized (24-byte) slots; only the
    # last leaf can be partly used, so only it comes out shorter.
    size -= (block_size - last_used) * (CIR_LEAF_ITEM.size - CIR_INDEX_ITEM.size)
    return size


def write_rtree(
    out: BinaryIO,
    blocks: Sequence[BlockBounds],
    block_size: int,
    items_per_slot: int,
    end_file_offset: int,
    order: str,
    *,
    item_count: Optional[int] = None,
) -> int:
    """Write an R-tree over ``blocks`` (in file order) at the current position of ``out``.

    ``blocks`` holds one (start_chrom_ix, start_base, end_chrom_ix, end_base, offset,
    size) per data block, where end_base is the maximum end of the block's items.
    ``items_per_slot`` is recorded in the header, and so is ``item_count`` (default: the
    number of blocks; kent's zoom indexes record their number of zoom records instead).
    Returns the bytes written.  The layout matches kent's: index levels top down, then
    leaves; an empty tree is the header alone.
    """
    if block_size < 2:
        raise ValueError("R-tree block size must be at least 2")
    start = out.tell()
    count = len(blocks) if item_count is None else item_count
    if not blocks:
        out.write(CIR_HEADER.pack(order, CIR_MAGIC, block_size, count, 0, 0, 0, 0, end_file_offset, items_per_slot))
        return out.tell() - start
    levels = _group_levels(blocks, block_size)
    (lo, hi), _ = levels[0][0]
    out.write(
        CIR_HEADER.pack(
            order, CIR_MAGIC, block_size, count, lo[0], lo[1], hi[0], hi[1], end_file_offset, items_per_slot
        )
    )
    index_node = NODE_HEADER.size + block_size * CIR_INDEX_ITEM.size
    leaf_node = NODE_HEADER.size + block_size * CIR_LEAF_ITEM.size
    pack_index = struct.Struct(order + CIR_INDEX_ITEM.fmt).pack
    pack_leaf = struct.Struct(order + CIR_LEAF_ITEM.fmt).pack
    level_offset = out.tell()
    for depth, nodes in enumerate(levels[:-1]):
        next_level_offset = level_offset + len(nodes) * index_node
        child_size = leaf_node if depth == len(levels) - 2 else index_node
        children = levels[depth + 1]
        for _, kids in nodes:
            parts = [NODE_HEADER.pack(order, 0, 0, len(kids))]
            for k in kids:
                (c_lo, c_hi), _ = children[k]
                parts.append(pack_index(c_lo[0], c_lo[1], c_hi[0], c_hi[1], next_level_offset + k * child_size))
            parts.append(b"\0" * ((block_size - len(kids)) * CIR_INDEX_ITEM.size))
            out.write(b"".join(parts))
        level_offset = next_level_offset
    for _, kids in levels[-1]:
        parts = [NODE_HEADER.pack(order, 1, 0, len(kids))]
        for k in kids:
            parts.append(pack_leaf(*blocks[k]))
        # kent pads unused leaf slots with index-sized slots; keep its bytes.
        parts.append(b"\0" * ((block_size - len(kids)) * CIR_INDEX_ITEM.size))
        out.write(b"".join(parts))
    return out.tell() - start
