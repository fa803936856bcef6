"""Which interpreter runs a project's examples: one choice for every kind of run.

The project's own interpreter, so that its dependencies import wherever
howto-check is installed: `example-python` when given, else $VIRTUAL_ENV's
(unless it is howto-check's own, as under pre-commit), else `.venv` or
`venv` at the repository's top, never one that git tracks (a committed
"interpreter" is whatever script someone committed), else howto-check's
own. The repository's top is asked of git here, whatever kind of run this
is, so that a commit's check and an `--all` run choose alike.

howto-check's own interpreter is the project's only when it can import the
project by itself (`imports`): a person running howto-check from the
project's virtualenv, where the project is installed. Under pre-commit, whose
hook environment holds howto-check alone, it cannot.
"""
from __future__ import annotations

import os
import subprocess
import sys
from typing import FrozenSet, Iterable, Mapping, NamedTuple, Optional, Sequence

from howto_hook.examples.results import RunnerError

OWN = "howto-check's own interpreter"


class Choice(NamedTuple):
    python: str
    why: str  # "as configured", "from .venv at the repository root", ...

    @property
    def project(self) -> bool:
        """Whether it is the project's interpreter rather than howto-check's."""
        return self.why != OWN


def _python_in(env_dir: str) -> str:
    if os.name == "nt":
        return os.path.join(env_dir, "Scripts", "python.exe")
    return os.path.join(env_dir, "bin", "python")


def _runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _same_dir(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def choose_python(explicit: Optional[str], repo_root: str,
                  environ: Mapping[str, str] = os.environ, own: str = sys.executable,
                  own_prefix: str = sys.prefix, tracked: Sequence[str] = ()) -> Choice:
    """(interpreter, why it was chosen): the project's interpreter for examples.

    `explicit` (from --example-python or config, already absolute) wins;
    `tracked` names the environment directories at `repo_root` that git
    tracks, which are passed over.
    """
    if explicit:
        if not _runnable(explicit):
            raise RunnerError(f"example-python {explicit} is not an executable file")
        return Choice(explicit, "as configured")
    venv = environ.get("VIRTUAL_ENV", "")
    if venv and not _same_dir(venv, own_prefix) and _runnable(_python_in(venv)):
        return Choice(_python_in(venv), "from $VIRTUAL_ENV")
    for name in (".venv", "venv"):
        candidate = _python_in(os.path.join(repo_root, name))
        if name not in tracked and _runnable(candidate):
            return Choice(candidate, f"from {name} at the repository root")
    return Choice(own, OWN)


def project_root(cwd: str) -> "tuple[str, tuple[str, ...]]":
    """The repository's top (else `cwd`) and which of `.venv`, `venv` git
    tracks there."""
    from howto_hook import diff

    repo = diff.repository(cwd)
    if repo is None:
        return os.path.abspath(cwd), ()
    listed = diff.git(["ls-files", "-z", "--", ".venv", "venv"], repo.root, check=False)
    names = {p.split("/")[0] for p in listed.stdout.decode("utf-8", "replace").split("\0") if p}
    return repo.root, tuple(sorted(names))


# Run by the interpreter asked: which of the names on stdin its own path finds
# (installed, editable, PYTHONPATH), not the current directory that `-c` puts
# first, and not a standard-library module of the same name.
_FINDS = """
import importlib.util, os, sys, sysconfig
del sys.path[0]
stdlib = [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")]
for name in sys.stdin.read().split():
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        continue
    where = getattr(spec, "origin", None) or ""
    # a real file, so neither a built-in nor a bare namespace directory
    if os.path.isfile(where) and not any(where.startswith(d + os.sep) for d in stdlib):
        print(name)
"""


def imports(python: str, modules: Iterable[str], cwd: str) -> FrozenSet[str]:
    """The top-level modules of `modules` that `python` finds on its own path,
    asked once in a child (a second or so at most); none when it cannot say."""
    names = sorted({m.split(".")[0] for m in modules if m and m.split(".")[0].isidentifier()})
    if not names:
        return frozenset()
    try:
        done = subprocess.run([python, "-c", _FINDS], input="\n".join(names), cwd=cwd,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(done.stdout.split()) & frozenset(names)
