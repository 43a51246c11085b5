"""BigBedFile: header data, queries, typed records, iteration, search, cache, threads, errors."""
import io
import math
import random
import sys
import threading

import pytest

from bigbed_fixtures import CountingBytesIO, overlapping, random_items, write_test_bigbed
from common import corpus
from trackpack import BigBedFile
from trackpack.autosql import standard_bed_autosql
from trackpack.errors import ArgumentError, ClosedFileError, FormatError, NotFoundError, OutOfRangeError

CHR22_INDEXED = "GMOD+bbi-js/test/data/chr22_with_name_and_geneName_index.bb"
BED12 = "biopython+biopython/Tests/Blat/bed12.bb"
EMPTY = "_generated_with_kentUtils_bin/empty.bed3.bb"
TEST_MASK = "ucscGenomeBrowser+kent-core/src/hg/utils/twoBitMask/tests/input/testMask1.bb"

ITEMS = [
    ("chr1", 0, 0, "ins0\t0\t+"),
    ("chr1", 0, 100, "a\t1\t+"),
    ("chr1", 50, 50, "ins50\t2\t-"),
    ("chr1", 50, 150, "b\t3\t-"),
    ("chr1", 100, 100, "ins100\t4\t."),
    ("chr1", 150, 1000, "long\t5\t+"),
    ("chr1", 1000, 1000, "insEnd\t6\t+"),
    ("chr2", 10, 20, "x y\t7\t+"),
    ("chr2", 10, 20, "x y\t8\t+"),
    ("chr3", 5, 6, "café ζ\t9\t-"),
]
SIZES = {"chr1": 1000, "chr2": 500, "chr3": 100, "chrUnused": 7}


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.bb"
    write_test_bigbed(path, ITEMS, SIZES, items_per_slot=2, block_size=2, extra_index=["name"], zoom_reductions=[10, 100])
    with BigBedFile(path) as bb:
        yield bb


# -- header data ------------------------------------------------------------------------------


def test_header_fields_of_a_kent_file():
    with BigBedFile(corpus(CHR22_INDEXED)) as bb:
        assert bb.version == 4
        assert bb.zoom_levels == len(bb.zooms) == 7
        assert bb.item_count == 4394
        assert (bb.field_count, bb.defined_field_count) == (17, 12)
        assert bb.compressed and bb.uncompress_buf_size > 0
        assert bb.byte_order == "little"
        assert bb.chroms == {"chr22": 51304566}
        assert bb.extra_indexes == ["name", "geneName"]
        assert bb.extra_index_item_count("geneName") == 4394
        assert bb.field_names[:4] == ["chrom", "chromStart", "chromEnd", "name"]
        assert bb.autosql.startswith("table gencode")
        assert bb.autosql_in_file == bb.autosql
        total = bb.total_summary
        assert total.bases_covered == 22946563 and total.min == 1.0 and total.max == 33.0


def test_chroms_are_in_file_order_byte_wise(small):
    assert list(small.chroms) == ["chr1", "chr2", "chr3"]
    assert small.chroms["chr2"] == 500
    assert small.chrom_ids == {"chr1": 0, "chr2": 1, "chr3": 2}


def test_file_without_autosql_gets_kents_standard_schema(tmp_path):
    path = tmp_path / "noas.bb"
    write_test_bigbed(path, ITEMS, SIZES, autosql=None, field_count=6, defined_field_count=4)
    with BigBedFile(path) as bb:
        assert bb.autosql_in_file is None
        assert bb.autosql == standard_bed_autosql(4, 6)
        assert bb.field_names == ["chrom", "chromStart", "chromEnd", "name", "field6", "field7"]


def test_empty_file():
    with BigBedFile(corpus(EMPTY)) as bb:
        assert bb.chroms == {} and bb.item_count == 0
        assert list(bb) == []
        assert bb.query("chr1", 0, 100) == []
        assert bb.summary("chr1", 0, 100, 3) == [pytest.approx(math.nan, nan_ok=True)] * 3
        assert bb.total_summary.bases_covered == 0


def test_file_object_source_stays_open(tmp_path):
    data = write_test_bigbed(None, ITEMS, SIZES)
    stream = io.BytesIO(data)
    with BigBedFile(stream) as bb:
        assert list(bb) == ITEMS
    assert not stream.closed


