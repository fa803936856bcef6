"""The examples benchmark's grounding check counts by issue 20's definition."""
from __future__ import annotations

import os
import sys
from typing import List

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
import grounded_bench as gb  # noqa: E402

LIBRARY = '''
class Manager:
    def register(self, plugin, name=None):
        """Register a plugin.

        >>> m = Manager()
        >>> m.register(Plugin(
        ...     "x"))
        """
        self.plugins[name or plugin.name] = plugin


class Plugin:
    def __init__(self, name):
        self.name = name


class Quiet(Plugin):
    pass


def scale(x, factor: float, unit: str = "m", *, where: "Place" = None):
    return x * 2, factor, unit, where.key


def keep(value, timeout):
    return value


class BasicAuth:
    def __init__(self, username, password):
        self.username = username
        self.password = password


def shout(text):
    return text.upper()


def pairs(values):
    return [(v, v) for v in values]
'''

TESTS = '''
from lib import Manager, Plugin

def test_register():
    manager = Manager()
    manager.register(Plugin("real"), name="first")
'''


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> gb.Grounding:
    root = tmp_path_factory.mktemp("lib")
    (root / "lib.py").write_text(LIBRARY)
    (root / "tests").mkdir()
    (root / "tests" / "test_lib.py").write_text(TESTS)
    return gb.Grounding(gb.project_index(str(root)), gb.gather_evidence(str(root)))


@pytest.mark.parametrize("qualname, code, flagged", [
    pytest.param("Manager.register", "m = Manager()\nm.register(plugin=1)", ["plugin"],
                 id="an-integer-for-an-object"),
    pytest.param("Manager.register", 'm = Manager()\nm.register(Plugin(\n    "x"))', [],
                 id="the-authors-multi-line-doctest"),
    pytest.param("Manager.register", 'manager = Manager()\nmanager.register(Plugin("real"), '
                 'name="first")', [], id="a-call-from-the-tests"),
    pytest.param("Manager.register", 'p = Plugin("a")\nManager().register(p)', [],
                 id="a-name-bound-from-a-project-call"),
    pytest.param("Quiet", 'Quiet(name="a")', [], id="a-class-takes-its-base-init"),
    pytest.param("keep", "keep(value=[1, 2], timeout=3)", [], id="returned-value-left-open"),
    pytest.param("Quiet", "Quiet(name=[1, 2])", ["name"], id="a-list-for-a-name"),
    pytest.param("scale", "scale(1, 2.5)", [], id="body-use-and-annotation"),
    pytest.param("scale", 'scale("a", "b")', ["x", "factor"], id="literal-against-use-and-type"),
    pytest.param("scale", "scale(1, 2.0, where=1)", ["where"], id="annotated-with-a-class"),
    pytest.param("keep", 'keep(value="x", timeout=3)', [], id="plain-name-and-open"),
    pytest.param("keep", 'keep(value="x", timeout="soon")', ["timeout"],
                 id="a-literal-against-the-name"),
    pytest.param("BasicAuth", 'BasicAuth(username="example", password=1)', ["password"],
                 id="an-integer-password"),
    pytest.param("shout", 'shout(text="hi")', [], id="text-from-a-str-method"),
    pytest.param("pairs", "pairs([1, 2])", [], id="iterated-takes-a-list"),
    pytest.param("pairs", "pairs(int)", ["values"], id="a-builtin-standing-in"),
])
def test_grounding_flags(checker: gb.Grounding, qualname: str, code: str,
                         flagged: List[str]) -> None:
    code = "from lib import BasicAuth, Manager, Plugin, Quiet, scale, keep, shout, pairs\n" + code
    ex = gb.Example("lib.py", qualname, qualname.rsplit(".", 1)[-1], code)
    assert [f.param for f in checker.flags(ex)] == flagged
