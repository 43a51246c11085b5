"""File-level gene conversions: partitioning, step tools, one step to bigBed, atomic outputs."""
import gzip
import importlib.util
import io
import json
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

import common
from trackpack import bins
from trackpack.errors import FormatError, NotFoundError
from trackpack.genes import gff3 as gff3_module
from trackpack.genes import gtf as gtf_module
from trackpack.genes import fastgtf, onestep, pipeline
from trackpack.genes.biggenepred import biotype_color
from trackpack.genes.genepred import read_genepreds
from trackpack.genes.partition import Partition

_spec = importlib.util.spec_from_file_location("gen_gtf", common.ROOT / "bench" / "gen_gtf.py")
gen_gtf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_gtf)

CHROMS = (("chr1", 3), ("chr2", 2), ("chr10", 2), ("chrX", 1))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("genes")
    gtf = d / "a.gtf"
    sizes = gen_gtf.write(gtf, sizes_path=d / "sizes", lines=6000, seed=11, chroms=CHROMS)
    gen_gtf.write(d / "a.gff3", lines=6000, seed=11, chroms=CHROMS, gff3=True)
    text = gtf.read_text()
    head, body = text.split("\n", 1)
    lines = body.rstrip("\n").split("\n")
    random.Random(1).shuffle(lines)  # a transcript's lines anywhere in the file
    (d / "shuffled.gtf").write_text(head + "\n" + "\n".join(lines) + "\n")
    with gzip.open(d / "a.gtf.gz", "wt") as f:
        f.write(text)
    return d, dict(sizes)


def _rows(path):
    return Path(path).read_text().splitlines()


# -- partition ----------------------------------------------------------------------------------


def test_partition_reads_each_sequence(data):
    d, _ = data
    with Partition(str(d / "a.gtf"), progress=False) as part:
        assert part.names == [c for c, _ in CHROMS]
        total = 0
        for name in part.names:
            for lineno, raw in part.lines(name):
                assert raw.startswith(name.encode() + b"\t")
                total += 1
        assert total == part.lines_read - 1  # all but the header comment
    with Partition(str(d / "a.gtf.gz"), progress=False) as gz:
        spool = gz._spool
        assert spool and os.path.exists(spool)
        assert [list(gz.lines(n)) for n in gz.names] == [list(Partition(str(d / "a.gtf")).lines(n)) for n in gz.names]
    assert not os.path.exists(spool)  # the spool is removed


def test_partition_from_a_stream(data):
    d, _ = data
    raw = (d / "shuffled.gtf").read_bytes()
    with Partition(io.BytesIO(raw), progress=False) as a, Partition(str(d / "shuffled.gtf"), progress=False) as b:
        assert a.names == b.names
        assert all(list(a.lines(n)) == list(b.lines(n)) for n in a.names)
        assert len(b.runs("chr1")) > 100  # scattered lines make many runs


# -- gtfToGenePred ----------------------------------------------------------------------------------


def test_gzip_and_scattered_input_give_the_same_transcripts(data, tmp_path):
    d, _ = data
    outs = {}
    for name in ("a.gtf", "a.gtf.gz", "shuffled.gtf"):
        out = tmp_path / (name + ".gp")
        pipeline.gtf_to_genepred(str(d / name), str(out), extended=True, progress=False)
        outs[name] = _rows(out)
    assert outs["a.gtf"] == outs["a.gtf.gz"]
    assert sorted(outs["a.gtf"]) == sorted(outs["shuffled.gtf"])
    assert len(outs["a.gtf"]) > 300


def test_frames_agree_with_the_cds_phases(data, tmp_path):
    # the generated CDS lines carry correct phases: frames must follow the spliced CDS
    d, _ = data
    out = tmp_path / "x.gp"
    pipeline.gtf_to_genepred(str(d / "a.gtf"), str(out), extended=True, progress=False)
    gps = list(read_genepreds(str(out)))
    assert any(gp.has_cds() for gp in gps)
    for gp in gps:
        assert gp.exon_frames == gp.frames_from_cds(), gp.name


def _bad_gtf(tmp_path, extra):
    good = 'chr1\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t1";\n'
    path = tmp_path / "bad.gtf"
    path.write_text(good + extra)
    return path


