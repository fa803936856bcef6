"""The hot path stays light, and the result cache spares parsing (no timing here:
speed is measured by bench/bench.py, not by tests)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD_GUIDE, cli, function_source, git
from howto_hook import __version__, locate

PROBE = ("import sys; from howto_hook.main import main; rc = main({argv!r}); "
         "print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'libcst', 'openai'}}))")


def probe(cwd: Path, argv: "list[str]") -> "tuple[str, str]":
    proc = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], cwd=cwd, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.stdout.strip().splitlines()[-1], proc.stderr


def test_check_never_imports_openai(tmp_path) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE), encoding="utf-8")
    loaded, err = probe(tmp_path, ["--all", "--no-cache", "--exit-zero"])
    assert loaded == "['libcst']", err  # libcst parses the file; openai stays out


def test_warm_cache_imports_neither(tmp_path) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE), encoding="utf-8")
    probe(tmp_path, ["--all"])
    loaded, err = probe(tmp_path, ["--all"])
    assert loaded == "[]", err
    assert "1 definition in 1 file" in err


def test_cache_spares_the_parse_until_something_changes(tmp_path, run_main, monkeypatch) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE.replace("reads", "is getting")),
                                   encoding="utf-8")
    real = locate.parse_module
    log = tmp_path.parent / f"{tmp_path.name}-parses"

    def counting(source: str, **kw: object):
        with open(log, "a") as f:  # parses happen in forked workers: count on disk
            f.write("1")
        return real(source, **kw)

    class Calls:
        def __len__(self) -> int:
            return len(log.read_text()) if log.exists() else 0

    calls = Calls()

    monkeypatch.setattr(locate, "parse_module", counting)
    first = run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 1 and first[0] == 1
    second = run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 1 and second == first  # served from .howto_cache/
    run_main(["--all", "--jobs", "1", "--no-cache"], tmp_path)
    assert len(calls) == 2
    run_main(["--all", "--jobs", "1", "--select", "HOW1"], tmp_path)  # other settings
    assert len(calls) == 3
    (tmp_path / "m.py").write_text((tmp_path / "m.py").read_text() + "\n# edit\n")
    run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 4
    (tmp_path / "__init__.py").write_text("")  # what HOW402 reads beside the file
    run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 6  # m.py again, and the new __init__.py itself
    assert (tmp_path / ".howto_cache" / ".gitignore").read_text() == "*\n"


def test_cached_results_are_exact(tmp_path, run_main) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text(
        function_source(GOOD_GUIDE.replace("reads", "is getting")), encoding="utf-8")
    cold = run_main(["--all", "--output-format", "json"], tmp_path)
    warm = run_main(["--all", "--output-format", "json"], tmp_path)
    assert cold == warm and '"symbol": "send_report"' in warm[1]
    # the same entry serves a run from another directory, with its own paths
    status, out, _ = run_main(["--all", "."], tmp_path / "sub")
    assert out.startswith("m.py:")


# The real command in a child process, then every module it loaded.
MODULES = ("import sys; from howto_hook.main import main\n"
           "try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
           "print(' '.join(sorted(sys.modules)))")
# Loaded only when a fix, the examples, the Batch API, Sphinx or pytest runs them.
FIX_PATH = {"howto_hook.fix", "howto_hook.fixrun", "howto_hook.land", "howto_hook.generate",
            "howto_hook.generate.template", "howto_hook.generate.sources",
            "howto_hook.generate.llm", "howto_hook.examples", "howto_hook.batch",
            "howto_hook.sphinx", "howto_hook.pytest_plugin", "howto_hook.rewrite",
            "howto_hook.validate", "howto_hook.wrap", "howto_hook.linelength",
            "howto_hook.stdin", "openai", "pytest"}
# What only a run that checks a file needs.
CHECK_PATH = {"howto_hook.workers", "howto_hook.check", "howto_hook.rules", "howto_hook.guide",
              "howto_hook.locate", "libcst", "howto_hook.cache", "howto_hook.pool"}
# The standard library's costly imports, each loaded only where it is used
# (docs/speed.md): --version answers before the command line is imported.
COMMAND_LINE = {"argparse", "typing", "subprocess"}
# json, hashlib (OpenSSL), dataclasses (with inspect), tempfile (random,
# shutil), tomllib, shutil (argparse's terminal width): a commit with no
# Python file and no config needs none.
HEAVY = {"json", "hashlib", "_hashlib", "dataclasses", "inspect", "tempfile", "tomllib",
         "difflib", "pathspec", "howto_hook.model", "howto_hook.baseline", "howto_hook.docs",
         "shutil"}
# A run the cache serves whole reads entries (json, hashlib) but starts no
# worker, writes nothing and matches no pattern it has no name for.
WARM = {"dataclasses", "inspect", "tempfile", "secrets", "pickle", "pathspec", "shutil",
        "howto_hook.pool", "howto_hook.check", "libcst"}


def loaded(cwd: Path, argv: "list[str]") -> "set[str]":
    proc = subprocess.run([sys.executable, "-c", MODULES.format(argv=argv)], cwd=cwd, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split("\n")[-2].split())


def _no_python_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "notes.txt").write_text("one\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "notes")
    (tmp_path / "notes.txt").write_text("two\n")
    git(tmp_path, "add", "-A")


def _one_module(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE), encoding="utf-8")


def _warm(tmp_path: Path) -> None:
    _one_module(tmp_path)
    loaded(tmp_path, ["--all", "--exit-zero"])  # fills the cache


@pytest.mark.parametrize("argv, setup, forbidden", [
    pytest.param(["--version"], None,
                 FIX_PATH | CHECK_PATH | COMMAND_LINE | HEAVY | {"howto_hook.cli"},
                 id="version"),
    # --help measures the terminal (shutil)
    pytest.param(["--help"], None, FIX_PATH | CHECK_PATH | HEAVY - {"shutil"}, id="help"),
    pytest.param([], _no_python_commit, FIX_PATH | CHECK_PATH | HEAVY,
                 id="commit-without-python"),
    pytest.param(["--all", "--no-cache", "--exit-zero"], _one_module, FIX_PATH,
                 id="plain-check"),
    pytest.param(["--all", "--exit-zero"], _warm, FIX_PATH | WARM, id="cached-check"),
])
def test_a_run_imports_only_its_own_stages(tmp_path, argv, setup, forbidden) -> None:
    if setup is not None:
        setup(tmp_path)
    modules = loaded(tmp_path, argv)
    assert "howto_hook.main" in modules  # the probe really ran the command
    assert not modules & forbidden, sorted(modules & forbidden)


def test_version_answers_as_the_parser_would(tmp_path) -> None:
    # the fast path's line is argparse's (which `--version` among other
    # arguments still reaches)
    fast, parsed = cli(["--version"], tmp_path), cli(["--color", "never", "--version"], tmp_path)
    assert (fast.returncode, parsed.returncode) == (0, 0)
    assert fast.stdout == parsed.stdout == f"howto-check {__version__}\n"


def test_a_fix_still_loads_the_fix_path(tmp_path) -> None:
    _one_module(tmp_path)
    (tmp_path / "m.py").write_text(function_source("Send it."), encoding="utf-8")
    modules = loaded(tmp_path, ["--all", "--fix", "--diff", "--exit-zero"])
    assert {"howto_hook.fixrun", "howto_hook.fix", "howto_hook.generate.template"} <= modules


# A git first on PATH that writes each call's arguments, one per line, to a
# file of its own (named by its pid: calls run side by side, and lines appended
# to one shared log would interleave) before running the real git.
GIT_LOGGER = """#!/bin/sh
printf '%s\\n' "$@" > "{log}.$$"
exec "{git}" "$@"
"""


def _git_calls(log: Path) -> "list[list[str]]":
    return [p.read_text().split("\n")[:-1] for p in log.parent.glob(log.name + ".*")]


@pytest.mark.parametrize("named, env", [
    pytest.param(["pkg/one.py"], {"PRE_COMMIT": "1"}, id="pre-commit-one-file"),
    pytest.param(["pkg/one.py"], {}, id="one-file"),
    pytest.param(["pkg/one.py", "two.py"], {"PRE_COMMIT": "1"}, id="two-files"),
])
def test_a_commit_asks_git_about_the_named_files_alone(tmp_path, named, env) -> None:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    for name in ("pkg/one.py", "two.py", "pkg/other.py"):
        (repo / name).write_text(function_source(GOOD_GUIDE), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    for name in ("pkg/one.py", "two.py", "pkg/other.py"):
        (repo / name).write_text(function_source("Send it."), encoding="utf-8")
    git(repo, "add", "-A")
    bin_dir, log = tmp_path / "bin", tmp_path / "git.log"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(GIT_LOGGER.format(log=log, git=shutil.which("git")))
    (bin_dir / "git").chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    proc = cli(named, repo, {"PATH": path, **env})
    assert proc.returncode == 1, proc.stderr  # the named files' changed definitions fail
    assert "other.py" not in proc.stdout and all(n in proc.stdout for n in named)
    calls = _git_calls(log)
    assert calls, "git was never called"
    for call in calls:
        specs = call[call.index("--") + 1:] if "--" in call else []
        assert sorted(specs) == sorted(f":(literal){n}" for n in named), call
    assert len(calls) <= 2  # one round: the diff and the untracked files, side by side


@pytest.mark.parametrize("newline, parses", [
    # the check's tree is the one rewritten; the proof parses the new text
    pytest.param("\n", 2, id="lf"),
    # the check reads CRLF as "\n": the rewrite parses the file as written
    pytest.param("\r\n", 3, id="crlf"),
])
@pytest.mark.usefixtures("project_importable")  # its candidates run (issue 20 item 8)
def test_a_fix_rewrites_the_tree_the_check_built(tmp_path, run_main, monkeypatch, newline,
                                                 parses) -> None:
    source = function_source("Send it.") + "\n\n" + function_source("Post it.", name="post")
    (tmp_path / "m.py").write_bytes(source.replace("\n", newline).encode())
    real = locate.parse_module
    log = tmp_path.parent / f"{tmp_path.name}-parses"

    def counting(text: str, **kw: object):
        with open(log, "a") as f:  # the fix runs in a forked worker: count on disk
            f.write("1")
        return real(text, **kw)

    monkeypatch.setattr(locate, "parse_module", counting)
    status, _, err = run_main(["--all", "--fix", "--jobs", "1", "--no-cache"], tmp_path)
    assert "Fixed 2 definitions" in err or "fixed 2" in err.lower(), err
    assert len(log.read_text()) == parses
    assert (tmp_path / "m.py").read_bytes().count(b"\r\n") == (
        (tmp_path / "m.py").read_bytes().count(b"\n") if newline == "\r\n" else 0)
