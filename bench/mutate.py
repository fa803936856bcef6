"""Mutation testing of the core modules: does a one-token bug fail a test?

Each mutant is one small change to one module (an operator swapped, a
condition dropped, a constant moved by one, a statement deleted, a regular
expression loosened). The tests that concern the module run against it:
a failing test kills the mutant, a mutant that passes them all survives and
names a behaviour no test pins. The score counts only mutants that are not
known to be equivalent (docs/mutation.md lists those, with the reason).

    python bench/mutate.py                      # the four core modules
    python bench/mutate.py rules diff           # some of them
    python bench/mutate.py --list guide         # the mutants, none run
    python bench/mutate.py --file m.py --tests test_m.py   # any module

Why a small tool of our own rather than mutmut or cosmic-ray: both first
run the whole suite (minutes here) to learn which tests to use, mutmut
rewrites every function of the tree into a trampoline in a copy of the
project, cosmic-ray needs a session database and a worker per core. On a
shared two-core machine this one runs one test process at a time, only the
test files mapped to the module, with a time limit per mutant, and pytest,
hypothesis and libcst are imported once: each mutant's run is a fork of a
process that has them loaded already. The package is copied to a temporary
directory put first on the import path (and on PYTHONPATH for the child
processes the tests start), so the work tree is never modified.
"""
from __future__ import annotations

import argparse
import ast
import compileall
import copy
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Target:
    path: str  # relative to the repository
    tests: Tuple[str, ...]  # fast test files that concern it, quickest killers first
    only: Optional[Tuple[str, ...]] = None  # top-level names to mutate (None: all)


# Which tests concern which module. Fast tests only: a slow file run per
# mutant would take hours.
TARGETS: Dict[str, Target] = {
    "rules": Target("howto_hook/rules.py",
                    ("tests/test_rules.py", "tests/test_literal.py", "tests/test_examples.py",
                     "tests/test_rule_docs.py", "tests/test_rules_cases.py")),
    "guide": Target("howto_hook/guide.py",
                    ("tests/test_guide_reader.py", "tests/test_rules.py", "tests/test_literal.py",
                     "tests/test_positions.py", "tests/test_rule_docs.py")),
    "validate": Target("howto_hook/validate.py", ("tests/test_fix.py",)),
    # the parsing half of diff.py; the git shell is test_changed.py's alone
    "diff": Target("howto_hook/diff.py", ("tests/test_diff_parse.py", "tests/test_changed.py"),
                   only=("_ESCAPES", "_HUNK", "_unquote", "_new_path", "parse_hunks")),
    "trust": Target("howto_hook/trust.py", ("tests/test_trust_cases.py", "tests/test_trust.py")),
    "policy": Target("howto_hook/examples/policy.py", ("tests/test_policy_cases.py",)),
    # the sandbox's decisions; install() hooks the interpreter for good, so it is
    # left to the examples' own interpreter (test_sandbox.py), where tracing cannot see
    "guard": Target("howto_hook/examples/guard.py", ("tests/test_guard_cases.py",),
                    only=("WRITE_FLAGS", "PROCESS", "CTYPES_PROCESS", "PATHS", "LOOPBACK_NAMES",
                          "ALWAYS_WRITABLE", "Guard", "WATCHED", "_close_the_side_door")),
}
EQUIVALENTS = os.path.join(REPO, "docs", "mutation.md")


# --- mutants -------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    module: str  # file name, e.g. rules.py
    where: str  # the enclosing function or class, "<module>" at the top
    line: int
    col: int
    end_line: int
    what: str  # "`a < b` -> `a <= b`": what changed, stable across line moves
    source: str  # the whole mutated module

    @property
    def key(self) -> Tuple[str, str, str]:
        return self.module, self.where, self.what


_COMPARE = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt,), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq, ast.Gt),
    ast.In: (ast.NotIn,), ast.NotIn: (ast.In,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,),
}
_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
          ast.Div: ast.Mult, ast.Mod: ast.FloorDiv}
_REGEX_CALLS = {"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall",
                "finditer"}
