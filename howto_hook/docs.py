"""Rule documentation, kept as one Markdown file per code in ruff's layout."""
from __future__ import annotations

import os
import re
from typing import Dict

_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rule_docs")


def rule_doc(code: str) -> str:
    with open(os.path.join(_DIR, f"{code}.md"), encoding="utf-8") as f:
        return f.read()


def examples(code: str) -> Dict[str, str]:
    """The code of the doc's "Example" and "Use instead" blocks, by heading."""
    text = rule_doc(code)
    out: Dict[str, str] = {}
    for m in re.finditer(r"^## (Example|Use instead)\n.*?^````python\n(.*?)^````$",
                         text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    return out


def section(doc: str, heading: str) -> str:
    """The prose under `## heading` in a rule doc, joined into paragraphs."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    if m is None:
        return ""
    paragraphs = [" ".join(p.split()) for p in m.group(1).strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)
