"""HOW403: Usage Examples run in real child processes, on the project's interpreter."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from conftest import GOOD_GUIDE, write_tree
from howto_hook import examples
from howto_hook.check import check_source
from howto_hook.config import Settings
from howto_hook.docs import examples as doc_examples

SETTINGS = Settings()
ENABLED = frozenset({"HOW403"})


def guided(header: str, example: str, body: str = "return 1", name: str = "target") -> str:
    """A module holding one definition (`header`) whose guide's example is `example`."""
    doc = GOOD_GUIDE.replace("send_report", name).replace(
        f'sent = {name}("weekly.txt")', textwrap.dedent(example).strip("\n"))
    indent = "    "
    return (f"{header}\n{indent}\"\"\"{textwrap.indent(doc, indent).lstrip()}{indent}\"\"\"\n"
            f"{indent}{body}\n")


def how403(root: Path, rel: str, *, python: str = sys.executable, timeout: float = 5.0,
           env: Optional[Dict[str, str]] = None) -> List[Tuple[int, str]]:
    """(line, message) of each HOW403 the stage reports for one file."""
    runner = examples.Runner(python, timeout=timeout, jobs=2, environ=env)
    path = str(root / rel)
    found = examples.check_files([(path, rel, ENABLED, None, SETTINGS)], lambda _: runner)
    return [(v.line, v.message) for v in found.get(rel, [])]


def line_of(text: str, needle: str) -> int:
    return next(n for n, ln in enumerate(text.split("\n"), start=1) if needle in ln)


CONTEXT_MANAGER = "import contextlib\n\n\n@contextlib.contextmanager\ndef target():"

# (definition header, example, body, the example line that fails or None, message)
CASES = [
    pytest.param("def target():", "from mod import target\n\nvalue = target()\n", "return 1",
                 None, None, id="passes"),
    pytest.param(CONTEXT_MANAGER,
                 "from mod import target\n\nfor item in target():\n    print(item)\n",
                 "yield 1", "for item in target():",
                 "the usage example raises TypeError: "
                 "'_GeneratorContextManager' object is not iterable",
                 id="raises-at-its-line"),
    pytest.param("def target(n):", "from mod import target\n\ntarget(0)\n", "return 1 / n",
                 "target(0)", "the usage example raises ZeroDivisionError: division by zero",
                 id="raises-inside-the-code"),
    pytest.param("def target():", "import time\nfrom mod import target\n\ntime.sleep(30)\n",
                 "return 1", "time.sleep(30)",
                 "the usage example did not finish within 1 s and was stopped",
                 id="times-out"),
    pytest.param("def target():",
                 "from mod import target\n\nprint('to stdout', target())\n", "return 1",
                 None, None, id="prints-to-stdout"),
    pytest.param("def target():",
                 "import sys\nfrom mod import target\n\nsys.stdout.write('x' * 50_000_000)\n"
                 "sys.stderr.write('y' * 50_000_000)\n", "return 1", None, None,
                 id="floods-stdout-and-stderr"),
    pytest.param("def target():", "from mod import target\n\nanswer = input('name? ')\n",
                 "return 1", "answer = input", "the usage example raises EOFError: "
                 "EOF when reading a line", id="reads-stdin-at-eof"),
    pytest.param("def target():",
                 "import sys\nfrom mod import target\n\nassert sys.stdin.read() == ''\n",
                 "return 1", None, None, id="reads-stdin-to-end"),
    pytest.param("def target():",
                 "import os\nfrom mod import target\n\nos._exit(3)\n", "return 1",
                 # no traceback survives os._exit: the example's first line
                 "import os", "the usage example ended its interpreter (exit status 3)",
                 id="exits-the-interpreter"),
    pytest.param("def target():",
                 "import os\nfrom mod import target\n\n"
                 "assert 'OPENAI_API_KEY' not in os.environ\n"
                 "assert 'MY_PROVIDER_KEY' not in os.environ\n"
                 "assert 'HARMLESS' not in os.environ\n"
                 "assert os.environ['LANG'] == 'C.UTF-8'\n", "return 1",
                 None, None, id="environment-from-an-allowlist"),
    pytest.param("def target():",
                 "import os\nfrom mod import target\n\nassert os.listdir('.') == []\n"
                 "open('scratch.txt', 'w').close()\n", "return 1",
                 None, None, id="fresh-empty-working-directory"),
    pytest.param("def target():",
                 "import sys\nfrom mod import target\n\nassert len(sys.argv) == 1\n"
                 "assert sys.argv[0].startswith('<usage example')\n", "return 1", None, None,
                 id="argv-is-the-example-alone"),
    pytest.param("async def target():",
                 "import asyncio\nfrom mod import target\n\nasyncio.run(target())\n",
                 "raise KeyError('missing')", "asyncio.run(target())",
                 "the usage example raises KeyError: 'missing'", id="coroutine-raises"),
]


