"""The dotted module path a file is imported by, from where it sits on disk.

Packages are directories holding `__init__.py`; the walk up stops at the
first directory without one, which is the import root (the project root, a
`src/` directory, a `site-packages`).
"""
from __future__ import annotations

import ast
import os
from functools import lru_cache


def module_path(path: str) -> str:
    # the real file: a link's name (`link.py -> pkg/mod.py`) is not what imports it
    full = os.path.realpath(path)
    directory, name = os.path.split(full)
    stem = name[:-3] if name.endswith(".py") else (name[:-4] if name.endswith(".pyi") else name)
    parts = [] if stem == "__init__" else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parts.insert(0, os.path.basename(directory))
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return ".".join(parts)


def importable(dotted: str) -> bool:
    """Whether `from <dotted> import x` is valid syntax."""
    return bool(dotted) and all(p.isidentifier() for p in dotted.split("."))


@lru_cache(maxsize=4096)
def module_of_file(path: str) -> str:
    """module_path, remembered: rules ask for every definition of a file."""
    return module_path(path)


@lru_cache(maxsize=1024)
def _package_names(init_file: str) -> frozenset:
    """Names a package's __init__.py binds at its top level (imports, assignments)."""
    from howto_hook.safeio import Refused, read_regular

    try:
        tree = ast.parse(read_regular(init_file))
    except (Refused, SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def exports(path: str, module: str, name: str) -> bool:
    """Whether `from module import name` reaches the definition in file `path`.

    True for the file's own module, and for a package above it whose
    `__init__.py` binds the name (a re-export).
    """
    real = module_of_file(os.path.abspath(path))
    if not real or module == real:
        return True
    if not real.startswith(module + "."):
        return False
    # The file's directory is the package `here`; walk up to the package `module`.
    full = os.path.realpath(path)
    here = real if os.path.basename(full) == "__init__.py" else real.rpartition(".")[0]
    directory = os.path.dirname(full)
    for _ in range(here.count(".") - module.count(".")):
        directory = os.path.dirname(directory)
    return name in _package_names(os.path.join(directory, "__init__.py"))
