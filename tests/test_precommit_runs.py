"""Under pre-commit: a commit checks its change, `run --all-files`/`--files`
checks the named files whole (the real pre-commit drives this in
test_precommit.py; here main() gets what pre-commit would pass)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest

from test_changed import Repo, bad_function

WHOLE = "checking them whole"
APPLIED = "checking them whole, baseline applied"


def _rename(r: Repo) -> None:
    r.git("mv", "b.py", "c.py")


def _chmod(r: Repo) -> None:
    os.chmod(r.path / "b.py", 0o755)
    r.git("add", "b.py")


def _edit(r: Repo) -> None:
    r.write("b.py", bad_function("beta") + "\n\n" + bad_function("fresh"))
    r.git("add", "b.py")


def _new_file(r: Repo) -> None:
    r.write("n.py", bad_function("novel"))
    r.git("add", "n.py")


def _nothing(r: Repo) -> None:
    pass


@pytest.fixture
def two(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.write("a.py", bad_function("alpha"))
    r.write("b.py", bad_function("beta"))
    r.commit("legacy")
    return r


@pytest.mark.parametrize("change, named, expected, whole", [
    pytest.param(_nothing, ["a.py", "b.py"], {"alpha", "beta"}, True, id="all-files-clean-tree"),
    pytest.param(_nothing, ["b.py"], {"beta"}, True, id="files-one-unchanged"),
    pytest.param(_edit, ["a.py", "b.py"], {"alpha", "beta", "fresh"}, True,
                 id="all-files-with-an-edit-checks-every-named-file-whole"),
    pytest.param(_edit, ["b.py"], {"fresh"}, False, id="commit-reports-changed-only"),
    pytest.param(_rename, ["c.py"], set(), False, id="rename-only-commit"),
    pytest.param(_chmod, ["b.py"], set(), False, id="mode-only-commit"),
    pytest.param(_new_file, ["n.py"], {"novel"}, False, id="new-file-commit"),
])
def test_pre_commit_modes(two, run_main, monkeypatch, change: Callable[[Repo], None], named,
                          expected, whole) -> None:
    change(two)
    monkeypatch.setenv("PRE_COMMIT", "1")
    status, out, err = run_main(["--output-format", "json", *named], two.path)
    assert {r["symbol"] for r in json.loads(out)} == expected, err
    assert (WHOLE in err) is whole
    assert status == (1 if expected else 0)


def test_without_pre_commit_named_files_are_still_intersected_with_the_change(
        two, run_main, monkeypatch) -> None:
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    status, out, err = run_main(["--output-format", "json", "a.py", "b.py"], two.path)
    assert (status, json.loads(out)) == (0, []) and WHOLE not in err


def test_refs_say_what_to_check_even_under_pre_commit(two, run_main, monkeypatch) -> None:
    base = two.git("rev-parse", "HEAD").strip()
    _edit(two)
    head = two.commit("fresh")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    status, out, err = run_main(["--output-format", "json", "a.py", "b.py"], two.path)
    assert {r["symbol"] for r in json.loads(out)} == {"fresh"} and WHOLE not in err


def test_whole_files_run_applies_the_baseline(two, run_main, monkeypatch) -> None:
    assert run_main(["--generate-baseline", "base.json"], two.path)[0] == 0
    (two.path / "pyproject.toml").write_text('[tool.howto]\nbaseline = "base.json"\n')
    two.commit("baseline")
    monkeypatch.setenv("PRE_COMMIT", "1")
    status, out, err = run_main(["a.py", "b.py"], two.path)
    assert (status, out) == (0, "") and APPLIED in err
    status, out, err = run_main(["--no-baseline", "a.py", "b.py"], two.path)
    assert status == 1 and "a.py:" in out and WHOLE in err and APPLIED not in err


def test_whole_files_run_without_a_baseline_does_not_claim_one(two, run_main,
                                                               monkeypatch) -> None:
    monkeypatch.setenv("PRE_COMMIT", "1")
    status, out, err = run_main(["a.py", "b.py"], two.path)
    assert status == 1 and WHOLE in err and "baseline" not in err
