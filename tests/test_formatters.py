"""What `--fix` writes is left alone by the real black and ruff format.

Each layout below passes both formatters before the fix; after it, both
must still pass: the docstring as written, and the one empty line after it
that both require before a nested def or class (and always in a class).
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import black
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from howto_hook.config import Settings
from howto_hook.fix import fix_data
from howto_hook.generate.template import TemplateGenerator
from howto_hook.rules import enabled_codes

from conftest import fixed

SETTINGS = Settings()
ENABLED = enabled_codes(SETTINGS.select, SETTINGS.ignore)
RUFF_TABS = ("--config", 'format.indent-style = "tab"')


def with_black(src: str, line_length: int = 88) -> str:
    return black.format_str(src, mode=black.Mode(line_length=line_length))


def with_ruff(src: str, *options: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "ruff", "format", "--no-cache", *options, "-"],
                          input=src, text=True, capture_output=True, check=True)
    return proc.stdout


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


LAYOUTS = [
    pytest.param(_src("""
        def outer(x):
            def inner():
                return x

            return inner
        """), id="body-starts-with-def"),
    pytest.param(_src("""
        async def outer(x):
            async def inner():
                return x

            return inner
        """), id="body-starts-with-async-def"),
    pytest.param(_src("""
        def outer(x):
            class Inner:
                pass

            return Inner
        """), id="body-starts-with-class"),
    pytest.param(_src("""
        import functools


        def outer(x: int):
            @functools.wraps(x)
            def inner():
                return x

            return inner
        """), id="body-starts-with-decorator"),
    pytest.param(_src("""
        def outer(x):
            # the helper comes first
            def inner():
                return x

            return inner
        """), id="body-starts-with-comment-then-def"),
    pytest.param(_src("""
        def outer(x):
            # a comment first
            return x
        """), id="body-starts-with-comment"),
    pytest.param(_src("""
        def outer(x):
            if x:
                return 1
            return 2
        """), id="body-starts-with-if"),
    pytest.param(_src("""
        def outer(x):
            return x
        """), id="one-statement-body"),
    pytest.param(_src("""
        class Point:
            x: int = 0
            y: int = 0
        """), id="class-starts-with-assignment"),
    pytest.param(_src("""
        class Point:
            def norm(self):
                return 0
        """), id="class-starts-with-method"),
    pytest.param(_src("""
        class Point:
            @property
            def norm(self):
                return 0
        """), id="class-starts-with-decorated-method"),
    pytest.param(_src("""
        class Outer:
            class Inner:
                class Deepest:
                    value: int = 1
        """), id="nested-classes"),
    pytest.param(_src('''
        def outer(x):
            """Return the helper."""
            def inner():
                return x

            return inner
        ''').replace('"""\n    def', '"""\n\n    def'), id="existing-docstring-then-def"),
    pytest.param(_src('''
        class Store:
            """
            A place to keep things.

            It keeps them in memory.
            """

            items = []
        '''), id="existing-docstring-summary-on-next-line"),
    pytest.param(_src('''
        class Store:
            """A place to keep things."""

            def add(self, item):
                """Add an item."""
                self.items.append(item)
        '''), id="methods-with-summaries"),
]


@pytest.mark.parametrize("source", LAYOUTS)
def test_formatters_leave_the_fixed_file_alone(source: str) -> None:
    assert with_black(source) == source and with_ruff(source) == source  # clean before
    after = fixed(source)
    assert after != source
    assert with_black(after) == after
    assert with_ruff(after) == after


@pytest.mark.parametrize("source", [
    pytest.param("def outer(x): return x\n", id="one-line-function"),
    pytest.param("class Point: x: int = 1\n", id="one-line-class"),
])
def test_one_line_bodies_come_out_formatted(source: str) -> None:
    # black and ruff split these themselves; the fix writes their layout
    after = fixed(source)
    assert with_black(after) == after
    assert with_ruff(after) == after


TABS = "def outer(x):\n\tdef inner():\n\t\treturn x\n\n\tif x:\n\t\treturn inner\n\treturn None\n"


def _docstrings(src: str) -> list:
    return [ast.get_docstring(n) for n in ast.walk(ast.parse(src))
            if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def test_tab_indented_file() -> None:
    assert with_ruff(TABS, *RUFF_TABS) == TABS
    after = fixed(TABS)
    assert "\n\t\"\"\"Return `inner`.\n" in after and "\n\t1. **" in after
    assert with_ruff(after, *RUFF_TABS) == after
    # black re-indents every tab; what the docstrings say stays the same
    assert _docstrings(with_black(after)) == _docstrings(after)


def test_human_text_with_trailing_spaces_and_tabs_comes_out_formatted() -> None:
    source = ('def outer(x):\n    """  Summary.   \n\n    Some text.  \n    \tindented\n'
              '    """\n    return x\n')
    after = fixed(source)
    assert with_black(after) == after
    assert with_ruff(after) == after


