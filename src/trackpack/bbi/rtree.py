"""Chromosome-id R-tree ("cirTree"): the index from genomic ranges to data blocks.

Standard library only (the reader side is on the pure-Python import path).

Layout (kent src/inc/cirTree.h; formats.md "R-tree"): a 48-byte header, then nodes of
``block_size`` slots.  Keys are (chromIx, base) pairs compared lexicographically.  A leaf
item is the bounds of one data block plus its file offset and size; an internal item is
the bounds of a child node plus the child's offset.  Every node's bounds cover the
maximum end beneath it.  Nodes are written top level first.
"""
from __future__ import annotations

import struct
import threading
from typing import BinaryIO, Callable, Dict, List, Sequence, Tuple

from ..errors import FormatError
from .layout import CIR_HEADER, CIR_INDEX_ITEM, CIR_LEAF_ITEM, CIR_MAGIC, NODE_HEADER

__all__ = ["RTree", "write_rtree", "rtree_size", "BlockBounds"]

ReadFn = Callable[[int, int, str], bytes]
#: (start_chrom_ix, start_base, end_chrom_ix, end_base, data_offset, data_size)
BlockBounds = Tuple[int, int, int, int, int, int]

MAX_DEPTH = 64  # far deeper than any real tree; stops offset cycles in corrupt files
NODE_CACHE_LIMIT = 8192  # parsed nodes kept per tree (upper levels are reused by every query)


class RTree:
    """Read side: find the data blocks that may hold items in a range.

    Args:
        read: ``read(offset, size, what) -> bytes`` returning exactly ``size`` bytes.
        offset: file offset of the R-tree header.
        order: byte order of the file, "<" or ">".
        name: file name for error messages.
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
        if self.block_size < 1:
            raise FormatError("R-tree block size is 0", path=name, offset=offset)
        self.root_offset = offset + CIR_HEADER.size
        self._leaf = struct.Struct(order + CIR_LEAF_ITEM.fmt)
        self._index = struct.Struct(order + CIR_INDEX_ITEM.fmt)
        self._cache: Dict[int, Tuple[bool, List[tuple]]] = {}
        self._cache_lock = threading.Lock()

    def _node(self, offset: int) -> Tuple[bool, List[tuple]]:
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
        node = (bool(is_leaf), list(item.iter_unpack(body)))
        with self._cache_lock:
            if len(self._cache) >= NODE_CACHE_LIMIT:
                self._cache.clear()
            self._cache[offset] = node
        return node

    def _check_child(self, child: int, parent: int) -> int:
        if child <= parent:
            raise FormatError(
                f"R-tree child offset {child} does not follow its parent node",
                path=self.name,
                offset=parent,
            )
        return child

    def find_blocks(self, chrom_ix: int, start: int, end: int) -> List[Tuple[int, int]]:
        """(offset, size) of every leaf block whose bounds overlap ``chrom_ix:start-end``.

        Overlap is strict on both sides, as kent's cirTree: callers that want items
        touching the range edges (zero-length bigBed items) pad the range themselves.
        """
        if self.item_count == 0:
            return []
        q_lo = (chrom_ix, start)
        q_hi = (chrom_ix, end)
        blocks: List[Tuple[int, int]] = []
        stack = [(self.root_offset, 0)]
        while stack:
            offset, depth = stack.pop()
            if depth >= MAX_DEPTH:
                raise FormatError("R-tree is deeper than any valid tree", path=self.name, offset=offset)
            is_leaf, items = self._node(offset)
            if is_leaf:
                for sc, sb, ec, eb, data_offset, data_size in items:
                    if q_lo < (ec, eb) and q_hi > (sc, sb):
                        blocks.append((data_offset, data_size))
            else:
                children = [
                    child
                    for sc, sb, ec, eb, child in items
                    if q_lo < (ec, eb) and q_hi > (sc, sb)
                ]
                for child in reversed(children):
                    stack.append((self._check_child(child, offset), depth + 1))
        return blocks

    def all_blocks(self) -> List[Tuple[int, int]]:
        """(offset, size) of every leaf block, in file order."""
        if self.item_count == 0:
            return []
        blocks: List[Tuple[int, int]] = []
        stack = [(self.root_offset, 0)]
        while stack:
            offset, depth = stack.pop()
            if depth >= MAX_DEPTH:
                raise FormatError("R-tree is deeper than any valid tree", path=self.name, offset=offset)
            is_leaf, items = self._node(offset)
            if is_leaf:
                blocks.extend((it[4], it[5]) for it in items)
            else:
                for it in reversed(items):
                    stack.append((self._check_child(it[4], offset), depth + 1))
        return blocks


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
) -> int:
    """Write an R-tree over ``blocks`` (in file order) at the current position of ``out``.

    ``blocks`` holds one (start_chrom_ix, start_base, end_chrom_ix, end_base, offset,
    size) per data block, where end_base is the maximum end of the block's items.
    ``items_per_slot`` is recorded in the header.  Returns the bytes written.  The layout
    matches kent's: index levels top down, then leaves; an empty tree is the header alone.
    """
    if block_size < 2:
        raise ValueError("R-tree block size must be at least 2")
    start = out.tell()
    if not blocks:
        out.write(CIR_HEADER.pack(order, CIR_MAGIC, block_size, 0, 0, 0, 0, 0, end_file_offset, items_per_slot))
        return out.tell() - start
    levels = _group_levels(blocks, block_size)
    (lo, hi), _ = levels[0][0]
    out.write(
        CIR_HEADER.pack(
            order, CIR_MAGIC, block_size, len(blocks), lo[0], lo[1], hi[0], hi[1], end_file_offset, items_per_slot
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
