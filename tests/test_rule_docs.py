"""Every rule has a doc in ruff's layout whose examples behave as documented."""
from __future__ import annotations

import os

import pytest

from howto_hook.check import check_source
from howto_hook.config import Settings
from howto_hook.docs import examples, rule_doc
from howto_hook.rules import RULES, enabled_codes

SETTINGS = Settings()
ENABLED = enabled_codes(SETTINGS.select, SETTINGS.ignore)
HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_doc_in_ruff_layout(code: str) -> None:
    doc = rule_doc(code)
    assert doc.startswith(f"# {code} {RULES[code].name}\n")
    positions = [doc.index(h) for h in HEADINGS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("code", sorted(RULES))
def test_use_instead_passes(code: str) -> None:
    good = examples(code)["Use instead"]
    result = check_source(good.encode(), path="reports.py", settings=SETTINGS, enabled=ENABLED)
    assert result.violations == () and result.checked >= 1


# HOW403 needs its example run in a process: see test_run_examples.py
@pytest.mark.parametrize("code", sorted(c for c in RULES if c not in ("HOW002", "HOW403")))
def test_example_fails_with_its_code(code: str) -> None:
    bad = examples(code)["Example"]
    result = check_source(bad.encode(), path="reports.py", settings=SETTINGS, enabled=ENABLED)
    assert code in {v.code for v in result.violations}


def test_the_docs_list_every_rule() -> None:
    index = open(os.path.join(os.path.dirname(__file__), "..", "docs", "rules", "index.md"),
                 encoding="utf-8").read()
    for code, rule in RULES.items():
        assert f"[{code}]({code}.md)" in index and rule.name in index, code
