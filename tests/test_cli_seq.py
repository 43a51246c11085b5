"""`trackpack faToTwoBit | twoBitToFa | twoBitInfo | faToNib | nibFrag`: kent's own test
cases (ENCODE-DCC+kentUtils/src/utils/*/tests in the corpus) and kent's behaviour."""
from __future__ import annotations

import importlib.util
import io
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

import common
from trackpack import NibFile, TwoBitFile, write_nib, write_twobit
from trackpack.cli import run
from trackpack.fasta import format_fasta, reverse_complement

KENT_UTILS = "ENCODE-DCC+kentUtils/src/utils"


def utils_dir(tool: str) -> Path:
    return common.corpus(f"{KENT_UTILS}/{tool}/tests")


def tool(name: str, *args) -> int:
    return run(name, [str(a) for a in args])


# --- kent's test suites (commands from each tool's makefile) ---------------------------------

TWO_BIT_TO_FA_CASES = [
    (["input/testN.2bit"], "testN.fa"),
    (["input/testMask.2bit"], "testMask.fa"),
    *[
        (["input/testMask.2bit", "-seq=manyLower", f"-start={s}", f"-end={e}"], f"ml_{s}_{e}.fa")
        for s, e in [(1, 11), (2, 10), (3, 9), (4, 8), (5, 7), (5, 6), (6, 7), (7, 8), (8, 9)]
    ],
    (["input/testMask.2bit:manyLower"], "spec_ml.fa"),
    (["input/testMask.2bit:manyLower:2-10"], "spec_ml_2_10.fa"),
    (["input/testMask.2bit", "-seqList=input/seqlist1"], "spec_ml_no_start_end.fa"),
    (["input/testMask.2bit", "-seqList=input/seqlist2"], "spec_ml_partial_list.fa"),
    (["input/testMask.2bit", "-bed=input/seqlist2.bed"], "bed_ml_partial_list.fa"),
]


@pytest.mark.parametrize("args,expected", TWO_BIT_TO_FA_CASES, ids=[e for _, e in TWO_BIT_TO_FA_CASES])
def test_kent_two_bit_to_fa_suite(args, expected, tmp_path):
    base = utils_dir("twoBitToFa")
    first, *options = args
    options = [o.replace("input/", f"{base}/input/") for o in options]
    out = tmp_path / expected
    assert tool("twoBitToFa", f"{base}/{first}", out, *options) == 0
    common.assert_same_bytes(out.read_bytes(), (base / "expected" / expected).read_bytes(), expected)


TWO_BIT_INFO_CASES = [
    ("testN.2bit", "testN.info"),
    ("testMask.2bit", "testMask.info"),
    ("testMask.2bit:manyLower", "ml.info"),
    ("testMask.2bit:manyLower:2-10", "ml_sub.info"),
    ("testMask.2bit:noLower,startLower", "ml_multiple.info"),
]


@pytest.mark.parametrize("spec,expected", TWO_BIT_INFO_CASES, ids=[e for _, e in TWO_BIT_INFO_CASES])
def test_kent_two_bit_info_suite(spec, expected, tmp_path):
    out = tmp_path / expected
    assert tool("twoBitInfo", f"{utils_dir('twoBitToFa')}/input/{spec}", out) == 0
    common.assert_same_bytes(out.read_bytes(), (utils_dir("twoBitInfo") / "expected" / expected).read_bytes())


def test_kent_fa_to_two_bit_suite(tmp_path, capsys):
    base = utils_dir("faToTwoBit")
    # an empty record: kent's two warnings on stderr, and a .2bit without sequences
    assert tool("faToTwoBit", base / "input/noDna.fa", tmp_path / "noDna.2bit") == 0
    assert capsys.readouterr().err == (base / "expected/noDna.out").read_text()
    assert tool("twoBitToFa", tmp_path / "noDna.2bit", tmp_path / "noDna.fa") == 0
    assert (tmp_path / "noDna.fa").read_bytes() == (base / "expected/noDna.fa").read_bytes()
    # round trips back to the input
    for name in ("testN", "testMask"):
        assert tool("faToTwoBit", base / f"input/{name}.fa", tmp_path / f"{name}.2bit") == 0
        assert tool("twoBitToFa", tmp_path / f"{name}.2bit", tmp_path / f"{name}.fa") == 0
        common.assert_same_bytes((tmp_path / f"{name}.fa").read_bytes(), (base / f"input/{name}.fa").read_bytes())
    assert tool("faToTwoBit", "-stripVersion", base / "input/genbank.fa", tmp_path / "gb.2bit") == 0
    assert tool("twoBitToFa", tmp_path / "gb.2bit", tmp_path / "gb.fa") == 0
    common.assert_same_bytes((tmp_path / "gb.fa").read_bytes(), (base / "expected/genbank.fa").read_bytes())


