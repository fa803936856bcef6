"""The sandbox's audit hook: what a running example may not do.

Runs inside the example's interpreter (the project's, which does not have
howto-check installed): plain Python 3.8+, standard library only, loaded by
`driver.py` from this file's path. `Guard.hook` is installed with
`sys.addaudithook` before any project code runs, and refuses

- starting a process (subprocess, os.system, os.exec*, os.posix_spawn,
  os.fork once an example runs, and the same calls made through ctypes),
- a connection, lookup or listening socket that is not on the loopback
  interface, and a local (AF_UNIX) socket outside the example's directory,
- opening a browser (webbrowser),
- writing, creating, removing, renaming or changing any file outside the
  example's own temporary directory (/dev/null aside),
- signalling another process, and raising its own resource limits.

A refused call raises PermissionError (an OSError, so a library's "cannot
write my cache" path still works), and the refusal is recorded: the driver
fails the example with the first one even when the example catches the error.

An audit hook is a guard against accidents (an editor, a browser, a request
to a public host, a write over a repository file), not a wall against code
written to escape it: process groups, the subreaper, resource limits and the
environment allowlist (runner.py, policy.py) hold whatever the code does.
"""
import ipaddress
import os
import socket
import sys
import threading

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
PROCESS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
           "os.startfile", "pty.spawn", "os.fork", "os.forkpty")
# libc functions that would start a process or leave the session behind our back
CTYPES_PROCESS = frozenset({
    "fork", "vfork", "clone", "clone3", "execv", "execve", "execvp", "execvpe", "execl",
    "execlp", "execle", "fexecve", "system", "popen", "posix_spawn", "posix_spawnp", "daemon",
    "setsid", "setpgid", "kill", "killpg", "prctl"})
# event -> the positions of the path arguments it writes to, and of its dir_fd
# (os.link's source is there too: a hard link to a file outside, made inside,
# would let a write inside reach it); a source has a dir_fd of its own
PATHS = {
    "os.remove": ((0,), 1), "os.rmdir": ((0,), 1), "os.mkdir": ((0,), 2),
    "os.rename": ((0, 1), 3), "os.link": ((0, 1), 3), "os.symlink": ((1,), 2),
    "os.chmod": ((0,), 2), "os.chown": ((0,), 3), "os.utime": ((0,), 3),
    "os.truncate": ((0,), None), "os.chflags": ((0,), None), "os.lchflags": ((0,), None),
    "os.setxattr": ((0,), None), "os.removexattr": ((0,), None), "os.mkfifo": ((0,), 2),
    "os.mknod": ((0,), 3), "shutil.rmtree": ((0,), 1), "shutil.copyfile": ((1,), None),
    "shutil.copymode": ((1,), None), "shutil.copystat": ((1,), None),
    "shutil.copytree": ((1,), None), "shutil.move": ((0, 1), None),
    "shutil.chown": ((0,), None), "shutil.unpack_archive": ((1,), None),
}
SOURCE_DIR_FD = {"os.rename": 2, "os.link": 2}  # src_dir_fd; PATHS has dst_dir_fd
# the events that act on the name itself: a link there is removed, renamed or
# made, never followed; every other event acts on what a link points to
# (os.truncate, os.chmod, os.setxattr... through a link to a repository file)
NAME_ONLY = frozenset({"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.symlink",
                       "os.mkfifo", "os.mknod", "os.lchflags", "shutil.rmtree",
                       "shutil.move"})
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
ALWAYS_WRITABLE = ("/dev/null",)


