"""Find functions, methods and classes with libcst: names, spans, docstrings.

Cost matters here: libcst's PositionProvider resolves a position for every
node of the file (several times the parse itself), and we need positions for
a handful of nodes only. Three ways to find them, cheapest first:

- from the text, guided by the tree (`_where_by_text`): no second parse, but
  no end lines, and it declines whenever the text is ambiguous;
- from CPython's parser (`_where_by_ast`), when the interpreter reads the file;
- from one plain code-generation pass that notes the current line when it
  reaches a node we asked about (`_where_by_codegen`), for any file libcst reads.

All three agree on every definition of the standard library (tests). The
structural walk that finds definitions never enters a function body unless
definitions inside functions are in scope.
"""
from __future__ import annotations

import ast
import gc
import re
import warnings
from dataclasses import dataclass
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

import libcst as cst

from howto_hook.config import Settings
from howto_hook.model import Docstring, Param, Target

try:  # the base class of libcst's code generation state (stable since 0.3)
    from libcst._nodes.internal import CodegenState as _CodegenState
except ImportError:  # pragma: no cover - a future libcst moved it
    _CodegenState = None  # type: ignore[assignment,misc]

Def = Union[cst.FunctionDef, cst.ClassDef]


class UnparsableError(Exception):
    """The file is not something libcst can turn into a tree."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


try:  # the base of every libcst node (stable since 0.3)
    from libcst._nodes.base import CSTNode as _CSTNode
except ImportError:  # pragma: no cover - a future libcst moved it
    _CSTNode = None  # type: ignore[assignment,misc]


class paused_gc:
    """`with paused_gc():` runs its block without the cyclic garbage collector.

    Locating and checking a file allocates a tree of tens of thousands of
    objects and makes no reference cycles, yet every full collection walks
    all of it again; pausing the collector for one file's work saves about
    a seventh of a cold run (measured with --jobs 1 on 168 stdlib modules:
    6.0 s against 7.0 s). Collection resumes, if it was on, at the end.
    """

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was_enabled:
            gc.enable()


def _no_validation(self: object) -> None:
    return None


def _parse(source: str) -> cst.Module:
    """cst.parse_module without re-validating what the parser just built.

    Every node's constructor validates its fields in Python, about a sixth of
    a parse; the parser's output is valid by construction (libcst's own
    comment on __post_init__ says as much), so the check is switched off for
    the duration of the parse only. Nodes built by the rewriter are validated.
    """
    original = _CSTNode.__dict__.get("__post_init__") if _CSTNode is not None else None
    with paused_gc():
        if original is None:
            return cst.parse_module(source)
        _CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
        try:
            return cst.parse_module(source)
        finally:
            _CSTNode.__post_init__ = original  # type: ignore[method-assign]


def parse_module(source: str, *, path: str = "<unknown>") -> cst.Module:
    """libcst's tree, or UnparsableError saying whether Python itself agrees."""
    try:
        return _parse(source)
    except cst.ParserSyntaxError as e:
        cst_line, cst_col, cst_msg = e.raw_line, e.raw_column + 1, e.message
    except RecursionError:
        raise UnparsableError(1, 1, "the file is nested too deeply to parse") from None
    except Exception as e:  # libcst's native parser raises other types too
        cst_line, cst_col, cst_msg = 1, 1, str(e).splitlines()[0] if str(e) else type(e).__name__
    # Tell a real syntax error from valid Python that libcst cannot parse:
    # only the interpreter's own parser can say which it is.
    try:
        compile(source, path, "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as e:
        raise UnparsableError(e.lineno or 1, e.offset or 1,
                              f"syntax error: {e.msg}") from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise UnparsableError(1, 1, f"syntax error: {e}") from None
    first = cst_msg.strip().splitlines()[0] if cst_msg.strip() else "parse error"
    first = first.split(": expected one of")[0]  # the token list is noise here
    raise UnparsableError(
        cst_line, cst_col,
        f"valid Python that libcst cannot parse ({first}); "
        "this file is skipped, exclude it or report the libcst bug",
    )


# --- where things are -----------------------------------------------------------


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


# --- what is there -----------------------------------------------------------------


@dataclass
class _Found:
    node: Def
    qualname: str
    kind: str
    in_function: bool
    class_chain: Tuple[str, ...]  # names of the enclosing classes, outermost first
    doc_node: Optional[cst.BaseExpression]
    init: Optional[cst.FunctionDef]  # a class's own __init__


# In source order: a try's handlers come before its else.
_BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")


def _statements(block: object) -> Sequence[cst.CSTNode]:
    if isinstance(block, cst.IndentedBlock):
        return block.body
    return ()


def _sub_blocks(stmt: cst.CSTNode) -> Iterable[Sequence[cst.CSTNode]]:
    """Statement lists nested in a compound statement (if, try, with, ...)."""
    for name in _BLOCK_FIELDS:
        value = getattr(stmt, name, None)
        if value is None:
            continue
        if isinstance(value, cst.BaseSuite):
            yield _statements(value)
        elif isinstance(value, cst.If):  # an elif chain
            yield (value,)
        elif isinstance(value, (list, tuple)):  # except handlers, match cases
            for item in value:
                yield _statements(item.body)
        else:  # else and finally clauses
            yield _statements(getattr(value, "body", None))


def _docstring_node(body: cst.BaseSuite) -> Optional[cst.BaseExpression]:
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


def _walk(stmts: Sequence[cst.CSTNode], prefix: str, parent: str, in_function: bool,
          class_chain: Tuple[str, ...], deep: bool, out: List[_Found]) -> None:
    """Collect definitions; `parent` is "module", "class" or "function"."""
    for stmt in stmts:
        if isinstance(stmt, cst.FunctionDef):
            qual = prefix + stmt.name.value
            kind = "method" if parent == "class" else "function"
            out.append(_Found(stmt, qual, kind, in_function, class_chain,
                              _docstring_node(stmt.body), None))
            if deep:  # nested definitions are only looked at with scope = "all"
                _walk(_statements(stmt.body), qual + ".<locals>.", "function", True,
                      class_chain, deep, out)
        elif isinstance(stmt, cst.ClassDef):
            qual = prefix + stmt.name.value
            body = _statements(stmt.body)
            init = next((s for s in body if isinstance(s, cst.FunctionDef)
                         and s.name.value == "__init__"), None)
            out.append(_Found(stmt, qual, "class", in_function, class_chain,
                              _docstring_node(stmt.body), init))
            _walk(body, qual + ".", "class", in_function,
                  class_chain + (stmt.name.value,), deep, out)
        elif isinstance(stmt, cst.BaseCompoundStatement):
            for block in _sub_blocks(stmt):
                _walk(block, prefix, parent, in_function, class_chain, deep, out)


def _dotted(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Call):
        return _dotted(expr.func)
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""


def _params(module: cst.Module, fn: cst.FunctionDef, *, drop_first: bool) -> Tuple[Param, ...]:
    p = fn.params

    def one(param: cst.Param, kind: str) -> Param:
        ann = module.code_for_node(param.annotation.annotation) if param.annotation else None
        default = module.code_for_node(param.default) if param.default is not None else None
        return Param(param.name.value, kind, param.default is not None, ann, default)

    out: List[Param] = [one(x, "positional_only") for x in p.posonly_params]
    out += [one(x, "positional_or_keyword") for x in p.params]
    if isinstance(p.star_arg, cst.Param):
        out.append(one(p.star_arg, "var_positional"))
    out += [one(x, "keyword_only") for x in p.kwonly_params]
    if p.star_kwarg is not None:
        out.append(one(p.star_kwarg, "var_keyword"))
    if drop_first and out and out[0].kind in ("positional_only", "positional_or_keyword"):
        out = out[1:]
    return tuple(out)


def _in_scope(f: _Found, decorators: Tuple[str, ...], settings: Settings) -> bool:
    if settings.scope == "all":
        return True
    if f.in_function:
        return False
    names = f.class_chain + (f.node.name.value,)
    if any(n.startswith("_") for n in names):
        return False
    for d in decorators:
        last = d.rsplit(".", 1)[-1]
        if last == "overload" or (f.kind != "class" and last in ("setter", "deleter")):
            return False
    return True


def _docstring(doc_node: cst.BaseExpression, where: Tuple[int, int, int]) -> Optional[Docstring]:
    value = doc_node.evaluated_value  # type: ignore[attr-defined]
    if not isinstance(value, str):
        return None
    if isinstance(doc_node, cst.SimpleString):
        raw = doc_node.value
        lines_map = raw.count("\n") == value.count("\n")
    else:
        first = doc_node
        while isinstance(first, cst.ConcatenatedString):
            first = first.left  # type: ignore[assignment]
        raw = first.value  # type: ignore[attr-defined]
        lines_map = False
    line, col, end_line = where
    return Docstring(value=value, raw=raw, line=line, col=col, end_line=end_line,
                     lines_map=lines_map)


def find_targets(module: cst.Module, *, path: str, settings: Settings,
                 source: Optional[str] = None, spans: bool = True) -> List[Target]:
    """Every definition of the module, in source order, with its position."""
    return [t for t, _ in find_definitions(module, path=path, settings=settings, source=source,
                                           spans=spans)]


class _Where(NamedTuple):
    line: int  # of the name
    col: int  # of the name, 0-based characters
    first: int  # first decorator, or the def line
    last: Optional[int]  # last line of the last statement of the body (None: not sought)
    doc: Optional[Tuple[int, int, int]]  # docstring (line, col, end line)


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


def _where_by_codegen(module: cst.Module, found: Sequence[_Found]) -> List[_Where]:
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
    try:
        start, end = _positions(module, starts, ends)
    except RecursionError:
        raise UnparsableError(1, 1, "the file is nested too deeply to analyse") from None
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
        out.append(_Where(line, col, first, last, doc))
    return out


_AST_BLOCKS = _BLOCK_FIELDS
# A def or class statement always begins a physical line (it starts a logical one).
_HEAD = re.compile(r"^[ \t\f]*(?:async[ \t\f]+)?(?:def|class)[ \t\f]+(\w+)", re.MULTILINE)


def _ast_defs(stmts: Sequence[ast.stmt], deep: bool, out: List[ast.AST]) -> None:
    """ast definitions in exactly the order `_walk` finds libcst's."""
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


def _where_by_ast(source: str, found: Sequence[_Found], deep: bool) -> Optional[List[_Where]]:
    """The same positions from CPython's own parser, several times cheaper than a
    code-generation pass; None when the interpreter cannot read this file (newer
    syntax) or the two trees disagree, and the caller falls back."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
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
        out.append(_Where(n.lineno, head.start(1), first, n.end_lineno, doc))  # type: ignore
    return out


# --- where things are, from the text alone (no end lines) ----------------------

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
            for block in _sub_blocks(stmt):
                _every_def(block, out)


def _lines_in(module: cst.Module, node: cst.CSTNode) -> int:
    return module.code_for_node(node).count("\n")


def _where_by_text(module: cst.Module, source: str, found: Sequence[_Found]
                   ) -> Optional[List[_Where]]:
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
        out.append(_Where(line, col, first, None, doc))
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


def _doc_by_text(module: cst.Module, f: _Found, line: int, lines: List[str]
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


def find_definitions(module: cst.Module, *, path: str, settings: Settings,
                     source: Optional[str] = None, spans: bool = True
                     ) -> List[Tuple[Target, Def]]:
    """Like find_targets, with each definition's libcst node (for the rewriter).

    `source` is the text the module was parsed from; with it, positions come
    from that text, else from CPython's parser when it can read the file,
    else from libcst's code generation. Without `spans`, a definition's last
    line is not sought (end_line is None): a whole-file check needs none, and
    skipping it lets most files go without a second parse.
    """
    found: List[_Found] = []
    deep = settings.scope == "all"
    _walk(module.body, "", "module", False, (), deep, found)
    if not found:
        return []
    where = None
    if source is not None and not spans:
        where = _where_by_text(module, source, found)
    if where is None and source is not None:
        where = _where_by_ast(source, found, deep)
    if where is None:
        where = _where_by_codegen(module, found)

    targets: List[Tuple[Target, Def]] = []
    for f, w in zip(found, where):
        node = f.node
        line, col, first, last = w.line, w.col, w.first, w.last
        decorators = tuple(_dotted(d.decorator) for d in node.decorators)
        doc = _docstring(f.doc_node, w.doc) if f.doc_node is not None and w.doc else None
        in_scope = _in_scope(f, decorators, settings)
        params: Tuple[Param, ...] = ()
        if in_scope:
            if isinstance(node, cst.FunctionDef):
                drop = f.kind == "method" and "staticmethod" not in decorators
                params = _params(module, node, drop_first=drop)
            elif f.init is not None:
                params = _params(module, f.init, drop_first=True)
        parent = f.qualname.rsplit(".", 1)[0] if f.kind == "method" else ""
        targets.append((Target(
            path=path, qualname=f.qualname, name=node.name.value, kind=f.kind,
            is_async=isinstance(node, cst.FunctionDef) and node.asynchronous is not None,
            line=line, col=col, start_line=first, end_line=last, docstring=doc,
            in_scope=in_scope, decorators=decorators, params=params, parent_class=parent,
            has_init=f.init is not None,
        ), node))
    return targets
