"""The Sphinx extension: guides render in autodoc pages with `-W -n`, other
docstrings exactly as without it. Built with the real Sphinx."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("sphinx")

from howto_hook.sphinx import to_rst  # noqa: E402


PACKAGE = textwrap.dedent('''\
    """A small package documented with autodoc."""
    from typing import List


    def plain(path, width=2):  # noqa: HOW101
        """Scale the report at *path* by *width*.

        Uses :func:`scale` for the arithmetic; `Store` is a cross-reference
        under ``default_role = "any"``, and ``width`` a literal.

        .. note:: This docstring is reStructuredText, not a guide.
        """
        return scale([len(path)], width)


    def scale(values: List[int], factor: int = 2) -> List[int]:
        if not values:
            raise ValueError("values must not be empty")
        doubled = [v * factor for v in values]
        return doubled


    class Store:
        def __init__(self, path: str, retries: int = 3) -> None:
            self.path = path
            self.retries = retries

        def save(self, text: str) -> int:
            with open(self.path, "w") as f:
                written = f.write(text)
            return written
    ''')

INDEX = textwrap.dedent("""\
    Reference
    =========

    .. automodule:: mypkg.core
       :members:
    """)


def _project(root: Path, extension: bool) -> Path:
    (root / "mypkg").mkdir(parents=True)
    (root / "mypkg" / "__init__.py").write_text("")
    (root / "mypkg" / "core.py").write_text(PACKAGE)
    docs = root / "docs"
    docs.mkdir()
    extensions = ["sphinx.ext.autodoc"] + (["howto_hook.sphinx"] if extension else [])
    (docs / "conf.py").write_text(
        "import os, sys\n"
        "sys.path.insert(0, os.path.abspath('..'))\n"
        f"extensions = {extensions!r}\n"
        "default_role = 'any'\n"
        "project = 'mypkg'\n"
        "html_theme = 'basic'\n")
    (docs / "index.rst").write_text(INDEX)
    return docs


def _build(docs: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", *flags,
                           str(docs), str(docs / "_build")], capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    from conftest import cli

    out = {}
    for extension in (True, False):
        root = tmp_path_factory.mktemp("with" if extension else "without")
        docs = _project(root, extension)
        # the candidates' examples run on this interpreter, which imports the
        # package (without one, only verbatim examples are written)
        fix = cli(["--all", "--fix", "--example-python", sys.executable, "mypkg"], str(root))
        assert "Fixed 3 definitions" in fix.stderr, fix.stderr
        flags = ("-W", "-n", "--keep-going") if extension else ("-n",)
        proc = _build(docs, *flags)
        html = (docs / "_build" / "index.html").read_text() if proc.returncode == 0 else ""
        out[extension] = (proc, html)
    return out


def test_fixed_package_builds_with_no_warning(built) -> None:
    proc, _ = built[True]
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr


def test_without_the_extension_the_guides_warn(built) -> None:
    # what the extension is for: the same fixed package fails -W -n without it
    proc, _ = built[False]
    assert "Inline literal start-string without end-string" in proc.stderr or \
        "not found" in proc.stderr or "Unexpected section title" in proc.stderr, proc.stderr


def _entry(html: str, name: str) -> str:
    """The rendered <dl> of one documented object."""
    m = re.search(rf'<dt class="sig sig-object py" id="mypkg\.core\.{name}">.*?</dl>', html,
                  re.S)
    assert m, name
    return m.group(0)


def test_headings_and_highlighted_example(built) -> None:
    _, html = built[True]
    entry = _entry(html, "scale")
    for heading in ("How to Use This Code Block", "Description", "Execution Steps",
                    "Usage Example"):
        assert f'<p class="rubric">{heading}</p>' in entry
    assert 'class="highlight-python' in entry
    assert '<span class="kn">from</span>' in entry  # pygments tokens: highlighted
    assert '<code class="docutils literal notranslate"><span class="pre">ValueError</span>' in entry
    assert "```" not in entry
    # rubrics never reach the table of contents
    assert html.count('<p class="rubric">Description</p>') == 3  # scale, Store, save
    assert '<li class="toctree-l1"><a class="reference internal" href="#description"' not in html


def test_a_docstring_that_is_not_a_guide_renders_as_without_it(built) -> None:
    with_it, without_it = built[True][1], built[False][1]
    assert "This docstring is reStructuredText" in _entry(with_it, "plain")
    assert _entry(with_it, "plain") == _entry(without_it, "plain")


GUIDE = """Double the values.

How to Use This Code Block
==========================

Description
-----------
The `scale` function takes `values` and returns `List[int]`'s copy.

Execution Steps
---------------
1. **Validate Input**: Checks `not values`.
2. **Return Result**: Returns `doubled`.

Usage Example
-------------

```python
from mypkg.core import scale

print(scale([1]))
```

Parameters
----------
values : list
    What `values` holds.
""".split("\n")


@pytest.mark.parametrize("lines,expected", [
    pytest.param(["Just a summary with `code`.", "", "More."], None, id="not-a-guide"),
    pytest.param(["Scale.", "", "Description", "-----------", "Text."], None,
                 id="sections-without-title"),
    pytest.param(GUIDE, [
        "Double the values.",
        "",
        ".. rubric:: How to Use This Code Block",
        "",
        ".. rubric:: Description",
        "",
        "The ``scale`` function takes ``values`` and returns ``List[int]``'s copy.",
        "",
        ".. rubric:: Execution Steps",
        "",
        "1. **Validate Input**: Checks ``not values``.",
        "2. **Return Result**: Returns ``doubled``.",
        "",
        ".. rubric:: Usage Example",
        "",
        ".. code-block:: python",
        "",
        "   from mypkg.core import scale",
        "",
        "   print(scale([1]))",
        "",
        ".. rubric:: Parameters",
        "",
        "values : list",
        "    What `values` holds.",
        "",
    ], id="guide"),
])
def test_to_rst(lines, expected) -> None:
    assert to_rst(lines) == expected


@pytest.mark.parametrize("line,expected", [
    pytest.param("uses `x`s", "uses ``x``\\ s", id="letter-after"),
    pytest.param("a`x` b", "a\\ ``x`` b", id="letter-before"),
    pytest.param("see :func:`x` and `y`_", "see :func:`x` and `y`_", id="roles-and-links"),
    pytest.param("``kept``", "``kept``", id="double-backticks"),
])
def test_inline_code_in_a_guide(line: str, expected: str) -> None:
    lines = ["S.", "", "How to Use This Code Block", "==========================", "",
             "Description", "-----------", line]
    assert to_rst(lines)[-1] == expected


def test_title_and_section_names_come_from_the_settings() -> None:
    from howto_hook.config import SectionNames, Settings

    custom = Settings(title="Guide", sections=SectionNames(description="What",
                                                           steps="Steps", example="Try"))
    lines = ["S.", "", "Guide", "=====", "", "What", "----", "Uses `x`.", "", "Steps",
             "-----", "1. **Run**: Runs.", "", "Try", "---", "", "```py", "x()", "```", ""]
    out = to_rst(lines, custom)
    assert [ln for ln in out if ln.startswith("..")] == [
        ".. rubric:: Guide", ".. rubric:: What", ".. rubric:: Steps", ".. rubric:: Try",
        ".. code-block:: python"]
    assert to_rst(lines) is None  # under the default title this is no guide