@pytest.mark.parametrize("header, example, body, failing, message", CASES)
def test_how403(tmp_path: Path, monkeypatch, header: str, example: str, body: str,
                failing: Optional[str], message: Optional[str]) -> None:
    text = guided(header, example, body)
    write_tree(tmp_path, {"mod.py": text})
    env = dict(os.environ, OPENAI_API_KEY="sk-secret", MY_PROVIDER_KEY="k", HARMLESS="kept",
               LANG="C.UTF-8")
    started = time.monotonic()
    found = how403(tmp_path, "mod.py", timeout=1.0, env=env)
    expected = [] if failing is None else [(line_of(text, failing), message)]
    assert found == expected
    assert time.monotonic() - started < 15
    assert sorted(os.listdir(tmp_path)) in (["mod.py"], ["__pycache__", "mod.py"])


def test_src_layout_import_root(tmp_path: Path) -> None:
    text = guided("def target():", "from pkg.mod import target\n\nassert target() == 1\n")
    write_tree(tmp_path, {"src/pkg/__init__.py": "", "src/pkg/mod.py": text})
    assert how403(tmp_path, "src/pkg/mod.py") == []


def _venv_with(tmp: Path, module: str, source: str) -> Path:
    """A real virtual environment (no pip) holding one module of its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp)], check=True)
    python = tmp / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], check=True, capture_output=True, text=True)
    Path(site.stdout.strip(), f"{module}.py").write_text(source)
    return python


@pytest.fixture(scope="module")
def project_venv(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    _venv_with(root / ".venv", "onlyhere", "def answer():\n    return 42\n")
    return root


@pytest.mark.parametrize("which, expected", [
    pytest.param("project", [], id="project-venv-has-it"),
    pytest.param("own", ["the usage example raises ModuleNotFoundError: "
                         "No module named 'onlyhere'"], id="own-interpreter-lacks-it"),
])
def test_package_only_the_project_venv_has(project_venv: Path, which: str,
                                          expected: List[str]) -> None:
    example = "import onlyhere\nfrom mod import target\n\nassert onlyhere.answer() == 42\n"
    write_tree(project_venv, {"mod.py": guided("def target():", example)})
    python, why = examples.choose_python(None, str(project_venv), environ={})
    assert (python, why) == (str(project_venv / ".venv" / "bin" / "python"),
                             "from .venv at the repository root")
    found = how403(project_venv, "mod.py", python=python if which == "project" else sys.executable)
    assert [m for _, m in found] == expected


def _fake_python(directory: Path) -> str:
    path = directory / "bin" / "python"
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("explicit, virtual_env, layout, expected", [
    pytest.param("given", "other", (".venv",), ("given", "as configured"), id="explicit-wins"),
    pytest.param(None, "other", (".venv",), ("other", "from $VIRTUAL_ENV"),
                 id="virtual-env-next"),
    pytest.param(None, "own", (".venv",), (".venv", "from .venv at the repository root"),
                 id="own-virtual-env-is-passed-over"),
    pytest.param(None, None, ("venv",), ("venv", "from venv at the repository root"),
                 id="venv-dir"),
    pytest.param(None, None, (".venv", "venv"), (".venv", "from .venv at the repository root"),
                 id="dot-venv-before-venv"),
    pytest.param(None, None, (), ("own", "howto-check's own interpreter"), id="own-last"),
])
def test_choose_python(tmp_path: Path, explicit, virtual_env, layout, expected) -> None:
    places = {name: _fake_python(tmp_path / name) for name in ("given", "other", "own")}
    for name in layout:
        places[name] = _fake_python(tmp_path / "repo" / name)
    environ = {"VIRTUAL_ENV": str(tmp_path / virtual_env)} if virtual_env else {}
    got = examples.choose_python(places["given"] if explicit else None, str(tmp_path / "repo"),
                                 environ=environ, own=places["own"],
                                 own_prefix=str(tmp_path / "own"))
    assert got == (places[expected[0]], expected[1])


def test_missing_interpreter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(examples.RunnerError, match="is not an executable file"):
        examples.choose_python(str(tmp_path / "nope"), str(tmp_path))


def test_interpreter_that_cannot_run_the_driver_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'no such interpreter' >&2\nexit 7\n")
    broken.chmod(0o755)
    runner = examples.Runner(str(broken), timeout=1.0)
    with pytest.raises(examples.RunnerError, match="exit status 7: no such interpreter"):
        runner.run([examples.Example("k", "x = 1\n", ())])


def test_noqa_on_the_def_line_keeps_the_example_from_running(tmp_path: Path) -> None:
    example = "from mod import target\n\n1 / 0\n"
    write_tree(tmp_path, {"mod.py": guided("def target():  # noqa: HOW403", example)})
    assert how403(tmp_path, "mod.py") == []


def test_noqa_never_reported_unused_by_the_pure_check(tmp_path: Path) -> None:
    text = guided("def target():  # noqa: HOW403", "from mod import target\n\ntarget()\n")
    enabled = frozenset({"HOW403", "HOW900"})
    result = check_source(text.encode(), path="mod.py", settings=SETTINGS, enabled=enabled)
    assert result.violations == ()


def test_batches_run_side_by_side_and_keep_order(tmp_path: Path) -> None:
    runner = examples.Runner(sys.executable, timeout=5.0, jobs=3)
    items = [examples.Example(str(n), f"import time\ntime.sleep(0.4)\nassert {n} % 4\n", ())
             for n in range(6)]
    started = time.monotonic()
    results = runner.run(items)
    took = time.monotonic() - started
    assert [(r.key, r.status) for r in results] == [
        ("0", "raised"), ("1", "passed"), ("2", "passed"), ("3", "passed"), ("4", "raised"),
        ("5", "passed")]
    assert took < 6 * 0.4  # three children at once, not one after another


def test_rule_doc_examples_behave_as_documented(tmp_path: Path) -> None:
    docs = doc_examples("HOW403")
    found = {}
    for heading, name in (("Example", "bad"), ("Use instead", "good")):
        write_tree(tmp_path / name, {"reports.py": docs[heading]})
        found[name] = how403(tmp_path / name, "reports.py")
    assert found["good"] == []
    assert [m for _, m in found["bad"]] == [
        "the usage example raises TypeError: '_GeneratorContextManager' object is not iterable"]


# --- the command line ---------------------------------------------------------------------

MARKED = '''\
    from mod import target

    print("printed by the example")
    target()
    '''


@pytest.mark.parametrize("config, flags, runs", [
    pytest.param("", [], False, id="never-without-asking"),
    pytest.param("", ["--run-examples"], True, id="flag"),
    pytest.param("run-examples = true\n", ["--trust"], True, id="config"),
    pytest.param("run-examples = true\n", [], False, id="config-untrusted"),
    pytest.param("run-examples = true\n", ["--no-run-examples"], False,
                 id="flag-turns-config-off"),
])
def test_cli_runs_examples_only_when_asked(tmp_path: Path, run_main, config: str,
                                          flags: List[str], runs: bool, monkeypatch,
                                          tmp_path_factory) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    text = guided("def target():", MARKED,
                  body="raise OSError('disk')")
    write_tree(tmp_path, {"mod.py": text, "pyproject.toml": f"[tool.howto]\n{config}"})
    status, out, err = run_main(["--all", *flags, "mod.py"], cwd=str(tmp_path))
    if runs:
        where = f"mod.py:{line_of(text, '    target()')}:5"
        assert out == f"{where}: HOW403 the usage example raises OSError: disk\n"
        assert f"running usage examples with {sys.executable} (howto-check's own interpreter)" \
            in err
        assert "howto-check: ran 1 usage example in " in err and "; 1 failed\n" in err
        assert status == 1
    else:
        assert (status, out) == (0, "") and "usage examples" not in err


def test_cli_json_and_interpreter_flag(tmp_path: Path, run_main, project_venv: Path) -> None:
    example = "import onlyhere\nfrom mod import target\n\nassert onlyhere.answer() == 41\n"
    write_tree(tmp_path, {"mod.py": guided("def target():", example)})
    python = str(project_venv / ".venv" / "bin" / "python")
    _, out, err = run_main(["--all", "--run-examples", "--example-python", python,
                                 "--output-format", "json", "mod.py"], cwd=str(tmp_path))
    import json

    found = json.loads(out)
    assert [(v["code"], v["symbol"], v["message"]) for v in found] == [
        ("HOW403", "target", "the usage example raises AssertionError")]
    assert f"running usage examples with {python} (as configured)" in err


@pytest.mark.parametrize("config, needle", [
    pytest.param('example-timeout = "10"', "tool.howto.example-timeout must be a number",
                 id="timeout-type"),
    pytest.param("example-timeout = 0", "tool.howto.example-timeout must be at least 0.1",
                 id="timeout-zero"),
    pytest.param("run-examples = 1", "tool.howto.run-examples must be true or false",
                 id="run-examples-type"),
    pytest.param('run-examples = true\nexample-python = "nowhere/python"',
                 "nowhere/python is not an executable file", id="python-missing"),
])
def test_cli_config_errors(tmp_path: Path, run_main, trusted_configs, config: str,
                           needle: str) -> None:
    write_tree(tmp_path, {"mod.py": guided("def target():", "from mod import target\ntarget()\n"),
                          "pyproject.toml": f"[tool.howto]\n{config}\n"})
    status, _, err = run_main(["--all", "mod.py"], cwd=str(tmp_path))
    assert status == 2 and needle in err and len(err.strip().split("\n")) == 1


# --- fixing ------------------------------------------------------------------------------------

UNDOCUMENTED = '''\
import contextlib


@contextlib.contextmanager
def opened(path: str):
    yield path


def double(n: int) -> int:
    return n * 2


def explode(path: str) -> int:
    if path:  # on a branch: a body that always raises gets a try/except example that runs
        raise OSError("no disk")
    return 0
'''


def test_fix_writes_only_examples_that_run(tmp_path: Path, run_main) -> None:
    write_tree(tmp_path, {"cm.py": UNDOCUMENTED})
    status, _, err = run_main(["--all", "--fix", "--run-examples", "cm.py"], cwd=str(tmp_path))
    after = (tmp_path / "cm.py").read_text()
    head, _, rest = after.partition("def double")
    between, _, last = rest.partition("def explode")
    assert '"""' in between  # double's guide is written...
    # ...explode's is not: its example raises, so it is left as it was
    assert last == ('(path: str) -> int:\n    if path:  # on a branch: a body that always '
                    'raises gets a try/except example that runs\n        raise OSError("no disk")'
                    '\n    return 0\n')
    where = f"cm.py:{line_of(after, 'def explode')}"  # the file as written (issue 13)
    assert f"{where}: cannot fix explode: the usage example raises OSError: no disk" in err
    if '"""' not in head:  # the template's context manager example did not run
        assert "cannot fix opened: the usage example raises" in err
    # and every example that was written runs
    written = examples.check_files(
        [(str(tmp_path / "cm.py"), "cm.py", ENABLED, None, SETTINGS)],
        lambda _: examples.Runner(sys.executable))
    assert written.get("cm.py", []) == []
    assert status == 1 and err.strip().split("\n")[-1].startswith("Fixed ")


