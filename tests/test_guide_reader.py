"""The guide reader (howto_hook/guide.py) function by function: each table pins
the exact records, indices and file positions it returns, so that a one-token
change to the reader fails a case here (bench/mutate.py guide)."""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import pytest

from conftest import GOOD_GUIDE, function_source, replace_line
from howto_hook import guide as g
from howto_hook.config import SectionNames, Settings
from howto_hook.model import Docstring
from test_rules import codes_at, locate_text

SETTINGS = Settings()
TITLE = "How to Use This Code Block"


def doc(value: str, *, raw: Optional[str] = None, line: int = 10, col: int = 4,
        lines_map: bool = True) -> Docstring:
    """A docstring record as locate makes it: `raw` is the literal as written."""
    raw = '"""' + value + '"""' if raw is None else raw
    return Docstring(value=value, raw=raw, line=line, col=col,
                     end_line=line + value.count("\n"), lines_map=lines_map)


def text_doc(rows: Sequence[str]) -> Docstring:
    """Lines of a docstring already clean (no common indentation), at line 1 col 0."""
    return doc("\n".join(rows), line=1, col=0)


Head = Optional[Tuple[str, int, Optional[str], Optional[str]]]


def head(h: Optional[g.Heading]) -> Head:
    return None if h is None else (h.text, h.index, h.underline, h.key)


def outline(guide: g.Guide) -> Tuple[Head, List[Tuple[Head, int, int]], List[int], List[int]]:
    """(title, [(heading, start, end)], opaque lines, literal lines) of a parsed guide."""
    return (head(guide.title), [(head(s.heading), s.start, s.end) for s in guide.sections],
            sorted(guide.opaque), sorted(guide.code))


# --- body_offset: from the literal's first character to its text ------------------

@pytest.mark.parametrize("raw, offset", [
    pytest.param('"""Send."""', 3, id="triple-double"),
    pytest.param("'''Send.'''", 3, id="triple-single"),
    pytest.param('"Send."', 1, id="double"),
    pytest.param("'Send.'", 1, id="single"),
    pytest.param('""', 1, id="empty-pair-is-no-triple"),
    pytest.param('r"""Send."""', 4, id="r"),
    pytest.param("R'Send.'", 2, id="R"),
    pytest.param('u"Send."', 2, id="u"),
    pytest.param("U'''Send.'''", 4, id="U"),
    pytest.param('b"Send."', 2, id="b"),
    pytest.param("B'Send.'", 2, id="B"),
    pytest.param('f"Send."', 2, id="f"),
    pytest.param("F'''Send.'''", 4, id="F"),
    pytest.param('Rb"""Send."""', 5, id="two-letters"),
])
def test_body_offset(raw: str, offset: int) -> None:
    assert g.body_offset(raw) == offset


# --- clean_lines: PEP 257 cleanup, each line mapped to the file ---------------------

def rows(lines: Sequence[g.DocLine]) -> List[Tuple[str, int, int, str, int]]:
    return [(ln.text, ln.line, ln.base, ln.pad, ln.rel) for ln in lines]


