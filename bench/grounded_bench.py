"""Are the examples `--fix` writes grounded, and do they run alone?

For each library (its unpacked sdist, a virtual environment with it
installed): a fresh copy, `howto-check --all --fix --generator template
--run-examples` over its package with $VIRTUAL_ENV set to the library's
environment, then every written example run ALONE in a fresh interpreter of
that environment (cwd: the copy's import root, HOME a temporary directory).

Per library it counts: guides written; examples that fail alone; examples
whose every argument of the documented call comes from evidence (its text
appears in the project's own files, or it is a name the example binds) or
fits an annotation (a literal for an annotated parameter); private imports
(`from pkg._x import Name`) where `pkg` exports the same object, checked on
the library's interpreter; decorators (names the project applies with `@`)
that the example calls instead of applying; and the share of definitions
with a passing guide after the fix (the check's own "% with a passing guide").

    python bench/grounded_bench.py --howto-python PY [--pythonpath SRC] \\
        --lib NAME:SRCDIR:VENV:PKG[,PKG] ... --work DIR [--json OUT]

`--pythonpath` runs another howto-hook source tree (the "before" side).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

BLOCK = re.compile(r"```python\n(.*?)\n\s*```", re.S)


class Example(NamedTuple):
    file: str
    qualname: str
    name: str
    code: str
    params: Dict[str, str]  # parameter -> annotation ("" when none)


def _defs(tree: ast.AST) -> Dict[str, ast.AST]:
    out: Dict[str, ast.AST] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in getattr(node, "body", []):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                q = prefix + child.name
                out[q] = child
                if isinstance(child, ast.ClassDef):
                    walk(child, q + ".")
    walk(tree, "")
    return out


def _params(node: ast.AST) -> Dict[str, str]:
    if isinstance(node, ast.ClassDef):
        init = next((s for s in node.body if isinstance(s, ast.FunctionDef)
                     and s.name == "__init__"), None)
        if init is None:
            return {}
        node = init
    a = node.args  # type: ignore[attr-defined]
    return {p.arg: ast.unparse(p.annotation) if p.annotation else ""
            for p in a.posonlyargs + a.args + a.kwonlyargs}


def written_examples(original: str, fixed: str) -> List[Example]:
    out = []
    for dirpath, _, files in os.walk(fixed):
        for f in files:
            if not f.endswith(".py"):
                continue
            path = os.path.join(dirpath, f)
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
                    out.append(Example(rel, q, q.rsplit(".", 1)[-1],
                                       m.group(1), _params(node)))
    return out


def project_text(root: str) -> str:
    parts = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            if f.endswith((".py", ".rst", ".md", ".txt")):
                try:
                    parts.append(open(os.path.join(dirpath, f), encoding="utf-8").read())
                except (OSError, UnicodeDecodeError):
                    pass
    return "\n".join(parts)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "'")


def grounded(ex: Example, corpus: str) -> bool:
    """Whether every argument of each call of the documented name comes from evidence
    or fits an annotation."""
    try:
        tree = ast.parse(ex.code)
    except SyntaxError:
        return False
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
    bound |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
              if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    names = list(ex.params)
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        f = call.func
        callee = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
            else ""
        if callee != ex.name:
            continue
        if _norm(ast.unparse(call)) in corpus:
            continue
        pairs = list(zip(names, call.args)) + [(k.arg or "", k.value) for k in call.keywords]
        for param, arg in pairs:
            if all(isinstance(n, ast.Name) and n.id in bound or not isinstance(n, ast.Name)
                   for n in ast.walk(arg)) and _norm(ast.unparse(arg)) in corpus \
                    and not isinstance(arg, ast.Constant):
                continue
            if isinstance(arg, ast.Name) and arg.id in bound:
                continue
            if ex.params.get(param) and _literal(arg):
                continue
            return False
    return True


def _literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except ValueError:
        return isinstance(node, ast.Attribute)  # an Enum member


def decorators_of(corpus_py: str) -> set:
    return set(re.findall(r"^\s*@(?:[\w.]+\.)?(\w+)", corpus_py, re.M))


def run_alone(python: str, code: str, cwd: str) -> Tuple[bool, str]:
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "TERM": "dumb",
               "EDITOR": "false", "VISUAL": "false", "BROWSER": "false"}
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


def measure(howto_python: str, pythonpath: Optional[str], name: str, src: str, venv: str,
            packages: Sequence[str], work: str) -> Row:
    copy = os.path.join(work, name)
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
    check = subprocess.run([howto_python, "-m", "howto_hook", "--all", "--no-cache",
                            *packages], cwd=copy, env=env, capture_output=True, text=True)
    share = re.search(r"(\d+) (?:changed )?definitions? in \d+ files?, (\d+)% with a passing "
                      r"guide", check.stderr)
    examples = written_examples(src, copy)
    corpus = _norm(project_text(src))
    corpus_py = "\n".join(open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
                          for d, _, fs in os.walk(src) for f in fs if f.endswith(".py"))
    decorated = decorators_of(corpus_py)
    python = os.path.join(venv, "bin", "python")
    failed: List[str] = []
    privates: List[Tuple[str, str]] = []
    bare = 0
    for ex in examples:
        root = os.path.join(copy, os.path.dirname(ex.file).split(os.sep)[0]) \
            if ex.file.startswith("src" + os.sep) else copy
        ok, why = run_alone(python, ex.code, root)
        if not ok:
            failed.append(f"{ex.file}:{ex.qualname}: {why}")
        for m in re.finditer(r"^from ([\w.]+) import (\w+)", ex.code, re.M):
            if any(p.startswith("_") for p in m.group(1).split(".")):
                privates.append((m.group(1), m.group(2)))
        if ex.name in decorated and not re.search(rf"^\s*@[\w.]*\b{ex.name}\b", ex.code, re.M):
            bare += 1
    private_public = 0
    if privates:
        p = subprocess.run([python, "-c", PRIVATE_CHECK], input=json.dumps(privates),
                           capture_output=True, text=True, cwd=copy)
        private_public = sum(json.loads(p.stdout or "[]"))
    return Row(name, len(examples), len(failed), sum(grounded(e, corpus) for e in examples),
               private_public, bare,
               f"{share.group(2)}% of {share.group(1)}" if share else "?", took, failed)


def main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--howto-python", default=sys.executable)
    p.add_argument("--pythonpath", default=None)
    p.add_argument("--lib", action="append", required=True,
                   help="NAME:SRCDIR:VENV:PKG[,PKG]")
    p.add_argument("--work", required=True)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for spec in args.lib:
        name, src, venv, pkgs = spec.split(":")
        row = measure(args.howto_python, args.pythonpath, name, src, venv, pkgs.split(","),
                      args.work)
        rows.append(row)
        print(f"| {row.library} | {row.written} | {row.failed_alone} | "
              f"{row.grounded}/{row.written} | {row.private_with_public} | "
              f"{row.decorators_bare} | {row.guided_share} | {row.fix_seconds:.1f} s |",
              flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump([r._asdict() for r in rows], out, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
