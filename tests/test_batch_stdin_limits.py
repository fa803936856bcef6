"""Batch and stdin inside the same limits as files: the safe reader, records
checked against their schema and kept inside the project, bounded downloads,
stdin checked in a worker under file-timeout and max-file-size."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from batch_server import BatchServer, Script
from conftest import write_tree
from test_batch import guide_for
from llm_server import ChatServer, Reply
from conftest import LLM_ANSWER, LLM_SOURCE

from howto_hook import batch

FILES = {"pkg/__init__.py": "", "pkg/ops.py": "def add(x: int) -> int:\n    return x + 1\n"}
VICTIM = "def v(x: int) -> int:\n    return x\n"


def outside(record: Dict, root: Path) -> None:
    cid = next(iter(record["requests"]))
    record["requests"][cid].append(["../victim/v.py", "v"])


def absolute(record: Dict, root: Path) -> None:
    cid = next(iter(record["requests"]))
    record["requests"][cid] = [[str(root.parent / "victim" / "v.py"), "v"]]


def through_link(record: Dict, root: Path) -> None:
    os.symlink(root.parent / "victim", root / "elsewhere")
    cid = next(iter(record["requests"]))
    record["requests"][cid] = [["elsewhere/v.py", "v"]]


def wrong_shape(record: Dict, root: Path) -> None:
    record["requests"] = {"x": "y"}


@pytest.mark.parametrize("tamper, said", [
    pytest.param(outside, "the path '../victim/v.py' lies outside the project", id="dot-dot"),
    pytest.param(absolute, "lies outside the project", id="absolute-path"),
    pytest.param(through_link, "the path 'elsewhere/v.py' lies outside the project",
                 id="through-a-link"),
    pytest.param(wrong_shape, "a request's id is not a cache key", id="wrong-shape"),
])
def test_a_record_never_writes_outside_the_project(project, run_main, tamper: Callable,
                                                   said: str) -> None:
    with BatchServer(Script(answer=guide_for)) as server:
        root = project(server, files=FILES)
        write_tree(root.parent / "victim", {"v.py": VICTIM})
        run_main(["--all", "--batch-submit"], root)
        path = root / ".howto_cache" / "batches" / "batch_1.json"
        record = json.loads(path.read_text())
        tamper(record, root)
        path.write_text(json.dumps(record))
        run_main(["--batch-collect"], root)  # in progress
        status, _, err = run_main(["--batch-collect"], root)
    assert (root.parent / "victim" / "v.py").read_text() == VICTIM
    assert "batch_1.json: not a batch record (" in err and said in err, err
    assert "internal error" not in err


def special(kind: str) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        if kind == "fifo":
            os.mkfifo(tmp / "out.jsonl")
            return str(tmp / "out.jsonl")
        if kind == "dev-zero":
            return "/dev/zero"
        if kind == "dev-zero-link":
            os.symlink("/dev/zero", tmp / "out.jsonl")
            return str(tmp / "out.jsonl")
        (tmp / "out.jsonl").write_text("[" * 100_000 + "\n")
        return str(tmp / "out.jsonl")

    return make


@pytest.mark.parametrize("make, status, said", [
    pytest.param(special("fifo"), 2, "cannot read", id="fifo"),
    pytest.param(special("dev-zero"), 2, "a character device, not a regular file",
                 id="dev-zero"),
    pytest.param(special("dev-zero-link"), 2, "a character device", id="link-to-dev-zero"),
    pytest.param(special("bomb"), 1, "0 answers stored, 1 not JSON", id="bracket-bomb"),
])
def test_batch_import_reads_only_a_bounded_regular_file(project, run_main, tmp_path_factory,
                                                        make: Callable, status: int,
                                                        said: str) -> None:
    with ChatServer(lambda body, n: Reply(content="")) as chat:
        root = project(chat, files=FILES)
        source = make(tmp_path_factory.mktemp("import"))
        got, _, err = run_main(["--batch-import", source], root)
    assert got == status and said in err, err
    assert len(err.strip().splitlines()) == 1 and "internal error" not in err


@pytest.mark.parametrize("plant", [
    pytest.param(lambda d: os.mkfifo(d / "batch_9.json"), id="fifo"),
    pytest.param(lambda d: os.symlink("/dev/zero", d / "batch_9.json"), id="dev-zero-link"),
    pytest.param(lambda d: (d / "batch_9.json").write_text("[" * 100_000), id="bracket-bomb"),
])
def test_batch_status_passes_over_special_records(project, run_main, plant) -> None:
    with ChatServer(lambda body, n: Reply(content="")) as chat:
        root = project(chat, files=FILES)
        records = root / ".howto_cache" / "batches"
        records.mkdir(parents=True)
        plant(records)
        status, out, err = run_main(["--batch-status"], root)
    assert status == 0 and "batch_9.json: not a batch record" in err, err
    assert "No batch is recorded" in err


def test_download_over_the_limit_is_refused(project, run_main, monkeypatch) -> None:
    monkeypatch.setattr(batch, "MAX_OUTPUT_BYTES", 200)
    with BatchServer(Script(answer=guide_for, statuses=("completed",))) as server:
        root = project(server, files=FILES)
        before = (root / "pkg" / "ops.py").read_text()
        run_main(["--all", "--batch-submit"], root)
        status, _, err = run_main(["--batch-collect"], root)
    assert status == 1
    assert "is larger than 200 bytes; not read" in err
    assert (root / "pkg" / "ops.py").read_text() == before


def test_download_over_the_deadline_is_abandoned(project, run_main, monkeypatch) -> None:
    # every byte of the output file arrives in time for a read timeout, but
    # the whole transfer would take minutes: the deadline bounds it as a whole
    monkeypatch.setattr(batch, "DOWNLOAD_SECONDS", 1.0)
    with BatchServer(Script(answer=guide_for, statuses=("completed",),
                            file_drip=0.05)) as server:
        root = project(server, files=FILES)
        before = (root / "pkg" / "ops.py").read_text()
        run_main(["--all", "--batch-submit"], root)
        started = time.monotonic()
        status, _, err = run_main(["--batch-collect"], root)
        took = time.monotonic() - started
    assert status == 1
    assert "took longer than 1 s; not read" in err, err
    assert took < 30, took
    assert (root / "pkg" / "ops.py").read_text() == before


TERMS = "x = " + " + ".join(["1"] * 8000) + "\n"
BIG = "#" * 5_400_000 + "\n"


@pytest.mark.parametrize("source, args, said, stdout", [
    pytest.param(TERMS, [], "m.py:1:1: HOW002 not checked: took longer than 2 s (file-timeout)",
                 "", id="long-expression"),
    pytest.param(BIG, [], "m.py:1:1: HOW002 not checked: the buffer is larger than "
                 "max-file-size (4,000,000 bytes)", "", id="five-megabytes"),
    pytest.param(BIG, ["--fix"], "m.py:1:1: HOW002 not checked: the buffer is larger than "
                 "max-file-size", BIG, id="five-megabytes-fix-echoes-the-buffer"),
    pytest.param(TERMS, ["--fix"], "m.py:1:1: HOW002 not fixed: took longer than 2 s",
                 TERMS, id="long-expression-fix-echoes-the-buffer"),
])
def test_stdin_is_checked_like_a_file(tmp_path: Path, source: str, args: List[str], said: str,
                                      stdout: str) -> None:
    write_tree(tmp_path, {"howto.toml": "file-timeout = 2\n"})
    proc = subprocess.run([sys.executable, "-m", "howto_hook", *args, "--stdin-filename",
                           "m.py", "-"], cwd=tmp_path, input=source.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    err = proc.stderr.decode()
    out = proc.stdout.decode()
    assert proc.returncode == 1, err
    assert "Segmentation" not in err and "internal error" not in err
    assert said in (err if args else out), (out[:300], err)
    if args:
        assert out == stdout


@pytest.mark.parametrize("source, fixed, said, asked", [
    pytest.param(LLM_SOURCE, True, "Fixed 1 definition in m.py (stdin).", 1,
                 id="plain-buffer-fixed-by-the-model"),
    pytest.param("def f(x: int) -> int:\n    return x\n\n" + TERMS, False,
                 # a timeout, or the parser's crash in the worker: the buffer's
                 # limit grows by the examples' time, as a file fix's does
                 "m.py:1:1: HOW002 not fixed: ", 0,
                 id="long-expression-never-reaches-the-model"),
])
def test_stdin_llm_fix_reads_and_rewrites_in_a_worker(project, project_importable, source: str,
                                                       fixed: bool, said: str,
                                                       asked: int) -> None:
    # the llm generator asks from the parent, but the buffer is parsed and
    # rewritten in forked workers under file-timeout, as a file is
    with ChatServer(lambda body, n: Reply(content=LLM_ANSWER)) as chat:
        # the buffer's limit is file-timeout plus ten example-timeouts: kept short
        # where no example is to run, so the parse is stopped in seconds
        extra = "file-timeout = 2\n" + ("" if fixed else "example-timeout = 0.1\n")
        root = project(chat, extra=extra, files={})
        proc = subprocess.run([sys.executable, "-m", "howto_hook", "--fix", "--generator", "llm",
                               "--stdin-filename", "m.py", "-"], cwd=root,
                              input=source.encode(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120)
    err = proc.stderr.decode()
    out = proc.stdout.decode()
    assert "Segmentation" not in err and "internal error" not in err and "Traceback" not in err
    assert said in err, err
    assert len(chat.requests) == asked
    if fixed:
        assert proc.returncode == 0, err
        assert "How to Use This Code Block" in out and out.endswith(
            "    return [v * factor for v in values]\n")
    else:
        assert proc.returncode == 1, err
        assert out == source
