"""The dotted module path a file is imported by, from where it sits on disk.

Packages are directories holding `__init__.py`; the walk up stops at the
first directory without one, which is the import root (the project root, a
`src/` directory, a `site-packages`).
"""
from __future__ import annotations

import os


def module_path(path: str) -> str:
    full = os.path.abspath(path)
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
