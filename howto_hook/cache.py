"""The result cache of `--all` runs, under `.howto_cache/check/`.

A file's results are kept under a key made of howto-check's version, the
settings, the enabled rules, the file's bytes and what HOW402 reads beside
it (its module path and its packages' `__init__.py` files). A second run
over an unchanged tree then reads each file and its cache entry and parses
nothing. Entries hold no path, so the same entry serves runs from any
directory.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from functools import lru_cache
from typing import Dict, FrozenSet, Optional

from howto_hook import __version__
from howto_hook.config import Settings
from howto_hook.model import FileResult, Violation

SCHEMA = "3"  # 3: literal text is not structure; passing is structural


def ensure_dir(root: str) -> str:
    """`.howto_cache/` under root, with a .gitignore that keeps it out of git."""
    directory = os.path.join(root, ".howto_cache")
    os.makedirs(directory, exist_ok=True)
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as f:
            f.write("*\n")
    return directory


def write_json(path: str, data: object) -> None:
    """Write a cache entry in one rename, so that a reader never sees half of it.

    A cache that cannot be written only costs time on a later run, so a
    failure here is not an error.
    """
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        # a directory (or anything else) where the entry should be: leave
        # no temporary file beside it
        try:
            os.unlink(tmp)
        except OSError:
            pass


def read_json(path: str) -> object:
    """A cache entry, or None when there is none (or it is unreadable, not a
    regular file, or absurdly large: a cache entry is a few kilobytes)."""
    from howto_hook.safeio import Refused, read_regular

    try:
        return json.loads(read_regular(path, 1 << 24))
    except (Refused, ValueError, RecursionError):
        return None


@lru_cache(maxsize=64)
def settings_token(settings: Settings, enabled: FrozenSet[str]) -> str:
    # what the per-file check never reads (HOW403 runs after it) shares entries
    neutral = settings.with_changes(root="", config_path=None, baseline=None, diff_base=None,
                                    run_examples=False, example_timeout=10.0,
                                    example_python=None)
    # the interpreter's grammar decides HOW204 and HOW401: a 3.12 example is
    # valid under 3.13 and not under 3.9, so one cache must not serve both
    interpreter = f"{sys.implementation.name}|{sys.version}"
    return hashlib.sha256(f"{__version__}|{SCHEMA}|{interpreter}|{neutral!r}|{sorted(enabled)}"
                          .encode()).hexdigest()


def _packages(directory: str) -> str:
    """What HOW402 depends on beside a file of `directory`: the __init__.py
    files above it."""
    out = []
    while True:
        init = os.path.join(directory, "__init__.py")
        try:
            st = os.stat(init)
        except OSError:
            break
        out.append(f"{init}:{st.st_size}:{st.st_mtime_ns}")
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return "|".join(out)


def key(data: bytes, path: str, token: str, packages: Optional[str] = None) -> str:
    """A file's entry name; `packages`: _packages of its directory, when known."""
    if packages is None:
        packages = _packages(os.path.dirname(os.path.abspath(path)))
    h = hashlib.sha256(token.encode())
    h.update(os.path.basename(path).encode("utf-8", "surrogateescape"))
    h.update(packages.encode("utf-8", "surrogateescape"))
    h.update(data)
    return h.hexdigest()


def _ints(*values: object) -> bool:
    return all(type(v) is int and v >= 0 for v in values)


def _strs(values: object) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


class ResultCache:
    """Entries under `<root>/.howto_cache/check/`; call ensure_dir(root) once first."""

    def __init__(self, root: str) -> None:
        self.directory = os.path.join(root, ".howto_cache", "check")
        self._packages: Dict[str, str] = {}  # per directory, for this store's run

    def key(self, data: bytes, path: str, token: str) -> str:
        """`key`, with the packages above each directory looked at once."""
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in self._packages:
            self._packages[directory] = _packages(directory)
        return key(data, path, token, self._packages[directory])

    def _path(self, k: str) -> str:
        return os.path.join(self.directory, k[:2], k + ".json")

    def get(self, k: str, display: str) -> Optional[FileResult]:
        """The cached result, or None (then the file is checked again) when there
        is none or it is not of the shape `put` writes (a hand-edited or
        damaged entry must never reach the report)."""
        raw = read_json(self._path(k))
        if not (isinstance(raw, dict) and _ints(raw.get("c"), raw.get("p"))
                and isinstance(raw.get("v"), list) and _strs(raw.get("s"))):
            return None
        violations = []
        for v in raw["v"]:
            if not (isinstance(v, list) and len(v) == 8 and _ints(v[0], v[1], v[6], v[7])
                    and _strs(v[2:6])):
                return None
            violations.append(Violation(display, *v))
        return FileResult(display, tuple(violations), raw["c"], raw["p"], tuple(raw["s"]))

    def put(self, k: str, result: FileResult) -> None:
        path = self._path(k)
        raw = {"v": [[v.line, v.col, v.code, v.message, v.symbol, v.doc_hash, v.end_line, v.end_col]
                     for v in result.violations],
               "c": result.checked, "p": result.passing, "s": list(result.symbols)}
        write_json(path, raw)
