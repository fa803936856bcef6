"""The offline generator: a guide derived from the code alone, deterministic.

It reads the definition with `ast` (the check path already proved it parses
with libcst; ast is enough to see what the body does): the signature, the
checks that raise, the calls, loops, awaits, yields and returns, in order.
A person's existing text is kept (see `salvage`); the template only adds
what is missing, and never rewords what someone wrote.

It states only what it knows: a context manager is described and used as
one (`with`), a generator is iterated, a coroutine run with `asyncio.run`,
and nothing is printed that the definition does not return. Example
arguments come from `sources` (the doctest, a real call, then values that
fit); each further candidate is rendered as an alternative guide, so that a
run of the examples can fall back to the next one.
"""
from __future__ import annotations

import ast
import io
import re
import threading
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from howto_hook.generate import (GuideParts, Outcome, Request, Salvage, Step, render, salvage,
                                 sources)
from howto_hook.model import Param, Target
from howto_hook.modpath import importable

MAX_STEPS = 7
_SHORT = 48  # longest code span quoted whole in generated prose
_SUMMARY = 64  # longest generated summary line

# Each verb the template uses, with stand-ins for teams that ban the first.
_VERBS: Dict[str, Tuple[str, ...]] = {
    "raises": ("raises", "signals"),
    "calls": ("calls", "invokes"),
    "iterates": ("iterates over", "loops over"),
    "repeats": ("repeats", "loops"),
    "enters": ("enters", "opens"),
    "runs": ("runs", "executes"),
    "catches": ("catches", "intercepts"),
    "awaits": ("awaits", "waits for"),
    "yields": ("yields", "produces"),
    "returns": ("returns", "gives back"),
    "takes": ("takes", "accepts"),
    "stores": ("stores", "keeps"),
    "provides": ("provides", "offers"),
    "declares": ("declares", "defines"),
    "checks": ("checks", "tests"),
    "builds": ("builds", "creates"),
    "assigns": ("assigns", "sets"),
    "hands": ("hands", "passes"),
}


class _Words:
    def __init__(self, banned: Sequence[str]) -> None:
        self.banned = {w.lower() for w in banned}

    def __call__(self, key: str) -> str:
        for choice in _VERBS[key]:
            if not any(part.lower() in self.banned for part in choice.split()):
                return choice
        return _VERBS[key][-1]

    def allows(self, text: str) -> bool:
        return not any(w.lower() in self.banned for w in re.findall(r"[A-Za-z]+", text))


def _token_cut(text: str, limit: int) -> str:
    """`text` cut at the last token boundary within `limit`, marked with "...".

    A string or a name is never split: when even the first token is too long
    the result is "" (the caller then leaves the code out).
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return ""
    end = 0
    for tok in tokens:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
            break
        if tok.start[0] != 1 or tok.end[1] > limit - 4:
            break
        end = tok.end[1]
    cut = text[:end].rstrip()
    return cut + " ..." if cut else ""


def _code(node: ast.AST) -> str:
    text = ast.unparse(node)
    if len(text) <= _SHORT and "\n" not in text:
        return text
    if isinstance(node, ast.Call):
        short = f"{ast.unparse(node.func)}(...)"
        if len(short) <= _SHORT:
            return short
    return _token_cut(text.split("\n")[0], _SHORT)


def _tick(text: str) -> str:
    return f"`{text.replace('`', chr(39))}`"


@dataclass(frozen=True)
class _Action:
    kind: str
    a: str = ""
    b: str = ""
    c: str = ""


def _calls_in(node: ast.AST) -> Iterator[ast.Call]:
    """Calls in an expression, outermost first, not inside lambdas."""
    if isinstance(node, ast.Lambda):
        return
    if isinstance(node, ast.Call):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _calls_in(child)


def _raises_only(body: Sequence[ast.stmt]) -> Optional[ast.Raise]:
    if len(body) == 1 and isinstance(body[0], ast.Raise):
        return body[0]
    return None


def _exc_name(node: ast.Raise) -> str:
    exc = node.exc
    if exc is None:
        return "the current exception"
    if isinstance(exc, ast.Call):
        exc = exc.func
    return _tick(_code(exc))


def _inner(body: Sequence[ast.stmt]) -> Tuple[str, str]:
    """Calls and yielded values of a loop's body, each joined by NUL."""
    calls, yields = [], []
    for a in _actions(body):
        if a.kind == "call":
            calls.extend(a.a.split("\x00"))
        elif a.kind == "yield" and a.a:
            yields.append(a.a)
        elif a.kind in ("loop", "while"):
            calls.extend(x for x in a.b.split("\x00") if x)
            yields.extend(x for x in a.c.split("\x00") if x)
    return "\x00".join(dict.fromkeys(c for c in calls if c)), "\x00".join(dict.fromkeys(yields))


