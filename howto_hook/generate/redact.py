"""What never leaves the machine: secrets found in source text are replaced before sending.

Pure functions over text, in four nets:

- Known token formats, wherever they stand (a provider's prefix and length
  say what they are), PEM private keys whole (also split over concatenated
  literals), and an AWS secret key beside its key id.
- Credentials inside URLs (`scheme://user:PASSWORD@host`, a `/` in the
  password included) and `Password=...;` in connection strings.
- Values given to a name that sounds secret, followed through the code:
  assigned, annotated, passed as a keyword or dict key, in a tuple
  (`auth=("admin", "pw")`), as the arguments of a login-like call
  (`login(u, "pw")`, `HTTPBasicAuth(...)`), or inside a call on the right-hand
  side (`bytes.fromhex("...")`). A strong name (`password`, `api_key`,
  `authorization`) loses every literal it is given directly; a weak one
  (`key`, `salt`, `from_key`) only a literal that looks random. What a strong
  name reaches through a call, or is compared with, goes only when it looks
  like a credential: `os.environ["DB_PASSWORD"]` and `token == "async"` stay,
  `password == "hunter2"` goes.
- Prose (comments, string contents, a docstring): a word that looks like a
  credential within a few words after a secret-sounding one
  (`# prod password: Tr0ub4dor&3`, `Authorization: Token 9944b0...`).

A false positive costs the model a string of context; a false negative sends
a secret, so the nets are wide, but ordinary code, version strings and hashes
away from secret names are left alone (see bench/redaction.py for the rate).
`detect-secrets` was measured against the same 23 kinds and caught 8: it
finds lines in files for review, not values in text, so it is not used.
"""
from __future__ import annotations

import functools
import math
import re
from collections import Counter
from typing import Iterator, List, Optional, Pattern, Set, Tuple

from howto_hook.generate.untrusted import KEY_MIN_LENGTH

REDACTED = "<redacted>"

_PEM_LABEL = r"-----(?:BEGIN|END) (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"

# Token formats by provider. Each is anchored on the provider's prefix so that
# ordinary identifiers are left alone.
TOKENS: List[Pattern[str]] = [re.compile(p) for p in (
    # A PEM private key from BEGIN to END, across concatenated literals and
    # lines; a block cut short (no END) to the end of its literal and of any
    # literals concatenated after it.
    _PEM_LABEL.replace("(?:BEGIN|END)", "BEGIN")
    + r"(?:[\s\S]{0,20000}?" + _PEM_LABEL.replace("(?:BEGIN|END)", "END")
    + r"|[^\"']*(?:[\"']\s*[rRbBuU]{0,2}[\"'][A-Za-z0-9+/=\\]*)*)",
    r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}",  # Stripe secret, restricted, publishable
    r"\bwhsec_[A-Za-z0-9+/=]{20,}",  # Stripe webhook signing secret
    r"\bsk-ant-[A-Za-z0-9_-]{16,}",  # Anthropic
    r"\b(?:sk|rk|pk)-[A-Za-z0-9_-]{16,}",  # OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-)
    r"\bgh[pousr]_[A-Za-z0-9]{30,}",  # GitHub classic, OAuth, user, server, refresh tokens
    r"\bgithub_pat_[A-Za-z0-9_]{22,}",  # GitHub fine-grained
    r"\bgl[a-z]{2,6}-[A-Za-z0-9_-]{20,}",  # GitLab glpat-, gldt-, glrt-, glptt-, glsoat-, ...
    r"\bhf_[A-Za-z0-9]{30,}",  # Hugging Face
    r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b",  # AWS key ids
    r"\bxox[abposre]-[A-Za-z0-9-]{10,}",  # Slack bot, user, app-level, refresh tokens
    r"\bxapp-\d-[A-Za-z0-9-]{10,}",  # Slack app-level
    r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+",  # Slack webhooks
    r"https://(?:discord(?:app)?\.com)/api/webhooks/[A-Za-z0-9/_-]+",  # Discord webhooks
    r"\bAIza[0-9A-Za-z_-]{35}",  # Google API keys
    r"\bGOCSPX-[A-Za-z0-9_-]{20,}",  # Google OAuth client secrets
    r"\bya29\.[A-Za-z0-9_-]{20,}",  # Google OAuth access tokens
    r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JWTs
    r"\bnpm_[A-Za-z0-9]{36}\b",  # npm
    r"\bpypi-[A-Za-z0-9_-]{50,}",  # PyPI upload tokens
    r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",  # SendGrid
    r"\bSK[0-9a-f]{32}\b",  # Twilio API key sids
    r"\bdop_v1_[a-f0-9]{64}\b",  # DigitalOcean
    r"\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b",  # Shopify
    r"\bdapi[a-f0-9]{32}\b",  # Databricks
    r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b",  # Telegram bots
    r"\b(?i:AccountKey)=[A-Za-z0-9+/=]{20,}",  # Azure storage connection strings
    r"\b(?i:SharedAccessSignature)=[^;\"'\s]{10,}",  # Azure SAS
    r"\b(?i:bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}",  # Authorization header values
)]

