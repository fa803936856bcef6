"""How an example uses the definition, and where it imports it from.

The use follows what the definition is and how the project applies it: a
decorator decorates a small function, a context manager runs a `with`
block, a generator or a name the project iterates is iterated, a coroutine
is run with `asyncio.run`, a value returned is printed. Imports name the
shortest public module that exports the object (`from pkg import Thing`, not
`from pkg._impl import Thing`), read from the packages' `__init__.py`.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from howto_hook import modpath
from howto_hook.generate import anatomy, sources
from howto_hook.model import Target
from howto_hook.safeio import Refused, read_regular


@dataclass(frozen=True)
class Use:
    """How the definition is used: everything about the example but its arguments."""

    kind: str  # "function", "class" or "method"
    cm: str  # "sync", "async" or ""
    generator: bool
    is_async: bool
    returns: bool
    yields_value: bool
    endless: bool
    enum_member: str  # first member of an Enum class, "-" for one without, "" otherwise
    prop: bool
    raises: bool = False  # its body ends in a `raise` and never returns: raising is its use
    decorator: str = ""  # "bare" (`@name`), "call" (`@name(...)`) or ""
    # a class whose instances print as `<mod.X object at 0x...>`: the example builds
    # one and prints nothing (that line teaches nothing and changes every run)
    plain_repr: bool = False


def _plain_repr(node: Optional[ast.AST]) -> bool:
    """Whether a class surely prints with object's default repr: no base but
    `object`, no decorator (a dataclass has a repr), no metaclass, and no
    `__repr__` or `__str__` of its own."""
    if not isinstance(node, ast.ClassDef) or node.decorator_list or node.keywords:
        return False
    if any(not (isinstance(b, ast.Name) and b.id == "object") for b in node.bases):
        return False
    return not any(isinstance(s, anatomy.FUNCTIONS) and s.name in ("__repr__", "__str__")
                   for s in node.body)


def _decorator_shape(node: Optional[ast.AST]) -> bool:
    """A function of one function that returns the wrapper it defines inside, or the
    function itself (marked: `abc.abstractmethod`)."""
    if not isinstance(node, anatomy.FUNCTIONS) or not node.args.args:
        return False
    first = node.args.args[0].arg
    if len([a for a in node.args.args if a.arg != "self"]) != 1 or not (
            "func" in first or first in ("fn", "f", "wrapped", "method")):
        return False
    inner = {s.name for s in node.body if isinstance(s, anatomy.FUNCTIONS)}
    returned = {r.value.id for r in anatomy.own_nodes(node)
                if isinstance(r, ast.Return) and isinstance(r.value, ast.Name)}
    return bool((inner | {first}) & returned)  # the wrapper, or the function itself marked


def use_of(t: Target, node: Optional[ast.AST], how: FrozenSet[str]) -> Use:
    """The use of the definition, from its code and from how the project applies it."""
    decorators = anatomy.decorators(t)
    members = anatomy.enum_members(node) if t.kind == "class" and isinstance(
        node, ast.ClassDef) and anatomy.is_enum(node) else []
    cm = anatomy.cm_kind(t, node) or ("sync" if "with" in how and t.kind != "method" else "")
    decorator = ""
    if t.kind != "method" or decorators & {"staticmethod", "classmethod"}:
        if "decorator" in how or (_decorator_shape(node) and "decorator-call" not in how):
            decorator = "bare"
        elif "decorator-call" in how:
            decorator = "call"
    generator = anatomy.is_generator(node) or ("iterated" in how and not cm)
    return Use(
        kind=t.kind, cm=cm, generator=generator,
        is_async=t.is_async or ("awaited" in how and t.kind != "class"),
        returns=anatomy.returns_value(node), yields_value=anatomy.yields_value(node),
        endless=anatomy.endless(node),
        enum_member=members[0] if members else ("-" if anatomy.is_enum(node) else ""),
        prop=any(d.endswith("property") for d in decorators),
        raises=anatomy.always_raises(node), decorator=decorator,
        plain_repr=t.kind == "class" and _plain_repr(node))


_EXCEPTION_ENDINGS = ("Error", "Exception", "Warning", "Exit", "Interrupt")


def is_exception(node: Optional[ast.AST], module: "anatomy.Module") -> bool:
    """Whether a class is an exception: a base named as one (`ValueError`,
    `MyError`), or a class of the same module that is one. The project's use of
    an exception is to raise it, so an example that builds one by hand with
    values of its own choosing teaches nothing the project does."""
    seen: set = set()
    while isinstance(node, ast.ClassDef) and id(node) not in seen:
        seen.add(id(node))
        names = anatomy.base_names(node)
        if any(n.endswith(_EXCEPTION_ENDINGS) for n in names):
            return True
        # one base of this module is followed (a same-named base from elsewhere
        # resolves to the class itself: `seen` ends that walk)
        node = next((module.find(n) for n in names if module.find(n) is not None), None)
    return False


def in_main(lines: Sequence[str]) -> List[str]:
    """Lines run inside `async def main()` through `asyncio.run`."""
    return ["async def main() -> None:"] + ["    " + ln if ln else "" for ln in lines] + [
        "", "", "asyncio.run(main())"]


def decorating(u: Use, callee: str, args: str) -> List[str]:
    """A small function decorated with the definition, then called."""
    head = f"@{callee}" if u.decorator == "bare" else f"@{callee}({args})"
    return [head, "def greet(name):", '    return "Hello, " + name', "", "",
            'print(greet("world"))']


def use_lines(u: Use, call: str, setup: Sequence[str], indent: str = ""
              ) -> Tuple[List[str], List[str]]:
    """(extra imports, body lines) that use `call` the way its kind is used; the
    call's own lines take `indent` (inside the `with` headers of a slice)."""
    imports, lines = _use(u, call)
    if imports and indent:
        return [], []  # a coroutine inside a slice's `with`: not shown
    return imports, list(setup) + [indent + ln if ln else "" for ln in lines]