def _actions(body: Sequence[ast.stmt]) -> Iterator[_Action]:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If):
            raised = _raises_only(stmt.body)
            if raised is not None and not stmt.orelse:
                yield _Action("validate", _code(stmt.test), _exc_name(raised))
                continue
            yield _Action("branch", _code(stmt.test))
            yield from _actions(stmt.body)
            yield from _actions(stmt.orelse)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            calls, yields = _inner(stmt.body)
            yield _Action("loop", _code(stmt.iter), calls, yields)
        elif isinstance(stmt, ast.While):
            calls, yields = _inner(stmt.body)
            yield _Action("while", _code(stmt.test), calls, yields)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            item = stmt.items[0]
            target = f" as {_tick(_code(item.optional_vars))}" if item.optional_vars else ""
            yield _Action("with", _code(item.context_expr), target)
            yield from _actions(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            names = []
            for h in stmt.handlers:  # type: ignore[attr-defined]
                names.append(_tick(_code(h.type)) if h.type is not None else "any exception")
            yield from _actions(stmt.body)  # type: ignore[attr-defined]
            if names:
                yield _Action("try", ", ".join(dict.fromkeys(names)))
            yield from _actions(stmt.orelse)  # type: ignore[attr-defined]
            final = stmt.finalbody  # type: ignore[attr-defined]
            if final:
                calls = [ast.unparse(c.func) for s in final for c in _calls_in(s)]
                yield _Action("finally", "\x00".join(dict.fromkeys(_code_text(c) for c in calls)))
        elif isinstance(stmt, ast.Raise):
            yield _Action("raise", _exc_name(stmt))
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None and not (isinstance(stmt.value, ast.Constant)
                                               and stmt.value.value is None):
                yield _Action("return", _code(stmt.value))
        elif isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = stmt.value
            if value is None:
                continue
            if isinstance(value, (ast.Yield, ast.YieldFrom)):
                yield _Action("yield", _code(value.value) if value.value is not None else "")
                continue
            if isinstance(value, ast.Await):
                yield _Action("await", _code(value.value))
                continue
            target = ""
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                tgt = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                target = _code(tgt)
            calls = list(_calls_in(value))[:1]
            for call in calls:
                yield _Action("call", _code_text(ast.unparse(call.func)), target)
            if not calls and target:
                yield _Action("assign", target)


def _code_text(text: str) -> str:
    return text if len(text) <= _SHORT else _token_cut(text, _SHORT)


# Kinds whose repeats are folded into the first one, wherever they stand.
_FOLD = ("validate", "call", "yield", "await", "assign", "loop", "while", "branch", "with",
         "try", "finally", "raise")


def _fold(actions: List[_Action]) -> List[_Action]:
    """One action per kind (and one return, at the last return's place): no two steps alike."""
    out: List[_Action] = []
    returns = [a for a in actions if a.kind == "return"]
    last_return = max((i for i, a in enumerate(actions) if a.kind == "return"), default=-1)
    for i, a in enumerate(actions):
        if a.kind == "return":
            if i == last_return:
                out.append(_Action("return", "\x00".join(dict.fromkeys(r.a for r in returns))))
            continue
        same = next((j for j, o in enumerate(out) if o.kind == a.kind), None)
        if same is None or a.kind not in _FOLD:
            out.append(a)
            continue
        prev = out[same]
        out[same] = _Action(a.kind, _join(prev.a, a.a), _join(prev.b, a.b), _join(prev.c, a.c))
    return out


def _join(x: str, y: str) -> str:
    parts = [p for p in x.split("\x00") + y.split("\x00")]
    return "\x00".join(dict.fromkeys(parts)) if any(parts) else ""


def _and(items: Sequence[str], word: str = "and") -> str:
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _ticks(joined: str, limit: int = 3) -> List[str]:
    values = [v for v in joined.split("\x00") if v]
    shown = [_tick(v) for v in values[:limit]]
    if len(values) > limit:
        shown.append(f"{len(values) - limit} more")
    return shown


def _step(a: _Action, w: _Words, context_manager: bool) -> Step:
    if a.kind == "validate":
        conds = a.a.split("\x00")
        excs = a.b.split("\x00")
        parts = list(dict.fromkeys(f"{e} when {_tick(c)}" if c else e
                                   for c, e in zip(conds, excs)))
        more = f"; and {len(parts) - 3} more checks" if len(parts) > 3 else ""
        return Step("Validate Input", f"{w('checks')} its input: {w('raises')} "
                    + "; ".join(parts[:3]) + more + ".")
    if a.kind == "call":
        names = [n for n in a.a.split("\x00") if n]
        text = f"{w('calls')} " + _and(_ticks(a.a))
        if a.b and len(names) == 1 and "\x00" not in a.b:
            text += f" and {w('stores')} the result in {_tick(a.b)}"
        label_name = names[0].rsplit(".", 1)[-1] if names else ""
        return Step(f"Call {label_name}" if label_name.isidentifier() and len(names) == 1
                    else "Call Helpers", text + ".")
    if a.kind in ("loop", "while"):
        if a.kind == "loop":
            text = f"{w('iterates')} " + _and(_ticks(a.a))
        else:
            text = f"{w('repeats')} its block while " + _and(_ticks(a.a), "or") + " holds"
        extras = []
        if a.b:
            extras.append(f"{w('calls')} " + _and(_ticks(a.b)))
        if a.c:
            extras.append(f"{w('yields')} " + _and(_ticks(a.c)))
        if extras:
            text += "; each pass " + " and ".join(extras)
        return Step("Loop Over Items" if a.kind == "loop" else "Repeat Loop", text + ".")
    if a.kind == "with":
        return Step("Enter Context", f"{w('enters')} " + _and(_ticks(a.a))
                    + (a.b.replace("\x00", "") if "\x00" not in a.a else "")
                    + " for the block inside it.")
    if a.kind == "try":
        return Step("Handle Errors", f"{w('catches')} " + _and(a.a.split("\x00"))
                    + " raised by the steps above.")
    if a.kind == "finally":
        calls = _and(_ticks(a.a))
        what = f"{w('runs')} {calls}" if calls else f"{w('runs')} its cleanup code"
        return Step("Clean Up", what + " when the block ends, whether it finished or raised.")
    if a.kind == "raise":
        return Step("Raise Error", f"{w('raises')} " + _and(a.a.split("\x00"), "or") + ".")
    if a.kind == "return":
        values = _ticks(a.a)
        more = len([v for v in a.a.split("\x00") if v]) > 1
        return Step("Return Result", f"{w('returns')} " + _and(values, "or")
                    + (", depending on the path taken." if more else "."))
    if a.kind == "yield":
        values = _ticks(a.a)
        what = _and(values) if values else "control"
        if context_manager:
            return Step("Run With Block", f"{w('hands')} {what} to the `with` block, which runs "
                        "at this point.")
        return Step("Yield Values", f"{w('yields')} {what} to the caller.")
    if a.kind == "await":
        return Step("Await Result", f"{w('awaits')} " + _and(_ticks(a.a)) + ".")
    if a.kind == "assign":
        names = a.a.split("\x00")
        label = "Update State" if all(n.startswith("self.") for n in names) else "Set Values"
        return Step(label, f"{w('assigns')} " + _and(_ticks(a.a)) + ".")
    return Step("Branch On Condition", f"{w('checks')} " + _and(_ticks(a.a))
                + " to choose what runs next.")


# Which steps go first when there are too many: the least telling kinds.
_DROP_ORDER = ("branch", "assign", "while", "with", "call", "await", "loop", "try", "finally",
               "validate", "raise", "yield", "return")


def _cap(actions: List[_Action]) -> List[_Action]:
    """At most MAX_STEPS actions, dropping the least telling kinds first (latest first)."""
    out = list(actions)
    for kind in _DROP_ORDER:
        while len(out) > MAX_STEPS:
            idx = [i for i, a in enumerate(out) if a.kind == kind]
            if not idx:
                break
            del out[idx[-1]]
    return out[:MAX_STEPS]


def _cap_text(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the definition, read with ast ---------------------------------------------------


def _parse_def(source: str) -> Optional[ast.AST]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return node
    return None


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a definition's body, not of the functions or classes nested in it."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield child
        yield from _own_nodes(child)


def _is_generator(node: Optional[ast.AST]) -> bool:
    return node is not None and any(isinstance(n, (ast.Yield, ast.YieldFrom))
                                    for n in _own_nodes(node))


def _returns_value(node: Optional[ast.AST]) -> bool:
    """Whether a function hands back anything: a value `return`, or an annotation not None."""
    if node is None:
        return True
    returns = getattr(node, "returns", None)
    if returns is not None:
        return ast.unparse(returns) not in ("None", "NoReturn", "Never", "typing.NoReturn")
    return any(isinstance(n, ast.Return) and n.value is not None
               and not (isinstance(n.value, ast.Constant) and n.value.value is None)
               for n in _own_nodes(node))


def _yields_value(node: Optional[ast.AST]) -> bool:
    return node is not None and any(
        isinstance(n, (ast.Yield, ast.YieldFrom)) and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in _own_nodes(node))


def _endless(node: Optional[ast.AST]) -> bool:
    """A generator built on `while True` with no way out: iterate only a few items."""
    if node is None:
        return False
    for n in _own_nodes(node):
        if isinstance(n, ast.While) and isinstance(n.test, ast.Constant) and n.test.value:
            inner = list(ast.walk(n))
            if not any(isinstance(x, (ast.Break, ast.Return, ast.Raise)) for x in inner):
                return True
    return False


def _decorators(t: Target) -> set:
    return {d.rsplit(".", 1)[-1] for d in t.decorators}


def _cm_kind(t: Target, node: Optional[ast.AST]) -> str:
    """"sync"/"async" for a context manager (function or class), else ""."""
    decorators = _decorators(t)
    if "asynccontextmanager" in decorators:
        return "async"
    if "contextmanager" in decorators:
        return "sync"
    if t.kind == "class" and isinstance(node, ast.ClassDef):
        names = {s.name for s in node.body if isinstance(s, (ast.FunctionDef,
                                                               ast.AsyncFunctionDef))}
        if "__aenter__" in names:
            return "async"
        if "__enter__" in names:
            return "sync"
    return ""


_ENUM_BASES = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")


def _base_names(node: Optional[ast.AST]) -> List[str]:
    return [ast.unparse(b).rsplit(".", 1)[-1] for b in getattr(node, "bases", [])]


def _is_enum(node: Optional[ast.AST]) -> bool:
    return any(b in _ENUM_BASES for b in _base_names(node))


def _enum_members(node: ast.ClassDef) -> List[str]:
    out = []
    for s in node.body:
        if isinstance(s, ast.Assign):
            out.extend(t.id for t in s.targets if isinstance(t, ast.Name)
                       and not t.id.startswith("_"))
        elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value:
            out.append(s.target.id)
    return out


def _is_abstract(node: Optional[ast.AST]) -> bool:
    if not isinstance(node, ast.ClassDef):
        return False
    if any(b in ("ABC", "Protocol") for b in _base_names(node)):
        return True
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
               and any(ast.unparse(d).endswith("abstractmethod") for d in s.decorator_list)
               for s in node.body)


def _params_text(params: Sequence[Param]) -> str:
    shown = []
    for p in params:
        star = {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "")
        piece = _tick(star + p.name)
        extras = []
        if p.annotation:
            extras.append(_tick(p.annotation))
        if p.default is not None:
            extras.append(f"default {_tick(p.default)}")
        if extras:
            piece += f" ({', '.join(extras)})"
        shown.append(piece)
    return _and(shown)


def _top_name(target: Target) -> str:
    return target.qualname.split(".")[0]


# --- the module around the definition ------------------------------------------------


@dataclass(frozen=True)
class _Module:
    tree: Optional[ast.Module]
    bindings: Dict[str, str]  # top-level name -> the import line that binds it elsewhere

    def find(self, qualname: str) -> Optional[ast.AST]:
        """The definition at `qualname` (Outer.Inner.method), or None."""
        body: Sequence[ast.stmt] = self.tree.body if self.tree is not None else []
        found: Optional[ast.AST] = None
        for part in qualname.split("."):
            found = next((n for n in body if isinstance(n, (ast.ClassDef, ast.FunctionDef,
                                                             ast.AsyncFunctionDef))
                          and n.name == part), None)
            if found is None:
                return None
            body = found.body  # type: ignore[attr-defined]
        return found


def _module(req: Request) -> _Module:
    return _module_of(req.module_text, req.import_path,
                      sources.package_of(req.path or req.target.path, req.import_path))


@lru_cache(maxsize=4)
def _module_of(text: str, import_path: str, package: str) -> _Module:
    """The module around the definitions of one file: parsed once for all of them."""
    if not text or not importable(import_path):
        return _Module(None, {})
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _Module(None, {})
    return _Module(tree, sources.top_level_bindings(tree, import_path, package))


def _init_params(cls: Optional[ast.AST], module: _Module, known: Sequence[Param],
                 has_init: bool) -> Optional[List[Param]]:
    """The parameters a class is built from: its own `__init__`, a dataclass's fields,
    or the `__init__` of a base defined in the same module; None when unknown."""
    if has_init:
        return list(known)
    if not isinstance(cls, ast.ClassDef):
        return None
    if any(ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] in ("dataclass", "define", "frozen",
                                                                "attrs")
           for d in cls.decorator_list):
        return _dataclass_fields(cls)
    for base in _base_names(cls):
        node = module.find(base)
        if isinstance(node, ast.ClassDef):
            init = next((s for s in node.body if isinstance(s, ast.FunctionDef)
                         and s.name == "__init__"), None)
            if init is not None:
                return _ast_params(init)[1:]
            deeper = _init_params(node, module, (), False)
            if deeper is not None:
                return deeper
    if cls.bases and not all(b in ("object",) for b in _base_names(cls)):
        return None  # built by a base defined elsewhere: its arguments are not known here
    return []


