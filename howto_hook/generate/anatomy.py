"""What a definition is, read with `ast`: its kind of use, its parameters, its body.

Pure functions over the definition's source and its module's text: whether
it is a generator, a context manager, an enum, abstract; the parameters a
class is built from; the comments of its body; how its body treats each
parameter (the evidence `values` reads when a parameter has no annotation).
"""
from __future__ import annotations

import ast
import io
import tokenize
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Set, Tuple

from howto_hook import pyast
from howto_hook.generate import sources
from howto_hook.model import Param, Target
from howto_hook.modpath import importable

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def parse_def(source: str) -> Optional[ast.AST]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return next((n for n in tree.body if isinstance(n, DEFINITIONS)), None)


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Each definition's walk, made once: the template asks several questions of
# the same body (a generator? a value returned? endless?). Weak keys: a
# walk goes with its tree.
_OWN: "weakref.WeakKeyDictionary[ast.AST, Tuple[ast.AST, ...]]" = weakref.WeakKeyDictionary()


def own_nodes(node: ast.AST) -> Tuple[ast.AST, ...]:
    """Nodes of a definition's body, not of the functions or classes nested in
    it, parents before children."""
    walked = _OWN.get(node)
    if walked is None:
        out: List[ast.AST] = []
        # an explicit stack: nested generators would pass every node up
        # through each level of the body's depth
        stack = [ast.iter_child_nodes(node)]
        while stack:
            for child in stack[-1]:
                if not isinstance(child, _NESTED):
                    out.append(child)
                    stack.append(ast.iter_child_nodes(child))
                    break
            else:
                stack.pop()
        walked = _OWN[node] = tuple(out)
    return walked


def is_generator(node: Optional[ast.AST]) -> bool:
    return node is not None and any(isinstance(n, (ast.Yield, ast.YieldFrom))
                                    for n in own_nodes(node))


def returns_value(node: Optional[ast.AST]) -> bool:
    """Whether a function hands back anything: a value `return`, or an annotation not None."""
    if node is None:
        return True
    returns = getattr(node, "returns", None)
    if returns is not None:
        return ast.unparse(returns) not in ("None", "NoReturn", "Never", "typing.NoReturn")
    return any(isinstance(n, ast.Return) and n.value is not None
               and not (isinstance(n.value, ast.Constant) and n.value.value is None)
               for n in own_nodes(node))


def yields_value(node: Optional[ast.AST]) -> bool:
    return node is not None and any(
        isinstance(n, (ast.Yield, ast.YieldFrom)) and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in own_nodes(node))


def endless(node: Optional[ast.AST]) -> bool:
    """A generator built on `while True` with no way out: iterate only a few items."""
    if node is None:
        return False
    for n in own_nodes(node):
        if isinstance(n, ast.While) and isinstance(n.test, ast.Constant) and n.test.value:
            if not any(isinstance(x, (ast.Break, ast.Return, ast.Raise)) for x in ast.walk(n)):
                return True
    return False


def always_raises(node: Optional[ast.AST]) -> bool:
    if not isinstance(node, FUNCTIONS) or is_generator(node):
        return False
    return isinstance(node.body[-1], ast.Raise) and not any(
        isinstance(n, ast.Return) for n in own_nodes(node))


def decorators(t: Target) -> Set[str]:
    return {d.rsplit(".", 1)[-1] for d in t.decorators}


def cm_kind(t: Target, node: Optional[ast.AST]) -> str:
    """"sync"/"async" for a context manager (function or class), else ""."""
    names = decorators(t)
    if "asynccontextmanager" in names:
        return "async"
    if "contextmanager" in names:
        return "sync"
    if t.kind == "class" and isinstance(node, ast.ClassDef):
        methods = {s.name for s in node.body if isinstance(s, FUNCTIONS)}
        if "__aenter__" in methods:
            return "async"
        if "__enter__" in methods:
            return "sync"
    return ""


_ENUM_BASES = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")


def base_names(node: Optional[ast.AST]) -> List[str]:
    return [ast.unparse(b).rsplit(".", 1)[-1] for b in getattr(node, "bases", [])]


def is_enum(node: Optional[ast.AST]) -> bool:
    return any(b in _ENUM_BASES for b in base_names(node))


