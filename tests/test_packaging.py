"""What a user installs: the sdist holds what its own tests need, and builds
and installs offline with the setuptools pyproject.toml asks for."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import REPO

WHEELHOUSE = os.path.join(REPO, ".wheelhouse")
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.egg-info",
                                   ".howto_cache", ".wheelhouse", ".hypothesis", "build", "dist")


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path / ("Scripts" if os.name == "nt" else "bin") / "python"


def _offline_env() -> "dict[str, str]":
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELHOUSE, PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_CONFIG_FILE=os.devnull)
    return env


def _run(argv: "list[str]", cwd: Path, env: "dict[str, str]") -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


@pytest.mark.slow
def test_sdist_installs_offline_and_its_fast_tests_pass(tmp_path) -> None:
    if not os.path.isdir(WHEELHOUSE) or not os.listdir(WHEELHOUSE):
        pytest.fail("no .wheelhouse/: run the README's test command, which fills it")
    env = _offline_env()
    python = _venv(tmp_path / "venv")
    # the build-system's own floor: an older setuptools cannot read the license
    _run([str(python), "-m", "pip", "install", "-q", "setuptools>=77"], tmp_path, env)
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=SKIP_COPY)
    _run([str(python), "-c", "from setuptools.build_meta import build_sdist; "
                             "print(build_sdist('../dist'))"], source, env)
    (archive,) = (tmp_path / "dist").glob("howto_hook-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        tar.extractall(tmp_path / "unpacked")
    for needed in ("tests/conftest.py", "tests/llm_server.py", "tests/data/fix",
                   "tests/data/sarif/sarif-schema-2.1.0.json", "examples/failing.py",
                   "howto_hook/py.typed", "howto_hook/rule_docs/HOW100.md", "LICENSE"):
        assert needed in names, needed
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    _run([str(python), "-m", "pip", "install", "-q", f"{unpacked}[test]"], tmp_path, env)
    # from the unpacked tree, against the installed (not the source) package:
    # PYTHONSAFEPATH keeps the working directory off sys.path
    env["PYTHONSAFEPATH"] = "1"
    where = _run([str(python), "-c", "import howto_hook; print(howto_hook.__file__)"],
                 unpacked, env)
    assert "site-packages" in where, where
    # Every test module must import and collect from what the sdist holds;
    # those that read shipped files (README, .ci, ARCHITECTURE.md, examples,
    # rule docs, the SARIF schema) then run. The whole suite once more would
    # double CI's time. --basetemp keeps the inner pytest from rotating away
    # this test's own temporary directories.
    inner = ["-p", "no:cacheprovider", f"--basetemp={tmp_path / 'inner'}"]
    out = _run([str(python), "-m", "pytest", "-q", "--collect-only", *inner, "tests"],
               unpacked, env)
    assert "error" not in out.lower().split("collected")[-1], out[-2000:]
    out = _run([str(python), "-m", "pytest", "-q", *inner, "-m", "not slow",
                "tests/test_project.py", "tests/test_architecture.py",
                "tests/test_rule_docs.py", "tests/test_output.py"], unpacked, env)
    assert " passed" in out and "failed" not in out, out[-2000:]