@pytest.mark.parametrize("docstring, expected", [
    pytest.param(doc("Send it.\n\n    Body line.\n        Deeper.\n    "),
                 [("Send it.", 10, 7, "", 0), ("", 11, 0, "", 0),
                  ("Body line.", 12, 0, "    ", 0), ("    Deeper.", 13, 0, "        ", 4)],
                 id="function-docstring"),
    pytest.param(doc("\n    Send it.\n\n    More.\n\n    "),
                 [("Send it.", 11, 0, "    ", 0), ("", 12, 0, "", 0), ("More.", 13, 0, "    ", 0)],
                 id="blank-lines-trimmed-at-both-ends"),
    pytest.param(doc("\n\n    Send it.\n    "), [("Send it.", 12, 0, "    ", 0)],
                 id="two-leading-blank-lines"),
    pytest.param(doc("Send it.\n    More.\n\n    \n"),
                 [("Send it.", 10, 7, "", 0), ("More.", 11, 0, "    ", 0)],
                 id="three-trailing-blank-lines"),
    pytest.param(doc("Send it.\n\n    More.\n\n    Last.\n    "),
                 [("Send it.", 10, 7, "", 0), ("", 11, 0, "", 0), ("More.", 12, 0, "    ", 0),
                  ("", 13, 0, "", 0), ("Last.", 14, 0, "    ", 0)],
                 id="blank-lines-inside-kept"),
    pytest.param(doc("\n    \n    "), [], id="all-blank"),
    pytest.param(doc(""), [], id="empty"),
    pytest.param(doc("Send it."), [("Send it.", 10, 7, "", 0)], id="one-line"),
    pytest.param(doc("   Send it.  \n    Body.  \n    "),
                 [("Send it.", 10, 7, "   ", 0), ("Body.", 11, 0, "    ", 0)],
                 id="first-line-padded-and-trailing-spaces"),
    pytest.param(doc("Send it.\n  Two.\n    Three.\n"),
                 [("Send it.", 10, 7, "", 0), ("Two.", 11, 0, "  ", 0),
                  ("  Three.", 12, 0, "    ", 2)], id="second-line-least-indented"),
    pytest.param(doc("Send it.\n\n    Body.\n        \n    More.\n    "),
                 [("Send it.", 10, 7, "", 0), ("", 11, 0, "", 0), ("Body.", 12, 0, "    ", 0),
                  ("", 13, 0, "        ", 0), ("More.", 14, 0, "    ", 0)],
                 id="whitespace-only-line-deeper-than-the-rest"),
    pytest.param(doc("Send it.\n\tBody.\n\t\tDeeper.\n\t"),
                 [("Send it.", 10, 7, "", 0), ("Body.", 11, 0, "\t", 0),
                  ("        Deeper.", 12, 0, "\t\t", 8)], id="tabs"),
    pytest.param(doc("Send it.\n        Body.\n\tTab.\n"),
                 [("Send it.", 10, 7, "", 0), ("Body.", 11, 0, "        ", 0),
                  ("Tab.", 12, 0, "\t", 0)], id="tab-and-spaces-the-same-width"),
    pytest.param(doc("Send it.\n    Body.", raw="r'''Send it.\n    Body.'''", col=8),
                 [("Send it.", 10, 12, "", 0), ("Body.", 11, 0, "    ", 0)], id="raw-prefix"),
    pytest.param(doc("Send it.\n    Body.\n", raw='"Send it.\\n    Body.\\n"', lines_map=False),
                 [("Send it.", 10, 4, "", 0), ("Body.", 10, 4, "    ", 0)],
                 id="escapes-put-every-line-at-the-literal"),
])
def test_clean_lines(docstring: Docstring, expected: list) -> None:
    assert rows(g.clean_lines(docstring)) == expected


# --- file columns of a cleaned line --------------------------------------------------

DEEPER = g.DocLine("    Deeper.", 13, 0, "        ", 4)  # 8 spaces, common indentation 4
TABBED = g.DocLine("        Deeper.", 12, 0, "\t\t", 8)  # two tabs, common indentation one
MIXED = g.DocLine("       x", 5, 0, " \t", 7)  # a space and a tab, common indentation 1
FIRST = g.DocLine("Send it.", 10, 7, "   ", 0)  # the first line: text after the quotes
FLUSH = g.DocLine("  x", 3, 0, "  ", 2)  # no common indentation (a module docstring)


@pytest.mark.parametrize("line, c, col", [
    pytest.param(DEEPER, 0, 5, id="indentation-start"),
    pytest.param(DEEPER, 3, 8, id="indentation-end"),
    pytest.param(DEEPER, 4, 9, id="text-start"),
    pytest.param(DEEPER, 6, 11, id="text"),
    pytest.param(TABBED, 0, 2, id="tab-covers-its-spaces"),
    pytest.param(TABBED, 7, 2, id="tab-covers-its-last-space"),
    pytest.param(TABBED, 8, 3, id="after-two-tabs"),
    pytest.param(TABBED, 9, 4, id="after-two-tabs-one-more"),
    pytest.param(MIXED, 0, 2, id="mixed-tab-first-space"),
    pytest.param(MIXED, 6, 2, id="mixed-tab-last-space"),
    pytest.param(MIXED, 7, 3, id="mixed-text"),
    pytest.param(FLUSH, 0, 1, id="no-common-indentation-start"),
    pytest.param(FLUSH, 1, 2, id="no-common-indentation-end"),
    pytest.param(FIRST, 0, 11, id="first-line"),
    pytest.param(FIRST, 5, 16, id="first-line-later"),
])
def test_doc_line_col(line: g.DocLine, c: int, col: int) -> None:
    assert line.col(c) == col


@pytest.mark.parametrize("heading, start", [
    pytest.param(g.Heading("Description", 3, "-----------", "description"), 5, id="underlined"),
    pytest.param(g.Heading("Description", 3, None, "description"), 4, id="no-underline"),
])
def test_content_start(heading: g.Heading, start: int) -> None:
    assert heading.content_start == start


# --- parse: title, sections, fences, literal and opaque lines -----------------------

