"""The sandbox's audit hook decisions as tables, in-process: each audit event
with the arguments CPython gives it, and what `Guard.hook` answers (nothing,
or the refusal it records and raises).

The hook is never installed here (an audit hook stays for the life of the
process); test_sandbox.py runs it where it belongs, in the examples' own
interpreter. These cases pin each decision, so that a one-token bug in
guard.py fails one.
"""
from __future__ import annotations

import os
import resource
import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Optional, Tuple

import pytest

from howto_hook.examples import guard as guard_module
from howto_hook.examples.guard import Guard

Refusal = Optional[Tuple[str, str]]
PREFIX = "howto-check's example sandbox refused: the example "


@pytest.fixture
def place(tmp_path: Path, monkeypatch):
    """The example's directory (the current one) with links in and out, a
    directory outside, and descriptors of both."""
    root = tmp_path / "ex"
    (root / "sub").mkdir(parents=True)
    out = tmp_path / "outside"
    out.mkdir()
    (out / "f").write_text("x")
    (root / "mine").write_text("x")
    (root / "link-out").symlink_to(out / "f")
    (root / "dir-out").symlink_to(out)
    (root / "link-in").symlink_to(root / "sub")
    (tmp_path / "exx").mkdir()
    monkeypatch.chdir(root)
    fds = {name: os.open(str(path), os.O_RDONLY) for name, path in
           (("fd_root", root), ("fd_out", out), ("fd_out_file", out / "f"),
            ("fd_mine", root / "mine"))}
    yield SimpleNamespace(root=str(root), out=str(out), **fds)
    for fd in fds.values():
        os.close(fd)


@pytest.fixture
def guard(place, monkeypatch) -> Guard:
    monkeypatch.setattr(socket, "gethostname", lambda: "Build-Host")
    made = Guard(str(place.root) + "/sub/..")  # the real path is kept
    made.enter(str(place.root) + "/./", None)
    return made


def decide(guard: Guard, event: str, args: tuple) -> Refusal:
    """What the hook does with one event: None, or (cause, what) refused."""
    before = len(guard.refused)
    try:
        guard.hook(event, args)
    except PermissionError as e:
        assert len(guard.refused) == before + 1
        cause, what, line = guard.refused[-1]
        assert (str(e), line) == (PREFIX + what, 0)
        return cause, what
    assert len(guard.refused) == before
    return None


def _case(event: str, args: Callable, expected: Refusal, id: str):
    return pytest.param(event, args, expected, id=id)


P = "process"
PROCESSES = [
    _case("os.fork", lambda p: (), (P, "starts a process: fork"), "fork"),
    _case("os.forkpty", lambda p: (), (P, "starts a process: fork"), "forkpty"),
    _case("subprocess.Popen", lambda p: ("/usr/bin/git", ["git", "status"], None, None),
          (P, "starts a process: git"), "popen-executable"),
    _case("subprocess.Popen", lambda p: (None, ["xdg-open", "https://x"], None, None),
          (P, "starts a process: xdg-open"), "popen-argv"),
    _case("subprocess.Popen", lambda p: (None, "ls -l", None, None),
          (P, "starts a process: ls"), "popen-shell-string"),
    _case("subprocess.Popen", lambda p: (None, b"/bin/cat -n", None, None),
          (P, "starts a process: cat"), "popen-bytes"),
    _case("subprocess.Popen", lambda p: (None, Path("/bin/true"), None, None),
          (P, "starts a process: true"), "popen-pathlike"),
    _case("subprocess.Popen", lambda p: (None, "  ", None, None),
          (P, "starts a process: "), "popen-blank-string"),
    _case("subprocess.Popen", lambda p: (None, [], None, None),
          (P, "starts a process: "), "popen-empty-argv"),
    _case("os.system", lambda p: ("clear screen",), (P, "starts a process: clear"), "system"),
    _case("os.system", lambda p: (b"",), (P, "starts a process: "), "system-empty"),
    _case("pty.spawn", lambda p: (["/bin/sh", "-c", "x"],), (P, "starts a process: sh"),
          "pty-argv"),
    _case("pty.spawn", lambda p: ("/bin/bash",), (P, "starts a process: bash"), "pty-string"),
    _case("pty.spawn", lambda p: ([],), (P, "starts a process: "), "pty-empty"),
    _case("os.spawn", lambda p: (os.P_WAIT, "/bin/echo", ["echo"], None),
          (P, "starts a process: echo"), "spawn"),
    _case("os.exec", lambda p: ("/usr/bin/env", ["env"], None), (P, "starts a process: env"),
          "exec"),
    _case("os.posix_spawn", lambda p: ("/bin/ls", ["ls"], None), (P, "starts a process: ls"),
          "posix-spawn"),
    _case("os.startfile", lambda p: ("report.pdf", None), (P, "starts a process: report.pdf"),
          "startfile"),
    _case("ctypes.dlsym", lambda p: (object(), "strlen"), None, "ctypes-harmless"),
    _case("ctypes.dlsym", lambda p: (object(), 7), None, "ctypes-by-ordinal"),
    _case("webbrowser.open", lambda p: ("https://example.com/docs",),
          ("browser", "opens a browser: https://example.com/docs"), "browser"),
    _case("os.getcwd", lambda p: (), None, "unwatched-event"),
]
CTYPES = ["fork", "vfork", "clone", "clone3", "execv", "execve", "execvp", "execvpe", "execl",
          "execlp", "execle", "fexecve", "system", "popen", "posix_spawn", "posix_spawnp",
          "daemon", "setsid", "setpgid", "kill", "killpg", "prctl"]
