"""The Batch API commands against a real local server speaking the files and batches endpoints."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest

from batch_server import BatchServer, Script
from conftest import LLM_KEY as KEY
from llm_server import ChatServer, Reply, completion

from howto_hook import batch
from howto_hook.cli import parse_args

FILES = {
    "pkg/ops.py": "def add(x: int) -> int:\n    return x + 1\n\n\n"
                  "def neg(x: int) -> int:\n    return -x\n",
    "pkg/text.py": "def shout(s: str) -> str:\n    return s.upper()\n",
}


def guide_for(body: Dict[str, Any]) -> str:
    """A passing answer for whichever definition the request is about."""
    user = body["messages"][1]["content"]
    name = user.split("Qualified name: ")[1].split("\n")[0]
    module = user.split("Import path: ")[1].split("\n")[0]
    arg = '"hi"' if name == "shout" else "1"  # text for `shout(s: str)`: examples that run
    return json.dumps({
        "description": f"The `{name}` function computes a value from its arguments.",
        "steps": [{"label": "Compute Value", "text": "Computes the value and returns it."}],
        "usage_example": f"from {module} import {name}\n\nprint({name}({arg}))"})


def sources(root: Path) -> Dict[str, str]:
    return {name: (root / name).read_text(encoding="utf-8") for name in FILES}


def synchronous(root: Path, run_main, elsewhere: Path) -> "tuple[Dict[str, str], List[Any]]":
    """The same project fixed by the synchronous path: its files and request bodies."""
    copy = elsewhere / "sync"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".howto_cache"))
    with ChatServer(lambda body, n: Reply(content=guide_for(body))) as chat:
        config = (copy / "pyproject.toml").read_text(encoding="utf-8")
        (copy / "pyproject.toml").write_text(
            config.replace(config.split('base-url = "')[1].split('"')[0], chat.base_url),
            encoding="utf-8")
        run_main(["--all", "--fix", "--generator", "llm"], copy)
    return sources(copy), chat.requests


def test_submit_status_collect_gives_the_synchronous_result(project, run_main,
                                                              tmp_path) -> None:
    with BatchServer(Script(answer=guide_for)) as server:
        root = project(server, files=FILES)
        before = sources(root)
        status, out, err = run_main(["--all", "--batch-submit"], root)
        assert (status, out) == (0, "batch_1\n"), err
        assert "Submitted batch batch_1: 3 requests, about" in err
        assert sources(root) == before  # submitting touches no source file
        assert server.uploads == [("batch", "howto-batch-1.jsonl")]
        assert server.created == [{"input_file_id": "file-1", "endpoint": "/v1/chat/completions",
                                   "completion_window": "24h", "metadata": {"tool": "howto-check"}}]
        record = json.loads((root / ".howto_cache/batches/batch_1.json").read_text())
        assert sorted(q for places in record["requests"].values() for _, q in places) == \
            ["add", "neg", "shout"]

        status, out, err = run_main(["--batch-status"], root)
        assert status == 0 and out.startswith("batch_1  submitted ") and \
            "3 definitions  test-model  in_progress  0/0 done, 0 failed" in out

        status, out, err = run_main(["--batch-collect"], root)
        assert status == 0 and sources(root) != before, err  # completed: applied
        assert "batch_1: completed: 3 answers stored" in err
        assert "Fixed 3 definitions in 2 files" in err
        fixed = sources(root)
        assert not [a for a in server.asked if "chat/completions" in a[1]]

        status, out, err = run_main(["--batch-collect"], root)  # again: harmless
        assert status == 0 and sources(root) == fixed
        assert "collected before" in err
    assert run_main(["--all"], root)[0] == 0


def test_batch_matches_the_synchronous_run(project, run_main, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with BatchServer(Script(answer=guide_for, statuses=("completed",))) as server:
        root = project(server, files=FILES)
        plain = elsewhere / "plain"
        shutil.copytree(root, plain)
        run_main(["--all", "--batch-submit"], root)
        run_main(["--batch-collect"], root)
        sent = server.input_lines()
    sync_files, sync_bodies = synchronous(plain, run_main, elsewhere)
    # the same bodies, byte for byte, and the same fixed files
    assert sorted(json.dumps(ln["body"], sort_keys=True) for ln in sent) == \
        sorted(json.dumps(b, sort_keys=True) for b in sync_bodies)
    assert all(ln["method"] == "POST" and ln["url"] == "/v1/chat/completions"
               and len(ln["custom_id"]) == 64 for ln in sent)
    assert sources(root) == sync_files


def test_still_running_changes_nothing(project, run_main) -> None:
    with BatchServer(Script(answer=guide_for, statuses=("validating", "in_progress"))) as server:
        root = project(server, files=FILES)
        before = sources(root)
        run_main(["--all", "--batch-submit"], root)
        status, out, err = run_main(["--batch-collect"], root)
    assert status == 0 and sources(root) == before
    assert "batch_1: still in_progress (0/0 done, 0 failed); nothing collected" in err


@pytest.mark.parametrize("script, fixed, said", [
    pytest.param(Script(answer=guide_for, statuses=("validating", "failed"), errors=[
        {"code": "invalid_request", "message": "Line 1: model not found", "line": 1}]),
        0, "batch_1: failed: 0 answers stored; Line 1: model not found; record kept until "
           "--batch-forget batch_1", id="failed"),
    pytest.param(Script(answer=guide_for, statuses=("in_progress", "expired"), expire_after=2),
                 2, "batch_1: expired: 2 answers stored, 1 expired", id="expired-partly"),
    pytest.param(Script(answer=guide_for, statuses=("cancelled",)), 3,
                 "batch_1: cancelled: 3 answers stored", id="cancelled"),
    pytest.param(Script(answer=guide_for, statuses=("completed",), failing=lambda line: (
        "context length exceeded" if "name: add\n" in line["body"]["messages"][1]["content"]
        else None)), 2, "batch_1: completed: 2 answers stored, 1 failed (context length "
                        "exceeded)", id="partial-errors"),
])
def test_batches_that_end_badly(project, run_main, script, fixed, said) -> None:
    with BatchServer(script) as server:
        root = project(server, files=FILES)
        run_main(["--all", "--batch-submit"], root)
        status, out, err = run_main(["--batch-collect"], root)
    assert status == 1 and said in err, err
    after = sources(root)
    fixed_now = sum(after[n].count("How to Use This Code Block") for n in FILES)
    assert fixed_now == fixed
    if script.statuses[-1] != "completed":
        assert (root / ".howto_cache/batches/batch_1.json").exists()  # kept until forgotten
        status, out, err = run_main(["--batch-forget", "batch_1"], root)
        assert status == 0 and not (root / ".howto_cache/batches/batch_1.json").exists()


@pytest.mark.parametrize("script, command, said", [
    pytest.param(Script(answer=guide_for, upload=(413, "File is too large")), "--batch-submit",
                 "cannot submit the batch file of 3 requests: the server answered HTTP 413: "
                 "File is too large", id="upload-too-large"),
    pytest.param(Script(answer=guide_for, retrieve=(404, "No batch found")), "--batch-collect",
                 "batch batch_1: the provider knows no such batch (HTTP 404); drop its record "
                 "with --batch-forget batch_1", id="batch-404"),
    pytest.param(Script(answer=guide_for, batch_fields={"id": "batch_1", "object": "batch"}),
                 "--batch-collect", "the provider's answer for batch batch_1 lacks its status",
                 id="batch-missing-fields"),
    pytest.param(Script(answer=guide_for, statuses=("completed",),
                        output=lambda text: text[:len(text) // 2]), "--batch-collect",
                 "not JSON", id="output-cut-short"),
    pytest.param(Script(answer=lambda body: f"leaked {KEY}", statuses=("completed",)),
                 "--batch-collect", "3 unusable", id="answers-holding-the-key"),
])
def test_faults_are_one_clear_line(project, run_main, script, command, said) -> None:
    with BatchServer(script) as server:
        root = project(server, files=FILES)
        before = sources(root)
        if command != "--batch-submit":
            assert run_main(["--all", "--batch-submit"], root)[0] == 0
        status, out, err = run_main(["--all", command] if command == "--batch-submit"
                                    else [command], root)
    # a refused submit is a user error (2); a collect that could not use every
    # answer still reports what it stored (1)
    assert status == (2 if command == "--batch-submit" else 1) and said in err, err
    assert KEY not in out + err and "Traceback" not in err
    if command == "--batch-submit":
        assert status == 2 and err.count("\n") == 1
    if said != "not JSON":
        assert sources(root) == before


def vllm_output(lines: List[Dict[str, Any]]) -> str:
    """An output file as vLLM's batch runner writes it."""
    return "".join(json.dumps({"id": f"vllm-{n:032x}", "custom_id": ln["custom_id"], "response": {
        "status_code": 200, "request_id": f"vllm-batch-{n:032x}",
        "body": completion(guide_for(ln["body"]))}, "error": None}) + "\n"
        for n, ln in enumerate(lines))