_TEXT_METHODS = {"strip", "lstrip", "rstrip", "lower", "casefold", "upper", "expandtabs"}
_TYPING = {"Tuple", "Dict", "Optional", "Union", "Callable", "List", "FrozenSet", "Set",
           "Mapping", "Sequence", "Iterator", "Iterable"}


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def regex_variants(pattern: str) -> Iterator[Tuple[str, str]]:
    """(looser or tighter pattern, what changed) for each one-token change of a
    regular expression: a member out of a character class, a class no longer
    negated, an anchor or word boundary dropped, a quantifier changed, a
    lookaround negated."""
    n = len(pattern)
    i = 0
    prev = ""

    def at(k: int) -> str:
        return f" at `{pattern[max(0, k - 6):k + 6]}`"
    while i < n:
        c = pattern[i]
        if c == "\\":
            tok = pattern[i:i + 2]
            if tok in ("\\b", "\\A", "\\Z"):
                yield pattern[:i] + pattern[i + 2:], f"drop {tok}" + at(i)
            prev, i = tok, i + 2
            continue
        if c == "[":
            j = i + 1
            negated = pattern[j:j + 1] == "^"
            j += negated
            members: List[Tuple[int, int]] = []
            first = True
            while j < n and (pattern[j] != "]" or first):
                width = 2 if pattern[j] == "\\" else 1
                members.append((j, j + width))
                j += width
                first = False
            if negated:
                yield pattern[:i + 1] + pattern[i + 2:], f"[{pattern[i + 1:j]}] not negated"
            if len(members) > 1:
                for a, b in members:
                    yield (pattern[:a] + pattern[b:],
                           f"{pattern[a:b]!r} out of [{pattern[i + 1:j]}]" + at(i))
            prev, i = pattern[i:j + 1], j + 1
            continue
        if c == "(" and pattern[i + 1:i + 2] == "?":
            for old, new in (("(?<=", "(?<!"), ("(?<!", "(?<="), ("(?=", "(?!"), ("(?!", "(?=")):
                if pattern.startswith(old, i):
                    yield (pattern[:i] + new + pattern[i + len(old):],
                           f"{old} -> {new}" + at(i))
                    break
            prev, i = "(?", i + 2
            continue
        if c in "^$":
            yield pattern[:i] + pattern[i + 1:], f"drop {c}" + at(i)
        elif c in "*+" and prev not in ("", "(", "|"):
            other = "+" if c == "*" else "*"
            yield pattern[:i] + other + pattern[i + 1:], f"{c} -> {other}" + at(i)
        elif c == "?" and prev not in ("", "(", "|", "(?"):
            yield pattern[:i] + pattern[i + 1:], "drop ?" + at(i)
        prev, i = c, i + 1


