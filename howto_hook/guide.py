"""Pure string work: a docstring into a Guide whose lines know their file position.

The cleanup follows PEP 257 (first line stripped, common indentation of the
rest removed, blank lines trimmed at both ends), but unlike inspect.cleandoc
it never rewrites the text after the indentation, so that every character
of a cleaned line maps back to one file column, tabs and all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

from howto_hook.config import Settings
from howto_hook.model import Docstring

# reStructuredText adornment characters; a line of one of them repeated
# underlines the line above it.
_ADORNMENT = set("=-~^*+#`'\":._")
_STRING_PREFIX = re.compile(r"^[rRuUbBfF]*")


@dataclass(frozen=True)
class DocLine:
    text: str  # the cleaned line, relative indentation kept as spaces
    line: int  # 1-based file line
    base: int  # 0-based file column where the raw line's text starts
    lead: int  # characters of raw leading whitespace on that line
    rel: int  # spaces of relative indentation at the start of `text`

    def col(self, c: int) -> int:
        """1-based file column of character `c` of the cleaned text."""
        if c < self.rel:
            return self.base + min(c, self.lead) + 1
        return self.base + self.lead + (c - self.rel) + 1


@dataclass(frozen=True)
class Heading:
    text: str
    index: int  # index of the heading line in Guide.lines
    underline: Optional[str]  # the stripped underline, None when missing
    key: Optional[str]  # "title", "description", "steps", "example" or None

    @property
    def content_start(self) -> int:
        return self.index + (2 if self.underline is not None else 1)


@dataclass(frozen=True)
class Section:
    heading: Heading
    start: int  # first content line index
    end: int  # one past the last content line index


@dataclass(frozen=True)
class Fence:
    open: int  # line index of the opening fence
    close: Optional[int]  # line index of the closing fence, None if unclosed
    info: str  # text after the backticks: "python", "py", ""


@dataclass(frozen=True)
class Guide:
    lines: Tuple[DocLine, ...]
    title: Optional[Heading]
    sections: Tuple[Section, ...]  # the headings after the title, in order
    fences: Tuple[Fence, ...]
    start: Tuple[int, int]  # file (line, col) of the docstring literal

    def pos(self, index: int, c: int = 0) -> Tuple[int, int]:
        """File (line, 1-based col) of character `c` on cleaned line `index`."""
        if 0 <= index < len(self.lines):
            ln = self.lines[index]
            return ln.line, ln.col(c)
        return self.start

    def section(self, key: str) -> Optional[Section]:
        for s in self.sections:
            if s.heading.key == key:
                return s
        return None

    def fences_in(self, section: Section) -> List[Fence]:
        return [f for f in self.fences if section.start <= f.open < section.end]

    def in_fence(self, index: int) -> bool:
        return any(
            f.open <= index <= (f.close if f.close is not None else len(self.lines))
            for f in self.fences
        )


def body_offset(raw: str) -> int:
    """Characters from the literal's start to its first content character."""
    prefix = _STRING_PREFIX.match(raw).group(0)  # type: ignore[union-attr]
    rest = raw[len(prefix):]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    return len(prefix) + len(quote)


def clean_lines(doc: Docstring) -> Tuple[DocLine, ...]:
    """The docstring's lines after PEP 257 cleanup, each mapped to the file."""
    raw_lines = doc.value.split("\n")
    first_col = doc.col + body_offset(doc.raw)

    def where(i: int) -> Tuple[int, int]:
        if not doc.lines_map:
            return doc.line, doc.col
        return doc.line + i, (first_col if i == 0 else 0)

    widths = []
    for raw in raw_lines[1:]:
        stripped = raw.lstrip()
        if stripped:
            widths.append(len(raw[: len(raw) - len(stripped)].expandtabs()))
    indent = min(widths) if widths else 0

    out: List[DocLine] = []
    for i, raw in enumerate(raw_lines):
        stripped = raw.strip()
        line, base = where(i)
        lead = len(raw) - len(raw.lstrip())
        if not stripped:
            out.append(DocLine("", line, base, lead, 0))
            continue
        rel = 0 if i == 0 else len(raw[:lead].expandtabs()) - indent
        out.append(DocLine(" " * rel + raw[lead:].rstrip(), line, base, lead, rel))
    while out and not out[0].text:
        out.pop(0)
    while out and not out[-1].text:
        out.pop()
    return tuple(out)


def _is_adornment(text: str) -> bool:
    s = text.strip()
    return len(s) >= 2 and s[0] in _ADORNMENT and s == s[0] * len(s)


def _normal(text: str) -> str:
    return text.strip().rstrip(":").strip().casefold()


