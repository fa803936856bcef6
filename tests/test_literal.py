"""Literal text is not structure: each kind of literal block, in a guide and
in a docstring that is no guide yet, with the exact findings it may cause."""
from __future__ import annotations

from typing import List, Tuple

import pytest

from conftest import GOOD_GUIDE as G, function_source, replace_line
from test_rules import codes_at, locate_text

PREAMBLE = "Send the report at `path` to the team channel.\n"
STEP2 = "2. **Post Text**: Sends the text to the channel\n   and returns its length.\n"


def in_preamble(block: str) -> str:
    """The good guide with `block` after its summary line."""
    return replace_line(G, PREAMBLE, PREAMBLE + "\n" + block + "\n")


def in_step(block: str) -> str:
    """The good guide with `block` as the continuation of step 2."""
    return replace_line(G, STEP2, STEP2 + "\n" + block + "\n")


def not_a_guide(block: str) -> str:
    return "Send the report.\n\n" + block + "\n"


DOCTEST = """\
>>> send_report("missing.txt")
Traceback (most recent call last):
...
ValueError: getting nothing"""
ABC_USAGE = """\
Usage:

    class C(metaclass=ABCMeta):
        @abstractmethod
        def my_abstract_method(self, arg1, arg2, argN):
            ..."""
CODE_BLOCK = """\
.. code-block:: python

    with open_file(filename) as f:
    ...
    getting = f.read()"""
LITERAL = """\
Send it like this::

    module.messagebox = orig_mbox
    ===
    doing = 1"""
BARE = """\
Send it like this:

::

    doing = send_report(path)
    -----------------"""
FENCE = """\
```
Title
=====
getting = 1
```"""

# (docstring, [(code, text the finding points at, occurrence)]); the text is
# searched for in the whole generated module.
Expected = List[Tuple[str, str, int]]
CASES = [
    pytest.param(in_preamble(DOCTEST), [], id="doctest-output-and-ellipsis"),
    pytest.param(not_a_guide(DOCTEST), [("HOW101", "Send the report.", 0)],
                 id="doctest-in-no-guide"),
    pytest.param(in_preamble(">>> x = 1\ndoing\n------"), [],
                 id="doctest-runs-to-the-blank-line"),
    pytest.param(in_preamble(">>> x = 1\n\ndoing\n"), [("HOW301", "doing", 0)],
                 id="prose-after-the-doctest-blank-line"),
    pytest.param(not_a_guide(ABC_USAGE), [("HOW101", "Send the report.", 0)],
                 id="indented-code-after-usage-colon"),
    pytest.param(in_preamble(ABC_USAGE), [], id="indented-code-in-a-guide"),
    pytest.param(not_a_guide(CODE_BLOCK), [("HOW101", "Send the report.", 0)],
                 id="code-block-directive"),
    pytest.param(in_step(CODE_BLOCK.replace("\n\n    ", "\n\n      ").replace(
        "\n    ", "\n      ").replace(".. code", "   .. code")), [],
                 id="code-block-in-a-step"),
    pytest.param(in_preamble(LITERAL), [], id="double-colon-block"),
    pytest.param(in_preamble(LITERAL.replace("Send it", "Getting it")),
                 [("HOW301", "Getting it", 0)], id="double-colon-paragraph-is-prose"),
    pytest.param(in_step("   Like this::\n\n       doing = 1"), [],
                 id="double-colon-block-in-a-step"),
    pytest.param(in_preamble(BARE), [], id="bare-double-colon"),
    pytest.param(in_preamble(FENCE), [], id="fenced-block"),
    pytest.param(in_preamble("Some text\n..."), [], id="dots-under-text-are-text"),
    pytest.param(in_preamble("Some text\n~~~"), [], id="three-chars-under-text-are-text"),
    pytest.param(in_preamble("  indented getting\n  ----------------"), [],
                 id="deeper-block-is-opaque"),
    pytest.param(in_step("   and doing more"), [("HOW301", "doing more", 0)],
                 id="step-continuation-is-prose"),
    pytest.param(replace_line(G, "Description\n-----------\n", "Description\n---\n"),
                 [("HOW102", "---\n", 0)], id="known-heading-short-underline"),
    pytest.param(replace_line(G, "Description\n-----------\n", "Description\n...\n"),
                 [("HOW102", "...\n", 0)], id="known-heading-dots-underline"),
    pytest.param(G + "\nParameters\n-----\npath: the file.\n", [("HOW102", "-----\n    path", 0)],
                 id="other-section-short-underline"),
    pytest.param(G + "\nParameters\n~~~~~~~~~~\npath: the file.\n", [],
                 id="other-section-any-adornment"),
    pytest.param(not_a_guide("Notes\n-----\nOld text."), [("HOW101", "Send the report.", 0)],
                 id="headings-of-no-guide-are-not-judged"),
    pytest.param(replace_line(G, "1. **Read Report**", ">>> read()\n\n1. **Read Report**"),
                 [("HOW201", ">>> read()", 0)], id="doctest-is-never-a-step"),
    pytest.param(replace_line(G, "Description\n-----------\n",
                              "::\n\n    Description\n    -----------\n"),
                 [("HOW103", "How to Use", 0)], id="heading-inside-literal-block"),
]


@pytest.mark.parametrize("doc, expected", CASES)
def test_literal_text(doc: str, expected: Expected) -> None:
    source = function_source(doc)
    want = [(code, *locate_text(source, needle, nth)) for code, needle, nth in expected]
    assert codes_at(source) == want


@pytest.mark.parametrize("directive", [
    "code-block:: python", "code::", "sourcecode:: pycon", "doctest::", "testcode::",
    "testoutput::"])
def test_each_code_directive_body_is_literal(directive: str) -> None:
    body = f".. {directive}\n\n    Getting\n    -------\n    doing = 1"
    assert codes_at(function_source(in_preamble(body))) == []
    step = f"   .. {directive}\n\n      doing = 1"
    assert codes_at(function_source(in_step(step))) == []


def test_other_directives_in_a_step_stay_prose() -> None:
    source = function_source(in_step("   .. note::\n\n      doing more"))
    line, col = locate_text(source, "doing more")
    assert codes_at(source) == [("HOW301", line, col)]


def test_section_name_as_prose_in_no_guide() -> None:
    # stdlib ftplib.FTP_TLS: "Usage example:" introduces a doctest
    doc = not_a_guide("Usage example:\n>>> ftps = FTP_TLS('ftp.python.org')")
    source = function_source(doc)
    assert codes_at(source) == [("HOW101", *locate_text(source, "Send the report."))]