PROCESSES += [_case("ctypes.dlsym", lambda p, n=n: (object(), n),
                    (P, f"starts a process: {n} (through ctypes)"), f"ctypes-{n}")
              for n in CTYPES]


S = "signal"
SIGNALS = [
    _case("os.kill", lambda p: (os.getpid(), 15), None, "itself"),
    _case("os.kill", lambda p: (4242, 0), None, "probe-another"),
    _case("os.kill", lambda p: (4242, 9), (S, "signals process 4242"), "another"),
    _case("os.kill", lambda p: (4242, 1), (S, "signals process 4242"), "another-hup"),
    _case("os.killpg", lambda p: (77, 0), None, "probe-group"),
    _case("os.killpg", lambda p: (77, 1), (S, "signals process group 77"), "group"),
    _case("resource.prlimit", lambda p: (1, resource.RLIMIT_NOFILE, None),
          (S, "changes the limits of process 1"), "prlimit-another"),
    _case("resource.prlimit", lambda p: (0, resource.RLIMIT_NOFILE, None), None,
          "prlimit-self-query"),
    _case("resource.prlimit", lambda p: (os.getpid(), resource.RLIMIT_NOFILE, None), None,
          "prlimit-own-pid-query"),
]


def _nofile(new_hard: Callable[[int], int]) -> Tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # never infinite on Linux
    return soft, new_hard(hard)


def _unlimited() -> int:
    """A resource this process has no hard limit on."""
    return next(r for r in (resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE,
                            resource.RLIMIT_DATA, resource.RLIMIT_AS)
                if resource.getrlimit(r)[1] == resource.RLIM_INFINITY)


RAISES = ("limits", "raises its resource limits")
INF = resource.RLIM_INFINITY
LIMITS = [
    _case("resource.setrlimit", lambda p: (resource.RLIMIT_NOFILE, _nofile(lambda h: h + 1)),
          RAISES, "raise-hard"),
    _case("resource.setrlimit", lambda p: (resource.RLIMIT_NOFILE, _nofile(lambda h: INF)),
          RAISES, "hard-to-infinity"),
    _case("resource.setrlimit", lambda p: (resource.RLIMIT_NOFILE, _nofile(lambda h: h)),
          None, "keep-hard"),
    _case("resource.setrlimit", lambda p: (resource.RLIMIT_NOFILE, _nofile(lambda h: h - 1)),
          None, "lower-hard"),
    _case("resource.setrlimit", lambda p: (_unlimited(), (INF, INF)), None,
          "unlimited-stays-unlimited"),
    _case("resource.prlimit", lambda p: (0, resource.RLIMIT_NOFILE, _nofile(lambda h: h + 1)),
          RAISES, "prlimit-raise"),
    _case("resource.prlimit", lambda p: (0, resource.RLIMIT_NOFILE, _nofile(lambda h: h)),
          None, "prlimit-keep"),
]


