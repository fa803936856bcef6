"""File names that try to forge output: newlines, workflow commands, escape sequences.

Each case is a real file in a temporary git repository, checked (or fixed with
--diff) through the real command line. Whatever the format, no line may read
as a GitHub Actions workflow command it did not mean to be (the runner's two
parsers are mimicked below), no raw control, bidi or separator character
may reach the terminal, and the machine formats keep the true name.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Dict, List, Tuple
from urllib.parse import unquote

import pytest

from conftest import git

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")

NAMES = [
    pytest.param("nl\n::error file=README.md,line=1::All good.py", id="newline-workflow-command"),
    pytest.param("cr\r::warning::x.py", id="carriage-return"),
    pytest.param("::error::at-the-start.py", id="command-at-line-start"),
    pytest.param("  ::notice::indented.py", id="command-after-spaces"),
    pytest.param("legacy##[error]x.py", id="legacy-command-anywhere"),
    pytest.param("esc\x1b[31mred\x1b[0m.py", id="ansi-escape"),
    pytest.param("osc\x1b]0;title\x07.py", id="terminal-title"),
    pytest.param("c1\x9b2Jx.py", id="c1-control"),
    pytest.param("bidi\u202egnp.py", id="bidi-override"),
    pytest.param("zero\u200bwidth.py", id="zero-width"),
    pytest.param("line\u2028sep.py", id="line-separator"),
    pytest.param("tab\tname.py", id="tab"),
    pytest.param("pct%0A%25.py", id="percent"),
    pytest.param("comma,colon:x.py", id="comma-and-colon"),
]
NAME_LIST = [p.values[0] for p in NAMES]
HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}
# The commands the runner registers (ActionCommandManager), for its legacy parser.
REGISTERED = {"set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher",
              "remove-matcher", "debug", "warning", "error", "notice", "group", "endgroup",
              "echo", "stop-commands"}
UNESCAPE_PROPERTY = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]
UNESCAPE_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]


def unescape(value: str, table: List[Tuple[str, str]]) -> str:
    for token, ch in table:
        value = value.replace(token, ch)
    return value


def workflow_commands(output: str) -> List[Tuple[str, Dict[str, str], str]]:
    """The commands the GitHub Actions runner would read from this output: its
    `::command props::data` parser (a line that starts with `::` after leading
    spaces) and its legacy `##[command props]data` one (anywhere in a line).
    The runner reads lines split on CR, LF and CRLF."""
    found = []
    for line in output.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        message = line.lstrip()
        end = message.find("::", 2)
        if message.startswith("::") and end > 0:
            info = message[2:end]
            name, _, props = info.partition(" ")
            properties = dict(p.split("=", 1) for p in props.split(",") if "=" in p)
            found.append((name, {k: unescape(v, UNESCAPE_PROPERTY) for k, v in
                                 properties.items()}, unescape(message[end + 2:], UNESCAPE_DATA)))
            continue
        start = line.find("##[")
        close = line.find("]", start)
        if start >= 0 and close > 0:
            name = line[start + 3:close].split(" ")[0]
            if name in REGISTERED:
                found.append((name, {}, line[close + 1:]))
    return found


def raw_characters(output: str) -> List[str]:
    """Hidden characters printed as they are (a line's own newline aside)."""
    return sorted({repr(ch) for ch in output if ch != "\n"
                   and unicodedata.category(ch) in HIDDEN})


def escaped(name: str) -> str:
    """How the github format shows a name in a property: hidden characters other
    than CR and LF (which GitHub's own %0D and %0A carry) as backslash escapes."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) in HIDDEN and ch not in "\r\n" else ch
                   for ch in name)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository holding a file under every name, each with one violation."""
    root = tmp_path / "repo"
    root.mkdir()
    git(str(root), "init", "-q")
    for name in NAME_LIST:
        (root / name).write_text("def scale(values, factor=2.0):\n"
                                 "    return [v * factor for v in values]\n", encoding="utf-8")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-q", "-m", "files")
    return root


def run(root: Path, *args: str) -> Tuple[int, str, str]:
    """The real command line; output as the bytes it wrote, decoded losslessly."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run([sys.executable, "-m", "howto_hook", *args], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return (proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"),
            proc.stderr.decode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif", "statistics", "diff"])
def test_no_name_forges_output(repository: Path, fmt: str) -> None:
    args = {"statistics": ["--statistics"], "diff": ["--fix", "--diff"]}.get(
        fmt, ["--output-format", fmt])
    status, out, err = run(repository, "--all", *args)
    assert status == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert raw_characters(out) == [] and raw_characters(err) == []
    assert workflow_commands(err) == []
    if fmt == "diff":
        # the headers; the body is the files' own text, as git diff shows it
        out = "".join(ln + "\n" for ln in out.split("\n") if ln.startswith(("--- ", "+++ ")))
    commands = workflow_commands(out)
    if fmt == "github":
        # exactly the annotations meant, each naming its file as it is
        assert sorted((c, p.get("file"), p.get("line")) for c, p, _ in commands) == sorted(
            ("error", escaped(name), "1") for name in NAME_LIST)
        assert all(data.startswith("HOW100 ") for _, _, data in commands)
    else:
        assert commands == []
    if fmt == "json":
        assert sorted(row["path"] for row in json.loads(out)) == sorted(NAME_LIST)
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert sorted(unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
                      for r in results) == sorted(NAME_LIST)
    if fmt == "text":
        # one line per violation: no name splits one or starts one of its own
        assert len(out.splitlines()) == len(NAME_LIST)
        assert all(": HOW100 " in line for line in out.splitlines())


def test_diff_headers_name_each_file_as_git_does(tmp_path: Path, repository: Path) -> None:
    """`git apply` reads every header back to the very file, whatever its name."""
    status, out, err = run(repository, "--all", "--fix", "--diff")
    assert status == 1, err
    patch = tmp_path / "fix.patch"
    patch.write_bytes(out.encode("utf-8", "surrogateescape"))
    git(str(repository), "apply", "--check", str(patch))


def test_a_stderr_note_quotes_a_name_escaped(repository: Path) -> None:
    """A line on stderr that names a file (a baseline that does not parse)."""
    bad = repository / "base\n::error::line\x1b[2J.json"
    bad.write_text("{not json", encoding="utf-8")
    status, out, err = run(repository, "--all", "--baseline", bad.name)
    assert status == 2
    assert raw_characters(err) == [] and workflow_commands(err) == []
    assert len(err.splitlines()) == 1
