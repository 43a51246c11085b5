"""trackpack gtfToGenePred / gff3ToGenePred / genePredToBed / genePredToBigGenePred / gtfToBigBed."""
import contextlib
import io

import pytest

import common
from trackpack.cli import main

GTF = (
    'chr1\ts\ttranscript\t11\t200\t.\t+\t.\tgene_id "g1"; transcript_id "t1"; gene_name "A"; gene_type "lncRNA"; '
    'transcript_type "lncRNA"; tag "basic";\n'
    'chr1\ts\texon\t11\t50\t.\t+\t.\tgene_id "g1"; transcript_id "t1"; gene_name "A";\n'
    'chr1\ts\texon\t101\t200\t.\t+\t.\tgene_id "g1"; transcript_id "t1"; gene_name "A";\n'
    'chr2\ts\texon\t5\t60\t.\t-\t.\tgene_id "g2"; transcript_id "t2"; gene_type "protein_coding";\n'
    'chr2\ts\tCDS\t8\t60\t.\t-\t0\tgene_id "g2"; transcript_id "t2"; gene_type "protein_coding";\n'
)


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def gtf(tmp_path):
    p = tmp_path / "a.gtf"
    p.write_text(GTF)
    (tmp_path / "sizes").write_text("chr1\t1000\nchr2\t1000\n")
    return p


@pytest.mark.parametrize("tool", ["gtfToGenePred", "gff3ToGenePred", "genePredToBed", "genePredToBigGenePred",
                                  "gtfToBigBed"])
def test_usage_without_arguments(tool):
    status, _, err = run(tool)
    assert status == 255
    assert err.startswith(f"{tool} - ")
    assert "usage:" in err


def test_gtf_to_genepred_flags(gtf, tmp_path):
    status, _, err = run("gtfToGenePred", "-genePredExt", "-infoOut=" + str(tmp_path / "i"), str(gtf),
                         str(tmp_path / "o.gp"))
    assert status == 0, err
    rows = (tmp_path / "o.gp").read_text().splitlines()
    assert [r.split("\t")[0] for r in rows] == ["t1", "t2"]
    assert rows[1].split("\t")[11:] == ["g2", "incmpl", "incmpl", "0,"]
    assert (tmp_path / "i").read_text().startswith("#transId\tgeneId")
    status, _, _ = run("gtfToGenePred", "-bin", str(gtf), str(tmp_path / "b.gp"))
    assert (tmp_path / "b.gp").read_text().split("\t")[0] == "585"
    status, _, err = run("gtfToGenePred", "-noSuchFlag", str(gtf), str(tmp_path / "o.gp"))
    assert status == 255 and "-noSuchFlag is not a valid option" in err


def test_gtf_to_genepred_errors(tmp_path):
    bad = tmp_path / "bad.gtf"
    bad.write_text(GTF + 'chr2\ts\texon\t100\t120\t.\t+\t.\tgene_id "g2"; transcript_id "t2";\n')
    status, _, err = run("gtfToGenePred", str(bad), str(tmp_path / "o.gp"))
    assert status == 255 and "bad.gtf:" in err and "same chromosome and strand" in err
    assert not (tmp_path / "o.gp").exists()
    status, _, err = run("gtfToGenePred", "-allErrors", str(bad), str(tmp_path / "o.gp"))
    assert status == 255 and err.endswith("1 errors\n")
    assert (tmp_path / "o.gp").read_text().startswith("t1\t")


def test_genepred_to_bed_with_bin(gtf, tmp_path):
    run("gtfToGenePred", str(gtf), str(tmp_path / "o.gp"))
    status, _, err = run("genePredToBed", "-bin", str(tmp_path / "o.gp"), str(tmp_path / "o.bed"))
    assert status == 0, err
    assert (tmp_path / "o.bed").read_text().splitlines()[0] == "585\tchr1\t10\t200\tt1\t0\t+\t200\t200\t0\t2\t40,100,\t0,90,"


def test_genepred_to_biggenepred(gtf, tmp_path):
    run("gtfToGenePred", "-genePredExt", str(gtf), str(tmp_path / "o.gp"))
    status, _, err = run("genePredToBigGenePred", str(tmp_path / "o.gp"), str(tmp_path / "o.txt"))
    assert status == 0, err
    assert (tmp_path / "o.txt").read_text().splitlines()[0].split("\t")[16:] == ["", "t1", "g1", ""]
    status, _, err = run("genePredToBigGenePred", "-known", str(tmp_path / "o.gp"), str(tmp_path / "o.txt"))
    assert status == 255 and "not supported" in err


def test_gff3_to_genepred(tmp_path):
    src = tmp_path / "a.gff3"
    src.write_text("##gff-version 3\nc\ts\tmRNA\t1\t100\t.\t+\t.\tID=m1\nc\ts\texon\t1\t100\t.\t+\t.\tParent=m1\n"
                   "c\ts\tCDS\t1\t100\t.\t+\t.\tParent=m1\n")
    status, _, err = run("gff3ToGenePred", str(src), str(tmp_path / "o.gp"))
    assert status == 255
    assert err == f"{src}:4: CDS feature must have phase (error can be a warning)\nGFF3: 1 parser errors\n"
    status, _, err = run("gff3ToGenePred", "-honorStartStopCodons", "-defaultCdsStatusToUnknown", str(src), "x")
    assert status == 255 and "can't specify both" in err


def test_gtf_to_bigbed(gtf, tmp_path):
    pyBigWig = common.require_module("pyBigWig")
    out = tmp_path / "o.bb"
    status, _, err = run("gtfToBigBed", "-tags=basic", "-colorByBiotype", str(gtf), str(tmp_path / "sizes"), str(out))
    assert status == 0, err
    bb = pyBigWig.open(str(out))
    assert "chr2" not in bb.chroms()  # t2 filtered out: no basic tag
    (entry,) = bb.entries("chr1", 0, 1000)
    fields = entry[2].split("\t")
    assert fields[0] == "t1" and fields[5] == "0,153,0" and fields[13:] == ["lncRNA", "A", "g1", "lncRNA"]
    status, _, err = run("gtfToBigBed", str(gtf), str(tmp_path / "nosizes"), str(out))
    assert status == 255 and "nosizes" in err
