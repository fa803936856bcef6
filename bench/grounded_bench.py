"""Are the examples `--fix` writes grounded, and do they run alone?

For each library (its unpacked sdist, a virtual environment with it
installed): a fresh copy, `howto-check --all --fix --generator template
--run-examples` over its package with $VIRTUAL_ENV set to the library's
environment, then every written example run ALONE in a fresh interpreter of
that environment (cwd: the copy's import root, a scrubbed environment, HOME a
temporary directory).

Per library it counts (the columns of issue 20's "How to show it"):

- guides written, and examples that fail when run alone;
- examples whose every argument comes from evidence or an annotation, as the
  issue's item 2 defines it (see `Grounding`): each argument of each call of a
  definition of the project is taken from a doctest or a real use in the
  project (the same text passed to the same callee there), a name the example
  bound itself (from evidence: an import, a `def`, a `with`/`for` target, an
  assignment of a checked value), or a literal whose type the parameter's
  annotation names, or, unannotated, whose type the body's use fixes, the
  parameter's name makes plain, or that the body leaves open (only stores or
  returns the value, or ignores it);
- private imports (`from pkg._x import Name`) where a public module exports
  the same object, checked on the library's interpreter;
- decorators (names the project applies with `@`) that the example calls
  instead of applying;
- the share of definitions with a passing guide after the fix (the check's
  own "% with a passing guide");
- the fix's internal errors (its "internal error" lines, printed under the
  row): a bug of ours that the other columns would not show (a whole file
  left unfixed reads as "0 written, 0 failed").

    python bench/grounded_bench.py --howto-python PY [--pythonpath SRC] \\
        --lib NAME:SRCDIR:VENV:PKG[,PKG] ... --work DIR [--json OUT] [--show-flagged]

`--pythonpath` runs another howto-hook source tree (a branch's worktree).
`--show-flagged` prints each example the grounding check flags, with the
argument and the reason, so a reader can judge the checker too.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import doctest
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

BLOCK = re.compile(r"```python\n(.*?)\n\s*```", re.S)


class Definition(NamedTuple):
    qualname: str
    params: Tuple[Tuple[str, str, str], ...]  # (name, annotation or "", kind)
    body: Optional[ast.AST]  # the function (a class: its __init__) whose body uses them
    is_method: bool


class Example(NamedTuple):
    file: str
    qualname: str
    name: str
    code: str
    doc: str = ""  # the whole docstring as written, to read


def _defs(tree: ast.AST) -> Dict[str, ast.AST]:
    out: Dict[str, ast.AST] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in getattr(node, "body", []):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                q = prefix + child.name
                n = 1
                while q + ("" if n == 1 else f"#{n}") in out:  # a property's setter, ...
                    n += 1
                q += "" if n == 1 else f"#{n}"
                out[q] = child
                if isinstance(child, ast.ClassDef):
                    walk(child, q + ".")
    walk(tree, "")
    return out


def _definition(qualname: str, node: ast.AST, in_class: bool) -> Definition:
    fn: Optional[ast.AST] = node
    if isinstance(node, ast.ClassDef):
        fn = next((s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and s.name == "__init__"), None)
        in_class = True
    if fn is None:
        return Definition(qualname, (), None, True)
    a = fn.args  # type: ignore[attr-defined]
    ann = (lambda p: ast.unparse(p.annotation) if p.annotation else "")
    params = [(p.arg, ann(p), "pos") for p in a.posonlyargs + a.args]
    if in_class and params and not any(isinstance(d, ast.Name) and d.id == "staticmethod"
                                       for d in getattr(fn, "decorator_list", [])):
        params = params[1:]  # self / cls
    if a.vararg:
        params.append((a.vararg.arg, ann(a.vararg), "*"))
    params += [(p.arg, ann(p), "kw") for p in a.kwonlyargs]
    if a.kwarg:
        params.append((a.kwarg.arg, ann(a.kwarg), "**"))
    return Definition(qualname, tuple(params), fn, in_class)


def project_index(root: str) -> Dict[str, List[Definition]]:
    """Every definition of the project's .py files (tests left out), by short name."""
    index: Dict[str, List[Definition]] = {}
    bases: Dict[str, List[str]] = {}
    for path in _files(root, (".py",)):
        if _is_test(os.path.relpath(path, root)):
            continue
        try:
            tree = ast.parse(open(path, encoding="utf-8").read())
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for q, node in _defs(tree).items():
            if "#" in q:
                continue
            index.setdefault(q.rsplit(".", 1)[-1], []).append(_definition(q, node, "." in q))
            if isinstance(node, ast.ClassDef):
                bases[q] = [_ann_name(b) for b in node.bases]
    # A class without `__init__` takes its parameters from the first base that has one.
    for name, defs in index.items():
        for i, d in enumerate(defs):
            seen, q = set(), d.qualname
            while d.body is None and q in bases and q not in seen:
                seen.add(q)
                parent = next((b for b in bases[q] if b in index), None)
                if parent is None:
                    break
                base = next((x for x in index[parent] if x.qualname in bases), None)
                if base is None:
                    break
                d = d._replace(params=base.params, body=base.body)
                q = base.qualname
            defs[i] = d
    return index


