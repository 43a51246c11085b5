"""Benchmarks: run with `python -m pytest bench/ --benchmark-json=bench/.results/latest.json`."""
import compileall
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_sessionstart(session):
    """Byte-compile trackpack as ``pip install`` does, so that the whole-command timings
    do not include compiling its sources in every process (an editable install, or
    PYTHONDONTWRITEBYTECODE, would otherwise leave no .pyc files)."""
    try:
        import trackpack
    except ImportError:
        return
    compileall.compile_dir(str(Path(trackpack.__file__).parent), quiet=2)
