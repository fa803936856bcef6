"""Running Usage Examples (HOW403): child processes on the project's interpreter.

Nothing here runs unless `--run-examples` or config `run-examples` asks.
Each example runs in a child process of the project's own interpreter (so
that the project's dependencies import, wherever howto-check is installed),
with the project's import roots first on `sys.path`, a fresh temporary
working directory, standard input at end of file, the provider key variables
removed from the environment and a per-example timeout after which the child
and everything it started are killed (they share a process group).

Examples are sent in batches, one child per batch and up to `jobs` children
side by side: an interpreter start and the project's imports are paid once
per batch, not once per example. A child reports on a pipe of its own
("start" and "done" lines), so that whatever an example prints is never
mistaken for a result; when a child dies or hangs mid-batch, the example it
was running is charged with it and a new child takes the rest.

The child runs DRIVER, which is plain Python 3 with no import of howto_hook:
the project's interpreter does not have howto-check installed.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import (TYPE_CHECKING, Dict, FrozenSet, List, Mapping, NamedTuple, Optional,
                    Sequence, Tuple)

if TYPE_CHECKING:
    from howto_hook.check import Analysis, FileResult
    from howto_hook.config import Settings
    from howto_hook.generate import Generator, Outcome, Request
    from howto_hook.guide import Guide
    from howto_hook.model import Target, Violation
    from howto_hook.plan import Plan

DEFAULT_TIMEOUT = 10.0
# A child that hangs even past its own alarm (stuck in C code, or catching the
# alarm's exception) is killed this long after the example's timeout.
GRACE = 2.0
# How long an interpreter may take to start and import nothing but the driver.
STARTUP = 60.0


class RunnerError(Exception):
    """The interpreter cannot run examples at all; the message is one line."""


class Example(NamedTuple):
    key: str  # unique within one run
    code: str  # the example's code, dedented
    roots: Tuple[str, ...]  # directories put first on sys.path


class Result(NamedTuple):
    key: str
    status: str  # "passed", "raised", "timeout" or "crashed"
    exception: str = ""  # the exception's type name ("TypeError")
    message: str = ""  # its message, first line; for a crash, what ended the child
    line: int = 0  # 1-based line of the example where it failed; 0 when unknown
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "passed"


def describe(result: Result, timeout: float) -> str:
    """What went wrong, as the HOW403 message and the "cannot fix" reason say it."""
    if result.status == "raised":
        said = f": {result.message}" if result.message else ""
        return f"the usage example raises {result.exception}{said}"
    if result.status == "timeout":
        return f"the usage example did not finish within {timeout:g} s and was stopped"
    if result.status == "crashed":
        return f"the usage example ended its interpreter ({result.message})"
    return "the usage example runs"


# --- which interpreter --------------------------------------------------------------


def _python_in(env_dir: str) -> str:
    if os.name == "nt":
        return os.path.join(env_dir, "Scripts", "python.exe")
    return os.path.join(env_dir, "bin", "python")


def _runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _same_dir(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def choose_python(explicit: Optional[str], repo_root: str,
                  environ: Mapping[str, str] = os.environ, own: str = sys.executable,
                  own_prefix: str = sys.prefix) -> Tuple[str, str]:
    """(interpreter, why it was chosen): the project's interpreter for examples.

    `explicit` (from --example-python or config, already absolute) wins;
    else $VIRTUAL_ENV's python, unless that environment is howto-check's own
    (pre-commit sets VIRTUAL_ENV to the hook's environment); else `.venv` or
    `venv` at the repository root; else howto-check's own interpreter.
    """
    if explicit:
        if not _runnable(explicit):
            raise RunnerError(f"example-python {explicit} is not an executable file")
        return explicit, "as configured"
    venv = environ.get("VIRTUAL_ENV", "")
    if venv and not _same_dir(venv, own_prefix) and _runnable(_python_in(venv)):
        return _python_in(venv), "from $VIRTUAL_ENV"
    for name in (".venv", "venv"):
        candidate = _python_in(os.path.join(repo_root, name))
        if _runnable(candidate):
            return candidate, f"from {name} at the repository root"
    return own, "howto-check's own interpreter"


def child_environment(environ: Mapping[str, str], key_vars: Sequence[str]) -> Dict[str, str]:
    """The environment examples see: ours without the provider's key variables."""
    drop = {"OPENAI_API_KEY", *key_vars}
    return {k: v for k, v in environ.items() if k not in drop}


def import_root(path: str) -> str:
    """The directory a file's module is imported from (see modpath): the first
    directory above its packages, i.e. the project root or `src/`."""
    directory = os.path.dirname(os.path.abspath(path))
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


# --- the child ------------------------------------------------------------------------

# Runs on the project's interpreter: Python 3 only, no third-party import.
DRIVER = r'''
import builtins, json, os, signal, sys, tempfile, time, traceback

class _Timeout(BaseException):
    pass

def _alarm(signum, frame):
    raise _Timeout()

def _where(tb, filename):
    line = 0
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line

def _text(exc):
    try:
        said = str(exc)
    except BaseException:
        said = "(its message cannot be shown)"
    said = said.strip().split("\n")[0]
    return said if len(said) <= 300 else said[:297] + "..."

def _run(item, timeout, flags, base_path, work):
    filename = "<usage example %s>" % item["key"]
    sys.path[:] = list(item["roots"]) + base_path
    sys.argv[:] = [filename]  # not the driver's own arguments
    os.chdir(tempfile.mkdtemp(prefix="example-", dir=work))
    result = {"key": item["key"], "status": "passed"}
    start = time.perf_counter()
    try:
        code = compile(item["code"], filename, "exec", flags, True)
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            value = eval(code, namespace)
            if code.co_flags & 0x80:  # CO_COROUTINE: a top-level await
                import asyncio
                asyncio.run(value)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout as e:
        result.update(status="timeout", line=_where(e.__traceback__, filename))
    except BaseException as e:
        line = _where(e.__traceback__, filename)
        if isinstance(e, SyntaxError) and e.filename == filename:
            line = e.lineno or 0  # syntax this interpreter lacks (match on 3.9)
        result.update(status="raised", exception=type(e).__name__, message=_text(e),
                      line=line)
    result["seconds"] = time.perf_counter() - start
    return result

def _die_with_parent(parent):
    """Linux: killed when howto-check dies (a worker stopped at its time limit)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        return
    if os.getppid() != parent:  # it died before the request took hold
        os._exit(1)

def _main():
    _die_with_parent(int(sys.argv[3]))
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    out = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8")
    # what examples print is of no use and must not fill a disk: once the
    # driver runs, its output goes nowhere (start-up errors stay in the log)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    flags = getattr(__import__("ast"), "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
    signal.signal(signal.SIGALRM, _alarm)
    base_path = [p for p in sys.path if p not in ("", ".")]
    for item in spec["examples"]:
        out.write(json.dumps({"start": item["key"]}) + "\n")
        out.flush()
        result = _run(item, spec["timeout"], flags, base_path, spec["work"])
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass  # an example may have closed or replaced it
        out.write(json.dumps(result) + "\n")
        out.flush()
        if result["status"] == "timeout":
            break  # whatever the example started is killed with this process group
    out.close()
    os._exit(0)  # threads an example left running must not keep the child alive

_main()
'''


class Runner:
    """Runs examples on one interpreter, in batches, up to `jobs` at a time."""

    def __init__(self, python: str, *, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
                 env: Optional[Mapping[str, str]] = None) -> None:
        self.python = python
        self.timeout = timeout
        self.jobs = max(1, jobs)
        self.env = dict(os.environ if env is None else env)
        self.ran = 0  # examples run so far, for the run's summary

    def run(self, examples: Sequence[Example]) -> List[Result]:
        """One result per example, in the order given. Raises RunnerError when
        the interpreter cannot start the driver at all."""
        if not examples:
            return []
        self.ran += len(examples)
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
        return [found[e.key] for e in examples]

    def _batch(self, batch: List[Example]) -> Dict[str, Result]:
        done: Dict[str, Result] = {}
        rest = batch
        while rest:
            results, started = self._child(rest)
            done.update(results)
            if not started:
                # not one example began: the interpreter itself is the problem
                raise RunnerError(results.pop("", Result("", "crashed")).message)
            rest = [e for e in rest if e.key not in done]
        return done

    def _child(self, batch: List[Example]) -> Tuple[Dict[str, Result], bool]:
        """Run a batch in one child until it ends, hangs or dies; (results, whether
        any example started)."""
        work = tempfile.mkdtemp(prefix="howto-examples-")
        try:
            spec = os.path.join(work, "spec.json")
            with open(spec, "w", encoding="utf-8") as f:
                json.dump({"timeout": self.timeout, "work": work,
                           "examples": [e._asdict() for e in batch]}, f)
            log_path = os.path.join(work, "output.log")
            read_fd, write_fd = os.pipe()
            try:
                with open(log_path, "wb") as log:
                    proc = subprocess.Popen(
                        [self.python, "-c", DRIVER, spec, str(write_fd), str(os.getpid())],
                        stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=work,
                        env=self.env, pass_fds=(write_fd,), start_new_session=True)
            except OSError as e:
                os.close(read_fd)
                raise RunnerError(f"cannot start {self.python}: {e.strerror or e}") from None
            finally:
                os.close(write_fd)
            with os.fdopen(read_fd, "rb") as pipe:
                results, current, reason = self._watch(proc, pipe)
            status = _end(proc)
            started = current is not None or bool(results)
            if current is not None:  # the example that was running when the child ended
                if reason == "timeout":
                    results[current] = Result(current, "timeout")
                else:
                    results[current] = Result(current, "crashed", message=status)
            elif not started:
                results[""] = Result("", "crashed", message=(
                    f"{self.python} cannot run examples: {status}{_tail(log_path)}"))
            return results, started
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _watch(self, proc: subprocess.Popen, pipe) -> Tuple[Dict[str, Result], Optional[str], str]:
        """Read the child's reports until its pipe closes or an example overstays."""
        results: Dict[str, Result] = {}
        current: Optional[str] = None
        deadline = time.monotonic() + STARTUP
        buffer = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                _kill(proc)
                return results, current, "timeout"
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                return results, current, "ended"
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                message = json.loads(raw)
                if "start" in message:
                    current = message["start"]
                    deadline = time.monotonic() + self.timeout + GRACE
                else:
                    results[message["key"]] = Result(
                        message["key"], message["status"], message.get("exception", ""),
                        message.get("message", ""), message.get("line", 0),
                        message.get("seconds", 0.0))
                    current = None
                    deadline = time.monotonic() + STARTUP


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


def _kill(proc: subprocess.Popen) -> None:
    """Kill the child's whole process group: the example's own children too."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _end(proc: subprocess.Popen) -> str:
    """Reap the child, killing first whatever it left running; how it ended."""
    try:
        # wait without reaping, so that the group's id cannot be reused yet
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    except (AttributeError, ChildProcessError, OSError):
        pass
    _kill(proc)
    code = proc.wait()
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _tail(log_path: str) -> str:
    try:
        with open(log_path, "rb") as f:
            text = f.read()[-2000:].decode("utf-8", "replace")
    except OSError:
        return ""
    last = [ln for ln in text.strip().split("\n") if ln.strip()]
    return f": {last[-1].strip()}" if last else ""


# --- the check stage: guides in, HOW403 out -----------------------------------------


class Found(NamedTuple):
    """One definition's Usage Example, located in its file."""

    target: "Target"
    example: Example
    # file (line, column) of each line of the example's code, in order
    places: Tuple[Tuple[int, int], ...]


def code_of_guide(target: "Target", guide: "Guide", settings: "Settings"
                  ) -> Optional[Tuple[str, Tuple[Tuple[int, int], ...]]]:
    """The example's code (when it compiles) and the file place of each line."""
    from howto_hook import rules

    parsed = rules.example_tree(rules.Context(target, guide, settings))
    if parsed is None:
        return None  # no example, or HOW204 already says it is not Python
    _, first, code = parsed
    places = []
    for n, text in enumerate(code.split("\n")):
        index = first + n
        shown = guide.lines[index].text if index < len(guide.lines) else ""
        places.append(guide.pos(index, len(shown) - len(shown.lstrip())))
    return code, tuple(places)


def find(analysis: "Analysis", path: str, enabled: FrozenSet[str], settings: "Settings"
         ) -> List[Found]:
    """The examples to run in one checked file: those of definitions checked for
    HOW403 whose `def` line or docstring end carries no `# noqa` for it."""
    from howto_hook import check
    from howto_hook import guide as g

    if "HOW403" not in enabled:
        return []
    lines = analysis.text.split("\n")
    root = import_root(path)
    out = []
    for target, _ in analysis.checked:
        if target.docstring is None:
            continue
        if any(_silenced(lines, n, check) for n in (target.line, target.docstring.end_line)):
            continue
        located = code_of_guide(target, g.parse(target.docstring, settings), settings)
        if located is None:
            continue
        code, places = located
        key = f"{path}:{target.line}:{target.qualname}"
        out.append(Found(target, Example(key, code, (root,)), places))
    return out


def _silenced(lines: List[str], n: int, check) -> bool:  # type: ignore[no-untyped-def]
    if not 1 <= n <= len(lines):
        return False
    codes = check.noqa_codes(lines[n - 1])
    return codes is not None and (not codes or "HOW403" in codes)


def violations(found: Sequence[Found], results: Sequence[Result], text: str,
               timeout: float) -> List["Violation"]:
    """HOW403 for each example that failed, at its failing line (else its first)."""
    from howto_hook import check
    from howto_hook.model import Violation

    lines = text.split("\n")
    out = []
    for f, r in zip(found, results):
        if r.ok:
            continue
        index = r.line - 1 if 1 <= r.line <= len(f.places) else 0
        line, col = f.places[index]
        if _silenced(lines, line, check):
            continue
        out.append(Violation(f.target.path, line, col, "HOW403", describe(r, timeout),
                             f.target.qualname, check.doc_hash(f.target)))
    return out


def might_hold_example(data: bytes, settings: "Settings") -> bool:
    """A cheap look at the bytes before any parse: a guide's example needs both."""
    return settings.sections.example.encode("utf-8") in data and b"```py" in data


File = Tuple[str, str, FrozenSet[str], Optional[FrozenSet[int]], "Settings"]


def check_files(files: Sequence[File], runner_of, skip: Sequence[Tuple[str, str]] = ()
                ) -> Dict[str, List["Violation"]]:  # type: ignore[no-untyped-def]
    """HOW403 findings by display path for (path, display, enabled codes, changed
    lines, settings) of each file. `runner_of(settings)` gives the Runner a
    file's examples go to; each runner gets all of its examples at once.
    `skip` holds (display, qualname) of examples already run (a fix's)."""
    from howto_hook import check, safeio

    skipped = set(skip)
    everything: List[Tuple[str, str, List[Found], Runner]] = []
    for path, display, enabled, changed, settings in files:
        if "HOW403" not in enabled:
            continue
        try:
            data = check.read_source(path, settings)
        except safeio.Refused:
            continue  # the check itself reports the file
        if not might_hold_example(data, settings):
            continue
        analysis = check.analyse(data, path=display, settings=settings, enabled=frozenset(),
                                 changed=changed)
        found = [f for f in find(analysis, path, enabled, settings)
                 if (display, f.target.qualname) not in skipped]
        if found:
            everything.append((display, analysis.text, found, runner_of(settings)))
    results: Dict[int, List[Result]] = {}
    for runner in {id(r): r for *_, r in everything}.values():
        mine = [n for n, item in enumerate(everything) if item[3] is runner]
        got = iter(runner.run([f.example for n in mine for f in everything[n][2]]))
        for n in mine:
            results[n] = [next(got) for _ in everything[n][2]]
    out: Dict[str, List["Violation"]] = {}
    for n, (display, text, found, runner) in enumerate(everything):
        out[display] = violations(found, results[n], text, runner.timeout)
    return out


# --- fixing: no example seen to fail is written -----------------------------------------


def runner_for(settings: "Settings", jobs: int = 1) -> Runner:
    """The runner a run's settings ask for (example_python already resolved)."""
    python = settings.example_python or sys.executable
    return Runner(python, timeout=settings.example_timeout, jobs=jobs,
                  env=child_environment(os.environ, [settings.llm.api_key_env]))


def example_of_text(request: "Request", text: str) -> Optional[Example]:
    """The example of a generated docstring, ready to run; None when it has none
    that compiles (the rules reject such a guide anyway)."""
    from dataclasses import replace

    from howto_hook import guide as g
    from howto_hook.generate import docstring_of

    doc = docstring_of(text)
    target = replace(request.target, docstring=doc)
    located = code_of_guide(target, g.parse(doc, request.settings), request.settings)
    if located is None:
        return None
    key = f"{request.target.path}:{request.target.line}:{request.target.qualname}"
    return Example(key, located[0], (import_root(request.target.path),))


def vet(outcomes: Sequence["Outcome"], runner: Runner) -> List["Outcome"]:
    """Each outcome with the first of its candidate texts whose example runs; an
    outcome none of whose candidates runs becomes a failure saying why."""
    from dataclasses import replace

    out = list(outcomes)
    tries = {n: [o.text, *o.alternatives] for n, o in enumerate(out) if o.text is not None}
    first_failure: Dict[int, Result] = {}
    while tries:
        batch = []
        for n, texts in tries.items():
            example = example_of_text(out[n].request, texts[0])
            batch.append((n, texts[0], example._replace(key=str(n)) if example else None))
        results = runner.run([e for _, _, e in batch if e is not None])
        by_key = {r.key: r for r in results}
        for n, text, example in batch:
            result = by_key.get(str(n)) if example is not None else None
            if example is None or (result is not None and result.ok):
                # no example of its own to run: the rules judge it (HOW203/HOW204)
                out[n] = replace(out[n], text=text, alternatives=())
                del tries[n]
                continue
            first_failure.setdefault(n, result)
            tries[n] = tries[n][1:]
            if not tries[n]:
                del tries[n]
                why = describe(first_failure[n], runner.timeout)
                out[n] = replace(out[n], text=None, alternatives=(), error=why)
    return out


def run_problem(request: "Request", text: str, runner: Runner) -> Optional[Tuple[str, str]]:
    """None when the guide's example runs; else (a line for a repair prompt that
    names the exception, its message and the example line, the failure as the
    "cannot fix" reason says it)."""
    example = example_of_text(request, text)
    if example is None:
        return None
    result = runner.run([example])[0]
    if result.ok:
        return None
    why = describe(result, runner.timeout)
    rows = example.code.split("\n")
    if 1 <= result.line <= len(rows):
        where = f"usage_example line {result.line}: `{rows[result.line - 1].strip()}`"
    else:
        where = "usage_example"
    return f"HOW403 ({where}): {why}", why


class Vetted:
    """A generator whose guides are written only when their example runs."""

    def __init__(self, inner: "Generator", runner: Runner) -> None:
        self.inner = inner
        self.runner = runner
        self.name = inner.name

    def generate(self, requests: Sequence["Request"]) -> List["Outcome"]:
        return vet(self.inner.generate(requests), self.runner)


# --- the command line's stage ------------------------------------------------------------


def wanted(plan: "Plan") -> bool:
    """Whether any file of the run asks for its examples to be run."""
    return plan.settings.run_examples or any(
        j.settings is not None and j.settings.run_examples for j in plan.jobs)


def prepare(plan: "Plan", fixing: bool = False) -> "Plan":
    """The plan with each configuration's example interpreter chosen (the run
    says which on stderr); a fix runs examples inside each file's job, so its
    time limit grows by ten example timeouts."""
    from howto_hook.discover import UsageError

    if not hasattr(os, "killpg"):  # pragma: no cover - Windows
        raise UsageError("--run-examples kills each example's process group on a timeout, "
                         "which this system does not have (POSIX only); use "
                         "pytest --howto-examples")
    chosen: Dict[Optional[str], str] = {}

    def resolve(settings: "Settings") -> "Settings":
        if not settings.run_examples:
            return settings
        if settings.example_python not in chosen:
            try:
                python, why = choose_python(settings.example_python, plan.cache_root
                                            or settings.root)
            except RunnerError as e:
                raise UsageError(str(e)) from None
            from howto_hook.streams import shown

            sys.stderr.write(shown(f"howto-check: running usage examples with {python} ({why})")
                             + "\n")
            chosen[settings.example_python] = python
        changes: Dict[str, object] = {"example_python": chosen[settings.example_python]}
        if fixing:
            changes["file_timeout"] = settings.file_timeout + 10 * settings.example_timeout
        return settings.with_changes(**changes)

    mine: Dict[int, "Settings"] = {}

    def once(settings: "Settings") -> "Settings":
        if id(settings) not in mine:
            mine[id(settings)] = resolve(settings)
        return mine[id(settings)]

    jobs = [j._replace(settings=once(j.settings)) if j.settings is not None else j
            for j in plan.jobs]
    return plan._replace(settings=once(plan.settings), jobs=jobs)


def stage(plan: "Plan", results: Sequence["FileResult"],
          skip: Sequence[Tuple[str, str]] = ()) -> List["FileResult"]:
    """The check's results with HOW403 added: every example of the definitions
    checked whose configuration asks for it is run (but those in `skip`), up to
    the plan's workers at a time."""
    from dataclasses import replace

    from howto_hook.discover import UsageError

    runners: Dict[Tuple[str, float, str], Runner] = {}

    def runner_of(settings: "Settings") -> Runner:
        key = (settings.example_python or "", settings.example_timeout,
               settings.llm.api_key_env)
        if key not in runners:
            runners[key] = runner_for(settings, jobs=plan.workers)
        return runners[key]

    files = []
    for j in plan.jobs:
        settings = j.settings or plan.settings
        if settings.run_examples:
            files.append((j.path, j.display, j.enabled, j.changed, settings))
    started = time.monotonic()
    try:
        found = check_files(files, runner_of, skip)
    except RunnerError as e:
        raise UsageError(str(e)) from None
    failed = sum(len(vs) for vs in found.values())
    ran = sum(r.ran for r in runners.values())
    sys.stderr.write(f"howto-check: ran {ran} usage example{'' if ran == 1 else 's'} in "
                     f"{time.monotonic() - started:.1f} s; {failed} failed\n")
    out = []
    for r in results:
        extra = found.get(r.path, [])
        if extra:
            failing = {v.symbol for v in r.violations}
            newly = {v.symbol for v in extra} - failing
            r = replace(r, violations=tuple(sorted(r.violations + tuple(extra),
                                                   key=lambda v: (v.line, v.col, v.code))),
                        passing=r.passing - len(newly))
        out.append(r)
    return out
