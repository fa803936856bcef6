"""Faults, hostile repositories and hostile files: one file never sinks the run,
nothing hangs, nothing is written that was not asked for.

Each case builds its scene in a fresh directory, runs the real command in a
child process under a time limit (a hang fails the case instead of the
suite), and checks the exit status, what was printed and what is on disk.
Cases marked `as_user` run as an ordinary user (nobody), since root may
write any file.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, NamedTuple, Optional, Sequence, Tuple

import pytest

from conftest import REPO


PLAIN = "def g(x):\n    return x\n"  # HOW100, which the template can fix
LIMIT = 60  # seconds any one run may take before the case fails as a hang
USER = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")


def howto(args: Sequence[str], cwd: Path, *, as_user: bool = False,
          timeout: float = LIMIT) -> subprocess.CompletedProcess:
    prefix: Tuple[str, ...] = USER if as_user and os.geteuid() == 0 else ()
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("NO_COLOR", None)
    if "--fix" in args or "--diff" in args:  # its candidates' examples run on this
        # interpreter, which imports the scene's files (without one, only verbatim
        # examples are written, and these cases would write nothing)
        if prefix and subprocess.run([*prefix, "test", "-x", sys.executable]).returncode:
            pytest.skip("the ordinary user cannot run this interpreter "
                        f"({os.path.realpath(sys.executable)}) to run a fix's examples")
        args = [*args, "--example-python", sys.executable]
    return subprocess.run([*prefix, sys.executable, "-m", "howto_hook", *args], cwd=cwd,
                          env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def write(path: Path, data: "str | bytes") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def committed(d: Path, files: "dict[str, str]") -> None:
    """A repository holding `files` in its first commit."""
    git(d, "init", "-q", ".")
    for name, text in files.items():
        write(d / name, text)
    git(d, "add", "-A")
    git(d, "commit", "-qm", "start")


@pytest.fixture
def scene() -> "Path":
    """A project directory an ordinary user can enter (pytest's own tmp is
    root's alone), with room beside it for what lies outside the project."""
    d = Path(tempfile.mkdtemp(prefix="howto-faults-"))
    d.chmod(0o755)
    (d / "p").mkdir()
    yield d / "p"
    for here, dirs, files in os.walk(d):  # read-only directories block the cleanup
        os.chmod(here, 0o755)
    shutil.rmtree(d, ignore_errors=True)


class Case(NamedTuple):
    build: Callable[[Path], List[str]]  # makes the scene; returns the arguments
    status: int
    out: Tuple[str, ...] = ()  # each must appear in stdout
    err: Tuple[str, ...] = ()  # each must appear in stderr
    after: Optional[Callable[[Path], None]] = None  # what must hold on disk afterwards
    as_user: bool = False
    root: bool = False  # gives files to another owner (os.chown): only root can


# --- one file never sinks the run ------------------------------------------------------


def nul_byte(d: Path) -> List[str]:
    write(d / "bad.py", b'def f():\n    """a\0b"""\n')
    write(d / "good.py", PLAIN)
    return ["--all", "."]


def nul_byte_fix(d: Path) -> List[str]:
    return nul_byte(d) + ["--fix"]


def _fixed(name: str) -> Callable[[Path], None]:
    def check(d: Path) -> None:
        assert "How to Use This Code Block" in (d / name).read_text(), name
    return check


def _untouched(name: str, text: str = PLAIN) -> Callable[[Path], None]:
    def check(d: Path) -> None:
        assert (d / name).read_bytes() == text.encode(), name
    return check


def _all(*checks: Callable[[Path], None]) -> Callable[[Path], None]:
    def check(d: Path) -> None:
        for c in checks:
            c(d)
    return check


CR_ONLY = "def a():\r    return 1\r\rdef b():\r    return 2\r"


def cr_only(mode: str) -> Callable[[Path], List[str]]:
    def build(d: Path) -> List[str]:
        write(d / "cr.py", CR_ONLY)
        write(d / "good.py", PLAIN)
        return ["--all", mode, "."]
    return build


def _cr_kept(needle: str, count: int) -> Callable[[Path], None]:
    def check(d: Path) -> None:
        data = (d / "cr.py").read_bytes()
        assert b"\n" not in data and data.count(needle.encode()) == count, data[:200]
    return check


def read_only_tree(d: Path) -> List[str]:
    """Writable files beside a directory of read-only files in a read-only directory."""
    for n in range(3):
        write(d / f"w{n}" / "mod.py", PLAIN)
        write(d / "ro" / f"m{n}.py", PLAIN).chmod(0o444)
    (d / "ro").chmod(0o555)
    for p in [d, *d.rglob("*")]:
        os.chown(p, 65534, 65534) if os.geteuid() == 0 else None
    return ["--all", "--fix", "."]


def read_only_root(d: Path) -> List[str]:
    read_only_tree(d)
    for p in sorted(d.rglob("*"), reverse=True):
        p.chmod(0o555 if p.is_dir() else 0o444)
    d.chmod(0o555)
    return ["--all", "--fix", "."]


def writable_file_in_read_only_dir(d: Path) -> List[str]:
    write(d / "ro" / "mod.py", PLAIN)
    for p in [d, d / "ro", d / "ro" / "mod.py"]:
        os.chown(p, 65534, 65534) if os.geteuid() == 0 else None
    (d / "ro").chmod(0o555)
    return ["--all", "--fix", "."]


def _cache_entries(d: Path) -> List[Path]:
    return sorted((d / ".howto_cache" / "check").rglob("*.json"))


def cache_wrong_shape(d: Path) -> List[str]:
    write(d / "good.py", PLAIN)
    assert howto(["--all", "."], d).returncode == 1
    for entry in _cache_entries(d):
        raw = json.loads(entry.read_text())
        entry.write_text(json.dumps(dict(raw, c="x")))  # valid JSON, wrong shape
    return ["--all", "."]


def cache_dir_in_the_way(d: Path) -> List[str]:
    write(d / "good.py", PLAIN)
    assert howto(["--all", "."], d).returncode == 1
    for entry in _cache_entries(d):
        entry.unlink()
        entry.mkdir()
    return ["--all", "."]


def _no_tmp(d: Path) -> None:
    assert not list(d.rglob("*.tmp")), list(d.rglob("*.tmp"))


def baseline_to(target: str) -> Callable[[Path], List[str]]:
    def build(d: Path) -> List[str]:
        write(d / "good.py", PLAIN)
        (d / "somedir").mkdir()
        return ["--generate-baseline", target, "."]
    return build


def baseline_nested(d: Path) -> List[str]:
    write(d / "good.py", PLAIN)
    write(d / "base.json", "[" * 100_000)
    return ["--all", "--baseline", "base.json", "."]


def config(text: str, *args: str) -> Callable[[Path], List[str]]:
    def build(d: Path) -> List[str]:
        write(d / "good.py", PLAIN)
        write(d / "pyproject.toml", text)
        return ["--all", *args, "."]
    return build


# --- nothing hangs, nothing floods -----------------------------------------------------


def _with_fix(build: Callable[[Path], List[str]]) -> Callable[[Path], List[str]]:
    return lambda d: build(d) + ["--fix"]


def fifo_named(d: Path) -> List[str]:
    os.mkfifo(d / "x.py")
    write(d / "good.py", PLAIN)
    return ["--all", "x.py", "good.py"]


def fifo_in_walk(d: Path) -> List[str]:
    os.mkfifo(d / "x.py")
    write(d / "good.py", PLAIN)
    return ["--all", "."]  # not a repository: the directory is walked


def dev_zero(d: Path) -> List[str]:
    (d / "zero.py").symlink_to("/dev/zero")
    write(d / "good.py", PLAIN)
    return ["--all", "zero.py", "good.py"]


def too_large(d: Path) -> List[str]:
    write(d / "big.py", PLAIN + "X = 1\n" * 400)
    write(d / "good.py", PLAIN)
    write(d / "pyproject.toml", "[tool.howto]\nmax-file-size = 1000\n")
    return ["--all", "."]


def slow(source: str, config: str = "") -> Callable[[Path], List[str]]:
    """A file libcst takes far longer than the limit on, beside a plain one."""
    def build(d: Path) -> List[str]:
        write(d / "slow.py", source)
        write(d / "good.py", PLAIN)
        write(d / "pyproject.toml", f"[tool.howto]\nfile-timeout = 2\n{config}")
        return ["--all", "."]
    return build


# 59 s to parse on the machine this was found on; a megabyte line never ends
TERMS_8000 = "def f(x):\n    return " + "+".join(["x"] * 8000) + "+1\n"
LINE_1MB = "X = " + "+".join(["1"] * 400_000) + "\n"


def baseline_special(target: str) -> Callable[[Path], List[str]]:
    def build(d: Path) -> List[str]:
        write(d / "good.py", PLAIN)
        if target == "x.fifo":
            os.mkfifo(d / "x.fifo")
        write(d / "pyproject.toml", f'[tool.howto]\nbaseline = "{target}"\n')
        return ["--all", "."]
    return build


# --- only what was asked is written ----------------------------------------------------


def dubious_ownership(d: Path) -> List[str]:
    committed(d, {"a.py": PLAIN, "b.py": PLAIN})
    write(d / "a.py", PLAIN + "# touched\n")
    for p in [d, *d.rglob("*")]:
        os.lchown(p, 65534, 65534)
    return ["--fix"]


def symlink_inside(d: Path) -> List[str]:
    write(d / "real" / "mod.py", PLAIN)
    (d / "link.py").symlink_to("real/mod.py")
    return ["--all", "--fix", "link.py"]


def _still_link(d: Path) -> None:
    assert (d / "link.py").is_symlink()


def symlink_outside(d: Path) -> List[str]:
    write(d.parent / "outside.py", PLAIN)
    write(d / "pyproject.toml", "[tool.howto]\n")
    (d / "link.py").symlink_to(d.parent / "outside.py")
    return ["--all", "--fix", "link.py"]


def _outside_untouched(d: Path) -> None:
    assert (d.parent / "outside.py").read_text() == PLAIN
    assert (d / "link.py").is_symlink()


def hard_link(d: Path) -> List[str]:
    write(d / "a.py", PLAIN)
    os.link(d / "a.py", d / "b.py")
    return ["--all", "--fix", "a.py"]


def _same_inode(d: Path) -> None:
    assert os.stat(d / "a.py").st_ino == os.stat(d / "b.py").st_ino
    assert os.stat(d / "a.py").st_nlink == 2


def owned_by_other(d: Path) -> List[str]:
    write(d / "mod.py", PLAIN).chmod(0o640)
    os.chown(d / "mod.py", 65534, 65534)
    return ["--all", "--fix", "mod.py"]


def _owner_mode_kept(d: Path) -> None:
    st = os.stat(d / "mod.py")
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)


