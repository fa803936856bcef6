"""The hunk parser on literal `git diff -U0` text."""
from __future__ import annotations

import pytest

from conftest import git
from howto_hook.diff import parse_hunks

HEAD = "diff --git a/{0} b/{0}\nindex 1..2 100644\n--- a/{0}\n+++ b/{0}\n"


def patch(path: str, *hunks: str) -> str:
    return HEAD.format(path) + "".join(hunks)


def quoted(old: str, new: str) -> str:
    """A patch whose header paths are written exactly as given (git's quoting)."""
    return (f"diff --git {old} {new}\nindex 1..2 100644\n--- {old}\n+++ {new}\n"
            "@@ -1 +1 @@\n-a\n+b\n")


# git's C-style quoting (quote_c_style): these escapes, octal for other bytes.
ESCAPED = [
    pytest.param('"b/a\\ab.py"', "a\ab.py", id="bell"),
    pytest.param('"b/a\\bb.py"', "a\bb.py", id="backspace"),
    pytest.param('"b/a\\tb.py"', "a\tb.py", id="tab"),
    pytest.param('"b/a\\nb.py"', "a\nb.py", id="newline"),
    pytest.param('"b/a\\vb.py"', "a\vb.py", id="vertical-tab"),
    pytest.param('"b/a\\fb.py"', "a\fb.py", id="form-feed"),
    pytest.param('"b/a\\rb.py"', "a\rb.py", id="carriage-return"),
    pytest.param('"b/a\\"b.py"', 'a"b.py', id="quote"),
    pytest.param('"b/a\\\\b.py"', "a\\b.py", id="backslash"),
    pytest.param('"b/\\303\\251t\\303\\251.py"', "été.py", id="octal-utf-8"),
    pytest.param('"b/x\\377.py"', "x\udcff.py", id="octal-not-utf-8"),
    pytest.param('"b/a\\18.py"', "a18.py", id="not-octal-digits"),
    pytest.param('"b/a\\12"', "a12", id="two-digits-at-the-end-are-no-octal"),
    pytest.param('"b/a\\X12.py"', "aX12.py", id="unknown-escape-keeps-its-letter"),
    pytest.param('"b/a\\"', "a\\", id="trailing-backslash-kept"),
    pytest.param('"b/tab\\t"', "tab\t", id="escape-at-the-end"),
    # a name's raw byte that is not UTF-8 (core.quotePath=false), read back as that byte
    pytest.param('"b/caf\udce9\\t.py"', "caf\udce9\t.py", id="raw-byte-not-utf-8"),
]


@pytest.mark.parametrize("header, path", ESCAPED)
def test_quoted_paths(header: str, path: str) -> None:
    assert parse_hunks(quoted(header.replace("b/", "a/", 1), header)) == {path: frozenset({1})}


@pytest.mark.parametrize("name", [
    pytest.param("tab\there.py", id="tab"),
    pytest.param("new\nline.py", id="newline"),
    pytest.param('quote"and\\back.py', id="quote-and-backslash"),
    pytest.param("caf\u00e9 menu.py", id="non-ascii-and-space"),
])
def test_names_git_quotes(tmp_path, name: str) -> None:
    """The patch real git writes for an unusual name, parsed back to that name."""
    git(str(tmp_path), "init", "-q")
    (tmp_path / name).write_text("a\nb\n", encoding="utf-8")
    git(str(tmp_path), "add", "-A")
    git(str(tmp_path), "commit", "-qm", "base")
    (tmp_path / name).write_text("a\nc\n", encoding="utf-8")
    patch_text = git(str(tmp_path), "-c", "core.quotePath=false", "diff", "-U0", "--no-color")
    assert parse_hunks(patch_text) == {name: frozenset({2})}