# -- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chrom, start, end",
    [
        ("chr1", 0, 0),  # zero-length query at 0 finds the insertion at 0
        ("chr1", 0, 1),
        ("chr1", 50, 50),
        ("chr1", 100, 100),
        ("chr1", 99, 100),
        ("chr1", 100, 101),
        ("chr1", 1000, 1000),
        ("chr1", 999, 1000),
        ("chr1", 0, 1000),
        ("chr2", 0, 10),
        ("chr2", 20, 30),
        ("chr3", 0, 100),
    ],
)
def test_query_follows_kents_rule(small, chrom, start, end):
    assert small.query(chrom, start, end) == overlapping(ITEMS, chrom, start, end)


def test_query_defaults_to_the_whole_chromosome(small):
    assert small.query("chr1") == [it for it in ITEMS if it[0] == "chr1"]


def test_insertion_at_base_zero_is_returned():
    # kentUtils 2018, pyBigWig and pybbi drop noLower:0-0; current kent's rule returns it.
    with BigBedFile(corpus(TEST_MASK)) as bb:
        assert bb.query("noLower", 0, 9) == [("noLower", 0, 0, "")]


def test_unknown_chromosome_has_no_items(small):
    assert small.query("chrUnused", 0, 7) == []
    assert small.query("nonsense") == []
    assert small.summary("nonsense", 0, 10, 2) == [pytest.approx(math.nan, nan_ok=True)] * 2


@pytest.mark.parametrize("start, end", [(-1, 10), (10, 5)])
def test_bad_ranges_raise(small, start, end):
    with pytest.raises(OutOfRangeError):
        small.query("chr1", start, end)


@pytest.mark.parametrize("bad", [(1, 0, 1), ("chr1", "0", 1), ("chr1", 0, 1.5)])
def test_argument_types_are_checked(small, bad):
    with pytest.raises(ArgumentError):
        small.query(*bad)


def test_max_items(small):
    assert small.query("chr1", max_items=3) == ITEMS[:3]


# -- BED text (bigBedToBed) -------------------------------------------------------------------


def bed_text(records) -> bytes:
    """kent's bigBedToBed lines of ``records``, one by one (the reference)."""
    lines = [f"{c}\t{s}\t{e}\t{r}\n" if r else f"{c}\t{s}\t{e}\n" for c, s, e, r in records]
    return "".join(lines).encode("utf-8", "surrogateescape")


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("bed_fields, mixed, cache_bytes", [(6, False, 1 << 20), (3, False, 0), (6, True, 50_000)])
def test_write_bed_equals_the_text_of_the_queries(tmp_path, bed_fields, mixed, cache_bytes):
    """The whole file, and regions (some served from the cache, some cut by max_items),
    written in bulk equal the text of query()'s records, line by line."""
    rng = random.Random(repr((bed_fields, mixed)))
    items, sizes = random_items(rng, chroms=4, per_chrom=400, bed_fields=bed_fields)
    path = tmp_path / "w.bb"
    write_test_bigbed(path, items, sizes, items_per_slot=rng.choice([3, 50]), block_size=4, mixed_blocks=mixed)
    with BigBedFile(path, cache_bytes=cache_bytes) as bb:
        out = io.BytesIO()
        assert bb.write_bed(out) == len(items)
        whole = [it for chrom in bb.chroms for it in overlapping(items, chrom, 0, sizes[chrom])]
        assert out.getvalue() == bed_text(whole)
        for _ in range(40):
            regions = []
            for _ in range(rng.randint(1, 3)):
                chrom = rng.choice([*sizes, "chrNotThere"])
                size = sizes.get(chrom, 1000)
                start = rng.randrange(size + 1)
                regions.append((chrom, start, rng.choice([None, min(size, start + rng.randrange(size))])))
            if rng.random() < 0.5:
                bb.query(*regions[0])  # its blocks are then in the cache
            expected = [r for region in regions for r in bb.query(*region)]
            limit = rng.choice([0, 0, 1, rng.randrange(len(expected) + 1)])
            if limit:
                expected = expected[:limit]
            out = io.BytesIO()
            assert bb.write_bed(out, regions, max_items=limit) == len(expected)
            assert out.getvalue() == bed_text(expected)


def test_write_bed_shows_progress_on_a_terminal_only(small, monkeypatch):
    monkeypatch.delenv("TRACKPACK_QUIET", raising=False)
    tty = FakeTTY()
    monkeypatch.setattr("sys.stderr", tty)
    small.write_bed(io.BytesIO())
    assert "writing BED: 10 items / 10 items (100.0%)" in tty.getvalue()
    assert tty.getvalue().endswith("\n")
    drawn = tty.getvalue()
    small.write_bed(io.BytesIO(), progress=False)
    small.write_bed(io.BytesIO(), [("chr1", 0, 10)])  # regions: a count without a total
    assert tty.getvalue().startswith(drawn) and "%" not in tty.getvalue()[len(drawn) :]
    monkeypatch.setattr("sys.stderr", io.StringIO())
    small.write_bed(io.BytesIO())
    assert sys.stderr.getvalue() == ""


