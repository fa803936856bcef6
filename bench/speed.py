"""The figures of docs/speed.md: howto-check against ruff, pydocstyle,
pydoclint and interrogate, where people wait.

Every figure is a whole process, timed from outside with the standard
library alone (subprocess, os.wait4's resource usage, time.perf_counter).
Two commands are compared in interleaved pairs, A B A B ..., and each pair
gives one ratio A/B, so that the machine's drift between runs falls on both
sides alike; a table gives the median ratio and its min-max.

    python bench/speed.py --python ~/plain-venv/bin/python --tools ~/tools/bin \\
        --corpus stdlib --sdist requests-2.32.3.tar.gz --sdist click-8.1.7.tar.gz \\
        --sdist attrs-24.2.0.tar.gz --scaling 1000,5000,20000 --out results.md

Sections (--only picks some): startup (--version and a commit with no
Python file against `python -c pass`), cold and warm runs on each corpus,
the commit hook (one staged line in a file of about 2,000 lines, in a
repository of --hook-files files, against `python -c`
importing libcst and parsing that file), --fix (CPU time per definition
judged), and the scaling table (time per file and peak memory).

`--python` runs howto-check as `PYTHON -c "from howto_hook.main import
main_entry; main_entry()"`: give it an interpreter that imports howto_hook
without an editable install's import hook (a venv with a .pth line naming the
source tree), since that hook would be timed in `python -c pass` as well.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

HOWTO = "from howto_hook.main import main_entry; main_entry()"
FLOOR = "import sys, libcst; libcst.parse_module(open(sys.argv[1], encoding='utf-8').read())"
# What a run needs before it reads a file: the command line, git's shell, type hints.
COMMAND_FLOOR = "import argparse, subprocess, typing"
# What a warm run needs of the standard library whatever it does: the command
# line, git's shell, the cache's entries and their seals, type hints.
STDLIB_FLOOR = "import argparse, hashlib, json, subprocess, typing"
SKIP_DIRS = {"site-packages", "__pycache__", ".git", ".venv", "venv", "build", "dist",
             ".howto_cache", ".ruff_cache", "node_modules", ".tox", "test", "tests", "testing",
             "idlelib", "turtledemo", "lib2to3", "docs", "examples"}
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + sys seconds of the process and the children it waited for
    peak: int  # the largest resident set of the process or a waited-for child, KiB


def measure(cmd: Sequence[str], cwd: str, env: Optional[Dict[str, str]] = None) -> Run:
    """One whole process: wall time, CPU time and peak memory (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped here; Popen must not wait for it again
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def pairs(a: Sequence[str], b: Sequence[str], cwd: str, runs: int,
          env: Optional[Dict[str, str]] = None) -> Tuple[List[Run], List[Run]]:
    """A and B in turn, after one warm-up of each (file cache, cache fills)."""
    measure(a, cwd, env)
    measure(b, cwd, env)
    out_a, out_b = [], []
    for _ in range(runs):
        out_a.append(measure(a, cwd, env))
        out_b.append(measure(b, cwd, env))
    return out_a, out_b


def spread(values: Sequence[float], digits: int = 2) -> str:
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def ratio_row(name: str, a: List[Run], b: List[Run]) -> str:
    cpu = [x.cpu / y.cpu for x, y in zip(a, b)]
    wall = [x.wall / y.wall for x, y in zip(a, b)]
    return (f"| {name} | {spread([r.cpu for r in a], 3)} | {spread([r.cpu for r in b], 3)} | "
            f"{spread(cpu)} | {spread(wall)} |")


RATIO_HEAD = ("| A against B | A CPU s | B CPU s | CPU ratio A/B | wall ratio A/B |\n"
              "| --- | --- | --- | --- | --- |")


# --- corpora ----------------------------------------------------------------------


def source_files(root: str) -> List[str]:
    """The library's own .py files: no tests, docs, examples or build output."""
    out = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        out.extend(os.path.join(here, f) for f in sorted(files)
                   if f.endswith(".py") and not f.startswith("test_") and f != "conftest.py"
                   and not f.endswith("_test.py"))
    return out


def unpack(sdist: str, into: str) -> Tuple[str, str]:
    """(name-version, directory) of an sdist unpacked under `into`."""
    name = os.path.basename(sdist)
    for ext in (".tar.gz", ".tgz", ".tar.bz2"):
        name = name[:-len(ext)] if name.endswith(ext) else name
    with tarfile.open(sdist) as tar:
        tar.extractall(into, filter="data")
    return name, os.path.join(into, name)


def copy_tree(files: Sequence[str], root: str, dest: str, count: Optional[int] = None) -> int:
    """The files under `dest` with their layout; with `count`, copies of the
    set in numbered packages until there are `count` files."""
    total = count or len(files)
    for k in range(total):
        f = files[k % len(files)]
        rel = os.path.relpath(f, root)
        if count is not None:
            rel = os.path.join(f"copy{k // len(files)}", rel)
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(f, target)
    return total


def git(cwd: str, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- sections ---------------------------------------------------------------------


class Bench:
    def __init__(self, python: str, tools: str, runs: int, work: str) -> None:
        self.python, self.tools, self.runs, self.work = python, tools, runs, work
        self.howto = [python, "-c", HOWTO]

    def tool(self, name: str) -> Optional[str]:
        for d in (self.tools, os.path.dirname(self.python)):
            if d and os.path.exists(os.path.join(d, name)):
                return os.path.join(d, name)
        return shutil.which(name)

    def startup(self) -> str:
        repo = os.path.join(self.work, "startup")
        os.makedirs(repo)
        with open(os.path.join(repo, "notes.txt"), "w") as f:
            f.write("one\n")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "notes")
        with open(os.path.join(repo, "notes.txt"), "w") as f:
            f.write("two\n")
        git(repo, "add", "-A")
        floor = [self.python, "-c", "pass"]
        rows = [ratio_row("`howto-check --version` / `python -c pass`",
                          *pairs([*self.howto, "--version"], floor, repo, self.runs * 2)),
                ratio_row("commit with no Python file / `python -c pass`",
                          *pairs(self.howto, floor, repo, self.runs * 2)),
                # what the command line and git's shell cost any Python tool
                ratio_row(f"floor: `python -c \"{COMMAND_FLOOR}\"` / `python -c pass`",
                          *pairs([self.python, "-c", COMMAND_FLOOR], floor, repo,
                                 self.runs * 2))]
        return "### Start-up\n\n" + RATIO_HEAD + "\n" + "\n".join(rows) + "\n"

    def corpus(self, name: str, files: Sequence[str], root: str, cold: bool = True,
               warm: bool = True, slow_limit: int = 0) -> str:
        here = os.path.join(self.work, "corpus-" + name.replace("/", "_"))
        if not os.path.isdir(here):
            copy_tree(files, root, here)
        listed = [os.path.relpath(f, root) for f in files]
        lines = sum(open(os.path.join(here, f), "rb").read().count(b"\n") for f in listed)
        howto_cold = [*self.howto, "--all", "--exit-zero", "--no-cache", *listed]
        rows = []
        others = [("ruff check --select D", ["check", "--select", "D", "--no-cache",
                                             "--exit-zero", "--quiet"]),
                  ("pydocstyle", []), ("pydoclint", ["--quiet"]),
                  ("interrogate", ["--quiet", "--fail-under", "0"])]
        for label, args in others if cold else ():
            exe = self.tool(label.split()[0])
            if exe is None or (slow_limit and len(files) > slow_limit
                               and label in ("pydocstyle", "pydoclint")):
                continue
            rows.append(ratio_row(f"cold: howto-check / {label}",
                                  *pairs(howto_cold, [exe, *args, *listed], here, self.runs)))
        ruff = self.tool("ruff")
        if ruff and warm:
            warm_run = [*self.howto, "--all", "--exit-zero", *listed]
            ruff_run = [ruff, "check", "--select", "D", "--exit-zero", "--quiet", *listed]
            rows.append(ratio_row("warm: howto-check / ruff check --select D (both cached)",
                                  *pairs(warm_run, ruff_run, here, self.runs)))
            # the floor of any Python tool: the interpreter alone, and with the
            # standard library a warm run cannot do without
            floor = [self.python, "-c", "pass"]
            rows.append(ratio_row("floor: `python -c pass` / ruff check --select D (cached)",
                                  *pairs(floor, ruff_run, here, self.runs)))
            rows.append(ratio_row(f"floor: `python -c \"{STDLIB_FLOOR}\"` / ruff (cached)",
                                  *pairs([self.python, "-c", STDLIB_FLOOR], ruff_run, here,
                                         self.runs)))
            rows.append(ratio_row("warm: howto-check / `python -c pass`",
                                  *pairs(warm_run, floor, here, self.runs)))
        return (f"### {name}: {len(files)} files, {lines:,} lines\n\n" + RATIO_HEAD + "\n"
                + "\n".join(rows) + "\n")

    def hook(self, files: Sequence[str], root: str, size: int) -> str:
        repo = os.path.join(self.work, "hook")
        copy_tree(files, root, repo, size)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "corpus")
        target, line, column = _large_file(repo)
        with open(target, "rb") as f:
            rows = f.read().split(b"\n")
        # indented as the body's last statement: its last line may be the
        # continuation of a bracket, indented any way
        rows.insert(line, b" " * column + b"pass  # touched")
        text = b"\n".join(rows)
        compile(text, target, "exec")  # a staged syntax error would time no check
        with open(target, "wb") as f:
            f.write(text)
        git(repo, "add", "-A")
        rel = os.path.relpath(target, repo)
        env = {**os.environ, "PRE_COMMIT": "1"}  # as pre-commit runs the hook
        a, b = pairs([*self.howto, "--exit-zero", rel], [self.python, "-c", FLOOR, rel], repo,
                     self.runs * 2, env)
        return (f"### The commit hook: one staged line in a {len(rows):,}-line file, in a "
                f"repository of {size:,} files\n\n" + RATIO_HEAD + "\n"
                + ratio_row("howto-check FILE / `python -c` importing libcst and parsing FILE",
                            a, b) + "\n")

    def fix(self, name: str, files: Sequence[str], root: str) -> str:
        here = os.path.join(self.work, "fix-" + name)
        copy_tree(files, root, here)
        listed = [os.path.relpath(f, root) for f in files]
        # Examples are not run: whether an interpreter imports the library
        # depends on the machine, and running them is the examples runner's
        # figure (bench/runner_bench.py), not the fix's.
        cmd = [*self.howto, "--all", "--fix", "--diff", "--no-cache", "--exit-zero", "--jobs",
               "1", "--no-run-examples", *listed]
        proc = subprocess.run(cmd, cwd=here, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        fixed, judged = _fix_counts(proc.stderr)
        runs = [measure(cmd, here) for _ in range(max(1, self.runs // 2))]
        # per definition judged: one declined for want of evidence costs the
        # same gathering as one fixed, and the goal is per definition
        per = [r.cpu / judged * 1000 for r in runs] if judged else [0.0]
        return (f"### --fix --diff --jobs 1 --no-run-examples on {name}: {judged} definitions "
                f"judged, {fixed} fixed\n\n"
                "| figure | median (min-max) |\n| --- | --- |\n"
                f"| CPU s, whole run | {spread([r.cpu for r in runs])} |\n"
                f"| CPU ms per definition judged | {spread(per, 1)} |\n")

    def scaling(self, files: Sequence[str], root: str, sizes: Sequence[int]) -> str:
        out = ["### Scaling: --all on copies of the corpus\n",
               "| files | cold CPU ms/file | cold wall ms/file | cold peak MiB | "
               "warm CPU ms/file | warm wall ms/file | warm peak MiB |",
               "| --- | --- | --- | --- | --- | --- | --- |"]
        for size in sizes:
            here = os.path.join(self.work, f"scale-{size}")
            copy_tree(files, root, here, size)
            cmd = [*self.howto, "--all", "--exit-zero"]
            cold = measure(cmd, here)
            warm = [measure(cmd, here) for _ in range(self.runs)]
            ms = 1000 / size
            out.append(f"| {size:,} | {cold.cpu * ms:.2f} | {cold.wall * ms:.2f} | "
                       f"{cold.peak / 1024:.0f} | {spread([r.cpu * ms for r in warm], 3)} | "
                       f"{spread([r.wall * ms for r in warm], 3)} | "
                       f"{max(r.peak for r in warm) / 1024:.0f} |")
            shutil.rmtree(here)
        return "\n".join(out) + "\n"


def _large_file(repo: str) -> Tuple[str, int, int]:
    """The file nearest 2,000 lines with a function, the last line of that
    function's body (the staged line goes after it) and the column of the
    body's statements."""
    import ast
    import warnings

    best: Optional[Tuple[int, str]] = None
    for here, _, names in os.walk(os.path.join(repo, "copy0")):
        for n in names:
            if n.endswith(".py"):
                p = os.path.join(here, n)
                count = open(p, "rb").read().count(b"\n")
                if best is None or abs(count - 2000) < abs(best[0] - 2000):
                    best = (count, p)
    assert best is not None, "no Python file in the corpus"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(open(best[1], "rb").read())
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
              and not n.name.startswith("_") and n.body)
    last = fn.body[-1]
    return best[1], last.end_lineno or last.lineno, last.col_offset


def _fix_counts(stderr: str) -> Tuple[int, int]:
    """(fixed, judged) from the fix's summary line: "Would fix N definitions in F
    files; M could not be fixed ..." (judged = N + M)."""
    for line in stderr.splitlines():
        words = line.replace(";", "").split()
        if words[:2] == ["Would", "fix"] and words[2].isdigit():
            declined = next((int(w) for w, nxt in zip(words[5:], words[6:])
                             if w.isdigit() and nxt == "could"), 0)
            return int(words[2]), int(words[2]) + declined
    return 0, 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", default=sys.executable, help="the interpreter to run it with")
    p.add_argument("--tools", default="", help="a directory holding ruff, pydocstyle, "
                   "pydoclint and interrogate (default: beside --python, then PATH)")
    p.add_argument("--corpus", action="append", default=[],
                   help="a directory of Python code, or 'stdlib'")
    p.add_argument("--sdist", action="append", default=[], help="an sdist to unpack and time")
    p.add_argument("--runs", type=int, default=5, help="pairs per ratio")
    p.add_argument("--scaling", default="1000,5000,20000", help="repository sizes, in files")
    p.add_argument("--slow-limit", type=int, default=0,
                   help="time pydocstyle and pydoclint only on corpora of at most this "
                        "many files (0: always)")
    p.add_argument("--hook-files", type=int, default=20000,
                   help="files in the commit hook's repository")
    p.add_argument("--only", default="startup,cold,warm,hook,fix,scaling",
                   help="comma-separated sections")
    p.add_argument("--out", help="also write the tables to this Markdown file")
    args = p.parse_args(argv)
    # An installed howto-check runs from bytecode (pip compiles it at install
    # time); with this variable set, every timed run would compile the
    # package's sources again, which no user pays. The warm-up of each pair
    # writes the bytecode.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sections = set(args.only.split(","))
    sizes = [int(s) for s in args.scaling.split(",") if s]
    out = [f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
           f"{args.runs} interleaved pairs per ratio.\n"]

    def emit(text: str) -> None:
        out.append(text)
        print(text, flush=True)

    with tempfile.TemporaryDirectory() as work:
        bench = Bench(args.python, args.tools, args.runs, work)
        corpora: List[Tuple[str, List[str], str]] = []
        for c in args.corpus:
            root = sysconfig.get_paths()["stdlib"] if c == "stdlib" else c
            corpora.append(("stdlib " + sys.version.split()[0] if c == "stdlib" else c,
                            source_files(root), root))
        for s in args.sdist:
            name, root = unpack(s, os.path.join(work, "sdists"))
            corpora.append((name, source_files(root), root))
        if "startup" in sections:
            emit(bench.startup())
        if sections & {"cold", "warm"}:
            for name, files, root in corpora:
                emit(bench.corpus(name, files, root, "cold" in sections, "warm" in sections,
                                  args.slow_limit))
        base = corpora[0] if corpora else None
        if "hook" in sections and base is not None:
            emit(bench.hook(base[1], base[2], args.hook_files))
        if "fix" in sections:
            for name, files, root in corpora[1:] or corpora:
                emit(bench.fix(name, files, root))
        if "scaling" in sections and base is not None and sizes:
            emit(bench.scaling(base[1], base[2], sizes))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
