"""Where the template's example arguments come from, best first.

1. The docstring's own doctest: its `>>>`/`...` statements are the example
   (output lines dropped; a bare expression that showed output is printed;
   a statement that expects a traceback or is skipped is left out). Names the
   doctest takes from the module's globals are imported as the module does.
2. A real call of the definition in the project's code or tests: the
   shortest one that binds to the signature and whose arguments are literals
   or names the example can import (a name the calling file imports).
3. Values that fit each parameter's annotation, else one chosen by its name.
   `None` only where the annotation allows it and nothing better is known.

All of it is pure over strings and `ast` but for the bounded, cached walk
that reads the project's files (`project_files`).
"""
from __future__ import annotations

import ast
import builtins
import doctest
import os
import re
import sys
from functools import lru_cache
from typing import (Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Sequence, Set,
                    Tuple)

from howto_hook import modpath, signature
from howto_hook.safeio import Refused, read_regular
from howto_hook.model import Param

# --- names a module binds at its top level --------------------------------------------


def _absolute(module: str, level: int, package: str) -> Optional[str]:
    """The absolute module of `from <.level><module> import`, seen from `package`."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[:len(parts) - (level - 1)]
    if not base:
        return None
    return ".".join(base + ([module] if module else []))


def top_level_bindings(tree: ast.Module, import_path: str, package: str) -> Dict[str, str]:
    """Each top-level name of a module, with the import line that binds it elsewhere.

    A name the module defines is imported from the module itself; one it
    imports is imported the way it does (relative imports made absolute).
    Names bound inside `try`/`if` at the top count (compatibility imports):
    the first binding wins.
    """
    out: Dict[str, str] = {}

    def visit(body: Sequence[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        out.setdefault(a.asname, f"import {a.name} as {a.asname}")
                    else:
                        top = a.name.split(".")[0]
                        out.setdefault(top, f"import {top}")
            elif isinstance(node, ast.ImportFrom):
                src = _absolute(node.module or "", node.level, package)
                if src is None or src == "__future__":
                    continue
                for a in node.names:
                    if a.name == "*":
                        continue
                    line = f"from {src} import {a.name}"
                    out.setdefault(a.asname or a.name,
                                   line + (f" as {a.asname}" if a.asname else ""))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.setdefault(node.name, f"from {import_path} import {node.name}")
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            out.setdefault(n.id, f"from {import_path} import {n.id}")
            elif isinstance(node, ast.Try):
                visit(node.body)
                for h in node.handlers:
                    visit(h.body)
                visit(node.orelse)
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)

    visit(tree.body)
    return out


def package_of(path: str, import_path: str) -> str:
    """The package a module's relative imports start from."""
    if os.path.basename(path) == "__init__.py":
        return import_path
    return import_path.rpartition(".")[0]


# --- free names of a piece of code -----------------------------------------------------

_BUILTINS = frozenset(dir(builtins))


def _bound_and_loaded(tree: ast.AST) -> Tuple[Set[str], List[str]]:
    bound: Set[str] = set()
    loaded: List[str] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                loaded.append(n.id)
            else:
                bound.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                bound.add((a.asname or a.name).split(".")[0])
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
    return bound, loaded


def free_names(tree: ast.AST) -> List[str]:
    """Names the code reads but never binds and that are not builtins, in order."""
    bound, loaded = _bound_and_loaded(tree)
    return list(dict.fromkeys(n for n in loaded if n not in bound and n not in _BUILTINS))


def _imports_for(names: Sequence[str], bindings: Dict[str, str]) -> Optional[List[str]]:
    lines = []
    for name in names:
        line = bindings.get(name)
        if line is None:
            return None
        lines.append(line)
    return list(dict.fromkeys(lines))


