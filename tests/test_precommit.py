"""The real pre-commit framework running this repository's hooks.

pre-commit builds the hook's environment with pip. So that no test reaches
the network, pip is pointed at `.wheelhouse/`, which the README's test
command fills (`pip download`) before pytest starts.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GOOD_GUIDE, REPO, function_source, git

WHEELHOUSE = os.path.join(REPO, ".wheelhouse")
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.egg-info",
                                   ".howto_cache", ".wheelhouse", ".hypothesis", "build", "dist")
BAD_DOC = GOOD_GUIDE.replace("reads the report", "is getting the report")


def bad(name: str) -> str:
    return function_source(BAD_DOC.replace("send_report", name), name=name)


def good(name: str) -> str:
    return function_source(GOOD_GUIDE.replace("send_report", name), name=name)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> "tuple[str, str]":
    """A committed copy of this working tree, as a user's config would name it."""
    if not os.path.isdir(WHEELHOUSE) or not os.listdir(WHEELHOUSE):
        pytest.fail("no .wheelhouse/: run the README's test command, which fills it")
    path = tmp_path_factory.mktemp("hooks") / "howto-hook"
    shutil.copytree(REPO, path, ignore=SKIP_COPY)
    git(str(path), "init", "-q", "-b", "main")
    git(str(path), "add", "-A")
    git(str(path), "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "hooks")
    return str(path), git(str(path), "rev-parse", "HEAD").strip()


def pre_commit_env(home: Path) -> "dict[str, str]":
    env = dict(os.environ)
    env.update(PRE_COMMIT_HOME=str(home), PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELHOUSE,
               PIP_DISABLE_PIP_VERSION_CHECK="1", VIRTUALENV_NO_DOWNLOAD="1", NO_COLOR="1")
    bindir = os.path.dirname(sys.executable)  # where pre-commit is installed
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def run(cwd: Path, env: "dict[str, str]", *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def user_repo(tmp_path: Path, hook_repo: "tuple[str, str]",
              hooks: str) -> "tuple[Path, dict[str, str]]":
    """A user's new repository whose .pre-commit-config.yaml takes `hooks` (YAML list items)
    from the hook repository, and the environment pre-commit runs in for it."""
    hook_path, rev = hook_repo
    user = tmp_path / "user"
    user.mkdir()
    git(str(user), "init", "-q", "-b", "main")
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_path}\n    rev: {rev}\n    hooks:\n"
        + textwrap.indent(hooks, "      "), encoding="utf-8")
    return user, pre_commit_env(tmp_path / "pre-commit-home")


@pytest.mark.slow
def test_commit_and_push_are_blocked_on_changed_definitions_only(hook_repo, tmp_path) -> None:
    user, env = user_repo(tmp_path, hook_repo,
                          "- id: howto-check\n- id: howto-fix\n  stages: [manual]\n")
    legacy = bad("legacy")
    (user / "mod.py").write_text(legacy, encoding="utf-8")
    git(str(user), "add", "-A")
    git(str(user), "commit", "-q", "--no-verify", "-m", "legacy code")
    proc = run(user, env, "pre-commit", "install", "--hook-type", "pre-commit",
               "--hook-type", "pre-push")
    assert proc.returncode == 0, proc.stdout

    # A commit adding a bad docstring is blocked, at the right line, and the
    # unchanged bad function above it is not reported.
    (user / "mod.py").write_text(legacy + "\n\n" + bad("fresh"), encoding="utf-8")
    git(str(user), "add", "mod.py")
    proc = run(user, env, "git", "commit", "-m", "add fresh")
    assert proc.returncode != 0, proc.stdout
    text = legacy + "\n\n" + bad("fresh")
    fresh_line = text[:text.index("`fresh` function is getting")].count("\n") + 1
    assert f"mod.py:{fresh_line}:29: HOW301 vague word 'getting'" in proc.stdout
    legacy_line = legacy[:legacy.index("is getting")].count("\n") + 1
    assert f"mod.py:{legacy_line}:" not in proc.stdout
    assert "1 changed definition in 1 file" in proc.stdout

    # With a passing guide the commit goes through.
    (user / "mod.py").write_text(legacy + "\n\n" + good("fresh"), encoding="utf-8")
    git(str(user), "add", "mod.py")
    proc = run(user, env, "git", "commit", "-m", "add fresh")
    assert proc.returncode == 0, proc.stdout

    # pre-push checks what the push sends: a bad function committed with
    # --no-verify is stopped there.
    remote = tmp_path / "remote.git"
    git(str(tmp_path), "init", "-q", "--bare", str(remote))
    git(str(user), "remote", "add", "origin", str(remote))
    # A branch's first push has nothing on the remote to compare with, so
    # pre-commit runs the hook as --all-files: every file is checked whole,
    # and the legacy function stops it (a baseline would let it through).
    proc = run(user, env, "git", "push", "-q", "origin", "main")
    assert proc.returncode != 0, proc.stdout
    assert "checking them whole" in proc.stdout and f"mod.py:{legacy_line}:" in proc.stdout
    git(str(user), "push", "-q", "--no-verify", "origin", "main")
    (user / "more.py").write_text(bad("pushed"), encoding="utf-8")
    git(str(user), "add", "more.py")
    git(str(user), "commit", "-q", "--no-verify", "-m", "sneak")
    proc = run(user, env, "git", "push", "origin", "main")
    assert proc.returncode != 0, proc.stdout
    more = bad("pushed")
    line = more[:more.index("is getting")].count("\n") + 1
    assert f"more.py:{line}:30: HOW301" in proc.stdout
    assert "mod.py" not in proc.stdout.split("howto-check")[-1]

    # The fixing hook, from the same installed (not editable) environment:
    # every subpackage must have been installed for it to run.
    no_doc = "def plain(x: int) -> int:\n    return x\n"
    (user / "plain.py").write_text(no_doc, encoding="utf-8")
    git(str(user), "add", "plain.py")
    # The hook's environment holds howto-check alone and the repository has no
    # .venv: nothing can import the project, so the hook says so once, names
    # example-python, and writes no example it could not run (issue 20 item 8).
    proc = run(user, env, "pre-commit", "run", "howto-fix", "--hook-stage", "manual",
               "--files", "plain.py")
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout.count("no interpreter that can import the project was found") == 1
    assert "set example-python (or --example-python)" in proc.stdout
    assert "cannot fix plain: its example was not run" in proc.stdout
    assert (user / "plain.py").read_text(encoding="utf-8") == no_doc
    # With the project's own virtualenv at its top, the example runs there and is written.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(user / ".venv")],
                   check=True)
    proc = run(user, env, "pre-commit", "run", "howto-fix", "--hook-stage", "manual",
               "--files", "plain.py")
    assert proc.returncode == 1 and "Fixed 1 definition in 1 file" in proc.stdout, proc.stdout
    assert "(from .venv at the repository root)" in proc.stdout
    assert "How to Use This Code Block" in (user / "plain.py").read_text(encoding="utf-8")


