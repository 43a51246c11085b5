"""Regenerate this folder's kent outputs with kent's own binaries (never run by the tests).

    KENT_BIN=/path/to/kent/bin python make_expected.py

Makes the two binary inputs with kent (tricky.2bit = faToTwoBit tricky.fa; one.nib =
faToNib -softMask one.fa), then runs every command of cases.tsv in this folder and keeps
kent's output file as expected/<id>.out and what it printed as expected/<id>.stdout and
expected/<id>.stderr (only when it printed something).
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cases():
    """(id, tool, argument list) for each line of cases.tsv; '{out}' marks the output."""
    for line in (HERE / "cases.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            case_id, tool, args = line.split("\t")
            yield case_id, tool, shlex.split(args)


def main() -> int:
    kent_bin = Path(os.environ["KENT_BIN"])

    def run(tool: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(kent_bin / tool), *args], cwd=HERE, check=True, capture_output=True)

    run("faToTwoBit", "tricky.fa", "tricky.2bit")
    run("faToNib", "-softMask", "one.fa", "one.nib")
    expected = HERE / "expected"
    expected.mkdir(exist_ok=True)
    for old in expected.iterdir():
        old.unlink()
    for case_id, tool, args in cases():
        out = expected / f"{case_id}.out"
        done = run(tool, *[str(out) if a == "{out}" else a for a in args])
        for stream, data in (("stdout", done.stdout), ("stderr", done.stderr)):
            if data:
                (expected / f"{case_id}.{stream}").write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