def test_write_bed_errors(small):
    with pytest.raises(ArgumentError):
        small.write_bed(io.BytesIO(), max_items=-1)
    with pytest.raises(OutOfRangeError):
        small.write_bed(io.BytesIO(), [("chr1", 10, 5)])
    small.close()
    with pytest.raises(ClosedFileError):
        small.write_bed(io.BytesIO())


def test_rest_is_split_on_tabs_only_and_keeps_utf8(small):
    assert small.query("chr2")[0][3] == "x y\t7\t+"
    assert small.query("chr3")[0][3] == "café ζ\t9\t-"


def test_typed_records(small):
    rec = small.query("chr1", 0, 1, typed=True)[1]
    assert rec.chrom == "chr1" and rec.chromStart == 0 and rec.chromEnd == 100
    assert rec.name == "a" and rec.score == 1 and rec.strand == "+"
    with BigBedFile(corpus(BED12)) as bb:
        first = next(iter(bb.items(typed=True)))
        assert isinstance(first.blockSizes, tuple) and all(isinstance(v, int) for v in first.blockSizes)
        assert len(first.blockSizes) == first.blockCount


def test_typed_record_that_does_not_fit_raises(tmp_path):
    path = tmp_path / "bad.bb"
    write_test_bigbed(path, [("chr1", 0, 1, "n\tnot-a-number\t+")], {"chr1": 10}, field_count=6)
    with BigBedFile(path) as bb:
        assert bb.query("chr1") == [("chr1", 0, 1, "n\tnot-a-number\t+")]
        with pytest.raises(FormatError, match="does not fit"):
            bb.query("chr1", typed=True)


def test_iteration_is_file_order(small):
    assert list(small) == ITEMS


def test_iteration_follows_block_order_not_name_order():
    # testMask1.bb's chromosome ids are not in name order: blocks come in id order.
    with BigBedFile(corpus(TEST_MASK)) as bb:
        chroms = [r[0] for r in bb]
        assert chroms[0] == "startLower" and set(chroms) == set(bb.chroms)
        assert list(bb.chroms)[0] == "allLower"


def test_to_dataframe(small):
    pd = pytest.importorskip("pandas")
    frame = small.to_dataframe("chr1", 0, 60)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns)[:6] == ["chrom", "chromStart", "chromEnd", "name", "score", "strand"]
    assert frame["score"].tolist() == [0, 1, 2, 3]


# -- versions, byte orders, compression ------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2, 3, 4])
@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("compress", [True, False])
def test_versions_orders_and_compression(tmp_path, version, order, compress):
    rng = random.Random(version * 7 + (order == ">") + 2 * compress)
    items, sizes = random_items(rng, chroms=3, per_chrom=300)
    path = tmp_path / "v.bb"
    write_test_bigbed(
        path, items, sizes, order=order, version=version, compress=compress, items_per_slot=16, block_size=4,
        zoom_reductions=[100],
    )
    with BigBedFile(path) as bb:
        assert bb.version == version
        assert bb.byte_order == ("little" if order == "<" else "big")
        assert bb.compressed == (compress and version >= 3)
        assert bb.item_count == len(items)
        assert list(bb) == items
        for _ in range(50):
            chrom = rng.choice(list(sizes))
            start = rng.randrange(sizes[chrom])
            end = start + rng.randrange(3000)
            assert bb.query(chrom, start, end) == overlapping(items, chrom, start, end)
        total = bb.total_summary
        if version >= 2:
            assert total.bases_covered > 0
        else:  # summed from the coarsest zoom level, as kent does for version 1
            assert total.bases_covered == sum(r.valid_count for c in bb.chroms for r in bb.zoom_summaries(0, c))


# -- name search ---------------------------------------------------------------------------


def test_search_returns_every_match(small):
    assert small.search("x y") == [it for it in ITEMS if it[3].startswith("x y")]
    assert small.search(["a", "long", "missing"]) == [ITEMS[1], ITEMS[5]]
    assert small.search("missing") == []


