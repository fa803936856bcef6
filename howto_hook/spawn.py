"""Run child processes side by side and collect what they print.

A commit that changes no Python file costs little more than starting Python
and asking git; importing `subprocess` (which brings `selectors`,
`threading`, `signal` and `contextlib`) would cost about as much again. So on
POSIX the children start with os.posix_spawnp, two pipes each, read with
poll until every pipe is closed. Elsewhere (Windows) `subprocess` does it.

There is no working directory argument: posix_spawn cannot change it, and
the only program run here is git, which takes `-C DIR`.
"""
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Mapping, Optional, Sequence, Tuple


class Result:
    """What one child did: its exit status and everything it printed."""

    __slots__ = ("returncode", "stdout", "stderr")

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return f"Result(returncode={self.returncode}, stdout={self.stdout!r:.60})"


def run_all(commands: Sequence[Sequence[str]], env: Optional[Mapping[str, str]] = None
            ) -> List[Result]:
    """Start every command at once, wait for all; results in the same order.

    stdin is /dev/null. Raises OSError when a program cannot be started (no
    child is left running then).
    """
    if not hasattr(os, "posix_spawnp"):  # pragma: no cover - Windows
        return _run_with_subprocess(commands, env)
    environ = dict(os.environ if env is None else env)
    started: List[Tuple[int, int, int]] = []  # (pid, stdout fd, stderr fd)
    try:
        for argv in commands:
            started.append(_spawn(argv, environ))
    except OSError:
        _collect(started)  # reap what did start before giving up
        raise
    return _collect(started)


def _spawn(argv: Sequence[str], environ: Dict[str, str]) -> Tuple[int, int, int]:
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    try:
        pid = os.posix_spawnp(argv[0], list(argv), environ, file_actions=actions)
    except BaseException:
        for fd in (out_r, err_r):
            os.close(fd)
        raise
    finally:
        # The child holds its own copies; ours must go, or EOF never comes.
        os.close(out_w)
        os.close(err_w)
    return pid, out_r, err_r


def _collect(started: List[Tuple[int, int, int]]) -> List[Result]:
    """Read every pipe to its end (all at once, so no child blocks on a full
    pipe while another is read), then reap the children."""
    import select

    chunks: Dict[int, List[bytes]] = {}
    for _, out_fd, err_fd in started:
        chunks[out_fd] = []
        chunks[err_fd] = []
    open_fds = set(chunks)
    poller = select.poll() if hasattr(select, "poll") else None
    if poller is not None:
        for fd in open_fds:
            poller.register(fd, select.POLLIN)
    while open_fds:
        if poller is not None:
            ready = [fd for fd, _ in poller.poll()]
        else:  # pragma: no cover - a POSIX system without poll
            ready = select.select(list(open_fds), [], [])[0]
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if data:
                chunks[fd].append(data)
                continue
            open_fds.discard(fd)
            if poller is not None:
                poller.unregister(fd)
            os.close(fd)
    results = []
    for pid, out_fd, err_fd in started:
        _, status = os.waitpid(pid, 0)
        results.append(Result(os.waitstatus_to_exitcode(status),
                              b"".join(chunks[out_fd]), b"".join(chunks[err_fd])))
    return results


def _run_with_subprocess(commands: Sequence[Sequence[str]], env: Optional[Mapping[str, str]]
                         ) -> List[Result]:  # pragma: no cover - Windows
    import subprocess

    procs = [subprocess.Popen(list(argv), env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for argv in commands]
    results = []
    for p in procs:
        out, err = p.communicate()
        results.append(Result(p.returncode, out, err))
    return results
