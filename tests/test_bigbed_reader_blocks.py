"""trackpack.bbi.blocks: lazy block decoding, the lane comparisons, the block cache.

Every helper is compared with a plain-Python reference on seeded random input: the lane
comparisons with element-by-element ones, lazily decoded blocks (any sequence of queries,
any inflate estimate) with the whole-block decoder and a brute-force overlap.
"""
import array
import random
import struct
import zlib

import pytest

from bigbed_fixtures import overlapping, random_items, write_test_bigbed
from trackpack import BigBedFile
from trackpack.bbi import blocks
from trackpack.bbi.blocks import (
    BlockCache,
    BlockRecords,
    block_bed_lines,
    block_spans,
    decode_block,
    native_swap,
    split_records,
)
from trackpack.errors import FormatError

U32 = 0xFFFFFFFF


def lanes_of(values):
    return blocks._lanes(array.array(blocks._U32, values))


def random_u32s(rng, n):
    """Values of every kind: small, near 2**31 (the top bit), near 2**32, repeated."""
    pool = [0, 1, (1 << 31) - 1, 1 << 31, (1 << 31) + 1, U32 - 1, U32]
    return [
        rng.choice(pool) if rng.random() < 0.2 else rng.randrange(1 << rng.choice([8, 16, 31, 32])) for _ in range(n)
    ]


