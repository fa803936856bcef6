"""The rule registry: one small function per code, registered explicitly.

A rule takes a Context (the definition, its parsed guide, the settings) and
yields (line, col, message) in file coordinates. File-level codes (HOW001,
HOW002) and the missing-docstring code (HOW100) are produced by the
pipeline in check.py but registered here so that they have a name and a doc.
Codes are grouped by hundreds: 0 file, 1 structure, 2 section content,
3 wording, 4 example against code, 9 suppressions.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple, Union

from howto_hook import codes
from howto_hook import guide as g
from howto_hook.codes import CODES
from howto_hook import modpath, signature
from howto_hook.config import Settings
from howto_hook.model import Target

Finding = Tuple[int, int, str]


@dataclass(frozen=True)
class Context:
    target: Target
    guide: g.Guide
    settings: Settings
    # The codes this run reports (None: all): HOW103 leaves a docstring with
    # none of the guide to HOW101 only when HOW101 is there to report it.
    enabled: Optional[FrozenSet[str]] = None
    # Several rules read the same parsed example and steps: compute them once.
    memo: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def once(self, name: str, compute: Callable[[], Any]) -> Any:
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


CheckFn = Callable[[Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    check: Optional[CheckFn]


RULES: Dict[str, Rule] = {}


def register(code: str) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        RULES[code] = Rule(code, CODES[code].name, CODES[code].summary, fn)
        return fn

    return deco


# Codes the pipeline reports itself (check.py) have no check function here;
# HOW403 needs child processes, so it runs after the pure rules (examples.py).
for _code in ("HOW001", "HOW002", "HOW100", "HOW403", "HOW900"):
    RULES[_code] = Rule(_code, CODES[_code].name, CODES[_code].summary, None)


# --- HOW1: structure ----------------------------------------------------------


def _unstructured(guide: g.Guide) -> bool:
    """A docstring with none of the guide's title and required sections yet."""
    return guide.title is None and all(s.heading.key is None for s in guide.sections)


@register("HOW101")
def missing_title(ctx: Context) -> Iterator[Finding]:
    if ctx.guide.title is None:
        line, col = ctx.guide.pos(0)
        title = ctx.settings.title
        if _unstructured(ctx.guide):
            # one finding that says everything to add, not one per section
            names = ", ".join(repr(n) for n in ctx.settings.sections.ordered())
            yield line, col, (f"docstring is not a usage guide: add the title {title!r} "
                              f"underlined with '=' and the sections {names}, each "
                              f"underlined with '-'")
        else:
            yield line, col, f"docstring has no title: add {title!r} underlined with '='"


@register("HOW102")
def bad_underline(ctx: Context) -> Iterator[Finding]:
    heads: List[Tuple[g.Heading, str]] = []
    if ctx.guide.title is not None:
        heads.append((ctx.guide.title, "="))
    heads.extend((s.heading, "-") for s in ctx.guide.sections if s.heading.key is not None)
    if ctx.guide.title is not None:
        # Other sections of a guide may use any adornment (a deeper level), so
        # each is held to its own character: only a short underline is wrong.
        heads.extend((s.heading, s.heading.underline[0]) for s in ctx.guide.sections
                     if s.heading.key is None and s.heading.underline is not None)
    for head, char in heads:
        problem = g.underline_problem(head, char)
        if problem is None:
            continue
        index = head.index if head.underline is None else head.index + 1
        line, col = ctx.guide.pos(index, _indent(ctx.guide, index))
        yield line, col, problem


_KEYS = ("description", "steps", "example")


def _names(settings: Settings) -> Dict[str, str]:
    return dict(zip(_KEYS, settings.sections.ordered()))


@register("HOW103")
def missing_section(ctx: Context) -> Iterator[Finding]:
    if _unstructured(ctx.guide) and (ctx.enabled is None or "HOW101" in ctx.enabled):
        return  # HOW101 names every section to add
    names = _names(ctx.settings)
    anchor = ctx.guide.title.index if ctx.guide.title else 0
    previous = ""
    for key in _KEYS:
        found = ctx.guide.section(key)
        if found is not None:
            anchor, previous = found.heading.index, names[key]
            continue
        where = f" after {previous!r}" if previous else ""
        line, col = ctx.guide.pos(anchor, _indent(ctx.guide, anchor))
        yield line, col, f"required section {names[key]!r} is missing: add it{where}"


@register("HOW104")
def section_order(ctx: Context) -> Iterator[Finding]:
    names = _names(ctx.settings)
    order = {k: i for i, k in enumerate(_KEYS)}
    seen: Dict[str, int] = {}
    highest = -1
    sections = ctx.guide.sections
    for n, s in enumerate(sections):
        key = s.heading.key
        line, col = ctx.guide.pos(s.heading.index, _indent(ctx.guide, s.heading.index))
        if key in order:
            if key in seen:
                yield line, col, f"section {names[key]!r} appears more than once"
                continue
            seen[key] = n
            if order[key] < highest:
                later = _KEYS[highest]
                yield line, col, (
                    f"section {names[key]!r} must come before {names[later]!r}"
                )
            highest = max(highest, order[key])
        elif any(t.heading.key in order for t in sections[n + 1:]):
            yield line, col, (
                f"section {s.heading.text!r} must come after the required sections"
            )


