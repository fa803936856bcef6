"""`--fix`: generate guides for failing definitions, prove the rewrite, write once.

For each file: check it, ask the generator for every failing definition,
put the new docstrings in with libcst, then prove that (1) each literal
evaluates to the intended text, (2) each new guide passes every rule but
for a person's own wording kept as written, and (3) the module's AST minus
docstrings is unchanged. A definition that fails a proof is dropped and the
rest tried again; a file whose code would change is left untouched.
"""
from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from howto_hook import check, linelength, modpath, validate
from howto_hook.config import Settings
from howto_hook.generate import Generator, Outcome, Request
from howto_hook.model import Target, Violation
from howto_hook.wrap import Room, columns

Key = Tuple[str, int]  # (qualname, def line)


@dataclass(frozen=True)
class FileFix:
    path: str
    display: str
    before: bytes
    after: Optional[bytes]  # None when nothing changed
    fixed: Tuple[str, ...]  # qualnames rewritten
    failed: Tuple[Tuple[str, int, str], ...]  # (qualname, line, reason)
    remaining: check.FileResult  # what is still reported after the fix
    tokens: int = 0
    cached: int = 0
    # (cause, count) of the candidate examples run while fixing (examples.Result.cause)
    examples: Tuple[Tuple[str, int], ...] = ()


def _definition_source(text: str, target: Target) -> str:
    """The definition's lines, dedented by its own indentation."""
    if target.end_line is None:
        raise ValueError(f"{target.qualname} was located without its span")
    lines = text.split("\n")[target.start_line - 1:target.end_line]
    first = lines[target.line - target.start_line] if lines else ""
    lead = first[: len(first) - len(first.lstrip())]
    return "\n".join(ln[len(lead):] if ln.startswith(lead) else ln for ln in lines) + "\n"


def _class_header(text: str, owner: Optional[Target]) -> str:
    if owner is None:
        return ""
    lines = text.split("\n")
    return "\n".join(lines[owner.start_line - 1:owner.line]).strip()


def _body_indent(text: str, target: Target) -> str:
    """The indentation the definition's docstring lines will stand at."""
    lines = text.split("\n")
    doc = target.docstring
    if doc is not None:
        before = lines[doc.line - 1][:doc.col]
        if not before.strip():
            return before.rstrip("\r")
    def_line = lines[target.line - 1]
    lead = def_line[: len(def_line) - len(def_line.lstrip())]
    try:
        source = _definition_source(text, target)
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.INDENT:  # none when the body shares the def line
                return lead + tok.string
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return lead + ("\t" if "\t" in lead else "    ")


def requests_for(analysis: check.Analysis, path: str, settings: Settings,
                 generator_name: str, baselined: FrozenSet[Tuple[str, str, str]] = frozenset()
                 ) -> Tuple[List[Request], List[Tuple[str, int, str]]]:
    """One request per failing definition; the ones no generator can help.
    A definition whose every finding the baseline records (`baselined`) is
    left as it is: the baseline hides it, and rewriting it is no one's wish."""
    owners = {t.qualname: t for t in analysis.every if t.kind == "class"}
    import_path = modpath.module_path(path)
    line_length = settings.line_length or linelength.for_file(path)
    out: List[Request] = []
    skipped: List[Tuple[str, int, str]] = []
    for target, violations in analysis.checked:
        if not violations or all((v.symbol, v.code, v.doc_hash) in baselined
                                 for v in violations):
            continue
        if generator_name == "template" and all(v.code == "HOW301" for v in violations):
            # The template never rewords a person's text: leave it to them.
            skipped.append((target.qualname, target.line,
                            "only vague wording in human-written text; reword it by hand "
                            "or use --generator llm"))
            continue
        owner = owners.get(target.parent_class) if target.kind == "method" else None
        out.append(Request(
            target=target, source=_definition_source(analysis.text, target),
            import_path=import_path, settings=settings, owner=owner,
            class_header=_class_header(analysis.text, owner), violations=violations,
            room=Room(line_length, columns(_body_indent(analysis.text, target))),
            module_text=analysis.text, path=path))
    return out, skipped