GUIDE = [
    "Send the report.",          # 0
    "",                          # 1
    TITLE,                       # 2
    "=" * len(TITLE),            # 3
    "",                          # 4
    "Description",               # 5
    "-----------",               # 6
    "Reads the report.",         # 7
    "",                          # 8
    "Execution Steps",           # 9
    "---------------",           # 10
    "1. **Read**: Opens it.",    # 11
    "2. **Post**: Sends it",     # 12
    "   and returns.",           # 13
    "",                          # 14
    "Usage Example",             # 15
    "-------------",             # 16
    "```python",                 # 17
    "send()",                    # 18
    "```",                       # 19
    "Then it returns.",          # 20
]
T = (TITLE, 2, "=" * len(TITLE), "title")
DESCRIPTION = ("Description", 5, "-----------", "description")
STEPS = ("Execution Steps", 9, "---------------", "steps")
EXAMPLE = ("Usage Example", 15, "-------------", "example")


# the steps and example sections of GUIDE with two more rows before them
MOVED = [(("Execution Steps", 11, "---------------", "steps"), 13, 17),
         (("Usage Example", 17, "-------------", "example"), 19, 23)]


def with_rows(at: int, new: Sequence[str], drop: int = 0, base: Sequence[str] = GUIDE
              ) -> List[str]:
    """GUIDE with `drop` rows from `at` replaced by `new`."""
    return list(base[:at]) + list(new) + list(base[at + drop:])


