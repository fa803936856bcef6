"""What every generator shares: the request, the parts of a guide, rendering.

A generator turns a Request into GuideParts; `render` turns parts into the
docstring text, so that the structure is always right whoever wrote the
words. `salvage` takes an existing docstring apart so that a person's text
is kept: its summary stays the preamble, its prose the Description, and
sections that already pass stay as they are.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import List, Optional, Protocol, Sequence, Tuple

from howto_hook import guide as g
from howto_hook import rules
from howto_hook.config import Settings
from howto_hook.model import Docstring, Target, Violation
from howto_hook.wrap import Room, columns, fill, fill_paragraphs, fit_code

WIDTH = 72  # the default width of `wrap`; render fits the request's Room instead


@dataclass(frozen=True)
class Step:
    label: str
    text: str


@dataclass(frozen=True)
class GuideParts:
    preamble: str = ""  # the summary before the title
    description: str = ""  # generated prose, filled to the line length
    steps: Tuple[Step, ...] = ()
    example: str = ""  # plain code, no fences
    # Verbatim bodies of sections that already pass, used instead of the above.
    kept_description: Optional[str] = None  # a person's prose: never rewrapped
    kept_steps: Optional[str] = None
    kept_example: Optional[str] = None
    extra: str = ""  # other sections, after the required ones, verbatim
    # whether `example` (or the kept one) is taken verbatim from the project (its
    # doctest, a real use, the person's own): written even when examples are not run
    verbatim: bool = False


@dataclass(frozen=True)
class Request:
    target: Target
    source: str  # the definition's source, dedented
    import_path: str  # dotted module path the example imports from
    settings: Settings
    owner: Optional[Target] = None  # the class of a method
    class_header: str = ""  # "class Store(Base):" for a method
    violations: Tuple[Violation, ...] = ()
    room: Room = Room()  # the line length and indentation the guide must fit
    # the whole file's text, for what the definition alone cannot tell (the
    # names a doctest takes from the module, a class's base); "" when unknown
    module_text: str = ""
    path: str = ""  # the file on disk (target.path is how it is displayed)


@dataclass(frozen=True)
class Outcome:
    request: Request
    text: Optional[str]  # the new docstring (cleaned, no indentation), None on failure
    error: str = ""
    tokens: int = 0
    cached: bool = False
    # Other whole docstrings to fall back on, best first, when --run-examples
    # sees the example of `text` fail (examples.vet tries them in order).
    alternatives: Tuple[str, ...] = ()
    # For `text` and then each alternative: whether its example is taken verbatim
    # (GuideParts.verbatim); missing means not. Without running examples, only
    # such a candidate is written (examples.VerbatimOnly).
    verbatim: Tuple[bool, ...] = ()


class Generator(Protocol):
    name: str

    def generate(self, requests: Sequence[Request]) -> List[Outcome]:
        ...


# --- rendering ---------------------------------------------------------------------


def wrap(text: str, width: int = WIDTH, indent: str = "", first: int = 0) -> str:
    """Wrap generated prose; inline code spans are never split.

    `first` is how many characters stand before the first line (a step's
    "1. **Label**: "), `indent` what starts every later line.
    """
    return fill(text, width, first=first, indent=indent)


def _heading(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}"


def render(parts: GuideParts, settings: Settings, room: Room = Room()) -> str:
    """The guide's text; generated prose and steps fit `room`, a person's
    text and all code stay as they are."""
    names = settings.sections
    out: List[str] = []
    if parts.preamble.strip():
        out.append(parts.preamble.strip("\n"))
    out.append(_heading(settings.title, "="))
    if parts.kept_description is not None:
        description = parts.kept_description.strip("\n")
    else:
        description = fill_paragraphs(parts.description, room.width)
    out.append(_heading(names.description, "-") + "\n" + description)
    if parts.kept_steps is not None:
        steps = parts.kept_steps.strip("\n")
    else:
        rows = []
        for n, step in enumerate(parts.steps, start=1):
            head = f"{n}. **{step.label}**: "
            rows.append(head + fill(step.text, room.width, first=columns(head),
                                    indent=" " * len(f"{n}. ")))
        steps = "\n".join(rows)
    out.append(_heading(names.steps, "-") + "\n" + steps)
    if parts.kept_example is not None:
        example = parts.kept_example.strip("\n")
    else:
        example = "```python\n" + fit_code(parts.example.strip("\n"), room.width) + "\n```"
    out.append(_heading(names.example, "-") + "\n\n" + example)
    if parts.extra.strip():
        out.append(parts.extra.strip("\n"))
    return "\n\n".join(out) + "\n"


# --- salvaging a person's docstring ----------------------------------------------


@dataclass(frozen=True)
class Salvage:
    preamble: str = ""  # the person's text before the guide, verbatim
    description: str = ""  # human prose for the Description ("" when none)
    steps: Optional[str] = None  # a passing steps body, verbatim
    repaired_steps: Tuple[Step, ...] = ()  # a failing list's items, relabelled
    example: Optional[str] = None  # a passing example body, verbatim
    example_prose: str = ""  # human text of a failing example, kept as prose
    example_code: str = ""  # human code of a failing example, kept in a second block
    extra: str = ""
    human: bool = False  # whether there was any text at all


_STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "its", "it", "by",
         "at", "from", "into", "is", "are", "was", "were", "be", "what", "which", "that", "this",
         "these", "those"}


def label_for(text: str, fallback: str = "Run Step") -> str:
    """A short Title Case label from the first words of a step's text, ended at
    the first piece of code (`_unused`, `!=`, `0`, `x.y`): a label made of the
    words around it would read as nonsense ("If _unused 0")."""
    words: List[str] = []
    for raw in text.split():
        word = raw.strip(".,;:()[]{}'\"`*")
        if not word:
            continue
        if not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", word):
            break
        if word.lower() not in _STOP:
            words.append(word)
        if len(words) == 3 or raw.endswith((".", ",", ";", ":")):
            break  # a label stays inside the text's first clause
    label = " ".join(w[:1].upper() + w[1:] for w in words)
    return label or fallback


def docstring_of(text: str) -> Docstring:
    """A docstring record for text that lives in no file (line 1, column 0)."""
    return Docstring(value=text, raw='"""' + text + '"""', line=1, col=0,
                     end_line=text.count("\n") + 1, lines_map=True)


def _body(guide: g.Guide, section: g.Section) -> str:
    rows = [guide.lines[i].text for i in range(section.start, section.end)]
    return textwrap.dedent("\n".join(rows)).strip("\n")


def _block(guide: g.Guide, section: g.Section) -> str:
    """A whole section, heading and underline included, verbatim."""
    rows = [guide.lines[i].text for i in range(section.heading.index, section.end)]
    return "\n".join(rows).strip("\n")


def _failing_lines(guide: g.Guide, target: Target, settings: Settings, codes: Sequence[str]
                   ) -> List[int]:
    """Docstring-relative line numbers where the given rules fire."""
    ctx = rules.Context(target, guide, settings)
    out: List[int] = []
    for code in codes:
        fn = rules.RULES[code].check
        if fn is not None:
            out.extend(line for line, _, _ in fn(ctx))
    return out


def _within(guide: g.Guide, section: g.Section, lines: Sequence[int]) -> bool:
    first = guide.lines[section.heading.index].line
    last = guide.lines[section.end - 1].line if section.end > section.heading.index else first
    return any(first <= n <= last for n in lines)


def salvage(existing: Optional[str], target: Target, settings: Settings) -> Salvage:
    """Take an existing docstring apart, losing none of its text."""
    if existing is None or not existing.strip():
        return Salvage()
    guide = g.parse(docstring_of(existing), settings)
    texts = [ln.text for ln in guide.lines]
    if guide.title is None and all(s.heading.key is None for s in guide.sections):
        # No part of a guide yet: the person's text stays whole, as written, and
        # the guide follows it. Nothing is inserted inside their prose, so a
        # summary that wraps, a doctest and its output, a `::` paragraph and
        # its literal block, and sections of their own all stay together.
        return Salvage(preamble="\n".join(texts).strip("\n"), human=True)

    start = guide.title.index if guide.title else guide.sections[0].heading.index
    preamble = "\n".join(texts[:start]).strip("\n")
    description_parts: List[str] = []
    steps: Optional[str] = None
    repaired: Tuple[Step, ...] = ()
    example: Optional[str] = None
    prose = code = ""
    extra: List[str] = []
    seen = set()
    tgt = target
    step_fail = _failing_lines(guide, tgt, settings, ("HOW201", "HOW202", "HOW105"))
    example_fail = _failing_lines(guide, tgt, settings, ("HOW203", "HOW204", "HOW205", "HOW105"))
    for section in guide.sections:
        key = section.heading.key
        body = _body(guide, section)
        if key is None:
            extra.append(_block(guide, section))
            continue
        if key in seen or key == "description":
            if body:
                description_parts.append(body)
            seen.add(key)
            continue
        seen.add(key)
        if key == "steps" and body:
            if not _within(guide, section, step_fail):
                steps = body
            else:
                repaired = _repair_steps(guide, section)
        elif key == "example" and body:
            if not _within(guide, section, example_fail):
                example = body
            else:
                prose, code = _split_example(guide, section)
    return Salvage(preamble=preamble, description="\n\n".join(description_parts), steps=steps,
                   repaired_steps=repaired, example=example, example_prose=prose,
                   example_code=code, extra="\n\n".join(extra), human=True)


def _repair_steps(guide: g.Guide, section: g.Section) -> Tuple[Step, ...]:
    """Turn a failing list (bullets, wrong numbers, no labels) into labelled steps."""
    items: List[str] = []
    for text in _body(guide, section).split("\n"):
        stripped = text.strip()
        if not stripped:
            continue
        m = re.match(r"^(?:\d+[.)]|[-*+\u2022])\s+(.*)$", text)  # an item at the left edge
        if m:
            items.append(m.group(1))
        elif items and text[:1].isspace():
            items[-1] += " " + stripped  # a continuation line
        else:
            items.append(stripped)  # prose: each line of it becomes a step
    out = []
    for item in items:
        m = re.match(r"^\*\*([^*]+)\*\*:?\s*(.*)$", item)
        if m:
            out.append(Step(m.group(1).strip(), m.group(2).strip() or m.group(1).strip()))
        else:
            out.append(Step(label_for(item), item))
    return tuple(out)


def _split_example(guide: g.Guide, section: g.Section) -> Tuple[str, str]:
    """Human prose and code of a failing example section, to keep beside new code."""
    prose: List[str] = []
    code: List[str] = []
    inside = False
    for i in range(section.start, section.end):
        text = guide.lines[i].text
        if text.strip().startswith("```"):
            inside = not inside
            continue
        (code if inside else prose).append(text)
    return "\n".join(prose).strip("\n"), textwrap.dedent("\n".join(code)).strip("\n")