C = "connect"
NETWORK = [
    _case("socket.connect", lambda p: (None, ("127.0.0.1", 80)), None, "ipv4-loopback"),
    _case("socket.connect", lambda p: (None, ("127.1.2.3", 80)), None, "ipv4-loopback-net"),
    _case("socket.connect", lambda p: (None, ("::1", 80, 0, 0)), None, "ipv6-loopback"),
    _case("socket.connect", lambda p: (None, (b"127.0.0.1", 80)), None, "bytes-loopback"),
    _case("socket.connect", lambda p: (None, ("", 80)), None, "empty-is-the-local-host"),
    _case("socket.connect", lambda p: (None, ("192.0.2.1", 443)),
          (C, "opens a connection to 192.0.2.1:443"), "ipv4"),
    _case("socket.connect", lambda p: (None, (b"192.0.2.1", 443)),
          (C, "opens a connection to 192.0.2.1:443"), "ipv4-bytes"),
    _case("socket.connect", lambda p: (None, ("2001:db8::1", 443, 7, 9)),
          (C, "opens a connection to 2001:db8::1:443"), "ipv6"),
    _case("socket.connect", lambda p: (None, ("example.com", 80)),
          (C, "opens a connection to example.com:80"), "a-name"),
    _case("socket.sendto", lambda p: (None, ("192.0.2.1", 53)),
          (C, "opens a connection to 192.0.2.1:53"), "sendto"),
    _case("socket.bind", lambda p: (None, ("", 0)), (C, "listens on every address, port 0"),
          "bind-everywhere"),
    _case("socket.bind", lambda p: (None, ("0.0.0.0", 8000)), (C, "listens on 0.0.0.0:8000"),
          "bind-any-address"),
    _case("socket.bind", lambda p: (None, ("127.0.0.1", 0)), None, "bind-loopback"),
    _case("socket.bind", lambda p: (None, ("hash", "sha256")), None, "af-alg-is-local"),
    _case("socket.connect", lambda p: (None, ("can0",)), None, "one-part-address-is-local"),
    _case("socket.connect", lambda p: (None, ["192.0.2.1", 80]), None,
          "no-tuple-left-to-the-socket"),
    _case("socket.connect", lambda p: (None, "\0abstract"),
          (C, "opens a connection to the local socket @abstract"), "unix-abstract"),
    _case("socket.connect", lambda p: (None, ""), (C, "opens a connection to the local socket @"),
          "unix-empty"),
    _case("socket.connect", lambda p: (None, "/run/docker.sock"),
          (C, "opens a connection to the local socket /run/docker.sock"), "unix-outside"),
    _case("socket.connect", lambda p: (None, b"/run/x.sock"),
          (C, "opens a connection to the local socket /run/x.sock"), "unix-bytes"),
    _case("socket.connect", lambda p: (None, p.root + "/s.sock"), None, "unix-inside"),
    _case("socket.connect", lambda p: (None, p.root + "/link-out"),
          (C, "opens a connection to the local socket {root}/link-out"),
          "unix-through-a-link"),
    # lookups
    _case("socket.getaddrinfo", lambda p: ("example.com", 443, 0, 1, 0, 0),
          (C, "opens a connection to example.com:443"), "lookup-port"),
    _case("socket.getaddrinfo", lambda p: ("example.com", b"443", 0, 1, 0, 0),
          (C, "opens a connection to example.com:443"), "lookup-bytes-port"),
    _case("socket.getaddrinfo", lambda p: ("example.com", "https", 0, 1, 0, 0),
          (C, "opens a connection to example.com:https"), "lookup-service"),
    _case("socket.getaddrinfo", lambda p: (b"example.com", None, 0, 1, 0, 0),
          (C, "opens a connection to example.com"), "lookup-no-port"),
    _case("socket.getaddrinfo", lambda p: ("example.com", 0, 0, 1, 0, 0),
          (C, "opens a connection to example.com"), "lookup-port-0"),
    _case("socket.getaddrinfo", lambda p: ("example.com", "0", 0, 1, 0, 0),
          (C, "opens a connection to example.com"), "lookup-port-string-0"),
    _case("socket.getaddrinfo", lambda p: (None, 80, 0, 1, 0, 0), None, "lookup-no-host"),
    _case("socket.getaddrinfo", lambda p: ("127.0.0.1%lo", 80, 0, 1, 0, 0), None,
          "lookup-scoped-loopback"),
    _case("socket.gethostbyname", lambda p: ("[::1]",), None, "bracketed-loopback"),
    _case("socket.gethostbyname", lambda p: ("LocalHost",), None, "localhost-any-case"),
    _case("socket.gethostbyname", lambda p: ("localhost.localdomain",), None,
          "localhost-localdomain"),
    _case("socket.gethostbyname", lambda p: ("ip6-localhost",), None, "ip6-localhost"),
    _case("socket.gethostbyname", lambda p: ("ip6-loopback",), None, "ip6-loopback"),
    _case("socket.gethostbyname", lambda p: ("app.localhost",), None, "dot-localhost"),
    _case("socket.gethostbyname", lambda p: ("build-host",), None, "own-name"),
    _case("socket.gethostbyname", lambda p: ("BUILD-HOST",), None, "own-name-any-case"),
    _case("socket.gethostbyname", lambda p: ("XLOCALHOST",),
          (C, "opens a connection to XLOCALHOST"), "not-localhost"),
    _case("socket.gethostbyname", lambda p: ("localhost.evil.com",),
          (C, "opens a connection to localhost.evil.com"), "localhost-prefix"),
    _case("socket.gethostbyname_ex", lambda p: ("example.com",),
          (C, "opens a connection to example.com"), "gethostbyname-ex"),
    _case("socket.gethostbyaddr", lambda p: ("192.0.2.1",),
          (C, "opens a connection to 192.0.2.1"), "gethostbyaddr"),
    _case("socket.gethostbyaddr", lambda p: ("127.0.0.1",), None, "gethostbyaddr-loopback"),
]

