"""Adopting howto-check on code that already exists: baseline, noqa, coverage."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_changed import Repo, bad_function

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")


def make_repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.write("pkg/a.py", bad_function("one") + "\n\n" + bad_function("two"))
    r.write("pkg/b.py", "def three(x):\n    return x\n")
    r.write("pyproject.toml", "[tool.howto]\n")
    r.commit("base")
    return r


def codes(out: str) -> "list[tuple[str, str]]":
    return sorted((row["symbol"], row["code"]) for row in json.loads(out))


def test_baseline_hides_known_violations_and_survives_unrelated_edits(tmp_path, run_main
                                                                      ) -> None:
    r = make_repo(tmp_path)
    status, out, err = run_main(["--generate-baseline", "howto-baseline.json"], r.path)
    assert status == 0 and "Recorded 3 violations" in err
    entries = json.loads((r.path / "howto-baseline.json").read_text())["entries"]
    assert {(e["path"], e["symbol"], e["code"]) for e in entries} == {
        ("pkg/a.py", "one", "HOW301"), ("pkg/a.py", "two", "HOW301"), ("pkg/b.py", "three", "HOW100")}
    assert all("line" not in e for e in entries)
    r.commit("baseline")

    status, out, _ = run_main(["--all", "--baseline", "howto-baseline.json"], r.path)
    assert (status, out) == (0, "")
    # unrelated code moves every line; the baseline still holds
    r.write("pkg/a.py", "import os\nimport sys\n\n\n" + r.read("pkg/a.py"))
    status, out, _ = run_main(["--all", "--baseline", "howto-baseline.json",
                               "--output-format", "json"], r.path)
    assert (status, json.loads(out)) == (0, [])
    # the config key works too, and from a subdirectory
    r.write("pyproject.toml", '[tool.howto]\nbaseline = "howto-baseline.json"\n')
    status, out, _ = run_main(["--all", "."], r.path / "pkg")
    assert (status, out) == (0, "")


def test_editing_a_docstring_brings_its_violations_back(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    run_main(["--generate-baseline", "b.json"], r.path)
    r.edit("pkg/a.py", "posts it", "posts it at once")  # one's docstring
    status, out, _ = run_main(["--all", "--baseline", "b.json", "--output-format", "json"], r.path)
    assert status == 1 and codes(out) == [("one", "HOW301")]


def test_fixed_entry_is_reported_stale(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    run_main(["--generate-baseline", "b.json"], r.path)
    before = (r.path / "b.json").read_text()
    run_main(["--all", "--fix", "pkg/b.py"], r.path)
    status, out, err = run_main(["--all", "--baseline", "b.json"], r.path)
    assert status == 0
    assert "stale baseline entry: pkg/b.py three HOW100 no longer occurs" in err
    assert "1 baseline entry is stale" in err
    assert (r.path / "b.json").read_text() == before  # never rewritten unasked


def test_partial_run_reports_nothing_stale_and_writes_nothing(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    r.write("pyproject.toml", '[tool.howto]\nbaseline = "b.json"\n')
    run_main(["--generate-baseline", "b.json"], r.path)
    r.commit("baseline")
    before = (r.path / "b.json").read_bytes()
    # a commit-like run: one file changed; the other file's entries are not
    # stale, and the changed definition is judged in full, baseline or not
    r.edit("pkg/b.py", "return x", "return x + 1")
    status, out, err = run_main(["pkg/b.py", "pkg/a.py"], r.path)
    assert status == 1 and "stale" not in err and "HOW100" in out
    assert "1 changed definition in 1 file" in err
    assert (r.path / "b.json").read_bytes() == before


def test_bad_baseline_file_is_a_usage_error(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    (r.path / "b.json").write_text("{not json", encoding="utf-8")
    status, out, err = run_main(["--all", "--baseline", "b.json"], r.path)
    assert status == 2 and "not valid JSON" in err and err.count("\n") == 1


def test_add_noqa_suppresses_current_violations(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    (r.path / "pkg" / "b.py").write_bytes(b"def three(x):  # keep me\r\n    return x\r\n")
    status, out, err = run_main(["--all", "--add-noqa"], r.path)
    assert status == 0 and "Added 3 noqa codes in 2 files." in err
    assert (r.path / "pkg" / "b.py").read_bytes() == \
        b"def three(x):  # keep me  # noqa: HOW100\r\n    return x\r\n"
    assert "def one(path: str) -> int:  # noqa: HOW301\n" in r.read("pkg/a.py")
    status, out, _ = run_main(["--all"], r.path)
    assert (status, out) == (0, "")
    # nothing left to add; a run adds nothing twice
    run_main(["--all", "--add-noqa"], r.path)
    assert r.read("pkg/a.py").count("# noqa") == 2


def test_statistics_coverage_and_fail_under(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    run_main(["--all", "--fix", "pkg/b.py"], r.path)  # one of three now passes
    status, out, err = run_main(["--all", "--statistics", "--exit-zero"], r.path)
    assert "     2  HOW301  vague-word\n" in out
    assert "3 definitions in 2 files, 33% with a passing guide" in err
    status, _, err = run_main(["--all", "--exit-zero", "--fail-under", "50"], r.path)
    assert status == 1 and "guide coverage 33.3% is below --fail-under 50%" in err
    status, _, err = run_main(["--all", "--exit-zero", "--fail-under", "30"], r.path)
    assert status == 0


@pytest.mark.parametrize("how", ["working-tree", "diff-base", "refs"])
def test_baseline_never_excuses_a_changed_definition(tmp_path, run_main, monkeypatch,
                                                     how) -> None:
    r = make_repo(tmp_path)
    r.write("pyproject.toml", '[tool.howto]\nbaseline = "b.json"\n')
    run_main(["--generate-baseline", "b.json"], r.path)
    base = r.commit("baseline")
    r.edit("pkg/a.py", "return len(path)", "return len(path) + 1")  # one's body
    args = ["--output-format", "json"]
    if how == "diff-base":
        r.git("checkout", "-q", "-b", "topic")
        r.commit("topic")
        args += ["--diff-base", base]
    elif how == "refs":
        head = r.commit("pushed")
        monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
        monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    status, out, err = run_main(args, r.path)
    assert (status, codes(out)) == (1, [("one", "HOW301")]), err
    assert "1 of these findings is in the baseline, which never excuses a changed " \
           "definition" in err
    assert "stale" not in err
    # the same tree checked whole: the baseline applies again
    status, out, err = run_main(["--all", "--output-format", "json"], r.path)
    assert (status, codes(out)) == (0, []), err


def test_stale_lines_never_contradict_the_findings(tmp_path, run_main) -> None:
    r = make_repo(tmp_path)
    run_main(["--generate-baseline", "b.json"], r.path)
    # one's docstring edited: its HOW301 is reported again, and is not "gone"
    r.edit("pkg/a.py", "posts it", "posts it at once")
    status, out, err = run_main(["--all", "--baseline", "b.json", "--output-format", "json"],
                                r.path)
    assert status == 1 and codes(out) == [("one", "HOW301")]
    assert "stale" not in err
    # a code the run did not judge is not "no longer occurs" either
    status, out, err = run_main(["--all", "--baseline", "b.json", "--select", "HOW100",
                                 "--output-format", "json"], r.path)
    assert (status, codes(out)) == (0, []) and "stale" not in err, err
    # per file too: HOW301 off for pkg/a.py only
    r.write("pyproject.toml", '[tool.howto]\n[tool.howto.per-file-ignores]\n'
                              '"pkg/a.py" = ["HOW301"]\n')
    status, out, err = run_main(["--all", "--baseline", "b.json"], r.path)
    assert (status, out) == (0, "") and "stale" not in err, err
    # whereas a finding that really went away is stale
    r.edit("pkg/a.py", "is getting the report", "reads the report")
    r.write("pyproject.toml", "[tool.howto]\n")
    status, out, err = run_main(["--all", "--baseline", "b.json"], r.path)
    assert "stale baseline entry: pkg/a.py one HOW301 no longer occurs" in err, err


def baselined_repo(tmp_path: Path) -> Repo:
    """pkg/a.py and pkg/b.py recorded in the config's baseline, pkg/c.py new since."""
    r = make_repo(tmp_path)
    r.write("pyproject.toml", '[tool.howto]\nbaseline = "b.json"\n')
    r.commit("config")
    return r


