"""Format violations and summaries. Returns strings; output.py writes them.

Text output names files as the user sees them (relative to the working
directory). The machine formats (json, github, sarif) name them relative to
the repository root, as CI systems and code scanning resolve them whatever
directory the step ran in; a `Place` says where that root is.
"""
from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Tuple

from howto_hook import __version__
from howto_hook.codes import CODES as RULES
from howto_hook.streams import escaped, json_escaped, relative, shown

# The machine formats import json, hashlib, pathlib and urllib where they
# use them: every run imports this module (the command line reads FORMATS),
# and those four cost a commit's text report more than all of it.
if TYPE_CHECKING:  # the records are read, never made, here
    from howto_hook.model import Violation

FORMATS = ("text", "json", "github", "sarif")
HOME = "https://github.com/howto-hook/howto-hook"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
# What `--fix` with the offline template repairs: it rewrites a failing
# guide, but never rewords a person's prose (HOW301, which the llm generator
# can fix), never touches an unparsable or unreadable file, and leaves noqa
# comments to their author.
FIXABLE_PREFIXES = ("HOW1", "HOW2", "HOW4")

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


class Place(NamedTuple):
    """Where machine formats anchor paths."""

    root: str  # the repository root, else the working directory (absolute)
    cwd: str  # the directory Violation.path is relative to (absolute)


class Span(NamedTuple):
    """One violation with the paths and end position machine formats need."""

    path: str  # relative to Place.root with "/", or absolute when outside it
    filename: str  # absolute
    inside: bool  # whether the file lies below Place.root
    end_line: int
    end_col: int  # 1-based, the column after the last character


def rule_url(code: str) -> str:
    """The rule's documentation page."""
    return f"{HOME}/blob/main/howto_hook/rule_docs/{code}.md"


def fixable(code: str) -> bool:
    return code.startswith(FIXABLE_PREFIXES)


def span(v: Violation, place: Place) -> Span:
    filename = os.path.normpath(os.path.join(place.cwd, v.path))
    rel = relative(filename, place.root)
    inside = not (os.path.isabs(rel) or rel == ".." or rel.startswith(".." + os.sep))
    shown = rel if inside else filename
    end_line = getattr(v, "end_line", 0) or v.line
    end_col = getattr(v, "end_col", 0) or v.col + 1
    if end_line == v.line:
        end_col = max(end_col, v.col + 1)
    return Span(shown.replace(os.sep, "/"), filename, inside, end_line, end_col)


def text(violations: Sequence[Violation], *, color: bool = False) -> str:
    out = []
    for v in violations:
        if color:
            sep = f"{_CYAN}:{_RESET}"
            out.append(f"{_BOLD}{shown(v.path)}{_RESET}{sep}{v.line}{sep}{v.col}{sep} "
                       f"{_BOLD}{_RED}{v.code}{_RESET} {shown(v.message)}")
        else:
            out.append(f"{shown(v.path)}:{v.line}:{v.col}: {v.code} {shown(v.message)}")
    return "".join(line + "\n" for line in out)


def as_json(violations: Sequence[Violation], place: Place) -> str:
    import json

    rows = []
    for v in violations:
        s = span(v, place)
        rows.append({
            "path": s.path, "filename": s.filename,
            "line": v.line, "column": v.col, "end_line": s.end_line, "end_column": s.end_col,
            "code": v.code, "message": v.message, "symbol": v.symbol,
            "rule": RULES[v.code].name if v.code in RULES else "",
            "url": rule_url(v.code), "fixable": fixable(v.code),
            **_ruff_fields(v, s),
        })
    return json_escaped(json.dumps(rows, indent=2, ensure_ascii=False)) + "\n"


# Findings reported on a line of code rather than inside a docstring's text.
_CODE_LINE_CODES = frozenset(("HOW001", "HOW002", "HOW100", "HOW900"))