W = "write"
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
FILES = [
    _case("open", lambda p: (p.root + "/new", "w", WRITE_FLAGS), None, "write-inside"),
    _case("open", lambda p: ("sub/new", "w", WRITE_FLAGS), None, "write-relative-inside"),
    _case("open", lambda p: (p.root, None, os.O_RDWR), None, "the-directory-itself"),
    _case("open", lambda p: ("/dev/null", "w", WRITE_FLAGS), None, "dev-null"),
    _case("open", lambda p: (p.root + "/link-in/new", "w", WRITE_FLAGS), None,
          "through-a-link-inside"),
    _case("open", lambda p: (p.out + "/f", "w", WRITE_FLAGS),
          (W, "writes outside its directory: {out}/f"), "write-outside"),
    _case("open", lambda p: ("../outside/f", "w", WRITE_FLAGS),
          (W, "writes outside its directory: ../outside/f"), "write-relative-outside"),
    _case("open", lambda p: (p.root + "x/f", "w", WRITE_FLAGS),
          (W, "writes outside its directory: {root}x/f"), "a-sibling-with-its-name"),
    _case("open", lambda p: ("link-out", "w", WRITE_FLAGS),
          (W, "writes outside its directory: link-out"), "through-a-link-out"),
    _case("open", lambda p: (Path("dir-out/g"), "w", WRITE_FLAGS),
          (W, "writes outside its directory: dir-out/g"), "pathlike-through-a-dir-link"),
    _case("open", lambda p: (os.fsencode(p.out) + b"/f", "w", WRITE_FLAGS),
          (W, "writes outside its directory: {out}/f"), "bytes-outside"),
    _case("open", lambda p: (p.out + "/f", "r", os.O_RDONLY), None, "read-outside"),
    _case("open", lambda p: (p.out + "/f", None, os.O_RDONLY), None, "os-open-read"),
    _case("open", lambda p: (p.out + "/f", "r", None), None, "read-no-flags"),
    _case("open", lambda p: (p.out + "/f", "w", None), (W, "writes outside its directory: {out}/f"),
          "write-no-flags"),
    _case("open", lambda p: (3, "w", WRITE_FLAGS), None, "a-descriptor"),
    # a directory's descriptor outside would be a dir_fd the "open" event never shows
    _case("open", lambda p: (p.out, None, os.O_RDONLY),
          (W, "opens a directory outside its own: {out}"), "os-open-a-directory-outside"),
    _case("open", lambda p: (os.fsencode(p.root) + b"/dir-out", None, os.O_RDONLY),
          (W, "opens a directory outside its own: {root}/dir-out"),
          "os-open-a-directory-link-outside"),
    _case("open", lambda p: ("link-in", None, os.O_RDONLY), None, "os-open-a-directory-inside"),
    _case("open", lambda p: (p.out + "/f", None, os.O_RDONLY), None, "os-open-a-file-outside"),
    _case("open", lambda p: (p.out, "r", os.O_RDONLY), None, "open-a-directory-fails-itself"),
]
FILES += [_case("open", lambda p, f=f: (p.out + "/f", None, f),
                (W, "writes outside its directory: {out}/f"), f"os-open-{name}")
          for name, f in (("wronly", os.O_WRONLY), ("rdwr", os.O_RDWR), ("creat", os.O_CREAT),
                          ("trunc", os.O_TRUNC), ("append", os.O_APPEND))]
FILES += [_case("open", lambda p, m=m: (p.out + "/f", m, 0),
                (W, "writes outside its directory: {out}/f"), f"mode-{m}")
          for m in ("wb", "a", "x", "r+")]