def _allowed(before: Sequence[Violation], after: Sequence[Violation]) -> bool:
    """After a fix only a person's own vague words may remain (and only those)."""
    kept_words = sum(1 for v in before if v.code == "HOW301")
    remaining = [v for v in after if v.code != "HOW301"]
    return not remaining and sum(1 for v in after if v.code == "HOW301") <= kept_words


def _nth(targets: Sequence[Target]) -> Dict[Key, Tuple[str, int]]:
    """(qualname, occurrence) of each target: stable while lines shift."""
    seen: Dict[str, int] = {}
    out: Dict[Key, Tuple[str, int]] = {}
    for t in targets:
        n = seen.get(t.qualname, 0)
        seen[t.qualname] = n + 1
        out[(t.qualname, t.line)] = (t.qualname, n)
    return out


def rewrite_source(data: bytes, analysis: check.Analysis, outcomes: Sequence[Outcome], *,
                   path: str, settings: Settings, enabled: FrozenSet[str]
                   ) -> Tuple[Optional[bytes], List[str], List[Tuple[str, int, str]],
                              Optional[check.Analysis]]:
    """Apply generated docstrings with every proof; (new bytes, fixed, failed,
    the check of the new bytes that proved them)."""
    from howto_hook import rewrite  # libcst's transformer, needed only when fixing

    text, encoding = check.decode_exact(data)
    # Lines ending in a bare CR (old Mac files) are lines to Python but not to
    # the positions the rewrite reads, which split at "\n": such a file is
    # rewritten with "\n" and written back with CR. A mix of both has no one
    # newline to write back.
    cr_only = "\r" in text.replace("\r\n", "")
    if cr_only and "\n" in text:
        return None, [], [(o.request.target.qualname, o.request.target.line,
                           "the file mixes bare CR line endings with others: not fixed")
                          for o in outcomes], None
    if cr_only:
        text = text.replace("\r", "\n")
    failed: List[Tuple[str, int, str]] = []
    docs: Dict[Key, str] = {}
    for o in outcomes:
        key = (o.request.target.qualname, o.request.target.line)
        if o.text is None:
            failed.append((key[0], key[1], o.error or "the generator returned nothing"))
        else:
            docs[key] = o.text
    # the line length the requests were rendered for (one per file)
    line_length = outcomes[0].request.room.line_length if outcomes else None
    before = {(t.qualname, t.line): vs for t, vs in analysis.checked}
    order = _nth([t for t, _ in analysis.checked])
    # the original is parsed once, by the check, however many times it is
    # rewritten and proved; the check read newlines as "\n", so a file with
    # CRLF endings (whose tree must write them back) is parsed as it is
    located = None
    if docs:
        located = (analysis.tree if analysis.tree is not None and analysis.text == text
                   else rewrite.locate_definitions(text, settings))
    original = validate.code_without_docstrings(text) if docs else None
    while docs:
        new_text, made = rewrite.apply(text, docs, settings=settings, encoding=encoding,
                                       line_length=line_length, located=located)
        bad: Dict[Key, str] = {}
        for key, (literal, value) in made.items():
            if validate.literal_value(literal) != value:
                bad[key] = "internal error: the new literal does not evaluate to the guide"
        problem = validate.same_code_as(original, new_text) if not bad else None
        if problem is not None:
            if len(docs) == 1:
                bad[next(iter(docs))] = problem
            else:  # find the culprit: keep each docstring that proves safe alone
                for key in list(docs):
                    alone, _ = rewrite.apply(text, {key: docs[key]}, settings=settings,
                                             encoding=encoding, line_length=line_length,
                                             located=located)
                    reason = validate.same_code_as(original, alone)
                    if reason is not None:
                        bad[key] = reason
                if not bad:  # only the combination fails: refuse the file
                    bad = {k: problem for k in docs}
        if not bad:
            after = check.analyse(_encode(new_text, encoding, cr_only), path=path, settings=settings,
                                  enabled=enabled)
            now = {order_key: vs for order_key, vs in _rekey(after)}
            for key in docs:
                vs = now.get(order[key])
                if vs is None:
                    bad[key] = "the definition was not found after the rewrite"
                elif not _allowed(before.get(key, ()), vs):
                    codes = ", ".join(sorted({v.code for v in vs}))
                    bad[key] = f"the new guide still fails {codes}"
        if not bad:
            try:
                encoded = _encode(new_text, encoding, cr_only)
            except UnicodeEncodeError as e:
                return (None, [], failed + [(k[0], k[1], f"cannot encode: {e.reason}")
                                            for k in docs], None)
            return encoded, [k[0] for k in docs], failed, after
        for key, reason in bad.items():
            failed.append((key[0], key[1], reason))
            docs.pop(key, None)
    return None, [], failed, None


