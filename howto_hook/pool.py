"""Forked worker processes for per-file work: every job under a time limit,
and no worker outliving the run.

concurrent.futures cannot stop one task that runs too long (libcst's native
parser takes a minute on an 8,000-term expression and never ends on some
megabyte lines; no signal handler runs meanwhile), and its workers outlive a
parent killed by SIGTERM or SIGKILL, holding the run's stdout open so that CI
or pre-commit waits on them. So this is a small pool of its own:

- each worker is forked (it inherits the jobs; only an index goes down its
  pipe and a pickled result comes back) and runs one job at a time;
- the parent waits on the result pipes with a deadline per running job, and
  a worker past it is killed (SIGKILL) and replaced; its job's result is
  `Outcome(TIMEOUT, ...)`; a worker that dies on its own gives `CRASHED`;
- a worker dies with its parent: PR_SET_PDEATHSIG on Linux, elsewhere a
  thread that waits for EOF on a pipe only the parent holds; it ignores
  SIGINT (the parent stops it), and the parent kills every worker on its way
  out, whatever ends the run.

Without os.fork (Windows) the jobs run in this process, unbounded.
"""
from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
import sys
import threading
import time
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Sequence

DONE, FAILED, TIMEOUT, CRASHED = "done", "failed", "timeout", "crashed"
_INDEX = struct.Struct("!i")
_SIZE = struct.Struct("!I")


class Outcome(NamedTuple):
    index: int  # which job
    status: str  # DONE, FAILED (the job raised), TIMEOUT or CRASHED
    value: Any  # the job's result (DONE); otherwise a one-line reason


class _Worker:
    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.job: Optional[int] = None
        self.started = 0.0


def can_bound() -> bool:
    """Whether jobs can run in forked workers (and so under a time limit)."""
    return hasattr(os, "fork")


def run(job: Callable[[int], Any], order: Sequence[int], workers: int,
        limit: Optional[float]) -> Iterator[Outcome]:
    """`job(i)` for each i in `order`, in at most `workers` forked processes,
    each call stopped after `limit` seconds; outcomes as they finish."""
    if not order:
        return
    if not can_bound():  # pragma: no cover - Windows
        for i in order:
            yield _inline(job, i)
        return
    pending = list(reversed(order))
    parent = os.getpid()
    lifeline_r, lifeline_w = os.pipe()  # EOF in a worker: the parent is gone
    pool: List[_Worker] = []
    selector = selectors.DefaultSelector()
    try:
        for _ in range(max(1, min(workers, len(pending)))):
            pool.append(_start(job, parent, lifeline_r, lifeline_w, pool, selector))
        for w in pool:
            _assign(w, pending)
        while any(w.job is not None for w in pool):
            now = time.monotonic()
            busy = [w for w in pool if w.job is not None]
            wait = None if limit is None else max(0.0, min(w.started + limit for w in busy) - now)
            for key, _ in selector.select(wait):
                w = key.data
                if w.job is None:
                    continue
                message = _read_message(w.results)
                if message is None:  # the worker died without answering
                    yield Outcome(w.job, CRASHED, _death(w, selector))
                    w = _replace(w, job, parent, lifeline_r, lifeline_w, pool, selector)
                else:
                    yield Outcome(w.job, *message)
                _assign(w, pending)
            if limit is not None:
                now = time.monotonic()
                for w in [w for w in pool if w.job is not None and now - w.started > limit]:
                    late = w.job
                    _stop(w, selector)
                    yield Outcome(late, TIMEOUT, f"took longer than {limit:g} s")
                    w = _replace(w, job, parent, lifeline_r, lifeline_w, pool, selector,
                                 stopped=True)
                    _assign(w, pending)
    finally:
        for w in pool:
            _stop(w, selector, kill=w.job is not None)
        selector.close()
        os.close(lifeline_r)
        os.close(lifeline_w)


def _inline(job: Callable[[int], Any], i: int) -> Outcome:
    try:
        return Outcome(i, DONE, job(i))
    except Exception as e:
        return Outcome(i, FAILED, f"{type(e).__name__}: {str(e)[:200]}")


def _start(job: Callable[[int], Any], parent: int, lifeline_r: int, lifeline_w: int,
           pool: List[_Worker], selector: selectors.BaseSelector) -> _Worker:
    tasks_r, tasks_w = os.pipe()
    results_r, results_w = os.pipe()
    _prepare_parent_death_signal()
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        status = 0
        try:
            os.close(tasks_w)
            os.close(results_r)
            os.close(lifeline_w)
            for other in pool:  # the other workers' pipes are not ours to hold
                for fd in (other.tasks, other.results):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            _die_with(parent, lifeline_r)
            _serve(job, tasks_r, results_w)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(tasks_r)
    os.close(results_w)
    w = _Worker(pid, tasks_w, results_r)
    selector.register(results_r, selectors.EVENT_READ, w)
    return w


