"""The bigBed reader works from the source tree with no compiled kernels and no numpy.

A fresh interpreter runs with ``PYTHONPATH=src`` and an import hook that refuses numpy,
pandas, zstandard and ``trackpack._kernels``, as on a machine where nothing was compiled
or installed; the reader, its CLI tools and ``import trackpack`` must all still work.
"""
import json
import subprocess
import sys

from common import ROOT, corpus

BLOCKER = r"""
import importlib.abc, sys

class Refuse(importlib.abc.MetaPathFinder):
    BLOCKED = ("numpy", "pandas", "zstandard", "trackpack._kernels")

    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in self.BLOCKED):
            raise ImportError(f"{name} is blocked for this test")
        return None

sys.meta_path.insert(0, Refuse())
"""

SCRIPT = r"""
import contextlib, io, json, sys
import trackpack
from trackpack import BigBedFile
from trackpack.cli import main

path, indexed = sys.argv[1], sys.argv[2]
out = {"module": trackpack.__file__}
with BigBedFile(path) as bb:
    out["chroms"] = list(bb.chroms)
    out["items"] = len(list(bb))
    chrom = next(iter(bb.chroms))
    out["query"] = len(bb.query(chrom, 17_000_000, 18_000_000))
    out["summary"] = bb.summary(chrom, 0, bb.chroms[chrom], 4, "max")
    out["typed"] = bb.query(chrom, 17_000_000, 18_000_000, typed=True)[0].chromStart
with BigBedFile(indexed) as bb:
    out["search"] = len(bb.search("MIF", field="geneName"))
buffer = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
with contextlib.redirect_stdout(buffer):
    status = main(["bigBedInfo", path])
buffer.flush()
out["cli"] = status
out["cli_text"] = buffer.buffer.getvalue().decode()[:9]
out["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "pandas", "zstandard") or m.startswith("trackpack._kernels."))
print(json.dumps(out))
"""


def test_reader_runs_without_kernels_or_numpy(tmp_path):
    path = corpus("GMOD+bbi-js/test/data/chr22.bb")
    indexed = corpus("GMOD+bbi-js/test/data/chr22_with_name_and_geneName_index.bb")
    script = tmp_path / "run.py"
    script.write_text(BLOCKER + SCRIPT)
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-s", str(script), str(path), str(indexed)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["module"].startswith(str(ROOT / "src")), out["module"]
    assert out["chroms"] == ["chr22"]
    assert out["items"] == 4394 and out["query"] > 0
    assert len(out["summary"]) == 4 and out["typed"] >= 0
    assert out["search"] > 0
    assert out["cli"] == 0 and out["cli_text"] == "version: "
    assert out["modules"] == []


def test_blocker_really_blocks(tmp_path):
    """The import hook refuses numpy (so the test above proves something)."""
    script = tmp_path / "probe.py"
    script.write_text(BLOCKER + "\ntry:\n    import numpy\n    print('imported')\nexcept ImportError:\n    print('blocked')\n")
    proc = subprocess.run([sys.executable, "-s", str(script)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "blocked", proc.stdout + proc.stderr
