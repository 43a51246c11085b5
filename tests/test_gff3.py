"""trackpack.genes.gff3: GFF3 parsing and kent's gff3ToGenePred rules."""
import pytest

from trackpack.genes import gff3
from trackpack.genes.genepred import format_genepred

HEADER = "##gff-version 3\n"


def lines_of(text):
    return [(i, raw.encode() + b"\n") for i, raw in enumerate(text.rstrip("\n").split("\n"), 1)]


def parse(text, **kw):
    return gff3.parse_gff3(lines_of(HEADER + text), "t.gff3", **kw)


def convert(text, **opts):
    messages = []
    conv = gff3.Gff3Converter(parse(text), gff3.Gff3Options(**opts), messages.append)
    gps = []
    for _, items, msgs in conv.convert():
        messages.extend(msgs)
        gps.extend(gp for gp, _ in items if gp is not None)
    return gps, messages, conv


MRNA = """\
c\ts\tgene\t100\t1000\t.\t+\t.\tID=g1;Name=G1;gene_type=protein_coding
c\ts\tmRNA\t100\t1000\t.\t+\t.\tID=t1;Parent=g1;Name=T1
c\ts\texon\t100\t300\t.\t+\t.\tParent=t1
c\ts\texon\t501\t1000\t.\t+\t.\tParent=t1
c\ts\tCDS\t201\t300\t.\t+\t0\tID=cds1;Parent=t1
c\ts\tCDS\t501\t899\t.\t+\t2\tID=cds1;Parent=t1
"""


def test_gene_mrna():
    gps, messages, _ = convert(MRNA)
    assert messages == []
    assert [format_genepred(gp) for gp in gps] == [
        "T1\tc\t+\t99\t1000\t200\t899\t2\t99,500,\t300,1000,\t0\tg1\tcmpl\tcmpl\t0,1,\n"
    ]


def test_names_from_attributes():
    gps, _, _ = convert(MRNA, rna_name_attr="nope", gene_name_attr="gene_type")
    assert (gps[0].name, gps[0].name2) == ("T1", "protein_coding")
    gps, _, _ = convert(MRNA, use_name=True)
    assert gps[0].name2 == "G1"
    gps, _, _ = convert(MRNA.replace(";Name=T1", ""))
    assert gps[0].name == "t1"


def test_cds_status_options():
    gps, _, _ = convert(MRNA, honor_start_stop_codons=True)
    assert (gps[0].cds_start_stat, gps[0].cds_end_stat) == ("incmpl", "incmpl")
    gps, _, _ = convert(MRNA, default_cds_status_unknown=True)
    assert (gps[0].cds_start_stat, gps[0].cds_end_stat) == ("unk", "unk")


def test_roots_last_first():
    text = MRNA + MRNA.replace("g1", "g2").replace("t1", "t2").replace("T1", "T2").replace("cds1", "cds2")
    gps, _, _ = convert(text)
    assert [gp.name for gp in gps] == ["T2", "T1"]


def test_utr_and_cds_make_exons_when_no_exon():
    text = """\
c\ts\tmRNA\t100\t1000\t.\t-\t.\tID=t1
c\ts\tthree_prime_UTR\t100\t199\t.\t-\t.\tParent=t1
c\ts\tCDS\t203\t400\t.\t-\t0\tParent=t1
c\ts\tCDS\t501\t600\t.\t-\t1\tParent=t1
c\ts\tfive_prime_UTR\t601\t1000\t.\t-\t.\tParent=t1
"""
    gps, _, _ = convert(text)
    gp = gps[0]
    assert (gp.exon_starts, gp.exon_ends) == ([99, 202, 500], [199, 400, 1000])
    assert gp.exon_frames == [-1, 0, 2]


