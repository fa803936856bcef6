"""The libcst tree walk: every function, method and class of a module, in
source order, with its qualified name, kind, enclosing classes and docstring
node. Positions are found apart from this (positions.py).

The walk never enters a function body unless definitions inside functions
are in scope (`deep`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import libcst as cst

Def = Union[cst.FunctionDef, cst.ClassDef]


@dataclass
class Found:
    node: Def
    qualname: str
    kind: str
    in_function: bool
    class_chain: Tuple[str, ...]  # names of the enclosing classes, outermost first
    doc_node: Optional[cst.BaseExpression]
    init: Optional[cst.FunctionDef]  # a class's own __init__


# In source order: a try's handlers come before its else.
BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")


def statements(block: object) -> Sequence[cst.CSTNode]:
    if isinstance(block, cst.IndentedBlock):
        return block.body
    return ()


def sub_blocks(stmt: cst.CSTNode) -> Iterable[Sequence[cst.CSTNode]]:
    """Statement lists nested in a compound statement (if, try, with, ...)."""
    for name in BLOCK_FIELDS:
        value = getattr(stmt, name, None)
        if value is None:
            continue
        if isinstance(value, cst.BaseSuite):
            yield statements(value)
        elif isinstance(value, cst.If):  # an elif chain
            yield (value,)
        elif isinstance(value, (list, tuple)):  # except handlers, match cases
            for item in value:
                yield statements(item.body)
        else:  # else and finally clauses
            yield statements(getattr(value, "body", None))


def docstring_node(body: cst.BaseSuite) -> Optional[cst.BaseExpression]:
    if isinstance(body, cst.IndentedBlock):
        if not body.body:
            return None
        first = body.body[0]
        if not isinstance(first, cst.SimpleStatementLine):
            return None
        small = first.body
    else:
        small = body.body  # type: ignore[attr-defined]
    if not small or not isinstance(small[0], cst.Expr):
        return None
    value = small[0].value
    if isinstance(value, cst.SimpleString):
        return None if "b" in value.prefix.lower() else value
    if isinstance(value, cst.ConcatenatedString):
        parts: List[cst.CSTNode] = []
        node: cst.BaseExpression = value
        while isinstance(node, cst.ConcatenatedString):
            parts.append(node.left)
            node = node.right
        parts.append(node)
        if all(isinstance(p, cst.SimpleString) and "b" not in p.prefix.lower() for p in parts):
            return value
    return None


def walk(stmts: Sequence[cst.CSTNode], prefix: str, parent: str, in_function: bool,
          class_chain: Tuple[str, ...], deep: bool, out: List[Found]) -> None:
    """Collect definitions; `parent` is "module", "class" or "function"."""
    for stmt in stmts:
        if isinstance(stmt, cst.FunctionDef):
            qual = prefix + stmt.name.value
            kind = "method" if parent == "class" else "function"
            out.append(Found(stmt, qual, kind, in_function, class_chain,
                              docstring_node(stmt.body), None))
            if deep:  # nested definitions are only looked at with scope = "all"
                walk(statements(stmt.body), qual + ".<locals>.", "function", True,
                      class_chain, deep, out)
        elif isinstance(stmt, cst.ClassDef):
            qual = prefix + stmt.name.value
            body = statements(stmt.body)
            init = next((s for s in body if isinstance(s, cst.FunctionDef)
                         and s.name.value == "__init__"), None)
            out.append(Found(stmt, qual, "class", in_function, class_chain,
                              docstring_node(stmt.body), init))
            walk(body, qual + ".", "class", in_function,
                  class_chain + (stmt.name.value,), deep, out)
        elif isinstance(stmt, cst.BaseCompoundStatement):
            for block in sub_blocks(stmt):
                walk(block, prefix, parent, in_function, class_chain, deep, out)
