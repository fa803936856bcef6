"""Where the definitions the walk found are: lines and columns of names,
first decorators, docstrings and (when asked) last lines.

libcst's PositionProvider resolves a position for every node of the file
(several times the parse itself), and a check needs positions for a handful
of nodes only. Three ways to find them, cheapest first:

- from the text, guided by the tree (`by_text`): no second parse, but no end
  lines, and it declines whenever the text is ambiguous;
- from CPython's parser (`by_ast`), when the interpreter reads the file;
- from one plain code-generation pass that notes the current line when it
  reaches a node we asked about (`by_codegen`), for any file libcst reads.

All three agree on every definition of the standard library (tests).
"""
from __future__ import annotations

import ast
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import libcst as cst

from howto_hook import pyast
from howto_hook.walk import BLOCK_FIELDS, Def, Found, sub_blocks

try:  # the base class of libcst's code generation state (stable since 0.3)
    from libcst._nodes.internal import CodegenState as _CodegenState
except ImportError:  # pragma: no cover - a future libcst moved it
    _CodegenState = None  # type: ignore[assignment,misc]


class Where(NamedTuple):
    line: int  # of the name
    col: int  # of the name, 0-based characters
    first: int  # first decorator, or the def line
    last: Optional[int]  # last line of the last statement of the body (None: not sought)
    doc: Optional[Tuple[int, int, int]]  # docstring (line, col, end line)


if _CodegenState is not None:

    class _Tracker(_CodegenState):  # type: ignore[misc,valid-type]
        """Code generation that records the position of chosen nodes only."""

        def __init__(self, module: cst.Module, starts: Iterable[int], ends: Iterable[int]) -> None:
            super().__init__(default_indent=module.default_indent,
                             default_newline=module.default_newline)
            self.want_start = frozenset(starts)
            self.want_end = frozenset(ends)
            self.start: Dict[int, Tuple[int, int]] = {}
            self.end: Dict[int, Tuple[int, int]] = {}
            self._line = 1
            self._col = 0
            self._seen = 0

        def _sync(self) -> Tuple[int, int]:
            tokens = self.tokens
            line, col = self._line, self._col
            for k in range(self._seen, len(tokens)):
                t = tokens[k]
                nl = t.count("\n")
                if nl:
                    line += nl
                    col = len(t) - t.rfind("\n") - 1
                else:
                    col += len(t)
            self._seen = len(tokens)
            self._line, self._col = line, col
            return line, col

        def before_codegen(self, node: cst.CSTNode) -> None:
            if id(node) in self.want_start:
                self.start[id(node)] = self._sync()

        def after_codegen(self, node: cst.CSTNode) -> None:
            if id(node) in self.want_end:
                self.end[id(node)] = self._sync()


def _positions(module: cst.Module, starts: Sequence[cst.CSTNode], ends: Sequence[cst.CSTNode]
               ) -> Tuple[Dict[int, Tuple[int, int]], Dict[int, Tuple[int, int]]]:
    """(line, 0-based col) where each of `starts` begins and each of `ends` stops."""
    if _CodegenState is not None:
        state = _Tracker(module, map(id, starts), map(id, ends))
        module._codegen(state)
        return state.start, state.end
    # Fallback for a libcst without the private class: correct, but slower.
    from libcst.metadata import MetadataWrapper, PositionProvider  # pragma: no cover

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # pragma: no cover
    pos = wrapper.resolve(PositionProvider)  # pragma: no cover
    return (  # pragma: no cover
        {id(n): (pos[n].start.line, pos[n].start.column) for n in starts},
        {id(n): (pos[n].end.line, pos[n].end.column) for n in ends},
    )


def _last_leaf(stmt: cst.CSTNode) -> cst.CSTNode:
    """The statement whose last line ends a compound statement (as ast's end_lineno).

    Trailing comments inside a block belong to no statement, so that both
    ways of finding positions agree on where a definition ends.
    """
    while True:
        body = getattr(stmt, "body", None)
        if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) or body is None:
            return stmt
        last_block = None
        for name in ("finalbody", "orelse", "handlers", "cases", "body"):
            value = getattr(stmt, name, None)
            if value is None or (isinstance(value, (list, tuple)) and not value):
                continue
            last_block = value[-1] if isinstance(value, (list, tuple)) else value
            break
        if isinstance(last_block, (cst.If,)):
            stmt = last_block
            continue
        block = getattr(last_block, "body", last_block)
        if isinstance(block, cst.SimpleStatementSuite):
            return block
        if isinstance(block, cst.IndentedBlock) and block.body:
            stmt = block.body[-1]
            continue
        if isinstance(block, (list, tuple)) and block:
            stmt = block[-1]
            continue
        return stmt


