"""Where definitions and docstrings are: names, spans, scope, odd files."""
from __future__ import annotations

from typing import List, Tuple

import pytest

from conftest import GOOD_GUIDE, function_source
from howto_hook import locate
from howto_hook.check import check_source, decode
from howto_hook.config import Settings
from howto_hook.rules import enabled_codes

SETTINGS = Settings()
ENABLED = enabled_codes(SETTINGS.select, SETTINGS.ignore)

SOURCE = '''\
import typing


@decorator
@other(1,
       2)
def top(a, b=1, *args, c, **kw):
    """Top."""
    def inner():
        pass
    return a


class Outer:
    """Outer."""

    class Inner:
        def method(self, x, /, y, *, z=3): ...

    @property
    def value(self): return 1

    @value.setter
    def value(self, v): pass

    def _private(self):
        pass

    def __repr__(self):
        return ""

    if typing.TYPE_CHECKING:
        def typed(self) -> int: ...
    else:
        def untyped(self): ...


class _Hidden:
    def visible(self): ...


@typing.overload
def over(x: int) -> int: ...
def over(x): return x


async def fetch(url: str = "x") -> bytes:
    return b""
'''


def rows(settings: Settings) -> List[Tuple[str, str, int, int, int, bool]]:
    module = locate.parse_module(SOURCE)
    return [(t.qualname, t.kind, t.start_line, t.line, t.end_line, t.in_scope)
            for t in locate.find_targets(module, path="m.py", settings=settings)]


def test_qualnames_spans_and_scope() -> None:
    assert rows(SETTINGS) == [
        ("top", "function", 4, 7, 11, True),
        ("Outer", "class", 14, 14, 35, True),
        ("Outer.Inner", "class", 17, 17, 18, True),
        ("Outer.Inner.method", "method", 18, 18, 18, True),
        ("Outer.value", "method", 20, 21, 21, True),
        ("Outer.value", "method", 23, 24, 24, False),  # a setter
        ("Outer._private", "method", 26, 26, 27, False),
        ("Outer.__repr__", "method", 29, 29, 30, False),
        ("Outer.typed", "method", 33, 33, 33, True),
        ("Outer.untyped", "method", 35, 35, 35, True),
        ("_Hidden", "class", 38, 38, 39, False),
        ("_Hidden.visible", "method", 39, 39, 39, False),  # method of a private class
        ("over", "function", 42, 43, 43, False),  # an @overload stub
        ("over", "function", 44, 44, 44, True),
        ("fetch", "function", 47, 47, 48, True),
    ]


def test_scope_all_takes_in_nested_and_private() -> None:
    found = rows(Settings(scope="all"))
    assert ("top.<locals>.inner", "function", 9, 9, 10, True) in found
    assert all(r[5] for r in found)


def test_params_drop_self_and_keep_kinds() -> None:
    module = locate.parse_module(SOURCE)
    targets = {t.qualname: t for t in locate.find_targets(module, path="m.py", settings=SETTINGS)}
    method = targets["Outer.Inner.method"]
    assert [(p.name, p.kind, p.has_default) for p in method.params] == [
        ("x", "positional_only", False), ("y", "positional_or_keyword", False),
        ("z", "keyword_only", True)]
    top = targets["top"]
    assert [p.kind for p in top.params] == [
        "positional_or_keyword", "positional_or_keyword", "var_positional", "keyword_only",
        "var_keyword"]
    assert targets["fetch"].is_async and targets["fetch"].params[0].annotation == "str"


def _first(source: str, **kw: object) -> "tuple[str, int, int]":
    data = source.encode(kw.pop("encoding", "utf-8")) if isinstance(source, str) else source
    result = check_source(kw.pop("prefix", b"") + data, path="m.py", settings=SETTINGS,
                          enabled=ENABLED)
    v = [v for v in result.violations if v.code != "HOW100"][0]
    return v.code, v.line, v.col


BAD = GOOD_GUIDE.replace("reads the report", "is getting the report")