def mentions(tree: ast.AST, name: str) -> bool:
    return any((isinstance(n, ast.Name) and n.id == name)
               or (isinstance(n, ast.Attribute) and n.attr == name)
               or (isinstance(n, ast.alias) and (n.asname or n.name).split(".")[-1] == name)
               for n in ast.walk(tree))


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()) or (
    "abc", "asyncio", "collections", "contextlib", "dataclasses", "datetime", "decimal", "enum",
    "fractions", "functools", "importlib", "itertools", "json", "math", "operator", "os",
    "pathlib", "random", "re", "statistics", "string", "sys", "typing"))


def _is_stdlib(line: str) -> bool:
    return line.split()[1].split(".")[0] in _STDLIB


def _merge_from(lines: List[str]) -> List[str]:
    """`from m import a` and `from m import b` as one `from m import a, b` (sorted)."""
    names: Dict[str, List[str]] = {}
    out: List[str] = []
    for line in lines:
        m = re.match(r"^from (\S+) import (.+)$", line)
        if m is None:
            out.append(line)
            continue
        if m.group(1) not in names:
            names[m.group(1)] = []
            out.append("from " + m.group(1))
        names[m.group(1)].append(m.group(2))
    return [f"{ln} import {', '.join(sorted(dict.fromkeys(names[ln[5:]])))}"
            if ln.startswith("from ") and " import " not in ln else ln for ln in out]


def assemble(imports: Sequence[str], body: str) -> str:
    """Import lines (the standard library's first, a blank line between the groups, as
    isort lays them out), a blank line, the code; two blank lines before a `def`."""
    unique = _merge_from(list(dict.fromkeys(i for i in imports if i)))
    def order(line: str) -> Tuple[bool, str]:  # isort's: `import m` before `from m import`
        return line.startswith("from "), line.split()[1].lower()

    std = sorted((i for i in unique if _is_stdlib(i)), key=order)
    rest = sorted((i for i in unique if not _is_stdlib(i)), key=order)
    head = "\n\n".join("\n".join(group) for group in (std, rest) if group)
    body = body.strip("\n")
    if not head:
        return body
    gap = "\n\n\n" if body.startswith(("def ", "async def ", "class ", "@")) else "\n\n"
    return head + gap + body


# --- 1. the docstring's doctest ---------------------------------------------------------

_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")


def doctest_code(docstring: str, name: str, top: str, bindings: Dict[str, str],
                 include_skipped: bool = False) -> Optional[str]:
    """The doctest's statements as a plain example, or None when it cannot stand alone.

    `name` is the documented name the example must use; `top` the top-level
    name it is imported by (the class of a method). A statement that expects
    a traceback is left out, and so is one marked `+SKIP` unless
    `include_skipped` (authors skip statements whose output varies as often
    as ones that cannot run: the caller tries that variant later). A
    statement that reads a name neither the statements before it nor the
    module's imports give it is left out too.
    """
    try:
        examples = doctest.DocTestParser().get_examples(docstring)
    except ValueError:  # a malformed doctest: doctest itself would refuse it
        return None
    statements: List[str] = []
    imports: List[str] = []
    bound: Set[str] = set()
    skipped_any = False
    for ex in examples:
        if ex.exc_msg is not None:
            continue  # it raises on purpose
        if ex.options.get(doctest.SKIP):
            skipped_any = True
            if not include_skipped:
                continue
        source = "\n".join(_DIRECTIVE.sub("", ln) for ln in ex.source.rstrip("\n").split("\n"))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None
        needed = [n for n in free_names(tree) if n not in bound]
        lines = _imports_for(needed, bindings)
        if lines is None:
            continue
        body = tree.body
        imports += lines
        bound |= _bound_and_loaded(tree)[0]
        if all(isinstance(n, (ast.Import, ast.ImportFrom)) and not (
                isinstance(n, ast.ImportFrom) and n.level) for n in body):
            imports += [ast.unparse(n) for n in body]  # with the example's other imports
            continue
        if (_shows_value(ex.want) and len(body) == 1 and isinstance(body[0], ast.Expr)
                and not _is_print(body[0].value)):
            source = f"print({source.strip()})"
        if isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            source = ("\n\n" if statements else "") + source + "\n\n"  # PEP 8's two lines
        statements.append(source)
    if not statements or (include_skipped and not skipped_any):
        return None
    code = re.sub(r"\n{4,}", "\n\n\n", "\n".join(statements)).strip("\n")
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if not mentions(tree, name):
        return None
    return assemble(imports, code)


