"""The guide's sentences: the Description, the steps, the summary line.

The Description says what the definition is for, in the person's words
where they wrote any (what each parameter means, what it returns, what it
raises, read from their docstring), and how it is used (a decorator, a
context manager, a generator); it never restates the signature. The steps
follow the body's phases (`phases`). A summary is written only where the
person wrote none, and only from what the code plainly does.
"""
from __future__ import annotations

import ast
import re
from typing import List, Optional, Sequence

from howto_hook.generate import Step, anatomy, verbs
from howto_hook.generate.evidence import DocFields
from howto_hook.generate.phases import (MAX_STEPS, Action, Words, and_, cap, cap_text, fold,
                                        actions, phases, step, tick)
from howto_hook.generate.shape import Use
from howto_hook.model import Target

SUMMARY = 64  # longest generated summary line


# First words a clause keeps as written: Python's constants ("True if ..."),
# which lowered would read as prose and no longer name the value, and "I".
_KEEP_CASE = frozenset({"True", "False", "None", "NotImplemented", "Ellipsis", "I"})


def _clause(text: str) -> str:
    """A person's field text as a clause inside a sentence: no closing period. The
    first letter is lowered unless the first word is an acronym (`URLs`, `HTTP`)
    or a constant; "A natural representation" becomes "a natural ...". """
    text = text.strip().rstrip(".")
    first = re.split(r"[\s,;:]", text, maxsplit=1)[0]
    acronym = len(first) >= 2 and first[:2].isalpha() and first[:2].isupper()
    if acronym or first in _KEEP_CASE:
        return text
    return text[:1].lower() + text[1:]


_CONDITION = re.compile(r"^(?:if|when|whenever|unless|on|in case|while|because|for)\b", re.I)


def _fields(doc: DocFields, w: Words) -> List[str]:
    out = []
    if doc.deprecated:  # "2.10.0 Use `x` instead."
        version, _, rest = doc.deprecated.partition(" ")
        said = (f"Deprecated since {version}" + (f": {_clause(rest)}" if rest else "")
                if version[:1].isdigit() else f"Deprecated: {_clause(doc.deprecated)}")
        out.append(said.rstrip(".") + ".")
    if doc.params:
        out.append(f"It {w('takes')} " + and_([f"{tick(n)} ({_clause(m)})"
                                                for n, m in doc.params]) + ".")
    returns = re.sub(r"^(?:returns?|return value)\b:?\s*", "", doc.returns, flags=re.I)
    if returns:
        out.append(f"It {w('returns')} {_clause(returns)}.")
    for exc, when in doc.raises:
        joint = " " if _CONDITION.match(when) else ": "
        out.append(f"It {w('raises')} {tick(exc)}" + (f"{joint}{_clause(when)}." if when
                                                      else "."))
    return out


def _use_sentence(t: Target, u: Use, w: Words, node: Optional[ast.AST] = None) -> str:
    name = tick(t.name)
    if u.decorator == "bare":
        return f"Apply {name} as a decorator (`@{t.name}`) to the function it should wrap."
    if u.decorator == "call":
        return f"Call {name} with its options and apply the result as a decorator."
    if u.prop:
        return f"{name} is a property of {tick(t.parent_class)}: read it on an instance."
    if u.cm == "sync":
        return f"Use {name} in a `with` statement: setup runs on entry, cleanup on exit."
    if u.cm == "async":
        return f"Use {name} in an `async with` statement inside a coroutine."
    if u.is_async and u.generator:
        return f"{name} is an asynchronous generator: iterate over it with `async for`."
    if u.is_async:
        return f"{name} is a coroutine: await it, or run it with `asyncio.run`."
    if u.generator and not anatomy.is_generator(node):  # the project iterates what it returns
        return f"Iterate over what {name} returns, as the project does."
    if u.generator:
        return f"{name} is a generator: iterate over it to receive what it {w('yields')}."
    if t.kind == "method":
        decorators = anatomy.decorators(t)
        if decorators & {"classmethod", "staticmethod"}:
            return f"Call it on the class itself: `{t.parent_class.split('.')[-1]}.{t.name}`."
        return f"Call it on {_article(t.parent_class)} {tick(t.parent_class)} instance."
    return ""


