"""Check one file: decode, locate definitions, run the rules, apply `# noqa`.

`check_source` is pure (bytes in, violations out); `check_file` adds the one
read. Both are safe to run in worker processes.
"""
from __future__ import annotations

import hashlib
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from howto_hook import guide as g
from howto_hook import rules
from howto_hook.config import Settings
from howto_hook.model import FileResult, Target, Violation

_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)


def decode_exact(data: bytes) -> Tuple[str, str]:
    """The text exactly as written (newlines kept) and the codec that reads it.

    The codec is "utf-8-sig" for a file with a BOM, so that encoding the text
    again with it writes the BOM back.
    """
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):  # a BOM on a file whose cookie names another codec
        text = text[1:]
    return text, encoding


def decode(data: bytes) -> str:
    """Source text as Python would read it: BOM, coding cookie, newlines."""
    text, _ = decode_exact(data)
    # Positions are line based; Python reads \r\n and \r as newlines too.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def noqa_codes(line: str) -> Optional[FrozenSet[str]]:
    """Codes a `# noqa` comment on this line names; empty set for a bare noqa."""
    if "noqa" not in line.lower():
        return None
    m = _NOQA.search(line)
    if m is None:
        return None
    codes = m.group("codes")
    return frozenset(c.upper() for c in re.split(r"[,\s]+", codes) if c) if codes else frozenset()


def comment_lines(text: str) -> List[str]:
    """Per line of `text` (split at "\\n"), its comment alone, at its own column
    (blank before it), or "": what `# noqa` is looked for in, so that a
    `" # noqa"` inside a string literal suppresses nothing.

    Lines are only tokenized when some line mentions noqa at all.
    """
    lines = text.split("\n")
    out = [""] * len(lines)
    if "noqa" not in text.lower():
        return out
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and tok.start[0] <= len(out):
                out[tok.start[0] - 1] = " " * tok.start[1] + tok.string
    except (tokenize.TokenError, SyntaxError):
        # tokenize cannot read what libcst could: look for comments the old
        # way, from the first # on the line
        return [ln[ln.find("#"):].rjust(len(ln)) if "#" in ln else "" for ln in lines]
    return out


def add_noqa(text: str, wanted: Mapping[int, Iterable[str]]) -> str:
    """Add (or extend) `# noqa: CODES` comments on the given lines; newlines kept."""
    lines = text.split("\n")
    comments = comment_lines(text)
    for n, codes in sorted(wanted.items()):
        line = lines[n - 1]
        cr = "\r" if line.endswith("\r") else ""
        body = line[:-1] if cr else line
        existing = noqa_codes(comments[n - 1])
        if existing is not None and not existing:
            continue  # a bare noqa already covers everything
        merged = ", ".join(sorted(set(codes) | set(existing or ())))
        if existing:
            m = _NOQA.search(comments[n - 1])
            assert m is not None
            body = body[:m.start()] + f"# noqa: {merged}" + body[m.end():]
        else:
            body = body.rstrip() + f"  # noqa: {merged}"
        lines[n - 1] = body + cr
    return "\n".join(lines)


def _suppressed(code: str, lines: List[str], candidates: Set[int],
                used: Set[Tuple[int, str]]) -> bool:
    for n in sorted(candidates):
        if 1 <= n <= len(lines):
            codes = noqa_codes(lines[n - 1])
            if codes is not None and (not codes or code in codes):
                used.add((n, code if codes else ""))
                return True
    return False