# --- kent's bytes for every tool and flag, on tricky input (tests/data/kent_seq) -------------

KENT_SEQ = Path(__file__).resolve().parent / "data" / "kent_seq"


def _kent_cases():
    spec = importlib.util.spec_from_file_location("kent_seq_cases", KENT_SEQ / "make_expected.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.cases())


KENT_CASES = _kent_cases()


@pytest.mark.parametrize("case_id,tool_name,args", KENT_CASES, ids=[c[0] for c in KENT_CASES])
def test_same_bytes_as_kent(case_id, tool_name, args, tmp_path, monkeypatch, capsys):
    """Output file, stdout and stderr equal what kent's tool wrote for the same command
    (inputs with CRLF, IUPAC codes, digits, '>' inside a line, non-ASCII bytes, an empty
    record, names that collide after -stripVersion; see tests/data/kent_seq/README.md)."""
    monkeypatch.chdir(KENT_SEQ)  # relative input paths, as kent was run (nibFrag names them)
    out = tmp_path / "out"
    assert tool(tool_name, *[out if a == "{out}" else a for a in args]) == 0
    printed = capsys.readouterr()
    expected = KENT_SEQ / "expected"
    common.assert_same_bytes(out.read_bytes(), (expected / f"{case_id}.out").read_bytes(), case_id)
    for stream, text in (("stdout", printed.out), ("stderr", printed.err)):
        kent_text = expected / f"{case_id}.{stream}"
        assert text == (kent_text.read_text() if kent_text.exists() else ""), stream


def test_kent_made_inputs_read_back(tmp_path):
    """The fixture's kent-made .2bit and .nib are exactly what trackpack writes."""
    write_twobit(KENT_SEQ / "tricky.fa", tmp_path / "t.2bit")
    common.assert_same_bytes((tmp_path / "t.2bit").read_bytes(), (KENT_SEQ / "tricky.2bit").read_bytes())
    write_nib(KENT_SEQ / "one.fa", tmp_path / "o.nib", mask=True)
    common.assert_same_bytes((tmp_path / "o.nib").read_bytes(), (KENT_SEQ / "one.nib").read_bytes())


# --- faToTwoBit ----------------------------------------------------------------------------


def test_fa_to_two_bit_options(tmp_path):
    fa1 = tmp_path / "a.fa"
    fa1.write_bytes(b">x.1\nACgtNN\n>y.1\nTT\n")
    fa2 = tmp_path / "b.fa"
    fa2.write_bytes(b">x.2\nGG\n")
    out = tmp_path / "o.2bit"
    assert tool("faToTwoBit", fa1, fa2, out) == 0
    assert list(TwoBitFile(out)) == ["x.1", "y.1", "x.2"]
    assert tool("faToTwoBit", "-noMask", "-long", fa1, out) == 0
    with TwoBitFile(out) as tb:
        assert tb.version == 1 and tb.fetch("x.1") == "ACGTNN"
    assert tool("faToTwoBit", "-stripVersion", fa1, fa2, out) == 255
    assert tool("faToTwoBit", "-stripVersion", "-ignoreDups", fa1, fa2, out) == 0
    assert TwoBitFile(out).sizes == {"x": 6, "y": 2}


def test_fa_to_two_bit_usage_and_failures(tmp_path, capsys):
    assert tool("faToTwoBit", tmp_path / "only.fa") == 255
    assert "faToTwoBit in.fa [in2.fa in3.fa ...] out.2bit" in capsys.readouterr().err
    assert tool("faToTwoBit", "-bogus", "a.fa", "b.2bit") == 255
    assert "-bogus is not a valid option" in capsys.readouterr().err
    bad = tmp_path / "bad.fa"
    bad.write_bytes(b"ACGT\n")
    out = tmp_path / "bad.2bit"
    assert tool("faToTwoBit", bad, out) == 255
    assert f"{bad}:1" in capsys.readouterr().err
    assert not out.exists()
    assert tool("faToTwoBit", tmp_path / "missing.fa", out) == 255
    assert not out.exists()


def test_fa_to_two_bit_stdin_and_stdout(tmp_path, monkeypatch, capfdbinary):
    fa = tmp_path / "s.fa"
    fa.write_bytes(b">s\nACGT\n")
    with open(fa, "rb") as f:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(f))
        assert tool("faToTwoBit", "stdin", "stdout") == 0
    data = capfdbinary.readouterr().out
    write_twobit(fa, tmp_path / "ref.2bit")
    assert data == (tmp_path / "ref.2bit").read_bytes()


