"""write_bigbed: kent's bytes, what every reader reads back, zoom levels, API forms, atomicity.

Readers: a plain decoder written here (header, chromosome B+ tree, R-tree, blocks, zoom
levels) for the whole file; pybbi (kent's C library), pyBigWig and JBrowse's @gmod/bbi for
region queries against a brute-force overlap of the input, each with its own overlap rule
(pybbi: current kent's, with zero-length items at the query edges; pyBigWig: strict
half-open overlap; @gmod/bbi: start < end-of-query and end >= start-of-query).
"""
import gzip
import io
import json
import os
import random
import struct
import sys
import zlib

import numpy as np
import pytest

import common
from common import corpus
from trackpack import FormatError, UsageError, write_bigbed
from trackpack.bbi.bptree import BPlusTree
from trackpack.bbi.layout import (
    BIGBED_MAGIC,
    CHROM_VALUE,
    DATA_COUNT,
    OFFSET_SIZE_VALUE,
    BbiHeader,
    Extension,
    TotalSummary,
    ZoomHeader,
    byte_order_of,
)
from trackpack.bbi.rtree import RTree
from trackpack.bbi.zoom import RECORD_DTYPE
from test_zoom import ref_level0, ref_segments, ref_simple_reduce, ref_tuples, ref_window_counts_from_items

KENT_IN = "ucscGenomeBrowser+kent-core/src/utils/bedToBigBed/tests/input"
KENT_BIN = "_generated_with_kentUtils_bin"
MASK = 0xFFFFFFFF


# --- a plain decoder ----------------------------------------------------------------------------


class Decoded:
    """Everything in a bigBed, read the simple way."""

    def __init__(self, path):
        data = open(path, "rb").read()
        self.data = data
        order = byte_order_of(data[:4], BIGBED_MAGIC)
        assert order is not None, "bad magic"
        assert data[-4:] == data[:4], "trailing magic"
        self.order = order
        self.header = h = BbiHeader.unpack(order, data)
        self.zooms = [ZoomHeader.unpack(order, data, 64 + 24 * i) for i in range(h.zoom_levels)]
        self.autosql = data[h.autosql_offset:data.index(b"\0", h.autosql_offset)].decode()
        self.total = TotalSummary.unpack(order, data, h.total_summary_offset)
        self.extension = Extension.unpack(order, data, h.extension_offset)

        def read(offset, size, what="data"):
            assert offset + size <= len(data), what
            return data[offset:offset + size]

        self.read = read
        tree = BPlusTree(read, h.chrom_tree_offset, order)
        self.chroms = {}
        self.names = {}
        for key, value in tree.items():
            cid, size = CHROM_VALUE.unpack(order, value)
            name = key.rstrip(b"\0").decode()
            self.chroms[name] = size
            self.names[cid] = name
        self.item_count = DATA_COUNT.unpack(order, data, h.full_data_offset)[0]
        self.rtree = RTree(read, h.full_index_offset, order)
        check_rtree_bounds(self.rtree)
        self.blocks = []  # (leaf bounds, [items])
        self.items = []
        for leaf in self._leaves(self.rtree):
            block = read(leaf[4], leaf[5])
            if h.uncompress_buf_size:
                block = zlib.decompress(block)
                assert len(block) <= h.uncompress_buf_size
            recs = []
            at = 0
            while at < len(block):
                cid, s, e = struct.unpack_from(order + "III", block, at)
                nul = block.index(b"\0", at + 12)
                recs.append((self.names[cid], s, e, block[at + 12:nul].decode()))
                at = nul + 1
            self.blocks.append((leaf, recs))
            self.items += recs

    def index_offsets(self):
        """File offsets of the extra-index B+ trees, in the extension's order."""
        ext = self.extension
        return [struct.unpack_from(self.order + "Q", self.data, ext.extra_index_list_offset + 20 * i + 4)[0]
                for i in range(ext.extra_index_count)]

    def check_layout(self):
        """kent's order of the parts: header, zoom headers, autoSql, total summary, extension,
        extra-index list, chromosome tree, data, its R-tree, zoom levels, extra indexes, magic."""
        h = self.header
        assert h.autosql_offset == 64 + 10 * 24  # after room for 10 zoom headers
        parts = [h.autosql_offset, h.total_summary_offset, h.extension_offset]
        if self.extension.extra_index_count:
            parts.append(self.extension.extra_index_list_offset)
        parts += [h.chrom_tree_offset, h.full_data_offset, h.full_index_offset]
        for z in self.zooms:
            parts += [z.data_offset, z.index_offset]
        parts += self.index_offsets() + [len(self.data) - 4]
        assert parts == sorted(parts) and len(set(parts)) == len(parts), parts
        assert h.chrom_tree_offset < h.full_data_offset  # some browsers depend on this

    def _leaves(self, rtree):
        """R-tree leaf items in file order, bounds included."""
        return rtree.all_items()

    def zoom_records(self, level):
        z = self.zooms[level]
        count = struct.unpack_from(self.order + "I", self.data, z.data_offset)[0]
        rtree = RTree(self.read, z.index_offset, self.order)
        check_rtree_bounds(rtree)
        assert rtree.item_count == count
        recs = []
        for leaf in self._leaves(rtree):
            block = self.read(leaf[4], leaf[5])
            if self.header.uncompress_buf_size:
                block = zlib.decompress(block)
            part = np.frombuffer(block, RECORD_DTYPE.newbyteorder(self.order))
            # leaf bounds: first start, last chromosome's largest end
            last = part["chrom"][-1]
            assert (leaf[0], leaf[1], leaf[2]) == (part["chrom"][0], part["start"][0], last)
            assert leaf[3] == part["end"][part["chrom"] == last].max()
            recs += [tuple(x.item() for x in r) for r in part]
        assert len(recs) == count
        return recs

    def search(self, field_index, key):
        """Items whose extra-index ``field_index`` equals key (via our B+ tree read)."""
        entry_at = self.extension.extra_index_list_offset + field_index * 20
        _, _, offset = struct.unpack_from(self.order + "HHQ", self.data, entry_at)
        tree = BPlusTree(self.read, offset, self.order)
        return tree.find_all(key.encode())


def check_rtree_bounds(rtree):
    """Every node's item spans exactly its child: the first start and the LARGEST end beneath."""
    def walk(offset):
        node = rtree.node(offset)
        lo = min(((it[0], it[1]) for it in node.items), default=None)
        hi = max(((it[2], it[3]) for it in node.items), default=None)
        assert lo == (node.items[0][0], node.items[0][1]) if node.items else True  # starts ascend
        for it in node.items if not node.is_leaf else ():
            child_lo, child_hi = walk(it[4])
            assert (it[0], it[1]) == child_lo and (it[2], it[3]) == child_hi, (offset, it)
        return lo, hi

    if rtree.item_count:
        lo, hi = walk(rtree.root_offset)
        assert (rtree.start_chrom_ix, rtree.start_base, rtree.end_chrom_ix, rtree.end_base) == (*lo, *hi)


# --- reference data -------------------------------------------------------------------------------