def _unused_noqa(t: Target, lines: List[str], used: Set[Tuple[int, str]],
                 enabled: FrozenSet[str]) -> List[Violation]:
    """`# noqa: HOWxxx` codes on a definition's lines that suppressed nothing.

    Bare `# noqa` and other tools' codes are left alone: they may serve
    flake8 or ruff on the same line.
    """
    out = []
    spots = {t.line} | ({t.docstring.end_line} if t.docstring is not None else set())
    for n in sorted(spots):
        if not 1 <= n <= len(lines):
            continue
        codes = noqa_codes(lines[n - 1])
        if not codes:
            continue
        for code in sorted(codes):
            # HOW403 is found after this pass (and only with --run-examples)
            if code.startswith("HOW") and code in enabled and (n, code) not in used \
                    and code != "HOW403":
                col = lines[n - 1].lower().find("noqa")
                col = lines[n - 1].rfind("#", 0, col) + 1
                out.append(Violation(t.path, n, col, "HOW900",
                                     f"unused noqa: {code} reports nothing here; remove it",
                                     t.qualname, doc_hash(t)))
    return out


def with_end(v: Violation, lines: List[str]) -> Violation:
    """The violation with its end: the word it points at, or the comment.

    Rules report where a finding starts; editors and code scanning also want
    where it ends. The word at that point (the vague word, the definition's
    name, the docstring's opening) is what a reader should look at; a noqa
    comment runs to the end of its line.
    """
    if not 1 <= v.line <= len(lines):
        return v
    text = lines[v.line - 1].rstrip("\r")
    start = v.col - 1
    if start >= len(text):
        return v
    if text.startswith("#", start):
        end = len(text.rstrip())
    else:
        word = text[start].isalnum() or text[start] == "_"
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] == "_" if word
                                   else not text[end].isspace()):
            end += 1
    return v._replace(end_line=v.line, end_col=max(end, start + 1) + 1)


def doc_hash(target: Target) -> str:
    value = target.docstring.value if target.docstring is not None else ""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def check_target(target: Target, settings: Settings, enabled: FrozenSet[str],
                 reported: Optional[FrozenSet[str]] = None) -> List[Violation]:
    """Violations of one definition, before suppression. `reported`: the codes
    the run reports, when `enabled` judges more (the passing count's rules)."""
    out: List[Violation] = []
    fingerprint = doc_hash(target)
    if target.docstring is None:
        if "HOW100" in enabled:
            what = "class" if target.kind == "class" else target.kind
            out.append(Violation(
                target.path, target.line, target.col + 1, "HOW100",
                f"{what} {target.qualname!r} has no docstring: add a usage guide",
                target.qualname, fingerprint,
            ))
        return out
    guide = g.parse(target.docstring, settings)
    ctx = rules.Context(target, guide, settings,
                        enabled if reported is None else reported)
    for rule in rules.docstring_rules(enabled):
        assert rule.check is not None
        for line, col, message in rule.check(ctx):
            out.append(Violation(target.path, line, col, rule.code, message, target.qualname,
                                 fingerprint))
    return out


# What "a passing guide" means for the summary and --fail-under: nothing is
# reported, and the docstring passes every structure and section-content rule
# (HOW1, HOW2), judged whatever --select, --ignore, per-file-ignores or
# noqa comments hide from the report.
STRUCTURAL: FrozenSet[str] = frozenset(
    c for c in rules.RULES if c.startswith(("HOW1", "HOW2")))


@dataclass(frozen=True)
class Analysis:
    """Definitions checked in one file, each with its (unsuppressed) violations."""

    text: str  # the decoded source, newlines normalised
    checked: Tuple[Tuple[Target, Tuple[Violation, ...]], ...]
    file_level: Tuple[Violation, ...]  # HOW001/HOW002
    every: Tuple[Target, ...] = ()  # all definitions found, in scope or not
    # per entry of `checked`: nothing reported and every STRUCTURAL rule passed
    passed: Tuple[bool, ...] = ()
    # libcst's tree of `text` and each definition's node (rewrite.Located):
    # a fix rewrites this tree instead of parsing the file again. Never
    # pickled: a worker that hands an Analysis back sends the findings only.
    tree: object = field(default=None, compare=False, repr=False)

    def passing(self) -> int:
        return sum(self.passed)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "tree": None}


