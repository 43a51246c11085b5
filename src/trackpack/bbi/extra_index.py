"""Extra indexes of a bigBed (kent's -extraIndex): collect keys, sort them, write B+ trees.

An extra index maps the value of one ``string`` column to the (offset, size) of the data
block holding the item.  As kent writes it (bedToBigBed.c, restated): one entry per item,
keys sorted byte-wise (strcmp) with equal keys in item order, the key size being the
longest value, and the tree's fan-out the -blockSize.

How the keys are kept, with bounded memory and no Python object per key:

- During the data pass each block's keys arrive back to back with their lengths
  (:meth:`KeyIndex.add_block`).  They are held as they came until the memory budget would
  be exceeded by sorting them; then the batch is sorted and spilled as one *run*.
- Sorting works on rows of ``key NUL-padded to the batch's longest key`` + ``block number
  (big-endian u32)``: byte-wise order of such rows is (key as strcmp orders it, block
  number), because keys hold no NUL (the tokenizer refuses NUL bytes).  Equal keys in the
  same block give equal tree entries, so this order yields kent's bytes, and the sort
  need not be stable: numpy sorts the rows in place as fixed-width byte strings.
- Runs go to one temporary file as zstd-compressed frames of about :data:`FRAME_BYTES`.
  At the end they are merged in vectorized steps: every run contributes its rows up to
  the smallest "last row in memory" among runs that have more to read, and those rows are
  sorted together (numpy's stable sort finds the sorted runs in them).  More runs than
  fit the budget are first merged in groups.
- :func:`write_index_tree` streams the merged rows into the tree's leaves, reserving room
  for the index levels (their size depends only on the counts) and writing them last from
  the first key of every leaf.  Only one key per leaf is kept in memory.
"""
from __future__ import annotations

import os
import tempfile
from typing import BinaryIO, Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from .._kernels import load as load_kernel
from .bptree import write_bptree_index
from .layout import NODE_HEADER, OFFSET_SIZE_VALUE

__all__ = ["KeyIndex", "SortedKeys", "value_table", "write_index_tree", "FRAME_BYTES"]

#: uncompressed bytes per frame of a spilled run (the unit read back while merging)
FRAME_BYTES = 1 << 18
#: rows handed out per chunk by an in-memory run
_CHUNK_ROWS = 1 << 16
#: leaves written per slice (times the block size)
_LEAVES_PER_SLICE = 64
#: bytes held per add_block call besides the keys (tuple, array header, list slot)
_PART_OVERHEAD = 200
#: bytes of a block-number column (big-endian u32) at the end of each row
_BLOCK_BYTES = 4


def value_table(positions: Sequence[Tuple[int, int]], base: int, order: str) -> np.ndarray:
    """Packed (offset u64, size u64) values, one row of 16 bytes per data block."""
    pairs = np.array([(base + off, size) for off, size in positions], dtype=np.uint64).reshape(-1, 2)
    return pairs.astype(np.dtype(np.uint64).newbyteorder(order)).view(np.uint8).reshape(-1, OFFSET_SIZE_VALUE.size)


def _row_view(rows: np.ndarray) -> np.ndarray:
    """(n, w) uint8 rows as a 1-d array of ``S{w}`` strings sharing their memory."""
    return rows.view(f"S{rows.shape[1]}").reshape(-1)


def _widen(rows: np.ndarray, key_width: int) -> np.ndarray:
    """Rows of a narrower key (+ block number) re-padded to keys of ``key_width`` bytes."""
    width = rows.shape[1] - _BLOCK_BYTES
    if width == key_width:
        return rows
    out = np.zeros((len(rows), key_width + _BLOCK_BYTES), dtype=np.uint8)
    out[:, :width] = rows[:, :width]
    out[:, key_width:] = rows[:, width:]
    return out


def _compressor():
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency; stay usable without it
        return None, None
    return zstandard.ZstdCompressor(level=1), zstandard.ZstdDecompressor()


class _Run:
    """One sorted run: rows in memory, or frames in the spill file (offset, stored size, rows)."""

    __slots__ = ("width", "count", "rows", "frames")

    def __init__(self, width: int) -> None:
        self.width = width  # key bytes per row in this run (the row adds the block number)
        self.count = 0
        self.rows: Optional[np.ndarray] = None
        self.frames: List[Tuple[int, int, int]] = []