def parse(doc: Docstring, settings: Settings) -> Guide:
    """Split a docstring into title, sections and code fences."""
    lines = clean_lines(doc)
    texts = [ln.text for ln in lines]
    names = {_normal(settings.title): "title"}
    for key, name in zip(("description", "steps", "example"), settings.sections.ordered()):
        names[_normal(name)] = key

    headings: List[Heading] = []
    fences: List[Fence] = []
    open_fence: Optional[Tuple[int, str]] = None
    i = 0
    n = len(texts)
    while i < n:
        s = texts[i].strip()
        if s.startswith("```"):
            if open_fence is None:
                open_fence = (i, s[3:].strip())
            else:
                fences.append(Fence(open_fence[0], i, open_fence[1]))
                open_fence = None
            i += 1
            continue
        if open_fence is not None or not s or _is_adornment(s):
            i += 1
            continue
        key = names.get(_normal(s))
        nxt = texts[i + 1] if i + 1 < n else ""
        # A one-character underline is too weak a signal for an unknown
        # heading, but under a known section name it is a too-short one.
        if _is_adornment(nxt) or (key is not None and nxt.strip() in _ADORNMENT
                                  and len(nxt.strip()) == 1):
            headings.append(Heading(s, i, nxt.strip(), key))
            i += 2
            continue
        if key is not None:
            headings.append(Heading(s, i, None, key))
        i += 1
    if open_fence is not None:
        fences.append(Fence(open_fence[0], None, open_fence[1]))

    title = next((h for h in headings if h.key == "title"), None)
    after = [h for h in headings if title is None or h.index > title.index]
    after = [h for h in after if h.key != "title"]
    sections = []
    for j, h in enumerate(after):
        end = after[j + 1].index if j + 1 < len(after) else n
        sections.append(Section(h, h.content_start, end))
    start = (doc.line, doc.col + 1)
    return Guide(lines, title, tuple(sections), tuple(fences), start)


# --- helpers the rules share ------------------------------------------------

_STEP = re.compile(r"^(\d+)\.(?=\s|$)")
_LABEL = re.compile(r"^\*\*[^*\n]*\S[^*\n]*\*\*:(?=\s|$)")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_URL = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)\S+")


@dataclass(frozen=True)
class Step:
    number: int
    index: int  # line index of the item
    indent: int  # column of the number on the cleaned line
    text: str  # the item's text after "N. "
    text_col: int  # column of `text` on the cleaned line


def list_lines(guide: Guide, section: Section) -> Iterator[Tuple[int, str]]:
    """(index, text) of the non-blank content lines of a section."""
    for i in range(section.start, section.end):
        text = guide.lines[i].text
        if text.strip():
            yield i, text


def steps(guide: Guide, section: Section) -> Tuple[List[Step], List[int]]:
    """Numbered items of a section, and the lines that belong to no item."""
    body = list(list_lines(guide, section))
    if not body:
        return [], []
    base = min(len(t) - len(t.lstrip()) for _, t in body)
    items: List[Step] = []
    strays: List[int] = []
    for i, text in body:
        indent = len(text) - len(text.lstrip())
        m = _STEP.match(text[indent:]) if indent == base else None
        if m:
            rest = text[indent + m.end():]
            skip = len(rest) - len(rest.lstrip())
            items.append(Step(int(m.group(1)), i, indent, rest.strip(),
                              indent + m.end() + skip))
        elif indent > base and items:
            continue  # a continuation line of the current item
        else:
            strays.append(i)
    return items, strays


def has_label(step: Step) -> bool:
    return _LABEL.match(step.text) is not None


def prose(text: str) -> str:
    """The line with inline code and URLs blanked out, columns preserved."""
    def blank(m: "re.Match[str]") -> str:
        return " " * len(m.group(0))

    return _URL.sub(blank, _INLINE_CODE.sub(blank, text))


def code_of(guide: Guide, fence: Fence) -> Tuple[str, int]:
    """The dedented code inside a closed fence and its first line index."""
    end = fence.close if fence.close is not None else len(guide.lines)
    rows = [guide.lines[i].text for i in range(fence.open + 1, end)]
    widths = [len(r) - len(r.lstrip()) for r in rows if r.strip()]
    cut = min(widths) if widths else 0
    return "\n".join(r[cut:] for r in rows) + "\n", fence.open + 1


def underline_problem(h: Heading, char: str) -> Optional[str]:
    """Why a heading's underline is not valid, or None."""
    if h.underline is None:
        return f"heading {h.text!r} has no underline: add a line of {char!r} below it"
    if set(h.underline) != {char}:
        return (f"heading {h.text!r} is underlined with {h.underline[0]!r}; "
                f"use {char!r}")
    if len(h.underline) < len(h.text):
        return (f"underline of {h.text!r} is {len(h.underline)} characters, "
                f"shorter than the heading ({len(h.text)})")
    return None


def sections_in(guide: Guide, keys: Sequence[str]) -> List[Section]:
    return [s for s in guide.sections if s.heading.key in keys]