def test_export_then_import_a_vllm_output(project, run_main, tmp_path) -> None:
    with ChatServer(lambda body, n: Reply(content=guide_for(body))) as chat:
        root = project(chat, files=FILES)
        before = sources(root)
        status, out, err = run_main(["--all", "--batch-export", str(tmp_path / "in.jsonl")],
                                    root)
        assert status == 0 and "Wrote 3 requests" in err
        assert sources(root) == before and chat.requests == []
        lines = [json.loads(ln) for ln in (tmp_path / "in.jsonl").read_text().splitlines()]
        assert [ln["url"] for ln in lines] == ["/v1/chat/completions"] * 3
        output = vllm_output(lines)
        bad = ('{"id": "vllm-x", "custom_id": "' + "0" * 64 + '", "response": null, '
               '"error": null}\nnot json at all\n' + output.splitlines()[0][:40] + "\n")
        (tmp_path / "out.jsonl").write_text(output + bad, encoding="utf-8")
        status, out, err = run_main(["--batch-import", str(tmp_path / "out.jsonl")], root)
        assert status == 1  # some lines were skipped, and said so
        assert "3 answers stored, 2 not JSON, 1 with an unknown custom_id" in err
        status, out, err = run_main(["--all", "--fix", "--generator", "llm"], root)
        assert chat.requests == []  # every answer served from the cache
        assert "3 served from cache" in err
    assert run_main(["--all"], root)[0] == 0