# Letters whose spoken name starts with a vowel sound ("an SSL", "an HTTP").
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
_ACRONYM = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]+(?=[A-Z][a-z])")
# "u" then one consonant then a vowel is said "you" (use, URI said as a word),
# and so is "uni" (unit, union, unique), but not the prefix "un" (an unequal, an
# unordered); "one" is said "won".
_SAID_YOU = re.compile(r"(?:u[bcdfgklmprstvz][aeiouy]|uni|eu|one)", re.I)


def _article(name: str) -> str:
    """"a" or "an" before a code name, by how it is read aloud: an acronym by its
    first letter's name (`an SSLContext`, `a URLPattern`), a word by its sound
    (`a Use`, `an Undefined`, `an index`)."""
    acronym = _ACRONYM.match(name)
    if acronym and len(acronym.group()) >= 2:
        return "an" if name[0] in _VOWEL_LETTERS else "a"
    if _SAID_YOU.match(name):
        return "a"
    return "an" if name[:1].lower() in "aeiou" else "a"


def _code_facts(acts: Sequence[Action], w: Words) -> List[str]:
    """What the code plainly shows when the person documented nothing: its checks and
    the value it returns."""
    out = []
    for a in acts:
        if a.kind == "validate":
            cond, exc = a.a.split("\x00")[0], a.b.split("\x00")[0]
            out.append(f"It {w('raises')} {exc} when {tick(cond)}.")
        elif a.kind == "return":
            values = [v for v in a.a.split("\x00") if v]
            # a bare name (`word`) says what the variable is called, not what it holds,
            # and a call (`p.parse(string)`) only echoes the code
            if len(values) == 1 and not values[0].isidentifier() and not _a_call(values[0]) \
                    and not _private(values[0]):
                out.append(f"It {w('returns')} {tick(values[0])}.")
    return out[:2]


def _private(code: str) -> bool:
    """Whether code reads a private attribute (`self._fixed_fields`)."""
    return re.search(r"\._(?!_)\w", code) is not None


def _a_call(code: str) -> bool:
    try:
        return isinstance(ast.parse(code.replace(" ...", ""), mode="eval").body, ast.Call)
    except (SyntaxError, ValueError, RecursionError):
        return code.rstrip(". ").endswith(")")


def _from_summary(summary: str, w: Words) -> str:
    """What a summary in the imperative says the definition returns ("Return the
    suffix ..."), as a sentence of the Description; "" when it says no such thing."""
    m = re.match(r"^(?:Return|Returns|Get|Gets)\s+(.+?)\.?$", summary)
    if m is None or len(m.group(1)) < 8:
        return ""
    return f"It {w('returns')} {_clause(m.group(1))}."


def _from_imperative(summary: str, w: Words) -> str:
    """The person's one-sentence summary in the imperative ("Search `string` for
    ..."), as the Description's sentence ("It searches `string` for ..."); "" for
    any other summary, or one that would say a banned word."""
    # the first sentence of a summary that says more ("Create the name of a table
    # like Rails does. This method uses ..."), unless it ends on an abbreviation
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", summary.strip(), maxsplit=1)[0]
    if re.search(r"\b(?:e\.g|i\.e|etc|vs|cf|approx)\.$", sentence, re.I):
        return ""
    first, _, rest = sentence.rstrip(".").partition(" ")
    # "Set of tags", "Map of names": the word is a noun there
    if not verbs.imperative(first, rest) or not first[:1].isupper() or not rest \
            or rest.startswith(("of ", "for ", "that ", "which ")) \
            or re.search(r"[.!?]\s", rest) or len(rest) > 200:
        return ""
    sentence = f"It {verbs.third_person(first.lower())} {rest}."
    return sentence if w.allows(sentence) else ""


