"""The rules from HOW204 on, case by case, with every finding exact: code,
line, column and message. Each case pins a behaviour that a one-token change
to rules.py once got past the other tests (bench/mutate.py found them; see
docs/mutation.md)."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import FrozenSet, List, Tuple

import pytest

from conftest import GOOD_GUIDE, function_source
from howto_hook.check import check_source
from howto_hook.config import Settings
from howto_hook.rules import enabled_codes
from test_rules import locate_text

SETTINGS = Settings()
ALL = enabled_codes(SETTINGS.select, SETTINGS.ignore)
EXAMPLE_CODE = 'sent = send_report("weekly.txt")'
NEVER_MENTIONS = "the usage example never mentions {!r}: show a call or use of it"
INVALID = "the usage example is not valid Python: "
GETTING = "vague word 'getting'; say what it does, e.g. 'retrieves', 'reads', 'fetches', 'computes'"

# (text the finding points at, which occurrence of it, code, message)
Expected = List[Tuple[str, int, str, str]]


def with_example(code: str, doc: str = GOOD_GUIDE) -> str:
    """The good guide with the lines of its example replaced by `code`."""
    assert EXAMPLE_CODE in doc
    return doc.replace(EXAMPLE_CODE, code)


def findings(source: str, path: str = "m.py", settings: Settings = SETTINGS,
             enabled: FrozenSet[str] = ALL) -> List[Tuple[str, int, int, str]]:
    result = check_source(source.encode(), path=path, settings=settings, enabled=enabled)
    return [(v.code, v.line, v.col, v.message) for v in result.violations]


def placed(source: str, expected: Expected) -> List[Tuple[str, int, int, str]]:
    return [(code, *locate_text(source, needle, nth), message)
            for needle, nth, code, message in expected]


# --- HOW204: where a syntax error is shown ------------------------------------------


def _null_byte_is_syntax() -> bool:
    """Whether compile() says SyntaxError for a null byte (newer Pythons) or ValueError."""
    try:
        compile("\0", "<test>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError:
        return True
    except ValueError:
        return False
    return False


NULL_BYTE_IS_SYNTAX = _null_byte_is_syntax()

# (the example's lines, the findings): the position is the error's, moved by
# the indentation the code has inside its fence and kept on the example's lines.
INVALID_EXAMPLES = [
    pytest.param("    first = 1\n    sent = ) + send_report(2)\n    last = 3",
                 [(") + send_report", 0, "HOW204", INVALID + "unmatched ')'")],
                 id="HOW204-indented-second-of-three-lines"),
    pytest.param("  first = [send_report(1),\n      2, ) + 3",
                 [(") + 3", 0, "HOW204",
                   INVALID + "closing parenthesis ')' does not match opening parenthesis '[' "
                             "on line 1")],
                 id="HOW204-first-line-least-indented"),
    pytest.param("  first = send_report(1)\n\n  sent = ) + 2",
                 [(") + 2", 0, "HOW204", INVALID + "unmatched ')'")],
                 id="HOW204-blank-line-inside-indented-code"),
    # Python reads \r as a line break, the guide does not: the error's line
    # is past the example's last line, and is kept on it
    pytest.param("sent = 1\\ry = send_report(1 +)",
                 [("report(1 +)", 0, "HOW204", INVALID + "invalid syntax")],
                 id="HOW204-error-past-the-last-line"),
    # the error is after the line's end: shown at its last character
    pytest.param("    if send_report:",
                 [(":\n    ```", 0, "HOW204",
                   INVALID + "expected an indented block after 'if' statement on line 1")],
                 id="HOW204-error-after-the-line-end"),
    # the error is on a blank line: shown at its start
    pytest.param("    class send_report:\n",
                 [("\n    ```\n", 0, "HOW204",
                   INVALID + "expected an indented block after class definition on line 1")],
                 id="HOW204-error-on-a-blank-line"),
    pytest.param("@send_report",
                 [("@send_report", 0, "HOW204", INVALID + "invalid syntax")],
                 id="HOW204-error-at-column-zero"),
    # a null byte (an escape in the docstring): an error with no line and no
    # column, shown at the example's first line
    pytest.param("    first = 1\n    sent = send_report('\\0')",
                 [("first = 1", 0, "HOW204",
                   INVALID + "source code string cannot contain null bytes")],
                 id="HOW204-null-byte-error-has-no-position",
                 marks=pytest.mark.skipif(not NULL_BYTE_IS_SYNTAX, reason=(
                     "this Python's compile() raises ValueError for a null byte"))),
    # not even text Python can read: a lone surrogate (an escape in the docstring)
    pytest.param('send_report("\\ud800")',
                 [("```python", 0, "HOW204",
                   INVALID + "'utf-8' codec can't encode character '\\ud800' in position 13: "
                             "surrogates not allowed")],
                 id="HOW204-unreadable-text-at-the-fence"),
]


@pytest.mark.parametrize("code, expected", INVALID_EXAMPLES)
def test_invalid_example(code: str, expected: Expected) -> None:
    source = function_source(with_example(code))
    assert findings(source, enabled=frozenset({"HOW204"})) == placed(source, expected)


# Deep nesting stops the parser with a MemoryError or a RecursionError, not a
# SyntaxError: the file is still checked, by every rule, and the example is
# the one thing found wrong (it was "not checked: internal error").
@pytest.mark.parametrize("code", [
    pytest.param("sent = send_report(" + "-" * 100_000 + "1)", id="memory-error"),
    pytest.param("sent = send_report(1)" + ".a" * 100_000, id="recursion-error"),
])
def test_example_too_deep_for_the_parser(code: str) -> None:
    source = function_source(with_example(code))
    assert findings(source) == placed(source, [
        ("```python", 0, "HOW204", "the usage example is nested too deeply for Python's parser")])


# --- HOW205: what counts as a mention of the documented name ------------------------

STORE = '''\
class Store:
    def __init__(self, root):
        self.root = root

    def put(self, key):
        return key


class Outer:
    class Shelf:
        def __init__(self, size):
            self.size = size


def __init__(path):
    return path
'''


def documented(doc: str, header: str, source: str = STORE) -> str:
    """`source` with `doc` as the docstring of the def or class on the line `header`."""
    lines = source.split("\n")
    at = lines.index(header)
    indent = " " * (len(header) - len(header.lstrip()) + 4)
    body = textwrap.indent(doc.rstrip("\n"), indent).lstrip()
    lines.insert(at + 1, f'{indent}"""{body}\n{indent}"""')
    return "\n".join(lines)


def mention(code: str, header: str = "") -> str:
    """A module whose one guide has `code` as its example: the guide of the
    definition on the line `header`, or of send_report when none is named."""
    doc = with_example(code)
    return documented(doc, header) if header else function_source(doc)


MENTIONS = [
    pytest.param(mention("print('send_report')"),
                 [("```python", 0, "HOW205", NEVER_MENTIONS.format("send_report"))],
                 id="HOW205-name-only-in-a-string"),
    pytest.param(mention("import reports\nsent = reports.send_report('weekly.txt')"), [],
                 id="HOW205-attribute-passes"),
    pytest.param(mention("import os\nsent = os.getcwd()"),
                 [("```python", 0, "HOW205", NEVER_MENTIONS.format("send_report"))],
                 id="HOW205-other-attribute"),
    pytest.param(mention("from reports import send_report as send\nsent = send('weekly.txt')"),
                 [], id="HOW205-imported-under-another-name-passes"),
    pytest.param(mention("import tools.jobs.send_report as job\nsent = job.run()"), [],
                 id="HOW205-dotted-import-passes"),
    pytest.param(mention("import os\nsent = 1"),
                 [("```python", 0, "HOW205", NEVER_MENTIONS.format("send_report"))],
                 id="HOW205-other-import"),
    # a method is mentioned by its own name, a constructor by its class's
    pytest.param(mention("box.put('k')", "    def put(self, key):"), [],
                 id="HOW205-method-without-its-class-passes"),
    pytest.param(mention("box = Store('x')", "    def __init__(self, root):"), [],
                 id="HOW205-init-named-by-its-class"),
    pytest.param(mention("box.__init__('x')", "    def __init__(self, root):"),
                 [("```python", 0, "HOW205", NEVER_MENTIONS.format("Store"))],
                 id="HOW205-init-not-by-its-own-name"),
    pytest.param(mention("shelf = Shelf(3)", "        def __init__(self, size):"), [],
                 id="HOW205-nested-init-named-by-its-class"),
    pytest.param(mention("done = __init__('x')", "def __init__(path):"), [],
                 id="HOW205-module-level-init-named-as-itself"),
]


@pytest.mark.parametrize("source, expected", MENTIONS)
def test_mentions(source: str, expected: Expected) -> None:
    # scope "all": __init__ and the like are checked too
    assert findings(source, settings=Settings(scope="all"),
                    enabled=frozenset({"HOW204", "HOW205"})) == placed(source, expected)


# --- HOW401 and HOW402: where a call or an import of the example is shown -----------

CALLS = [
    # the second line, indented in its fence, with a two-byte character before the call
    pytest.param('    first = 1\n    label = "é"; sent = send_report("a", "b")',
                 [('send_report("a", "b")', 0, "HOW401",
                   "'send_report' takes 1 positional argument but the example passes 2")],
                 id="HOW401-call-after-a-wide-character"),
    pytest.param('sent = send_report("a", "b")',
                 [('send_report("a", "b")', 0, "HOW401",
                   "'send_report' takes 1 positional argument but the example passes 2")],
                 id="HOW401-call-on-the-first-line"),
    # Python reads \r as a line break, the guide does not: the call's line
    # number is Python's, its column is read on the guide's line of that number
    # (here cut inside a two-byte character: none of it counts) ...
    pytest.param("x = 1\\ry = 2\n(send_report(1, 2))\né = 3",
                 [("é = 3", 0, "HOW401",
                   "'send_report' takes 1 positional argument but the example passes 2")],
                 id="HOW401-call-line-counted-with-carriage-returns"),
    # ... or past the example, on a line of text after it (at its start: the
    # call's line is not the guide's), or past the docstring, at its start
    pytest.param("x = 1\\ry = 2\\rz = 3\\rsend_report(1, 2)",
                 [("See the docs.", 0, "HOW401",
                   "'send_report' takes 1 positional argument but the example passes 2")],
                 id="HOW401-call-line-past-the-example"),
    pytest.param("a = 1\\rb = 2\\rc = 3\\rd = 4\\rsend_report(1, 2)",
                 [('"""Send the report', 0, "HOW401",
                   "'send_report' takes 1 positional argument but the example passes 2")],
                 id="HOW401-call-line-past-the-docstring"),
]


