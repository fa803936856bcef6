"""The README a newcomer reads, the release it names, and the docs site:
generated references that match the code, a strict mkdocs build."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from howto_hook import __version__, config

ROOT = Path(REPO)
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted((ROOT / "docs").rglob("*.md"))
TAG = re.compile(r"^v\d+\.\d+\.\d+$")


def gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_reads_in_five_minutes() -> None:
    assert len(README.splitlines()) <= 300
    # what it is, then how to install it, before any reference material
    headings = re.findall(r"^## (.*)$", README, re.M)
    assert headings[:5] == ["What a guide is", "Install", "First run", "pre-commit", "CI"]


@pytest.mark.parametrize("where, pattern", [
    pytest.param("pre-commit rev", r"^\s*rev: (\S+)", id="pre-commit-rev"),
    pytest.param("git+ URL", r"git\+https://github\.com/howto-hook/howto-hook@([^'\s`\"]+)",
                 id="install-url"),
    pytest.param("action ref", r"uses: howto-hook/howto-hook@([^\s`]+)", id="action-ref"),
])
def test_every_pinned_release_is_this_version(where, pattern) -> None:
    texts = {"README.md": README, "CHANGELOG.md": "", **{
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in PAGES}}
    texts[".github/workflows/howto-check.yml"] = (
        ROOT / ".github" / "workflows" / "howto-check.yml").read_text(encoding="utf-8")
    found = {(name, ref) for name, text in texts.items()
             for ref in re.findall(pattern, text + "\n", re.M) if ref != "vX.Y.Z"}
    assert any(name == "README.md" for name, _ in found), where
    for name, ref in found:
        assert TAG.match(ref) and ref == f"v{__version__}", (name, where, ref)


def test_the_changelog_has_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d\d-\d\d$", changelog, re.M)
    assert versions and versions[0] == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_generated_pages_are_current() -> None:
    stale = [rel for rel, text in gen_docs().pages().items()
             if not (ROOT / "docs" / rel).is_file()
             or (ROOT / "docs" / rel).read_text(encoding="utf-8") != text]
    assert not stale, f"run python tools/gen_docs.py: {stale}"


def test_every_flag_of_help_is_in_the_reference() -> None:
    help_text = subprocess.run([sys.executable, "-m", "howto_hook", "--help"],
                               stdout=subprocess.PIPE, text=True, check=True).stdout
    flags = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", help_text))
    page = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert len(flags) > 30
    assert {f for f in flags if f"`{f}`" not in page} == set()


def test_every_config_key_is_in_the_reference() -> None:
    page = (ROOT / "docs" / "reference" / "configuration.md").read_text(encoding="utf-8")
    keys = [*config._TOP, "fix", "llm", "extend-banned-words"]
    assert {k for k in keys if f"| `{k}` |" not in page and f"tool.howto.{k}]" not in page} \
        == set()
    assert {k for k in config._LLM if f"| `{k}` |" not in page} == set()
    # a key the validation refuses is not documented as one
    assert "| `no-such-key` |" not in page


def test_a_key_without_a_meaning_stops_the_generator(monkeypatch) -> None:
    module = gen_docs()
    monkeypatch.delitem(module.MEANING, "scope")
    with pytest.raises(SystemExit, match="'scope'"):
        module.pages()


def test_the_docs_site_builds_strictly(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                           "-d", str(tmp_path / "site")], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").is_file()
    assert (tmp_path / "site" / "rules" / "HOW301" / "index.html").is_file()