# --- a property over generated modules --------------------------------------------------

NAMES = st.sampled_from(["alpha", "beta", "gamma", "run_job", "Store", "Point", "parse"])
DOCS = st.sampled_from([
    None,
    "Do the thing.",
    "Summary line.\n\nMore text that a person wrote,\nover two lines.",
    "\nSummary on the next line.\n",
    "Summary.\n\nDescription\n-----------\nHuman words about `x`.",
])


@st.composite
def bodies(draw, depth: int, in_class: bool) -> list:
    """A list of statement blocks (lists of lines, not indented)."""
    out: list = []
    for _ in range(draw(st.integers(1, 3))):
        kinds = ["assign", "if", "comment", "return"] if not in_class else ["assign", "comment"]
        if depth < 2:
            kinds += ["def", "class", "decorated"]
        kind = draw(st.sampled_from(kinds))
        if kind == "assign":
            out.append([f"{draw(NAMES).lower()} = {draw(st.integers(0, 9))}"])
        elif kind == "if":
            out.append(["if True:", "    pass"])
        elif kind == "comment":
            out.append(["# a comment", "value = 1"])
        elif kind == "return":
            out.append(["return None"])
        else:
            out.append(draw(definitions(depth + 1, kind)))
    if in_class and draw(st.booleans()):
        out.append(draw(definitions(depth + 1, "def", method=True)))
    return out


@st.composite
def definitions(draw, depth: int, kind: str, method: bool = False) -> list:
    name = draw(NAMES)
    head: list = []
    if kind == "decorated":
        head.append("@staticmethod" if method else "@functools.lru_cache")
        kind = "def"
    is_class = kind == "class"
    if is_class:
        head.append(f"class {name.capitalize()}:")
    else:
        args = "self, x" if method else "x"
        head.append(f"def {name.lower()}({args}):")
    lines: list = []
    doc = draw(DOCS)
    if doc is not None:
        doc_lines = doc.split("\n")
        lines.append('"""' + doc_lines[0])
        lines += doc_lines[1:]
        lines[-1] += '"""' if len(doc_lines) == 1 else ""
        if len(doc_lines) > 1:
            lines.append('"""')
    for block in draw(bodies(depth, is_class)):
        lines += block
    return head + ["    " + ln if ln else ln for ln in lines]


@st.composite
def modules(draw) -> str:
    parts = ["import functools", ""]
    for _ in range(draw(st.integers(1, 3))):
        parts += ["", ""] + draw(definitions(0, draw(st.sampled_from(["def", "class"]))))
    return "\n".join(parts) + "\n"


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules(), st.sampled_from([60, 79, 88, 100]))
def test_fixed_modules_stay_formatted_and_fit(raw: str, length: int) -> None:
    ruff_length = ("--line-length", str(length))
    source = with_black(raw, length)  # the project ran black: it passes black...
    if with_ruff(source, *ruff_length) != source:
        return  # ...and where ruff disagrees, the case says nothing about --fix
    settings = SETTINGS.with_changes(line_length=length)
    result = fix_data(source.encode(), path="pkg/mod.py", display="pkg/mod.py",
                      settings=settings, enabled=ENABLED, changed=None,
                      generator=TemplateGenerator())
    after = result.after.decode() if result.after is not None else source
    assert with_black(after, length) == after
    assert with_ruff(after, *ruff_length) == after
    old = set(source.split("\n"))
    assert [ln for ln in after.split("\n") if ln not in old and len(ln) > length] == []