def _use(u: Use, call: str) -> Tuple[List[str], List[str]]:
    if u.kind == "class":
        if u.enum_member:
            return [], [f"for member in {call.split('(')[0]}:", "    print(member)"]
        if u.cm == "sync":
            return [], [f"with {call} as instance:", "    print(instance)"]
        if u.cm == "async":
            return ["import asyncio"], in_main(
                [f"async with {call} as instance:", "    print(instance)"])
        return [], [f"instance = {call}"] + ([] if u.plain_repr else ["print(instance)"])
    if u.prop:
        return [], [f"print({call})"]
    if u.cm == "sync":
        if u.yields_value:
            return [], [f"with {call} as value:", "    print(value)"]
        return [], [f"with {call}:", "    pass  # the code to run inside the context"]
    if u.cm == "async":
        body = ([f"async with {call} as value:", "    print(value)"] if u.yields_value else
                [f"async with {call}:", "    pass  # the code to run inside the context"])
        return ["import asyncio"], in_main(body)
    if u.is_async and u.generator:
        return ["import asyncio"], in_main([f"async for item in {call}:", "    print(item)"])
    if u.is_async:
        if u.returns:
            return ["import asyncio"], [f"result = asyncio.run({call})", "print(result)"]
        return ["import asyncio"], [f"asyncio.run({call})"]
    if u.generator:
        if u.endless:
            return ["from itertools import islice"], [
                f"for item in islice({call}, 5):", "    print(item)"]
        return [], [f"for item in {call}:", "    print(item)"]
    if u.raises:
        return [], ["try:", f"    {call}", "except Exception as error:",
                    "    print(repr(error))"]
    if u.returns:
        return [], [f"result = {call}", "print(result)"]
    return [], [call]


# --- the public import --------------------------------------------------------------------


@lru_cache(maxsize=256)
def _exports(root: str, package: str) -> Dict[str, str]:
    """The names a package's `__init__.py` (or a module) binds, each with the module
    it takes it from (the package itself for its own definitions)."""
    base = os.path.join(root, *package.split("."))
    # a package's __init__.py, or a plain module that re-exports a sibling's names;
    # a module's relative imports start from its own package
    module = package
    if os.path.isdir(base):
        init = os.path.join(base, "__init__.py")
    else:
        init, package = base + ".py", package.rpartition(".")[0]
    try:
        text = read_regular(init, sources.MAX_BYTES).decode("utf-8")
        tree = ast.parse(text)
    except (Refused, OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return {}
    out: Dict[str, str] = {}
    for name, line in sources.top_level_bindings(tree, module, package).items():
        m = re.match(r"^from (\S+) import (\w+)", line)
        out[name] = m.group(1) if m else module
    for node in tree.body:  # `from .impl import *`: the names that module makes public
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            src = sources._absolute(node.module or "", node.level, package)
            if src:
                for name in _public_names(root, src):
                    out.setdefault(name, src)
    return out


@lru_cache(maxsize=256)
def _public_names(root: str, module: str) -> Tuple[str, ...]:
    """What `from <module> import *` binds (modpath.star_names), for a module
    of the project under `root`."""
    base = os.path.join(root, *module.split("."))
    for path in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(path):
            return tuple(sorted(modpath.star_names(path) - {modpath.ANY}))
    return ()


def public_module(root: str, module: str, name: str) -> str:
    """The shortest package above `module` whose `__init__.py` exports the `name` that
    `module` defines (directly, or through the packages and modules of the project
    it passes through: `more_itertools` takes it from `.more`, which imports it from
    `.recipes`); `module` when none does."""
    parts = module.split(".")
    for n in range(1, len(parts)):
        package = ".".join(parts[:n])
        src = _exports(root, package).get(name)
        seen = {package}
        while src is not None and src != module and src not in seen \
                and src.split(".")[0] == parts[0]:
            seen.add(src)  # a package or module in between: follow its own import
            src = _exports(root, src).get(name)
        if src == module:
            return package
    return module


def public_imports(root: str, lines: Sequence[str]) -> List[str]:
    """Import lines with each `from pkg._impl import Name` taken from the shortest public
    package that exports the same name."""
    out = []
    for line in lines:
        m = re.match(r"^from ([\w.]+) import (\w+)( as \w+)?$", line)
        if m and "." in m.group(1):
            module = public_module(root, m.group(1), m.group(2))
            line = f"from {module} import {m.group(2)}{m.group(3) or ''}"
        out.append(line)
    return out


def is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))
