"""A repository's config cannot run code or send the source and a key until
the user trusts it (--trust or HOWTO_TRUST=1, remembered by hash)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import LLM_ANSWER, git, write_tree
from llm_server import ChatServer, Reply

from howto_hook import trust


GUIDED = '''\
def target() -> None:
    """Do nothing, on purpose.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `target` function does nothing and returns None.

    Execution Steps
    ---------------
    1. **Return None**: Returns None at once.

    Usage Example
    -------------

    ```python
    from sub.mod import target

    target()
    ```
    """
'''
EVIL = "#!/bin/sh\ntouch {marker}\n"
SECRET = "ghp_secretsecretsecretsecret0123456789"
ANSWER = LLM_ANSWER
SCALE = "def scale(values: list, factor: float = 2.0) -> list:\n    return [v * factor for v in values]\n"


@pytest.fixture
def home(tmp_path_factory, monkeypatch) -> Path:
    """HOME, XDG_CONFIG_HOME and XDG_DATA_HOME of this test's own; no trust from outside."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(base))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.delenv("HOWTO_TRUST", raising=False)
    return base


def evil_repo(root: Path) -> Path:
    """A committed repository whose subdirectory config runs ./evil.sh as the examples' python."""
    marker = root.parent / f"{root.name}-ran"
    write_tree(root, {
        "sub/__init__.py": "",
        "sub/mod.py": GUIDED,
        "sub/howto.toml": 'run-examples = true\nexample-python = "./evil.sh"\n',
        "sub/evil.sh": EVIL.format(marker=marker),
    })
    (root / "sub" / "evil.sh").chmod(0o755)
    git(str(root), "init", "-q")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-qm", "evil")
    return marker


# (flags, environment, runs): what makes the repository's config count
TRUSTS = [
    pytest.param([], {}, False, id="untrusted"),
    pytest.param(["--trust"], {}, True, id="flag"),
    pytest.param([], {"HOWTO_TRUST": "1"}, True, id="env-1"),
    pytest.param([], {"HOWTO_TRUST": "yes"}, False, id="env-other-value"),
    pytest.param([], {"HOWTO_TRUST": "0"}, False, id="env-0"),
]


@pytest.mark.parametrize("flags, env, runs", TRUSTS)
def test_config_runs_nothing_until_trusted(tmp_path: Path, home: Path, run_main, monkeypatch,
                                           flags: List[str], env: Dict[str, str],
                                           runs: bool) -> None:
    root = tmp_path / "repo"
    marker = evil_repo(root)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    status, _, err = run_main(["--all", *flags], str(root))
    assert marker.exists() is runs
    if not runs:
        assert status == 0, err
        (line,) = [x for x in err.splitlines() if "ignoring" in x]
        assert "run-examples, example-python" in line
        assert str(root / "sub" / "howto.toml") in line
        assert "--trust" in line and "HOWTO_TRUST=1" in line


def test_trust_is_remembered_until_the_file_changes(tmp_path: Path, home: Path,
                                                    run_main) -> None:
    root = tmp_path / "repo"
    marker = evil_repo(root)
    run_main(["--all", "--trust"], str(root))
    assert marker.exists()
    assert list((home / "data" / "howto" / "trusted").iterdir())
    marker.unlink()
    run_main(["--all"], str(root))  # remembered: no flag needed
    assert marker.exists()
    marker.unlink()
    config = root / "sub" / "howto.toml"
    config.write_text(config.read_text() + "example-timeout = 3\n")
    status, _, err = run_main(["--all"], str(root))
    assert not marker.exists()
    assert "has changed since it was trusted" in err
    run_main(["--all"], str(root))
    assert not marker.exists()
    # HOWTO_TRUST with another value does not revoke what was trusted
    run_main(["--all", "--trust"], str(root))
    marker.unlink()
    status, _, err = run_main(["--all"], str(root))
    assert marker.exists() and "ignoring" not in err


def llm_repo(root: Path, server: ChatServer, place: str) -> None:
    """A repository whose config sends the source and GITHUB_TOKEN to `server`."""
    table = (f'[fix]\ngenerator = "llm"\n[llm]\nbase-url = "{server.base_url}"\n'
             'api-key-env = "GITHUB_TOKEN"\nmodel = "m"\nmax-retries = 0\ntimeout = 5\n')
    files = {"m.py": SCALE}
    if place == "pyproject":
        files["pyproject.toml"] = "[tool.howto]\n" + table.replace("[", "[tool.howto.")
    else:
        files["howto.toml"] = table
    write_tree(root, files)
    git(str(root), "init", "-q")
    git(str(root), "add", "-A")
    git(str(root), "commit", "-qm", "evil")


