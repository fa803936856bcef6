"""What a server sends is untrusted: cleaned before it lands in a file, escaped before it is shown.

Pure functions over strings. Model text loses the characters that can make
a docstring read differently from how it runs or renders (bidi overrides,
zero-width and other format characters, terminal escapes, line separators
that `str.splitlines` honours but Python does not). Text shown on the
terminal (a server's error message) keeps every character but shows the
control ones as escapes, so it cannot move the cursor, recolour, or forge a
line of its own. An answer that holds the caller's key, or a run of it, in
any of the disguises `holds_key` names is refused whole.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from typing import Any, Iterator

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
# Any run this long of a random key is enough to refuse an answer.
KEY_RUN = 12

# Escapes a server may hide a key behind: JSON and Python \uXXXX, \UXXXXXXXX,
# \xXX, \N{NAME}, octal and one-letter escapes (\" \n ...), HTML character
# references, URL percent-encoding.
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\\x([0-9a-fA-F]{2})"
                     r"|\\N\{([A-Za-z0-9 -]{1,80})\}|\\([0-7]{1,3})|%([0-9a-fA-F]{2})"
                     r"|&#[xX]([0-9a-fA-F]{1,6});?|&#([0-9]{1,7});?|\\([\"'\\/nrtbf])")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
# The contents of the quoted strings in a text (the example's code): a key
# split over concatenated literals with comments between them is whole again.
_QUOTED = re.compile(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'")


def _unescape_once(m: "re.Match[str]") -> str:
    hex4, hex8, hex2, name, octal, percent, hexref, decref, simple = m.groups()
    if simple is not None:
        return _SIMPLE.get(simple, simple)
    if name is not None:
        try:
            return unicodedata.lookup(name)
        except KeyError:
            return m.group(0)
    if octal is not None:
        code = int(octal, 8)
    elif decref is not None:
        code = int(decref)
    else:
        code = int(hex4 or hex8 or hex2 or percent or hexref, 16)
    return chr(code) if code <= sys.maxunicode else m.group(0)


def decoded(text: str) -> str:
    """The text with every escape above decoded, repeatedly (an escaped escape
    too), and the characters that show nothing (controls, zero-width) removed."""
    for _ in range(4):
        again = _ESCAPE.sub(_unescape_once, text)
        if again == text:
            break
        text = again
    return "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED)


def normalised(text: str) -> str:
    """Only the letters and digits of the decoded text, compatibility-folded
    (fullwidth letters are letters) and case-folded: what is left of a key
    whatever was put between, around or over its characters."""
    folded = unicodedata.normalize("NFKC", decoded(text)).casefold()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string in a value; in a text holding a JSON object (with prose
    around it, as parse_answer accepts), that object's strings too."""
    if isinstance(value, str):
        yield value
        start, end = value.find("{"), value.rfind("}")
        if depth == 0 and 0 <= start < end:
            try:
                inner = json.loads(value[start:end + 1])
            except (ValueError, RecursionError):
                return
            yield from _strings(inner, 1)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, depth)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v, depth)


def _looks_random(folded: str) -> bool:
    return len(folded) >= 16 and any(c.isdigit() for c in folded) and any(
        c.isalpha() for c in folded)


def holds_key(value: Any, key: str) -> bool:
    """Whether the key, or any KEY_RUN characters of it, appears anywhere in a text
    or decoded JSON value, however disguised.

    Every string of the value is read joined to the others (a key split over
    fields) and, besides, the contents of the quoted strings in it joined (a
    key split over literals in the example). Each is decoded and normalised:
    zero-width characters between the key's characters, \\u escapes, prose
    around the JSON, a `*` in a step label or a comment in the example leave
    the key's letters and digits in order. A key that does not look random
    (`not-needed`, `sk-no-key-required`) is matched only whole and only after
    decoding, never folded, so that words in an answer are not refused.
    """
    if len(key) < KEY_MIN_LENGTH:
        return False
    texts = [decoded(t) for t in _strings(value)]
    views = ("\n".join(texts),
             "".join(m.group(0)[1:-1] for t in texts for m in _QUOTED.finditer(t)))
    folded_key = normalised(key)
    if not _looks_random(folded_key):
        return any(key in v for v in views)
    runs = {folded_key[i:i + KEY_RUN] for i in range(len(folded_key) - KEY_RUN + 1)}
    return any(run in folded for folded in map(normalised, views) for run in runs)


def scrub(text: str, key: str) -> str:
    """Text with the key replaced, before anything shows or stores it."""
    return text.replace(key, "***") if len(key) >= KEY_MIN_LENGTH else text
