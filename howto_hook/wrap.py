"""Fit generated prose to the project's line length.

Pure string work. A line is measured as it will stand in the file: the
body's indentation before it (tabs to 4-column stops, as ruff counts them)
and wide characters as two columns. Prose is filled greedily; a code span in
backticks (with the punctuation stuck to it) and a bold step label are never
broken, so a line runs over only when one such piece is longer than the room.
A person's text is never passed here, and code is never wrapped like
prose: a generated example line too wide is split at its brackets, as black
would split it.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
from typing import List, NamedTuple, Optional

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


def _written(text: str) -> int:
    """Columns once in the literal, where each backslash is escaped."""
    return columns(text) + text.count("\\")


def fill(text: str, width: int, *, first: int = 0, indent: str = "") -> str:
    """`text` as lines of at most `width` columns where the pieces allow.

    `first` is how many columns already stand before the first line (a step's
    "1. **Label**: "); every later line starts with `indent`.
    """
    lines: List[List[str]] = [[]]
    for piece in pieces(text):
        current = lines[-1]
        start = first if len(lines) == 1 else columns(indent)
        if current and start + _written(" ".join(current + [piece])) > width:
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


# --- generated example code ----------------------------------------------------------


def _split_line(line: str, width: int) -> Optional[List[str]]:
    """`line` split as black splits it: at the brackets of its last call or
    literal, the contents on one indented line when they fit there, else one
    item a line with a trailing comma; None when it has no such brackets."""
    lead = line[: len(line) - len(line.lstrip())]
    m = _IMPORT.match(line)
    if m and "(" not in line:
        names = [n.strip() for n in m.group(2).split(",")]
        return [f"{m.group(1)}(", *(f"{lead}    {n}," for n in names), f"{lead})"]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    closers = [t for t in tokens if t.type == tokenize.OP and t.string in ")]}"]
    if not closers:
        return None
    close = closers[-1]
    depth, commas, open_tok = 0, [], None
    for tok in reversed(tokens[: tokens.index(close)]):
        if tok.type != tokenize.OP:
            continue
        if tok.string in ")]}":
            depth += 1
        elif tok.string in "([{":
            if depth == 0:
                open_tok = tok
                break
            depth -= 1
        elif tok.string == "," and depth == 0:
            commas.append(tok.start[1])
    if open_tok is None:
        return None
    text = line.strip()
    start, end = open_tok.end[1], close.start[1]
    head, body, tail = text[:start], text[start:end].strip(), text[end:]
    if not body:
        return None
    inner = lead + "    "
    if columns(inner + body) <= width:
        return [lead + head, inner + body, lead + tail]
    cuts = [start] + sorted(c + 1 for c in commas) + [end]
    items = [text[a:b].strip().rstrip(",").strip() for a, b in zip(cuts, cuts[1:])]
    return [lead + head, *(f"{inner}{item}," for item in items if item), lead + tail]


_IMPORT = re.compile(r"^(\s*from\s+\S+\s+import\s+)(.+)$")


def fit_code(code: str, width: int) -> str:
    """Generated example code with each line too wide for `width` split as
    black would split it, so the example fits without being wrapped like
    prose; a line that cannot be split so (or whose split would change what
    the code means) stays as it is."""
    lines = code.split("\n")
    if all(columns(line) <= width for line in lines):
        return code
    try:
        tree = ast.dump(ast.parse(code))
    except SyntaxError:
        return code
    out: List[str] = []
    for line in lines:
        split = _split_line(line, width) if columns(line) > width else None
        out.extend(split or [line])
    fitted = "\n".join(out)
    try:
        same = ast.dump(ast.parse(fitted)) == tree
    except SyntaxError:
        same = False
    return fitted if same else code
