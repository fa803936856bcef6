"""What the language server tells an editor, worked out from text alone:
diagnostics from violations, edits from two versions of a text, a noqa
comment, the suggested verbs for a vague word, the hover text of a rule.

Pure functions over strings and lsprotocol records; server.py is the I/O
shell that feeds them. Positions here are 0-based lines and columns in the
client's units (UTF-16 code units unless the client chose otherwise).
"""
from __future__ import annotations

import difflib
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from lsprotocol import types

from howto_hook import check
from howto_hook.docs import rule_doc
from howto_hook.model import Violation
from howto_hook.report import rule_url

SOURCE = "howto-check"
SEVERITIES: Mapping[str, types.DiagnosticSeverity] = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


# LSP's line ends: "\n", "\r\n" and "\r", as check.decode reads them too
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> List[str]:
    """The lines of `text` as the client counts them, each with its end."""
    return _LINE.findall(text)


def units(text: str, encoding: str) -> int:
    """How long `text` is in the client's position units."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _position(lines: Sequence[str], line: int, char: int, encoding: str) -> types.Position:
    """A 0-based (line, character index) as the client counts it, kept inside the text."""
    if not lines:
        return types.Position(0, 0)
    line = min(max(line, 0), len(lines) - 1)
    text = lines[line].rstrip("\r\n")
    return types.Position(line, units(text[:max(char, 0)], encoding))


def diagnostic(v: Violation, lines: Sequence[str], severity: types.DiagnosticSeverity,
               encoding: str) -> types.Diagnostic:
    """One violation as the editor shows it; `lines` is the text it was found in."""
    start = _position(lines, v.line - 1, v.col - 1, encoding)
    if v.end_line:
        end = _position(lines, v.end_line - 1, v.end_col - 1, encoding)
    else:  # only the start is known: one character
        end = _position(lines, v.line - 1, v.col, encoding)
    return types.Diagnostic(
        range=types.Range(start, end), message=v.message, severity=severity, code=v.code,
        code_description=types.CodeDescription(href=rule_url(v.code)), source=SOURCE,
        data={"symbol": v.symbol, "line": v.line},
    )


def line_edits(old: str, new: str, encoding: str) -> List[types.TextEdit]:
    """The fewest whole-line edits that turn `old` into `new`: a rewritten
    docstring becomes one edit over its lines, and nothing else is touched."""
    a = split_lines(old)
    b = split_lines(new)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        start = types.Position(i1, 0)
        if i2 < len(a) or not a or a[-1].endswith(("\n", "\r")):
            end = types.Position(i2, 0)
        else:  # the text's last line has no newline: end where it ends
            end = types.Position(i2 - 1, units(a[-1], encoding))
        edits.append(types.TextEdit(types.Range(start, end), "".join(b[j1:j2])))
    return edits


def noqa_edits(text: str, line: int, code: str, encoding: str) -> List[types.TextEdit]:
    """Edits that add `code` to the `# noqa` comment of 1-based `line`, as
    `--add-noqa` writes it."""
    return line_edits(text, check.add_noqa(text, {line: [code]}), encoding)


def word_at(lines: Sequence[str], rng: types.Range, encoding: str) -> str:
    """The text a one-line range covers, in the client's units."""
    if rng.start.line != rng.end.line or not 0 <= rng.start.line < len(lines):
        return ""
    text = lines[rng.start.line].rstrip("\r\n")
    out, count = [], 0
    for ch in text:
        if count >= rng.end.character:
            break
        if count >= rng.start.character:
            out.append(ch)
        count += units(ch, encoding)
    return "".join(out)


def verbs(word: str, banned: Mapping[str, Tuple[str, ...]]) -> List[str]:
    """The configured replacements for a vague word, in its capitalisation."""
    suggestions = banned.get(word.lower(), ())
    if word[:1].isupper():
        return [s[:1].upper() + s[1:] for s in suggestions]
    return list(suggestions)


def hover(codes: Sequence[str]) -> Optional[str]:
    """The Markdown shown over diagnostics: each rule's doc once, in order."""
    docs: Dict[str, str] = {}
    for code in codes:
        if code not in docs:
            try:
                docs[code] = rule_doc(code)
            except OSError:
                docs[code] = f"**{code}**: see {rule_url(code)}"
    return "\n\n---\n\n".join(docs.values()) or None


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges share a position (touching ends count: a cursor
    at the end of a word is on it)."""
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)