@pytest.mark.parametrize("code, expected", CALLS)
def test_call_positions(code: str, expected: Expected) -> None:
    source = function_source(with_example(code) + "\nSee the docs.\n")
    assert findings(source, enabled=frozenset({"HOW401"})) == placed(source, expected)


def wrong_import(top: str, where: str) -> Tuple[str, int, str, str]:
    return (f"from shop import {top}", 0, "HOW402",
            f"the example imports {top!r} from 'shop', which does not provide it: "
            f"write 'from {where} import {top}'")


# (file, its text, the findings): files of a package on disk, src/shop/...
IMPORTS = [
    # a method's import is of its class, the first part of its qualified name
    pytest.param("src/shop/billing/store.py",
                 mention("from shop import Store\nStore('x').put('k')", "    def put(self, key):"),
                 [wrong_import("Store", "shop.billing.store")],
                 id="HOW402-method-imports-its-class"),
    pytest.param("src/shop/billing/tax.py",
                 mention("from shop import send_report\nsend_report('x')"),
                 [wrong_import("send_report", "shop.billing.tax")], id="HOW402-function"),
    # no import could name a file whose name is no identifier: nothing to suggest
    pytest.param("src/shop/bad-name.py",
                 mention("from shop import send_report\nsend_report('x')"), [],
                 id="HOW402-file-no-import-can-name"),
]


