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

TRAILING_COMMENT = '''Yield the indexes of a value.

>>> list(iter_index('AABCADEAF', 'A', 1, 7))  # stop index is not inclusive
[1, 4]

A second block:

>>> list(iter_index('AB', 'B'))  # another
[1]
'''

MULTILINE_COMMENT = '''Yield the indexes of a value.

>>> list(iter_index('AABCADEAF',  # the text
...                 'A'))  # the value
[0, 1, 4, 7]
'''

ONE_LINE = '''Build a format.

>>> tsv = fmt("\\t") ; tabulate([["a", 1]], tablefmt=tsv) == 'a\\t1'
True
'''

SETUP_OF_A_FAILURE = '''Zip the iterables.

>>> it_1 = range(3)
>>> it_2 = iter('abc')
>>> list(zip_equal(it_1, it_2))
[(0, 'a'), (1, 'b'), (2, 'c')]

>>> it_1 = range(3)
>>> it_2 = iter('abcd')
>>> list(zip_equal(it_1, it_2))
Traceback (most recent call last):
...
ValueError: Iterables have different lengths
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
    pytest.param(TRAILING_COMMENT, "iter_index", {"iter_index": "from m import iter_index"},
                 "from m import iter_index\n\n"
                 "print(list(iter_index('AABCADEAF', 'A', 1, 7)))  # stop index is not inclusive",
                 id="a-shown-value-keeps-its-comment-outside-print"),
    pytest.param(MULTILINE_COMMENT, "iter_index", {"iter_index": "from m import iter_index"},
                 "from m import iter_index\n\n"
                 "print(list(iter_index('AABCADEAF',  # the text\n"
                 "                'A')))  # the value",
                 id="a-comment-inside-brackets-stays-there"),
    pytest.param(ONE_LINE, "fmt", {"fmt": "from m import fmt", "tabulate": "from m import tabulate"},
                 "from m import fmt, tabulate\n\n"
                 'tsv = fmt("\\t")\n'
                 "print(tabulate([[\"a\", 1]], tablefmt=tsv) == 'a\\t1')",
                 id="statements-on-one-line-one-a-line-the-last-shown"),
    pytest.param(SETUP_OF_A_FAILURE, "zip_equal", {"zip_equal": "from m import zip_equal"},
                 "from m import zip_equal\n\nit_1 = range(3)\nit_2 = iter('abc')\n"
                 "print(list(zip_equal(it_1, it_2)))",
                 id="the-setup-of-a-statement-that-raises-goes-with-it"),
])
def test_doctest_code(doc: str, name: str, bindings: "dict[str, str]", expected: str) -> None:
    assert doctest_code(doc, name, name, bindings) == expected
