"""Real uses of a definition in the project, each as a self-contained slice.

A *slice* is a call of the definition plus the statements before it, in the
same function, that build what the call reads: assignments, object
constructions, imports, the `with` headers around it, and the statements
that change an object it uses (`cache["a"] = 1`). A pytest fixture is a
parameter of the test, never bound in the slice, so a call that needs one is
not taken; an `assert` around the call is reduced to the call. A slice is
taken only when it is self-contained: every name it reads is bound in it, is
a builtin, or is imported by the file from outside its tests.

Each file is parsed and walked once (`_index`); besides the calls, the walk
records how the file uses each name: as a decorator, in `with`, iterated,
awaited, subclassed.
"""
from __future__ import annotations

import ast
import os
from functools import lru_cache
from typing import (Callable, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Set,
                    Tuple)

from howto_hook import modpath, pyast, signature
from howto_hook.generate import sources
from howto_hook.model import Param

MAX_STATEMENTS = 8  # statements before the call; a longer slice teaches too much at once
MAX_LINES = 16
SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Slice(NamedTuple):
    setup: Tuple[str, ...]  # lines before the call (a `with` header among them)
    indent: str  # what the call's own lines start with (inside the `with` headers)
    call: str  # the call, as written in the project
    imports: Tuple[str, ...]  # import lines the slice needs (the file's own)
    where: str  # "path:line" of the call, for the prompt and the report


class Uses(NamedTuple):
    slices: Tuple[Slice, ...]
    how: FrozenSet[str]  # "decorator", "decorator-call", "with", "iterated", "awaited", ...
    decorated: Tuple[Slice, ...] = ()  # a definition the project decorates with it
    caught: Tuple[Slice, ...] = ()  # an exception class: code of the project that catches it


class _Site(NamedTuple):
    node: ast.AST  # the call (or the decorator expression)
    chain: Tuple[ast.AST, ...]  # its ancestors, the module first


class _Index(NamedTuple):
    bindings: Dict[str, str]
    calls: Dict[str, Tuple[_Site, ...]]  # `f` of `f(...)` and `x.f(...)` -> the calls
    how: Dict[str, FrozenSet[str]]  # name -> how the file uses it
    decorated: Dict[str, Tuple[_Site, ...]]  # name -> the definitions it decorates
    # name -> the `try` statements that catch it, and the `with pytest.raises(name)`
    # (or assertRaises) statements that expect it
    caught: Dict[str, Tuple[_Site, ...]]


