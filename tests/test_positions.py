"""Positions from the text (guided by libcst's tree) against CPython's parser:
the cheap way must give the same answers wherever it answers at all."""
from __future__ import annotations

import os
import sysconfig
from typing import List

import pytest

from howto_hook import locate, positions, walk
from howto_hook.check import decode
from howto_hook.config import Settings
from howto_hook.model import Target

SCOPES = (Settings(), Settings(scope="all"))
DOC = '"""Doc.\n\n    more\n    """'


def _without_ends(targets: List[Target]) -> List[Target]:
    return [t._replace(end_line=None) for t in targets]


def _by_text(module, text: str, settings: Settings) -> bool:
    found: list = []
    walk.walk(module.body, "", "module", False, (), settings.scope == "all", found)
    return positions.by_text(module, text, found) is not None


@pytest.mark.parametrize("source, by_text", [
    pytest.param("def f():\n    " + DOC + "\n", True, id="plain"),
    pytest.param("@a\n@b(1,\n   2)\n# note\n\n@c\ndef f(x,\n      y) -> int:  # c\n\n"
                 "    # lead\n    " + DOC + "\n    return 1\n", True, id="decorators-header"),
    pytest.param("class A(\n    B,\n):\n    'doc'\n    @property\n    def p(self):\n"
                 "        'p.'\n", True, id="class-bases-property"),
    pytest.param("def f():\n    'a' \\\n    'b'\n", True, id="concatenated"),
    pytest.param("def f():\n\t'''Tab\n\tindented.'''\n", True, id="tabs"),
    pytest.param("\x0cdef f():\n    'ff'\n", True, id="form-feed"),
    pytest.param("if X:\n    def f():\n        'in if'\nelse:\n    def g():\n        'else'\n",
                 True, id="if-else"),
    pytest.param("try:\n    pass\nexcept E:\n    def h(): pass\nelse:\n    def e(): pass\n",
                 True, id="try-order"),
    pytest.param("def outer():\n    'o'\n    def inner():\n        'i'\n", True, id="nested"),
    pytest.param("async def f():\n    'a'\n", True, id="async"),
    pytest.param("def f(x='(', y=1,\n      z=2):\n    'doc'\n", True, id="quote-in-header"),
    pytest.param("def f(x=1,  # c (\n      y=2):\n    'doc'\n", True, id="comment-in-header"),
    pytest.param("def f() -> Dict[str,\n                 int]:\n    'doc'\n", True,
                 id="annotation-over-lines"),
    pytest.param("def f(x=1, \\\n      y=2):\n    'doc'\n", True, id="backslash-in-header"),
    pytest.param("class C(A, B): # (\n    'doc'\n", True, id="comment-on-class-line"),
    pytest.param("def f():\n    '''\n    def g():\n    '''\n", False, id="string-looks-like-def"),
    pytest.param("S = '''\ndef f():\n'''\ndef f():\n    'real'\n", False, id="string-before"),
    pytest.param("def f(): 'one line'\n", False, id="one-line-body"),
    pytest.param("def f():\n    ('parenthesised')\n", False, id="parenthesised"),
    pytest.param("def \\\n  f():\n    'split'\n", False, id="backslash-after-def"),
])
def test_text_positions_equal_parser_positions(source: str, by_text: bool) -> None:
    module = locate.parse_module(source)
    for settings in SCOPES:
        assert _by_text(module, source, settings) == by_text
        fast = locate.find_targets(module, path="m.py", settings=settings, source=source,
                                   spans=False)
        exact = locate.find_targets(module, path="m.py", settings=settings, source=source)
        assert fast and all(t.end_line is None for t in fast) == by_text
        assert _without_ends(fast) == _without_ends(exact)


@pytest.mark.slow
def test_text_positions_equal_parser_positions_on_the_stdlib() -> None:
    """Every definition of a sixth of the standard library, in both scopes;
    and the text answers for most of its files."""
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        files += [os.path.join(here, n) for n in sorted(names) if n.endswith(".py")]
    compared = answered = tried = 0
    for path in files[3::6]:
        try:
            with open(path, "rb") as f:
                text = decode(f.read())
            module = locate.parse_module(text)
        except (SyntaxError, UnicodeDecodeError, LookupError, locate.UnparsableError):
            continue
        for settings in SCOPES:
            try:
                exact = locate.find_targets(module, path=path, settings=settings, source=text)
            except locate.UnparsableError:
                continue
            fast = locate.find_targets(module, path=path, settings=settings, source=text,
                                       spans=False)
            assert _without_ends(fast) == _without_ends(exact), path
            compared += len(fast)
            if fast:
                tried += 1
                answered += _by_text(module, text, settings)
    assert compared > 5000 and answered > 0.8 * tried, (compared, answered, tried)