def analyse(data: bytes, *, path: str, settings: Settings, enabled: FrozenSet[str],
            changed: Optional[FrozenSet[int]] = None, spans: bool = True) -> Analysis:
    """Decode, locate and check one file. `changed` limits it to touched definitions.

    Without `spans` (and `changed`), definitions' end lines are not sought
    (Target.end_line is None), which spares most files a second parse.
    """
    from howto_hook import locate  # libcst loads only when a file is parsed

    with locate.paused_gc():
        return _analyse(data, path, settings, enabled, changed, spans or changed is not None)


def _analyse(data: bytes, path: str, settings: Settings, enabled: FrozenSet[str],
             changed: Optional[FrozenSet[int]], spans: bool) -> Analysis:
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        reason = getattr(e, "reason", None) or getattr(e, "msg", None) or str(e)
        return Analysis("", (), _file_level(path, "HOW002", f"cannot decode the file: {reason}",
                                            enabled))
    nul = text.find("\0")
    if nul >= 0:  # libcst reads it, but Python does not, and literal_eval raises
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return Analysis(text, (), _file_level(
            path, "HOW001", "syntax error: source code cannot contain null bytes", enabled,
            line, col))
    from howto_hook import locate

    try:
        module = locate.parse_module(text, path=path)
        definitions = locate.find_definitions(module, path=path, settings=settings,
                                              source=text, spans=spans)
        every = [t for t, _ in definitions]
    except locate.UnparsableError as e:
        return Analysis(text, (), _file_level(path, "HOW001", e.message, enabled, e.line, e.col))
    if changed is None:
        targets = [t for t in every if t.in_scope]
    else:
        targets = select_changed(every, changed)
    lines = text.split("\n")
    notes = comment_lines(text)  # where a noqa counts: comments only
    checked = []
    passed = []
    judged = enabled | STRUCTURAL
    for t in targets:
        kept = []
        used: Set[Tuple[int, str]] = set()
        found = check_target(t, settings, judged, enabled)
        structured = not any(v.code in STRUCTURAL for v in found)
        for v in found:
            if v.code not in enabled:
                continue  # judged for the passing count only
            candidates = {v.line, t.line}
            if t.docstring is not None:
                candidates.add(t.docstring.end_line)
            if not _suppressed(v.code, notes, candidates, used):
                kept.append(with_end(v, lines))
        if "HOW900" in enabled:
            kept.extend(with_end(v, lines) for v in _unused_noqa(t, notes, used, enabled))
        checked.append((t, tuple(kept)))
        passed.append(structured and not kept)
    return Analysis(text, tuple(checked), (), tuple(every), tuple(passed),
                    (module, definitions) if spans else None)


def check_source(data: bytes, *, path: str, settings: Settings, enabled: FrozenSet[str],
                 changed: Optional[FrozenSet[int]] = None) -> FileResult:
    """All violations of one file. `changed` limits the check to touched definitions."""
    # a check reports positions only; where definitions end matters for
    # matching changed lines alone
    try:
        a = analyse(data, path=path, settings=settings, enabled=enabled, changed=changed,
                    spans=False)
    except RecursionError:
        return not_checked(path, "not checked: the file is nested too deeply", enabled)
    except Exception as e:  # one file's failure must not end the run
        return internal_error(path, e, enabled)
    violations = sorted((v for _, vs in a.checked for v in vs),
                        key=lambda v: (v.line, v.col, v.code))
    return FileResult(path, a.file_level + tuple(violations), len(a.checked), a.passing(),
                      tuple(t.qualname for t, _ in a.checked))