CASES = [
    pytest.param(patch("m.py", "@@ -5 +5 @@\n-old\n+new\n"), {"m.py": {5}}, id="modify-one"),
    pytest.param(patch("m.py", "@@ -5,0 +6,2 @@\n+a\n+b\n"), {"m.py": {6, 7}}, id="add-two"),
    pytest.param(patch("m.py", "@@ -4 +3,0 @@\n-gone\n"), {"m.py": {3, 4}}, id="pure-deletion"),
    pytest.param(patch("m.py", "@@ -1,2 +0,0 @@\n-a\n-b\n"), {"m.py": {1}}, id="delete-at-top"),
    pytest.param(patch("m.py", "@@ -3,2 +3 @@\n-a\n-b\n+c\n"), {"m.py": {3}},
                 id="replace-two-by-one"),
    pytest.param(patch("m.py", "@@ -2 +2 @@\n-x\n+y\n", "@@ -9,0 +10 @@\n+z\n"),
                 {"m.py": {2, 10}}, id="two-hunks"),
    pytest.param(patch("m.py", "@@ -2,3 +2,3 @@\n-x\n+y\n same\n-p\n+q\n"), {"m.py": {2, 4}},
                 id="merged-hunk-with-context"),
    pytest.param(patch("m.py", "@@ -2,3 +2,1 @@\n-x\n same\n-p\n"), {"m.py": {1, 2, 3}},
                 id="merged-deletions"),
    pytest.param(patch("m.py", "@@ -2,2 +2,2 @@\n---- x\n-+++ y\n+--- z\n++++ w\n"),
                 {"m.py": {2, 3}}, id="lines-that-look-like-headers"),
    pytest.param(patch("m.py", "@@ -3 +3 @@\n-a\n\\ No newline at end of file\n+a\n"),
                 {"m.py": {3}}, id="no-newline-marker"),
    pytest.param("diff --git a/n.py b/n.py\nnew file mode 100644\nindex 0..1\n--- /dev/null\n"
                 "+++ b/n.py\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n", {"n.py": {1, 2, 3}}, id="new-file"),
    pytest.param("diff --git a/d.py b/d.py\ndeleted file mode 100644\nindex 1..0\n--- a/d.py\n"
                 "+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n", {}, id="deleted-file"),
    pytest.param("diff --git a/old.py b/new.py\nsimilarity index 90%\nrename from old.py\n"
                 "rename to new.py\nindex 1..2 100644\n--- a/old.py\n+++ b/new.py\n"
                 "@@ -7 +7 @@\n-a\n+b\n", {"new.py": {7}}, id="rename-with-edit"),
    pytest.param("diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\n"
                 "rename to new.py\n", {}, id="pure-rename"),
    pytest.param("diff --git a/x.bin b/x.bin\nindex 1..2 100644\nBinary files a/x.bin and "
                 "b/x.bin differ\n", {}, id="binary"),
    pytest.param("diff --git a/my dir/a b.py b/my dir/a b.py\nindex 1..2 100644\n"
                 "--- a/my dir/a b.py\t\n+++ b/my dir/a b.py\t\n@@ -1 +1 @@\n-a\n+b\n",
                 {"my dir/a b.py": {1}}, id="space-in-path"),
    pytest.param('diff --git "a/q\\"t.py" "b/q\\"t.py"\nindex 1..2 100644\n--- "a/q\\"t.py"\n'
                 '+++ "b/q\\"t.py"\n@@ -1 +1 @@\n-a\n+b\n', {'q"t.py': {1}}, id="quoted-path"),
    pytest.param('diff --git "a/m\\303\\263d.py" "b/m\\303\\263d.py"\n--- "a/m\\303\\263d.py"\n'
                 '+++ "b/m\\303\\263d.py"\n@@ -1 +1 @@\n-a\n+b\n', {"mód.py": {1}},
                 id="octal-escaped-non-ascii"),
    pytest.param(patch("módulo.py", "@@ -1 +1 @@\n-a\n+b\n"), {"módulo.py": {1}},
                 id="non-ascii-unquoted"),
    # after a context line, each block of changes is judged on its own
    pytest.param(patch("m.py", "@@ -2,3 +2,2 @@\n-x\n+y\n same\n-p\n"), {"m.py": {2, 3, 4}},
                 id="edit-then-pure-deletion"),
    pytest.param(patch("m.py", "@@ -2,3 +2,3 @@\n-x\n same\n-p\n+q\n"), {"m.py": {1, 2, 3}},
                 id="pure-deletion-then-edit"),
    pytest.param(patch("m.py", "@@ -2,2 +2,3 @@\n+x\n same\n-p\n+q\n"), {"m.py": {2, 4}},
                 id="addition-then-edit"),
    pytest.param(patch("m.py", "@@ -2,2 +2,2 @@\n same\n-p\n+q\n"), {"m.py": {3}},
                 id="context-first"),
    pytest.param(patch("m.py", "@@ -2,3 +2,3 @@\n-x\n+y\n same\n-p\n+q\n",
                       "@@ -9 +9 @@\n-a\n+b\n"), {"m.py": {2, 4, 9}},
                 id="context-counts-on-both-sides"),
    pytest.param(patch("m.py", "@@ -1,3 +1,3 @@\n-a\n+b"), {"m.py": {1}},
                 id="hunk-cut-short"),
    pytest.param(patch("m.py", "@@ - +1 @@\n+x\n", "@@ -3 +3 @@\n-a\n+b\n"), {"m.py": {3}},
                 id="malformed-hunk-header-skipped"),
    pytest.param(patch("m.py", "@@ -1, +1 @@\n+x\n", "@@ -3 +3 @@\n-a\n+b\n"), {"m.py": {3}},
                 id="hunk-header-empty-old-count"),
    pytest.param(patch("m.py", "@@ -1 + @@\n+x\n", "@@ -3 +3 @@\n-a\n+b\n"), {"m.py": {3}},
                 id="hunk-header-empty-new-start"),
    pytest.param(patch("m.py", "@@ -1 +1, @@\n+x\n", "@@ -3 +3 @@\n-a\n+b\n"), {"m.py": {3}},
                 id="hunk-header-empty-new-count"),
    pytest.param(quoted("a/x.py", "b/y.py"), {"y.py": {1}}, id="quoted-b-prefix-dropped"),
    pytest.param(quoted('b/"', 'b/"'), {'"': {1}}, id="quoted-lone-quote"),
    pytest.param(quoted('"', '"'), {'"': {1}}, id="a-lone-quote-is-no-quoting"),
    pytest.param(quoted('""', '""'), {"": {1}}, id="empty-quoted-name"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_parse_hunks(text: str, expected: dict) -> None:
    assert parse_hunks(text) == {k: frozenset(v) for k, v in expected.items()}