def test_frameshift_splits_an_exon():
    text = """\
c\ts\tmRNA\t1\t100\t.\t+\t.\tID=t1
c\ts\texon\t1\t100\t.\t+\t.\tParent=t1
c\ts\tCDS\t1\t50\t.\t+\t0\tParent=t1
c\ts\tCDS\t50\t100\t.\t+\t0\tParent=t1
"""
    gps, _, _ = convert(text)
    gp = gps[0]
    assert (gp.exon_starts, gp.exon_ends, gp.exon_frames) == ([0, 50], [50, 100], [0, 1])


def test_cds_outside_exon_is_an_error():
    text = MRNA.replace("501\t899", "480\t899")
    gps, messages, conv = convert(text)
    assert gps == [] and conv.errors == 1
    assert messages == ["Error: no exon in T1 contains CDS 479-899"]
    gps, messages, conv = convert(text, warn_and_continue=True)
    assert messages == ["Warning: skipping: no exon in T1 contains CDS 479-899"]


def test_invalid_genepred_reported_with_the_record_line():
    text = MRNA.replace("exon\t501\t1000", "exon\t250\t1000").replace("CDS\t501", "CDS\t301")
    gps, messages, conv = convert(text)
    assert gps == []
    assert messages[0].startswith("Error: genePred from GFF3: t.gff3:3: T1 exon 1 (c:249-1000) overlaps previous exon")
    assert messages[-1] == "Error: invalid genePred created: T1 c:99-1000"
    assert len(conv.bad) == 1


def test_unprocessed_roots_and_minimal_genes():
    text = "c\ts\tgene\t10\t20\t.\t+\t.\tID=lonely;Name=L\nc\ts\tregion\t1\t100\t.\t+\t.\tID=r\n"
    gps, _, conv = convert(text)
    assert gps == []
    assert [r.id for r in conv.unprocessed_roots()] == ["r"]  # kent counts any gene as processed
    gps, _, conv = convert(text, allow_minimal_genes=True)
    assert [(gp.name, gp.name2, gp.exon_starts) for gp in gps] == [("L", "lonely", [9])]
    assert gff3.format_gff3_record(conv.unprocessed_roots()[0]) == "c\ts\tregion\t1\t100\t.\t+\t.\tID=r\n"


# -- parsing ----------------------------------------------------------------------------------


def test_attributes_unescaped_and_multivalued():
    g = parse("c\ts\tgene\t1\t10\t.\t+\t.\tID=a%3Bb;Dbxref=x,y;Note=n1;Note=n2;tag=basic,CCDS")
    (rec,) = g.records
    assert rec.id == "a;b"
    assert rec.attrs["Dbxref"] == ["x", "y"]
    assert rec.attrs["Note"] == ["n1", "n2"]
    assert gff3.format_gff3_record(rec).endswith("ID=a%3Bb;Dbxref=x,y;Note=n1,n2;tag=basic,CCDS\n")


@pytest.mark.parametrize(
    "line,message",
    [
        ("c\ts\tgene\t1\t10\t.\t+\t.", "expected 9 tab-separated columns"),
        ("c\ts\tgene\tx\t10\t.\t+\t.\tID=a", "invalid integer: x"),
        ("c\ts\tgene\t20\t10\t.\t+\t.\tID=a", "start 20 is after end 10"),
        ("c\ts\tgene\t1\t10\t.\t*\t.\tID=a", "invalid strand: '\\*'"),
        ("c\ts\tCDS\t1\t10\t.\t+\t.\tID=a", "CDS feature must have phase \\(error can be a warning\\)"),
        ("c\ts\tgene\t1\t10\t.\t+\t.\tID=a;Foo=b", "unknown standard attribute"),
        ("c\ts\tgene\t1\t10\t.\t+\t.\tID=a;b c=d", "invalid attribute tag"),
        ("c\ts\tgene\t1\t10\t.\t+\t.\tID=a;junk", "expected name=value: junk"),
        ("c\ts\tgene\t1\t10\t.\t+\t.\tID=a,b", "attribute ID must have a single value"),
        ("c\ts\texon\t1\t10\t.\t+\t.\tParent=nope", "Can't find annotation record \"nope\""),
    ],
)
def test_parse_errors_name_the_line(line, message):
    with pytest.raises(gff3.Gff3ParseError) as err:
        parse(line)
    assert any(m.startswith("t.gff3:2: ") for m in err.value.messages), err.value.messages
    assert any(__import__("re").search(message, m) for m in err.value.messages), err.value.messages
    assert str(err.value) == f"GFF3: {len(err.value.messages)} parser errors"