def test_search_on_a_kent_file_with_two_indexes():
    with BigBedFile(corpus(CHR22_INDEXED)) as bb:
        by_name = bb.search("ENST00000215754.7")
        assert len(by_name) == 1 and by_name[0][3].startswith("ENST00000215754.7\t")
        by_gene = bb.search("MIF", field="geneName")
        assert by_gene and all(r[3].split("\t")[10] == "MIF" for r in by_gene)
        assert bb.search("MIF", field="geneName", typed=True)[0].geneName == "MIF"


def test_search_errors(small):
    with pytest.raises(NotFoundError, match="no field"):
        small.search("a", field="nope")
    with pytest.raises(NotFoundError, match="not indexed"):
        small.search("1", field="score")


def test_search_on_an_index_of_chrom_or_start(tmp_path):
    path = tmp_path / "coords.bb"
    write_test_bigbed(path, ITEMS, SIZES, items_per_slot=2, block_size=2, extra_index=["chrom", "chromStart"])
    with BigBedFile(path) as bb:
        assert bb.extra_indexes == ["chrom", "chromStart"]
        assert bb.search("chr2", field="chrom") == [it for it in ITEMS if it[0] == "chr2"]
        assert bb.search(["50", "10"], field="chromStart") == [it for it in ITEMS if it[1] in (50, 10)]


def test_search_order_kent(small):
    found = small.search(["a", "b", "long"], block_order="kent")
    assert sorted(found) == sorted([ITEMS[1], ITEMS[3], ITEMS[5]])


# -- summaries ------------------------------------------------------------------------------


def test_summary_exact_counts_depth_per_base(small):
    # chr1 depth: 0-50 -> 1 (a), 50-100 -> 2 (a, b), 100-150 -> 1 (b), 150-1000 -> 1 (long)
    assert small.summary("chr1", 0, 200, 4, "max", exact=True) == [1.0, 2.0, 1.0, 1.0]
    assert small.summary("chr1", 0, 200, 2, "mean", exact=True) == [1.5, 1.0]
    assert small.summary("chr1", 0, 200, 1, "coverage", exact=True) == [1.0]
    assert small.summary("chr2", 0, 40, 2, "coverage", exact=True) == [0.5, pytest.approx(math.nan, nan_ok=True)]


def test_summary_kinds_and_errors(small):
    for kind in ("mean", "min", "max", "coverage", "std", "sum", "average", "MAXIMUM"):
        assert len(small.summary("chr1", 0, 1000, 3, kind)) == 3
    with pytest.raises(ArgumentError):
        small.summary("chr1", 0, 10, 1, "median")
    with pytest.raises(ArgumentError):
        small.summary("chr1", 0, 10, 0)


def test_zoom_summaries(small):
    recs = small.zoom_summaries(1, "chr1")
    assert recs and all(r.chrom_id == 0 and r.end - r.start <= 100 for r in recs)
    with pytest.raises(OutOfRangeError):
        small.zoom_summaries(5, "chr1")


# -- life cycle, cache, threads ---------------------------------------------------------------


def test_closed_reader_raises(tmp_path):
    path = tmp_path / "c.bb"
    write_test_bigbed(path, ITEMS, SIZES)
    bb = BigBedFile(path)
    bb.close()
    assert bb.closed
    with pytest.raises(ClosedFileError):
        bb.query("chr1")
    with pytest.raises(ClosedFileError):
        list(bb)


def test_not_a_bigbed(tmp_path):
    path = tmp_path / "x.bb"
    path.write_bytes(b"\0" * 1198)
    with pytest.raises(FormatError, match=r"byte 0: not a bigBed file"):
        BigBedFile(path)
    path.write_bytes(b"\x26\xfc\x8f\x88" + b"\0" * 100)
    with pytest.raises(FormatError, match="bigWig"):
        BigBedFile(path)
    with pytest.raises(ArgumentError):
        BigBedFile(path, cache_bytes=-1)


@pytest.mark.parametrize("cache_bytes", [0, 30_000, 1 << 20])
def test_repeated_and_overlapping_queries_are_consistent(tmp_path, cache_bytes):
    rng = random.Random(cache_bytes)
    items, sizes = random_items(rng, chroms=2, per_chrom=2000)
    path = tmp_path / "r.bb"
    write_test_bigbed(path, items, sizes, items_per_slot=64)
    with BigBedFile(path, cache_bytes=cache_bytes) as bb:
        chrom = next(iter(bb.chroms))
        size = sizes[chrom]
        windows = [(s, s + 2000) for s in range(0, size, 700)]
        for start, end in windows + windows[::-1] + windows:
            assert bb.query(chrom, start, end) == overlapping(items, chrom, start, end)