DATABASES = [
    _case("sqlite3.connect", lambda p: (":memory:",), None, "db-memory"),
    _case("sqlite3.connect", lambda p: ("",), None, "db-temporary"),
    _case("sqlite3.connect", lambda p: ("file:" + p.out + "/x?mode=memory&cache=shared",), None,
          "db-uri-memory"),
    _case("sqlite3.connect", lambda p: ("file:" + p.out + "/f?mode=ro",), None, "db-uri-ro"),
    _case("sqlite3.connect", lambda p: ("here.db",), None, "db-inside"),
    _case("sqlite3.connect", lambda p: (b"here.db",), None, "db-bytes-inside"),
    _case("sqlite3.connect", lambda p: (Path(p.out) / "x.db",),
          (W, "writes outside its directory: {out}/x.db"), "db-outside"),
    _case("sqlite3.connect", lambda p: ("file:" + p.out + "/x.db?cache=shared",),
          (W, "writes outside its directory: {out}/x.db"), "db-uri-outside"),
    _case("sqlite3.connect", lambda p: ("file:here.db",), None, "db-uri-inside"),
    _case("sqlite3.connect", lambda p: (p.out + "/mode=memory.db",),
          (W, "writes outside its directory: {out}/mode=memory.db"),
          "db-memory-in-a-name-is-no-uri"),
    _case("sqlite3.connect", lambda p: (p.out + "/:memory:",),
          (W, "writes outside its directory: {out}/:memory:"), "db-memory-as-a-file"),
]
CHANGES = [
    _case("os.remove", lambda p: ("mine", -1), None, "remove-inside"),
    _case("os.remove", lambda p: ("link-out", -1), None, "remove-a-link-not-its-target"),
    _case("os.remove", lambda p: (p.out + "/f", -1),
          (W, "writes outside its directory: {out}/f"), "remove-outside"),
    _case("os.remove", lambda p: ("../outside/f", -1),
          (W, "writes outside its directory: ../outside/f"), "remove-relative-outside"),
    _case("os.remove", lambda p: ("f", p.fd_out),
          (W, "writes outside its directory: f"), "remove-at-a-dir-fd-outside"),
    _case("os.remove", lambda p: ("mine", p.fd_root), None, "remove-at-a-dir-fd-inside"),
    _case("os.remove", lambda p: (p.out + "/f", p.fd_root),
          (W, "writes outside its directory: {out}/f"), "absolute-beats-dir-fd"),
    _case("os.rename", lambda p: ("mine", "sub/mine", -1, -1), None, "rename-inside"),
    _case("os.rename", lambda p: ("mine", p.out + "/g", -1, -1),
          (W, "writes outside its directory: {out}/g"), "rename-to-outside"),
    _case("os.rename", lambda p: (p.out + "/f", "mine", -1, -1),
          (W, "writes outside its directory: {out}/f"), "rename-from-outside"),
    _case("os.symlink", lambda p: (p.out + "/f", "new-link", -1), None, "symlink-to-outside"),
    _case("os.symlink", lambda p: ("x", p.out + "/l", -1),
          (W, "writes outside its directory: {out}/l"), "symlink-made-outside"),
    _case("os.link", lambda p: ("mine", "hard", -1, -1), None, "hard-link-inside"),
    _case("os.link", lambda p: (p.out + "/f", "hard", -1, -1),
          (W, "writes outside its directory: {out}/f"), "hard-link-to-outside"),
    _case("os.link", lambda p: ("link-out", "hard", -1, -1),
          (W, "writes outside its directory: link-out"), "hard-link-through-a-link"),
    _case("os.link", lambda p: ("f", "hard", p.fd_out, -1),
          (W, "writes outside its directory: f"), "hard-link-at-a-source-dir-fd-outside"),
    _case("os.link", lambda p: ("mine", "hard", -1, p.fd_out),
          (W, "writes outside its directory: hard"), "hard-link-made-outside"),
    _case("os.chmod", lambda p: ("mine", 0o600, -1), None, "chmod-inside"),
    _case("os.chmod", lambda p: ("link-out", 0o600, -1),
          (W, "writes outside its directory: link-out"), "chmod-through-a-link"),
    _case("os.chmod", lambda p: (p.out + "/f", 0o600),
          (W, "writes outside its directory: {out}/f"), "chmod-without-dir-fd"),
    _case("os.chown", lambda p: ("link-out", 0, 0, -1),
          (W, "writes outside its directory: link-out"), "chown-through-a-link"),
    _case("os.utime", lambda p: ("link-out", None, None, -1),
          (W, "writes outside its directory: link-out"), "utime-through-a-link"),
    _case("os.truncate", lambda p: ("link-out", 0),
          (W, "writes outside its directory: link-out"), "truncate-through-a-link"),
    _case("os.setxattr", lambda p: ("link-out", "user.x", b"", 0),
          (W, "writes outside its directory: link-out"), "setxattr-through-a-link"),
    _case("os.chmod", lambda p: (p.fd_out_file, 0, -1),
          (W, "writes outside its directory: {out}/f"), "fchmod-of-a-file-outside"),
    _case("os.truncate", lambda p: (p.fd_mine, 0), None, "ftruncate-of-a-file-inside"),
    _case("os.chmod", lambda p: (-1, 0, -1), None, "no-descriptor"),
    _case("os.mkdir", lambda p: ("new", 0o777, -1), None, "mkdir-inside"),
    _case("os.mkdir", lambda p: ("dir-out/new", 0o777, -1),
          (W, "writes outside its directory: dir-out/new"), "mkdir-through-a-dir-link"),
    _case("shutil.rmtree", lambda p: ("dir-out", None), None, "rmtree-a-link-is-its-own-refusal"),
    _case("shutil.rmtree", lambda p: (p.out, None),
          (W, "writes outside its directory: {out}"), "rmtree-outside"),
    _case("shutil.copyfile", lambda p: (p.out + "/f", "copy"), None, "copy-from-outside"),
    _case("shutil.copyfile", lambda p: ("mine", "link-out"),
          (W, "writes outside its directory: link-out"), "copy-over-a-link"),
    _case("shutil.move", lambda p: ("link-out", "moved"), None, "move-a-link"),
    _case("shutil.unpack_archive", lambda p: ("a.zip", None, None), None,
          "unpack-here-by-default"),
]