_ANY_TOKEN = re.compile("|".join(f"(?:{p.pattern})" for p in TOKENS))
_AWS_KEY_ID = TOKENS[9]
# An AWS secret access key: 40 characters of base64 standing alone.
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_REACH = 300  # characters either side of a key id where its secret may stand

# `scheme://user:password@host`: the password goes, the rest stays readable.
# The password may hold an @ or a / (neither allowed by RFC 3986, both seen):
# the last @ followed by a host name ends it.
_URL_CREDENTIALS = re.compile(
    r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@\"'<>]*:)([^\s\"'<>?#]+)(@)"
    r"(?=[A-Za-z0-9{}\[\]._-]+(?:[:/?#\"'\s<>]|$))")

# `Password=...;` in connection strings (ADO.NET, ODBC, JDBC parameters).
_KEY_VALUE = re.compile(r"(?i)(\b(?:password|pwd|passwd|passphrase|secret|token|apikey|api_key)=)"
                        r"((?:[^;&\s\"'<>]|&(?!\w+=)){3,})")

# A name sounds secret when one of its words (split on _ . - and camel case) is one
# of these, or two neighbouring words make one: `db_password`, `clientSecret`,
# `API_KEY`, `self.access_token`; not `author`, `tokenizer` or `key`.
_SECRET_WORDS = frozenset({
    "password", "passwords", "passwd", "passphrase", "pwd", "pw", "pass", "secret", "secrets",
    "token", "tokens", "apikey", "credential", "credentials", "auth", "authorization", "dsn",
    "bearer", "privatekey"})
_SECRET_PAIRS = frozenset({
    ("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"), ("auth", "key"),
    ("signing", "key"), ("encryption", "key"), ("session", "key"), ("master", "key"),
    ("license", "key"), ("client", "secret"), ("app", "key"), ("account", "key")})
# Calls whose arguments are credentials: `login(user, "pw")`, `authenticate(...)`.
_LOGIN_WORDS = frozenset({"login", "logon", "signin", "authenticate", "authorize"})
# Weak: a name that may hold a secret or may not (`key`, `salt`, `from_key`); only
# a value that looks random is taken from it.
_WEAK_WORDS = frozenset({
    "key", "keys", "pk", "sk", "priv", "private", "seed", "salt", "sig", "signature", "hmac",
    "cred", "creds", "cookie", "session", "sessionid", "sid", "otp", "pin", "mnemonic",
    "wallet", "signing", "cert", "webhook"})

