"""bench/mutate.py on a module of four lines, so that the mutation tool cannot rot
between the runs someone makes of it on the core modules (docs/mutation.md)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, write_tree

SCRIPT = os.path.join(REPO, "bench", "mutate.py")
TINY = {
    "tiny.py": ("def clamp(x: int, low: int, high: int) -> int:\n"
                "    if x < low:\n"
                "        return low\n"
                "    return min(x, high)\n"),
    "test_tiny.py": ("from tiny import clamp\n\n\n"
                     "def test_clamp() -> None:\n"
                     "    assert [clamp(x, 0, 3) for x in (-1, 2, 5)] == [0, 2, 3]\n"),
}
# at x == low both branches give low: no test can tell `<` from `<=` here
EQUIVALENT = "| `tiny.py` | clamp | `x < low` -> `x <= low` | at x == low both give low |\n"
MUTANTS = [
    "tiny.py:2:8 clamp: `x < low` -> `x <= low`",
    "tiny.py:2:8 clamp: `x < low` -> `x > low`",
    "tiny.py:3:9 clamp: delete `return low`",
    "tiny.py:4:5 clamp: delete `return min(x, high)`",
    "tiny.py:4:12 clamp: `min(x, high)` -> `max(x, high)`",
    "tiny.py:4:12 clamp: `min(x, high)` -> `x`",
    "tiny.py:4:12 clamp: `min(x, high)` -> `high`",
]


def mutate(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, "--file", "tiny.py", "--tests", "test_tiny.py",
                           *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)


def test_lists_every_mutant(tmp_path) -> None:
    proc = mutate(write_tree(tmp_path, TINY), "--list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["tiny.py: 7 mutants"] + [f"  {m}" for m in MUTANTS]


TABLE = ("| module | where | what | why |\n| --- | --- | --- | --- |\n" + EQUIVALENT
         + "| `tiny.py` | clamp | `a \\| b` -> `a` | a pipe in a cell, escaped |\n")


@pytest.mark.parametrize("args, status, lines, summary", [
    pytest.param(["--equivalents", "equivalents.md", "--match", "`x < low`",
                  "--match", "max("], 0, [f"[1/3] equivalent {MUTANTS[0]}"],
                 "tiny.py: 2/2 non-equivalent mutants killed (100.0%); 1 equivalent",
                 id="all-killed-but-a-listed-equivalent"),
    pytest.param(["--equivalents", "none.md", "--match", "x <= low"], 1,
                 [f"[1/1] SURVIVED {MUTANTS[0]}"],
                 "tiny.py: 0/1 non-equivalent mutants killed (0.0%); 0 equivalent",
                 id="a-survivor-fails-the-run"),
])
def test_kills_and_survivors(tmp_path, args, status: int, lines, summary: str) -> None:
    root = write_tree(tmp_path, {**TINY, "equivalents.md": TABLE})
    proc = mutate(root, *args)
    assert proc.returncode == status, proc.stdout + proc.stderr
    assert [ln.strip() for ln in proc.stdout.splitlines() if ln.startswith("  [")] == lines
    assert summary in proc.stdout
    # the module is left as it was, and no copy of it behind
    assert (root / "tiny.py").read_text(encoding="utf-8") == TINY["tiny.py"]
    assert sorted(p.name for p in root.iterdir() if p.name != "__pycache__") == [
        "equivalents.md", "test_tiny.py", "tiny.py"]


def test_a_listed_mutant_that_is_killed_or_gone_is_stale(tmp_path) -> None:
    """A whole run reports each row of the table that no surviving mutant
    matches: one the tests kill as well as one that no longer exists."""
    killed = "| `tiny.py` | clamp | `x < low` -> `x > low` | wrongly listed |\n"
    root = write_tree(tmp_path, {**TINY, "equivalents.md": TABLE + killed})
    proc = mutate(root, "--equivalents", "equivalents.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [ln for ln in proc.stdout.splitlines() if ln.startswith("stale")] == [
        "stale equivalent (no surviving mutant matches): tiny.py clamp: `a | b` -> `a`",
        "stale equivalent (no surviving mutant matches): tiny.py clamp: `x < low` -> `x > low`"]


def test_equivalents_table(tmp_path) -> None:
    sys.path.insert(0, os.path.dirname(SCRIPT))
    try:
        import mutate
    finally:
        sys.path.remove(os.path.dirname(SCRIPT))
    # a table of scores has a module column too: its rows are no equivalents
    scores = ("| module | mutants | before | after |\n| --- | --- | --- | --- |\n"
              "| `tiny.py` | 7 | 5/7 (71.4%) | 7/7 (100%) |\n\n")
    (tmp_path / "eq.md").write_text("Some text | with a pipe.\n\n" + scores + TABLE,
                                    encoding="utf-8")
    assert mutate.equivalents(str(tmp_path / "eq.md")) == {
        ("tiny.py", "clamp", "`x < low` -> `x <= low`"): "at x == low both give low",
        ("tiny.py", "clamp", "`a | b` -> `a`"): "a pipe in a cell, escaped",
    }
