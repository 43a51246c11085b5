"""trackpack: fast, exact engine for UCSC genome-browser binary formats.

.2bit and .nib sequence files, bigBed indexed annotation files, and the gene-annotation
path GTF/GFF3 -> genePred -> bigGenePred.  Coordinates are 0-based and half-open
everywhere, as in the files themselves.

Public API (imported lazily, so ``import trackpack`` needs only the standard library and
the pure-Python bigBed reader works where no compiler ever ran):

- :class:`TwoBitFile`, :func:`write_twobit` - .2bit sequence files
- :class:`NibFile`, :func:`write_nib` - .nib sequence files
- :func:`read_fasta` - streaming FASTA reader
- :class:`BigBedFile` - bigBed reader (pure Python)
- :func:`write_bigbed` - BED -> bigBed writer
- :mod:`trackpack.bins` - UCSC binning scheme
- :class:`FormatError` and the rest of the :mod:`trackpack.errors` family
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ArgumentError,
    ClosedFileError,
    FormatError,
    KernelsMissingError,
    NotFoundError,
    OutOfRangeError,
    TrackpackError,
    UsageError,
)

__version__ = "0.1.0"

# public name -> module that defines it; loaded on first use (PEP 562).
_LAZY = {
    "TwoBitFile": "trackpack.twobit",
    "write_twobit": "trackpack.twobit",
    "NibFile": "trackpack.nib",
    "write_nib": "trackpack.nib",
    "read_fasta": "trackpack.fasta",
    "BigBedFile": "trackpack.bbi.reader",
    "write_bigbed": "trackpack.bbi.writer",
    "bins": "trackpack.bins",
}

__all__ = [
    "__version__",
    "TrackpackError",
    "FormatError",
    "NotFoundError",
    "OutOfRangeError",
    "ArgumentError",
    "ClosedFileError",
    "UsageError",
    "KernelsMissingError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'trackpack' has no attribute '{name}'")
    module = importlib.import_module(module_name)
    value = module if module_name.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import bins
    from .bbi.reader import BigBedFile
    from .bbi.writer import write_bigbed
    from .fasta import read_fasta
    from .nib import NibFile, write_nib
    from .twobit import TwoBitFile, write_twobit
