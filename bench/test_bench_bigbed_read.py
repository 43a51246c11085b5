"""bigBed reading, side by side: trackpack (pure Python) vs pyBigWig, pybbi, pybigtools, kent.

    python -m pytest bench/test_bench_bigbed_read.py --benchmark-json=bench/.results/bigbed_read.json
    python bench/report.py bench/.results/bigbed_read.json

Input: 1,000,000 sorted BED6 items (bench/gen_bed.py) made into a bigBed by kent's
bedToBigBed when it is found ($TRACKPACK_KENT_BIN or PATH), else by trackpack's writer,
else by pybigtools; every tool reads the same file.  Scenarios:

- 2,000 random 10 kb queries with a cold reader (opened inside the timed run);
- whole-file iteration (per chromosome for the readers without a whole-file iterator);
- 2,000 queries in overlapping windows over a 2 Mb region with a warm reader (trackpack
  serves them from its block cache; the others decode the blocks again);
- bigBedToBed of the whole file (trackpack's CLI vs kent's binary, when present).
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from common import KENT_BIN, data_path, require_module
from gen_bed import bed6_file

LINES = 1_000_000
QUERIES = 2_000
WINDOW = 10_000


def _kent(name: str):
    if KENT_BIN and (Path(KENT_BIN) / name).is_file():
        return str(Path(KENT_BIN) / name)
    return shutil.which(name)


@pytest.fixture(scope="module")
def bigbed() -> Path:
    bed, sizes = bed6_file(LINES)
    kent = _kent("bedToBigBed")
    if kent:
        path = data_path(f"bed6_{LINES}.kent.bb")
        if not path.exists():
            subprocess.run([kent, "-type=bed6", str(bed), str(sizes), str(path)], check=True, capture_output=True)
        return path
    try:
        from trackpack.bbi.writer import write_bigbed
    except ImportError:
        write_bigbed = None
    if write_bigbed is not None:
        path = data_path(f"bed6_{LINES}.trackpack.bb")
        if not path.exists():
            write_bigbed(str(bed), str(sizes), str(path), bed_type="bed6")
        return path
    pybigtools = require_module("pybigtools")
    path = data_path(f"bed6_{LINES}.pybigtools.bb")
    if not path.exists():
        chrom_sizes = {c: int(s) for c, s in (line.split() for line in open(sizes))}

        def records():
            with open(bed) as f:
                for line in f:
                    c, s, e, rest = line.rstrip("\n").split("\t", 3)
                    yield c, int(s), int(e), rest

        pybigtools.open(str(path), "w").write(chrom_sizes, records())
    return path


@pytest.fixture(scope="module")
def chroms(bigbed):
    from trackpack import BigBedFile

    with BigBedFile(bigbed) as bb:
        return dict(bb.chroms)


@pytest.fixture(scope="module")
def random_queries(chroms):
    rng = random.Random(1)
    names = list(chroms)
    out = []
    for _ in range(QUERIES):
        chrom = rng.choice(names)
        start = rng.randrange(max(1, chroms[chrom] - WINDOW))
        out.append((chrom, start, start + WINDOW))
    return out


@pytest.fixture(scope="module")
def window_queries(chroms):
    """Overlapping 10 kb windows sliding 1 kb at a time over 2 Mb of chr1."""
    return [("chr1", 50_000_000 + 1_000 * i, 50_000_000 + 1_000 * i + WINDOW) for i in range(QUERIES)]


# -- readers ------------------------------------------------------------------------------


def _open(tool, path):
    if tool == "trackpack":
        from trackpack import BigBedFile

        return BigBedFile(path)
    if tool == "pyBigWig":
        return require_module("pyBigWig").open(str(path))
    if tool == "pybbi":
        return require_module("bbi").open(str(path))
    return require_module("pybigtools").open(str(path))


#: items of one region, counted the way each reader gives them
COUNT_ITEMS = {
    "trackpack": lambda bb, chrom, start, end: len(bb.query(chrom, start, end)),
    "pyBigWig": lambda bb, chrom, start, end: len(bb.entries(chrom, start, end) or ()),
    "pybbi": lambda bb, chrom, start, end: sum(1 for _ in bb.fetch_intervals(chrom, start, end, iterator=True)),
    "pybigtools": lambda bb, chrom, start, end: sum(1 for _ in bb.records(chrom, start, end)),
}


def run_queries(tool, path, queries, reader=None):
    """Items found by ``queries``, with ``reader`` or else a reader opened (cold) here."""
    count = COUNT_ITEMS[tool]
    bb = reader or _open(tool, path)
    n = 0
    for chrom, start, end in queries:
        n += count(bb, chrom, start, end)
    if reader is None:
        bb.close()
    return n


@pytest.mark.parametrize("tool", list(COUNT_ITEMS))
def test_random_queries_cold(benchmark, tool, bigbed, random_queries):
    run_queries(tool, bigbed, random_queries[:10])  # import and warm the OS page cache, not the reader
    benchmark.group = "bigBed read: 2,000 random 10 kb queries, cold reader"
    benchmark.extra_info["tool"] = tool
    found = benchmark.pedantic(run_queries, args=(tool, bigbed, random_queries), rounds=7, iterations=1, warmup_rounds=1)
    assert found > 0


@pytest.mark.parametrize("tool", list(COUNT_ITEMS))
def test_overlapping_queries_warm(benchmark, tool, bigbed, window_queries):
    reader = _open(tool, bigbed)
    run_queries(tool, bigbed, window_queries, reader)  # warm: trackpack's block cache is filled
    benchmark.group = "bigBed read: 2,000 overlapping 10 kb windows over 2 Mb, warm reader"
    benchmark.extra_info["tool"] = tool
    found = benchmark.pedantic(run_queries, args=(tool, bigbed, window_queries, reader), rounds=7, iterations=1)
    assert found > 0


def trackpack_iterate(path):
    from trackpack import BigBedFile

    with BigBedFile(path) as bb:
        return sum(1 for _ in bb)


def pybigwig_iterate(path):
    pyBigWig = require_module("pyBigWig")
    bb = pyBigWig.open(str(path))
    n = sum(len(bb.entries(c, 0, size) or ()) for c, size in bb.chroms().items())
    bb.close()
    return n


def pybbi_iterate(path):
    bbi = require_module("bbi")
    with bbi.open(str(path)) as bb:
        return sum(sum(1 for _ in bb.fetch_intervals(c, 0, size, iterator=True)) for c, size in bb.chromsizes.items())


def pybigtools_iterate(path):
    pybigtools = require_module("pybigtools")
    bb = pybigtools.open(str(path))
    n = sum(sum(1 for _ in bb.records(c)) for c in bb.chroms())
    bb.close()
    return n


ITERATE_TOOLS = {
    "trackpack": trackpack_iterate,
    "pyBigWig": pybigwig_iterate,
    "pybbi": pybbi_iterate,
    "pybigtools": pybigtools_iterate,
}


@pytest.mark.parametrize("tool", list(ITERATE_TOOLS))
def test_whole_file_iteration(benchmark, tool, bigbed):
    run = ITERATE_TOOLS[tool]
    benchmark.group = "bigBed read: whole-file iteration (1M items)"
    benchmark.extra_info["tool"] = tool
    benchmark.extra_info["bytes"] = os.path.getsize(bigbed)
    found = benchmark.pedantic(run, args=(bigbed,), rounds=3, iterations=1, warmup_rounds=1)
    assert found == LINES


@pytest.mark.parametrize("tool", ["trackpack", "kent"])
def test_big_bed_to_bed(benchmark, tool, bigbed, tmp_path):
    if tool == "kent":
        kent = _kent("bigBedToBed")
        if not kent:
            pytest.skip("kent's bigBedToBed not found: set TRACKPACK_KENT_BIN")
        cmd = [kent, str(bigbed), str(tmp_path / "out.bed")]
    else:
        cmd = [sys.executable, "-m", "trackpack", "bigBedToBed", str(bigbed), str(tmp_path / "out.bed")]
    benchmark.group = "bigBedToBed: whole file (process, 1M items)"
    benchmark.extra_info["tool"] = tool
    benchmark.extra_info["bytes"] = os.path.getsize(bigbed)
    benchmark.pedantic(subprocess.run, args=(cmd,), kwargs=dict(check=True), rounds=3, iterations=1)