# every event of PATHS, outside (each key and path position) and at a dir_fd
# outside (each dir_fd position), with CPython's argument shapes
OUT_F = (W, "writes outside its directory: {out}/f")
EVERY_PATH_EVENT = [
    _case("os.rmdir", lambda p: (p.out + "/f", -1), OUT_F, "rmdir-outside"),
    _case("os.rmdir", lambda p: ("d", p.fd_out), (W, "writes outside its directory: d"),
          "rmdir-at-a-dir-fd"),
    _case("os.mkdir", lambda p: ("d", 0o777, p.fd_out), (W, "writes outside its directory: d"),
          "mkdir-at-a-dir-fd"),
    _case("os.rename", lambda p: ("f", "mine", p.fd_out, -1),
          (W, "writes outside its directory: f"), "rename-at-a-source-dir-fd"),
    _case("os.symlink", lambda p: ("x", "l", p.fd_out), (W, "writes outside its directory: l"),
          "symlink-at-a-dir-fd"),
    _case("os.chmod", lambda p: ("f", 0o600, p.fd_out), (W, "writes outside its directory: f"),
          "chmod-at-a-dir-fd"),
    _case("os.chown", lambda p: (p.out + "/f", 0, 0, -1), OUT_F, "chown-outside"),
    _case("os.chown", lambda p: ("f", 0, 0, p.fd_out), (W, "writes outside its directory: f"),
          "chown-at-a-dir-fd"),
    _case("os.utime", lambda p: (p.out + "/f", None, None, -1), OUT_F, "utime-outside"),
    _case("os.utime", lambda p: ("f", None, None, p.fd_out),
          (W, "writes outside its directory: f"), "utime-at-a-dir-fd"),
    _case("os.truncate", lambda p: (p.out + "/f", 0), OUT_F, "truncate-outside"),
    _case("os.chflags", lambda p: (p.out + "/f", 0), OUT_F, "chflags-outside"),
    _case("os.chflags", lambda p: ("link-out", 0), (W, "writes outside its directory: link-out"),
          "chflags-through-a-link"),
    _case("os.lchflags", lambda p: (p.out + "/f", 0), OUT_F, "lchflags-outside"),
    _case("os.lchflags", lambda p: ("link-out", 0), None, "lchflags-of-a-link-inside"),
    _case("os.setxattr", lambda p: (p.out + "/f", "user.x", b"", 0), OUT_F, "setxattr-outside"),
    _case("os.removexattr", lambda p: (p.out + "/f", "user.x"), OUT_F, "removexattr-outside"),
    _case("os.removexattr", lambda p: ("mine", "user.x"), None, "removexattr-inside"),
    _case("os.mkfifo", lambda p: (p.out + "/f", 0o600, -1), OUT_F, "mkfifo-outside"),
    _case("os.mkfifo", lambda p: ("f", 0o600, p.fd_out), (W, "writes outside its directory: f"),
          "mkfifo-at-a-dir-fd"),
    _case("os.mknod", lambda p: (p.out + "/f", 0o600, 0, -1), OUT_F, "mknod-outside"),
    _case("os.mknod", lambda p: ("f", 0o600, 0, p.fd_out), (W, "writes outside its directory: f"),
          "mknod-at-a-dir-fd"),
    _case("shutil.rmtree", lambda p: ("f", p.fd_out), (W, "writes outside its directory: f"),
          "rmtree-at-a-dir-fd"),
    _case("shutil.copymode", lambda p: ("mine", p.out + "/f"), OUT_F, "copymode-outside"),
    _case("shutil.copymode", lambda p: (p.out + "/f", "mine"), None, "copymode-from-outside"),
    _case("shutil.copystat", lambda p: ("mine", p.out + "/f"), OUT_F, "copystat-outside"),
    _case("shutil.copytree", lambda p: ("sub", p.out + "/f"), OUT_F, "copytree-outside"),
    _case("shutil.copytree", lambda p: (p.out, "copy"), None, "copytree-from-outside"),
    _case("shutil.move", lambda p: ("mine", p.out + "/f"), OUT_F, "move-to-outside"),
    _case("shutil.move", lambda p: (p.out + "/f", "here"), OUT_F, "move-from-outside"),
    _case("shutil.chown", lambda p: (p.out + "/f", "root", None), OUT_F, "shutil-chown-outside"),
    _case("shutil.unpack_archive", lambda p: ("a.zip", p.out + "/f", None), OUT_F,
          "unpack-outside"),
    _case("os.rename", lambda p: ("mine", "g", -1, p.fd_out),
          (W, "writes outside its directory: g"), "rename-at-a-destination-dir-fd"),
    _case("os.rmdir", lambda p: ("..", -1), (W, "writes outside its directory: .."),
          "rmdir-the-parent"),
    _case("os.link", lambda p: ("mine", "link-out", -1, -1), None,
          "link-named-as-a-link-the-name-is-what-is-made"),
]