@pytest.mark.parametrize("place", ["pyproject", "howto.toml"])
@pytest.mark.parametrize("flags, env, sends", TRUSTS)
def test_config_sends_nothing_until_trusted(tmp_path: Path, home: Path, run_main, monkeypatch,
                                            place: str, flags: List[str], env: Dict[str, str],
                                            sends: bool) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    root = tmp_path / "repo"
    with ChatServer(lambda body, n: Reply(content=ANSWER)) as server:
        llm_repo(root, server, place)
        # the template's examples run on this interpreter, which imports the
        # repository's files (without one, only verbatim examples are written)
        status, _, err = run_main(["--fix", "--all", "--example-python", sys.executable,
                                   *flags], str(root))
    assert bool(server.requests) is sends, err
    if not sends:
        # the template wrote the guide offline; nothing left the machine
        assert "def scale" in (root / "m.py").read_text()
        assert "How to Use This Code Block" in (root / "m.py").read_text()
        prefix = "tool.howto." if place == "pyproject" else ""
        assert f"{prefix}fix.generator, {prefix}llm.base-url, {prefix}llm.api-key-env" in err


def test_user_config_and_command_line_are_trusted(tmp_path: Path, home: Path, run_main,
                                                  monkeypatch) -> None:
    """The user's own config and --config KEY=VALUE are the user's word."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    root = tmp_path / "repo"
    write_tree(root, {"m.py": SCALE})
    with ChatServer(lambda body, n: Reply(content=ANSWER)) as server:
        write_tree(home / "config", {"howto/config.toml": (
            # the user's interpreter imports the repository: the answer's example runs
            f'example-python = {json.dumps(sys.executable)}\n'
            f'[fix]\ngenerator = "llm"\n[llm]\nbase-url = "{server.base_url}"\n'
            'model = "m"\nmax-retries = 0\n')})
        status, _, err = run_main(["--fix", "--all"], str(root))
        assert len(server.requests) == 1, err
        (home / "config" / "howto" / "config.toml").unlink()
        (root / "m.py").write_text(SCALE)
        status, _, err = run_main(["--fix", "--all", "--generator", "llm", "--config",
                                   f'llm.base-url="{server.base_url}"', "--config",
                                   'llm.max-retries=0', "--example-python", sys.executable],
                                  str(root))
        assert len(server.requests) == 2, err
    assert "ignoring" not in err


def test_user_config_mistake_names_the_file(tmp_path: Path, home: Path, run_main) -> None:
    write_tree(home / "config", {"howto/config.toml": "scope = 3\n"})
    write_tree(tmp_path, {"m.py": SCALE})
    status, _, err = run_main(["--all"], str(tmp_path))
    assert status == 2
    assert err == (f"howto-check: error: {home / 'config' / 'howto' / 'config.toml'}: scope "
                   "must be one of 'public', 'all', got 3\n")


@pytest.mark.parametrize("table, removed", [
    pytest.param({"run-examples": True, "scope": "all"}, ["run-examples"], id="top"),
    pytest.param({"llm": {"base-url": "x", "model": "m"}, "fix": {"generator": "llm"}},
                 ["fix.generator", "llm.base-url"], id="tables"),
    pytest.param({"llm": "not a table"}, [], id="wrong-type-left-for-validation"),
    pytest.param({"title": "T"}, [], id="none"),
    # a value that only holds howto-check back is anyone's to say
    pytest.param({"run-examples": False, "fix": {"generator": "template"}}, [],
                 id="opting-out-needs-no-trust"),
    pytest.param({"run-examples": 0, "fix": {"generator": "Template"}},
                 ["run-examples", "fix.generator"], id="only-the-exact-harmless-values"),
])
def test_sensitive_keys_are_found_and_removed(table: dict, removed: List[str]) -> None:
    assert trust.sensitive_keys(table) == removed
    kept = trust.without_sensitive(table)
    assert trust.sensitive_keys(kept) == []
    assert kept.get("scope") == table.get("scope")
    assert kept.get("run-examples") == (False if table.get("run-examples") is False else None)
    if "llm" in table and isinstance(table["llm"], dict):
        assert kept["llm"] == {"model": "m"} and table["llm"]["base-url"] == "x"
