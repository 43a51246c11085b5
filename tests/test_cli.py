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


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="POSIX signals needed")
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_kill_removes_the_partial_output(tmp_path, signame):
    """kill / timeout / a closed terminal stop a conversion without leaving its temporary
    file (or the output) behind, as Ctrl-C does.  The child stops just before the rename
    into place, when the temporary file is complete: the worst moment to be killed."""
    import os
    import signal

    (tmp_path / "in.fa").write_text(">a\nACGTNNacgt\n")
    child = (
        "import os, sys, time\n"
        "from trackpack import cli\n"
        "def stalled_replace(src, dst):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
        "os.replace = stalled_replace\n"
        "sys.argv = ['trackpack', 'faToTwoBit', 'in.fa', 'out.2bit']\n"
        "sys.exit(cli.main())\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout.readline() == b"ready\n", proc.stderr.read()
        assert any(name.endswith(".part") for name in os.listdir(tmp_path))
        proc.send_signal(getattr(signal, signame))
        status = proc.wait(timeout=30)
        err = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert status == -getattr(signal, signame), err  # died of the signal, after cleaning up
    assert "terminated" in err and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["in.fa"]


def test_main_called_by_another_program_leaves_its_signal_handling_alone():
    import signal
    import threading

    before = signal.getsignal(signal.SIGTERM)
    assert cli.main(["--version"]) == 0  # with argv: a library call
    assert signal.getsignal(signal.SIGTERM) == before
    statuses = []
    worker = threading.Thread(target=lambda: statuses.append(cli.main(["--version"])))
    worker.start()
    worker.join()
    assert statuses == [0]


@pytest.mark.parametrize("word", ["-h", "-help", "--help"])
def test_every_tool_prints_its_usage_on_request(word, capsys):
    for tool in cli.TOOLS:
        assert cli.run(tool, [word]) == 0, tool
        captured = capsys.readouterr()
        assert captured.err == "", tool
        assert "usage" in captured.out.lower() and tool in captured.out, tool
