"""What is out of scope by default: test code and command-line help, and the
settings that bring each back."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

UNDOCUMENTED = "def run(x):\n    return x\n"


def checked(tmp_path: Path, run_main, files: List[str], config: str = "",
            args: "tuple[str, ...]" = (".",)) -> List[str]:
    """Paths with a HOW100 finding after `howto-check --all` (outside git)."""
    root = tmp_path / "proj"
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(UNDOCUMENTED)
    (root / "pyproject.toml").write_text("[tool.howto]\n" + config)
    status, out, err = run_main(["--all", "--output-format", "json", "--exit-zero", *args],
                                str(root))
    assert status == 0, err
    return sorted(r["path"] for r in json.loads(out) if r["code"] == "HOW100")


FILES = ["pkg/test_io.py", "pkg/io_test.py", "conftest.py", "tests/helpers.py",
         "pkg/test/helpers.py", "pkg/testing.py", "pkg/contest.py", "pkg/tests_util.py",
         "pkg/latest.py"]
KEPT = ["pkg/contest.py", "pkg/latest.py", "pkg/testing.py", "pkg/tests_util.py"]


@pytest.mark.parametrize("config, args, expected", [
    pytest.param("", (".",), KEPT, id="walk-leaves-tests-out"),
    pytest.param("include-tests = true\n", (".",), sorted(FILES), id="include-tests"),
    pytest.param("", ("pkg/test_io.py", "tests/helpers.py", "pkg/latest.py"),
                 ["pkg/latest.py"], id="named-test-files-stay-out"),
    pytest.param("include-tests = true\n", ("pkg/test_io.py",), ["pkg/test_io.py"],
                 id="named-test-file-included"),
])
def test_test_code_is_out_of_scope(tmp_path, run_main, config, args, expected) -> None:
    assert checked(tmp_path, run_main, FILES, config, args) == expected


def test_changed_test_file_is_out_of_scope(tmp_path, run_main) -> None:
    from test_changed import Repo

    r = Repo(tmp_path / "repo")
    r.write("pyproject.toml", "[tool.howto]\n")
    r.commit("base")
    r.write("tests/test_new.py", UNDOCUMENTED)
    r.write("pkg/new.py", UNDOCUMENTED)
    status, out, _ = run_main(["--output-format", "json"], r.path)
    assert status == 1 and [row["path"] for row in json.loads(out)] == ["pkg/new.py"]


CLI = '''\
import click
import typer
from click import command

app = typer.Typer()


{decorator}
def run(x):
    """Run the job named X."""
    return x
'''


@pytest.mark.parametrize("decorator, config, in_scope", [
    pytest.param("@click.command()", "", False, id="click-command"),
    pytest.param("@click.group(invoke_without_command=True)", "", False, id="click-group"),
    pytest.param("@cli.command('run')", "", False, id="named-group-command"),
    pytest.param("@cli.group()", "", False, id="named-group-group"),
    pytest.param("@app.command()", "", False, id="typer-command"),
    pytest.param("@command", "", False, id="bare-command"),
    pytest.param("@click.option('--x')\n@click.command()", "", False, id="stacked"),
    pytest.param("@functools.lru_cache()", "", True, id="other-decorator"),
    pytest.param("@click.pass_context", "", True, id="click-but-no-command"),
    pytest.param("@app.callback()", "", True, id="callback-by-default"),
    pytest.param("@app.callback()", 'extend-skip-decorators = ["app.callback"]\n', False,
                 id="extend-skip-decorators"),
    pytest.param("@click.command()", "skip-decorators = []\n", True, id="skip-decorators-empty"),
    pytest.param("@app.command()", 'skip-decorators = ["click.*"]\n', True,
                 id="skip-decorators-replaces"),
    pytest.param("@click.command()", 'scope = "all"\n', False, id="scope-all-still-skips"),
])
def test_cli_help_is_out_of_scope(tmp_path, run_main, decorator, config, in_scope) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "cli.py").write_text(CLI.format(decorator=decorator))
    (root / "pyproject.toml").write_text("[tool.howto]\n" + config)
    status, out, err = run_main(["--all", "--output-format", "json", "--exit-zero", "."],
                                str(root))
    assert status == 0, err
    symbols = {r["symbol"] for r in json.loads(out)}
    assert ("run" in symbols) == in_scope


@pytest.mark.parametrize("key, value, message", [
    pytest.param("include-tests", '"yes"', "tool.howto.include-tests must be true or false",
                 id="include-tests-not-bool"),
    pytest.param("skip-decorators", '"click.command"',
                 "tool.howto.skip-decorators must be a list of strings", id="skip-not-list"),
    pytest.param("extend-skip-decorators", "[1]",
                 "tool.howto.extend-skip-decorators must be a list of strings",
                 id="extend-not-strings"),
])
def test_bad_scope_settings_are_one_line_errors(tmp_path, run_main, key, value,
                                                message) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.howto]\n{key} = {value}\n")
    (tmp_path / "a.py").write_text(UNDOCUMENTED)
    status, out, err = run_main(["--all", "."], str(tmp_path))
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("named, note", [
    pytest.param("tests", "howto-check: tests is test code, out of scope by default; "
                          "set include-tests = true to check it", id="test-directory"),
    pytest.param("tests/test_a.py", "howto-check: tests/test_a.py is test code, out of scope "
                                    "by default; set include-tests = true to check it",
                 id="test-file"),
    pytest.param("pkg", None, id="empty-package-says-nothing"),
])
def test_naming_only_test_code_says_why_nothing_is_checked(tmp_path, run_main, named,
                                                           note) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(UNDOCUMENTED)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.howto]\n")
    status, out, err = run_main(["--all", named], str(tmp_path))
    assert (status, out) == (0, "")
    assert (note in err.splitlines()) if note else "test code" not in err, err


@pytest.mark.parametrize("git", [pytest.param(False, id="walk"),
                                 pytest.param(True, id="git-listing")])
def test_a_package_config_governs_its_own_tests_in_a_walk_from_the_root(
        tmp_path, run_main, git) -> None:
    # The root leaves test code out; packages/a brings its own back. A walk
    # from the root must judge each directory by its nearest configuration.
    root = tmp_path / "mono"
    files = ["tests/test_root.py", "packages/a/tests/test_a.py", "packages/a/mod.py",
             "packages/b/tests/test_b.py", "packages/b/mod.py"]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(UNDOCUMENTED)
    (root / "pyproject.toml").write_text("[tool.howto]\n")
    (root / "packages/a/pyproject.toml").write_text("[tool.howto]\ninclude-tests = true\n")
    if git:
        import subprocess

        subprocess.run(["git", "init", "-q", str(root)], check=True)
    status, out, err = run_main(["--all", "--output-format", "json", "--exit-zero", "."],
                                str(root))
    assert status == 0, err
    found = sorted(r["path"] for r in json.loads(out) if r["code"] == "HOW100")
    assert found == ["packages/a/mod.py", "packages/a/tests/test_a.py", "packages/b/mod.py"]