def _name_of(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@lru_cache(maxsize=1024)
def _index(path: str, text: str) -> Optional[_Index]:
    tree = pyast.module(text)
    if tree is None:
        return None
    module = modpath.module_of_file(path)
    calls: Dict[str, List[_Site]] = {}
    how: Dict[str, Set[str]] = {}
    decorated: Dict[str, List[_Site]] = {}
    caught: Dict[str, List[_Site]] = {}
    todo: List[Tuple[ast.AST, Tuple[ast.AST, ...]]] = [(tree, ())]
    while todo:
        node, chain = todo.pop()
        if isinstance(node, ast.Call):
            name = _name_of(node)
            if name is not None:
                calls.setdefault(name, []).append(_Site(node, chain))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for d in node.decorator_list:
                name = _name_of(d)
                if name is not None:
                    how.setdefault(name, set()).add(
                        "decorator-call" if isinstance(d, ast.Call) else "decorator")
                    decorated.setdefault(name, []).append(_Site(node, chain))
            if isinstance(node, ast.ClassDef):
                for b in node.bases:
                    if _name_of(b) is not None:
                        how.setdefault(str(_name_of(b)), set()).add("subclassed")
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if _name_of(item.context_expr) is not None:
                    how.setdefault(str(_name_of(item.context_expr)), set()).add("with")
            if isinstance(node, ast.With) and _guarded(node):
                for exc in _expected(node):
                    caught.setdefault(str(_name_of(exc)), []).append(_Site(node, chain))
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                for exc in _types(handler.type):
                    caught.setdefault(str(_name_of(exc)), []).append(_Site(node, chain))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            if isinstance(node.iter, ast.Call) and _name_of(node.iter) is not None:
                how.setdefault(str(_name_of(node.iter)), set()).add("iterated")
        elif isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            if _name_of(node.value) is not None:
                how.setdefault(str(_name_of(node.value)), set()).add("awaited")
        below = chain + (node,)
        todo.extend((child, below) for child in ast.iter_child_nodes(node))
    return _Index(sources.top_level_bindings(tree, module, sources.package_of(path, module)),
                  {k: tuple(v) for k, v in calls.items()},
                  {k: frozenset(v) for k, v in how.items()},
                  {k: tuple(v) for k, v in decorated.items()},
                  {k: tuple(v) for k, v in caught.items()})


def _types(node: Optional[ast.expr]) -> List[ast.expr]:
    """The exception classes an `except` clause names (one, or a tuple of them)."""
    found = list(node.elts) if isinstance(node, ast.Tuple) else [node] if node else []
    return [n for n in found if _name_of(n) is not None]


def _expected(node: ast.With) -> List[ast.expr]:
    """The exception classes a `with pytest.raises(X)` / `self.assertRaises(X)`
    expects (the first argument)."""
    return [t for item in node.items if isinstance(item.context_expr, ast.Call)
            and item.context_expr.args
            and "raise" in ast.unparse(item.context_expr.func).lower()  # not `warns`
            for t in _types(item.context_expr.args[0])]


# --- cutting a slice ---------------------------------------------------------------------


def _block_of(parent: ast.AST, stmt: ast.stmt) -> Sequence[ast.stmt]:
    """The statement list of `parent` that holds `stmt`."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    for handler in getattr(parent, "handlers", []):
        if any(s is stmt for s in handler.body):
            return handler.body
    return []


def _binds(stmt: ast.stmt) -> Set[str]:
    """Names a statement binds (assignment targets, imports, definitions)."""
    out: Set[str] = set()
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        out |= {(a.asname or a.name).split(".")[0] for a in stmt.names}
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.add(stmt.name)
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for t in targets:
            if isinstance(t, (ast.Name, ast.Tuple, ast.List)):
                out |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return out


def _changes(stmt: ast.stmt) -> Optional[str]:
    """The name a statement changes in place (`x.add(1)`, `x[k] = v`, `x += 1`), else None."""
    node: Optional[ast.AST] = None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        node = stmt.value.func
        if isinstance(node, ast.Attribute):
            node = node.value
        else:
            return None
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], (ast.Subscript, ast.Attribute)):
        node = stmt.targets[0].value
    elif isinstance(stmt, ast.AugAssign):
        node = stmt.target
    return node.id if isinstance(node, ast.Name) else None


def _guarded(node: ast.With) -> bool:
    """A `with pytest.raises(...)`, `assertRaises`, `warns`: the call is expected to fail."""
    text = " ".join(ast.unparse(i.context_expr) for i in node.items).lower()
    return "raise" in text or "warn" in text


def cut(site: _Site, target_stmt_call: ast.AST, raising: bool = False
        ) -> Optional[Tuple[List[ast.stmt], List[ast.AST], List[str]]]:
    """(the statements kept, outermost first, with the `with` statements kept as headers
    among them; the names still unbound) for the call at `site`; None when no slice
    can hold it. `raising`: the site is a statement that expects an exception
    (`with pytest.raises(...)`), which is what the slice shows."""
    chain = site.chain + (site.node,)
    scope_at = max(i for i, n in enumerate(chain[:-1]) if isinstance(n, SCOPES))
    path = [n for n in chain[scope_at + 1:] if isinstance(n, ast.stmt)]
    # a class or lambda around the call (not the decorated class itself) holds no slice
    if not path or any(isinstance(n, (ast.ClassDef, ast.Lambda)) for n in chain[scope_at + 1:-1]):
        return None
    if any(isinstance(n, (ast.With, ast.AsyncWith)) and _guarded(n)
           for n in (path[:-1] if raising else path)):
        return None
    for n in chain[scope_at + 1:]:
        if isinstance(n, ast.Call) and n is not site.node and "raise" in ast.unparse(n.func):
            return None
    wanted: Set[str] = set(sources.free_names(target_stmt_call))
    kept: List[Tuple[int, ast.stmt]] = []  # (depth, statement)
    parents = [chain[scope_at]] + path[:-1]
    for depth in range(len(path) - 1, -1, -1):
        stmt, parent = path[depth], parents[depth]
        if depth < len(path) - 1 and isinstance(stmt, (ast.With, ast.AsyncWith)):
            kept.append((depth, stmt))  # a header around the call
            for item in stmt.items:
                wanted |= set(sources.free_names(item.context_expr))
                if item.optional_vars is not None:
                    wanted -= {n.id for n in ast.walk(item.optional_vars)
                               if isinstance(n, ast.Name)}
        block = list(_block_of(parent, stmt))
        before = block[:next(i for i, s in enumerate(block) if s is stmt)]
        for prior in reversed(before):
            bound = _binds(prior) & wanted
            changed = _changes(prior)
            if not bound and (changed is None or changed not in wanted):
                continue
            kept.append((depth, prior))
            wanted -= bound
            wanted |= set(sources.free_names(prior))
            wanted -= _binds(prior)
    kept.reverse()
    if len(kept) > MAX_STATEMENTS:
        return None
    return [s for _, s in kept], [d for d, _ in kept], sorted(wanted)  # type: ignore


def render(kept: Sequence[ast.stmt], depths: Sequence[int], call: ast.AST
           ) -> Tuple[Tuple[str, ...], str]:
    """The slice's lines before the call and the indentation the call's lines take;
    a `def` or `class` at the top stands between two blank lines each side, as
    PEP 8 (and black) lay it out."""
    lines: List[str] = []
    level = 0
    open_withs: List[int] = []  # depths of the `with` headers written so far
    after_def = False
    for stmt, depth in zip(kept, depths):
        while open_withs and depth <= open_withs[-1]:
            open_withs.pop()
            level -= 1
        is_def = isinstance(stmt, DEFS) and level == 0
        if lines and (is_def or after_def):
            lines += ["", ""]
        after_def = is_def
        if isinstance(stmt, (ast.With, ast.AsyncWith)):  # only headers are kept
            header = ast.unparse(stmt).split("\n")[0]
            lines.append("    " * level + header)
            open_withs.append(depth)
            level += 1
            continue
        for ln in ast.unparse(stmt).split("\n"):
            lines.append("    " * level + ln)
    if after_def:
        lines += ["", ""]
    return tuple(lines), "    " * level


def _reads_private(nodes: Sequence[ast.AST]) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr.startswith("_")
               and not n.attr.startswith("__") for node in nodes for n in ast.walk(node))


def _imports(kept: Sequence[ast.stmt], call: ast.Call, bindings: Dict[str, str],
             generator: bool) -> Optional[List[str]]:
    """The import lines for names the slice leaves unbound; None when one cannot be
    imported from outside the tests or reaches outside the process."""
    body: List[ast.stmt] = [ast.With(items=s.items, body=[ast.Pass()])  # type: ignore
                            if isinstance(s, (ast.With, ast.AsyncWith)) else s for s in kept]
    holder = ast.Module(body=body + [ast.Expr(call)], type_ignores=[])
    return sources.safe_imports(holder, bindings, generator)


def _refers_method(receiver: ast.expr, kept: Sequence[ast.stmt], owner: str,
                   target_module: str, bindings: Dict[str, str], same: bool,
                   exports: Optional[Callable[[str, str], bool]] = None) -> bool:
    """Whether the receiver of `x.method(...)` is an instance of `owner` the slice builds."""
    def built(value: ast.AST) -> bool:
        return isinstance(value, ast.Call) and sources.refers(
            value.func, owner, "", target_module, bindings, same, exports) is not None

    if built(receiver):
        return True
    if not isinstance(receiver, ast.Name):
        return False
    for stmt in reversed(kept):
        if isinstance(stmt, ast.Assign) and receiver.id in _binds(stmt):
            return len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and built(stmt.value)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if isinstance(item.optional_vars, ast.Name) \
                        and item.optional_vars.id == receiver.id:
                    return built(item.context_expr)
    return False


def _imports_package(bindings: Dict[str, str], target_module: str) -> bool:
    """Whether a file imports anything from the definition's top package (so that a
    `@name` or `with name(...)` in it is likely the definition's)."""
    package = target_module.split(".")[0]
    return any(line.split()[1].split(".")[0] == package for line in bindings.values())


def _call_after(site: _Site) -> Optional[ast.Call]:
    """The first call of a decorated definition in the statements after it (its
    own block), an `assert` around it reduced to the call; None when there is none."""
    node = site.node
    assert isinstance(node, DEFS)
    block = list(_block_of(site.chain[-1], node)) if site.chain else []
    at = next((i for i, stmt in enumerate(block) if stmt is node), len(block))
    for stmt in block[at + 1:at + 1 + MAX_STATEMENTS]:
        if isinstance(stmt, (ast.With, ast.AsyncWith)) and _guarded(stmt):
            continue
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) \
                    and n.func.id == node.name:
                return n
    return None


