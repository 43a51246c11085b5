"""``trackpack bedToBigBed``: kent's own bedToBigBed test cases (kent-core CASES.md).

bigBedToBed's output is rendered from the plain decoder of test_bigbed_writer (chromosomes
in name order, items in file order, as kent's bigBedToBed prints them).
"""
import io
import subprocess
import sys

import pytest

import common
from common import corpus
from test_bigbed_writer import Decoded
from trackpack.cli import main

TESTS = "ucscGenomeBrowser+kent-core/src/utils/bedToBigBed/tests"


def inp(name):
    return str(corpus(f"{TESTS}/input/{name}"))


def expected(name):
    return corpus(f"{TESTS}/expected/{name}").read_text()


def big_bed_to_bed(path):
    d = Decoded(path)
    lines = []
    for chrom in sorted(d.chroms, key=str.encode):
        for c, s, e, rest in d.items:
            if c == chrom:
                lines.append(f"{c}\t{s}\t{e}" + (f"\t{rest}" if rest else "") + "\n")
    return "".join(lines)


def run(capsys, *argv):
    status = main(["bedToBigBed", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.err


@pytest.mark.parametrize("source", ["itemRgb.bed", "itemRgb.bed.gz"])
def test_rgb_and_compressed_input(tmp_path, capsys, source):
    out = tmp_path / "itemRgb.bb"
    assert run(capsys, "-type=bed9", f"-as={inp('itemRgb.as')}", inp(source), inp("chrom.sizes"), out) == (0, "")
    assert big_bed_to_bed(out) == open(inp("itemRgb.bed")).read()


def test_odd_sorted_with_name_index(tmp_path, capsys):
    out = tmp_path / "oddSorted.bb"
    gencode_as = corpus("ucscGenomeBrowser+kent-core/src/hg/lib/gencodeBGP.as")
    status, err = run(capsys, "-extraIndex=name", "-type=bed12+16", "-tab", f"-as={gencode_as}",
                      inp("oddSorted.bed"), inp("hg38.chrom.sizes"), out)
    # chromosomes come in an odd order (chrX first), each one's items together: current
    # kent accepts that, and so do we; ids follow the input, the B+ tree is in name order
    assert (status, err) == (0, "")
    lines = open(inp("oddSorted.bed")).read().splitlines(keepends=True)
    check = sorted(lines, key=lambda l: (l.split("\t")[0].encode(), int(l.split("\t")[1])))  # LC_ALL=C sort -k1,1 -k2,2n
    got = big_bed_to_bed(out)
    assert got == "".join(check)
    d = Decoded(out)
    by_block = {(leaf[4], leaf[5]): recs for leaf, recs in d.blocks}
    found = []
    for name in [l.split("\t")[3] for l in lines]:  # bigBedNamedItems -nameFile
        for value in d.search(0, name):
            offset, size = __import__("struct").unpack(d.order + "QQ", value)
            found += [f"{c}\t{s}\t{e}\t{r}\n" for c, s, e, r in by_block[(offset, size)] if r.split("\t")[0] == name]
    assert sorted(set(found), key=lambda l: (l.split("\t")[0].encode(), int(l.split("\t")[1]))) == check


def test_sort_not_sorted(tmp_path, capsys):
    out = tmp_path / "notSorted.bb"
    assert run(capsys, "-tab", "-type=bed9+3", "-sort", inp("notSorted.bed"), inp("notSorted.chrom.sizes"), out) == (0, "")
    assert big_bed_to_bed(out) == expected("notSorted.bed")


def test_not_sorted_is_an_error_naming_line_4(capsys):
    status, err = run(capsys, "-type=bed12", inp("notSorted.bed"), inp("notSorted.chrom.sizes"), "/dev/null")
    assert status == 255
    # kent: "... Found sequence named mitochondria not in single block on line 4. ..."
    assert "notSorted.bed:4:" in err and "mitochondria" in err
    assert "not in single block" in expected("notSorted.err") and "line 4" in expected("notSorted.err")


def test_multiple_insertions_at_chromosome_end(tmp_path, capsys):
    out = tmp_path / "multiInsAtEnd.bb"
    assert run(capsys, inp("multiInsAtEnd.bed"), inp("chrom.sizes"), out) == (0, "")
    # kent compares with diff -w (the input is space separated)
    assert big_bed_to_bed(out).split() == open(inp("multiInsAtEnd.bed")).read().split()


@pytest.mark.parametrize(
    "bed,args",
    [
        ("reservedBed12.bed", []),
        ("reservedBed12.bed", ["-type=bed12"]),
        ("reservedBed12.bed", ["-type=bed9+", "-as=reservedBed12.as"]),
        ("reservedBed12.bed", ["-type=bed9+", "-as=itemRgbBed12.as"]),
        ("itemRgbBed12.bed", []),
        ("itemRgbBed12.bed", ["-type=bed12"]),
        ("itemRgbBed12.bed", ["-type=bed12", "-as=reservedBed12.as"]),
        ("itemRgbBed12.bed", ["-type=bed12", "-as=itemRgbBed12.as"]),
    ],
)
def test_items_rgb(tmp_path, capsys, bed, args):
    args = [a if not a.startswith("-as=") else f"-as={inp(a[4:])}" for a in args]
    out = tmp_path / "out.bb"
    assert run(capsys, *args, inp(bed), inp("chrom.sizes"), out) == (0, "")
    assert big_bed_to_bed(out) == open(inp(bed)).read()
    d = Decoded(out)
    assert (d.header.field_count, d.header.defined_field_count) == (12, 9 if "-type=bed9+" in args else 12)


def test_tab_separated(tmp_path, capsys):
    out = tmp_path / "tabSep.bb"
    assert run(capsys, "-tab", "-type=bed4", f"-as={inp('tabSep.as')}", inp("tabSep.bed"), inp("chrom.sizes"), out) == (0, "")
    assert big_bed_to_bed(out) == open(inp("tabSep.bed")).read()


@pytest.mark.parametrize("name", ["stdin", "/dev/stdin", "-"])
def test_standard_input_is_accepted(tmp_path, name):
    # kent refuses pipes here (testStdin/testDevStdin: "must be a regular file"); one pass
    # over the input lets trackpack take them
    assert "must be a regular file" in expected("testStdin.err")
    out = tmp_path / "stdin.bb"
    with open(inp("itemRgb.bed"), "rb") as f:
        proc = subprocess.run(
            [sys.executable, "-m", "trackpack", "bedToBigBed", "-type=bed9", f"-as={inp('itemRgb.as')}", name,
             inp("chrom.sizes"), str(out)],
            stdin=f, capture_output=True, text=True,
        )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert big_bed_to_bed(out) == open(inp("itemRgb.bed")).read()


def test_fix_scores(tmp_path, capsys):
    out = tmp_path / "fixScores.bb"
    assert run(capsys, "-fixScores", "-verbose=0", "-type=bed9", f"-as={inp('itemRgb.as')}", inp("badScores.bed"),
               inp("chrom.sizes"), out) == (0, "")
    assert big_bed_to_bed(out) == expected("fixScores.bed")
    status, err = run(capsys, "-type=bed9", f"-as={inp('itemRgb.as')}", inp("badScores.bed"), inp("chrom.sizes"),
                      tmp_path / "no.bb")
    assert status == 255 and "badScores.bed:1: score 1001" in err
    assert not (tmp_path / "no.bb").exists()


def test_bad_chrom(tmp_path, capsys):
    out = tmp_path / "noFile.bb"
    status, err = run(capsys, inp("colored.genbank.bed"), inp("human.chrom.sizes.txt"), out, "-tab", "-type=bed12+13",
                      f"-as={inp('bigGenePred.as')}")
    assert status == 255
    assert "CM000663.2 is not" in err and "colored.genbank.bed:1:" in err  # kent: "CM000663.2 is not found in ..."
    assert "CM000663.2" in expected("testBadChrom1.err")
    assert not out.exists()


def test_sizes_from_2bit(tmp_path, capsys):
    try:
        from trackpack.twobit import write_twobit
    except ImportError as err:
        common.unavailable(f"trackpack.twobit is not available yet ({err})")
    two_bit = tmp_path / "fakeGenome.2bit"
    write_twobit(inp("fakeGenome.fa"), two_bit)
    status, err = run(capsys, "-tab", "-type=bed4", f"-as={inp('tabSep.as')}", "-sizesIs2Bit", inp("tabSep.bed"),
                      two_bit, tmp_path / "tabSep.bb")
    assert status == 255 and "chrX is not" in err  # expected/test2bitMissingSeq.err
    (tmp_path / "dna.bed").write_text("dna1\t0\t15\tx\ndna2\t3\t4\ty\n")
    assert run(capsys, "-type=bed4", "-sizesIs2Bit", tmp_path / "dna.bed", two_bit, tmp_path / "dna.bb") == (0, "")
    assert Decoded(tmp_path / "dna.bb").chroms == {"dna1": 15, "dna2": 15}


def test_chrom_alias_bigbed(tmp_path, capsys):
    try:
        from trackpack.bbi.reader import BigBedFile  # noqa: F401
    except ImportError as err:
        common.unavailable(f"trackpack's bigBed reader is not available yet ({err})")
    alias = tmp_path / "human.chromAlias.bb"
    assert run(capsys, inp("human.chromAlias.bed"), inp("human.chrom.sizes.txt"), alias, "-tab", "-type=bed3+4",
               f"-as={inp('chromAliasIndex.as')}", "-extraIndex=genbank,ensembl,ncbi,ucsc") == (0, "")
    out = tmp_path / "colored.genbank.bb"
    assert run(capsys, inp("colored.genbank.bed"), alias, out, "-sizesIsChromAliasBb", "-tab", "-type=bed12+13",
               f"-as={inp('bigGenePred.as')}") == (0, "")
    assert big_bed_to_bed(out) == open(inp("colored.genbank.bed")).read()
    status, err = run(capsys, inp("mixed.bed"), alias, tmp_path / "noFile.bb", "-sizesIsChromAliasBb", "-tab",
                      "-type=bed12+13", f"-as={inp('bigGenePred.as')}")
    assert status == 255 and "mixed.bed:3:" in err and "line 1" in err  # expected/mixed.err
    assert "line 3" in expected("mixed.err")


def test_usage_and_option_errors(tmp_path, capsys):
    status, err = run(capsys)
    assert status == 255 and "bedToBigBed in.bed chrom.sizes out.bb" in err and "-extraIndex" in err
    status, err = run(capsys, f"-as={inp('itemRgb.as')}", inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "x.bb")
    assert status == 255 and "-type" in err
    status, err = run(capsys, "-type=bed16", inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "x.bb")
    assert status == 255 and "between 3 and 15" in err
    status, err = run(capsys, "-nope", inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "x.bb")
    assert status == 255 and "-nope is not a valid option" in err
    # accepted for compatibility
    assert run(capsys, "-udcDir=/tmp", "-maxAlloc=100000", "-type=bed9", "-q", inp("itemRgb.bed"), inp("chrom.sizes"),
               tmp_path / "x.bb")[0] == 0


def test_same_bytes_as_api(tmp_path, capsys):
    from trackpack import write_bigbed

    out = tmp_path / "cli.bb"
    assert run(capsys, "-unc", "-blockSize=8", "-itemsPerSlot=3", "-extraIndex=name", inp("itemRgb.bed"),
               inp("chrom.sizes"), out) == (0, "")
    write_bigbed(inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "api.bb", compress=False, block_size=8,
                 items_per_slot=3, extra_index="name")
    assert out.read_bytes() == (tmp_path / "api.bb").read_bytes()


def test_allow_1bp_overlap(tmp_path, capsys):
    bed = tmp_path / "exons.bed"
    bed.write_text("chr1\t10\t20\tn\t0\t+\t10\t20\t0\t2\t6,5,\t0,5,\n")  # exons overlap by one base
    sizes = tmp_path / "chrom.sizes"
    sizes.write_text("chr1\t100\n")
    status, err = run(capsys, "-type=bed12", bed, sizes, tmp_path / "no.bb")
    assert status == 255 and "exons.bed:1: blocks 1 and 2 overlap" in err
    assert run(capsys, "-type=bed12", "-allow1bpOverlap", bed, sizes, tmp_path / "yes.bb") == (0, "")
    assert big_bed_to_bed(tmp_path / "yes.bb") == bed.read_text()


def test_progress_on_a_terminal_unless_quiet(tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("TRACKPACK_QUIET", raising=False)
    for quiet, shown in ((False, True), (True, False)):
        stream = Terminal()
        monkeypatch.setattr(sys, "stderr", stream)
        argv = ["bedToBigBed", "-type=bed9", inp("itemRgb.bed"), inp("chrom.sizes"), str(tmp_path / "x.bb")]
        assert main(argv + (["-q"] if quiet else [])) == 0
        assert ("bedToBigBed, reading: " in stream.getvalue()) == shown


def test_as_file_with_parentheses_in_its_name(tmp_path, capsys):
    odd = tmp_path / "item(rgb).as"
    odd.write_bytes(open(inp("itemRgb.as"), "rb").read())
    out = tmp_path / "out.bb"
    assert run(capsys, "-type=bed9", f"-as={odd}", inp("itemRgb.bed"), inp("chrom.sizes"), out) == (0, "")
    assert Decoded(out).autosql == odd.read_text()


# --- outputs that cannot be written: one clear line, before any work -----------------------------


def test_output_in_a_missing_directory(tmp_path, capsys, monkeypatch):
    import trackpack.bbi.writer as writer

    read = []
    monkeypatch.setattr(writer._Pass, "feed", lambda self, *a, **k: read.append(1) or 0)
    out = tmp_path / "nodir" / "o.bb"
    status, err = run(capsys, inp("itemRgb.bed"), inp("chrom.sizes"), out)
    assert status == 255 and err == f"Error: cannot open {out}: No such file or directory\n"
    assert read == []  # refused before reading the input
    assert not (tmp_path / "nodir").exists()


def test_output_is_a_directory(tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    status, err = run(capsys, inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "adir")
    assert status == 255 and err == f"Error: {tmp_path / 'adir'}: Is a directory\n"
    assert list((tmp_path / "adir").iterdir()) == []


def test_output_in_a_read_only_directory(tmp_path, capsys, monkeypatch):
    import errno
    import os
    import tempfile

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.access(ro, os.W_OK):  # root writes anyway: have the OS refusal happen as it would
        real = tempfile.mkstemp

        def refusing(*args, dir=None, **kw):
            if dir is not None and os.path.samefile(dir, ro):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.path.join(dir, "x"))
            return real(*args, dir=dir, **kw)

        monkeypatch.setattr(tempfile, "mkstemp", refusing)
    try:
        status, err = run(capsys, inp("itemRgb.bed"), inp("chrom.sizes"), ro / "o.bb")
    finally:
        ro.chmod(0o755)
    assert status == 255 and err == f"Error: {ro / 'o.bb'}: Permission denied\n"
    assert list(ro.iterdir()) == []


# --- binary files where text is expected -----------------------------------------------------------


def test_2bit_given_as_chrom_sizes(tmp_path, capsys):
    two_bit = tmp_path / "genome.2bit"
    # a .2bit header (signature, version, 1 sequence) and an index whose bytes are not text
    two_bit.write_bytes(bytes.fromhex("4327411a000000000100000000000000")
                        + b"\x0bchr3_random\xad,\x00\x00C'A \x01\x02\x03\x04\n")
    status, err = run(capsys, inp("itemRgb.bed"), two_bit, tmp_path / "o.bb")
    assert status == 255
    assert err == (f"Error: {two_bit}: looks like a .2bit file, not a chrom.sizes text: use -sizesIs2Bit "
                   "(in Python: sizes_is_2bit=True)\n")
    assert not (tmp_path / "o.bb").exists()


def test_bigbed_given_as_chrom_sizes_or_as_bed(tmp_path, capsys):
    bb = tmp_path / "x.bb"
    assert run(capsys, "-type=bed9", inp("itemRgb.bed"), inp("chrom.sizes"), bb) == (0, "")
    status, err = run(capsys, inp("itemRgb.bed"), bb, tmp_path / "o.bb")
    assert status == 255 and err.startswith(f"Error: {bb}: looks like a bigBed file, not a chrom.sizes text:")
    assert "-sizesIsChromAliasBb" in err and "-sizesIsBb" in err
    status, err = run(capsys, bb, inp("chrom.sizes"), tmp_path / "o.bb")
    assert (status, err) == (255, f"Error: {bb}: looks like a bigBed file, not BED text\n")
    status, err = run(capsys, "-type=bed3", bb, inp("chrom.sizes"), tmp_path / "o.bb")
    assert (status, err) == (255, f"Error: {bb}: looks like a bigBed file, not BED text\n")


def test_text_given_to_the_binary_sizes_options(capsys, tmp_path):
    status, err = run(capsys, "-sizesIs2Bit", inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "o.bb")
    assert status == 255 and "is text, not a .2bit file: for a chrom.sizes text leave out -sizesIs2Bit" in err
    status, err = run(capsys, "-sizesIsBb", inp("itemRgb.bed"), inp("chrom.sizes"), tmp_path / "o.bb")
    assert status == 255 and "is text, not a bigBed file: for a chrom.sizes text leave out -sizesIsChromAliasBb" in err


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_is_never_echoed(tmp_path, capsys, seed):
    import random

    rng = random.Random(seed)
    junk = tmp_path / "junk"
    junk.write_bytes(bytes(rng.randrange(256) for _ in range(rng.choice([40, 3000]))))
    for argv in ([inp("itemRgb.bed"), junk, tmp_path / "o.bb"], [junk, inp("chrom.sizes"), tmp_path / "o.bb"],
                 ["-type=bed3", junk, inp("chrom.sizes"), tmp_path / "o.bb"]):
        status, err = run(capsys, *argv)
        assert status == 255 and err.count("\n") == 1
        assert err.isprintable() or err[:-1].isprintable(), repr(err)