PARSE = [
    pytest.param(GUIDE, (T, [(DESCRIPTION, 7, 9), (STEPS, 11, 15), (EXAMPLE, 17, 21)],
                         [17, 18, 19], [17, 18, 19]), id="good-guide"),
    pytest.param(GUIDE[2:], (("How to Use This Code Block", 0, "=" * 26, "title"),
                             [(("Description", 3, "-----------", "description"), 5, 7),
                              (("Execution Steps", 7, "---------------", "steps"), 9, 13),
                              (("Usage Example", 13, "-------------", "example"), 15, 19)],
                             [15, 16, 17], [15, 16, 17]), id="title-on-the-first-line"),
    pytest.param(GUIDE[:7], (T, [(DESCRIPTION, 7, 7)], [], []),
                 id="underline-on-the-last-line"),
    pytest.param(GUIDE[:6], (T, [(("Description", 5, None, "description"), 6, 6)], [], []),
                 id="section-name-on-the-last-line"),
    pytest.param(with_rows(6, ["  -----------"], 1),
                 (T, [(DESCRIPTION, 7, 9), (STEPS, 11, 15), (EXAMPLE, 17, 21)],
                  [6, 17, 18, 19], [17, 18, 19]), id="indented-underline-stripped"),
    pytest.param(with_rows(6, ["---"], 1),
                 (T, [(("Description", 5, "---", "description"), 7, 9), (STEPS, 11, 15),
                      (EXAMPLE, 17, 21)], [17, 18, 19], [17, 18, 19]),
                 id="short-underline-of-a-section-name"),
    pytest.param(with_rows(6, [], 1),
                 (T, [(("Description", 5, None, "description"), 6, 8),
                      (("Execution Steps", 8, "---------------", "steps"), 10, 14),
                      (("Usage Example", 14, "-------------", "example"), 16, 20)],
                  [16, 17, 18], [16, 17, 18]), id="section-without-underline"),
    pytest.param(with_rows(8, ["Note", "----"]),
                 (T, [(DESCRIPTION, 7, 8), (("Note", 8, "----", None), 10, 11), *MOVED],
                  [19, 20, 21], [19, 20, 21]), id="other-heading-is-a-section"),
    pytest.param(with_rows(8, ["Note", "---"]),
                 (T, [(DESCRIPTION, 7, 11), *MOVED],
                  [19, 20, 21], [19, 20, 21]), id="other-text-over-three-dashes-is-text"),
    pytest.param(with_rows(8, ["Note", "XXXX"]),
                 (T, [(DESCRIPTION, 7, 11), *MOVED],
                  [19, 20, 21], [19, 20, 21]), id="letters-are-no-underline"),
    pytest.param(with_rows(9, ["--------", "--------"]),
                 (T, [(DESCRIPTION, 7, 11), *MOVED],
                  [19, 20, 21], [19, 20, 21]), id="a-rule-under-a-rule-is-no-heading"),
    pytest.param(with_rows(8, ["  Note", "  ----"]),
                 (T, [(DESCRIPTION, 7, 11), *MOVED],
                  [8, 9, 19, 20, 21], [19, 20, 21]), id="indented-heading-is-no-heading"),
    pytest.param(with_rows(9, ["  Execution Steps", "  ---------------"], 2),
                 (T, [(DESCRIPTION, 7, 15), (EXAMPLE, 17, 21)], [9, 10, 13, 17, 18, 19],
                  [17, 18, 19]), id="indented-section-name-is-no-heading"),
    pytest.param(with_rows(8, ["A", "----"]),
                 (T, [(DESCRIPTION, 7, 8), (("A", 8, "----", None), 10, 11), *MOVED],
                  [19, 20, 21], [19, 20, 21]), id="one-letter-heading"),
    pytest.param(with_rows(8, ["```", "Execution Steps", "---------------", "```"]),
                 (T, [(DESCRIPTION, 7, 13),
                      (("Execution Steps", 13, "---------------", "steps"), 15, 19),
                      (("Usage Example", 19, "-------------", "example"), 21, 25)],
                  [8, 9, 10, 11, 21, 22, 23], [8, 9, 10, 11, 21, 22, 23]),
                 id="heading-inside-a-fence-is-code"),
    pytest.param(with_rows(5, ["Description", "::", "", "    -----------"], 2),
                 (T, [(("Description", 5, None, "description"), 6, 11), *MOVED],
                  [6, 8, 19, 20, 21], [6, 8, 19, 20, 21]),
                 id="literal-marker-is-no-underline"),
    pytest.param(with_rows(7, ["```", "x", "```"], 2),
                 (T, [(DESCRIPTION, 7, 10), (("Execution Steps", 10, "---------------", "steps"),
                                              12, 16),
                      (("Usage Example", 16, "-------------", "example"), 18, 22)],
                  [7, 8, 9, 18, 19, 20], [7, 8, 9, 18, 19, 20]),
                 id="heading-right-after-a-fence"),
    pytest.param(with_rows(8, [], 1),
                 (T, [(DESCRIPTION, 7, 8), (("Execution Steps", 8, "---------------", "steps"),
                                            10, 14),
                      (("Usage Example", 14, "-------------", "example"), 16, 20)],
                  [16, 17, 18], [16, 17, 18]), id="heading-right-after-text"),
    pytest.param(with_rows(7, [], 2),
                 (T, [(DESCRIPTION, 7, 7), (("Execution Steps", 7, "---------------", "steps"),
                                            9, 13),
                      (("Usage Example", 13, "-------------", "example"), 15, 19)],
                  [15, 16, 17], [15, 16, 17]), id="heading-right-after-an-underline"),
    pytest.param(with_rows(5, ["Description", "-----------", "```", "```"], 2)[:9],
                 (T, [(DESCRIPTION, 7, 9)], [7, 8], [7, 8]), id="fence-right-after-underline"),
    pytest.param(GUIDE[:2] + ["Intro", "-----", ""] + GUIDE[2:],
                 ((TITLE, 5, "=" * 26, "title"),
                  [(("Description", 8, "-----------", "description"), 10, 12),
                   (("Execution Steps", 12, "---------------", "steps"), 14, 18),
                   (("Usage Example", 18, "-------------", "example"), 20, 24)],
                  [20, 21, 22], [20, 21, 22]), id="heading-before-the-title-is-no-section"),
    pytest.param(GUIDE + ["", TITLE, "=" * 26, "Again."],
                 (T, [(DESCRIPTION, 7, 9), (STEPS, 11, 15), (EXAMPLE, 17, 25)],
                  [17, 18, 19], [17, 18, 19]), id="second-title-is-no-section"),
    pytest.param(GUIDE[4:], (None, [(("Description", 0, "-----------", "description"), 2, 4),
                                    (("Execution Steps", 4, "---------------", "steps"), 6, 10),
                                    (("Usage Example", 10, "-------------", "example"), 12, 16)],
                             [12, 13, 14], [12, 13, 14]), id="no-title"),
    pytest.param(["Send it.", "", "Usage example:", "", ">>> send()", "", "Execution Steps",
                  "---------------", "1. Run."],
                 (None, [(("Execution Steps", 6, "---------------", "steps"), 8, 9)], [4], [4]),
                 id="no-title-then-a-name-without-underline-is-prose"),
    pytest.param(["Send it.", "", TITLE, "Description", "Text."],
                 ((TITLE, 2, None, "title"), [(("Description", 3, None, "description"), 4, 5)],
                  [], []), id="title-without-underline"),
    pytest.param(["Send it.", "", "how to use this code block:", "=====", "DESCRIPTION  :",
                  "-----"],
                 (("how to use this code block:", 2, "=====", "title"),
                  [(("DESCRIPTION  :", 4, "-----", "description"), 6, 6)], [], []),
                 id="names-ignore-case-and-a-colon"),
    pytest.param(["Send it.", "", "Overview", "========", "Text.", "  Deeper.", " One."],
                 (None, [(("Overview", 2, "========", None), 4, 7)], [5, 6], []),
                 id="no-title-other-heading-and-deep-lines"),
    pytest.param(with_rows(11, ["  1. **Read**: Opens it.", "  2. **Post**: Sends it",
                                "     and returns.", "  Stray."], 3),
                 (T, [(DESCRIPTION, 7, 9), (STEPS, 11, 16),
                      (("Usage Example", 16, "-------------", "example"), 18, 22)],
                  [14, 18, 19, 20], [18, 19, 20]), id="indented-steps-own-their-lines"),
]


