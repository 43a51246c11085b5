"""B+ tree: round trips, duplicate keys, kent's bytes, corrupt trees."""
import io
import random

import pytest

from common import corpus, manifest
from trackpack.bbi.bptree import BPlusTree, bptree_size, pad_key, write_bptree
from trackpack.bbi.layout import BIGBED_MAGIC, BPT_HEADER, NODE_HEADER, BbiHeader, byte_order_of
from trackpack.errors import FormatError
from trackpack.files import RandomAccess


def build(items, block_size, key_size, val_size, order, lead=b"PAD"):
    out = io.BytesIO()
    out.write(lead)
    written = write_bptree(out, items, block_size, key_size, val_size, order)
    data = out.getvalue()
    assert written == len(data) - len(lead) == bptree_size(len(items), block_size, key_size, val_size)
    return BPlusTree(lambda off, size, what: _exact(data, off, size), len(lead), order)


def _exact(data, off, size):
    if off + size > len(data):
        raise FormatError("past end", offset=off)
    return data[off:off + size]


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("count, block_size", [(0, 4), (1, 1), (4, 4), (5, 4), (27, 4), (300, 3), (2000, 256)])
def test_round_trip_finds_every_key_and_all_duplicates(order, count, block_size):
    rng = random.Random(count * 31 + block_size)
    keys = sorted(rng.choice([b"g", b"gene", b"tx", b"a_longer_name"]) + str(rng.randrange(40)).encode() for _ in range(count))
    items = [(k, i.to_bytes(8, "little")) for i, k in enumerate(keys)]
    key_size = max((len(k) for k in keys), default=1)
    tree = build(items, block_size, key_size, 8, order)
    assert [k.rstrip(b"\0") for k, _ in tree.items()] == keys
    for key in set(keys):
        expected = [v for k, v in items if k == key]
        assert tree.find_all(key) == expected
        assert tree.find(key) in expected
    assert tree.find(b"zz-missing") is None
    assert tree.find_all(b"x" * (key_size + 1)) == []


def test_keys_are_padded_with_nul():
    assert pad_key(b"chr1", 6) == b"chr1\0\0"


def _bigbeds():
    rows = [r for r in manifest() if r["format"] == "bigBed" and r["origin_repo"] != "jackh726/bigtools"]
    return [r["path"] for r in rows] or ["<corpus missing>"]


@pytest.mark.parametrize("rel", _bigbeds())
def test_chromosome_tree_bytes_equal_kents(rel):
    """Rebuilding each kent-written chromosome tree from its items gives the same bytes."""
    path = corpus(rel)
    data = path.read_bytes()
    order = byte_order_of(data[:4], BIGBED_MAGIC)
    header = BbiHeader.unpack(order, data)
    tree = BPlusTree(RandomAccess(path).read, header.chrom_tree_offset, order, str(path))
    items = [(k.rstrip(b"\0"), v) for k, v in tree.items()]
    out = io.BytesIO()
    out.write(b"\0" * header.chrom_tree_offset)  # child offsets are absolute
    write_bptree(out, items, tree.block_size, tree.key_size, tree.val_size, order)
    rebuilt = out.getvalue()[header.chrom_tree_offset:]
    assert rebuilt == data[header.chrom_tree_offset:header.chrom_tree_offset + len(rebuilt)]


def test_wrong_magic_is_reported_with_offset():
    data = b"\0" * 64
    with pytest.raises(FormatError, match="byte 8.*bad magic"):
        BPlusTree(lambda o, s, w: data[o:o + s], 8, "<", "f.bb")


def test_child_pointing_backwards_is_caught_not_followed_forever():
    items = [(bytes([65 + i]), bytes(8)) for i in range(20)]
    out = io.BytesIO()
    write_bptree(out, items, 4, 1, 8, "<")
    data = bytearray(out.getvalue())
    # root is the first node after the 32-byte header; point its first child at the root
    root = 32
    data[root + 4 + 1:root + 4 + 9] = root.to_bytes(8, "little")
    tree = BPlusTree(lambda o, s, w: bytes(data[o:o + s]), 0, "<", "loop.bb")
    with pytest.raises(FormatError, match="does not follow its parent"):
        list(tree.items())
    with pytest.raises(FormatError, match="does not follow its parent"):
        tree.find(b"A")


def test_count_larger_than_block_size_is_corrupt():
    items = [(b"k", bytes(8))]
    out = io.BytesIO()
    write_bptree(out, items, 4, 1, 8, "<")
    data = bytearray(out.getvalue())
    data[32 + 2:32 + 4] = (999).to_bytes(2, "little")
    tree = BPlusTree(lambda o, s, w: bytes(data[o:o + s]), 0, "<", "bad.bb")
    with pytest.raises(FormatError, match="corrupt B\\+ tree node"):
        tree.find(b"k")


@pytest.mark.parametrize("order", ["<", ">"])
def test_find_many_matches_a_scan_of_every_item(order):
    """The one-walk lookup of many keys finds what a scan of every item finds (duplicates
    straddling nodes, keys absent or too long), in tree order, reading each node once."""

    rng = random.Random(order)
    for _ in range(60):
        count = rng.choice([0, 1, 5, 40, 300])
        block_size = rng.choice([2, 3, 4, 16])
        keys = sorted(rng.choice([b"a", b"g", b"gene", b"z"]) + str(rng.randrange(30)).encode() for _ in range(count))
        items = [(k, i.to_bytes(8, "little")) for i, k in enumerate(keys)]
        out = io.BytesIO()
        write_bptree(out, items, block_size, 8, 8, order)
        data = out.getvalue()
        reads = []

        def read(offset, size, what):
            reads.append(offset)
            return data[offset : offset + size]

        tree = BPlusTree(read, 0, order)
        wanted = rng.sample(sorted(set(keys)), min(len(set(keys)), rng.randint(0, 12)))
        wanted += [b"absent", b"g", b"x" * 9][: rng.randint(0, 3)]
        padded = {pad_key(k, tree.key_size) for k in wanted if len(k) <= tree.key_size}
        expected = [v for k, v in tree.items() if k in padded]
        reads.clear()
        assert tree.find_many(wanted) == expected
        node_reads = reads[0::2]  # each node: its header, then its items
        assert len(node_reads) == len(set(node_reads))


def test_find_many_refuses_a_cycle():

    out = io.BytesIO()
    write_bptree(out, [(b"k%03d" % i, bytes(8)) for i in range(20)], 2, 4, 8, "<")
    data = bytearray(out.getvalue())
    child = BPT_HEADER.size + NODE_HEADER.size + 4  # the root's first child offset
    data[child : child + 8] = (BPT_HEADER.size).to_bytes(8, "little")  # back to the root
    tree = BPlusTree(lambda offset, size, what: bytes(data[offset : offset + size]), 0, "<", "t.bb")
    with pytest.raises(FormatError, match="does not follow its parent"):
        tree.find_many([b"k000"])
