"""The docstring's doctest as a plain example, and the names a project gives its doctests.

`doctest_code` turns the `>>>` statements into code a reader runs (a shown
value printed, statements that expect a traceback left out, the imports the
module gives the doctest added); `doctest_names` reads what else a doctest
may take unbound: the top package's name and pytest's `doctest_namespace`
as the project's `conftest.py` fills it.
"""
from __future__ import annotations

import ast
import doctest
import os
import re
from functools import lru_cache
from typing import Dict, List, Optional, Set, Tuple

from howto_hook.generate.sources import (_STDLIB, _bound_and_loaded, _imports_for, assemble,
                                         free_names, mentions, project_files,
                                         top_level_bindings)


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
    lines_of = docstring.split("\n")
    end = 0  # the docstring line after the previous example and its output
    for ex in examples:
        between = lines_of[end:ex.lineno] if statements else []
        if any(ln.strip() for ln in between) and mentions(ast.parse("\n".join(statements)),
                                                        name):
            # prose between two doctest blocks ("is equivalent to:") introduces
            # another way of doing it: the example is the first block that uses
            # the name, never both ways run one after the other
            break
        end = ex.lineno + ex.source.count("\n") + ex.want.count("\n")
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
        if len(body) > 1 and "\n" not in source.strip():
            # `a = f() ; g(a) == 1` on one line (a doctest's `\` continuation): one
            # statement a line, as a reader writes them
            parts = [ast.get_source_segment(source, stmt) for stmt in body]
            if all(parts):
                source = "\n".join(p.strip() for p in parts)  # type: ignore[union-attr]
        imports += lines
        bound |= _bound_and_loaded(tree)[0]
        if all(isinstance(n, (ast.Import, ast.ImportFrom)) and not (
                isinstance(n, ast.ImportFrom) and n.level) for n in body):
            imports += [ast.unparse(n) for n in body]  # with the example's other imports
            continue
        # the shown value is the last statement's: the only one, or the last of
        # several written one a line
        last_alone = len(body) == 1 or source.strip().count("\n") == len(body) - 1
        if (_shows_value(ex.want) and isinstance(body[-1], ast.Expr)
                and not _is_print(body[-1].value) and last_alone):
            head, last = ("", source.strip()) if len(body) == 1 \
                else source.strip().rpartition("\n")[::2]
            code, comment = _trailing_comment(last)
            source = (head + "\n" if head else "") + f"print({code})" \
                + (f"  {comment}" if comment else "")
        if isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            source = ("\n\n" if statements else "") + source + "\n\n"  # PEP 8's two lines
        statements.append(source)
    # assignments left at the end fed a statement left out (one that raises on
    # purpose): nothing reads them
    while len(statements) > 1 and _feeds_nothing(statements[-1], name):
        statements.pop()
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


def _feeds_nothing(source: str, name: str) -> bool:
    """Whether a last statement only assigns values, none of them from the
    documented name: with nothing after it, nothing reads what it binds."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return all(isinstance(n, (ast.Assign, ast.AnnAssign)) for n in tree.body) \
        and not mentions(tree, name)


def _trailing_comment(source: str) -> Tuple[str, str]:
    """(the code, the comment that ends its last line): a shown value is
    wrapped in print(), and a comment inside the parentheses would swallow the
    closing one (`iter_index(s, 'A', 1, 7)  # stop index is not inclusive`)."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source, ""
    last = [t for t in tokens if t.type not in (tokenize.NEWLINE, tokenize.NL,
                                                tokenize.ENDMARKER, tokenize.DEDENT)]
    if not last or last[-1].type != tokenize.COMMENT:
        return source, ""
    row, col = last[-1].start
    lines = source.split("\n")
    lines[row - 1] = lines[row - 1][:col].rstrip()
    return "\n".join(lines), last[-1].string


def _is_print(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "print"


def _import_of(value: ast.expr, imported: Dict[str, str]) -> str:
    """The import line that binds `value` (a name, or `pkg.mod.Name` of an imported
    package) under its last name; "" when none does."""
    if isinstance(value, ast.Name):
        return imported.get(value.id, "")
    dotted = ast.unparse(value)
    root, _, rest = dotted.partition(".")
    line = imported.get(root, "")
    if not re.match(r"^import [\w.]+$", line) or not rest:
        return ""
    module, _, name = f"{line.split()[1]}.{rest}".rpartition(".")
    return f"from {module} import {name}"


@lru_cache(maxsize=64)
def doctest_names(root: str, package: str) -> Tuple[Tuple[str, str], ...]:
    """Names the project's doctests may read without binding them, each with the
    import line that binds it in an example: the top package's own name, and
    what a `conftest.py` puts in pytest's `doctest_namespace` from the package or
    the standard library (`doctest_namespace["Version"] = Version`)."""
    out = {package: f"import {package}"}
    for path, text in project_files(root):
        if os.path.basename(path) != "conftest.py" or "doctest_namespace" not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        imported = top_level_bindings(tree, "conftest", "")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.value, (ast.Name, ast.Attribute))):
                continue
            target = node.targets[0]
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                    and target.value.id == "doctest_namespace" \
                    and isinstance(target.slice, ast.Constant) \
                    and isinstance(target.slice.value, str):
                line = _import_of(node.value, imported)
                if line and line.split()[1].split(".")[0] in (package, *_STDLIB):
                    name = target.slice.value
                    bound = line.split()[-1]
                    out.setdefault(name, line if name == bound
                                   else f"{line} as {name}" if line.startswith("from ")
                                   else "")
    return tuple((k, v) for k, v in out.items() if v)
