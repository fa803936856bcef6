"""Guide coverage ("N% with a passing guide", --fail-under) counts what was
judged: a definition passes only with a guide that passes every structural
rule, whatever --select, --ignore, per-file-ignores or `# noqa` hide."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GOOD_GUIDE, function_source


def module(no_guide_line: str = "", vague_line: str = "") -> str:
    """A guide that passes, a docstring that is no guide, a guide with a vague word."""
    return "\n\n".join([
        function_source(GOOD_GUIDE.replace("send_report", "good"), name="good"),
        function_source("Send the report.", name="bare").replace(
            "-> int:", "-> int:" + no_guide_line, 1),
        function_source(GOOD_GUIDE.replace("send_report", "vague").replace(
            "reads the report", "is getting the report"), name="vague").replace("-> int:", "-> int:" + vague_line, 1),
    ])


@pytest.mark.parametrize("source, config, args, percent", [
    pytest.param(module(), "", (), 33, id="default"),
    pytest.param(module(), "", ("--select", "HOW3"), 33, id="select-wording-only"),
    pytest.param(module(), "", ("--ignore", "HOW1"), 33, id="ignore-structure"),
    pytest.param(module(), '[tool.howto.per-file-ignores]\n"m.py" = ["HOW1"]\n', (), 33,
                 id="per-file-ignores"),
    pytest.param(module(no_guide_line="  # noqa: HOW101"), "", (), 33, id="noqa-on-no-guide"),
    pytest.param(module(no_guide_line="  # noqa"), "", (), 33, id="bare-noqa-on-no-guide"),
    pytest.param(module(vague_line="  # noqa: HOW301"), "", (), 66,
                 id="noqa-on-wording-passes"),
    pytest.param(module(), "", ("--ignore", "HOW301"), 66, id="ignored-wording-passes"),
])
def test_coverage_counts_structure_whatever_is_hidden(tmp_path: Path, run_main, source,
                                                      config, args, percent) -> None:
    (tmp_path / "m.py").write_text(source)
    (tmp_path / "pyproject.toml").write_text("[tool.howto]\n" + config)
    status, _, err = run_main(["--all", "--exit-zero", *args, "m.py"], str(tmp_path))
    assert f"3 definitions in 1 file, {percent}% with a passing guide" in err, err


def test_fail_under_judges_structure_under_select(tmp_path: Path, run_main) -> None:
    (tmp_path / "m.py").write_text(module())
    status, out, err = run_main(["--all", "--select", "HOW3", "--fail-under", "50", "m.py"],
                                str(tmp_path))
    assert status == 1 and "guide coverage 33.3% is below --fail-under 50%" in err, err
