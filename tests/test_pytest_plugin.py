"""`pytest --howto-examples`, through pytester: real pytest sessions on real files."""
from __future__ import annotations

import textwrap

import pytest

from conftest import GOOD_GUIDE

pytest_plugins = ["pytester"]


def _load() -> "list[str]":
    """Arguments that load the plugin: none when its entry point is installed; an
    editable install made before the entry point existed needs it named."""
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group="pytest11") if ep.value == "howto_hook.pytest_plugin"]
    return [] if found else ["-p", "howto_hook.pytest_plugin"]


def test_entry_point_is_declared() -> None:
    import os
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert project["entry-points"]["pytest11"] == {"howto": "howto_hook.pytest_plugin"}


def guided(name: str, example: str, body: str) -> str:
    doc = GOOD_GUIDE.replace("send_report", name).replace(
        f'sent = {name}("weekly.txt")', textwrap.dedent(example).strip("\n"))
    return (f"def {name}(path):\n    \"\"\"{textwrap.indent(doc, '    ').lstrip()}    \"\"\"\n"
            f"    {body}\n\n\n")


def line_of(text: str, needle: str) -> int:
    return next(n for n, ln in enumerate(text.split("\n"), start=1) if ln.strip() == needle)


GUIDES = (guided("good", "from guides import good\n\nassert good('a.txt') == 5\n",
                 "return len(path)")
          + guided("bad", "from guides import bad\n\nvalue = bad('a.txt')\nprint(value)\n",
                   "return len(path) / 0"))


def test_one_passing_one_failing_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(guides=GUIDES)
    result = pytester.runpytest(*_load(), "--howto-examples", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["PASSED guides.py::good", "FAILED guides.py::bad - *"])
    # the traceback starts in the docstring, at the example's failing line, then
    # goes into the code it calls; none of the plugin's own frames is shown
    example_line = line_of(GUIDES, "value = bad('a.txt')")
    code_line = line_of(GUIDES, "return len(path) / 0")
    result.stdout.fnmatch_lines([
        "*usage example of bad*",
        f"guides.py:{example_line}: in <module>",
        "    value = bad('a.txt')",
        f"guides.py:{code_line}: in bad",
        "    return len(path) / 0",
        "E   ZeroDivisionError: division by zero",
    ])
    assert "pytest_plugin.py" not in result.stdout.str()


def test_nothing_is_collected_without_the_flag(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(guides=GUIDES)
    result = pytester.runpytest(*_load())
    result.assert_outcomes()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


# (module in src/pkg, example, body, outcome): one session runs them all
SRC_CASES = [
    ("plain", "from pkg.plain import job\n\nassert job('x') == 'x'\n", "return path",
     "PASSED"),  # the import root (src/) is on sys.path
    ("awaiting", "import asyncio\nfrom pkg.awaiting import job\n\nawait asyncio.sleep(0)\n"
     "assert job('x') == 'y'\n", "return path", "FAILED"),  # a top-level await runs
    ("scratch", "import os\nfrom pkg.scratch import job\n\nassert os.listdir('.') == []\n"
     "open('made.txt', 'w').close()\n", "return path", "PASSED"),  # a fresh directory
    ("unfit", "from pkg.unfit import job\n\njob()\n", "return path", "FAILED"),
]


def test_examples_in_a_src_layout(pytester: pytest.Pytester) -> None:
    pytester.mkdir("src")
    pytester.mkpydir("src/pkg")
    for module, example, body, _ in SRC_CASES:
        pytester.path.joinpath("src", "pkg", f"{module}.py").write_text(
            guided("job", example, body))
    result = pytester.runpytest(*_load(), "--howto-examples", "-rA", "src")
    result.stdout.fnmatch_lines_random(
        [f"{outcome} src/pkg/{module}.py::job*" for module, _, _, outcome in SRC_CASES])
    result.assert_outcomes(passed=2, failed=2)
    assert not pytester.path.joinpath("made.txt").exists()
