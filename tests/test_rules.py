"""Each rule as a table of docstrings: one passing and failing cases, with the
exact file position every violation must point at."""
from __future__ import annotations

from typing import List, Optional, Tuple

import pytest

from conftest import GOOD_GUIDE, function_source, replace_line
from howto_hook.check import check_source
from howto_hook.config import Settings
from howto_hook.rules import enabled_codes

SETTINGS = Settings()
ENABLED = enabled_codes(SETTINGS.select, SETTINGS.ignore)


def locate_text(source: str, needle: str, nth: int = 0) -> Tuple[int, int]:
    """1-based (line, col) of the nth occurrence of needle in source."""
    start = -1
    for _ in range(nth + 1):
        start = source.index(needle, start + 1)
    line = source.count("\n", 0, start) + 1
    col = start - (source.rfind("\n", 0, start) + 1) + 1
    return line, col


def codes_at(source: str, settings: Settings = SETTINGS) -> List[Tuple[str, int, int]]:
    result = check_source(source.encode(), path="m.py", settings=settings,
                          enabled=enabled_codes(settings.select, settings.ignore))
    return [(v.code, v.line, v.col) for v in result.violations]


G = GOOD_GUIDE
DESCRIPTION = ("Description\n-----------\n"
               "The `send_report` function reads the report at `path` and posts it.\n\n")
