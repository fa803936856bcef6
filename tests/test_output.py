"""Output a CI can trust: machine formats anchored at the repository root,
one clean document on stdout, any stream encoding, colour as asked."""
from __future__ import annotations

import io
import json
import ntpath
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import GOOD_GUIDE, REPO, cli, function_source, git

# a fix here runs its candidates' examples, on an interpreter that imports the
# files (issue 20 item 8: without one, only verbatim examples are written)
pytestmark = pytest.mark.usefixtures("project_importable")

BAD = function_source(GOOD_GUIDE.replace("reads the report", "is getting the report"))
SCHEMA = Path(REPO) / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"
# a space, a comma, a percent sign, a colon (a URI scheme if left bare) and
# non-ASCII letters, each where a careless encoder would break
ODD = ("pkg/sub dir/a,b:c%25.py", "pkg/x:y.py", "pkg/日本.py")


def odd_repo(root: Path) -> Path:
    for name in ODD:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(BAD, encoding="utf-8")
    (root / "pkg" / "sub dir" / "deeper").mkdir()
    git(str(root), "init", "-q", "-b", "main")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-q", "-m", "odd names")
    return root


def test_sarif_validates_against_the_2_1_0_schema_from_a_subdirectory(tmp_path,
                                                                       run_main) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    root = odd_repo(tmp_path)
    status, out, _ = run_main(["--all", "--output-format", "sarif", "."],
                              root / "pkg" / "sub dir" / "deeper")
    assert status == 0 and json.loads(out)["runs"][0]["results"] == []  # nothing below
    status, out, _ = run_main(["--all", "--output-format", "sarif", "../.."],
                              root / "pkg" / "sub dir")
    assert status == 1
    doc = json.loads(out)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, errors[0]
    run = doc["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == root.as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"] for r in run["results"]]
    uris = sorted(loc["artifactLocation"]["uri"] for loc in locations)
    assert uris == sorted(["pkg/sub%20dir/a%2Cb%3Ac%2525.py", "pkg/x%3Ay.py",
                           "pkg/%E6%97%A5%E6%9C%AC.py"])
    # each uri, resolved against the base, is the file
    for uri in uris:
        assert (root / unquote(uri)).is_file(), uri
    assert {loc["artifactLocation"]["uriBaseId"] for loc in locations} == {"%SRCROOT%"}
    assert {tuple(loc["region"].values()) for loc in locations} == {(9, 35, 9, 42)}


def test_sarif_rules_carry_their_own_help_and_findings_a_stable_fingerprint(tmp_path,
                                                                            run_main) -> None:
    (tmp_path / "a.py").write_text(BAD, encoding="utf-8")
    _, out, _ = run_main(["--all", "--output-format", "sarif"], tmp_path)
    run = json.loads(out)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len({r["helpUri"] for r in rules.values()}) == len(rules)
    assert rules["HOW301"]["helpUri"].endswith("/rule_docs/HOW301.md")
    assert rules["HOW301"]["help"]["markdown"].startswith("# HOW301 vague-word")
    assert "whole-word and case-insensitive" in rules["HOW301"]["help"]["text"]
    assert all(r["fullDescription"] != r["shortDescription"] for r in rules.values())
    (first,) = run["results"]
    # lines move, the fingerprint stays; the docstring changes, it changes
    (tmp_path / "a.py").write_text("import os\n\n\n" + BAD, encoding="utf-8")
    _, out, _ = run_main(["--all", "--output-format", "sarif"], tmp_path)
    (moved,) = json.loads(out)["runs"][0]["results"]
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    assert moved["partialFingerprints"] == first["partialFingerprints"]
    (tmp_path / "a.py").write_text(BAD.replace("to the team", "to our team"), encoding="utf-8")
    _, out, _ = run_main(["--all", "--output-format", "sarif"], tmp_path)
    (edited,) = json.loads(out)["runs"][0]["results"]
    assert edited["partialFingerprints"] != first["partialFingerprints"]


@pytest.mark.parametrize("fmt, expected", [
    pytest.param("json", None, id="json"),
    pytest.param("github", "::error file=pkg/x%3Ay.py,line=9,col=35,endLine=9,endColumn=42,"
                           "title=HOW301::HOW301 vague word", id="github"),
])
def test_machine_paths_are_relative_to_the_repository_root(tmp_path, run_main, fmt,
                                                           expected) -> None:
    root = odd_repo(tmp_path)
    status, out, _ = run_main(["--all", "--output-format", fmt, "x:y.py"], root / "pkg")
    assert status == 1
    if fmt == "json":
        (row,) = json.loads(out)
        assert (row["path"], row["filename"]) == ("pkg/x:y.py", str(root / "pkg" / "x:y.py"))
        assert (row["end_line"], row["end_column"], row["fixable"]) == (9, 42, False)
        assert row["url"].endswith("/rule_docs/HOW301.md")
    else:
        assert out.startswith(expected)


