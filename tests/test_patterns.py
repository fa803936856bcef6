"""exclude, extend-exclude and per-file-ignores with ruff's (gitignore's)
pattern semantics: unanchored names, anchored paths, `**`, directories."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_tree

NO_DOC = "def f(x):\n    return x\n"
TREE = {name: NO_DOC for name in (
    "top.py", "legacy/top.py", "pkg/legacy/deep.py", "pkg/mod.py", "src/gen/a.py",
    "pkg/src/gen/b.py", "docs/conf.py", "docs/api/conf.py", "pkg/build_tools.py",
    "scripts/run.py", "scripts/sub/more.py", "keep/keep.py", "keep/drop.py",
)}
EVERYTHING = set(TREE)


def reported(run_main, root: Path, argv: "list[str]") -> "set[str]":
    status, out, err = run_main(["--all", "--output-format", "json", *argv], root)
    assert status in (0, 1), err
    return {row["path"] for row in json.loads(out)}


@pytest.mark.parametrize("patterns, gone", [
    pytest.param("**/legacy", {"legacy/top.py", "pkg/legacy/deep.py"},
                 id="double-star-matches-at-the-top-too"),
    pytest.param("legacy", {"legacy/top.py", "pkg/legacy/deep.py"}, id="unanchored-name"),
    pytest.param("src/gen", {"src/gen/a.py"}, id="anchored-at-the-root"),
    pytest.param("/legacy", {"legacy/top.py"}, id="leading-slash-anchors"),
    pytest.param("./src/gen", {"src/gen/a.py"}, id="dot-slash-anchors"),
    pytest.param("docs/**/conf.py", {"docs/conf.py", "docs/api/conf.py"},
                 id="double-star-spans-zero-or-more-directories"),
    pytest.param("build", set(), id="a-name-is-whole:-build-is-not-build_tools"),
    pytest.param("*_tools.py", {"pkg/build_tools.py"}, id="star-within-a-name"),
    pytest.param("build_*.py", {"pkg/build_tools.py"}, id="star-between-a-head-and-a-tail"),
    pytest.param("/top*.py", {"top.py"}, id="leading-slash-anchors-a-wildcard-name"),
    # "mod.py" starts with "mo" and ends with "od.py", but is too short for both
    pytest.param("mo*od.py", set(), id="head-and-tail-overlapping-is-no-match"),
    pytest.param("scripts/*", {"scripts/run.py", "scripts/sub/more.py"},
                 id="star-matches-a-directory-and-all-below"),
    pytest.param("legacy/", {"legacy/top.py", "pkg/legacy/deep.py"},
                 id="trailing-slash-a-directory"),
    pytest.param("keep/*,!keep/keep.py", {"keep/drop.py"}, id="negation-re-includes"),
])
def test_exclude_patterns(tmp_path, run_main, patterns, gone) -> None:
    root = write_tree(tmp_path, TREE)
    assert reported(run_main, root, ["--extend-exclude", patterns]) == EVERYTHING - gone
    # the same from the configuration, and for files named one by one (as
    # pre-commit names them)
    (root / "pyproject.toml").write_text(
        "[tool.howto]\nextend-exclude = [" + ", ".join(
            json.dumps(p) for p in patterns.split(",")) + "]\n", encoding="utf-8")
    assert reported(run_main, root, []) == EVERYTHING - gone
    assert reported(run_main, root, sorted(EVERYTHING)) == EVERYTHING - gone


@pytest.mark.parametrize("pattern, ignored", [
    pytest.param("scripts/**", {"scripts/run.py", "scripts/sub/more.py"}, id="anchored-tree"),
    pytest.param("legacy", {"legacy/top.py", "pkg/legacy/deep.py"}, id="unanchored-directory"),
    pytest.param("**/conf.py", {"docs/conf.py", "docs/api/conf.py"}, id="any-depth"),
    pytest.param("top.py", {"top.py", "legacy/top.py"}, id="a-name-anywhere"),
])
def test_per_file_ignores_patterns(tmp_path, run_main, pattern, ignored) -> None:
    root = write_tree(tmp_path, TREE)
    (root / "pyproject.toml").write_text(
        f'[tool.howto.per-file-ignores]\n{json.dumps(pattern)} = ["HOW100"]\n',
        encoding="utf-8")
    assert reported(run_main, root, []) == EVERYTHING - ignored


@pytest.mark.parametrize("rel, patterns, expected", [
    pytest.param("scripts/sub/more.py", ("scripts/*",), True, id="below-a-matched-directory"),
    pytest.param("pkg/legacy/deep.py", ("legacy/",), True, id="directory-only-pattern"),
    pytest.param("pkg/legacy", ("legacy/",), False, id="directory-only-not-a-file"),
    pytest.param("legacy/top.py", ("**/legacy",), True, id="double-star-at-the-top"),
    pytest.param("pkg/src/gen/b.py", ("src/gen",), False, id="anchored-not-below"),
    pytest.param("x/a_pb2.py", ("*_pb2.py",), True, id="wildcard-name-by-its-ending"),
    pytest.param("x/a_pb2.pyi", ("*_pb2.py",), False, id="ending-must-be-whole"),
    pytest.param("x/a.c", ("*.[ch]",), True, id="character-class"),
    pytest.param("x/ab.py", ("a?.py",), True, id="question-mark"),
    pytest.param("pkg/gen_x/y.py", ("gen_*",), True, id="wildcard-at-the-end"),
    pytest.param("keep/keep.py", ("keep/*", "!keep/keep.py"), False, id="last-match-wins"),
    pytest.param("a/b.py", tuple(f"*_nomatch_{i}.py" for i in range(20000)) + ("b.py",), True,
                 id="a-name-among-20000-wildcards"),
    pytest.param("src/b.py", tuple(f"src/**/d{i}/*.py" for i in range(2000)), False,
                 id="2000-anchored-patterns-under-one-directory"),
])
def test_matches(rel, patterns, expected) -> None:
    from howto_hook.patterns import matches

    assert matches(rel, patterns) is expected