def test_failed_run_leaves_no_output(tmp_path):
    src = _bad_gtf(tmp_path, 'chr1\ts\texon\t200\t100\t.\t+\t.\tgene_id "g"; transcript_id "t2";\n')
    out = tmp_path / "out.gp"
    out.write_text("old\n")
    with pytest.raises(FormatError, match=r"bad.gtf:2: .*after end"):
        pipeline.gtf_to_genepred(str(src), str(out), progress=False)
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.gtf", "out.gp"]


def test_transcript_on_two_chromosomes(tmp_path):
    src = _bad_gtf(tmp_path, 'chr2\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t1";\n'
                             'chr2\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t3";\n')
    with pytest.raises(FormatError, match="bad.gtf:2: transcript t1 has lines on chr1 and on chr2"):
        pipeline.gtf_to_genepred(str(src), str(tmp_path / "o.gp"), progress=False)
    messages = []
    res = pipeline.gtf_to_genepred(str(src), str(tmp_path / "o.gp"), all_errors=True, report=messages.append,
                                   progress=False)
    assert res.errors == 1 and len(messages) == 1
    assert [r.split("\t")[0] for r in _rows(tmp_path / "o.gp")] == ["t3"]


def test_all_errors_reports_and_skips(tmp_path):
    src = _bad_gtf(tmp_path, 'chr1\ts\texon\t300\t400\t.\t-\t.\tgene_id "g"; transcript_id "t1";\n'
                             'chr1\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t2";\n')
    messages = []
    res = pipeline.gtf_to_genepred(str(src), str(tmp_path / "o.gp"), all_errors=True, report=messages.append,
                                   progress=False)
    assert res.errors == 1 and res.transcripts == 1
    assert messages[0].startswith("invalid gffGroup detected on line: chr1\ts\texon\t300\t400\t")


def test_not_gtf(tmp_path):
    src = tmp_path / "x.gff"
    src.write_text("chr1\ts\texon\t1\t10\t.\t+\t.\tID=a\n")
    with pytest.raises(FormatError, match="doesn't appear to be a GTF file"):
        pipeline.gtf_to_genepred(str(src), str(tmp_path / "o"), progress=False)


# -- genePredToBigGenePred tables ------------------------------------------------------------------


def test_biggenepred_tables(tmp_path):
    gp = tmp_path / "a.gp"
    gp.write_text("t1\tchr1\t+\t0\t100\t10\t90\t1\t0,\t100,\n")
    (tmp_path / "score").write_text("t1\t7\n")
    (tmp_path / "names").write_text("t1\tGENE\tENSG\n")
    (tmp_path / "colors").write_text("t1\t255\t0\t1\n")
    (tmp_path / "types").write_text("t1\tprotein_coding\n")
    out = tmp_path / "o"
    pipeline.genepred_to_biggenepred(str(gp), str(out), scores=str(tmp_path / "score"),
                                     gene_names=str(tmp_path / "names"), colors=str(tmp_path / "colors"),
                                     gene_types=str(tmp_path / "types"))
    fields = out.read_text().rstrip("\n").split("\t")
    assert fields[4] == "7" and fields[8] == str((255 << 16) | 1)
    assert fields[15] == "0," and fields[13:15] == ["none", "none"]
    assert fields[17:] == ["GENE", "ENSG", "protein_coding"]
    (tmp_path / "colors").write_text("other\t1\t2\t3\n")
    with pytest.raises(NotFoundError, match="t1 has no color"):
        pipeline.genepred_to_biggenepred(str(gp), str(out), colors=str(tmp_path / "colors"))


# -- one step ------------------------------------------------------------------------------------


def _kent_like_rows(src, tmp_path, gff3=False):
    """gtfToGenePred -genePredExt | genePredToBigGenePred | sort -k1,1 -k2,2n, with our step tools."""
    gp = tmp_path / "s.gp"
    if gff3:
        pipeline.gff3_to_genepred(str(src), str(gp), progress=False)
    else:
        pipeline.gtf_to_genepred(str(src), str(gp), extended=True, progress=False)
    bgp = tmp_path / "s.bgp"
    pipeline.genepred_to_biggenepred(str(gp), str(bgp))
    rows = _rows(bgp)
    rows.sort(key=lambda r: (r.split("\t")[0].encode(), int(r.split("\t")[1]), r.encode()))
    return rows


