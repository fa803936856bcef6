"""The dossier: what the project itself says about one definition, gathered once.

- the person's docstring read as data: its summary, what each parameter
  means, what it returns and raises (reST field lists, Google and NumPy
  sections, read by `docstring_parser`), and its doctest;
- the real uses of the definition in the project (`slices`): calls with the
  statements that build their arguments, and how the project applies the
  name (a decorator, in `with`, iterated, awaited, subclassed);
- the comments inside the body.

Both generators read it: the template renders from it, the LLM prompt
carries it (`prompt_text`, under a size limit) so a model sees how the
project calls the code.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence, Tuple

from howto_hook.generate import anatomy, slices
from howto_hook.model import Param, Target

PROMPT_LIMIT = 4000  # characters of evidence in an LLM prompt


@dataclass(frozen=True)
class DocFields:
    """The person's docstring, read as data ("" / () where it says nothing)."""

    summary: str = ""
    params: Tuple[Tuple[str, str], ...] = ()  # (parameter, what it means)
    returns: str = ""
    raises: Tuple[Tuple[str, str], ...] = ()  # (exception, when)
    deprecated: str = ""  # what a `.. deprecated::` directive says (version, replacement)


@dataclass(frozen=True)
class Dossier:
    doc: DocFields = DocFields()
    doctest: str = ""  # the doctest as a plain example ("" when none stands alone)
    doctest_skipped: str = ""  # the same with the statements marked +SKIP
    uses: slices.Uses = slices.Uses((), frozenset())
    owner_uses: slices.Uses = slices.Uses((), frozenset())  # a method's class, built
    comments: Dict[int, str] = field(default_factory=dict)  # body comments by line


def _clean(text: Optional[str]) -> str:
    return " ".join((text or "").split())


def _field(text: Optional[str]) -> str:
    """A field's own text: a parser runs the last field on into what follows it (a
    doctest, a directive, another paragraph), which ends it here."""
    kept = []
    for line in (text or "").strip().split("\n"):
        if not line.strip() or line.lstrip().startswith((">>>", ".. ")):
            break
        kept.append(line)
    return _plain(_clean("\n".join(kept)))


def _plain(text: str) -> str:
    """reST roles and literals as the guide's code spans (":class:`~a.B`" -> "`a.B`")."""
    return re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")


_DEPRECATED = re.compile(r"^([ \t]*)\.\. deprecated::[ \t]*(.*)", re.M)


def _deprecated(text: str) -> str:
    """The `.. deprecated::` directive's version and text, roles made plain
    (":meth:`~a.b.C.f`" becomes "`a.b.C.f`"). Its body is the lines indented
    deeper than the directive: a `.. versionadded::` beside it is not part of it."""
    m = _DEPRECATED.search(text)
    if m is None:
        return ""
    margin = len(m.group(1).expandtabs())
    body = [m.group(2)]
    for line in text[m.end():].split("\n")[1:]:
        line = line.expandtabs()
        if not line.strip() or len(line) - len(line.lstrip()) <= margin:
            break
        body.append(line.strip())
    return _plain(_clean("\n".join(body)))


# "str (str or `value`): " at the start of a Google-style Returns entry: a
# dotted type name, a bracketed or parenthesised remark, then the colon
_TYPED_RETURN = re.compile(r"^[A-Za-z_][\w.]*(?:\[[^\]\n]*\])?(?: \([^)\n]*\))?:\s+(?=\S)")


