"""`trackpack bigBedToBed | bigBedInfo | bigBedSummary | bigBedNamedItems`: kent's output bytes.

Compared with kent's own output for every bigBed of the corpus (_kent_oracle), with kent's
library (pybbi) for summaries, and with kent's documented behaviour for the options.
"""
from __future__ import annotations

import gzip
import io
import math
import re

import pytest

import common
from trackpack import BigBedFile
from trackpack.cli import run

CHR22 = "GMOD+bbi-js/test/data/chr22.bb"
INDEXED = "GMOD+bbi-js/test/data/chr22_with_name_and_geneName_index.bb"
TEST_MASK = "ucscGenomeBrowser+kent-core/src/hg/utils/twoBitMask/tests/input/testMask1.bb"
TAB_SEP = "_generated_with_kentUtils_bin/tabSep.bb"


def tool(name: str, *args) -> int:
    return run(name, [str(a) for a in args])


def _bigbeds():
    return [r["path"] for r in common.manifest() if r["format"] == "bigBed"] or ["<corpus missing>"]


def oracle(rel: str, suffix: str):
    base = common.corpus_dir() / "_kent_oracle" / (rel + suffix)
    if base.exists():
        return base.read_bytes()
    gz = base.with_name(base.name + ".gz")
    if gz.exists():
        return gzip.decompress(gz.read_bytes())
    return None


def run_stdout(capfdbinary, name, *args) -> bytes:
    capfdbinary.readouterr()
    assert tool(name, *args) == 0
    return capfdbinary.readouterr().out


# -- bigBedInfo ---------------------------------------------------------------------------


@pytest.mark.parametrize("rel", _bigbeds())
def test_big_bed_info_all_sections_equal_kent(rel, capfdbinary):
    expected = oracle(rel, ".bigBedInfo.txt")
    if expected is None:
        pytest.skip(f"no kent oracle for {rel}")
    got = run_stdout(capfdbinary, "bigBedInfo", common.corpus(rel), "-chroms", "-zooms", "-as", "-extraIndex")
    common.assert_same_bytes(got, expected, f"bigBedInfo {rel}")


def _without_options(text: str) -> str:
    """kent's bigBedInfo output without -chroms -zooms -as -extraIndex."""
    out = []
    in_as = False
    for line in text.splitlines(keepends=True):
        if line.startswith("as:"):
            in_as = True
        elif line.startswith("basesCovered:"):
            in_as = False
        if in_as or line.startswith(("\t", "    ")):
            continue
        out.append(line)
    return "".join(out)


@pytest.mark.parametrize("rel", [CHR22, INDEXED, TEST_MASK, "_generated_with_kentUtils_bin/empty.bed3.bb"])
def test_big_bed_info_plain(rel, capfdbinary):
    expected = _without_options(oracle(rel, ".bigBedInfo.txt").decode())
    got = run_stdout(capfdbinary, "bigBedInfo", common.corpus(rel)).decode()
    assert got == expected


# -- bigBedToBed ---------------------------------------------------------------------------


@pytest.mark.parametrize("rel", _bigbeds())
def test_big_bed_to_bed_equals_kent(rel, tmp_path):
    expected = oracle(rel, ".bigBedToBed.bed")
    if expected is None:
        pytest.skip(f"no kent oracle for {rel}")
    out = tmp_path / "out.bed"
    assert tool("bigBedToBed", common.corpus(rel), out) == 0
    got = out.read_bytes()
    # kentUtils 2018 misses zero-length items at base 0; current kent's rule has them
    lines = got.splitlines(keepends=True)
    kept = b"".join(line for line in lines if line.rstrip(b"\n").split(b"\t")[1:3] != [b"0", b"0"])
    assert kept == got or rel in (TEST_MASK, "biopython+biopython/Tests/Blat/bigbedtest.psl.bb")
    common.assert_same_bytes(kept, expected, f"bigBedToBed {rel}")


def test_big_bed_to_bed_keeps_the_insertion_at_zero(tmp_path):
    out = tmp_path / "o.bed"
    assert tool("bigBedToBed", common.corpus(TEST_MASK), out, "-chrom=noLower") == 0
    assert out.read_bytes() == b"noLower\t0\t0\n"


def test_big_bed_to_bed_region_options(tmp_path):
    path = common.corpus(CHR22)
    with BigBedFile(path) as bb:
        records = bb.query("chr22", 20_000_000, 21_000_000)
    out = tmp_path / "o.bed"
    assert tool("bigBedToBed", path, out, "-chrom=chr22", "-start=20000000", "-end=21000000") == 0
    lines = out.read_bytes().decode().splitlines()
    assert lines == ["\t".join(map(str, r)) for r in records]
    assert tool("bigBedToBed", path, out, "-chrom=chr22", "-start=20000000", "-end=21000000", "-maxItems=3") == 0
    assert out.read_bytes().decode().splitlines() == lines[:3]
    # -end past the chromosome is clipped to it, as current kent does
    assert tool("bigBedToBed", path, out, "-start=51000000", "-end=99999999999") == 0
    assert len(out.read_bytes().decode().splitlines()) == len(BigBedFile(path).query("chr22", 51000000, 51304566))