def by_codegen(module: cst.Module, found: Sequence[Found]) -> List[Where]:
    starts: List[cst.CSTNode] = []
    ends: List[cst.CSTNode] = []
    leaves = []
    for f in found:
        starts.append(f.node.name)
        if f.node.decorators:
            starts.append(f.node.decorators[0].decorator)
        leaf = _last_leaf(f.node)
        leaves.append(leaf)
        ends.append(leaf)
        if f.doc_node is not None:
            starts.append(f.doc_node)
            ends.append(f.doc_node)
    start, end = _positions(module, starts, ends)  # RecursionError: nested too deeply
    out = []
    for f, leaf in zip(found, leaves):
        node = f.node
        line, col = start[id(node.name)]
        first = start[id(node.decorators[0].decorator)][0] if node.decorators else line
        last_line, last_col = end[id(leaf)]
        # code generation stops after the statement's final newline
        last = last_line - 1 if last_col == 0 and last_line > line else last_line
        doc = None
        if f.doc_node is not None:
            d_line, d_col = start[id(f.doc_node)]
            doc = (d_line, d_col, end[id(f.doc_node)][0])
        out.append(Where(line, col, first, last, doc))
    return out


_AST_BLOCKS = BLOCK_FIELDS
# A def or class statement always begins a physical line (it starts a logical one).
_HEAD = re.compile(r"^[ \t\f]*(?:async[ \t\f]+)?(?:def|class)[ \t\f]+(\w+)", re.MULTILINE)


def _ast_defs(stmts: Sequence[ast.stmt], deep: bool, out: List[ast.AST]) -> None:
    """ast definitions in exactly the order `walk` finds libcst's."""
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(stmt)
            if deep:
                _ast_defs(stmt.body, deep, out)
        elif isinstance(stmt, ast.ClassDef):
            out.append(stmt)
            _ast_defs(stmt.body, deep, out)
        else:
            for name in _AST_BLOCKS:
                value = getattr(stmt, name, None)
                if not isinstance(value, list) or not value:
                    continue
                if isinstance(value[0], ast.stmt):
                    _ast_defs(value, deep, out)
                else:  # except handlers, match cases
                    for item in value:
                        _ast_defs(item.body, deep, out)