@pytest.mark.parametrize("event, args, expected",
                         PROCESSES + SIGNALS + LIMITS + NETWORK + FILES + DATABASES + CHANGES
                         + EVERY_PATH_EVENT)
def test_decisions(guard: Guard, place, event: str, args: Callable, expected) -> None:
    if expected is not None:
        expected = (expected[0], expected[1].format(root=place.root, out=place.out))
    assert decide(guard, event, args(place)) == expected


def test_the_server_may_fork_and_signal(guard: Guard) -> None:
    guard.server = True
    for event, args in (("os.fork", ()), ("os.forkpty", ()), ("os.kill", (4242, 9)),
                        ("os.killpg", (77, 9))):
        assert decide(guard, event, args) is None
    assert decide(guard, "subprocess.Popen", (None, ["ls"], None, None)) == (
        P, "starts a process: ls")
    guard.enter(os.getcwd(), None)  # an example starts: the permission ends
    assert decide(guard, "os.fork", ()) == (P, "starts a process: fork")


def _call_through_a_library(guard: Guard) -> None:
    guard.hook("os.system", ("make",))


def test_refusals_are_recorded_in_order_with_the_example_line(guard: Guard, tmp_path) -> None:
    code = ("try:\n    guard.hook('os.system', ('ls',))\nexcept PermissionError:\n    pass\n"
            "try:\n    guard.hook('os.fork', ())\nexcept PermissionError:\n    pass\n"
            "try:\n    library(guard)\nexcept PermissionError:\n    pass\n")
    filename = str(tmp_path / "example.py")
    guard.enter(os.getcwd(), filename)
    exec(compile(code, filename, "exec"), {"guard": guard, "library": _call_through_a_library})
    assert guard.refused == [(P, "starts a process: ls", 2), (P, "starts a process: fork", 6),
                             (P, "starts a process: make", 10)]
    guard.enter(os.getcwd(), None)
    assert guard.refused == []


