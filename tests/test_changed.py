"""Changed-code detection in real temporary git repositories."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Callable, Set, Tuple

import pytest

from conftest import GOOD_GUIDE, function_source, git

BAD_DOC = GOOD_GUIDE.replace("reads the report", "is getting the report")


def bad_function(name: str, indent: str = "") -> str:
    return textwrap.indent(function_source(BAD_DOC.replace("send_report", name), name=name), indent)


MODULE = (
    "import functools\n\n\n"
    + bad_function("alpha")
    + "\n\nclass Store:\n"
    + textwrap.indent('"""' + BAD_DOC + '"""\n\nlimit = 10\n\n', "    ")
    + bad_function("put", "    ").replace("(path: str)", "(self, path: str)")
    + "\n"
    + bad_function("_private", "    ").replace("(path: str)", "(self, path: str)")
    + "\n\n"
    + bad_function("omega")
)


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        return git(str(self.path), *args)

    def write(self, name: str, text: "str | bytes") -> None:
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")

    def read(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def edit(self, name: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(name)
        assert old in text, old
        self.write(name, text.replace(old, new, count))

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.write("mod.py", MODULE)
    r.commit("base")
    return r


def symbols(run_main, cwd: Path, *args: str) -> Set[str]:
    status, out, err = run_main(["--output-format", "json", *args], cwd)
    rows = json.loads(out)
    assert status == (1 if rows else 0), err  # 1 exactly when something is reported
    return {row["symbol"] for row in rows}


def test_nothing_changed_checks_nothing(repo, run_main) -> None:
    status, out, err = run_main([], repo.path)
    assert (status, out) == (0, "")
    assert "0 changed definitions in 0 files" in err


def _body(r: Repo) -> None:
    r.edit("mod.py", "return len(path)", "return len(path) + 1")


def _method(r: Repo) -> None:
    r.edit("mod.py", "return len(path)", "return len(path) * 2", 1)
    r.edit("mod.py", "return len(path) * 2", "return len(path)", 1)  # undo alpha
    text = r.read("mod.py")
    head, tail = text.split("def put", 1)
    r.write("mod.py", head + "def put" + tail.replace("return len(path)", "return -1", 1))


def _private(r: Repo) -> None:
    text = r.read("mod.py")
    head, tail = text.split("def _private", 1)
    r.write("mod.py", head + "def _private" + tail.replace("return len(path)", "return 0", 1))


def _deletion(r: Repo) -> None:
    text = r.read("mod.py")
    head, tail = text.split("def omega", 1)
    r.write("mod.py", head + "def omega" + tail.replace("    return len(path)\n", "", 1))


def _new_function(r: Repo) -> None:
    r.write("mod.py", r.read("mod.py") + "\n\n" + bad_function("fresh"))


def _docstring_only(r: Repo) -> None:
    text = r.read("mod.py")
    head, tail = text.split("def omega", 1)
    r.write("mod.py", head + "def omega" + tail.replace("posts it", "posts it quickly", 1))


def _decorator_only(r: Repo) -> None:
    r.edit("mod.py", "def omega", "@functools.lru_cache()\ndef omega")


def _class_body(r: Repo) -> None:
    r.edit("mod.py", "limit = 10", "limit = 20")


@pytest.mark.parametrize("change, expected", [
    pytest.param(_body, {"alpha"}, id="body-edit"),
    pytest.param(_method, {"Store.put"}, id="method-edit-marks-method-not-class"),
    pytest.param(_private, set(), id="private-method-marks-nothing"),
    pytest.param(_deletion, {"omega"}, id="pure-deletion"),
    pytest.param(_new_function, {"fresh"}, id="new-function"),
    pytest.param(_docstring_only, {"omega"}, id="docstring-only-edit"),
    pytest.param(_decorator_only, {"omega"}, id="decorator-only-edit"),
    pytest.param(_class_body, {"Store"}, id="class-attribute-marks-class"),
])
def test_which_definitions_a_change_marks(repo, run_main, change: Callable[[Repo], None],
                                          expected: Set[str]) -> None:
    change(repo)
    assert symbols(run_main, repo.path) == expected


def test_staged_change_is_checked_and_unchanged_bad_code_is_not(repo, run_main) -> None:
    _body(repo)
    repo.git("add", "mod.py")
    status, out, err = run_main([], repo.path)
    assert status == 1
    assert [line.split(" ")[1] for line in out.splitlines()] == ["HOW301"]
    assert out.startswith("mod.py:12:29:")  # alpha's docstring, not omega's
    assert "1 changed definition in 1 file" in err


def test_untracked_file_is_wholly_new(repo, run_main) -> None:
    repo.write("pkg/new.py", bad_function("one") + "\n\n" + bad_function("two"))
    assert symbols(run_main, repo.path) == {"one", "two"}


def test_first_commit_everything_is_new(tmp_path, run_main) -> None:
    r = Repo(tmp_path / "fresh")
    r.write("mod.py", MODULE)
    r.git("add", "mod.py")
    assert symbols(run_main, r.path) == {"alpha", "Store", "Store.put", "omega"}


def test_refs_mode(repo, run_main, monkeypatch) -> None:
    base = repo.git("rev-parse", "HEAD").strip()
    _body(repo)
    head = repo.commit("edit alpha")
    _docstring_only(repo)  # uncommitted, outside the refs' change
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    assert symbols(run_main, repo.path) == {"alpha"}


def diverge(repo: Repo) -> None:
    """main and a feature branch, each with a commit of its own; main is checked out."""
    repo.git("checkout", "-q", "-b", "feature")
    _body(repo)  # alpha changes on the branch
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    _docstring_only(repo)  # omega changes on main after the branch point
    repo.commit("main moves on")


def test_diff_base_on_a_branch(repo, run_main) -> None:
    diverge(repo)
    repo.git("checkout", "-q", "feature")
    assert symbols(run_main, repo.path, "--diff-base", "main") == {"alpha"}
    assert symbols(run_main, repo.path) == set()  # nothing uncommitted


def test_config_diff_base(repo, run_main) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    _body(repo)
    repo.commit("feature work")
    repo.write("pyproject.toml", '[tool.howto]\ndiff-base = "main"\n')
    assert symbols(run_main, repo.path) == {"alpha"}


def test_rename_with_edit_marks_only_the_edit(repo, run_main) -> None:
    repo.git("mv", "mod.py", "renamed.py")
    _body_in = repo.read("renamed.py").replace("return len(path)", "return len(path) + 1", 1)
    repo.write("renamed.py", _body_in)
    assert symbols(run_main, repo.path) == {"alpha"}


def test_deleted_binary_and_non_python_files(repo, run_main) -> None:
    repo.write("data.bin", b"\x00\x01\x02")
    repo.write("other.py", bad_function("other"))
    repo.commit("more")
    repo.git("rm", "-q", "other.py")
    repo.write("data.bin", b"\x00\x03\x04\x05")
    repo.write("notes.md", "getting doing\n")
    repo.write("weird.py", b"\x00\x00binary\x00")
    status, out, err = run_main(["--output-format", "json"], repo.path)
    assert status == 1 and "Traceback" not in err
    # only the Python file with NUL bytes in it is read (and reported)
    assert {(r["path"], r["code"]) for r in json.loads(out)} == {("weird.py", "HOW001")}


def test_explicit_files_are_intersected_with_the_change(repo, run_main) -> None:
    repo.write("b.py", bad_function("beta"))
    repo.commit("b")
    _body(repo)
    assert symbols(run_main, repo.path, "mod.py", "b.py") == {"alpha"}
    assert symbols(run_main, repo.path, "b.py") == set()


def test_subdirectory(repo, run_main) -> None:
    repo.write("sub/inner.py", bad_function("inner"))
    repo.commit("sub")
    repo.edit("sub/inner.py", "return len(path)", "return 1")
    _body(repo)
    status, out, _ = run_main(["--output-format", "json"], repo.path / "sub")
    rows = json.loads(out)
    # machine formats name files from the repository's root, wherever the run started
    assert {(r["path"], r["symbol"]) for r in rows} == {("sub/inner.py", "inner")}
    status, out, _ = run_main(["--output-format", "json"], repo.path)
    assert {r["path"] for r in json.loads(out)} == {"mod.py", "sub/inner.py"}


def test_path_with_space_and_non_ascii(repo, run_main) -> None:
    name = "my dir/módulo con espacio.py"
    repo.write(name, bad_function("spaced"))
    repo.commit("odd name")
    repo.edit(name, "return len(path)", "return 2")
    status, out, _ = run_main(["--output-format", "json"], repo.path)
    assert {(r["path"], r["symbol"]) for r in json.loads(out)} == {(name, "spaced")}


def test_hostile_git_config(repo, run_main) -> None:
    for key, value in [("diff.noprefix", "true"), ("color.ui", "always"),
                       ("color.diff", "always"), ("diff.external", "false"),
                       ("diff.relative", "true"), ("diff.mnemonicPrefix", "true"),
                       ("core.quotePath", "true"), ("diff.interHunkContext", "20"),
                       ("diff.context", "9")]:
        repo.git("config", key, value)
    repo.write("sub/módulo.py", bad_function("inner"))
    repo.commit("sub")
    repo.edit("sub/módulo.py", "return len(path)", "return 1")
    _body(repo)
    assert symbols(run_main, repo.path / "sub") == {"inner"}
    assert symbols(run_main, repo.path) == {"alpha", "inner"}


def test_unknown_rev_says_what_to_do(repo, run_main) -> None:
    status, out, err = run_main(["--diff-base", "origin/main"], repo.path)
    assert status == 2 and out == ""
    assert "'origin/main' is not a commit" in err and "git fetch origin main" in err
    assert err.count("\n") == 1


def test_shallow_clone_without_merge_base(repo, tmp_path, run_main) -> None:
    diverge(repo)
    clone = tmp_path / "clone"
    git(str(tmp_path), "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature",
        "file://" + str(repo.path), str(clone))
    status, out, err = run_main(["--diff-base", "origin/main"], clone)
    assert status == 2
    assert "shallow" in err and "fetch-depth: 0" in err and err.count("\n") == 1


def test_ci_with_nothing_changed_hints_at_diff_base(repo, run_main, monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    status, out, err = run_main([], repo.path)
    assert status == 0
    assert "0 changed definitions in 0 files" in err and "--diff-base" in err


def test_outside_a_repository_all_is_implied(tmp_path, run_main) -> None:
    (tmp_path / "m.py").write_text(bad_function("loose"), encoding="utf-8")
    assert symbols(run_main, tmp_path) == {"loose"}


# What a commit that changes no Python file may not load: the parser (libcst
# costs more than the rest of such a run) and the LLM client. `python -S`
# keeps site's own imports out, so the list shows what howto-check imported.
HEAVY = ("libcst", "openai")


@pytest.mark.parametrize("argv", [[], ["mod.py"], ["sub"]])  # mod.py is unchanged
def test_no_python_change_loads_neither_libcst_nor_openai(repo, argv) -> None:
    import subprocess
    import sys

    import libcst

    import howto_hook

    repo.write("README.txt", "changed\n")
    repo.write("sub/notes.md", "new\n")
    code = (f"import sys; from howto_hook.main import main; rc = main({argv!r}); "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    path = [str(Path(howto_hook.__file__).parent.parent), str(Path(libcst.__file__).parent.parent)]
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=repo.path, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.strip() == "[]", proc.stderr
    assert "0 changed definitions in 0 files" in proc.stderr


def plain_symbols(run_main, cwd: Path) -> Set[Tuple[str, str]]:
    """(path, code) pairs of a run with no options: the path that asks git for
    the repository and its changes in one round."""
    status, out, err = run_main([], cwd)
    assert status == (1 if out else 0), err
    return {(line.split(":")[0], line.split()[1]) for line in out.splitlines()}


def test_plain_run_from_a_subdirectory(repo, run_main) -> None:
    repo.write("sub/inner.py", bad_function("inner"))
    repo.commit("sub")
    repo.edit("sub/inner.py", "return len(path)", "return 1")
    repo.edit("mod.py", "def omega", "def omega_renamed")
    repo.write("sub/my dir/módulo x.py", bad_function("spaced"))  # untracked, quoted by git
    assert {p for p, _ in plain_symbols(run_main, repo.path / "sub")} == {
        "inner.py", "my dir/módulo x.py"}
    assert {p for p, _ in plain_symbols(run_main, repo.path)} == {
        "mod.py", "sub/inner.py", "sub/my dir/módulo x.py"}


def test_plain_run_in_a_repository_without_commits(tmp_path, run_main) -> None:
    r = Repo(tmp_path / "fresh")
    r.write("mod.py", MODULE)
    r.write("notes.txt", "x\n")
    r.git("add", "mod.py")
    assert ("mod.py", "HOW301") in plain_symbols(run_main, r.path)


def test_plain_run_outside_a_repository_checks_everything(tmp_path, run_main) -> None:
    (tmp_path / "m.py").write_text(bad_function("loose"), encoding="utf-8")
    assert ("m.py", "HOW301") in plain_symbols(run_main, tmp_path)


def test_plain_run_with_nothing_changed(repo, run_main) -> None:
    assert plain_symbols(run_main, repo.path) == set()


def test_named_script_without_py_suffix(repo, run_main) -> None:
    # pre-commit passes Python scripts found by their shebang, whatever their name
    repo.write("bin/tool", "#!/usr/bin/env python3\n" + bad_function("tool_main"))
    repo.commit("tool")
    repo.edit("bin/tool", "return len(path)", "return 0")
    assert symbols(run_main, repo.path, "bin/tool") == {"tool_main"}
    assert symbols(run_main, repo.path) == set()  # a directory walk takes *.py only


def test_diff_base_outside_a_repository_is_a_usage_error(tmp_path, run_main) -> None:
    (tmp_path / "m.py").write_text(bad_function("loose"), encoding="utf-8")
    status, out, err = run_main(["--diff-base", "main"], tmp_path)
    assert status == 2 and "needs a git repository" in err and err.count("\n") == 1