def read_docstring(text: str) -> DocFields:
    """The docstring's summary and its parameter, return and raise fields."""
    if not text.strip():
        return DocFields()
    import docstring_parser  # the fix path only: a plain check never reads fields

    summary = _clean(text.strip().split("\n\n")[0])
    deprecated = _deprecated(text)
    # a nameless `:param: text` makes the reST reader give up on every field after it
    fields = re.sub(r"(?m)^[ \t]*:(?:param|parameter|arg|argument|key|keyword):[ \t].*\n?", "",
                    text)
    try:
        parsed = docstring_parser.parse(fields)
    except (docstring_parser.ParseError, ValueError, KeyError, IndexError):
        return DocFields(summary=summary, deprecated=deprecated)
    params = tuple((p.arg_name.lstrip("*"), _field(p.description)) for p in parsed.params
                   if p.arg_name and _field(p.description))
    returns = ""
    if parsed.returns is not None:
        described = parsed.returns.description or ""
        if parsed.returns.type_name is None:
            # Google style with a type docstring_parser does not take apart
            # ("str (str or `value`): A natural ..."): the type is not prose
            described = _TYPED_RETURN.sub("", described, count=1)
        returns = _field(described)
    if not returns:  # "... Returns a Parser instance." in the person's prose
        m = re.search(r"(?:^|[.:]\s+)Returns?\s+([^.>]{8,}?)\.(?:\s|$)",
                      text.split(">>>")[0])
        returns = _plain(_clean(m.group(1))) if m else ""
    raises = tuple((r.type_name or "", _field(r.description)) for r in parsed.raises
                   if r.type_name)
    return DocFields(summary, params, returns, raises, deprecated)


def _kind_of_call(t: Target) -> Tuple[str, bool]:
    """(the class a call goes through, whether the call is made on an instance)."""
    if t.kind != "method":
        return "", False
    static = anatomy.decorators(t) & {"classmethod", "staticmethod"}
    return t.parent_class, not static


def gather(t: Target, path: str, import_path: str, source: str, node: Optional[ast.AST],
           params: Optional[Sequence[Param]], doctests: Tuple[str, str],
           searchable: bool) -> Dossier:
    """The dossier of one definition. `params` are those a call passes (a class's
    `__init__`'s; None when unknown); `searchable` is False for a definition the
    project cannot name from outside (nested in a function)."""
    doc = read_docstring(t.docstring.value) if t.docstring is not None else DocFields()
    init = anatomy.init_node(node) if t.kind == "class" else None
    if init is not None and not doc.params:  # a class documented in its `__init__`
        own = read_docstring(ast.get_docstring(init) or "")
        doc = DocFields(doc.summary, own.params, doc.returns, doc.raises or own.raises,
                        doc.deprecated or own.deprecated)
    uses = owner_uses = slices.Uses((), frozenset())
    if searchable:
        owner, bound = _kind_of_call(t)
        generator = anatomy.is_generator(node)
        uses = slices.uses(path, import_path, t.name, owner, bound, params, generator)
        if bound and "." not in owner:
            owner_uses = slices.uses(path, import_path, owner, "", False, None, False)
    return Dossier(doc, doctests[0], doctests[1], uses, owner_uses, anatomy.comments(source))


def prompt_text(dossier: Dossier, limit: int = PROMPT_LIMIT) -> str:
    """The evidence as text for an LLM prompt, most telling first, cut at `limit`."""
    parts = []
    doc = dossier.doc
    if doc.params or doc.returns or doc.raises:
        rows = [f"- parameter `{n}`: {m}" for n, m in doc.params]
        if doc.returns:
            rows.append(f"- returns: {doc.returns}")
        rows += [f"- raises `{e}`: {m}" for e, m in doc.raises]
        parts.append("What the docstring says:\n" + "\n".join(rows))
    if dossier.uses.how:
        parts.append("How the project uses it: " + ", ".join(sorted(dossier.uses.how)))
    for s in (*dossier.uses.caught, *dossier.uses.slices, *dossier.owner_uses.slices):
        code = "\n".join(s.imports + s.setup + ((s.indent + s.call,) if s.call else ()))
        parts.append(f"A real use ({s.where}):\n{code}")
    if dossier.doctest:
        parts.append("The docstring's doctest, as code:\n" + dossier.doctest)
    out = ""
    for part in parts:
        if len(out) + len(part) + 2 > limit:
            break
        out += part + "\n\n"
    return out.strip("\n")
