"""The example server: runs in the project's interpreter, forks one child per example.

Started by runner.py as `python -c <this file's text> HERE SPEC FD PARENT`;
plain Python 3.8+ with no import of howto_hook (the project's interpreter
does not have it), loading its two neighbours `guard.py` and `tree.py` from
HERE by path. What it does, in order:

1. dies with howto-check (PR_SET_PDEATHSIG) and becomes a child subreaper,
   so that whatever an example leaves running stays below it;
2. sets the resource limits (file size, processes, core files), installs the
   audit hook (guard.py) and imports the modules the examples import, once
   (a module whose import fails or is refused is dropped again, so that each
   example meets its failure itself);
3. for each example forks a child from that clean state (never from a state
   another example left), which takes its own directory as cwd, HOME and
   TMPDIR, its CPU and memory limits and an alarm, runs the example and
   writes its result; the server waits for it (killing it past the timeout
   and a grace), kills and reaps everything it left, removes its directory
   and says how it ended.

Every line on the report descriptor is one JSON object:
{"ready"}, {"start": n}, {"n": ..., "status": ...}, {"end": n, "how": ...,
"late": ...}, {"bye"}; the runner trusts none of it beyond its shape.
"""
import ast
import builtins
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback

GRACE = 1.0  # seconds a child may overstay its alarm before it is killed


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _load(here, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location("_howto_" + name,
                                                  os.path.join(here, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prctl():
    """libc's prctl, looked up before the audit hook refuses the lookup."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except Exception:
        return None


def _die_with_parent(prctl, parent):
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the request took hold
        os._exit(1)


def _write(fd, message):
    data = (json.dumps(message) + "\n").encode("utf-8")
    while data:
        data = data[os.write(fd, data):]


def _limit(which, soft, hard=None):
    import resource

    hard = soft if hard is None else hard
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass  # a limit this system does not let us set


def _address_space():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _server_limits(limits):
    import resource

    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, limits["file_size"])
    if os.getuid() != 0:  # root is not counted; everyone else counts every thread they own
        mine = 0
        for name in os.listdir("/proc"):
            try:
                if name.isdigit() and os.stat("/proc/" + name).st_uid == os.getuid():
                    mine += len(os.listdir("/proc/%s/task" % name))
            except OSError:
                continue
        _limit(resource.RLIMIT_NPROC, mine + limits["processes"])


def _example_limits(limits, timeout):
    import resource

    cpu = int(timeout) + 2
    _limit(resource.RLIMIT_CPU, cpu, cpu + 1)
    try:
        _limit(resource.RLIMIT_AS, _address_space() + limits["memory"])
    except OSError:
        pass  # no /proc: no address-space limit
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large file is an OSError


def _imports(code):
    """The absolute modules an example's own top-level imports name."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    out = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append(node.module)
    return out


def _preimport(names, guard, timeout):
    """Import each module once, here, so that every child inherits it; drop
    whatever a failed or refused import left, for the example to meet."""
    for name in names:
        if name in sys.modules:
            continue
        before = set(sys.modules)
        guard.refused = []
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            __import__(name)
            ok = not guard.refused
        except BaseException:
            ok = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if not ok:
            for added in set(sys.modules) - before:
                sys.modules.pop(added, None)
    guard.refused = []


class _Buffer:
    """A finder that serves one module from text (an editor's buffer) instead
    of its file, under the file's module name."""

    def __init__(self, name, filename, source):
        self.name, self.filename, self.source = name, filename, source

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        import importlib.util

        return importlib.util.spec_from_loader(name, self, origin=self.filename)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__file__ = self.filename
        exec(compile(self.source, self.filename, "exec"), module.__dict__)


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


def _run(item, n, timeout, flags, base_path, guard):
    filename = "<usage example %s>" % n
    sys.path[:] = list(item["roots"]) + base_path
    sys.argv[:] = [filename]  # not the driver's own arguments
    if item.get("module"):
        name, path, source = item["module"]
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]
        sys.meta_path.insert(0, _Buffer(name, path, source))
    guard.enter(os.getcwd(), filename)
    result = {"n": n, "status": "passed"}
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
    if guard.refused:  # refused, even if the example caught the error
        cause, what, line = guard.refused[0]
        result.update(status="refused", exception=cause, message=what, line=line)
    result["seconds"] = time.perf_counter() - start
    return result


def _child(item, n, spec, prctl, server, fd, guard, directory):
    """In the forked child: run one example and report it; never returns."""
    try:
        _die_with_parent(prctl, server)
        _example_limits(spec["limits"], spec["timeout"])
        os.chdir(directory)
        os.environ.update(HOME=directory, TMPDIR=directory)
        tempfile.tempdir = directory
        _write(fd, {"start": n})
        flags = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
        result = _run(item, n, spec["timeout"], flags, spec["base_path"], guard)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass  # an example may have closed or replaced it
        _write(fd, result)
    except BaseException:
        pass
    os._exit(0)  # threads an example left running must not keep the child alive


def _wait(pid, seconds):
    """The child's wait status, or None when it still runs after `seconds`."""
    deadline = time.monotonic() + seconds
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    try:
        pause = 0.0005
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if pidfd is not None:
                import select

                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.02)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _how(status):
    if os.WIFSIGNALED(status):
        try:
            return "killed by " + signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            return "killed by signal %d" % os.WTERMSIG(status)
    return "exit status %d" % os.WEXITSTATUS(status)


def main(argv):
    here, spec_path, fd, parent = argv[0], argv[1], int(argv[2]), int(argv[3])
    prctl = _prctl()
    _die_with_parent(prctl, parent)
    if prctl is not None:
        prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphans below come to us
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    guard_module, tree = _load(here, "guard"), _load(here, "tree")
    sys.dont_write_bytecode = True  # no __pycache__ in the project
    # what examples print is of no use and must not fill a disk: once the
    # server runs, its output goes nowhere (start-up errors stay in the log)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    signal.signal(signal.SIGALRM, _alarm)
    _server_limits(spec["limits"])
    spec["base_path"] = [p for p in sys.path if p not in ("", ".")]
    guard = guard_module.install(spec["work"])
    if spec.get("preimport"):
        roots = []
        for item in spec["examples"]:
            roots.extend(r for r in item["roots"] if r not in roots)
        sys.path[:] = roots + spec["base_path"]
        buffers = {item["module"][0] for item in spec["examples"] if item.get("module")}
        names = []
        for item in spec["examples"]:
            names.extend(m for m in _imports(item["code"])
                         if m not in names and m.split(".")[0] not in buffers)
        _preimport(names, guard, spec["timeout"])
    import gc

    gc.freeze()  # what the server holds stays shared with each child, uncopied
    _write(fd, {"ready": os.getpid()})
    server = os.getpid()
    for n, item in enumerate(spec["examples"]):
        directory = tempfile.mkdtemp(prefix="example-", dir=spec["work"])
        guard.server = True
        pid = os.fork()
        if pid == 0:
            _child(item, n, spec, prctl, server, fd, guard, directory)
        guard.server = False
        status = _wait(pid, spec["timeout"] + GRACE)
        late = status is None
        guard.server = True
        if late:
            os.kill(pid, signal.SIGKILL)
            status = _wait(pid, 5.0)
        left = tree.reap_all()
        guard.server = False
        _write(fd, {"end": n, "how": _how(status) if status is not None else "killed",
                    "late": late, "left": left})
        try:
            os.rmdir(directory)  # most examples leave nothing behind
        except OSError:
            shutil.rmtree(directory, ignore_errors=True)
    _write(fd, {"bye": True})
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
