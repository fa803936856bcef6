"""Proofs a rewrite must pass before anything is written (black's habit).

Pure functions over source text: the literal evaluates to the intended
text, and the module's AST with docstrings removed is unchanged, so the
program does exactly what it did before.
"""
from __future__ import annotations

import ast
import warnings
from typing import Optional, Union

_Scope = Union[ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef]


def literal_value(literal: str) -> Optional[str]:
    """What a string literal evaluates to; None if it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # no newline translation of our own: the parser's is the one that
            # reads the file (a lone CR is a line break, CR CR LF two)
            node = ast.parse(literal, mode="eval")
    except (SyntaxError, ValueError):
        return None
    body = node.body
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        return body.value
    return None


def _strip(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:]
    return tree


def code_without_docstrings(source: str) -> Optional[str]:
    """A dump of the module's AST minus docstrings; None if Python rejects it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return ast.dump(_strip(tree), include_attributes=False)


def same_code(before: str, after: str) -> Optional[str]:
    """None when `after` is `before` with only docstrings changed; else why not."""
    return same_code_as(code_without_docstrings(before), after)


def same_code_as(old: Optional[str], after: str) -> Optional[str]:
    """`same_code` with the original's `code_without_docstrings` already made."""
    if old is None:
        return "Python's own parser rejects the original file, so the rewrite cannot be verified"
    new = code_without_docstrings(after)
    if new is None:
        return "the rewritten file does not parse"
    if old != new:
        return "the rewrite would change code outside docstrings"
    return None
