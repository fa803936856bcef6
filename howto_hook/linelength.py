"""The line length a project's formatter keeps, found from a file's directory up.

This lookup is separate from finding the howto configuration: a
`pyproject.toml` holding only `[tool.ruff]` still says how wide lines are.
Order: the nearest `.ruff.toml`, `ruff.toml` or `pyproject.toml`
`[tool.ruff]` that sets `line-length`; else the nearest `[tool.black]`
`line-length`; else 88 (both formatters' default). The howto `line-length`
key, when set, wins over all of these (the caller applies it).
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any, Mapping, Optional, Tuple

from howto_hook.wrap import DEFAULT_LINE_LENGTH

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - older interpreters only
    import tomli as tomllib


def _read(path: str) -> Mapping[str, Any]:
    """A TOML file's table; {} when it is missing or unreadable (the formatters
    report a broken config of their own; fixing must not fail over it)."""
    from howto_hook.safeio import Refused, read_regular

    try:
        return tomllib.loads(read_regular(path).decode("utf-8"))
    except (Refused, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack, in a table
        # that is not ours; the default width serves as well
        return {}


def _length(table: Any) -> Optional[int]:
    value = table.get("line-length") if isinstance(table, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


@functools.lru_cache(maxsize=None)
def _in_directory(directory: str) -> Tuple[Optional[int], Optional[int]]:
    """(ruff's, black's) line-length as configured in this directory's files."""
    ruff = None
    for name in (".ruff.toml", "ruff.toml"):
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            ruff = ruff or _length(_read(candidate))
    black = None
    pyproject = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(pyproject):
        tool = _read(pyproject).get("tool", {})
        if isinstance(tool, dict):
            ruff = ruff or _length(tool.get("ruff"))
            black = _length(tool.get("black"))
    return ruff, black


@functools.lru_cache(maxsize=None)
def for_directory(directory: str) -> int:
    here = os.path.abspath(directory)
    black: Optional[int] = None
    while True:
        ruff, found = _in_directory(here)
        if ruff is not None:
            return ruff
        black = black or found
        parent = os.path.dirname(here)
        if parent == here:
            return black or DEFAULT_LINE_LENGTH
        here = parent


def for_file(path: str) -> int:
    """The line length for lines written into the file at `path`."""
    return for_directory(os.path.dirname(os.path.abspath(path)))