def function_description(t: Target, u: Use, doc: DocFields, node: Optional[ast.AST],
                         w: Words) -> str:
    acts = fold(list(actions(anatomy.statements(node))))
    sentences = [s for s in [_use_sentence(t, u, w, node)] if s] + _fields(doc, w)
    if not doc.returns:
        said = _from_summary(doc.summary, w)
        if said:
            sentences.append(said)
    if not (doc.returns or doc.raises or any("returns" in s for s in sentences)):
        sentences += [s for s in _code_facts(acts, w)
                      if not (doc.params and "returns" in s)]
    if not sentences:
        sentences = [s for s in [_from_imperative(doc.summary, w)] if s]
    if not sentences:
        sentences = [f"The example shows a call of {tick(t.name)}"
                     + ("; the steps below follow its body." if acts else ".")]
    return " ".join(sentences)


def says_little(t: Target, u: Use, doc: DocFields, node: Optional[ast.AST]) -> bool:
    """Whether nothing true can be said of what a definition is for: the person wrote
    no word of it, and its code shows no use, check, result, base or protocol; only
    its name and the list of its methods remain (a filler Description)."""
    if (t.docstring is not None and t.docstring.value.strip()) or doc.params or doc.returns:
        return False
    w = Words([])
    if t.kind == "class":
        return class_description(t, u, doc, node, w).startswith("Build ")
    return not (_use_sentence(t, u, w, node) or list(actions(anatomy.statements(node))))


def function_steps(node: Optional[ast.AST], comments: dict, u: Use, w: Words) -> List[Step]:
    body = anatomy.statements(node)
    steps = phases(body, comments, w, bool(u.cm))
    if not steps:
        steps = [step(a, w, bool(u.cm)) for a in cap(fold(list(actions(body))))]
    if not steps:
        steps = [Step("Declare Interface",
                      f"{w('declares')} the interface only: the body holds no statements, "
                      "so subclasses or callers supply the behaviour.")]
    return [Step(s.label, cap_text(s.text)) for s in steps][:MAX_STEPS]


def class_description(t: Target, u: Use, doc: DocFields, node: Optional[ast.AST],
                      w: Words) -> str:
    sentences: List[str] = []
    # `object` and `Generic[T]` say nothing to a reader of what the class is for
    bases = [ast.unparse(b) for b in getattr(node, "bases", [])
             if not re.match(r"^(?:typing\.)?(?:object|Generic)\b", ast.unparse(b))]
    if bases:
        sentences.append(f"It builds on {and_([tick(b) for b in bases])}.")
    if isinstance(node, ast.ClassDef) and anatomy.is_enum(node):
        members = anatomy.enum_members(node)
        if members:
            sentences.append("Its members are " + and_([tick(m) for m in members[:8]])
                             + "; iterate over the class to see each one.")
    sentences += _fields(doc, w)
    if u.cm:
        word = "async with" if u.cm == "async" else "with"
        sentences.append(f"Use it in {_article(word)} `{word}` statement: entering gives the "
                         "value bound by `as`, leaving runs its cleanup.")
    stored = [a for a in _stored(node) if a not in _methods(node)]  # not a method replaced
    if stored and not doc.params:  # what an instance holds, when no field says it
        sentences.append(f"An instance holds {and_([tick(a) for a in stored[:6]])}.")
    methods = _methods(node)
    if methods:
        # "include" when the list is cut, so that it never reads as complete
        verb = "method is" if len(methods) == 1 else \
            "methods are" if len(methods) <= 8 else "methods include"
        sentences.append(f"Its {verb} {and_([tick(m) for m in methods[:8]])}.")
    props = _methods(node, properties=True)
    if props:
        sentences.append(f"Read {and_([tick(m) for m in props[:8]])} on an instance "
                         f"(propert{'y' if len(props) == 1 else 'ies'}).")
    protocol = _PROTOCOL.get(next((s.name for s in getattr(node, "body", [])
                                   if isinstance(s, anatomy.FUNCTIONS)
                                   and s.name in _PROTOCOL), ""), "")
    if protocol:
        sentences.append(protocol)
    if not sentences:
        sentences.append(f"Build {_article(t.name)} {tick(t.name)} as the example shows.")
    return " ".join(sentences)


