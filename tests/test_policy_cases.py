"""What a running example gets, as tables, in-process: the environment built
from the allowlist, its directory, its limits (as docs/examples-sandbox.md
states them), and the sweep of what a killed run left behind.

test_sandbox.py runs examples in the sandbox's own interpreter; these cases
pin each decision of policy.py where a one-token bug in it fails one.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict

import pytest

from conftest import REPO
from howto_hook.examples import policy, tree

# every name the allowlist keeps, each with a value of its own
KEPT = {name: f"v-{name}" for name in (
    "PATH", "LANG", "LANGUAGE", "TZ", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH",
    "PYTHONPATH", "PYTHONHOME", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONHASHSEED",
    "PYTHONWARNINGS", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONPLATLIBDIR",
    "PYTHONDEVMODE", "PYTHONMALLOC", "LC_ALL", "LC_CTYPE", "LC_")}
# what every example gets, whatever the parent had
FIXED = {"EDITOR": "false", "VISUAL": "false", "BROWSER": "false", "PAGER": "cat",
         "TERM": "dumb", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1",
         "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# never copied: secrets, the display, the parent's own choices of what FIXED sets
DROPPED = {"GITHUB_TOKEN": "ghp_x", "AWS_SECRET_ACCESS_KEY": "aws", "OPENAI_API_KEY": "sk",
           "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "EDITOR": "vim", "TERM": "xterm",
           "PAGER": "less", "TMPDIR": "/parent/tmp", "SSH_AUTH_SOCK": "/tmp/agent",
           "XLC_ALL": "x", "LANGX": "x", "PATHEXT": "x", "HOWTO_EXAMPLES_RUN": "forged",
           "PYTHONSTARTUP": "/evil.py", "PYTHONINSPECT": "1"}
OWN = {"HOME": "/work/ex", "TMPDIR": "/work/ex", "HOWTO_EXAMPLES_RUN": "123-4"}


@pytest.mark.parametrize("environ, extra", [
    pytest.param({**KEPT, **DROPPED, "HOME": "/home/u"},
                 {**KEPT, "PYTHONUSERBASE": "/home/u/.local"}, id="every-kind-of-name"),
    pytest.param({**KEPT, "PYTHONUSERBASE": "/opt/base", "HOME": "/home/u"},
                 {**KEPT, "PYTHONUSERBASE": "/opt/base"}, id="own-user-base-kept"),
    pytest.param({"PYTHONUSERBASE": "/opt/base"}, {"PYTHONUSERBASE": "/opt/base"},
                 id="user-base-without-home"),
    pytest.param({"PATH": "/bin"}, {"PATH": "/bin"}, id="no-home-no-user-base"),
    pytest.param({}, {}, id="empty"),
])
def test_child_environment(environ: Dict[str, str], extra: Dict[str, str]) -> None:
    before = dict(environ)
    env = policy.child_environment(environ, "/work/ex", "123-4")
    assert env == {**extra, **FIXED, **OWN}
    assert environ == before


def test_work_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first, second = policy.work_directory(), policy.work_directory()
    assert first != second
    for made in (first, second):
        assert os.path.dirname(made) == str(tmp_path) and os.path.isdir(made)
        assert os.path.basename(made).startswith(f"howto-examples-{os.getpid()}-")


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_alive() -> None:
    assert policy._alive(os.getpid()) is True
    assert policy._alive(_dead_pid()) is False


def test_alive_only_asks() -> None:
    """A live run's process is asked (signal 0), never signalled."""
    code = ("import signal, sys, time\n"
            "for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGUSR1, signal.SIGTERM):\n"
            "    signal.signal(sig, lambda n, f: print('got', n, flush=True))\n"
            "print('ready', flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        assert policy._alive(proc.pid) is True
    finally:
        out, _ = proc.communicate("", timeout=30)
    assert out == ""


def test_alive_counts_a_process_of_another_user() -> None:
    """A pid this user may not signal is still a live process (its run's
    directory is not swept)."""
    if os.getuid() != 0:
        assert policy._alive(1) is True
        return
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's outcome is its exit status
        try:
            os.setgid(65534)
            os.setuid(65534)
            os._exit(0 if policy._alive(os.getppid()) is True else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _limit(text: str, name: str) -> int:
    """A limit's value as the user's documentation states it."""
    (value,) = re.findall(rf"^\| {name} \| (\d+) (GiB|MiB|beyond)", text, re.M)
    return int(value[0]) << {"GiB": 30, "MiB": 20, "beyond": 0}[value[1]]


def test_limits_are_the_documented_ones() -> None:
    with open(os.path.join(REPO, "docs", "examples-sandbox.md"), encoding="utf-8") as f:
        text = f.read()
    assert policy.LIMITS == {"memory": _limit(text, "memory"),
                             "file_size": _limit(text, "file size"),
                             "processes": _limit(text, "processes")}
    assert policy.LIMITS == {"memory": 1 << 30, "file_size": 256 << 20, "processes": 256}


@pytest.fixture
def sweep_in(tmp_path: Path, monkeypatch):
    """policy.sweep() over `tmp_path` as the temporary directory, as if never run."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(policy, "_swept", False)
    return policy.sweep


def _sleeper(mark: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                            env={"PATH": os.environ.get("PATH", ""), tree.MARKER: mark})


def test_sweep_removes_what_dead_runs_left(tmp_path: Path, sweep_in) -> None:
    dead, alive = _dead_pid(), os.getpid()
    outside = tmp_path / "outside"
    (outside / "kept").mkdir(parents=True)
    names = {
        f"howto-examples-{dead}-abc": False,  # a dead run's directory: removed
        f"howto-examples-{alive}-abc": True,  # a live run's: kept
        "howto-examples-x-abc": True,  # no pid
        "howto-examples--abc": True,  # no pid either
        f"howto-examples-{dead}": True,  # not the shape of one
        f"other-howto-examples-{dead}-abc": True,
    }
    for name in names:
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "f").write_text("x")
    # a file and a link with a dead run's name: never followed, nothing raised
    (tmp_path / f"howto-examples-{dead}-file").write_text("x")
    (tmp_path / f"howto-examples-{dead}-link").symlink_to(outside)
    orphan, live = _sleeper(f"{dead}-7"), _sleeper(f"{alive}-7")
    try:
        sweep_in()
        assert orphan.wait(timeout=10) == -signal.SIGKILL
        assert live.poll() is None
    finally:
        for proc in (orphan, live):
            proc.kill()
            proc.wait()
    left = {name for name in names if (tmp_path / name).exists()}
    assert left == {name for name, kept in names.items() if kept}
    assert (outside / "kept").is_dir()
    # once per process: a second call sweeps nothing
    (tmp_path / f"howto-examples-{dead}-later").mkdir()
    sweep_in()
    assert (tmp_path / f"howto-examples-{dead}-later").is_dir()


def test_sweep_without_a_temporary_directory(tmp_path: Path, sweep_in,
                                             monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "absent"))
    sweep_in()  # nothing to list: nothing done, nothing raised
    assert policy._swept is True


def test_a_new_process_sweeps(tmp_path: Path) -> None:
    left = tmp_path / f"howto-examples-{_dead_pid()}-abc"
    left.mkdir()
    # run outside the repository: `python -c` puts its directory first on the path
    subprocess.run([sys.executable, "-c", "from howto_hook.examples import policy\n"
                    "policy.sweep()\n"], env=dict(os.environ, TMPDIR=str(tmp_path)),
                   cwd=str(tmp_path), check=True)
    assert not left.exists()
