"""No lost edit: a file saved while --fix works on it is left as the user saved it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, List

import pytest

from conftest import LLM_ANSWER, LLM_SOURCE, write_tree
from llm_server import ChatServer, Reply

from howto_hook.safeio import write_file

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")

GOOD = LLM_ANSWER
SAVED = LLM_SOURCE + "\n\nUSER_EDIT = 1\n"


def editor_saves(path: Path) -> None:
    path.write_text(SAVED, encoding="utf-8")


def editor_saves_same_size(path: Path) -> None:
    path.write_text(LLM_SOURCE.replace("factor", "FACTOR"), encoding="utf-8")


def editor_truncates(path: Path) -> None:
    path.write_text("", encoding="utf-8")


@pytest.mark.parametrize("edit", [
    pytest.param(editor_saves, id="saved-longer"),
    pytest.param(editor_saves_same_size, id="saved-same-size"),
    pytest.param(editor_truncates, id="emptied"),
])
def test_file_edited_while_the_llm_answers_is_left_alone(project, run_main,
                                                         edit: Callable[[Path], None]) -> None:
    """The server's handler edits the file before it answers, as a user saving
    in an editor while a slow model thinks."""
    holder = {}

    def script(body, n):
        edit(holder["root"] / "m.py")
        return Reply(content=GOOD)

    with ChatServer(script) as server:
        root = holder["root"] = project(server)
        status, _, err = run_main(["--all", "--fix", "--generator", "llm"], root)
    expected = (root / "m.py").read_text(encoding="utf-8")
    assert "How to Use This Code Block" not in expected
    assert "m.py: cannot fix: changed while fixing; run again" in err
    assert "All checks passed" not in err
    assert status == 1


def test_unchanged_file_is_written(tmp_path: Path) -> None:
    """The control: the bytes it was made from are still there, so it is written."""
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    assert write_file(str(path), b"new\n", str(tmp_path), expected=b"old\n") is None
    assert path.read_bytes() == b"new\n"
    assert write_file(str(path), b"newer\n", str(tmp_path), expected=b"old\n") == (
        "changed while fixing; run again")
    assert path.read_bytes() == b"new\n"


# --- item 9's smaller ones: what a run says and writes -------------------------------

NO_DOC = "def f(x):\n    return x\n"


def read_only(root: Path) -> List[str]:
    write_tree(root, {"m.py": NO_DOC})
    (root / "m.py").chmod(0o444)
    return ["--all", "--fix", "m.py"]


def through_link(root: Path) -> List[str]:
    write_tree(root, {"pkg/__init__.py": "", "pkg/mod.py": NO_DOC})
    os.symlink(os.path.join("pkg", "mod.py"), root / "link.py")
    return ["--all", "--fix", "link.py"]


def empty_baseline(root: Path) -> List[str]:
    write_tree(root, {"m.py": NO_DOC})
    return ["--generate-baseline", ""]


@pytest.mark.parametrize("build, status, said, check", [
    pytest.param(read_only, 1, "m.py: cannot fix: the file is read-only", lambda root: (
        root / "m.py").read_text() == NO_DOC, id="unwritable-never-all-passed"),
    pytest.param(through_link, 0, "Fixed 1 definition in 1 file", lambda root: (
        "from pkg.mod import f" in (root / "pkg" / "mod.py").read_text()
        and "from link import" not in (root / "pkg" / "mod.py").read_text()),
        id="link-fixed-with-the-real-module-path"),
    pytest.param(empty_baseline, 2, "howto-check: error: --generate-baseline was given an "
                 "empty file name", lambda root: sorted(p.name for p in root.iterdir()) == [
                     "m.py"], id="empty-generate-baseline"),
])
def test_what_a_run_says(tmp_path: Path, run_main, build, status: int, said: str,
                         check) -> None:
    args = build(tmp_path)
    got, _, err = run_main(args, str(tmp_path))
    assert got == status, err
    assert said in err
    if build is read_only:
        assert "All checks passed" not in err
    assert check(tmp_path)