def value_imports(code: str) -> List[str]:
    """The imports the values `value_for` writes need (`datetime.date(...)`)."""
    return [f"import {m}" for m in ("contextlib", "datetime", "decimal", "fractions", "io")
            if re.search(rf"(?<![\w.]){m}\.", code)]


def _shows_value(want: str) -> bool:
    """Whether a doctest's expected output is the repr of a value (not printed text)."""
    return bool(re.match(r"^\s*([\[({'\"<\d-]|True\b|False\b|None\b|[\w.]+\()", want))


def _is_print(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "print"


# --- 2. a real call in the project -----------------------------------------------------

_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env",
                        "node_modules", "build", "dist", "site-packages", "__pycache__",
                        ".mypy_cache", ".pytest_cache", ".howto_cache", ".eggs"})
MAX_FILES = 3000
MAX_BYTES = 1_000_000
MAX_TOTAL = 40_000_000  # characters read in all: a monorepo is searched only in part
# Modules whose names in an argument mean the call reaches outside the process.
_UNSAFE_MODULES = frozenset({"os", "sys", "subprocess", "shutil", "socket", "urllib", "http",
                             "requests", "httpx", "ftplib", "smtplib", "tempfile", "signal",
                             "asyncio", "threading", "multiprocessing", "ctypes", "pytest",
                             "unittest", "mock"})
_UNSAFE_BUILTINS = frozenset({"open", "exec", "eval", "compile", "input", "__import__",
                              "exit", "quit", "breakpoint", "help", "globals", "locals",
                              "vars", "setattr", "delattr", "memoryview"})
# Names that make an iteration endless when handed to a generator.
_ENDLESS = frozenset({"count", "cycle", "repeat", "iterate", "repeatfunc", "tabulate"})


def project_root(path: str) -> str:
    """The nearest directory upwards holding .git, else pyproject.toml or setup.py."""
    here = os.path.dirname(os.path.abspath(path))
    marked: Optional[str] = None
    d = here
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        if marked is None and any(os.path.isfile(os.path.join(d, f))
                                  for f in ("pyproject.toml", "setup.py", "setup.cfg")):
            marked = d
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return marked or here


@lru_cache(maxsize=8)
def project_files(root: str) -> Tuple[Tuple[str, str], ...]:
    """(path, text) of the project's Python files: bounded in count and size, read once."""
    out: List[Tuple[str, str]] = []
    total = 0
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")
                         and not d.endswith(".egg-info"))
        for f in sorted(files):
            if not f.endswith(".py"):
                continue
            full = os.path.join(dirpath, f)
            try:  # a regular file only: a FIFO would block, /dev/zero never end
                text = read_regular(full, MAX_BYTES).decode("utf-8")
            except (Refused, UnicodeDecodeError):
                continue
            out.append((full, text))
            total += len(text)
            if len(out) >= MAX_FILES or total >= MAX_TOTAL:
                return tuple(out)
    return tuple(out)


@lru_cache(maxsize=4096)
def _called_names(text: str) -> FrozenSet[str]:
    """Every name a file writes just before "(": which files may call a definition."""
    return frozenset(re.findall(r"(\w+)\s*\(", text))


class _Indexed(NamedTuple):
    bindings: Dict[str, str]
    # called name (`f` of `f(...)` and of `x.f(...)`) -> the calls, not those
    # that sit where they are expected to raise
    calls: Dict[str, Tuple[ast.Call, ...]]


