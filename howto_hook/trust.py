"""Which settings a repository's config may set on its own, and the user's
record of the config files they trusted.

A linter runs on code someone else wrote: a clone, a pull request in CI, a
commit hook in a fresh checkout. The settings that run code (`run-examples`,
`example-python`) or choose where the source and the API key go
(`fix.generator`, `llm.base-url`, `llm.api-key-env`) therefore count from a
repository's config file only once the user trusted that file, as `direnv
allow` and `mise trust` do: `--trust` (or `HOWTO_TRUST=1`) trusts the files
a run reads and records a hash of each under `$XDG_DATA_HOME/howto/trusted/`;
a later run trusts a file whose bytes still hash the same. The same keys
from the command line, the environment or the user's own
`$XDG_CONFIG_HOME/howto/config.toml` are always taken.

The functions over tables and bytes are pure; `Store` is the thin shell that
reads and writes the records.
"""
from __future__ import annotations

import os
import stat
from typing import Any, Dict, List, Mapping, Optional, Tuple

# hashlib and tempfile are imported by the functions that hash or write a
# record: every run reads the user's config path from here, and only a
# repository config with sensitive keys needs either.

# Each key as its path in a howto.toml table (pyproject's [tool.howto] has
# the same shape below it). A key that runs code or picks a host or a secret
# belongs here.
SENSITIVE: Tuple[Tuple[str, ...], ...] = (
    ("run-examples",),
    ("example-python",),
    ("fix", "generator"),
    ("llm", "base-url"),
    ("llm", "api-key-env"),
)

# A sensitive key set to one of these values only holds howto-check back (runs
# nothing, sends nothing), so an untrusted file may say it: a repository can
# always opt out of running its examples or of the LLM.
HARMLESS: Dict[Tuple[str, ...], Tuple[Any, ...]] = {
    ("run-examples",): (False,),
    ("fix", "generator"): ("template",),
}

ENV_FLAG = "HOWTO_TRUST"
HOW_TO_TRUST = f"run howto-check --trust once, or set {ENV_FLAG}=1, to trust it"
# A record is one line: the hash, two spaces and the path (as sha256sum writes).
_RECORD_LIMIT = 1 << 16


def wanted(flag: bool, environ: Mapping[str, str]) -> bool:
    """Whether this run trusts (and records) the config files it reads.

    Only the exact value "1" trusts; any other value neither trusts nor
    revokes what was recorded before.
    """
    return flag or environ.get(ENV_FLAG) == "1"


def sensitive_keys(table: Mapping[str, Any]) -> List[str]:
    """The dotted names of the sensitive keys `table` sets, in SENSITIVE's order."""
    found = []
    for path in SENSITIVE:
        node: Any = table
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None and not _harmless(path, node):
            found.append(".".join(path))
    return found


def without_sensitive(table: Mapping[str, Any]) -> Dict[str, Any]:
    """`table` with every sensitive key taken out (a table left empty stays, empty)."""
    out: Dict[str, Any] = dict(table)
    for path in SENSITIVE:
        *parents, last = path
        node = out
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                break
            node[part] = child = dict(child)  # copy: the caller's table stays as it was
            node = child
        else:
            if last in node and not _harmless(path, node[last]):
                del node[last]
    return out


def _harmless(path: Tuple[str, ...], value: Any) -> bool:
    # the type too: False must not match 0, nor True match 1
    return any(type(value) is type(v) and value == v for v in HARMLESS.get(path, ()))


def content_hash(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _base(environ: Mapping[str, str], var: str, fallback: str) -> str:
    # the XDG spec: a relative value is invalid and ignored
    value = environ.get(var, "")
    if os.path.isabs(value):  # "" is not
        return value
    return os.path.join(os.path.expanduser("~"), fallback)


def data_dir(environ: Mapping[str, str]) -> str:
    """`$XDG_DATA_HOME/howto`, by default `~/.local/share/howto`."""
    return os.path.join(_base(environ, "XDG_DATA_HOME", os.path.join(".local", "share")),
                        "howto")


def user_config(environ: Mapping[str, str]) -> str:
    """`$XDG_CONFIG_HOME/howto/config.toml`, by default `~/.config/howto/config.toml`."""
    return os.path.join(_base(environ, "XDG_CONFIG_HOME", ".config"), "howto", "config.toml")


def record_text(path: str, data: bytes) -> str:
    return f"{content_hash(data)}  {path}\n"


def private_dir(directory: str) -> str:
    """`directory`, created 0700 with its parents when missing; OSError when it
    cannot be, or is not a directory of this user's."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    st = os.lstat(directory)
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        raise OSError(f"{directory} is not a directory of this user's")
    return directory


def write_private(path: str, text: str) -> None:
    """Write `text` to `path` (mode 0600) in one rename; OSError on failure."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        # surrogateescape: a path's bytes that are no UTF-8 are written back as they were
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


class Store:
    """The trust records under `<data dir>/trusted/`, one file per config file
    (named by the hash of its real path), so that two runs never write the
    same file and a record is replaced in one rename."""

    def __init__(self, directory: str) -> None:
        self.directory = os.path.join(directory, "trusted")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Store":
        return cls(data_dir(environ))

    def _record(self, real: str) -> str:
        import hashlib

        return os.path.join(self.directory,
                            hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest())

    def status(self, path: str, data: bytes) -> str:
        """"trusted", "changed" (trusted once, edited since) or "unknown"."""
        from howto_hook.safeio import Refused, read_regular

        real = os.path.realpath(path)
        try:
            text = read_regular(self._record(real), _RECORD_LIMIT).decode("utf-8",
                                                                          "surrogateescape")
        except Refused:
            return "unknown"
        if text == record_text(real, data):
            return "trusted"
        return "changed" if text.endswith(f"  {real}\n") else "unknown"

    def record(self, path: str, data: bytes) -> Optional[str]:
        """Remember `data` as the trusted content of `path`; None, or why not."""
        real = os.path.realpath(path)
        try:
            private_dir(self.directory)
            write_private(self._record(real), record_text(real, data))
        except OSError as e:
            return f"cannot record the trust in {self.directory}: {e.strerror or e}"
        return None