def _is_test(rel: str) -> bool:
    parts = rel.split(os.sep)
    return any(p in ("tests", "test", "testing", "docs") for p in parts[:-1]) \
        or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def _files(root: str, ends: Tuple[str, ...]) -> Iterator[str]:
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in
                   ("build", "dist", "__pycache__") and not d.endswith(".egg-info")]
        for f in files:
            if f.endswith(ends):
                yield os.path.join(dirpath, f)


def written_examples(original: str, fixed: str) -> List[Example]:
    out = []
    for path in _files(fixed, (".py",)):
        rel = os.path.relpath(path, fixed)
        try:
            new = ast.parse(open(path, encoding="utf-8").read())
            old = ast.parse(open(os.path.join(original, rel), encoding="utf-8").read())
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        before = _defs(old)
        for q, node in _defs(new).items():
            doc = ast.get_docstring(node, clean=True) or ""
            prev = before.get(q)
            if prev is not None and (ast.get_docstring(prev, clean=True) or "") == doc:
                continue
            m = BLOCK.search(doc)
            if m:
                q = q.split("#")[0]
                out.append(Example(rel, q, q.rsplit(".", 1)[-1], m.group(1), doc))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "'")


# ---------------------------------------------------------------- evidence ---

class Evidence(NamedTuple):
    """What the project itself shows: its code and tests, and the sources of its
    doctests (in docstrings and in its .rst/.md/.txt pages), normalized."""
    text: str  # all of it, whitespace removed, one quote style
    args: Dict[str, Set[str]]  # callee short name -> normalized argument texts passed
    doctests: str = ""  # the doctests' and docs' code blocks alone, normalized


def _doctest_sources(text: str) -> List[str]:
    try:
        return [e.source for e in doctest.DocTestParser().get_examples(text)]
    except ValueError:  # inconsistent indentation in a page: take what parses per block
        return []


