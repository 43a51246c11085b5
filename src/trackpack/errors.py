"""The one exception family of trackpack.

Every error raised on purpose derives from :class:`TrackpackError` and carries where it
happened (``path``, text ``line`` or byte ``offset``) and what is wrong.  Each concrete
class also derives from the builtin a caller would naturally catch (``ValueError`` for bad
data, ``KeyError`` for unknown names, ...), so ``except ValueError`` keeps working.

Messages read ``path:line: what`` for text input and ``path: byte N: what`` for binary
input, so a user can jump straight to the problem.
"""
from __future__ import annotations

import os
from typing import Any, Optional, Union

__all__ = [
    "TrackpackError",
    "FormatError",
    "NotFoundError",
    "OutOfRangeError",
    "ArgumentError",
    "ClosedFileError",
    "UsageError",
    "KernelsMissingError",
]

PathLike = Union[str, "os.PathLike[str]", None]


class TrackpackError(Exception):
    """Base class of every error trackpack raises on purpose.

    Attributes:
        what: what is wrong, in words.
        path: the file concerned, when there is one.
        line: 1-based line number in a text input.
        offset: byte offset in a binary input.
        structure: the on-disk structure being read (e.g. ``"R-tree node"``).
        expected, found: for mismatches, what was expected and what was found.
    """

    def __init__(
        self,
        what: str,
        *,
        path: PathLike = None,
        line: Optional[int] = None,
        offset: Optional[int] = None,
        structure: Optional[str] = None,
        expected: Any = None,
        found: Any = None,
    ) -> None:
        self.what = what
        self.path = os.fspath(path) if path is not None else None
        self.line = line
        self.offset = offset
        self.structure = structure
        self.expected = expected
        self.found = found
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full message: location first, then what is wrong."""
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
        elif self.line is not None:
            where = f"line {self.line}"
        if self.offset is not None:
            where += (": " if where else "") + f"byte {self.offset}"
        if self.structure:
            where += f" ({self.structure})"
        what = self.what
        if self.expected is not None or self.found is not None:
            what += f" (expected {self.expected}, found {self.found})"
        return f"{where}: {what}" if where else what

    def __str__(self) -> str:  # KeyError would otherwise show the repr of the message
        return self.message

    def __reduce__(self):  # keep the context when pickled across processes
        state = dict(
            path=self.path,
            line=self.line,
            offset=self.offset,
            structure=self.structure,
            expected=self.expected,
            found=self.found,
        )
        return (_rebuild, (type(self), self.what, state))


def _rebuild(cls, what, state):
    return cls(what, **state)


class FormatError(TrackpackError, ValueError):
    """Input that does not follow its format: corrupt binary data or malformed text."""


class NotFoundError(TrackpackError, KeyError):
    """A sequence, chromosome, field or index name that the file does not have."""


class OutOfRangeError(TrackpackError, IndexError):
    """Coordinates outside a sequence or chromosome, or an inverted range."""


class ArgumentError(TrackpackError, TypeError):
    """An argument of the wrong kind (e.g. a number where a path was expected)."""


class ClosedFileError(TrackpackError, ValueError):
    """Use of a reader after it was closed."""


class UsageError(TrackpackError, ValueError):
    """Options that contradict each other or cannot be honoured (CLI or API)."""


class KernelsMissingError(TrackpackError, ImportError):
    """The compiled Cython kernels are not available in this installation."""