@register("HOW105")
def empty_section(ctx: Context) -> Iterator[Finding]:
    names = _names(ctx.settings)
    for key in _KEYS:
        s = ctx.guide.section(key)
        if s is not None and not any(True for _ in g.list_lines(ctx.guide, s)):
            line, col = ctx.guide.pos(s.heading.index, _indent(ctx.guide, s.heading.index))
            yield line, col, f"section {names[key]!r} is empty"


# --- HOW2: section content ---------------------------------------------------


@register("HOW201")
def steps_not_numbered(ctx: Context) -> Iterator[Finding]:
    s = ctx.guide.section("steps")
    if s is None:
        return
    items, strays = ctx.once("steps", lambda: g.steps(ctx.guide, s))
    name = ctx.settings.sections.steps
    for i in strays:
        line, col = ctx.guide.pos(i, _indent(ctx.guide, i))
        yield line, col, (
            f"{name!r} must be a numbered list: start this line with "
            f"'{len(items) + 1 if not items else items[-1].number + 1}. ' "
            f"or indent it under the step above"
        )
        break  # one stray line explains the problem; more would be noise
    for expected, step in enumerate(items, start=1):
        if step.number != expected:
            line, col = ctx.guide.pos(step.index, step.indent)
            yield line, col, f"step numbered {step.number}, expected {expected}"
            break


@register("HOW202")
def step_without_label(ctx: Context) -> Iterator[Finding]:
    s = ctx.guide.section("steps")
    if s is None or not ctx.settings.require_step_labels:
        return
    items, _ = ctx.once("steps", lambda: g.steps(ctx.guide, s))
    for step in items:
        if not g.has_label(step):
            line, col = ctx.guide.pos(step.index, step.text_col)
            yield line, col, (
                f"step {step.number} has no bold label: write "
                f"'{step.number}. **Label**: text'"
            )


def _python_fence(ctx: Context) -> Optional[g.Fence]:
    return ctx.once("fence", lambda: _find_python_fence(ctx))


def _find_python_fence(ctx: Context) -> Optional[g.Fence]:
    s = ctx.guide.section("example")
    if s is None:
        return None
    for f in ctx.guide.fences_in(s):
        if f.info.lower() in ("python", "py") and f.close is not None:
            return f
    return None


@register("HOW203")
def missing_example_code(ctx: Context) -> Iterator[Finding]:
    s = ctx.guide.section("example")
    if s is None or _python_fence(ctx) is not None:
        return
    if not any(True for _ in g.list_lines(ctx.guide, s)):
        return  # HOW105 already says the section is empty
    fences = ctx.guide.fences_in(s)
    name = ctx.settings.sections.example
    if not fences:
        line, col = ctx.guide.pos(s.heading.index, _indent(ctx.guide, s.heading.index))
        yield line, col, f"{name!r} has no code block: add one opened by ```python and closed by ```"
        return
    f = fences[0]
    line, col = ctx.guide.pos(f.open, _indent(ctx.guide, f.open))
    if f.info.lower() not in ("python", "py"):
        shown = f.info or "no language"
        yield line, col, f"the code block in {name!r} is marked {shown!r}: open it with ```python"
    else:
        yield line, col, "the ```python block is never closed: end it with ```"


# Only the parser runs: `await`, `yield` or `return` outside a function are the
# compiler's errors, so an example may await at its top level as it may in a REPL.
_AST_FLAGS = ast.PyCF_ONLY_AST


def example_tree(ctx: Context) -> Optional[Tuple[ast.AST, int, str]]:
    """The parsed example, its first line index and its code; None if invalid."""
    return ctx.once("example", lambda: _parse_example(ctx))


def _parse_example(ctx: Context) -> Optional[Tuple[ast.AST, int, str]]:
    f = _python_fence(ctx)
    if f is None:
        return None
    code, first = g.code_of(ctx.guide, f)
    try:
        return compile(code, "<example>", "exec", _AST_FLAGS), first, code
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@register("HOW204")
def invalid_example(ctx: Context) -> Iterator[Finding]:
    f = _python_fence(ctx)
    if f is None or example_tree(ctx) is not None:
        return  # no example, or one that compiles
    code, first = g.code_of(ctx.guide, f)
    try:
        compile(code, "<example>", "exec", _AST_FLAGS)
    except SyntaxError as e:
        index = first + (e.lineno or 1) - 1
        index = min(index, (f.close or index + 1) - 1)
        text = ctx.guide.lines[index].text
        cut = _example_indent(ctx.guide, f)
        col = cut + max((e.offset or 1) - 1, 0)
        line, fcol = ctx.guide.pos(index, min(col, max(len(text) - 1, 0)))
        yield line, fcol, f"the usage example is not valid Python: {e.msg}"
    except ValueError as e:  # text that is no source, as a lone surrogate
        line, col = ctx.guide.pos(f.open)
        yield line, col, f"the usage example is not valid Python: {e}"
    except (RecursionError, MemoryError):  # what the parser raises at its depth limits
        line, col = ctx.guide.pos(f.open)
        yield line, col, "the usage example is nested too deeply for Python's parser"


