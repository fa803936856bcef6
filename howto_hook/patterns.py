"""Path patterns with ruff's semantics: `exclude`, `extend-exclude` and
`per-file-ignores`, matched against paths relative to the project root.

Patterns follow .gitignore (as ruff's do): a pattern without a slash
matches a name at any depth (`legacy`, `*.pyi`), one with a slash is
anchored at the root (`src/gen`, `/build`), `**` spans directories
(`**/legacy`, `docs/**/conf.py`), a trailing slash matches directories only,
and a pattern matches everything below a directory it matches. pathspec
turns each into a regular expression when it is first needed. A list is
compiled once per run: plain names go into a set, anchored patterns are
grouped by their first directory and wildcard names by their literal ending,
the rest joined into one expression, so a path costs a few lookups however
many patterns a configuration lists (issue 21: 20,000 of them).
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


# A name with no wildcard, escape or negation: `legacy`, `.venv`, `build/`.
_LITERAL_NAME = re.compile(r"[^*?\[\\/!#\s]+/?")
_WILD = re.compile(r"[*?\[\\]")


class _Joined:
    """Patterns translated and compiled into one expression on first use."""

    def __init__(self, patterns: List[str]) -> None:
        self.patterns = patterns
        self.regex: Optional[Pattern[str]] = None

    def match(self, level: str) -> bool:
        if self.regex is None:
            regexes = [r for r, _ in map(_translate, self.patterns) if r is not None]
            self.regex = re.compile("|".join(f"(?:{r})" for r in regexes) or "(?!)")
        return self.regex.match(level) is not None


def compile_patterns(patterns: Sequence[str]) -> Matcher:
    """A function telling whether one level (a path, or a directory with its
    trailing slash, root-relative with "/") matches.

    Plain names are looked up in a set; anchored patterns are grouped by
    their first directory, wildcard names by the text after their last
    wildcard (and before their first), and each group is compiled only when
    a path could match it;
    the rest form one expression. Nothing is translated until it is needed, so
    a long list of generated paths costs little more than a set.
    """
    normal = [_normal(p) for p in patterns]
    if any(p.startswith("!") for p in normal):
        return _ordered(normal)
    names: set = set()
    dir_names: set = set()
    anchored: Dict[str, List[str]] = {}
    # wildcard names by the literal text after their last wildcard
    # (`*_pb2.py` by `_pb2.py`) and before their first (`test_*.py` by
    # `test_`): only a name ending and starting so can match, so a tree
    # without such names never builds the expression (nor imports pathspec)
    by_tail: Dict[int, Dict[str, Dict[str, List[str]]]] = {}
    general: List[str] = []
    for p in normal:
        if _LITERAL_NAME.fullmatch(p):
            (dir_names if p.endswith("/") else names).add(p.rstrip("/"))
            continue
        segments = p.lstrip("/").split("/")
        tail = re.split(r"[*?\]]", p)[-1]
        if (p.startswith("/") or len(segments) > 1 and segments[1:] != [""]) \
                and segments[0] and not _WILD.search(segments[0]):
            anchored.setdefault(segments[0], []).append(p)
        elif len(segments) == 1 and tail and not _WILD.search(tail) and "\\" not in p:
            head = _WILD.split(p.lstrip("/"), 1)[0]
            by_tail.setdefault(len(tail), {}).setdefault(tail, {}).setdefault(head, []).append(p)
        else:
            general.append(p)
    by_first = {first: _Joined(ps) for first, ps in anchored.items()}
    tails = {n: {t: [(h, _Joined(ps)) for h, ps in heads.items()] for t, heads in table.items()}
             for n, table in by_tail.items()}
    rest = _Joined(general) if general else None

    def match(level: str) -> bool:
        name = level.rstrip("/").rsplit("/", 1)[-1]
        if name in names or (level.endswith("/") and name in dir_names):
            return True
        bucket = by_first.get(level.split("/", 1)[0])
        if bucket is not None and bucket.match(level):
            return True
        for n, table in tails.items():
            for head, bucket in table.get(name[-n:], ()) if len(name) >= n else ():
                if name.startswith(head) and bucket.match(level):
                    return True
        return rest is not None and rest.match(level)

    return match


def _ordered(patterns: List[str]) -> Matcher:
    """A negation (`!keep`) re-includes what an earlier pattern excluded:
    the last pattern that matches decides, as in .gitignore."""
    rules = [(re.compile(r), include) for r, include in map(_translate, patterns)
             if r is not None]

    def last_wins(level: str) -> bool:
        decided = False
        for regex, include in rules:
            if regex.match(level):
                decided = include
        return decided

    return last_wins


_CACHE: Dict[int, Tuple[object, object]] = {}
T = TypeVar("T")


_BY_VALUE: Dict[Tuple, object] = {}


def _once(key: Sequence, build: Callable[[], T]) -> T:
    """`build()` once per list. The list's identity is the fast path (one
    Settings object per configuration holds it for the whole run); equal
    lists of other Settings objects (each directory's, a worker's) share
    the same compiled matcher through its value."""
    hit = _CACHE.get(id(key))
    if hit is not None and hit[0] is key:
        return hit[1]  # type: ignore[return-value]
    if len(_CACHE) > 256:  # settings come and go in long-lived processes
        _CACHE.clear()
        _BY_VALUE.clear()
    value = tuple(key)
    built = _BY_VALUE.get(value)
    if built is None:
        built = _BY_VALUE[value] = build()
    _CACHE[id(key)] = (key, built)
    return built  # type: ignore[return-value]


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