# --- twoBitToFa ----------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "s.2bit"
    write_twobit([("chr1", "ACGTacgtNNNNggggCCCC" * 5), ("chr2", "TTTTaaaa"), ("chr3", "GATTACA")], path)
    return path


def test_two_bit_to_fa_specs_and_options(sample, tmp_path):
    out = tmp_path / "o.fa"
    with TwoBitFile(sample) as tb:
        chr1 = tb.fetch("chr1")
    # whole file, 50 bases per line
    assert tool("twoBitToFa", sample, out) == 0
    text = out.read_text()
    assert text.startswith(">chr1\n" + chr1[:50] + "\n" + chr1[50:100] + "\n>chr2\nTTTTaaaa\n")
    # -noMask
    assert tool("twoBitToFa", "-noMask", f"{sample}:chr2", out) == 0
    assert out.read_text() == ">chr2\nTTTTAAAA\n"
    # several sequences, ranges, hex and octal numbers (C strtol base 0)
    assert tool("twoBitToFa", f"{sample}:chr2:0x2-6,chr3,chr1:010-12", out) == 0
    assert out.read_text() == f">chr2:2-6\nTTaa\n>chr3\nGATTACA\n>chr1:8-12\n{chr1[8:12]}\n"
    # a range covering the whole sequence is named like the sequence
    assert tool("twoBitToFa", f"{sample}:chr3:0-7", out) == 0
    assert out.read_text() == ">chr3\nGATTACA\n"
    # -seq with -start only reads the whole sequence (kent builds a range only when end > start)
    assert tool("twoBitToFa", sample, out, "-seq=chr3", "-start=2") == 0
    assert out.read_text() == ">chr3\nGATTACA\n"
    # -bedPos
    bed = tmp_path / "r.bed"
    bed.write_text("chr3\t1\t4\tmyName\t0\t-\nchr2\t0\t2\tother\n")
    assert tool("twoBitToFa", sample, out, f"-bed={bed}", "-bedPos") == 0
    assert out.read_text() == ">chr3:1-4\nAAT\n>chr2:0-2\nTT\n"
    assert tool("twoBitToFa", sample, out, f"-bed={bed}") == 0
    assert out.read_text() == ">myName\nAAT\n>other\nTT\n"


def test_two_bit_to_fa_bed12_blocks(sample, tmp_path):
    bed = tmp_path / "b.bed"
    bed.write_text("chr1\t2\t30\ttx\t0\t-\t2\t30\t0\t2\t4,5,\t0,23,\n")
    out = tmp_path / "b.fa"
    assert tool("twoBitToFa", sample, out, f"-bed={bed}") == 0
    with TwoBitFile(sample) as tb:
        expected = reverse_complement(tb.fetch("chr1", 2, 6) + tb.fetch("chr1", 25, 30))
    assert out.read_bytes() == format_fasta("tx", expected)


def test_two_bit_to_fa_bed_lines_are_checked(sample, tmp_path, capsys):
    out = tmp_path / "b.fa"
    cases = [
        ("chr1\t1\t4\n", "at least 4 fields"),
        ("chr1\t-1\t4\tn\n", "chromStart must be a non-negative integer"),
        ("chr1\t1\t4_0\tn\n", "chromEnd must be a non-negative integer"),
        ("chr1\t1\t4\tn\t0\t+\tx\t4\n", "thickStart"),
        ("chr1\t1\t4\tn\t0\t+\t1\t4\t0\t2\n", "blockSizes or chromStarts is missing"),
        ("chr1\t1\t4\tn\t0\t+\t1\t4\t0\t2\t1,1,\t0,\n", "chromStarts has 1 values"),
    ]
    for text, message in cases:
        bed = tmp_path / "bad.bed"
        bed.write_text("# a comment\n\nchr2\t0\t2\tok\n" + text)
        assert tool("twoBitToFa", sample, out, f"-bed={bed}") == 255
        err = capsys.readouterr().err
        assert f"{bed}:4:" in err and message in err, (text, err)
        assert not out.exists()


