"""The offline generator: a guide built from the project's own evidence, deterministic.

For each definition it gathers the dossier once (`evidence`: the person's
docstring read as data, the project's real uses as slices, how the project
applies the name, the body's comments), then:

- the example, best first: the docstring's doctest, a real use from the
  project (a self-contained slice, fixtures and asserts gone), then a call
  whose every argument is grounded (`values`), shaped the way the project
  uses the name (`shape`); no grounded call, no guide ("no evidence of how
  `X` is called"), left for the llm generator or a person;
- the Description and steps (`prose`, `phases`): what the person's docstring
  says each parameter means, returns and raises; the body's phases, in the
  words of its comments where there are any.

A person's existing text is kept (`salvage`); each further example candidate
is rendered as an alternative guide, so that a run of the examples can fall
back to the next one. Candidates taken verbatim from a doctest or a real use
say so (`Outcome.verbatim`): those are the ones that may be written when no
example can be run.
"""
from __future__ import annotations

import ast
import re
import threading
from typing import List, NamedTuple, Optional, Sequence, Tuple

from howto_hook.generate import (GuideParts, Outcome, Request, Salvage, anatomy, doctests,
                                 evidence, render, salvage, shape, sources, values)
from howto_hook.examples import import_root
from howto_hook.generate.phases import Words
from howto_hook.generate import prose
from howto_hook.model import Param
from howto_hook.modpath import importable


# Candidate.built of an exception's example that catches it (the steps say so)
CAUGHT = "caught"


class Candidate(NamedTuple):
    code: str
    verbatim: bool  # taken as it stands from a doctest or a real use of the project
    built: str = ""  # how a class's example builds it, for the steps ("from `x`")


class Plan(NamedTuple):
    """Everything the guide is built from, read once."""

    node: Optional[ast.AST]
    module: anatomy.Module
    dossier: evidence.Dossier
    use: shape.Use
    params: Optional[List[Param]]  # what a call passes (a class's `__init__`'s)


def _top_name(req: Request) -> str:
    return req.target.qualname.split(".")[0]


def _importer(req: Request) -> Tuple[List[str], str]:
    """Import lines and the expression that names the documented object's top level
    (`_finish` takes it from the shortest public package that exports it)."""
    top = _top_name(req)
    path = req.import_path
    if importable(path):
        return [f"from {path} import {top}"], top
    # A file whose name is not an identifier (my-script.py) still imports.
    return ["import importlib", "", f"module = importlib.import_module({path!r})"], f"module.{top}"


def plan(req: Request) -> Plan:
    t = req.target
    node = anatomy.parse_def(req.source)
    module = anatomy.module_of(req.module_text, req.import_path,
                               sources.package_of(req.path or t.path, req.import_path))
    local = "<locals>" in t.qualname
    params: Optional[List[Param]] = list(t.params)
    if t.kind == "class":
        params = anatomy.init_params(node, module, t.params, t.has_init)
    doctested = ("", "")
    if module.tree is not None and not local:
        top = _top_name(req)
        # the module's names first, then those the project gives every doctest
        given = dict(doctests.doctest_names(sources.project_root(req.path or t.path),
                                            req.import_path.split(".")[0]))
        # a method's own doctest, else its class's doctest that calls it
        # (`run_length.encode(...)` shown once in the class's docstring)
        owner = module.find(t.parent_class) if t.kind == "method" else None
        texts = [t.docstring.value if t.docstring is not None else "",
                 (ast.get_docstring(owner, clean=False) or "")
                 if isinstance(owner, ast.ClassDef) else ""]
        for text in filter(None, texts):
            doctested = tuple(doctests.doctest_code(text, t.name, top,
                                                    {**given, **module.bindings},
                                                    skipped) or "" for skipped in (False, True))
            if any(doctested):
                break
    searchable = module.tree is not None and not local and t.qualname.count(".") <= 1
    dossier = evidence.gather(t, req.path or t.path, req.import_path, req.source, node, params,
                              doctested, searchable)
    return Plan(node, module, dossier, shape.use_of(t, node, dossier.uses.how), params)


