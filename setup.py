"""Build script: compiles every Cython kernel in cext/ into trackpack._kernels.<name>.

Declarative metadata lives in pyproject.toml; this file only declares the extensions, so
adding a kernel means adding cext/<name>.pyx and nothing else.
"""
from pathlib import Path

from setuptools import Extension, setup

HERE = Path(__file__).parent
KERNEL_DIR = "cext"

# Portable optimisation only: never tune for the build host's CPU (wheels must run anywhere).
COMPILE_ARGS = ["-O3"]

# The same directives for every kernel module; bounds checks are switched off per function
# inside the kernels, never globally.
DIRECTIVES = {
    "language_level": 3,
    "embedsignature": True,
    "binding": False,
}


def kernel_extensions():
    from Cython.Build import cythonize

    sources = sorted(p.relative_to(HERE).as_posix() for p in (HERE / KERNEL_DIR).glob("*.pyx"))
    extensions = [
        Extension(
            f"trackpack._kernels.{Path(src).stem}",
            [src],
            extra_compile_args=COMPILE_ARGS,
        )
        for src in sources
    ]
    # include_path lets kernels cimport the helpers shared through cext/*.pxd
    return cythonize(
        extensions, compiler_directives=DIRECTIVES, include_path=[KERNEL_DIR], nthreads=2, quiet=True
    )


setup(ext_modules=kernel_extensions())
