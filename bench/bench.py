"""Time howto-check against ruff, pydocstyle and pydoclint, in one run.

Every tool runs as a whole process over the same list of files, several
times; the table gives medians with min-max and ratios against ruff and
pydocstyle, since absolute times on a shared machine are noisy. Then the
commit-hook cases: a commit touching no Python file, one small file, and one
file of about 2,000 lines, in a git repository as large as the corpus.

    python bench/bench.py                       # the standard library
    python bench/bench.py --corpus ~/src/django --runs 5
    python bench/bench.py --skip-slow           # leave out pydocstyle and pydoclint

Tools are looked up next to this interpreter first, then on PATH.
"""
from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

BIN = os.path.dirname(sys.executable)


def tool(name: str) -> Optional[str]:
    here = os.path.join(BIN, name)
    return here if os.path.exists(here) else shutil.which(name)


def corpus_files(root: str) -> List[str]:
    """The .py files howto-check would walk: no site-packages, caches or venvs."""
    skip = {"site-packages", "__pycache__", ".git", ".venv", "venv", "build", "dist",
            ".howto_cache", "node_modules", ".tox"}
    out = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        out.extend(os.path.join(here, f) for f in sorted(files) if f.endswith(".py"))
    return out


# Installed packages carry compiled bytecode; a development checkout under
# PYTHONDONTWRITEBYTECODE would recompile howto_hook on every run and time
# the compiler instead of the tool.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_package() -> None:
    import compileall

    import howto_hook

    compileall.compile_dir(os.path.dirname(howto_hook.__file__), quiet=1)