@pytest.mark.parametrize("path, source, expected", IMPORTS)
def test_import_positions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str,
                          source: str, expected: Expected) -> None:
    for package in ("src/shop", "src/shop/billing"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / path).write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert findings(source, path=path, enabled=frozenset({"HOW402"})) == placed(source, expected)


# --- HOW301: which words and lines are prose ------------------------------------------

G = GOOD_GUIDE
SET_UP = Settings(banned_words=(("set", ()), ("set up", ())))
ADORNMENTS = Settings(banned_words=(("==", ()), ("~~", ())))
NOTES = "\nNotes\n~~~~~\nSee the docs.\n"
DOING = "vague word 'Doing'; say what it does, e.g. 'performs', 'executes', 'applies', 'runs'"

# (docstring, settings, the findings)
WORDS = [
    pytest.param(G.replace("reads the report", "keeps forgetting the report"), SETTINGS, [],
                 id="HOW301-word-inside-a-word-passes"),
    # the longest banned word is taken first
    pytest.param(G.replace("reads the report", "will set up the report"), SET_UP,
                 [("set up", 0, "HOW301", "vague word 'set up'; name the specific action instead")],
                 id="HOW301-longest-word-first"),
    pytest.param(G.replace("reads the report", "is getting the report"), Settings(banned_words=()),
                 [], id="HOW301-no-banned-words"),
    # suggestions are looked up whatever the word's case
    pytest.param(G.replace("Opens `path`", "Doing: opens `path`"), SETTINGS,
                 [("Doing", 0, "HOW301", DOING)], id="HOW301-capitalised-word-gets-suggestions"),
    pytest.param(G.replace("posts it.\n\nExecution Steps", "posts it.\nIt keeps getting longer.\n"
                                                         "Execution Steps"), SETTINGS,
                 [("getting", 0, "HOW301", GETTING)], id="HOW301-line-just-above-a-heading"),
    pytest.param(G.replace("==========================\n\n",
                           "==========================\ngetting started\n\n"), SETTINGS,
                 [("getting", 0, "HOW301", GETTING)], id="HOW301-line-just-below-the-title"),
    pytest.param(G.replace("==========================\n", "getting started\n"), SETTINGS,
                 [("How to Use", 0, "HOW102",
                   "heading 'How to Use This Code Block' has no underline: add a line of '=' "
                   "below it"), ("getting", 0, "HOW301", GETTING)],
                 id="HOW301-line-below-a-title-without-underline"),
    # underlines are no prose, whatever words are banned
    pytest.param(G + NOTES, ADORNMENTS, [], id="HOW301-underlines-are-no-prose"),
    pytest.param(G.replace("Send the report", "Send == the ~~ report") + NOTES, ADORNMENTS,
                 [("==", 0, "HOW301", "vague word '=='; name the specific action instead"),
                  ("~~", 0, "HOW301", "vague word '~~'; name the specific action instead")],
                 id="HOW301-adornment-words-in-prose"),
]