def test_at_least_equals_element_by_element():
    rng = random.Random(1)
    for _ in range(400):
        values = random_u32s(rng, rng.randint(1, 300))
        count = rng.randint(1, len(values))
        bound = rng.choice([rng.randrange(1 << 32), *values])
        found = blocks._at_least(lanes_of(values), bound, count)
        flagged = [i for i in range(count) if found >> (32 * i + 31) & 1]
        assert flagged == [i for i in range(count) if values[i] >= bound]
        assert found & ~(((1 << (32 * count)) - 1) // U32 << 31) == 0  # nothing but the flags


def test_ascending_equals_element_by_element():
    rng = random.Random(2)
    for _ in range(600):
        values = sorted(random_u32s(rng, rng.randint(0, 300)))
        if values and rng.random() < 0.6:  # put one value out of place
            i = rng.randrange(len(values))
            values[i] = rng.choice([0, U32, rng.randrange(1 << 32), values[i] - 1 if values[i] else 1])
        expected = all(a <= b for a, b in zip(values, values[1:]))
        assert blocks._ascending(array.array(blocks._U32, values)) == expected, values


def test_within_equals_element_by_element():
    rng = random.Random(7)
    for _ in range(400):
        n = rng.randint(0, 300)
        starts, ends = random_u32s(rng, n), random_u32s(rng, n)
        start = rng.choice([0, rng.randrange(1 << 32), *(starts[:3] or [0])])
        end = rng.choice([U32, rng.randrange(1 << 32), *(ends[:3] or [0])])
        expected = all(s >= start for s in starts) and all(e <= end for e in ends)
        got = blocks.within(array.array(blocks._U32, starts), array.array(blocks._U32, ends), start, end)
        assert got == expected, (starts, ends, start, end)


def make_block(records, *, compress=True, order="<"):
    """(stored bytes, uncompressBufSize) of a block holding ``records`` (chrom_id, s, e, text)."""
    data = b"".join(
        struct.pack(order + "III", c, s, e) + t.encode("utf-8", "surrogateescape") + b"\0" for c, s, e, t in records
    )
    return (zlib.compress(data), max(len(data), 1)) if compress else (data, 0)


def random_records(rng, n, chroms=1):
    records = []
    for _ in range(n):
        s = rng.choice([0, rng.randrange(1 << 20), rng.randrange(1 << 32)])
        e = min(U32, s + rng.choice([0, 0, 1, rng.randrange(5000), rng.randrange(1 << 32)]))
        words = ["", "x", "ζ-元素", "a b", "\udcff", "gene" * rng.randrange(30)]
        text = "\t".join(rng.choice(words) for _ in range(rng.randint(0, 3)))
        records.append((rng.randrange(chroms), s, e, text))
    records.sort(key=lambda r: (r[0], r[1]))
    return records


def kent_rule(records, chrom_id, start, end):
    return [
        (s, e, t)
        for c, s, e, t in records
        if c == chrom_id and ((s < end and e > start) or (s == e and (s == start or s == end)))
    ]


def hard_records(rng, n, chroms=1):
    """Records whose heads are full of NULs and '%' bytes and whose texts hold '%',
    formats and tabs: what the bulk splitter and formatter must not be fooled by."""
    tricky = [0, 0x25, 0x2525, 0x25000000, 0x00250025, 0x25252525, 1 << 24, U32]
    records = random_records(rng, n, chroms)
    out = []
    for c, s, e, t in records:
        if rng.random() < 0.3:
            s = rng.choice(tricky)
            e = rng.choice([s, s + 1, U32, max(tricky)])
        if rng.random() < 0.3:
            t = rng.choice(["50%", "%d", "%s%%", "%", "a\t%(x)s\t+", "\t", ""])
        out.append((c, s, min(e, U32), t))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def block_bytes(records, order="<"):
    return make_block(records, compress=False, order=order)[0]


def bed_line(chrom, s, e, text):
    """kent's bigBedToBed line of one record (the reference for the bulk formatter)."""
    line = chrom + b"\t" + str(s).encode() + b"\t" + str(e).encode()
    if text:
        line += b"\t" + text.encode("utf-8", "surrogateescape")
    return line + b"\n"


@pytest.mark.parametrize("order", ["<", ">"])
def test_split_records_equals_the_walk(order):
    """The bulk split finds the records a walk from the start finds, whatever their
    heads hold, for every count around its step; data cut anywhere give None exactly
    when the walk fails."""
    rng = random.Random(order)
    swap = native_swap(order)
    for count in [*range(0, 3 * blocks.SPLIT_STEP + 2), 63, 64, 65, 512]:
        records = hard_records(rng, count, chroms=rng.choice([1, 3]))
        data = block_bytes(records, order)
        parts = split_records(data)
        expected = [b""] if records else []
        for c, s, e, t in records:
            expected += [struct.pack(order + "III", c, s, e), t.encode("utf-8", "surrogateescape")]
        assert parts == expected
        for cut in {rng.randrange(len(data) + 1) for _ in range(8)} | {len(data) - 1, 11, 12, 13}:
            if not 0 <= cut <= len(data):
                continue
            try:
                walked = decode_block(data[:cut], swap, name="t", offset=0)
            except FormatError:
                assert split_records(data[:cut]) is None, cut
            else:
                split = split_records(data[:cut])
                assert split is not None and len(split) // 2 == len(walked[1]), cut


@pytest.mark.parametrize("big_block_path", [False, True])
@pytest.mark.parametrize("order", ["<", ">"])
def test_block_bed_lines_equals_formatting_each_record(order, big_block_path, monkeypatch):
    """Bulk BED text equals kent's line per matching record (brute-force rule), with any
    region, chromosome name, limit, BED3 records or mixed, multi-chromosome blocks; also
    when the heads are read as blocks of more records than cached unpackers serve are."""
    if big_block_path:
        monkeypatch.setattr(blocks, "_UNPACKER_RECORDS", 0)
    rng = random.Random("bed" + order)
    swap = native_swap(order)
    for _ in range(150):
        chroms = rng.choice([1, 1, 2])
        records = hard_records(rng, rng.choice([0, 1, 7, 8, 9, 100, 512]), chroms)
        if rng.random() < 0.2:  # BED3: no record has a text
            records = [(c, s, e, "") for c, s, e, _ in records]
        data = block_bytes(records, order)
        name = rng.choice([b"chr1", b"c%d%%", b"\xce\xb6-\xff"])
        for _ in range(6):
            chrom_id = rng.randrange(chroms)
            if rng.random() < 0.4:
                start, end = 0, U32  # the whole chromosome: the bulk path
            else:
                start = rng.choice([0, rng.randrange(1 << 32), *(r[1] for r in records[:2])])
                end = min(U32, start + rng.choice([0, 1, 1000, 1 << 32]))
            limit = rng.choice([0, 0, 1, 5, 1000])
            matched = kent_rule(records, chrom_id, start, end)
            if limit:
                matched = matched[:limit]
            expected = b"".join(bed_line(name, s, e, t) for s, e, t in matched)
            got = block_bed_lines(data, swap, chrom_id, name, start, end, limit=limit, name="t", offset=0)
            assert got == (expected, len(matched))
            spans = block_spans(data, swap, chrom_id, start, end, name="t", offset=0)
            everything = kent_rule(records, chrom_id, start, end)
            assert list(zip(*spans)) == [(s, e) for s, e, _ in everything]


def test_bulk_decoding_of_a_block_that_ends_inside_a_record():
    data = block_bytes([(0, 5, 9, "name"), (0, 6, 9, "other")])
    message = r"t.bb: byte 40: data block ends inside a record \(\d+ stray bytes after 1 records\)"
    for cut in (len(data) - 1, len(data) - 8, 23):
        with pytest.raises(FormatError, match=message):
            block_bed_lines(data[:cut], False, 0, b"c", 0, U32, name="t.bb", offset=40)
        with pytest.raises(FormatError, match=message):
            block_spans(data[:cut], False, 0, 0, U32, name="t.bb", offset=40)


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("order", ["<", ">"])
def test_lazy_block_equals_whole_block_decoding(compress, order):
    """Any sequence of queries on one block, with any inflate estimate, finds what the
    whole-block decoder and the brute-force rule find."""
    rng = random.Random(repr((compress, order)))
    for _ in range(60):
        chroms = rng.choice([1, 1, 3])
        records = random_records(rng, rng.choice([1, 5, 63, 64, 65, 300, 700]), chroms)
        raw, limit = make_block(records, compress=compress, order=order)
        swap = native_swap(order)
        data = zlib.decompress(raw) if compress else raw
        ids, starts, ends, texts = decode_block(data, swap, name="t", offset=0)
        assert list(zip(ids, starts, ends, texts)) == records
        block = BlockRecords(raw, 0, limit=limit, swap=swap, name="t")
        for _ in range(20):
            chrom_id = rng.randrange(chroms)
            start = rng.choice([0, rng.randrange(1 << 32), rng.choice(records)[1], rng.choice(records)[2]])
            end = min(U32, start + rng.choice([0, 1, 100, 1 << 20, 1 << 32]))
            got = block.fetch("c", chrom_id, start, end, rng.random() * 1.5)
            assert [(s, e, t) for _, s, e, t in got] == kent_rule(records, chrom_id, start, end)
        if block.complete:  # an ordered block is one of a single chromosome
            assert block.ordered == (len({c for c, *_ in records}) == 1)


def test_records_out_of_order_are_found():
    rng = random.Random(3)
    for _ in range(30):
        records = random_records(rng, 300)
        i, j = sorted(rng.sample(range(len(records)), 2))
        records[i], records[j] = records[j], records[i]  # one pair out of place
        raw, limit = make_block(records)
        for _ in range(10):
            block = BlockRecords(raw, 0, limit=limit, swap=native_swap("<"), name="t")
            start = rng.choice(records)[1]
            end = start + rng.randrange(1 << 20)
            got = block.fetch("c", 0, start, end, rng.random())
            assert [(s, e, t) for _, s, e, t in got] == kent_rule(records, 0, start, end)


def test_a_block_that_ends_inside_a_record():
    raw, limit = make_block([(0, 5, 9, "name")], compress=False)
    block = BlockRecords(raw[:-1], 40, limit=0, swap=native_swap("<"), name="t.bb")
    message = r"t.bb: byte 40: data block ends inside a record \(16 stray bytes after 0 records\)"
    with pytest.raises(FormatError, match=message):
        block.fetch("c", 0, 0, 100)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[:-4] + bytes(4), "fails its zlib checksum"),
        (lambda raw: raw[:-1], "fails its zlib checksum"),
        (lambda raw: raw[: len(raw) // 2], "ends inside its zlib stream"),
        (lambda raw: b"\x78\x9d" + raw[2:], "bad header"),
        (lambda raw: raw[:2] + b"\xff" * 8 + raw[10:], "not valid zlib data"),
    ],
)
def test_damaged_zlib_streams_are_refused(damage, message):
    rng = random.Random(4)
    records = random_records(rng, 200)
    raw, limit = make_block(records)
    for share in (0.0, 0.5, 2.0):
        block = BlockRecords(damage(raw), 7, limit=limit, swap=native_swap("<"), name="t")
        with pytest.raises(FormatError, match=rf"byte 7: data block .*{message}"):
            block.fetch("c", 0, 0, U32, share)


