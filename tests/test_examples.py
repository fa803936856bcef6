"""HOW401 and HOW402: the Usage Example checked against the code it documents."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import GOOD_GUIDE
from howto_hook.check import check_source
from howto_hook.config import Settings

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")

SETTINGS = Settings()
ONLY = frozenset({"HOW401", "HOW402"})


def guide(example: str, name: str = "target") -> str:
    """A passing guide whose example is `example`."""
    doc = GOOD_GUIDE.replace("send_report", name).replace(
        f'sent = {name}("weekly.txt")', example.strip("\n"))
    return doc


def module(definition: str, example: str, name: str) -> str:
    """`definition` (a def or class header line plus body) with the guide inserted."""
    head, _, body = definition.partition("\n")
    indent = "    " * (1 + head.count("    "))  # nested one level for each 4 spaces
    doc = textwrap.indent(guide(example, name), indent).lstrip()
    return f'{head}\n{indent}"""{doc}{indent}"""\n{body}'


def problems(source: str, path: str = "m.py") -> "list[tuple[str, str]]":
    result = check_source(source.encode(), path=path, settings=SETTINGS, enabled=ONLY)
    return [(v.code, v.message) for v in result.violations]


FUNC = "def target(a, b=2, *, c, d=4):\n    return a\n"
POSONLY = "def target(a, /, b):\n    return a\n"
VARARGS = "def target(a, *args, **kwargs):\n    return a\n"

CALLS = [
    pytest.param(FUNC, "target(1, c=3)", [], id="fits"),
    pytest.param(FUNC, "target(1, 2, c=3, d=5)", [], id="fits-all"),
    pytest.param(FUNC, "target(1, c=3, e=5)", ["'target' has no parameter 'e'"], id="unknown-keyword"),
    pytest.param(FUNC, "target(1, 2, 3, c=3)",
                 ["'target' takes 2 positional arguments but the example passes 3"],
                 id="too-many-positional"),
    pytest.param(FUNC, "target(1)", ["the example leaves out 'c', a required parameter of 'target'"],
                 id="missing-keyword-only"),
    pytest.param(FUNC, "target(c=1)", ["the example leaves out 'a', a required parameter of 'target'"],
                 id="missing-positional"),
    pytest.param(FUNC, "target(1, a=1, c=3)", ["parameter 'a' of 'target' is given twice"],
                 id="given-twice"),
    pytest.param(FUNC, "target(*xs, c=1)", [], id="star-args-hide-missing"),
    pytest.param(FUNC, "opts = {}\ntarget(1, **opts)", [], id="double-star-hides-missing"),
    pytest.param(POSONLY, "target(1, 2)", [], id="positional-only-fits"),
    pytest.param(POSONLY, "target(a=1, b=2)",
                 ["parameter 'a' of 'target' is positional-only; pass it by position",
                  "the example leaves out 'a', a required parameter of 'target'"],
                 id="positional-only-by-keyword"),
    pytest.param(VARARGS, "target(1, 2, 3, x=4, y=5)", [], id="varargs-accept-all"),
    pytest.param(FUNC, "from m import target as t\n\nt(1, c=2, z=3)", ["'target' has no parameter 'z'"],
                 id="import-alias"),
    pytest.param(FUNC, "import m\n\nm.target(1, c=2, z=3)", ["'target' has no parameter 'z'"],
                 id="module-attribute"),
]


@pytest.mark.parametrize("definition, example, expected", CALLS)
def test_function_calls(definition: str, example: str, expected: "list[str]") -> None:
    assert problems(module(definition, example, "target")) == [("HOW401", m) for m in expected]


CLASS = '''\
class Store:
    def __init__(self, root: str, *, size: int = 1) -> None:
        self.root = root

    def put(self, key: str, value: object = None) -> None:
        pass

    @classmethod
    def open(cls, url: str) -> "Store":
        return cls(url)

    @staticmethod
    def check(name: str) -> bool:
        return bool(name)
'''


def class_module(doc_for: str, example: str) -> str:
    """CLASS with a guide on `doc_for` ("Store", "put", "open" or "check")."""
    lines = CLASS.split("\n")
    at = next(i for i, ln in enumerate(lines)
              if ln.lstrip().startswith((f"def {doc_for}(", f"class {doc_for}")))
    indent = " " * (len(lines[at]) - len(lines[at].lstrip()) + 4)
    doc = textwrap.indent(guide(example, doc_for), indent).lstrip()
    lines.insert(at + 1, f'{indent}"""{doc}{indent}"""')
    return "\n".join(lines)


METHODS = [
    pytest.param("Store", "s = Store('x')", [], id="class-fits"),
    pytest.param("Store", "s = Store()", ["the example leaves out 'root', a required parameter of 'Store'"],
                 id="class-missing"),
    pytest.param("Store", "s = Store('x', 5)",
                 ["'Store' takes 1 positional argument but the example passes 2"], id="class-too-many"),
    pytest.param("put", "s = Store('x')\ns.put('k', value=1)", [], id="method-fits"),
    pytest.param("put", "s = Store('x')\ns.put('k', colour=1)", ["'Store.put' has no parameter 'colour'"],
                 id="method-unknown-keyword"),
    pytest.param("put", "s = Store('x')\ns.put()",
                 ["the example leaves out 'key', a required parameter of 'Store.put'"],
                 id="method-missing"),
    pytest.param("open", "s = Store.open('https://x')", [], id="classmethod-fits"),
    pytest.param("open", "s = Store.open()",
                 ["the example leaves out 'url', a required parameter of 'Store.open'"],
                 id="classmethod-missing"),
    pytest.param("check", "ok = Store.check('n', 2)",
                 ["'Store.check' takes 1 positional argument but the example passes 2"],
                 id="staticmethod-too-many"),
]


@pytest.mark.parametrize("doc_for, example, expected", METHODS)
def test_class_and_method_calls(doc_for: str, example: str, expected: "list[str]") -> None:
    assert problems(class_module(doc_for, example)) == [("HOW401", m) for m in expected]


def test_call_position_points_at_the_example_line() -> None:
    source = module(FUNC, "x = 1\ny = target(1, e=2, c=3)", "target")
    result = check_source(source.encode(), path="m.py", settings=SETTINGS, enabled=ONLY)
    (v,) = result.violations
    line = source.split("\n")[v.line - 1]
    assert line.strip() == "y = target(1, e=2, c=3)" and line[v.col - 1:].startswith("target(")


# --- HOW402: import paths, in a real package on disk --------------------------------


def package(tmp_path: Path, init: str, example: str, billing_init: str = "") -> Path:
    pkg = tmp_path / "src" / "shop"
    (pkg / "billing").mkdir(parents=True)
    (pkg / "__init__.py").write_text(init, encoding="utf-8")
    (pkg / "billing" / "__init__.py").write_text(billing_init, encoding="utf-8")
    path = pkg / "billing" / "tax.py"
    path.write_text(module("def vat(amount):\n    return amount\n", example, "vat"),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("init, example, expected", [
    pytest.param("", "from shop.billing.tax import vat\nvat(1)", [], id="defining-module"),
    pytest.param("from .billing.tax import vat\n", "from shop import vat\nvat(1)", [],
                 id="re-exported-relative"),
    pytest.param("from shop.billing.tax import vat as vat\n", "from shop import vat\nvat(1)", [],
                 id="re-exported-absolute"),
    pytest.param("from .billing.tax import *  # noqa\n", "from shop import vat\nvat(1)", [],
                 id="star-import-of-the-module"),
    pytest.param(("from .billing import *\n", "from .tax import *\n"),
                 "from shop import vat\nvat(1)", [], id="star-import-through-a-package"),
    pytest.param(("from .billing import *\n", ""), "from shop import vat\nvat(1)",
                 ["the example imports 'vat' from 'shop', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"],
                 id="star-import-that-does-not-bind-it"),
    pytest.param(("from .billing import *\n", "from .tax import *\n__all__ = ['other']\n"),
                 "from shop import vat\nvat(1)",
                 ["the example imports 'vat' from 'shop', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"],
                 id="all-limits-a-star-import"),
    pytest.param("from os.path import *\n", "from shop import vat\nvat(1)", [],
                 id="star-import-nobody-here-can-list-is-no-finding"),
    pytest.param(("from .billing import *\n",
                  "from .tax import *\n__all__ = ['vat']\n__all__: list = ['other']\n"),
                 "from shop import vat\nvat(1)",
                 ["the example imports 'vat' from 'shop', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"],
                 id="an-annotated-all-replaces-the-one-before"),
    pytest.param(("from .billing import *\n",
                  "from .tax import *\n__all__ = ['other']\n__all__ += ['vat']\n"),
                 "from shop import vat\nvat(1)", [], id="an-all-added-to-lists-both"),
    pytest.param("def broken(:\n", "from shop import vat\nvat(1)",
                 ["the example imports 'vat' from 'shop', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"],
                 id="an-init-that-does-not-parse-exports-nothing"),
    pytest.param("", "from shop import vat\nvat(1)",
                 ["the example imports 'vat' from 'shop', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"], id="not-re-exported"),
    pytest.param("", "from shop.tax import vat\nvat(1)",
                 ["the example imports 'vat' from 'shop.tax', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"], id="moved-module"),
    pytest.param("", "from billing.tax import vat\nvat(1)",
                 ["the example imports 'vat' from 'billing.tax', which does not provide it: "
                  "write 'from shop.billing.tax import vat'"], id="wrong-root"),
])
def test_import_paths(tmp_path, monkeypatch, init, example: str, expected) -> None:
    inits = init if isinstance(init, tuple) else (init, "")  # shop's, then shop.billing's
    path = package(tmp_path, inits[0], example, inits[1])
    monkeypatch.chdir(tmp_path)
    rel = str(path.relative_to(tmp_path))
    assert problems(path.read_text(encoding="utf-8"), path=rel) == [("HOW402", m) for m in expected]


def test_template_examples_pass_both_rules(tmp_path, run_main) -> None:
    pkg = tmp_path / "src" / "shop"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "store.py").write_text(CLASS + "\n\ndef solo(a, /, b, *, c, **rest):\n    return a\n",
                                  encoding="utf-8")
    run_main(["--all", "--fix"], tmp_path)
    status, out, err = run_main(["--all", "--output-format", "json"], tmp_path)
    assert (status, json.loads(out)) == (0, [])
    text = (pkg / "store.py").read_text(encoding="utf-8")
    assert "from shop.store import Store" in text
    assert 'result = solo("example", b="example", c="example")' in text
