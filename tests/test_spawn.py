"""spawn.run_all against real child processes (the Python running the tests)."""
from __future__ import annotations

import os
import sys

import pytest

from howto_hook import spawn

PY = sys.executable
BIG = 1 << 20  # far beyond a pipe's buffer: a reader that took turns would hang


@pytest.mark.parametrize("code, status, out, err", [
    ("print('hi')", 0, b"hi\n", b""),
    ("import sys; sys.stderr.write('oops'); sys.exit(3)", 3, b"", b"oops"),
    ("import sys; sys.stdout.write('a'); sys.stderr.write('b')", 0, b"a", b"b"),
    ("import sys; print(sys.stdin.read() == '')", 0, b"True\n", b""),  # stdin is /dev/null
    (f"import sys; sys.stdout.write('x' * {BIG}); sys.stderr.write('y' * {BIG})", 0,
     b"x" * BIG, b"y" * BIG),
    ("import os; os.kill(os.getpid(), 9)", -9, b"", b""),
])
def test_one_child(code: str, status: int, out: bytes, err: bytes) -> None:
    [result] = spawn.run_all([[PY, "-c", code]])
    assert (result.returncode, result.stdout, result.stderr) == (status, out, err)


def test_children_run_side_by_side_and_keep_their_order() -> None:
    # Each child waits for the file the next one writes: in turn they would
    # never finish; side by side they all do.
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        wait = ("import os, sys, time\n"
                "me, nxt = sys.argv[1], sys.argv[2]\n"
                "open(os.path.join(me), 'w').close()\n"
                "deadline = time.time() + 20\n"
                "while not os.path.exists(nxt) and time.time() < deadline: time.sleep(0.01)\n"
                "print(me[-1], os.path.exists(nxt))\n")
        names = [os.path.join(d, f"f{n}") for n in range(3)]
        cmds = [[PY, "-c", wait, names[n], names[(n + 1) % 3]] for n in range(3)]
        results = spawn.run_all(cmds)
    assert [r.stdout for r in results] == [b"0 True\n", b"1 True\n", b"2 True\n"]


def test_environment_is_passed() -> None:
    [r] = spawn.run_all([[PY, "-c", "import os; print(os.environ['HOWTO_T'])"]],
                        env={**os.environ, "HOWTO_T": "seen"})
    assert r.stdout == b"seen\n"


def test_missing_program_raises_and_leaves_no_child() -> None:
    # In a fresh interpreter, so that no other test's child can answer waitpid.
    probe = ("import os\n"
             "from howto_hook import spawn\n"
             "try:\n"
             "    spawn.run_all([[%r, '-c', 'pass'], ['howto-no-such-program-here']])\n"
             "except OSError:\n"
             "    print('raised')\n"
             "try:\n"
             "    os.waitpid(-1, os.WNOHANG)\n"
             "except ChildProcessError:\n"
             "    print('no child left')\n" % PY)
    [r] = spawn.run_all([[PY, "-c", probe]])
    assert r.stdout.decode().split() == ["raised", "no", "child", "left"], r.stderr


def test_no_descriptor_leaks() -> None:
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(20):
        spawn.run_all([[PY, "-c", "pass"], [PY, "-c", "print(1)"]])
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
