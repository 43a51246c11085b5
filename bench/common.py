"""Shared benchmark kit: data directory, peer requirements, peak-memory measurement.

Conventions (bench/report.py relies on them):
- one pytest-benchmark *group* per scenario, e.g. ``benchmark.group = "2bit: 1 kb random fetch"``;
- one test per tool in that group, parametrized or named so that ``benchmark.extra_info["tool"]``
  is the tool's name ("trackpack", "py2bit", "kent", ...);
- ``benchmark.extra_info["bytes"]`` (input size) when a throughput in MB/s makes sense.
"""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import pytest

BENCH_DIR = Path(__file__).resolve().parent
#: generated inputs live here (git-ignored); override with TRACKPACK_BENCH_DATA
DATA_DIR = Path(os.environ.get("TRACKPACK_BENCH_DATA", BENCH_DIR / "data"))
#: a directory holding kent's binaries (faToTwoBit, bedToBigBed, ...), if you have them
KENT_BIN = os.environ.get("TRACKPACK_KENT_BIN")


def data_path(name: str) -> Path:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return DATA_DIR / name


def require_module(name: str):
    """Import a peer library or skip its benchmark, saying why."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        pytest.skip(f"peer '{name}' not installed ({err})")


def kent_tool(name: str) -> str:
    """Path of kent's ``name`` binary from $TRACKPACK_KENT_BIN or PATH, or skip saying why."""
    if KENT_BIN:
        candidate = Path(KENT_BIN) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    pytest.skip(f"kent's {name} not found: set TRACKPACK_KENT_BIN to a directory holding kent's binaries")


# Runs argv[2:] and writes "seconds peak_rss_bytes" to the file argv[1].  A small launcher
# is needed because the kernel counts a forked child's copy of its parent (here pytest,
# hundreds of MB) in the child's peak RSS; forking from this tiny process keeps that copy
# small, so the figure is the measured command's own.
_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{wall} {usage.ru_maxrss * 1024}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(cmd: Sequence[str], *, stdin=None, stdout=subprocess.DEVNULL, env=None) -> Tuple[float, int]:
    """Run ``cmd``; return (wall seconds, peak RSS in bytes) of that command's process."""
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        proc = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, report.name, *map(str, cmd)],
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
        )
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace")
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed with status {proc.returncode}:\n{err}")
        wall, rss = report.read().split()
    return float(wall), int(rss)


def python_cmd(code: str) -> List[str]:
    """A command running ``code`` with this interpreter (for memory measurements)."""
    return [sys.executable, "-c", code]