def test_fix_without_an_interpreter_writes_no_unrun_example(tmp_path: Path, run_main) -> None:
    """The control, now the default (issue 20 item 8): with no interpreter that
    imports the project, the same fix runs nothing and writes no invented
    example, neither the failing one nor any other; it says so once."""
    write_tree(tmp_path, {"cm.py": UNDOCUMENTED})
    status, _, err = run_main(["--all", "--fix", "cm.py"], cwd=str(tmp_path))
    assert err.count("no interpreter that can import the project was found") == 1
    assert "set example-python (or --example-python)" in err
    assert "its example was not run" in err and "Fixed 0 definitions" in err
    assert (tmp_path / "cm.py").read_text() == UNDOCUMENTED
    written = examples.check_files(
        [(str(tmp_path / "cm.py"), "cm.py", ENABLED, None, SETTINGS)],
        lambda _: examples.Runner(sys.executable))
    assert "cm.py" not in written  # no example, so none raises


def _outcome(tmp_path: Path, texts: List[str]):

    from howto_hook.check import analyse
    from howto_hook.generate import Outcome, Request

    source = "def target():\n    return 1\n"
    write_tree(tmp_path, {"mod.py": source})
    target = analyse(source.encode(), path=str(tmp_path / "mod.py"), settings=SETTINGS,
                     enabled=frozenset()).checked[0][0]
    request = Request(target=target, source=source, import_path="mod", settings=SETTINGS)
    return Outcome(request, texts[0], alternatives=tuple(texts[1:]))