def test_outside_git_machine_paths_are_relative_to_the_working_directory(tmp_path,
                                                                         run_main) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text(BAD, encoding="utf-8")
    _, out, _ = run_main(["--all", "--output-format", "json", "a.py"], tmp_path / "sub")
    assert [r["path"] for r in json.loads(out)] == ["a.py"]


@pytest.mark.parametrize("fmt, parse", [
    pytest.param("json", json.loads, id="json-is-one-json-document"),
    pytest.param("text", str.splitlines, id="text-is-the-table-only"),
])
def test_statistics_print_only_their_table(tmp_path, run_main, fmt, parse) -> None:
    (tmp_path / "a.py").write_text(BAD + "\n\ndef other():\n    return 1\n", encoding="utf-8")
    status, out, _ = run_main(["--all", "--statistics", "--output-format", fmt], tmp_path)
    assert status == 1
    table = parse(out)
    if fmt == "json":
        assert table == [{"code": "HOW100", "name": "missing-docstring", "count": 1,
                          "fixable": True},
                         {"code": "HOW301", "name": "vague-word", "count": 1, "fixable": False}]
    else:
        assert table == ["     1  HOW100  missing-docstring", "     1  HOW301  vague-word"]


@pytest.mark.parametrize("args", [
    pytest.param(["--output-format", "json"], id="json"),
    pytest.param(["--output-format", "sarif"], id="sarif"),
    pytest.param(["--output-format", "github"], id="github"),
    pytest.param(["--statistics"], id="statistics"),
])
def test_diff_with_another_document_is_a_usage_error(tmp_path, run_main, args) -> None:
    (tmp_path / "a.py").write_text("def f(x):\n    return x\n", encoding="utf-8")
    status, out, err = run_main(["--all", "--fix", "--diff", *args], tmp_path)
    assert (status, out) == (2, "")
    assert "--diff prints a diff" in err and err.count("\n") == 1
    assert (tmp_path / "a.py").read_text() == "def f(x):\n    return x\n"


def test_diff_summary_says_what_would_be_fixed_and_what_would_remain(tmp_path,
                                                                     run_main) -> None:
    (tmp_path / "a.py").write_text(BAD + "\n\ndef other(x):\n    return x\n",
                                   encoding="utf-8")
    status, out, err = run_main(["--all", "--diff"], tmp_path)
    assert status == 1 and out.startswith("--- a/a.py\n+++ b/a.py\n")
    assert "All checks passed" not in err
    assert err.endswith("Would fix 1 definition in 1 file; 1 could not be fixed (see above); "
                        "1 violation would remain.\n")


@pytest.mark.parametrize("argv, status", [
    pytest.param(["--fix"], 0, id="fix-left-nothing:-0-as-ruff"),
    pytest.param(["--fix", "--exit-non-zero-on-fix"], 1, id="exit-non-zero-on-fix"),
    pytest.param(["--fix", "--exit-zero"], 0, id="exit-zero-covers-fix"),
    pytest.param(["--fix", "--exit-zero", "--exit-non-zero-on-fix"], 0,
                 id="exit-zero-wins"),
])
def test_exit_zero_covers_fix(tmp_path, run_main, argv, status) -> None:
    (tmp_path / "a.py").write_text("def f(x):\n    return x\n", encoding="utf-8")
    assert run_main(["--all", *argv], tmp_path)[0] == status
    assert "How to Use This Code Block" in (tmp_path / "a.py").read_text()


def test_a_cp1252_pipe_gets_escapes_not_a_crash(tmp_path) -> None:
    (tmp_path / "日本.py").write_text(BAD, encoding="utf-8")
    text = cli(["--all", "."], str(tmp_path), env={"PYTHONIOENCODING": "cp1252"})
    assert text.returncode == 1, text.stderr
    assert text.stdout.startswith("\\u65e5\\u672c.py:9:35: HOW301")
    # machine formats are UTF-8 whatever the console's code page
    proc = subprocess.run([sys.executable, "-m", "howto_hook", "--all", "--output-format",
                           "json", "."], cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE,
                          env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout.decode("utf-8"))[0]["path"] == "日本.py"