def test_two_bit_to_fa_errors(sample, tmp_path, capsys):
    out = tmp_path / "e.fa"
    cases = [
        ([sample, out, "-start=5"], "must specify -seq"),
        ([sample, out, "-seq=chr1", "-seqList=x"], "can't specify both"),
        ([sample, out, "-bed=x", "-seq=chr1"], "Can only have seq or bed"),
        ([sample, out, "-bed=x", "-seqList=x"], "Can only have seqList or bed"),
        ([sample, out, "-bedPos"], "requires the -bed option"),
        ([f"{sample}:chr1:5-2", out], "invalid twoBit sequence specification"),
        ([f"{sample}:chr1:5-x", out], "invalid twoBit sequence specification"),
        ([f"{sample}:chrX", out], "chrX"),
        ([f"{sample}:chr3:2-80", out], "past the sequence end"),
        ([f"{sample}:chr3:3-3", out], "start"),
        ([tmp_path / "nope.2bit", out], f"{tmp_path / 'nope.2bit'}: No such file or directory"),
        ([tmp_path / "nope.2bit", out, "-seqList=x"], f"{tmp_path / 'nope.2bit'}: No such file or directory"),
        ([f"{tmp_path / 'nope.2bit'}:chr1", out], f"{tmp_path / 'nope.2bit'}: No such file or directory"),
        ([KENT_SEQ / "one.fa", out], f"Error: {KENT_SEQ / 'one.fa'}: byte 0: not a .2bit file (bad signature)"),
        ([f"{KENT_SEQ / 'one.fa'}:chr1", out], f"Error: {KENT_SEQ / 'one.fa'}: byte 0: not a .2bit file"),
        ([tmp_path, out], f"{tmp_path}: Is a directory"),
        ([sample], "twoBitToFa input.2bit output.fa"),
    ]
    for args, message in cases:
        assert tool("twoBitToFa", *args) == 255, args
        assert message in capsys.readouterr().err, args
        assert not out.exists()


def test_two_bit_to_fa_bpt_index(sample, tmp_path, capsys):
    from trackpack.bbi.bptree import write_bptree

    with TwoBitFile(sample) as tb:
        items = sorted((n.encode(), struct.pack("<I", tb._record_of(n).offset)) for n in tb)
    bpt = tmp_path / "s.bpt"
    with open(bpt, "wb") as f:
        write_bptree(f, items, 2, max(len(k) for k, _ in items), 4, "<")
    out = tmp_path / "b.fa"
    assert tool("twoBitToFa", f"-bpt={bpt}", f"{sample}:chr2", out) == 0
    assert out.read_text() == ">chr2\nTTTTaaaa\n"
    assert tool("twoBitToFa", f"-bpt={bpt}", f"{sample}:chrQ", out) == 255
    assert "chrQ is not in" in capsys.readouterr().err


# --- twoBitInfo ----------------------------------------------------------------------------


def test_two_bit_info_flags(sample, tmp_path):
    out = tmp_path / "i.txt"
    with TwoBitFile(sample) as tb:
        assert tool("twoBitInfo", "-nBed", sample, out) == 0
        assert out.read_text() == "".join(f"{n}\t{s}\t{e}\n" for n in tb for s, e in tb.n_blocks(n))
        assert tool("twoBitInfo", "-maskBed", f"{sample}:chr2,chr1", out) == 0
        assert out.read_text() == "".join(f"{n}\t{s}\t{e}\n" for n in ("chr2", "chr1") for s, e in tb.mask_blocks(n))
        assert tool("twoBitInfo", "-noNs", sample, out) == 0
        assert out.read_text() == "chr1\t80\nchr2\t8\nchr3\t7\n"
    missing = tmp_path / "missing.txt"
    assert tool("twoBitInfo", f"{sample}:chr1,chrX", missing) == 255
    assert not missing.exists()


