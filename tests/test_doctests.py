"""The docstring's doctest as a plain example (generate/doctests.py), as a table."""
from __future__ import annotations

import pytest

from howto_hook.generate.doctests import doctest_code

TWO_WAYS = '''Attach a pattern to a converter.

    >>> import parse
    >>> @parse.with_pattern(r"\\d+")
    ... def parse_number(text):
    ...     return int(text)

is equivalent to:

    >>> def parse_number(text):
    ...     return int(text)
    >>> parse_number.pattern = r"\\d+"
'''

BLANK_BETWEEN = '''Compare versions.

>>> semver.match("2.0.0", ">=1.0.0")
True

>>> semver.match("1.0.0", ">1.0.0")
False
'''

SETUP_THEN_USE = '''Sum a list.

First make a list:

>>> values = [1, 2, 3]

then sum it:

>>> total(values)
6
'''


@pytest.mark.parametrize("doc, name, bindings, expected", [
    pytest.param(TWO_WAYS, "with_pattern", {},
                 'import parse\n\n\n@parse.with_pattern(r"\\d+")\ndef parse_number(text):\n'
                 '    return int(text)', id="prose-between-two-ways-keeps-the-first"),
    pytest.param(BLANK_BETWEEN, "match", {"semver": "import semver"},
                 'import semver\n\nprint(semver.match("2.0.0", ">=1.0.0"))\n'
                 'print(semver.match("1.0.0", ">1.0.0"))', id="a-blank-line-joins-blocks"),
    pytest.param(SETUP_THEN_USE, "total", {"total": "from m import total"},
                 "from m import total\n\nvalues = [1, 2, 3]\nprint(total(values))",
                 id="prose-before-the-first-use-joins-blocks"),
])
def test_doctest_code(doc: str, name: str, bindings: "dict[str, str]", expected: str) -> None:
    assert doctest_code(doc, name, name, bindings) == expected
