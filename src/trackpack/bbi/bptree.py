"""B+ tree of fixed-size keys: the chromosome index and bigBed extra indexes.

Standard library only (the reader side is on the pure-Python import path).

Layout (kent src/inc/bPlusTree.h; formats.md "B+ tree"): a 32-byte header, then nodes of
``block_size`` slots each.  A node is ``is_leaf u8, reserved u8, count u16`` followed by
``count`` items - key (``key_size`` bytes, NUL padded) plus value (leaf, ``val_size``
bytes) or child offset (internal, u64) - and zero-filled unused slots.  The tree is built
bottom-up from keys sorted byte-wise and written top level first, so child nodes always
follow their parents.  Keys may repeat (extra indexes): a search returns every match.
"""
from __future__ import annotations

import struct
from bisect import bisect_left, bisect_right
from typing import BinaryIO, Callable, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ..errors import FormatError
from .layout import BPT_HEADER, BPT_MAGIC, NODE_HEADER

__all__ = ["BPlusTree", "write_bptree", "write_bptree_index", "bptree_size", "pad_key"]

ReadFn = Callable[[int, int, str], bytes]

#: Deeper than any real tree (a 2-slot tree of 2^64 items has 64 levels): a corrupt file
#: whose child offsets loop is stopped here rather than recursing forever.
MAX_DEPTH = 64
#: No node of a sane tree is this large (65,535 slots of 4 KB keys); a corrupt key size
#: must not make us allocate gigabytes of a large file.
MAX_NODE_BYTES = 1 << 28


def pad_key(key: bytes, key_size: int) -> bytes:
    """``key`` NUL-padded to ``key_size`` bytes (the on-disk form)."""
    return key + b"\0" * (key_size - len(key))


