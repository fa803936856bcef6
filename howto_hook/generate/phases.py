"""The body of a definition read as steps: what it checks, calls, loops over, returns.

`actions` walks the statements in order; `fold` keeps one step per kind;
`cap` keeps the most telling when there are too many. Where the person
commented the body, `phases` follows their comments instead: each comment
labels the statements below it, the label in their words.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from howto_hook.generate import Step, label_for, verbs

MAX_STEPS = 7
_SHORT = 48  # longest code span quoted whole in generated prose
_SUMMARY = 64  # longest generated summary line

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
    "hands": ("hands", "passes"),
}


class Words:
    def __init__(self, banned: Sequence[str]) -> None:
        self.banned = {w.lower() for w in banned}

    def __call__(self, key: str) -> str:
        for choice in _VERBS[key]:
            if not any(part.lower() in self.banned for part in choice.split()):
                return choice
        return _VERBS[key][-1]

    def allows(self, text: str) -> bool:
        return not any(w.lower() in self.banned for w in re.findall(r"[A-Za-z]+", text))


# What a part of an expression too long to quote becomes: a call keeps its
# callee, a collection its brackets, a long string its quotes.
_BRACKETS = ((ast.Tuple, "(...)"), (ast.GeneratorExp, "(...)"), (ast.List, "[...]"),
             (ast.ListComp, "[...]"), (ast.Set, "{...}"), (ast.SetComp, "{...}"),
             (ast.Dict, "{...}"), (ast.DictComp, "{...}"), (ast.JoinedStr, "f'...'"))


def _elided(node: ast.AST, depth: int) -> ast.AST:
    """A copy of `node` whose calls' arguments, collections and long strings
    `depth` levels down or deeper are `...`; nothing shallower changes."""
    if depth <= 0:
        if isinstance(node, ast.BoolOp) and len(node.values) > 1:  # `a and ...`
            return ast.BoolOp(op=node.op, values=[_elided(node.values[0], depth - 1),
                                                  ast.Name(id="...")])
        if isinstance(node, ast.Call):
            return ast.Call(func=_elided(node.func, depth - 1), args=[ast.Name(id="...")],
                            keywords=[])
        for kind, text in _BRACKETS:
            if isinstance(node, kind):
                return ast.Name(id=text)
        if isinstance(node, ast.Lambda):  # its parameters stay: `lambda m: ...`
            params = ast.unparse(node.args)
            return ast.Name(id=f"lambda {params}: ..." if params else "lambda: ...")
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) \
                and len(repr(node.value)) > 12:
            quote = repr(node.value)
            return ast.Name(id=quote[:-1][:6] + "..." + quote[-1])
    if isinstance(node, ast.JoinedStr):
        return node  # its parts are not expressions of their own: whole, or f'...' above
    copy = type(node)()
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            value = _elided(value, depth - 1)
        elif isinstance(value, list):
            value = [_elided(v, depth - 1) if isinstance(v, ast.AST) else v for v in value]
        setattr(copy, name, value)
    return copy


def code(node: ast.AST, limit: int = _SHORT) -> str:
    """The expression as prose quotes it: whole when short, else with its
    deepest parts elided (`tmp not in (...)`, `_ngettext(...) % n`), brackets
    always balanced; "" when not even its outline fits (the caller leaves the
    code out)."""
    text = ast.unparse(node)
    depth = 8
    # a call keeps its callee and `a and b` its first operand; "(...)" alone says nothing
    last = 0 if isinstance(node, (ast.Call, ast.BoolOp)) else 1
    while len(text) > limit or "\n" in text:
        if depth < last:
            return ""
        text = ast.unparse(_elided(node, depth))
        depth -= 1
    return text


def tick(text: str) -> str:
    return f"`{text.replace('`', chr(39))}`"


@dataclass(frozen=True)
class Action:
    kind: str
    a: str = ""
    b: str = ""
    c: str = ""


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
    raised = code(exc)
    return tick(raised) if raised else "an exception"


def _inner(body: Sequence[ast.stmt]) -> Tuple[str, str]:
    """Calls and yielded values of a loop's body, each joined by NUL."""
    calls, yields = [], []
    for a in actions(body):
        if a.kind == "call":
            calls.extend(a.a.split("\x00"))
        elif a.kind == "yield" and a.a:
            yields.append(a.a)
        elif a.kind in ("loop", "while"):
            calls.extend(x for x in a.b.split("\x00") if x)
            yields.extend(x for x in a.c.split("\x00") if x)
    return "\x00".join(dict.fromkeys(c for c in calls if c)), "\x00".join(dict.fromkeys(yields))