def two_rows_before_steps(first: str, second: str, heading: bool) -> object:
    """GUIDE with two rows between the description's blank line and the steps:
    a heading of no known name when `heading`, else text of the description."""
    sections = ([(DESCRIPTION, 7, 9), ((first, 9, second, None), 11, 11)] if heading
                else [(DESCRIPTION, 7, 11)])
    return pytest.param(with_rows(9, [first, second]),
                        (T, sections + MOVED, [19, 20, 21], [19, 20, 21]),
                        id=f"{first}-over-{second}")


# Which line over a run of 4 dashes is a heading: a line of one adornment character
# (2 or more) is a rule, never a heading; anything else is.
PARSE += [
    two_rows_before_steps("-", "----", True),
    two_rows_before_steps("--", "----", False),
    two_rows_before_steps("=====", "----", False),
    two_rows_before_steps("aaaa", "----", True),
    two_rows_before_steps("-=-=", "----", True),
    two_rows_before_steps("Note", "----", True),
    two_rows_before_steps("Note", "XXXX", False),
    two_rows_before_steps("Note", "-=-=", False),
    two_rows_before_steps("Note", "~~~~", True),
    two_rows_before_steps("Note", "'''''", True),
    two_rows_before_steps("Note", "=-=-", False),
    pytest.param(with_rows(9, ["Note", "  ----"]),
                 (T, [(DESCRIPTION, 7, 11), *MOVED],
                  [10, 19, 20, 21], [19, 20, 21]),
                 id="indented-run-under-other-text-is-no-underline"),
    pytest.param(with_rows(6, ["-"], 1),
                 (T, [(("Description", 5, "-", "description"), 7, 9), (STEPS, 11, 15),
                      (EXAMPLE, 17, 21)], [17, 18, 19], [17, 18, 19]),
                 id="one-character-underline-of-a-section-name"),
]


@pytest.mark.parametrize("texts, expected", PARSE)
def test_parse(texts: List[str], expected: tuple) -> None:
    assert outline(g.parse(text_doc(texts), SETTINGS)) == expected


def test_parse_names_from_settings_normalised() -> None:
    """Names from the configuration meet headings the same way: case, spaces and a
    trailing colon aside; nothing else (not a trailing X)."""
    settings = SETTINGS.with_changes(title="  Usage Guide :  ",
                                     sections=SectionNames(description="APPENDIX"))
    texts = ["Send it.", "", "USAGE GUIDE", "===========", "APPENDI", "-------",
             "Appendix", "--------"]
    assert outline(g.parse(text_doc(texts), settings)) == (
        ("USAGE GUIDE", 2, "===========", "title"),
        [(("APPENDI", 4, "-------", None), 6, 6),
         (("Appendix", 6, "--------", "description"), 8, 8)], [], [])


# --- Guide's own lookups -------------------------------------------------------------

def parsed(texts: Sequence[str] = GUIDE) -> g.Guide:
    return g.parse(text_doc(texts), SETTINGS)


@pytest.mark.parametrize("docstring, index, c, pos", [
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), 0, 0, (10, 8),
                 id="first-line-after-the-quotes"),
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), 0, 2, (10, 10),
                 id="first-line-third-character"),
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), 2, 0, (12, 5),
                 id="relative-indentation"),
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), 2, 4, (12, 9),
                 id="deeper-text"),
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), 3, 1, (13, 6),
                 id="last-line"),
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), 4, 0, (10, 5),
                 id="past-the-end-is-the-literal"),
    pytest.param(doc("Send it.\n\n        Deeper.\n    Body.\n    "), -1, 0, (10, 5),
                 id="negative-is-the-literal"),
    pytest.param(doc("\n    \n    "), 0, 0, (10, 5), id="empty-guide-is-the-literal"),
])
def test_pos(docstring: Docstring, index: int, c: int, pos: Tuple[int, int]) -> None:
    assert g.parse(docstring, SETTINGS).pos(index, c) == pos


def test_pos_default_column_is_the_first_character() -> None:
    guide = g.parse(doc("Send it.\n\n        Deeper.\n    Body.\n    "), SETTINGS)
    assert [guide.pos(0), guide.pos(2)] == [(10, 8), (12, 5)]


@pytest.mark.parametrize("key, heading", [
    pytest.param("description", DESCRIPTION, id="description"),
    pytest.param("steps", STEPS, id="steps"),
    pytest.param("example", EXAMPLE, id="example"),
    pytest.param("title", None, id="the-title-is-no-section"),
    pytest.param(None, None, id="no-key"),
])
def test_section(key: str, heading: Head) -> None:
    found = parsed().section(key)
    assert (None if found is None else head(found.heading)) == heading


