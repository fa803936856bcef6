"""The code table: every rule's stable code, name and one-line summary, and
selection by code or prefix. The command line reads it before any file is
read; the rules themselves live in rules.py.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, NamedTuple, Tuple


class Code(NamedTuple):
    name: str
    summary: str


# Grouped by hundreds: 0 the file, 1 structure, 2 section content, 3 wording,
# 4 the example against the code, 9 suppressions.
CODES: Dict[str, Code] = {
    "HOW001": Code("unparsable-file", "the file cannot be parsed"),
    "HOW002": Code("unreadable-file", "the file cannot be read or decoded"),
    "HOW100": Code("missing-docstring", "a definition in scope has no docstring"),
    "HOW101": Code("missing-title", "the title is missing"),
    "HOW102": Code("bad-underline",
                   "a heading's underline is missing, of the wrong character, or too short"),
    "HOW103": Code("missing-section", "a required section is missing"),
    "HOW104": Code("section-order", "a required section is out of order or repeated"),
    "HOW105": Code("empty-section", "a required section is empty"),
    "HOW201": Code("steps-not-numbered", "Execution Steps is not a numbered list 1..n"),
    "HOW202": Code("step-without-label", "a step lacks its bold label (`N. **Label**: text`)"),
    "HOW203": Code("missing-example-code", "Usage Example has no ```python block"),
    "HOW204": Code("invalid-example", "the Usage Example code is not valid Python"),
    "HOW205": Code("example-misses-name", "the Usage Example never mentions the documented name"),
    "HOW301": Code("vague-word", "a banned vague word is used in prose"),
    "HOW401": Code("example-call-mismatch", "an example call does not fit the signature"),
    "HOW402": Code("example-import-path",
                   "the example imports the documented name from a module that does not "
                   "provide it"),
    "HOW403": Code("example-fails",
                   "with --run-examples: the Usage Example raises or times out when run"),
    "HOW900": Code("unused-noqa", "a `# noqa` comment suppresses nothing"),
}


def all_codes() -> Tuple[str, ...]:
    return tuple(sorted(CODES))


def matches(code: str, selectors: Iterable[str]) -> bool:
    return any(sel == "ALL" or code.startswith(sel) for sel in selectors)


def valid_selector(selector: str) -> bool:
    return selector == "ALL" or any(c.startswith(selector) for c in CODES)


def enabled_codes(select: Tuple[str, ...], ignore: Tuple[str, ...]) -> FrozenSet[str]:
    return frozenset(c for c in CODES if matches(c, select) and not matches(c, ignore))