@lru_cache(maxsize=1024)
def _indexed(path: str, text: str) -> Optional[_Indexed]:
    """A file's top-level bindings and its calls by name: one parse and walk per file."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    module = modpath.module_of_file(path)
    calls: Dict[str, List[ast.Call]] = {}
    for call, stack in _calls(tree):
        func = call.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else None)
        if name is not None and not _guarded(stack):
            calls.setdefault(name, []).append(call)
    return _Indexed(top_level_bindings(tree, module, package_of(path, module)),
                    {k: tuple(v) for k, v in calls.items()})


class Found(NamedTuple):
    call: str  # the call as written by ast.unparse, the callee spelled as the example does
    imports: Tuple[str, ...]  # lines the arguments need


def _safe_args(call: ast.Call, bindings: Dict[str, str], generator: bool
               ) -> Optional[List[str]]:
    """The import lines the call's arguments need, or None when they cannot stand alone."""
    args = list(call.args) + [k.value for k in call.keywords]
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords):
        return None
    holder = ast.Module(body=[ast.Expr(a) for a in args], type_ignores=[])
    for n in ast.walk(holder):
        if isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return None
        if isinstance(n, ast.Attribute) and n.attr.startswith("_"):
            return None
    names = free_names(holder)
    _, loaded = _bound_and_loaded(holder)
    if any(n in _UNSAFE_BUILTINS for n in loaded):
        return None
    if generator and any(n in _ENDLESS for n in loaded):
        return None
    imports = _imports_for(names, bindings)
    if imports is None:
        return None
    for line in imports:
        module = line.split()[1].split(".")[0]
        if module in _UNSAFE_MODULES or "test" in line.split(" import ")[0]:
            return None
    return imports


def _refers(func: ast.expr, name: str, owner: str, target_module: str,
            bindings: Dict[str, str], same_file: bool) -> Optional[str]:
    """How the example spells the callee when `func` names the definition, else None.

    `owner` is the class of a class or static method ("" for a function or class).
    """
    top = owner or name
    package = target_module.split(".")[0]

    def ours(line: Optional[str]) -> bool:
        if line is None:
            return same_file
        src = line.split()[1]
        return src == target_module or src == package or src.startswith(package + ".")

    if owner:
        if isinstance(func, ast.Attribute) and func.attr == name:
            base = func.value
            if isinstance(base, ast.Name) and base.id == owner and ours(bindings.get(owner)):
                return f"{owner}.{name}"
        return None
    if isinstance(func, ast.Name) and func.id == name and ours(bindings.get(name)):
        line = bindings.get(name)
        if line is None or line.endswith(f"import {name}"):
            return top
        return None
    if isinstance(func, ast.Attribute) and func.attr == name and isinstance(func.value, ast.Name):
        line = bindings.get(func.value.id)
        if line is not None and line.startswith("import ") and ours(line):
            return top
    return None


def _guarded(stack: Sequence[ast.AST]) -> bool:
    """Whether a call sits where it is expected to raise (pytest.raises, assertRaises)."""
    for node in stack:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            text = " ".join(ast.unparse(i.context_expr) for i in node.items).lower()
            if "raise" in text or "warn" in text:
                return True
        elif isinstance(node, ast.Call):
            if re.search(r"raise|warn", ast.unparse(node.func), re.I):
                return True
    return False


def _calls(tree: ast.AST) -> Iterator[Tuple[ast.Call, Sequence[ast.AST]]]:
    """Every call with its `with` and call ancestors (what `_guarded` looks at)."""
    todo: List[Tuple[ast.AST, Tuple[ast.AST, ...]]] = [(tree, ())]
    while todo:
        node, above = todo.pop()
        if isinstance(node, ast.Call):
            yield node, above
        if isinstance(node, (ast.Call, ast.With, ast.AsyncWith)):
            above = above + (node,)
        todo.extend((child, above) for child in ast.iter_child_nodes(node))


