"""Progress display for long jobs: on a terminal only, never in pipes, logs or with -q.

Standard library only.  A :class:`Progress` is cheap to update in a loop: it redraws at
most a few times a second, and does nothing at all when disabled.
"""
from __future__ import annotations

import os
import sys
import time
from typing import IO, Optional

__all__ = ["Progress", "Phases", "progress_enabled"]

#: Set to 1 to silence progress everywhere (the CLI's -q sets it for its own run).
QUIET_ENV = "TRACKPACK_QUIET"


def progress_enabled(requested: Optional[bool], stream: IO[str]) -> bool:
    """Resolve a ``progress=`` argument: None means "only when ``stream`` is a terminal"."""
    if requested is not None:
        return requested
    if os.environ.get(QUIET_ENV, "") not in ("", "0"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _human(n: float, unit: str) -> str:
    if unit == "B":
        for suffix in ("B", "KB", "MB", "GB", "TB"):
            if abs(n) < 1024 or suffix == "TB":
                return f"{n:.1f} {suffix}" if suffix != "B" else f"{int(n)} B"
            n /= 1024
    return f"{int(n):,} {unit}".rstrip()


class Progress:
    """A one-line progress report on stderr.

    Use as a context manager; call :meth:`update` with the amount done since the last
    call (or :meth:`set` with the absolute position).  ``total`` may be unknown (None).
    """

    def __init__(
        self,
        label: str,
        total: Optional[float] = None,
        unit: str = "",
        *,
        enabled: Optional[bool] = None,
        stream: Optional[IO[str]] = None,
        interval: float = 0.25,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = progress_enabled(enabled, self.stream)
        self.done = 0.0
        self._interval = interval
        self._start = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def update(self, amount: float = 1) -> None:
        """Advance by ``amount``."""
        self.done += amount
        if self.enabled:
            self._maybe_draw()

    def set(self, position: float) -> None:
        """Set the absolute position."""
        self.done = position
        if self.enabled:
            self._maybe_draw()

    def _maybe_draw(self) -> None:
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._start, 1e-9)
        text = f"\r{self.label}: {_human(self.done, self.unit)}"
        if self.total:
            text += f" / {_human(self.total, self.unit)} ({100.0 * self.done / self.total:5.1f}%)"
        text += f"  {_human(self.done / elapsed, self.unit)}/s"
        self.stream.write(text + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Draw the final state and end the line (only if anything was drawn)."""
        if self.enabled and self._drawn:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
        self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Phases:
    """One progress line for a job of several phases, naming the phase under way.

    Each phase is a :class:`Progress` of its own (label, total, unit, rate), drawn over the
    same line as soon as it starts, so the later phases of a job (say the indexes after
    the data) show as moving rather than as a stalled percentage.
    """

    def __init__(self, job: str, *, enabled: Optional[bool] = None, stream: Optional[IO[str]] = None) -> None:
        self.job = job
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = progress_enabled(enabled, self.stream)
        self.current: Optional[Progress] = None

    def start(self, name: str, total: Optional[float] = None, unit: str = "") -> Progress:
        """Begin phase ``name`` and return its Progress (the previous phase ends)."""
        if self.current is not None:
            self.current.enabled = False  # left as it is: this phase draws over its line
        self.current = Progress(f"{self.job}, {name}", total=total, unit=unit, enabled=self.enabled, stream=self.stream)
        self.current.set(0)  # draw at once
        return self.current

    def close(self) -> None:
        """End the line (if anything was drawn)."""
        if self.current is not None:
            self.current.close()

    def __enter__(self) -> "Phases":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