def test_big_bed_to_bed_bed_regions_are_sorted_and_checked(tmp_path):
    path = common.corpus(CHR22)
    regions = tmp_path / "regions.bed"
    regions.write_text("# comment\nchr22\t30000000\t30100000\tsecond\n\nchr22 20000000 20100000\nchr22\t30000000\t30100000\n")
    out = tmp_path / "o.bed"
    assert tool("bigBedToBed", path, out, f"-bed={regions}") == 0
    with BigBedFile(path) as bb:
        first = bb.query("chr22", 20_000_000, 20_100_000)
        second = bb.query("chr22", 30_000_000, 30_100_000)
    expected = "".join(f"{c}\t{s}\t{e}\t{r}\n" for c, s, e, r in first + second + second)
    assert out.read_text() == expected
    regions.write_text("chrNope\t1\t2\n")
    out.unlink()
    assert tool("bigBedToBed", path, out, f"-bed={regions}") == 255
    assert not out.exists()  # a failed run leaves no output
    assert tool("bigBedToBed", path, out, f"-bed={regions}", "-skipChromCheck") == 0
    assert out.read_bytes() == b""


def test_big_bed_to_bed_positions_and_ranges(tmp_path):
    path = common.corpus(CHR22)
    with BigBedFile(path) as bb:
        expected = bb.query("chr22", 20_000_000, 20_100_000)
    text = "".join(f"{c}\t{s}\t{e}\t{r}\n" for c, s, e, r in expected)
    out = tmp_path / "o.bed"
    positions = tmp_path / "p.txt"
    positions.write_text("chr22:20000001-20100000\n")
    assert tool("bigBedToBed", path, out, f"-positions={positions}") == 0
    assert out.read_text() == text
    assert tool("bigBedToBed", path, out, "-range=chr22 20000000 20100000") == 0
    assert out.read_text() == text
    assert tool("bigBedToBed", path, out, "-range=chr22:20000001-20100000") == 0
    assert out.read_text() == text


def test_big_bed_to_bed_headers(tmp_path):
    out = tmp_path / "o.bed"
    path = common.corpus(TAB_SEP)
    assert tool("bigBedToBed", path, out, "-header") == 0
    with BigBedFile(path) as bb:
        names = bb.field_names
    first = out.read_text().splitlines()[0]
    assert first == "#" + "\t".join(names)
    assert tool("bigBedToBed", path, out, "-tsv") == 0
    assert out.read_text().splitlines()[0] == "\t".join(names)


@pytest.mark.parametrize(
    "args, message",
    [
        (["-header", "-tsv"], "can't specify both -header and -tsv"),
        (["-bed=x.bed", "-chrom=chr1"], "can not be used with -chrom"),
        (["-bed=x.bed", "-positions=p"], "can not be used together"),
        (["-chrom=chrNope"], "specified chrom chrNope not found"),
        (["-start=10", "-end=5"], "invalid range, start=10 > end=5"),
    ],
)
def test_big_bed_to_bed_errors(args, message, tmp_path, capsys):
    out = tmp_path / "o.bed"
    assert tool("bigBedToBed", common.corpus(CHR22), out, *args) == 255
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_usage_without_arguments(capsys):
    assert tool("bigBedToBed") == 255
    assert "bigBedToBed input.bb output.bed" in capsys.readouterr().err


def test_big_bed_to_bed_to_stdout(capfdbinary):
    got = run_stdout(capfdbinary, "bigBedToBed", common.corpus(TAB_SEP), "stdout")
    assert got == oracle(TAB_SEP, ".bigBedToBed.bed")


# -- bigBedSummary ----------------------------------------------------------------------------


def _kent_format(values):
    return "\t".join("n/a" if math.isnan(v) else "%g" % v for v in values) + "\n"


@pytest.mark.parametrize("kind", ["coverage", "mean", "min", "max", "std"])
def test_big_bed_summary_prints_kents_numbers(kind, capfdbinary):
    """Numbers from kent's own library (pybbi), through zoom levels and through items."""
    bbi = common.require_module("bbi")
    np = common.require_module("numpy")
    path = common.corpus(CHR22)
    for start, end, points in [(16_000_000, 50_000_000, 10), (20_000_000, 20_050_000, 7), (0, 51_304_566, 1)]:
        with bbi.open(str(path)) as kent:
            values = kent.fetch("chr22", start, end, bins=points, summary="cov" if kind == "coverage" else kind, missing=np.nan)
        got = run_stdout(capfdbinary, "bigBedSummary", f"-type={kind}", path, "chr22", start, end, points)
        assert got.decode() == _kent_format(values.tolist())


