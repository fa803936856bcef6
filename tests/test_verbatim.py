"""Whether an example is the project's own (a doctest or a real use), compared as code:
what the llm generator may write where no example can run (issue 20 item 8)."""
from __future__ import annotations

import pytest

from howto_hook.generate.verbatim import taken_from

OWN = ("from pkg import scale\n\nvalues = [1, 2]\nresult = scale(values, 3.0)\nprint(result)",
       "from pkg import scale\n\nscale([1], factor=2)")
ALSO = ("from pkg._impl import scale",)  # the definition's own module


@pytest.mark.parametrize("code, taken", [
    pytest.param(OWN[0], True, id="as-it-stands"),
    pytest.param("from pkg import scale\nvalues = [1,2]\nresult = scale(values,\n  3.0)\n"
                 "print(result)  # shown", True, id="spacing-line-breaks-comments"),
    pytest.param("from pkg import scale\nprint(scale([1], factor=2))", True,
                 id="a-shown-value-printed"),
    pytest.param("from pkg._impl import scale\n\nscale([1], factor=2)", True,
                 id="imported-from-its-own-module"),
    pytest.param("from pkg import scale\n\nscale([1], factor=3)", False,
                 id="another-argument"),
    pytest.param("from pkg import scale\n\nscale([1], 2)", False, id="keyword-made-positional"),
    pytest.param("scale([1], factor=2)", False, id="the-import-left-out"),
    pytest.param("import os\nfrom pkg import scale\n\nscale([1], factor=2)", False,
                 id="an-import-the-project-never-wrote"),
    pytest.param("from pkg import scale\n\nvalues = [1, 2]\nresult = scale(values, 3.0)", False,
                 id="a-statement-left-out"),
    pytest.param("from pkg import scale\n\nscale([1], factor=2", False, id="does-not-parse"),
    pytest.param("from pkg import scale", False, id="imports-only"),
])
def test_an_example_is_the_projects_own_as_code(code: str, taken: bool) -> None:
    assert taken_from(code, OWN, ALSO) is taken