# A name ending in one of these is about a secret, not one: `token_type`,
# `password_prompt`, `api_key_env`, `TokenInfo`, `KeyError`.
_NOT_SECRET_TAILS = frozenset({
    "type", "types", "kind", "name", "names", "field", "fields", "label", "prompt", "hint",
    "help", "info", "env", "var", "file", "path", "dir", "url", "uri", "endpoint", "error",
    "errors", "exception", "warning", "count", "len", "length", "size", "index", "pos", "start",
    "end", "pattern", "regex", "re", "class", "format", "fmt", "mode", "policy", "manager",
    "handler", "validator", "required", "enabled", "expiry", "expires", "ttl", "timeout",
    "header", "hdr", "map", "maps", "table"})

STRONG, WEAK = 2, 1
# Every word above holds one of these: a name without any is not split into words.
_HINT = re.compile(r"(?i)pass|pw|secret|token|key|auth|cred|dsn|bearer|log[io]n|sign|priv|seed"
                   r"|salt|sig|hmac|cookie|session|sid|otp|pin|mnemonic|wallet|cert|hook|pk|sk")


def _words(name: str) -> List[str]:
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+",
                                          name.rsplit(".", 1)[-1])]


@functools.lru_cache(maxsize=4096)
def strength(name: str, *, call: bool = False) -> int:
    """STRONG when a name (identifier, dotted name, dict key, header) names a secret,
    WEAK when it may, else 0. `call`: the name is called (`login(...)`)."""
    if not _HINT.search(name):
        return 0
    words = _words(name)
    if not words or words[-1] in _NOT_SECRET_TAILS:
        return 0
    # "pass" is a password only as the last word (`db_pass`), else a verb (`pass_value`)
    words = [w for w in words[:-1] if w != "pass"] + words[-1:]
    strong = _SECRET_WORDS | _LOGIN_WORDS if call else _SECRET_WORDS
    if any(w in strong for w in words) or any(p in _SECRET_PAIRS for p in zip(words, words[1:])):
        return STRONG
    return WEAK if any(w in _WEAK_WORDS for w in words) else 0


def sounds_secret(name: str) -> bool:
    """Whether an identifier (or dotted name, or dict key) names a secret."""
    return strength(name) == STRONG


# --- what a value looks like ---------------------------------------------------------

_VERSION = re.compile(r"v?\d+(?:[._-]\w+)+")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_HEX = re.compile(r"(?:0x)?[0-9a-fA-F]+")


def _entropy(s: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(s)
    return -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())


def looks_random(s: str) -> bool:
    """A string of 16 or more characters without spaces whose letters look drawn at
    random: high entropy, and digits among letters unless it is hex."""
    if len(s) < 16 or any(c.isspace() for c in s) or "{" in s or _VERSION.fullmatch(s):
        return False
    if _HEX.fullmatch(s):
        return _entropy(s[2:] if s[:2].lower() == "0x" else s) >= 3.0
    has = (any(c.isdigit() for c in s), any(c.isalpha() for c in s))
    return all(has) and _entropy(s) >= 3.5


def looks_like_credential(s: str) -> bool:
    """A word of six or more characters built as passwords and tokens are: letters
    with digits or symbols, or random. Never an environment variable's name, a
    version, a URL, a path of words (`and/or`), a placeholder or code."""
    if (len(s) < 6 or any(c.isspace() for c in s) or any(c in s for c in "()[]{}<>`,")
            or "://" in s or s.startswith(("~", "/", "./", "$", "%"))
            or _VERSION.fullmatch(s) or _ENV_NAME.fullmatch(s)):
        return False
    alpha = any(c.isalpha() for c in s)
    return (alpha and any(c.isdigit() or c in "!@#$%^&*+=~?|" for c in s)) or looks_random(s)


def _plausible(s: str) -> bool:
    """A literal that could be a password: no spaces, a letter or digit, not a version."""
    return (len(s) >= 2 and not any(c.isspace() for c in s) and any(c.isalnum() for c in s)
            and not _VERSION.fullmatch(s))


# --- values given to secret names, followed through the code -------------------------

