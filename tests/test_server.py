"""`howto-check server` end to end: a real LSP client (pygls's) talks to
the server in a child process over stdio, in real git repositories in
temporary folders."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import pytest
from conftest import GOOD_GUIDE, function_source, git, write_tree
from lsp_client import Client, session
from lsprotocol import types
from pygls.uris import from_fs_path

LEGACY = "def legacy(x):\n    return x\n"
VAGUE = 'def fresh(y):\n    """Getting things."""\n    return y\n'
OTHER = 'def other(z):\n    """Doing stuff."""\n    return z\n'
BARE = "def fresh(y):\n    return y\n"
SHORT = 'def other(z):\n    """Return z unchanged."""\n    return z\n'
GOOD = function_source(GOOD_GUIDE)


def repo(tmp_path: Path, files: "dict[str, str]") -> Path:
    root = write_tree(tmp_path / "repo", files)
    git(str(root), "init", "-q", "-b", "main")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-q", "-m", "start")
    return root


def spans(diagnostics: Sequence[types.Diagnostic]) -> List[Tuple[str, Tuple[int, int, int, int]]]:
    return sorted((str(d.code), (d.range.start.line, d.range.start.character,
                                 d.range.end.line, d.range.end.character)) for d in diagnostics)


async def codes(c: Client, uri: str) -> List[str]:
    """The codes of the next diagnostics published for `uri`, by position."""
    return [code for code, _ in spans(await c.diagnostics(uri))]


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    """The edits applied as an editor does (ASCII text: characters are units)."""
    lines = text.split("\n")

    def offset(p: types.Position) -> int:
        return sum(len(ln) + 1 for ln in lines[:p.line]) + p.character

    for e in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(e.range.start)] + e.new_text + text[offset(e.range.end):]
    return text


def without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                and isinstance(first.value.value, str):
            node.body = body[1:]  # type: ignore[attr-defined]
    return ast.dump(tree)


def stdin_check(root: Path, path: str, text: str, *args: str) -> list:
    """`howto-check --stdin-filename PATH -` on `text`, its JSON rows."""
    proc = subprocess.run([sys.executable, "-m", "howto_hook", "--output-format", "json",
                           *args, "--stdin-filename", path, "-"], cwd=root, input=text,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


async def actions(c: Client, uri: str, diagnostic: types.Diagnostic) -> List[types.CodeAction]:
    return list(await c.lsp.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diagnostic.range,
        types.CodeActionContext([diagnostic]))) or [])


async def edit_of(c: Client, action: types.CodeAction, uri: str) -> List[types.TextEdit]:
    if action.edit is None:  # the guide actions are written when chosen
        action = await c.lsp.code_action_resolve_async(action)
    assert action.edit is not None and action.edit.changes is not None, action.title
    return list(action.edit.changes[uri])


@pytest.mark.parametrize("options, expected", [
    pytest.param(None, [("HOW101", (5, 7, 5, 14)), ("HOW301", (5, 7, 5, 14))],
                 id="changed-by-default"),
    pytest.param({"scope": "file"}, [("HOW100", (0, 4, 0, 10)), ("HOW101", (5, 7, 5, 14)),
                                     ("HOW301", (5, 7, 5, 14))], id="whole-file"),
])
@pytest.mark.asyncio
async def test_open_publishes_exact_ranges(tmp_path, options, expected) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root), options=options) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        found = await c.diagnostics(uri)
    assert spans(found) == expected
    for d in found:
        assert d.severity == types.DiagnosticSeverity.Warning
        assert d.source == "howto-check"
        assert d.code_description is not None
        assert d.code_description.href.endswith(f"/howto_hook/rule_docs/{d.code}.md")


@pytest.mark.asyncio
async def test_severity_is_configurable(tmp_path) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root), options={"severity": "error"}) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        found = await c.diagnostics(uri)
    assert found and {d.severity for d in found} == {types.DiagnosticSeverity.Error}


@pytest.mark.asyncio
async def test_typing_updates_and_a_syntax_error_keeps_the_last_good(tmp_path) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root)) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        assert await codes(c, uri) == ["HOW101", "HOW301"]
        c.edit(uri, 5, 7, 14, "Reading")  # 'Getting' typed over
        assert await codes(c, uri) == ["HOW101"]
        for n, keystroke in enumerate("def ("):  # a definition half typed
            c.edit(uri, 7, n, n, keystroke)
        assert await c.quiet(uri, 1.5), "a buffer that does not parse cleared the diagnostics"
        broken = [m for m in c.logs if "keeping the last diagnostics" in m.message]
        assert len(broken) == 1, c.logs
        c.edit(uri, 7, 0, 5, "")  # typed away again
        assert await codes(c, uri) == ["HOW101"]


@pytest.mark.parametrize("resolves", [
    pytest.param(True, id="resolved-when-chosen"),
    pytest.param(False, id="written-when-offered"),
])
@pytest.mark.asyncio
async def test_write_a_usage_guide(tmp_path, project_importable, resolves) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    text = LEGACY + "\n\n" + BARE + "\n\n" + SHORT
    async with session(str(root), resolves=resolves) as c:
        uri = c.open(str(root / "mod.py"), text)
        found = await c.diagnostics(uri)
        first = min(found, key=lambda d: d.range.start.line)
        offered = {a.title: a for a in await actions(c, uri, first)}
        assert "Write a usage guide for `fresh`" in offered, list(offered)
        one = apply(text, await edit_of(c, offered["Write a usage guide for `fresh`"], uri))
        every = apply(text, await edit_of(
            c, offered["Write a usage guide for every definition in this file"], uri))
    for new in (one, every):
        assert without_docstrings(new) == without_docstrings(text)
        assert new.startswith(LEGACY) and "How to Use This Code Block" in new
    assert one.endswith(SHORT)  # only that docstring
    assert {r["symbol"] for r in stdin_check(root, "mod.py", one)} == {"other"}
    assert stdin_check(root, "mod.py", every) == []


@pytest.mark.asyncio
async def test_no_interpreter_no_unrun_example(tmp_path) -> None:
    # nothing imports the project here: a guide whose example would go unrun
    # is not offered as an edit, as `--fix` leaves such a definition unfixed
    root = repo(tmp_path, {"mod.py": LEGACY})
    text = LEGACY + "\n\n" + BARE
    async with session(str(root), resolves=True) as c:
        uri = c.open(str(root / "mod.py"), text)
        found = await c.diagnostics(uri)
        first = min(found, key=lambda d: d.range.start.line)
        offered = {a.title: a for a in await actions(c, uri, first)}
        action = await c.lsp.code_action_resolve_async(offered["Write a usage guide for `fresh`"])
    assert action.edit is None or not action.edit.changes or not action.edit.changes.get(uri)


@pytest.mark.asyncio
async def test_vague_word_and_noqa_fixes(tmp_path) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    text = LEGACY + "\n\n" + VAGUE
    async with session(str(root)) as c:
        uri = c.open(str(root / "mod.py"), text)
        vague = [d for d in await c.diagnostics(uri) if d.code == "HOW301"][0]
        offered = {a.title: a for a in await actions(c, uri, vague)}
        verbs = [t for t in offered if t.startswith("Replace")]
        assert verbs == [f"Replace 'Getting' with {v!r}"
                         for v in ("Retrieves", "Reads", "Fetches", "Computes")]
        reworded = apply(text, await edit_of(c, offered[verbs[1]], uri))
        noqa = apply(text, await edit_of(c, offered["Add `# noqa: HOW301`"], uri))
    assert '"""Reads things."""' in reworded
    assert "def fresh(y):  # noqa: HOW301\n" in noqa
    for new, gone in ((reworded, "HOW301"), (noqa, "HOW301")):
        codes = {r["code"] for r in stdin_check(root, "mod.py", new)}
        assert gone not in codes and "HOW101" in codes


@pytest.mark.asyncio
async def test_hover_shows_every_rule_under_the_cursor(tmp_path) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root)) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        found = await c.diagnostics(uri)
        on = await c.lsp.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(5, 9)))
        off = await c.lsp.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(0, 2)))
    assert on is not None and isinstance(on.contents, types.MarkupContent)
    assert on.contents.kind == types.MarkupKind.Markdown
    for code in ("HOW101", "HOW301"):
        assert f"# {code} " in on.contents.value
    assert "## Why is this bad?" in on.contents.value or "## Why" in on.contents.value
    assert on.range == found[0].range
    assert off is None


@pytest.mark.asyncio
async def test_config_changes_without_a_restart(tmp_path) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root)) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        assert await codes(c, uri) == ["HOW101", "HOW301"]
        assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in c.registrations)
        (root / "howto.toml").write_text('ignore = ["HOW301"]\n', encoding="utf-8")
        c.lsp.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([
            types.FileEvent(from_fs_path(str(root / "howto.toml")), types.FileChangeType.Created)]))
        assert await codes(c, uri) == ["HOW101"]
        c.lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            {"howto-check": {"scope": "file", "severity": "hint"}}))
        found = await c.diagnostics(uri)
    assert [code for code, _ in spans(found)] == ["HOW100", "HOW101"]
    assert {d.severity for d in found} == {types.DiagnosticSeverity.Hint}


@pytest.mark.parametrize("bad", [
    pytest.param("def f(:\n", id="syntax-error"),
    pytest.param("x = 1\0\n", id="nul-byte"),
    pytest.param("x = " + "(" * 3000 + ")" * 3000 + "\n", id="nested-too-deeply"),
    pytest.param("def f():\n\treturn 1\n        return 2\n", id="bad-indentation"),
    pytest.param("s = '\ud800'\n", id="lone-surrogate"),
])
@pytest.mark.asyncio
async def test_a_bad_buffer_never_ends_the_session(tmp_path, bad) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root)) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        assert await c.diagnostics(uri)
        c.replace(uri, bad)
        assert await c.quiet(uri, 1.5), "the last good diagnostics were replaced"
        assert [m.type for m in c.logs] == [types.MessageType.Info], c.logs  # said once
        other = c.open(str(root / "new.py"), VAGUE)  # the session goes on
        assert await codes(c, other) == ["HOW101", "HOW301"]
    assert c.lsp._server is not None and c.lsp._server.returncode == 0


@pytest.mark.asyncio
async def test_shutdown_and_exit_leave_no_process(tmp_path) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY})
    async with session(str(root)) as c:
        uri = c.open(str(root / "mod.py"), LEGACY + "\n\n" + VAGUE)
        await c.diagnostics(uri)
        c.replace(uri, LEGACY + "\n\n" + VAGUE + "\n\n" + OTHER)  # a check under way
        pid = c.pid
    assert c.lsp._server is not None and c.lsp._server.returncode == 0
    assert not os.path.exists(f"/proc/{pid}")
    left = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/cwd").startswith(str(tmp_path)):
                left.append(entry)
        except OSError:
            continue
    assert left == []


@pytest.mark.parametrize("path, buffer", [
    pytest.param("mod.py", LEGACY + "\n\n" + VAGUE, id="new-definition"),
    pytest.param("mod.py", LEGACY.replace("x", "value") + "\n\n" + OTHER, id="changed-legacy"),
    pytest.param("mod.py", GOOD + "\n\n" + VAGUE.replace("Getting", "Gétting ünïcode"),
                 id="non-ascii"),
    pytest.param("mod.py", GOOD + "\n\n" + VAGUE + "\n\n" + OTHER.replace(
        "def other(z):", "def other(z):  # noqa: HOW301"), id="noqa"),
    pytest.param("pkg/new.py", VAGUE + "\n\n" + LEGACY, id="file-not-in-head"),
    pytest.param("mod.py", LEGACY, id="nothing-changed"),
])
@pytest.mark.asyncio
async def test_diagnostics_equal_stdin_mode(tmp_path, path, buffer) -> None:
    root = repo(tmp_path, {"mod.py": LEGACY, "pkg/__init__.py": ""})
    rows = stdin_check(root, path, buffer)
    async with session(str(root)) as c:
        uri = c.open(str(root / path), buffer)
        found = await c.diagnostics(uri)
    lines = buffer.split("\n")

    def units(line: int, col: int) -> int:  # the client counts UTF-16 code units
        return len(lines[line][:col].encode("utf-16-le")) // 2

    expected = sorted((r["code"], r["message"],
                       (r["line"] - 1, units(r["line"] - 1, r["column"] - 1),
                        r["end_line"] - 1, units(r["end_line"] - 1, r["end_column"] - 1)))
                      for r in rows)
    assert sorted((str(d.code), d.message, (d.range.start.line, d.range.start.character,
                                            d.range.end.line, d.range.end.character))
                  for d in found) == expected


@pytest.mark.parametrize("code, expected", [
    pytest.param("import sys; sys.modules['pygls'] = None\n"
                 "from howto_hook.main import main; raise SystemExit(main(['server']))",
                 (2, "the language server needs pygls"), id="without-pygls"),
    pytest.param("from howto_hook.main import main; raise SystemExit(main(['server', '--help']))",
                 (0, ""), id="help"),
    pytest.param("from howto_hook.main import main; raise SystemExit(main(['server', '--bad']))",
                 (2, "unrecognized arguments: --bad"), id="unknown-flag"),
])
def test_the_server_command(code, expected) -> None:
    proc = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    status, said = expected
    assert proc.returncode == status, proc.stderr
    assert said in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") <= 2