@pytest.mark.slow
def test_all_files_checks_the_repository_whole_and_commits_stay_changed_only(
        hook_repo, tmp_path) -> None:
    user, env = user_repo(tmp_path, hook_repo, "- id: howto-check\n")
    (user / "old.py").write_text(bad("legacy"), encoding="utf-8")
    (user / "other.py").write_text(bad("ancient"), encoding="utf-8")
    git(str(user), "add", "-A")
    git(str(user), "commit", "-q", "--no-verify", "-m", "existing code")
    assert run(user, env, "pre-commit", "install").returncode == 0

    # A clean tree: --all-files names every file, none differs from HEAD.
    proc = run(user, env, "pre-commit", "run", "--all-files")
    assert proc.returncode == 1, proc.stdout
    assert "checking them whole" in proc.stdout and "baseline applied" not in proc.stdout
    assert "old.py:" in proc.stdout and "other.py:" in proc.stdout
    assert "2 definitions in 2 files" in proc.stdout
    proc = run(user, env, "pre-commit", "run", "--files", "other.py")
    assert proc.returncode == 1 and "old.py:" not in proc.stdout, proc.stdout

    # With a baseline of the existing code the same gate passes.
    proc = run(user, env, "howto-check", "--generate-baseline", "howto-baseline.json")
    assert proc.returncode == 0, proc.stdout
    (user / "pyproject.toml").write_text('[tool.howto]\nbaseline = "howto-baseline.json"\n',
                                         encoding="utf-8")
    git(str(user), "add", "-A")
    git(str(user), "commit", "-q", "--no-verify", "-m", "baseline")
    proc = run(user, env, "pre-commit", "run", "--all-files")
    assert proc.returncode == 0, proc.stdout

    # A commit that only renames, or only changes a mode, is no whole-file run.
    git(str(user), "mv", "other.py", "renamed.py")
    proc = run(user, env, "git", "commit", "-m", "rename")
    assert proc.returncode == 0, proc.stdout
    assert "checking them whole" not in proc.stdout
    os.chmod(user / "old.py", 0o755)
    git(str(user), "add", "old.py")
    proc = run(user, env, "git", "commit", "-m", "mode")
    assert proc.returncode == 0 and "checking them whole" not in proc.stdout, proc.stdout

    # A normal commit still reports only the definitions it changed.
    (user / "old.py").write_text(bad("legacy") + "\n\n" + bad("fresh"), encoding="utf-8")
    git(str(user), "add", "old.py")
    proc = run(user, env, "git", "commit", "-m", "fresh")
    assert proc.returncode == 1, proc.stdout
    assert "1 changed definition in 1 file" in proc.stdout
    assert "checking them whole" not in proc.stdout