def _stored(node: Optional[ast.AST]) -> List[str]:
    """The public attributes `__init__` sets on the instance, or the fields a class
    without one declares (a dataclass's `x: float`)."""
    init = anatomy.init_node(node)
    if init is None:
        return [s.target.id for s in getattr(node, "body", [])
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                and not s.target.id.startswith("_") and "ClassVar" not in ast.unparse(s.annotation)]
    return list(dict.fromkeys(
        sub.attr for sub in (ast.walk(init) if init is not None else ())
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
        and sub.value.id == "self" and isinstance(sub.ctx, ast.Store)
        and not sub.attr.startswith("_")))


_PROTOCOL = {"__call__": "An instance is called like a function (`__call__`).",
             "__iter__": "Iterate over an instance to go through its items (`__iter__`).",
             "__getitem__": "Index an instance to look up an item (`__getitem__`)."}


def _methods(node: Optional[ast.AST], properties: bool = False) -> List[str]:
    """The public methods of a class, or (`properties`) its properties: a property
    is read, not called."""
    return list(dict.fromkeys(
        s.name for s in getattr(node, "body", [])
        if isinstance(s, anatomy.FUNCTIONS) and not s.name.startswith("_")
        and any(ast.unparse(d).endswith(("property", ".setter", ".getter"))
                for d in s.decorator_list) is properties))


def class_steps(t: Target, node: Optional[ast.AST], w: Words, built: str,
                members: bool = False, caught: bool = False) -> List[Step]:
    """Steps of a class's guide; `members` for an Enum the example goes through
    member by member (calling it with no arguments would raise), `caught` for an
    exception the example catches as the project does."""
    if caught:
        steps = [Step("Call Inside Try", f"{w('runs')} the call that raises {tick(t.name)} "
                      "inside a `try` block."),
                 Step("Catch Error", f"{w('catches')} {_article(t.name)} {tick(t.name)} as "
                      "`error` and prints its message.")]
    elif members:
        steps = [Step("List Members", f"{w('iterates')} {tick(t.name)}, one member at a time "
                      "in the order the class defines them.")]
    else:
        steps = [Step("Create Instance", f"{w('builds')} {_article(t.name)} {tick(t.name)} "
                      + (built or "as the example shows") + ".")]
    attrs = _stored(node)
    if attrs:
        steps.append(Step("Store State", f"{w('stores')} " + and_(
            [tick(a) for a in attrs[:6]]) + " on the instance."))
    methods = _methods(node)
    if methods:
        steps.append(Step("Use Methods", f"{w('calls')} {and_([tick(m) for m in methods[:4]])}"
                          " on the instance as needed."))
    return [Step(s.label, cap_text(s.text)) for s in steps]


# --- the summary line, when the definition has none ------------------------------------


def _first(joined: str) -> str:
    return next((v for v in joined.split("\x00") if v), "")