class _SpillFile:
    """The temporary file holding every spilled run, as independently compressed frames."""

    def __init__(self, tmp_dir: Optional[str]) -> None:
        self.file = tempfile.TemporaryFile(prefix="trackpack-index-", dir=tmp_dir)
        self.size = 0
        self._cctx, self._dctx = _compressor()

    def write_run(self, rows: Iterator[np.ndarray], width: int) -> _Run:
        """Store sorted rows (given in order, in pieces) as a new run."""
        run = _Run(width)
        row_bytes = width + _BLOCK_BYTES
        per_frame = max(1, FRAME_BYTES // row_bytes)
        pending: List[np.ndarray] = []
        held = 0

        def flush(upto: int) -> None:
            nonlocal pending, held
            block = np.concatenate(pending) if len(pending) > 1 else pending[0]
            for at in range(0, upto, per_frame):
                self._frame(run, block[at : min(at + per_frame, upto)])
            pending = [block[upto:]] if upto < len(block) else []
            held = len(block) - upto

        for piece in rows:
            if not len(piece):
                continue
            pending.append(piece)
            held += len(piece)
            if held >= per_frame:
                flush(held // per_frame * per_frame)
        if held:
            flush(held)
        return run

    def _frame(self, run: _Run, rows: np.ndarray) -> None:
        data = np.ascontiguousarray(rows).tobytes()
        stored = self._cctx.compress(data) if self._cctx is not None else data
        self.file.seek(self.size)
        self.file.write(stored)
        run.frames.append((self.size, len(stored), len(rows)))
        run.count += len(rows)
        self.size += len(stored)

    def frames(self, run: _Run, key_width: int) -> Iterator[np.ndarray]:
        """The run's rows frame by frame, keys widened to ``key_width``."""
        self.file.flush()
        row_bytes = run.width + _BLOCK_BYTES
        for offset, stored, count in run.frames:
            data = os.pread(self.file.fileno(), stored, offset)
            if len(data) != stored:
                raise OSError("temporary index file is truncated")
            if self._dctx is not None:
                data = self._dctx.decompress(data, max_output_size=count * row_bytes)
            if len(data) != count * row_bytes:
                raise OSError("temporary index file is corrupt")
            yield _widen(np.frombuffer(data, dtype=np.uint8).reshape(count, row_bytes), key_width)

    def close(self) -> None:
        self.file.close()


def _memory_chunks(rows: np.ndarray) -> Iterator[np.ndarray]:
    for at in range(0, len(rows), _CHUNK_ROWS):
        yield rows[at : at + _CHUNK_ROWS]


class _Stream:
    """A sorted row stream with its current piece (``head``) and a look at the next one."""

    __slots__ = ("_pieces", "head", "_next")

    def __init__(self, pieces: Iterator[np.ndarray]) -> None:
        self._pieces = pieces
        self.head: Optional[np.ndarray] = next(pieces, None)
        self._next = next(pieces, None) if self.head is not None else None

    @property
    def last_piece(self) -> bool:
        return self._next is None

    def advance(self) -> None:
        self.head = self._next
        self._next = next(self._pieces, None) if self.head is not None else None


def _merge(sources: List[Iterator[np.ndarray]], row_bytes: int) -> Iterator[np.ndarray]:
    """Merge sorted row streams (each yields sorted pieces of equal-width rows)."""
    streams = [_Stream(source) for source in sources]
    dtype = np.dtype(f"S{row_bytes}")
    while True:
        live = [s for s in streams if s.head is not None]
        if len(live) <= 1:
            while live and live[0].head is not None:
                yield live[0].head
                live[0].advance()
            return
        # rows up to the smallest last row in memory among streams with more to come are
        # final: nothing read later sorts before them
        bounds = [s.head[-1].tobytes() for s in live if not s.last_piece]  # type: ignore[index]
        bound = np.array(min(bounds), dtype=dtype) if bounds else None
        parts = []
        for s in live:
            head = s.head
            take = len(head) if bound is None else int(np.searchsorted(_row_view(head), bound, side="right"))
            if take:
                parts.append(head[:take])
            if take == len(head):
                s.advance()
            else:
                s.head = head[take:]
        if len(parts) == 1:
            yield parts[0]
            continue
        merged = np.concatenate(parts)
        _row_view(merged).sort(kind="stable")  # sorted runs side by side: timsort merges them
        yield merged


class SortedKeys:
    """The sorted keys of one index, read once in pieces (see :meth:`KeyIndex.sorted_keys`).

    Attributes:
        count: number of keys.  key_size: bytes per key (the longest key).
    """

    def __init__(self, count: int, key_size: int, pieces: Iterator[np.ndarray],
                 on_close: Optional[Callable[[], None]] = None) -> None:
        self.count = count
        self.key_size = key_size
        self._pieces = pieces
        self._on_close = on_close

    def __iter__(self) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
        """(keys as (n, key_size) NUL-padded uint8 rows, block numbers as uint32) per piece."""
        for rows in self._pieces:
            keys = rows[:, : self.key_size]
            blocks = np.ascontiguousarray(rows[:, self.key_size :]).view(">u4").reshape(-1).astype(np.uint32)
            yield keys, blocks

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


class KeyIndex:
    """The keys of one extra index, collected block by block during the data pass.

    ``memory_limit`` bounds what the keys take in memory, sorting included; beyond it
    sorted runs go to a temporary file in ``tmp_dir``.
    """

    def __init__(self, *, memory_limit: int, tmp_dir: Optional[str] = None) -> None:
        if memory_limit < 1:
            raise ValueError("memory_limit must be positive")
        self.memory_limit = memory_limit
        self.tmp_dir = tmp_dir
        self._parts: List[Tuple[int, bytes, np.ndarray]] = []
        self._held = 0
        self._batch_count = 0
        self._batch_width = 0
        self.count = 0
        self.max_len = 0
        self._runs: List[_Run] = []
        self._spill: Optional[_SpillFile] = None

    @property
    def spilled(self) -> bool:
        """True once any keys went to a temporary file."""
        return self._spill is not None

    @property
    def runs(self) -> int:
        """Sorted runs spilled so far."""
        return len(self._runs)

    def _sort_cost(self, count: int, width: int, held: int) -> int:
        # the parts, their keys joined, the padded rows, and the lengths/blocks arrays
        return held + held + count * (width + _BLOCK_BYTES + 8)

    def add_block(self, block_no: int, keys: bytes, lengths: bytes) -> None:
        """The keys of data block ``block_no``: their bytes back to back, native u32 lengths."""
        lens = np.frombuffer(lengths, dtype=np.uint32)
        if not len(lens):
            return
        longest = int(lens.max())
        count = self._batch_count + len(lens)
        width = max(self._batch_width, longest)
        held = self._held + len(keys) + len(lengths) + _PART_OVERHEAD
        if self._parts and self._sort_cost(count, width, held) > self.memory_limit:
            self._spill_batch()
            count, width, held = len(lens), longest, len(keys) + len(lengths) + _PART_OVERHEAD
        self._parts.append((block_no, keys, lens))
        self._batch_count, self._batch_width, self._held = count, width, held
        self.count += len(lens)
        self.max_len = max(self.max_len, longest)

    def _sorted_batch(self) -> np.ndarray:
        """The held keys as sorted rows (key padded to the batch's width + block number)."""
        parts, self._parts = self._parts, []
        width = self._batch_width
        self._held = self._batch_count = self._batch_width = 0
        if not parts:
            return np.zeros((0, width + _BLOCK_BYTES), dtype=np.uint8)
        lens = np.concatenate([p[2] for p in parts])
        blocks = np.repeat(np.array([p[0] for p in parts], dtype=">u4"), [len(p[2]) for p in parts])
        blob = b"".join([p[1] for p in parts])
        del parts
        row_bytes = width + _BLOCK_BYTES
        padded = load_kernel("bedtok").pad_keys(blob, lens, row_bytes)  # a bytearray: writable
        del blob
        rows = np.frombuffer(padded, dtype=np.uint8).reshape(len(lens), row_bytes)
        rows[:, width:] = blocks.view(np.uint8).reshape(-1, _BLOCK_BYTES)
        # block order is item order, so the rows are mostly in runs already: timsort
        _row_view(rows).sort(kind="stable")
        return rows

    def _spill_batch(self) -> None:
        width = self._batch_width
        rows = self._sorted_batch()
        if self._spill is None:
            self._spill = _SpillFile(self.tmp_dir)
        self._runs.append(self._spill.write_run(iter([rows]), width))

    def sorted_keys(self) -> SortedKeys:
        """All keys in tree order, to read once (then close() the result)."""
        key_size = self.max_len
        if self._spill is None:
            rows = _widen(self._sorted_batch(), key_size)
            return SortedKeys(self.count, key_size, _memory_chunks(rows))
        if self._parts:
            self._spill_batch()
        spill = self._spill
        row_bytes = key_size + _BLOCK_BYTES
        # merge in groups while the runs' frames (read, widened, merged) would pass the budget
        fan_in = max(2, self.memory_limit // (4 * FRAME_BYTES))
        runs = self._runs
        while len(runs) > fan_in:
            grouped = []
            for i in range(0, len(runs), fan_in):
                group = runs[i : i + fan_in]
                if len(group) == 1:
                    grouped.append(group[0])
                else:
                    merged = _merge([spill.frames(r, key_size) for r in group], row_bytes)
                    grouped.append(spill.write_run(merged, key_size))
            runs = grouped
        self._runs = runs
        pieces = _merge([spill.frames(r, key_size) for r in runs], row_bytes)
        return SortedKeys(self.count, key_size, pieces, on_close=self.close)

    def close(self) -> None:
        """Drop everything held and remove the temporary file."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._runs = []
        self._parts = []


class _Counter:
    """Counts what would be written (to size the index levels before writing them)."""

    def __init__(self, at: int) -> None:
        self.at = at

    def write(self, data: bytes) -> int:
        self.at += len(data)
        return len(data)

    def tell(self) -> int:
        return self.at


def write_index_tree(out: BinaryIO, keys: SortedKeys, values: np.ndarray, block_size: int, order: str,
                     progress: Optional[Callable[[int], None]] = None) -> int:
    """Write the B+ tree of ``keys`` (sorted keys + block numbers) at the current position.

    ``out`` must be seekable.  The layout is kent's (trackpack.bbi.bptree.write_bptree,
    which this reproduces byte for byte): header, index levels top down, then leaves of
    ``block_size`` slots, unused slots zero.  The leaves are written first, behind room
    reserved for the header and index levels, which follow from the first key of each
    leaf.  ``progress(n)`` is called as keys are written.  Returns the bytes written.
    """
    count = keys.count
    key_size = keys.key_size
    val_size = OFFSET_SIZE_VALUE.size
    start = out.tell()
    sizing = _Counter(start)
    write_bptree_index(sizing, count, lambda j: b"", block_size, key_size, val_size, order)  # type: ignore[arg-type]
    leaves_at = sizing.tell()
    out.seek(leaves_at)

    item = key_size + val_size
    full_head = np.frombuffer(NODE_HEADER.pack(order, 1, 0, block_size), dtype=np.uint8)
    step = block_size * _LEAVES_PER_SLICE
    leaf_keys: List[np.ndarray] = []
    pending: List[np.ndarray] = []
    held = 0
    written = 0

    def emit(rows: np.ndarray) -> None:
        nonlocal written
        full = len(rows) // block_size
        if full:
            body = rows[: full * block_size].reshape(full, block_size * item)
            out.write(np.hstack([np.broadcast_to(full_head, (full, NODE_HEADER.size)), body]).tobytes())
        rest = len(rows) - full * block_size
        if rest:
            out.write(NODE_HEADER.pack(order, 1, 0, rest) + rows[full * block_size :].tobytes()
                      + b"\0" * ((block_size - rest) * item))
        leaf_keys.append(rows[::block_size, :key_size].copy())
        written += len(rows)
        if progress is not None:
            progress(len(rows))

    for piece_keys, piece_blocks in keys:
        if not len(piece_keys):
            continue
        pending.append(np.hstack([piece_keys, values[piece_blocks]]))
        held += len(piece_keys)
        if held >= step:
            rows = np.concatenate(pending) if len(pending) > 1 else pending[0]
            cut = held // block_size * block_size
            emit(rows[:cut])
            pending = [rows[cut:]] if cut < held else []
            held -= cut
    if held:
        emit(np.concatenate(pending) if len(pending) > 1 else pending[0])
    if written != count:
        raise RuntimeError(f"extra index: {written} keys written, {count} expected")
    end = out.tell()

    first_keys = np.concatenate(leaf_keys) if leaf_keys else np.zeros((0, key_size), dtype=np.uint8)
    out.seek(start)
    write_bptree_index(out, count, lambda j: first_keys[j // block_size].tobytes(), block_size, key_size,
                       val_size, order)
    if out.tell() != leaves_at:
        raise RuntimeError("extra index: the index levels did not fill the room reserved for them")
    out.seek(end)
    return end - start
