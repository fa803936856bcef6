"""The offline generator: a guide derived from the code alone, deterministic.

It reads the definition with `ast` (the check path already proved it parses
with libcst; ast is enough to see what the body does): the signature, the
checks that raise, the calls, loops, awaits, yields and returns, in order.
A person's existing text is kept (see `salvage`); the template only adds
what is missing, and never rewords what someone wrote.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from howto_hook.generate import GuideParts, Outcome, Request, Salvage, Step, render, salvage
from howto_hook.model import Param, Target
from howto_hook.modpath import importable

MAX_STEPS = 7
_SHORT = 48  # longest code span quoted whole in generated prose

# Each verb the template uses, with stand-ins for teams that ban the first.
_VERBS: Dict[str, Tuple[str, ...]] = {
    "raises": ("raises", "signals"),
    "calls": ("calls", "invokes"),
    "iterates": ("iterates over", "loops over"),
    "repeats": ("repeats", "loops"),
    "enters": ("enters", "opens"),
    "runs": ("runs", "executes"),
    "catches": ("catches", "intercepts"),
    "awaits": ("awaits", "waits for"),
    "yields": ("yields", "produces"),
    "returns": ("returns", "gives back"),
    "takes": ("takes", "accepts"),
    "stores": ("stores", "keeps"),
    "provides": ("provides", "offers"),
    "declares": ("declares", "defines"),
    "checks": ("checks", "tests"),
    "builds": ("builds", "creates"),
    "assigns": ("assigns", "sets"),
}


class _Words:
    def __init__(self, banned: Sequence[str]) -> None:
        self.banned = {w.lower() for w in banned}

    def __call__(self, key: str) -> str:
        for choice in _VERBS[key]:
            if not any(part.lower() in self.banned for part in choice.split()):
                return choice
        return _VERBS[key][-1]


def _code(node: ast.AST) -> str:
    text = ast.unparse(node)
    if len(text) > _SHORT:
        if isinstance(node, ast.Call):
            return f"{ast.unparse(node.func)}(...)"
        return text[:_SHORT - 3].rstrip() + "..."
    return text


def _tick(text: str) -> str:
    return f"`{text.replace('`', chr(39))}`"


@dataclass(frozen=True)
class _Action:
    kind: str
    a: str = ""
    b: str = ""


def _call_name(node: ast.Call) -> str:
    return ast.unparse(node.func)


def _calls_in(node: ast.AST) -> Iterator[ast.Call]:
    """Calls in an expression, outermost first, not inside lambdas."""
    if isinstance(node, ast.Lambda):
        return
    if isinstance(node, ast.Call):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _calls_in(child)


def _raises_only(body: Sequence[ast.stmt]) -> Optional[ast.Raise]:
    if len(body) == 1 and isinstance(body[0], ast.Raise):
        return body[0]
    return None


def _exc_name(node: ast.Raise) -> str:
    exc = node.exc
    if exc is None:
        return "the current exception"
    if isinstance(exc, ast.Call):
        exc = exc.func
    return _tick(ast.unparse(exc))


def _actions(body: Sequence[ast.stmt]) -> Iterator[_Action]:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If):
            raised = _raises_only(stmt.body)
            if raised is not None and not stmt.orelse:
                yield _Action("validate", _code(stmt.test), _exc_name(raised))
                continue
            yield _Action("branch", _code(stmt.test))
            yield from _actions(stmt.body)
            yield from _actions(stmt.orelse)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            inner = [a.a for a in _actions(stmt.body) if a.kind == "call"]
            yield _Action("loop", _code(stmt.iter), ", ".join(dict.fromkeys(inner)))
        elif isinstance(stmt, ast.While):
            yield _Action("while", _code(stmt.test))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            item = stmt.items[0]
            target = f" as {_tick(_code(item.optional_vars))}" if item.optional_vars else ""
            yield _Action("with", _code(item.context_expr), target)
            yield from _actions(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            names = []
            for h in stmt.handlers:  # type: ignore[attr-defined]
                names.append(_tick(ast.unparse(h.type)) if h.type is not None else "any exception")
            yield from _actions(stmt.body)  # type: ignore[attr-defined]
            yield _Action("try", ", ".join(dict.fromkeys(names)) or "nothing")
        elif isinstance(stmt, ast.Raise):
            yield _Action("raise", _exc_name(stmt))
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None and not (isinstance(stmt.value, ast.Constant)
                                               and stmt.value.value is None):
                yield _Action("return", _code(stmt.value))
        elif isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = stmt.value
            if value is None:
                continue
            if isinstance(value, (ast.Yield, ast.YieldFrom)):
                yield _Action("yield", _code(value.value) if value.value is not None else "")
                continue
            if isinstance(value, ast.Await):
                yield _Action("await", _code(value.value))
                continue
            target = ""
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                tgt = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                target = _code(tgt)
            calls = list(_calls_in(value))[:1]
            for call in calls:
                yield _Action("call", _call_name(call), target)
            if not calls and target:
                yield _Action("assign", target)


def _merge(actions: List[_Action]) -> List[_Action]:
    """Fold runs of the same kind into one action, so that steps stay few."""
    out: List[_Action] = []
    for a in actions:
        if out and out[-1].kind == a.kind and a.kind in ("validate", "call", "yield", "await",
                                                         "assign"):
            prev = out[-1]
            if a.kind == "validate":
                out[-1] = _Action("validate", prev.a + "\x00" + a.a, prev.b + "\x00" + a.b)
            else:
                joined = prev.a + "\x00" + a.a if a.a not in prev.a.split("\x00") else prev.a
                out[-1] = _Action(a.kind, joined, prev.b)
            continue
        out.append(a)
    return out


def _and(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _step(a: _Action, w: _Words) -> Step:
    if a.kind == "validate":
        conds = a.a.split("\x00")
        excs = a.b.split("\x00")
        parts = [f"{e} when {_tick(c)}" for c, e in zip(conds, excs)]
        return Step("Validate Input", f"{w('checks')} its input: {w('raises')} " + "; ".join(parts)
                    + ".")
    if a.kind == "call":
        names = a.a.split("\x00")
        text = f"{w('calls')} " + _and([_tick(n) for n in names])
        if a.b and len(names) == 1:
            text += f" and {w('stores')} the result in {_tick(a.b)}"
        label_name = names[0].rsplit(".", 1)[-1]
        return Step(f"Call {label_name}" if label_name.isidentifier() else "Call Helper",
                    text + ".")
    if a.kind == "loop":
        text = f"{w('iterates')} {_tick(a.a)}"
        if a.b:
            text += f", with {w('calls')} to " + _and([_tick(n) for n in a.b.split(", ")])
            text += " for each item"
        return Step("Loop Over Items", text + ".")
    if a.kind == "while":
        return Step("Repeat Loop", f"{w('repeats')} its block while {_tick(a.a)} holds.")
    if a.kind == "with":
        return Step("Enter Context", f"{w('enters')} {_tick(a.a)}{a.b} for the block inside it.")
    if a.kind == "try":
        return Step("Handle Errors", f"{w('catches')} {a.a} raised by the steps above.")
    if a.kind == "raise":
        return Step("Raise Error", f"{w('raises')} {a.a}.")
    if a.kind == "return":
        return Step("Return Result", f"{w('returns')} {_tick(a.a)}.")
    if a.kind == "yield":
        values = [v for v in a.a.split("\x00") if v]
        what = _and([_tick(v) for v in values]) if values else "control"
        return Step("Yield Values", f"{w('yields')} {what} to the caller.")
    if a.kind == "await":
        return Step("Await Result", f"{w('awaits')} " + _and([_tick(v) for v in a.a.split("\x00")])
                    + ".")
    if a.kind == "assign":
        names = a.a.split("\x00")
        label = "Update State" if all(n.startswith("self.") for n in names) else "Set Values"
        return Step(label, f"{w('assigns')} " + _and([_tick(n) for n in names]) + ".")
    return Step("Branch On Condition", f"{w('checks')} {_tick(a.a)} to choose what runs next.")


def _cap(steps: List[Step], w: _Words) -> List[Step]:
    if len(steps) <= MAX_STEPS:
        return steps
    head, tail = steps[:MAX_STEPS - 1], steps[MAX_STEPS - 1:]
    rest = " ".join(s.text for s in tail)
    return head + [Step("Finish Remaining Work", rest)]


def _cap_text(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- example values ------------------------------------------------------------------


def _value(p: Param) -> str:
    name = p.name.lower()
    ann = (p.annotation or "").replace(" ", "")
    bare = re.sub(r"^(typing|t|pathlib|os)\.", "", ann)
    if bare.startswith(("Optional[", "Union[None")) or bare.endswith("|None") or \
            bare.startswith("None|"):
        return "None"
    if bare in ("int", "float", "complex"):
        return {"int": "1", "float": "1.0", "complex": "1j"}[bare]
    if bare == "bool":
        return "True"
    if bare == "bytes":
        return 'b"data"'
    if bare.startswith(("list", "List", "Sequence", "Iterable", "Collection", "MutableSequence")):
        return "[]"
    if bare.startswith(("tuple", "Tuple")):
        return "()"
    if bare.startswith(("dict", "Dict", "Mapping", "MutableMapping")):
        return "{}"
    if bare.startswith(("set", "Set", "frozenset", "FrozenSet", "AbstractSet")):
        return "set()"
    if bare.startswith("Callable"):
        return "print"
    if bare in ("str", "Path", "PathLike", "StrPath", "") or "str" in bare.split("|"):
        if "path" in name or "file" in name or bare in ("Path", "PathLike", "StrPath"):
            return '"example.txt"'
        if "url" in name or "uri" in name:
            return '"https://example.com"'
        if bare == "str":
            return '"example"'
    if name in ("data", "items", "values", "seq", "sequence", "iterable", "elements", "xs",
                "numbers", "rows", "lines"):
        return "[1, 2, 3]"
    if name in ("n", "count", "size", "limit", "index", "timeout", "port", "number", "level",
                "width", "height", "depth") or name.endswith(("_count", "_size", "_id")):
        return "1"
    if name.startswith(("is_", "has_", "use_", "enable")):
        return "True"
    if "path" in name or "file" in name:
        return '"example.txt"'
    if "url" in name:
        return '"https://example.com"'
    if "name" in name or "text" in name or "key" in name:
        return '"example"'
    return "None"


def call_args(params: Sequence[Param]) -> str:
    """Arguments for a call that fits the signature: required ones only."""
    out = []
    for p in params:
        if p.has_default or p.kind in ("var_positional", "var_keyword"):
            continue
        value = _value(p)
        out.append(value if p.kind == "positional_only" else f"{p.name}={value}")
    return ", ".join(out)


# --- the definition, read with ast ---------------------------------------------------


def _parse_def(source: str) -> Optional[ast.AST]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return node
    return None


def _is_generator(node: ast.AST) -> bool:
    def walk(n: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            yield child
            yield from walk(child)

    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk(node))


def _params_text(params: Sequence[Param]) -> str:
    shown = []
    for p in params:
        star = {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "")
        piece = _tick(star + p.name)
        extras = []
        if p.annotation:
            extras.append(_tick(p.annotation))
        if p.default is not None:
            extras.append(f"default {_tick(p.default)}")
        if extras:
            piece += f" ({', '.join(extras)})"
        shown.append(piece)
    return _and(shown)


def _humanize(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name.strip("_")).replace("_", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:] if text else name


def _top_name(target: Target) -> str:
    return target.qualname.split(".")[0]


def _importer(req: Request) -> Tuple[List[str], str]:
    """Import lines and the expression that names the documented object's top level."""
    top = _top_name(req.target)
    path = req.import_path
    if importable(path):
        return [f"from {path} import {top}"], top
    # A file whose name is not an identifier (my-script.py) still imports.
    return ["import importlib", "", f"module = importlib.import_module({path!r})"], f"module.{top}"


