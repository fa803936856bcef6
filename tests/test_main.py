"""The command line through main(): formats, exit status, config, noqa, walks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GOOD_GUIDE, function_source, git

BAD = function_source(GOOD_GUIDE.replace("reads the report", "is getting the report"))
GOOD = function_source(GOOD_GUIDE)


def project(tmp_path: Path, files: "dict[str, str]", config: str = "") -> Path:
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    if config:
        (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    return tmp_path


def test_text_output_and_exit_status(tmp_path, run_main) -> None:
    project(tmp_path, {"bad.py": BAD, "good.py": GOOD})
    status, out, err = run_main(["--all", "."], tmp_path)
    assert status == 1
    assert out == ("bad.py:9:35: HOW301 vague word 'getting'; say what it does, e.g. "
                   "'retrieves', 'reads', 'fetches', 'computes'\n")
    assert "2 definitions in 2 files" in err


def test_clean_run_exits_zero_and_says_what_it_checked(tmp_path, run_main) -> None:
    project(tmp_path, {"good.py": GOOD})
    status, out, err = run_main(["--all"], tmp_path)
    assert (status, out) == (0, "")
    assert "All checks passed: 1 definition in 1 file, 100% with a passing guide." in err


def test_exit_zero(tmp_path, run_main) -> None:
    project(tmp_path, {"bad.py": BAD})
    assert run_main(["--all", "--exit-zero"], tmp_path)[0] == 0


def test_json_output(tmp_path, run_main) -> None:
    project(tmp_path, {"bad.py": BAD, "good.py": GOOD})
    status, out, _ = run_main(["--all", "--output-format", "json"], tmp_path)
    rows = json.loads(out)
    assert rows == [{"path": "bad.py", "filename": str(tmp_path / "bad.py"),
                     "line": 9, "column": 35, "end_line": 9, "end_column": 42,
                     "code": "HOW301", "message": rows[0]["message"], "symbol": "send_report",
                     "rule": "vague-word", "fixable": False,
                     "url": "https://github.com/howto-hook/howto-hook/blob/main/howto_hook/"
                            "rule_docs/HOW301.md",
                     # ruff's names for the same facts
                     "location": {"row": 9, "column": 35},
                     "end_location": {"row": 9, "column": 42}, "fix": None, "noqa_row": None,
                     "cell": None, "name": "vague-word", "severity": "error"}]
    _, out, _ = run_main(["--all", "--output-format", "json", "good.py"], tmp_path)
    assert json.loads(out) == []


def test_github_output_escapes(tmp_path, run_main) -> None:
    project(tmp_path, {"a,b.py": BAD})
    _, out, _ = run_main(["--all", "--output-format", "github"], tmp_path)
    assert out.startswith("::error file=a%2Cb.py,line=9,col=35,endLine=9,endColumn=42,"
                          "title=HOW301::HOW301 vague word")
    assert out.count("\n") == 1


def test_sarif_output(tmp_path, run_main) -> None:
    project(tmp_path, {"bad.py": BAD})
    _, out, _ = run_main(["--all", "--output-format", "sarif"], tmp_path)
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    (result,) = run["results"]
    assert ids[result["ruleIndex"]] == result["ruleId"] == "HOW301"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 9, "startColumn": 35, "endLine": 9, "endColumn": 42}
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.py"


@pytest.mark.parametrize("args, codes", [
    pytest.param([], ["HOW100", "HOW301"], id="default"),
    pytest.param(["--select", "HOW3"], ["HOW301"], id="select-prefix"),
    pytest.param(["--ignore", "HOW1"], ["HOW301"], id="ignore-prefix"),
    pytest.param(["--select", "HOW100,HOW301", "--ignore", "HOW301"], ["HOW100"], id="both"),
])
def test_select_and_ignore(tmp_path, run_main, args, codes) -> None:
    project(tmp_path, {"bad.py": BAD + "\n\ndef other():\n    return 1\n"})
    _, out, _ = run_main(["--all", "--output-format", "json", *args], tmp_path)
    assert sorted({r["code"] for r in json.loads(out)}) == codes


def test_statistics(tmp_path, run_main) -> None:
    project(tmp_path, {"bad.py": BAD + "\n\ndef other():\n    return 1\n"})
    _, out, _ = run_main(["--all", "--statistics"], tmp_path)
    assert "     1  HOW100  missing-docstring\n" in out
    assert "     1  HOW301  vague-word\n" in out


@pytest.mark.parametrize("argv, needle", [
    pytest.param(["--all", "missing.py"], "missing.py: no such file or directory", id="missing-path"),
    pytest.param(["--bogus"], "unrecognized arguments: --bogus", id="bad-flag"),
    pytest.param(["--select", "HOX1"], "unknown rule selector 'HOX1'", id="bad-selector"),
    pytest.param(["--jobs", "0"], "expected 1 or more", id="bad-jobs"),
    pytest.param(["--explain", "HOW999"], "unknown rule code 'HOW999'", id="bad-explain"),
    pytest.param(["--config", "nope.toml"], "config file nope.toml does not exist", id="no-config"),
    pytest.param(["--al"], "unrecognized arguments: --al; did you mean --all?",
                 id="no-abbreviations-and-a-suggestion"),
    pytest.param(["--output-format", "json", "--al"], "did you mean --all?",
                 id="abbreviation-after-a-value"),
    pytest.param(["--exit-zeroo"], "did you mean --exit-zero?", id="typo"),
    pytest.param(["--zzzzzz"], "unrecognized arguments: --zzzzzz (see", id="nothing-close"),
    pytest.param(["--config", "scope=3"], "--config scope=3: scope must be one of",
                 id="bad-override-blamed-on-itself"),
    pytest.param(["--config", 'llm.timeout="x"'], '--config llm.timeout="x": llm.timeout must',
                 id="bad-nested-override"),
    pytest.param(["--config", "scoep='all'"], "did you mean scope?", id="override-key-typo"),
    pytest.param(["--stdin-filename", "a.py", "b.py"], "--stdin-filename PATH",
                 id="stdin-filename-with-another-path"),
    pytest.param(["-"], "--stdin-filename PATH", id="dash-without-stdin-filename"),
])
def test_usage_errors_are_one_line(tmp_path, capsys, monkeypatch, argv, needle) -> None:
    from howto_hook.main import main

    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("config, needle", [
    pytest.param("[tool.howto]\nbogus = 1\n", "unknown key tool.howto.bogus", id="unknown-key"),
    pytest.param("[tool.howto]\nscope = 3\n", "tool.howto.scope must be one of", id="wrong-type"),
    pytest.param("[tool.howto]\nselect = 'HOW1'\n", "tool.howto.select must be a list", id="not-list"),
    pytest.param("[tool.howto.llm]\ntimeout = 'x'\n", "tool.howto.llm.timeout must be a number",
                 id="llm-type"),
    pytest.param("[tool.howto.llm]\nmodle = 'x'\n", "unknown key tool.howto.llm.modle", id="llm-key"),
    pytest.param("[tool.howto]\nextend-exlude = []\n",
                 "unknown key tool.howto.extend-exlude (did you mean tool.howto.extend-exclude?",
                 id="key-typo-suggestion"),
    pytest.param("[tool.howto\n", "is not valid TOML", id="bad-toml"),
    pytest.param("[tool.howto]\nselect = ['HOX']\n", "unknown rule selector 'HOX'", id="bad-select"),
])
def test_config_errors_name_key_and_file(tmp_path, run_main, config, needle) -> None:
    project(tmp_path, {"good.py": GOOD}, config)
    status, out, err = run_main(["--all"], tmp_path)
    assert status == 2 and out == ""
    assert needle in err and "pyproject.toml" in err and err.count("\n") == 1


def test_config_is_found_upwards_and_anchors_patterns(tmp_path, run_main) -> None:
    project(tmp_path, {"pkg/sub/bad.py": BAD, "pkg/gen/bad.py": BAD},
            '[tool.howto]\nextend-exclude = ["pkg/gen"]\n'
            '[tool.howto.per-file-ignores]\n"pkg/sub/*" = ["HOW3"]\n')
    status, out, err = run_main(["--all", "."], tmp_path / "pkg" / "sub")
    assert (status, out) == (0, "")
    status, out, _ = run_main(["--all", "."], tmp_path / "pkg")
    assert out == ""  # gen is excluded, sub ignores HOW3


def test_exclude_applies_to_explicit_files(tmp_path, run_main) -> None:
    project(tmp_path, {"migrations/bad.py": BAD}, '[tool.howto]\nextend-exclude = ["migrations"]\n')
    status, out, err = run_main(["--all", "migrations/bad.py"], tmp_path)
    assert (status, out) == (0, "")
    assert "0 definitions in 0 files" in err


@pytest.mark.parametrize("noqa_line, expected", [
    pytest.param(None, ["HOW301"], id="none"),
    pytest.param("def send_report(path: str) -> int:  # noqa", [], id="bare-on-def"),
    pytest.param("def send_report(path: str) -> int:  # noqa: HOW301", [], id="code-on-def"),
    pytest.param("def send_report(path: str) -> int:  # noqa: HOW100", ["HOW900", "HOW301"],
                 id="other-code-is-unused"),
    pytest.param('    """  # noqa: HOW301', [], id="on-closing-quotes"),
])
def test_noqa(tmp_path, run_main, noqa_line, expected) -> None:
    source = BAD
    if noqa_line is not None:
        old = noqa_line.split("  # noqa")[0]
        source = source.replace(old + "\n", noqa_line + "\n", 1) if old.startswith("def") else \
            source.replace('\n    """\n', '\n    """  # noqa: HOW301\n', 1)
    project(tmp_path, {"m.py": source})
    _, out, _ = run_main(["--all", "--output-format", "json"], tmp_path)
    assert [r["code"] for r in json.loads(out)] == expected