def test_export_never_holds_an_excluded_file(project, run_main, tmp_path) -> None:
    files = {**FILES, "private/keys.py": "def secret() -> str:\n    return 'x'\n"}
    with ChatServer(lambda body, n: Reply(content="")) as chat:
        root = project(chat, files=files, extra='extend-exclude = ["private"]')
        run_main(["--all", "--batch-export", str(tmp_path / "in.jsonl")], root)
    text = (tmp_path / "in.jsonl").read_text()
    assert text.count("\n") == 3 and "keys" not in text and "secret" not in text


def test_answered_definitions_are_not_submitted_again(project, run_main, tmp_path) -> None:
    with BatchServer(Script(answer=guide_for, statuses=("completed",))) as server:
        root = project(server, files=FILES)
        run_main(["--all", "--batch-submit"], root)
        # the answers are in the cache; the files go back to their old text
        run_main(["--batch-collect"], root)
        for name, text in FILES.items():
            (root / name).write_text(text, encoding="utf-8")
        status, out, err = run_main(["--all", "--batch-submit"], root)
    assert status == 0 and "Nothing to submit" in err and "3 answered in the cache" in err
    assert len(server.created) == 1


def test_submit_splits_over_the_limits(project, run_main, monkeypatch) -> None:
    with BatchServer(Script(answer=guide_for, statuses=("completed",))) as server:
        root = project(server, files=FILES)
        monkeypatch.chdir(root)
        options = parse_args(["--all", "--batch-submit"])
        assert batch.submit(options, str(root), max_requests=2) == 0
    assert [c["input_file_id"] for c in server.created] == ["file-1", "file-2"]
    assert sorted(len(json.loads(p.read_text())["requests"])
                  for p in (root / ".howto_cache/batches").glob("*.json")) == [1, 2]


def line(n: int, size: int) -> batch.Line:
    return batch.Line(f"{n:064x}", "x" * (size - 1), (("m.py", f"f{n}"),), 1)


@pytest.mark.parametrize("sizes, max_requests, max_bytes, files", [
    pytest.param([10, 10, 10], 50_000, 1000, [3], id="one-file"),
    pytest.param([10] * 5, 2, 1000, [2, 2, 1], id="by-count"),
    pytest.param([40, 40, 40], 10, 100, [2, 1], id="by-bytes"),
    pytest.param([100], 10, 100, [1], id="exactly-the-limit"),
])
def test_split(sizes, max_requests, max_bytes, files) -> None:
    out = batch.split([line(n, s) for n, s in enumerate(sizes)], max_requests=max_requests,
                      max_bytes=max_bytes)
    assert [len(f) for f in out] == files


def test_a_request_over_the_byte_limit_is_one_message() -> None:
    with pytest.raises(batch.BatchError, match="f0 alone is over the provider's limit"):
        batch.split([line(0, 101)], max_bytes=100)


@pytest.mark.parametrize("argv, said", [
    pytest.param(["--batch-submit", "--fix"], "--batch-submit and --fix do not combine",
                 id="with-fix"),
    pytest.param(["--batch-status", "--batch-collect"], "--batch-status and --batch-collect",
                 id="two-batch-options"),
    pytest.param(["--batch-forget", "batch_9"], "no batch batch_9 is recorded", id="forget"),
    pytest.param(["--batch-import", "missing.jsonl"], "cannot read missing.jsonl", id="import"),
])
def test_usage_errors(project, run_main, argv, said) -> None:
    with ChatServer(lambda body, n: Reply(content="")) as chat:
        root = project(chat, files=FILES)
        status, out, err = run_main(argv, root)
    assert status == 2 and said in err and err.count("\n") == 1


