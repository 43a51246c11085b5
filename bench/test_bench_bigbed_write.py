"""bigBed writing, side by side: trackpack, pybigtools, kent's bedToBigBed.

    TRACKPACK_KENT_BIN=/path/to/kent/bin python -m pytest bench/test_bench_bigbed_write.py \
        --benchmark-json=bench/.results/bigbed_write.json
    python bench/report.py bench/.results/bigbed_write.json

Scenarios (one group each):
- 1M sorted BED6 lines, file to file, in-process where the tool is a library (trackpack's
  write_bigbed; pybigtools' writer fed by a Python line parser, its documented use) and
  as a process for kent's bedToBigBed;
- the same with a name index (-extraIndex=name; pybigtools cannot write one);
- 1M BED6 records as Python tuples (what a pipeline such as GTF -> bigGenePred hands over);
- peak memory (RSS of a fresh process) at 1M lines for every tool, and at 10M lines for
  trackpack (memory must stay flat as the input grows); the figure is in
  ``extra_info["peak_rss_mb"]``, the timing is the process's wall time;
- the same with a name index, at 1M and 4M lines for trackpack and kent, and at 10M lines
  for trackpack (the keys are sorted in bounded memory, spilling beyond a budget).
Set TRACKPACK_BENCH_10M=0 to skip the runs on 4M and 10M lines (they write 160 MB and
400 MB inputs first).
"""
from __future__ import annotations

import os
import subprocess

import pytest

from common import kent_tool, python_cmd, require_module, run_measured
from gen_bed import bed6_file

N = 1_000_000
GROUP = "bigBed write: 1M sorted BED6 lines (file to file)"
GROUP_TUPLES = "bigBed write: 1M BED6 records from Python tuples"
GROUP_INDEX = "bigBed write: 1M sorted BED6 lines with -extraIndex=name"
GROUP_RSS = "bigBed write: peak RSS process, 1M lines (extra_info peak_rss_mb)"
GROUP_RSS_10M = "bigBed write: peak RSS process, 10M lines (extra_info peak_rss_mb)"
GROUP_RSS_INDEX = "bigBed write: peak RSS process, 1M lines, -extraIndex=name (extra_info peak_rss_mb)"
GROUP_RSS_INDEX_4M = "bigBed write: peak RSS process, 4M lines, -extraIndex=name (extra_info peak_rss_mb)"
GROUP_RSS_INDEX_10M = "bigBed write: peak RSS process, 10M lines, -extraIndex=name (extra_info peak_rss_mb)"
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

TRACKPACK_SCRIPT = """
import sys
sys.path.insert(0, {src!r})
from trackpack import write_bigbed
write_bigbed(sys.argv[1], sys.argv[2], sys.argv[3], bed_type="bed6", extra_index=sys.argv[4:], progress=False)
"""

# pybigtools' writer takes (chrom, start, end, rest) records: parse the file in Python
PYBIGTOOLS_CODE = """
def main(bed, sizes, out):
    import pybigtools
    chroms = {}
    for line in open(sizes):
        name, size = line.split()[:2]
        chroms[name] = int(size)
    def records():
        with open(bed) as f:
            for line in f:
                chrom, start, end, rest = line.rstrip("\\n").split("\\t", 3)
                yield chrom, int(start), int(end), rest
    pybigtools.open(str(out), "w").write(chroms, records())
"""
PYBIGTOOLS_SCRIPT = PYBIGTOOLS_CODE + "\nimport sys\nmain(*sys.argv[1:4])\n"


@pytest.fixture(scope="module")
def bed6():
    return bed6_file(N)


def _script(code: str, *args) -> list:
    return python_cmd(code) + [str(a) for a in args]


def test_trackpack(benchmark, bed6, tmp_path):
    from trackpack import write_bigbed

    bed, sizes = bed6
    out = tmp_path / "trackpack.bb"
    benchmark.group = GROUP
    benchmark.extra_info.update(tool="trackpack", bytes=bed.stat().st_size)
    summary = benchmark.pedantic(
        write_bigbed, args=(bed, sizes, out), kwargs=dict(bed_type="bed6", progress=False), rounds=3, iterations=1
    )
    benchmark.extra_info["zoom_levels"] = summary.zoom_levels
    benchmark.extra_info["output_bytes"] = summary.bytes


def test_pybigtools(benchmark, bed6, tmp_path):
    require_module("pybigtools")
    bed, sizes = bed6
    namespace: dict = {}
    exec(PYBIGTOOLS_CODE, namespace)  # the same code the memory measurement runs
    benchmark.group = GROUP
    benchmark.extra_info.update(tool="pybigtools", bytes=bed.stat().st_size)
    benchmark.pedantic(namespace["main"], args=(bed, sizes, tmp_path / "pybigtools.bb"), rounds=3, iterations=1)


def test_kent(benchmark, bed6, tmp_path):
    kent = kent_tool("bedToBigBed")
    bed, sizes = bed6
    out = tmp_path / "kent.bb"
    benchmark.group = GROUP
    benchmark.extra_info.update(tool="kent", bytes=bed.stat().st_size)
    benchmark.pedantic(
        subprocess.run,
        args=([kent, "-type=bed6", str(bed), str(sizes), str(out)],),
        kwargs=dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        rounds=3,
        iterations=1,
    )


def test_index_trackpack(benchmark, bed6, tmp_path):
    from trackpack import write_bigbed

    bed, sizes = bed6
    benchmark.group = GROUP_INDEX
    benchmark.extra_info.update(tool="trackpack", bytes=bed.stat().st_size)
    benchmark.pedantic(
        write_bigbed, args=(bed, sizes, tmp_path / "i.bb"),
        kwargs=dict(bed_type="bed6", extra_index="name", progress=False), rounds=3, iterations=1,
    )


