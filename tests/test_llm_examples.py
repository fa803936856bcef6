"""`--fix --generator llm --run-examples`: an answer whose example fails is sent
back once with the exception; the real openai client against a real local server,
the examples run in real child processes."""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from llm_server import ChatServer, Reply

KEY = "sk-test-0123456789abcdefghij"

SOURCE = '''\
def scale(values: list, factor: float = 2.0) -> list:
    return [v * factor for v in values]


def broken(values: list) -> list:
    if values is not None:  # (a body ending in raise gets a try/except example that runs)
        raise RuntimeError("always")
    return values
'''

RAISES = "from m import {name}\n\nresult = {name}(3)\nprint(result)"
RUNS = "from m import {name}\n\nprint({name}([1, 2]))"


def answer(name: str, example: str) -> str:
    return json.dumps({
        "description": f"The `{name}` function multiplies each number in `values`.",
        "steps": [{"label": "Multiply Values", "text": "Multiplies every item by `factor`."}],
        "usage_example": example.format(name=name),
    })


def _name(body: Dict[str, Any]) -> str:
    return "broken" if "Qualified name: broken" in body["messages"][1]["content"] else "scale"


def _script(examples: List[str]):
    """Answer each definition's n-th request with the n-th example."""
    asked: Dict[str, int] = {}

    def reply(body: Dict[str, Any], _: int) -> Reply:
        name = _name(body)
        n = asked[name] = asked.get(name, 0) + 1
        return Reply(content=answer(name, examples[min(n, len(examples)) - 1]))

    return reply


@pytest.fixture
def project(tmp_path: Path, monkeypatch, trusted_configs):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)

    def make(server: ChatServer, fallback: Optional[str] = None, source: str = SOURCE,
             others: Optional[Dict[str, str]] = None) -> Path:
        extra = f'fallback = "{fallback}"\n' if fallback else ""
        (tmp_path / "pyproject.toml").write_text(
            f'[tool.howto]\n[tool.howto.llm]\nbase-url = "{server.base_url}"\n'
            f'model = "test-model"\ntimeout = 5\nmax-retries = 0\n{extra}', encoding="utf-8")
        (tmp_path / "m.py").write_text(source, encoding="utf-8")
        for name, text in (others or {}).items():  # the project's other files (its tests)
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        return tmp_path

    return make


def _guide_of(text: str, name: str) -> str:
    """The docstring of `name` in the fixed module, "" when it has none."""
    tree = ast.parse(text)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_docstring(node) or ""


REPAIR = ("HOW403 (usage_example line 3: `result = scale(3)`): the usage example raises "
          "TypeError: 'int' object is not iterable")


@pytest.mark.parametrize("examples, fallback, requests, written, reason", [
    pytest.param([RAISES, RUNS], None, 2, "print(scale([1, 2]))", None,
                 id="second-answer-runs-and-is-written"),
    pytest.param([RAISES, RAISES], None, 2, None,
                 "the usage example raises TypeError: 'int' object is not iterable",
                 id="second-failure-leaves-it-unfixed"),
    pytest.param([RAISES, RAISES], "template", 2, "from m import scale", None,
                 id="falls-back-to-a-template-that-runs"),
])
def test_repair_carries_the_exception(project, run_main, examples: List[str],
                                      fallback: Optional[str], requests: int,
                                      written: Optional[str], reason: Optional[str]) -> None:
    with ChatServer(_script(examples)) as server:
        root = project(server, fallback)
        _, _, err = run_main(["--all", "--fix", "--generator", "llm", "--run-examples",
                                     "--select", "HOW1,HOW2,HOW403", "m.py"], root)
    mine = [b for b in server.requests if _name(b) == "scale"]
    assert len(mine) == requests
    first = "\n".join(m["content"] for m in mine[0]["messages"])
    assert "HOW403" not in first
    repair = mine[1]["messages"][-1]["content"]
    assert mine[1]["messages"][-2]["role"] == "assistant"
    assert REPAIR in repair
    guide = _guide_of((root / "m.py").read_text(encoding="utf-8"), "scale")
    if written is None:
        assert guide == "" and f"cannot fix scale: {reason}" in err
    else:
        assert written in guide and "scale(3)" not in guide
    # `broken` raises whatever is asked: never written, with or without the fallback
    assert _guide_of((root / "m.py").read_text(encoding="utf-8"), "broken") == ""
    assert "cannot fix broken: the usage example raises" in err
    # what was written runs: a second check with the examples on finds nothing
    assert run_main(["--all", "--run-examples", "--select", "HOW403", "m.py"], root)[:2] == (0, "")