def test_inflating_past_the_limit_is_refused():
    records = random_records(random.Random(5), 200)
    raw, limit = make_block(records)
    block = BlockRecords(raw, 0, limit=limit // 2, swap=native_swap("<"), name="t")
    with pytest.raises(FormatError, match=rf"inflates to more than the {limit // 2} bytes"):
        block.fetch("c", 0, 0, U32)


def test_a_query_decodes_only_what_it_needs():
    """The point of lazy decoding: a query near a block's start leaves most of it alone,
    and a later query carries on from there."""
    records = [(0, i * 100, i * 100 + 50, f"r{i}") for i in range(2000)]
    raw, limit = make_block(records)
    block = BlockRecords(raw, 0, limit=limit, swap=native_swap("<"), name="t")
    assert [r[1] for r in block.fetch("c", 0, 1000, 1200, 0.05)] == [1000, 1100]
    decoded, inflated = len(block.starts), len(block._data)
    assert decoded < 300 and inflated < len(zlib.decompress(raw)) / 3
    assert [r[1] for r in block.fetch("c", 0, 150_000, 150_100, 0.75)] == [150_000]
    assert len(block.starts) > decoded and not block.complete
    block.fetch("c", 0, U32 - 1, U32, 1.0)
    assert block.complete and len(block.starts) == len(records)


def test_cache_keeps_recent_blocks_within_its_budget():
    rng = random.Random(6)
    raws = [make_block(random_records(rng, 100)) for _ in range(12)]
    made = [
        BlockRecords(raw, offset, limit=limit, swap=native_swap("<"), name="t") for offset, (raw, limit) in enumerate(raws)
    ]
    for block in made:
        block.fetch("c", 0, 0, U32)
    size = made[0].nbytes
    cache = BlockCache(int(size * 4.5))
    for block in made[:4]:
        cache.store(block)
    assert len(cache) == 4 and cache.nbytes == sum(b.nbytes for b in made[:4]) <= cache.budget
    cache.store(made[0])  # used again: now the most recent
    cache.store(made[4])  # over budget: the least recently used (1) goes
    assert 1 not in cache and all(i in cache for i in (0, 2, 3, 4))
    assert cache.get(0) is made[0] and cache.get(1) is None
    for block in made:
        cache.store(block)
        assert cache.nbytes <= cache.budget
    nothing = BlockCache(0)
    nothing.store(made[0])
    assert len(nothing) == 0 and nothing.get(0) is None


def test_a_growing_block_is_accounted_at_its_new_size():
    records = [(0, i * 100, i * 100 + 50, f"r{i}") for i in range(2000)]
    raw, limit = make_block(records)
    block = BlockRecords(raw, 0, limit=limit, swap=native_swap("<"), name="t")
    cache = BlockCache(10 << 20)
    block.fetch("c", 0, 1000, 1200, 0.05)
    cache.store(block)
    small = cache.nbytes
    block.fetch("c", 0, 150_000, 150_100, 0.75)
    cache.store(block)
    assert cache.nbytes == block.nbytes > small and len(cache) == 1


@pytest.mark.parametrize("items_per_slot", [3, 64, 500])
def test_blocks_that_run_across_chromosomes(tmp_path, items_per_slot):
    """kent starts a new block at each chromosome; a file whose blocks run on into the
    next chromosome is read right too."""
    rng = random.Random(items_per_slot)
    items, sizes = random_items(rng, chroms=4, per_chrom=150)
    path = tmp_path / "mixed.bb"
    write_test_bigbed(path, items, sizes, items_per_slot=items_per_slot, block_size=3, mixed_blocks=True)
    with BigBedFile(path) as bb:
        assert list(bb) == items
        for _ in range(300):
            chrom = rng.choice(list(sizes))
            start = rng.randrange(sizes[chrom] + 1)
            end = start + rng.choice([0, 1, 100, 5000, sizes[chrom]])
            assert bb.query(chrom, start, end) == overlapping(items, chrom, start, end)
