"""Lines `--fix` writes fit the project's line length, wherever it is configured."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import black
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from howto_hook import linelength
from howto_hook.config import ConfigError, settings_from_table
from howto_hook.wrap import columns, fill

from conftest import fixed

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")

LONG = textwrap.dedent('''\
    class Scheduler:
        def schedule_recurring_maintenance_window(self, cluster_identifier: str,
                                                  maintenance_window_minutes: int,
                                                  notification_channel_name: str,
                                                  retry_policy_configuration: dict) -> bool:
            if not cluster_identifier:
                raise ValueError("cluster_identifier must not be empty")
            plan = self._build_maintenance_plan(cluster_identifier, maintenance_window_minutes)
            self._notify_channel_subscribers(notification_channel_name, plan)
            return self._apply_retry_policy_configuration(retry_policy_configuration, plan)

        # defined, so that the fix's candidate example runs (an example that
        # raises is never written); private, so they need no guide of their own
        def _build_maintenance_plan(self, cluster: str, minutes: int) -> tuple:
            return (cluster, minutes)

        def _notify_channel_subscribers(self, channel: str, plan: tuple) -> None:
            pass

        def _apply_retry_policy_configuration(self, configuration: dict, plan: tuple) -> bool:
            return True
    ''')


def written_over(before: str, after: str, limit: int) -> list:
    """Lines of `after` wider than `limit` that are not in `before`, leaving out
    example code and lines that hold one code span too long for any line."""
    old = set(before.split("\n"))
    over = []
    fence = False
    for line in after.split("\n"):
        if line.strip().startswith("```"):
            fence = not fence
            continue
        if fence or line in old or columns(line) <= limit:
            continue
        indent = columns(line[: len(line) - len(line.lstrip())])
        spans = re.findall(r"\S*`[^`]*`\S*", line)
        if any(columns(s) + indent + 3 > limit for s in spans):
            continue
        over.append(line)
    return over


CONFIGS = [
    pytest.param({}, 88, id="nothing-configured-88"),
    pytest.param({"pyproject.toml": "[tool.black]\nline-length = 79\n"}, 79, id="black"),
    pytest.param({"pyproject.toml": "[tool.ruff]\nline-length = 72\n"}, 72, id="ruff-pyproject"),
    pytest.param({"ruff.toml": "line-length = 66\n"}, 66, id="ruff.toml"),
    pytest.param({".ruff.toml": "line-length = 60\n", "ruff.toml": "line-length = 99\n"}, 60,
                 id="dot-ruff.toml-first"),
    pytest.param({"pyproject.toml": "[tool.black]\nline-length = 100\n"
                                    "[tool.ruff]\nline-length = 70\n"}, 70,
                 id="ruff-over-black"),
    pytest.param({"pkg/pyproject.toml": "[tool.black]\nline-length = 74\n",
                  "ruff.toml": "line-length = 64\n"}, 64, id="ruff-above-over-nearer-black"),
    pytest.param({"pyproject.toml": "[tool.ruff]\nline-length = 100\n",
                  "pkg/ruff.toml": "line-length = 68\n"}, 68, id="nearest-ruff"),
    pytest.param({"pyproject.toml": "[tool.ruff]\nselect = ['E']\n"
                                    "[tool.black]\nline-length = 76\n"}, 76,
                 id="ruff-without-length-then-black"),
    pytest.param({"pyproject.toml": "[tool.ruff\nbroken"}, 88, id="broken-toml-ignored"),
]


@pytest.mark.parametrize("files,expected", CONFIGS)
def test_line_length_lookup(tmp_path: Path, files: dict, expected: int) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "pkg").mkdir(exist_ok=True)
    linelength.for_directory.cache_clear()
    linelength._in_directory.cache_clear()
    assert linelength.for_file(str(tmp_path / "pkg" / "mod.py")) == expected


@pytest.mark.parametrize("files,expected", CONFIGS[:8])
def test_fixed_lines_fit_the_configured_length(tmp_path: Path, run_main, files: dict,
                                               expected: int) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "mod.py").write_text(LONG)
    linelength.for_directory.cache_clear()
    linelength._in_directory.cache_clear()
    status, out, err = run_main(["--all", "--fix", "pkg/mod.py"], str(tmp_path))
    assert "Fixed 2 definitions" in err, err
    after = (tmp_path / "pkg" / "mod.py").read_text()
    assert written_over(LONG, after, expected) == []
    # the room is used: some written prose line comes within 12 columns of the limit
    prose = [ln for ln in after.split("\n") if ln not in LONG and "`" in ln]
    assert max(columns(ln) for ln in prose) > expected - 12


def test_howto_line_length_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    settings = settings_from_table({"line-length": 60})
    after = fixed(LONG, str(tmp_path / "mod.py"), settings)
    assert written_over(LONG, after, 60) == []


@pytest.mark.parametrize("value", [pytest.param("79", id="string"), pytest.param(5, id="tiny"),
                                   pytest.param(True, id="bool")])
def test_bad_line_length_is_a_config_error(value: object) -> None:
    with pytest.raises(ConfigError, match="line-length"):
        settings_from_table({"line-length": value})


def test_summary_that_does_not_fit_after_the_quotes_starts_on_the_next_line(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 39\n")
    # "Return `...`." is 34 columns: inside the 35 the line has, not after the quotes
    source = "def f(x):\n    return a_rather_long_value_name_\n"
    after = fixed(source, str(tmp_path / "mod.py"))
    assert after.startswith('def f(x):\n    """\n'
                            "    Return `a_rather_long_value_name_`.\n")