# --- where no example can run: only the project's own example is written (item 8) -----

USED = '''\
def scale(values: list, factor: float = 2.0) -> list:
    return [v * factor for v in values]


def unused(values: list) -> list:
    return values[::-1]
'''
# the project's only evidence of `scale`: a test, whose slice is the example
TEST = '''\
from m import scale


def test_scale():
    values = [1, 2]
    assert scale(values, 3.0) == [3.0, 6.0]
'''
# the slice, written differently (imports, spacing, quotes, a printed value): the same code
COPIED = "from m import scale\nvalues = [1,  2]\nprint( scale(values, 3.0) )"
INVENTED = "from m import scale\n\nprint(scale([5], 2.0))"
NOTE = "no interpreter that can import the project was found"
NOT_RUN = "cannot fix scale: its example was not run"


@pytest.mark.parametrize("interpreter, examples, fallback, requests, written", [
    pytest.param(False, [COPIED], None, 1, "print( scale(values, 3.0) )",
                 id="no-interpreter-copied-slice-written"),
    pytest.param(False, [INVENTED, COPIED], None, 2, "print( scale(values, 3.0) )",
                 id="no-interpreter-invented-then-copied-after-the-repair"),
    pytest.param(False, [INVENTED, INVENTED], None, 2, None,
                 id="no-interpreter-invented-left-unfixed"),
    pytest.param(False, [INVENTED, INVENTED], "template", 2, "print(result)",
                 id="no-interpreter-falls-back-to-the-template-slice"),
    pytest.param(True, [INVENTED], None, 1, "print(scale([5], 2.0))",
                 id="interpreter-invented-runs-and-is-written"),
])
def test_no_interpreter_writes_only_the_projects_own_example(
        project, run_main, interpreter: bool, examples: List[str],
        fallback: Optional[str], requests: int, written: Optional[str]) -> None:
    asked: List[str] = []

    def reply(body: Dict[str, Any], _: int) -> Reply:
        if "Qualified name: unused" in body["messages"][1]["content"]:
            return Reply(content=answer("unused", "from m import unused\n\nprint(unused([1]))"))
        asked.append("scale")
        return Reply(content=answer("scale", examples[min(len(asked), len(examples)) - 1]))

    with ChatServer(reply) as server:
        root = project(server, fallback, USED, {"tests/test_m.py": TEST})
        given = ["--example-python", sys.executable] if interpreter else []
        _, _, err = run_main(["--all", "--fix", "--generator", "llm", *given,
                              "--select", "HOW1,HOW2,HOW403", "m.py"], root)
    assert (err.count(NOTE) == 1 and "example-python" in err) is not interpreter, err
    mine = [b for b in server.requests if "Qualified name: scale" in b["messages"][1]["content"]]
    assert len(mine) == requests, err
    said = "\n".join(m["content"] for m in mine[0]["messages"])
    assert ("copied as it stands" in said) is not interpreter
    if requests > 1 and not interpreter:  # the invented example is sent back once
        assert "usage_example must be one of the project's own examples" in \
            mine[1]["messages"][-1]["content"]
    guide = _guide_of((root / "m.py").read_text(encoding="utf-8"), "scale")
    if written is None:
        assert guide == "" and NOT_RUN in err and "2 could not be fixed" in err
    else:
        assert written in guide and NOT_RUN not in err, err
    # a definition of which the project has no example: nothing to copy, nothing
    # asked where no example can run, and never written unrun
    unused = [b for b in server.requests if "Qualified name: unused" in
              b["messages"][1]["content"]]
    assert bool(unused) is interpreter
    if not interpreter:
        assert _guide_of((root / "m.py").read_text(encoding="utf-8"), "unused") == ""
        assert "cannot fix unused: its example was not run" in err