def test_repeated_queries_are_served_from_the_block_cache():
    """Blocks a query reads in part are kept; blocks wholly inside a query's range (as in
    a whole-chromosome query) are decoded in bulk and not kept."""
    rng = random.Random(12)
    items, sizes = random_items(rng, chroms=2, per_chrom=3000)
    data = write_test_bigbed(None, items, sizes, items_per_slot=64)
    chrom = next(iter(sizes))
    windows = [(s, s + 300) for s in range(0, sizes[chrom], 7919)]
    for budget in (1 << 20, 0):
        source = CountingBytesIO(data)
        with BigBedFile(source, cache_bytes=budget) as bb:
            first = [bb.query(chrom, s, e) for s, e in windows]
            before = source.reads
            assert [bb.query(chrom, s, e) for s, e in windows] == first
            assert first == [overlapping(items, chrom, s, e) for s, e in windows]
            assert (source.reads == before) == (budget > 0)  # no file read when cached


def test_block_cache_stays_within_its_budget(tmp_path):
    rng = random.Random(13)
    items, sizes = random_items(rng, chroms=3, per_chrom=5000)
    path = tmp_path / "b.bb"
    write_test_bigbed(path, items, sizes, items_per_slot=32)
    budget = 60_000
    with BigBedFile(path, cache_bytes=budget) as bb:
        for _ in range(300):
            chrom = rng.choice(list(sizes))
            start = rng.randrange(sizes[chrom])
            assert bb.query(chrom, start, start + 5000) == overlapping(items, chrom, start, start + 5000)
            assert 0 < bb._cache.nbytes <= budget
        assert 1 < len(bb._cache) < 300


def test_threads_share_one_reader(tmp_path):
    rng = random.Random(11)
    items, sizes = random_items(rng, chroms=3, per_chrom=3000)
    path = tmp_path / "t.bb"
    write_test_bigbed(path, items, sizes, items_per_slot=128)
    queries = []
    for _ in range(400):
        chrom = rng.choice(list(sizes))
        start = rng.randrange(sizes[chrom])
        queries.append((chrom, start, start + rng.randrange(5000)))
    expected = [overlapping(items, *q) for q in queries]
    errors = []
    with BigBedFile(path, cache_bytes=100_000) as bb:

        def work(order):
            try:
                for i in order:
                    assert bb.query(*queries[i]) == expected[i]
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)

        threads = [threading.Thread(target=work, args=(random.Random(t).sample(range(400), 400),)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors[:1]


@pytest.mark.parametrize("items_per_slot", [5, 64, 1000])
def test_records_out_of_start_order_are_still_found(tmp_path, items_per_slot):
    """Writers sort records; a file that does not is read correctly, only slower."""
    rng = random.Random(items_per_slot)
    items, sizes = random_items(rng, chroms=1, per_chrom=600)
    rng.shuffle(items)
    path = tmp_path / "unsorted.bb"
    write_test_bigbed(path, items, sizes, items_per_slot=items_per_slot, block_size=4)
    chrom = items[0][0]
    with BigBedFile(path) as bb:
        for _ in range(200):
            start = rng.randrange(sizes[chrom])
            end = start + rng.randrange(3000)
            assert bb.query(chrom, start, end) == overlapping(items, chrom, start, end)


def test_search_kent_block_order_sorts_index_entries_by_their_bytes(tmp_path):
    """kent's bigBedNamedItems visits the blocks of a name in the order of the raw bytes
    of their index entries (offset, size), which for little-endian files is not file
    order; ``block_order="kent"`` reproduces it, the default keeps file order."""
    import struct

    items = [("chr1", i * 100, i * 100 + 50, f"{'shared' if i % 7 == 0 else f'n{i}'}\t{i % 1000}\t+") for i in range(2000)]
    path = tmp_path / "multi.bb"
    write_test_bigbed(path, items, {"chr1": 300_000}, items_per_slot=4, block_size=4, extra_index=["name"])
    shared = [it for it in items if it[3].startswith("shared")]
    with BigBedFile(path) as bb:
        assert bb.search("shared") == shared
        blocks = bb._index().all_blocks()
        by_block = {}
        for k, (offset, size) in enumerate(blocks):
            for item in items[4 * k : 4 * k + 4]:
                if item in shared:
                    by_block.setdefault(struct.pack("<QQ", offset, size), []).append(item)
        expected = [item for key in sorted(by_block) for item in by_block[key]]
        assert expected != shared  # the two orders do differ here
        assert bb.search("shared", block_order="kent") == expected