@pytest.mark.parametrize("mode, env, tty, expected", [
    pytest.param("auto", {}, True, True, id="terminal"),
    pytest.param("auto", {}, False, False, id="pipe"),
    pytest.param("auto", {"NO_COLOR": "1"}, True, False, id="no-color"),
    pytest.param("auto", {"FORCE_COLOR": "1"}, False, True, id="force-color"),
    pytest.param("auto", {"TERM": "dumb"}, True, False, id="dumb-terminal"),
    pytest.param("auto", {"NO_COLOR": "", "TERM": "xterm"}, True, True, id="empty-no-color"),
    pytest.param("always", {"NO_COLOR": "1"}, False, True, id="always"),
    pytest.param("never", {"FORCE_COLOR": "1"}, True, False, id="never"),
])
def test_colour(mode, env, tty, expected) -> None:
    from howto_hook.streams import use_color

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert use_color(mode, Stream(), env) is expected


def test_color_flag_reaches_the_text_output(tmp_path, run_main) -> None:
    (tmp_path / "a.py").write_text(BAD, encoding="utf-8")
    assert "\033[" in run_main(["--all", "--color", "always"], tmp_path)[1]
    assert "\033[" not in run_main(["--all", "--color", "never"], tmp_path)[1]


def test_relative_path_across_windows_drives_falls_back_to_absolute(monkeypatch) -> None:
    from howto_hook import streams

    monkeypatch.setattr(streams.os, "path", ntpath)
    assert streams.relative("D:\\src\\a.py", "C:\\work") == "D:\\src\\a.py"
    assert streams.relative("C:\\work\\pkg\\a.py", "C:\\work") == "pkg\\a.py"


def test_the_cache_key_holds_the_interpreter(monkeypatch) -> None:
    from howto_hook import cache
    from howto_hook.config import Settings

    enabled = frozenset({"HOW204"})
    cache.settings_token.cache_clear()
    here = cache.settings_token(Settings(), enabled)
    monkeypatch.setattr(sys, "version", "3.9.0 (other)")
    cache.settings_token.cache_clear()
    assert cache.settings_token(Settings(), enabled) != here
    cache.settings_token.cache_clear()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream, shown", [
    pytest.param(_Terminal, True, id="terminal"),
    pytest.param(io.StringIO, False, id="pipe-or-log"),
])
def test_a_long_check_shows_progress_on_a_terminal_only(tmp_path, monkeypatch, stream,
                                                        shown) -> None:
    from howto_hook.main import main

    for n in range(25):
        (tmp_path / f"m{n}.py").write_text(f"def f{n}(x):\n    return x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["--all", "--no-cache", "--output-format", "json", "."]) == 1
    assert ("\rhowto-check: checking files 25/25\n" in err.getvalue()) is shown
    assert ("checking files 1/25" in err.getvalue()) is shown


TWO_VAGUE = GOOD_GUIDE.replace("reads the report", "is getting the report").replace(
    "and posts it", "and is doing the post")


@pytest.mark.parametrize("before", [
    pytest.param("", id="as-written"),
    pytest.param("import os\n\n\n", id="lines-moved"),
])
def test_sarif_findings_in_one_docstring_have_distinct_stable_fingerprints(tmp_path, run_main,
                                                                           before) -> None:
    def prints(source: str) -> "list[str]":
        (tmp_path / "a.py").write_text(source, encoding="utf-8")
        _, out, _ = run_main(["--all", "--output-format", "sarif"], tmp_path)
        return [r["partialFingerprints"]["howtoFinding/v1"]
                for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "HOW301"]

    first = prints(function_source(TWO_VAGUE))
    assert len(first) == 2 and len(set(first)) == 2
    assert prints(before + function_source(TWO_VAGUE)) == first


def test_json_carries_ruffs_fields_as_ruff_writes_them(tmp_path, run_main) -> None:
    (tmp_path / "a.py").write_text("def bare(x):\n    return x\n", encoding="utf-8")
    _, out, _ = run_main(["--all", "--output-format", "json"], tmp_path)
    ours = json.loads(out)[0]  # HOW100, where ruff reports D103
    ruff = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache",
                           "--isolated", "--output-format", "json", "--select", "D103",
                           "--exit-zero", "a.py"], cwd=tmp_path, stdout=subprocess.PIPE,
                          text=True, check=True)
    theirs = json.loads(ruff.stdout)[0]
    assert set(theirs) <= set(ours), set(theirs) - set(ours)
    for key, value in theirs.items():
        assert type(ours[key]) is type(value), key
        if isinstance(value, dict):
            assert set(ours[key]) == set(value), key
    assert ours["location"] == {"row": ours["line"], "column": ours["column"]}
    assert ours["end_location"] == {"row": ours["end_line"], "column": ours["end_column"]}
    assert ours["location"] == theirs["location"] and ours["noqa_row"] == theirs["noqa_row"]
    assert os.path.isabs(ours["filename"])
