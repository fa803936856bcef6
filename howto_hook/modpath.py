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


# In a package's names: it binds names nobody can list here (`from os import *`,
# a module that cannot be read), so any name may be exported.
ANY = "*"


@lru_cache(maxsize=1024)
def _package_names(init_file: str) -> frozenset:
    """Names a package's __init__.py binds at its top level (imports, assignments,
    and what its star imports of the package's own modules bind); holds ANY
    when a star import binds names that cannot be listed. An __init__.py that
    cannot be read binds nothing: the package cannot be imported either."""
    names = _bound_names(init_file, 0)
    return frozenset() if names is None else names


def star_names(path: str) -> frozenset:
    """The names `from <the module at path> import *` binds: its `__all__` when
    written out, else its top-level names without a leading underscore; holds
    ANY when some cannot be listed."""
    names = _bound_names(path, 0, public_only=True)
    return frozenset({ANY}) if names is None else names


def _bound_names(path: str, depth: int, public_only: bool = False) -> "frozenset | None":
    """What the module at `path` binds (`public_only`: what a star import of it
    takes); None when it cannot be read or parsed."""
    from howto_hook.safeio import Refused, read_regular

    try:
        tree = ast.parse(read_regular(path))
    except (Refused, OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            names |= _star(path, node, depth)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    if public_only:  # what `import *` takes: __all__ when it is written out, else no _names
        listed = _literal_all(tree)
        return frozenset(listed) if listed is not None else frozenset(
            n for n in names if not n.startswith("_") or n == ANY)
    return frozenset(names)


def _star(path: str, node: ast.ImportFrom, depth: int) -> frozenset:
    """The names `from <node.module> import *` binds in the file at `path`,
    when that module is a file of the same project; {ANY} otherwise."""
    if node.level == 0 or depth > 8:  # another distribution's module, or a cycle
        return frozenset({ANY})
    base = os.path.dirname(os.path.realpath(path))
    for _ in range(node.level - 1):
        base = os.path.dirname(base)
    parts = node.module.split(".") if node.module else []
    stem = os.path.join(base, *parts)
    for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
        if parts and os.path.isfile(candidate):
            names = _bound_names(candidate, depth + 1, public_only=True)
            return frozenset({ANY}) if names is None else names
    return frozenset({ANY})


def _literal_all(tree: ast.Module) -> "list[str] | None":
    """`__all__` when the module assigns it a list or tuple of strings (once, or
    added to with `+=`), else None."""
    found = None
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 \
            else getattr(node, "target", None)
        if not (isinstance(target, ast.Name) and target.id == "__all__"):
            continue
        value = getattr(node, "value", None)
        if not isinstance(value, (ast.List, ast.Tuple)) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
            return None  # built some other way: not listed here
        items = [e.value for e in value.elts]
        found = (found or []) + items if isinstance(node, ast.AugAssign) else items
    return found


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
    names = _package_names(os.path.join(directory, "__init__.py"))
    return name in names or ANY in names
