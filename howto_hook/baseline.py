"""A baseline for gradual adoption: known violations, hidden until touched.

Entries are keyed by path (relative to the project root), qualified name,
code and a hash of the docstring, never by line numbers, so that edits
elsewhere in a file keep them valid while an edit of the docstring itself
brings its violations back. The file is only written on request.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from typing import FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from howto_hook.model import Violation
from howto_hook.streams import relative

VERSION = 1
Key = Tuple[str, str, str, str]  # (path, symbol, code, docstring hash)


class BaselineError(Exception):
    """The baseline file cannot be used; one line for the user."""


def _rel(path: str, root: str) -> str:
    # on another drive there is no relative path: the absolute one keys it
    return relative(os.path.abspath(path), root).replace(os.sep, "/")


def key(v: Violation, root: str) -> Key:
    return (_rel(v.path, root), v.symbol, v.code, v.doc_hash)


def dumps(violations: Iterable[Violation], root: str) -> str:
    keys = sorted(key(v, root) for v in violations)
    entries = [{"path": p, "symbol": s, "code": c, "docstring": h} for p, s, c, h in keys]
    return json.dumps({"version": VERSION, "entries": entries}, indent=2) + "\n"


# About 150 bytes an entry: room for some 400,000 recorded violations.
MAX_BYTES = 64_000_000


def unwritable(path: str) -> str:
    """Why a baseline cannot be written at `path`, or "" when it can (as far as
    can be told before writing it)."""
    if os.path.isdir(path):
        return f"cannot write baseline {path}: it is a directory"
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        return f"cannot write baseline {path}: there is no directory {directory}"
    if os.path.lexists(path) and not os.path.isfile(path):
        return f"cannot write baseline {path}: it is not a regular file"
    return ""


def save(path: str, text: str) -> None:
    """Write the baseline file whole (a temporary file renamed over it)."""
    problem = unwritable(path)
    if problem:
        raise BaselineError(problem)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".howto-", suffix=".tmp")
    except OSError as e:
        raise BaselineError(f"cannot write baseline {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        raise BaselineError(f"cannot write baseline {path}: {e.strerror or e}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load(path: str) -> "Counter[Key]":
    from howto_hook.safeio import Refused, read_regular

    try:
        raw = read_regular(path, MAX_BYTES)
    except Refused as e:
        raise BaselineError(f"baseline {path}: {e}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise BaselineError(f"baseline {path} is not valid JSON: {e}") from None
    except RecursionError:
        raise BaselineError(f"baseline {path} is not a howto-check baseline "
                            "(nested too deeply)") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or \
            not isinstance(data.get("entries"), list):
        raise BaselineError(f"baseline {path} is not a howto-check baseline (version {VERSION})")
    out: "Counter[Key]" = Counter()
    for e in data["entries"]:
        try:
            k = (e["path"], e["symbol"], e["code"], e["docstring"])
        except (KeyError, TypeError):
            k = None
        if k is None or not all(isinstance(part, str) for part in k):
            raise BaselineError(f"baseline {path} has a malformed entry: {e!r:.200}")
        out[k] += 1
    return out


@dataclass(frozen=True)
class Applied:
    kept: Tuple[Violation, ...]  # violations the baseline does not cover
    hidden: int
    stale: Tuple[Key, ...]  # entries for checked definitions that no longer occur


def apply(violations: Sequence[Violation], known: "Counter[Key]", root: str,
          checked: Set[Tuple[str, str]],
          enabled: Optional[Mapping[str, FrozenSet[str]]] = None) -> Applied:
    """Hide known violations; `checked` holds the (path, symbol) pairs this run saw.

    An entry is stale only when the run judged it and it is not reported: its
    definition was checked (so a partial run never calls the rest of the
    baseline stale), its code was enabled for its file (`enabled`, keyed by
    path as the results name files), and no finding of the same definition
    and code stands in the report (an edited docstring's finding is shown,
    not called gone).
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
    judged = None if enabled is None else {_rel(p, root): c for p, c in enabled.items()}
    shown = {key(v, root)[:3] for v in kept}

    def is_stale(k: Key) -> bool:
        return ((k[0], k[1]) in seen and k[:3] not in shown
                and (judged is None or k[2] in judged.get(k[0], ())))

    stale = tuple(sorted(k for k, n in left.items() if n > 0 and is_stale(k)
                         for _ in range(n)))
    return Applied(tuple(kept), hidden, stale)


def spared(known: "Counter[Key]", path: str, root: str) -> FrozenSet[Tuple[str, str, str]]:
    """(symbol, code, docstring hash) of the entries recorded for one file."""
    rel = _rel(path, root)
    return frozenset(k[1:] for k in known if k[0] == rel)


def checked_pairs(results: Iterable[Tuple[str, Sequence[str]]]) -> Set[Tuple[str, str]]:
    out: Set[Tuple[str, str]] = set()
    for path, symbols in results:
        out.add((path, ""))
        out.update((path, s) for s in symbols)
    return out
