"""Extra indexes (bbi/extra_index.py): sort order and tree bytes against plain references.

The reference for the tree is the shared write_bptree (kent's bytes, checked against kent's
files in test_bptree); the reference for the order is Python's stable sort of (key, block).
"""
import io
import random

import numpy as np
import pytest

from trackpack._kernels import load
from trackpack.bbi.bptree import write_bptree
from trackpack.bbi.extra_index import KeyIndex, value_table, write_index_tree
from trackpack.bbi.layout import OFFSET_SIZE_VALUE

bedtok = load("bedtok")


def random_blocks(rng, n_blocks, max_keys=20, alphabet="abcAB_.0123456789", dup=0.3):
    blocks = []
    pool = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(30)]
    for _ in range(n_blocks):
        keys = []
        for _ in range(rng.randrange(0, max_keys)):
            if rng.random() < dup:
                keys.append(rng.choice(pool))
            else:
                keys.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 25))))
        blocks.append([k.encode() for k in keys])
    return blocks


def collect(blocks, memory_limit):
    index = KeyIndex(memory_limit=memory_limit)
    for block_no, keys in enumerate(blocks):
        lengths = np.array([len(k) for k in keys], dtype=np.uint32).tobytes()
        index.add_block(block_no, b"".join(keys), lengths)
    return index


def reference_items(blocks, positions, base, order):
    items = [(k, b) for b, keys in enumerate(blocks) for k in keys]
    items.sort(key=lambda kb: kb[0])  # stable: equal keys keep item order
    return [(k, OFFSET_SIZE_VALUE.pack(order, base + positions[b][0], positions[b][1])) for k, b in items]


@pytest.mark.parametrize("seed", range(30))
def test_tree_bytes_equal_write_bptree(seed):
    rng = random.Random(seed)
    blocks = random_blocks(rng, rng.choice([0, 1, 3, 40, 200]))
    order = rng.choice("<>")
    block_size = rng.choice([2, 3, 4, 16, 256])
    positions = [(rng.randrange(10**9), rng.randrange(1, 10**5)) for _ in blocks]
    base = rng.randrange(10**6)
    items = reference_items(blocks, positions, base, order)
    key_size = max((len(k) for k, _ in items), default=0)
    want = io.BytesIO(b"before")  # offsets in the tree are absolute: start elsewhere than 0
    want.seek(0, io.SEEK_END)
    write_bptree(want, items, block_size, key_size, OFFSET_SIZE_VALUE.size, order)
    for memory in (1 << 30, 600, 200):  # in memory, and spilled in runs merged at the end
        index = collect(blocks, memory)
        if memory < 1000 and len(items) > 50:
            assert index.spilled
        keys = index.sorted_keys()
        got = io.BytesIO(b"before")
        got.seek(0, io.SEEK_END)
        counted = []
        try:
            size = write_index_tree(got, keys, value_table(positions, base, order), block_size, order,
                                    progress=counted.append)
        finally:
            keys.close()
            index.close()
        assert got.getvalue() == want.getvalue(), (memory, len(items), block_size)
        assert size == len(want.getvalue()) - 6
        assert sum(counted) == len(items)


def sorted_pairs(index):
    keys = index.sorted_keys()
    try:
        out = []
        for piece_keys, piece_blocks in keys:
            assert piece_keys.shape[1] == keys.key_size
            out.extend(zip((k.tobytes().rstrip(b"\0") for k in piece_keys), piece_blocks.tolist()))
        return out
    finally:
        keys.close()


def test_empty_keys_and_one_long_key():
    blocks = [[b"", b"", b"z" * 255], [b"", b"a"]]
    index = collect(blocks, 1 << 20)
    assert index.count == 5 and index.max_len == 255
    assert sorted_pairs(index) == [(b"", 0), (b"", 0), (b"", 1), (b"a", 1), (b"z" * 255, 0)]


@pytest.mark.parametrize("seed", range(12))
def test_merge_of_runs_equals_python_sort(seed, monkeypatch):
    """Runs of every width, many of them (merged in several passes), keys with any byte but NUL."""
    import trackpack.bbi.extra_index as extra_index

    rng = random.Random(seed)
    monkeypatch.setattr(extra_index, "FRAME_BYTES", rng.choice([64, 1000, 1 << 18]))
    monkeypatch.setattr(extra_index, "_CHUNK_ROWS", rng.choice([1, 7, 1 << 16]))
    alphabet = [bytes([b]) for b in (1, 2, 65, 66, 127, 128, 200, 255)]
    blocks = []
    for b in range(rng.randrange(1, 300)):
        width = rng.choice([0, 1, 3, 8, 30])  # runs differ in their longest key
        blocks.append([b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, width + 1)))
                       for _ in range(rng.randrange(0, 12))])
    want = sorted((k, b) for b, keys in enumerate(blocks) for k in keys)
    for memory in (1 << 30, rng.choice([300, 2000, 20000])):
        index = collect(blocks, memory)
        try:
            assert sorted_pairs(index) == want, (memory, index.runs)
        finally:
            index.close()


def test_spilled_memory_is_bounded():
    """Batches stay within the budget: each run holds about what the budget allows."""
    rng = random.Random(5)
    blocks = [[b"key%07d" % rng.randrange(10**7) for _ in range(64)] for _ in range(2000)]
    memory = 1 << 17
    index = collect(blocks, memory)
    try:
        # 128,000 keys of 10 bytes, counted at ~56 bytes each while sorting: about 55 runs
        assert 30 <= index.runs <= 80, index.runs
        assert index._held <= memory
        assert sorted_pairs(index) == sorted((k, b) for b, keys in enumerate(blocks) for k in keys)
    finally:
        index.close()


def test_pad_keys_equals_reference():
    rng = random.Random(1)
    keys = [bytes(rng.randrange(1, 256) for _ in range(rng.randrange(0, 9))) for _ in range(300)]
    width = max(map(len, keys))
    lengths = np.array([len(k) for k in keys], dtype=np.uint32)
    got = bytes(bedtok.pad_keys(b"".join(keys), lengths, width))
    assert got == b"".join(k + b"\0" * (width - len(k)) for k in keys)
    with pytest.raises(ValueError):
        bedtok.pad_keys(b"abc", np.array([2], dtype=np.uint32), 5)
    with pytest.raises(ValueError):
        bedtok.pad_keys(b"abcdef", np.array([6], dtype=np.uint32), 5)