def _example(req: Request, node: Optional[ast.AST]) -> str:
    t = req.target
    imports, top = _importer(req)
    access = top + t.qualname[len(_top_name(t)):]  # Outer.Inner.method
    lines: List[str] = []
    args = call_args(t.params)
    if t.kind == "class":
        lines.append(f"instance = {access}({_class_args(req, node)})")
        lines.append("print(instance)")
        return "\n".join(imports + [""] + lines)
    decorators = {d.rsplit(".", 1)[-1] for d in t.decorators}
    owner_access = access.rsplit(".", 1)[0]
    if t.kind == "method" and not decorators & {"classmethod", "staticmethod"}:
        owner_args = call_args(req.owner.params) if req.owner is not None else ""
        lines.append(f"instance = {owner_access}({owner_args})")
        subject = f"instance.{t.name}"
    elif t.kind == "method":
        subject = f"{owner_access}.{t.name}"
    else:
        subject = access
    if "property" in decorators or "cached_property" in decorators:
        lines += [f"value = {subject}", "print(value)"]
        return "\n".join(imports + [""] + lines)
    call = f"{subject}({args})"
    generator = node is not None and _is_generator(node)
    if t.is_async and generator:
        imports = ["import asyncio", ""] + imports
        lines = ["", "", "async def main() -> None:"] + ["    " + ln for ln in lines] + [
            f"    async for item in {call}:", "        print(item)", "", "",
            "asyncio.run(main())"]
    elif t.is_async:
        imports = ["import asyncio", ""] + imports
        lines += [f"result = asyncio.run({call})", "print(result)"]
    elif generator:
        lines += [f"for item in {call}:", "    print(item)"]
    else:
        lines += [f"result = {call}", "print(result)"]
    return "\n".join(imports + [""] + lines)


