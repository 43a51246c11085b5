"""Every bigBed of the conformance corpus reads exactly (kent's oracle output, companion BEDs).

The oracle (kentUtils 2018 bigBedToBed) drops zero-length items at base 0 (MANIFEST fact
1); current kent's rule returns them, and so do we: the only lines allowed to differ from
the oracle are such items, and the header's item count includes them.
"""
import gzip

import pytest

from common import corpus, corpus_dir, manifest
from trackpack import BigBedFile


def _rows():
    return [r for r in manifest() if r["format"] == "bigBed"]


def _bigbeds():
    return [r["path"] for r in _rows()] or ["<corpus missing>"]


def _companions():
    pairs = []
    for row in _rows():
        beds = [c for c in row["companions"].split(",") if c.endswith(".bed")]
        if beds and row["kent"] in ("exact", "mismatch"):
            pairs.append((row["path"], beds[0]))
    return pairs or [("<corpus missing>", "")]


def _line(record):
    chrom, start, end, rest = record
    return f"{chrom}\t{start}\t{end}\t{rest}" if rest else f"{chrom}\t{start}\t{end}"


def _oracle_lines(rel):
    base = corpus_dir() / "_kent_oracle" / (rel + ".bigBedToBed.bed")
    if base.exists():
        data = base.read_bytes()
    elif base.with_name(base.name + ".gz").exists():
        data = gzip.decompress(base.with_name(base.name + ".gz").read_bytes())
    else:
        return None
    return data.decode("utf-8", "surrogateescape").splitlines()


@pytest.mark.parametrize("rel", _bigbeds())
def test_reads_as_kent_does(rel):
    path = corpus(rel)
    with BigBedFile(path) as bb:
        ours = [_line(r) for chrom in bb.chroms for r in bb.query(chrom)]
        assert len(ours) == bb.item_count
        oracle = _oracle_lines(rel)
        if oracle is None:
            pytest.skip(f"no kent oracle output for {rel}")
        extra = [line for line in ours if line.split("\t")[1:3] == ["0", "0"]]
        assert [line for line in ours if line not in extra] == oracle
        # every difference is an insertion at base 0 that the 2018 build misses
        assert len(ours) - len(oracle) == len([x for x in extra if x not in oracle])


@pytest.mark.parametrize("rel", _bigbeds())
def test_iteration_holds_the_same_items(rel):
    with BigBedFile(corpus(rel)) as bb:
        by_query = sorted(r for chrom in bb.chroms for r in bb.query(chrom))
        assert sorted(bb) == by_query


@pytest.mark.parametrize("rel, bed", _companions())
def test_equals_companion_bed(rel, bed):
    with BigBedFile(corpus(rel)) as bb:
        ours = sorted(_line(r) for r in bb)
    expected = []
    for line in corpus(bed).read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        if line and not line.startswith(("#", "track", "browser")):
            # kent joins the fields with tabs; inputs made without -tab split on whitespace
            expected.append("\t".join(line.split("\t") if "\t" in line else line.split()))
    assert ours == sorted(expected)


def test_insertion_at_zero_matches_the_companion():
    """testMask1.bb: the oracle misses noLower:0-0, the companion BED has it, so do we."""
    rel = "ucscGenomeBrowser+kent-core/src/hg/utils/twoBitMask/tests/input/testMask1.bb"
    with BigBedFile(corpus(rel)) as bb:
        assert ("noLower", 0, 0, "") in list(bb)
        assert bb.query("noLower", 0, 0) == [("noLower", 0, 0, "")]
    assert "noLower\t0\t0" not in _oracle_lines(rel)
