"""The examples' sandbox: each example alone, refused actions, limits, kills."""
from __future__ import annotations

import os
import pwd
import re
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from conftest import GOOD_GUIDE, write_tree
from howto_hook import examples
from howto_hook.config import Settings
from howto_hook.examples import tree

SETTINGS = Settings()
ENABLED = frozenset({"HOW403"})
REAL_HOME = pwd.getpwuid(os.getuid()).pw_dir


def run_one(code: str, root: Path, timeout: float = 5.0,
            environ: Optional[Dict[str, str]] = None) -> examples.Result:
    runner = examples.Runner(sys.executable, timeout=timeout, environ=environ)
    return runner.run([examples.Example("k", textwrap.dedent(code), (str(root),))])[0]


def _pid_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] == "Z"  # a zombie runs nothing
    except FileNotFoundError:
        return True


def _all_gone(pids: List[int], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while any(not _pid_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return all(_pid_gone(p) for p in pids)


# --- refused: (example, the HOW403 message as a regular expression) ----------------------

REFUSED = [
    pytest.param("import subprocess\nsubprocess.run(['xdg-open', 'https://example.com'])\n",
                 "the example starts a process: xdg-open", id="subprocess"),
    pytest.param("import subprocess\ntry:\n    subprocess.run(['ls'])\nexcept OSError:\n"
                 "    pass\n", "the example starts a process: ls", id="refusal-caught"),
    pytest.param("import os\nos.system('clear')\n", "the example starts a process: clear",
                 id="os-system"),
    pytest.param("import os\nos.execv('/bin/true', ['true'])\n",
                 "the example starts a process: true", id="exec"),
    pytest.param("import os\nfor _ in range(500):\n    if os.fork() == 0:\n"
                 "        import time; time.sleep(60)\n",
                 "the example starts a process: fork", id="fork-500"),
    pytest.param("import ctypes\nctypes.CDLL(None).fork()\n",
                 re.escape("the example starts a process: fork (through ctypes)"),
                 id="fork-through-ctypes"),
    pytest.param("import subprocess\nsubprocess.Popen(['setsid', 'sleep', '60'])\n",
                 "the example starts a process: setsid", id="setsid-sleeper"),
    pytest.param("import webbrowser\nwebbrowser.open('https://example.com/docs')\n",
                 "the example opens a browser: https://example.com/docs", id="webbrowser"),
    pytest.param("import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=30)\n",
                 "the example opens a connection to 192.0.2.1:80", id="create-connection"),
    pytest.param("import socket\ns = socket.socket()\ns.settimeout(30)\n"
                 "s.connect(('192.0.2.1', 443))\n",
                 "the example opens a connection to 192.0.2.1:443", id="raw-connect"),
    pytest.param("import socket\nsocket.getaddrinfo('example.com', 443)\n",
                 "the example opens a connection to example.com:443", id="dns-lookup"),
    pytest.param("import socket\ns = socket.socket()\ns.bind(('0.0.0.0', 0))\n",
                 "the example listens on 0.0.0.0:0", id="listen-everywhere"),
    pytest.param(f"open({REAL_HOME + '/howto-sandbox-x'!r}, 'w').write('x')\n",
                 re.escape(f"the example writes outside its directory: {REAL_HOME}/"
                           "howto-sandbox-x"), id="write-real-home"),
    pytest.param("import mod\nopen(mod.__file__, 'w').write('')\n",
                 "the example writes outside its directory: .*/mod.py", id="write-over-repo"),
    pytest.param("import mod, os\nos.remove(mod.__file__)\n",
                 "the example writes outside its directory: .*/mod.py", id="remove-repo-file"),
    pytest.param("import os\nos.symlink('/etc', 'link')\nopen('link/howto-x', 'w')\n",
                 "the example writes outside its directory: link/howto-x",
                 id="write-through-a-link"),
    pytest.param("import mod, os, sqlite3\n"
                 "sqlite3.connect(os.path.join(os.path.dirname(mod.__file__), 'x.db'))\n",
                 "the example writes outside its directory: .*/x.db", id="sqlite-outside"),
    pytest.param("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
                 r"the example signals process \d+", id="kill-the-server"),
    # through a link or a descriptor of its own to a repository file (each once passed)
    pytest.param("import mod, os\nos.symlink(mod.__file__, 'l')\nos.truncate('l', 0)\n",
                 "the example writes outside its directory: l", id="truncate-through-a-link"),
    pytest.param("import mod, os\nos.link(mod.__file__, 'h')\nopen('h', 'w').write('')\n",
                 "the example writes outside its directory: .*/mod.py",
                 id="hard-link-to-a-repo-file"),
    pytest.param("import mod, os\nfd = os.open(mod.__file__, os.O_RDONLY)\nos.fchmod(fd, 0)\n",
                 "the example writes outside its directory: .*/mod.py",
                 id="fchmod-of-a-file-opened-for-reading"),
    pytest.param("import mod, os\nd = os.open(os.path.dirname(mod.__file__), os.O_RDONLY)\n"
                 "os.open('mod.py', os.O_WRONLY | os.O_TRUNC, dir_fd=d)\n",
                 "the example opens a directory outside its own: .*", id="write-at-a-dir-fd"),
]


@pytest.mark.parametrize("code, message", REFUSED)
def test_refused_actions_fail_the_example_and_name_it(tmp_path: Path, code: str,
                                                      message: str) -> None:
    before = "def target():\n    return 1\n"
    write_tree(tmp_path, {"mod.py": before})
    mode = stat.S_IMODE((tmp_path / "mod.py").stat().st_mode)
    started = time.monotonic()
    result = run_one(code, tmp_path)
    assert result.status == "refused"
    assert re.fullmatch(message, examples.describe(result, 5.0)), result
    assert time.monotonic() - started < 10
    assert (tmp_path / "mod.py").read_text() == before
    assert stat.S_IMODE((tmp_path / "mod.py").stat().st_mode) == mode
    assert not os.path.exists(os.path.join(REAL_HOME, "howto-sandbox-x"))


ALLOWED = [
    pytest.param("import os\nassert os.environ['HOME'] == os.getcwd()\n"
                 "open(os.path.expanduser('~/x'), 'w').write('mine')\n", id="home-is-its-own"),
    pytest.param("import tempfile\nwith tempfile.NamedTemporaryFile() as f:\n"
                 "    f.write(b'x')\n", id="tempfile-inside"),
    pytest.param("import socket, threading\nserver = socket.socket()\n"
                 "server.bind(('127.0.0.1', 0))\nserver.listen()\n"
                 "client = socket.create_connection(server.getsockname())\nclient.close()\n",
                 id="loopback-connection"),
    pytest.param("import os\nos.makedirs('a/b')\nos.rename('a/b', 'c')\n"
                 "import shutil\nshutil.rmtree('a')\n", id="files-inside"),
    pytest.param("print(open(__import__('mod').__file__).read())\n", id="reads-repo"),
    pytest.param("import sqlite3\nsqlite3.connect(':memory:').close()\n"
                 "sqlite3.connect('here.db').close()\n", id="sqlite-inside"),
]


@pytest.mark.parametrize("code", ALLOWED)
def test_what_an_example_may_do(tmp_path: Path, code: str) -> None:
    write_tree(tmp_path, {"mod.py": "def target():\n    return 1\n"})
    assert run_one(code, tmp_path).status == "passed"


# --- environment and limits: (example, environ extra, timeout, expected status/message) -----

SECRETS = {"GITHUB_TOKEN": "ghp_secret", "AWS_SECRET_ACCESS_KEY": "aws", "OPENAI_API_KEY": "sk",
           "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "EDITOR": "vim", "LANG": "C.UTF-8"}

LIMITED = [
    pytest.param("import os\nfor name in ('GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', "
                 "'OPENAI_API_KEY', 'DISPLAY', 'WAYLAND_DISPLAY'):\n"
                 "    assert name not in os.environ, name\n"
                 "assert (os.environ['EDITOR'], os.environ['VISUAL'], os.environ['BROWSER'],"
                 " os.environ['TERM']) == ('false', 'false', 'false', 'dumb')\n"
                 "assert os.environ['LANG'] == 'C.UTF-8'\n", "passed", "", id="environment"),
    pytest.param("block = bytearray(2 * 1024 ** 3)\n", "raised",
                 "the usage example raises MemoryError", id="allocates-2-gb"),
    pytest.param("while True:\n    pass\n", "timeout",
                 "the usage example did not finish within 1 s and was stopped", id="spins"),
    pytest.param("with open('big', 'wb') as f:\n    f.seek(300 * 1024 * 1024)\n"
                 "    f.write(b'x')\n", "raised",
                 "the usage example raises OSError: [Errno 27] File too large",
                 id="writes-a-huge-file"),
    pytest.param("import os\nfor fd in os.listdir('/proc/self/fd'):\n    try:\n"
                 "        os.write(int(fd), b'garbage {not json\\n\\xff\\xfe\\n')\n"
                 "    except OSError:\n        pass\n", "crashed",
                 "the usage example ended its interpreter (it wrote to the runner's report "
                 "channel)", id="garbage-on-the-report-channel"),
    pytest.param("import os\nfor fd in os.listdir('/proc/self/fd'):\n    try:\n"
                 "        os.write(int(fd), b'[' * 60000 + b'\\n' + b'x' * 200000)\n"
                 "    except OSError:\n        pass\n", "crashed",
                 "the usage example ended its interpreter (it wrote to the runner's report "
                 "channel)", id="bracket-bomb-and-endless-line-on-the-report-channel"),
]


@pytest.mark.parametrize("code, status, message", LIMITED)
def test_environment_and_limits(tmp_path: Path, code: str, status: str, message: str) -> None:
    started = time.monotonic()
    result = run_one(code, tmp_path, timeout=1.0, environ=dict(os.environ, **SECRETS))
    assert result.status == status, result
    if message:
        assert examples.describe(result, 1.0) == message
    assert time.monotonic() - started < 10


# --- what escapes the audit hook on purpose is still killed --------------------------------

# Code written to get past the audit hook (it is a guard against accidents):
# it turns the guard's fork permission back on, then forks.
ESCAPE = """\
import os, sys, time
frame = sys._getframe()
while 'guard' not in frame.f_locals:
    frame = frame.f_back
frame.f_locals['guard'].server = True
"""

ESCAPES = [
    pytest.param(ESCAPE + "pid = os.fork()\nif pid == 0:\n    os.setsid()\n"
                 "    time.sleep(60)\n    os._exit(0)\n"
                 "raise RuntimeError(f'left {pid}')\n", id="setsid-sleeper-holds-the-pipe"),
    pytest.param(ESCAPE + "r, w = os.pipe()\npid = os.fork()\nif pid == 0:\n"
                 "    os.setsid()\n    if os.fork():\n        os._exit(0)\n"
                 "    os.write(w, str(os.getpid()).encode())\n    time.sleep(60)\n"
                 "os.waitpid(pid, 0)\nraise RuntimeError(f'left {os.read(r, 20).decode()}')\n",
                 id="double-fork-daemon"),
    pytest.param(ESCAPE + "pid = os.fork()\nif pid == 0:\n    os.setsid()\n"
                 "    time.sleep(60)\n    os._exit(0)\ntime.sleep(60)\n",
                 id="hangs-with-a-sleeper"),
]


@pytest.mark.parametrize("code", ESCAPES)
def test_nothing_an_example_starts_survives_it(tmp_path: Path, code: str) -> None:
    started = time.monotonic()
    result = run_one(code, tmp_path, timeout=2.0)
    took = time.monotonic() - started
    assert took < 2.0 + 6.0, took  # the timeout plus a margin, whatever holds the pipe
    match = re.search(r"left (\d+)", result.message)
    left = [int(match.group(1))] if match else []
    if not left:
        assert result.status == "timeout"
    marked = tree.marked(f"{os.getpid()}-", prefix=True)
    assert _all_gone(left + marked), (left, marked)


# --- each example alone --------------------------------------------------------------------

CONTEXT = '''\
import threading

_state = threading.local()


def push_context(name):
    _state.stack = getattr(_state, "stack", []) + [name]


def pop_context():
    return _state.stack.pop()
'''


def test_each_example_runs_alone_in_the_runner(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ctx.py": CONTEXT})
    runner = examples.Runner(sys.executable, timeout=5.0)
    results = runner.run([
        examples.Example("push", "from ctx import push_context\npush_context('a')\n",
                         (str(tmp_path),)),
        examples.Example("pop", "from ctx import pop_context\npop_context()\n",
                         (str(tmp_path),)),
    ])
    assert [(r.status, r.exception) for r in results] == [("passed", ""),
                                                          ("raised", "AttributeError")]


def guided(name: str, params: str, example: str, body: str) -> str:
    doc = GOOD_GUIDE.replace("send_report", name).replace(
        f'sent = {name}("weekly.txt")', example)
    return (f"def {name}({params}):\n    \"\"\"{textwrap.indent(doc, '    ').lstrip()}"
            f"    \"\"\"\n    {body}\n\n\n")


TWO_GUIDES = ("import threading\n\n_state = threading.local()\n\n\n"
              + guided("push_context", "name", "from ctx import push_context\n\n"
                       "push_context('a')", "_state.stack = getattr(_state, 'stack', []) + "
                       "[name]")
              + guided("pop_context", "", "from ctx import pop_context\n\npop_context()",
                       "return _state.stack.pop()"))


def test_each_example_runs_alone_for_how403(tmp_path: Path, run_main) -> None:
    write_tree(tmp_path, {"ctx.py": TWO_GUIDES})
    status, out, err = run_main(["--all", "--run-examples", "ctx.py"], cwd=str(tmp_path))
    assert [ln.split(": ", 1)[1] for ln in out.strip().split("\n")] == [
        "HOW403 the usage example raises AttributeError: '_thread._local' object has no "
        "attribute 'stack'"]
    assert "pop_context" in out or out.startswith("ctx.py:")
    assert status == 1


def test_each_candidate_runs_alone_when_fixing(tmp_path: Path) -> None:
    from howto_hook.check import analyse
    from howto_hook.generate import Outcome, Request

    write_tree(tmp_path, {"ctx.py": CONTEXT})
    source = CONTEXT
    targets = analyse(source.encode(), path=str(tmp_path / "ctx.py"), settings=SETTINGS,
                      enabled=frozenset()).checked
    outcomes = []
    for target, _ in targets:
        request = Request(target=target, source=source, import_path="ctx", settings=SETTINGS,
                          path=str(tmp_path / "ctx.py"))
        call = "push_context('a')" if target.name == "push_context" else "pop_context()"
        text = textwrap.dedent(GOOD_GUIDE.replace("send_report", target.name).replace(
            f'sent = {target.name}("weekly.txt")',
            f"from ctx import {target.name}\n\n{call}"))
        outcomes.append(Outcome(request, text))
    vetted = examples.vet(outcomes, examples.Runner(sys.executable))
    assert [o.text is not None for o in vetted] == [True, False]
    assert vetted[1].error == ("the usage example raises AttributeError: '_thread._local' "
                               "object has no attribute 'stack'")


def test_each_example_runs_alone_under_pytest(pytester) -> None:
    pytester.makepyfile(ctx=TWO_GUIDES)
    from test_pytest_plugin import _load

    result = pytester.runpytest(*_load(), "--howto-examples", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["PASSED ctx.py::push_context", "FAILED ctx.py::pop_context*"])


pytest_plugins = ["pytester"]


# --- howto-check killed mid-example ----------------------------------------------------------

SLEEPER = ESCAPE + "pid = os.fork()\nif pid == 0:\n    os.setsid()\n    time.sleep(60)\n" \
                   "    os._exit(0)\ntime.sleep(60)\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_killed_run_leaves_nothing(tmp_path: Path, sig: int) -> None:
    parent = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom howto_hook import examples\n"
        "examples.Runner(sys.executable, timeout=60).run("
        f"[examples.Example('k', {SLEEPER!r}, ())])\n")])
    try:
        deadline = time.monotonic() + 20
        while len(tree.marked(f"{parent.pid}-", prefix=True)) < 3:  # server, child, sleeper
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.05)
        running = tree.marked(f"{parent.pid}-", prefix=True)
        parent.send_signal(sig)
        parent.wait()
        # the server and the example die with the run; the next run sweeps the rest
        subprocess.run([sys.executable, "-c", "from howto_hook.examples import policy\n"
                        "policy.sweep()\n"], check=True)
        assert _all_gone(running)
        left = [n for n in os.listdir(tempfile.gettempdir())
                if n.startswith(f"howto-examples-{parent.pid}-")]
        assert left == []
    finally:
        parent.kill()
        parent.wait()