def test_index_kent(benchmark, bed6, tmp_path):
    kent = kent_tool("bedToBigBed")
    bed, sizes = bed6
    benchmark.group = GROUP_INDEX
    benchmark.extra_info.update(tool="kent", bytes=bed.stat().st_size)
    benchmark.pedantic(
        subprocess.run,
        args=([kent, "-type=bed6", "-extraIndex=name", str(bed), str(sizes), str(tmp_path / "k.bb")],),
        kwargs=dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        rounds=3,
        iterations=1,
    )


# --- Python tuples ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tuples(bed6):
    bed, sizes = bed6
    rows = []
    with open(bed) as f:
        for line in f:
            c, s, e, name, score, strand = line.rstrip("\n").split("\t")
            rows.append((c, int(s), int(e), name, int(score), strand))
    chroms = {}
    for line in open(sizes):
        name, size = line.split()[:2]
        chroms[name] = int(size)
    return rows, chroms, bed.stat().st_size


def test_tuples_trackpack(benchmark, tuples, tmp_path):
    from trackpack import write_bigbed

    rows, chroms, size = tuples
    benchmark.group = GROUP_TUPLES
    benchmark.extra_info.update(tool="trackpack", bytes=size)
    benchmark.pedantic(
        write_bigbed, args=(rows, chroms, tmp_path / "t.bb"), kwargs=dict(bed_type="bed6", progress=False),
        rounds=3, iterations=1,
    )


def test_tuples_pybigtools(benchmark, tuples, tmp_path):
    pybigtools = require_module("pybigtools")
    rows, chroms, size = tuples
    benchmark.group = GROUP_TUPLES
    benchmark.extra_info.update(tool="pybigtools", bytes=size)

    def run():
        # pybigtools takes (chrom, start, end, rest): joining the rest is the caller's job
        records = ((c, s, e, f"{n}\t{sc}\t{st}") for c, s, e, n, sc, st in rows)
        pybigtools.open(str(tmp_path / "p.bb"), "w").write(chroms, records)

    benchmark.pedantic(run, rounds=3, iterations=1)


# --- peak memory ----------------------------------------------------------------------------------------


def _measured(benchmark, group, tool, cmd, size):
    benchmark.group = group
    benchmark.extra_info.update(tool=tool, bytes=size)
    result = {}

    def run():
        result["wall"], result["rss"] = run_measured(cmd)

    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["peak_rss_mb"] = round(result["rss"] / 2**20, 1)
    print(f"\n{group}: {tool} peak RSS {benchmark.extra_info['peak_rss_mb']} MB")


def test_rss_trackpack(benchmark, bed6, tmp_path):
    bed, sizes = bed6
    cmd = _script(TRACKPACK_SCRIPT.format(src=SRC), bed, sizes, tmp_path / "o.bb")
    _measured(benchmark, GROUP_RSS, "trackpack", cmd, bed.stat().st_size)


def test_rss_pybigtools(benchmark, bed6, tmp_path):
    require_module("pybigtools")
    bed, sizes = bed6
    cmd = _script(PYBIGTOOLS_SCRIPT, bed, sizes, tmp_path / "o.bb")
    _measured(benchmark, GROUP_RSS, "pybigtools", cmd, bed.stat().st_size)


def test_rss_kent(benchmark, bed6, tmp_path):
    kent = kent_tool("bedToBigBed")
    bed, sizes = bed6
    _measured(benchmark, GROUP_RSS, "kent", [kent, "-type=bed6", str(bed), str(sizes), str(tmp_path / "o.bb")],
              bed.stat().st_size)


def test_rss_trackpack_10m(benchmark, tmp_path):
    _big_runs_wanted()
    bed, sizes = bed6_file(10 * N)
    cmd = _script(TRACKPACK_SCRIPT.format(src=SRC), bed, sizes, tmp_path / "o.bb")
    _measured(benchmark, GROUP_RSS_10M, "trackpack", cmd, bed.stat().st_size)


def _big_runs_wanted():
    if os.environ.get("TRACKPACK_BENCH_10M", "1") in ("0", ""):
        pytest.skip("TRACKPACK_BENCH_10M=0")


@pytest.mark.parametrize("lines", [N, 4 * N, 10 * N], ids=["1M", "4M", "10M"])
def test_rss_index_trackpack(benchmark, tmp_path, lines):
    if lines > N:
        _big_runs_wanted()
    bed, sizes = bed6_file(lines)
    cmd = _script(TRACKPACK_SCRIPT.format(src=SRC), bed, sizes, tmp_path / "o.bb", "name")
    group = {N: GROUP_RSS_INDEX, 4 * N: GROUP_RSS_INDEX_4M, 10 * N: GROUP_RSS_INDEX_10M}[lines]
    _measured(benchmark, group, "trackpack", cmd, bed.stat().st_size)


@pytest.mark.parametrize("lines", [N, 4 * N], ids=["1M", "4M"])
def test_rss_index_kent(benchmark, tmp_path, lines):
    kent = kent_tool("bedToBigBed")
    if lines > N:
        _big_runs_wanted()
    bed, sizes = bed6_file(lines)
    cmd = [kent, "-type=bed6", "-extraIndex=name", str(bed), str(sizes), str(tmp_path / "o.bb")]
    _measured(benchmark, GROUP_RSS_INDEX if lines == N else GROUP_RSS_INDEX_4M, "kent", cmd, bed.stat().st_size)