def _ruff_fields(v: Violation, s: Span) -> Dict[str, object]:
    """The fields of `ruff check --output-format json` that ours lack under
    those names, so a tool reading ruff's JSON reads ours unchanged. No edit
    is computed by a check (`--fix` rewrites whole docstrings), so `fix` is
    null; `noqa_row` is the finding's line when a `# noqa` can go there
    (the file, a def without a docstring, a noqa comment), null for a
    finding inside a docstring, whose noqa goes on the def line or after
    the closing quotes."""
    return {
        "location": {"row": v.line, "column": v.col},
        "end_location": {"row": s.end_line, "column": s.end_col},
        "fix": None,
        "noqa_row": v.line if v.code in _CODE_LINE_CODES else None,
        "cell": None,
        "name": RULES[v.code].name if v.code in RULES else "",
        "severity": "error",
    }


def _gh_data(s: str) -> str:
    """GitHub's escaping of a workflow command's message (the runner turns %0A back
    into a newline); every other hidden character as a backslash escape."""
    return escaped(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _gh_prop(s: str) -> str:
    """A property value (`file=`, `title=`): the message's escaping, and `:` and `,`
    that would end it."""
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github(violations: Sequence[Violation], place: Place) -> str:
    """GitHub Actions workflow commands, one annotation per violation."""
    out = []
    for v in violations:
        s = span(v, place)
        # GitHub reads endColumn only on a one-line annotation
        end = (f",endLine={s.end_line},endColumn={s.end_col}" if s.end_line == v.line
               else f",endLine={s.end_line}")
        out.append(f"::error file={_gh_prop(s.path)},line={v.line},col={v.col}{end},"
                   f"title={_gh_prop(v.code)}::{_gh_data(f'{v.code} {v.message}')}\n")
    return "".join(out)


def _file_uri(path: str) -> str:
    from pathlib import Path

    return Path(path).as_uri()


def _fingerprint(v: Violation, path: str, ordinal: int) -> str:
    """Stable across commits: what the finding is about, never where it sits.

    A definition's findings are keyed by its qualified name and its
    docstring's content, so code scanning follows them while lines move and
    sees a new alert once the docstring changes; a file-level finding by its
    message. `ordinal` tells apart findings of one code in one docstring
    (two vague words): their order inside it, which lines moving elsewhere
    never change, so code scanning keeps one alert each instead of merging.
    The first keeps the fingerprint it had before ordinals existed.
    """
    import hashlib

    about = v.doc_hash if v.symbol else v.message
    fields = (path, v.symbol, v.code, about) + ((str(ordinal),) if ordinal else ())
    parts = "\0".join(fields)
    return hashlib.sha256(parts.encode("utf-8", "backslashreplace")).hexdigest()


def _ordinals(violations: Sequence[Violation]) -> List[int]:
    """Each violation's rank among those with the same file, definition,
    code and docstring, in position order."""
    seen: Counter = Counter()
    ranks = {}
    for i in sorted(range(len(violations)),
                    key=lambda i: (violations[i].line, violations[i].col)):
        v = violations[i]
        key = (v.path, v.symbol, v.code, v.doc_hash if v.symbol else v.message)
        ranks[i] = seen[key]
        seen[key] += 1
    return [ranks[i] for i in range(len(violations))]


def _rule(code: str) -> Dict[str, object]:
    from howto_hook.docs import rule_doc, section

    doc = rule_doc(code)
    what = section(doc, "What it does") or RULES[code].summary
    return {
        "id": code,
        "name": RULES[code].name,
        "shortDescription": {"text": RULES[code].summary},
        "fullDescription": {"text": what},
        "helpUri": rule_url(code),
        "help": {"text": f"{what}\n\nSee {rule_url(code)}", "markdown": doc},
        "defaultConfiguration": {"level": "error"},
        "properties": {"fixable": fixable(code)},
    }


def sarif(violations: Sequence[Violation], place: Place) -> str:
    """SARIF 2.1.0, as GitHub code scanning ingests it."""
    import json
    from urllib.parse import quote

    codes = sorted(RULES)
    index = {c: i for i, c in enumerate(codes)}
    results = []
    for v, ordinal in zip(violations, _ordinals(violations)):
        s = span(v, place)
        if s.inside:
            # percent-encoded, so that "x:y.py" is no URI scheme and "a%b" no escape
            artifact = {"uri": quote(s.path, safe="/"), "uriBaseId": "%SRCROOT%"}
        else:
            artifact = {"uri": _file_uri(s.filename)}
        location: Dict[str, object] = {"physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": v.line, "startColumn": v.col,
                       "endLine": s.end_line, "endColumn": s.end_col},
        }}
        if v.symbol:
            location["logicalLocations"] = [{"fullyQualifiedName": v.symbol}]
        result: Dict[str, object] = {
            "ruleId": v.code,
            "level": "error",
            "message": {"text": v.message},
            "locations": [location],
            "partialFingerprints": {"howtoFinding/v1": _fingerprint(v, s.path, ordinal)},
        }
        if v.code in index:
            result["ruleIndex"] = index[v.code]
        results.append(result)
    root_uri = _file_uri(place.root).rstrip("/") + "/"
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "howto-hook",
                "version": __version__,
                "informationUri": HOME,
                "rules": [_rule(c) for c in codes],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json_escaped(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def here() -> Place:
    cwd = os.getcwd()
    return Place(cwd, cwd)


def render(fmt: str, violations: Sequence[Violation], *, color: bool = False,
           place: Optional[Place] = None) -> str:
    place = place or here()
    if fmt == "json":
        return as_json(violations, place)
    if fmt == "github":
        return github(violations, place)
    if fmt == "sarif":
        return sarif(violations, place)
    return text(violations, color=color)


def statistics(violations: Sequence[Violation], fmt: str = "text") -> str:
    """Violations per rule, most frequent first: a JSON list for json, else a table."""
    counts = Counter(v.code for v in violations)
    ordered: List[Tuple[str, int]] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        import json

        return json.dumps([{"code": code, "name": RULES[code].name if code in RULES else "",
                            "count": n, "fixable": fixable(code)} for code, n in ordered],
                          indent=2) + "\n"
    rows: List[str] = []
    for code, n in ordered:
        name = RULES[code].name if code in RULES else ""
        rows.append(f"{n:>6}  {code}  {name}")
    return "".join(r + "\n" for r in rows)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(*, violations: int, definitions: int, files: int, passing: int,
            changed_only: bool, unwritten: int = 0) -> str:
    """One line for stderr; a run that checked nothing must be visible.

    `unwritten`: files whose fix could not be written still fail on disk, so
    such a run never says "All checks passed".
    """
    what = "changed definition" if changed_only else "definition"
    checked = f"{_plural(definitions, what)} in {_plural(files, 'file')}"
    coverage = f", {passing * 100 // definitions}% with a passing guide" if definitions else ""
    if violations:
        return f"Found {_plural(violations, 'violation')} in {checked}{coverage}."
    if unwritten:
        its = "its" if unwritten == 1 else "their"
        return (f"Not all checks pass: {_plural(unwritten, 'file')} kept {its} violations, "
                f"the fix not written ({checked}).")
    return f"All checks passed: {checked}{coverage}."


def fix_summary(*, dry_run: bool, fixed: int, files_changed: int, failed: int,
                remaining: int, tokens: Optional[Tuple[int, int]] = None,
                unwritten: int = 0) -> str:
    """What a --fix run did, or what a --diff run (dry_run) would do.

    A --diff run writes nothing, so the files fail just as before: its line
    says what would be fixed and what would still fail afterwards, and never
    "All checks passed". `tokens` is (used, served from cache) for the LLM.
    """
    verb = "Would fix" if dry_run else "Fixed"
    line = f"{verb} {_plural(fixed, 'definition')} in {_plural(files_changed, 'file')}"
    if failed:
        line += f"; {failed} could not be fixed (see above)"
    if unwritten:
        line += f"; {_plural(unwritten, 'file')} could not be written (see above)"
    if dry_run:
        line += (f"; {_plural(remaining, 'violation')} would remain" if remaining
                 else "; no violation would remain")
    if tokens is not None:
        line += f"; {tokens[0]} tokens used, {tokens[1]} served from cache"
    return line + "."
