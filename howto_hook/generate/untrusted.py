"""What a server sends is untrusted: cleaned before it lands in a file, escaped before it is shown.

Pure functions over strings. Model text loses the characters that can make
a docstring read differently from how it runs or renders (bidi overrides,
zero-width and other format characters, terminal escapes, line separators
that `str.splitlines` honours but Python does not). Text shown on the
terminal (a server's error message) keeps every character but shows the
control ones as escapes, so it cannot move the cursor, recolour, or forge a
line of its own. An answer that holds the caller's key is refused whole.
"""
from __future__ import annotations

import unicodedata
from typing import Any

# Categories never written from model text: controls, format characters (bidi
# embeddings and isolates, zero-width joiners, BOM), surrogates, line and
# paragraph separators.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_KEPT_CONTROLS = frozenset("\n\t")
SHOWN_LIMIT = 300  # characters of a server's message worth showing


def clean(text: str) -> str:
    """Model text fit for a docstring: CRs become newlines, the characters above go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text
                   if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in _DROPPED)


def clean_json(value: Any) -> Any:
    """Every string inside a decoded JSON value, cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean(str(k)): clean_json(v) for k, v in value.items()}
    return value


def printable(text: str, limit: int = SHOWN_LIMIT) -> str:
    """One line of server text for the terminal: control characters as escapes, cut short."""
    out = "".join(ch.encode("unicode_escape").decode("ascii")
                  if unicodedata.category(ch) in _DROPPED else ch for ch in text)
    return out if len(out) <= limit else out[:limit] + "..."


# A key shorter than this is a placeholder a local server accepts ("local",
# "EMPTY"), not a secret; matching it would reject ordinary words.
KEY_MIN_LENGTH = 8


def holds_key(value: Any, key: str) -> bool:
    """Whether the key appears anywhere in a text or decoded JSON value."""
    if len(key) < KEY_MIN_LENGTH:
        return False
    if isinstance(value, str):
        return key in value
    if isinstance(value, list):
        return any(holds_key(v, key) for v in value)
    if isinstance(value, dict):
        return any(holds_key(k, key) or holds_key(v, key) for k, v in value.items())
    return False


def scrub(text: str, key: str) -> str:
    """Text with the key replaced, before anything shows or stores it."""
    return text.replace(key, "***") if len(key) >= KEY_MIN_LENGTH else text
