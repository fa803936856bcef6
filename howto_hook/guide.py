"""Pure string work: a docstring into a Guide whose lines know their file position.

The cleanup follows PEP 257 (first line stripped, common indentation of the
rest removed, blank lines trimmed at both ends), but unlike inspect.cleandoc
it never rewrites the text after the indentation, so that every character
of a cleaned line maps back to one file column, tabs and all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

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
    pad: str  # the raw leading whitespace of that line, tabs and all
    rel: int  # spaces of relative indentation at the start of `text`

    def col(self, c: int) -> int:
        """1-based file column of character `c` of the cleaned text."""
        if c >= self.rel:
            return self.base + len(self.pad) + (c - self.rel) + 1
        # Inside the relative indentation: the raw character that covers the
        # same expanded column (one tab may cover several of the spaces).
        at = len(self.pad.expandtabs()) - self.rel + c
        k = 0
        while len(self.pad[:k + 1].expandtabs()) <= at:
            k += 1
        return self.base + k + 1


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
    # Lines of literal text (code samples, doctests, fenced and directive
    # bodies) and of blocks indented deeper than the base that are no step's
    # continuation: they hold no heading, no step and no prose word.
    opaque: FrozenSet[int] = frozenset()
    code: FrozenSet[int] = frozenset()  # the literal lines alone, a subset of opaque

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
        pad = raw[: len(raw) - len(raw.lstrip())]
        if not stripped:
            out.append(DocLine("", line, base, pad, 0))
            continue
        rel = 0 if i == 0 else len(pad.expandtabs()) - indent
        out.append(DocLine(" " * rel + raw[len(pad):].rstrip(), line, base, pad, rel))
    while out and not out[0].text:
        out.pop(0)
    while out and not out[-1].text:
        out.pop()
    return tuple(out)


def _is_adornment(text: str) -> bool:
    s = text.strip()
    return len(s) >= 2 and s[0] in _ADORNMENT and s == s[0] * len(s)


def _underline(text: str, known: bool) -> bool:
    """Whether `text` underlines the line above it.

    Under a known heading any run of one adornment character counts (a short
    or wrong one is a finding); under other text, as in reStructuredText, a
    run shorter than 4 is text, so that `...` under code is never one.
    """
    s = text.strip()
    if not s or s[0] not in _ADORNMENT or s != s[0] * len(s):
        return False
    return known or (len(s) >= 4 and text == s)


def _normal(text: str) -> str:
    return text.strip().rstrip(":").strip().casefold()


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


# The directives whose body is code, never prose or structure.
_CODE_DIRECTIVE = re.compile(
    r"^\.\.\s+(?:code-block|code|sourcecode|doctest|testcode|testoutput)::(?:\s|$)")


def literal_blocks(texts: Sequence[str]) -> Tuple[FrozenSet[int], Tuple[Fence, ...]]:
    """Indices of the lines of literal text, and the fenced blocks among them.

    Literal text is a fenced block (its fences included), a doctest block
    (a `>>>` line and what follows up to the next blank line), the indented
    block after a paragraph that ends in `::` (and a `::` line of its own),
    and a code directive with its indented body.
    """
    code: Set[int] = set()
    fences: List[Fence] = []
    i, n = 0, len(texts)
    while i < n:
        s = texts[i].strip()
        if not s:
            i += 1
        elif s.startswith("```"):
            j = i + 1
            while j < n and not texts[j].strip().startswith("```"):
                j += 1
            fences.append(Fence(i, j if j < n else None, s[3:].strip()))
            code.update(range(i, min(j, n - 1) + 1))
            i = j + 1
        elif s.startswith(">>>"):
            while i < n and texts[i].strip():
                code.add(i)
                i += 1
        elif _CODE_DIRECTIVE.match(s) or (s.endswith("::") and not s.startswith("..")):
            if s.startswith("..") or s == "::":
                code.add(i)  # markup only: a directive line, a bare `::`
            # the block is every following line indented deeper (blank lines within)
            own, j, last = _indent(texts[i]), i + 1, i
            while j < n and (not texts[j].strip() or _indent(texts[j]) > own):
                if texts[j].strip():
                    code.add(j)
                    last = j
                j += 1
            i = last + 1
        else:
            i += 1
    return frozenset(code), tuple(fences)


def parse(doc: Docstring, settings: Settings) -> Guide:
    """Split a docstring into title, sections and code fences."""
    lines = clean_lines(doc)
    texts = [ln.text for ln in lines]
    names = {_normal(settings.title): "title"}
    for key, name in zip(("description", "steps", "example"), settings.sections.ordered()):
        names[_normal(name)] = key
    code, fences = literal_blocks(texts)

    # A heading is a line at the base indentation, outside literal text,
    # underlined on the next line.
    headings: List[Heading] = []
    i = 0
    n = len(texts)
    while i < n:
        text = texts[i]
        if i in code or not text.strip() or text[0].isspace() or _is_adornment(text):
            i += 1
            continue
        s = text.strip()
        key = names.get(_normal(s))
        nxt = texts[i + 1] if i + 1 < n and i + 1 not in code else ""
        if _underline(nxt, key is not None):
            headings.append(Heading(s, i, nxt.strip(), key))
            i += 2
            continue
        if key is not None:
            headings.append(Heading(s, i, None, key))
        i += 1

    title = next((h for h in headings if h.key == "title"), None)
    after = [h for h in headings if title is None or h.index > title.index]
    after = [h for h in after if h.key != "title"]
    if title is None:
        # Without a title, a section name with no underline is prose that
        # happens to say it ("Usage example:" before a doctest), not a heading.
        after = [h for h in after if h.underline is not None]
    sections = []
    for j, h in enumerate(after):
        end = after[j + 1].index if j + 1 < len(after) else n
        sections.append(Section(h, h.content_start, end))

    # Lines indented deeper than the base are opaque, but for what a step
    # owns: its own line and its continuation lines.
    owned: Set[int] = set()
    for section in sections:
        if section.heading.key == "steps":
            items, _, more = _walk_steps(texts, section, code)
            owned.update(item.index for item in items)
            owned.update(more)
    deep = {k for k, t in enumerate(texts) if t[:1].isspace() and k not in owned}
    start = (doc.line, doc.col + 1)
    return Guide(lines, title, tuple(sections), fences, start, frozenset(code | deep), code)


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
    items, strays, _ = _walk_steps([ln.text for ln in guide.lines], section, guide.code)
    return items, strays


def _walk_steps(texts: Sequence[str], section: Section, code: FrozenSet[int]
                ) -> Tuple[List[Step], List[int], List[int]]:
    """(items, stray lines, continuation lines) of a steps section.

    Literal text is never an item: after an item it belongs to that item,
    before the first one it is a stray line.
    """
    body = [(i, texts[i]) for i in range(section.start, section.end) if texts[i].strip()]
    if not body:
        return [], [], []
    base = min(_indent(t) for i, t in body if i not in code) if any(
        i not in code for i, _ in body) else 0
    items: List[Step] = []
    strays: List[int] = []
    more: List[int] = []
    for i, text in body:
        indent = _indent(text)
        m = _STEP.match(text[indent:]) if indent == base and i not in code else None
        if m:
            rest = text[indent + m.end():]
            skip = len(rest) - len(rest.lstrip())
            items.append(Step(int(m.group(1)), i, indent, rest.strip(),
                              indent + m.end() + skip))
        elif items and (indent > base or i in code):
            more.append(i)  # a continuation line of the current item
        else:
            strays.append(i)
    return items, strays, more


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