def _dataclass_fields(node: ast.ClassDef) -> List[Param]:
    out = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            ann = ast.unparse(stmt.annotation)
            if ann.startswith(("ClassVar", "typing.ClassVar")):
                continue
            out.append(Param(stmt.target.id, "positional_or_keyword", stmt.value is not None, ann))
    return out


def _is_dataclass(target: Target) -> bool:
    return any(d.rsplit(".", 1)[-1] in ("dataclass", "define", "frozen", "attrs")
               for d in target.decorators)


def _class_args(req: Request, node: Optional[ast.AST]) -> str:
    if req.target.params:
        return call_args(req.target.params)
    if isinstance(node, ast.ClassDef) and _is_dataclass(req.target):
        return call_args(_dataclass_fields(node))
    return ""


# --- descriptions and steps ------------------------------------------------------------


def _function_parts(req: Request, node: Optional[ast.AST], w: _Words
                    ) -> Tuple[str, List[Step]]:
    t = req.target
    decorators = {d.rsplit(".", 1)[-1] for d in t.decorators}
    if t.kind == "method":
        owner = t.parent_class
        if "property" in decorators or "cached_property" in decorators:
            what = f"The {_tick(t.name)} property of {_tick(owner)}"
        elif "classmethod" in decorators:
            what = f"The {_tick(t.qualname)} class method"
        elif "staticmethod" in decorators:
            what = f"The {_tick(t.qualname)} static method"
        else:
            what = f"The {_tick(t.name)} method of {_tick(owner)}"
    else:
        what = f"The {_tick(t.name)} {'coroutine function' if t.is_async else 'function'}"
    sentence = what
    if t.params:
        sentence += f" {w('takes')} {_params_text(t.params)}"
    returns = getattr(node, "returns", None)
    if returns is not None and ast.unparse(returns) != "None":
        sentence += (" and" if t.params else "") + f" {w('returns')} {_tick(ast.unparse(returns))}"
    elif not t.params:
        sentence += " takes no arguments" if w("takes") == "takes" else " has no parameters"
    sentence += "."
    extra = []
    generator = node is not None and _is_generator(node)
    if t.is_async and generator:
        extra.append("It is an asynchronous generator: iterate over it with `async for`.")
    elif t.is_async:
        extra.append("It is a coroutine: await it, or run it with `asyncio.run`.")
    elif generator:
        extra.append(f"It is a generator: iterate over it to receive what it {w('yields')}.")
    body = getattr(node, "body", []) if node is not None else []
    actions = _merge(list(_actions(body)))
    steps = [_step(a, w) for a in actions]
    if not steps:
        steps = [Step("Declare Interface",
                      f"{w('declares')} the interface only: the body holds no statements, so "
                      "subclasses or callers supply the behaviour.")]
    steps = [Step(s.label, _cap_text(s.text)) for s in steps]
    return " ".join([sentence] + extra), _cap(steps, w)


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def _class_parts(req: Request, node: Optional[ast.AST], w: _Words) -> Tuple[str, List[Step]]:
    t = req.target
    sentence = f"The {_tick(t.name)} class"
    bases = [ast.unparse(b) for b in getattr(node, "bases", [])]
    methods: List[str] = []
    attrs: List[str] = []
    fields: List[Param] = []
    if isinstance(node, ast.ClassDef):
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not stmt.name.startswith("_"):
                    methods.append(stmt.name)
                if stmt.name == "__init__":
                    for sub in ast.walk(stmt):
                        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                                and sub.value.id == "self" and isinstance(sub.ctx, ast.Store):
                            attrs.append(sub.attr)
        if _is_dataclass(t):
            fields = _dataclass_fields(node)
    init_params = t.params or fields
    steps: List[Step] = []
    clauses: List[str] = []
    if bases:
        clauses.append(f"builds on {_and([_tick(b) for b in bases])}")
    if init_params:
        clauses.append(f"is created from {_params_text(init_params)}")
        steps.append(Step("Create Instance",
                          f"{w('builds')} {_article(t.name)} {_tick(t.name)} from "
                          f"{_params_text(init_params)}."))
    else:
        steps.append(Step("Create Instance",
                          f"{w('builds')} {_article(t.name)} {_tick(t.name)} with no arguments."))
    public_attrs = [a for a in dict.fromkeys(attrs) if not a.startswith("_")]
    if public_attrs:
        steps.append(Step("Store State",
                          f"{w('stores')} {_and([_tick(a) for a in public_attrs])} on the "
                          "instance."))
    if methods:
        shown = _and([_tick(m) for m in methods[:8]]) + (" and more" if len(methods) > 8 else "")
        clauses.append(f"{w('provides')} {shown}")
        steps.append(Step("Use Methods", f"{w('calls')} {shown} on the instance as needed."))
    if clauses:
        sentence += " " + _and(clauses)
    else:
        sentence += " has no public methods"
    steps = [Step(s.label, _cap_text(s.text)) for s in steps]
    return sentence + ".", steps