@pytest.mark.parametrize("extra, fixed, status", [
    # nothing remains but what the baseline hides: 0, as ruff's --fix
    pytest.param([], {"pkg/c.py"}, 0, id="baselined-definitions-left-alone"),
    # pkg/a.py holds only a person's vague words, which the template never rewords
    pytest.param(["--no-baseline"], {"pkg/b.py", "pkg/c.py"}, 1,
                 id="no-baseline-fixes-them-too"),
])
def test_whole_repository_fix_and_the_baseline(tmp_path, run_main, extra, fixed,
                                               status) -> None:
    r = baselined_repo(tmp_path)
    assert run_main(["--generate-baseline", "b.json"], r.path)[0] == 0
    r.write("pkg/c.py", "def four(x):\n    return x\n")
    r.commit("baseline and a new function")
    before = {p: (r.path / p).read_text() for p in ("pkg/a.py", "pkg/b.py", "pkg/c.py")}
    got, out, err = run_main(["--all", "--fix", *extra], r.path)
    changed = {p for p, text in before.items() if (r.path / p).read_text() != text}
    assert changed == fixed, err
    assert got == status


def test_a_changed_baselined_definition_is_fixed_in_full(tmp_path, run_main) -> None:
    r = baselined_repo(tmp_path)
    assert run_main(["--generate-baseline", "b.json"], r.path)[0] == 0
    r.commit("baseline")
    r.write("pkg/b.py", "def three(x):\n    return x + 1\n\n\ndef five(y):\n    return y\n")
    r.git("add", "-A")
    r.commit("edit three, add five")
    (r.path / "pkg/b.py").write_text("def three(x):\n    return x + 2\n\n\ndef five(y):\n"
                                     "    return y\n")
    status, out, err = run_main(["--fix"], r.path)
    text = (r.path / "pkg/b.py").read_text()
    # three was edited: fixed though baselined; five is new and untouched now
    assert text.count("How to Use This Code Block") == 1, err
    assert text.index("How to Use") < text.index("def five")


@pytest.mark.parametrize("argv, message", [
    pytest.param(["--all", "--baseline", "b.json", "--no-baseline"], "contradict",
                 id="baseline-and-no-baseline"),
])
def test_no_baseline_conflicts(tmp_path, run_main, argv, message) -> None:
    r = make_repo(tmp_path)
    status, _, err = run_main(argv, r.path)
    assert status == 2 and message in err
