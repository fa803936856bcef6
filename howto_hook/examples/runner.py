"""Running examples: example servers on the project's interpreter, and their reports.

Examples go in batches, one server (driver.py) per batch and up to `jobs`
servers side by side. A server imports what its examples import once, then
forks a fresh child for each example, so that an example never runs after
another in the same interpreter and the imports are paid once per batch.

The server runs in its own session and process group, in the sandbox of
policy.py and guard.py, and dies with this process. It reports on a pipe of
its own; this side reads it with a deadline for every step and trusts
nothing it says: a line that is not the report it expects (garbage, a
forged result, a line too long) fails the example that was running, an
example or server past its deadline is killed with everything below it, and
the pipe held open by something the example started never holds the run.
"""
from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from howto_hook.examples import policy, tree
from howto_hook.examples.results import DEFAULT_TIMEOUT, Example, Result, RunnerError

HERE = os.path.dirname(os.path.abspath(__file__))
# How long an interpreter may take to start and import the examples' modules.
STARTUP = 60.0
# Beyond an example's timeout and the server's own grace: then this side kills.
MARGIN = 3.0
LONGEST_LINE = 64 * 1024
STATUSES = ("passed", "raised", "timeout", "refused")

_serial = itertools.count()


def _driver() -> str:
    with open(os.path.join(HERE, "driver.py"), encoding="utf-8") as f:
        return f.read()


class Runner:
    """Runs examples on one interpreter, in batches, up to `jobs` at a time.

    `environ` is what the examples' environment is built from (policy.py
    keeps only its allowed names); `preimport` off forks each example from
    a server that imported nothing of the project."""

    def __init__(self, python: str, *, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
                 environ: Optional[Mapping[str, str]] = None, preimport: bool = True) -> None:
        self.python = python
        self.timeout = timeout
        self.jobs = max(1, jobs)
        self.environ = dict(os.environ if environ is None else environ)
        self.preimport = preimport
        self.ran = 0  # examples run so far, for the run's summary
        self.tally: "Counter[str]" = Counter()  # Result.cause of each
        self._driver = _driver()
        policy.sweep()

    def run(self, examples: Sequence[Example]) -> List[Result]:
        """One result per example, in the order given. Raises RunnerError when
        the interpreter cannot start the driver at all."""
        if not examples:
            return []
        batches = _split(list(examples), self.jobs)
        found: Dict[str, Result] = {}
        errors: List[RunnerError] = []
        lock = threading.Lock()

        def work(batch: List[Example]) -> None:
            try:
                got = self._batch(batch)
            except RunnerError as e:
                with lock:
                    errors.append(e)
                return
            with lock:
                found.update(got)

        threads = [threading.Thread(target=work, args=(b,), daemon=True) for b in batches[1:]]
        for t in threads:
            t.start()
        work(batches[0])  # the calling thread takes one batch itself
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        results = [found[e.key] for e in examples]
        self.ran += len(results)
        self.tally.update(r.cause for r in results)
        return results

    def _batch(self, batch: List[Example]) -> Dict[str, Result]:
        done: Dict[str, Result] = {}
        rest = batch
        preimport = self.preimport
        while rest:
            results, started = self._server(rest, preimport)
            done.update(results)
            if not started:
                if preimport:  # perhaps an import killed it: each example imports alone
                    preimport = False
                    continue
                raise RunnerError(results.pop("", Result("", "crashed")).message)
            rest = [e for e in rest if e.key not in done]
        return done

    def _server(self, batch: List[Example], preimport: bool
                ) -> Tuple[Dict[str, Result], bool]:
        """Run a batch on one server until it ends, hangs or dies; (results by
        key, whether any example started)."""
        work = policy.work_directory()
        mark = f"{os.getpid()}-{next(_serial)}"
        try:
            spec = os.path.join(work, "spec.json")
            with open(spec, "w", encoding="utf-8") as f:
                json.dump({"timeout": self.timeout, "work": work, "preimport": preimport,
                           "limits": policy.LIMITS,
                           "examples": [{"code": e.code, "roots": list(e.roots),
                                         "module": e.module} for e in batch]}, f)
            log_path = os.path.join(work, "output.log")
            read_fd, write_fd = os.pipe()
            try:
                with open(log_path, "wb") as log:
                    proc = subprocess.Popen(
                        [self.python, "-c", self._driver, HERE, spec, str(write_fd),
                         str(os.getpid())],
                        stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=work,
                        env=policy.child_environment(self.environ, work, mark),
                        pass_fds=(write_fd,), start_new_session=True)
            except OSError as e:
                os.close(read_fd)
                raise RunnerError(f"cannot start {self.python}: {e.strerror or e}") from None
            finally:
                os.close(write_fd)
            try:
                watch = _Watch(batch, self.timeout, preimport)
                watch.read(read_fd)
            finally:
                os.close(read_fd)
            status = _end(proc, mark, clean=watch.finished)
            results = {batch[n].key: r for n, r in watch.results.items()}
            started = watch.started
            if watch.current is not None and batch[watch.current].key not in results:
                key = batch[watch.current].key
                results[key] = (Result(key, "timeout") if watch.overdue
                                else Result(key, "crashed", message=status))
            elif not started:
                results[""] = Result("", "crashed", message=(
                    f"{self.python} cannot run examples: {status}{_tail(log_path)}"))
            return results, started
        finally:
            shutil.rmtree(work, ignore_errors=True)


