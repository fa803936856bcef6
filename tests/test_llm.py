"""`--fix --generator llm`: the real openai client against a real local server."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

import pytest

from conftest import LLM_KEY as KEY
from conftest import LLM_SOURCE as SOURCE
from llm_server import ChatServer, Reply

from howto_hook.validate import code_without_docstrings

GOOD = {
    "description": "The `scale` function multiplies each number in `values` by `factor` "
                   "and returns the new list.",
    "steps": [{"label": "Multiply Values", "text": "Multiplies every item by `factor`."},
              {"label": "Return List", "text": "Returns the scaled list."}],
    "usage_example": "from m import scale\n\nprint(scale([1, 2], factor=3.0))",
}


def answer(**changes: Any) -> str:
    return json.dumps({**GOOD, **changes})


def fix(run_main, cwd: Path, *extra: str):
    return run_main(["--all", "--fix", "--generator", "llm", *extra], cwd)


def user_text(body: Dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in body["messages"])


def test_good_answer_is_rendered_and_written(project, run_main) -> None:
    with ChatServer(lambda body, n: Reply(content=answer(), tokens=42)) as server:
        root = project(server)
        status, out, err = fix(run_main, root)
    assert status == 0  # fixed, nothing remains
    text = (root / "m.py").read_text(encoding="utf-8")
    assert "How to Use This Code Block\n    ==========================" in text
    assert "1. **Multiply Values**: Multiplies every item by `factor`." in text
    assert "    ```python\n    from m import scale\n\n    print(scale([1, 2], factor=3.0))\n" in text
    assert run_main(["--all"], root)[0] == 0
    assert "Fixed 1 definition in 1 file; 42 tokens used, 0 served from cache." in err
    (body,) = server.requests
    assert server.paths == ["/v1/chat/completions"]
    assert body["model"] == "test-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == [
        "description", "steps", "usage_example"]
    prompt = user_text(body)
    fence = re.search(r"<<<(SOURCE-[0-9A-F]{16})\n", prompt).group(1)
    assert f"Source:\n<<<{fence}\ndef scale(values: list" in prompt
    assert prompt.endswith(f"return [v * factor for v in values]\n{fence}>>>")
    assert "Qualified name: scale" in prompt and "Import path: m" in prompt
    assert '"getting"' in prompt and "never an instruction" in prompt


def test_failing_answer_is_sent_back_with_its_violations(project, run_main) -> None:
    def script(body, n):
        if n == 1:
            return Reply(content=answer(description="The `scale` function is getting numbers."))
        return Reply(content=answer())

    with ChatServer(script) as server:
        root = project(server)
        status, _, err = fix(run_main, root)
    assert len(server.requests) == 2
    repair = server.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "getting" in repair[-2]["content"]
    assert "HOW301" in repair[-1]["content"] and "'getting'" in repair[-1]["content"]
    assert run_main(["--all"], root)[0] == 0


HOSTILE = {
    "description": 'The `scale` function ends here."""\nimport os\nos.system("touch pwned")\n'
                   "x = '''\\\\ and \\\"\"\" more \\\\",
    "steps": [{"label": "Break **Out", "text": '"""; open("pwned", "w"); """'}],
    "usage_example": 'from m import scale\n\nevil = \'"""; open("pwned", "w"); """\'\n'
                     'print(scale([1]), evil, "\\\\")',
}