def _ast_params(fn: ast.FunctionDef) -> List[Param]:
    a = fn.args
    out: List[Param] = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for i, (arg, d) in enumerate(zip(positional, defaults)):
        kind = "positional_only" if i < len(a.posonlyargs) else "positional_or_keyword"
        out.append(Param(arg.arg, kind, d is not None,
                         ast.unparse(arg.annotation) if arg.annotation else None,
                         ast.unparse(d) if d is not None else None))
    if a.vararg:
        out.append(Param(a.vararg.arg, "var_positional", False))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append(Param(arg.arg, "keyword_only", d is not None,
                         ast.unparse(arg.annotation) if arg.annotation else None,
                         ast.unparse(d) if d is not None else None))
    if a.kwarg:
        out.append(Param(a.kwarg.arg, "var_keyword", False))
    return out


def _dataclass_fields(node: ast.ClassDef) -> List[Param]:
    out = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            ann = ast.unparse(stmt.annotation)
            if ann.startswith(("ClassVar", "typing.ClassVar")):
                continue
            out.append(Param(stmt.target.id, "positional_or_keyword", stmt.value is not None, ann))
    return out


# --- the usage example ---------------------------------------------------------------


def _importer(req: Request) -> Tuple[List[str], str]:
    """Import lines and the expression that names the documented object's top level."""
    top = _top_name(req.target)
    path = req.import_path
    if importable(path):
        return [f"from {path} import {top}"], top
    # A file whose name is not an identifier (my-script.py) still imports.
    return ["import importlib", "", f"module = importlib.import_module({path!r})"], f"module.{top}"