@pytest.mark.parametrize("start, end, fences", [
    pytest.param(17, 21, [g.Fence(17, 19, "python")], id="fence-on-the-first-line"),
    pytest.param(11, 17, [], id="fence-on-the-end-line-is-outside"),
    pytest.param(11, 18, [g.Fence(17, 19, "python")], id="fence-on-the-last-line"),
    pytest.param(18, 21, [], id="fence-before-the-start"),
])
def test_fences_in(start: int, end: int, fences: List[g.Fence]) -> None:
    guide = parsed()
    section = g.Section(guide.sections[2].heading, start, end)
    assert guide.fences_in(section) == fences


# --- literal_blocks: code samples, doctests, literal and directive blocks ------------

LITERAL = [
    pytest.param(["Text.", "```python", "x = 1", "```", "After."], {1, 2, 3},
                 [g.Fence(1, 3, "python")], id="fence"),
    pytest.param(["```", "x = 1", "```"], {0, 1, 2}, [g.Fence(0, 2, "")], id="fence-first"),
    pytest.param(["", "```", "x = 1", "```"], {1, 2, 3}, [g.Fence(1, 3, "")],
                 id="fence-after-a-blank"),
    pytest.param(["```", "```", "x"], {0, 1}, [g.Fence(0, 1, "")], id="empty-fence"),
    pytest.param(["```", "x = 1", "y = 2"], {0, 1, 2}, [g.Fence(0, None, "")],
                 id="unclosed-fence"),
    pytest.param(["Text.", "```"], {1}, [g.Fence(1, None, "")], id="unclosed-fence-last-line"),
    pytest.param(["```  py  ", "x", "```"], {0, 1, 2}, [g.Fence(0, 2, "py")], id="info-stripped"),
    pytest.param(["  ```python", "  x", "  ```"], {0, 1, 2}, [g.Fence(0, 2, "python")],
                 id="indented-fence"),
    pytest.param(["```", "a", "```", "```py", "b", "```"], {0, 1, 2, 3, 4, 5},
                 [g.Fence(0, 2, ""), g.Fence(3, 5, "py")], id="two-fences"),
    pytest.param([">>> x = 1", "1", "", "After."], {0, 1}, [], id="doctest"),
    pytest.param(["Text.", ">>> x = 1"], {1}, [], id="doctest-last-line"),
    pytest.param([">>> x = 1", "   ", "After."], {0}, [], id="doctest-ends-at-a-space-line"),
    pytest.param(["Like this::", "", "    x = 1", "", "    y = 2", "", "After."], {2, 4}, [],
                 id="literal-block"),
    pytest.param(["Like this::", "    x = 1", "    y = 2"], {1, 2}, [],
                 id="literal-block-each-line"),
    pytest.param(["Like this::", "After."], set(), [], id="literal-marker-without-block"),
    pytest.param(["Like this::", "After::", "    x"], {2}, [], id="literal-marker-then-another"),
    pytest.param(["  Like this::", " ", "    x = 1"], {2}, [],
                 id="space-only-line-inside-a-block"),
    pytest.param(["Like this::", "    x = 1", "   ", "After."], {1}, [],
                 id="space-only-line-is-no-code"),
    pytest.param(["::", "", "    x = 1"], {0, 2}, [], id="bare-marker"),
    pytest.param(["Like this::", "    ```", "    x"], {1, 2}, [], id="fence-inside-a-block"),
    pytest.param(["Like this::", "    x", "```", "b", "```"], {1, 2, 3, 4}, [g.Fence(2, 4, "")],
                 id="fence-right-after-a-block"),
    pytest.param([".. code-block:: python", "", "    x = 1", "Done."], {0, 2}, [],
                 id="code-directive"),
    pytest.param([".. doctest::", "    >>> x", "Done."], {0, 1}, [],
                 id="code-directive-without-argument"),
    pytest.param([".. code::python", "    x = 1"], set(), [], id="directive-name-needs-a-space"),
    pytest.param(["..code-block:: python", "    x = 1"], set(), [],
                 id="directive-needs-a-space-after-the-dots"),
    pytest.param([".. note::", "    Text."], set(), [], id="other-directive"),
    pytest.param([".. note:: Text", "    More."], set(), [], id="other-directive-with-text"),
    pytest.param(["Plain.", "    Deeper."], set(), [], id="prose"),
]


@pytest.mark.parametrize("texts, code, fences", LITERAL)
def test_literal_blocks(texts: List[str], code: set, fences: List[g.Fence]) -> None:
    assert g.literal_blocks(texts) == (frozenset(code), tuple(fences))


# --- steps ---------------------------------------------------------------------------

def steps_of(body: Sequence[str]) -> Tuple[List[Tuple[int, int, int, str, int]], List[int]]:
    guide = parsed(["Execution Steps", "---------------", *body])
    items, strays = g.steps(guide, guide.sections[0])
    return [(s.number, s.index, s.indent, s.text, s.text_col) for s in items], strays


