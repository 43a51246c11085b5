"""Shared test kit: where the conformance corpus is, and how tests require peers.

A test that cannot run (no corpus, a peer library or node missing) skips with the reason.
With TRACKPACK_STRICT=1 (set by .ci/run) such a skip is a failure instead, so CI can never
pass by skipping.
"""
from __future__ import annotations

import csv
import importlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "tests" / "node"
STRICT = os.environ.get("TRACKPACK_STRICT", "") not in ("", "0")


def unavailable(reason: str):
    """Skip (or, in strict mode, fail) because something the test needs is missing."""
    if STRICT:
        pytest.fail(f"required for this test but missing (TRACKPACK_STRICT=1): {reason}", pytrace=False)
    pytest.skip(reason)


def _find_corpus() -> Optional[Path]:
    candidates = []
    if os.environ.get("TRACKPACK_CORPUS"):
        candidates.append(Path(os.environ["TRACKPACK_CORPUS"]))
    candidates += [ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")]
    for c in candidates:
        if (c / "MANIFEST.tsv").is_file():
            return c
    return None


CORPUS_ROOT = _find_corpus()


def corpus_dir() -> Path:
    """The conformance corpus (../shared/corpus, or $TRACKPACK_CORPUS)."""
    if CORPUS_ROOT is None:
        unavailable("conformance corpus not found: set TRACKPACK_CORPUS to the shared/corpus folder")
    return CORPUS_ROOT  # type: ignore[return-value]


def corpus(rel: str) -> Path:
    """Path of a corpus file, by its path relative to the corpus root."""
    path = corpus_dir() / rel
    if not path.exists():
        pytest.fail(f"corpus file missing: {path}", pytrace=False)
    return path


def manifest() -> List[Dict[str, str]]:
    """Rows of the corpus MANIFEST.tsv (empty when the corpus is absent)."""
    if CORPUS_ROOT is None:
        return []
    with open(CORPUS_ROOT / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def require_module(name: str):
    """Import and return a peer library, or skip (fail in strict mode) naming it."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        unavailable(f"peer library '{name}' is not installed ({err}); pip install '.[test]'")


def require_node_package(package: str) -> str:
    """Path of node, after checking that tests/node has ``package`` installed."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed (needed to run the JavaScript readers)")
    if not (NODE_DIR / "node_modules" / package).is_dir():
        unavailable(f"npm package {package} is not installed: run 'npm ci --prefix tests/node'")
    return node  # type: ignore[return-value]


def run_node(script: str, *args: str, timeout: float = 300) -> str:
    """Run tests/node/<script> with node and return its stdout (fails on non-zero exit)."""
    node = shutil.which("node") or "node"
    proc = subprocess.run(
        [node, str(NODE_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=NODE_DIR,
    )
    if proc.returncode != 0:
        pytest.fail(f"node {script} failed ({proc.returncode}):\n{proc.stderr}", pytrace=False)
    return proc.stdout


def first_difference(a: bytes, b: bytes) -> Optional[int]:
    """Offset of the first differing byte (or of the end of the shorter), None if equal."""
    if a == b:
        return None
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def assert_same_bytes(got: bytes, expected: bytes, what: str = "output") -> None:
    """Byte-for-byte comparison that reports the first differing offset."""
    at = first_difference(got, expected)
    if at is not None:
        raise AssertionError(
            f"{what} differs at byte {at} (lengths {len(got)} vs {len(expected)}): "
            f"got {got[max(0, at - 16):at + 16]!r}, expected {expected[max(0, at - 16):at + 16]!r}"
        )