def _enum_lookup(req: Request, module: anatomy.Module) -> values.EnumLookup:
    def lookup(name: str) -> Optional[values.Value]:
        found = module.find(name) if name.isidentifier() else None
        if isinstance(found, ast.ClassDef) and anatomy.is_enum(found):
            members = anatomy.enum_members(found)
            if members and importable(req.import_path):
                return values.Value(f"{name}.{members[0]}",
                                    (f"from {req.import_path} import {name}",))
        return None
    return lookup


def _finish(root: str, imports: Sequence[str], lines: Sequence[str], public: bool = True) -> str:
    head = [i for i in imports if i]
    if public:
        head = shape.public_imports(root, head)
    return sources.assemble(head, "\n".join(lines))


def examples(req: Request, p: Plan) -> Tuple[List[Candidate], str]:
    """The example candidates, best first, and why there are none when there are none."""
    t = req.target
    u = p.use
    imports, top = _importer(req)
    root = import_root(req.path or t.path)
    access = top + t.qualname[len(_top_name(req)):]  # Outer.Inner.method
    d = p.dossier
    enum = _enum_lookup(req, p.module)
    out: List[Candidate] = []
    # The same examples importing from the module that defines the name: tried last,
    # when the package's public name turns out (on the project's interpreter) not to
    # be the same object.
    private: List[Candidate] = []

    def add(imports: Sequence[str], lines: Sequence[str], verbatim: bool,
            built: str = "") -> None:
        code = _finish(root, imports, lines)
        out.append(Candidate(code, verbatim, built))
        plain = _finish(root, imports, lines, public=False)
        if plain != code:
            private.append(Candidate(plain, verbatim, built))

    if d.doctest:  # imported from the public package, the defining module as a fallback
        public = "\n".join(shape.public_imports(root, d.doctest.split("\n")))
        out.append(Candidate(public, True))
        if public != d.doctest:
            private.append(Candidate(d.doctest, True))
    why_not = anatomy.not_instantiated(p.node, t.docstring.value if t.docstring else "") \
        if t.kind == "class" else ""
    if why_not:
        return out, f"`{t.name}` is not built directly ({why_not}) and the project shows " \
            "no example of how it is obtained"
    for s in d.uses.caught if t.kind == "class" else ():  # an exception, as the project catches it
        add(list(s.imports), list(s.setup), True, CAUGHT)
    for s in d.uses.decorated if u.decorator else ():  # what the project decorates with it
        add(list(s.imports), [*s.setup, *([s.call] if s.call else [])], True,
            "with the arguments the project passes")
    if not u.decorator:
        for s in d.uses.slices:
            more, lines = shape.use_lines(u, s.call, s.setup, s.indent)
            if lines:
                add([*more, *s.imports], lines, True, "with the arguments the project passes")
    if d.doctest_skipped:
        out.append(Candidate(d.doctest_skipped, True))
    bound = t.kind == "method" and not anatomy.decorators(t) & {"classmethod", "staticmethod"}
    method_node = p.node
    # a decorator applied bare takes the function it decorates: no value is chosen for it
    args = values.Args("", ()) if u.decorator == "bare" else values.call_args(
        t.params, method_node, enum)
    variadic = _only_variadic(t.params)
    if variadic and u.decorator != "bare":
        args = None  # `replace()` with none of its `**parts` exercises nothing
    if bound:
        if args is not None:
            call = f"instance.{t.name}" if u.prop else f"instance.{t.name}({args.text})"
            for instance, extra in _instances(req, p, access.rsplit(".", 1)[0], enum):
                more, lines = shape.use_lines(u, call, [*instance])
                add([*more, *imports, *extra, *args.imports], lines, False)
    elif t.kind == "class" and shape.is_exception(p.node, p.module):
        # raised by the project, never built by hand with made-up values: only a
        # doctest or a real use of the project shows it
        if not out:
            return [], (f"`{t.name}` is an exception the project raises, and no doctest or "
                        "use of it in the project stands alone as an example")
    elif t.kind == "class":
        init = anatomy.init_node(p.node)
        # a class built by a base defined elsewhere: no argument is invented, and a run
        # tells whether the base takes none
        built = values.call_args(p.params, init, enum, p.node) if p.params is not None \
            else values.Args("", ())
        if built is not None:
            more, lines = shape.use_lines(u, f"{access}({built.text})", [])
            add([*more, *imports, *built.imports], lines, False,
                "with no arguments" if not built.text else "from the values the example passes")
    elif args is not None:
        subject = f"{access.rsplit('.', 1)[0]}.{t.name}" if t.kind == "method" else access
        if u.decorator:
            add([*imports, *args.imports], shape.decorating(u, subject, args.text), False)
        else:
            call = subject if u.prop else f"{subject}({args.text})"
            more, lines = shape.use_lines(u, call, [])
            add([*more, *imports, *args.imports], lines, False)
    out += private
    seen: set = set()
    unique = [c for c in out if c.code and not (c.code in seen or seen.add(c.code))]
    if unique:
        return unique, ""
    if variadic and t.kind != "class":
        return [], f"`{t.name}` takes only {variadic}, and nothing shows what to pass"
    missing = values.ungrounded(p.params or t.params, anatomy.init_node(p.node)
                                if t.kind == "class" else method_node, enum,
                                p.node if t.kind == "class" else None)
    detail = f" (nothing fixes a value for {', '.join(f'`{m}`' for m in missing)})" \
        if missing else ""
    return [], f"no evidence of how `{t.name}` is called{detail}"


