"""Path patterns with ruff's semantics: `exclude`, `extend-exclude` and
`per-file-ignores`, matched against paths relative to the project root.

Patterns follow .gitignore (as ruff's do): a pattern without a slash
matches a name at any depth (`legacy`, `*.pyi`), one with a slash is
anchored at the root (`src/gen`, `/build`), `**` spans directories
(`**/legacy`, `docs/**/conf.py`), a trailing slash matches directories only,
and a pattern matches everything below a directory it matches. pathspec
turns each into a regular expression; a list of patterns is compiled once
into one expression, so a path costs one match however many patterns a
configuration lists (issue 21: 20,000 of them).
"""
from __future__ import annotations

import os
import re
from typing import Callable, Dict, List, Optional, Pattern, Sequence, Tuple, TypeVar

Matcher = Callable[[str], bool]


def _translate(pattern: str) -> Tuple[Optional[str], bool]:
    """(regex, whether the pattern includes) for one pattern; regex None for
    a pattern that matches nothing (a blank line, a comment)."""
    import pathspec  # only when a configuration's patterns are first matched

    try:
        kind = pathspec.util.lookup_pattern("gitignore")
    except KeyError:  # pathspec before 1.0
        kind = pathspec.util.lookup_pattern("gitwildmatch")
    regex, include = kind.pattern_to_regex(pattern)
    if regex is None:
        return None, True
    # older pathspec names a group, which may occur once in a joined expression
    return re.sub(r"\(\?P<[a-z_]+>", "(?:", regex), bool(include)


def _normal(pattern: str) -> str:
    pattern = pattern.replace(os.sep, "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def compile_patterns(patterns: Sequence[str]) -> Matcher:
    """A function telling whether a root-relative path (with "/") matches."""
    translated = [_translate(_normal(p)) for p in patterns]
    rules = [(regex, include) for regex, include in translated if regex is not None]
    if not rules:
        return lambda rel: False
    if all(include for _, include in rules):
        joined: Pattern[str] = re.compile("|".join(f"(?:{r})" for r, _ in rules))
        return lambda rel: joined.match(rel) is not None
    # a negation (`!keep`) re-includes what an earlier pattern excluded:
    # the last pattern that matches decides, as in .gitignore
    ordered = [(re.compile(r), include) for r, include in rules]

    def last_wins(rel: str) -> bool:
        decided = False
        for regex, include in ordered:
            if regex.match(rel):
                decided = include
        return decided

    return last_wins


_CACHE: Dict[int, Tuple[object, object]] = {}
T = TypeVar("T")


def _once(key: Sequence, build: Callable[[], T]) -> T:
    """`build()` once per list: settings hold their lists for the whole run,
    so the list's identity keys the cache (hashing 20,000 patterns for every
    file would cost what matching them did)."""
    hit = _CACHE.get(id(key))
    if hit is not None and hit[0] is key:
        return hit[1]  # type: ignore[return-value]
    if len(_CACHE) > 256:  # settings come and go in long-lived processes
        _CACHE.clear()
    built = build()
    _CACHE[id(key)] = (key, built)
    return built


def _levels(rel: str) -> List[str]:
    """`rel` and each directory above it, as .gitignore matches them: a
    directory with its trailing slash, outermost first."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    return [("/".join(parts[:k]) + "/") for k in range(1, len(parts))] + ["/".join(parts)]


def matches(rel: str, patterns: Sequence[str]) -> bool:
    """Whether a root-relative path ("/"-separated), or a directory above
    it, matches one of `patterns` (what lies in an excluded directory is
    excluded, as in git and ruff)."""
    if not patterns:
        return False
    match = _once(patterns, lambda: compile_patterns(patterns))
    return any(match(level) for level in _levels(rel))


def matching(rel: str, table: Sequence[Tuple[str, T]]) -> List[T]:
    """The values of the (pattern, value) pairs whose pattern matches `rel`
    or a directory above it, in order: per-file-ignores."""
    compiled = _once(table, lambda: [(compile_patterns((p,)), v) for p, v in table])
    levels = _levels(rel)
    return [v for match, v in compiled if any(match(level) for level in levels)]