def _rekey(analysis: check.Analysis) -> List[Tuple[Tuple[str, int], Tuple[Violation, ...]]]:
    order = _nth([t for t, _ in analysis.checked])
    return [(order[(t.qualname, t.line)], vs) for t, vs in analysis.checked]


def _encode(text: str, encoding: str, cr_only: bool = False) -> bytes:
    return (text.replace("\n", "\r") if cr_only else text).encode(encoding)


@dataclass(frozen=True)
class Plan:
    """A file read and checked, with the requests its failing definitions need."""

    path: str
    display: str
    data: bytes
    analysis: check.Analysis
    requests: Tuple[Request, ...]
    skipped: Tuple[Tuple[str, int, str], ...]


def plan(data: bytes, *, path: str, display: str, settings: Settings, enabled: FrozenSet[str],
         changed: Optional[FrozenSet[int]], generator_name: str,
         baselined: FrozenSet[Tuple[str, str, str]] = frozenset()) -> Plan:
    analysis = check.analyse(data, path=display, settings=settings, enabled=enabled,
                             changed=changed)
    requests, skipped = requests_for(analysis, path, settings, generator_name, baselined)
    return Plan(path, display, data, analysis, tuple(requests), tuple(skipped))


def finish(p: Plan, outcomes: Sequence[Outcome], *, settings: Settings,
           enabled: FrozenSet[str]) -> FileFix:
    """Rewrite one planned file with its generated docstrings (proofs included)."""
    tokens = sum(o.tokens for o in outcomes)
    cached = sum(1 for o in outcomes if o.cached)
    new: Optional[bytes] = None
    fixed: List[str] = []
    failed: List[Tuple[str, int, str]] = []
    after: Optional[check.Analysis] = None
    if outcomes:
        new, fixed, failed, after = rewrite_source(p.data, p.analysis, outcomes, path=p.display,
                                                   settings=settings, enabled=enabled)
    analysis = p.analysis
    if new is not None and after is not None and new != p.data:
        # what remains is the proof's check of the new text: the same definitions, moved
        wanted = set(_nth([t for t, _ in analysis.checked]).values())
        keyed = _rekey(after)
        remaining_vs = tuple(v for k, vs in keyed if k in wanted for v in vs)
        passing = sum(ok for (k, _), ok in zip(keyed, after.passed) if k in wanted)
        remaining = check.FileResult(p.display, remaining_vs, len(analysis.checked), passing)
        notes = _moved(p.skipped + tuple(failed), analysis, after)
    else:
        new = None
        remaining = check.FileResult(
            p.display, analysis.file_level + tuple(v for _, vs in analysis.checked for v in vs),
            len(analysis.checked), analysis.passing())
        notes = p.skipped + tuple(failed)
    return FileFix(p.path, p.display, p.data, new, tuple(fixed), notes, remaining, tokens,
                   cached)