def enum_members(node: ast.ClassDef) -> List[str]:
    out = []
    for s in node.body:
        if isinstance(s, ast.Assign):
            out.extend(t.id for t in s.targets if isinstance(t, ast.Name)
                       and not t.id.startswith("_"))
        elif isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value:
            out.append(s.target.id)
    return out


def not_instantiated(node: Optional[ast.AST], doc: str) -> str:
    """Why a class is not built directly in an example ("" when it may be): abstract,
    a Protocol or TypedDict, or documented as never instantiated by hand."""
    if not isinstance(node, ast.ClassDef):
        return ""
    bases = base_names(node)
    for kind in ("Protocol", "TypedDict", "NamedTuple"):
        if kind in bases and kind != "NamedTuple":
            return f"it is a {kind}"
    if "ABC" in bases or any(isinstance(s, FUNCTIONS) and any(
            ast.unparse(d).endswith("abstractmethod") for d in s.decorator_list)
            for s in node.body):
        return "it is abstract"
    low = " ".join(doc.lower().split())
    if any(p in low for p in ("not instantiate", "never instantiate", "not be instantiated",
                              "not meant to be instantiated", "do not create", "not intended to be "
                              "instantiated", "should not be created")):
        return "its docstring says not to instantiate it"
    return ""


# --- the module around the definition ------------------------------------------------


@dataclass(frozen=True)
class Module:
    tree: Optional[ast.Module]
    bindings: Dict[str, str]  # top-level name -> the import line that binds it elsewhere

    def find(self, qualname: str) -> Optional[ast.AST]:
        """The definition at `qualname` (Outer.Inner.method), or None."""
        body: Sequence[ast.stmt] = self.tree.body if self.tree is not None else []
        found: Optional[ast.AST] = None
        for part in qualname.split("."):
            found = next((n for n in body if isinstance(n, DEFINITIONS) and n.name == part),
                         None)
            if found is None:
                return None
            body = found.body  # type: ignore[attr-defined]
        return found


@lru_cache(maxsize=4)
def module_of(text: str, import_path: str, package: str) -> Module:
    """The module around the definitions of one file: parsed once for all of them."""
    if not text or not importable(import_path):
        return Module(None, {})
    tree = pyast.module(text)  # the check's tree of the same text
    if tree is None:
        return Module(None, {})
    return Module(tree, sources.top_level_bindings(tree, import_path, package))


def init_params(cls: Optional[ast.AST], module: Module, known: Sequence[Param],
                has_init: bool) -> Optional[List[Param]]:
    """The parameters a class is built from: its own `__init__`, a dataclass's fields,
    or the `__init__` of a base defined in the same module; None when unknown."""
    return _init_params(cls, module, known, has_init, set())


def _init_params(cls: Optional[ast.AST], module: Module, known: Sequence[Param],
                 has_init: bool, seen: Set[int]) -> Optional[List[Param]]:
    if has_init:
        return list(known)
    if not isinstance(cls, ast.ClassDef):
        return None
    seen.add(id(cls))
    if any(ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] in ("dataclass", "define", "frozen",
                                                                "attrs")
           for d in cls.decorator_list):
        return dataclass_fields(cls)
    for base in cls.bases:
        # Only a bare name can be a class of this module: `json.JSONDecoder` is not the
        # `JSONDecoder` being defined, and a class never builds on itself.
        node = module.find(base.id) if isinstance(base, ast.Name) else None
        if not isinstance(node, ast.ClassDef) or id(node) in seen:
            continue
        init = next((s for s in node.body if isinstance(s, ast.FunctionDef)
                     and s.name == "__init__"), None)
        if init is not None:
            return ast_params(init)[1:]
        deeper = _init_params(node, module, (), False, seen)
        if deeper is not None:
            return deeper
    if cls.bases and not all(b == "object" for b in base_names(cls)):
        return None  # built by a base defined elsewhere: its arguments are not known here
    return []


def ast_params(fn: ast.AST) -> List[Param]:
    a = fn.args  # type: ignore[attr-defined]
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


def dataclass_fields(node: ast.ClassDef) -> List[Param]:
    out = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            ann = ast.unparse(stmt.annotation)
            if ann.startswith(("ClassVar", "typing.ClassVar")):
                continue
            out.append(Param(stmt.target.id, "positional_or_keyword", stmt.value is not None, ann))
    return out