EXAMPLE = 'Usage Example\n-------------\n\n```python\nsent = send_report("weekly.txt")\n```\n'
# (docstring, expected code, text the violation must point at (None: no
# violation), which occurrence of that text)
CASES = [
    pytest.param(G, None, None, 0, id="good-guide"),
    pytest.param(replace_line(G, "How to Use This Code Block\n==========================\n\n", ""),
                 "HOW101", "Send the report", 0, id="HOW101-no-title"),
    pytest.param(replace_line(G, "Description\n-----------\n", "Description\n"),
                 "HOW102", "Description", 0, id="HOW102-missing-underline"),
    pytest.param(replace_line(G, "Description\n-----------\n", "Description\n~~~~~~~~~~~\n"),
                 "HOW102", "~~~~", 0, id="HOW102-wrong-char"),
    pytest.param(replace_line(G, "Description\n-----------\n", "Description\n-----\n"),
                 "HOW102", "-----\n", 0, id="HOW102-too-short"),
    pytest.param(replace_line(G, "==========================", "--------------------------"),
                 "HOW102", "------------------------", 0, id="HOW102-title-dashes"),
    pytest.param(replace_line(G, "Execution Steps\n---------------\n1. **Read Report**: Opens `path` and reads its text.\n"
                                 "2. **Post Text**: Sends the text to the channel\n   and returns its length.\n\n", ""),
                 "HOW103", "Description\n", 0, id="HOW103-no-steps"),
    pytest.param(replace_line(G, "Description\n-----------\nThe `send_report` function reads the report at `path` and posts it.\n\n", "")
                 .replace("Usage Example\n-------------\n",
                          "Usage Example\n-------------\n", 1),
                 "HOW103", "How to Use", 0, id="HOW103-no-description"),
    pytest.param(G.replace(DESCRIPTION, "").replace("Usage Example\n", DESCRIPTION + "Usage Example\n"),
                 "HOW104", "Description\n", 0, id="HOW104-out-of-order"),
    pytest.param(G + "\nDescription\n-----------\nAgain.\n",
                 "HOW104", "Description\n", 1, id="HOW104-repeated"),
    pytest.param(replace_line(G, "Usage Example\n", "Parameters\n----------\npath: the file.\n\nUsage Example\n"),
                 "HOW104", "Parameters", 0, id="HOW104-extra-section-between"),
    pytest.param(G + "\nParameters\n----------\npath: the file.\n", None, None, 0,
                 id="extra-section-after-passes"),
    pytest.param(replace_line(G, "The `send_report` function reads the report at `path` and posts it.\n", ""),
                 "HOW105", "Description", 0, id="HOW105-empty"),
    pytest.param(G.replace("1. **Read", "- **Read").replace("2. **Post", "- **Post"),
                 "HOW201", "- **Read", 0, id="HOW201-bullets"),
    pytest.param(G.replace("2. **Post", "3. **Post"), "HOW201", "3. **Post", 0,
                 id="HOW201-skipped-number"),
    pytest.param(G.replace("1. **Read Report**: Opens", "1. Opens"), "HOW202", "Opens `path`", 0,
                 id="HOW202-no-label"),
    pytest.param(G.replace("**Read Report**:", "**Read Report**"), "HOW202", "**Read Report**", 0,
                 id="HOW202-no-colon"),
    pytest.param(G.replace("```python\n", "").replace("```\n", ""), "HOW203", "Usage Example", 0,
                 id="HOW203-no-fence"),
    pytest.param(G.replace("```python", "```js"), "HOW203", "```js", 0, id="HOW203-wrong-language"),
    pytest.param(G.replace("sent = send_report(\"weekly.txt\")\n```\n", "sent = send_report(\"weekly.txt\")\n"),
                 "HOW203", "```python", 0, id="HOW203-unclosed"),
    pytest.param(G.replace("```python", "```py"), None, None, 0, id="HOW203-py-fence-passes"),
    pytest.param(G.replace('send_report("weekly.txt")', 'send_report("weekly.txt" +)'),
                 "HOW204", ")\n    ```", 0, id="HOW204-syntax-error"),
    pytest.param(G.replace('sent = send_report("weekly.txt")', 'sent = await send_report("weekly.txt")'),
                 None, None, 0, id="HOW204-top-level-await-passes"),
    pytest.param(G.replace("sent = send_report(\"weekly.txt\")", "print('weekly.txt')"),
                 "HOW205", "```python", 0, id="HOW205-not-mentioned"),
    pytest.param(G.replace("reads the report", "is getting the report"), "HOW301", "getting", 0,
                 id="HOW301-getting"),
    pytest.param(G.replace("Opens `path`", "Doing: opens `path`"), "HOW301", "Doing", 0,
                 id="HOW301-case-insensitive"),
    pytest.param(G.replace("reads the report", "reads the `getting` report"), None, None, 0,
                 id="HOW301-inline-code-passes"),
    pytest.param(G.replace("reads the report", "reads https://x.org/getting/doing"), None, None, 0,
                 id="HOW301-url-passes"),
    pytest.param(G.replace("sent = send_report", "getting = send_report"), None, None, 0,
                 id="HOW301-code-block-passes"),
    pytest.param(G.replace("reads the report", "reads the gettings"), None, None, 0,
                 id="HOW301-whole-word-only"),
    pytest.param(G.replace("reads the report", "is re-getting the report"), None, None, 0,
                 id="HOW301-hyphenated-word-passes"),
    pytest.param(G.replace("reads the report", "is getting-ready the report"), None, None, 0,
                 id="HOW301-hyphen-after-passes"),
    pytest.param(G.replace("2. **Post", "1. **Post"), "HOW201", "1. **Post", 0,
                 id="HOW201-repeated-number"),
    pytest.param(G.replace(EXAMPLE, "").rstrip("\n") + "\n", "HOW103", "Execution Steps\n", 0,
                 id="HOW103-no-example"),
    pytest.param(G.replace('```python\nsent = send_report("weekly.txt")\n```\n', ""),
                 "HOW105", "Usage Example", 0, id="HOW105-empty-example-only"),
    pytest.param(G.replace("```python", "```Python"), None, None, 0,
                 id="HOW203-capitalised-python-passes"),
    pytest.param(G.replace("```python", "```PY"), None, None, 0, id="HOW203-capital-py-passes"),
]


@pytest.mark.parametrize("doc, code, needle, nth", CASES)
def test_rule_table(doc: str, code: Optional[str], needle: Optional[str], nth: int) -> None:
    source = function_source(doc)
    found = codes_at(source)
    if code is None:
        assert found == []
    else:
        line, col = locate_text(source, needle, nth)
        assert found == [(code, line, col)]


STEPS_SECTION = ("Execution Steps\n---------------\n"
                 "1. **Read Report**: Opens `path` and reads its text.\n"
                 "2. **Post Text**: Sends the text to the channel\n   and returns its length.\n\n")


