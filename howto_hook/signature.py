"""Does a call in an example fit the documented signature? Pure, over `ast`.

The binding follows Python's own rules (inspect.Signature.bind): positional
arguments fill positional parameters in order, keywords fill the rest by
name, `*args` and `**kwargs` take what is left. A call that unpacks
(`f(*xs)`, `f(**kw)`) can hide anything, so its missing arguments are not
reported.
"""
from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from howto_hook.model import Param, Target

_POSITIONAL = ("positional_only", "positional_or_keyword")


def bind(call: ast.Call, params: Sequence[Param], what: str) -> List[str]:
    """Why the call does not fit `params`; empty when it does."""
    problems: List[str] = []
    positional = [p for p in params if p.kind in _POSITIONAL]
    names = {p.name: p for p in params if p.kind not in ("var_positional", "var_keyword")}
    var_pos = any(p.kind == "var_positional" for p in params)
    var_kw = any(p.kind == "var_keyword" for p in params)
    unpacks = any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords)
    given = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(given) > len(positional) and not var_pos:
        problems.append(f"{what} takes {len(positional)} positional argument"
                        f"{'' if len(positional) == 1 else 's'} but the example passes "
                        f"{len(given)}")
    bound: Set[str] = {p.name for p in positional[:len(given)]}
    for kw in call.keywords:
        if kw.arg is None:
            continue
        p = names.get(kw.arg)
        if p is None:
            if not var_kw:
                problems.append(f"{what} has no parameter {kw.arg!r}")
        elif p.kind == "positional_only":
            if not var_kw:
                problems.append(f"parameter {kw.arg!r} of {what} is positional-only; "
                                "pass it by position")
        elif kw.arg in bound:
            problems.append(f"parameter {kw.arg!r} of {what} is given twice")
        else:
            bound.add(kw.arg)
    if not unpacks:
        for p in params:
            if p.kind in ("var_positional", "var_keyword") or p.has_default:
                continue
            if p.name not in bound:
                problems.append(f"the example leaves out {p.name!r}, a required parameter "
                                f"of {what}")
    return problems


def _dotted(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def calls_of(tree: ast.AST, target: Target) -> Iterator[Tuple[ast.Call, Sequence[Param], str]]:
    """Calls in an example that reach the documented object, with its signature.

    Reached: `name(...)` and `module.name(...)` for a function; `Cls(...)`
    for a class with its own `__init__`; `instance.method(...)` where
    `instance = Cls(...)` earlier in the example, and `Cls.method(...)` for
    class and static methods.
    """
    top = target.qualname.split(".")[0]
    aliases: Dict[str, str] = {}  # local name -> the top-level name it stands for
    modules: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.name == top:
                    aliases[a.asname or a.name] = top
        elif isinstance(node, ast.Import):
            for a in node.names:
                modules.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = _dotted(node.value.func) or ""
            if func.endswith("import_module"):
                modules.update(t.id for t in node.targets if isinstance(t, ast.Name))

    # An example may leave out the import; the bare name then still means the
    # documented object, unless the example binds that name to something else.
    rebound = any(isinstance(n, ast.Name) and n.id == top and isinstance(n.ctx, ast.Store)
                  or isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == top
                  for n in ast.walk(tree))
    if not rebound:
        aliases.setdefault(top, top)

    def resolve(expr: ast.AST) -> Optional[str]:
        """The qualified name an expression names, if it is the documented top level."""
        dotted = _dotted(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in aliases:
            return aliases[head] + ("." + rest if rest else "")
        if head in modules and rest:
            first, _, more = rest.partition(".")
            if first == top:
                return top + ("." + more if more else "")
        return None

    decorators = {d.rsplit(".", 1)[-1] for d in target.decorators}
    is_method = target.kind == "method"
    instances: Set[str] = set()
    if is_method:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                    resolve(node.value.func) == target.parent_class:
                instances.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = resolve(node.func)
        if target.kind == "function" and name == target.qualname:
            yield node, target.params, repr(target.qualname)
        elif target.kind == "class" and name == target.qualname and target.has_init:
            yield node, target.params, repr(target.qualname)
        elif is_method and isinstance(node.func, ast.Attribute) and \
                node.func.attr == target.name:
            base = node.func.value
            if isinstance(base, ast.Name) and base.id in instances and \
                    "staticmethod" not in decorators and "classmethod" not in decorators:
                yield node, target.params, repr(target.qualname)
            elif resolve(base) == target.parent_class and \
                    decorators & {"classmethod", "staticmethod"}:
                yield node, target.params, repr(target.qualname)
            elif target.name == "__init__" and resolve(node.func) == target.parent_class:
                yield node, target.params, repr(target.parent_class)


def imports_of(tree: ast.AST, name: str) -> Iterator[Tuple[ast.ImportFrom, str]]:
    """`from X import name` statements of an example, with X."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if any(a.name == name for a in node.names):
                yield node, node.module
