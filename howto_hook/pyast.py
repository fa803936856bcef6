"""A module's text parsed by CPython's `ast`, once per process for the same text.

The check reads definition positions from this tree (positions.by_ast) and
the fix's generator reads the module around each definition from it
(generate/anatomy.py, generate/slices.py): one parse of the file serves
both. The tree is shared, so it is read only: a caller that changes a tree
parses its own (validate.py strips docstrings from a tree of its own).
"""
from __future__ import annotations

import ast
import warnings
from functools import lru_cache
from typing import Optional


@lru_cache(maxsize=4)
def module(text: str) -> Optional[ast.Module]:
    """The tree of `text`, or None when this interpreter cannot parse it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a SyntaxWarning is the check's to report
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