class _Watch:
    """The report pipe of one server, read line by line against deadlines."""

    def __init__(self, batch: List[Example], timeout: float, preimport: bool) -> None:
        self.batch = batch
        self.timeout = timeout
        self.results: Dict[int, Result] = {}
        self.current: Optional[int] = None  # the example running now
        self.started = False  # whether any example started
        self.finished = False  # the server said it is done
        self.overdue = False  # the example running now overstayed
        self.deadline = time.monotonic() + STARTUP + (timeout if preimport else 0.0)

    def _step(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def read(self, fd: int) -> None:
        pending = b""
        while not self.finished:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.overdue = self.current is not None
                return
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return  # the server is gone
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if len(pending) > LONGEST_LINE:
                lines.append(pending)
                pending = b""
            for line in lines:
                self._take(line)
                if self.finished:
                    return

    def _take(self, line: bytes) -> None:
        try:
            message = json.loads(line) if len(line) <= LONGEST_LINE else None
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested past the parser
            message = None
        if not isinstance(message, dict):
            return self._garbage()
        expected = len(self.results) if self.current is None else self.current
        if "ready" in message and not self.started and self.current is None:
            self._step(self.timeout + MARGIN)
        elif message.get("start") == expected and self.current is None \
                and expected not in self.results:
            self.current = expected
            self.started = True
            self._step(self.timeout + 1.0 + MARGIN)
        elif message.get("n") == self.current is not None:
            if self.current not in self.results:
                self.results[self.current] = _result(self.batch[self.current].key, message)
            self._step(MARGIN + 2.0)  # the server reaps what the example left
        elif message.get("end") == self.current is not None:
            n = self.current
            if n not in self.results:
                key = self.batch[n].key
                how = message.get("how")
                self.results[n] = (Result(key, "timeout") if message.get("late") is True else
                                   Result(key, "crashed", message=how if isinstance(how, str)
                                          and len(how) < 100 else "it ended"))
            self.current = None
            self._step(self.timeout + MARGIN)
        elif message.get("bye") is True and self.current is None:
            self.finished = True
        else:
            self._garbage()

    def _garbage(self) -> None:
        """A line no server writes: the running example's doing."""
        n = self.current
        if n is not None and n not in self.results:
            self.results[n] = Result(self.batch[n].key, "crashed",
                                     message="it wrote to the runner's report channel")


def _result(key: str, message: dict) -> Result:
    """The example's report, taken only in the shape the driver writes it."""
    status = message.get("status")
    if status not in STATUSES:
        return Result(key, "crashed", message="it wrote to the runner's report channel")

    def text(name: str) -> str:
        value = message.get(name, "")
        return value[:300] if isinstance(value, str) else ""

    line = message.get("line", 0)
    seconds = message.get("seconds", 0.0)
    return Result(key, status, text("exception"), text("message"),
                  line if isinstance(line, int) and not isinstance(line, bool) else 0,
                  float(seconds) if isinstance(seconds, (int, float)) else 0.0)


def _split(examples: List[Example], parts: int) -> List[List[Example]]:
    """Contiguous batches of near-equal size: neighbours share their imports."""
    parts = min(parts, len(examples))
    size, extra = divmod(len(examples), parts)
    out, start = [], 0
    for n in range(parts):
        end = start + size + (1 if n < extra else 0)
        out.append(examples[start:end])
        start = end
    return out


def _end(proc: subprocess.Popen, mark: str, clean: bool) -> str:
    """End the server and everything below it or started by it; how it ended."""
    if clean:  # it said goodbye: it exits at once
        deadline = time.monotonic() + 5.0
        while not _exited(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.001)
    # the server is not reaped yet, so its pid and group cannot be reused meanwhile
    tree.kill(tree.descendants(proc.pid))
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if not clean:  # what an example started and hid in another session
        tree.kill(tree.marked(mark))
    code = proc.wait()
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _exited(pid: int) -> bool:
    """Whether the child has ended, without reaping it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _tail(log_path: str) -> str:
    try:
        with open(log_path, "rb") as f:
            text = f.read()[-2000:].decode("utf-8", "replace")
    except OSError:
        return ""
    last = [ln for ln in text.strip().split("\n") if ln.strip()]
    return f": {last[-1].strip()}" if last else ""
