"""The result cache of `--all` runs, under `.howto_cache/check/`.

A file's results are kept under a key made of howto-check's version, the
settings, the enabled rules, the file's bytes and what HOW402 reads beside
it (its module path and its packages' `__init__.py` files). A second run
over an unchanged tree then reads each file and its cache entry and parses
nothing. Entries hold no path, so the same entry serves runs from any
directory.

The cache lives in the repository, where anyone who can commit can write
it: every entry (here and the LLM's answers) is sealed with an HMAC under a
key only this user has (`<data dir>/cache-key`, made 0600 on first use),
over the entry's name and value, so that a committed, copied or renamed
entry never validates. A cache directory that git tracks or that holds
symbolic links is neither read nor written (said once).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Optional, Set

from howto_hook import __version__, trust
from howto_hook.config import Settings
from howto_hook.model import FileResult, Violation

SCHEMA = "4"  # 4: entries sealed with the user's key; 3: literal text is not structure


def ensure_dir(root: str) -> str:
    """`.howto_cache/` under root, with a .gitignore that keeps it out of git;
    OSError when the cache there must not be used (see `refusal`)."""
    why = refusal(root)
    if why is not None:
        raise OSError(why)
    directory = os.path.join(root, ".howto_cache")
    os.makedirs(directory, exist_ok=True)
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.lexists(ignore):  # a dangling link must not create its target
        try:
            fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileExistsError:
            pass  # another run made it first
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("*\n")
    return directory


# --- who may write the cache ------------------------------------------------------

_SAID: Set[str] = set()


def refusal(root: str) -> Optional[str]:
    """Why the cache under `root` must be neither read nor written, or None.

    Asked afresh each time (a commit may add the cache to git between two
    runs of one process); each refusal is said on stderr once.
    """
    why = _refusal(root)
    if why is not None and why not in _SAID:
        _SAID.add(why)
        sys.stderr.write(f"howto-check: {why}: the cache is neither read nor written\n")
    return why


def _refusal(root: str) -> Optional[str]:
    from howto_hook import diff

    directory = os.path.join(root, ".howto_cache")
    for name in ("", "check", "llm", "batches", ".gitignore"):
        path = os.path.join(directory, name) if name else directory
        if os.path.islink(path):
            return f"{path} is a symbolic link"
    if os.path.isdir(directory) and diff.tracks(root, ".howto_cache"):
        return (f"git tracks files in {directory} (git rm -r --cached .howto_cache "
                "to stop it)")
    if secret() is None:
        return f"no cache key could be read or made in {trust.data_dir(os.environ)}"
    return None


def secret() -> Optional[bytes]:
    """The user's cache key, made on first use; None when it can be neither
    read nor made (then nothing is cached)."""
    return _secret(trust.data_dir(os.environ))


@lru_cache(maxsize=None)
def _secret(directory: str) -> Optional[bytes]:
    from howto_hook.safeio import Refused, read_regular

    path = os.path.join(directory, "cache-key")
    try:
        key = read_regular(path, 4096).strip()
        return key if len(key) >= 32 else None  # a short key would be a weak seal
    except Refused:
        pass
    import secrets  # the key is made once per user: a run that has one loads neither
    import tempfile

    try:
        trust.private_dir(directory)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cache-key-")  # 0600
    except OSError:
        return None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # appears whole, and never replaces another run's key
        except FileExistsError:
            pass
        return read_regular(path, 4096).strip() or None
    except (OSError, Refused):
        return None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _mac(kind: str, name: str, value: Any) -> Optional[str]:
    key = secret()
    if key is None:
        return None
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, f"{kind}\0{name}\0{text}".encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def seal(kind: str, name: str, value: Any) -> Optional[Dict[str, Any]]:
    """`value` as an entry named `name` of cache `kind`, with its HMAC."""
    mac = _mac(kind, name, value)
    return None if mac is None else {"h": mac, "d": value}


def unseal(kind: str, name: str, raw: Any) -> Any:
    """The value of a sealed entry, or None when it was not sealed by this
    user's key for this name (forged, copied from elsewhere, renamed)."""
    if not (isinstance(raw, dict) and isinstance(raw.get("h"), str) and "d" in raw):
        return None
    mac = _mac(kind, name, raw["d"])
    return raw["d"] if mac is not None and hmac.compare_digest(mac, raw["h"]) else None


def write_json(path: str, data: object) -> None:
    """Write a cache entry in one rename, so that a reader never sees half of it.

    A cache that cannot be written only costs time on a later run, so a
    failure here is not an error.
    """
    try:
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        if os.path.islink(directory):
            return  # planted: writing through it would land elsewhere
        import tempfile  # a warm run writes nothing: random and shutil stay out

        # mkstemp: a fresh name opened O_EXCL, so no planted link is followed
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".entry-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, path)
    except (OSError, ValueError):
        # a directory (or anything else) where the entry should be: leave
        # no temporary file beside it
        try:
            os.unlink(tmp)
        except OSError:
            pass


def read_json(path: str) -> object:
    """A cache entry, or None when there is none (or it is unreadable, not a
    regular file, a link, or absurdly large: a cache entry is a few kilobytes)."""
    from howto_hook.safeio import Refused, read_regular

    if os.path.islink(path) or os.path.islink(os.path.dirname(path)):
        return None
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
        raw = unseal("check", k, read_json(self._path(k)))
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
        sealed = seal("check", k, raw)
        if sealed is not None:
            write_json(path, sealed)