def init_node(cls: Optional[ast.AST]) -> Optional[ast.AST]:
    """A class's own `__init__`, whose body tells how its parameters are used."""
    if not isinstance(cls, ast.ClassDef):
        return None
    return next((s for s in cls.body if isinstance(s, FUNCTIONS) and s.name == "__init__"),
                None)


# --- the body's comments ----------------------------------------------------------------


def comments(source: str) -> Dict[int, str]:
    """Each whole-line comment of a definition's source by its 1-based line (the
    `#` and spaces gone); shebangs, type and lint pragmas left out."""
    out: Dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.COMMENT or tok.line[:tok.start[1]].strip():
                continue
            text = tok.string.lstrip("#").strip()
            if text and not text.lower().startswith(("type:", "noqa", "pragma", "pylint",
                                                     "fmt:", "isort", "-*-", "!")):
                out[tok.start[0]] = text
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


# --- how the body treats a parameter ----------------------------------------------------

_TEXT_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold",
    "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "encode", "format",
    "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "partition",
    "rpartition", "center", "ljust", "rjust", "zfill", "expandtabs", "removeprefix",
    "removesuffix", "translate", "swapcase", "isidentifier", "isnumeric", "isdecimal"})
_LIST_METHODS = frozenset({"append", "extend", "insert", "pop", "sort", "reverse", "count",
                           "index", "remove", "copy", "clear"})
_DICT_METHODS = frozenset({"items", "keys", "values", "get", "setdefault", "update", "pop",
                           "copy", "clear"})
# Builtins that take a value without reading its attributes: handing a parameter
# to one of these is not handing it on to other code.
_NUMBER_BUILTINS = frozenset({"range", "abs", "round", "divmod", "int", "float", "chr"})
_ITERATING_BUILTINS = frozenset({"len", "list", "tuple", "set", "sorted", "reversed",
                                 "enumerate", "zip", "sum", "min", "max", "any", "all",
                                 "iter", "frozenset", "dict", "map", "filter"})
_NEUTRAL_BUILTINS = frozenset({"str", "repr", "bool", "isinstance", "hash", "id", "type",
                               "format", "print"})


@dataclass(frozen=True)
class ParamUse:
    """What a body's use of one parameter fixes about it."""

    # "number", "text", "list" or "dict" (its use fixes the type); "open" (only stored,
    # returned or shown); "handed" (passed on to other code); "object" (its
    # attributes read or it is called); "unused"
    kind: str


def param_use(node: Optional[ast.AST], name: str) -> ParamUse:
    """How the body uses parameter `name`: the type its use fixes, "open" when it only
    stores or returns it, "object" when it reads its attributes or hands it on."""
    if not isinstance(node, FUNCTIONS):
        return ParamUse("object")
    parents, loads = _reads(node)
    kinds = [_one_use(n, parents.get(id(n)), parents) for n in loads.get(name, ())]
    if not kinds:
        return ParamUse("unused")
    if "attr" in kinds or "called" in kinds:
        return ParamUse("object")
    fixed = [k for k in kinds if k not in ("open", "handed")]
    if not fixed:
        return ParamUse("handed" if "handed" in kinds else "open")
    if len(set(fixed)) > 1 and not set(fixed) <= {"list", "iterable"}:
        return ParamUse("object")  # used as two different things: not one literal type
    return ParamUse(fixed[0] if fixed[0] != "iterable" else "list")


_Reads = Tuple[Dict[int, ast.AST], Dict[str, List[ast.Name]]]
_READS: "weakref.WeakKeyDictionary[ast.AST, _Reads]" = weakref.WeakKeyDictionary()


def _reads(node: ast.AST) -> _Reads:
    """Each node's parent and the names read in a function, by name: one walk
    for all of its parameters (param_use is asked once per parameter)."""
    found = _READS.get(node)
    if found is None:
        parents: Dict[int, ast.AST] = {}
        loads: Dict[str, List[ast.Name]] = {}
        for n in ast.walk(node):
            for child in ast.iter_child_nodes(n):
                parents[id(child)] = n
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                loads.setdefault(n.id, []).append(n)
        found = _READS[node] = (parents, loads)
    return found