def _moved(entries: Sequence[Tuple[str, int, str]], before: check.Analysis,
           after: check.Analysis) -> Tuple[Tuple[str, int, str], ...]:
    """(qualname, line, reason) entries with each line where the definition
    stands in the new text: earlier fixes in the file move it down."""
    # counted over every definition: the two checks may take in different ones
    order = _nth(before.every or [t for t, _ in before.checked])
    now = {k: line for (_, line), k in _nth(after.every or [t for t, _ in after.checked]).items()}
    return tuple((name, now.get(order.get((name, line), (name, -1)), line), reason)
                 for name, line, reason in entries)


def fix_data(data: bytes, *, path: str, display: str, settings: Settings,
             enabled: FrozenSet[str], changed: Optional[FrozenSet[int]],
             generator: Generator) -> FileFix:
    p = plan(data, path=path, display=display, settings=settings, enabled=enabled,
             changed=changed, generator_name=generator.name)
    outcomes = generator.generate(list(p.requests)) if p.requests else []
    return finish(p, outcomes, settings=settings, enabled=enabled)


def not_planned(path: str, display: str, result: check.FileResult) -> Plan:
    """A file that cannot be fixed at all: its HOW002 finding and nothing to ask."""
    return Plan(path, display, b"", check.Analysis("", (), result.violations), (), ())


def read_plan(path: str, display: str, settings: Settings, enabled: FrozenSet[str],
              changed: Optional[FrozenSet[int]], generator_name: str,
              baselined: FrozenSet[Tuple[str, str, str]] = frozenset()) -> Plan:
    """`plan` for a file on disk; a file that cannot be read or checked is
    planned as its HOW002 finding, never raised."""
    from howto_hook.safeio import Refused

    try:
        data = check.read_source(path, settings)
    except Refused as e:
        return not_planned(path, display, check.not_checked(display, str(e), enabled))
    try:
        return plan(data, path=path, display=display, settings=settings, enabled=enabled,
                    changed=changed, generator_name=generator_name, baselined=baselined)
    except RecursionError:
        return not_planned(path, display, check.not_checked(
            display, "not checked: the file is nested too deeply", enabled))
    except Exception as e:  # one file's failure must not end the run
        return not_planned(path, display, check.internal_error(display, e, enabled))


def finish_safely(p: Plan, outcomes: Sequence[Outcome], *, settings: Settings,
                  enabled: FrozenSet[str]) -> FileFix:
    """`finish`, with a failure of the rewrite or its proofs reported as
    "cannot fix" for each definition (the file is left as it is)."""
    try:
        return finish(p, outcomes, settings=settings, enabled=enabled)
    except Exception as e:
        reason = ("the file is nested too deeply to rewrite" if isinstance(e, RecursionError)
                  else check.bug_report(e))
        failed = tuple((r.target.qualname, r.target.line, reason) for r in p.requests)
        a = p.analysis
        remaining = check.FileResult(
            p.display, a.file_level + tuple(v for _, vs in a.checked for v in vs),
            len(a.checked), sum(1 for _, vs in a.checked if not vs))
        return FileFix(p.path, p.display, p.data, None, (), p.skipped + failed, remaining,
                       sum(o.tokens for o in outcomes), sum(1 for o in outcomes if o.cached))


def fix_file(path: str, display: str, settings: Settings, enabled: FrozenSet[str],
             changed: Optional[FrozenSet[int]], generator: Generator,
             baselined: FrozenSet[Tuple[str, str, str]] = frozenset()) -> FileFix:
    from howto_hook import locate

    with locate.paused_gc():  # as for a check: one file's trees make no cycles
        p = read_plan(path, display, settings, enabled, changed, generator.name, baselined)
        outcomes = generator.generate(list(p.requests)) if p.requests else []
        return finish_safely(p, outcomes, settings=settings, enabled=enabled)