def _summary_options(t: Target, u: Use, acts: Sequence[Action], node: Optional[ast.AST]
                     ) -> List[str]:
    """Sentences that say what the definition does, most telling first; none built from
    an incidental call."""
    kinds = {a.kind: a for a in acts}
    out: List[str] = []
    if t.kind == "class":
        bases = [b for b in anatomy.base_names(node) if b != "object"]
        if anatomy.is_enum(node) and isinstance(node, ast.ClassDef):
            members = anatomy.enum_members(node)
            if 0 < len(members) <= 3:
                out.append("Enumerate " + and_([tick(m) for m in members]) + ".")
            out.append("An enumeration of named constants.")
        if bases and any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
            out.append(f"An error raised as a kind of {tick(bases[0])}.")
        if u.cm:
            out.append(f"A context manager for {'async with' if u.cm == 'async' else 'with'}.")
        held = [p.name for p in (t.params or (anatomy.dataclass_fields(node) if isinstance(
            node, ast.ClassDef) else [])) if p.kind not in ("var_positional", "var_keyword")]
        if 0 < len(held) <= 3:
            out.append("Hold " + and_([tick(h) for h in held]) + ".")
        if bases:
            out.append(f"A kind of {tick(bases[0])}.")
        out.append(f"The {tick(t.name)} class.")
        return out
    if u.decorator:
        out.append(f"A decorator: apply it with `@{t.name}`.")
    if u.cm:
        value = _first(kinds["yield"].a) if "yield" in kinds else ""
        ctx = "async with" if u.cm == "async" else "with"
        if value:
            out.append(f"Hand {tick(value)} to a `{ctx}` block.")
        out.append(f"Provide a context for a `{ctx}` block.")
    if "yield" in kinds or (u.generator and "loop" in kinds):
        yielded = _first(kinds["yield"].a) if "yield" in kinds else ""
        loop = kinds.get("loop")
        if not yielded and loop is not None:
            yielded = _first(loop.c)
        if yielded and loop is not None and _first(loop.c):
            out.append(f"Yield {tick(yielded)} for each item of {tick(_first(loop.a))}.")
        if yielded:
            out.append(f"Yield {tick(yielded)}.")
        out.append("Yield values one at a time.")
    if "return" in kinds:  # a private attribute is nothing a reader can use
        values = [v for v in kinds["return"].a.split("\x00") if v and not _private(v)]
        if len(values) == 1:
            out.append(f"Return {tick(values[0])}.")
        elif len(values) > 1:
            out.append("Return " + and_([tick(v) for v in values[:2]], "or") + ".")
    if "await" in kinds:
        out.append(f"Await {tick(_first(kinds['await'].a))}.")
    if "assign" in kinds and all(n.startswith("self.") for n in kinds["assign"].a.split("\x00")):
        out.append("Set " + and_([tick(n) for n in kinds["assign"].a.split("\x00")[:3]]) + ".")
    if acts and all(a.kind == "call" for a in acts):  # the body is its calls: none incidental
        names = [n for n in kinds["call"].a.split("\x00") if n]
        if len(names) <= 3:
            out.append("Call " + and_([tick(n) for n in names]) + ".")
    if "raise" in kinds and len(acts) <= 2:
        out.append(f"Raise {and_(kinds['raise'].a.split(chr(0)), 'or')}.")
    if not acts:
        out.append("Declare the interface; subclasses supply the behaviour.")
    owner = t.parent_class.split(".")[-1] if t.kind == "method" else ""
    kind = "property" if u.prop else "method"  # a property is read, never called
    out.append(f"The {tick(t.name)} {kind} of {tick(owner)}." if owner
               else f"The {tick(t.name)} {'coroutine' if t.is_async else 'function'}.")
    return out


def summary(t: Target, u: Use, node: Optional[ast.AST], w: Words, width: int = SUMMARY) -> str:
    """One line that says what the definition does, ending in a period (pydocstyle's D400).

    The first option that fits `width` (the room after the quotes) and uses no
    banned word wins; the last, which names the definition, always does.
    """
    acts = [] if t.kind == "class" else fold(list(actions(anatomy.statements(node))))
    options = _summary_options(t, u, acts, node)
    limit = min(SUMMARY, width)
    for text in options:
        if len(text) <= limit and "..." not in text and w.allows(text.replace("`", " ")):
            return text
    return options[-1]