def test_two_bit_info_streams_huge_block_tables(tmp_path):
    """-maskBed / -nBed on a million blocks: the lines are formatted from the file's tables
    a piece at a time; the Python heap never holds an object per block."""
    import tracemalloc

    count = 1_000_000
    path = tmp_path / "many.2bit"
    write_twobit([("chrA", b"aC" * count), ("chrB", b"NA" * count)], path)
    for flag, name, first in (("-maskBed", "chrA", 0), ("-nBed", "chrB", 0)):
        out = tmp_path / f"{flag}.bed"
        tracemalloc.start()
        try:
            assert tool("twoBitInfo", flag, path, out) == 0
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 30e6, peak  # a list of a million (start, end) tuples alone is ~100 MB
        starts = np.arange(first, 2 * count, 2)
        lines = np.char.add(np.char.add(f"{name}\t", starts.astype(str)), np.char.add("\t", (starts + 1).astype(str)))
        assert out.read_bytes() == ("\n".join(lines.tolist()) + "\n").encode()


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(
    "tool_name,args,label",
    [
        ("twoBitToFa", ["{two_bit}", "{out}"], "twoBitToFa: "),
        ("twoBitToFa", ["{two_bit}:chr1:10-5000", "{out}"], "twoBitToFa: "),
        ("twoBitToFa", ["-bed={bed}", "{two_bit}", "{out}"], "twoBitToFa: "),
        ("twoBitInfo", ["-maskBed", "{two_bit}", "{out}"], "twoBitInfo: "),
        ("twoBitInfo", ["-nBed", "{two_bit}", "{out}"], "twoBitInfo: "),
        ("faToTwoBit", ["{fasta}", "{out}"], "faToTwoBit: "),
        ("faToTwoBit", ["{fasta_gz}", "{out}"], "faToTwoBit: "),
        ("faToNib", ["{one_fa}", "{out}"], "faToNib: "),
    ],
)
def test_long_jobs_show_progress_on_a_terminal_unless_quiet(tool_name, args, label, tmp_path, monkeypatch):
    import gzip

    fasta = tmp_path / "g.fa"
    fasta.write_bytes(b"".join(format_fasta(f"chr{i}", "ACGTacgtNN" * 1000) for i in range(1, 4)))
    fasta_gz = tmp_path / "g.fa.gz"
    fasta_gz.write_bytes(gzip.compress(fasta.read_bytes()))
    two_bit = tmp_path / "g.2bit"
    write_twobit(fasta, two_bit)
    bed = tmp_path / "g.bed"
    bed.write_text("chr1\t0\t100\tx\nchr2\t5\t50\ty\n")
    paths = dict(fasta=fasta, fasta_gz=fasta_gz, two_bit=two_bit, bed=bed, one_fa=KENT_SEQ / "one.fa",
                 out=tmp_path / "out")
    argv = [a.format(**paths) for a in args]
    monkeypatch.delenv("TRACKPACK_QUIET", raising=False)
    for quiet in (False, True):
        stream = Terminal()
        monkeypatch.setattr(sys, "stderr", stream)
        assert run(tool_name, argv + (["-q"] if quiet else [])) == 0
        shown = stream.getvalue()
        if quiet:
            assert shown == ""
        else:
            assert label in shown and shown.endswith("\n"), shown
            if tool_name == "faToTwoBit" and "gz" not in argv[0]:
                assert "100.0%" in shown
            if tool_name == "faToTwoBit" and "gz" in argv[0]:
                assert "%" not in shown  # the text size of gzip input is not known up front


def test_two_bit_tools_write_to_stdout(sample, capfdbinary):
    with TwoBitFile(sample) as tb:
        expected_fa = b"".join(format_fasta(name, tb.fetch(name)) for name in tb)
        expected_info = "".join(f"{name}\t{size}\n" for name, size in tb.sizes.items()).encode()
    assert tool("twoBitToFa", sample, "stdout") == 0
    assert capfdbinary.readouterr().out == expected_fa
    assert tool("twoBitInfo", sample, "stdout") == 0
    assert capfdbinary.readouterr().out == expected_info