def test_a_definition_changed_since_submitting_is_stale(project, run_main) -> None:
    with BatchServer(Script(answer=guide_for)) as server:
        root = project(server, files=FILES)
        run_main(["--all", "--batch-submit"], root)
        changed = FILES["pkg/text.py"].replace("s.upper()", "s.upper() + '!'")
        (root / "pkg/text.py").write_text(changed, encoding="utf-8")
        status, out, err = run_main(["--batch-collect"], root)
        assert status == 0 and "still in_progress" in err
        status, out, err = run_main(["--batch-collect"], root)
    assert status == 1
    assert ("pkg/text.py:1: cannot fix shout: no answer for it: its source changed since the "
            "batch was submitted (stale); left for an ordinary --fix run") in err
    assert (root / "pkg/text.py").read_text(encoding="utf-8") == changed
    assert (root / "pkg/ops.py").read_text(encoding="utf-8").count(
        "How to Use This Code Block") == 2
    assert not [a for a in server.asked if "chat/completions" in a[1]]


def test_status_lists_exports_and_submissions(project, run_main, tmp_path) -> None:
    with BatchServer(Script(answer=guide_for)) as server:
        root = project(server, files=FILES)
        run_main(["--all", "--batch-export", str(tmp_path / "in.jsonl")], root)
        run_main(["--all", "--batch-submit"], root)
        status, out, err = run_main(["--batch-status"], root)
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert any(ln.startswith("export-") and "exported to" in ln for ln in lines)
    assert any(ln.startswith("batch_1") and "in_progress" in ln for ln in lines)


def test_submit_without_all_takes_only_changed_definitions(project, run_main,
                                                          tmp_path) -> None:
    from conftest import git

    with ChatServer(lambda body, n: Reply(content="")) as chat:
        root = project(chat, files=FILES)
        git(str(root), "init", "-q")
        git(str(root), "add", ".")
        git(str(root), "commit", "-qm", "start")
        (root / "pkg/ops.py").write_text(FILES["pkg/ops.py"].replace("-x", "0 - x"),
                                         encoding="utf-8")
        status, out, err = run_main(["--batch-export", str(tmp_path / "in.jsonl")], root)
    assert status == 0, err
    (line,) = [json.loads(ln) for ln in (tmp_path / "in.jsonl").read_text().splitlines()]
    assert "Qualified name: neg\n" in line["body"]["messages"][1]["content"]


def test_a_dripping_provider_cannot_hold_status_past_the_timeout(project, run_main) -> None:
    import time

    with BatchServer(Script(answer=guide_for, drip=0.3)) as server:
        root = project(server, files=FILES, llm="timeout = 1.5")
        assert run_main(["--all", "--batch-submit"], root)[0] == 0
        start = time.monotonic()
        status, out, err = run_main(["--batch-status"], root)
        took = time.monotonic() - start
    assert took < 6.0, took  # the answer alone would take half a minute at this pace
    assert status == 1 and "batch batch_1: the server did not answer in time" in out


def raising_for_add(body: Dict[str, Any]) -> str:
    """guide_for, except that `add`'s example raises (text where a number goes)."""
    return guide_for(body).replace("print(add(1))", 'print(add(\\"one\\"))')


@pytest.mark.parametrize("interpreter, written, said", [
    pytest.param(True, {"neg", "shout"}, "cannot fix add: the batch's answer fails the rules: "
                 "the usage example raises TypeError",
                 id="answers-examples-run-the-raising-one-is-left"),
    pytest.param(False, set(), "cannot fix add: its example was not run",
                 id="no-interpreter-no-unrun-example-written"),
])
def test_collect_runs_the_answers_examples_as_fix_does(project, run_main, monkeypatch,
                                                       tmp_path_factory, interpreter: bool,
                                                       written: "set[str]", said: str) -> None:
    with BatchServer(Script(answer=raising_for_add, statuses=("completed",))) as server:
        root = project(server, files=FILES)
        if not interpreter:  # the user's config no longer names an interpreter
            monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("no-config")))
        before = sources(root)
        assert run_main(["--all", "--batch-submit"], root)[0] == 0
        status, _, err = run_main(["--batch-collect"], root)
    after = sources(root)
    assert said in err, err
    assert status == 1
    guided = {name for name in ("add", "neg", "shout")
              for path in FILES if f"import {name}\n" in after[path]}
    assert guided == written
    if not written:
        assert after == before