def decorated(site: _Site, bindings: Dict[str, str], generator: bool,
              where: str) -> Optional[Slice]:
    """The project's own use of a decorator: the definition it decorates (alone under
    it, with what builds the decorator's arguments) and, when the project calls the
    decorated definition next, that call; None when it does not stand alone."""
    node = site.node
    if not isinstance(node, DEFS) or len(node.decorator_list) != 1:
        return None
    got = cut(site, node)
    if got is None:
        return None
    kept, depths, _ = got
    if _reads_private([*kept, node]) or any(isinstance(n, (ast.Await, ast.Yield,
                                                           ast.YieldFrom, ast.Nonlocal,
                                                           ast.Global))
                                            for s in kept for n in ast.walk(s)):
        return None
    call = _call_after(site)
    for shown in ([call, None] if call is not None else [None]):
        holder = ast.Module(body=[*kept, node] + ([ast.Expr(shown)] if shown else []),
                            type_ignores=[])
        imports = sources.safe_imports(holder, bindings, generator)
        if imports is None or (shown is not None and _reads_private([shown])):
            continue
        setup, indent = render([*kept, node], [*depths, depths[-1] if depths else 0], node)
        if indent or len(setup) > MAX_LINES + 8:
            return None  # under a `with` header, or too long to teach with
        text = ast.unparse(shown) if shown is not None else ""
        return Slice(setup, "", f"print({text})" if text else "", tuple(imports), where)
    return None