def _annotation(path):
    """transcript id -> its attributes, read from the ``transcript`` lines (GTF or GFF3;
    in these files every line of a transcript repeats the transcript's attributes)."""
    found = {}
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 9 or cols[2] != "transcript":
                continue
            if "=" in cols[8] and '"' not in cols[8]:  # GFF3
                pairs = [kv.split("=", 1) for kv in cols[8].split(";")]
                attrs = {k: v.split(",") for k, v in pairs}
            else:
                attrs = {}
                for m in re.finditer(r'(\w+) "([^"]*)"', cols[8]):
                    attrs.setdefault(m.group(1), []).append(m.group(2))
            found[attrs["transcript_id"][0]] = {
                "type": attrs["transcript_type"][0], "gene_name": attrs["gene_name"][0],
                "gene_id": attrs["gene_id"][0], "gene_type": attrs["gene_type"][0], "tags": set(attrs.get("tag", ())),
            }
    return found


@pytest.mark.parametrize("name", ["a.gtf", "shuffled.gtf", "a.gtf.gz", "a.gff3"])
def test_one_step_first_16_columns_equal_the_step_tools(data, tmp_path, name):
    d, _ = data
    out = tmp_path / "one.bgp"
    res = onestep.gtf_to_biggenepred_text(str(d / name), str(out), progress=False)
    assert res.format == ("gff3" if name.endswith("gff3") else "gtf")
    ours = _rows(out)
    kent = _kent_like_rows(d / name, tmp_path, gff3=name.endswith("gff3"))
    assert [r.split("\t")[:16] for r in ours] == [r.split("\t")[:16] for r in kent]
    # the last four columns come from the annotation: type, geneName, geneName2, geneType
    annotation = _annotation(d / name)
    assert len(ours) == len(annotation) == res.transcripts
    for row in ours:
        f = row.split("\t")
        a = annotation[f[3]]
        assert f[16:] == [a["type"], a["gene_name"], a["gene_id"], a["gene_type"]], f[3]


@pytest.mark.parametrize("name", ["a.gtf", "a.gff3"])
def test_one_step_filters_and_colors(data, tmp_path, name):
    d, _ = data
    annotation = _annotation(d / name)
    cases = [
        (dict(tags=["basic", "MANE_Select"], gene_types=["protein_coding", "lncRNA"]),
         lambda a: a["tags"] & {"basic", "MANE_Select"} and a["gene_type"] in ("protein_coding", "lncRNA")),
        (dict(transcript_types=["retained_intron", "lncRNA"]),
         lambda a: a["type"] in ("retained_intron", "lncRNA")),
        (dict(gene_types=[]), lambda a: False),
    ]
    for i, (filters, keep) in enumerate(cases):
        out = tmp_path / f"f{i}.bgp"
        res = onestep.gtf_to_biggenepred_text(str(d / name), str(out), progress=False,
                                              options=onestep.OneStepOptions(color_by_biotype=True, **filters))
        kept = _rows(out)
        expected = {t for t, a in annotation.items() if keep(a)}
        assert {r.split("\t")[3] for r in kept} == expected, filters
        assert res.transcripts == len(kept) and res.filtered == len(annotation) - len(kept)
        for r in kept:
            f = r.split("\t")
            assert f[8] == biotype_color(f[16], f[19], int(f[6]) < int(f[7]))
    colors = {r.split("\t")[8] for r in _rows(tmp_path / "f0.bgp")}
    assert colors == {"12,12,120", "0,153,0"}  # coding and non-coding kept, pseudogenes filtered out
    assert {r.split("\t")[8] for r in _rows(tmp_path / "f1.bgp")} == {"0,153,0"}


@pytest.mark.parametrize("python_only", [False, True])
def test_one_step_assembles_one_chromosome_at_a_time(data, monkeypatch, python_only):
    # bounded memory: the lines of a chromosome are read only once the previous
    # chromosome's rows have been handed on
    d, _ = data
    if python_only:
        monkeypatch.setattr(fastgtf, "kernel", lambda: None)
    reads = []
    read = Partition.read

    def logged_read(self, name):
        reads.append(name)
        return read(self, name)

    monkeypatch.setattr(Partition, "read", logged_read)
    opts = onestep.OneStepOptions()
    with onestep._partition(str(d / "shuffled.gtf"), opts, False) as (part, sniffer):
        names = sorted(part.names)
        handed = []
        for name, rows, _ in onestep.biggenepred_rows(part, sniffer, opts, onestep.OneStepResult(), print):
            handed.append(name)
            assert reads == handed and rows.startswith(name.encode() + b"\t")
    assert handed == names