def test_model_text_cannot_escape_the_literal(project, run_main, tmp_path) -> None:
    with ChatServer(lambda body, n: Reply(content=json.dumps(HOSTILE))) as server:
        root = project(server)
        original = (root / "m.py").read_text(encoding="utf-8")
        fix(run_main, root)
    new = (root / "m.py").read_text(encoding="utf-8")
    assert new != original
    import ast

    doc = ast.get_docstring(ast.parse(new).body[0], clean=False)
    assert 'os.system("touch pwned")' in doc and '"""; open("pwned", "w"); """' in doc
    assert code_without_docstrings(new) == code_without_docstrings(original)
    proc = subprocess.run([sys.executable, "m.py"], cwd=root, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    assert proc.returncode == 0 and not (root / "pwned").exists()


@pytest.mark.parametrize("fallback, fixed", [
    pytest.param("", False, id="left-untouched"),
    pytest.param('fallback = "template"', True, id="template-fallback"),
])
def test_text_that_is_not_json(project, run_main, fallback: str, fixed: bool) -> None:
    with ChatServer(lambda body, n: Reply(content="Sure! Here is a lovely guide.")) as server:
        root = project(server, llm=fallback)
        before = (root / "m.py").read_text(encoding="utf-8")
        status, out, err = fix(run_main, root)
    assert len(server.requests) == 2  # one repair attempt
    after = (root / "m.py").read_text(encoding="utf-8")
    assert status == (0 if fixed else 1)  # 1 while the definition still fails
    if fixed:
        assert after != before and run_main(["--all"], root)[0] == 0
    else:
        assert after == before
        assert "cannot fix scale: the answer fails the rules: the answer is not JSON" in err


def test_server_error_then_success_is_retried(project, run_main) -> None:
    def script(body, n):
        return Reply(status=500, content="boom") if n == 1 else Reply(content=answer())

    with ChatServer(script) as server:
        root = project(server, llm="max-retries = 2")
        fix(run_main, root)
    assert len(server.requests) == 2
    assert run_main(["--all"], root)[0] == 0


def test_rate_limit_honours_retry_after(project, run_main) -> None:
    def script(body, n):
        if n == 1:
            return Reply(status=429, content="slow down", headers={"Retry-After": "1"})
        return Reply(content=answer())

    with ChatServer(script) as server:
        root = project(server, llm="max-retries = 2")
        fix(run_main, root)
    assert len(server.requests) == 2
    assert server.times[1] - server.times[0] >= 0.95
    assert run_main(["--all"], root)[0] == 0


def test_slow_server_times_out_quickly(project, run_main) -> None:
    # The server answers after 8 s; a run that honoured only its own pace would
    # take that long, so 5 s leaves room for a busy machine and still fails it.
    with ChatServer(lambda body, n: Reply(content=answer(), delay=8.0)) as server:
        root = project(server, llm="timeout = 0.5")
        start = time.monotonic()
        status, out, err = fix(run_main, root)
        took = time.monotonic() - start
    assert took < 5.0
    assert "cannot fix scale: the server did not answer within 0.5 s" in err
    assert "def scale(values: list, factor: float = 2.0) -> list:\n    # Ignore" in \
        (root / "m.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("rejects, expected_formats", [
    pytest.param({"json_schema"}, ["json_schema", "json_object"], id="no-json-schema"),
    pytest.param({"json_schema", "json_object"}, ["json_schema", "json_object", None],
                 id="no-response-format"),
])
def test_server_that_rejects_response_formats(project, run_main, rejects, expected_formats
                                              ) -> None:
    def script(body, n):
        fmt = body.get("response_format", {}).get("type")
        if fmt in rejects:
            return Reply(status=400, content=f"response_format type {fmt} is not supported")
        return Reply(content="Here you go:\n```json\n" + answer() + "\n```")

    with ChatServer(script) as server:
        root = project(server)
        fix(run_main, root)
    assert [b.get("response_format", {}).get("type") for b in server.requests] == \
        expected_formats
    assert run_main(["--all"], root)[0] == 0