def caught_slice(site: _Site, name: str, refers: Callable[[ast.expr], bool],
                 bindings: Dict[str, str], generator: bool, where: str) -> Optional[Slice]:
    """The project's code that catches the exception class `name` (a `try` whose
    `except` names it, or a `with pytest.raises(name)` block), as a `try`
    statement that prints the caught error, with the statements before it that
    build what it reads; None when it does not stand alone."""
    node = site.node
    if isinstance(node, ast.Try):
        named = [e for h in node.handlers for e in _types(h.type)]
    elif isinstance(node, ast.With):
        named = _expected(node)
    else:
        return None
    body = node.body
    exc = next((e for e in named if _name_of(e) == name and refers(e)), None)
    if exc is None or len(body) > 3 or not any(isinstance(n, ast.Call) for s in body
                                                for n in ast.walk(s)):
        return None
    got = cut(site, ast.Module(body=list(body), type_ignores=[]), raising=True)
    if got is None:
        return None
    kept, depths, _ = got
    shown = ast.Try(body=list(body), handlers=[ast.ExceptHandler(
        type=exc, name="error", body=[ast.Expr(ast.Call(ast.Name("print", ast.Load()),
                                                        [ast.Name("error", ast.Load())],
                                                        []))])], orelse=[], finalbody=[])
    if _reads_private([*kept, *body]) or any(
            isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom, ast.Return, ast.Nonlocal,
                           ast.Global)) for s in [*kept, *body] for n in ast.walk(s)):
        return None
    imports = sources.safe_imports(ast.Module(body=[*kept, shown], type_ignores=[]), bindings,
                                   generator)
    if imports is None:
        return None
    setup, indent = render(kept, depths, shown)
    lines = (*setup, *ast.unparse(shown).split("\n"))
    if indent or len(lines) > MAX_LINES:
        return None
    return Slice(lines, "", "", tuple(imports), where)