def _empty_args(call: str) -> bool:
    """Whether a call passes an empty container or None: it shows little and often fails."""
    return bool(re.search(r"[(,=]\s*(\[\]|\(\)|\{\}|''|\"\"|None)\s*[,)]", call))


def real_calls(path: str, target_module: str, name: str, owner: str,
               params: Optional[Sequence[Param]], generator: bool, limit: int = 3
               ) -> List[Found]:
    """The shortest calls of the definition in the project that an example can repeat.

    `params` None means the signature is unknown (a class without its own
    `__init__`): any call then counts.
    """
    root = project_root(path)
    found: Dict[str, Found] = {}
    here = os.path.abspath(path)
    for file, text in project_files(root):
        if name not in _called_names(text):
            continue
        index = _indexed(file, text)
        if index is None:
            continue
        bindings = index.bindings
        same = os.path.abspath(file) == here
        for call in index.calls.get(name, ()):
            spelled = _refers(call.func, name, owner, target_module, bindings, same)
            if spelled is None:
                continue
            if params is not None and signature.bind(call, params, name):
                continue
            imports = _safe_args(call, bindings, generator)
            if imports is None:
                continue
            text_call = spelled + "(" + ", ".join(
                [ast.unparse(a) for a in call.args]
                + [f"{k.arg}={ast.unparse(k.value)}" for k in call.keywords]) + ")"
            if text_call not in found:
                found[text_call] = Found(text_call, tuple(imports))
    ordered = sorted(found.values(), key=lambda f: (_empty_args(f.call), len(f.call), f.call))
    return ordered[:limit]


# --- 3. values that fit the annotation, else the name ----------------------------------

_ITERABLE_NAMES = {"iterable", "seq", "sequence", "items", "values", "data", "xs", "ys",
                   "elements", "numbers", "nums", "rows", "lines", "lst", "list", "arr",
                   "array", "collection", "coll", "it", "iterator", "pool", "population",
                   "vector", "vec", "iter", "source", "entries", "args", "store", "buffer",
                   "out", "dest", "results", "acc", "accumulator", "stack", "queue", "bag"}
_NESTED_NAMES = {"iterables", "seqs", "sequences", "lists", "matrix", "tables", "pairs"}
_MAP_NAMES = {"d", "dict", "dct", "mapping", "dictionary", "mapper", "kwargs", "options",
              "attrs", "params", "headers", "config", "env", "m"}
_INT_NAMES = {"n", "k", "r", "count", "size", "limit", "index", "idx", "i", "j", "num",
              "number", "level", "depth", "offset", "step", "times", "start", "stop", "end",
              "length", "chunk", "chunksize", "chunk_size", "batch_size", "maxsize", "position",
              "pos", "port", "precision", "digits", "ndigits", "base", "x", "y", "a", "b",
              "value", "val", "item", "obj", "seconds", "minutes", "hours", "days", "amount",
              "total", "quantity", "weight", "elem", "element"}
_WIDE_NAMES = {"width", "max_len", "maxlen", "max_length", "max_width", "columns"}
_CALLABLE_NAMES = {"func", "function", "fn", "f", "callback", "cb", "transform", "handler",
                   "call", "callable", "factory", "default_factory", "wrapped", "mapfunc",
                   "map_func", "keyfunc", "key_func", "valuefunc", "func1", "func2", "g"}
_PREDICATE_NAMES = {"pred", "predicate", "cond", "condition", "test", "check", "filter",
                    "validator"}
_BINARY_NAMES = {"binop", "op", "operator", "reducer", "reduce", "combine", "combiner",
                 "merge", "reducefunc", "binary_op"}
_EXCEPTION_NAMES = {"exception", "exc", "exceptions", "error", "errors", "exc_type",
                    "exception_type", "exc_class"}
