"""What the generators read from the project's files: pure over strings and `ast`.

The names a module binds at its top level (and the import line that binds
each elsewhere), the free names of a piece of code, the project's Python files (a bounded, cached walk), and
whether code taken from the project can stand alone in an example
(`safe_imports`, `refers`). `assemble` lays out an example's imports.
"""
from __future__ import annotations

import ast
import builtins
import os
import re
import sys
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from howto_hook.safeio import Refused, read_regular

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


def _used_only(imports: List[str], body: str) -> List[str]:
    """The import lines that bind a name the body reads (`from m import a, b` cut to
    the names read); a candidate's imports and its slice's may overlap, and an
    unused import is a linter's finding in the user's docs. Kept whole when the
    body does not parse (the rules report that)."""
    parsed: List[Tuple[str, Optional[ast.stmt]]] = []
    for line in imports:
        try:
            parsed.append((line, ast.parse(line).body[0]))
        except (SyntaxError, IndexError):
            parsed.append((line, None))
    # the head may hold statements beside the imports (`module =
    # importlib.import_module(...)` for a file whose name is no identifier):
    # what they read counts as read
    others = [ln for ln, node in parsed if not isinstance(node, (ast.Import, ast.ImportFrom))]
    try:
        read = set(_bound_and_loaded(ast.parse("\n".join([*others, body])))[1])
    except SyntaxError:
        return imports
    out = []
    for line, node in parsed:
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or any(
                a.name == "*" for a in node.names):
            out.append(line)
            continue
        kept = [a for a in node.names if (a.asname or a.name).split(".")[0] in read]
        if len(kept) == len(node.names):
            out.append(line)
        elif kept:
            node.names = kept
            out.append(ast.unparse(node))
    return out


def assemble(imports: Sequence[str], body: str) -> str:
    """Import lines (the standard library's first, a blank line between the groups, as
    isort lays them out) that the code uses, a blank line, the code; two blank lines
    before a `def`."""
    unique = _merge_from(_used_only(list(dict.fromkeys(i for i in imports if i)), body))
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


def safe_imports(holder: ast.AST, bindings: Dict[str, str], generator: bool
                 ) -> Optional[List[str]]:
    """The import lines code taken from the project needs (the names it leaves
    unbound), or None when it cannot stand alone: a name nothing imports, one
    from the tests, a private attribute, or a reach outside the process."""
    for n in ast.walk(holder):
        if isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return None
        if isinstance(n, ast.Attribute) and n.attr.startswith("_") \
                and not n.attr.startswith("__"):
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
        source = line.split(" import ")[0]
        if module in _UNSAFE_MODULES or "test" in source or "conftest" in line:
            return None
    return imports


def refers(func: ast.expr, name: str, owner: str, target_module: str,
            bindings: Dict[str, str], same_file: bool,
            exports: Optional[Callable[[str, str], bool]] = None) -> Optional[str]:
    """How the example spells the callee when `func` names the definition, else None.

    `owner` is the class of a class or static method ("" for a function or class).
    `exports(module, name)`, when given, says whether another module of the package
    gives the same object under that name (`from pkg import main` is not
    `pkg.__main__.main` when `pkg` takes its `main` from `pkg.cli`).
    """
    top = owner or name
    package = target_module.split(".")[0]

    def ours(line: Optional[str]) -> bool:
        if line is None:
            return same_file
        src = line.split()[1]
        if src != target_module and exports is not None and src.split(".")[0] == package:
            return exports(src, top)
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


def empty_args(call: str) -> bool:
    """Whether a call passes an empty container or None: it shows little and often fails."""
    return bool(re.search(r"[(,=]\s*(\[\]|\(\)|\{\}|''|\"\"|None)\s*[,)]", call))