def _summary(t: Target, w: _Words) -> str:
    """A one-line summary ending in a period, so that pydocstyle's D400 is content."""
    kind = {"class": "class", "method": "method"}.get(t.kind, "function")
    human = _humanize(t.name)
    if t.kind == "class" or any(word in w.banned for word in human.lower().split()):
        return f"The {_tick(t.name)} {kind}."
    return f"{human}."


def build(req: Request) -> GuideParts:
    """The guide's parts for one definition: kept human text plus derived text."""
    t = req.target
    w = _Words([word for word, _ in req.settings.banned_words])
    node = _parse_def(req.source)
    kept: Salvage = salvage(t.docstring.value if t.docstring else None, t, req.settings)
    if t.kind == "class":
        derived, steps = _class_parts(req, node, w)
    else:
        derived, steps = _function_parts(req, node, w)

    preamble = kept.preamble or _summary(t, w)
    kept_description = kept.description.strip("\n") or None
    kept_steps = kept.steps
    final_steps: Tuple[Step, ...] = kept.repaired_steps or tuple(steps)
    kept_example = kept.example
    example = _example(req, node)
    if kept_example is None and (kept.example_prose or kept.example_code):
        # a failing human example: new code first, the person's text kept below it
        pieces = []
        if kept.example_prose:
            pieces.append(kept.example_prose)
        pieces.append("```python\n" + example + "\n```")
        if kept.example_code:
            pieces.append("```text\n" + kept.example_code + "\n```")
        kept_example = "\n\n".join(pieces)
    return GuideParts(preamble=preamble, description=derived, steps=final_steps,
                      example=example, kept_description=kept_description,
                      kept_steps=kept_steps, kept_example=kept_example, extra=kept.extra)


class TemplateGenerator:
    name = "template"

    def generate(self, requests: Sequence[Request]) -> List[Outcome]:
        out = []
        for req in requests:
            text = render(build(req), req.settings, req.room)
            out.append(Outcome(req, text))
        return out
