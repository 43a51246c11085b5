"""Compiled Cython kernels (built from cext/*.pyx by setup.py).

Import them through :func:`load`, which turns a missing build into a clear
:class:`~trackpack.errors.KernelsMissingError` instead of a bare ImportError.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import KernelsMissingError


def load(name: str) -> ModuleType:
    """Return kernel module ``trackpack._kernels.<name>`` or explain how to build it."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError as err:
        raise KernelsMissingError(
            f"the compiled kernel '{name}' is not available ({err}); "
            "install trackpack with 'pip install .' so that its Cython kernels are built"
        ) from err
