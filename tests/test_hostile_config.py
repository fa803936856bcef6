"""Config that cannot crash or crawl: nesting deeper than the TOML parser's
stack and empty banned words are one line (exit 2) naming the file, or, in
another tool's table, passed over with a note."""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from conftest import write_tree

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")

DEPTH = 50_000
ARRAY = "[" * DEPTH + "]" * DEPTH
INLINE = "{a = " * DEPTH + "1" + "}" * DEPTH
NO_DOC = "def f(x):\n    return x\n"


@pytest.mark.parametrize("files, status, said", [
    pytest.param({"pyproject.toml": f"[tool.howto]\nx = {ARRAY}\n"}, 2,
                 "pyproject.toml: nested too deep for the TOML parser", id="in-tool-howto"),
    pytest.param({"pyproject.toml": f'[tool.howto]\nscope = "all"\n[tool.other]\nx = {ARRAY}\n'},
                 1, "pyproject.toml: a table nested too deep for the TOML parser (not howto's) "
                    "was passed over", id="another-tools-table"),
    pytest.param({"sub/howto.toml": f"x = {ARRAY}\n", "sub/m.py": NO_DOC}, 2,
                 "sub/howto.toml: nested too deep for the TOML parser", id="subdirectory"),
    pytest.param({"howto.toml": f"x = {INLINE}\n"}, 2,
                 "howto.toml: nested too deep for the TOML parser", id="inline-tables"),
    pytest.param({"howto.toml": 'banned-words = [""]\n'}, 2,
                 "howto.toml: banned-words holds an empty word ('')", id="empty-banned-word"),
    pytest.param({"howto.toml": 'banned-words = ["  "]\n'}, 2,
                 "howto.toml: banned-words holds an empty word ('  ')", id="blank-banned-word"),
    pytest.param({"howto.toml": '[extend-banned-words]\n"" = ["x"]\n'}, 2,
                 "howto.toml: extend-banned-words holds an empty word", id="empty-extended-word"),
])
def test_config_fails_in_one_line(tmp_path: Path, run_main, files: Dict[str, str], status: int,
                                  said: str) -> None:
    write_tree(tmp_path, {"m.py": NO_DOC, **files})
    got, out, err = run_main(["--all"], str(tmp_path))
    assert got == status, err
    assert said in err
    assert "internal error" not in err and "Traceback" not in err
    if status == 2:
        assert len(err.strip().splitlines()) == 1, err
    else:
        assert "m.py:1:5: HOW100" in out


def test_deep_ruff_table_does_not_stop_fixing(tmp_path: Path, run_main) -> None:
    """linelength.py reads [tool.ruff]; a table too deep to parse means the default width."""
    write_tree(tmp_path, {"m.py": NO_DOC, "pyproject.toml": f"[tool.ruff]\nx = {ARRAY}\n"})
    status, out, err = run_main(["--all", "--fix"], str(tmp_path))
    assert "HOW002" not in out and "internal error" not in err
    assert "Fixed 1 definition in 1 file" in err
    assert "How to Use This Code Block" in (tmp_path / "m.py").read_text()
