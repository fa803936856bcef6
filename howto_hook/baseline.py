"""A baseline for gradual adoption: known violations, hidden until touched.

Entries are keyed by path (relative to the project root), qualified name,
code and a hash of the docstring, never by line numbers, so that edits
elsewhere in a file keep them valid while an edit of the docstring itself
brings its violations back. The file is only written on request.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, List, Sequence, Set, Tuple

from howto_hook.model import Violation

VERSION = 1
Key = Tuple[str, str, str, str]  # (path, symbol, code, docstring hash)


class BaselineError(Exception):
    """The baseline file cannot be used; one line for the user."""


def _rel(path: str, root: str) -> str:
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def key(v: Violation, root: str) -> Key:
    return (_rel(v.path, root), v.symbol, v.code, v.doc_hash)


def dumps(violations: Iterable[Violation], root: str) -> str:
    keys = sorted(key(v, root) for v in violations)
    entries = [{"path": p, "symbol": s, "code": c, "docstring": h} for p, s, c, h in keys]
    return json.dumps({"version": VERSION, "entries": entries}, indent=2) + "\n"


def load(path: str) -> "Counter[Key]":
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise BaselineError(f"cannot read baseline {path}: {e.strerror or e}") from None
    except ValueError as e:
        raise BaselineError(f"baseline {path} is not valid JSON: {e}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or \
            not isinstance(data.get("entries"), list):
        raise BaselineError(f"baseline {path} is not a howto-check baseline (version {VERSION})")
    out: "Counter[Key]" = Counter()
    for e in data["entries"]:
        try:
            out[(e["path"], e["symbol"], e["code"], e["docstring"])] += 1
        except (KeyError, TypeError):
            raise BaselineError(f"baseline {path} has a malformed entry: {e!r}") from None
    return out


@dataclass(frozen=True)
class Applied:
    kept: Tuple[Violation, ...]  # violations the baseline does not cover
    hidden: int
    stale: Tuple[Key, ...]  # entries for checked definitions that no longer occur


def apply(violations: Sequence[Violation], known: "Counter[Key]", root: str,
          checked: Set[Tuple[str, str]]) -> Applied:
    """Hide known violations; `checked` holds the (path, symbol) pairs this run saw.

    An entry is stale only when its definition was checked in this run, so a
    partial run (one commit's files) never calls the rest of the baseline stale.
    """
    left = Counter(known)
    kept: List[Violation] = []
    hidden = 0
    for v in violations:
        k = key(v, root)
        if left[k] > 0:
            left[k] -= 1
            hidden += 1
        else:
            kept.append(v)
    seen = {(_rel(p, root), s) for p, s in checked}
    stale = tuple(sorted(k for k, n in left.items() if n > 0 and (k[0], k[1]) in seen
                         for _ in range(n)))
    return Applied(tuple(kept), hidden, stale)


def checked_pairs(results: Iterable[Tuple[str, Sequence[str]]]) -> Set[Tuple[str, str]]:
    out: Set[Tuple[str, str]] = set()
    for path, symbols in results:
        out.add((path, ""))
        out.update((path, s) for s in symbols)
    return out
