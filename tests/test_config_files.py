"""Each file takes the nearest configuration above it, as in ruff: howto.toml
or .howto.toml (top-level keys), else a pyproject.toml with [tool.howto]."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GOOD_GUIDE, function_source, git, write_tree

VAGUE = function_source(GOOD_GUIDE.replace("reads the report", "is getting the report")
                        .replace("send_report", "vague"),
                        name="vague")
SOURCE = VAGUE + "\n\ndef bare(x):\n    return x\n"  # HOW301 in vague, HOW100 in bare


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "mono", {
        "pyproject.toml": '[tool.howto]\nignore = ["HOW100"]\n',
        "top.py": SOURCE,
        "sub/skip.py": SOURCE,
        # a package with its own settings, as top-level keys
        "packages/a/howto.toml": 'ignore = ["HOW301"]\nextend-exclude = ["sub/skip.py"]\n',
        "packages/a/m.py": SOURCE,
        "packages/a/sub/skip.py": SOURCE,
        # a package whose pyproject.toml is only packaging: passed over
        "packages/b/pyproject.toml": '[project]\nname = "b"\nversion = "1"\n',
        "packages/b/m.py": SOURCE,
        # the hidden name works too
        "packages/c/.howto.toml": 'select = ["HOW1"]\n',
        "packages/c/m.py": SOURCE,
    })
    git(str(root), "init", "-q", "-b", "main")
    return root


EXPECTED = {
    ("top.py", "HOW301"), ("sub/skip.py", "HOW301"),
    ("packages/a/m.py", "HOW100"),
    ("packages/b/m.py", "HOW301"),
    ("packages/c/m.py", "HOW100"),
}


def found(run_main, cwd: Path, *args: str) -> "set[tuple[str, str]]":
    status, out, err = run_main(["--all", "--output-format", "json", *args], cwd)
    rows = json.loads(out)
    assert status == (1 if rows else 0), err  # 1 exactly when something is reported
    return {(row["path"], row["code"]) for row in rows}


@pytest.mark.parametrize("where", [".", "packages/a", "packages/b", "packages/c"])
def test_monorepo_each_file_takes_its_nearest_config_from_anywhere(monorepo, run_main,
                                                                   where) -> None:
    cwd = monorepo / where
    target = "." if where == "." else str(Path("../" * where.count("/") + "..").as_posix())
    assert found(run_main, cwd, target) == EXPECTED
    # run twice: the second answer comes from the cache, which must keep
    # files of different settings apart (a/m.py and b/m.py have equal bytes)
    assert found(run_main, cwd, target) == EXPECTED
    assert (monorepo / ".howto_cache").is_dir()
    assert not any(p.name == ".howto_cache" for p in (monorepo / "packages").rglob("*"))


def test_a_package_run_sees_only_its_files_with_its_settings(monorepo, run_main) -> None:
    assert found(run_main, monorepo / "packages" / "a") == {("packages/a/m.py", "HOW100")}
    assert found(run_main, monorepo / "packages" / "b") == {("packages/b/m.py", "HOW301")}


@pytest.mark.parametrize("args, expected", [
    pytest.param(["--config", "other.toml"], {("top.py", "HOW100"), ("sub/skip.py", "HOW100"),
                                              ("packages/a/m.py", "HOW100"),
                                              ("packages/a/sub/skip.py", "HOW100"),
                                              ("packages/b/m.py", "HOW100"),
                                              ("packages/c/m.py", "HOW100")},
                 id="config-file-for-everything-top-level-keys"),
    pytest.param(["--config", 'ignore=["HOW1", "HOW3"]'], set(), id="override-everywhere"),
    pytest.param(["--config", 'select=["HOW3"]'], {
        ("top.py", "HOW301"), ("sub/skip.py", "HOW301"), ("packages/b/m.py", "HOW301"),
        ("packages/c/m.py", "HOW301")},  # a's own ignore still holds
        id="override-laid-over-each-config"),
    pytest.param(["--extend-exclude", "packages"], {("top.py", "HOW301"),
                                                    ("sub/skip.py", "HOW301")},
                 id="extend-exclude"),
    pytest.param(["--exclude", "sub"], EXPECTED - {("sub/skip.py", "HOW301")},
                 id="exclude-replaces"),
])
def test_command_line_settings(monorepo, run_main, args, expected) -> None:
    write_tree(monorepo, {"other.toml": 'select = ["HOW100"]\n'})
    assert found(run_main, monorepo, *args, ".") == expected


@pytest.mark.parametrize("files, needle", [
    pytest.param({"howto.toml": "bogus = 1\n"}, "howto.toml: unknown key", id="unknown-key"),
    pytest.param({"howto.toml": "scope = 3\n"}, "howto.toml: scope must be one of",
                 id="wrong-type"),
    pytest.param({"howto.toml": "scope = [\n"}, "howto.toml is not valid TOML", id="bad-toml"),
])
def test_config_mistakes_name_the_file(tmp_path, run_main, files, needle) -> None:
    write_tree(tmp_path, {**files, "m.py": SOURCE})
    status, out, err = run_main(["--all", "."], tmp_path)
    assert (status, out) == (2, "") and needle in err and err.count("\n") == 1


@pytest.mark.parametrize("value, needle", [
    pytest.param("scope=", "neither a file nor KEY=VALUE", id="no-value"),
    pytest.param("missing.toml", "config file missing.toml does not exist", id="missing-file"),
    pytest.param("nonsense=1", "unknown key", id="unknown-key"),
])
def test_config_flag_mistakes(tmp_path, run_main, value, needle) -> None:
    write_tree(tmp_path, {"m.py": SOURCE})
    status, out, err = run_main(["--all", "--config", value, "."], tmp_path)
    assert (status, out) == (2, "") and needle in err, err