def read_only_file(d: Path) -> List[str]:
    write(d / "mod.py", PLAIN).chmod(0o444)
    write(d / "good.py", PLAIN)
    return ["--all", "--fix", "."]


def noqa_in_string(d: Path) -> List[str]:
    write(d / "mod.py", 'def f(x=" # noqa"):\n    return x\n')
    return ["--all", "mod.py"]


def submodule(d: Path) -> List[str]:
    inner = d.parent / "inner"
    inner.mkdir()
    committed(inner, {"sub.py": PLAIN})
    git(d, "init", "-q", ".")
    git(d, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    git(d, "commit", "-qm", "with a submodule")
    write(d / "sub" / "sub.py", PLAIN + "# touched\n")
    return ["sub/sub.py"]


def attribute(value: str) -> Callable[[Path], List[str]]:
    def build(d: Path) -> List[str]:
        committed(d, {".gitattributes": f"*.py {value}\n", "mod.py": PLAIN})
        write(d / "mod.py", PLAIN + "\ndef h(y):\n    return y\n")
        return []
    return build


def repo_with(args: List[str]) -> Callable[[Path], List[str]]:
    def build(d: Path) -> List[str]:
        committed(d, {"mod.py": PLAIN})
        return list(args)
    return build


RO = "the file is read-only: not written"
CASES = [
    # one file never sinks the run
    pytest.param(Case(nul_byte, 1, ("bad.py:2:9: HOW001 syntax error: source code cannot "
                                    "contain null bytes", "good.py:1:5: HOW100")),
                 id="nul-byte-check"),
    pytest.param(Case(nul_byte_fix, 1, ("bad.py:2:9: HOW001",), ("Fixed 1 definition in 1 file",),
                      _fixed("good.py")), id="nul-byte-fix"),
    pytest.param(Case(cr_only("--fix"), 0, (), ("Fixed 3 definitions in 2 files",),
                      _cr_kept("How to Use This Code Block", 2)), id="cr-only-fix"),
    pytest.param(Case(cr_only("--diff"), 1, ("+++ b/cr.py", "+++ b/good.py"),
                      ("Would fix 3 definitions in 2 files",), _untouched("cr.py", CR_ONLY)),
                 id="cr-only-diff"),
    pytest.param(Case(cr_only("--add-noqa"), 0, (), ("Added 3 noqa codes in 2 files",),
                      _cr_kept("# noqa: HOW100", 2)), id="cr-only-add-noqa"),
    pytest.param(Case(read_only_tree, 1, (), (f"ro/m0.py: cannot fix: {RO}",
                                              "Fixed 3 definitions in 3 files",
                                              "3 files could not be written"),
                      _all(_fixed("w0/mod.py"), _untouched("ro/m1.py")), as_user=True),
                 id="read-only-dir-among-writable"),
    pytest.param(Case(read_only_root, 1, (), (f"w2/mod.py: cannot fix: {RO}",
                                              "6 files could not be written"),
                      _untouched("w0/mod.py"), as_user=True), id="read-only-root"),
    pytest.param(Case(writable_file_in_read_only_dir, 0, (), ("Fixed 1 definition in 1 file",),
                      _fixed("ro/mod.py"), as_user=True),
                 id="writable-file-in-read-only-dir-written-in-place"),
    pytest.param(Case(cache_wrong_shape, 1, ("good.py:1:5: HOW100",)),
                 id="cache-entry-wrong-shape"),
    pytest.param(Case(cache_dir_in_the_way, 1, ("good.py:1:5: HOW100",), (), _no_tmp),
                 id="cache-entry-is-a-directory"),
    pytest.param(Case(baseline_to("somedir"), 2, (), ("somedir: it is a directory",)),
                 id="generate-baseline-to-directory"),
    pytest.param(Case(baseline_to("no/such/x.json"), 2, (), ("there is no directory",)),
                 id="generate-baseline-to-missing-directory"),
    pytest.param(Case(baseline_nested, 2, (), ("nested too deeply",)),
                 id="baseline-of-100k-nested-brackets"),
    pytest.param(Case(config("[tool.howto.llm]\ntimeout = nan\n"), 2, (),
                      ("tool.howto.llm.timeout must be a finite number, got nan",)),
                 id="config-timeout-nan"),
    pytest.param(Case(config("[tool.howto.llm]\ntemperature = inf\n"), 2, (),
                      ("tool.howto.llm.temperature must be a finite number, got inf",)),
                 id="config-temperature-inf"),
    pytest.param(Case(config("[tool.howto.llm]\nbudget = -inf\n"), 2, (),
                      ("budget must be a finite number",)), id="config-budget-minus-inf"),
    pytest.param(Case(config("[tool.howto.llm]\ntemperature = 7\n"), 2, (),
                      ("temperature must be at most 2",)), id="config-temperature-range"),
    # nothing hangs, nothing floods
    pytest.param(Case(fifo_named, 1, ("x.py:1:1: HOW002 a FIFO, not a regular file: not read",
                                      "good.py:1:5: HOW100")), id="fifo-named"),
    pytest.param(Case(fifo_in_walk, 1, ("x.py:1:1: HOW002 a FIFO", "good.py:1:5: HOW100")),
                 id="fifo-in-directory-walk"),
    pytest.param(Case(dev_zero, 1, ("zero.py:1:1: HOW002 a character device, not a regular "
                                    "file", "good.py:1:5: HOW100")), id="symlink-to-dev-zero"),
    pytest.param(Case(too_large, 1, ("big.py:1:1: HOW002 the file is larger than "
                                    "max-file-size (2,423 > 1,000 bytes)",
                                    "good.py:1:5: HOW100")), id="file-over-size-limit"),
    pytest.param(Case(slow(TERMS_8000), 1, ("slow.py:1:1: HOW002 not checked: took longer than "
                                           "2 s (file-timeout)", "good.py:1:5: HOW100")),
                 id="expression-of-8000-terms"),
    pytest.param(Case(slow(LINE_1MB), 1, ("slow.py:1:1: HOW002 not checked: took longer than 2 s",
                                         "good.py:1:5: HOW100")), id="one-megabyte-line"),
    # a fix that runs its candidates' examples gives each file ten example
    # timeouts more: 2 s + 10 x 0.1 s
    pytest.param(Case(_with_fix(slow(TERMS_8000, "example-timeout = 0.1\n")), 1,
                      ("slow.py:1:1: HOW002 not fixed: took longer than 3 s",),
                      ("Fixed 1 definition in 1 file",),
                      _all(_fixed("good.py"), _untouched("slow.py", TERMS_8000))),
                 id="expression-of-8000-terms-fix"),
    pytest.param(Case(baseline_special("x.fifo"), 2, (), ("a FIFO, not a regular file",)),
                 id="baseline-is-a-fifo"),
    pytest.param(Case(baseline_special("/dev/zero"), 2, (), ("a character device",)),
                 id="baseline-is-dev-zero"),
    # only what was asked is written
    pytest.param(Case(dubious_ownership, 2, (), ("detected dubious ownership",),
                      _untouched("b.py"), root=True), id="dubious-ownership-not-widened"),
    pytest.param(Case(symlink_inside, 0, (), ("Fixed 1 definition in 1 file",),
                      _all(_still_link, _fixed("real/mod.py"))), id="symlink-written-through"),
    pytest.param(Case(symlink_outside, 1, (), ("outside the project: not written",),
                      _outside_untouched), id="symlink-out-of-project-skipped"),
    pytest.param(Case(hard_link, 0, (), ("Fixed 1 definition in 1 file",),
                      _all(_same_inode, _fixed("b.py"))), id="hard-link-kept"),
    pytest.param(Case(owned_by_other, 0, (), ("Fixed 1 definition in 1 file",),
                      _all(_owner_mode_kept, _fixed("mod.py")), root=True),
                 id="owner-group-mode-kept"),
    pytest.param(Case(read_only_file, 1, (), (f"mod.py: cannot fix: {RO}",),
                      _all(_untouched("mod.py"), _fixed("good.py"))), id="read-only-file"),
    pytest.param(Case(noqa_in_string, 1, ("mod.py:1:5: HOW100",)), id="noqa-in-a-string"),
    pytest.param(Case(submodule, 2, (), ("sub/sub.py", "submodule")),
                 id="file-in-submodule"),
    pytest.param(Case(attribute("binary"), 1, ("mod.py:4:5: HOW100 function 'h'",)),
                 id="gitattributes-binary"),
    pytest.param(Case(attribute("-diff"), 1, ("mod.py:4:5: HOW100 function 'h'",)),
                 id="gitattributes-minus-diff"),
    pytest.param(Case(repo_with(["--diff-base", ""]), 2, (), ("--diff-base was given an empty",)),
                 id="empty-diff-base"),
    pytest.param(Case(repo_with(["--select", ""]), 2, (), ("--select was given no rule codes",)),
                 id="empty-select"),
    pytest.param(Case(config("[tool.howto]\nselect = []\n"), 2, (), ("no rule is enabled",)),
                 id="config-selects-nothing"),
]


@pytest.mark.parametrize("case", CASES)
def test_fault(case: Case, scene: Path) -> None:
    if case.as_user and os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("needs setpriv to run as an ordinary user")
    if case.root and os.geteuid() != 0:
        pytest.skip("needs root: the scene gives files to another owner (os.chown)")
    args = case.build(scene)
    proc = howto(args, scene, as_user=case.as_user)
    report = f"status {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, report
    assert proc.returncode == case.status, report
    for text in case.out:
        assert text in proc.stdout, report
    for text in case.err:
        assert text in proc.stderr, report
    if case.status == 2:
        assert len(proc.stderr.strip().splitlines()) == 1, report
    if case.after is not None:
        case.after(scene)


# --- no worker outlives the run ---------------------------------------------------------


def _children(pid: int) -> List[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc to find the workers")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT],
                         ids=["SIGTERM", "SIGKILL", "SIGINT"])
def test_no_worker_outlives_a_killed_run(sig: int, scene: Path) -> None:
    """Kill the run mid-check: within a few seconds no worker is left and
    whoever reads its output sees the end of it (CI and pre-commit wait for that)."""
    slow_file = "def f(x):\n    return " + "+".join(["x"] * 1500) + "+1\n"
    for n in range(300):
        write(scene / f"m{n:03}.py", slow_file)
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, "-m", "howto_hook", "--all", "--no-cache",
                             "--jobs", "2", "."], cwd=scene, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        workers: List[int] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = _children(proc.pid)
        assert len(workers) == 2, "the run never started its workers"
        time.sleep(0.5)  # let them get into a parse
        os.kill(proc.pid, sig)
        # The pipes reach EOF only when every process holding them is gone.
        out, err = proc.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "workers outlived the run"
        if sig == signal.SIGINT:
            assert proc.returncode == 130 and b"interrupted" in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _job(n: int) -> int:
    if n == 1:
        time.sleep(60)  # past the limit: stopped
    if n == 2:
        raise ValueError("boom")
    if n == 3:
        os.kill(os.getpid(), signal.SIGSEGV)  # what a native parser's crash looks like
    return n * 10


def test_pool_reports_each_way_a_job_can_end() -> None:
    from howto_hook import pool

    if not pool.can_bound():
        pytest.skip("no fork here: jobs run in this process, unbounded")
    start = time.monotonic()
    got = {o.index: (o.status, o.value) for o in pool.run(_job, range(6), 2, 1.0)}
    assert got == {0: (pool.DONE, 0), 1: (pool.TIMEOUT, "took longer than 1 s"),
                   2: (pool.FAILED, "ValueError: boom"),
                   3: (pool.CRASHED, f"the worker was killed by signal {int(signal.SIGSEGV)}"),
                   4: (pool.DONE, 40), 5: (pool.DONE, 50)}
    assert time.monotonic() - start < 10