def test_summary_kept_on_the_next_line_where_the_person_put_it() -> None:
    source = 'def f(x):\n    """\n    Return x.\n    """\n    return x\n'
    assert fixed(source, "mod.py").startswith('def f(x):\n    """\n    Return x.\n\n')


@pytest.mark.parametrize("text,width,first,expected", [
    pytest.param("Calls `a` and `b`.", 80, 0, "Calls `a` and `b`.", id="fits"),
    pytest.param("Returns `a + b` when `x is not None` holds.", 20, 0,
                 "Returns `a + b` when\n`x is not None`\nholds.", id="span-never-broken"),
    pytest.param("Takes `a_very_long_argument_name_indeed`, then stops.", 10, 0,
                 "Takes\n`a_very_long_argument_name_indeed`,\nthen\nstops.",
                 id="span-too-long-runs-over-alone"),
    pytest.param("one two three four five", 14, 6, "one two\n   three four\n   five",
                 id="first-line-offset-and-indent"),
    pytest.param("It counts to 3. then stops", 12, 0,
                 "It counts\nto 3. then\nstops", id="no-line-starts-like-a-list-item"),
    pytest.param("A long word - and more", 11, 0, "A long\nword - and\nmore",
                 id="dash-moves-with-the-word-before"),
    pytest.param("Le nombre 日本語の文字 fits", 14, 0, "Le nombre\n日本語の文字\nfits",
                 id="wide-characters-count-two"),
])
def test_fill(text: str, width: int, first: int, expected: str) -> None:
    indent = "   " if first else ""
    assert fill(text, width, first=first, indent=indent) == expected


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["word", "`x`", "`a + b`", "longerword", "1.", "-", "and",
                                 "`call(arg)`,", "**Bold**:", "日本"]), min_size=1, max_size=40),
       st.integers(20, 100))
def test_fill_keeps_every_piece_and_fits_where_it_can(words: list, width: int) -> None:
    text = " ".join(words)
    out = fill(text, width)
    assert out.split() == text.split()  # nothing lost, nothing split, order kept
    for line in out.split("\n"):
        # wider only for one piece alone, or a word carried to keep "1." or "-"
        # from starting a line
        assert columns(line) <= width or len(line.split()) == 1 or \
            line.split()[1] in ("1.", "-")


CALLS = [
    pytest.param('result = parse_requirement(name="example", extras=set(), specifier=None)',
                 id="call-contents-fit-indented"),
    pytest.param('result = parse_requirement(name="example", extras=set(), specifier=None, '
                 'url="https://example.com", marker=None, strict=True)', id="one-per-line"),
    pytest.param('for item in instance.enclosing_tokens(open_token="example", '
                 'close_token="example"):\n    print(item)', id="for-header"),
    pytest.param("from some.nested.package.module import a_function_name_here, other",
                 id="import"),
    pytest.param('    value = Store(path="example.txt", retries=1, timeout=1.0, name="x")',
                 id="indented"),
]


@pytest.mark.parametrize("code", CALLS)
def test_example_lines_split_as_black_splits_them(code: str) -> None:
    from howto_hook.wrap import fit_code

    if code.startswith("    "):
        code = "def main():\n" + code
    out = fit_code(code, 50)
    assert out != code
    assert all(columns(line) <= 50 for line in out.split("\n"))
    assert black.format_str(out, mode=black.Mode(line_length=50)) == out + "\n"


def test_example_line_that_cannot_be_split_stays() -> None:
    from howto_hook.wrap import fit_code

    code = "x = a_name_that_is_much_too_long_to_fit_in_the_room_but_has_no_brackets"
    assert fit_code(code, 30) == code


def test_messages_after_a_fix_name_lines_of_the_file_as_written(tmp_path: Path,
                                                                 run_main) -> None:
    from conftest import GOOD_GUIDE, function_source

    vague = GOOD_GUIDE.replace("reads the report", "keeps getting the report")
    source = ("def first(x):\n    return x\n\n\n"
              + function_source(vague)
              + "\n\nclass Third:\n    def method(self):\n        return 1\n")
    (tmp_path / "m.py").write_text(source)
    status, out, err = run_main(["--all", "--fix", "m.py"], str(tmp_path))
    written = (tmp_path / "m.py").read_text().split("\n")
    assert written != source.split("\n")
    notes = re.findall(r"^m\.py:(\d+): cannot fix (\S+):", err, re.M)
    assert notes and all(n[1] == "send_report" for n in notes), err
    for line, name in notes:
        assert written[int(line) - 1].startswith(f"def {name}(")
    findings = re.findall(r"^m\.py:(\d+):\d+: HOW301", out, re.M)
    assert findings, out
    for line in findings:
        assert "getting" in written[int(line) - 1]