_NAME = r"\b[A-Za-z_][\w.-]*"
# A name, the closing quote and bracket of a dict key or subscript, then an
# operator that gives it a value (= : and annotated =), compares it (== !=),
# or a call's opening parenthesis.
_SITE = re.compile(r"(" + _NAME + r")(?:[\"']?\]?\s*(?:(==|!=)|=(?!=)|:(?!:))|(\s*\())")
# One Python string literal of any prefix and quoting. (A backslash is matched
# by one alternative only: with two, a literal left open backtracks exponentially.)
_STR = (r"(?:[rRbBuUfF]{0,2})(?:\"\"\"(?:\\[\s\S]|(?!\"\"\")[^\\])*\"\"\""
        r"|'''(?:\\[\s\S]|(?!''')[^\\])*'''"
        r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')")
_LITERAL = re.compile(_STR)
_OPEN, _CLOSE = "([{", ")]}"
_REACH = 2000  # characters a value is followed before giving up (keeps redaction linear)

# How a literal is reached from its name, from closest to farthest.
VALUE, ITEM, NESTED = "value", "item", "nested"


def _body(literal: str) -> str:
    body = literal.lstrip("rRbBuUfF")
    quote = 3 if body[:3] in ('"""', "'''") else 1
    return body[quote:-quote]


class _Budget:
    """Characters the value-following may still step over in one text: nested
    calls (`login(login(login(...`) must not make redaction quadratic."""

    def __init__(self, text: str) -> None:
        self.left = 8 * len(text) + 20000


def _value_literals(text: str, start: int, first: str, budget: _Budget,
                    chained: bool = False) -> Optional[List[Tuple[int, int, str]]]:
    """The string literals of the value that begins at `start`: (start, end, how).

    The value ends at a newline, `,` or `;` outside brackets, or at the bracket
    that closes what it stands in. `how`: VALUE for the literal (or the
    concatenated literals) that the value is, ITEM inside a tuple, list or
    dict, NESTED inside a call or subscript or after an operator. `first` is
    how a literal at the start is reached (ITEM for a call's arguments, NESTED
    for the other side of a comparison). `chained`: the name was assigned with
    `=`, so another `=` starts the next name's value. None when the budget ran out.
    """
    found: List[Tuple[int, int, str]] = []
    inside_call = first == ITEM and start > 0 and text[start - 1] == "("
    stack: List[bool] = [False] if inside_call else []  # per open bracket: is it a call?
    plain = True  # nothing but literals and grouping so far
    i, end = start, min(len(text), start + _REACH)
    while i < end:
        budget.left -= 1
        if budget.left < 0:
            return None
        c = text[i]
        if c in "\"'":
            m = _LITERAL.match(text, i)
            if m is None:  # open to the end: no later quote of its kind closes either
                if text.startswith(c * 3, i):
                    break
                nl = text.find("\n", i)
                i = end if nl < 0 else nl
                continue
            if any(stack):
                how = NESTED
            elif stack[1 if inside_call else 0:]:
                how = ITEM
            else:
                how = first if plain else NESTED
            found.append((m.start(), m.end(), how))
            i = m.end()
            continue
        if c == "#":  # a comment ends the line's code
            nl = text.find("\n", i)
            i = end if nl < 0 else nl
            continue
        if c in _OPEN:
            j = i - 1
            while j >= 0 and text[j] in " \t":
                j -= 1
            stack.append(j >= 0 and (text[j].isalnum() or text[j] in "_)]"))
        elif c in _CLOSE:
            if not stack:
                break
            stack.pop()
            if inside_call and not stack:
                break
        elif (c in ",;" or (c == "\n" and text[i - 1] != "\\")) and not stack:
            break
        elif c == "=" and chained and not stack and text[i + 1:i + 2] != "=" \
                and text[i - 1:i] not in ("=", "!", "<", ">"):
            break  # `a = b = "x"`: the next name's value, followed from its own site
        elif not c.isspace() and c not in "rRbBuUfF" and not stack:
            plain = False
        i += 1
    return found


_TEMPLATE_FIELD = re.compile(r"\{[^{}]*\}|%(?:\([\w]+\))?[-#0 +]*\d*(?:\.\d+)?[sdirxXf]")
_SCHEME = re.compile(r"(?i)\b(?:bearer|basic|token|digest)\b")


def _constant_part(literal: str) -> str:
    """What a literal holds besides the fields of a template (f-string, `%s`,
    `{0}`) and an auth scheme's word: `f"Bearer {token}"` and `"%s:%s"` hold
    nothing secret, `f"hunter2-{n}"` does."""
    body = _TEMPLATE_FIELD.sub("", _body(literal))
    return _SCHEME.sub("", body).strip()


def _prefix_start(text: str, start: int) -> int:
    """Where a literal's prefix letters (r, b, f, u) begin."""
    while start > 0 and text[start - 1] in "rRbBuUfF" and not (
            start > 1 and (text[start - 2].isalnum() or text[start - 2] == "_")):
        start -= 1
    return start


def _given_values(text: str) -> Set[Tuple[int, int]]:
    """Spans of the literals given to secret names, as the module docstring says."""
    spans: Set[Tuple[int, int]] = set()
    budget = _Budget(text)
    for m in _SITE.finditer(text):
        call = m.group(3) is not None
        level = strength(m.group(1), call=call)
        if not level:
            continue
        # a comparison: `token == "async"` is a lexer's, `password == "hunter2"` a secret
        first = NESTED if m.group(2) else ITEM if call else VALUE
        found = _value_literals(text, m.end(), first, budget,
                                chained=first == VALUE and m.group(0).endswith("="))
        if found is None:  # a text built to be slow: fail closed, every literal from here
            return spans | {span for span, comment in _places(text, m.start()) if not comment}
        for s, e, how in found:
            s = _prefix_start(text, s)
            body = _body(text[s:e])
            if level == WEAK:
                hit = looks_random(body)
            elif how == VALUE:
                hit = len(_constant_part(text[s:e])) >= 2 and not _VERSION.fullmatch(body)
            elif how == ITEM:
                hit = _plausible(body)
            else:
                hit = looks_like_credential(body)
            if hit:
                spans.add((s, e))
    return spans


# os.environ.get("API_KEY", "fallback-secret"), getenv, a config's get/setdefault/pop.
_ENV_DEFAULT = re.compile(
    r"(\b(?:getenv|get|setdefault|pop)\(\s*([\"'][\w.-]+[\"'])\s*,\s*)"
    r"(" + _STR + r")")


def _replace_env_default(m: "re.Match[str]") -> str:
    if not sounds_secret(m.group(2)[1:-1]) or len(_body(m.group(3))) < 2:
        return m.group(0)
    return m.group(1) + repr(REDACTED)


# --- prose ---------------------------------------------------------------------------

_PLACE_START = re.compile(r"[#\"']")


def _places(code: str, start: int = 0) -> Iterator[Tuple[Tuple[int, int], bool]]:
    """The string literals and comments of code: ((start, end), is_comment).

    A scanner rather than one regular expression: a quote left open is
    skipped to its line's end (or, triple, ends the scan), so a line of
    escaped quotes costs its length once, not its length squared.
    """
    i = start
    while True:
        m = _PLACE_START.search(code, i)
        if m is None:
            return
        i = m.start()
        if code[i] == "#":
            nl = code.find("\n", i)
            end = len(code) if nl < 0 else nl
            yield (i, end), True
            i = end
            continue
        lit = _LITERAL.match(code, _prefix_start(code, i))
        if lit is None or lit.end() <= i:
            lit = _LITERAL.match(code, i)
        if lit is None:
            if code.startswith(code[i] * 3, i):
                return
            nl = code.find("\n", i)
            if nl < 0:
                return
            i = nl
            continue
        yield (lit.start(), lit.end()), False
        i = lit.end()
_WORD = re.compile(r"[^\s\"'`]+")
_PROSE_REACH = 4  # words after a secret-sounding one, on its line, that may be its value
# English words that are also secret names: "pass it on" is no password.
_PROSE_IGNORED = frozenset({"pass", "auth"})


def _prose_strength(word: str) -> int:
    core = word.strip(".,;:!?()[]{}'\"*#=-")
    return 0 if core.lower() in _PROSE_IGNORED else strength(core)


def _redact_prose(prose: str) -> str:
    """Credential-like words shortly after a secret-sounding word, replaced: any
    credential after a strong word, a random-looking one after a weak word."""
    if not _HINT.search(prose):
        return prose
    prose = _KEY_VALUE.sub(lambda m: m.group(1) + REDACTED, prose)
    out: List[str] = []
    last = 0
    level = reach = 0
    previous = 0
    for m in _WORD.finditer(prose):
        if "\n" in prose[previous:m.start()]:
            reach = 0
        previous = m.end()
        word = m.group(0)
        # `token:abc`, `password=abc`: a name and its value in one word
        name, sep, value = word.partition("=") if "=" in word else word.partition(":")
        found = _prose_strength(name) if sep and value and "//" not in word else 0
        if found:
            level, reach, word, offset = found, _PROSE_REACH, value, len(name) + 1
        else:
            offset = 0
            found = _prose_strength(word)
            if found:
                level, reach = found, _PROSE_REACH
                continue
            if sep == "=" and name.isidentifier():  # `encoding=x`: another name's value
                reach = max(reach - 1, 0)
                continue
        core = word.strip(".,;:!?()[]{}'\"*=")  # `encoding=` names, it holds nothing
        if reach and core and (looks_random(core) if level == WEAK
                               else looks_like_credential(core)):
            i = m.start() + offset + word.index(core)
            out.append(prose[last:i] + REDACTED)
            last = i + len(core)
        reach = max(reach - 1, 0)
    return "".join(out) + prose[last:]


def _redact_prose_places(code: str) -> str:
    """Prose in code: each comment and each string literal's content."""
    out: List[str] = []
    last = 0
    for (s, e), _ in _places(code):
        out.append(code[last:s] + _redact_prose(code[s:e]))
        last = e
    return "".join(out) + code[last:]


# --- the whole -----------------------------------------------------------------------


def _aws_secrets(text: str) -> str:
    """40-character secrets standing near an AWS key id, replaced (before the id is)."""
    spans: List[Tuple[int, int]] = []
    for m in _AWS_KEY_ID.finditer(text):
        lo, hi = max(0, m.start() - _AWS_REACH), m.end() + _AWS_REACH
        spans += [(s.start(), s.end()) for s in _AWS_SECRET.finditer(text, lo, hi)
                  if looks_random(s.group(0))]
    return _replace_spans(text, set(spans), REDACTED)


def _replace_spans(text: str, spans: Set[Tuple[int, int]], replacement: str) -> str:
    out: List[str] = []
    last = 0
    for s, e in sorted(spans):
        if s < last:  # nested in a span already replaced
            continue
        out.append(text[last:s] + replacement)
        last = e
    return "".join(out) + text[last:]


def redact(text: str, *, prose: bool = False) -> str:
    """The text with anything that looks like a key, token or password replaced.

    `text` is Python source unless `prose` says it is plain text (a docstring's
    content), where every word is prose rather than only comments and strings.
    """
    text = _aws_secrets(text)
    text = _ANY_TOKEN.sub(REDACTED, text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _replace_spans(text, _given_values(text), repr(REDACTED))
    text = _ENV_DEFAULT.sub(_replace_env_default, text)
    return _redact_prose(text) if prose else _redact_prose_places(text)


def without(text: str, secret: str) -> str:
    """The text with one known secret (the caller's own API key) replaced.

    A key shorter than KEY_MIN_LENGTH is a placeholder a local server accepts
    ("local", "EMPTY"), not a secret, and replacing it would mangle words.
    """
    return text.replace(secret, REDACTED) if len(secret) >= KEY_MIN_LENGTH else text

