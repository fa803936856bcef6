"""Whether an example is one the project itself wrote: a doctest or a real use.

Where no example can be run (no interpreter imports the project, or
`run-examples = false`), a guide is written only when its example is taken
verbatim from the project, so that nothing unrun and invented lands. The
template knows which of its candidates are; an LLM's answer is compared
with the project's own examples here.

The comparison is of code, not of text: whitespace, quotes, line breaks and
comments do not matter (the statements' `ast.dump`s are compared), a shown
value may be printed or not (`f(1)` and `print(f(1))` are one statement, as
a doctest shows its value), and the imports may be written differently as
long as each is one the project's examples use (or the definition's own
module's) and together they bind every name the example imports.
"""
from __future__ import annotations

import ast
from typing import FrozenSet, NamedTuple, Optional, Sequence, Tuple

Binding = Tuple[str, str, str]  # (module, or "" for `import x`; the name; the name bound)


class Code(NamedTuple):
    imports: FrozenSet[Binding]
    body: Tuple[str, ...]  # each other statement's ast.dump, a shown value unprinted


def _unprinted(stmt: ast.stmt) -> ast.stmt:
    """`print(x)` as the statement `x`: a doctest shows what the example prints."""
    if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "print"
            and len(stmt.value.args) == 1 and not stmt.value.keywords):
        return ast.Expr(stmt.value.args[0])
    return stmt


def _bindings(stmt: ast.stmt) -> FrozenSet[Binding]:
    if isinstance(stmt, ast.Import):
        return frozenset(("", a.name, a.asname or a.name.split(".")[0]) for a in stmt.names)
    assert isinstance(stmt, ast.ImportFrom)
    module = "." * stmt.level + (stmt.module or "")
    return frozenset((module, a.name, a.asname or a.name) for a in stmt.names)


def read(code: str) -> Optional[Code]:
    """The example's imports and its other statements, normalised; None when it
    does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    imports: FrozenSet[Binding] = frozenset()
    body = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            imports |= _bindings(stmt)
        else:
            body.append(ast.dump(_unprinted(stmt)))
    return Code(imports, tuple(body))


def taken_from(code: str, own: Sequence[str], also: Sequence[str] = ()) -> bool:
    """Whether `code` is one of the project's own examples `own`, as code: the same
    statements, and imports each found among `own`'s (or in `also`, the import of
    the definition from its own module) binding at least the names the matched
    example's imports bind."""
    mine = read(code)
    if mine is None or not mine.body:
        return False
    theirs = [c for c in map(read, own) if c is not None]
    allowed: FrozenSet[Binding] = frozenset().union(
        *(c.imports for c in theirs), *(c.imports for c in map(read, also) if c is not None))
    if not mine.imports <= allowed:
        return False
    bound = {b[2] for b in mine.imports}
    return any(c.body == mine.body and {b[2] for b in c.imports} <= bound for c in theirs)