def test_warnings_instead_of_errors():
    reported = []
    g = parse("c\ts\texon\t1\t10\t.\t+\t.\tID=e;Parent=nope", warn_when_possible=True, report=reported.append)
    assert reported == ['WARNING: Can\'t find annotation record "nope" referenced by "e" Parent attribute']
    assert g.roots == []  # an orphan is not a root


def test_header_required():
    with pytest.raises(gff3.Gff3ParseError, match="GFF3: 1 parser errors") as err:
        gff3.parse_gff3(lines_of("c\ts\tgene\t1\t10\t.\t+\t.\tID=a"), "t.gff3")
    assert err.value.messages == ["t.gff3:1: invalid GFF3 header"]


def test_error_limit():
    text = "\n".join(f"c\ts\tgene\tx\t10\t.\t+\t.\tID=a{i}" for i in range(10))
    with pytest.raises(gff3.Gff3ParseError) as err:
        parse(text, max_errors=3)
    assert len(err.value.messages) == 4


def test_discontinuous_parts_checked():
    text = "c\ts\tgene\t1\t10\t.\t+\t.\tID=x\nc\ts\tmRNA\t20\t30\t.\t+\t.\tID=x"
    with pytest.raises(gff3.Gff3ParseError, match="parser errors") as err:
        parse(text)
    assert "do not have the same type" in err.value.messages[0]


def test_fasta_section_ends_annotations():
    g = parse("c\ts\tgene\t1\t10\t.\t+\t.\tID=a\n##FASTA\n>c\nACGT")
    assert [r.id for r in g.records] == ["a"]


def test_compiled_tokenizer_matches_the_python_parser():
    """tokenize_gff3 (cext/gtftok.pyx) against the Python record parser on random lines."""
    import random

    from trackpack.genes.fastgtf import kernel

    k = kernel()
    if k is None:
        pytest.skip("compiled kernels not built")
    rng = random.Random(9)
    pieces = ["ID=a", "Parent=p1,p2", "Name=x y", " gene_id = g ", "tag=basic,,CCDS", "empty=", "note=a%3Bb",
              "b@d=1", "Dbxref=x", "Alias=q", "k=v;k=w", ";;", "novalue", "_AED=0.1", "Foo=1", "ID=a,b",
              "é=ü", "x=é"]
    for _ in range(3000):
        cols = ["c h r", "src", rng.choice(["gene", "mRNA", "CDS", "exon"]), str(rng.randint(0, 50)),
                str(rng.randint(0, 60)), rng.choice([".", "1.5", "x"]), rng.choice(["+", "-", ".", "?", "*"]),
                rng.choice([".", "0", "1", "2", "3"]),
                ";".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))]
        sep = rng.choice(["\t", "\t", "\t\t"])
        line = sep.join(cols) + rng.choice(["", "\r", "\t"])
        fast_messages, slow_messages = [], []
        fast = gff3._Parser("t", 100, False, fast_messages.append)
        slow = gff3._Parser("t", 100, False, slow_messages.append)
        fast.lineno = slow.lineno = 1
        tokens = k.tokenize_gff3(line.encode())
        if tokens is None:
            continue  # the Python parser handles these lines
        fast.record_tokens(tokens)
        slow.record(line.rstrip("\r"))
        assert fast_messages == slow_messages, line
        (a,) = fast.records
        (b,) = slow.records
        assert [(x, getattr(a, x)) for x in gff3.Gff3Record.__slots__ if x not in ("parents", "children")] == \
            [(x, getattr(b, x)) for x in gff3.Gff3Record.__slots__ if x not in ("parents", "children")], line