def gather_evidence(root: str) -> Evidence:
    chunks: List[str] = []  # every file as written
    code: List[str] = []  # the project's .py files, each parsed whole
    docs: List[str] = []  # each doctest example and each code block of its pages
    for path in _files(root, (".py", ".rst", ".md", ".txt")):
        try:
            text = open(path, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        chunks.append(text)
        if path.endswith(".py"):
            code.append(text)
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            for node in [tree, *_defs(tree).values()]:
                doc = ast.get_docstring(node, clean=True)  # type: ignore[arg-type]
                if doc and ">>>" in doc:
                    docs += _doctest_sources(doc)
        elif ">>>" in text:
            docs += _doctest_sources(text)
        docs += re.findall(r"```(?:python|py)\n(.*?)```", text, re.S)
        docs += [textwrap.dedent(b) for b in re.findall(r"::\n\n((?:[ \t]+.*\n|\n)+)", text)]
    args: Dict[str, Set[str]] = {}
    parsed: List[str] = []  # as `ast.unparse` writes them: r"\d" and "\\d" alike
    for src in code + docs:
        try:
            tree = ast.parse(src)
        except (SyntaxError, ValueError):
            continue
        parsed.append(ast.unparse(tree))
        for call in ast.walk(tree):
            if isinstance(call, ast.Call):
                name = _callee_name(call)
                if name:
                    bag = args.setdefault(name, set())
                    bag.update(_norm(ast.unparse(a)) for a in call.args)
                    bag.update(_norm(ast.unparse(k.value)) for k in call.keywords)
    doc_parsed = []
    for src in docs:
        try:
            doc_parsed.append(ast.unparse(ast.parse(src)))
        except (SyntaxError, ValueError):
            doc_parsed.append(src)
    return Evidence(_norm("\n".join(chunks + docs + parsed)), args,
                    _norm("\n".join(docs + doc_parsed)))


def _callee_name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


# --------------------------------------------------------------- the check ---

# Parameter names whose kind of value is plain (issue 20: `url`, `path`, `name`
# take text; `count`, `timeout`, `port` take numbers).
TEXT_NAMES = {"name", "text", "string", "s", "url", "uri", "path", "filename", "prefix",
              "suffix", "sep", "separator", "encoding", "pattern", "format", "fmt", "message",
              "msg", "title", "label", "word", "line", "version", "description", "desc",
              "error", "errors", "key", "value_str", "chars", "delimiter", "template",
              "username", "user", "password", "host", "hostname", "email", "token"}
TEXT_ENDS = ("_name", "_path", "_url", "_text", "_str", "_string", "_format", "_fmt",
             "_pattern", "_prefix", "_suffix", "_message", "_msg", "_file", "_dir")
NUMBER_NAMES = {"count", "timeout", "port", "n", "num", "number", "size", "width", "height",
                "length", "index", "idx", "i", "limit", "offset", "depth", "level", "base",
                "precision", "seconds", "minutes", "hours", "days", "step", "start", "stop",
                "maxsize", "major", "minor", "patch", "lo", "hi", "pos", "endpos", "position"}
NUMBER_ENDS = ("_count", "_size", "_timeout", "_port", "_index", "_width", "_len", "_length",
               "_number", "_num")
FLAG_STARTS = ("is_", "has_", "use_", "allow_", "ignore_", "strict", "case_sensitive",
               "evaluate_result", "optional_", "keep_", "with_")
STR_METHODS = {m for m in dir(str) if not m.startswith("_")}
LIST_METHODS = {"append", "extend", "insert", "pop", "sort", "index", "count", "copy"}
DICT_METHODS = {"items", "keys", "values", "get", "setdefault", "update", "pop", "copy"}
BUILTINS = set(dir(builtins))
# Names that plainly ask for an object no literal is (issue 20: "never an integer, a
# tuple, a list or a `nullcontext` standing in for an object").
OBJECT_NAMES = {"func", "function", "fn", "callback", "obj", "parser", "match", "m", "dt",
                "date", "datetime", "time", "tzinfo", "stream", "fp", "fileobj", "file",
                "ctx", "context", "request", "response", "session", "cls", "klass",
                "instance", "node", "exc", "exception", "regex", "converter", "validator",
                "schema", "handler", "factory", "plugin", "cache", "other"}


def literal_kind(node: ast.AST) -> Optional[str]:
    """'str', 'bytes', 'int', 'float', 'bool', 'None', 'list', 'dict', 'set', 'tuple' for a
    literal, else None."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if value is None:
        return "None"
    return type(value).__name__ if type(value).__name__ in (
        "str", "bytes", "int", "float", "bool", "list", "dict", "set", "tuple", "complex") \
        else None


ANNOTATION_KINDS = {
    "str": {"str"}, "Text": {"str"}, "AnyStr": {"str", "bytes"}, "bytes": {"bytes"},
    "int": {"int", "bool"}, "float": {"int", "float"}, "complex": {"int", "float", "complex"},
    "bool": {"bool"}, "None": {"None"}, "NoneType": {"None"},
    "list": {"list"}, "List": {"list"}, "Sequence": {"list", "tuple", "str"},
    "Iterable": {"list", "tuple", "set", "str", "dict"}, "Collection": {"list", "tuple", "set"},
    "tuple": {"tuple"}, "Tuple": {"tuple"}, "dict": {"dict"}, "Dict": {"dict"},
    "Mapping": {"dict"}, "MutableMapping": {"dict"}, "set": {"set"}, "Set": {"set"},
    "frozenset": {"set"}, "FrozenSet": {"set"}, "SupportsInt": {"int", "float", "str"},
    "Number": {"int", "float"}, "Real": {"int", "float"}, "Integral": {"int"},
    "StrPath": {"str"}, "PathLike": {"str"},
}


def annotation_allows(annotation: str, kind: str) -> bool:
    """Whether a literal of `kind` has a type the annotation names (its unions,
    `Optional`, containers and `Literal[...]` included)."""
    try:
        tree = ast.parse(annotation.strip("'\""), mode="eval").body
    except SyntaxError:
        return False
    return _ann_allows(tree, kind)


def _ann_allows(node: ast.AST, kind: str) -> bool:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):  # a forward reference
            return annotation_allows(node.value, kind)
        return node.value is None and kind == "None"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _ann_allows(node.left, kind) or _ann_allows(node.right, kind)
    if isinstance(node, ast.Subscript):
        head = _ann_name(node.value)
        inner = node.slice
        items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        if head == "Optional":
            return kind == "None" or any(_ann_allows(i, kind) for i in items)
        if head in ("Union", "Annotated"):
            return any(_ann_allows(i, kind) for i in (items if head == "Union" else items[:1]))
        if head == "Literal":
            return any(literal_kind(i) == kind for i in items)
        if head in ("Type", "type", "Callable"):
            return False
        return kind in ANNOTATION_KINDS.get(head, set())
    return kind in ANNOTATION_KINDS.get(_ann_name(node), set())


def _ann_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def body_use(fn: Optional[ast.AST], param: str) -> Tuple[Set[str], bool]:
    """The literal kinds the body's use of `param` fixes, and whether the body
    leaves it open (it only stores, returns or ignores it: never reads an
    attribute of it, calls it, or hands it on to other code)."""
    if fn is None:
        return set(), False
    kinds: Set[str] = set()
    open_ = True
    parents: Dict[ast.AST, ast.AST] = {}
    for node in ast.walk(fn):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    body_nodes = [n for stmt in getattr(fn, "body", []) for n in ast.walk(stmt)]
    for node in body_nodes:
        if not (isinstance(node, ast.Name) and node.id == param
                and isinstance(node.ctx, ast.Load)):
            continue
        up = parents.get(node)
        if isinstance(up, ast.Attribute) and up.value is node:
            call = parents.get(up)
            if isinstance(call, ast.Call) and call.func is up:
                if up.attr in STR_METHODS:
                    kinds.add("str")
                if up.attr in LIST_METHODS:
                    kinds.add("list")
                if up.attr in DICT_METHODS:
                    kinds.add("dict")
            open_ = False
        elif isinstance(up, (ast.BinOp, ast.AugAssign)):
            other = up.right if getattr(up, "left", None) is node else \
                getattr(up, "left", None) if isinstance(up, ast.BinOp) else up.value
            k = literal_kind(other) if other is not None else None
            if k in ("int", "float"):
                kinds.update({"int", "float"})
            elif k == "str":
                kinds.add("str")
            open_ = False
        elif isinstance(up, ast.Compare):
            for other in [up.left, *up.comparators]:
                k = literal_kind(other) if other is not node else None
                if k in ("int", "float"):
                    kinds.update({"int", "float"})
                elif k == "str":
                    kinds.add("str")
            if node in up.comparators and any(isinstance(o, (ast.In, ast.NotIn))
                                              for o in up.ops):
                kinds.update({"list", "tuple", "set", "dict", "str"})
        elif isinstance(up, ast.For) and up.iter is node or isinstance(up, ast.comprehension) \
                and up.iter is node:
            kinds.update({"list", "tuple", "set", "str", "dict"})
            open_ = False
        elif isinstance(up, ast.Subscript) and up.value is node:
            kinds.update({"list", "tuple", "dict", "str"})
            open_ = False
        elif isinstance(up, ast.Call) and node in up.args:
            callee = _callee_name(up)
            if callee in ("len", "sorted", "list", "tuple", "set", "iter", "enumerate"):
                kinds.update({"list", "tuple", "set", "str", "dict"})
            elif callee in ("int", "float", "range", "abs", "round"):
                kinds.update({"int", "float", "str"} if callee in ("int", "float")
                             else {"int", "float"})
            elif callee in ("str", "repr", "print", "format", "isinstance", "bool", "id",
                            "hash", "type"):
                continue  # shows or inspects the value: it stays open
            open_ = False
        elif isinstance(up, ast.Call) and up.func is node:
            open_ = False
        elif isinstance(up, ast.keyword) or isinstance(up, ast.Starred):
            open_ = False
        elif isinstance(up, (ast.JoinedStr, ast.FormattedValue, ast.Return, ast.Yield,
                             ast.Assign, ast.AnnAssign, ast.Tuple, ast.List, ast.Dict,
                             ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.If, ast.While,
                             ast.Expr)):
            continue  # stored, returned, shown or tested for truth
        else:
            open_ = False
    return kinds, open_


def name_kinds(param: str) -> Set[str]:
    low = param.lower().lstrip("_")
    if low in TEXT_NAMES or low.endswith(TEXT_ENDS):
        return {"str"}
    if low in NUMBER_NAMES or low.endswith(NUMBER_ENDS) or low.startswith(("max_", "min_",
                                                                           "num_", "n_")):
        return {"int", "float"}
    if low.startswith(FLAG_STARTS) or low in ("strict", "reverse", "verbose", "case_sensitive"):
        return {"bool"}
    return set()


class Flag(NamedTuple):
    call: str
    param: str
    arg: str
    why: str


class Grounding:
    """Issue 20, item 2, as a reader checks it against the project's files."""

    def __init__(self, index: Dict[str, List[Definition]], evidence: Evidence) -> None:
        self.index = index
        self.evidence = evidence

    def flags(self, ex: Example) -> List[Flag]:
        try:
            tree = ast.parse(ex.code)
        except SyntaxError:
            return [Flag("", "", "", "the example does not parse")]
        modules = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                   if isinstance(n, ast.Import) for a in n.names}
        bound, assigned = self._bindings(tree)
        out: List[Flag] = []
        for call in ast.walk(tree):
            if isinstance(call, ast.Call):
                d = self._resolve(call, ex, modules)
                if d is not None:
                    out += self._check_call(call, d, bound, assigned)
        # A literal bound to a name and later passed: judged where it is passed.
        return out

    def provenance(self, ex: Example) -> str:
        """'doctest' when every statement of the example (imports aside, a `print(...)`
        or `result = ...` around a call unwrapped) is in the project's doctests or doc
        pages; 'real use' when each is there or in its code and tests; else 'composed'."""
        try:
            tree = ast.parse(ex.code)
        except SyntaxError:
            return "composed"
        where = set()
        for stmt in tree.body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            node: ast.AST = stmt
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
                    _callee_name(node.value) == "print" and len(node.value.args) == 1:
                node = node.value.args[0]
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                    [ast.unparse(t) for t in node.targets] in (["result"], ["instance"]):
                node = node.value
            text = _norm(ast.unparse(node))
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                text = _norm(ast.unparse(node.body[0])) if node.body else text
            if text in self.evidence.doctests:
                where.add("doctest")
            elif text in self.evidence.text:
                where.add("real use")
            else:
                return "composed"
        return "real use" if "real use" in where else "doctest"

    def _bindings(self, tree: ast.AST) -> Tuple[Set[str], Dict[str, ast.AST]]:
        bound: Set[str] = set()
        assigned: Dict[str, ast.AST] = {}
        for n in ast.walk(tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                bound |= {(a.asname or a.name).split(".")[0] for a in n.names}
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(n.name)
                a = n.args if not isinstance(n, ast.ClassDef) else None
                if a is not None:
                    bound |= {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}
            elif isinstance(n, (ast.For, ast.comprehension)):
                bound |= {t.id for t in ast.walk(n.target) if isinstance(t, ast.Name)}
            elif isinstance(n, ast.withitem) and n.optional_vars is not None:
                bound |= {t.id for t in ast.walk(n.optional_vars) if isinstance(t, ast.Name)}
            elif isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Name):
                        assigned[t.id] = n.value
                    else:
                        bound |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
            elif isinstance(n, ast.NamedExpr):
                assigned[n.target.id] = n.value
            elif isinstance(n, ast.ExceptHandler) and n.name:
                bound.add(n.name)
        return bound, assigned

    def _resolve(self, call: ast.Call, ex: Example, modules: Set[str]) -> Optional[Definition]:
        name = _callee_name(call)
        cands = self.index.get(name, [])
        if not cands:
            return None
        f = call.func
        documented = [d for d in cands if d.qualname == ex.qualname]
        on_module = isinstance(f, ast.Name) or isinstance(f, ast.Attribute) and \
            isinstance(f.value, ast.Name) and f.value.id in modules
        if on_module:
            top = [d for d in cands if "." not in d.qualname]
            return (documented or top or [None])[0]
        methods = [d for d in cands if "." in d.qualname]
        if documented and documented[0].is_method:
            return documented[0]
        return methods[0] if len(methods) == 1 else None

    def _check_call(self, call: ast.Call, d: Definition, bound: Set[str],
                    assigned: Dict[str, ast.AST]) -> List[Flag]:
        text = ast.unparse(call)
        if len(_norm(text)) > 4 and _norm(text) in self.evidence.text:
            return []  # the call itself is the project's (a doctest, a test, its docs)
        positional = [p for p in d.params if p[2] == "pos"]
        star = next((p for p in d.params if p[2] == "*"), None)
        dstar = next((p for p in d.params if p[2] == "**"), None)
        by_name = {p[0]: p for p in d.params if p[2] in ("pos", "kw")}
        pairs: List[Tuple[Tuple[str, str, str], ast.AST]] = []
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                pairs.append(((star or ("*", "", "*")), arg.value))
            elif i < len(positional):
                pairs.append((positional[i], arg))
            else:
                pairs.append((star or ("?", "", "*"), arg))
        for k in call.keywords:
            pairs.append((by_name.get(k.arg or "") or dstar or (k.arg or "**", "", "**"),
                          k.value))
        out = []
        for param, arg in pairs:
            why = self._arg(arg, param, d, _callee_name(call), bound, assigned, 0)
            if why:
                out.append(Flag(text, param[0], ast.unparse(arg), why))
        return out

    def _arg(self, arg: ast.AST, param: Tuple[str, str, str], d: Definition, callee: str,
             bound: Set[str], assigned: Dict[str, ast.AST], depth: int) -> str:
        """'' when the argument is grounded, else why not."""
        norm = _norm(ast.unparse(arg))
        kind = literal_kind(arg)
        if kind is None and norm in self.evidence.args.get(callee, ()):
            return ""  # the project passes this same expression to this callee
        if kind is not None and norm in self.evidence.args.get(callee, ()):
            return ""  # a literal the project passes to this callee
        if isinstance(arg, ast.Name):
            if arg.id in bound:
                return ""
            if arg.id in assigned and depth < 3:
                return self._arg(assigned[arg.id], param, d, callee, bound, assigned, depth + 1)
            if arg.id in BUILTINS:
                return f"the builtin `{arg.id}` stands in for the value"
            return f"`{arg.id}` is not bound in the example"
        if kind is not None:
            return self._literal_why(kind, param, d)
        if isinstance(arg, ast.Call):
            inner = _callee_name(arg)
            if inner in self.index or depth > 0:
                return ""  # built by another call of the project, checked on its own
            if isinstance(arg.func, ast.Name) and arg.func.id in bound:
                return ""
            return f"`{ast.unparse(arg.func)}(...)` is neither the project's nor evidence"
        if isinstance(arg, ast.Attribute):
            root = arg
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound | set(assigned):
                return ""  # an attribute of something the example bound (an Enum member)
            return f"`{ast.unparse(arg)}` is not bound in the example"
        if isinstance(arg, ast.Lambda):
            return "" if "Callable" in param[1] else "a lambda the project does not show"
        if isinstance(arg, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.JoinedStr, ast.BinOp)):
            names = [n for n in ast.walk(arg) if isinstance(n, ast.Name)]
            if all(n.id in bound or n.id in assigned for n in names):
                return ""
        return f"`{ast.unparse(arg)}` is not evidence"

    def _literal_why(self, kind: str, param: Tuple[str, str, str], d: Definition) -> str:
        """'' when a literal of `kind` is grounded for `param`, else why not."""
        name, annotation, how = param
        if annotation and annotation.split(".")[-1] not in ("Any", "object"):
            return "" if annotation_allows(annotation, kind) else \
                f"a {kind} literal where the annotation is `{annotation}`"
        if how in ("*", "**") and name in ("?", "*", "**"):
            return f"a {kind} literal for a parameter `{d.qualname}` does not have"
        plain = name_kinds(name)
        if plain and kind not in plain and not (kind == "int" and "float" in plain):
            return f"a {kind} literal, but the name `{name}` asks for {'/'.join(sorted(plain))}"
        if name.lower().lstrip("_") in OBJECT_NAMES and kind != "None":
            return f"a {kind} literal, but the name `{name}` asks for an object"
        uses, left_open = body_use(d.body, name)
        if kind in uses or kind == "None" and uses:
            return ""
        if kind in plain or kind == "int" and "float" in plain:
            return ""
        if left_open and not uses:
            return ""
        if uses:
            return f"a {kind} literal, but the body uses `{name}` as {'/'.join(sorted(uses))}"
        return f"a {kind} literal, and the body reads, calls or hands on `{name}`"


