"""Fit generated prose to the project's line length.

Pure string work. A line is measured as it will stand in the file: the
body's indentation before it (tabs to 4-column stops, as ruff counts them)
and wide characters as two columns. Prose is filled greedily; a code span in
backticks (with the punctuation stuck to it) and a bold step label are never
broken, so a line runs over only when one such piece is longer than the room.
Code and a person's text are never passed here.
"""
from __future__ import annotations

import re
import unicodedata
from typing import List, NamedTuple

DEFAULT_LINE_LENGTH = 88
TAB = 4  # columns of a tab stop, as ruff's line-length check counts them
# Generated prose never gets narrower than this, however deep the definition.
MIN_WIDTH = 40


class Room(NamedTuple):
    """Where a docstring's lines will stand: the line length they must fit
    and the indentation (in columns) in front of each of them."""

    line_length: int = DEFAULT_LINE_LENGTH
    indent: int = 4

    @property
    def width(self) -> int:
        """Columns left for the text of one docstring line."""
        return max(self.line_length - self.indent, MIN_WIDTH)


def columns(text: str, start: int = 0) -> int:
    """The column after `text` when it starts at column `start`."""
    col = start
    for ch in text:
        if ch == "\t":
            col += TAB - col % TAB
        elif unicodedata.east_asian_width(ch) in "WF":
            col += 2
        elif not unicodedata.combining(ch):
            col += 1
    return col


# A code span with whatever sticks to it ("`x`," or "(`x`)"), a bold label, a word.
_PIECE = re.compile(r"\S*?`[^`]*`\S*|\S*?\*\*[^*]+\*\*\S*|\S+")
# A word that would read as structure at the start of a line: a list item,
# a heading underline, a doctest prompt, a comment, a directive.
_RISKY_START = re.compile(r"^(?:\d+[.)]|[-*+]|#|>>>|\.\.|[=\-~^\"'`#*+]{4,}|\|)$")


def pieces(text: str) -> List[str]:
    """The unbreakable pieces of a paragraph, in order."""
    return _PIECE.findall(text)


def fill(text: str, width: int, *, first: int = 0, indent: str = "") -> str:
    """`text` as lines of at most `width` columns where the pieces allow.

    `first` is how many columns already stand before the first line (a step's
    "1. **Label**: "); every later line starts with `indent`.
    """
    lines: List[List[str]] = [[]]
    for piece in pieces(text):
        current = lines[-1]
        start = first if len(lines) == 1 else columns(indent)
        if current and start + columns(" ".join(current + [piece])) > width:
            carried: List[str] = []
            # never start a line with what reads as a list item or a heading
            while len(current) > 1 and _RISKY_START.match((carried or [piece])[0]):
                carried.insert(0, current.pop())
            lines.append(carried)
        lines[-1].append(piece)
    return ("\n" + indent).join(" ".join(line) for line in lines if line)


_STRUCTURE = re.compile(r"^(?:\s|\d+[.)]\s|[-*+]\s|>>>|\.\. |```|\||=+$|-+$)")


def fill_paragraphs(text: str, width: int) -> str:
    """Fill each paragraph of plain prose; a paragraph holding anything else
    (a list, an indented or literal block, a table, a fence) stays as it is."""
    out = []
    for para in re.split(r"\n[ \t]*\n", text.strip("\n")):
        rows = para.split("\n")
        plain = not any(_STRUCTURE.match(r) for r in rows) and not para.rstrip().endswith("::")
        out.append(fill(" ".join(r.strip() for r in rows), width) if plain else para)
    return "\n\n".join(out)