def _exporter(path: str, target_module: str) -> Callable[[str, str], bool]:
    """Whether a module of the package (`src`) gives the object `target_module` defines
    under `name`: a package above it whose `__init__.py` exports it from there (read
    as `shape.public_module` reads it); never a sibling module."""
    from howto_hook.examples import import_root
    from howto_hook.generate import shape

    root = import_root(path)

    def exports(src: str, name: str) -> bool:
        if not target_module.startswith(src + "."):
            return False
        exporter = shape.public_module(root, target_module, name)
        return exporter != target_module and (src == exporter
                                              or src.startswith(exporter + "."))
    return exports


def uses(path: str, target_module: str, name: str, owner: str, bound_method: bool,
         params: Optional[Sequence[Param]], generator: bool, limit: int = 3) -> Uses:
    """The project's uses of a definition: its shortest self-contained call slices and
    how the project applies the name.

    `owner` is the class of a method ("" otherwise); `bound_method` says the
    call is made on an instance the slice must build. `params` None means the
    signature is unknown (any call counts).
    """
    root = sources.project_root(path)
    here = os.path.abspath(path)
    exports = _exporter(path, target_module)
    found: Dict[str, Slice] = {}
    decorations: Dict[str, Slice] = {}
    catches: Dict[str, Slice] = {}
    how: Set[str] = set()
    for file, text in sources.project_files(root):
        if name not in text:
            continue
        index = _index(file, text)
        if index is None:
            continue
        same = os.path.abspath(file) == here
        if same or owner or _imports_package(index.bindings, target_module):
            how |= index.how.get(name, frozenset())
        for site in index.calls.get(name, ()):
            call = site.node
            assert isinstance(call, ast.Call)
            if bound_method:
                if not isinstance(call.func, ast.Attribute):
                    continue
            elif sources.refers(call.func, name, owner, target_module, index.bindings,
                                same, exports) is None:
                continue
            if params is not None and signature.bind(call, params, name):
                continue
            got = cut(site, call)
            if got is None:
                continue
            kept, depths, _ = got
            if bound_method and not _refers_method(call.func.value,  # type: ignore
                                                   kept, owner, target_module,
                                                   index.bindings, same, exports):
                continue
            if _reads_private([*kept, call]) or any(
                    isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom))
                    for s in [*kept, call] for n in ast.walk(s)):
                continue
            imports = _imports(kept, call, index.bindings, generator)
            if imports is None:
                continue
            setup, indent = render(kept, depths, call)
            if len(setup) > MAX_LINES:
                continue
            text_call = ast.unparse(call)
            key = "\n".join(setup) + "\n" + text_call
            if key not in found:
                line = getattr(call, "lineno", 0)
                found[key] = Slice(setup, indent, text_call, tuple(imports),
                                   f"{os.path.relpath(file, root)}:{line}")
        for site in index.caught.get(name, ()) if not owner else ():
            line = getattr(site.node, "lineno", 0)
            got_catch = caught_slice(
                site, name, lambda e: sources.refers(e, name, owner, target_module,
                                                     index.bindings, same, exports) is not None,
                index.bindings, generator, f"{os.path.relpath(file, root)}:{line}")
            if got_catch is not None:
                catches.setdefault("\n".join(got_catch.setup), got_catch)
        if not owner:
            for site in index.decorated.get(name, ()):
                d = site.node.decorator_list[0]  # type: ignore[attr-defined]
                if sources.refers(d.func if isinstance(d, ast.Call) else d, name, owner,
                                  target_module, index.bindings, same, exports) is None:
                    continue
                line = getattr(site.node, "lineno", 0)
                got_slice = decorated(site, index.bindings, generator,
                                      f"{os.path.relpath(file, root)}:{line}")
                if got_slice is not None:
                    decorations.setdefault("\n".join(got_slice.setup) + got_slice.call,
                                           got_slice)
    ordered = sorted(found.values(), key=lambda s: (
        sources.empty_args(s.call), len(s.setup), len(s.call) + sum(map(len, s.setup)), s.call))
    shown = sorted(decorations.values(), key=lambda s: (not s.call, len(s.setup), s.setup))
    caught = sorted(catches.values(), key=lambda s: (len(s.setup), s.setup))
    return Uses(tuple(ordered[:limit]), frozenset(how), tuple(shown[:limit]),
                tuple(caught[:limit]))