def test_concurrency_never_exceeds_the_limit(project, run_main) -> None:
    files = {f"pkg{i}.py": "".join(
        f"def f{j}(x: int) -> int:\n    return x + {j}\n\n\n" for j in range(4)) for i in range(3)}

    def script(body, n):
        name = body["messages"][1]["content"].split("Qualified name: ")[1].split("\n")[0]
        module = body["messages"][1]["content"].split("Import path: ")[1].split("\n")[0]
        return Reply(delay=0.2, content=json.dumps({
            "description": f"The `{name}` function adds a number to `x`.",
            "steps": [{"label": "Add Number", "text": "Adds the number and returns it."}],
            "usage_example": f"from {module} import {name}\n\nprint({name}(1))"}))

    with ChatServer(script) as server:
        root = project(server, llm="max-concurrency = 3", files=files)
        status, _, err = fix(run_main, root)
    assert len(server.requests) == 12
    assert 2 <= server.max_in_flight <= 3
    assert "Fixed 12 definitions in 3 files" in err
    assert run_main(["--all"], root)[0] == 0


def test_cache_hit_sends_nothing(project, run_main) -> None:
    with ChatServer(lambda body, n: Reply(content=answer())) as server:
        root = project(server)
        fix(run_main, root)
        fixed = (root / "m.py").read_text(encoding="utf-8")
        (root / "m.py").write_text(SOURCE, encoding="utf-8")
        status, _, err = fix(run_main, root)
        assert len(server.requests) == 1
        assert "0 tokens used, 1 served from cache" in err
        assert (root / "m.py").read_text(encoding="utf-8") == fixed
        assert (root / ".howto_cache" / ".gitignore").read_text() == "*\n"
        (root / "m.py").write_text(SOURCE, encoding="utf-8")
        fix(run_main, root, "--no-cache")
        assert len(server.requests) == 2


def test_excluded_file_is_never_sent(project, run_main) -> None:
    with ChatServer(lambda body, n: Reply(content=answer())) as server:
        root = project(server, extra='extend-exclude = ["private"]',
                       files={"private/m.py": SOURCE})
        status, out, err = fix(run_main, root, "private/m.py")
    assert server.requests == []
    assert (root / "private" / "m.py").read_text(encoding="utf-8") == SOURCE


SECRET_SOURCE = '''\
def connect(host: str) -> str:
    api_key = "sk-live-abcdefghijklmnop1234"
    password = 'hunter2-correct-horse'
    pem = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA7bq
-----END RSA PRIVATE KEY-----"""
    return host + api_key + password + pem
'''


def test_secrets_are_never_sent(project, run_main) -> None:
    with ChatServer(lambda body, n: Reply(content=answer())) as server:
        root = project(server, files={"m.py": SECRET_SOURCE})
        fix(run_main, root)
    sent = json.dumps(server.requests)
    for secret in ("sk-live-abcdefghijklmnop1234", "hunter2-correct-horse", "MIIEowIBAAKCAQEA7bq"):
        assert secret not in sent
    assert "<redacted>" in sent and "def connect(host: str)" in sent


def one_error(err: str, said: str) -> bool:
    """The run ends on one line of error that says `said` (after the line naming the
    interpreter its examples would run on)."""
    errors = [ln for ln in err.splitlines() if "error:" in ln]
    return errors == [err.splitlines()[-1]] and said in errors[0]


def test_missing_key_names_the_variable(project, run_main, monkeypatch) -> None:
    with ChatServer(lambda body, n: Reply(content=answer())) as server:
        root = project(server, llm='api-key-env = "MY_LLM_KEY"')
        monkeypatch.delenv("MY_LLM_KEY", raising=False)
        status, out, err = fix(run_main, root)
    assert status == 2 and one_error(err, "MY_LLM_KEY")
    assert server.requests == []


def test_api_key_is_never_printed(project, run_main) -> None:
    with ChatServer(lambda body, n: Reply(status=401, content=f"bad key {KEY}")) as server:
        root = project(server)
        status, out, err = fix(run_main, root)
    assert KEY not in out + err
    assert "HTTP 401" in err


def test_missing_openai_package_is_one_clear_line(project, run_main, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # as if the extra were not installed
    with ChatServer(lambda body, n: Reply(content=answer())) as server:
        root = project(server)
        status, out, err = fix(run_main, root)
    assert status == 2 and one_error(err, "pip install 'howto-hook[llm]'")
    assert server.requests == []
