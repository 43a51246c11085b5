"""Malformed bigBed files: one clear FormatError naming the problem and the byte offset.

Never a hang, a crash, a huge allocation or silently wrong data: truncation at every
structure, corrupted offsets and counts, cycles in tree offsets, bad zlib data, files that
are not bigBeds at all, and a fuzz pass over corrupted copies of several files.
"""
import io
import random
import struct
import tracemalloc

import pytest

from bigbed_fixtures import CountingBytesIO, random_items, write_test_bigbed
from common import corpus
from trackpack import BigBedFile
from trackpack.bbi.layout import (
    CIR_HEADER,
    CIR_INDEX_ITEM,
    CIR_LEAF_ITEM,
    HEADER,
    NODE_HEADER,
    BbiHeader,
)
from trackpack.errors import FormatError, TrackpackError


def exercise(data: bytes):
    """Everything a user can ask of a file; returns what it read."""
    with BigBedFile(io.BytesIO(data)) as bb:
        seen = [bb.item_count, bb.autosql, tuple(bb.total_summary), bb.extension, list(bb)]
        try:
            seen.append(bb.field_names)
        except FormatError:
            seen.append("bad autoSql")  # reported as a FormatError naming its line
        for chrom in bb.chroms:
            size = bb.chroms[chrom]
            seen.append(bb.query(chrom))
            seen.append(bb.query(chrom, size // 3, size // 2 + 1))
            seen.append(bb.summary(chrom, 0, max(size, 1), 3))
            seen.append(bb.summary(chrom, 0, max(size, 1), 2, exact=True))
            for level in range(len(bb.zooms)):
                seen.append(bb.zoom_summaries(level, chrom))
        for field in bb.extra_indexes:
            seen.append(bb.search(["name0", "gene1"], field))
        return seen


def outcome(data: bytes):
    try:
        return exercise(data)
    except FormatError as err:
        assert err.offset is not None or "autoSql" in str(err), err
        return err


@pytest.fixture(scope="module")
def sample():
    rng = random.Random(1)
    items, sizes = random_items(rng, chroms=3, per_chrom=60, ascii_only=True)
    data = write_test_bigbed(
        None, items, sizes, items_per_slot=8, block_size=3, extra_index=["name"], zoom_reductions=[50, 500]
    )
    return data, items


def test_not_a_bigbed_at_all():
    path = corpus("GMOD+jbrowse/tests/data/malformed.bb")
    with pytest.raises(FormatError, match=r"byte 0: not a bigBed file \(bad magic number\)"):
        BigBedFile(path)


@pytest.mark.parametrize("size", [0, 3, 4, 63])
def test_too_short_for_a_header(size):
    with pytest.raises(FormatError, match="byte 0"):
        BigBedFile(io.BytesIO(b"\xeb\xf2\x89\x87" + b"\0" * max(size - 4, 0)))


def structure_offsets(data: bytes):
    """Offsets where the file's structures start (to truncate at and around them)."""
    header = BbiHeader.unpack("<", data)
    points = {0, 4, HEADER.size, header.chrom_tree_offset, header.full_data_offset, header.full_index_offset}
    points |= {header.autosql_offset, header.total_summary_offset, header.extension_offset}
    for i in range(header.zoom_levels):
        _, _, data_offset, index_offset = struct.unpack_from("<IIQQ", data, HEADER.size + 24 * i)
        points |= {data_offset, index_offset}
    root = header.full_index_offset + CIR_HEADER.size
    points.add(root)
    is_leaf, _, count = NODE_HEADER.unpack("<", data, root)
    item = CIR_LEAF_ITEM if is_leaf else CIR_INDEX_ITEM
    for k in range(count):
        fields = item.unpack("<", data, root + NODE_HEADER.size + k * item.size)
        points.add(fields[4])
    points.add(len(data) - 4)
    return sorted(p for p in points if 0 < p < len(data))


def test_truncated_at_every_structure(sample):
    data, _ = sample
    full = exercise(data)
    cuts = set()
    for point in structure_offsets(data):
        cuts |= {point - 1, point, point + 1, point + 7}
    cuts |= set(range(1, len(data), max(1, len(data) // 300)))
    for cut in sorted(c for c in cuts if 0 < c < len(data)):
        result = outcome(data[:cut])
        # a cut after everything the reads need leaves the data intact
        assert isinstance(result, FormatError) or result == full, cut


def corrupt(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


def test_header_offsets_past_the_end(sample):
    data, _ = sample
    for field in range(3, 12):
        if field in (6, 7):  # field counts, not offsets
            continue
        fmt = "<IHHQQQHHQQIQ"
        values = list(struct.unpack_from(fmt, data))
        values[field] = (1 << 40) if fmt[1:][field] == "Q" else 0xFFFFFFFF
        result = outcome(struct.pack(fmt, *values) + data[HEADER.size :])
        assert isinstance(result, FormatError) or field == 10, field  # 10: uncompressBufSize


@pytest.mark.parametrize("field_at, what", [(8, "chromosome index"), (16, "data"), (24, "data index")])
def test_a_bogus_header_offset_is_blamed_on_the_header(sample, field_at, what):
    """The error names the header field that holds the bad offset, not the bogus target."""
    data, _ = sample
    result = outcome(corrupt(data, field_at, struct.pack("<Q", 0x7FFFFFFF)))
    assert isinstance(result, FormatError)
    assert result.offset == field_at
    assert f"header says the {what} starts at byte 2147483647, past the end of the file" in str(result)


def test_huge_counts_do_not_allocate(sample):
    data, _ = sample
    # zoomLevels 65535: a 1.5 MB read past the end of a small file
    with pytest.raises(FormatError, match="zoom headers"):
        BigBedFile(io.BytesIO(corrupt(data, 6, struct.pack("<H", 0xFFFF))))
    header = BbiHeader.unpack("<", data)
    # B+ tree key size 2**31: one node would be gigabytes
    at = header.chrom_tree_offset + 8
    with pytest.raises(FormatError):
        BigBedFile(io.BytesIO(corrupt(data, at, struct.pack("<I", 1 << 31))))
    # uncompressBufSize 2**32-1 with a tiny file: buffers follow the data, not the header
    tracemalloc.start()
    try:
        outcome(corrupt(data, 52, struct.pack("<I", 0xFFFFFFFF)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak


def test_rtree_cycle_is_reported(sample):
    data, _ = sample
    header = BbiHeader.unpack("<", data)
    root = header.full_index_offset + CIR_HEADER.size
    is_leaf, _, count = NODE_HEADER.unpack("<", data, root)
    assert not is_leaf
    # every child of the root points back at the root
    patched = data
    for k in range(count):
        at = root + NODE_HEADER.size + k * CIR_INDEX_ITEM.size + 16
        patched = corrupt(patched, at, struct.pack("<Q", root))
    with BigBedFile(io.BytesIO(patched)) as bb:
        with pytest.raises(FormatError, match="does not follow its parent|cycle"):
            list(bb)


def test_shared_children_cannot_explode(tmp_path):
    """A corrupt index whose internal items all point at the same node is refused
    rather than visited exponentially often."""
    rng = random.Random(2)
    items, sizes = random_items(rng, chroms=1, per_chrom=400, ascii_only=True)
    data = write_test_bigbed(None, items, sizes, items_per_slot=1, block_size=2)
    header = BbiHeader.unpack("<", data)
    # walk down the leftmost path; make both items of each internal node point at its
    # first child, so the number of paths doubles at every level
    offset = header.full_index_offset + CIR_HEADER.size
    patched = data
    while True:
        is_leaf, _, count = NODE_HEADER.unpack("<", patched, offset)
        if is_leaf:
            break
        first = CIR_INDEX_ITEM.unpack("<", patched, offset + NODE_HEADER.size)
        for k in range(count):
            at = offset + NODE_HEADER.size + k * CIR_INDEX_ITEM.size
            patched = corrupt(patched, at, CIR_INDEX_ITEM.pack("<", 0, 0, 0, 0xFFFFFFFF, first[4]))
        offset = first[4]
    source = CountingBytesIO(patched)
    with BigBedFile(source) as bb:
        opened = source.reads
        with pytest.raises(FormatError, match="cycle"):
            bb.query(next(iter(bb.chroms)))
    # refused at the first node met twice: about one read per level, not 2**levels
    assert source.reads - opened < 4 * 20


def test_bad_zlib_data_names_the_block(sample):
    data, _ = sample
    header = BbiHeader.unpack("<", data)
    first_block = header.full_data_offset + 8
    patched = corrupt(data, first_block + 2, b"\xff\xff\xff\xff")
    with BigBedFile(io.BytesIO(patched)) as bb:
        with pytest.raises(FormatError, match=rf"byte {first_block}: data block"):
            list(bb)
        with pytest.raises(FormatError, match=rf"byte {first_block}: data block"):
            bb.query(next(iter(bb.chroms)), 0, 10)


def test_block_ending_inside_a_record():
    items = [("chr1", 1, 2, "name")]
    data = write_test_bigbed(None, items, {"chr1": 100}, compress=False)
    header = BbiHeader.unpack("<", data)
    start = header.full_data_offset + 8
    assert data[start : start + 17] == struct.pack("<III", 0, 1, 2) + b"name\0"
    patched = corrupt(data, start + 16, b"X")  # the record's NUL is gone: it runs to the end
    with BigBedFile(io.BytesIO(patched)) as bb:
        with pytest.raises(FormatError, match=rf"byte {start}: data block ends inside a record"):
            list(bb)
        with pytest.raises(FormatError, match=rf"byte {start}: data block ends inside a record"):
            bb.query("chr1", 0, 100)


def test_block_inflating_past_the_header_limit(sample):
    data, _ = sample
    header = BbiHeader.unpack("<", data)
    with BigBedFile(io.BytesIO(data)) as bb:
        offset, size = bb._index().all_blocks()[0]
    limit = size  # below what the block inflates to, above what it is stored in
    patched = corrupt(data, 52, struct.pack("<I", limit))
    with BigBedFile(io.BytesIO(patched)) as bb:
        with pytest.raises(FormatError, match=rf"byte {offset}: data block inflates to more than the {limit} bytes"):
            list(bb)
        with pytest.raises(FormatError, match=rf"byte {offset}: data block inflates to more than the {limit} bytes"):
            bb.query(next(iter(bb.chroms)), 0, 1 << 30)
    assert header.uncompress_buf_size > limit
    patched = corrupt(data, 52, struct.pack("<I", 16))  # stored blocks cannot be that large
    with BigBedFile(io.BytesIO(patched)) as bb:
        with pytest.raises(FormatError, match=rf"byte {offset}: data block of {size} bytes is larger"):
            list(bb)


FUZZ_FILES = [
    "biopython+biopython/Tests/Blat/bed12.bb",
    "GMOD+bbi-js/test/data/chr22_with_name_index.bb",
    "_generated_with_kentUtils_bin/oddSorted.bed12.tiny.bb",
    "_generated_with_kentUtils_bin/itemRgb.unc.bb",
    "jackh726+bigtools/pybigtools/tests/data/mini.bb",
]


@pytest.mark.parametrize("rel", FUZZ_FILES)
def test_fuzz_raises_only_format_errors(rel):
    """Corrupted copies either read (the damage missed what the reads use, or changed
    values only) or raise FormatError with an offset; any other exception fails."""
    original = corpus(rel).read_bytes()
    rng = random.Random(rel)
    for _ in range(120):
        data = bytearray(original)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                at = rng.randrange(len(data))
                width = rng.choice([1, 2, 4, 8])
                data[at : at + width] = rng.choice([rng.randbytes(width), b"\xff" * width, b"\0" * width])
        try:
            exercise(bytes(data))
        except FormatError as err:
            assert err.offset is not None or "autoSql" in str(err), err
        except TrackpackError as err:  # pragma: no cover - would be a wrong error type
            pytest.fail(f"{type(err).__name__} instead of FormatError: {err}")
