"""Import rules of the design, checked on the source (no execution needed).

- Writers never import readers (shared structure lives in neutral modules).
- The bigBed reader's import path uses only the standard library and trackpack's own
  pure-Python modules, so it works where no compiler ever ran.
"""
import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "trackpack"

WRITERS = ["bbi/writer.py", "bbi/zoom.py", "bbi/extra_index.py", "bed.py", "extsort.py"]
READER_PATH = [
    "__init__.py",
    "errors.py",
    "files.py",
    "progress.py",
    "autosql.py",
    "bbi/__init__.py",
    "bbi/layout.py",
    "bbi/bptree.py",
    "bbi/rtree.py",
    "bbi/blocks.py",
    "bbi/summary.py",
    "bbi/reader.py",
]


def module_level(tree):
    """Nodes executed at import time: everything except function bodies (lazy imports)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(path: Path, *, lazy_too: bool = True):
    """(module, is_type_checking_only) for every import in ``path``, resolved to absolute names.

    With ``lazy_too=False`` only imports that run at import time count (imports inside
    functions are optional dependencies loaded on use).
    """
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(["trackpack", *path.relative_to(SRC).parent.parts])
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in ast.walk(node):
                guarded.add(id(sub))
    for node in (ast.walk(tree) if lazy_too else module_level(tree)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in guarded
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module, id(node) in guarded
            for alias in node.names:  # "from . import x" imports module x
                yield f"{module}.{alias.name}", id(node) in guarded


def standard_library_names():
    """Top-level names of the standard library (sys.stdlib_module_names before 3.10)."""
    if hasattr(sys, "stdlib_module_names"):
        return sys.stdlib_module_names
    import pkgutil
    import sysconfig

    stdlib = sysconfig.get_paths()["stdlib"]
    found = {m.name for m in pkgutil.iter_modules([stdlib, stdlib + "/lib-dynload"])}
    return found | set(sys.builtin_module_names)


def is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (SRC / rel).with_suffix(".py").is_file() or (SRC / rel / "__init__.py").is_file()


def existing(paths):
    found = [p for p in paths if (SRC / p).is_file()]
    if not found:
        pytest.skip("no such modules yet")
    return found


@pytest.mark.parametrize("rel", WRITERS)
def test_writers_never_import_readers(rel):
    if not (SRC / rel).is_file():
        pytest.skip(f"{rel} not written yet")
    for module, _ in imported_modules(SRC / rel):
        assert not module.startswith("trackpack.bbi.reader"), f"{rel} imports {module}"


@pytest.mark.parametrize("rel", READER_PATH)
def test_reader_import_path_is_standard_library_only(rel):
    if not (SRC / rel).is_file():
        pytest.skip(f"{rel} not written yet")
    stdlib = standard_library_names()
    allowed_own = {f"trackpack.{p[:-3].replace('/', '.')}".replace(".__init__", "") for p in READER_PATH}
    for module, type_only in imported_modules(SRC / rel, lazy_too=False):
        if type_only or module == "__future__":
            continue
        top = module.split(".")[0]
        if top == "trackpack" and not is_module(module):
            continue  # "from trackpack.x import name" also yields x.name: a name, not a module
        if top == "trackpack":
            # submodules imported lazily inside functions are checked where they are defined
            if module in allowed_own or any(module.startswith(m + ".") for m in allowed_own if m.endswith("errors")):
                continue
            if rel == "__init__.py":
                continue  # the package root only imports its lazy table eagerly (checked below)
            assert module in allowed_own, f"{rel} imports {module}, which is not on the pure reader path"
        else:
            assert top in stdlib, f"{rel} imports third-party module {module}"


def test_package_root_imports_nothing_heavy_eagerly():
    """`import trackpack` must not load numpy or the compiled kernels."""
    import subprocess

    code = (
        "import sys, trackpack; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('numpy', 'zstandard') or m.startswith('trackpack._kernels.')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
