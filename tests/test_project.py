"""Project-level promises: the README's commands, the module layering."""
from __future__ import annotations

import ast
import json
import os
import pwd
import re
import subprocess
import sys

from conftest import HOME_VARS, REPO

PACKAGE = os.path.join(REPO, "howto_hook")


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    ci = open(os.path.join(REPO, ".ci", "run"), encoding="utf-8").read()
    commands = re.findall(r"^    (python3 -m venv .*)$", readme, re.M)
    assert len(commands) >= 2
    assert commands[1] in ci.splitlines()


def _imports(path: str) -> "set[str]":
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "howto_hook":
                found.update(f"howto_hook.{a.name}" for a in node.names)
    return found


def _modules() -> "dict[str, set[str]]":
    out = {}
    for here, _, files in os.walk(PACKAGE):
        for f in files:
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(here, f), REPO)[:-3].replace(os.sep, ".")
                out[rel.removesuffix(".__init__")] = _imports(os.path.join(here, f))
    return out


LIBCST_MODULES = ("howto_hook.locate", "howto_hook.walk", "howto_hook.positions",
                  "howto_hook.rewrite")
OPENAI_MODULES = ("howto_hook.generate.llm", "howto_hook.generate.transport",
                  "howto_hook.batch")


def test_layering() -> None:
    mods = _modules()
    for name, imports in mods.items():
        # nothing imports main; only the tree walk, the position finders,
        # locate and rewrite import libcst; only the LLM path imports openai
        assert "howto_hook.main" not in imports or name == "howto_hook.__main__", name
        if any(i == "libcst" or i.startswith("libcst.") for i in imports):
            assert name in LIBCST_MODULES, name
        if any(i == "openai" or i.startswith("openai.") for i in imports):
            assert name in OPENAI_MODULES, name
    # the check path never imports the fix path
    check_path = ["howto_hook.check", "howto_hook.rules", "howto_hook.guide",
                  "howto_hook.locate", "howto_hook.walk", "howto_hook.positions",
                  "howto_hook.report", "howto_hook.diff"]
    for name in check_path:
        fix_side = {i for i in mods.get(name, set())
                    if i.startswith(("howto_hook.fix", "howto_hook.generate", "howto_hook.rewrite"))}
        assert not fix_side, (name, fix_side)


def test_bundled_examples_behave_as_the_readme_says(run_main) -> None:
    examples = os.path.join(REPO, "examples")
    status, out, err = run_main(["--all", "passing.py"], examples)
    assert (status, out) == (0, "")
    status, out, err = run_main(["--all", "failing.py"], examples)
    assert status == 1 and "HOW301" in out and "HOW100" in out


def test_the_test_session_has_a_home_of_its_own() -> None:
    """conftest points HOME, the XDG directories and pre-commit's home at one
    temporary directory, for the tests and every process they start."""
    code = "import os, json; print(json.dumps({v: os.environ.get(v) for v in %r}))" % (
        sorted(HOME_VARS),)
    seen = json.loads(subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                     text=True, check=True).stdout)
    home = seen["HOME"]
    assert os.path.isdir(home) and os.path.basename(home).startswith("howto-test-home-")
    assert os.path.realpath(home) != os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir)
    assert os.path.expanduser("~") == home
    assert seen == {v: os.path.join(home, sub) if sub else home for v, sub in HOME_VARS.items()}