CHROMS = {"chr1": 60_000, "chr10": 40_000, "chr2": 30_000, "chrM": 2_000, "chrX_alt": 700}


def gen_items(rng, bed_n, *, per_chrom=300, names=None, spaces=False, zero=True):
    """Sorted random BED items (chrom, start, end, [fields...]) for bedN."""
    items = []
    k = 0
    for chrom in sorted(CHROMS):
        size = CHROMS[chrom]
        n = rng.randrange(per_chrom // 3, per_chrom) if size > 1000 else 4
        spans = []
        for _ in range(n):
            s = rng.randrange(0, size)
            if zero and rng.random() < 0.04:
                e = s
            else:
                e = min(size, s + int(rng.choice([1, 10, 100, 1000, 8000]) * rng.random()) + 1)
            spans.append((s, e))
        if zero:
            spans += [(0, 0), (size, size), (size - 1, size)]
        spans.append((0, rng.randrange(1, size)))
        spans.sort(key=lambda x: x[0])
        for s, e in spans:
            fields = []
            if bed_n > 3:
                name = names(k) if names else (f"item {k}" if spaces else f"it{k}")
                fields.append(name)
            if bed_n > 4:
                fields.append(str(rng.randrange(0, 1001)))
            if bed_n > 5:
                fields.append(rng.choice("+-."))
            if bed_n > 6:
                ts = rng.choice([s, s + (e - s) // 3, 0])
                fields.append(str(ts))
            if bed_n > 7:
                fields.append(str(max(ts, e - (e - s) // 4) if ts else rng.choice([0, e])))
            if bed_n > 8:
                fields.append(rng.choice(["0", "255,0,0", "12,200,3"]))
            if bed_n > 9:
                length = e - s
                nb = 1 if length < 8 else rng.randrange(1, 4)
                cuts = sorted(rng.sample(range(1, length), 2 * (nb - 1))) if nb > 1 else []
                bounds = [0] + cuts + [length]
                starts = bounds[0::2]
                sizes = [bounds[i + 1] - bounds[i] for i in range(0, len(bounds), 2)]
                fields += [str(nb), ",".join(map(str, sizes)) + ",", ",".join(map(str, starts)) + ","]
            items.append((chrom, s, e, fields[: bed_n - 3]))
            k += 1
    return items


def bed_text(items, sep="\t"):
    return "".join(sep.join([c, str(s), str(e)] + f) + "\n" for c, s, e, f in items)


def write_inputs(tmp_path, items, name="in.bed", sep="\t"):
    bed = tmp_path / name
    bed.write_text(bed_text(items, sep))
    sizes = tmp_path / "chrom.sizes"
    sizes.write_text("".join(f"{c}\t{n}\n" for c, n in CHROMS.items()))
    return bed, sizes


def expected_items(items):
    return [(c, s, e, "\t".join(f)) for c, s, e, f in items]


# --- the reference of the zoom levels -------------------------------------------------------------


def reference_zooms(items, data_size, compress, chrom_ids):
    by_chrom = {}
    for c, s, e, _ in items:
        by_chrom.setdefault(chrom_ids[c], []).append((s, e))
    chrom_items = sorted(by_chrom.items())
    sizes = [0] * len(chrom_ids)
    for c, cid in chrom_ids.items():
        sizes[cid] = CHROMS[c]
    ave = sum(e - s for _, s, e, _ in items) / len(items)
    res = int(ave) if int(ave) >= 10 else 10
    scales = []
    for _ in range(10):
        scales.append(res)
        if res > (2**31 - 1) // 4:
            break
        res *= 4
    counts = ref_window_counts_from_items(chrom_items, scales)
    reduction, estimate = scales[0], counts[0]
    for scale, count in zip(scales, counts):
        size = count * 32 // (2 if compress else 1)
        if size <= data_size // 2:
            reduction, estimate = scale, count
            break
    level0, level1, total = ref_level0(ref_segments(chrom_items), reduction, sizes)
    levels, reductions = [level0], [reduction]
    zoom_count, current, red = estimate, level1, (reduction * 4) & MASK
    while len(levels) < 10 and len(current) < zoom_count:
        zoom_count = len(current)
        levels.append(current)
        reductions.append(red)
        red = (red * 4) & MASK
        current = ref_simple_reduce(current, red)
    return levels, reductions, total


def check_file(path, items, *, field_count, defined, compress=True):
    """Decode ``path`` and check everything against the input ``items``."""
    d = Decoded(path)
    h = d.header
    expected = expected_items(items)
    assert d.items == expected
    assert d.item_count == len(items)
    assert (h.version, h.field_count, h.defined_field_count) == (4, field_count, defined)
    assert (h.uncompress_buf_size > 0) == compress
    used = []
    for c, *_ in items:
        if not used or used[-1] != c:
            used.append(c)
    assert sorted(d.chroms) == sorted(used)
    chrom_ids = {name: cid for cid, name in d.names.items()}
    assert [chrom_ids[c] for c in used] == list(range(len(used)))  # ids in order of appearance,
    if used == sorted(used, key=str.encode):  # which for sorted input is byte-wise name order
        assert [d.names[i] for i in range(len(used))] == sorted(d.names.values(), key=str.encode)
    d.check_layout()
    # R-tree leaves: one block of one chromosome each, bounds = first start, largest end
    for leaf, recs in d.blocks:
        cid = chrom_ids[recs[0][0]]
        assert {chrom_ids[r[0]] for r in recs} == {cid}
        assert (leaf[0], leaf[1], leaf[2], leaf[3]) == (cid, recs[0][1], cid, max(r[2] for r in recs))
    if not items:
        assert h.zoom_levels == 0
        return d
    levels, reductions, total = reference_zooms(items, h.full_index_offset - h.full_data_offset, compress, chrom_ids)
    assert [z.reduction_level for z in d.zooms] == reductions
    for i in range(len(levels)):
        assert d.zoom_records(i) == ref_tuples(levels[i]), f"zoom level {i}"
    assert tuple(d.total) == (total["valid"], total["min"], total["max"], total["sum"], total["sq"])
    return d


# --- kent-made files in the corpus ---------------------------------------------------------------


def _zoom_mask(data):
    """Bytes to compare with kent 2.6's files: all but the zoom-level count and headers."""
    return data[:6] + data[8:64] + data[304:]


@pytest.mark.parametrize(
    "kent_file,source,sizes,options",
    [
        ("itemRgb.bb", f"{KENT_IN}/itemRgb.bed", f"{KENT_IN}/chrom.sizes",
         dict(bed_type="bed9", autosql=f"{KENT_IN}/itemRgb.as")),
        ("itemRgb.unc.bb", f"{KENT_IN}/itemRgb.bed", f"{KENT_IN}/chrom.sizes",
         dict(bed_type="bed9", autosql=f"{KENT_IN}/itemRgb.as", compress=False)),
        ("tabSep.bb", f"{KENT_IN}/tabSep.bed", f"{KENT_IN}/chrom.sizes",
         dict(bed_type="bed4", autosql=f"{KENT_IN}/tabSep.as", tab=True)),
        ("oddSorted.bed12.tiny.bb", f"{KENT_BIN}/oddSorted.bed12.bed", f"{KENT_IN}/hg38.chrom.sizes",
         dict(bed_type="bed12", extra_index=["name"], block_size=4, items_per_slot=4)),
        ("empty.bed3.bb", f"{KENT_BIN}/empty.bed", f"{KENT_IN}/chrom.sizes", dict(bed_type="bed3")),
    ],
)
def test_same_bytes_as_kent(tmp_path, kent_file, source, sizes, options):
    options = {k: str(corpus(v)) if k == "autosql" else v for k, v in options.items()}
    out = tmp_path / "out.bb"
    summary = write_bigbed(corpus(source), corpus(sizes), out, **options)
    ours = out.read_bytes()
    kent = corpus(f"{KENT_BIN}/{kent_file}").read_bytes()
    # kent 2.6 wrote the zoom data but recorded 0 zoom levels (fixed later): all else equal
    common.assert_same_bytes(_zoom_mask(ours), _zoom_mask(kent), kent_file)
    d = Decoded(out)
    assert d.header.zoom_levels == summary.zoom_levels
    assert (summary.items, summary.bytes) == (d.item_count, len(ours))
    for z in d.zooms:  # our zoom headers point at the zoom data kent wrote in the same place
        assert struct.unpack_from("<I", kent, z.data_offset) == struct.unpack_from("<I", ours, z.data_offset)
        assert kent[z.index_offset:z.index_offset + 4] == ours[z.index_offset:z.index_offset + 4]
    if d.item_count == 0:
        assert d.header.zoom_levels == 0


def test_insertions_as_kent_wrote_them(tmp_path):
    # a kent-made bigBed (BioFmtSpecimens) with zero-length items between overlapping ones:
    # written again from its own items, everything but kent 2.6's zoom-level count is equal,
    # zoom records and total summary included (insertions cover no bases)
    kent = Decoded(corpus("BioJulia+BioFmtSpecimens/BBI/insertionsPrimary.bb"))
    assert any(s == e for _, s, e, _ in kent.items)
    out = tmp_path / "out.bb"
    write_bigbed(kent.items, kent.chroms, out, bed_type="bed4")
    common.assert_same_bytes(_zoom_mask(out.read_bytes()), _zoom_mask(kent.data), "insertionsPrimary.bb")


BLAT = "biopython+biopython/Tests/Blat"


@pytest.mark.parametrize(
    "kent_file,source,options",
    [
        *[(f"{BLAT}/bed{n}.bb", f"{BLAT}/bed{n}.bed", dict(bed_type=f"bed{n}")) for n in (3, 4, 5, 6, 7, 8, 9, 12)],
        (f"{BLAT}/dna_rna.bb", f"{BLAT}/dna_rna.bed", dict(bed_type="bed12")),
        # these inputs were sorted before kent saw them
        *[(f"{BLAT}/{n}.bb", f"{BLAT}/{n}.bed", dict(bed_type="bed12", sort=True))
          for n in ("psl_34_001", "psl_34_003", "psl_34_004", "psl_35_001")],
        ("diekhans+pycbio/tests/libtests/pycbio/hgdata/input/bed12extra.bigBed",
         "diekhans+pycbio/tests/libtests/pycbio/hgdata/input/bed12extra.bed", dict(bed_type="bed12+4", tab=True)),
        ("ucscGenomeBrowser+kent-core/src/hg/utils/otto/mpxv/mask.bb",
         "ucscGenomeBrowser+kent-core/src/hg/utils/otto/mpxv/mask.bed", dict(bed_type="bed4", tab=True)),
        ("ucscGenomeBrowser+kent-core/src/hg/utils/otto/rsv/mask.A.bb",
         "ucscGenomeBrowser+kent-core/src/hg/utils/otto/rsv/mask.A.bed", dict(bed_type="bed4", tab=True)),
    ],
)
def test_same_bytes_as_recent_kent(tmp_path, kent_file, source, options):
    # bigBeds that a recent kent wrote (zoom levels in the header, the default autoSql,
    # overlapping items: true coverage depth) from BED text in the corpus; the sizes are
    # the ones kent stored
    kent = Decoded(corpus(kent_file))
    out = tmp_path / "out.bb"
    summary = write_bigbed(corpus(source), kent.chroms, out, **options)
    common.assert_same_bytes(out.read_bytes(), kent.data, kent_file)
    assert (summary.items, summary.chromosomes, summary.zoom_levels, summary.bytes) == (
        kent.item_count, len(kent.chroms), kent.header.zoom_levels, len(kent.data))


KENT_CASES = {  # kent's own bedToBigBed tests (kent-core CASES.md), run as they run them
    "itemRgb": ("itemRgb.bed", "chrom.sizes", dict(bed_type="bed9", autosql=f"{KENT_IN}/itemRgb.as")),
    "tabSep": ("tabSep.bed", "chrom.sizes", dict(bed_type="bed4", autosql=f"{KENT_IN}/tabSep.as", tab=True)),
    "oddSorted": ("oddSorted.bed", "hg38.chrom.sizes",
                  dict(bed_type="bed12+16", autosql="ucscGenomeBrowser+kent-core/src/hg/lib/gencodeBGP.as", tab=True,
                       extra_index="name")),
    "multiInsAtEnd": ("multiInsAtEnd.bed", "chrom.sizes", {}),
    "reservedBed12": ("reservedBed12.bed", "chrom.sizes", dict(bed_type="bed9+", autosql=f"{KENT_IN}/reservedBed12.as")),
    "itemRgbBed12": ("itemRgbBed12.bed", "chrom.sizes", dict(bed_type="bed12")),
    "notSorted": ("notSorted.bed", "notSorted.chrom.sizes", dict(bed_type="bed9+3", tab=True, sort=True)),
}


@pytest.mark.parametrize("case", sorted(KENT_CASES))
def test_kent_test_inputs_read_back_everywhere(tmp_path, case):
    source, sizes_file, options = KENT_CASES[case]
    options = {k: str(corpus(v)) if k == "autosql" else v for k, v in options.items()}
    sizes = {}
    for line in corpus(f"{KENT_IN}/{sizes_file}").read_text().splitlines():
        name, size = line.split()[:2]
        sizes[name] = int(size)
    items = []
    for line in corpus(f"{KENT_IN}/{source}").read_text().splitlines():
        f = line.split("\t") if options.get("tab") else line.split()
        items.append((f[0], int(f[1]), int(f[2]), f[3:]))
    if options.get("sort"):
        items.sort(key=lambda it: (it[0].encode(), it[1]))
    out = tmp_path / "out.bb"
    write_bigbed(corpus(f"{KENT_IN}/{source}"), sizes, out, **options)
    present = {c: sizes[c] for c, *_ in items}
    d = Decoded(out)
    assert d.items == expected_items(items)
    d.check_layout()
    check_readers(out, items, random_queries(random.Random(case), 40, present), sizes=present)
    if options.get("extra_index"):
        names = [f[0] for *_, f in items[::37]] + ["no such name"]
        found = json.loads(_node("bbi_search.mjs", out, names))
        for name, rows in zip(names, found):
            assert sorted(tuple(x[:3]) for x in rows) == sorted(
                (s, e, "\t".join(f)) for c, s, e, f in items if f[0] == name), name


# --- generated data, every reader ------------------------------------------------------------------


def brute(items, chrom, qs, qe, rule):
    out = []
    for c, s, e, f in items:
        if c != chrom:
            continue
        if rule == "kent":
            hit = (s < qe and e > qs) or (s == e and (s == qs or s == qe))
        elif rule == "strict":
            hit = s < qe and e > qs
        else:  # @gmod/bbi
            hit = s < qe and e >= qs
        if hit:
            out.append((s, e, "\t".join(f)))
    return out


def random_queries(rng, n=60, sizes=CHROMS):
    qs = []
    for chrom, size in sizes.items():
        qs += [(chrom, 0, size), (chrom, 0, 1), (chrom, size - 1, size)]
    for _ in range(n):
        chrom = rng.choice(sorted(sizes))
        size = sizes[chrom]
        s = rng.randrange(0, size)
        e = min(size, s + rng.choice([1, 2, 50, 1000, 20000]))
        qs.append((chrom, s, e))
    return qs


def check_readers(path, items, queries, *, node=True, pybigwig=True, sizes=CHROMS):
    """pybbi, pyBigWig and @gmod/bbi read ``items`` back from ``path``: each query, and the whole file."""
    bbi = common.require_module("bbi")
    pyBigWig = common.require_module("pyBigWig")
    with bbi.open(str(path)) as f:
        for chrom, s, e in queries:
            if chrom not in f.chromsizes:
                continue
            got = [(r[1], r[2], "\t".join(r[3:])) for r in f.fetch_intervals(chrom, s, e, iterator=True)]
            assert got == brute(items, chrom, s, e, "kent"), ("pybbi", chrom, s, e)
    bw = pyBigWig.open(str(path)) if pybigwig else None  # libBigWig reads little-endian files only
    try:
        for chrom, s, e in queries if bw else ():
            if chrom not in bw.chroms():
                continue
            got = [tuple(x) for x in (bw.entries(chrom, s, e) or [])]
            assert got == [(a, b, r) for a, b, r in brute(items, chrom, s, e, "strict")], ("pyBigWig", chrom, s, e)
    finally:
        if bw:
            bw.close()
    if node:
        common.require_node_package("@gmod/bbi")
        present = {c for c, *_ in items}
        qs = [q for q in queries if q[0] in present]
        out = json.loads(_node("bbi_features.mjs", path, [["*", 0, 0]] + [list(q) for q in qs]))
        chroms = list(dict.fromkeys(c for c, *_ in items))
        whole = [(c, *x) for c in chroms for x in brute(items, c, 0, sizes[c], "gmod")]
        assert [tuple(x) for x in out["results"][0]] == whole
        for (chrom, s, e), got in zip(qs, out["results"][1:]):
            assert [tuple(x) for x in got] == brute(items, chrom, s, e, "gmod"), ("@gmod/bbi", chrom, s, e)
        return out


def _node(script, path, payload):
    request = path.parent / f"{path.name}.{script}.json"
    request.write_text(json.dumps(payload))
    return common.run_node(script, str(path), str(request))


@pytest.mark.parametrize("bed_n", [3, 4, 5, 6, 7, 8, 9, 11, 12])
def test_generated_bed_types_read_back_everywhere(tmp_path, bed_n):
    rng = random.Random(bed_n)
    items = gen_items(rng, bed_n)
    bed, sizes = write_inputs(tmp_path, items)
    out = tmp_path / "out.bb"
    summary = write_bigbed(bed, sizes, out, bed_type=f"bed{bed_n}", items_per_slot=rng.choice([7, 64, 512]))
    d = check_file(out, items, field_count=bed_n, defined=bed_n)
    assert (summary.items, summary.chromosomes, summary.zoom_levels) == (len(items), len(d.chroms), len(d.zooms))
    check_readers(out, items, random_queries(rng), node=bed_n in (3, 6, 12))


@pytest.mark.parametrize("order", ["big", "little"])
@pytest.mark.parametrize("compress", [True, False])
def test_byte_orders_and_compression(tmp_path, order, compress):
    rng = random.Random(7)
    items = gen_items(rng, 6, per_chrom=200)
    bed, sizes = write_inputs(tmp_path, items)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed6", byte_order=order, compress=compress, items_per_slot=20,
                 extra_index="name")
    d = check_file(out, items, field_count=6, defined=6, compress=compress)
    assert d.order == ("<" if order == "little" else ">")
    # only kent's reader (pybbi) reads big-endian files; libBigWig and @gmod/bbi do not
    check_readers(out, items, random_queries(rng, 30), node=order == "little" and not compress,
                  pybigwig=order == "little")
    name = items[17][3][0]
    values = d.search(0, name)
    assert [OFFSET_SIZE_VALUE.unpack(d.order, v) for v in values] == [
        (leaf[4], leaf[5]) for leaf, recs in d.blocks if any(r[3].split("\t")[0] == name for r in recs)]


NARROWPEAK_AS = """table narrowPeak
"BED6+4 Peaks of signal enrichment based on pooled, normalized (interpreted) data."
(
    string chrom;        "Reference sequence chromosome or scaffold"
    uint   chromStart;   "Start position in chromosome"
    uint   chromEnd;     "End position in chromosome"
    string name;         "Name given to a region (preferably unique). Use . if no name is assigned"
    uint   score;        "Indicates how dark the peak will be displayed in the browser (0-1000) "
    char[1]  strand;     "+ or - or . for unknown"
    float  signalValue;  "Measurement of average enrichment for the region"
    float  pValue;       "Statistical significance of signal value (-log10). Set to -1 if not used."
    float  qValue;       "Statistical significance with multiple-test correction applied (FDR -log10). Set to -1 if not used."
    int   peak;         "Point-source called for this peak; 0-based offset from chromStart. Set to -1 if no point-source called."
)
"""


def test_narrowpeak_bed6_plus_4(tmp_path):
    rng = random.Random(64)
    items = gen_items(rng, 6, zero=False)
    items = [(c, s, e, f + [f"{rng.random() * 100:.3f}", "-1", f"{rng.random():.2e}", str(rng.randrange(-1, 50))])
             for c, s, e, f in items]
    bed, sizes = write_inputs(tmp_path, items)
    (tmp_path / "narrowPeak.as").write_text(NARROWPEAK_AS)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed6+4", autosql=tmp_path / "narrowPeak.as")
    d = check_file(out, items, field_count=10, defined=6)
    assert d.autosql == NARROWPEAK_AS
    check_readers(out, items, random_queries(rng, 30), node=True)
    bbi = common.require_module("bbi")
    with bbi.open(str(out)) as f:
        df = f.fetch_intervals("chr1", 0, CHROMS["chr1"])
    assert list(df.columns)[-4:] == ["signalValue", "pValue", "qValue", "peak"]
    assert [int(x) for x in df["peak"].tolist()] == [int(f[6]) for c, s, e, f in items if c == "chr1"]


def test_names_with_spaces_need_tab(tmp_path):
    rng = random.Random(5)
    items = gen_items(rng, 6, spaces=True, per_chrom=60)
    bed, sizes = write_inputs(tmp_path, items)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed6", tab=True, extra_index=["name"])
    check_file(out, items, field_count=6, defined=6)
    check_readers(out, items, random_queries(rng, 20), node=True)
    with pytest.raises(FormatError, match=r"in.bed:1: expected 6 columns \(bed6\), found 7.*-tab"):
        write_bigbed(bed, sizes, tmp_path / "bad.bb", bed_type="bed6")
    assert not (tmp_path / "bad.bb").exists()


def test_300_items_share_a_name_in_the_extra_index(tmp_path):
    rng = random.Random(300)
    shared = set(rng.sample(range(600), 300))
    items = gen_items(rng, 12, per_chrom=300, names=lambda k: "SHARED" if k in shared else f"g{k}")
    n_shared = sum(1 for *_, f in items if f[0] == "SHARED")
    assert n_shared >= 250
    bed, sizes = write_inputs(tmp_path, items)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed12", extra_index="name", items_per_slot=16, block_size=4)
    d = check_file(out, items, field_count=12, defined=12)
    # one value per item holding the name, in item order (a block repeats per item it holds)
    per_item = [(leaf[4], leaf[5]) for leaf, recs in d.blocks for r in recs if r[3].startswith("SHARED\t")]
    assert [OFFSET_SIZE_VALUE.unpack(d.order, v) for v in d.search(0, "SHARED")] == per_item
    assert len(per_item) == n_shared and len(set(per_item)) > 10
    for k in (1, 2, 599):
        name = f"g{k}"
        want = [(leaf[4], leaf[5]) for leaf, recs in d.blocks for r in recs if r[3].split("\t")[0] == name]
        assert [OFFSET_SIZE_VALUE.unpack(d.order, v) for v in d.search(0, name)] == want


def test_gmod_search_extra_index(tmp_path):
    # @gmod/bbi's searchExtraIndex follows one path down the tree (comparing with
    # localeCompare) and reads one block: give it lower-case names, and 300 items sharing
    # a name within one data block.
    common.require_node_package("@gmod/bbi")
    rng = random.Random(301)
    items = []
    for k in range(900):
        s = k * 50
        name = "shared" if 100 <= k < 400 else f"g{k:04d}"  # all in the first data block
        items.append(("chr1", s, s + rng.randrange(1, 200), [name, str(k % 1000), "+", f"gene{k:04d}"]))
    bed, sizes = write_inputs(tmp_path, items)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed6+1", autosql=B_AS6_PLUS_GENE, extra_index="name,geneName",
                 items_per_slot=512, block_size=8)
    check_file(out, items, field_count=7, defined=6)
    found = json.loads(_node("bbi_search.mjs", out, ["shared", "g0003", "gene0899", "nope"]))
    as_rows = lambda rows: sorted(tuple(x[:3]) for x in rows)  # noqa: E731
    assert as_rows(found[0]) == [(s, e, "\t".join(f)) for c, s, e, f in items if f[0] == "shared"]
    assert {x[3] for x in found[0]} == {3}  # found through the name column
    assert as_rows(found[1]) == [(s, e, "\t".join(f)) for c, s, e, f in items if f[0] == "g0003"]
    assert as_rows(found[2]) == [(s, e, "\t".join(f)) for c, s, e, f in items if f[3] == "gene0899"]
    assert {x[3] for x in found[2]} == {6}  # through geneName
    assert found[3] == []


def test_extra_indexes_on_two_fields(tmp_path):
    rng = random.Random(2)
    items = gen_items(rng, 6, per_chrom=100)
    items = [(c, s, e, f + [f"gene{rng.randrange(40)}"]) for c, s, e, f in items]
    bed, sizes = write_inputs(tmp_path, items)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed6+1", autosql=B_AS6_PLUS_GENE, extra_index=("name", "geneName"))
    d = check_file(out, items, field_count=7, defined=6)
    assert d.extension.extra_index_count == 2
    ids = [struct.unpack_from(d.order + "H", d.data, d.extension.extra_index_list_offset + 20 * i + 16)[0]
           for i in range(2)]
    assert ids == [3, 6]
    want = [(leaf[4], leaf[5]) for leaf, recs in d.blocks for r in recs if r[3].endswith("\tgene7")]
    assert [OFFSET_SIZE_VALUE.unpack(d.order, v) for v in d.search(1, "gene7")] == want


B_AS6_PLUS_GENE = """table bed6gene
"bed6 plus a gene name"
    (
    string chrom;       "Reference sequence chromosome or scaffold"
    uint   chromStart;  "Start position in chromosome"
    uint   chromEnd;    "End position in chromosome"
    string name;        "Name of item."
    uint score;          "Score (0-1000)"
    char[1] strand;     "+ or - for strand"
    string geneName;    "gene"
    )
"""


# --- Python records, DataFrames, sort --------------------------------------------------------------


def test_records_tuples_dataframe_and_path_give_the_same_bytes(tmp_path):
    rng = random.Random(12)
    items = gen_items(rng, 12, per_chrom=120)
    bed, sizes = write_inputs(tmp_path, items)
    sizes_map = dict(CHROMS)
    ref = tmp_path / "path.bb"
    write_bigbed(bed, sizes, ref, bed_type="bed12", tab=True, extra_index="name")
    want = ref.read_bytes()
    full = [(c, s, e, *f) for c, s, e, f in items]
    typed = [(c, s, e, f[0], int(f[1]), f[2], int(f[3]), int(f[4]), f[5], int(f[6]),
              [int(x) for x in f[7].rstrip(",").split(",")], tuple(int(x) for x in f[8].rstrip(",").split(",")))
             for c, s, e, f in items]
    rest = [(c, s, e, "\t".join(f)) for c, s, e, f in items]
    for name, records in [("full", full), ("typed", typed), ("rest", rest), ("lines", bed_text(items).splitlines())]:
        out = tmp_path / f"{name}.bb"
        summary = write_bigbed(iter(records), sizes_map, out, bed_type="bed12", extra_index="name")
        common.assert_same_bytes(out.read_bytes(), want, name)
        assert summary.items == len(items)
    pd = common.require_module("pandas")
    df = pd.DataFrame(typed, columns=["chrom", "start", "end", "name", "score", "strand", "thickStart", "thickEnd",
                                      "rgb", "blockCount", "blockSizes", "chromStarts"])
    out = tmp_path / "df.bb"
    write_bigbed(df, sizes_map, out, extra_index="name")  # type guessed from the columns
    common.assert_same_bytes(out.read_bytes(), want, "DataFrame")


def test_record_errors_name_the_record(tmp_path):
    records = [("chr1", 0, 10, "a", 0, "+"), ("chr1", 5, 3, "b", 0, "+")]
    with pytest.raises(FormatError, match=r"<records>:2: chromStart 5 is after chromEnd 3"):
        write_bigbed(records, dict(CHROMS), tmp_path / "x.bb", bed_type="bed6")
    assert not (tmp_path / "x.bb").exists()


@pytest.mark.parametrize("memory", [1 << 20, 3000])
def test_sort_gives_the_sorted_bytes(tmp_path, monkeypatch, memory):
    import trackpack.bbi.writer as writer
    from trackpack.extsort import ExternalSorter

    rng = random.Random(99)
    items = gen_items(rng, 6, per_chrom=200)
    bed, sizes = write_inputs(tmp_path, items, "sorted.bed")
    want = tmp_path / "want.bb"
    write_bigbed(bed, sizes, want, bed_type="bed6")
    # shuffle, but keep items with equal (chrom, start) in input order: a stable sort restores it
    order = list(range(len(items)))
    rng.shuffle(order)
    groups = {}
    for i in order:
        groups.setdefault((items[i][0], items[i][1]), []).append(i)
    queue = {k: sorted(v) for k, v in groups.items()}
    shuffled = [items[queue[(items[i][0], items[i][1])].pop(0)] for i in order]
    text = "# a comment\n" + bed_text(shuffled)
    (tmp_path / "shuffled.bed.gz").write_bytes(gzip.compress(text.encode()))
    out = tmp_path / "out.bb"
    sorters = []

    class Recording(ExternalSorter):
        def sorted(self):
            sorters.append(self.spilled)
            return super().sorted()

    monkeypatch.setattr(writer, "ExternalSorter", Recording)
    write_bigbed(tmp_path / "shuffled.bed.gz", sizes, out, bed_type="bed6", sort=True, sort_memory=memory)
    common.assert_same_bytes(out.read_bytes(), want.read_bytes(), "sorted")
    assert sorters == [memory < 10_000]  # a small budget spills runs to temporary files
    with pytest.raises(FormatError, match="not sorted|not all together"):
        write_bigbed(tmp_path / "shuffled.bed.gz", sizes, tmp_path / "no.bb", bed_type="bed6")


def test_sort_reports_original_line_numbers(tmp_path):
    sizes = {"a": 100, "b": 100}
    text = "b\t5\t6\tx\n#\na\t1\t2\ty\na\t0\t200\tz\n"
    (tmp_path / "in.bed").write_text(text)
    with pytest.raises(FormatError, match=r"in.bed:4: chromEnd 200 is beyond the end of a"):
        write_bigbed(tmp_path / "in.bed", sizes, tmp_path / "o.bb", bed_type="bed4", sort=True)


# --- behaviour -------------------------------------------------------------------------------------------


def test_zero_length_items_everywhere(tmp_path):
    sizes = {"c1": 10, "c2": 5}
    items = [("c1", 0, 0, ["z0"]), ("c1", 0, 5, ["a"]), ("c1", 5, 5, ["z5"]), ("c1", 7, 10, ["b"]),
             ("c1", 10, 10, ["z10"]), ("c1", 10, 10, ["z10b"]), ("c2", 5, 5, ["only"])]
    (tmp_path / "in.bed").write_text(bed_text(items))
    out = tmp_path / "out.bb"
    write_bigbed(tmp_path / "in.bed", sizes, out, bed_type="bed4")
    d = Decoded(out)
    assert d.items == expected_items(items)
    assert d.total == (8, 1.0, 1.0, 8.0, 8.0)
    assert d.header.zoom_levels >= 1
    recs = d.zoom_records(0)
    c2 = [r for r in recs if d.names[r[0]] == "c2"]
    assert c2 == [(1, 5, 5, 0, 0.0, 0.0, 0.0, 0.0)]  # a window opened by the insertion alone


def test_multiple_chromosome_orders_follow_current_kent(tmp_path):
    # chromosomes need not be in byte order, only together; ids follow the input
    sizes = {"chrB": 100, "chrA": 100}
    (tmp_path / "in.bed").write_text("chrB\t1\t2\nchrA\t3\t4\n")
    out = tmp_path / "out.bb"
    write_bigbed(tmp_path / "in.bed", sizes, out, bed_type="bed3")
    d = Decoded(out)
    assert d.names == {0: "chrB", 1: "chrA"}
    assert d.items == [("chrB", 1, 2, ""), ("chrA", 3, 4, "")]


def bed12(start, end, thick=(0, 0), rgb="0", count=1, sizes=None, starts="0,"):
    sizes = sizes if sizes is not None else f"{end - start},"
    return f"chr1\t{start}\t{end}\tn\t0\t+\t{thick[0]}\t{thick[1]}\t{rgb}\t{count}\t{sizes}\t{starts}\n"


@pytest.mark.parametrize(
    "text,bed_type,message",
    [
        ("chr1\t5\t10\nchr1\t4\t10\n", "bed3", r"in.bed:2: not sorted: chromStart 4 comes after chromStart 5 on chr1"),
        ("chr1\t5\t10\nchr2\t1\t2\nchr1\t6\t7\n", "bed3", r"in.bed:3: the items of chr1 are not all together"),
        ("chrZ\t5\t10\n", "bed3", r"in.bed:1: chrZ is not in the chromosome sizes"),
        ("chr1\t5\t60001\n", "bed3", r"in.bed:1: chromEnd 60001 is beyond the end of chr1, which has 60000 bases"),
        ("chr1\t6\t5\n", "bed3", r"in.bed:1: chromStart 6 is after chromEnd 5"),
        ("track name=x\nchr1\t1\t2\n", "bed3", r"in.bed:1: track and browser lines are not allowed"),
        ("chr1\t1\t2\nbrowser hide all\n", "bed3", r"in.bed:2: track and browser lines are not allowed"),
        ("chr1\t1\t2\tn\t0\t+\n", "bed12", r"in.bed:1: expected 12 columns \(bed12\), found 6"),
        ("chr1\t1\t2\tn\t1001\t+\n", "bed6", r"in.bed:1: score 1001 is outside 0-1000"),
        ("chr1\t1\t2\tn\t1\t*\n", "bed6", r"in.bed:1: strand '\*' must be \+, - or \."),
        ("chr1\tx\t2\tn\t1\t+\n", "bed6", r"in.bed:1: column 2 \(chromStart\) 'x' has characters after the number"),
        ("chr1\t-5\t2\n", "bed3", r"in.bed:1: column 2 \(chromStart\) '-5' is negative \(expected an unsigned integer\)$"),
        (bed12(10, 20, thick=(15, 12)), "bed12", r"in.bed:1: thickStart 15 is after thickEnd 12"),
        (bed12(10, 20, thick=(5, 20)), "bed12", r"in.bed:1: thickStart 5 is outside the item 10-20"),
        (bed12(10, 20, thick=(10, 25)), "bed12", r"in.bed:1: thickEnd 25 is outside the item 10-20"),
        (bed12(10, 20, rgb="1,2"), "bed12", r"in.bed:1: itemRgb '1,2' must be r,g,b"),
        (bed12(10, 20, rgb="300,0,0"), "bed12", r"in.bed:1: itemRgb '300,0,0' must be r,g,b"),
        (bed12(10, 20, count=0, sizes="10,"), "bed12", r"in.bed:1: blockCount 0 must be 1 or more"),
        (bed12(10, 20, count=2, sizes="5,", starts="0,5,"), "bed12",
         r"in.bed:1: column 11 \(blockSizes\) has 1 values where 2 are expected"),
        (bed12(10, 20, starts="1,"), "bed12", r"in.bed:1: the first of chromStarts is 1; it must be 0"),
        (bed12(10, 20, sizes="5,"), "bed12", r"in.bed:1: the last block ends at 15, but chromEnd is 20"),
        (bed12(10, 20, count=2, sizes="6,5,", starts="0,5,"), "bed12", r"in.bed:1: blocks 1 and 2 overlap"),
        (bed12(10, 20, count=2, sizes="5,5,", starts="0,15,"), "bed12",
         r"in.bed:1: block 2 starts at offset 15, past chromEnd: chromStarts are offsets"),
    ],
)
def test_errors_name_file_line_and_problem(tmp_path, text, bed_type, message):
    bed = tmp_path / "in.bed"
    bed.write_text(text)
    out = tmp_path / "out.bb"
    out.write_bytes(b"old")
    with pytest.raises(FormatError, match=message):
        write_bigbed(bed, dict(CHROMS), out, bed_type=bed_type)
    assert out.read_bytes() == b"old"  # a failed run leaves what was there
    assert sorted(os.listdir(tmp_path)) == ["in.bed", "out.bb"]  # and no temporary files


def test_one_base_exon_overlap_needs_the_option(tmp_path):
    bed = tmp_path / "in.bed"
    bed.write_text(bed12(10, 20, count=2, sizes="6,5,", starts="0,5,"))
    with pytest.raises(FormatError, match="in.bed:1: blocks 1 and 2 overlap"):
        write_bigbed(bed, dict(CHROMS), tmp_path / "o.bb", bed_type="bed12")
    write_bigbed(bed, dict(CHROMS), tmp_path / "o.bb", bed_type="bed12", allow_1bp_overlap=True)
    assert Decoded(tmp_path / "o.bb").items == [("chr1", 10, 20, "n\t0\t+\t0\t0\t0\t2\t6,5,\t0,5,")]


def test_type_guess_names_the_first_data_line(tmp_path):
    bed = tmp_path / "in.bed"
    bed.write_text("# comment\n\ntrack name=x\nchr1\t1\t2\n")
    with pytest.raises(FormatError, match=r"in.bed:3: track and browser lines are not allowed"):
        write_bigbed(bed, dict(CHROMS), tmp_path / "o.bb")
    bed.write_text("#\nchr1 1\n")
    with pytest.raises(FormatError, match=r"in.bed:2: the first BED line has 2 columns; BED needs at least 3"):
        write_bigbed(bed, dict(CHROMS), tmp_path / "o.bb")


def test_autosql_must_start_with_standard_bed_columns(tmp_path):
    bed = tmp_path / "in.bed"
    bed.write_text("chr1\t0\t5\tx\t0\t+\tg\n")
    odd = tmp_path / "odd.as"
    odd.write_text(B_AS6_PLUS_GENE.replace("uint   chromStart;", "int    chromStart;"))
    with pytest.raises(FormatError, match=r"odd.as: autoSql column #2 .*type is 'int'.*-type=bed6"):
        write_bigbed(bed, dict(CHROMS), tmp_path / "o.bb", bed_type="bed6+1", autosql=odd)
    assert not (tmp_path / "o.bb").exists()


def test_progress_is_shown_on_a_terminal_only(tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    bed, sizes = write_inputs(tmp_path, gen_items(random.Random(1), 6, per_chrom=30))
    monkeypatch.delenv("TRACKPACK_QUIET", raising=False)
    for stream, progress, shown in [(Terminal(), None, True), (io.StringIO(), None, False),
                                    (Terminal(), False, False), (io.StringIO(), True, True)]:
        monkeypatch.setattr(sys, "stderr", stream)
        write_bigbed(bed, sizes, tmp_path / "o.bb", bed_type="bed6", progress=progress)
        assert ("bedToBigBed, reading: " in stream.getvalue()) == shown, (type(stream).__name__, progress)


@pytest.mark.parametrize("how", ["plain", "gzip", "sort", "records"])
def test_progress_names_every_phase_and_counts_its_work(tmp_path, monkeypatch, how):
    """The finishing work shows as named phases, each counted to its total (none stalls)."""
    import trackpack.progress as progress_module

    shown = []

    class Recording(progress_module.Progress):
        def __init__(self, label, total=None, unit="", **kw):
            super().__init__(label, total, unit, **kw)
            shown.append(self)

    monkeypatch.setattr(progress_module, "Progress", Recording)
    items = gen_items(random.Random(4), 6, per_chrom=400)
    bed, sizes = write_inputs(tmp_path, items)
    source = bed
    if how == "gzip":
        source = tmp_path / "in.bed.gz"
        source.write_bytes(gzip.compress(bed.read_bytes()))
    elif how == "records":
        source = [(c, s, e, *f) for c, s, e, f in items]
    write_bigbed(source, sizes, tmp_path / "o.bb", bed_type="bed6", extra_index="name", items_per_slot=16,
                 sort=how == "sort", progress=False)
    # (the last blocks may all be compressed by the time the input ends)
    labels = [p.label.split(", ", 1)[1] for p in shown if not p.label.endswith("compressing the last blocks")]
    first = ["reading and sorting", "writing sorted items"] if how == "sort" else ["reading"]
    zooms = [lab for lab in labels if lab.startswith("zoom level ")]
    assert labels == first + [
        "copying the data blocks", "writing the R-tree", "sizing the zoom levels",
    ] + zooms + ["sorting the name index", "writing the name index"]
    assert zooms == [f"zoom level {i}" for i in range(1, len(zooms) + 1)] and len(zooms) >= 2
    for p in shown:
        assert p.total is not None or how == "records", p.label
        if p.total is not None:
            assert p.done == p.total, (p.label, p.done, p.total)
    if how == "gzip":  # the file's compressed bytes, not the text's
        assert shown[0].total == source.stat().st_size


def test_interrupted_run_leaves_no_output(tmp_path):
    def records():
        for i in range(5000):
            if i == 4000:
                raise KeyboardInterrupt
            yield ("chr1", i, i + 5)

    with pytest.raises(KeyboardInterrupt):
        write_bigbed(records(), dict(CHROMS), tmp_path / "out.bb", bed_type="bed3", items_per_slot=16)
    assert os.listdir(tmp_path) == []


def test_options_are_checked(tmp_path):
    with pytest.raises(UsageError):
        write_bigbed([], dict(CHROMS), tmp_path / "o.bb", bed_type="bed3", byte_order="middle")
    with pytest.raises(UsageError):
        write_bigbed([], dict(CHROMS), tmp_path / "o.bb", bed_type="bed3", block_size=1)
    with pytest.raises(UsageError):
        write_bigbed([], dict(CHROMS), "stdout", bed_type="bed3")
    with pytest.raises(FormatError, match="empty"):
        write_bigbed([], dict(CHROMS), tmp_path / "o.bb")
    summary = write_bigbed([], dict(CHROMS), tmp_path / "o.bb", bed_type="bed6")
    assert (summary.items, summary.chromosomes, summary.zoom_levels) == (0, 0, 0)
    d = Decoded(tmp_path / "o.bb")
    assert d.items == [] and d.chroms == {}


def test_spills_give_the_same_bytes(tmp_path, monkeypatch):
    import trackpack.bbi.writer as writer
    import trackpack.extsort as extsort

    rng = random.Random(17)
    items = gen_items(rng, 6, per_chrom=600)
    bed, sizes = write_inputs(tmp_path, items)
    want = tmp_path / "want.bb"
    write_bigbed(bed, sizes, want, bed_type="bed6", extra_index="name", items_per_slot=8)
    monkeypatch.setattr(extsort, "DEFAULT_SPOOL_MEMORY", 1000)
    monkeypatch.setattr(writer, "INDEX_MEMORY", 2000)
    monkeypatch.setattr(writer, "SEGMENT_FLUSH", 500)
    monkeypatch.setattr(writer, "READ_SIZE", 777)
    out = tmp_path / "out.bb"
    write_bigbed(bed, sizes, out, bed_type="bed6", extra_index="name", items_per_slot=8, threads=1)
    common.assert_same_bytes(out.read_bytes(), want.read_bytes(), "spilled")


def test_stdin_and_file_objects(tmp_path, monkeypatch):
    rng = random.Random(3)
    items = gen_items(rng, 4, per_chrom=50)
    bed, sizes = write_inputs(tmp_path, items)
    want = tmp_path / "want.bb"
    write_bigbed(bed, sizes, want, bed_type="bed4")
    out = tmp_path / "fobj.bb"
    write_bigbed(io.BytesIO(gzip.compress(bed.read_bytes())), sizes, out, bed_type="bed4")
    assert out.read_bytes() == want.read_bytes()
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(bed.read_bytes()))))
    out = tmp_path / "stdin.bb"
    write_bigbed("stdin", sizes, out)  # type guessed: bed4
    assert out.read_bytes() == want.read_bytes()


def test_big_gene_pred_from_tuples(tmp_path):
    # what the gene-annotation path hands over: bed12+8 tuples with lists, -tab, the
    # bigGenePred schema, and name / geneName indexes
    src = corpus(f"{KENT_IN}/colored.genbank.bed")
    alias = corpus(f"{KENT_IN}/human.chromAlias.bed")
    sizes = {}
    for line in alias.read_text().splitlines():
        f = line.split("\t")
        sizes[f[4]] = int(f[2])  # genbank name -> size
    rows = []
    for line in src.read_text().splitlines():
        f = line.split("\t")
        ints = lambda text: [int(x) for x in text.rstrip(",").split(",")]  # noqa: E731
        rows.append((f[0], int(f[1]), int(f[2]), f[3], int(f[4]), f[5], int(f[6]), int(f[7]), f[8], int(f[9]),
                     ints(f[10]), ints(f[11]), f[12], f[13], f[14], ints(f[15]), f[16], f[17], f[18], f[19]))
    rows.sort(key=lambda r: (r[0], r[1]))
    as_path = corpus(f"{KENT_IN}/bigGenePred.as")
    out = tmp_path / "genes.bb"
    summary = write_bigbed(rows, sizes, out, bed_type="bed12+8", autosql=as_path, extra_index=("name", "geneName"))
    assert (summary.items, summary.field_count, summary.defined_field_count) == (len(rows), 20, 12)
    d = Decoded(out)
    assert d.items == [(r[0], r[1], r[2], "\t".join(
        ",".join(map(str, v)) + "," if isinstance(v, list) else str(v) for v in r[3:])) for r in rows]
    assert d.autosql == as_path.read_text()
    name, gene = rows[10][3], rows[10][17]
    for field, key in ((0, name), (1, gene)):
        values = [OFFSET_SIZE_VALUE.unpack(d.order, v) for v in d.search(field, key)]
        col = 3 if field == 0 else 17
        want = [(leaf[4], leaf[5]) for leaf, recs in d.blocks for r in recs if r[3].split("\t")[col - 3] == key]
        assert values == want and values
    # the same file from the text through the command line way
    text = tmp_path / "genes.bed"
    text.write_text("".join(f"{c}\t{s}\t{e}\t{rest}\n" for c, s, e, rest in d.items))
    again = tmp_path / "again.bb"
    write_bigbed(text, sizes, again, bed_type="bed12+8", autosql=as_path, extra_index="name,geneName", tab=True)
    assert again.read_bytes() == out.read_bytes()


def test_autosql_errors_and_bytes(tmp_path):
    bed = tmp_path / "in.bed"
    bed.write_text("chr1\t0\t5\tx\n")
    bad = tmp_path / "bad.as"
    bad.write_text('table t\n"t"\n(\nstring chrom; "c"\nuint chromStart "s"\n)\n')
    with pytest.raises(FormatError, match=r"bad.as:5: autoSql: expected ';'"):
        write_bigbed(bed, dict(CHROMS), tmp_path / "o.bb", bed_type="bed3+1", autosql=bad)
    # the .as bytes are stored as they are, even when they are not UTF-8
    raw = B_AS6_PLUS_GENE.replace('"gene"', '"g\xe8ne"').encode("latin-1")
    (tmp_path / "latin.as").write_bytes(raw)
    (tmp_path / "in7.bed").write_text("chr1\t0\t5\tx\t0\t+\tg\n")
    write_bigbed(tmp_path / "in7.bed", dict(CHROMS), tmp_path / "o.bb", bed_type="bed6+1", autosql=tmp_path / "latin.as")
    data = (tmp_path / "o.bb").read_bytes()
    assert data[304:304 + len(raw) + 1] == raw + b"\0"


def test_source_of_the_wrong_kind(tmp_path):
    from trackpack.errors import ArgumentError

    with pytest.raises(ArgumentError, match="io.BytesIO"):
        write_bigbed(b"chr1\t0\t1\n", dict(CHROMS), tmp_path / "o.bb", bed_type="bed3")
    with pytest.raises(ArgumentError, match="not int"):
        write_bigbed(5, dict(CHROMS), tmp_path / "o.bb", bed_type="bed3")
    with pytest.raises(UsageError, match="empty"):
        write_bigbed([], dict(CHROMS), "", bed_type="bed3")
    assert os.listdir(tmp_path) == []


def test_coordinates_up_to_the_u32_limit(tmp_path):
    # items of 4 Gb on a chromosome of 2^32-1 bases: coordinates stay exact, and the zoom
    # levels stay small (kent's int conversion of a 4 Gb average would zoom at 10 bases)
    top = 2**32 - 1
    items = [("chrBig", 0, top, []), ("chrBig", 5, top, []), ("chrBig", top, top, [])]
    out = tmp_path / "big.bb"
    summary = write_bigbed([(c, s, e) for c, s, e, _ in items], {"chrBig": top}, out, bed_type="bed3")
    d = Decoded(out)
    assert d.items == expected_items(items)
    assert d.total == (top, 1.0, 2.0, 2.0 * top - 5, 4.0 * top - 15)
    assert summary.zoom_levels == 1 and len(d.zoom_records(0)) == 3
