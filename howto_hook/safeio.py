"""Reading and writing a user's files without hanging, flooding or changing
more than the bytes.

Reading: only a regular file is opened (a FIFO named `x.py` would block the
run forever, a link to /dev/zero would fill the memory), and never more than
a limit. Writing: through a symbolic link to its target, never past the
project's edge, never over a read-only file, keeping the file's hard links,
owner, group and mode. The new bytes go to a temporary file renamed over the
old one (a reader sees the old file or the new one, never half of one)
unless that would lose a hard link or the owner; then they are written in
place.

Every failure is one line of text for the user: `Refused` for reads, a
returned reason for writes.
"""
from __future__ import annotations

import os
import stat
from typing import Optional

# Larger than any hand-written module (the standard library's largest is
# under 1 MB); a generated file this size is not worth parsing in a hook.
DEFAULT_MAX_BYTES = 4_000_000

_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class Refused(Exception):
    """A file that was not read; the message is one line for the user."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str, limit: Optional[int] = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; Refused otherwise.

    The file's type is looked at before it is opened (a device is never
    opened), and again on the open descriptor, in case the name was swapped
    in between; O_NONBLOCK makes that open return at once even then.
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{_kind(st.st_mode)}, not a regular file: not read")
        _check_size(st.st_size, limit)
        fd = os.open(path, _READ_FLAGS)
    except OSError as e:
        raise Refused(f"cannot read the file: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{_kind(st.st_mode)}, not a regular file: not read")
        _check_size(st.st_size, limit)
        chunks = []
        left = (limit + 1) if limit is not None else -1
        while left != 0:
            chunk = os.read(fd, min(left, 1 << 20) if left > 0 else 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            if left > 0:
                left -= len(chunk)
        data = b"".join(chunks)
        _check_size(len(data), limit)  # it grew after it was measured
        return data
    except OSError as e:
        raise Refused(f"cannot read the file: {e.strerror or e}") from None
    finally:
        os.close(fd)


def _check_size(size: int, limit: Optional[int]) -> None:
    if limit is not None and size > limit:
        raise Refused(f"the file is larger than max-file-size ({size:,} > {limit:,} bytes): "
                      "not checked")


def _inside(path: str, root: str) -> bool:
    real_root = os.path.realpath(root)
    return os.path.commonpath([path, real_root]) == real_root


CHANGED = "changed while fixing; run again"


def write_file(path: str, data: bytes, root: Optional[str] = None, *,
               expected: Optional[bytes] = None) -> Optional[str]:
    """Write `data` as the new content of `path`; None, or why it was not written.

    `root` is the project: a symbolic link is followed to its target only
    when the target lies inside it. `expected`: the bytes the new content was
    made from; when the file no longer holds them (an editor saved it while
    the fix ran), it is left alone, so that no edit is lost.
    """
    target = os.path.realpath(path)
    if root is not None and target != os.path.abspath(path) and not _inside(target, root):
        return f"a symbolic link to {target}, outside the project: not written"
    try:
        st = os.stat(target)
    except OSError as e:
        return f"cannot write the file: {e.strerror or e}"
    if not stat.S_ISREG(st.st_mode):
        return f"{_kind(st.st_mode)}, not a regular file: not written"
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "the file is read-only: not written (make it writable to fix it)"
    if not os.access(target, os.W_OK):
        return "no permission to write the file: not written"
    if expected is not None and _current(target, len(expected)) != expected:
        return CHANGED
    try:
        if st.st_nlink > 1 or not _replace(target, data, st):
            _overwrite(target, data)
    except OSError as e:
        return f"cannot write the file: {e.strerror or e}"
    return None


def _current(target: str, size: int) -> Optional[bytes]:
    """The file's bytes now, if it still has about `size` of them; None otherwise."""
    try:
        return read_regular(target, size + 1)
    except Refused:
        return None


def _replace(target: str, data: bytes, st: os.stat_result) -> bool:
    """Write a temporary file with the target's mode, owner and group and rename
    it over the target; False (nothing changed) when that cannot be done
    faithfully: a directory we may not write, an owner we may not give."""
    try:
        import tempfile  # only a fix writes files

        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".howto-",
                                   suffix=".tmp")
    except OSError:
        return False  # a read-only directory holding a writable file
    try:
        try:
            own = os.fstat(fd)
            if hasattr(os, "fchown") and (own.st_uid, own.st_gid) != (st.st_uid, st.st_gid):
                os.fchown(fd, st.st_uid, st.st_gid)
        except OSError:
            os.close(fd)
            os.unlink(tmp)
            return False  # someone else's file: only an in-place write keeps its owner
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return True


def _overwrite(target: str, data: bytes) -> None:
    """Write in place: the same inode keeps every link, the owner and the mode."""
    with open(target, "r+b") as f:
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())