def _only_variadic(params: Sequence[Param]) -> str:
    """`*args`/`**kwargs` as said in the signature when they are all a definition
    takes (an empty call of it shows nothing), else ""."""
    if not params or any(p.kind not in ("var_positional", "var_keyword") for p in params):
        return ""
    return " and ".join(f"`{'*' if p.kind == 'var_positional' else '**'}{p.name}`"
                        for p in params)


def _instances(req: Request, p: Plan, owner_access: str, enum: values.EnumLookup
               ) -> List[Tuple[List[str], Tuple[str, ...]]]:
    """Ways to build the instance a method is called on: the project's own
    constructions of its class, then a call whose arguments are grounded."""
    t = req.target
    owner_node = p.module.find(t.parent_class) if p.module.tree is not None else None
    if isinstance(owner_node, ast.ClassDef) and anatomy.is_enum(owner_node):
        members = anatomy.enum_members(owner_node)
        return [([f"instance = {owner_access}.{members[0]}"], ())] if members else []
    if anatomy.not_instantiated(owner_node, ast.get_docstring(owner_node) or "") \
            if isinstance(owner_node, ast.ClassDef) else False:
        return []
    out: List[Tuple[List[str], Tuple[str, ...]]] = []
    for s in p.dossier.owner_uses.slices:
        if not s.indent:
            out.append(([*s.setup, f"instance = {s.call}"], s.imports))
    owner = req.owner
    params = anatomy.init_params(owner_node, p.module, owner.params if owner else (),
                                 owner.has_init if owner else False)
    if params is not None:
        built = values.call_args(params, anatomy.init_node(owner_node), enum, owner_node)
        if built is not None:
            out.append(([f"instance = {owner_access}({built.text})"], built.imports))
    return out


def build_all(req: Request) -> Tuple[List[GuideParts], str]:
    """The guide's parts for one definition, one per example candidate, best first;
    with none, the reason."""
    t = req.target
    w = Words([word for word, _ in req.settings.banned_words])
    p = plan(req)
    kept: Salvage = salvage(t.docstring.value if t.docstring else None, t, req.settings)
    if kept.example is not None:
        candidates = [Candidate("", True)]  # the person's own passing example stays
        reason = ""
    else:
        candidates, reason = examples(req, p)
    if not candidates:
        return [], reason
    doc = p.dossier.doc
    if not any(c.verbatim for c in candidates) and prose.says_little(t, p.use, doc, p.node):
        # an invented example under a filler Description teaches nothing: left for the
        # llm generator (whose prompt carries the code) or a person
        return [], (f"nothing says what it is for: `{t.name}` has no docstring, and its "
                    "code shows no use, check or result to describe")
    if t.kind == "class":
        derived = prose.class_description(t, p.use, doc, p.node, w)
        steps = prose.class_steps(t, p.node, w, candidates[0].built, members=bool(
            candidates[0].built and p.use.enum_member not in ("", "-")),
            caught=candidates[0].built == CAUGHT)
    else:
        derived = prose.function_description(t, p.use, doc, p.node, w)
        steps = prose.function_steps(p.node, p.dossier.comments, p.use, w)
    preamble = kept.preamble or prose.summary(t, p.use, p.node, w, req.room.width)
    kept_description = kept.description.strip("\n") or None
    final_steps = kept.repaired_steps or tuple(steps)
    out = []
    for candidate in candidates:
        kept_example = kept.example
        if kept_example is None and (kept.example_prose or kept.example_code):
            # a failing human example: new code first, the person's text kept below it
            pieces = [kept.example_prose] if kept.example_prose else []
            pieces.append("```python\n" + candidate.code + "\n```")
            if kept.example_code:
                pieces.append("```text\n" + kept.example_code + "\n```")
            kept_example = "\n\n".join(pieces)
        out.append(GuideParts(preamble=preamble, description=derived, steps=final_steps,
                              example=candidate.code, kept_description=kept_description,
                              kept_steps=kept.steps, kept_example=kept_example, extra=kept.extra,
                              verbatim=candidate.verbatim))
    return out, ""