def test_the_hook_does_not_judge_its_own_calls(guard: Guard) -> None:
    """What the guard itself does while judging (realpath, readlink) raises
    events of its own; they are let through, and the outer call judged."""
    seen = []
    original = Guard.open

    def spying(self, event, args):
        seen.append(args[0])
        self.hook("os.fork", ())  # inside a decision: not judged
        return original(self, event, args)

    guard_module.WATCHED["open"] = spying
    try:
        assert decide(guard, "open", ("/elsewhere/f", "w", 1)) == (
            "write", "writes outside its directory: /elsewhere/f")
        assert decide(guard, "open", ("/elsewhere/g", "w", 1)) == (
            "write", "writes outside its directory: /elsewhere/g")
    finally:
        guard_module.WATCHED["open"] = original
    assert seen == ["/elsewhere/f", "/elsewhere/g"]


def test_an_argument_of_an_unknown_shape_is_left_to_the_call(guard: Guard) -> None:
    assert decide(guard, "os.system", (None,)) is None
    assert decide(guard, "socket.connect", (None,)) is None


def test_own_name_when_the_host_has_none(place, monkeypatch) -> None:
    def nameless() -> str:
        raise OSError("no name")

    monkeypatch.setattr(socket, "gethostname", nameless)
    made = Guard(place.root)
    assert decide(made, "socket.gethostbyname", ("example.com",)) == (
        C, "opens a connection to example.com")
    assert decide(made, "socket.gethostbyname", ("localhost",)) is None


def test_a_fresh_guard(place, monkeypatch) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "Build-Host")
    made = Guard(place.root + "/link-in/..")
    assert (made.root, made.server, made.refused, made.example_file) == (
        os.path.realpath(place.root), False, [], None)
    assert decide(made, "os.fork", ()) == (P, "starts a process: fork")


def test_the_side_door_is_closed(guard: Guard, monkeypatch) -> None:
    """subprocess's C helper, called directly, is refused like subprocess.Popen;
    a call the hook lets through reaches it with its arguments unchanged."""
    import _posixsubprocess

    def helper(*args, **kwargs):  # stands for the C helper: no process is started here
        return "started", args, kwargs

    monkeypatch.setattr(_posixsubprocess, "fork_exec", helper)
    guard_module._close_the_side_door(guard)
    with pytest.raises(PermissionError):
        _posixsubprocess.fork_exec([b"/bin/rm", b"-rf"], 5, close_fds=True)
    with pytest.raises(PermissionError):
        _posixsubprocess.fork_exec([])
    with pytest.raises(PermissionError):
        _posixsubprocess.fork_exec()
    assert [r[:2] for r in guard.refused] == [(P, "starts a process: rm"),
                                                (P, "starts a process: "),
                                                (P, "starts a process: ")]
    guard.hook = lambda event, args: None  # let through
    assert _posixsubprocess.fork_exec([b"x"], 5, close_fds=True) == (
        "started", ([b"x"], 5), {"close_fds": True})


def test_a_temporary_database_wherever_the_example_is(guard: Guard, place, monkeypatch) -> None:
    monkeypatch.chdir(place.out)
    assert decide(guard, "sqlite3.connect", ("",)) is None
    assert decide(guard, "sqlite3.connect", (":memory:",)) is None
    assert decide(guard, "sqlite3.connect", ("x.db",)) == (
        W, "writes outside its directory: x.db")


def test_enter_moves_the_directory(place, monkeypatch) -> None:
    made = Guard(place.out)
    made.server = True
    made.refused.append(("process", "starts a process: x", 1))
    made.enter(place.root + "/link-in/..", "example.py")
    assert (made.root, made.server, made.refused, made.example_file) == (
        os.path.realpath(place.root), False, [], "example.py")
    assert decide(made, "open", (place.root + "/new", "w", 1)) is None
    assert decide(made, "open", (place.out + "/new", "w", 1)) == (
        W, "writes outside its directory: " + place.out + "/new")


def test_a_descriptor_0_is_checked_too(guard: Guard, place) -> None:
    """Descriptor 0 is a file like any other (here: a file outside, as stdin)."""
    saved = os.dup(0)
    try:
        os.dup2(place.fd_out_file, 0)
        assert decide(guard, "os.chmod", (0, 0o600, -1)) == (
            W, "writes outside its directory: " + place.out + "/f")
    finally:
        os.dup2(saved, 0)
        os.close(saved)


def test_no_side_door_where_there_is_no_c_helper(guard: Guard, monkeypatch) -> None:
    """Without _posixsubprocess (not POSIX) there is nothing to wrap."""
    import sys

    monkeypatch.setitem(sys.modules, "_posixsubprocess", None)  # import raises ImportError
    assert guard_module._close_the_side_door(guard) is None