_STR_NAMES = {"name", "text", "s", "string", "prefix", "suffix", "sep", "separator", "word",
              "label", "title", "message", "msg", "key", "attr", "attribute", "field",
              "char", "pattern", "template", "fmt", "format", "description", "content",
              "line", "token", "tag", "word", "phrase", "sentence", "locale", "language",
              "lang", "encoding", "mode", "unit", "suffix", "delimiter", "prompt"}


def _split_union(ann: str) -> List[str]:
    ann = ann.replace(" ", "")
    m = re.match(r"^(?:typing\.)?(Optional|Union)\[(.*)\]$", ann)
    if m:
        parts = _top_commas(m.group(2))
        return parts + (["None"] if m.group(1) == "Optional" else [])
    return _top_pipes(ann)


def _top_commas(text: str) -> List[str]:
    return _split_top(text, ",")


def _top_pipes(text: str) -> List[str]:
    return _split_top(text, "|")


def _split_top(text: str, sep: str) -> List[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "[(" and 1 or 0
        depth -= ch in "])" and 1 or 0
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in parts if p]


def _for_annotation(ann: str, name: str) -> Optional[str]:
    """A literal that fits one annotation (no unions), or None when it is not known."""
    bare = re.sub(r"^(typing|t|pathlib|os|collections\.abc|abc|typing_extensions)\.", "",
                  ann.strip("'\""))
    head = bare.split("[", 1)[0]
    inner = bare[len(head) + 1:-1] if "[" in bare else ""
    if head in ("int", "SupportsInt", "SupportsIndex", "Integral"):
        return "40" if name in _WIDE_NAMES else "2"
    if head in ("float", "Real", "SupportsFloat"):
        return "1.5"
    if head in ("complex", "Number", "Complex"):
        return "1.5"
    if head == "bool":
        return "True"
    if head in ("str", "AnyStr", "Text"):
        if "path" in name or "file" in name:
            return '"example.txt"'
        return '"https://example.com"' if "url" in name else '"example"'
    if head in ("bytes", "ByteString", "bytearray"):
        return 'b"data"'
    if head in ("Path", "PathLike", "PurePath", "StrPath"):
        return '"example.txt"'
    if head == "Literal" and inner:
        return _top_commas(inner)[0]
    if head in ("Callable",):
        return _callable_for(name)
    if head in ("dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict",
                "Counter"):
        return '{"a": 1, "b": 2}'
    if head in ("set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"):
        return "{1, 2, 3}"
    if head in ("tuple", "Tuple"):
        args = _top_commas(inner) if inner else []
        if args and args[-1] != "..." and all(_for_annotation(a, "") for a in args):
            values = [_for_annotation(a, "") or "1" for a in args]
            return "(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")"
        return "(1, 2, 3)"
    if head in ("list", "List", "Sequence", "Iterable", "Collection", "MutableSequence",
                "Iterator", "Reversible", "Container"):
        if inner:
            item = _for_annotation(_split_union(inner)[0], "")
            if item is not None and item != "None":
                return f"[{item}, {item}]"
        return "[1, 2, 3]"
    if head in ("date", "datetime.date", "dt.date"):
        return "datetime.date(2024, 5, 17)"
    if head in ("datetime", "datetime.datetime", "dt.datetime"):
        return "datetime.datetime(2024, 5, 17, 9, 30)"
    if head in ("timedelta", "datetime.timedelta", "dt.timedelta"):
        return "datetime.timedelta(hours=2)"
    if head in ("time", "datetime.time", "dt.time"):
        return "datetime.time(9, 30)"
    if head in ("Decimal", "decimal.Decimal"):
        return 'decimal.Decimal("1.5")'
    if head in ("Fraction", "fractions.Fraction"):
        return "fractions.Fraction(3, 2)"
    if head in ("Any", "object"):
        return None
    return None


