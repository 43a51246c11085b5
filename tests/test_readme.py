"""README.md examples are executed: what the README shows is what trackpack does.

- The README opens with the two set-up commands; .ci/run runs the second one verbatim.
- ```python blocks run in order in one namespace, in a scratch directory holding the
  example data (demo.fa, demo.bed).
- ```console blocks: each ``$ command`` line runs in that directory; the lines after it,
  up to the next ``$``, are its expected standard output (exactly).
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(kind):
    return [body for info, body in FENCE.findall(README.read_text()) if info == kind]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    from importlib.resources import files

    where = tmp_path_factory.mktemp("readme")
    data = files("trackpack") / "data"
    for name in ("demo.fa", "demo.bed"):
        shutil.copyfile(str(data / name), where / name)
    return where


def test_readme_opens_with_the_two_setup_commands():
    first = FENCE.search(README.read_text())
    lines = [ln for ln in first.group(2).splitlines() if ln.strip()]
    assert len(lines) == 2
    assert lines[0].startswith("pip install .") and "trackpack demo" in lines[0]
    assert lines[1].startswith('pip install ".[test]"') and lines[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    first = FENCE.search(README.read_text())
    test_command = [ln for ln in first.group(2).splitlines() if ln.strip()][1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci


def test_python_examples_run(workdir, monkeypatch):
    code_blocks = blocks("python")
    assert code_blocks, "README has no Python examples"
    monkeypatch.chdir(workdir)
    namespace = {"__name__": "__readme__"}
    for i, body in enumerate(code_blocks):
        try:
            exec(compile(body, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as err:  # show which block failed
            raise AssertionError(f"README python block {i + 1} failed: {err!r}\n{body}") from err


def console_steps():
    steps = []
    for body in blocks("console"):
        command, expected = None, []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    steps.append((command, expected))
                command, expected = line[2:], []
            elif command is not None:
                expected.append(line)
        if command is not None:
            steps.append((command, expected))
    return steps


@pytest.mark.parametrize("command, expected", console_steps() or [("true", [])])
def test_console_examples_run(workdir, command, expected):
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)  # the trackpack script of this environment
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(command, shell=True, cwd=workdir, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, f"{command!r} failed:\n{proc.stderr}"
    if expected:
        assert proc.stdout.splitlines() == expected, f"{command!r} printed:\n{proc.stdout}"
