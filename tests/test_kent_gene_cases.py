"""kent's own test suites for gtfToGenePred, gff3ToGenePred and genePredToBed.

The cases and their commands are read from the corpus (ucscGenomeBrowser+kent-core
CASES.md, inputs and expected outputs beside them).  Each case runs the same command line
through ``trackpack <tool>`` from a scratch copy of kent's tests/ layout (input/ linked,
output/ empty), then:

- outputs compared by kent are byte-identical (genePred, info, attrs, unprocessed roots);
- commands kent expects to fail fail with kent's exit status (255);
- captured stdout/stderr (kent's ``.out`` files): every message kent prints appears, with
  the same file and line it names; trackpack's wording may only differ where listed in
  ``REWORDED`` below.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import pytest

import common

KENT = "ucscGenomeBrowser+kent-core"
SUITES = {
    "src/hg/utils/gtfToGenePred/tests": "gtfToGenePred",
    "src/hg/utils/gff3ToGenePred/tests": "gff3ToGenePred",
}


class Command(NamedTuple):
    argv: List[str]
    must_fail: bool
    stdout: Optional[str]  # file capturing stdout (and stderr when merged)
    stderr: Optional[str]
    merged: bool


class Case(NamedTuple):
    suite: str
    name: str
    commands: List[Command]
    expects: List[tuple]


def _parse_command(text: str) -> Optional[Command]:
    must_fail = False
    m = re.match(r"if (!\s+)?(.*?)\s*;\s*then (true|false)\s*;\s*else (true|false)\s*;\s*fi$", text)
    if m:
        negated, text, then_value = bool(m.group(1)), m.group(2), m.group(3)
        # "if X; then false" and "if ! X; then true" both require X to fail
        must_fail = (then_value == "false") != negated
    elif text.startswith("! "):
        must_fail, text = True, text[2:]
    if text.endswith("\\"):
        return None  # the list of case names of kent's "test" target, not a command
    words = shlex.split(text)
    argv, stdout, stderr, merged = [], None, None, False
    i = 0
    while i < len(words):
        w = words[i]
        if w == "2>&1":
            merged = True
        elif w in (">", "2>"):
            target = words[i + 1]
            i += 1
            if w == ">":
                stdout = target
            else:
                stderr = target
        elif w.startswith("2>") and len(w) > 2:
            stderr = w[2:]
        elif w.startswith(">") and len(w) > 1:
            stdout = w[1:]
        else:
            argv.append(w)
        i += 1
    if not argv:
        return None
    return Command(argv, must_fail, stdout, stderr, merged)


def _cases() -> List[Case]:
    if common.CORPUS_ROOT is None:
        return []
    text = (common.CORPUS_ROOT / KENT / "CASES.md").read_text()
    cases: List[Case] = []
    suite = None
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            suite = line[3:].strip()
            current = None
            continue
        if suite not in SUITES:
            continue
        m = re.match(r"- case `(.*)`", line)
        if m:
            current = Case(suite, m.group(1), [], [])
            cases.append(current)
            continue
        m = re.match(r"\s+- (run|expect): `(.*)`$", line)
        if m and current is not None:
            if m.group(1) == "run":
                cmd = _parse_command(m.group(2))
                if cmd is not None and cmd.argv[0] == SUITES[suite]:
                    current.commands.append(cmd)
            else:
                current.expects.append(tuple(m.group(2).split()))
    return [c for c in cases if c.commands]


CASES = _cases()

#: kent messages trackpack words differently: kent's text -> (trackpack's text pattern)
REWORDED: Dict[str, str] = {}


def _run(argv: List[str], cwd: Path):
    from trackpack.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    finally:
        os.chdir(old)
    return status, out.getvalue(), err.getvalue()


def _workdir(tmp_path: Path, suite: str) -> Path:
    base = common.corpus(f"{KENT}/{suite}")
    work = tmp_path / "tests"
    work.mkdir()
    (work / "input").symlink_to(base / "input")
    (work / "expected").symlink_to(base / "expected")
    (work / "output").mkdir()
    return work


@pytest.mark.parametrize("case", CASES, ids=[f"{SUITES[c.suite]}-{c.name}" for c in CASES])
def test_kent_case(case: Case, tmp_path):
    work = _workdir(tmp_path, case.suite)
    for cmd in case.commands:
        status, out, err = _run(cmd.argv, work)
        if cmd.must_fail:
            assert status == 255, f"{cmd.argv} should fail with 255, got {status}\n{err}"
        else:
            assert status == 0, f"{cmd.argv} failed ({status}):\n{err}"
        captured = out + err if cmd.merged else out
        if cmd.stdout:
            (work / cmd.stdout).write_text(captured)
        if cmd.stderr:
            (work / cmd.stderr).write_text(err)
    assert case.expects, "kent compares at least one file for every case"
    for expected_rel, got_rel in case.expects:
        expected = (work / expected_rel).read_bytes()
        got_path = work / got_rel
        assert got_path.exists(), f"{got_rel} was not written"
        got = got_path.read_bytes()
        if got_rel.endswith((".out", ".err")):
            _compare_messages(got.decode(), expected.decode(), got_rel)
        else:
            common.assert_same_bytes(got, expected, got_rel)


def _compare_messages(got: str, expected: str, what: str) -> None:
    """Every message kent prints must appear (reworded ones by their pattern), in order."""
    got_lines = got.splitlines()
    pos = 0
    for line in expected.splitlines():
        pattern = REWORDED.get(line)
        for i in range(pos, len(got_lines)):
            if (pattern is None and got_lines[i] == line) or (pattern is not None and re.search(pattern, got_lines[i])):
                pos = i + 1
                break
        else:
            raise AssertionError(f"{what}: kent's message not found (in order): {line!r}\n--- trackpack printed:\n{got}")


def test_cases_found():
    if common.CORPUS_ROOT is None:
        common.unavailable("conformance corpus not found")
    names = {(SUITES[c.suite], c.name) for c in CASES}
    assert ("gtfToGenePred", "basic") in names
    assert ("gff3ToGenePred", "errCases1Test") in names
    assert len(CASES) >= 36


def test_genepred_to_bed_kent_case(tmp_path):
    base = common.corpus(f"{KENT}/src/hg/genePredToBed")
    out = tmp_path / "out.bed"
    status, _, err = _run(["genePredToBed", str(base / "test.genePred"), str(out)], tmp_path)
    assert status == 0, err
    common.assert_same_bytes(out.read_bytes(), (base / "expected.bed").read_bytes(), "genePredToBed")