def test_big_bed_summary_default_is_coverage_and_exact_flag(capfdbinary):
    path = common.corpus(CHR22)
    default = run_stdout(capfdbinary, "bigBedSummary", path, "chr22", 20_000_000, 20_050_000, 5)
    coverage = run_stdout(capfdbinary, "bigBedSummary", "-type=coverage", path, "chr22", 20_000_000, 20_050_000, 5)
    assert default == coverage
    exact = run_stdout(capfdbinary, "bigBedSummary", "-exact", "-type=max", path, "chr22", 20_000_000, 20_050_000, 5)
    with BigBedFile(path) as bb:
        expected = bb.summary("chr22", 20_000_000, 20_050_000, 5, "max", exact=True)
    assert exact.decode() == _kent_format(expected)


def test_big_bed_summary_no_data_and_errors(capsys):
    path = common.corpus(CHR22)
    assert tool("bigBedSummary", path, "chr22", 0, 1000, 3) == 255
    assert "no data in region chr22:0-1000" in capsys.readouterr().err
    assert tool("bigBedSummary", path, "chrNope", 0, 1000, 3) == 255
    assert "no data in region chrNope:0-1000" in capsys.readouterr().err
    assert tool("bigBedSummary", "-type=median", path, "chr22", 0, 1000, 3) == 255
    assert "Unknown bbiSummaryType median" in capsys.readouterr().err
    assert tool("bigBedSummary", path, "chr22", 0) == 255
    assert "bigBedSummary file.bb chrom start end dataPoints" in capsys.readouterr().err


def test_big_bed_summary_fields(capfdbinary):
    got = run_stdout(capfdbinary, "bigBedSummary", "-fields", common.corpus(INDEXED)).decode()
    lines = got.splitlines()
    assert lines[0] == "12 bed definition fields, 17 total fields"
    assert lines[1] == "\tchrom\tReference sequence chromosome or scaffold"
    assert len(lines) == 18


# -- bigBedNamedItems -------------------------------------------------------------------------


def test_big_bed_named_items(tmp_path):
    path = common.corpus(INDEXED)
    out = tmp_path / "o.bed"
    assert tool("bigBedNamedItems", path, "ENST00000215754.7", out) == 0
    with BigBedFile(path) as bb:
        expected = [r for r in bb if r[3].split("\t")[0] == "ENST00000215754.7"]
        genes = [r for r in bb if r[3].split("\t")[10] in ("MIF", "GSTT2")]
    assert out.read_text() == "".join(f"{c}\t{s}\t{e}\t{r}\n" for c, s, e, r in expected)
    names = tmp_path / "names.txt"
    names.write_text("MIF\n  GSTT2 nothing\n")
    assert tool("bigBedNamedItems", path, names, out, "-nameFile", "-field=geneName", "-header") == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("#chrom\tchromStart\tchromEnd\tname")
    assert sorted(lines[1:]) == sorted("\t".join(map(str, r)) for r in genes)


def test_big_bed_named_items_errors(tmp_path, capsys):
    out = tmp_path / "o.bed"
    assert tool("bigBedNamedItems", common.corpus(INDEXED), "x", out, "-field=score") == 255
    assert re.search("not indexed", capsys.readouterr().err)
    assert tool("bigBedNamedItems", common.corpus(CHR22), "x", out) == 255
    assert "has no extra indexes" in capsys.readouterr().err
    assert tool("bigBedNamedItems", common.corpus(INDEXED), "x", out, "-field=nope") == 255
    assert "No field nope" in capsys.readouterr().err
    assert not out.exists()


# -- progress ----------------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(
    "args, shown",
    [
        (["bigBedToBed", "{bb}", "{out}"], "writing BED: 4,394 items / 4,394 items (100.0%)"),
        (["bigBedSummary", "-exact", "{bb}", "chr22", "0", "51304566", "5"], "summary, reading items: 4,394 items"),
        (["bigBedNamedItems", "-nameFile", "-field=geneName", "{bb}", "{names}", "{out}"], "reading blocks: "),
    ],
)
def test_long_jobs_show_progress_on_a_terminal_only(args, shown, tmp_path, monkeypatch):
    """Progress goes to stderr when it is a terminal, and not with -q or into a pipe."""
    monkeypatch.delenv("TRACKPACK_QUIET", raising=False)
    names = tmp_path / "names.txt"
    names.write_text("MIF GSTT2\n")
    argv = [a.format(bb=common.corpus(INDEXED), out=tmp_path / "o.bed", names=names) for a in args]
    for extra, terminal, drawn in [([], True, True), (["-q"], True, False), ([], False, False)]:
        err = FakeTTY() if terminal else io.StringIO()
        monkeypatch.setattr("sys.stdout", io.TextIOWrapper(io.BytesIO()))
        monkeypatch.setattr("sys.stderr", err)
        assert tool(argv[0], *extra, *argv[1:]) == 0
        assert (shown in err.getvalue()) == drawn, (extra, terminal, err.getvalue())
        assert err.getvalue().endswith("\n") == drawn


