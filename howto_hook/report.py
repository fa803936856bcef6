"""Format violations and summaries. Returns strings; only main prints."""
from __future__ import annotations

import json
from collections import Counter
from typing import List, Sequence

from howto_hook import __version__
from howto_hook.codes import CODES as RULES
from howto_hook.model import Violation

FORMATS = ("text", "json", "github", "sarif")
HELP_URI = "https://github.com/howto-hook/howto-hook#rules"

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def text(violations: Sequence[Violation], *, color: bool = False) -> str:
    out = []
    for v in violations:
        if color:
            sep = f"{_CYAN}:{_RESET}"
            out.append(f"{_BOLD}{v.path}{_RESET}{sep}{v.line}{sep}{v.col}{sep} "
                       f"{_BOLD}{_RED}{v.code}{_RESET} {v.message}")
        else:
            out.append(f"{v.path}:{v.line}:{v.col}: {v.code} {v.message}")
    return "".join(line + "\n" for line in out)


def as_json(violations: Sequence[Violation]) -> str:
    rows = [
        {
            "path": v.path, "line": v.line, "column": v.col, "code": v.code,
            "message": v.message, "symbol": v.symbol,
            "rule": RULES[v.code].name if v.code in RULES else "",
        }
        for v in violations
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github(violations: Sequence[Violation]) -> str:
    """GitHub Actions workflow commands, one annotation per violation."""
    return "".join(
        f"::error file={_gh_prop(v.path)},line={v.line},col={v.col},"
        f"title={_gh_prop(v.code)}::{_gh_data(f'{v.code} {v.message}')}\n"
        for v in violations
    )


def sarif(violations: Sequence[Violation]) -> str:
    """SARIF 2.1.0, as GitHub code scanning ingests it."""
    codes = sorted(RULES)
    index = {c: i for i, c in enumerate(codes)}
    rules = [
        {
            "id": c,
            "name": RULES[c].name,
            "shortDescription": {"text": RULES[c].summary},
            "fullDescription": {"text": RULES[c].summary},
            "helpUri": f"{HELP_URI}",
            "defaultConfiguration": {"level": "error"},
        }
        for c in codes
    ]
    results = [
        {
            "ruleId": v.code,
            "ruleIndex": index.get(v.code, 0),
            "level": "error",
            "message": {"text": v.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": v.path.replace("\\", "/"),
                                         "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": v.line, "startColumn": v.col},
                },
                **({"logicalLocations": [{"fullyQualifiedName": v.symbol}]} if v.symbol else {}),
            }],
        }
        for v in violations
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "howto-hook",
                "version": __version__,
                "informationUri": "https://github.com/howto-hook/howto-hook",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(fmt: str, violations: Sequence[Violation], *, color: bool = False) -> str:
    if fmt == "json":
        return as_json(violations)
    if fmt == "github":
        return github(violations)
    if fmt == "sarif":
        return sarif(violations)
    return text(violations, color=color)


def statistics(violations: Sequence[Violation]) -> str:
    counts = Counter(v.code for v in violations)
    rows: List[str] = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        name = RULES[code].name if code in RULES else ""
        rows.append(f"{n:>6}  {code}  {name}")
    return "".join(r + "\n" for r in rows)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(*, violations: int, definitions: int, files: int, passing: int,
            changed_only: bool) -> str:
    """One line for stderr; a run that checked nothing must be visible."""
    what = "changed definition" if changed_only else "definition"
    checked = f"{_plural(definitions, what)} in {_plural(files, 'file')}"
    coverage = f", {passing * 100 // definitions}% with a passing guide" if definitions else ""
    if violations:
        return f"Found {_plural(violations, 'violation')} in {checked}{coverage}."
    return f"All checks passed: {checked}{coverage}."