@pytest.mark.parametrize("body, items, strays", [
    pytest.param(["1. **Read**: Opens it.", "2. Post it."],
                 [(1, 2, 0, "**Read**: Opens it.", 3), (2, 3, 0, "Post it.", 3)], [],
                 id="two-items"),
    pytest.param(["1.   Wide.  ", "12. Twelve."], [(1, 2, 0, "Wide.", 5), (12, 3, 0, "Twelve.", 4)],
                 [], id="spaces-after-the-number"),
    pytest.param(["1.", "2.\tTab."], [(1, 2, 0, "", 2), (2, 3, 0, "Tab.", 3)], [],
                 id="number-alone-and-a-tab"),
    pytest.param(["  1. Read.", "  2. Post.", "     more"],
                 [(1, 2, 2, "Read.", 5), (2, 3, 2, "Post.", 5)], [], id="indented-items"),
    pytest.param(["Intro.", "1. Read.", "   more", "Stray.", "- Bullet."],
                 [(1, 3, 0, "Read.", 3)], [2, 5, 6], id="strays"),
    pytest.param(["  deep first", "1. Read."], [(1, 3, 0, "Read.", 3)], [2],
                 id="deeper-line-before-the-first-item-is-a-stray"),
    pytest.param(["1.5 litres.", "1.x", ". Dot.", "a. Letter."], [], [2, 3, 4, 5],
                 id="not-numbers"),
    pytest.param(["1. Read.", "```", "2. Not a step.", "```", "3. Post."],
                 [(1, 2, 0, "Read.", 3), (3, 6, 0, "Post.", 3)], [], id="fence-at-base-belongs"),
    pytest.param(["```", "x", "```", "1. Read."], [(1, 5, 0, "Read.", 3)], [2, 3, 4],
                 id="fence-before-the-first-item-is-stray"),
    pytest.param(["1. Read.", "   ```", "   x", "   ```"], [(1, 2, 0, "Read.", 3)], [],
                 id="indented-fence-does-not-set-the-base"),
    pytest.param(["```", "1. x", "```"], [], [2, 3, 4], id="only-literal-text"),
    pytest.param(["1. Read.", "   2. Nested."], [(1, 2, 0, "Read.", 3)], [],
                 id="deeper-number-is-a-continuation"),
    pytest.param([], [], [], id="empty"),
])
def test_steps(body: List[str], items: list, strays: List[int]) -> None:
    assert steps_of(body) == (items, strays)


@pytest.mark.parametrize("text, labelled", [
    pytest.param("**Read Report**: Opens it.", True, id="label"),
    pytest.param("**R**: Opens it.", True, id="one-character"),
    pytest.param("**Read**:", True, id="label-alone"),
    pytest.param("**Read**:\tOpens it.", True, id="tab-after"),
    pytest.param("** Read**: Opens it.", True, id="space-first-inside"),
    pytest.param("**Read **: Opens it.", True, id="space-last-inside"),
    pytest.param("**Read**:x", False, id="no-space-after"),
    pytest.param("**Read** Opens it.", False, id="no-colon"),
    pytest.param("** **: Opens it.", False, id="blank-label"),
    pytest.param("****: Opens it.", False, id="empty-label"),
    pytest.param("**Read** the **Report**: it.", False, id="two-bold-runs"),
    pytest.param("Opens **Read**: it.", False, id="label-not-first"),
])
def test_has_label(text: str, labelled: bool) -> None:
    assert g.has_label(g.Step(1, 0, 0, text, 3)) is labelled


# --- prose: inline code and URLs blanked, columns kept -------------------------------

@pytest.mark.parametrize("text, blanked", [
    pytest.param("Reads `path` now.", "Reads        now.", id="inline-code"),
    pytest.param("Reads ``a ` b`` now.", "Reads " + " " * 9 + " now.", id="double-backticks"),
    pytest.param("a `` b", "a `` b", id="empty-code-is-text"),
    pytest.param("a ` b", "a ` b", id="unclosed"),
    pytest.param("`a` and `b`", "    and    ", id="two-spans"),
    pytest.param("see http://x.org/a now", "see                now", id="url"),
    pytest.param("see www.x.org now", "see           now", id="www"),
    pytest.param("see www. now", "see www. now", id="www-alone"),
    pytest.param("see x:// now", "see x:// now", id="scheme-alone"),
    pytest.param("x://y", "     ", id="one-letter-scheme"),
    pytest.param("ab://c", "      ", id="scheme-from-a"),
    pytest.param("zb://c", "      ", id="scheme-from-z"),
    pytest.param("hb://c", "      ", id="scheme-from-h"),
    pytest.param("Ab://c", "      ", id="scheme-from-A"),
    pytest.param("Zb://c", "      ", id="scheme-from-Z"),
    pytest.param("Hb://c", "      ", id="scheme-from-H"),
    pytest.param("xa://c", "      ", id="scheme-with-a"),
    pytest.param("xz://c", "      ", id="scheme-with-z"),
    pytest.param("xb://c", "      ", id="scheme-with-b"),
    pytest.param("xA://c", "      ", id="scheme-with-A"),
    pytest.param("xZ://c", "      ", id="scheme-with-Z"),
    pytest.param("xB://c", "      ", id="scheme-with-B"),
    pytest.param("x0://c", "      ", id="scheme-with-0"),
    pytest.param("x9://c", "      ", id="scheme-with-9"),
    pytest.param("x5://c", "      ", id="scheme-with-5"),
    pytest.param("svn+ssh://c", "           ", id="scheme-with-plus"),
    pytest.param("x.y://c", "       ", id="scheme-with-dot"),
    pytest.param("x-y://c", "       ", id="scheme-with-dash"),
])
def test_prose(text: str, blanked: str) -> None:
    assert g.prose(text) == blanked