def actions(body: Sequence[ast.stmt]) -> Iterator[Action]:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If):
            raised = _raises_only(stmt.body)
            if raised is not None and not stmt.orelse:
                yield Action("validate", code(stmt.test), _exc_name(raised))
                continue
            yield Action("branch", code(stmt.test))
            yield from actions(stmt.body)
            yield from actions(stmt.orelse)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            calls, yields = _inner(stmt.body)
            yield Action("loop", code(stmt.iter), calls, yields)
        elif isinstance(stmt, ast.While):
            calls, yields = _inner(stmt.body)
            yield Action("while", code(stmt.test), calls, yields)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            item = stmt.items[0]
            bound = code(item.optional_vars) if item.optional_vars else ""
            target = f" as {tick(bound)}" if bound else ""
            yield Action("with", code(item.context_expr), target)
            yield from actions(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            names = []
            for h in stmt.handlers:  # type: ignore[attr-defined]
                caught = code(h.type) if h.type is not None else ""
                names.append(tick(caught) if caught else "any exception")
            yield from actions(stmt.body)  # type: ignore[attr-defined]
            if names:
                yield Action("try", ", ".join(dict.fromkeys(names)))
            yield from actions(stmt.orelse)  # type: ignore[attr-defined]
            final = stmt.finalbody  # type: ignore[attr-defined]
            if final:
                calls = [code(c.func) for s in final for c in _calls_in(s)]
                yield Action("finally", "\x00".join(dict.fromkeys(c for c in calls if c)))
        elif isinstance(stmt, ast.Raise):
            yield Action("raise", _exc_name(stmt))
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None and not (isinstance(stmt.value, ast.Constant)
                                               and stmt.value.value is None):
                yield Action("return", code(stmt.value))
        elif isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = stmt.value
            if value is None:
                continue
            if isinstance(value, (ast.Yield, ast.YieldFrom)):
                yield Action("yield", code(value.value) if value.value is not None else "")
                continue
            if isinstance(value, ast.Await):
                yield Action("await", code(value.value))
                continue
            target = ""
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                tgt = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                target = code(tgt)
            calls = list(_calls_in(value))[:1]
            for call in calls:
                yield Action("call", code(call.func), target)
            if not calls and target:
                yield Action("assign", target)


# Kinds whose repeats are folded into the first one, wherever they stand.
_FOLD = ("validate", "call", "yield", "await", "assign", "loop", "while", "branch", "with",
         "try", "finally", "raise")


def fold(actions: List[Action]) -> List[Action]:
    """One action per kind (and one return, at the last return's place): no two steps alike."""
    out: List[Action] = []
    returns = [a for a in actions if a.kind == "return"]
    last_return = max((i for i, a in enumerate(actions) if a.kind == "return"), default=-1)
    for i, a in enumerate(actions):
        if a.kind == "return":
            if i == last_return:
                out.append(Action("return", "\x00".join(dict.fromkeys(r.a for r in returns))))
            continue
        same = next((j for j, o in enumerate(out) if o.kind == a.kind), None)
        if same is None or a.kind not in _FOLD:
            out.append(a)
            continue
        prev = out[same]
        out[same] = Action(a.kind, _join(prev.a, a.a), _join(prev.b, a.b), _join(prev.c, a.c))
    return out


def _join(x: str, y: str) -> str:
    parts = [p for p in x.split("\x00") + y.split("\x00")]
    return "\x00".join(dict.fromkeys(parts)) if any(parts) else ""


def and_(items: Sequence[str], word: str = "and") -> str:
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _ticks(joined: str, limit: int = 3, unquoted: str = "") -> List[str]:
    """The first `limit` pieces of code, quoted (the first few say what kind of
    work it is; a count of the rest says nothing). `unquoted` names a piece too
    long to quote even in outline (an empty piece), so that a step never says
    less than the code does ("Returns `False`" of a body that also returns a
    long expression)."""
    pieces = joined.split("\x00")
    shown = [tick(v) for v in pieces if v][:limit]
    if unquoted and "" in pieces and len(shown) < limit:
        shown.append(unquoted)
    return shown


def _callee(a: Action) -> str:
    """The last name of a call action's first callee (`join` of `', '.join`), ""
    when it is no identifier or the action is no call."""
    names = [n for n in a.a.split("\x00") if n] if a.kind == "call" else []
    last = names[0].rsplit(".", 1)[-1] if names else ""
    return last if last.isidentifier() else ""


def step(a: Action, w: Words, context_manager: bool) -> Step:
    if a.kind == "validate":
        conds = a.a.split("\x00")
        excs = a.b.split("\x00")
        parts = list(dict.fromkeys(f"{e} when {tick(c)}" if c else e
                                   for c, e in zip(conds, excs)))
        more = ""
        return Step("Validate Input", f"{w('checks')} its input: {w('raises')} "
                    + "; ".join(parts[:3]) + more + ".")
    if a.kind == "call":
        names = [n for n in a.a.split("\x00") if n]
        text = f"{w('calls')} " + and_(_ticks(a.a))
        if a.b and len(names) == 1 and "\x00" not in a.b:
            text += f" and {w('stores')} the result in {tick(a.b)}"
        callee = _callee(a)
        return Step(f"Call {callee}" if callee and len(names) == 1 else "Call Helpers",
                    text + ".")
    if a.kind in ("loop", "while"):
        if a.kind == "loop":
            text = f"{w('iterates')} " + and_(_ticks(a.a, unquoted="a computed sequence"))
        else:
            text = (f"{w('repeats')} its block while "
                    + and_(_ticks(a.a, unquoted="a condition"), "or") + " holds")
        extras = []
        if a.b:
            extras.append(f"{w('calls')} " + and_(_ticks(a.b)))
        if a.c:
            extras.append(f"{w('yields')} " + and_(_ticks(a.c)))
        if extras:
            text += "; each pass " + " and ".join(extras)
        return Step("Loop Over Items" if a.kind == "loop" else "Repeat Loop", text + ".")
    if a.kind == "with":
        return Step("Enter Context", f"{w('enters')} "
                    + and_(_ticks(a.a, unquoted="a context manager"))
                    + (a.b.replace("\x00", "") if "\x00" not in a.a else "")
                    + " for the block inside it.")
    if a.kind == "try":
        return Step("Handle Errors", f"{w('catches')} " + and_(a.a.split("\x00"))
                    + " raised by the steps above.")
    if a.kind == "finally":
        calls = and_(_ticks(a.a))
        what = f"{w('runs')} {calls}" if calls else f"{w('runs')} its cleanup code"
        return Step("Clean Up", what + " when the block ends, whether it finished or raised.")
    if a.kind == "raise":
        return Step("Raise Error", f"{w('raises')} " + and_(a.a.split("\x00"), "or") + ".")
    if a.kind == "return":
        values = _ticks(a.a, unquoted="a computed value")
        more = len(values) > 1
        return Step("Return Result", f"{w('returns')} " + and_(values, "or")
                    + (", depending on the path taken." if more else "."))
    if a.kind == "yield":
        values = _ticks(a.a)
        what = and_(values) if values else "control"
        if context_manager:
            return Step("Run With Block", f"{w('hands')} {what} to the `with` block, which runs "
                        "at this point.")
        return Step("Yield Values", f"{w('yields')} {what} to the caller.")
    if a.kind == "await":
        return Step("Await Result", f"{w('awaits')} "
                    + and_(_ticks(a.a, unquoted="a computed awaitable")) + ".")
    if a.kind == "assign":
        names = a.a.split("\x00")
        label = "Update State" if all(n.startswith("self.") for n in names) else "Set Values"
        return Step(label, f"{w('assigns')} " + and_(_ticks(a.a)) + ".")
    return Step("Branch On Condition", f"{w('checks')} "
                + and_(_ticks(a.a, unquoted="a condition")) + " to choose what runs next.")


# Which steps go first when there are too many: the least telling kinds.
_DROP_ORDER = ("branch", "assign", "while", "with", "call", "await", "loop", "try", "finally",
               "validate", "raise", "yield", "return")


def cap(actions: List[Action]) -> List[Action]:
    """At most MAX_STEPS actions, dropping the least telling kinds first (latest first)."""
    out = list(actions)
    for kind in _DROP_ORDER:
        while len(out) > MAX_STEPS:
            idx = [i for i, a in enumerate(out) if a.kind == kind]
            if not idx:
                break
            del out[idx[-1]]
    return out[:MAX_STEPS]


def cap_text(text: str) -> str:
    return text[:1].upper() + text[1:]



def _comment_before(stmt: ast.stmt, comments: Dict[int, str]) -> str:
    """The comment block standing right above a statement, as one sentence."""
    first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
    rows: List[str] = []
    line = first - 1
    while line in comments:
        rows.insert(0, comments[line])
        line -= 1
    text = " ".join(rows).strip()
    # code, a pragma, or a citation ("Algorithm: https://w.wiki/Qai") names no phase
    return "" if _is_code(text) or re.match(r"^(?:noqa|type:|pragma|fmt:|pylint:)", text) \
        or re.search(r"https?://|www\.", text) else text


def _is_code(text: str) -> bool:
    """Whether a comment is code (`self._build or (token or "build") + ".0"`, commented
    out or written as a formula), which labels nothing; a word or two of prose is not."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return any(not isinstance(n, (ast.Module, ast.Expr, ast.Name, ast.Constant, ast.Load))
               for n in ast.walk(tree))


def _comment_label(comment: str) -> str:
    """A label from the comment's first words when they name an action, a verb in
    the imperative ("Find a suitable minimum unit" gives "Find Suitable Minimum");
    "" when the comment opens with a clause, a remark, a statement ("PrettyTable
    formatting does not ...") or code (`_unused != 0`)."""
    words = comment.split(None, 1)
    first = words[0].strip(".,;:()'\"`*") if words else ""
    if not re.fullmatch(r"[A-Za-z][a-z-]*", first) \
            or not verbs.imperative(first, words[1] if len(words) > 1 else ""):
        return ""
    return label_for(comment, fallback="")


def _fresh_label(done: Sequence[Action], used: set, w: Words, context_manager: bool) -> str:
    """A label for a phase that no earlier step has, saying what its text says
    first: the first action's own ("Call Helpers"), then that call by its first
    callee ("Call join"), then a later action's; the first action's own when
    every one is taken."""
    options: List[str] = []
    for a in done:
        options.append(step(a, w, context_manager).label)
        if _callee(a):
            options.append(f"Call {_callee(a)}")
    return next((o for o in options if o not in used), options[0] if options else "")


def phases(body: Sequence[ast.stmt], comments: Dict[int, str], w: Words,
           context_manager: bool) -> List[Step]:
    """Steps that follow the person's comments: each commented statement starts a
    phase, labelled with the comment's words; [] when fewer than two statements
    of the body are commented (the body's actions are read instead)."""
    marks = [(i, _comment_before(s, comments)) for i, s in enumerate(body)]
    marks = [(i, text) for i, text in marks if text]
    if len(marks) < 2:
        return []
    out: List[Step] = []
    starts = [i for i, _ in marks]
    if starts[0] > 0:
        starts.insert(0, 0)
    texts = {i: text for i, text in marks}
    labels: set = set()
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(body)
        done = cap(fold(list(actions(body[start:end]))))
        said = [step(a, w, context_manager).text for a in done[:1]]
        comment = texts.get(start, "")
        if comment:
            sentence = cap_text(comment.rstrip(".:;") + ".")
            text = sentence + (" " + cap_text(said[0]) if said else "")
            label = _comment_label(comment)
            if (not label or label in labels) and done:  # none, or one a step has already
                label = _fresh_label(done, labels, w, context_manager)
            out.append(Step(label or label_for(comment), text))
        elif said:
            first = step(done[0], w, context_manager)
            out.append(Step(_fresh_label(done, labels, w, context_manager),
                            cap_text(first.text)))
        if out:
            labels.add(out[-1].label)
    seen: set = set()  # no step said twice
    return [s for s in out if not (s.text in seen or seen.add(s.text))][:MAX_STEPS]