# --- a buffer (stdin) ----------------------------------------------------------------------


def test_an_example_of_a_buffer_imports_the_buffer(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/mod.py": "def answer():\n    return 1\n"})
    buffer = "def answer():\n    return 42\n"
    module = examples.found.overlay(str(tmp_path / "pkg" / "mod.py"), buffer)
    assert module[0] == "pkg.mod"
    result = examples.Runner(sys.executable).run([examples.Example(
        "k", "from pkg.mod import answer\nassert answer() == 42\n", (str(tmp_path),),
        module)])[0]
    assert result.ok, result


# --- which interpreter: never a tracked one, the same for every kind of run ---------------


def fake_venv(root: Path, marker: Path) -> None:
    """`.venv/bin/python` under `root`: the real interpreter, leaving `marker` behind."""
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\ntouch {marker}\nexec {sys.executable} \"$@\"\n")
    python.chmod(0o755)


def _repo_with_venv(root: Path, marker: Path) -> None:
    """A git repository whose `.venv/bin/python` runs the real interpreter and
    leaves `marker` behind, with one guided module in `pkg/`."""
    from conftest import git

    example = "from mod import target\n\ntarget()"
    write_tree(root, {"pkg/mod.py": guided("target", "", example, "raise KeyError('ran')")})
    fake_venv(root, marker)
    git(str(root), "init", "-q")
    git(str(root), "add", "pkg")
    git(str(root), "commit", "-qm", "start")