def _example_indent(guide: g.Guide, f: g.Fence) -> int:
    end = f.close if f.close is not None else len(guide.lines)
    widths = [len(guide.lines[i].text) - len(guide.lines[i].text.lstrip())
              for i in range(f.open + 1, end) if guide.lines[i].text.strip()]
    return min(widths) if widths else 0


def _mentions(tree: ast.AST, name: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if isinstance(node, ast.Attribute) and node.attr == name:
            return True
        if isinstance(node, ast.alias) and name in (node.name.split(".")[-1], node.asname):
            return True
    return False


@register("HOW205")
def example_misses_name(ctx: Context) -> Iterator[Finding]:
    f = _python_fence(ctx)
    if f is None:
        return
    parsed = example_tree(ctx)
    name = ctx.target.name
    if name == "__init__" and ctx.target.parent_class:
        name = ctx.target.parent_class.rsplit(".", 1)[-1]
    if parsed is not None:
        found = _mentions(parsed[0], name)
    else:
        code, _ = g.code_of(ctx.guide, f)
        found = re.search(rf"\b{re.escape(name)}\b", code) is not None
    if not found:
        line, col = ctx.guide.pos(f.open, _indent(ctx.guide, f.open))
        yield line, col, f"the usage example never mentions {name!r}: show a call or use of it"


# --- HOW4: the example against the code ------------------------------------------


def _char_col(code: str, lineno: int, byte_col: int) -> int:
    """ast's UTF-8 byte offset as a character column."""
    lines = code.split("\n")
    if not 1 <= lineno <= len(lines):
        return 0
    return len(lines[lineno - 1].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _example_pos(ctx: Context, first: int, code: str,
                 node: Union[ast.expr, ast.stmt]) -> Tuple[int, int]:
    f = _python_fence(ctx)
    cut = _example_indent(ctx.guide, f) if f is not None else 0
    col = _char_col(code, node.lineno, node.col_offset)
    return ctx.guide.pos(first + node.lineno - 1, cut + col)


@register("HOW401")
def example_call_mismatch(ctx: Context) -> Iterator[Finding]:
    parsed = example_tree(ctx)
    if parsed is None:
        return
    tree, first, code = parsed
    for call, params, what in signature.calls_of(tree, ctx.target):
        for problem in signature.bind(call, params, what):
            line, col = _example_pos(ctx, first, code, call)
            yield line, col, problem


@register("HOW402")
def example_import_path(ctx: Context) -> Iterator[Finding]:
    parsed = example_tree(ctx)
    if parsed is None or not ctx.target.path:
        return
    tree, first, code = parsed
    top = ctx.target.qualname.split(".")[0]
    for node, module in signature.imports_of(tree, top):
        if modpath.exports(ctx.target.path, module, top):
            continue
        real = modpath.module_of_file(os.path.abspath(ctx.target.path))
        if not modpath.importable(real):
            continue
        line, col = _example_pos(ctx, first, code, node)
        yield line, col, (f"the example imports {top!r} from {module!r}, which does not "
                          f"provide it: write 'from {real} import {top}'")


# --- HOW3: wording ------------------------------------------------------------


@lru_cache(maxsize=8)
def _banned_pattern(words: Tuple[str, ...]) -> "re.Pattern[str]":
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@register("HOW301")
def vague_word(ctx: Context) -> Iterator[Finding]:
    banned = dict(ctx.settings.banned_words)
    if not banned:
        return
    pattern = _banned_pattern(tuple(banned))
    guide = ctx.guide
    underlines = {s.heading.index + 1 for s in guide.sections if s.heading.underline}
    if guide.title is not None and guide.title.underline:
        underlines.add(guide.title.index + 1)
    for index, ln in enumerate(guide.lines):
        if index in underlines or index in guide.opaque:
            continue  # code, doctests, literal blocks: not prose
        for m in pattern.finditer(g.prose(ln.text)):
            word = m.group(0)
            suggestions = banned.get(word.lower(), ())
            hint = (
                "; say what it does, e.g. " + ", ".join(repr(s) for s in suggestions)
                if suggestions else "; name the specific action instead"
            )
            line, col = guide.pos(index, m.start())
            yield line, col, f"vague word {word!r}{hint}"


def _indent(guide: g.Guide, index: int) -> int:
    if 0 <= index < len(guide.lines):
        text = guide.lines[index].text
        return len(text) - len(text.lstrip())
    return 0


# --- selection (the code table's, re-exported for callers of this module) --------

all_codes, matches, valid_selector, enabled_codes = (
    codes.all_codes, codes.matches, codes.valid_selector, codes.enabled_codes)


@lru_cache(maxsize=64)
def docstring_rules(enabled: frozenset) -> Tuple[Rule, ...]:
    return tuple(r for c, r in sorted(RULES.items()) if r.check is not None and c in enabled)
