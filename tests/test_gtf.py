"""trackpack.genes.gtf: kent's GTF rules (the Python reference of the conversion)."""
import pytest

from trackpack.errors import FormatError
from trackpack.genes import gtf
from trackpack.genes.genepred import format_genepred


def lines_of(text):
    return [(i, raw.encode() + b"\n") for i, raw in enumerate(text.strip("\n").split("\n"), 1)]


def convert(text, **opts):
    parsed = list(gtf.read_gtf_lines(lines_of(text), "t.gtf", state={"is_gtf": True}))
    out = []
    for tx in gtf.group_transcripts(parsed):
        gp = gtf.transcript_to_genepred(tx, gtf.GtfOptions(**opts), "t.gtf")
        out.append(gp)
    return out


# -- attributes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ('gene_id "g1"; transcript_id "t1";', [("gene_id", "g1"), ("transcript_id", "t1")]),
        ('gene_id "g1"; transcript_id "t1"', [("gene_id", "g1"), ("transcript_id", "t1")]),
        ("gene_id g1; level 2;", [("gene_id", "g1"), ("level", "2")]),
        ("gene_id 'g 1';  exon_number 3 ;", [("gene_id", "g 1"), ("exon_number", "3")]),
        (' gene_id "a\\"b"; x "c\\\\d"; y "e\\f";', [("gene_id", 'a"b'), ("x", "c\\d"), ("y", "e\\f")]),
        ('gene_id "g1" junk ; transcript_id "t1";', [("gene_id", "g1"), ("transcript_id", "t1")]),
        ("", []),
    ],
)
def test_attributes_follow_kent(text, expected):
    assert gtf.parse_gtf_attributes(text) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ('gene_id "g1', "unterminated"),
        ("gene_id", "no value"),
        ("gene_id ;", "empty value"),
    ],
)
def test_bad_attributes_name_the_line(text, message):
    with pytest.raises(FormatError, match=f"t.gtf:12: .*{message}"):
        gtf.parse_gtf_attributes(text, "t.gtf", 12)


def test_first_ids_win_other_keys_last():
    (gl,) = gtf.read_gtf_lines(
        lines_of('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "a"; gene_id "b"; transcript_id "t"; transcript_id "u"; '
                 'gene_name "x"; gene_name "y"; tag "basic"; tag "CCDS"; gene_biotype "pc";'),
        "t.gtf",
    )
    assert (gl.gene_id, gl.transcript_id, gl.gene_name, gl.gene_type) == ("a", "t", "y", "pc")
    assert gl.tags == ("basic", "CCDS")
    assert (gl.start, gl.end) == (0, 10)


def test_gtf_detection_on_first_attribute_column():
    assert gtf.is_gtf_attributes('gene_id "a"; x "b";')
    assert gtf.is_gtf_attributes("gene_id a; transcript_id b;")
    assert not gtf.is_gtf_attributes("ID=a;Parent=b")
    assert not gtf.is_gtf_attributes("gene_id a")


# -- bad lines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,message",
    [
        ("c\ts\texon\t1\t10", "expected 9 tab-separated columns"),
        ('c\ts\texon\tx1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";', "start"),
        ('c\ts\texon\t1\t1e3\t.\t+\t.\tgene_id "g"; transcript_id "t";', "end"),
        ('c\ts\texon\t20\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";', "after end"),
        ('c\ts\texon\t0\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";', "1-based"),
        ('c\ts\texon\t1\t10\t.\t+\t.\ttranscript_id "t";', "no gene_id"),
        ('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g";', "no transcript_id"),
        ('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t', "unterminated"),
        ('c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t"; exon_number x;', "exon_number"),
    ],
)
def test_bad_lines_name_file_and_line(line, message):
    text = 'c\ts\tgene\t1\t10\t.\t+\t.\tgene_id "g";\n' + line
    with pytest.raises(FormatError, match=f"t.gtf:2: .*{message}"):
        list(gtf.read_gtf_lines(lines_of(text), "t.gtf", state={"is_gtf": True}))


def test_bad_lines_can_be_skipped():
    text = 'c\ts\texon\t5\t1\t.\t+\t.\tgene_id "g"; transcript_id "t";\nc\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";'
    seen = []
    good = list(gtf.read_gtf_lines(lines_of(text), "t.gtf", state={"is_gtf": True}, on_error=seen.append))
    assert len(good) == 1 and len(seen) == 1 and seen[0].line == 1


def test_gene_line_without_transcript_id_is_ignored():
    text = 'c\ts\tgene\t1\t10\t.\t+\t.\tgene_id "g";\nc\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "t";'
    (gp,) = convert(text)
    assert (gp.name, gp.tx_start, gp.tx_end) == ("t", 0, 10)


# -- assembly ------------------------------------------------------------------------------------

CODING = """\
c\ts\ttranscript\t100\t1000\t.\t+\t.\tgene_id "g"; transcript_id "t"; gene_name "G"; gene_version "3";
c\ts\texon\t100\t300\t.\t+\t.\tgene_id "g"; transcript_id "t"; gene_version "3";
c\ts\tCDS\t201\t300\t.\t+\t0\tgene_id "g"; transcript_id "t";
c\ts\tstart_codon\t201\t203\t.\t+\t0\tgene_id "g"; transcript_id "t";
c\ts\texon\t501\t1000\t.\t+\t.\tgene_id "g"; transcript_id "t";
c\ts\tCDS\t501\t896\t.\t+\t2\tgene_id "g"; transcript_id "t";
c\ts\tstop_codon\t897\t899\t.\t+\t0\tgene_id "g"; transcript_id "t";
c\ts\tUTR\t900\t1000\t.\t+\t.\tgene_id "g"; transcript_id "t";
"""