def _replace(w: _Worker, job: Callable[[int], Any], parent: int, lifeline_r: int,
             lifeline_w: int, pool: List[_Worker], selector: selectors.BaseSelector,
             stopped: bool = False) -> _Worker:
    """A fresh worker in place of one that died or was stopped."""
    if not stopped:
        _stop(w, selector)
    n = pool.index(w)
    others = pool[:n] + pool[n + 1:]
    fresh = _start(job, parent, lifeline_r, lifeline_w, others, selector)
    pool[n] = fresh
    return fresh


def _assign(w: _Worker, pending: List[int]) -> None:
    if not pending:
        w.job = None
        return
    w.job = pending.pop()
    w.started = time.monotonic()
    try:
        os.write(w.tasks, _INDEX.pack(w.job))
    except OSError:
        pass  # the worker just died: its result pipe's EOF reports the job


def _stop(w: _Worker, selector: selectors.BaseSelector, kill: bool = True) -> None:
    """End one worker and reap it: SIGKILL when it may be busy, else EOF on
    its task pipe lets it leave by itself."""
    if w.pid <= 0:
        return
    try:
        selector.unregister(w.results)
    except (KeyError, ValueError):
        pass
    os.close(w.tasks)
    if kill:
        try:
            os.kill(w.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(w.pid, 0)
    except ChildProcessError:
        pass
    os.close(w.results)
    w.pid = -1


def _death(w: _Worker, selector: selectors.BaseSelector) -> str:
    """Reap a worker that died by itself; why it died."""
    selector.unregister(w.results)
    os.close(w.tasks)
    os.close(w.results)
    try:
        _, status = os.waitpid(w.pid, 0)
    except ChildProcessError:
        status = 0
    w.pid = 0  # reaped: nothing left for _stop to do
    if os.WIFSIGNALED(status):
        return f"the worker was killed by signal {os.WTERMSIG(status)}"
    return f"the worker stopped with status {os.WEXITSTATUS(status)}"


# --- in the worker ---------------------------------------------------------------


def _serve(job: Callable[[int], Any], tasks: int, results: int) -> None:
    """Run jobs named on `tasks` until it closes; each answer is one message."""
    while True:
        head = _read_exact(tasks, _INDEX.size)
        if head is None:
            return
        (i,) = _INDEX.unpack(head)
        try:
            answer: tuple = (DONE, job(i))
        except Exception as e:
            answer = (FAILED, f"{type(e).__name__}: {str(e)[:200]}")
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            data = pickle.dumps((FAILED, f"cannot send the result: {type(e).__name__}: {e}"))
        _write_all(results, _SIZE.pack(len(data)) + data)


_libc: Any = None


def _prepare_parent_death_signal() -> None:
    """Load libc once in the parent, so that every forked worker has it."""
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        try:
            import ctypes

            _libc = ctypes.CDLL(None, use_errno=True)
        except (OSError, ImportError):
            _libc = False


def _die_with(parent: int, lifeline: int) -> None:
    """Make this worker end when its parent does, however the parent ends."""
    # The parent stops us on Ctrl-C. A handler that does nothing rather than
    # SIG_IGN: an ignored signal stays ignored in the programs a worker starts
    # (the examples' runs), a handled one is reset to its default there.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    armed = False
    if _libc:
        # PR_SET_PDEATHSIG = 1: the kernel sends SIGKILL when the parent exits
        armed = _libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0
    if not armed:
        def watch() -> None:
            _read_exact(lifeline, 1)  # returns at EOF: the parent's end closed
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before any of that was in place
        os._exit(1)


# --- pipes -------------------------------------------------------------------------


def _read_exact(fd: int, n: int) -> Optional[bytes]:
    chunks: List[bytes] = []
    while n:
        try:
            chunk = os.read(fd, n)
        except InterruptedError:  # pragma: no cover - PEP 475 retries already
            continue
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_message(fd: int) -> Optional[tuple]:
    """One (status, value) message, or None at EOF (the worker died)."""
    head = _read_exact(fd, _SIZE.size)
    if head is None:
        return None
    body = _read_exact(fd, _SIZE.unpack(head)[0])
    if body is None:
        return None
    return pickle.loads(body)