# --- code_of: the code inside a fence -------------------------------------------------

@pytest.mark.parametrize("texts, code", [
    pytest.param(GUIDE, ("send()\n", 18), id="closed"),
    pytest.param(["Text.", "```python", "    a = 1", "", "      b = 2", "```", "After."],
                 ("a = 1\n\n  b = 2\n", 2), id="dedented"),
    pytest.param(["Text.", "```python", "a = 1", "b = 2"], ("a = 1\nb = 2\n", 2), id="unclosed"),
    pytest.param(["Text.", "```python", "```"], ("\n", 2), id="empty"),
])
def test_code_of(texts: List[str], code: Tuple[str, int]) -> None:
    guide = parsed(texts)
    assert g.code_of(guide, guide.fences[0]) == code


def test_list_lines() -> None:
    guide = parsed()
    assert list(g.list_lines(guide, guide.sections[1])) == [
        (11, "1. **Read**: Opens it."), (12, "2. **Post**: Sends it"), (13, "   and returns.")]


@pytest.mark.parametrize("heading, problem", [
    pytest.param(g.Heading("Description", 5, "-----------", "description"), None, id="good"),
    pytest.param(g.Heading("Description", 5, "--------------", "description"), None,
                 id="longer"),
    pytest.param(g.Heading("Description", 5, None, "description"),
                 "heading 'Description' has no underline: add a line of '-' below it",
                 id="missing"),
    pytest.param(g.Heading("Description", 5, "~~~~~~~~~~~", "description"),
                 "heading 'Description' is underlined with '~'; use '-'", id="wrong-character"),
    pytest.param(g.Heading("Description", 5, "-=-=-=-=-=-", "description"),
                 "heading 'Description' is underlined with '-'; use '-'", id="mixed-characters"),
    pytest.param(g.Heading("Description", 5, "----------", "description"),
                 "underline of 'Description' is 10 characters, shorter than the heading (11)",
                 id="one-short"),
])
def test_underline_problem(heading: g.Heading, problem: Optional[str]) -> None:
    assert g.underline_problem(heading, "-") == problem


# --- the two bugs these tables found, as a user meets them ---------------------------

STEP2 = "2. **Post Text**: Sends the text to the channel\n   and returns its length.\n"
EXAMPLE_CODE = 'sent = send_report("weekly.txt")\n'


@pytest.mark.parametrize("guide, expected", [
    # a code directive with no argument is markup like one with an argument: after a
    # step, at the step's indentation, it was a line that belongs to no step (HOW201)
    pytest.param(replace_line(GOOD_GUIDE, STEP2, STEP2 + ".. doctest::\n\n   >>> x = 1\n"),
                 [], id="directive-without-argument-after-a-step"),
    pytest.param(replace_line(GOOD_GUIDE, STEP2, STEP2 + ".. code::\n\n   x = 1\n"),
                 [], id="code-directive-after-a-step"),
    pytest.param(replace_line(GOOD_GUIDE, STEP2,
                              STEP2 + ".. code-block:: python\n\n   x = 1\n"),
                 [], id="code-block-with-argument-after-a-step"),
    # a syntax error inside the relative indentation of a line: the column is the
    # character's own, not one inside the docstring's common indentation
    pytest.param(replace_line(GOOD_GUIDE, EXAMPLE_CODE, EXAMPLE_CODE + "    x = 1\n"),
                 [("HOW204", " x = 1", 0)], id="error-inside-relative-indentation"),
])
def test_findings(guide: str, expected: List[Tuple[str, str, int]]) -> None:
    source = function_source(guide)
    assert codes_at(source) == [(code, *locate_text(source, needle, nth))
                                for code, needle, nth in expected]