def test_coding_transcript():
    (gp,) = convert(CODING, extended=True)
    assert format_genepred(gp) == (
        "t\tc\t+\t99\t1000\t200\t899\t2\t99,500,\t300,1000,\t0\tg\tcmpl\tcmpl\t0,1,\n"
    )
    (gp,) = convert(CODING, extended=True, include_version=True, gene_name_as_name2=False)
    assert gp.name2 == "g.3"
    # like kent, names and versions come from the first line in kent's order (here the
    # first exon line), even when another line has them
    (gp,) = convert(CODING, extended=True, gene_name_as_name2=True)
    assert gp.name2 == ""
    (gp,) = convert(CODING.replace('gene_version "3"', 'gene_version "3"; gene_name "G"'), extended=True,
                    gene_name_as_name2=True)
    assert gp.name2 == "G"
    (gp,) = convert(CODING)
    assert format_genepred(gp).count("\t") == 9


def test_lines_anywhere_in_any_order():
    rows = CODING.strip().split("\n")
    shuffled = "\n".join(rows[i] for i in (5, 2, 7, 0, 3, 6, 1, 4))
    assert convert(shuffled, extended=True) == convert(CODING, extended=True)


def test_adjacent_and_overlapping_exon_lines_merge():
    text = "\n".join(
        f'c\ts\t{f}\t{a}\t{b}\t.\t-\t.\tgene_id "g"; transcript_id "t";'
        for f, a, b in [("exon", 1, 10), ("exon", 11, 20), ("CDS", 15, 20), ("exon", 40, 50), ("exon", 45, 60),
                        ("start_codon", 58, 60)]
    )
    (gp,) = convert(text)
    assert (gp.exon_starts, gp.exon_ends) == ([0, 39], [20, 60])
    assert (gp.cds_start, gp.cds_end) == (14, 60)


def test_no_exon_group_gives_none():
    text = 'c\ts\ttranscript\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t";'
    assert convert(text) == [None]


def test_two_strands_is_an_error_naming_the_line():
    text = CODING + 'c\ts\texon\t2000\t2100\t.\t-\t.\tgene_id "g"; transcript_id "t";\n'
    parsed = list(gtf.read_gtf_lines(lines_of(text), "t.gtf", state={"is_gtf": True}))
    (tx,) = gtf.group_transcripts(parsed)
    with pytest.raises(gtf.TranscriptError, match="t.gtf:9: transcript t is on c\\+ but this line is on c-") as err:
        gtf.transcript_to_genepred(tx, gtf.GtfOptions(), "t.gtf")
    assert err.value.kent_lines[1].startswith("GFF/GTF group t on c+, this line is on c-")


def test_cds_outside_exons_is_an_error():
    text = CODING + 'c\ts\tCDS\t400\t450\t.\t+\t0\tgene_id "g"; transcript_id "t";\n'
    parsed = list(gtf.read_gtf_lines(lines_of(text), "t.gtf", state={"is_gtf": True}))
    (tx,) = gtf.group_transcripts(parsed)
    with pytest.raises(gtf.TranscriptError, match="t.gtf:9: CDS 400-450 of transcript t"):
        gtf.transcript_to_genepred(tx, gtf.GtfOptions(), "t.gtf")


def test_frames_computed_when_file_has_none():
    text = CODING.replace("\t0\tgene_id", "\t.\tgene_id").replace("\t2\tgene_id", "\t.\tgene_id")
    (gp,) = convert(text, extended=True)
    assert gp.exon_frames == gp.frames_from_cds() == [0, 1]


def test_split_stop_codon_exon_continues_the_frame():
    # minus strand: exons 3 (6152-6536), 2 (6146-6148), 1 (6141-6142); stop codon split in 1 and 2
    text = "\n".join(
        f'c\tp\t{f}\t{a}\t{b}\t.\t-\t{fr}\tgene_id "g"; transcript_id "t";'
        for f, a, b, fr in [("exon", 6153, 6536, "."), ("CDS", 6153, 6536, "0"), ("exon", 6147, 6148, "."),
                            ("exon", 6142, 6142, "."), ("stop_codon", 6147, 6148, "0"),
                            ("stop_codon", 6142, 6142, "1")]
    )
    (gp,) = convert(text, extended=True)
    assert gp.exon_frames == [2, 0, 0]


def test_implied_stop_after_cds():
    text = "\n".join(
        f'c\tf\t{f}\t{a}\t{b}\t.\t+\t.\tgene_id "g"; transcript_id "t";'
        for f, a, b in [("exon", 1, 100), ("exon", 200, 300), ("CDS", 10, 99)]
    )
    (gp,) = convert(text, implied_stop_after_cds=True, extended=True)
    assert (gp.cds_start, gp.cds_end, gp.cds_end_stat) == (9, 201, "cmpl")


def test_info_row():
    parsed = list(gtf.read_gtf_lines(lines_of(CODING), "t.gtf", state={"is_gtf": True}))
    (tx,) = gtf.group_transcripts(parsed)
    assert gtf.info_row(tx, include_version=True) == "t\tg.3\ts\tc\t99\t1000\t+\t\tG\t\t\t\n"
