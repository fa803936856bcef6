"""Find functions, methods and classes with libcst: names, spans, docstrings.

`parse_module` turns text into libcst's tree (or one UnparsableError);
`find_definitions` takes the definitions the tree walk finds (walk.py), asks
positions.py where they are, and makes each a Target: qualified name, scope,
parameters and docstring.
"""
from __future__ import annotations

import ast
import gc
from typing import List, Optional, Tuple

import libcst as cst

from howto_hook import positions
from howto_hook.config import Settings
from howto_hook.model import Docstring, Param, Target
from howto_hook.walk import Def, Found, walk


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


def _skipped_decorator(decorators: Tuple[str, ...], settings: Settings) -> bool:
    """Whether a decorator makes the docstring something else (CLI help)."""
    from fnmatch import fnmatchcase

    patterns = settings.skip_decorators + settings.extend_skip_decorators
    return any(fnmatchcase(d, p) for d in decorators if d for p in patterns)


def _in_scope(f: Found, decorators: Tuple[str, ...], settings: Settings) -> bool:
    if decorators and _skipped_decorator(decorators, settings):
        return False
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
    found: List[Found] = []
    deep = settings.scope == "all"
    walk(module.body, "", "module", False, (), deep, found)
    if not found:
        return []
    where = None
    if source is not None and not spans:
        where = positions.by_text(module, source, found)
    if where is None and source is not None:
        where = positions.by_ast(source, found, deep)
    if where is None:
        try:
            where = positions.by_codegen(module, found)
        except RecursionError:
            raise UnparsableError(1, 1, "the file is nested too deeply to analyse") from None

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
