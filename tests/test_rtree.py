"""R-tree: overlap search against brute force, kent's bytes, corrupt trees."""
import io
import random

import pytest

from common import corpus, manifest
from trackpack.bbi.layout import BIGBED_MAGIC, BbiHeader, byte_order_of
from trackpack.bbi.rtree import RTree, rtree_size, write_rtree
from trackpack.errors import FormatError
from trackpack.files import RandomAccess


def random_blocks(rng, n):
    blocks = []
    for i in range(n):
        chrom = i * 3 // max(n, 1)
        start = (i % 97) * 1000 + rng.randrange(500)
        end = start + rng.randrange(0, 3000)  # max end of the block's items
        blocks.append((chrom, start, chrom, end, 5000 + 40 * i, 40))
    blocks.sort(key=lambda b: (b[0], b[1]))
    return blocks


def build(blocks, block_size, order):
    out = io.BytesIO()
    out.write(b"lead")
    written = write_rtree(out, blocks, block_size, 512, 123456, order)
    data = out.getvalue()
    assert written == len(data) - 4 == rtree_size(len(blocks), block_size)
    return RTree(lambda o, s, w: data[o:o + s], 4, order)


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("count, block_size", [(0, 256), (1, 256), (2, 2), (17, 4), (300, 3), (3000, 256)])
def test_find_blocks_equals_brute_force(order, count, block_size):
    rng = random.Random(count + block_size)
    blocks = random_blocks(rng, count)
    tree = build(blocks, block_size, order)
    assert tree.item_count == count
    assert tree.all_blocks() == [(b[4], b[5]) for b in blocks]
    for _ in range(300):
        chrom = rng.randrange(4)
        start = rng.randrange(100_000)
        end = start + rng.choice([0, 1, 10, 5000, 100_000])
        expected = [(b[4], b[5]) for b in blocks if (chrom, start) < (b[2], b[3]) and (chrom, end) > (b[0], b[1])]
        assert tree.find_blocks(chrom, start, end) == expected
        touching = [b for b in blocks if (chrom, start) <= (b[2], b[3]) and (chrom, end) >= (b[0], b[1])]
        assert tree.find_items(chrom, start, end, touching=True) == touching


def test_node_bounds_cover_the_maximum_end_not_the_last_end():
    # The first block reaches furthest; a query past the last block's end must still find it.
    blocks = [(0, 0, 0, 10_000, 100, 10)] + [(0, i * 10, 0, i * 10 + 5, 110 + 10 * i, 10) for i in range(1, 600)]
    tree = build(blocks, 4, "<")
    assert (100, 10) in tree.find_blocks(0, 9_000, 9_001)


def _bigbeds():
    rows = [r for r in manifest() if r["format"] == "bigBed" and r["origin_repo"] != "jackh726/bigtools"]
    return [r["path"] for r in rows] or ["<corpus missing>"]


@pytest.mark.parametrize("rel", _bigbeds())
def test_index_bytes_equal_kents(rel):
    """Rebuilding each kent-written R-tree from its leaf items gives the same bytes."""
    path = corpus(rel)
    data = path.read_bytes()
    order = byte_order_of(data[:4], BIGBED_MAGIC)
    header = BbiHeader.unpack(order, data)
    tree = RTree(RandomAccess(path).read, header.full_index_offset, order, str(path))
    leaves = tree.all_items()
    out = io.BytesIO()
    out.write(b"\0" * header.full_index_offset)  # child offsets are absolute
    write_rtree(out, leaves, tree.block_size, tree.items_per_slot, tree.end_file_offset, order)
    rebuilt = out.getvalue()[header.full_index_offset:]
    assert rebuilt == data[header.full_index_offset:header.full_index_offset + len(rebuilt)]


def test_bad_magic_and_backward_child_are_format_errors():
    zeros = bytes(100)
    with pytest.raises(FormatError, match="not an R-tree"):
        RTree(lambda o, s, w: zeros[o:o + s], 0, "<", "x.bb")
    blocks = random_blocks(random.Random(1), 50)
    out = io.BytesIO()
    write_rtree(out, blocks, 4, 512, 0, "<")
    data = bytearray(out.getvalue())
    root = 48
    data[root + 4 + 16:root + 4 + 24] = root.to_bytes(8, "little")  # first child -> root
    tree = RTree(lambda o, s, w: bytes(data[o:o + s]), 0, "<", "loop.bb")
    with pytest.raises(FormatError, match="does not follow its parent"):
        tree.all_blocks()


def test_shared_children_are_visited_once_not_exponentially():
    """Every index item pointing at the same child must be caught, not walked 256^depth times."""
    blocks = random_blocks(random.Random(2), 70_000)
    out = io.BytesIO()
    write_rtree(out, blocks, 256, 512, 0, "<")
    data = bytearray(out.getvalue())
    root = 48
    count = int.from_bytes(data[root + 2:root + 4], "little")
    first_child = data[root + 4 + 16:root + 4 + 24]
    for i in range(count):  # all root slots point at the first child
        at = root + 4 + 24 * i + 16
        data[at:at + 8] = first_child
    tree = RTree(lambda o, s, w: bytes(data[o:o + s]), 0, "<", "shared.bb")
    with pytest.raises(FormatError, match="cycle"):
        tree.all_blocks()


def test_header_item_count_can_differ_from_block_count():
    """kent's zoom indexes record their number of records, not of blocks."""
    blocks = random_blocks(random.Random(3), 10)
    out = io.BytesIO()
    write_rtree(out, blocks, 4, 512, 0, "<", item_count=1234)
    data = out.getvalue()
    tree = RTree(lambda o, s, w: data[o:o + s], 0, "<")
    assert tree.item_count == 1234 and len(tree.all_blocks()) == 10