@pytest.mark.parametrize("tracked, args", [
    pytest.param(False, ["--all"], id="all"),
    pytest.param(False, [], id="commit"),
    pytest.param(True, ["--all"], id="tracked-all"),
    pytest.param(True, [], id="tracked-commit"),
])
def test_one_interpreter_for_every_run_never_a_tracked_one(tmp_path: Path, run_main,
                                                          tracked: bool,
                                                          args: List[str]) -> None:
    from conftest import git

    marker = tmp_path / "venv-ran"
    root = tmp_path / "repo"
    _repo_with_venv(root, marker)
    if tracked:
        git(str(root), "add", "-f", ".venv")
        git(str(root), "commit", "-qm", "commit the environment")
    # a change to check on the commit's run
    mod = root / "pkg" / "mod.py"
    mod.write_text(mod.read_text().replace("KeyError('ran')", "KeyError('changed')"))
    status, out, err = run_main([*args, "--run-examples", "mod.py"], cwd=str(root / "pkg"))
    if tracked:
        assert f"running usage examples with {sys.executable} (howto-check's own " \
               "interpreter)" in err
        assert not marker.exists()
    else:
        assert f"running usage examples with {root / '.venv' / 'bin' / 'python'} (from .venv " \
               "at the repository root)" in err
        assert marker.exists()
    assert "HOW403 the usage example raises KeyError: 'changed'" in out and status == 1