def _callable_for(name: str) -> str:
    if name in _PREDICATE_NAMES or name.startswith(("is_", "has_")):
        return "bool"
    if name in _BINARY_NAMES:
        return "max"
    return "str"


def _by_name(name: str, default: Optional[str] = None) -> Optional[str]:
    low = name.lower()
    if low in _NESTED_NAMES:
        return "[[1, 2], [3, 4]]"
    if low in _ITERABLE_NAMES or low.endswith(("_list", "_items", "_values", "_seq")):
        return "[1, 2, 3]"
    if low in _MAP_NAMES or low.endswith(("_map", "_dict", "_mapping")):
        return '{"a": 1, "b": 2}'
    if low in _PREDICATE_NAMES or low in _CALLABLE_NAMES or low in _BINARY_NAMES \
            or low.endswith(("_func", "_fn", "_callback", "func")):
        return _callable_for(low)
    if low in ("funcs", "functions", "callbacks", "handlers", "fns", "callables"):
        return "[str, len]"
    if low in _EXCEPTION_NAMES:
        return "ValueError"
    if low in ("context_manager", "cm", "ctx", "context", "manager", "contextmanager"):
        return "contextlib.nullcontext([1, 2, 3])"
    if low in ("fileobj", "file_obj", "fp", "fh", "stream", "infile", "readable", "f_in",
               "file_like", "filelike"):
        return 'io.StringIO("first line\\nsecond line\\n")'
    if low in _WIDE_NAMES:
        return "40"
    if low in _INT_NAMES or low.endswith(("_count", "_size", "_id", "_index", "_len")) or \
            low.startswith(("num_", "n_", "max_", "min_")):
        return "2"
    if low.startswith(("is_", "has_", "use_", "enable", "allow", "should_")) or low in (
            "strict", "reverse", "verbose", "force", "recursive", "flag"):
        return "True"
    if "path" in low or "file" in low or low in ("filename", "dirname", "directory"):
        return '"example.txt"'
    if "url" in low or "uri" in low:
        return '"https://example.com"'
    if low in _STR_NAMES or "name" in low or "text" in low or low.endswith("_str"):
        return '"example"'
    if re.match(r"^[a-z_]*[a-z][^s_]s$", low):  # a plural: keys, roots, words
        return "[1, 2, 3]"
    return default


def value_for(p: Param) -> str:
    """A value for a required parameter: from its annotation, else its name, else 1.

    `None` only when the annotation is exactly `None` or names nothing else
    this knows and allows None (`Optional[Thing]`).
    """
    ann = (p.annotation or "").strip()
    if ann:
        options = _split_union(ann)
        for option in options:
            if option == "None":
                continue
            value = _for_annotation(option, p.name.lower())
            if value is not None:
                return value
        if options == ["None"]:
            return "None"
        by_name = _by_name(p.name)
        if by_name is not None:
            return by_name
        if "None" in options:
            return "None"
        return "1"
    return _by_name(p.name) or "1"


def call_args(params: Sequence[Param]) -> str:
    """Arguments for a call that fits the signature: required ones only.

    Positional-only parameters are passed by position, every other one by
    keyword, so the example reads as what each value is for. A `*iterables`
    (or `*seqs`) gets two small lists, since such functions do little with
    none; the parameters before it are then passed by position.
    """
    star = next((p for p in params if p.kind == "var_positional"), None)
    fill_star = star is not None and star.name.lower() in _NESTED_NAMES and not any(
        p.has_default for p in params[:list(params).index(star)])
    out = []
    before_star = True
    for p in params:
        if p.kind == "var_positional":
            before_star = False
            if fill_star:
                out.append("[1, 2], [3, 4]")
            continue
        if p.has_default or p.kind == "var_keyword":
            continue
        value = value_for(p)
        positional = p.kind == "positional_only" or (fill_star and before_star)
        out.append(value if positional else f"{p.name}={value}")
    return ", ".join(out)