# -- damaged input ------------------------------------------------------------------------------


def _damaged_copies(tmp_path):
    """Copies of an indexed kent file: cut short, with a corrupt data block, with the
    R-tree pointing past the end."""
    from trackpack.bbi.layout import CIR_HEADER, NODE_HEADER, BbiHeader

    data = common.corpus(INDEXED).read_bytes()
    header = BbiHeader.unpack("<", data)
    first_block = header.full_data_offset + 8
    root = header.full_index_offset + CIR_HEADER.size + NODE_HEADER.size
    damaged = {
        "cut": data[: header.full_index_offset + 100],
        "block": data[: first_block + 10] + b"\xff" * 16 + data[first_block + 26 :],
        "index": data[: root + 16] + (1 << 40).to_bytes(8, "little") + data[root + 24 :],
    }
    paths = {}
    for name, content in damaged.items():
        paths[name] = tmp_path / f"{name}.bb"
        paths[name].write_bytes(content)
    return paths


@pytest.mark.parametrize(
    "args, damages",
    [
        (["bigBedToBed", "{bb}", "{out}"], ["cut", "block", "index"]),
        (["bigBedToBed", "{bb}", "{out}", "-chrom=chr22", "-start=20000000", "-end=21000000"], ["cut", "index"]),
        (["bigBedInfo", "-chroms", "-zooms", "-as", "-extraIndex", "{bb}"], ["cut"]),
        (["bigBedSummary", "{bb}", "chr22", "0", "51304566", "20"], ["cut"]),
        (["bigBedSummary", "-exact", "{bb}", "chr22", "20000000", "21000000", "3"], ["cut", "index"]),
        (["bigBedNamedItems", "-field=geneName", "{bb}", "MIF", "{out}"], ["cut"]),
    ],
)
def test_damaged_files_give_one_error_line(args, damages, tmp_path, capfd):
    """Never a traceback: one 'Error:' line naming the file and the byte offset, exit
    status 255, and no output file left behind (for each damage the command reads)."""
    out = tmp_path / "out.bed"
    paths = _damaged_copies(tmp_path)
    for name in damages:
        capfd.readouterr()
        status = tool(*[a.format(bb=paths[name], out=out) for a in args])
        err = capfd.readouterr().err
        assert status == 255, (name, err)
        assert err.startswith(f"Error: {paths[name]}: byte ") and err.count("\n") == 1, (name, err)
        assert "Traceback" not in err
        assert not out.exists()


def test_big_bed_to_bed_fails_when_the_chromosome_index_lost_entries(tmp_path, capsys):
    """A chromosome index emptied by corruption would make the whole-file output empty
    (kent prints nothing and succeeds): the data index's chromosome ids give it away."""
    data = bytearray(common.corpus(CHR22).read_bytes())
    chrom_tree = int.from_bytes(data[8:16], "little")
    data[chrom_tree + 16 : chrom_tree + 24] = bytes(8)  # the B+ tree's item count
    bad = tmp_path / "bad.bb"
    bad.write_bytes(bytes(data))
    assert tool("bigBedToBed", bad, tmp_path / "out.bed") == 255
    err = capsys.readouterr().err
    assert "bad.bb" in err and "chromosome id 0, which the chromosome index (0 chromosomes) lacks" in err
    assert not (tmp_path / "out.bed").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.bb"]


def test_big_bed_to_bed_keeps_kent_output_for_items_past_the_chromosome_end(tmp_path, capfdbinary):
    """Some writers do not check items against the chromosome sizes; kent's whole-file
    output, going chromosome by chromosome from 0 to its size, skips such items and
    succeeds, and so do we."""
    from bigbed_fixtures import write_test_bigbed

    path = tmp_path / "past.bb"
    path.write_bytes(
        write_test_bigbed(None, [("chr1", 10, 20, "a"), ("chr1", 100, 100, "b"), ("chr1", 100, 150, "c")], {"chr1": 100})
    )
    got = run_stdout(capfdbinary, "bigBedToBed", path, "stdout")
    assert got == b"chr1\t10\t20\ta\nchr1\t100\t100\tb\n"