def test_walk_skips_virtualenvs_builds_and_gitignored(tmp_path, run_main) -> None:
    project(tmp_path, {
        "src/bad.py": BAD, ".venv/lib/bad.py": BAD, "build/lib/bad.py": BAD,
        "src/__pycache__/bad.py": BAD, "generated/bad.py": BAD, "notes.txt": "x",
        ".gitignore": "generated/\n",
    })
    git(str(tmp_path), "init", "-q")
    _, out, _ = run_main(["--all", "--output-format", "json"], tmp_path)
    assert sorted({r["path"] for r in json.loads(out)}) == ["src/bad.py"]


def test_walk_outside_git(tmp_path, run_main) -> None:
    project(tmp_path, {"a/bad.py": BAD, "venv/bad.py": BAD, "a/x.txt": "no"})
    _, out, _ = run_main(["--all", "--output-format", "json", str(tmp_path)], tmp_path)
    assert sorted({r["path"] for r in json.loads(out)}) == ["a/bad.py"]


def test_syntax_error_is_reported_and_the_run_goes_on(tmp_path, run_main) -> None:
    project(tmp_path, {"a.py": "def f(:\n", "b.py": BAD})
    status, out, err = run_main(["--all"], tmp_path)
    assert status == 1
    assert out.splitlines()[0].startswith("a.py:1:7: HOW001 syntax error")
    assert out.splitlines()[1].startswith("b.py:9:35: HOW301")


