"""trackpack.genes.genepred: genePred rows in memory, as text and as BED12."""
import io
import random

import pytest

import common
from trackpack import bins
from trackpack.errors import FormatError
from trackpack.genes.genepred import (
    FIELDS_ALL,
    FIELDS_BASIC,
    GenePred,
    format_bed12,
    format_genepred,
    genepred_check,
    parse_genepred_row,
    read_genepreds,
)

KENT = "ucscGenomeBrowser+kent-core"


def _gp(**kw):
    base = dict(name="tx1", chrom="chr1", strand="+", tx_start=100, tx_end=1000, cds_start=200, cds_end=900,
                exon_starts=[100, 500], exon_ends=[300, 1000])
    base.update(kw)
    return GenePred(**base)


@pytest.mark.parametrize("name", ["ensembl.gp", "splitStop.gp", "basic.gp", "impliedStop.gp", "noFrame.gp"])
def test_kent_files_round_trip(name):
    path = common.corpus(f"{KENT}/src/hg/utils/gtfToGenePred/tests/expected/{name}")
    text = path.read_text()
    rows = list(read_genepreds(str(path)))
    assert rows
    assert "".join(format_genepred(gp) for gp in rows) == text


def test_columns_present_follow_the_fields_level():
    gp = _gp()
    assert format_genepred(gp).count("\t") == 9
    gp.fields = FIELDS_ALL
    gp.name2 = "g1"
    gp.exon_frames = [0, 1]
    gp.cds_start_stat = gp.cds_end_stat = "cmpl"
    assert format_genepred(gp) == (
        "tx1\tchr1\t+\t100\t1000\t200\t900\t2\t100,500,\t300,1000,\t0\tg1\tcmpl\tcmpl\t0,1,\n"
    )


def test_bin_column_first():
    gp = _gp()
    assert format_genepred(gp, with_bin=True).startswith(f"{bins.bin_from_range(100, 1000)}\ttx1\t")
    assert format_bed12(gp, with_bin=True).startswith("585\tchr1\t100\t")


def test_bed12_like_kent():
    assert format_bed12(_gp()) == "chr1\t100\t1000\ttx1\t0\t+\t200\t900\t0\t2\t200,500,\t0,400,\n"


def _frames_reference(gp):
    """Frames by walking the CDS base by base in transcription order."""
    coding = []
    for i, (s, e) in enumerate(zip(gp.exon_starts, gp.exon_ends)):
        for pos in range(max(s, gp.cds_start), min(e, gp.cds_end)):
            coding.append((pos, i))
    if gp.strand == "-":
        coding.reverse()
    frames = [-1] * gp.exon_count
    for n, (_, i) in enumerate(coding):
        if frames[i] == -1:
            frames[i] = n % 3
    return frames


def test_frames_from_cds_random():
    rng = random.Random(3)
    for _ in range(500):
        starts, ends = [], []
        pos = rng.randrange(0, 1000)
        for _ in range(rng.randint(1, 8)):
            s = pos + rng.randrange(1, 200)
            e = s + rng.randrange(1, 120)
            starts.append(s)
            ends.append(e)
            pos = e
        lo, hi = starts[0], ends[-1]
        a, b = sorted(rng.randrange(lo, hi + 1) for _ in range(2))
        gp = _gp(strand=rng.choice("+-"), tx_start=lo, tx_end=hi, cds_start=a, cds_end=b,
                 exon_starts=starts, exon_ends=ends)
        assert gp.frames_from_cds() == _frames_reference(gp)


def test_parse_errors_name_the_line():
    with pytest.raises(FormatError, match=r"x\.gp:7: .*txStart"):
        parse_genepred_row(["a", "chr1", "+", "1x", "5", "1", "1", "1", "1,", "5,"], "x.gp", 7)
    with pytest.raises(FormatError, match="exonStarts"):
        parse_genepred_row(["a", "chr1", "+", "1", "5", "1", "1", "2", "1,", "5,"], "x.gp", 2)
    with pytest.raises(FormatError, match="at least 10 columns"):
        parse_genepred_row(["a", "chr1"], "x.gp", 1)
    with pytest.raises(FormatError, match="cdsStatus"):
        parse_genepred_row(["a", "chr1", "+", "1", "5", "1", "1", "1", "1,", "5,", "0", "g", "bad", "none"], "x", 1)


def test_read_skips_comments_and_reads_gzip(tmp_path):
    import gzip

    text = "#header\ntx\tchr1\t-\t0\t10\t10\t10\t1\t0,\t10,\n\n"
    p = tmp_path / "a.gp.gz"
    with gzip.open(p, "wt") as f:
        f.write(text)
    rows = list(read_genepreds(str(p)))
    assert len(rows) == 1 and rows[0].strand == "-" and rows[0].fields == FIELDS_BASIC
    rows = list(read_genepreds(io.BytesIO(text.encode())))
    assert rows[0].exon_ends == [10]


def test_check_finds_kent_problems():
    gp = _gp(exon_starts=[100, 250], exon_ends=[300, 1000])
    (msg,) = genepred_check(gp, "desc")
    assert msg == "desc: tx1 exon 1 (chr1:250-1000) overlaps previous exon (chr1:100-300)"
    gp = _gp(cds_start=350)
    assert any("cdsStart 350 not in an exon" in m for m in genepred_check(gp, "d"))
    gp = _gp(strand=".")
    assert any('invalid strand: "."' in m for m in genepred_check(gp, "d"))
    assert genepred_check(_gp(), "d") == []
    gp = _gp(fields=FIELDS_ALL, exon_frames=[-1, 0])
    assert any("no exonFrame on CDS exon 0" in m for m in genepred_check(gp, "d"))