# --- the summary after a fix ---------------------------------------------------------------

RAISES = '''\
def double(n: int) -> int:
    return n * 2


def explode(path: str) -> int:
    if path:
        raise OSError("no disk")
    return 0
'''

FIXABLE = "import subprocess\n\n\n" + RAISES + '''

def launch(url: str) -> int:
    return subprocess.call(["xdg-open", url])
'''


def test_the_fix_summary_counts_candidates_by_cause(tmp_path: Path, run_main) -> None:
    write_tree(tmp_path, {"cm.py": FIXABLE})
    status, _, err = run_main(["--all", "--fix", "--run-examples", "cm.py"], cwd=str(tmp_path))
    line = next(ln for ln in err.split("\n") if "candidate example" in ln)
    ran, failed, causes = re.fullmatch(
        r"howto-check: ran (\d+) candidate examples; (\d+) failed \((.*)\); 1 guide written; "
        r"2 definitions left unfixed, most often: the usage example raises OSError \(1\); "
        r"the example starts a process \(1\)", line).groups()
    assert int(ran) >= 3 and int(failed) >= 2
    assert "raised" in causes and "started a process" in causes
    assert "ran 0 usage examples" not in err
    assert "cannot fix launch: the example starts a process: xdg-open" in err


@pytest.mark.parametrize("returns, expected", [
    pytest.param(42, [], id="the-buffer-is-imported"),
    pytest.param(1, ["HOW403 the usage example raises AssertionError"], id="not-the-file"),
])
def test_stdin_examples_run_against_the_buffer(tmp_path: Path, monkeypatch, run_main,
                                               returns: int, expected: List[str]) -> None:
    import io

    example = "from pkg.mod import answer\n\nassert answer() == 42"
    write_tree(tmp_path, {"pkg/__init__.py": "",
                          "pkg/mod.py": guided("answer", "", example, "return 1")})
    buffer = guided("answer", "", example, f"return {returns}")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(buffer.encode())))
    status, out, err = run_main(["--all", "--run-examples", "--stdin-filename", "pkg/mod.py",
                                 "-"], cwd=str(tmp_path))
    assert [ln.split(": ", 1)[1] for ln in out.strip().split("\n") if ln] == expected
    assert "ran 1 usage example" in err


