"""The trackpack command: dispatch, overview, error exits."""
import subprocess
import sys

import pytest

from trackpack import cli
from trackpack.errors import FormatError


def test_overview_lists_every_tool(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for tool in cli.TOOLS:
        assert tool in out


def test_unknown_tool_suggests_the_right_case(capsys):
    assert cli.main(["fatotwobit"]) == 255
    assert "did you mean faToTwoBit" in capsys.readouterr().err


def test_function_names_follow_the_tool_names():
    assert cli.function_name("faToTwoBit") == "fa_to_two_bit"
    assert cli.function_name("gff3ToGenePred") == "gff3_to_gene_pred"
    assert cli.function_name("bigBedNamedItems") == "big_bed_named_items"


def test_every_registered_tool_is_implemented():
    import importlib

    for tool, (module_name, _) in cli.TOOLS.items():
        module = importlib.import_module(f"trackpack.cli.{module_name}")
        assert callable(getattr(module, cli.function_name(tool))), tool


def test_trackpack_errors_become_status_255_with_message(monkeypatch, capsys):
    def failing(argv):
        raise FormatError("end 9 beyond chromosome size 5", path="in.bed", line=3)

    monkeypatch.setattr(cli, "_resolve", lambda tool: failing)
    assert cli.run("bedToBigBed", []) == 255
    assert capsys.readouterr().err.strip() == "Error: in.bed:3: end 9 beyond chromosome size 5"


def test_missing_file_is_a_clean_message(monkeypatch, capsys):
    def failing(argv):
        open("/nonexistent/file.bed")

    monkeypatch.setattr(cli, "_resolve", lambda tool: failing)
    assert cli.run("bedToBigBed", []) == 255
    assert "cannot open /nonexistent/file.bed" in capsys.readouterr().err


def test_console_script_runs_as_module():
    proc = subprocess.run([sys.executable, "-m", "trackpack", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("trackpack ")


def test_a_bug_is_reported_without_a_traceback(monkeypatch, capsys):
    def buggy(argv):
        return {}["missing"]

    monkeypatch.delenv("TRACKPACK_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_resolve", lambda tool: buggy)
    assert cli.run("twoBitInfo", []) == 255
    err = capsys.readouterr().err
    assert "internal error in trackpack twoBitInfo" in err and "Traceback" not in err
    monkeypatch.setenv("TRACKPACK_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.run("twoBitInfo", [])