def test_two_bit_info_matches_oracles_on_the_corpus(tmp_path):
    rows = [r for r in common.manifest() if r["format"] == "2bit"]
    checked = 0
    for row in rows:
        oracle = common.corpus_dir() / "_kent_oracle" / (row["path"] + ".twoBitInfo.txt")
        if not oracle.exists():
            continue
        out = tmp_path / "info.txt"
        assert tool("twoBitInfo", common.corpus(row["path"]), out) == 0
        assert out.read_bytes() == oracle.read_bytes(), row["path"]
        checked += 1
    if not checked:
        common.unavailable("no twoBitInfo oracle outputs in the corpus")


# --- faToNib, nibFrag ----------------------------------------------------------------------


def test_fa_to_nib_and_nib_frag_on_the_corpus(tmp_path, capsys):
    rows = [r for r in common.manifest() if r["format"] == "nib" and r["byteorder"] == "little"]
    if not rows:
        common.unavailable("no little-endian .nib in the corpus")
    for row in rows:
        out = tmp_path / "o.nib"
        assert tool("faToNib", "-softMask", common.corpus(row["companions"]), out) == 0
        common.assert_same_bytes(out.read_bytes(), common.corpus(row["path"]).read_bytes(), row["path"])
        size = NibFile(out).size
        assert capsys.readouterr().out == f"Writing {size} bases in {8 + (size + 1) // 2} bytes\n"
    for row in [r for r in common.manifest() if r["format"] == "nib"]:
        frag = tmp_path / "f.fa"
        nib = common.corpus(row["path"])
        size = NibFile(nib).size
        assert tool("nibFrag", "-masked", nib, 0, size, "+", frag) == 0
        oracle = common.corpus("_kent_oracle/" + row["path"] + ".nibFrag.fa").read_bytes()
        # kent names the fragment after the path it was given
        assert frag.read_bytes() == oracle.replace(row["path"].encode(), str(nib).encode(), 1)


def test_nib_frag_modes(tmp_path, capsys):
    nib = tmp_path / "x.nib"
    write_nib([("x", "ACGTacgtNNnnAC")], nib)
    out = tmp_path / "f.fa"

    def frag(*args):
        assert tool("nibFrag", *args) == 0, capsys.readouterr().err
        return out.read_text()

    assert frag(nib, 0, 14, "+", out) == f">{nib}:0-14\nacgtacgtnnnnac\n"
    assert frag("-masked", nib, 2, 10, "m", out) == f">{nib}:2-10\nNNacgtAC\n"
    assert frag("-hardMasked", nib, 0, 14, "+", out) == f">{nib}:0-14\nACGTNNNNNNNNAC\n"
    assert frag("-upper", nib, 0, 4, "-", out) == f">{nib}:0-4\nACGT\n"
    assert frag("-name=foo", nib, 0, 2, "+", out) == ">foo\nac\n"
    assert frag("-dbHeader=hg1", nib, 1, 3, "m", out) == f">{nib}:1-3:hg1.x:1-3:-:14\ncg\n"
    assert frag("-tbaHeader=tb", nib, 1, 3, "+", out) == ">tb.x:1-3 of 14\ncg\n"
    for args in ([nib, 3, 3, "+", out], [nib, 0, 3, "x", out], [nib, "a", 3, "+", out], [nib, 0, 3, "+"],
                 [nib, "\u00b2", 3, "+", out], [nib, 0, "", "+", out],
                 ["-masked", "-hardMasked", nib, 0, 3, "+", out]):
        assert tool("nibFrag", *args) == 255
        assert "nibFrag [options] file.nib start end strand out.fa" in capsys.readouterr().err
    assert tool("nibFrag", nib, 0, 15, "+", tmp_path / "g.fa") == 255
    assert "nib read past end of file (15 14)" in capsys.readouterr().err
    assert not (tmp_path / "g.fa").exists()


def test_fa_to_nib_errors(tmp_path, capsys):
    fa = tmp_path / "two.fa"
    fa.write_bytes(b">a\nAC\n>b\nGT\n")
    out = tmp_path / "two.nib"
    assert tool("faToNib", fa, out) == 255
    assert "single sequence" in capsys.readouterr().err
    assert not out.exists()
    assert tool("faToNib", fa) == 255
    assert "faToNib [options] in.fa out.nib" in capsys.readouterr().err
