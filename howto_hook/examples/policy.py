"""What a running example gets: its environment, its limits, and the sweep of
what a killed run left behind.

The environment is built from an allowlist, never the parent's minus a few
names: tokens and keys (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, OPENAI_API_KEY)
are simply never copied. HOME and TMPDIR are the example's own directory,
editors and browsers are `false`, the terminal is dumb and there is no
display. docs/examples-sandbox.md says all of this for users.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from typing import Dict, Mapping

from howto_hook.examples import tree

# copied when set: the interpreter's own variables and the locale
KEEP = ("PATH", "LANG", "LANGUAGE", "TZ", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH",
        "PYTHONPATH", "PYTHONHOME", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONHASHSEED",
        "PYTHONWARNINGS", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONUSERBASE",
        "PYTHONPLATLIBDIR", "PYTHONDEVMODE", "PYTHONMALLOC")
KEEP_PREFIXES = ("LC_",)
FIXED = {
    "EDITOR": "false", "VISUAL": "false", "BROWSER": "false", "PAGER": "cat",
    "TERM": "dumb", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1",
    # one thread per numeric library: fewer threads to count against the limits
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}
# resource limits of every example (bytes, processes)
LIMITS = {
    "memory": 1 << 30,  # address space beyond what the interpreter and its imports hold
    "file_size": 256 << 20,  # the largest file an example may write
    "processes": 256,  # threads and processes beyond the user's own (not enforced for root)
}
PREFIX = "howto-examples-"  # temporary directories: PREFIX + howto-check's pid + "-"


def child_environment(environ: Mapping[str, str], home: str, mark: str) -> Dict[str, str]:
    """The environment an example runs in: `environ`'s allowed names, and the
    fixed ones; HOME and TMPDIR are `home` (each example then gets its own),
    and `mark` names the server, for finding what it started."""
    env = {k: v for k, v in environ.items() if k in KEEP or k.startswith(KEEP_PREFIXES)}
    if "PYTHONUSERBASE" not in env and "HOME" in environ:
        # user-site packages stay where the user's HOME has them
        env["PYTHONUSERBASE"] = os.path.join(environ["HOME"], ".local")
    env.update(FIXED)
    env.update(HOME=home, TMPDIR=home, **{tree.MARKER: mark})
    return env


def work_directory() -> str:
    """A fresh directory for one example server, named for this process."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_swept = False


def sweep() -> None:
    """Once per process: end the example processes and remove the directories
    of earlier runs that were killed before they could (their pid is gone)."""
    global _swept
    if _swept:
        return
    _swept = True
    base = tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return
    dead = set()
    for name in names:
        m = re.match(rf"{PREFIX}(\d+)-", name)
        if m and not _alive(int(m.group(1))):
            dead.add(m.group(1))
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
    for pid in dead:
        tree.kill(tree.marked(f"{pid}-", prefix=True))
