"""Text in and out of the gene conversions: input lines, outputs, and kent's messages.

Annotation files are read as UTF-8 with undecodable bytes kept as surrogates (so names in
another encoding pass through unchanged, as they do through kent's tools); the text
outputs write them back as the same bytes.
"""
from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

from ..files import atomic_output

__all__ = ["Report", "decode_line", "report_to_stderr", "text_output"]

#: receives each message kent would print on stderr (errors under -allErrors, warnings)
Report = Callable[[str], None]


def decode_line(raw: bytes) -> str:
    """A raw input line as text, without its newline (``\\n``, ``\\r\\n`` or a lone ``\\r`` at
    the end)."""
    text = raw.decode("utf-8", "surrogateescape")
    if text.endswith("\n"):
        text = text[:-1]
    if text.endswith("\r"):
        text = text[:-1]
    return text


def report_to_stderr(text: str) -> None:
    """The default :data:`Report`: print the message on standard error."""
    print(text, file=sys.stderr)


@contextmanager
def text_output(target) -> Iterator[TextIO]:
    """A text file written atomically to ``target`` (a path or ``stdout``), UTF-8 with
    surrogate-escaped bytes written back as they were read; nothing is left on failure."""
    with atomic_output(target, "wb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="\n")
        try:
            yield text
            text.flush()
        finally:
            text.detach()
