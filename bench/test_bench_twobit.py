""".2bit benchmarks: trackpack side by side with py2bit, Biopython, twobitreader and kent.

    python -m pytest bench/test_bench_twobit.py --benchmark-json=bench/.results/twobit.json
    python bench/report.py bench/.results/twobit.json

Data: a ~300 Mb genome of realistic shape (bench/gen_genome.py: ~50% soft-masked runs,
N gaps, 12 chromosomes plus 300 scaffolds), generated once into bench/data/.

Scenarios (one group each; targets from issue 2):

- 1 kb random fetch, upper case (trackpack mask=False vs py2bit's default) and
  soft-masked (trackpack's default vs py2bit storeMasked=True, Biopython, twobitreader):
  target at most 0.6x py2bit's time;
- whole-genome decode with masks (every sequence as a str): at most 0.83x Biopython's;
- FASTA -> .2bit (faToTwoBit): at least 450 MB/s of FASTA (kent's faToTwoBit alongside
  when TRACKPACK_KENT_BIN or PATH has it);
- FASTA -> .2bit on other shapes: a million short reads, gzip input (kent alongside);
- .2bit -> FASTA (twoBitToFa) and open + sizes (what bedToBigBed -sizesIs2Bit needs);
- twoBitInfo -maskBed / -nBed, whole command with peak RSS.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

import gen_genome
from common import kent_tool, require_module, run_measured

FETCHES = 10_000


@pytest.fixture(scope="session")
def genome():
    return gen_genome.ensure_genome()


@pytest.fixture(scope="session")
def sizes(genome):
    from trackpack import TwoBitFile

    with TwoBitFile(genome[1]) as tb:
        return dict(tb.sizes)


@pytest.fixture(scope="session")
def regions(sizes):
    """Random 1 kb windows, chromosomes picked in proportion to their length."""
    rng = random.Random(42)
    names = list(sizes)
    weights = [sizes[n] for n in names]
    out = []
    for name in rng.choices(names, weights, k=FETCHES):
        start = rng.randrange(0, sizes[name] - 1000)
        out.append((name, start, start + 1000))
    return out


def _run(benchmark, fn, rounds=10, **info):
    benchmark.extra_info.update(info)
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=1)


# --- 1 kb random fetch -----------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["trackpack", "py2bit"])
def test_fetch_1kb_upper(benchmark, tool, genome, regions):
    benchmark.group = "2bit: 1 kb random fetch (upper case)"
    if tool == "trackpack":
        from trackpack import TwoBitFile

        tb = TwoBitFile(genome[1])
        fetch = tb.fetch

        def run():
            for name, start, end in regions:
                fetch(name, start, end, False)
    else:
        py2bit = require_module("py2bit")
        tb = py2bit.open(str(genome[1]))
        sequence = tb.sequence

        def run():
            for name, start, end in regions:
                sequence(name, start, end)

    _run(benchmark, run, tool=tool, fetches=len(regions))
    tb.close()


@pytest.mark.parametrize("tool", ["trackpack", "py2bit", "biopython", "twobitreader"])
def test_fetch_1kb_masked(benchmark, tool, genome, regions):
    benchmark.group = "2bit: 1 kb random fetch (soft-masked)"
    path = str(genome[1])
    closer = None
    todo = regions
    if tool == "trackpack":
        from trackpack import TwoBitFile

        tb = TwoBitFile(path)
        closer = tb.close
        fetch = tb.fetch

        def run():
            for name, start, end in todo:
                fetch(name, start, end)
    elif tool == "py2bit":
        py2bit = require_module("py2bit")
        tb = py2bit.open(path, True)
        closer = tb.close
        sequence = tb.sequence

        def run():
            for name, start, end in todo:
                sequence(name, start, end)
    elif tool == "biopython":
        require_module("Bio")
        from Bio import SeqIO

        handle = open(path, "rb")
        closer = handle.close
        records = {r.id: r.seq for r in SeqIO.parse(handle, "twobit")}

        def run():
            for name, start, end in todo:
                str(records[name][start:end])
    else:
        twobitreader = require_module("twobitreader")
        tb = twobitreader.TwoBitFile(path)

        def run():
            for name, start, end in todo:
                tb[name][start:end]

    # twobitreader is pure Python: fewer rounds of the same work
    _run(benchmark, run, rounds=3 if tool == "twobitreader" else 10, tool=tool, fetches=len(todo))
    if closer:
        closer()


# --- whole genome ----------------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["trackpack", "biopython", "py2bit"])
def test_decode_whole_genome(benchmark, tool, genome):
    benchmark.group = "2bit: whole-genome decode with masks"
    path = str(genome[1])
    bases = os.path.getsize(genome[0])
    if tool == "trackpack":
        from trackpack import TwoBitFile

        def run():
            with TwoBitFile(path) as tb:
                for name in tb:
                    tb.fetch(name)
    elif tool == "biopython":
        require_module("Bio")
        from Bio import SeqIO

        def run():
            with open(path, "rb") as f:
                for record in SeqIO.parse(f, "twobit"):
                    str(record.seq)
    else:
        py2bit = require_module("py2bit")

        def run():
            tb = py2bit.open(path, True)
            for name in tb.chroms():
                tb.sequence(name)
            tb.close()

    _run(benchmark, run, rounds=5, tool=tool, bytes=bases)


@pytest.mark.parametrize("tool", ["trackpack", "kent"])
def test_fasta_to_twobit(benchmark, tool, genome, tmp_path):
    benchmark.group = "FASTA -> 2bit (faToTwoBit)"
    fasta = str(genome[0])
    out = str(tmp_path / "out.2bit")
    if tool == "trackpack":
        from trackpack import write_twobit

        def run():
            write_twobit(fasta, out, progress=False)
    else:
        exe = kent_tool("faToTwoBit")

        def run():
            subprocess.run([exe, fasta, out], check=True)

    _run(benchmark, run, rounds=5, tool=tool, bytes=os.path.getsize(fasta))
    with open(out, "rb") as got, open(genome[1], "rb") as want:
        assert got.read() == want.read()


SHAPES = {
    "1,000,000 reads of 150 bp": lambda genome: gen_genome.ensure_reads(),
    "gzip input": lambda genome: gen_genome.ensure_gzip(genome[0]),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("tool", ["trackpack", "kent"])
def test_fasta_to_twobit_shapes(benchmark, tool, shape, genome, tmp_path):
    """Inputs that once fell off the fast path: many short records, gzip (MB/s of text)."""
    benchmark.group = f"FASTA -> 2bit ({shape})"
    fasta = SHAPES[shape](genome)
    text_bytes = os.path.getsize(fasta if not str(fasta).endswith(".gz") else genome[0])
    out = str(tmp_path / "out.2bit")
    if tool == "trackpack":
        from trackpack import write_twobit

        def run():
            write_twobit(str(fasta), out, progress=False)
    else:
        exe = kent_tool("faToTwoBit")

        def run():
            subprocess.run([exe, str(fasta), out], check=True)

    _run(benchmark, run, rounds=3, tool=tool, bytes=text_bytes)


@pytest.mark.parametrize("flag", ["-maskBed", "-nBed"])
@pytest.mark.parametrize("tool", ["trackpack", "kent"])
def test_two_bit_info_beds(benchmark, tool, flag, genome, tmp_path):
    """twoBitInfo -maskBed / -nBed, the whole command; peak RSS in extra_info."""
    benchmark.group = f"twoBitInfo {flag} (whole command)"
    out = str(tmp_path / "out.bed")
    if tool == "trackpack":
        cmd = [sys.executable, "-m", "trackpack", "twoBitInfo", flag, str(genome[1]), out]
    else:
        cmd = [kent_tool("twoBitInfo"), flag, str(genome[1]), out]
    peaks = []

    def run():
        peaks.append(run_measured(cmd)[1])

    _run(benchmark, run, rounds=3, tool=tool)
    benchmark.extra_info["peak_rss_mb"] = round(max(peaks) / 1e6, 1)


@pytest.mark.parametrize("tool", ["trackpack", "kent"])
def test_twobit_to_fasta(benchmark, tool, genome, tmp_path):
    benchmark.group = "2bit -> FASTA (twoBitToFa)"
    out = str(tmp_path / "out.fa")
    path = str(genome[1])
    if tool == "trackpack":
        from trackpack.cli import run as run_tool

        def run():
            assert run_tool("twoBitToFa", [path, out]) == 0
    else:
        exe = kent_tool("twoBitToFa")

        def run():
            subprocess.run([exe, path, out], check=True)

    _run(benchmark, run, rounds=3, tool=tool, bytes=os.path.getsize(genome[0]))


@pytest.mark.parametrize("tool", ["trackpack", "py2bit", "biopython", "twobitreader"])
def test_open_and_sizes(benchmark, tool, genome):
    benchmark.group = "2bit: open + sequence sizes"
    path = str(genome[1])
    if tool == "trackpack":
        from trackpack import TwoBitFile

        def run():
            with TwoBitFile(path) as tb:
                return tb.sizes
    elif tool == "py2bit":
        py2bit = require_module("py2bit")

        def run():
            tb = py2bit.open(path)
            sizes = tb.chroms()
            tb.close()
            return sizes
    elif tool == "biopython":
        require_module("Bio")
        from Bio import SeqIO

        def run():
            with open(path, "rb") as f:
                return {r.id: len(r) for r in SeqIO.parse(f, "twobit")}
    else:
        twobitreader = require_module("twobitreader")

        def run():
            return twobitreader.TwoBitFile(path).sequence_sizes()

    _run(benchmark, run, rounds=20, tool=tool)


@pytest.mark.parametrize("tool", ["trackpack", "kent"])
def test_fasta_to_twobit_process(benchmark, tool, genome, tmp_path):
    """The whole command, as a user runs it; its peak RSS goes to extra_info["peak_rss_mb"]."""
    benchmark.group = "FASTA -> 2bit, whole command (peak RSS in extra_info)"
    fasta = str(genome[0])
    out = str(tmp_path / "out.2bit")
    if tool == "trackpack":
        cmd = [sys.executable, "-m", "trackpack", "faToTwoBit", fasta, out]
    else:
        cmd = [kent_tool("faToTwoBit"), fasta, out]
    peaks = []

    def run():
        peaks.append(run_measured(cmd)[1])

    _run(benchmark, run, rounds=3, tool=tool, bytes=os.path.getsize(fasta))
    benchmark.extra_info["peak_rss_mb"] = round(max(peaks) / 1e6, 1)