def _doc(example: str) -> str:
    return textwrap.dedent(GOOD_GUIDE.replace("send_report", "target").replace(
        'sent = target("weekly.txt")', example))


@pytest.mark.parametrize("examples_in_order, written, error", [
    pytest.param(["target()"], 0, "", id="first-runs"),
    pytest.param(["target(1)", "target()"], 1, "", id="falls-back-to-one-that-runs"),
    pytest.param(["target(1)", "target(2)"], None,
                 "the usage example raises TypeError: target() takes 0 positional arguments "
                 "but 1 was given", id="none-runs-first-failure-named"),
])
def test_vet_candidates(tmp_path: Path, examples_in_order: List[str],
                        written: Optional[int], error: str) -> None:
    texts = [_doc(f"from mod import target\n\n{e}") for e in examples_in_order]
    vetted = examples.vet([_outcome(tmp_path, texts)], examples.Runner(sys.executable))[0]
    assert vetted.text == (texts[written] if written is not None else None)
    assert vetted.error == error and vetted.alternatives == ()


def test_each_package_config_decides_for_its_files(tmp_path: Path, run_main,
                                                  trusted_configs) -> None:
    """A monorepo: one package's config turns the examples on, the other's does not."""
    example = "from mod import target\n\ntarget()\n"
    for name, config in (("on", "run-examples = true\n"), ("off", "")):
        write_tree(tmp_path / name, {"mod.py": guided("def target():", example,
                                                      body=f"raise KeyError({name!r})"),
                                     "pyproject.toml": f"[tool.howto]\n{config}"})
    status, out, err = run_main(["--all", "on", "off"], cwd=str(tmp_path))
    assert [ln.split(": ", 1)[1] for ln in out.strip().split("\n")] == [
        "HOW403 the usage example raises KeyError: 'on'"]
    assert out.startswith("on/mod.py:") and "ran 1 usage example" in err and status == 1


SLOW = """\
import time


def first(n: int) -> int:
    time.sleep(0.6)
    return n


def second(n: int) -> int:
    time.sleep(0.6)
    return n
"""


def test_a_fix_that_runs_examples_gets_more_than_the_file_timeout(tmp_path: Path,
                                                                  run_main) -> None:
    """file-timeout guards a parse; a fix that runs examples takes their time too."""
    write_tree(tmp_path, {"slow.py": SLOW, "pyproject.toml": "[tool.howto]\nfile-timeout = 1\n"})
    status, _, err = run_main(["--all", "--fix", "--run-examples", "slow.py"], cwd=str(tmp_path))
    assert "Fixed 2 definitions in 1 file" in err and "file-timeout" not in err
    assert (tmp_path / "slow.py").read_text().count("Usage Example") == 2