def _in_main(lines: Sequence[str]) -> List[str]:
    """Lines run inside `async def main()` through `asyncio.run`."""
    return ["async def main() -> None:"] + ["    " + ln if ln else "" for ln in lines] + [
        "", "", "asyncio.run(main())"]


@dataclass(frozen=True)
class _Use:
    """How the definition is used: everything about the example but its arguments."""

    kind: str  # "function", "class" or "method"
    cm: str  # "sync", "async" or ""
    generator: bool
    is_async: bool
    returns: bool
    yields_value: bool
    endless: bool
    enum_member: str  # first member of an Enum class, "" otherwise
    prop: bool
    raises: bool = False  # its body ends in a `raise` and never returns: raising is its use


def _use(req: Request, node: Optional[ast.AST]) -> _Use:
    t = req.target
    decorators = _decorators(t)
    members = _enum_members(node) if t.kind == "class" and isinstance(node, ast.ClassDef) \
        and _is_enum(node) else []
    return _Use(
        kind=t.kind, cm=_cm_kind(t, node), generator=_is_generator(node), is_async=t.is_async,
        returns=_returns_value(node), yields_value=_yields_value(node), endless=_endless(node),
        enum_member=members[0] if members else ("-" if _is_enum(node) else ""),
        prop=any(d.endswith("property") for d in decorators), raises=_always_raises(node))