class Guard:
    """The audit hook and what it refused."""

    def __init__(self, root):
        self.root = os.path.realpath(root)  # the one directory writes may go to
        self.server = False  # the server's own fork or kill is under way
        self.refused = []  # (cause, what, line) of each refusal, in order
        self.example_file = None  # the running example's code filename, for its line
        self._inside = threading.local()
        try:
            self._own_name = socket.gethostname().lower()
        except OSError:
            self._own_name = "localhost"

    def enter(self, root, example_file):
        """From here on: an example runs, in `root`."""
        self.root = os.path.realpath(root)
        self.server = False
        self.refused = []
        self.example_file = example_file

    def hook(self, event, args):
        if event not in WATCHED or getattr(self._inside, "busy", False):
            return
        self._inside.busy = True
        try:
            refusal = WATCHED[event](self, event, args)
        except Exception:  # an argument of a shape we do not know: let the call decide
            refusal = None
        finally:
            self._inside.busy = False
        if refusal is not None:
            cause, what = refusal
            self.refused.append((cause, what, self._line()))
            raise PermissionError("howto-check's example sandbox refused: the example " + what)

    def _line(self):
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self.example_file:
                return frame.f_lineno
            frame = frame.f_back
        return 0

    # --- processes -------------------------------------------------------------------

    def process(self, event, args):
        if event in ("os.fork", "os.forkpty"):
            return None if self.server else ("process", "starts a process: fork")
        if event == "subprocess.Popen":
            executable, argv = args[0], args[1]
            if executable is None:
                if isinstance(argv, (str, bytes, os.PathLike)):
                    argv = os.fsdecode(argv).split() or [""]
                executable = argv[0] if argv else ""
            name = executable
        elif event == "os.system":
            name = (os.fsdecode(args[0]).split() or [""])[0]
        elif event == "pty.spawn":
            argv = args[0]
            name = argv if isinstance(argv, (str, bytes)) else (argv[0] if argv else "")
        elif event == "os.spawn":
            name = args[1]
        else:  # os.exec, os.posix_spawn, os.startfile: the path first
            name = args[0]
        return "process", "starts a process: " + os.path.basename(os.fsdecode(name))

    def ctypes_symbol(self, event, args):
        name = args[1] if isinstance(args[1], str) else ""
        if name in CTYPES_PROCESS:
            return "process", "starts a process: " + name + " (through ctypes)"
        return None

    def signal(self, event, args):
        if self.server:
            return None
        if event == "os.kill":
            pid, sig = args
            if pid == os.getpid() or sig == 0:
                return None
            return "signal", "signals process %s" % pid
        return None if args[1] == 0 else ("signal", "signals process group %s" % args[0])

    def limits(self, event, args):
        if event == "resource.prlimit" and args[0] not in (0, os.getpid()):
            return "signal", "changes the limits of process %s" % args[0]
        which, wanted = (args[0], args[1]) if event == "resource.setrlimit" else (args[1], args[2])
        if wanted is None:
            return None
        import resource

        _, hard = resource.getrlimit(which)
        new_hard = wanted[1]
        if hard != resource.RLIM_INFINITY and (new_hard == resource.RLIM_INFINITY
                                               or new_hard > hard):
            return "limits", "raises its resource limits"
        return None

    # --- the network and the browser ---------------------------------------------------

    def browser(self, event, args):
        return "browser", "opens a browser: " + str(args[0])

    def _loopback(self, host):
        if host is None:
            return True
        host = os.fsdecode(host) if isinstance(host, bytes) else str(host)
        host = host.strip("[]").split("%")[0].lower()
        if host in LOOPBACK_NAMES or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def connect(self, event, args):
        address = args[1]
        if isinstance(address, (str, bytes)):  # AF_UNIX
            path = os.fsdecode(address)
            if path.startswith("\0") or not path:
                return "connect", "opens a connection to the local socket @" + path[1:]
            if self._inside_root(path, follow=True):
                return None
            return "connect", "opens a connection to the local socket " + path
        if isinstance(address, tuple) and len(address) >= 2 and isinstance(address[1], int):
            host = address[0]
            if host == "" and event != "socket.bind":
                return None  # the local host
            if self._loopback(host):
                return None
            shown = "%s:%s" % (os.fsdecode(host) if isinstance(host, bytes) else host,
                               address[1])
            if event == "socket.bind":
                return "connect", "listens on " + (shown if host else
                                                   "every address, port %s" % address[1])
            return "connect", "opens a connection to " + shown
        return None  # netlink and other local families

    def lookup(self, event, args):
        host = args[0]
        if self._loopback(host):
            return None
        shown = os.fsdecode(host) if isinstance(host, bytes) else str(host)
        if shown.lower() == self._own_name:
            return None  # the machine's own name: /etc/hosts, not the network
        if event == "socket.getaddrinfo" and args[1] not in (None, 0, "0"):
            shown = "%s:%s" % (shown, os.fsdecode(args[1]) if isinstance(args[1], bytes)
                               else args[1])
        return "connect", "opens a connection to " + shown

    # --- files ----------------------------------------------------------------------------

    def _inside_root(self, path, dir_fd=None, follow=True):
        path = os.fsdecode(os.fspath(path))
        if not os.path.isabs(path) and dir_fd not in (None, -1):
            path = os.path.join(os.readlink("/proc/self/fd/%d" % dir_fd), path)
        path = os.path.abspath(path)
        if follow:
            real = os.path.realpath(path)
        else:  # the name itself is what changes (a link removed, not its target)
            real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        if real in ALWAYS_WRITABLE:
            return True
        return real == self.root or real.startswith(self.root + os.sep)

    def open(self, event, args):
        path, mode, flags = args[0], args[1], args[2]
        if isinstance(path, int):
            return None  # an open descriptor: checked when it was opened
        writing = bool(isinstance(flags, int) and flags & WRITE_FLAGS) or bool(
            isinstance(mode, str) and any(c in mode for c in "wax+"))
        if not writing:
            # os.open's event has no dir_fd: a descriptor of a directory outside
            # would let os.open(name, dir_fd=fd) write there as if inside
            if mode is None and os.path.isdir(path) and not self._inside_root(path):
                return "write", "opens a directory outside its own: " + os.fsdecode(
                    os.fspath(path))
            return None
        if self._inside_root(path):
            return None
        return "write", "writes outside its directory: " + os.fsdecode(os.fspath(path))

    def database(self, event, args):
        """sqlite3 opens its files itself, past the "open" event."""
        name = os.fsdecode(args[0]) if isinstance(args[0], (str, bytes)) else os.fspath(args[0])
        if name in ("", ":memory:") or (name.startswith("file:") and "mode=memory" in name):
            return None
        if name.startswith("file:"):
            if "mode=ro" in name:
                return None
            name = name[len("file:"):].split("?")[0]
        if self._inside_root(name):
            return None
        return "write", "writes outside its directory: " + name

    def change(self, event, args):
        positions, fd_at = PATHS[event]
        for n in positions:
            at = SOURCE_DIR_FD[event] if n == 0 and event in SOURCE_DIR_FD else fd_at
            dir_fd = args[at] if at is not None and len(args) > at else None
            path = args[n]
            if path is None:  # shutil.unpack_archive's default: files it writes are opened
                continue
            follow = event not in NAME_ONLY and (event, n) != ("os.link", 1)
            if isinstance(path, int):
                # a descriptor (os.fchmod, os.truncate(fd)...) opened for reading
                # may still change its file: check the file it stands for
                if path < 0:
                    continue
                path = os.readlink("/proc/self/fd/%d" % path)
            if not self._inside_root(path, dir_fd, follow=follow):
                return "write", "writes outside its directory: " + os.fsdecode(os.fspath(path))
        return None


