"""Finding and killing a process's descendants without cgroups (Linux /proc).

Used on both sides: by the runner (howto-check) to end an example server
and everything under it, and by the driver in the example's interpreter
(loaded from this file's path, so plain Python 3, standard library only) to
end whatever an example left behind before the next one starts. The driver
is a child subreaper (prctl), so an orphan whose parent died, in whatever
session or process group it put itself, is still its descendant.

On a system without /proc (macOS) the process group is all there is: the
functions find nothing, and the callers' killpg does the rest.
"""
import os
import signal
import time

MARKER = "HOWTO_EXAMPLES_RUN"  # in every example's environment: the run's pid


def _parents():
    """{pid: parent pid} of every process we can see."""
    out = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1:
            out[int(name)] = int(fields[1])
    return out


def descendants(root):
    """The pids under `root`, children first."""
    children = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    out, todo = [], list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # already gone, or not ours


def reap_all(rounds=200, pause=0.005):
    """Kill and reap every descendant of this process (a subreaper's orphans
    included), until none is left or `rounds` passes found more each time;
    returns how many were killed."""
    killed = 0
    for _ in range(rounds):
        try:
            while True:
                pid, _ = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
        except ChildProcessError:
            return killed  # no child at all: nothing runs below us
        found = descendants(os.getpid())
        kill(found)
        killed += len(found)
        time.sleep(pause)
    return killed


def marked(value, prefix=False):
    """Pids of processes whose environment carries MARKER=value (MARKER=value...
    with `prefix`): any process an example started, even one that left our
    tree, unless it emptied its environment."""
    needle = ("%s=%s" % (MARKER, value)).encode()
    out = []
    for pid in _parents():
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                entries = f.read().split(b"\0")
        except OSError:
            continue
        if any(e == needle or (prefix and e.startswith(needle)) for e in entries):
            out.append(pid)
    return out