# --- --fix runs its candidates by default where it can ---------------------------------------

@pytest.mark.parametrize("venv, config, flags, expected", [
    pytest.param(True, "", [], "ran", id="project-venv-runs-by-default"),
    pytest.param(True, "", ["--no-run-examples"], "verbatim-only", id="flag-opts-out"),
    pytest.param(True, "run-examples = false\n", [], "verbatim-only", id="config-opts-out"),
    pytest.param(False, "", [], "no-interpreter", id="no-project-interpreter"),
    pytest.param("own-imports", "", [], "ran-own", id="own-interpreter-imports-the-project"),
    pytest.param("own-cannot", "", [], "no-interpreter",
                 id="own-interpreter-cannot-import-the-project"),
])
def test_fix_runs_examples_by_default(tmp_path: Path, run_main, monkeypatch, venv: object,
                                      config: str, flags: List[str], expected: str) -> None:
    marker = tmp_path / "venv-ran"
    files = {"cm.py": RAISES}
    if config:
        files["pyproject.toml"] = f"[tool.howto]\n{config}"
    write_tree(tmp_path, files)
    if venv is True:
        fake_venv(tmp_path, marker)
    elif venv == "own-imports":  # as in the project's own virtualenv, where it is installed
        monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    elif venv == "own-cannot":  # its path holds another folder, not the project
        monkeypatch.setenv("PYTHONPATH", str(tmp_path / "elsewhere"))
    status, _, err = run_main(["--all", "--fix", *flags, "cm.py"], cwd=str(tmp_path))
    after = (tmp_path / "cm.py").read_text()
    written = {name for name in ("double", "explode")
               if '"""' in after.split(f"def {name}")[1].split("def ")[0]}
    if expected == "ran":
        assert "(from .venv at the repository root)" in err and marker.exists()
        assert written == {"double"}
        assert "cannot fix explode: the usage example raises OSError: no disk" in err
        assert re.search(r"ran \d+ candidate examples; \d+ failed \(1 raised\); 1 guide "
                         r"written", err)
    elif expected == "verbatim-only":
        assert written == set() and not marker.exists()
        assert "cannot fix double: its example was not run" in err
    elif expected == "ran-own":
        assert "(howto-check's own interpreter, which imports the project)" in err
        assert written == {"double"}
        assert "cannot fix explode: the usage example raises OSError: no disk" in err
    else:  # nothing imports the project: said once, and only verbatim examples written
        assert written == set() and not marker.exists() and "running usage examples" not in err
        assert err.count("no interpreter that can import the project was found") == 1
        assert "set example-python (or --example-python)" in err
        assert "cannot fix double: its example was not run" in err


