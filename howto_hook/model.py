"""Plain records that flow between the modules; no logic lives here.

NamedTuples, as the settings and the plan are: a warm run builds a
Violation and a FileResult for every cached finding, and frozen dataclasses
would cost it the dataclasses module (which imports inspect) and the
generation of each class's methods, a fifth of that run's time.
"""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple


class Param(NamedTuple):
    """One parameter of a function signature, as the example checks need it."""

    name: str
    # "positional_only", "positional_or_keyword", "var_positional",
    # "keyword_only" or "var_keyword", as in inspect.Parameter.kind.
    kind: str
    has_default: bool
    annotation: Optional[str] = None
    default: Optional[str] = None


class Docstring(NamedTuple):
    """A docstring literal and where it sits in the file."""

    value: str  # the evaluated string, newlines normalised to "\n"
    raw: str  # the literal as written, prefix and quotes included
    line: int  # 1-based line of the literal's first character
    col: int  # 0-based column (characters) of the literal's first character
    end_line: int
    # True when the literal's physical lines map one to one onto the value's
    # lines; escapes such as "\n" inside the literal break that mapping and
    # positions then fall back to the literal's first line.
    lines_map: bool


class Target(NamedTuple):
    """A function, method or class found in a file."""

    path: str
    qualname: str  # "Parser.parse", "helper.<locals>.inner"
    name: str
    kind: str  # "function", "method" or "class"
    is_async: bool
    line: int  # line of the name after def/class
    col: int  # 0-based column of the name
    start_line: int  # first decorator, or the def/class line
    # last line of the body's last statement; None when the run needed no
    # spans (a whole-file check) and it was not sought
    end_line: Optional[int]
    docstring: Optional[Docstring]
    in_scope: bool
    decorators: Tuple[str, ...] = ()
    params: Tuple[Param, ...] = ()
    # qualified name of the enclosing class for methods, "" otherwise
    parent_class: str = ""
    # a class whose own body defines __init__ (its params are then known)
    has_init: bool = False


class Violation(NamedTuple):  # ordered as a tuple: path, line, column, code...
    """One finding, with the exact position it concerns (1-based line and column)."""

    path: str
    line: int
    col: int
    code: str
    message: str
    symbol: str = ""  # qualified name of the definition, "" for file-level findings
    # a short hash of the docstring the finding is about, for baselines that
    # must survive edits elsewhere in the file but not edits of that docstring
    doc_hash: str = ""
    # where the finding ends (1-based line, column after its last character);
    # 0 when only the start is known
    end_line: int = 0
    end_col: int = 0


class FileResult(NamedTuple):
    """What the check of one file found (check.py makes it; the cache keeps it)."""

    path: str
    violations: Tuple[Violation, ...]
    checked: int  # definitions in scope (and changed) that were checked
    passing: int  # of those, how many have a guide that passes (see check.STRUCTURAL)
    symbols: Tuple[str, ...] = ()  # qualified names of the definitions checked