def timed(cmd: Sequence[str], cwd: str, env: Optional[Dict[str, str]] = None) -> float:
    start = time.perf_counter()
    subprocess.run(list(cmd), cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def series(cmd: Sequence[str], cwd: str, runs: int, before: Optional[callable] = None,
           env: Optional[Dict[str, str]] = None) -> List[float]:
    out = []
    for _ in range(runs):
        if before is not None:
            before()
        out.append(timed(cmd, cwd, env))
    return out


def interleaved(cases: Sequence[Tuple[str, Sequence[str]]], cwd: str, runs: int
                ) -> List[Tuple[str, List[float]]]:
    times: Dict[str, List[float]] = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, cmd in cases:
            times[name].append(timed(cmd, cwd))
    return [(name, times[name]) for name, _ in cases]


def fmt(times: Sequence[float]) -> str:
    med = statistics.median(times)
    if med < 1:  # milliseconds: the hook cases differ in the third decimal
        return f"{med * 1000:.1f} ms ({min(times) * 1000:.1f}-{max(times) * 1000:.1f})"
    return f"{med:.2f} s ({min(times):.2f}-{max(times):.2f})"


def copy_corpus(files: Sequence[str], root: str, work: str) -> List[str]:
    """Copies of the corpus under `work`: every tool reads the same bytes, and
    no exclusion meant for a project's own tree (a corpus inside
    site-packages or a .venv) can hide files from one tool only."""
    out = []
    for f in files:
        dest = os.path.join(work, "corpus", os.path.relpath(f, root))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(f, dest)
        out.append(dest)
    return out


def checked_files(howto: str, files: Sequence[str], work: str) -> int:
    """How many files howto-check says it read, from its summary line."""
    proc = subprocess.run([howto, "--all", "--exit-zero", "--no-cache", *files], cwd=work,
                          env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    summary = proc.stderr.strip().splitlines()[-1]
    return int(summary.split(" files")[0].split()[-1]) if " files" in summary else 0


def lines_of(files: Sequence[str]) -> int:
    total = 0
    for f in files:
        with open(f, "rb") as fh:
            total += fh.read().count(b"\n")
    return total


def whole_runs(files: List[str], runs: int, skip_slow: bool, work: str) -> List[Tuple[str, List[float]]]:
    howto = tool("howto-check")
    assert howto, "howto-check is not installed"
    rows: List[Tuple[str, List[float]]] = []
    cache = os.path.join(work, ".howto_cache")

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    rows.append(("howto-check --all (cold, default --jobs)",
                 series([howto, "--all", "--exit-zero", *files], work, runs, clear)))
    rows.append(("howto-check --all (warm cache)",
                 series([howto, "--all", "--exit-zero", *files], work, runs)))
    rows.append(("howto-check --all --jobs 1 (cold)",
                 series([howto, "--all", "--exit-zero", "--jobs", "1", *files], work,
                        max(1, runs // 2), clear)))
    ruff = tool("ruff")
    if ruff:
        rows.append(("ruff check --select D --no-cache",
                     series([ruff, "check", "--select", "D", "--no-cache", "--exit-zero", *files],
                            work, runs)))
    if not skip_slow:
        pydocstyle = tool("pydocstyle")
        if pydocstyle:
            rows.append(("pydocstyle", series([pydocstyle, *files], work, runs)))
        pydoclint = tool("pydoclint")
        if pydoclint:
            rows.append(("pydoclint", series([pydoclint, "--quiet", *files], work, runs)))
    return rows


def git(cwd: str, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@b")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def _first_function_body_line(path: str) -> Optional[int]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and node.body:
            return node.body[-1].lineno
    return None


LAUNCHER = """#!{python}
import sys
from howto_hook.main import main_entry
if __name__ == "__main__":
    sys.exit(main_entry())
"""


def plain_install(work: str) -> Tuple[str, str]:
    """(python, howto-check) of a fresh virtual environment that imports
    howto_hook the way a regular install does.

    The development environment's editable install puts an import hook in
    every start-up (about 10 ms here), which would flatter the ratio against
    `python -c pass`. This one holds a plain path entry to the source tree and
    to the site-packages with libcst, and a launcher as current pip writes it.
    """
    import libcst
    import venv

    import howto_hook

    env_dir = os.path.join(work, "venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = os.path.join(env_dir, "bin", "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    source = os.path.dirname(os.path.dirname(os.path.abspath(howto_hook.__file__)))
    deps = os.path.dirname(os.path.dirname(os.path.abspath(libcst.__file__)))
    with open(os.path.join(site, "howto_bench.pth"), "w") as fh:
        fh.write(f"{source}\n{deps}\n")
    script = os.path.join(env_dir, "bin", "howto-check")
    with open(script, "w") as fh:
        fh.write(LAUNCHER.format(python=python))
    os.chmod(script, 0o755)
    return python, script


def hook_runs(files: List[str], root: str, runs: int, work: str) -> List[Tuple[str, List[float]]]:
    """A repository holding the corpus; each case stages one change."""
    repo = os.path.join(work, "repo")
    for f in files:
        dest = os.path.join(repo, os.path.relpath(f, root))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(f, dest)
    with open(os.path.join(repo, "README.txt"), "w") as fh:
        fh.write("notes\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "corpus")
    python, howto = plain_install(work)
    rows: List[Tuple[str, List[float]]] = []
    copies = [os.path.join(repo, os.path.relpath(f, root)) for f in files]
    sizes = {p: lines_of([p]) for p in copies}
    small = min((p for p in copies if 50 <= sizes[p] <= 200 and _first_function_body_line(p)),
                key=lambda p: sizes[p], default=None)
    large = min((p for p in copies if _first_function_body_line(p)),
                key=lambda p: abs(sizes[p] - 2000))

    def stage(path: str, line: Optional[int]) -> None:
        git(repo, "reset", "-q", "--hard")
        with open(path, "rb") as fh:
            rows_ = fh.read().split(b"\n")
        if line is None:
            rows_.append(b"more")
        else:
            rows_.insert(line, rows_[line - 1][: len(rows_[line - 1]) - len(rows_[line - 1].lstrip())]
                         + b"pass  # touched")
        with open(path, "wb") as fh:
            fh.write(b"\n".join(rows_))
        git(repo, "add", "-A")

    stage(os.path.join(repo, "README.txt"), None)
    # Taken in turns, run by run, so that a busy moment of the machine falls
    # on all four rows alike. `git diff` compares the working tree with the
    # index, as the hook must; the --cached form reads the index only, the
    # cheapest git call there is.
    rows.extend(interleaved([
        ("python -c pass", [python, "-c", "pass"]),
        ("git diff", ["git", "diff", "--quiet"]),
        ("git diff --cached --quiet", ["git", "diff", "--cached", "--quiet"]),
        ("commit touching no Python file", [howto]),
    ], repo, runs * 3))
    if small is not None:
        stage(small, _first_function_body_line(small))
        rows.append((f"commit touching one small file ({sizes[small]} lines)",
                     series([howto, "--exit-zero"], repo, runs)))
    stage(large, _first_function_body_line(large))
    rows.append((f"commit touching one {sizes[large]}-line file",
                 series([howto, "--exit-zero"], repo, runs)))
    return rows


def table(title: str, rows: List[Tuple[str, List[float]]], refs: Sequence[str]) -> str:
    med = {name: statistics.median(t) for name, t in rows}
    ref_names = [r for r in refs if r in med]
    head = "| run | median (min-max) | " + " | ".join(f"x {r.split()[0]}" for r in ref_names) + " |"
    sep = "| --- | --- | " + " | ".join("---" for _ in ref_names) + " |"
    body = []
    for name, t in rows:
        ratios = " | ".join(f"{med[name] / med[r]:.2f}" for r in ref_names)
        body.append(f"| {name} | {fmt(t)} | {ratios} |")
    return f"### {title}\n\n" + "\n".join([head, sep, *body]) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", default=sysconfig.get_paths()["stdlib"],
                   help="directory of Python code (default: this interpreter's stdlib)")
    p.add_argument("--extra", help="a second corpus, timed the same way")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--skip-slow", action="store_true", help="leave out pydocstyle and pydoclint")
    p.add_argument("--skip-hook", action="store_true", help="leave out the commit-hook cases")
    p.add_argument("--only-hook", action="store_true", help="run the commit-hook cases only")
    args = p.parse_args(argv)
    compile_package()
    out = [f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
           f"runs per row: {args.runs}\n"]
    for corpus in [] if args.only_hook else [args.corpus] + ([args.extra] if args.extra else []):
        with tempfile.TemporaryDirectory() as work:
            files = copy_corpus(corpus_files(corpus), corpus, work)
            seen = checked_files(tool("howto-check") or "howto-check", files, work)
            assert seen == len(files), f"howto-check read {seen} of {len(files)} files"
            rows = whole_runs(files, args.runs, args.skip_slow, work)
            title = f"{corpus}: {len(files)} files, {lines_of(files):,} lines"
        out.append(table(title, rows, ["ruff check --select D --no-cache", "pydocstyle"]))
        print(out[-1], flush=True)
    if not args.skip_hook:
        files = corpus_files(args.corpus)
        with tempfile.TemporaryDirectory() as work:
            rows = hook_runs(files, args.corpus, args.runs, work)
        out.append(table("commit-hook cases (a repository holding the corpus)", rows,
                         ["python -c pass"]))
        print(out[-1], flush=True)
        med = {n: statistics.median(t) for n, t in rows}
        idle = med["commit touching no Python file"]
        for git_row in ("git diff", "git diff --cached --quiet"):
            print(f"no-Python commit / (python -c pass + {git_row}): "
                  f"{idle / (med['python -c pass'] + med[git_row]):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