def _one_use(n: ast.Name, parent: Optional[ast.AST], parents: Dict[int, ast.AST]) -> str:
    if isinstance(parent, ast.Attribute):
        attr = parent.attr
        if attr in _TEXT_METHODS:
            return "text"
        if attr in _LIST_METHODS - _DICT_METHODS:
            return "list"
        if attr in ("items", "keys", "values", "get", "setdefault", "update"):
            return "dict"
        return "attr"
    if isinstance(parent, (ast.BinOp, ast.AugAssign)):
        if isinstance(parent, ast.BinOp):
            other = parent.right if parent.left is n else parent.left
        else:
            other = parent.value
        if isinstance(other, ast.Constant):
            if isinstance(other.value, str):
                return "text"
            if isinstance(other.value, (int, float)) and not isinstance(other.value, bool):
                return "number"
        return "open"
    if isinstance(parent, ast.Compare):
        consts = [c for c in [parent.left, *parent.comparators] if isinstance(c, ast.Constant)]
        if any(isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
               for c in consts) and any(isinstance(o, (ast.Lt, ast.Gt, ast.LtE, ast.GtE))
                                        for o in parent.ops):
            return "number"
        if any(isinstance(o, (ast.In, ast.NotIn)) for o in parent.ops) \
                and parent.comparators and parent.comparators[0] is n:
            return "list"
        return "open"
    if isinstance(parent, (ast.For, ast.comprehension)) and getattr(parent, "iter", None) is n:
        return "list"
    if isinstance(parent, ast.Starred):
        return "list"
    if isinstance(parent, ast.Subscript) and parent.value is n:
        index = parent.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            return "dict"
        if isinstance(index, ast.Slice) or (isinstance(index, ast.Constant)
                                            and isinstance(index.value, int)):
            return "iterable"
        return "attr"  # indexed by a computed key: a list or a mapping, not known which
    if isinstance(parent, ast.Call):
        if parent.func is n:
            return "called"  # a callable, which no literal is
        func = parent.func
        if isinstance(func, ast.Name):
            if func.id in _NUMBER_BUILTINS:
                return "number"
            if func.id in _ITERATING_BUILTINS:
                return "list"
            if func.id in _NEUTRAL_BUILTINS:
                return "open"
        if isinstance(func, ast.Attribute) and func.attr == "join" \
                and isinstance(func.value, ast.Constant):
            return "list"
        if isinstance(func, ast.Attribute) and func.attr in (
                "append", "add", "insert", "setdefault", "get", "index", "count", "remove"):
            return "open"  # stored in or looked up in a container: any value does
        return "handed"  # to other code: what it needs is not known here
    if isinstance(parent, (ast.Return, ast.Assign, ast.AnnAssign, ast.Tuple, ast.List,
                           ast.Dict, ast.keyword, ast.FormattedValue, ast.JoinedStr,
                           ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.If, ast.While,
                           ast.Expr, ast.Yield, ast.Set)):
        return "open"
    return "handed"


def stored_use(cls: Optional[ast.AST], init: Optional[ast.AST], name: str) -> str:
    """How a class uses what its `__init__` stores of parameter `name` (`self.x = x`):
    "object" when a method reads its attributes or calls it, "handed" when one
    passes it on to other code, "" otherwise (a value stored is not left open if
    the class treats it as an object)."""
    if not isinstance(cls, ast.ClassDef) or not isinstance(init, FUNCTIONS):
        return ""
    attrs = {t.attr for s in ast.walk(init) if isinstance(s, ast.Assign)
             and isinstance(s.value, ast.Name) and s.value.id == name for t in s.targets
             if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
             and t.value.id == "self"}
    if not attrs:
        return ""
    parents = {id(c): n for n in ast.walk(cls) for c in ast.iter_child_nodes(n)}
    kinds = {_one_use(n, parents.get(id(n)), parents) for n in ast.walk(cls)  # type: ignore[arg-type]
             if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load) and n.attr in attrs
             and isinstance(n.value, ast.Name) and n.value.id == "self"}
    return "object" if kinds & {"attr", "called"} else "handed" if "handed" in kinds else ""


def statements(node: Optional[ast.AST]) -> Sequence[ast.stmt]:
    return getattr(node, "body", []) if node is not None else []


def params_from(node: Optional[ast.AST]) -> Tuple[Param, ...]:
    return tuple(ast_params(node)) if isinstance(node, FUNCTIONS) else ()