@pytest.mark.parametrize("doc, settings, expected", WORDS)
def test_vague_words(doc: str, settings: Settings, expected: Expected) -> None:
    source = function_source(doc)
    assert findings(source, settings=settings) == placed(source, expected)


def test_a_text_with_no_file_has_no_import_to_suggest(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A text checked with no path (as the fixer checks its rewrites) is no module:
    its example's imports are left alone, not measured against the current folder."""
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    source = mention("from shop import send_report\nsend_report('x')")
    assert findings(source, path="", enabled=frozenset({"HOW402"})) == []


# --- where a finding on a line is shown: at the line's text, after its indentation --

def indented_fence(info: str, code: str) -> str:
    return (G.replace("```python", "  ```" + info).replace(EXAMPLE_CODE, "  " + code)
            .replace("```\n", "  ```\n"))


ONLY_HOW103 = Settings(select=("HOW103",))
MISSING = "required section {!r} is missing: add it"

# (the source, settings, the findings)
INDENTED = [
    pytest.param(function_source(indented_fence("python", "print(1)")), SETTINGS,
                 [("```python", 0, "HOW205", NEVER_MENTIONS.format("send_report"))],
                 id="HOW205-indented-fence"),
    # "py" names Python as "python" does: unclosed, it is told to close, not to rename
    pytest.param(function_source(G.replace("```python", "```py")
                                 .replace(EXAMPLE_CODE + "\n```", EXAMPLE_CODE)), SETTINGS,
                 [("```py", 0, "HOW203", "the ```python block is never closed: end it with ```")],
                 id="HOW203-unclosed-py-fence"),
    pytest.param(function_source(indented_fence("js", "print(1)")), SETTINGS,
                 [("```js", 0, "HOW203",
                   "the code block in 'Usage Example' is marked 'js': open it with ```python")],
                 id="HOW203-indented-fence"),
    # the docstring's first line, indented after its quotes
    pytest.param('def send_report(path):\n    """  Send the report."""\n    return 1\n',
                 ONLY_HOW103,
                 [("Send", 0, "HOW103", MISSING.format(name))
                  for name in ("Description", "Execution Steps", "Usage Example")],
                 id="HOW103-first-line-indented"),
    # the first line after a blank one, indented deeper than the next
    pytest.param('def send_report(path):\n    """\n      Send the report.\n\n    Posts it.\n'
                 '    """\n    return 1\n', ONLY_HOW103,
                 [("Send", 0, "HOW103", MISSING.format(name))
                  for name in ("Description", "Execution Steps", "Usage Example")],
                 id="HOW103-first-line-indented-deeper"),
    # an empty docstring has no line at all: the findings are at its quotes
    pytest.param('def send_report(path):\n    """"""\n    return 1\n', ONLY_HOW103,
                 [('""""""', 0, "HOW103", MISSING.format(name))
                  for name in ("Description", "Execution Steps", "Usage Example")],
                 id="HOW103-empty-docstring"),
]


@pytest.mark.parametrize("source, settings, expected", INDENTED)
def test_findings_at_indented_lines(source: str, settings: Settings, expected: Expected) -> None:
    enabled = enabled_codes(settings.select, settings.ignore)
    assert findings(source, settings=settings, enabled=enabled) == placed(source, expected)


@pytest.mark.parametrize("enabled, expected", [
    pytest.param(frozenset({"HOW401"}), [], id="other-rules-do-not-run"),
    pytest.param(frozenset({"HOW301", "HOW401"}), ["HOW301"], id="enabled-rule-runs"),
])
def test_only_the_enabled_rules_run(enabled: FrozenSet[str], expected: List[str]) -> None:
    """check_target, as the template generator calls it with the example rules
    alone, runs the rules it is given and no other."""
    from howto_hook.check import analyse, check_target

    source = function_source(G.replace("reads the report", "is getting the report"))
    target = analyse(source.encode(), path="m.py", settings=SETTINGS, enabled=ALL).checked[0][0]
    assert [v.code for v in check_target(target, SETTINGS, enabled)] == expected