_AST_LOCK = threading.Lock()


def summary(req: Request) -> str:
    """The summary line the template writes for a definition without one.

    For the LLM path, which calls it from its request threads: CPython's `ast`
    constructor is not safe to run in two threads at once (it raises
    "SystemError: AST constructor recursion depth mismatch"), hence the lock.
    """
    with _AST_LOCK:
        t = req.target
        w = Words([word for word, _ in req.settings.banned_words])
        node = anatomy.parse_def(req.source)
        return prose.summary(t, shape.use_of(t, node, frozenset()), node, w, req.room.width)


def dossier_text(req: Request) -> str:
    """The evidence for one definition as an LLM prompt carries it ("" when none)."""
    with _AST_LOCK:
        return evidence.prompt_text(plan(req).dossier)


def own_examples(req: Request) -> Tuple[str, ...]:
    """The examples the project itself wrote for a definition: its doctest, its real
    uses (as the template shapes them, and as the project wrote them), the
    person's own passing example; what an LLM's example must be, as code
    (`verbatim.taken_from`), when no example can be run."""
    with _AST_LOCK:
        p = plan(req)
        t = req.target
        codes = [c.code for c in examples(req, p)[0] if c.verbatim and c.code]
        codes += [sources.assemble(s.imports, "\n".join((*s.setup, s.indent + s.call)))
                  for s in p.dossier.uses.slices]
        kept = salvage(t.docstring.value if t.docstring else None, t, req.settings)
        if kept.example:
            codes += re.findall(r"```(?:python|py)?\n(.*?)\n\s*```", kept.example, re.S)
        return tuple(dict.fromkeys(codes))


def build(req: Request) -> Optional[GuideParts]:
    """The guide's parts for one definition (the best candidate), None when there is
    no grounded example."""
    parts, _ = build_all(req)
    return parts[0] if parts else None


_EXAMPLE_RULES = frozenset({"HOW204", "HOW205", "HOW401", "HOW402"})


def _example_fails(req: Request, text: str) -> bool:
    """Whether a rendered guide's example breaks a rule the fix's proof would hold it to
    (a doctest may call a curried or decorated name in a way the signature rejects)."""
    from howto_hook import check
    from howto_hook.generate import docstring_of

    target = req.target._replace(docstring=docstring_of(text), line=0, start_line=0)
    return bool(check.check_target(target, req.settings, _EXAMPLE_RULES))


class TemplateGenerator:
    name = "template"

    def generate(self, requests: Sequence[Request]) -> List[Outcome]:
        out = []
        for req in requests:
            try:
                parts, reason = build_all(req)
            except RecursionError:
                parts, reason = [], "its code is nested too deeply to read"
            except Exception as e:  # one definition's failure leaves the file's others
                from howto_hook.check import bug_report

                parts, reason = [], bug_report(e)
            if not parts:
                out.append(Outcome(req, None, error=reason))
                continue
            rendered = {}
            for part in parts:  # the first rendering of each text says if it is verbatim
                rendered.setdefault(render(part, req.settings, req.room), part.verbatim)
            texts = list(rendered)
            if len(texts) > 1:
                # candidates the rules would refuse go last: the next one is written instead
                fails = {t: _example_fails(req, t) for t in texts}
                texts = [t for t in texts if not fails[t]] + [t for t in texts if fails[t]]
            out.append(Outcome(req, texts[0], alternatives=tuple(texts[1:]),
                               verbatim=tuple(rendered[t] for t in texts)))
        return out
