"""The trust decisions as tables, in-process: which keys of a repository's
config need the user's word, where the user's files live, and the records of
trusted files (written, read back, revoked by an edit, refused when forged).

test_trust.py runs the whole tool on malicious repositories; these cases pin
each decision on its own, so that a one-token bug in trust.py fails one.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any, Dict, List, Mapping

import pytest

from howto_hook import trust

EVERY_KEY = {"run-examples": True, "example-python": "./evil.sh",
             "fix": {"generator": "llm"},
             "llm": {"base-url": "http://attacker/v1", "api-key-env": "GITHUB_TOKEN"}}


@pytest.mark.parametrize("flag, environ, expected", [
    pytest.param(False, {}, False, id="neither"),
    pytest.param(True, {}, True, id="flag"),
    pytest.param(False, {"HOWTO_TRUST": "1"}, True, id="env-1"),
    pytest.param(True, {"HOWTO_TRUST": "0"}, True, id="flag-beats-env-0"),
    pytest.param(False, {"HOWTO_TRUST": "yes"}, False, id="env-other-value"),
    pytest.param(False, {"HOWTO_TRUST": ""}, False, id="env-empty"),
    pytest.param(False, {"OTHER": "1"}, False, id="another-variable"),
])
def test_wanted(flag: bool, environ: Dict[str, str], expected: bool) -> None:
    assert trust.wanted(flag, environ) is expected


# (table, the sensitive keys it sets, the table without them)
KEYS = [
    pytest.param(EVERY_KEY,
                 ["run-examples", "example-python", "fix.generator", "llm.base-url",
                  "llm.api-key-env"],
                 {"fix": {}, "llm": {}}, id="every-key-in-order"),
    pytest.param({"example-python": "/usr/bin/python3", "scope": "all"}, ["example-python"],
                 {"scope": "all"}, id="example-python"),
    pytest.param({"llm": {"api-key-env": "GITHUB_TOKEN", "model": "m"}}, ["llm.api-key-env"],
                 {"llm": {"model": "m"}}, id="api-key-env"),
    pytest.param({"llm": {"base-url": "http://attacker/v1"}}, ["llm.base-url"], {"llm": {}},
                 id="base-url"),
    pytest.param({"fix": {"generator": "llm"}}, ["fix.generator"], {"fix": {}},
                 id="generator-llm"),
    pytest.param({"run-examples": True}, ["run-examples"], {}, id="run-examples-true"),
    # values that only hold howto-check back need no trust, and stay
    pytest.param({"run-examples": False}, [], {"run-examples": False}, id="run-examples-false"),
    pytest.param({"fix": {"generator": "template"}}, [], {"fix": {"generator": "template"}},
                 id="generator-template"),
    # ... but only those exact values, of that exact type
    pytest.param({"run-examples": 0}, ["run-examples"], {}, id="zero-is-not-false"),
    pytest.param({"run-examples": "false"}, ["run-examples"], {}, id="string-false"),
    pytest.param({"fix": {"generator": "Template"}}, ["fix.generator"], {"fix": {}},
                 id="generator-other-case"),
    pytest.param({"example-python": False}, ["example-python"], {},
                 id="false-is-harmless-only-for-run-examples"),
    pytest.param({"llm": {"base-url": "template"}}, ["llm.base-url"], {"llm": {}},
                 id="template-is-harmless-only-for-the-generator"),
    # a key under a value that is no table is left for validation to name
    pytest.param({"llm": "http://attacker/v1", "fix": ["generator"]}, [],
                 {"llm": "http://attacker/v1", "fix": ["generator"]}, id="not-tables"),
    pytest.param({"generator": "llm", "base-url": "x", "api-key-env": "K"}, [],
                 {"generator": "llm", "base-url": "x", "api-key-env": "K"},
                 id="nested-names-at-the-top-count-not"),
    pytest.param({"fix": {"run-examples": True}}, [], {"fix": {"run-examples": True}},
                 id="top-names-nested-count-not"),
    pytest.param({}, [], {}, id="empty"),
]


@pytest.mark.parametrize("table, keys, kept", KEYS)
def test_sensitive_keys_and_the_table_without_them(table: Mapping[str, Any], keys: List[str],
                                                   kept: Dict[str, Any]) -> None:
    before = repr(table)
    assert trust.sensitive_keys(table) == keys
    assert trust.without_sensitive(table) == kept
    assert repr(table) == before  # the caller's table, nested tables included, is untouched


@pytest.mark.parametrize("environ, home_relative", [
    pytest.param({}, None, id="defaults"),
    pytest.param({"XDG_DATA_HOME": "relative/data", "XDG_CONFIG_HOME": "relative/config"}, None,
                 id="relative-values-are-ignored"),
    pytest.param({"XDG_DATA_HOME": "", "XDG_CONFIG_HOME": ""}, None, id="empty-values"),
    pytest.param({"XDG_DATA_HOME": "/x/data", "XDG_CONFIG_HOME": "/x/config"}, "/x",
                 id="absolute-values"),
])
def test_user_directories(tmp_path: Path, monkeypatch, environ: Dict[str, str],
                          home_relative: object) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if home_relative is None:
        data, config = tmp_path / ".local" / "share", tmp_path / ".config"
    else:
        data, config = Path("/x/data"), Path("/x/config")
    assert trust.data_dir(environ) == str(data / "howto")
    assert trust.user_config(environ) == str(config / "howto" / "config.toml")
    assert trust.Store.from_environ(environ).directory == str(data / "howto" / "trusted")


def test_record_text() -> None:
    assert trust.content_hash(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert trust.record_text("/r/howto.toml", b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  /r/howto.toml\n")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_private_dir_is_made_0700_and_kept(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b"
    old = os.umask(0o022)
    try:
        assert trust.private_dir(str(directory)) == str(directory)
    finally:
        os.umask(old)
    assert _mode(directory) == 0o700
    (directory / "kept").write_text("x")
    assert trust.private_dir(str(directory)) == str(directory)  # already there: fine
    assert (directory / "kept").read_text() == "x"


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: p.write_text("x"), id="a-file"),
    pytest.param(lambda p: p.symlink_to(p.parent), id="a-link-to-a-directory"),
    pytest.param(lambda p: p.symlink_to(p.parent / "absent"), id="a-dangling-link"),
])
def test_private_dir_refuses_what_is_no_directory(tmp_path: Path, make) -> None:
    target = tmp_path / "d"
    make(target)
    with pytest.raises(OSError):
        trust.private_dir(str(target))


def test_private_dir_refuses_a_directory_of_another_user(tmp_path: Path) -> None:
    """A directory someone else owns could be swapped under the records: refused,
    whichever of the two users has the lower id."""
    own = tmp_path / "own"
    assert trust.private_dir(str(own)) == str(own)
    if os.getuid() != 0:
        # root's directory, seen by this user
        with pytest.raises(OSError, match="is not a directory of this user's"):
            trust.private_dir("/")
        return
    other = tmp_path / "other"
    other.mkdir()
    os.chown(other, 1, 1)
    with pytest.raises(OSError, match="is not a directory of this user's"):
        trust.private_dir(str(other))
    # and root's directory seen by a user with a higher id: in a child that
    # gives up root (the parent stays root)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's outcome is its exit status
        try:
            os.setgid(65534)
            os.setuid(65534)
            trust.private_dir("/")
        except OSError as e:
            os._exit(0 if "not a directory of this user's" in str(e) else 3)
        except BaseException:
            os._exit(4)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_private_dir_where_there_are_no_user_ids(tmp_path: Path, monkeypatch) -> None:
    """Windows has no os.getuid: the owner is not compared there."""
    monkeypatch.delattr(os, "getuid")
    assert trust.private_dir(str(tmp_path / "d")) == str(tmp_path / "d")
    with pytest.raises(OSError):
        trust.private_dir(__file__)


def test_write_private(tmp_path: Path) -> None:
    target = tmp_path / "record"
    trust.write_private(str(target), "one\n")
    trust.write_private(str(target), "two \udcff\n")  # a path's undecodable byte kept
    assert target.read_bytes() == b"two \xff\n"
    assert _mode(target) == 0o600
    assert os.listdir(tmp_path) == ["record"]


def test_write_private_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    (tmp_path / "record").mkdir()  # a directory cannot be replaced by a file
    with pytest.raises(OSError):
        trust.write_private(str(tmp_path / "record"), "x\n")
    assert os.listdir(tmp_path) == ["record"]
    assert os.listdir(tmp_path / "record") == []


# what the store says of a config file after each step
STORE = [
    pytest.param([], "unknown", id="never-trusted"),
    pytest.param(["record"], "trusted", id="recorded"),
    pytest.param(["record", "edit"], "changed", id="edited-after-trust"),
    pytest.param(["record", "edit", "record"], "trusted", id="trusted-again"),
    pytest.param(["forge"], "unknown", id="a-record-of-garbage"),
    pytest.param(["record", "forge-other-path"], "unknown", id="a-record-of-another-file"),
    pytest.param(["forge-huge"], "unknown", id="an-oversized-record-is-not-read"),
    pytest.param(["record-directory"], "unknown", id="a-directory-as-record"),
]


def _record_file(store: trust.Store, config: Path) -> Path:
    name = hashlib.sha256(os.fsencode(os.path.realpath(config))).hexdigest()
    return Path(store.directory) / name


@pytest.mark.parametrize("dirname", [pytest.param("repo", id="utf8-path"),
                                     pytest.param(os.fsdecode(b"repo\xff"), id="undecodable-path")])
@pytest.mark.parametrize("steps, expected", STORE)
def test_store(tmp_path: Path, steps: List[str], expected: str, dirname: str) -> None:
    store = trust.Store(str(tmp_path / "data"))
    assert store.directory == str(tmp_path / "data" / "trusted")
    config = tmp_path / dirname / "howto.toml"
    config.parent.mkdir()
    config.write_text("run-examples = true\n")
    data = b'{"run-examples": true}'
    real = os.path.realpath(config)
    for step in steps:
        if step == "record":
            assert store.record(str(config), data) is None
            assert _record_file(store, config).read_bytes() == os.fsencode(
                trust.record_text(real, data))
        elif step == "edit":
            data += b" "
        else:
            trust.private_dir(store.directory)
            record = _record_file(store, config)
            if step == "forge":
                record.write_bytes(b"garbage")
            elif step == "forge-other-path":
                record.write_bytes(os.fsencode(trust.record_text(real + "x", data)))
            elif step == "forge-huge":
                # an edited file's record, had it fit in the limit
                record.write_bytes(b"x" * (1 << 16) + os.fsencode(f"  {real}\n"))
            else:
                record.mkdir()
    assert store.status(str(config), data) == expected


def test_store_through_a_link_records_the_real_file(tmp_path: Path) -> None:
    store = trust.Store(str(tmp_path / "data"))
    (tmp_path / "repo").mkdir()
    config = tmp_path / "repo" / "howto.toml"
    config.write_text("")
    link = tmp_path / "link.toml"
    link.symlink_to(config)
    assert store.record(str(link), b"x") is None
    assert store.status(str(config), b"x") == "trusted"
    assert os.listdir(store.directory) == [_record_file(store, config).name]


@pytest.mark.parametrize("blocker", [
    pytest.param("data", id="data-dir-is-a-file"),
    pytest.param("data/trusted", id="trusted-dir-is-a-file"),
])
def test_store_record_says_why_it_cannot(tmp_path: Path, blocker: str) -> None:
    (tmp_path / blocker).parent.mkdir(exist_ok=True)
    (tmp_path / blocker).write_text("")
    store = trust.Store(str(tmp_path / "data"))
    problem = store.record(str(tmp_path / "howto.toml"), b"x")
    assert problem is not None
    assert problem.startswith(f"cannot record the trust in {tmp_path / 'data' / 'trusted'}: ")
    assert store.status(str(tmp_path / "howto.toml"), b"x") == "unknown"


def test_trust_in_a_directory_whose_name_is_no_utf8(tmp_path: Path, monkeypatch,
                                                    run_main) -> None:
    """--trust once recorded nothing there: an internal error (UnicodeEncodeError)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("HOWTO_TRUST", raising=False)
    root = tmp_path / os.fsdecode(b"repo\xff")
    root.mkdir()
    (root / "howto.toml").write_text('example-python = "./nothing"\n')
    (root / "m.py").write_text("X = 1\n")
    done = "All checks passed: 0 definitions in 1 file.\n"
    assert run_main(["--all", "--trust"], str(root)) == (0, "", done)
    assert len(os.listdir(tmp_path / "data" / "howto" / "trusted")) == 1
    assert run_main(["--all"], str(root)) == (0, "", done)  # remembered: nothing ignored
