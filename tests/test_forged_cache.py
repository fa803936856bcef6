"""The cache lives in the repository, so anyone who can commit can write it:
a forged, committed or copied entry must never decide a result or a fix."""
from __future__ import annotations

import json
import sys
import os
from pathlib import Path
from typing import Callable

import pytest

from conftest import LLM_ANSWER, git, write_tree
from llm_server import ChatServer, Reply

from howto_hook import cache
from howto_hook.config import Settings
from howto_hook.rules import enabled_codes

NO_DOC = "def f(x):\n    return x\n"
GOOD = LLM_ANSWER
EVIL = json.loads(GOOD) | {"usage_example": "from m import scale\n\nprint(scale([1], factor=7.0))"
                                            "  # ATTACKER"}
# each user's run has an interpreter that imports the project, so the answer's example runs
RUNS = ("--example-python", sys.executable)
SCALE = "def scale(values: list, factor: float = 2.0) -> list:\n    return [v * factor for v in values]\n"


@pytest.fixture
def home(tmp_path_factory, monkeypatch) -> Callable[[str], Path]:
    """Switch to a user of the given name: HOME, XDG_* of their own."""
    def become(name: str) -> Path:
        base = tmp_path_factory.getbasetemp() / f"home-{name}"
        base.mkdir(exist_ok=True)
        monkeypatch.setenv("HOME", str(base))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
        monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
        return base

    become("victim")
    return become


def check_entry(root: Path, value: object) -> Path:
    """Write `value` where the cache keeps the result of m.py (an attacker can compute it)."""
    settings = Settings()
    enabled = enabled_codes(settings.select, settings.ignore)
    k = cache.key(NO_DOC.encode(), str(root / "m.py"), cache.settings_token(settings, enabled))
    path = root / ".howto_cache" / "check" / k[:2] / f"{k}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))
    return path


PASSING = {"v": [], "c": 1, "p": 1, "s": ["f"]}


def forged_plain(root: Path, become) -> None:
    check_entry(root, PASSING)


def forged_seal(root: Path, become) -> None:
    check_entry(root, {"h": "0" * 64, "d": PASSING})


def sealed_by_another_user(root: Path, become) -> None:
    """A real entry, sealed with the attacker's own key, copied into the victim's tree."""
    become("attacker")
    path = check_entry(root, None)
    path.write_text(json.dumps(cache.seal("check", path.stem, PASSING)))
    become("victim")


def renamed_entry(root: Path, become) -> None:
    """The victim's own sealed entry of another file, moved to m.py's name."""
    path = check_entry(root, None)
    path.write_text(json.dumps(cache.seal("check", "0" * 64, PASSING)))


def committed(make: Callable[[Path, Callable], None]) -> Callable[[Path, Callable], None]:
    def build(root: Path, become) -> None:
        make(root, become)
        git(str(root), "add", "-f", ".howto_cache")
        git(str(root), "commit", "-qm", "cache")

    return build


@pytest.mark.parametrize("plant, tracked", [
    pytest.param(forged_plain, False, id="unsealed-entry"),
    pytest.param(forged_seal, False, id="wrong-seal"),
    pytest.param(sealed_by_another_user, False, id="sealed-by-another-user"),
    pytest.param(renamed_entry, False, id="renamed-own-entry"),
    pytest.param(committed(forged_plain), True, id="committed-unsealed"),
    pytest.param(committed(sealed_by_another_user), True, id="committed"),
])
def test_forged_check_entry_never_passes_a_file(tmp_path: Path, home, run_main,
                                                plant: Callable, tracked: bool) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"m.py": NO_DOC})
    git(str(root), "init", "-q")
    git(str(root), "add", "m.py")
    git(str(root), "commit", "-qm", "m")
    plant(root, home)
    status, out, err = run_main(["--all"], str(root))
    assert status == 1, err
    assert "HOW100" in out
    if tracked:
        assert "git tracks files in" in err and "neither read nor written" in err


def test_own_entries_are_read_back(tmp_path: Path, home, run_main) -> None:
    """The control: the cache still works for its own user."""
    write_tree(tmp_path, {"m.py": NO_DOC})
    run_main(["--all"], str(tmp_path))
    entries = list((tmp_path / ".howto_cache" / "check").rglob("*.json"))
    assert len(entries) == 1
    raw = json.loads(entries[0].read_text())
    assert set(raw) == {"h", "d"}
    raw["d"] = PASSING  # tampered with after it was sealed
    entries[0].write_text(json.dumps(raw))
    assert run_main(["--all"], str(tmp_path))[0] == 1
    data = home("victim") / "data" / "howto" / "cache-key"
    assert oct(data.stat().st_mode & 0o777) == "0o600"


def test_links_in_the_cache_are_never_followed(tmp_path: Path, home, run_main) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"m.py": NO_DOC})
    outside = tmp_path / "outside"
    (root / ".howto_cache").mkdir()
    os.symlink(outside / "created", root / ".howto_cache" / ".gitignore")  # dangling
    status, _, err = run_main(["--all"], str(root))
    assert status == 1
    assert not outside.exists() and not (outside / "created").exists()
    assert "is a symbolic link: the cache is neither read nor written" in err
    os.unlink(root / ".howto_cache" / ".gitignore")
    outside.mkdir()
    os.symlink(outside, root / ".howto_cache" / "check")
    run_main(["--all"], str(root))
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("commit", [pytest.param(True, id="committed"),
                                    pytest.param(False, id="copied")])
def test_forged_llm_entry_is_never_written(project, run_main, home, monkeypatch,
                                           commit: bool) -> None:
    """An attacker's cached answer (sealed with their key) in the victim's tree:
    the victim's run asks the server and writes its answer instead."""
    monkeypatch.setenv("HOWTO_TRUST", "1")
    with ChatServer(lambda body, n: Reply(content=json.dumps(EVIL))) as server:
        home("attacker")
        root = project(server, files={"m.py": SCALE})
        git(str(root), "init", "-q")
        status, _, err = run_main(["--all", "--fix", "--generator", "llm", *RUNS], root)
        assert "ATTACKER" in (root / "m.py").read_text(), err
    (root / "m.py").write_text(SCALE)
    if commit:
        git(str(root), "add", "-f", "m.py", "pyproject.toml", ".howto_cache")
        git(str(root), "commit", "-qm", "cache")
    home("victim")
    with ChatServer(lambda body, n: Reply(content=GOOD)) as server:
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text().split("base-url")[0]
            + f'base-url = "{server.base_url}"\nmodel = "test-model"\nmax-retries = 0\n')
        status, _, err = run_main(["--all", "--fix", "--generator", "llm", *RUNS], root)
        assert len(server.requests) == 1, err
    text = (root / "m.py").read_text()
    assert "ATTACKER" not in text and "factor=3.0" in text
