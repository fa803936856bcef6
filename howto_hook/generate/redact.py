"""What never leaves the machine: secrets found in source text are replaced before sending.

Three nets, each a pure function over text. Known token formats are found
wherever they stand (a provider's prefix and length say what they are).
Credentials inside URLs (`scheme://user:PASSWORD@host`) lose the password.
Any string literal assigned to, annotated as, compared with or passed as a
name that sounds secret (`password`, `api_key`, `client_secret`, ...) is
replaced, whatever its shape: plain, f-string, triple-quoted, or split over
several literals in parentheses. A false positive costs the model one string
of context; a false negative sends a secret, so the nets are wide.
"""
from __future__ import annotations

import re
from typing import List, Pattern

from howto_hook.generate.untrusted import KEY_MIN_LENGTH

REDACTED = "<redacted>"

# Token formats by provider. Each is anchored on the provider's prefix so that
# ordinary identifiers are left alone.
TOKENS: List[Pattern[str]] = [re.compile(p) for p in (
    # PEM private keys, also when the block is cut short (no END line).
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[^\"']*)",
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
    r"(?i)\bAccountKey=[A-Za-z0-9+/=]{20,}",  # Azure storage connection strings
    r"(?i)\bSharedAccessSignature=[^;\"'\s]{10,}",  # Azure SAS
    r"(?i)\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}",  # Authorization header values
)]

# `scheme://user:password@host`: the password goes, the rest stays readable.
# The password may itself hold an @: the last @ before the path ends it.
_URL_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@\"'<>]*:)([^\s/\"'<>]+)(@)")

# `Password=...;` in connection strings (ADO.NET, ODBC, JDBC parameters).
_KEY_VALUE = re.compile(r"(?i)(\b(?:password|pwd|passwd|secret|token|apikey|api_key)=)"
                        r"([^;&\s\"'<>]{3,})")

# A name sounds secret when one of its words (split on _ . - and camel case) is one
# of these, or two neighbouring words make one: `db_password`, `clientSecret`,
# `API_KEY`, `self.access_token`; not `author`, `tokenizer` or `key`.
_SECRET_WORDS = frozenset({
    "password", "passwords", "passwd", "passphrase", "pwd", "pass", "secret", "secrets", "token",
    "tokens", "apikey", "credential", "credentials", "auth", "dsn", "bearer", "privatekey"})
_SECRET_PAIRS = frozenset({
    ("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"), ("auth", "key"),
    ("signing", "key"), ("encryption", "key"), ("session", "key"), ("master", "key"),
    ("license", "key"), ("client", "secret"), ("app", "key"), ("account", "key")})


def sounds_secret(name: str) -> bool:
    """Whether an identifier (or dotted name, or dict key) names a secret."""
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+",
                                           name.rsplit(".", 1)[-1])]
    return any(w in _SECRET_WORDS for w in words) or any(
        pair in _SECRET_PAIRS for pair in zip(words, words[1:]))


_NAME = r"\b[A-Za-z_][\w.-]*"

# One Python string literal of any prefix and quoting.
_STR = (r"(?:[rRbBuUfF]{0,2})(?:\"\"\"(?:\\.|(?!\"\"\")[\s\S])*\"\"\"|'''(?:\\.|(?!''')[\s\S])*'''"
        r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')")

# What may stand between the name and its value: a closing quote and bracket of
# a dict key or subscript, an annotation, then = or : or == or !=, then an
# opening parenthesis. The value: one literal or several (implicit concatenation).
_ASSIGNED = re.compile(
    r"((" + _NAME + r")[\"']?\]?\s*"
    r"(?::\s*[\w.\[\], |]+?\s*=|==|!=|=|:)\s*(?:\(\s*)?)"
    r"(" + _STR + r"(?:\s*" + _STR + r")*)")

# os.environ.get("API_KEY", "fallback-secret"), getenv, a config's get/setdefault/pop.
_ENV_DEFAULT = re.compile(
    r"(\b(?:getenv|get|setdefault|pop)\(\s*([\"'][\w.-]+[\"'])\s*,\s*)"
    r"(" + _STR + r")")


def _literal_too_short(literal: str) -> bool:
    """An empty or tiny literal is no secret (and keeps `== ""` checks readable)."""
    body = literal.lstrip("rRbBuUfF")
    quote = 3 if body[:3] in ('"""', "'''") else 1
    return len(body) - 2 * quote < 3


def _replace_assigned(m: "re.Match[str]") -> str:
    if not sounds_secret(m.group(2)) or _literal_too_short(m.group(3)):
        return m.group(0)
    return m.group(1) + repr(REDACTED)


def _replace_env_default(m: "re.Match[str]") -> str:
    if not sounds_secret(m.group(2)[1:-1]) or _literal_too_short(m.group(3)):
        return m.group(0)
    return m.group(1) + repr(REDACTED)


def redact(text: str) -> str:
    """The text with anything that looks like a key, token or password replaced."""
    for pattern in TOKENS:
        text = pattern.sub(REDACTED, text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + REDACTED, text)
    text = _ASSIGNED.sub(_replace_assigned, text)
    return _ENV_DEFAULT.sub(_replace_env_default, text)


def without(text: str, secret: str) -> str:
    """The text with one known secret (the caller's own API key) replaced.

    A key shorter than KEY_MIN_LENGTH is a placeholder a local server accepts
    ("local", "EMPTY"), not a secret, and replacing it would mangle words.
    """
    return text.replace(secret, REDACTED) if len(secret) >= KEY_MIN_LENGTH else text