def decorators_of(corpus_py: str) -> set:
    return set(re.findall(r"^\s*@(?:[\w.]+\.)?(\w+)", corpus_py, re.M))


def run_alone(python: str, code: str, cwd: str) -> Tuple[bool, str]:
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "TERM": "dumb",
               "EDITOR": "false", "VISUAL": "false", "BROWSER": "false", "TMPDIR": home}
        try:
            p = subprocess.run([python, "-c", code], cwd=cwd, env=env, capture_output=True,
                               text=True, timeout=30, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return False, "timeout"
    last = (p.stderr.strip().split("\n") or [""])[-1]
    return p.returncode == 0, last


PRIVATE_CHECK = r'''
import importlib, json, sys
out = []
for module, name in json.loads(sys.stdin.read()):
    try:
        obj = getattr(importlib.import_module(module), name)
        parts = module.split(".")
        public = [".".join(parts[:n]) for n in range(1, len(parts))
                  if not any(p.startswith("_") for p in parts[:n])]
        out.append(any(getattr(importlib.import_module(m), name, None) is obj for m in public))
    except Exception:
        out.append(False)
print(json.dumps(out))
'''


class Row(NamedTuple):
    library: str
    written: int
    failed_alone: int
    grounded: int
    private_with_public: int
    decorators_bare: int
    guided_share: str
    fix_seconds: float
    failures: List[str]
    flagged: List[dict]
    bare: List[str]
    guides: List[dict]
    formatter_regressions: List[str]  # "tool: file" that passed before the fix, not after
    second_fix_changed: List[str]  # files a second `--fix` changed (it must change none)
    provenance: Dict[str, int]  # doctest / real use / composed -> examples
    # the fix's "internal error" lines: a bug of ours, whatever else the row says
    internal_errors: List[str]


def measure(howto_python: str, pythonpath: Optional[str], name: str, src: str, venv: str,
            packages: Sequence[str], work: str, reuse: bool = False) -> Row:
    copy = os.path.join(work, name)
    if reuse and os.path.isdir(copy):
        return judge(name, src, venv, copy, packages, howto_python, pythonpath, -1.0)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                             ".howto_cache"))
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    env = dict(os.environ, VIRTUAL_ENV=venv)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    started = time.monotonic()
    fix = subprocess.run([howto_python, "-m", "howto_hook", "--all", "--fix", "--generator",
                          "template", "--run-examples", "--no-cache", *packages], cwd=copy,
                         env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    with open(os.path.join(work, name + ".fix.log"), "w") as log:
        log.write(fix.stderr)
    return judge(name, src, venv, copy, packages, howto_python, pythonpath, took)


def judge(name: str, src: str, venv: str, copy: str, packages: Sequence[str],
          howto_python: str, pythonpath: Optional[str], took: float) -> Row:
    """The columns for a fixed copy of the library at `src`."""
    env = dict(os.environ, VIRTUAL_ENV=venv)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    check = subprocess.run([howto_python, "-m", "howto_hook", "--all", "--no-cache",
                            *packages], cwd=copy, env=env, capture_output=True, text=True)
    share = re.search(r"(\d+) (?:changed )?definitions? in \d+ files?, (\d+)% with a passing "
                      r"guide", check.stderr)
    examples = written_examples(src, copy)
    checker = Grounding(project_index(src), gather_evidence(src))
    corpus_py = "\n".join(open(p, encoding="utf-8", errors="replace").read()
                          for p in _files(src, (".py",)))
    decorated = decorators_of(corpus_py)
    python = os.path.join(venv, "bin", "python")
    failed: List[str] = []
    privates: List[Tuple[str, str]] = []
    bare: List[str] = []
    flagged: List[dict] = []
    for ex in examples:
        root = os.path.join(copy, os.path.dirname(ex.file).split(os.sep)[0]) \
            if ex.file.startswith("src" + os.sep) else copy
        ok, why = run_alone(python, ex.code, root)
        if not ok:
            failed.append(f"{ex.file}:{ex.qualname}: {why}")
        for m in re.finditer(r"^from ([\w.]+) import (\w+)", ex.code, re.M):
            if any(p.startswith("_") for p in m.group(1).split(".")):
                privates.append((m.group(1), m.group(2)))
        if ex.name in decorated and not re.search(rf"^\s*@[\w.]*\b{ex.name}\b", ex.code, re.M) \
                and re.search(rf"\b{ex.name}\(", ex.code):
            bare.append(f"{ex.file}:{ex.qualname}")
        flags = checker.flags(ex)
        if flags:
            flagged.append({"file": ex.file, "qualname": ex.qualname, "code": ex.code,
                            "flags": [f._asdict() for f in flags]})
    private_public = 0
    if privates:
        p = subprocess.run([python, "-c", PRIVATE_CHECK], input=json.dumps(privates),
                           capture_output=True, text=True, cwd=copy)
        private_public = sum(json.loads(p.stdout or "[]"))
    return Row(name, len(examples), len(failed), len(examples) - len(flagged),
               private_public, len(bare),
               f"{share.group(2)}% of {share.group(1)}" if share else "?", took, failed,
               flagged, bare, [{"file": e.file, "qualname": e.qualname, "doc": e.doc}
                               for e in examples],
               formatter_regressions(src, copy, howto_python),
               second_fix_changes(copy, packages, howto_python, env),
               {k: sum(1 for e in examples if checker.provenance(e) == k)
                for k in ("doctest", "real use", "composed")},
               _internal_errors(os.path.join(os.path.dirname(copy), name + ".fix.log")))


def _internal_errors(log: str) -> List[str]:
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            return [ln.rstrip("\n") for ln in f if "internal error" in ln]
    except OSError:
        return []


def _py_bytes(root: str) -> Dict[str, bytes]:
    return {os.path.relpath(p, root): open(p, "rb").read() for p in _files(root, (".py",))}


def formatter_regressions(src: str, copy: str, howto_python: str) -> List[str]:
    """`black` and `ruff format`, with the project's own configuration, on each file the
    fix changed: those where the formatter would rewrite more lines after the fix than
    before (an original need not pass: the installed formatter may be newer)."""
    before, after = _py_bytes(src), _py_bytes(copy)
    changed = [rel for rel, data in after.items() if rel in before and before[rel] != data]
    bindir = os.path.dirname(howto_python)
    out = []
    for tool, cmd in (("black", ["black", "--diff", "-q"]),
                      ("ruff format", ["ruff", "format", "--diff", "-q"])):
        exe = os.path.join(bindir, cmd[0])
        exe = exe if os.path.exists(exe) else shutil.which(cmd[0])
        if not exe:
            continue
        for rel in changed:
            removed = []
            for root in (src, copy):
                diff = subprocess.run([exe, *cmd[1:], rel], cwd=root, capture_output=True,
                                      text=True).stdout
                removed.append(sum(1 for line in diff.splitlines()
                                   if line.startswith("-") and not line.startswith("---")))
            if removed[1] > removed[0]:
                out.append(f"{tool}: {rel} ({removed[0]} lines to reformat before, "
                           f"{removed[1]} after)")
    return out


def second_fix_changes(copy: str, packages: Sequence[str], howto_python: str,
                       env: Dict[str, str]) -> List[str]:
    """Files a second `--fix` over the fixed copy changes (it must change none)."""
    first = _py_bytes(copy)
    subprocess.run([howto_python, "-m", "howto_hook", "--all", "--fix", "--generator",
                    "template", "--run-examples", "--no-cache", *packages], cwd=copy, env=env,
                   capture_output=True, text=True)
    second = _py_bytes(copy)
    return sorted(rel for rel in second if first.get(rel) != second[rel])


def show_flagged(row: Row) -> str:
    lines = []
    for item in row.flagged:
        lines.append(f"--- {row.library} {item['file']}:{item['qualname']}")
        lines += ["    " + line for line in item["code"].splitlines()]
        for f in item["flags"]:
            lines.append(f"  ! {f['param']}={f['arg']}: {f['why']}")
    for b in row.bare:
        lines.append(f"--- {row.library} {b}: decorator called bare")
    for f in row.failures:
        lines.append(f"--- {row.library} {f}: FAILED ALONE")
    for f in row.formatter_regressions:
        lines.append(f"--- {row.library} {f}: the formatter passed it before the fix, not after")
    for f in row.second_fix_changed:
        lines.append(f"--- {row.library} {f}: a second --fix changed it")
    return "\n".join(lines)


def sample_guides(rows: Sequence[Row], n: int, seed: int) -> str:
    """`n` written guides drawn with `seed`, as evenly over the libraries as they allow."""
    rng = random.Random(seed)
    pools = [rng.sample(r.guides, len(r.guides)) for r in rows]
    names = [r.library for r in rows]
    picked: List[Tuple[str, dict]] = []
    while len(picked) < n and any(pools):
        for name, pool in zip(names, pools):
            if pool and len(picked) < n:
                picked.append((name, pool.pop()))
    out = []
    for i, (name, g) in enumerate(picked, 1):
        out.append(f"##### {i}. {name} {g['file']}:{g['qualname']}\n{g['doc']}\n")
    return "\n".join(out)


def main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--howto-python", default=sys.executable)
    p.add_argument("--pythonpath", default=None)
    p.add_argument("--lib", action="append", required=True,
                   help="NAME:SRCDIR:VENV:PKG[,PKG]")
    p.add_argument("--work", required=True)
    p.add_argument("--json", default=None)
    p.add_argument("--reuse", action="store_true",
                   help="judge the fixed copies already in --work again, without fixing")
    p.add_argument("--read", type=int, default=0, metavar="N",
                   help="print N written guides drawn at random (--seed), spread over the "
                   "libraries, to read as their maintainer would")
    p.add_argument("--seed", type=int, default=20)
    p.add_argument("--show-flagged", action="store_true",
                   help="print each example the grounding check flags, and why")
    args = p.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for spec in args.lib:
        name, src, venv, pkgs = spec.split(":")
        row = measure(args.howto_python, args.pythonpath, name, src, venv, pkgs.split(","),
                      args.work, args.reuse)
        rows.append(row)
        print(f"| {row.library} | {row.written} | {row.failed_alone} | "
              f"{row.grounded}/{row.written} | {row.private_with_public} | "
              f"{row.decorators_bare} | {row.guided_share} | {row.fix_seconds:.1f} s | "
              f"{len(row.formatter_regressions)} | {len(row.second_fix_changed)} | "
              f"{row.provenance['doctest']}/{row.provenance['real use']}/"
              f"{row.provenance['composed']} | {len(row.internal_errors)} |",
              flush=True)
        for line in row.internal_errors:
            print("    " + line, flush=True)
        if args.show_flagged:
            print(show_flagged(row), flush=True)
    if args.read:
        print(sample_guides(rows, args.read, args.seed))
    if args.json:
        with open(args.json, "w") as out:
            json.dump([r._asdict() for r in rows], out, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
