"""Shared helpers: sources built from docstring text, and main() runs."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import List, Sequence

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GOOD_GUIDE = '''\
Send the report at `path` to the team channel.

How to Use This Code Block
==========================

Description
-----------
The `send_report` function reads the report at `path` and posts it.

Execution Steps
---------------
1. **Read Report**: Opens `path` and reads its text.
2. **Post Text**: Sends the text to the channel
   and returns its length.

Usage Example
-------------

```python
sent = send_report("weekly.txt")
```
'''


def function_source(doc: str, *, name: str = "send_report", indent: str = "    ",
                    quote: str = '"""') -> str:
    """A module holding one function whose docstring is `doc`."""
    body = textwrap.indent(doc.rstrip("\n"), indent)
    body = body[len(indent):] if body.startswith(indent) else body
    return (f"def {name}(path: str) -> int:\n"
            f"{indent}{quote}{body}\n{indent}{quote}\n"
            f"{indent}return len(path)\n")


def replace_line(doc: str, old: str, new: str) -> str:
    assert old in doc, old
    return doc.replace(old, new, 1)


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch, tmp_path_factory):
    """No user or system git config reaches a test; commits have an author."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Test")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.com")
    for var in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "CI", "GIT_DIR", "GIT_INDEX_FILE",
                "GIT_WORK_TREE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def run_main(capsys, monkeypatch):
    """Call main() in a directory; returns (status, stdout, stderr)."""
    from howto_hook.main import main

    def run(argv: Sequence[str], cwd: str = ".") -> "tuple[int, str, str]":
        monkeypatch.chdir(cwd)
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.delenv("FORCE_COLOR", raising=False)
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run


def git(cwd: str, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def cli(args: List[str], cwd: str, env: "dict | None" = None) -> subprocess.CompletedProcess:
    """Run the installed console entry point in a real process."""
    full = dict(os.environ)
    full.pop("NO_COLOR", None)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "howto_hook", *args], cwd=cwd, env=full,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
