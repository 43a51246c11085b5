"""trackpack gtfToGenePred / gff3ToGenePred / genePredToBed / genePredToBigGenePred / gtfToBigBed."""
import contextlib
import io
import re

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


BAD_INPUTS = [
    # (tool and options, input file content, exit status, pattern in stderr)
    (["gtfToGenePred"], b"chr1\ts\texon\t1\t10\t.\t+\t.\tID=a\n", 255, r"in\.txt doesn't appear to be a GTF file"),
    (["gtfToGenePred"], b'c\ts\texon\t20\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";\n', 255,
     r"in\.txt:1: start 20 is after end 10"),
    (["gtfToGenePred", "-genePredExt"], b'c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t\n', 255,
     r"in\.txt:1: unterminated \" quote"),
    (["gtfToGenePred", "-allErrors"], b'c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t\n', 255,
     r"in\.txt:1: unterminated \" quote(.|\n)*1 errors"),
    (["gff3ToGenePred"], b"c\ts\tmRNA\t1\t100\t.\t+\t.\tID=m\n", 255, r"in\.txt:1: invalid GFF3 header\nGFF3: 1 parser"),
    (["gff3ToGenePred"], b"", 255, r"^empty GFF file, must have header\nGFF3: 1 parser errors"),
    (["gff3ToGenePred"], b"##gff-version 3\nc\ts\tmRNA\t1\t100\t.\t+\t.\tID=m\xe9\n"
     b"c\ts\texon\t1\t100\t.\t+\t.\tParent=m\xe9\n", 0, r"^$"),
    (["genePredToBed", "-bin"], b"a\tchr1\t+\t10\t5\t5\t5\t1\t10,\t5,\n", 255, r"in\.txt:1: a: cannot bin range 10-5"),
    (["genePredToBed"], b"a\tchr1\t+\t10\n", 255, r"in\.txt:1: expected at least 10 columns"),
    (["genePredToBigGenePred"], b"a\tchr1\t+\t1\t5\t1\t1\t1\t1,\t5,\t0\tg\tnone\tnone\tx,\n", 255,
     r"in\.txt:1: exonFrames is not an integer: 'x'"),
    (["gtfToBigBed"], b'chr1\ts\texon\t1\t10\t.\t?\t.\tgene_id "g"; transcript_id "t";\n', 255,
     r"in\.txt:1: transcript t has strand '\?': a bigGenePred item needs \+, - or \."),
    (["gtfToBigBed"], b"##gff-version 3\nchr1\ts\tgene\tx\t10\t.\t+\t.\tID=a\n", 255, r"in\.txt:2: invalid integer: x"),
]


@pytest.mark.parametrize("argv,content,status,pattern", BAD_INPUTS, ids=[f"{a[0]}-{i}" for i, (a, *_) in
                                                                         enumerate(BAD_INPUTS)])
def test_bad_input_is_an_error_message_not_a_traceback(tmp_path, argv, content, status, pattern):
    src = tmp_path / "in.txt"
    src.write_bytes(content)
    (tmp_path / "sizes").write_text("chr1\t1000\n")
    outs = [str(tmp_path / "sizes"), str(tmp_path / "out")] if argv[0] == "gtfToBigBed" else [str(tmp_path / "out")]
    got, _, err = run(*argv, str(src), *outs)  # an exception escaping main() fails the test
    assert got == status, err
    assert re.search(pattern, err), err
    assert "Traceback" not in err
    if status and "-allErrors" not in argv:  # -allErrors writes what converts, as kent does
        assert not (tmp_path / "out").exists()


def test_gtf_to_bigbed_options_reach_the_api(gtf, tmp_path):
    from trackpack import write_twobit
    from trackpack.genes import onestep

    sizes = tmp_path / "sizes"
    write_twobit([("chr1", "A" * 1000), ("chr2", "C" * 1000)], str(tmp_path / "g.2bit"))
    api = tmp_path / "api.bb"
    onestep.gtf_to_bigbed(str(gtf), str(sizes), str(api), gene_types=["protein_coding"],
                          transcript_types=["lncRNA", "protein_coding"], compress=False, block_size=4,
                          items_per_slot=2, progress=False)
    out = tmp_path / "cli.bb"
    status, _, err = run("gtfToBigBed", "-geneTypes=protein_coding", "-transcriptTypes=lncRNA,protein_coding", "-unc",
                         "-blockSize=4", "-itemsPerSlot=2", "-q", str(gtf), str(sizes), str(out))
    assert status == 0, err
    assert out.read_bytes() == api.read_bytes()
    status, _, err = run("gtfToBigBed", "-sizesIs2Bit", "-geneTypes=protein_coding",
                         "-transcriptTypes=lncRNA,protein_coding", "-unc", "-blockSize=4", "-itemsPerSlot=2", "-q",
                         str(gtf), str(tmp_path / "g.2bit"), str(out))
    assert status == 0, err
    assert out.read_bytes() == api.read_bytes()
    default = tmp_path / "default.bb"
    onestep.gtf_to_bigbed(str(gtf), str(sizes), str(default), progress=False)
    assert default.read_bytes() != api.read_bytes()


def test_gtf_to_bigbed_format_detection(tmp_path):
    src = tmp_path / "a.gff3"
    body = "chr1\ts\tmRNA\t1\t100\t.\t+\t.\tID=m;gene_name=X\nchr1\ts\texon\t1\t100\t.\t+\t.\tParent=m\n"
    src.write_text("##gff-version 3\n" + body)
    (tmp_path / "sizes").write_text("chr1\t1000\n")
    status, _, err = run("gtfToBigBed", str(src), str(tmp_path / "sizes"), str(tmp_path / "o.bb"))
    assert status == 0, err
    src.write_text(body)  # no header: read as GTF, unless -gff3 says otherwise
    status, _, err = run("gtfToBigBed", str(src), str(tmp_path / "sizes"), str(tmp_path / "o.bb"))
    assert status == 255 and f"{src}: neither GTF (no gene_id attribute on the first line with attributes)" in err
    status, _, err = run("gtfToBigBed", "-gff3", str(src), str(tmp_path / "sizes"), str(tmp_path / "o.bb"))
    assert status == 255 and f"{src}:1: invalid GFF3 header" in err
