"""File-level gene conversions: partitioning, step tools, one step to bigBed, atomic outputs."""
import gzip
import importlib.util
import io
import json
import os
import random
import subprocess
from pathlib import Path

import pytest

import common
from trackpack.errors import FormatError, NotFoundError
from trackpack.genes import onestep, pipeline
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


@pytest.mark.parametrize("name", ["a.gtf", "shuffled.gtf", "a.gtf.gz", "a.gff3"])
def test_one_step_first_16_columns_equal_the_step_tools(data, tmp_path, name):
    d, _ = data
    out = tmp_path / "one.bgp"
    res = onestep.gtf_to_biggenepred_text(str(d / name), str(out), progress=False)
    assert res.format == ("gff3" if name.endswith("gff3") else "gtf")
    ours = _rows(out)
    kent = _kent_like_rows(d / name, tmp_path, gff3=name.endswith("gff3"))
    assert [r.split("\t")[:16] for r in ours] == [r.split("\t")[:16] for r in kent]
    # the last four columns come from the annotation
    fields = [r.split("\t") for r in ours]
    assert all(f[18].startswith("ENSG") and f[17].startswith("GENE") or f[17].startswith("ENSG") for f in fields)
    assert {f[19] for f in fields} <= {t for t, _ in gen_gtf.GENE_TYPES}
    assert all(f[16] for f in fields)


def test_one_step_filters_and_colors(data, tmp_path):
    d, _ = data
    out = tmp_path / "f.bgp"
    res = onestep.gtf_to_biggenepred_text(
        str(d / "a.gtf"), str(out), progress=False,
        options=onestep.OneStepOptions(tags=["basic", "MANE_Select"], gene_types=["protein_coding", "lncRNA"],
                                       color_by_biotype=True))
    kept = _rows(out)
    assert res.transcripts == len(kept) and res.filtered > 0
    tagged = set()
    for line in (d / "a.gtf").read_text().splitlines():
        if 'tag "basic"' in line or 'tag "MANE_Select"' in line:
            tagged.add(line.split('transcript_id "')[1].split('"')[0])
    assert {r.split("\t")[3] for r in kept} == {
        t for t in tagged if any(r.split("\t")[3] == t for r in _rows_all(d, tmp_path))
        and _gene_type_of(d, t) in ("protein_coding", "lncRNA")
    }
    colors = {r.split("\t")[8] for r in kept}
    assert colors <= {"12,12,120", "0,153,0", "255,51,255"} and len(colors) >= 2


_ALL = {}


def _rows_all(d, tmp_path):
    if "rows" not in _ALL:
        out = tmp_path / "all.bgp"
        onestep.gtf_to_biggenepred_text(str(d / "a.gtf"), str(out), progress=False)
        _ALL["rows"] = _rows(out)
    return _ALL["rows"]


def _gene_type_of(d, tid):
    for line in (d / "a.gtf").read_text().splitlines():
        if f'transcript_id "{tid}"' in line:
            return line.split('gene_type "')[1].split('"')[0]
    return None


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
    rows = _rows_all(d, tmp_path)
    tid = rows[5].split("\t")[3]
    gene = rows[5].split("\t")[17]
    proc = subprocess.run([node, str(common.NODE_DIR / "bbi_search.mjs"), str(out)], cwd=common.NODE_DIR,
                          input=json.dumps([tid, gene]), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    by_tid, by_gene = json.loads(proc.stdout)
    assert [f[2].split("\t")[0] for f in by_tid] == [tid]
    expected = sorted(r.split("\t")[3] for r in rows if r.split("\t")[17] == gene)
    assert sorted(f[2].split("\t")[0] for f in by_gene) == expected


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