class BPlusTree:
    """Read side: look up keys in a B+ tree stored at ``offset`` of a file.

    Args:
        read: ``read(offset, size, what) -> bytes`` returning exactly ``size`` bytes or
            raising FormatError (e.g. :meth:`trackpack.files.RandomAccess.read`).
        offset: file offset of the tree header.
        order: byte order of the file, "<" or ">".
        name: file name for error messages.
    """

    def __init__(self, read: ReadFn, offset: int, order: str, name: str = "") -> None:
        self._read = read
        self.order = order
        self.name = name
        self.offset = offset
        magic, block_size, key_size, val_size, item_count = BPT_HEADER.unpack(
            order, read(offset, BPT_HEADER.size, "B+ tree header")
        )
        if magic != BPT_MAGIC:
            raise FormatError(
                "not a B+ tree (bad magic number)",
                path=name,
                offset=offset,
                expected=hex(BPT_MAGIC),
                found=hex(magic),
            )
        if item_count and (block_size < 1 or key_size < 1):
            raise FormatError(
                f"B+ tree header is corrupt: block size {block_size}, key size {key_size}",
                path=name,
                offset=offset,
            )
        self.block_size = block_size
        self.key_size = key_size
        self.val_size = val_size
        self.item_count = item_count
        self.root_offset = offset + BPT_HEADER.size

    def node(self, offset: int) -> Tuple[bool, List[Tuple[bytes, bytes]]]:
        """(is_leaf, [(key, value-or-child-offset-bytes), ...]) of the node at ``offset``."""
        is_leaf, _, count = NODE_HEADER.unpack(self.order, self._read(offset, NODE_HEADER.size, "B+ tree node"))
        if is_leaf > 1 or count > self.block_size:
            raise FormatError(
                f"corrupt B+ tree node (is_leaf={is_leaf}, count={count}, block size {self.block_size})",
                path=self.name,
                offset=offset,
            )
        width = self.key_size + (self.val_size if is_leaf else 8)
        if count * width > MAX_NODE_BYTES:
            raise FormatError(
                f"B+ tree node of {count} items of {width} bytes is larger than any valid node",
                path=self.name,
                offset=offset,
            )
        body = self._read(offset + NODE_HEADER.size, count * width, "B+ tree node items")
        k = self.key_size
        items = [(body[i : i + k], body[i + k : i + width]) for i in range(0, count * width, width)]
        return bool(is_leaf), items

    def _child(self, raw: bytes, at: int) -> int:
        child = int.from_bytes(raw, "little" if self.order == "<" else "big")
        if child <= at:
            # Writers put children after parents; anything else would let offsets loop.
            raise FormatError(
                f"B+ tree child offset {child} does not follow its parent node",
                path=self.name,
                offset=at,
            )
        return child

    def _search_key(self, key: bytes) -> Optional[bytes]:
        if len(key) > self.key_size:
            return None
        return pad_key(key, self.key_size)

    def find(self, key: bytes) -> Optional[bytes]:
        """Value of the first item whose key equals ``key`` (unpadded), or None."""
        padded = self._search_key(key)
        if padded is None or self.item_count == 0:
            return None
        offset = self.root_offset
        for _ in range(MAX_DEPTH):
            is_leaf, items = self.node(offset)
            if is_leaf:
                for k, v in items:
                    if k == padded:
                        return v
                return None
            if not items:
                return None
            chosen = items[0][1]
            for k, v in items[1:]:
                if padded < k:
                    break
                chosen = v
            offset = self._child(chosen, offset)
        raise FormatError("B+ tree is deeper than any valid tree", path=self.name, offset=offset)

    def find_all(self, key: bytes) -> List[bytes]:
        """Values of every item whose key equals ``key``, in tree order."""
        return self.find_many([key])

    def find_many(self, keys: Iterable[bytes], on_node: Optional[Callable[[], None]] = None) -> List[bytes]:
        """Values of every item whose key is one of ``keys`` (unpadded), in tree order.

        One walk for all keys: it goes down to a node only if some key may be under it,
        and visits each node at most once, so corrupt offsets (cycles, shared children)
        give a FormatError rather than a hang.  ``on_node`` is called per node read.
        """
        wanted = sorted({pad_key(key, self.key_size) for key in keys if len(key) <= self.key_size})
        found: List[bytes] = []
        if not wanted or self.item_count == 0:
            return found
        wanted_set = set(wanted)
        seen: Set[int] = set()
        stack = [(self.root_offset, 0, 0, len(wanted))]  # node, depth, wanted[lo:hi] under it
        while stack:
            offset, depth, lo, hi = stack.pop()
            if depth >= MAX_DEPTH or offset in seen:
                raise FormatError(
                    "B+ tree node reached twice: child offsets form a cycle or are shared",
                    path=self.name,
                    offset=offset,
                )
            seen.add(offset)
            if on_node is not None:
                on_node()
            is_leaf, items = self.node(offset)
            if is_leaf:
                found.extend([v for k, v in items if k in wanted_set])
                continue
            # Child i holds keys from items[i].key up to items[i+1].key inclusive (equal
            # keys can straddle a node boundary), the last child every key from its own on.
            children = []
            for i, (k, v) in enumerate(items):
                first = bisect_left(wanted, k, lo, hi)
                last = hi if i + 1 == len(items) else bisect_right(wanted, items[i + 1][0], first, hi)
                if first < last:
                    children.append((self._child(v, offset), depth + 1, first, last))
            stack.extend(reversed(children))
        return found

    def items(self) -> Iterator[Tuple[bytes, bytes]]:
        """Every (key, value) in key order; keys keep their NUL padding."""
        if self.item_count == 0:
            return
        seen: Set[int] = set()
        stack: List[Tuple[int, int]] = [(self.root_offset, 0)]
        while stack:
            offset, depth = stack.pop()
            if offset in seen or depth >= MAX_DEPTH:
                raise FormatError(
                    "B+ tree node reached twice: child offsets form a cycle or are shared",
                    path=self.name,
                    offset=offset,
                )
            seen.add(offset)
            is_leaf, items = self.node(offset)
            if is_leaf:
                yield from items
            else:
                stack.extend((self._child(v, offset), depth + 1) for _, v in reversed(items))


# --- write side ------------------------------------------------------------------------------