class _Finder:
    """Walks a module's tree and proposes replacement nodes: (path to node,
    new node, enclosing definition, what changed)."""

    def __init__(self, tree: ast.Module, only: Optional[Sequence[str]]) -> None:
        self.tree = tree
        self.only = set(only) if only is not None else None
        self.found: List[Tuple[Tuple[object, ...], ast.AST, str, str]] = []
        self.scopes: List[ast.AST] = []  # the functions around the node

    def run(self) -> None:
        for i, stmt in enumerate(self.tree.body):
            if i == 0 and _is_docstring(stmt):
                continue
            if self.only is not None and not (_top_names(stmt) & self.only):
                continue
            self._stmt(stmt, ("body", i), "<module>")

    def _add(self, path: Tuple[object, ...], old: ast.AST, new: ast.AST, where: str,
             what: Optional[str] = None) -> None:
        if what is None:
            what = f"`{_short(ast.unparse(old))}` -> `{_short(ast.unparse(new))}`"
        self.found.append((path, new, where, what))

    def _stmt(self, node: ast.stmt, path: Tuple[object, ...], where: str) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = node.name if where == "<module>" else f"{where}.{node.name}"
            if isinstance(node, ast.ClassDef):
                self._fields(node, path, where, skip={"body", "decorator_list"})
            else:
                self._expr_list(node.args.defaults, path + ("args", "defaults"), where)
                self._expr_list([d for d in node.args.kw_defaults],
                                path + ("args", "kw_defaults"), where)
            self.scopes.append(node)
            for i, stmt in enumerate(node.body):
                if i == 0 and _is_docstring(stmt):
                    continue
                self._stmt(stmt, path + ("body", i), inner)
            self.scopes.pop()
            return
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript) \
                and isinstance(node.value.value, ast.Name) and node.value.value.id in _TYPING:
            return  # a type alias, only ever read in annotations
        if isinstance(node, (ast.AugAssign, ast.Expr, ast.Break, ast.Continue, ast.Return,
                             ast.Raise)) or (isinstance(node, ast.Assign) and self._again(node)):
            shown = _short(ast.unparse(node), 60)
            self._add(path, node, ast.Pass(), where, f"delete `{shown}`")
        if isinstance(node, ast.AnnAssign):
            self._fields(node, path, where, skip={"annotation", "target"})
            return
        self._fields(node, path, where, skip=set())

    def _again(self, node: ast.Assign) -> bool:
        """Whether an assignment gives new values to names set earlier in its
        function (a reset, an update): deleting a first assignment only makes
        a NameError, which every test kills."""
        if not self.scopes:
            return False
        names = [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Store)]
        if not names:
            return True  # an attribute or item set: deleting it is a real change
        earlier = {n.id for n in ast.walk(self.scopes[-1]) if isinstance(n, ast.Name)
                   and isinstance(n.ctx, ast.Store) and n.lineno < node.lineno}
        return all(n in earlier for n in names)

    def _fields(self, node: ast.AST, path: Tuple[object, ...], where: str,
                skip: Set[str]) -> None:
        for name, value in ast.iter_fields(node):
            if name in skip:
                continue
            if isinstance(value, list):
                for i, item in enumerate(value):
                    self._any(item, path + (name, i), where)
            elif isinstance(value, ast.AST):
                self._any(value, path + (name,), where)

    def _any(self, node: ast.AST, path: Tuple[object, ...], where: str) -> None:
        if isinstance(node, ast.stmt):
            self._stmt(node, path, where)
        elif isinstance(node, ast.expr):
            self._expr(node, path, where)
        elif isinstance(node, ast.AST):
            self._fields(node, path, where, skip={"annotation"})

    def _expr_list(self, nodes: Sequence[Optional[ast.expr]], path: Tuple[object, ...],
                   where: str) -> None:
        for i, n in enumerate(nodes):
            if n is not None:
                self._expr(n, path + (i,), where)

    def _expr(self, node: ast.expr, path: Tuple[object, ...], where: str) -> None:
        if isinstance(node, ast.JoinedStr):
            return  # an f-string is a message, unless it is a pattern (below)
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                for alt in _COMPARE.get(type(op), ()):
                    new = copy.deepcopy(node)
                    new.ops[k] = alt()
                    self._add(path, node, new, where)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
            new = copy.deepcopy(node)
            new.op = _BINOP[type(node.op)]()
            self._add(path, node, new, where)
        elif isinstance(node, ast.BoolOp):
            new = copy.deepcopy(node)
            new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            self._add(path, node, new, where)
            for k in range(len(node.values)):
                rest = [copy.deepcopy(v) for j, v in enumerate(node.values) if j != k]
                kept = rest[0] if len(rest) == 1 else ast.BoolOp(op=node.op, values=rest)
                shown = _short(ast.unparse(node.values[k]), 50)
                self._add(path, node, kept, where, f"drop operand `{shown}`")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            self._add(path, node, copy.deepcopy(node.operand), where)
        elif isinstance(node, ast.Constant):
            self._constant(node, path, where)
        elif isinstance(node, ast.Call):
            self._call(node, path, where)
        elif isinstance(node, ast.Dict) and 0 < len(node.keys) <= 16:
            for k, key in enumerate(node.keys):
                if key is None:
                    continue
                new = copy.deepcopy(node)
                del new.keys[k], new.values[k]
                self._add(path, node, new, where, f"drop entry {ast.unparse(key)}")
            # a key's mutant is its entry's deletion: mutate the values only
            for k, value in enumerate(node.values):
                self._expr(value, path + ("values", k), where)
            return
        if isinstance(node, ast.Call) and _regex_call(node) and node.args:
            self._fields(node, path, where, skip={"args"})
            self._pattern(node.args[0], path + ("args", 0), where)
            for i, arg in enumerate(node.args[1:], start=1):
                self._expr(arg, path + ("args", i), where)
            return
        self._fields(node, path, where, skip={"annotation"})

    def _constant(self, node: ast.Constant, path: Tuple[object, ...], where: str) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(path, node, ast.Constant(not value), where)
        elif isinstance(value, int):
            self._add(path, node, ast.Constant(value + 1), where)
        elif isinstance(value, str) and " " not in value and len(value) <= 40:
            # words, keys, markers, prefixes; a message (it has spaces) is left alone
            self._add(path, node, ast.Constant("XX" + value + "XX"), where)

    def _call(self, node: ast.Call, path: Tuple[object, ...], where: str) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("max", "min") and len(node.args) == 2 \
                and not node.keywords:
            other = ast.Name("min" if func.id == "max" else "max", ast.Load())
            self._add(path, node, ast.Call(other, copy.deepcopy(node.args), []), where)
            for arg in node.args:
                self._add(path, node, copy.deepcopy(arg), where)
        elif isinstance(func, ast.Attribute) and func.attr in _TEXT_METHODS:
            self._add(path, node, copy.deepcopy(func.value), where)
        elif isinstance(func, ast.Attribute) and func.attr == "get" and len(node.args) == 2:
            self._add(path, node, copy.deepcopy(node.args[1]), where)  # the lookup ignored

    def _pattern(self, node: ast.expr, path: Tuple[object, ...], where: str) -> None:
        """Mutate a regular expression (a string, or an f-string's text parts)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for new, what in regex_variants(node.value):
                self._add(path, node, ast.Constant(new), where, f"regex {what}")
        elif isinstance(node, ast.JoinedStr):
            for k, part in enumerate(node.values):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    for new, what in regex_variants(part.value):
                        mutated = copy.deepcopy(node)
                        mutated.values[k] = ast.Constant(new)
                        self._add(path, node, mutated, where, f"regex {what}")
        else:
            self._expr(node, path, where)


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
        and isinstance(stmt.value.value, str)


def _top_names(stmt: ast.stmt) -> Set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _regex_call(node: ast.Call) -> bool:
    f = node.func
    return isinstance(f, ast.Attribute) and f.attr in _REGEX_CALLS \
        and isinstance(f.value, ast.Name) and f.value.id == "re"


def _at(tree: ast.AST, path: Sequence[object]) -> ast.AST:
    node: object = tree
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, step)  # type: ignore
    return node  # type: ignore[return-value]


def _replaced(tree: ast.Module, path: Sequence[object], new: ast.AST) -> ast.Module:
    out = copy.deepcopy(tree)
    parent = _at(out, path[:-1])
    last = path[-1]
    if isinstance(last, int):
        parent[last] = new  # type: ignore[index]
    else:
        setattr(parent, last, new)
    return out


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=False)


def mutants(source: str, module: str, only: Optional[Sequence[str]] = None) -> List[Mutant]:
    """Every mutant of `source`, each checked to be valid Python that differs
    from the original exactly by its one change."""
    tree = ast.parse(source)
    finder = _Finder(tree, only)
    finder.run()
    raw = source.encode("utf-8")
    starts = [0]
    for line in raw.split(b"\n"):
        starts.append(starts[-1] + len(line) + 1)
    original = _dump(tree)
    out: List[Mutant] = []
    seen: Dict[Tuple[str, str, str], int] = {}
    for path, new, where, what in finder.found:
        old = _at(tree, path)
        a = starts[old.lineno - 1] + old.col_offset  # type: ignore[attr-defined]
        b = starts[old.end_lineno - 1] + old.end_col_offset  # type: ignore[attr-defined]
        text = ast.unparse(new)
        if isinstance(new, ast.expr):
            text = f"({text})"
        mutated = (raw[:a] + text.encode("utf-8") + raw[b:]).decode("utf-8")
        try:
            got = _dump(ast.parse(mutated))
        except SyntaxError:
            continue
        if got == original or got != _dump(_replaced(tree, path, new)):
            continue  # no change, or the text did not say what the tree says
        key = (module, where, what)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            what = f"{what} (#{seen[key]})"
        out.append(Mutant(module, where, old.lineno, old.col_offset + 1,  # type: ignore
                          old.end_lineno, what, mutated))  # type: ignore[attr-defined]
    return out


# --- running the tests against a mutant ------------------------------------------------


def _preload() -> None:
    """Import what every test run imports, once, before any fork."""
    import pytest  # noqa: F401
    import _pytest.python  # noqa: F401
    try:
        import hypothesis  # noqa: F401
        import libcst  # noqa: F401
    except ImportError:
        pass
    assert not any(m == "howto_hook" or m.startswith("howto_hook.") for m in sys.modules), \
        "howto_hook must be imported in each child, from the mutant's copy"


class _LineRecorder:
    """A pytest plugin: which lines of one file each test runs, and its time."""

    def __init__(self, filename: str) -> None:
        self.filename = os.path.realpath(filename)
        self.lines: Dict[str, List[int]] = {}
        self.seconds: Dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):  # type: ignore[no-untyped-def]
        import threading

        hits: Set[int] = set()

        def local(frame, event, arg):  # type: ignore[no-untyped-def]
            if event == "line":
                hits.add(frame.f_lineno)
            return local

        def calls(frame, event, arg):  # type: ignore[no-untyped-def]
            if frame.f_code.co_filename == self.filename:
                hits.add(frame.f_lineno)
                return local
            return None

        # a cached result would hide from the trace the lines each test needs
        # (a pattern compiled once, by whichever test came first)
        for module in list(sys.modules.values()):
            if os.path.realpath(getattr(module, "__file__", None) or "") == self.filename:
                for value in list(vars(module).values()):
                    if callable(getattr(value, "cache_clear", None)):
                        value.cache_clear()
        start = time.monotonic()
        sys.settrace(calls)
        threading.settrace(calls)
        try:
            yield
        finally:
            sys.settrace(None)
            threading.settrace(None)
            self.lines[item.nodeid] = sorted(hits)
            self.seconds[item.nodeid] = time.monotonic() - start


def _child(tests: Sequence[str], copy_root: str, cwd: str, quiet: bool,
           record: Optional[Tuple[str, str]]) -> int:
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if quiet:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    os.chdir(cwd)
    # what the tests leave in the temporary directory goes with the copy, even
    # when a mutant is killed at its time limit before pytest cleans up
    scratch = os.path.join(copy_root, ".tmp")
    os.makedirs(scratch, exist_ok=True)
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = None
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [copy_root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    sys.path.insert(0, copy_root)
    try:
        import hypothesis

        # replayable runs: no example database carried from one mutant to the next
        hypothesis.settings.register_profile("mutate", database=None, derandomize=True,
                                             deadline=None)
        hypothesis.settings.load_profile("mutate")
    except ImportError:
        pass
    import pytest

    # test ids are relative to the root directory: make it the one they are run from
    # anyio's plugin alone takes a second to load, and no test here uses it;
    # test directories go after the copy on the path, so that a module beside
    # its tests is imported from the copy, not from beside them
    args = ["-q", "-p", "no:cacheprovider", "-p", "no:anyio", "-p", "no:platformdirs",
            "--import-mode=append", "-m", "not slow", f"--rootdir={cwd}", *tests]
    if record is None:
        return int(pytest.main(["-x", *args]))
    recorder = _LineRecorder(record[0])
    code = int(pytest.main(args, plugins=[recorder]))
    with open(record[1], "w", encoding="utf-8") as f:
        json.dump({"lines": recorder.lines, "seconds": recorder.seconds}, f)
    return code


def run_tests(tests: Sequence[str], copy_root: str, cwd: str, timeout: float,
              quiet: bool = True, record: Optional[Tuple[str, str]] = None
              ) -> Tuple[str, float]:
    """("passed" | "failed" | "timeout" | "error", seconds) for one run in a fork.

    With `record` (file to trace, JSON to write), the run also writes which
    lines of that file each test ran."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 3
        try:
            code = _child(tests, copy_root, cwd, quiet, record)
        finally:
            os._exit(code)
    deadline = start + timeout
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                _kill(pid)
                return "timeout", time.monotonic() - start
            time.sleep(0.02)
    except BaseException:  # stopped: leave no test process behind
        _kill(pid)
        raise
    code = os.waitstatus_to_exitcode(status)
    took = time.monotonic() - start
    if code == 0:
        return "passed", took
    if code in (1, 2, 3):  # tests failed, collection/import failed, crashed
        return "failed", took
    return "error", took  # 4: usage error, 5: no tests ran, a signal


