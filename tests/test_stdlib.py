"""The whole CPython standard library of this machine, a corpus nobody here wrote."""
from __future__ import annotations

import ast
import json
import os
import sysconfig
import warnings

import pytest

from conftest import cli

STDLIB = sysconfig.get_paths()["stdlib"]


def _python_rejects(path: str) -> bool:
    with open(path, "rb") as f:
        data = f.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return True
    return False


@pytest.mark.slow
def test_whole_stdlib_reports_python2_files_and_never_crashes(tmp_path) -> None:
    # the Python 2 files and most syntax errors live in test directories
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.howto]\ninclude-tests = true\n")
    proc = cli(["--all", "--exit-zero", "--output-format", "json", "--config", str(config),
                STDLIB], cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) > 10_000
    flagged = {r["path"] for r in rows if r["code"] in ("HOW001", "HOW002")}
    # Every file Python itself rejects is reported, as HOW001 (or HOW002
    # when its bytes do not even decode) ...
    rejected = set()
    for here, dirs, files in os.walk(STDLIB):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "__pycache__")]
        rejected.update(os.path.join(here, f) for f in files
                        if f.endswith(".py") and _python_rejects(os.path.join(here, f)))
    assert rejected and rejected <= flagged
    # ... the Python 2 files of lib2to3's test data among them, where present ...
    py2 = os.path.join(STDLIB, "lib2to3", "tests", "data", "py2_test_grammar.py")
    if os.path.exists(py2):
        assert any(r["path"] == py2 and r["code"] == "HOW001" for r in rows)
    # ... and a file reported as a syntax error really is one.
    for r in rows:
        if r["code"] == "HOW001" and r["message"].startswith("syntax error"):
            assert r["path"] in rejected
    assert "definitions in" in proc.stderr