@pytest.mark.parametrize("on_path, names, expected", [
    pytest.param(True, ["cm", "missing_mod"], {"cm"}, id="installed-or-on-its-path"),
    pytest.param(False, ["cm"], set(), id="only-in-the-current-directory"),
    pytest.param(True, ["json", "sys"], set(), id="a-standard-library-name-is-not-the-project"),
    pytest.param(True, ["pkg.sub", "not an identifier"], {"pkg"}, id="top-level-of-a-dotted-name"),
])
def test_which_modules_an_interpreter_imports(tmp_path: Path, monkeypatch, on_path: bool,
                                              names: List[str], expected: set) -> None:
    from howto_hook.examples.interpreter import imports

    write_tree(tmp_path, {"cm.py": "", "pkg/__init__.py": "", "pkg/sub.py": ""})
    if on_path:
        monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    else:
        monkeypatch.delenv("PYTHONPATH", raising=False)
    # run from the folder itself: `-c` puts it first on the path, which is not asked
    assert imports(sys.executable, names, str(tmp_path)) == expected


@pytest.mark.parametrize("tracked, says", [
    pytest.param((), "(no .venv or venv at the repository root, and", id="none-there"),
    pytest.param((".venv",), "(.venv at the repository root is tracked by git, so never run, "
                 "and", id="tracked-venv-named"),
])
def test_the_no_interpreter_note_names_a_tracked_venv(tracked, says: str) -> None:
    from howto_hook.examples.stage import no_interpreter

    line = no_interpreter(tracked)
    assert says in line and line.endswith("to run them\n") and line.count("\n") == 1
