"""Writing to stdout and stderr on any platform, and paths that never raise.

A Windows pipe may be cp1252, a file name may hold any character, and a
drive letter may separate two paths: none of these may end a run that found
what it was asked to find. Nor may a name forge output: a newline, an escape
sequence or a bidi override in a file name or a message is shown as an
escape, never printed raw (`shown`, `escaped`, `diff_name`).
"""
from __future__ import annotations

import os
import unicodedata
from typing import IO, Mapping

# Characters never printed raw: C0 and C1 controls (ESC, CR, LF, DEL, NEL),
# format characters (bidi overrides and isolates, zero-width spaces, BOM),
# lone surrogates (undecodable bytes of a name), line and paragraph separators.
# ZWNJ and ZWJ stay: words in several scripts and emoji need them, and they
# move no cursor and start no line.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_JOINERS = frozenset("\u200c\u200d")


def _hidden(ch: str) -> bool:
    return ch not in _JOINERS and unicodedata.category(ch) in _HIDDEN


def _escape(ch: str) -> str:
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def escaped(text: str) -> str:
    """`text` with every hidden character above as a backslash escape (`\\n`, `\\x1b`,
    `\\u202e`), so that it stays on one line and cannot move the cursor or recolour."""
    if text.isprintable():  # the common case: nothing to look at twice
        return text
    return "".join(_escape(ch) if _hidden(ch) else ch for ch in text)


def shown(text: str) -> str:
    """A name or message for a line of text output: escaped, and unable to start
    a GitHub Actions workflow command, which the runner reads from any output
    line that starts with `::` (after spaces) or holds `##[` anywhere."""
    text = escaped(text).replace("##[", "#\\x23[")
    rest = text.lstrip()
    if rest.startswith("::"):
        text = text[:len(text) - len(rest)] + "\\x3a" + rest[1:]
    return text


def json_escaped(text: str) -> str:
    """JSON text with each hidden character as a `\\uXXXX` escape and `##[` as
    `#\\u0023[`: every decoder reads the same value back (such characters stand
    only inside JSON strings; its own newlines stay), and a log that shows the
    document holds no raw escape sequence and no workflow command."""
    if text.isascii() and "\x7f" not in text and "##[" not in text:
        return text

    def one(ch: str) -> str:
        code = ord(ch)
        if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells it
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    text = "".join(one(ch) if ch != "\n" and _hidden(ch) else ch for ch in text)
    return text.replace("##[", "#\\u0023[")


_C_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def diff_name(name: str) -> str:
    """A name for a unified diff header, quoted as git quotes it when it must be
    (`"a/nl\\n.py"`, other bytes in octal), so that `git apply` reads it back
    and no header line is split or turned into a workflow command."""
    if '"' not in name and "##[" not in name and escaped(name) == name:
        return name
    out = []
    for i, ch in enumerate(name):
        if ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif _hidden(ch) or (ch == "#" and name.startswith("#[", i + 1)):
            data = ch.encode("utf-8", "surrogateescape" if "\udc80" <= ch <= "\udcff"
                             else "surrogatepass")
            out.append("".join(f"\\{b:03o}" for b in data))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


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
