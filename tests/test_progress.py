"""Progress display: shown on terminals only, silent otherwise."""
import io

from trackpack.progress import Progress, progress_enabled


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_silent_when_not_a_terminal():
    out = io.StringIO()
    with Progress("packing", total=10, stream=out, interval=0) as p:
        p.update(5)
    assert out.getvalue() == ""


def test_draws_on_a_terminal_and_ends_the_line():
    out = FakeTTY()
    with Progress("packing", total=10, unit="B", stream=out, interval=0) as p:
        p.update(5)
    text = out.getvalue()
    assert "packing" in text and "50.0%" in text and text.endswith("\n")


def test_explicit_false_wins_over_terminal(monkeypatch):
    assert progress_enabled(False, FakeTTY()) is False
    monkeypatch.setenv("TRACKPACK_QUIET", "1")
    assert progress_enabled(None, FakeTTY()) is False


def test_phases_draw_each_phase_over_one_line():
    from trackpack.progress import Phases

    out = FakeTTY()
    with Phases("job", stream=out) as phases:
        first = phases.start("reading", total=4, unit="B")
        first.update(4)
        phases.start("indexing", total=2).update(1)
    text = out.getvalue()
    assert "job, reading" in text and "job, indexing" in text
    assert text.count("\n") == 1  # one line, redrawn in place


def test_phases_silent_off_a_terminal():
    from trackpack.progress import Phases

    out = io.StringIO()
    with Phases("job", stream=out) as phases:
        phases.start("reading", total=4).update(4)
    assert out.getvalue() == ""