WATCHED = dict.fromkeys(PROCESS, Guard.process)
WATCHED.update(dict.fromkeys(PATHS, Guard.change))
WATCHED.update({
    "ctypes.dlsym": Guard.ctypes_symbol,
    "os.kill": Guard.signal, "os.killpg": Guard.signal,
    "resource.setrlimit": Guard.limits, "resource.prlimit": Guard.limits,
    "webbrowser.open": Guard.browser,
    "socket.connect": Guard.connect, "socket.sendto": Guard.connect,
    "socket.bind": Guard.connect,
    "socket.getaddrinfo": Guard.lookup, "socket.gethostbyname": Guard.lookup,
    "socket.gethostbyname_ex": Guard.lookup, "socket.gethostbyaddr": Guard.lookup,
    "open": Guard.open, "sqlite3.connect": Guard.database,
})


def install(root):
    """A Guard for `root`, hooked into this interpreter for good."""
    guard = Guard(root)
    sys.addaudithook(guard.hook)
    _close_the_side_door(guard)
    return guard


def _close_the_side_door(guard):
    """subprocess's C helper starts processes without an audit event of its
    own: wrap it so that a direct call is refused like subprocess.Popen."""
    try:
        import _posixsubprocess
    except ImportError:
        return
    original = _posixsubprocess.fork_exec

    def fork_exec(*args, **kwargs):
        argv = args[0] if args else ()
        guard.hook("subprocess.Popen", (None, list(argv) or [""], None, None))
        return original(*args, **kwargs)

    _posixsubprocess.fork_exec = fork_exec