def test_one_step_bigbed_reads_back(data, tmp_path):
    pyBigWig = common.require_module("pyBigWig")
    bbi = common.require_module("bbi")
    d, sizes = data
    out = tmp_path / "genes.bb"
    res = onestep.gtf_to_bigbed(str(d / "shuffled.gtf"), str(d / "sizes"), str(out), progress=False)
    text = tmp_path / "genes.bgp"
    onestep.gtf_to_biggenepred_text(str(d / "shuffled.gtf"), str(text), progress=False)
    rows = _rows(text)
    assert res.summary.items == len(rows) and res.summary.extra_indexes == ("name", "geneName")
    bw = pyBigWig.open(str(out))
    got = []
    for chrom in sorted(bw.chroms(), key=lambda c: c.encode()):
        for start, end, rest in bw.entries(chrom, 0, bw.chroms(chrom)) or []:
            got.append(f"{chrom}\t{start}\t{end}\t{rest}")
    assert got == rows
    assert "geneName2" in bw.SQL().decode()
    items = list(bbi.fetch_intervals(str(out), "chr1", 0, sizes["chr1"]))
    assert [int(item[1]) for item in items] == [int(r.split("\t")[1]) for r in rows if r.startswith("chr1\t")]


def test_one_step_name_search(data, tmp_path):
    node = common.require_node_package("@gmod/bbi")
    d, sizes = data
    out = tmp_path / "genes.bb"
    onestep.gtf_to_bigbed(str(d / "a.gtf"), str(d / "sizes"), str(out), progress=False)
    annotation = _annotation(d / "a.gtf")
    genes = {}
    for t, a in annotation.items():
        genes.setdefault(a["gene_name"], set()).add(t)
    gene = min(g for g, ts in genes.items() if len(ts) > 1)  # a symbol shared by several transcripts
    tid = sorted(annotation)[5]
    request = tmp_path / "names.json"
    request.write_text(json.dumps([tid, gene]))
    proc = subprocess.run([node, str(common.NODE_DIR / "bbi_search.mjs"), str(out), str(request)],
                          cwd=common.NODE_DIR, input=request.read_text(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    by_tid, by_gene = json.loads(proc.stdout)
    assert [f[2].split("\t")[0] for f in by_tid] == [tid]
    assert sorted(f[2].split("\t")[0] for f in by_gene) == sorted(genes[gene])


def test_one_step_errors_leave_no_bigbed(data, tmp_path):
    d, _ = data
    out = tmp_path / "x.bb"
    (tmp_path / "sizes").write_text("chr1\t1000\n")
    with pytest.raises(FormatError, match=r"a.gtf: transcript \S+ ends at \d+, beyond the end of chr1 \(1000 bases"):
        onestep.gtf_to_bigbed(str(d / "a.gtf"), str(tmp_path / "sizes"), str(out), progress=False)
    assert not out.exists()
    (tmp_path / "sizes").write_text("chr1\t1000000000\n")
    with pytest.raises(FormatError, match=r"sequence chr10 \(of transcript \S+ and others\) is not in"):
        onestep.gtf_to_bigbed(str(d / "a.gtf"), str(tmp_path / "sizes"), str(out), progress=False)
    assert not out.exists()
    src = _bad_gtf(tmp_path, 'chr1\ts\texon\t1\t10\t.\t-\t.\tgene_id "g"; transcript_id "t1";\n')
    with pytest.raises(FormatError, match="bad.gtf:1: transcript t1 is on chr1- but this line is on chr1\\+"):
        onestep.gtf_to_bigbed(str(src), str(d / "sizes"), str(out), progress=False)
    assert not out.exists()
    messages = []
    res = onestep.gtf_to_bigbed(str(src), str(d / "sizes"), str(out), all_errors=True, report=messages.append,
                                progress=False)
    assert res.errors == 1 and out.exists() and res.summary.items == 0


def test_one_step_transcript_on_two_chromosomes_with_all_errors(tmp_path):
    src = _bad_gtf(tmp_path, 'chr2\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t1";\n'
                             'chr2\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t2";\n')
    out = tmp_path / "o.bgp"
    with pytest.raises(FormatError, match="t1 has lines on chr1 and on chr2"):
        onestep.gtf_to_biggenepred_text(str(src), str(out), progress=False)
    messages = []
    res = onestep.gtf_to_biggenepred_text(str(src), str(out), report=messages.append, progress=False,
                                          options=onestep.OneStepOptions(all_errors=True))
    assert res.errors == 1 and [r.split("\t")[3] for r in _rows(out)] == ["t2"]


# -- more of kent's behaviour, and what the issue asks beyond it -----------------------------------


NO_EXON = ('c\ts\ttranscript\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t0";\n'
           'c\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t1";\n')


def test_group_without_exons(tmp_path):
    src = tmp_path / "noex.gtf"
    src.write_text(NO_EXON)
    gp, info = tmp_path / "o.gp", tmp_path / "o.info"
    with pytest.raises(FormatError, match=r"noex.gtf:1: no exons defined for group t0, feature transcript"):
        pipeline.gtf_to_genepred(str(src), str(gp), info_out=str(info), progress=False)
    assert not gp.exists() and not info.exists()
    # -allErrors reports it, and like kent still writes its info row
    messages = []
    res = pipeline.gtf_to_genepred(str(src), str(gp), info_out=str(info), all_errors=True, report=messages.append,
                                   progress=False)
    assert res.errors == 1 and res.transcripts == 1
    assert messages == ["no exons defined for group t0, feature transcript (perhaps try -ignoreGroupsWithoutExons)"]
    assert [r.split("\t")[0] for r in _rows(gp)] == ["t1"]
    assert [r.split("\t")[0] for r in _rows(info)] == ["#transId", "t0", "t1"]
    res = pipeline.gtf_to_genepred(str(src), str(gp), info_out=str(info), ignore_groups_without_exons=True,
                                   progress=False)
    assert res.errors == 0 and [r.split("\t")[0] for r in _rows(info)] == ["#transId", "t0", "t1"]


def test_simple_checks_the_lines_only(tmp_path):
    src = tmp_path / "noex.gtf"
    src.write_text(NO_EXON)
    res = pipeline.gtf_to_genepred(str(src), str(tmp_path / "o.gp"), info_out=str(tmp_path / "o.info"), simple=True,
                                   progress=False)
    assert res.errors == 0 and res.transcripts == 0
    assert _rows(tmp_path / "o.gp") == [] and _rows(tmp_path / "o.info") == [gtf_module.INFO_HEADER.rstrip("\n")]
    src.write_text(NO_EXON + 'c\ts\texon\t5\t1\t.\t+\t.\tgene_id "g"; transcript_id "t2";\n')
    with pytest.raises(FormatError, match="noex.gtf:3: start 5 is after end 1"):
        pipeline.gtf_to_genepred(str(src), str(tmp_path / "o.gp"), simple=True, progress=False)


def test_gff3_gzip_input_and_bin_column(data, tmp_path):
    d, _ = data
    gz = tmp_path / "a.gff3.gz"
    gz.write_bytes(gzip.compress((d / "a.gff3").read_bytes()))
    pipeline.gff3_to_genepred(str(d / "a.gff3"), str(tmp_path / "plain.gp"), progress=False)
    pipeline.gff3_to_genepred(str(gz), str(tmp_path / "gz.gp"), with_bin=True, progress=False)
    plain, binned = _rows(tmp_path / "plain.gp"), _rows(tmp_path / "gz.gp")
    assert len(plain) > 300
    assert [r.split("\t", 1)[1] for r in binned] == plain
    for row in binned:
        f = row.split("\t")
        assert int(f[0]) == bins.bin_from_range(int(f[4]), int(f[5]))
    bed = tmp_path / "o.bed"
    with pytest.raises(FormatError, match="gz.gp:1: txStart is not an unsigned integer"):
        pipeline.genepred_to_bed(str(tmp_path / "gz.gp"), str(bed))  # a bin column is not a genePred's
    with gzip.open(tmp_path / "plain.gp.gz", "wb") as f:
        f.write((tmp_path / "plain.gp").read_bytes())
    pipeline.genepred_to_bed(str(tmp_path / "plain.gp.gz"), str(bed), with_bin=True)
    for row, gp_row in zip(_rows(bed), plain):
        f, g = row.split("\t"), gp_row.split("\t")
        assert f[1:4] == [g[1], g[3], g[4]] and int(f[0]) == bins.bin_from_range(int(g[3]), int(g[4]))


def test_names_that_are_not_utf8_pass_through(tmp_path):
    name = "m\xe9".encode("latin-1")
    gff = tmp_path / "a.gff3"
    gff.write_bytes(b"##gff-version 3\nc\ts\tmRNA\t1\t100\t.\t+\t.\tID=" + name +
                    b"\nc\ts\texon\t1\t100\t.\t+\t.\tParent=" + name + b"\n")
    gtf = tmp_path / "a.gtf"
    gtf.write_bytes(b'c\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "' + name + b'";\n')
    pipeline.gff3_to_genepred(str(gff), str(tmp_path / "a.gp"), attrs_out=str(tmp_path / "a.attrs"), progress=False)
    pipeline.gtf_to_genepred(str(gtf), str(tmp_path / "b.gp"), extended=True, progress=False)
    pipeline.genepred_to_bed(str(tmp_path / "a.gp"), str(tmp_path / "a.bed"))
    pipeline.genepred_to_biggenepred(str(tmp_path / "b.gp"), str(tmp_path / "b.bgp"))
    onestep.gtf_to_biggenepred_text(str(gff), str(tmp_path / "c.bgp"), progress=False)
    for out in ("a.gp", "a.attrs", "b.gp", "a.bed", "b.bgp", "c.bgp"):
        assert name + b"\t" in (tmp_path / out).read_bytes(), out


def test_cds_table_errors_name_the_line(tmp_path):
    gp = tmp_path / "a.gp"
    gp.write_text("t1\tchr1\t+\t0\t100\t10\t90\t2\t0,50,\t40,100,\n")
    cds = tmp_path / "cds"
    for text, message in [("t1\t3\t2\t2\t0,x,\n", "invalid exonFrame: 'x'"),
                          ("t1\t9\t2\t2\t0,1,\n", "invalid cdsStatus enum value: '9'"),
                          ("t1\t3\t2\t3\t0,1,\n", "exonCount '3' but 2 exonFrames")]:
        cds.write_text("#comment\n" + text)
        with pytest.raises(FormatError, match=f"cds:2: cds of t1: {re.escape(message)}"):
            pipeline.genepred_to_biggenepred(str(gp), str(tmp_path / "o"), cds=str(cds))
    cds.write_text("t1\t3\t2\t1\t0,\n")
    with pytest.raises(FormatError, match="t1 has 1 exonFrames in .*cds but 2 exons"):
        pipeline.genepred_to_biggenepred(str(gp), str(tmp_path / "o"), cds=str(cds))
    assert not (tmp_path / "o").exists()
    cds.write_text("t1\t3\t2\t2\t0,1,\n")
    pipeline.genepred_to_biggenepred(str(gp), str(tmp_path / "o"), cds=str(cds))
    assert (tmp_path / "o").read_text().split("\t")[13:16] == ["cmpl", "incmpl", "0,1,"]


def test_gff3_parents_must_be_on_the_record_sequence(tmp_path):
    # GFF3 is read one sequence at a time (bounded memory): a parent on another sequence
    # is not found (kent, reading the whole file, would link them)
    src = tmp_path / "x.gff3"
    src.write_text("##gff-version 3\nc\ts\tmRNA\t1\t100\t.\t+\t.\tID=m\nd\ts\texon\t1\t100\t.\t+\t.\tParent=m\n")
    messages = []
    with pytest.raises(gff3_module.Gff3ParseError) as err:
        pipeline.gff3_to_genepred(str(src), str(tmp_path / "o.gp"), report=messages.append, progress=False)
    assert err.value.messages == [f'{src}:3: Can\'t find annotation record "m" referenced by "(null)" Parent '
                                  "attribute (error can be a warning)"]
    assert messages == err.value.messages and not (tmp_path / "o.gp").exists()
