"""Gene annotation tracks, side by side: trackpack's one step against kent's four tools.

    TRACKPACK_KENT_BIN=/path/to/kent/bin python -m pytest bench/test_bench_genes.py \\
        --benchmark-json=bench/.results/genes.json
    python bench/report.py bench/.results/genes.json

Input: a generated GENCODE-shaped GTF (bench/gen_gtf.py: 1.4M lines, about 400 MB; set
TRACKPACK_BENCH_GTF_LINES for another size), written once to bench/data/.

Scenarios (one group each; every tool runs as its own process, timed by wall clock):

- GTF -> bigGenePred bigBed: ``trackpack gtfToBigBed`` against kent's pipeline
  ``gtfToGenePred -genePredExt | genePredToBigGenePred | sort -k1,1 -k2,2n``, then
  ``bedToBigBed -type=bed12+8 -tab -as=bigGenePred.as -extraIndex=name,geneName``;
- the same from a gzip-compressed GTF (trackpack only: kent's tools read plain files);
- GTF -> genePred step: ``trackpack gtfToGenePred -genePredExt`` against kent's;
- peak memory: the largest process of each (``extra_info["peak_rss_mb"]``; kent's is its
  gtfToGenePred, which holds the whole file).
"""
from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from common import data_path, kent_tool, run_measured

LINES = int(os.environ.get("TRACKPACK_BENCH_GTF_LINES", "1400000"))
ROOT = Path(__file__).resolve().parent.parent
AS_FILE = ROOT / "src" / "trackpack" / "genes" / "bigGenePred.as"
GROUP = f"genes: GTF -> bigGenePred bigBed ({LINES / 1e6:.1f}M GTF lines)"
GROUP_GZ = f"genes: gzip GTF -> bigGenePred bigBed ({LINES / 1e6:.1f}M GTF lines)"
GROUP_STEP = f"genes: GTF -> genePred ({LINES / 1e6:.1f}M GTF lines)"
GROUP_RSS = f"genes: GTF -> bigBed peak RSS, largest process ({LINES / 1e6:.1f}M lines; extra_info peak_rss_mb)"


@pytest.fixture(scope="module")
def gtf():
    path = data_path(f"gencode_like_{LINES}.gtf")
    sizes = Path(str(path) + ".sizes")
    if not path.exists() or not sizes.exists():
        sys.path.insert(0, str(Path(__file__).parent))
        import gen_gtf

        tmp = Path(str(path) + ".tmp")
        gen_gtf.write(tmp, sizes_path=sizes, lines=LINES, seed=1)
        tmp.rename(path)
    return path, sizes


@pytest.fixture(scope="module")
def gtf_gz(gtf):
    path, sizes = gtf
    gz = Path(str(path) + ".gz")
    if not gz.exists():
        with open(path, "rb") as src, gzip.open(str(gz) + ".tmp", "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
        os.rename(str(gz) + ".tmp", gz)
    return gz, sizes


def _trackpack(*args) -> list:
    return [sys.executable, "-m", "trackpack", *map(str, args)]


def _kent_pipeline(gtf_path, sizes, out, tmp_path) -> list:
    """kent's four steps as one shell command (the bigGenePred text passes through a file:
    bedToBigBed reads its input twice)."""
    g2p = kent_tool("gtfToGenePred")
    p2b = kent_tool("genePredToBigGenePred")
    b2b = kent_tool("bedToBigBed")
    text = tmp_path / "kent.bgp"
    script = (
        f"{g2p} -genePredExt {gtf_path} stdout | {p2b} stdin stdout | LC_ALL=C sort -k1,1 -k2,2n > {text} && "
        f"{b2b} -type=bed12+8 -tab -as={AS_FILE} -extraIndex=name,geneName {text} {sizes} {out}"
    )
    return ["sh", "-c", script]


def _timed(benchmark, cmd, rounds=3):
    def once():
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    benchmark.pedantic(once, rounds=rounds, iterations=1, warmup_rounds=0)


def test_one_step_trackpack(benchmark, gtf, tmp_path):
    path, sizes = gtf
    benchmark.group = GROUP
    benchmark.extra_info.update(tool="trackpack", bytes=path.stat().st_size)
    _timed(benchmark, _trackpack("gtfToBigBed", "-q", path, sizes, tmp_path / "t.bb"))


def test_one_step_kent(benchmark, gtf, tmp_path):
    path, sizes = gtf
    cmd = _kent_pipeline(path, sizes, tmp_path / "k.bb", tmp_path)
    benchmark.group = GROUP
    benchmark.extra_info.update(tool="kent", bytes=path.stat().st_size)
    _timed(benchmark, cmd)


def test_one_step_gzip_trackpack(benchmark, gtf_gz, tmp_path):
    path, sizes = gtf_gz
    benchmark.group = GROUP_GZ
    benchmark.extra_info.update(tool="trackpack", bytes=path.stat().st_size)
    _timed(benchmark, _trackpack("gtfToBigBed", "-q", path, sizes, tmp_path / "t.bb"), rounds=2)


def test_step_gtf_to_genepred_trackpack(benchmark, gtf, tmp_path):
    path, _ = gtf
    benchmark.group = GROUP_STEP
    benchmark.extra_info.update(tool="trackpack", bytes=path.stat().st_size)
    _timed(benchmark, _trackpack("gtfToGenePred", "-q", "-genePredExt", path, tmp_path / "t.gp"))


def test_step_gtf_to_genepred_kent(benchmark, gtf, tmp_path):
    path, _ = gtf
    benchmark.group = GROUP_STEP
    benchmark.extra_info.update(tool="kent", bytes=path.stat().st_size)
    _timed(benchmark, [kent_tool("gtfToGenePred"), "-genePredExt", str(path), str(tmp_path / "k.gp")])


def _rss_once(benchmark, cmd, tool):
    """One measured run: wall time as the benchmark, peak RSS in extra_info."""
    benchmark.group = GROUP_RSS
    measured = {}

    def once():
        wall, rss = run_measured(cmd)
        measured["rss"] = rss

    benchmark.pedantic(once, rounds=1, iterations=1)
    benchmark.extra_info.update(tool=tool, peak_rss_mb=round(measured["rss"] / 2**20, 1))


def test_rss_trackpack(benchmark, gtf, tmp_path):
    path, sizes = gtf
    _rss_once(benchmark, _trackpack("gtfToBigBed", "-q", path, sizes, tmp_path / "t.bb"), "trackpack")


def test_rss_kent(benchmark, gtf, tmp_path):
    path, sizes = gtf
    # run_measured reports the largest process of the tree the shell waited for
    _rss_once(benchmark, _kent_pipeline(path, sizes, tmp_path / "k.bb", tmp_path), "kent")
