"""`howto-check --stdin-filename PATH [-]`: a buffer checked as if it were PATH."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD_GUIDE, function_source, git
from howto_hook.stdin import changed_lines

BAD_DOC = GOOD_GUIDE.replace("reads the report", "is getting the report")


def bad(name: str) -> str:
    return function_source(BAD_DOC.replace("send_report", name), name=name)


PLAIN = "def plain(x: int) -> int:\n    return x\n"


@pytest.fixture
def feed(monkeypatch, run_main):
    def run(text: str, argv: "list[str]", cwd: Path) -> "tuple[int, str, str]":
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
        return run_main(argv, cwd)

    return run


@pytest.mark.parametrize("old, new, expected", [
    pytest.param("a\nb\nc\n", "a\nb\nc\n", set(), id="same"),
    pytest.param("a\nb\nc\n", "a\nB\nc\n", {2}, id="modified"),
    pytest.param("a\nb\nc\n", "a\nb\nx\ny\nc\n", {3, 4}, id="inserted"),
    pytest.param("a\nb\nc\nd\n", "a\nd\n", {1, 2}, id="deleted-touches-both-sides"),
])
def test_changed_lines(old, new, expected) -> None:
    assert changed_lines(old.encode(), new.encode()) == expected


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text(bad("legacy"), encoding="utf-8")
    git(str(root), "init", "-q", "-b", "main")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-q", "-m", "legacy")
    return root


def test_buffer_is_checked_against_the_committed_file(tmp_path, feed) -> None:
    root = _repo(tmp_path)
    before = (root / "pkg" / "mod.py").read_bytes()
    buffer = bad("legacy") + "\n\n" + bad("fresh")
    status, out, err = feed(buffer, ["--output-format", "json", "--stdin-filename",
                                     "pkg/mod.py", "-"], root)
    assert status == 1, err
    assert {(r["path"], r["symbol"]) for r in json.loads(out)} == {("pkg/mod.py", "fresh")}
    status, out, _ = feed(buffer, ["--all", "--output-format", "json", "--stdin-filename",
                                   "pkg/mod.py", "-"], root)
    assert {r["symbol"] for r in json.loads(out)} == {"legacy", "fresh"}
    assert (root / "pkg" / "mod.py").read_bytes() == before


def test_a_path_git_does_not_know_is_checked_whole(tmp_path, feed) -> None:
    root = _repo(tmp_path)
    status, out, _ = feed(bad("novel"), ["--stdin-filename", "pkg/new.py", "-"], root)
    assert status == 1 and out.startswith("pkg/new.py:") and "HOW301" in out
    assert not (root / "pkg" / "new.py").exists()


def test_settings_and_exclusion_come_from_the_path(tmp_path, feed) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "howto.toml").write_text('ignore = ["HOW301"]\n', encoding="utf-8")
    (tmp_path / "howto.toml").write_text('extend-exclude = ["gen"]\n', encoding="utf-8")
    assert feed(bad("x"), ["--stdin-filename", "a/m.py", "-"], tmp_path)[:2] == (0, "")
    assert feed(bad("x"), ["--stdin-filename", "b/m.py", "-"], tmp_path)[0] == 1
    status, out, err = feed(bad("x"), ["--stdin-filename", "gen/m.py", "-"], tmp_path)
    assert (status, out) == (0, "") and "excluded" in err
    # with --fix an excluded buffer comes back as it was
    status, out, _ = feed(PLAIN, ["--fix", "--stdin-filename", "gen/m.py", "-"], tmp_path)
    assert (status, out) == (0, PLAIN)


def test_fix_writes_the_fixed_source_to_stdout_and_nothing_to_disk(tmp_path, feed,
                                                                  project_importable) -> None:
    (tmp_path / "m.py").write_text("# on disk\n", encoding="utf-8")
    status, out, err = feed(PLAIN, ["--fix", "--stdin-filename", "m.py", "-"], tmp_path)
    assert status == 0, err
    assert out.startswith("def plain(x: int) -> int:\n") and "How to Use This Code Block" in out
    assert "Fixed 1 definition in m.py (stdin)." in err
    assert (tmp_path / "m.py").read_text(encoding="utf-8") == "# on disk\n"
    # what the fix cannot repair is reported on stderr, stdout stays the source
    status, out, err = feed(bad("vague"), ["--fix", "--stdin-filename", "m.py", "-"], tmp_path)
    assert status == 1 and out == bad("vague") and "HOW301" in err


@pytest.mark.parametrize("argv", [
    pytest.param(["-"], id="dash-without-filename"),
    pytest.param(["--stdin-filename", "m.py", "other.py"], id="filename-with-another-path"),
    pytest.param(["--stdin-filename", "m.py", "-", "other.py"], id="more-paths"),
    pytest.param(["--add-noqa", "--stdin-filename", "m.py", "-"], id="add-noqa"),
])
def test_stdin_usage_errors(tmp_path, feed, argv) -> None:
    status, out, err = feed(PLAIN, argv, tmp_path)
    assert (status, out) == (2, "") and err.count("\n") == 1


@pytest.mark.parametrize("paths", [
    pytest.param([], id="no-path:-as-ruff"),
    pytest.param(["-"], id="the-path-dash"),
])
def test_stdin_filename_reads_stdin_with_or_without_the_dash(tmp_path, feed, paths) -> None:
    status, out, _ = feed(bad("x"), ["--stdin-filename", "m.py", *paths], tmp_path)
    assert status == 1 and "m.py:" in out


# --- through a real process: the bytes an editor pipes in, the bytes it reads back ----


def howto_check(args: "list[str]", data: bytes, cwd: Path) -> subprocess.CompletedProcess:
    """The installed `howto-check` with `data` on its real standard input."""
    exe = Path(sys.executable).with_name("howto-check")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([str(exe), *args], input=data, cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)


LATIN1 = ("# -*- coding: latin-1 -*-\r\ndef caf\u00e9_total(x: int) -> int:\r\n"
          "    return x  # \u00e9t\u00e9\r\n").encode("latin-1")


@pytest.mark.parametrize("args, data, status, check", [
    pytest.param(["--output-format", "json", "--stdin-filename", "pkg/mod.py", "-"],
                 (bad("legacy") + "\n\n" + bad("fresh")).encode(), 1,
                 lambda out, err: {(r["path"], r["symbol"]) for r in json.loads(out)}
                 == {("pkg/mod.py", "fresh")}, id="check-against-the-committed-file"),
    pytest.param(["--stdin-filename", "pkg/mod.py", "-"], bad("legacy").encode(), 0,
                 lambda out, err: out == b"", id="unchanged-buffer-reports-nothing"),
    pytest.param(["--fix", "--stdin-filename", "pkg/new.py", "-"], PLAIN.encode(), 0,
                 lambda out, err: out.startswith(PLAIN.splitlines()[0].encode() + b"\n")
                 and b"How to Use This Code Block" in out
                 and b"Fixed 1 definition in pkg/new.py (stdin)." in err, id="fix-to-stdout"),
    pytest.param(["--fix", "--stdin-filename", "pkg/new.py", "-"], LATIN1, 0,
                 lambda out, err: out.startswith(LATIN1.split(b"\r\n")[0] + b"\r\n")
                 and b"caf\xe9_total" in out and b"\r\n" in out
                 and b"\n" not in out.replace(b"\r\n", b""), id="fix-keeps-encoding-and-crlf"),
    pytest.param(["--fix", "--stdin-filename", "pkg/new.py", "-"], b"", 0,
                 lambda out, err: out == b"", id="empty-buffer"),
    pytest.param(["--fix", "--stdin-filename", "pkg/new.py", "-"], b"def f(:\n", 1,
                 lambda out, err: out == b"def f(:\n" and b"HOW001" in err,
                 id="syntax-error-comes-back-unchanged"),
    pytest.param(["-"], PLAIN.encode(), 2,
                 lambda out, err: out == b"" and err.count(b"\n") == 1,
                 id="dash-without-filename"),
])
def test_real_stdin(tmp_path, project_importable, args, data: bytes, status: int,
                    check) -> None:
    root = _repo(tmp_path)
    before = sorted((p.relative_to(root), p.read_bytes()) for p in (root / "pkg").rglob("*"))
    proc = howto_check(args, data, root)
    assert proc.returncode == status, proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr
    assert check(proc.stdout, proc.stderr), (proc.stdout, proc.stderr)
    after = sorted((p.relative_to(root), p.read_bytes()) for p in (root / "pkg").rglob("*"))
    assert after == before  # nothing written


# `sub` is in the buffer only: its example imports the buffer, not the disk's copy
BUFFER_ONLY = PLAIN + "\n\ndef sub(a: int, b: int) -> int:\n    \"\"\"Subtract b from a.\"\"\"\n" \
    "    return a - b\n"


@pytest.mark.parametrize("interpreter, written, said", [
    pytest.param(True, True, b"Fixed 2 definitions in pkg/mod.py (stdin).",
                 id="examples-run-against-the-buffer"),
    pytest.param(False, False, b"cannot fix sub: its example was not run",
                 id="no-interpreter-writes-no-unrun-example"),
])
def test_stdin_fix_runs_its_examples_as_a_file_fix_does(tmp_path, interpreter: bool,
                                                        written: bool, said: bytes,
                                                        request) -> None:
    if interpreter:
        request.getfixturevalue("project_importable")
    root = _repo(tmp_path)
    proc = howto_check(["--fix", "--all", "--stdin-filename", "pkg/mod.py", "-"],
                       BUFFER_ONLY.encode(), root)
    assert b"Traceback" not in proc.stderr
    assert said in proc.stderr, proc.stderr.decode(errors="replace")
    assert (b"example-python" in proc.stderr) is not interpreter
    if written:
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        assert proc.stdout.count(b"How to Use This Code Block") == 2
        assert b"from mod import sub" in proc.stdout  # pkg/ has no __init__.py: its own root
    else:
        assert proc.returncode == 1 and proc.stdout == BUFFER_ONLY.encode()
    assert (root / "pkg" / "mod.py").read_text(encoding="utf-8") == bad("legacy")