def by_ast(source: str, found: Sequence[Found], deep: bool) -> Optional[List[Where]]:
    """The same positions from CPython's own parser, several times cheaper than a
    code-generation pass; None when the interpreter cannot read this file (newer
    syntax) or the two trees disagree, and the caller falls back."""
    tree = pyast.module(source)  # the fix's generator reads the same tree
    if tree is None:
        return None
    nodes: List[ast.AST] = []
    _ast_defs(tree.body, deep, nodes)
    if len(nodes) != len(found):
        return None
    lines = source.split("\n")

    def chars(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    out = []
    for f, n in zip(found, nodes):
        if n.name != f.node.name.value:  # type: ignore[attr-defined]
            return None
        text = lines[n.lineno - 1]
        head = _HEAD.match(text)
        if head is None:
            return None  # a def split by a backslash: let code generation say
        first = n.decorator_list[0].lineno if n.decorator_list else n.lineno  # type: ignore
        doc = None
        if f.doc_node is not None:
            expr = n.body[0]  # type: ignore[attr-defined]
            doc = (expr.lineno, chars(expr.lineno, expr.col_offset), expr.end_lineno)
        out.append(Where(n.lineno, head.start(1), first, n.end_lineno, doc))  # type: ignore
    return out


# --- from the text alone (no end lines) ----------------------------------------

# Stands in for a body when only a header is rendered.
_STUB_BODY = cst.SimpleStatementSuite(body=(cst.Pass(),))


def _every_def(stmts: Sequence[cst.CSTNode], out: List[Def]) -> None:
    """Every def and class of the file, nested ones too, in source order."""
    for stmt in stmts:
        if type(stmt) is cst.SimpleStatementLine:
            continue  # most statements; an ABC isinstance check costs several times more
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out.append(stmt)
        if isinstance(stmt, cst.BaseCompoundStatement):
            for block in sub_blocks(stmt):
                _every_def(block, out)


def _lines_in(module: cst.Module, node: cst.CSTNode) -> int:
    return module.code_for_node(node).count("\n")


def by_text(module: cst.Module, source: str, found: Sequence[Found]
                   ) -> Optional[List[Where]]:
    """Positions without parsing the file a second time, or None when unsure.

    A def or class statement always begins a physical line, so the lines
    that start with `def NAME` or `class NAME` are the definitions, plus any
    such line inside a multi-line string. When those lines name exactly the
    definitions libcst found, in order, none of them is a string's, and each
    one is where its definition is. Decorators, the header and the lines
    before the docstring are counted on the small nodes they are made of;
    each docstring found is checked against the text. Anything else (a
    string that looks like a definition, a one-line body, a parenthesised
    docstring) answers None, and CPython's parser is asked instead.
    """
    every: List[Def] = []
    _every_def(module.body, every)
    heads = list(_HEAD.finditer(source))
    if len(heads) != len(every) or any(
            m.group(1) != node.name.value for m, node in zip(heads, every)):
        return None
    at: Dict[int, Tuple[int, int]] = {}
    line, pos = 1, 0
    for m, node in zip(heads, every):
        line += source.count("\n", pos, m.start())
        pos = m.start()
        at[id(node)] = (line, m.start(1) - m.start())
    lines = source.split("\n")
    out = []
    for f in found:
        node = f.node
        line, col = at[id(node)]
        first = line
        if node.decorators:
            first -= len(node.lines_after_decorators) - len(node.decorators[0].leading_lines)
            first -= sum(_lines_in(module, d) for d in node.decorators)
            if not lines[first - 1].lstrip(" \t\f").startswith("@"):
                return None
        doc = None
        if f.doc_node is not None:
            doc = _doc_by_text(module, f, line, lines)
            if doc is None:
                return None
        out.append(Where(line, col, first, None, doc))
    return out


_OPENERS, _CLOSERS = "([{", ")]}"


def _header_breaks(module: cst.Module, node: Def, text: str) -> int:
    """Line breaks inside a def or class header; `text` is the def line.

    A def starts a logical line. When its physical line holds no string,
    comment or backslash, and as many brackets close on it as open, nothing
    carries the logical line on, so the whole header is on it. Otherwise
    the header alone is rendered and its line breaks counted.
    """
    if not any(c in text for c in "'\"#\\") and (
            sum(map(text.count, _OPENERS)) == sum(map(text.count, _CLOSERS))):
        return 0
    header = node.with_changes(body=_STUB_BODY, decorators=(), leading_lines=(),
                               lines_after_decorators=())
    return _lines_in(module, header) - 1  # the stub body's own line break


def _doc_by_text(module: cst.Module, f: Found, line: int, lines: List[str]
                 ) -> Optional[Tuple[int, int, int]]:
    body, doc_node = f.node.body, f.doc_node
    if not isinstance(body, cst.IndentedBlock) or doc_node is None:
        return None  # `def f(): "doc"`: the column needs the whole header line
    # the header's own line breaks, then the line the colon ends, then any
    # blank or comment lines before the docstring's statement
    leading = getattr(body.body[0], "leading_lines", ())
    doc_line = line + _header_breaks(module, f.node, lines[line - 1]) + 1 + len(leading)
    if doc_line > len(lines):
        return None
    text = lines[doc_line - 1]
    col = len(text) - len(text.lstrip(" \t\f"))
    first = doc_node
    while isinstance(first, cst.ConcatenatedString):
        first = first.left  # type: ignore[assignment]
    if not isinstance(first, cst.SimpleString) or not text.startswith(
            first.value.split("\n", 1)[0], col):
        return None
    if isinstance(doc_node, cst.SimpleString):
        end = doc_line + doc_node.value.count("\n")
    else:
        end = doc_line + _lines_in(module, doc_node)
    return doc_line, col, end