def _always_raises(node: Optional[ast.AST]) -> bool:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or _is_generator(node):
        return False
    return isinstance(node.body[-1], ast.Raise) and not any(
        isinstance(n, ast.Return) for n in _own_nodes(node))


def _use_lines(u: _Use, call: str, setup: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(extra imports, body lines) that use `call` the way its kind is used."""
    lines = list(setup)
    if u.kind == "class":
        if u.enum_member:
            return [], lines + [f"for member in {call.split('(')[0]}:", "    print(member)"]
        if u.cm == "sync":
            return [], lines + [f"with {call} as instance:", "    print(instance)"]
        if u.cm == "async":
            return ["import asyncio"], _in_main(
                lines + [f"async with {call} as instance:", "    print(instance)"])
        return [], lines + [f"instance = {call}", "print(instance)"]
    if u.prop:
        return [], lines + [f"print({call})"]
    if u.cm == "sync":
        if u.yields_value:
            return [], lines + [f"with {call} as value:", "    print(value)"]
        return [], lines + [f"with {call}:", "    pass  # the code to run inside the context"]
    if u.cm == "async":
        body = ([f"async with {call} as value:", "    print(value)"] if u.yields_value else
                [f"async with {call}:", "    pass  # the code to run inside the context"])
        return ["import asyncio"], _in_main(lines + body)
    if u.is_async and u.generator:
        loop = [f"async for item in {call}:", "    print(item)"]
        return ["import asyncio"], _in_main(lines + loop)
    if u.is_async:
        if u.returns:
            return ["import asyncio"], lines + [f"result = asyncio.run({call})", "print(result)"]
        return ["import asyncio"], lines + [f"asyncio.run({call})"]
    if u.generator:
        if u.endless:
            return ["from itertools import islice"], lines + [
                f"for item in islice({call}, 5):", "    print(item)"]
        return [], lines + [f"for item in {call}:", "    print(item)"]
    if u.raises:
        return [], lines + ["try:", f"    {call}", "except Exception as error:",
                            "    print(repr(error))"]
    if u.returns:
        return [], lines + [f"result = {call}", "print(result)"]
    return [], lines + [call]


def _finish(imports: Sequence[str], lines: Sequence[str]) -> str:
    head = [i for i in imports if i]
    return sources.assemble(head, "\n".join(lines))


def _owner_calls(req: Request, module: _Module, owner_access: str) -> List[Tuple[str, Tuple[str,
                                                                                         ...]]]:
    """Ways to build the instance a method is called on: real calls, then values."""
    t = req.target
    owner_node = module.find(t.parent_class) if module.tree is not None else None
    if _is_enum(owner_node) and isinstance(owner_node, ast.ClassDef):
        members = _enum_members(owner_node)
        return [(f"{owner_access}.{members[0]}", ())] if members else []
    owner = req.owner
    params = _init_params(owner_node, module, owner.params if owner else (),
                          owner.has_init if owner else False)
    out: List[Tuple[str, Tuple[str, ...]]] = []
    if "." not in t.parent_class and module.tree is not None:
        for found in sources.real_calls(req.path or t.path, req.import_path, t.parent_class, "", params,
                                        False, limit=2):
            out.append((found.call, found.imports))
    if params is not None:
        out.append((f"{owner_access}({sources.call_args(params)})", ()))
    elif not out:
        out.append((f"{owner_access}()", ()))
    return out


def examples(req: Request, node: Optional[ast.AST]) -> List[str]:
    """Usage examples for the definition, best first; never empty.

    The docstring's doctest, then real calls of the project, then the
    doctest with the statements its author marked `+SKIP`, then values that
    fit the parameters.
    """
    t = req.target
    module = _module(req)
    imports, top = _importer(req)
    access = top + t.qualname[len(_top_name(t)):]  # Outer.Inner.method
    u = _use(req, node)
    local = "<locals>" in t.qualname
    path = req.path or t.path
    doctests: List[str] = []
    if t.docstring is not None and module.tree is not None and not local:
        for skipped in (False, True):
            code = sources.doctest_code(t.docstring.value, t.name, top, module.bindings, skipped)
            doctests.append(code or "")
    first, later = (doctests + ["", ""])[:2]

    def render_all(calls: Sequence[Tuple[str, Tuple[str, ...]]], setup: Sequence[str],
                   more_imports: Sequence[str] = ()) -> List[str]:
        out = []
        for call, extra in calls:
            more, lines = _use_lines(u, call, setup)
            needed = sources.value_imports("\n".join(lines))
            out.append(_finish(more + needed + imports + list(more_imports) + list(extra),
                               lines))
        return out

    real: List[Tuple[str, Tuple[str, ...]]] = []
    values: List[str] = []
    if u.kind == "class":
        params = _init_params(node, module, t.params, t.has_init)
        if module.tree is not None and not local and "." not in t.qualname and not u.enum_member:
            real = [(f.call, f.imports)
                    for f in sources.real_calls(path, req.import_path, t.name, "", params, False)]
        if params is not None:
            values = render_all([(f"{access}({sources.call_args(params)})", ())], [])
        elif not real:
            values = render_all([(f"{access}()", ())], [])
        ordered = [first] + render_all(real, []) + [later] + values
        return [c for c in dict.fromkeys(ordered) if c]

    decorators = _decorators(t)
    owner_access = access.rsplit(".", 1)[0]
    bound = t.kind == "method" and not decorators & {"classmethod", "staticmethod"}
    args = sources.call_args(t.params)
    if bound:
        # an instance first: each way to build one, with the method's own arguments
        for owner_call, owner_imports in _owner_calls(req, module, owner_access):
            call = f"instance.{t.name}" if u.prop else f"instance.{t.name}({args})"
            values += render_all([(call, ())], [f"instance = {owner_call}"], owner_imports)
    else:
        subject = f"{owner_access}.{t.name}" if t.kind == "method" else access
        if module.tree is not None and not local and t.qualname.count(".") <= 1:
            owner = t.parent_class if t.kind == "method" else ""
            real = [(f.call, f.imports) for f in sources.real_calls(
                path, req.import_path, t.name, owner, t.params, u.generator)]
        values = render_all([(subject if u.prop else f"{subject}({args})", ())], [])
    ordered = [first] + render_all(real, []) + [later] + values
    return [c for c in dict.fromkeys(ordered) if c]


# --- descriptions and steps ------------------------------------------------------------


def _what(t: Target, u: _Use, w: _Words) -> str:
    decorators = _decorators(t)
    if t.kind == "method":
        owner = t.parent_class
        if u.prop:
            return f"The {_tick(t.name)} property of {_tick(owner)}"
        if "classmethod" in decorators:
            return f"The {_tick(t.qualname)} class method"
        if "staticmethod" in decorators:
            return f"The {_tick(t.qualname)} static method"
        return f"The {_tick(t.name)} method of {_tick(owner)}"
    if u.cm:
        return f"The {_tick(t.name)} {'asynchronous ' if u.cm == 'async' else ''}context manager"
    if t.is_async and u.generator:
        return f"The {_tick(t.name)} asynchronous generator function"
    return f"The {_tick(t.name)} {'coroutine function' if t.is_async else 'function'}"


def _function_parts(req: Request, node: Optional[ast.AST], w: _Words
                    ) -> Tuple[str, List[_Action], _Use]:
    t = req.target
    u = _use(req, node)
    sentence = _what(t, u, w)
    params = t.params
    if params:
        sentence += f" {w('takes')} {_params_text(params)}"
    returns = getattr(node, "returns", None)
    if returns is not None and ast.unparse(returns) != "None" and not u.cm:
        sentence += (" and" if params else "") + f" {w('returns')} {_tick(ast.unparse(returns))}"
    elif not params:
        sentence += " takes no arguments" if w("takes") == "takes" else " has no parameters"
    sentence += "."
    extra = []
    if u.cm == "sync":
        extra.append("Use it in a `with` statement: the code before its `yield` runs on entry, "
                     "the code after it on exit.")
    elif u.cm == "async":
        extra.append("Use it in an `async with` statement inside a coroutine.")
    elif t.is_async and u.generator:
        extra.append("It is an asynchronous generator: iterate over it with `async for`.")
    elif t.is_async:
        extra.append("It is a coroutine: await it, or run it with `asyncio.run`.")
    elif u.generator:
        extra.append(f"It is a generator: iterate over it to receive what it {w('yields')}.")
    body = getattr(node, "body", []) if node is not None else []
    actions = _fold(list(_actions(body)))
    return " ".join([sentence] + extra), actions, u


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def _class_parts(req: Request, node: Optional[ast.AST], w: _Words) -> Tuple[str, List[Step]]:
    t = req.target
    module = _module(req)
    sentence = f"The {_tick(t.name)} class"
    bases = [ast.unparse(b) for b in getattr(node, "bases", [])]
    methods: List[str] = []
    attrs: List[str] = []
    if isinstance(node, ast.ClassDef):
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not stmt.name.startswith("_"):
                    methods.append(stmt.name)
                if stmt.name == "__init__":
                    for sub in ast.walk(stmt):
                        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                                and sub.value.id == "self" and isinstance(sub.ctx, ast.Store):
                            attrs.append(sub.attr)
    init_params = _init_params(node, module, t.params, t.has_init)
    steps: List[Step] = []
    clauses: List[str] = []
    cm = _cm_kind(t, node)
    if bases:
        clauses.append(f"builds on {_and([_tick(b) for b in bases])}")
    if isinstance(node, ast.ClassDef) and _is_enum(node):
        members = _enum_members(node)
        shown = _and([_tick(m) for m in members[:8]]) + (" and more" if len(members) > 8 else "")
        if members:
            clauses.append(f"has the members {shown}")
            steps.append(Step("List Members", f"Declares the members {shown}; iterate over the "
                              "class to see each one."))
    elif init_params:
        clauses.append(f"is created from {_params_text(init_params)}")
        steps.append(Step("Create Instance",
                          f"{w('builds')} {_article(t.name)} {_tick(t.name)} from "
                          f"{_params_text(init_params)}."))
    elif init_params is not None:
        steps.append(Step("Create Instance",
                          f"{w('builds')} {_article(t.name)} {_tick(t.name)} with no arguments."))
    else:
        steps.append(Step("Create Instance",
                          f"{w('builds')} {_article(t.name)} {_tick(t.name)} with the arguments "
                          f"its base {_and([_tick(b) for b in bases])} takes."))
    public_attrs = [a for a in dict.fromkeys(attrs) if not a.startswith("_")]
    if public_attrs:
        steps.append(Step("Store State",
                          f"{w('stores')} " + _and(_ticks("\x00".join(public_attrs), 6))
                          + " on the instance."))
    if cm:
        word = "async with" if cm == "async" else "with"
        steps.append(Step("Enter Context", f"Use it in {_article(word)} `{word}` statement: "
                          "entering gives the "
                          "value bound by `as`, leaving runs its cleanup."))
    if methods:
        shown = _and([_tick(m) for m in methods[:8]]) + (" and more" if len(methods) > 8 else "")
        clauses.append(f"{w('provides')} {shown}")
        steps.append(Step("Use Methods", f"{w('calls')} {shown} on the instance as needed."))
    if clauses:
        sentence += " " + _and(clauses)
    else:
        sentence += " has no public methods"
    steps = [Step(s.label, _cap_text(s.text)) for s in steps]
    return sentence + ".", steps


# --- the summary line, when the definition has none ------------------------------------


def _first(joined: str) -> str:
    return next((v for v in joined.split("\x00") if v), "")


def _summary_options(t: Target, u: _Use, actions: Sequence[_Action], node: Optional[ast.AST]
                     ) -> List[str]:
    """Sentences that say what the definition does, most telling first."""
    kinds = {a.kind: a for a in actions}
    out: List[str] = []
    if t.kind == "class":
        bases = [b for b in _base_names(node) if b != "object"]
        if _is_enum(node) and isinstance(node, ast.ClassDef):
            members = _enum_members(node)
            if members:
                out.append("Enumerate " + _and([_tick(m) for m in members[:3]])
                           + (" and more." if len(members) > 3 else "."))
            out.append("An enumeration of named constants.")
        if bases and any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
            out.append(f"An error raised as a kind of {_tick(bases[0])}.")
        if u.cm:
            out.append(f"A context manager for {'async with' if u.cm == 'async' else 'with'}.")
        methods = [s.name for s in getattr(node, "body", [])
                   if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and not s.name.startswith("_")]
        if methods:
            base = f"A {_tick(bases[0])} that provides " if bases else "Provide "
            shown = [_tick(m) for m in methods[:3]]
            out.append(base + (", ".join(shown) + " and more." if len(methods) > 3
                               else _and(shown) + "."))
        held = [p.name for p in (t.params or (_dataclass_fields(node) if isinstance(
            node, ast.ClassDef) else [])) if p.kind not in ("var_positional", "var_keyword")]
        if held:
            out.append("Hold " + _and([_tick(h) for h in held[:3]])
                       + (" and more." if len(held) > 3 else "."))
        if bases:
            out.append(f"A kind of {_tick(bases[0])}.")
        out.append("A class with no public methods." if not methods else "A class with methods.")
        return out
    if u.cm:
        value = _first(kinds["yield"].a) if "yield" in kinds else ""
        ctx = "async with" if u.cm == "async" else "with"
        if value:
            out.append(f"Hand {_tick(value)} to a `{ctx}` block.")
        out.append(f"Provide a context for a `{ctx}` block.")
    if "yield" in kinds or (u.generator and ("loop" in kinds or "while" in kinds)):
        yielded = _first(kinds["yield"].a) if "yield" in kinds else ""
        loop = kinds.get("loop")
        if not yielded and loop is not None:
            yielded = _first(loop.c)
        if yielded and loop is not None and _first(loop.c):
            out.append(f"Yield {_tick(yielded)} for each item of {_tick(_first(loop.a))}.")
        if yielded:
            out.append(f"Yield {_tick(yielded)}.")
        out.append("Yield values one at a time.")
    if "return" in kinds:
        values = [v for v in kinds["return"].a.split("\x00") if v]
        if len(values) == 1:
            out.append(f"Return {_tick(values[0])}.")
        elif len(values) > 1:
            out.append("Return " + _and([_tick(v) for v in values[:2]], "or") + ".")
        call = next((a for a in actions if a.kind == "call"), None)
        if call is not None:
            out.append(f"Return a value computed with {_tick(_first(call.a))}.")
    if "await" in kinds:
        waited = _tick(_first(kinds['await'].a))
        if "return" in kinds and len(kinds["return"].a.split("\x00")) == 1:
            out.insert(0, f"Await {waited} and return {_tick(kinds['return'].a)}.")
        out.append(f"Await {waited}.")
    if "assign" in kinds and all(n.startswith("self.") for n in kinds["assign"].a.split("\x00")):
        out.append("Set " + _and([_tick(n) for n in kinds["assign"].a.split("\x00")[:3]]) + ".")
    if "call" in kinds:
        names = [n for n in kinds["call"].a.split("\x00") if n]
        out.append("Call " + _and([_tick(n) for n in names[:3]]) + ".")
    if "raise" in kinds and len(actions) <= 2:
        out.append(f"Raise {_and(kinds['raise'].a.split(chr(0)), 'or')}.")
    if "loop" in kinds:
        out.append(f"Loop over {_tick(_first(kinds['loop'].a))}.")
    if "validate" in kinds:
        out.append("Check its input.")
    if not actions:
        out.append("Declare the interface; subclasses supply the behaviour.")
    out.append({"method": "A method", "function": "A function"}.get(t.kind, "A definition")
               + " with the steps below.")
    return out


def _summary(t: Target, u: _Use, actions: Sequence[_Action], node: Optional[ast.AST],
             w: _Words, width: int = _SUMMARY) -> str:
    """One line that says what the definition does, ending in a period (pydocstyle's D400).

    The first option that fits `width` (the room after the quotes) and uses no
    banned word wins; the last, short and generic, always does.
    """
    options = _summary_options(t, u, actions, node)
    limit = min(_SUMMARY, width)
    for text in options:
        if len(text) <= limit and "..." not in text and w.allows(text.replace("`", " ")):
            return text
    return options[-1]


def build_all(req: Request) -> List[GuideParts]:
    """The guide's parts for one definition, one per example candidate, best first."""
    t = req.target
    w = _Words([word for word, _ in req.settings.banned_words])
    node = _parse_def(req.source)
    kept: Salvage = salvage(t.docstring.value if t.docstring else None, t, req.settings)
    if t.kind == "class":
        derived, steps = _class_parts(req, node, w)
        u = _use(req, node)
        summary = _summary(t, u, [], node, w, req.room.width)
    else:
        derived, actions, u = _function_parts(req, node, w)
        summary = _summary(t, u, actions, node, w, req.room.width)
        steps = [_step(a, w, bool(u.cm)) for a in _cap(actions)]
        if not steps:
            steps = [Step("Declare Interface",
                          f"{w('declares')} the interface only: the body holds no statements, "
                          "so subclasses or callers supply the behaviour.")]
        steps = [Step(s.label, _cap_text(s.text)) for s in steps]

    preamble = kept.preamble or summary
    kept_description = kept.description.strip("\n") or None
    final_steps: Tuple[Step, ...] = kept.repaired_steps or tuple(steps)
    out = []
    for example in examples(req, node):
        kept_example = kept.example
        if kept_example is None and (kept.example_prose or kept.example_code):
            # a failing human example: new code first, the person's text kept below it
            pieces = []
            if kept.example_prose:
                pieces.append(kept.example_prose)
            pieces.append("```python\n" + example + "\n```")
            if kept.example_code:
                pieces.append("```text\n" + kept.example_code + "\n```")
            kept_example = "\n\n".join(pieces)
        out.append(GuideParts(preamble=preamble, description=derived, steps=final_steps,
                              example=example, kept_description=kept_description,
                              kept_steps=kept.steps, kept_example=kept_example, extra=kept.extra,
                              verbatim=kept.example is not None))
        if kept.example is not None:
            break  # a passing example of the person's own is kept: no alternatives
    return out


_AST_LOCK = threading.Lock()


def summary(req: Request) -> str:
    """The summary line the template writes for a definition without one.

    For the LLM path, which calls it from its request threads: CPython's `ast`
    constructor is not safe to run in two threads at once (it raises
    "SystemError: AST constructor recursion depth mismatch"), hence the lock.
    """
    with _AST_LOCK:
        t = req.target
        w = _Words([word for word, _ in req.settings.banned_words])
        node = _parse_def(req.source)
        u = _use(req, node)
        actions = [] if t.kind == "class" else _fold(list(_actions(getattr(node, "body", []))))
        return _summary(t, u, actions, node, w, req.room.width)


def build(req: Request) -> GuideParts:
    """The guide's parts for one definition: kept human text plus derived text."""
    return build_all(req)[0]


_EXAMPLE_RULES = frozenset({"HOW204", "HOW205", "HOW401", "HOW402"})


def _example_fails(req: Request, text: str) -> bool:
    """Whether a rendered guide's example breaks a rule the fix's proof would hold it to
    (a doctest may call a curried or decorated name in a way the signature rejects)."""
    from dataclasses import replace as _replace

    from howto_hook import check
    from howto_hook.generate import docstring_of

    target = _replace(req.target, docstring=docstring_of(text), line=0, start_line=0)
    return bool(check.check_target(target, req.settings, _EXAMPLE_RULES))


class TemplateGenerator:
    name = "template"

    def generate(self, requests: Sequence[Request]) -> List[Outcome]:
        out = []
        for req in requests:
            rendered = [(render(parts, req.settings, req.room), parts.verbatim)
                        for parts in build_all(req)]
            verbatim = {text: flag for text, flag in reversed(rendered)}
            texts = list(dict.fromkeys(text for text, _ in rendered))
            if len(texts) > 1:
                # candidates the rules would refuse go last: the next one is written instead
                fails = {t: _example_fails(req, t) for t in texts}
                texts = [t for t in texts if not fails[t]] + [t for t in texts if fails[t]]
            out.append(Outcome(req, texts[0], alternatives=tuple(texts[1:]),
                               verbatim=tuple(verbatim[t] for t in texts)))
        return out