def select_changed(targets: List[Target], changed: FrozenSet[int]) -> List[Target]:
    """In-scope definitions that are the innermost definition at a changed line.

    `targets` must hold every definition of the file (in and out of scope),
    so that a change inside a private method marks that method, not its class.
    """
    hit: Set[int] = set()
    for line in changed:
        inner: Optional[int] = None
        for n, t in enumerate(targets):
            if t.end_line is None:
                raise ValueError(f"{t.qualname} was located without its span")
            # spans nest, so the innermost holder is the one that starts last
            if t.start_line <= line <= t.end_line and (
                    inner is None or t.start_line >= targets[inner].start_line):
                inner = n
        if inner is not None:
            hit.add(inner)
    return [t for n, t in enumerate(targets) if n in hit and t.in_scope]


def _file_level(path: str, code: str, message: str, enabled: FrozenSet[str],
                line: int = 1, col: int = 1) -> Tuple[Violation, ...]:
    return (Violation(path, line, max(col, 1), code, message),) if code in enabled else ()


def unreadable(display: str, error: OSError, enabled: FrozenSet[str]) -> Tuple[Violation, ...]:
    """The HOW002 finding for a file that cannot be read at all."""
    return _file_level(display, "HOW002", f"cannot read the file: {error.strerror or error}",
                       enabled)


def not_checked(display: str, reason: str, enabled: FrozenSet[str]) -> FileResult:
    """The HOW002 result of a file that was not (or not wholly) checked."""
    return FileResult(display, _file_level(display, "HOW002", reason, enabled), 0, 0)


def internal_error(display: str, error: BaseException, enabled: FrozenSet[str]) -> FileResult:
    """One file's bug in howto-check itself: reported on that file, the run goes on."""
    return not_checked(display, "not checked: " + bug_report(error), enabled)


def bug_report(error: BaseException) -> str:
    """How a bug of howto-check's own is said wherever it is caught (a file's check,
    its rewrite, one definition's guide): the error, and a request to report it."""
    return f"internal error ({type(error).__name__}: {str(error)[:200]}); please report it"


def read_source(path: str, settings: Settings) -> bytes:
    """A file's bytes within the size limit; safeio.Refused for anything else."""
    from howto_hook import safeio

    return safeio.read_regular(path, settings.max_file_size)


def check_file(path: str, display: str, settings: Settings, enabled: FrozenSet[str],
               changed: Optional[FrozenSet[int]] = None) -> FileResult:
    """Read and check one file; an unreadable file is a HOW002, never a crash."""
    from howto_hook.safeio import Refused

    try:
        data = read_source(path, settings)
    except Refused as e:
        return not_checked(display, str(e), enabled)
    return check_source(data, path=display, settings=settings, enabled=enabled, changed=changed)


def noqa_source(data: bytes, *, path: str, settings: Settings, enabled: FrozenSet[str],
                changed: Optional[FrozenSet[int]] = None) -> Tuple[Optional[bytes], int, str]:
    """`--add-noqa` for one file: (new bytes or None, codes added, why not).

    Every current violation but HOW900 is suppressed on its definition's
    line. The new text must be the old code plus comments (proved by
    comparing the ASTs); a file with bare CR line endings is edited with
    "\\n" and written back with CR.
    """
    from howto_hook.validate import same_code

    found = analyse(data, path=path, settings=settings, enabled=enabled, changed=changed)
    wanted: dict = {}
    for target, violations in found.checked:
        for v in violations:
            if v.code != "HOW900":
                wanted.setdefault(target.line, set()).add(v.code)
    if not wanted:
        return None, 0, ""
    text, encoding = decode_exact(data)
    cr_only = "\r" in text.replace("\r\n", "")
    if cr_only and "\n" in text:
        return None, 0, "the file mixes bare CR line endings with others; left untouched"
    if cr_only:
        text = text.replace("\r", "\n")
    new = add_noqa(text, wanted)
    if same_code(text.replace("\r\n", "\n"), new.replace("\r\n", "\n")) is not None:
        return None, 0, ("cannot add noqa comments without changing the code (a line "
                         "continued with a backslash?); left untouched")
    if cr_only:
        new = new.replace("\n", "\r")
    return new.encode(encoding), sum(len(c) for c in wanted.values()), ""
