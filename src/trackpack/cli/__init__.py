"""``trackpack <tool> ...``: kent-compatible command-line tools over the library API.

Each tool lives in a module of this package as a function ``main(argv) -> int``; this
module only dispatches and turns errors into kent-style exits (message on stderr, exit
status 255 as kent's errAbort gives).  Tools hold no logic the API lacks.
"""
from __future__ import annotations

import importlib
import os
import re
import signal
import sys
import threading
from typing import Dict, List, Optional, Sequence, Tuple

from ..errors import TrackpackError, UsageError
from .options import HelpRequested

__all__ = ["main", "TOOLS"]

#: tool name -> (module in this package, one-line description)
TOOLS: Dict[str, Tuple[str, str]] = {
    "demo": ("demo", "pack the bundled FASTA to .2bit, build a bigBed, and query both"),
    # sequences (.2bit / .nib)
    "faToTwoBit": ("seq", "convert FASTA to .2bit"),
    "twoBitToFa": ("seq", "extract sequences from .2bit as FASTA"),
    "twoBitInfo": ("seq", "list sequence names and sizes (and N / mask blocks) of a .2bit"),
    "faToNib": ("seq", "convert a one-sequence FASTA to .nib"),
    "nibFrag": ("seq", "extract a region of a .nib as FASTA"),
    # bigBed
    "bedToBigBed": ("bigbed_write", "convert BED to an indexed bigBed"),
    "bigBedToBed": ("bigbed_read", "convert bigBed back to BED"),
    "bigBedInfo": ("bigbed_read", "show bigBed header, chromosomes, zooms and autoSql"),
    "bigBedSummary": ("bigbed_read", "summary statistics of a bigBed over a region"),
    "bigBedNamedItems": ("bigbed_read", "items of a bigBed by name (extra index search)"),
    # gene annotations
    "gtfToGenePred": ("genes", "convert GTF to genePred"),
    "gff3ToGenePred": ("genes", "convert GFF3 to genePred"),
    "genePredToBed": ("genes", "convert genePred to BED12"),
    "genePredToBigGenePred": ("genes", "convert genePred to bigGenePred text"),
    "gtfToBigBed": ("genes", "GTF/GFF3 straight to a bigGenePred bigBed, in one pass"),
}


def function_name(tool: str) -> str:
    """The function implementing ``tool`` in its module: kent's camelCase in snake_case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", tool).lower()


def _overview() -> str:
    width = max(len(n) for n in TOOLS)
    lines = ["usage: trackpack <tool> [options] args...", "", "tools:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in TOOLS.items()]
    lines += ["", "Run a tool with -h (or without arguments) for its usage. Options follow kent's style (-name=value)."]
    return "\n".join(lines)


def _resolve(tool: str):
    module_name, _ = TOOLS[tool]
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, function_name(tool))


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like KeyboardInterrupt, so that partial outputs
    (atomic_output's temporary files, spill files) are removed on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: The signals the console script turns into :class:`Terminated`.
TERMINATING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _raise_terminated(signum: int, frame: object) -> None:
    for other in TERMINATING_SIGNALS:  # a second signal must not cut the cleanup short
        signal.signal(other, signal.SIG_IGN)
    raise Terminated(signum)


def _catch_termination() -> Dict[int, object]:
    """Turn SIGTERM and SIGHUP (kill, timeout, batch schedulers, a closed terminal) into
    :class:`Terminated` where they would otherwise kill the process outright; return the
    handlers replaced, for :func:`_restore_handlers`."""
    saved: Dict[int, object] = {}
    for signum in TERMINATING_SIGNALS:
        if signal.getsignal(signum) == signal.SIG_DFL:
            saved[signum] = signal.signal(signum, _raise_terminated)
    return saved


def _restore_handlers(saved: Dict[int, object]) -> None:
    for signum, handler in saved.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]


def run(tool: str, argv: Sequence[str]) -> int:
    """Run ``tool`` with ``argv``; return its exit status (errors become status 255)."""
    try:
        func = _resolve(tool)
        status = func(list(argv))
        return 0 if status is None else int(status)
    except HelpRequested as request:
        print(request.usage)
        return 0
    except UsageError as err:
        print(str(err), file=sys.stderr)
        return 255
    except TrackpackError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 255
    except FileNotFoundError as err:
        print(f"Error: cannot open {err.filename}: {err.strerror}", file=sys.stderr)
        return 255
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as err:
        name = f" {err.filename}:" if getattr(err, "filename", None) else ""
        print(f"Error:{name} {err.strerror or err}", file=sys.stderr)
        return 255
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated", file=sys.stderr)
        raise
    except MemoryError:
        print("Error: out of memory", file=sys.stderr)
        return 255
    except Exception as err:  # a bug: say so plainly; the traceback on request
        if os.environ.get("TRACKPACK_DEBUG"):
            raise
        print(
            f"Error: internal error in trackpack {tool} ({type(err).__name__}: {err}); "
            "this is a bug, please report it (TRACKPACK_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 255


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the ``trackpack`` console script (``argv`` None: ``sys.argv``).

    As the console script (no ``argv``, main thread) it also catches SIGTERM and SIGHUP
    while it runs, so that a killed conversion removes its partial output, and then dies
    of the signal as it would have.  Called with ``argv`` from another program it leaves
    that program's signal handling alone.
    """
    console = argv is None and threading.current_thread() is threading.main_thread()
    saved = _catch_termination() if console else {}
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:  # e.g. `trackpack --help | head -3`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Terminated as stop:
        _restore_handlers(saved)
        # the partial outputs are gone: now die of the signal, as the caller expects
        signal.signal(stop.signum, signal.SIG_DFL)
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), stop.signum)
        return 128 + stop.signum
    finally:
        _restore_handlers(saved)


def _main(argv: List[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "-help", "help"):
        print(_overview())
        return 0 if argv else 255
    if argv[0] in ("--version", "-version"):
        from .. import __version__

        print(f"trackpack {__version__}")
        return 0
    tool, rest = argv[0], argv[1:]
    if tool not in TOOLS:
        lowered = {n.lower(): n for n in TOOLS}
        hint = lowered.get(tool.lower())
        extra = f" (did you mean {hint}?)" if hint else ""
        print(f"trackpack: unknown tool '{tool}'{extra}\n\n{_overview()}", file=sys.stderr)
        return 255
    return run(tool, rest)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
