"""ARCHITECTURE.md stays true: the modules and names it cites exist, and
libcst and openai are imported only where it says."""
from __future__ import annotations

import ast
import importlib
import os
import re
from typing import Dict, Set

import pytest

from conftest import REPO

PACKAGE = os.path.join(REPO, "howto_hook")
TEXT = open(os.path.join(REPO, "ARCHITECTURE.md"), encoding="utf-8").read()
CITED = sorted(set(re.findall(r"`([\w/]+\.py)`", TEXT)))
NAMES = sorted(set(re.findall(r"`(\w+)\.([A-Za-z_]\w*)`", TEXT)) - {(m[:-3], "py") for m in CITED})
# The modules each run imports lazily: a top-level import of these would load libcst.
PARSERS = {"howto_hook.locate", "howto_hook.walk", "howto_hook.positions", "howto_hook.rewrite"}


def _path(cited: str) -> str:
    if cited.startswith(("tests/", "bench/")):
        return os.path.join(REPO, cited)
    if cited.startswith("test_"):
        return os.path.join(REPO, "tests", cited)
    return os.path.join(PACKAGE, cited)


@pytest.mark.parametrize("cited", CITED)
def test_every_module_it_names_exists(cited: str) -> None:
    assert os.path.isfile(_path(cited)), cited


@pytest.mark.parametrize("module, name", NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_every_name_it_cites_exists(module: str, name: str) -> None:
    assert hasattr(importlib.import_module(f"howto_hook.{module}"), name)


def _modules() -> Dict[str, ast.Module]:
    out = {}
    for here, _, files in os.walk(PACKAGE):
        for f in files:
            if f.endswith(".py"):
                full = os.path.join(here, f)
                name = os.path.relpath(full, REPO)[:-3].replace(os.sep, ".").removesuffix(".__init__")
                out[name] = ast.parse(open(full, encoding="utf-8").read())
    return out


def _imported(node: ast.AST) -> Set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.module:
        if node.module == "howto_hook":
            return {f"howto_hook.{a.name}" for a in node.names}
        return {node.module}
    return set()


def _cited_as(library: str) -> Set[str]:
    """The modules the map says import `library`."""
    bullet = re.search(rf"^- {library} is imported by (.*?) only", TEXT, re.M | re.S)
    assert bullet, library
    return {"howto_hook." + m[:-3].replace("/", ".") for m in re.findall(r"`([\w/]+\.py)`",
                                                                          bullet.group(1))}


@pytest.mark.parametrize("library", ["libcst", "openai"])
def test_only_the_modules_it_names_import(library: str) -> None:
    importers = {name for name, tree in _modules().items()
                 if any(i.split(".")[0] == library for n in ast.walk(tree) for i in _imported(n))}
    assert importers == _cited_as(library)


def test_openai_only_inside_functions_and_parsers_only_lazily() -> None:
    for name, tree in _modules().items():
        top = {i for node in tree.body for i in _imported(node)}
        assert not any(i.split(".")[0] == "openai" for i in top), name
        if name not in PARSERS:
            # a top-level import of a parsing module would load libcst on every run
            assert not top & PARSERS, (name, top & PARSERS)