def steps_numbered(*numbers: int) -> str:
    """The good guide with one step for each number, numbered as given."""
    items = "".join(f"{n}. **Step {k}**: Does part {k}.\n" for k, n in enumerate(numbers, 1))
    return G.replace(STEPS_SECTION, "Execution Steps\n---------------\n" + items + "\n")


# (docstring, [(code, text the finding points at, which occurrence)]): rules
# whose findings come several at a time, or exactly one at a time.
MULTI = [
    pytest.param(G.replace(DESCRIPTION + STEPS_SECTION, "")
                 .replace(EXAMPLE, EXAMPLE + "\n" + DESCRIPTION + STEPS_SECTION),
                 [("HOW104", "Description\n", 0), ("HOW104", "Execution Steps\n", 0)],
                 id="HOW104-example-description-steps"),
    pytest.param(G.replace(DESCRIPTION, "").replace(EXAMPLE, EXAMPLE + "\n" + DESCRIPTION),
                 [("HOW104", "Description\n", 0)], id="HOW104-description-last"),
    pytest.param(G.replace(STEPS_SECTION, "").replace(DESCRIPTION, STEPS_SECTION + DESCRIPTION),
                 [("HOW104", "Description\n", 0)], id="HOW104-steps-first"),
    pytest.param(steps_numbered(1, 3, 5), [("HOW201", "3. **Step 2", 0)],
                 id="HOW201-only-first-misnumbered-step"),
    pytest.param(steps_numbered(2, 3), [("HOW201", "2. **Step 1", 0)],
                 id="HOW201-starts-at-two"),
    pytest.param(steps_numbered(1, 2, 3), [], id="HOW201-three-in-order"),
    # no title: a missing first section is placed at the docstring's first line
    pytest.param("Send the report.\n\n" + STEPS_SECTION + EXAMPLE,
                 [("HOW101", "Send the report", 0), ("HOW103", "Send the report", 0)],
                 id="HOW103-without-title-at-first-line"),
]


@pytest.mark.parametrize("doc, expected", MULTI)
def test_rule_findings(doc: str, expected: List[Tuple[str, str, int]]) -> None:
    source = function_source(doc)
    assert codes_at(source) == [(code, *locate_text(source, needle, nth))
                                for code, needle, nth in expected]


# (docstring, the one message expected): rules that say different things
# at the same place.
MESSAGES = [
    pytest.param(G.replace(DESCRIPTION, ""),
                 "required section 'Description' is missing: add it", id="HOW103-first"),
    pytest.param(G.replace(STEPS_SECTION, ""),
                 "required section 'Execution Steps' is missing: add it after 'Description'",
                 id="HOW103-after"),
    pytest.param(G + "\nDescription\n-----------\nAgain.\n",
                 "section 'Description' appears more than once", id="HOW104-repeated"),
    pytest.param(G.replace(DESCRIPTION, "").replace(EXAMPLE, EXAMPLE + "\n" + DESCRIPTION),
                 "section 'Description' must come before 'Usage Example'", id="HOW104-order"),
    pytest.param(G.replace("```python", "```js"),
                 "the code block in 'Usage Example' is marked 'js': open it with ```python",
                 id="HOW203-wrong-language"),
    pytest.param(G.replace("```python", "```"),
                 "the code block in 'Usage Example' is marked 'no language': open it with "
                 "```python", id="HOW203-no-language"),
    pytest.param(G.replace('sent = send_report("weekly.txt")\n```\n',
                           'sent = send_report("weekly.txt")\n'),
                 "the ```python block is never closed: end it with ```", id="HOW203-unclosed"),
    pytest.param(G.replace("```python\n", "").replace("```\n", ""),
                 "'Usage Example' has no code block: add one opened by ```python and closed by "
                 "```", id="HOW203-no-fence"),
    pytest.param(G.replace('```python\nsent = send_report("weekly.txt")\n```\n',
                           '```Python\nsent = send_report("weekly.txt")\n'),
                 "the ```python block is never closed: end it with ```",
                 id="HOW203-unclosed-capitalised"),
    # a fence elsewhere, and no example section for it to be in
    pytest.param(G.replace(EXAMPLE, "").rstrip("\n").replace(
        "and posts it.", "and posts it:\n\n```python\nsend_report(p)\n```"),
        "required section 'Usage Example' is missing: add it after 'Execution Steps'",
        id="HOW103-fence-but-no-example"),
]


