"""Writing to stdout and stderr on any platform, and paths that never raise.

A Windows pipe may be cp1252, a file name may hold any character, and a
drive letter may separate two paths: none of these may end a run that found
what it was asked to find.
"""
from __future__ import annotations

import os
from typing import IO, Mapping


def tolerant(stream: IO[str]) -> None:
    """Make `stream` write what its encoding cannot hold as backslash escapes."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # a closed or detached stream: nothing to fix
            pass


def write(stream: IO[str], text: str, *, utf8: bool = False) -> None:
    """Write `text`; with `utf8`, as UTF-8 bytes whatever the stream's encoding.

    JSON, SARIF and GitHub's workflow commands are read by programs that
    expect UTF-8 (RFC 8259 for JSON), not by a console with a code page.
    """
    buffer = getattr(stream, "buffer", None) if utf8 else None
    if buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8", "backslashreplace"))
        buffer.flush()
        return
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a stream tolerant() could not reconfigure
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def relative(path: str, start: str) -> str:
    """`path` relative to `start`, or `path` itself when no relative path exists.

    On Windows two drives (or a drive and a UNC share) have none, and
    os.path.relpath raises instead of saying so.
    """
    try:
        return os.path.relpath(path, start)
    except ValueError:
        return path


def use_color(mode: str, stream: object, environ: Mapping[str, str]) -> bool:
    """Whether to colour: `--color always|never`, else NO_COLOR, FORCE_COLOR,
    TERM=dumb and whether the stream is a terminal, in that order (no-color.org,
    force-color.org)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(callable(isatty) and isatty())
    except (ValueError, OSError):
        return False