@pytest.mark.parametrize("source, prefix, expected", [
    pytest.param(function_source(BAD), b"", ("HOW301", 9, 35), id="spaces"),
    pytest.param(function_source(BAD, indent="\t"), b"", ("HOW301", 9, 32), id="tabs"),
    pytest.param(function_source(BAD).replace("\n", "\r\n"), b"", ("HOW301", 9, 35), id="crlf"),
    pytest.param(function_source(BAD), b"\xef\xbb\xbf", ("HOW301", 9, 35), id="bom"),
    pytest.param("# -*- coding: latin-1 -*-\n" + function_source(BAD.replace("posts", "pôsts")),
                 b"", ("HOW301", 10, 35), id="coding-cookie"),
    pytest.param("\x0c\n" + function_source(BAD), b"", ("HOW301", 10, 35), id="form-feed"),
    pytest.param("X = f'{f\"{1}\"}'\n" + "Y = [" + "1, " * 5000 + "1]\n" + function_source(BAD),
                 b"", ("HOW301", 11, 35), id="nested-fstring-long-line"),
    pytest.param("class A:\n    class B:\n" + "\n".join(
        "        " + ln if ln else "" for ln in function_source(BAD).splitlines()) + "\n",
        b"", ("HOW301", 11, 43), id="nested-class-indent"),
    pytest.param(function_source(BAD, quote="'''").replace('def send_report', 'def send_report'),
                 b"", ("HOW301", 9, 35), id="single-quotes"),
])
def test_positions_in_odd_files(source: str, prefix: bytes, expected: tuple) -> None:
    encoding = "latin-1" if "latin-1" in source else "utf-8"
    assert _first(source, prefix=prefix, encoding=encoding) == expected


def test_one_line_docstring_column() -> None:
    source = 'def f():\n    """Is getting things."""\n'
    result = check_source(source.encode(), path="m.py", settings=SETTINGS,
                          enabled=frozenset({"HOW301"}))
    assert [(v.line, v.col) for v in result.violations] == [(2, 11)]


@pytest.mark.parametrize("data, code, message", [
    (b"def f(:\n    pass\n", "HOW001", "syntax error"),
    (b"print 'hello'\n", "HOW001", "syntax error"),
    (b"x = '\xff'\n", "HOW002", "cannot decode"),
    (b"# coding: nope-8\nx = 1\n", "HOW002", "unknown encoding"),
])
def test_bad_files_are_reported_not_raised(data: bytes, code: str, message: str) -> None:
    result = check_source(data, path="m.py", settings=SETTINGS, enabled=ENABLED)
    assert [v.code for v in result.violations] == [code]
    assert message in result.violations[0].message


def test_decode_keeps_text_and_normalises_newlines() -> None:
    assert decode(b"\xef\xbb\xbfa = 1\r\nb = 2\r") == "a = 1\nb = 2\n"


def test_deep_nesting_is_a_finding_not_a_crash() -> None:
    source = "Y = " + "1 + " * 3000 + "1\n" + function_source(GOOD_GUIDE)
    result = check_source(source.encode(), path="m.py", settings=SETTINGS, enabled=ENABLED)
    assert [v.code for v in result.violations] in ([], ["HOW001"])


@pytest.mark.slow
def test_positions_from_ast_equal_positions_from_libcst_on_the_stdlib() -> None:
    """Two ways to find positions, one result: CPython's parser (fast) and a
    libcst code-generation pass (any syntax libcst reads) agree on every
    definition of a sixth of the standard library, in both scopes."""
    import os
    import sysconfig

    root = sysconfig.get_paths()["stdlib"]
    files = []
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        files += [os.path.join(here, n) for n in sorted(names) if n.endswith(".py")]
    compared = 0
    for path in files[::6]:
        try:
            text = decode(open(path, "rb").read())
            module = locate.parse_module(text)
        except (SyntaxError, UnicodeDecodeError, LookupError, locate.UnparsableError):
            continue
        for settings in (SETTINGS, Settings(scope="all")):
            try:
                fast = locate.find_targets(module, path=path, settings=settings, source=text)
                slow = locate.find_targets(module, path=path, settings=settings)
            except locate.UnparsableError:
                continue
            assert fast == slow, path
            compared += len(fast)
    assert compared > 5000


def test_node_validation_is_only_skipped_while_parsing() -> None:
    import libcst

    module = locate.parse_module("def f():\n    return 1\n")
    assert module.code == "def f():\n    return 1\n"
    with pytest.raises(libcst.CSTValidationError):
        libcst.SimpleString("not a string literal")  # the rewriter's nodes are checked
    with pytest.raises(locate.UnparsableError):
        locate.parse_module("def f(:\n")
    with pytest.raises(libcst.CSTValidationError):
        libcst.SimpleString("still checked after a failed parse")


def test_parse_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    locate.parse_module("x = 1\n")
    assert gc.isenabled()
    gc.disable()
    try:
        locate.parse_module("x = 1\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