@pytest.mark.parametrize("doc, message", MESSAGES)
def test_rule_messages(doc: str, message: str) -> None:
    result = check_source(function_source(doc).encode(), path="m.py", settings=SETTINGS,
                          enabled=ENABLED)
    assert [v.message for v in result.violations] == [message]


def test_an_unstructured_docstring_leaves_sections_to_how101_when_nothing_is_selected() -> None:
    """With no selection given (enabled None: every rule, as the generator asks), HOW103
    stays silent where HOW101 names every section."""
    from howto_hook import guide, rules
    from howto_hook.check import analyse

    analysis = analyse(function_source("Send the report.").encode(), path="m.py",
                       settings=SETTINGS, enabled=ENABLED)
    target = analysis.checked[0][0]
    parsed = guide.parse(target.docstring, SETTINGS)
    assert list(rules.missing_section(rules.Context(target, parsed, SETTINGS))) == []
    only = frozenset({"HOW103"})
    assert len(list(rules.missing_section(rules.Context(target, parsed, SETTINGS, only)))) == 3


def test_missing_docstring_points_at_name() -> None:
    source = "import os\n\n\nclass Store:\n    x = 1\n"
    assert codes_at(source) == [("HOW100", 4, 7)]


def test_unstructured_docstring_gets_one_finding_that_names_everything_to_add() -> None:
    source = function_source("Send the report.")
    result = check_source(source.encode(), path="m.py", settings=SETTINGS, enabled=ENABLED)
    assert [(v.code, v.line, v.col) for v in result.violations] == [("HOW101", 2, 8)]
    assert result.violations[0].message == (
        "docstring is not a usage guide: add the title 'How to Use This Code Block' "
        "underlined with '=' and the sections 'Description', 'Execution Steps', "
        "'Usage Example', each underlined with '-'")


def test_without_how101_each_missing_section_is_reported() -> None:
    settings = Settings(select=("HOW103",))
    source = function_source("Send the report.")
    assert [c for c, _, _ in codes_at(source, settings)] == ["HOW103"] * 3


@pytest.mark.parametrize("doc, expected", [
    pytest.param("Send the report.\n\nDescription\n-----------\nPosts it.\n",
                 ["HOW101", "HOW103", "HOW103"], id="one-section-keeps-per-section"),
    pytest.param("Send the report.\n\nHow to Use This Code Block\n"
                 "==========================\n", ["HOW103", "HOW103", "HOW103"],
                 id="title-alone-keeps-per-section"),
    pytest.param("Send the report.\n\nParameters\n----------\npath : str\n    The file.\n",
                 ["HOW101"], id="other-headings-are-no-guide-structure"),
])
def test_partial_structure_keeps_per_section_findings(doc: str, expected: List[str]) -> None:
    assert [c for c, _, _ in codes_at(function_source(doc))] == expected


def test_step_labels_can_be_switched_off() -> None:
    source = function_source(G.replace("1. **Read Report**: Opens", "1. Opens"))
    assert codes_at(source, Settings(require_step_labels=False)) == []


def test_custom_title_sections_and_words() -> None:
    doc = (G.replace("How to Use This Code Block\n==========================",
                     "Guide\n=====")
           .replace("Usage Example\n-------------", "Example\n-------")
           .replace("reads the report", "fetches the report"))
    settings = Settings(title="Guide",
                        sections=Settings().sections.__class__(example="Example"),
                        banned_words=(("fetches", ("downloads",)),))
    source = function_source(doc)
    line, col = locate_text(source, "fetches")
    assert codes_at(source, settings) == [("HOW301", line, col)]


def test_vague_word_message_suggests_verbs() -> None:
    source = function_source(G.replace("reads the report", "is getting the report"))
    result = check_source(source.encode(), path="m.py", settings=SETTINGS, enabled=ENABLED)
    message = result.violations[0].message
    assert "'getting'" in message and "'retrieves'" in message and "'fetches'" in message