def _levels(block_size: int, count: int) -> int:
    levels = 1
    while count > block_size:
        count = (count + block_size - 1) // block_size
        levels += 1
    return levels


def bptree_size(count: int, block_size: int, key_size: int, val_size: int) -> int:
    """Bytes :func:`write_bptree` will write for ``count`` items (header included)."""
    size = BPT_HEADER.size
    index_node = NODE_HEADER.size + block_size * (key_size + 8)
    leaf_node = NODE_HEADER.size + block_size * (key_size + val_size)
    for level in range(_levels(block_size, count) - 1, 0, -1):
        per_node = block_size ** (level + 1)
        size += ((count + per_node - 1) // per_node) * index_node
    if count:
        size += ((count + block_size - 1) // block_size) * leaf_node
    return size


def write_bptree_index(
    out: BinaryIO,
    count: int,
    key_at: Callable[[int], bytes],
    block_size: int,
    key_size: int,
    val_size: int,
    order: str,
) -> None:
    """Write a B+ tree's header and index levels, everything but the leaves.

    ``key_at(j)`` returns the key of item ``j`` (padded or not); only every
    ``block_size``-th key is asked for.  The caller then writes the leaf level: one node per
    ``block_size`` items, each ``NODE_HEADER`` + ``block_size`` slots of key + value,
    unused slots zero (see :func:`write_bptree`).  Child offsets are absolute, computed
    from ``out.tell()``.
    """
    if count and block_size < 1:  # kent writes block size 0 for an empty tree
        raise ValueError("B+ tree block size must be at least 1")
    out.write(BPT_HEADER.pack(order, BPT_MAGIC, block_size, key_size, val_size, count))
    index_node = NODE_HEADER.size + block_size * (key_size + 8)
    leaf_node = NODE_HEADER.size + block_size * (key_size + val_size)
    pack_child = struct.Struct(order + "Q").pack
    level_start = out.tell()
    for level in range(_levels(block_size, count) - 1, 0, -1):
        slot_span = block_size**level  # items under one slot of a node at this level
        node_span = slot_span * block_size  # items under one node
        node_count = (count + node_span - 1) // node_span
        next_child = level_start + node_count * index_node
        child_size = leaf_node if level == 1 else index_node
        for first in range(0, count, node_span):
            slots = range(first, min(first + node_span, count), slot_span)
            parts = [NODE_HEADER.pack(order, 0, 0, len(slots))]
            for j in slots:
                parts.append(pad_key(key_at(j), key_size))
                parts.append(pack_child(next_child))
                next_child += child_size
            parts.append(b"\0" * ((block_size - len(slots)) * (key_size + 8)))
            out.write(b"".join(parts))
        level_start = out.tell()


def write_bptree(
    out: BinaryIO,
    items: Sequence[Tuple[bytes, bytes]],
    block_size: int,
    key_size: int,
    val_size: int,
    order: str,
) -> int:
    """Write a B+ tree of ``items`` (sorted by key) at the current position of ``out``.

    ``items`` needs only ``len`` and indexing, so a lazily backed sequence works.  Keys are
    NUL-padded to ``key_size``; values must be ``val_size`` bytes.  Returns the number of
    bytes written.  Matches kent's layout: top level first, every node ``block_size``
    slots, unused slots zero-filled; an empty tree is the header alone.
    """
    count = len(items)
    start = out.tell()
    write_bptree_index(out, count, lambda j: items[j][0], block_size, key_size, val_size, order)
    for first in range(0, count, max(block_size, 1)):
        chunk = [items[j] for j in range(first, min(first + block_size, count))]
        for key, value in chunk:
            if len(key) > key_size or len(value) != val_size:
                raise ValueError(f"B+ tree item {key!r} does not fit key size {key_size} / value size {val_size}")
        out.write(
            NODE_HEADER.pack(order, 1, 0, len(chunk))
            + b"".join([key.ljust(key_size, b"\0") + value for key, value in chunk])
            + b"\0" * ((block_size - len(chunk)) * (key_size + val_size))
        )
    return out.tell() - start
