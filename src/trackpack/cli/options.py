"""Command-line parsing the way kent's tools do it, so their command lines work unchanged.

kent's rules (src/lib/options.c), restated:

- A word is an option if it starts with ``-`` (but ``-`` alone is an argument, e.g. a
  minus strand), or if it contains ``=`` and every character before the ``=`` is a
  letter, digit, ``_`` or ``-`` (so ``type=bed6`` is an option, ``a/b=c`` is not).
- ``-name`` sets a flag; ``-name=value`` and ``name=value`` set a value.
- Options may appear anywhere among the arguments; ``--`` ends option parsing.
- Unknown options and values of the wrong type are errors.
- Every tool also accepts ``-verbose=N``; trackpack adds ``-q`` (no progress display).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union

from ..errors import UsageError

__all__ = ["OptionKind", "Parsed", "parse_args", "MULTI"]


class _Multi:
    """Marker for options that may repeat (kent OPTION_MULTI): values collect in a list."""

    def __repr__(self) -> str:
        return "MULTI"


MULTI = _Multi()
OptionKind = Union[Type[bool], Type[str], Type[int], Type[float], _Multi]

COMMON_OPTIONS: Dict[str, OptionKind] = {"verbose": int, "q": bool}

#: Words that ask for a tool's usage text (kent's tools know none; a newcomer types them).
HELP_WORDS = ("-h", "-help", "--help")


class HelpRequested(Exception):
    """The user asked for a tool's usage text: print it on stdout and exit 0."""

    def __init__(self, usage: str) -> None:
        super().__init__(usage)
        self.usage = usage

_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_-]*\Z")


@dataclass
class Parsed:
    """Result of parsing: positional ``args`` and ``opts`` (name -> value)."""

    args: List[str]
    opts: Dict[str, object] = field(default_factory=dict)

    def get(self, name: str, default=None):
        """Value of option ``name``, or ``default`` when it was not given."""
        return self.opts.get(name, default)

    def flag(self, name: str) -> bool:
        """True when boolean option ``name`` was given."""
        return bool(self.opts.get(name, False))

    @property
    def progress(self) -> Optional[bool]:
        """``progress=`` argument for the API: False with -q or -verbose=0, else auto."""
        if self.opts.get("q") or self.opts.get("verbose") == 0:
            return False
        return None


def _split_option(word: str) -> Optional[Tuple[str, Optional[str]]]:
    """Return (name, value) when ``word`` is an option by kent's rules, else None."""
    eq = word.find("=")
    if eq < 0 and not word.startswith("-"):
        return None
    if word.startswith("-") and (len(word) == 1 or word[1].isspace()):
        return None
    if eq >= 0 and not _NAME_CHARS.match(word[:eq]):
        return None
    body = word[1:] if word.startswith("-") else word
    if eq >= 0:
        name, value = body.split("=", 1)
        return name, value
    return body, None


def _convert(name: str, kind: OptionKind, value: Optional[str]):
    if kind is bool:
        if value is not None:
            raise UsageError(f"boolean option -{name} must not have value")
        return True
    if value is None:
        label = {str: "string", int: "int", float: "float"}.get(kind, "string")  # type: ignore[arg-type]
        raise UsageError(f"{label} option -{name} must have a value")
    if kind is int:
        if not _INT.match(value):
            raise UsageError(f'value of -{name} is not a valid integer: "{value}"')
        return int(value)
    if kind is float:
        if not _FLOAT.match(value):
            raise UsageError(f'value of -{name} is not a valid float: "{value}"')
        return float(value)
    return value


def parse_args(
    argv: Sequence[str],
    options: Mapping[str, OptionKind],
    usage: str,
    *,
    nargs: Union[int, Tuple[int, Optional[int]]],
) -> Parsed:
    """Parse ``argv`` (without the tool name) by kent's rules.

    Args:
        argv: the words after the tool name.
        options: allowed option names and kinds (``bool``, ``str``, ``int``, ``float`` or
            :data:`MULTI` for repeatable string options).
        usage: the tool's usage text, raised when the argument count is wrong.
        nargs: exact number of positional arguments, or ``(min, max)`` with max None for
            unbounded.

    Raises:
        UsageError: unknown option, bad value, or wrong number of arguments.
        HelpRequested: ``-h``, ``-help`` or ``--help`` among the words.
    """
    allowed = dict(COMMON_OPTIONS)
    allowed.update(options)
    args: List[str] = []
    opts: Dict[str, object] = {}
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            args.extend(words[i:])
            break
        if word in HELP_WORDS:
            raise HelpRequested(usage.rstrip("\n"))
        split = _split_option(word)
        if split is None:
            args.append(word)
            continue
        name, value = split
        if name not in allowed:
            raise UsageError(f"-{name} is not a valid option")
        kind = allowed[name]
        if kind is MULTI:
            if value is None:
                raise UsageError(f"string option -{name} must have a value")
            opts.setdefault(name, []).append(value)  # type: ignore[union-attr]
        else:
            opts[name] = _convert(name, kind, value)
    low, high = (nargs, nargs) if isinstance(nargs, int) else nargs
    if len(args) < low or (high is not None and len(args) > high):
        raise UsageError(usage.rstrip("\n"))
    return Parsed(args, opts)