def _kill(pid: int) -> None:
    """End the child's whole process group (the processes its tests started too)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


# --- equivalent mutants: the table in docs/mutation.md -------------------------------

def equivalents(path: str = EQUIVALENTS) -> Dict[Tuple[str, str, str], str]:
    """(module, where, what) -> why, from the rows of the Markdown table of
    equivalent mutants: | module | where | what | why | (a `|` inside a cell
    written as `\\|`, as Markdown wants it)."""
    out: Dict[Tuple[str, str, str], str] = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        header: Optional[List[str]] = None  # the first row of the table read, None outside one
        for line in f:
            if not line.lstrip().startswith("|"):
                header = None
                continue
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if header is None:
                header = cells
                continue
            # only a table headed module | where | what (a table of scores has a
            # module column too)
            if header[:3] != ["module", "where", "what"]:
                continue
            if len(cells) != 4 or not cells[0].strip("`").endswith(".py"):
                continue
            module, where, what, why = cells
            out[(module.strip("`"), where.strip("`"), what.replace("\\|", "|"))] = why
    return out


# --- the command ------------------------------------------------------------------------


@dataclass
class Outcome:
    mutant: Mutant
    result: str
    seconds: float
    equivalent: Optional[str] = None


def _package_root(path: str) -> Tuple[str, str]:
    """(directory to copy, the module's path inside the copy)."""
    here = os.path.dirname(os.path.abspath(path))
    top = here
    while os.path.exists(os.path.join(top, "__init__.py")):
        top = os.path.dirname(top)
    if top == here:  # a plain module, no package
        return os.path.abspath(path), os.path.basename(path)
    rel = os.path.relpath(os.path.abspath(path), top)
    return os.path.join(top, rel.split(os.sep)[0]), rel


def mutate_module(name: str, target: Target, *, cwd: str, timeout: Optional[float],
                  known: Dict[Tuple[str, str, str], str], limit: Optional[int] = None,
                  match: Sequence[str] = (), log=print) -> List[Outcome]:
    path = os.path.join(cwd, target.path)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    found = mutants(source, os.path.basename(path), target.only)
    if match:
        found = [m for m in found if any(t in f"{m.where}: {m.what}" for t in match)]
    if limit is not None:
        found = found[:limit]
    tests = [os.path.join(cwd, t) for t in target.tests]
    outcomes: List[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        src, rel = _package_root(path)
        dest = os.path.join(tmp, os.path.basename(src))
        if os.path.isdir(src):
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
            compileall.compile_dir(dest, quiet=1)
        else:
            shutil.copy(src, dest)
        copied = os.path.join(tmp, rel)
        trace = os.path.join(tmp, "lines.json")
        result, base = run_tests(tests, tmp, cwd, timeout=1800, record=(copied, trace))
        if result != "passed":
            raise SystemExit(f"mutate: the tests of {name} fail on the unmutated code "
                             f"({result}); run: pytest {' '.join(target.tests)}")
        with open(trace, encoding="utf-8") as f:
            traced = json.load(f)
        log(f"{name}: {len(found)} mutants; {len(traced['seconds'])} tests take "
            f"{base:.0f}s traced")
        try:
            for k, m in enumerate(found, 1):
                chosen, budget = _covering(m, traced, tests)
                _write(copied, m.source)
                limit_s = timeout if timeout is not None else 10.0 + 3 * budget
                result, took = run_tests(chosen, tmp, cwd, timeout=limit_s)
                o = Outcome(m, result, took, known.get(m.key))
                outcomes.append(o)
                if result == "passed":
                    tag = "equivalent" if o.equivalent else "SURVIVED"
                    log(f"  [{k}/{len(found)}] {tag} {m.module}:{m.line}:{m.col} "
                        f"{m.where}: {m.what}")
        finally:
            _write(copied, source)
    return outcomes


def _write(path: str, source: str) -> None:
    """The module's new text, and no compiled copy of the old one left (the
    interpreter's and pytest's caches check only size and whole seconds)."""
    for cached in _pycs(path):
        os.remove(cached)
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)


def _covering(m: Mutant, traced: Dict[str, Dict[str, object]], tests: Sequence[str]
              ) -> Tuple[List[str], float]:
    """The tests that run a line of the mutant's change, and their traced time.

    A line no test runs inside a test (module-level code runs at import,
    before any test; code may run only in a child process) gets every test."""
    span = set(range(m.line, m.end_line + 1))
    lines: Dict[str, List[int]] = traced["lines"]  # type: ignore[assignment]
    seconds: Dict[str, float] = traced["seconds"]  # type: ignore[assignment]
    # quickest first: with -x, a killed mutant costs only the tests up to the first failure
    ids = sorted((t for t, hit in lines.items() if span & set(hit)), key=seconds.__getitem__)
    if not ids:
        return list(tests), sum(seconds.values())
    return ids, sum(seconds[t] for t in ids)


def _pycs(module_path: str) -> List[str]:
    cache = os.path.join(os.path.dirname(module_path), "__pycache__")
    stem = os.path.splitext(os.path.basename(module_path))[0] + "."
    if not os.path.isdir(cache):
        return []
    return [os.path.join(cache, f) for f in os.listdir(cache) if f.startswith(stem)]


def summary(name: str, outcomes: Sequence[Outcome]) -> Dict[str, object]:
    survived = [o for o in outcomes if o.result == "passed" and not o.equivalent]
    equivalent = [o for o in outcomes if o.result == "passed" and o.equivalent]
    errors = [o for o in outcomes if o.result == "error"]
    counted = len(outcomes) - len(equivalent) - len(errors)
    killed = counted - len(survived)
    return {
        "module": name, "mutants": len(outcomes), "killed": killed,
        "timeouts": sum(o.result == "timeout" for o in outcomes),
        "survived": len(survived), "equivalent": len(equivalent), "errors": len(errors),
        "score": round(100.0 * killed / counted, 1) if counted else 100.0,
        "survivors": [{"line": o.mutant.line, "col": o.mutant.col, "where": o.mutant.where,
                       "what": o.mutant.what} for o in survived],
    }


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(f"mutate: stopped by signal {signum}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"any of {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--file", help="mutate this module instead (with --tests)")
    parser.add_argument("--tests", nargs="+", default=(), help="the test files for --file")
    parser.add_argument("--timeout", type=float,
                        help="seconds a mutant's tests may take (default: 3x the unmutated run, "
                             "at least 10)")
    parser.add_argument("--limit", type=int, help="run only the first N mutants of each module")
    parser.add_argument("--match", metavar="TEXT", action="append",
                        help="run only the mutants whose 'where: what' contains TEXT "
                             "(repeatable: any of them)")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--equivalents", default=EQUIVALENTS,
                        help="Markdown table of known equivalent mutants (default: %(default)s)")
    args = parser.parse_args(argv)

    if args.file:
        if not args.tests:
            parser.error("--file needs --tests")
        cwd = os.getcwd()
        targets = {os.path.basename(args.file): Target(os.path.relpath(args.file, cwd),
                                                       tuple(args.tests))}
    else:
        unknown = [m for m in args.modules if m not in TARGETS]
        if unknown:
            parser.error(f"unknown module {unknown[0]!r}: choose from {', '.join(TARGETS)}")
        cwd = REPO
        targets = {m: TARGETS[m] for m in (args.modules or sorted(TARGETS))}

    if args.list:
        for name, target in targets.items():
            with open(os.path.join(cwd, target.path), encoding="utf-8") as f:
                found = mutants(f.read(), os.path.basename(target.path), target.only)
            print(f"{name}: {len(found)} mutants")
            for m in found:
                print(f"  {m.module}:{m.line}:{m.col} {m.where}: {m.what}")
        return 0

    # a run stopped with kill (SIGINT is ignored in the background) still
    # restores the module and removes its temporary copy
    signal.signal(signal.SIGTERM, _stop)
    _preload()
    known = equivalents(args.equivalents)
    report = []
    used: Set[Tuple[str, str, str]] = set()
    for name, target in targets.items():
        outcomes = mutate_module(name, target, cwd=cwd, timeout=args.timeout, known=known,
                                 limit=args.limit, match=args.match or ())
        # a listed mutant the tests now kill is as stale as one that is gone
        used.update(o.mutant.key for o in outcomes if o.equivalent and o.result == "passed")
        report.append(summary(name, outcomes))
    print()
    for r in report:
        print(f"{r['module']}: {r['killed']}/{r['killed'] + r['survived']} non-equivalent "
              f"mutants killed ({r['score']}%); {r['equivalent']} equivalent, "
              f"{r['timeouts']} by timeout, {r['errors']} errors")
    modules = {os.path.basename(t.path) for t in targets.values()}
    whole = args.limit is None and args.match is None
    stale = [k for k in known if k[0] in modules and k not in used and whole]
    for module, where, what in stale:
        print(f"stale equivalent (no surviving mutant matches): {module} {where}: {what}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    return 1 if any(r["survived"] for r in report) else 0


if __name__ == "__main__":
    sys.exit(main())