@pytest.mark.parametrize("env, colored", [
    pytest.param({"FORCE_COLOR": "1"}, True, id="forced"),
    pytest.param({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, id="no-color-wins"),
    pytest.param({}, False, id="not-a-tty"),
])
def test_color(tmp_path, capsys, monkeypatch, env, colored) -> None:
    from howto_hook.main import main

    project(tmp_path, {"bad.py": BAD})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    main(["--all"])
    assert ("\033[" in capsys.readouterr().out) is colored


def test_jobs_give_the_same_result(tmp_path, run_main) -> None:
    files = {f"m{i:02}.py": (BAD if i % 3 else GOOD) for i in range(40)}
    project(tmp_path, files)
    one = run_main(["--all", "--jobs", "1"], tmp_path)
    two = run_main(["--all", "--jobs", "2"], tmp_path)
    assert one == two and one[1].count("\n") == 26


def test_explain_and_version(run_main, tmp_path) -> None:
    status, out, _ = run_main(["--explain", "how301"], tmp_path)
    assert status == 0 and out.startswith("# HOW301 vague-word") and "## Use instead" in out
    from howto_hook import __version__
    status, out, _ = run_main(["--version"], tmp_path)
    assert status == 0 and __version__ in out


@pytest.mark.parametrize("argv, field, value", [
    pytest.param([], "paths", (), id="no-paths"),
    pytest.param(["a.py", "src"], "paths", ("a.py", "src"), id="paths"),
    pytest.param(["--diff-base", "origin/main"], "diff_base", "origin/main", id="dashed-flag"),
    pytest.param(["--generate-baseline", "b.json"], "all", True, id="baseline-implies-all"),
    pytest.param(["--diff"], "fixing", True, id="diff-is-fixing"),
    pytest.param(["--jobs", "3"], "jobs", 3, id="typed"),
])
def test_options_have_one_field_per_flag(argv: "list[str]", field: str, value: object) -> None:
    from howto_hook.cli import Options, build_parser, parse_args

    # a flag added to OPTIONS without its field in Options fails here first
    assert set(Options._fields) == set(vars(build_parser().parse_args([])))
    assert getattr(parse_args(argv), field) == value
