"""Redaction: what never reaches the model, as a table of provider formats and code shapes.

The tokens below are made up in each provider's documented shape (prefix,
alphabet, length); none is a real credential.
"""
from __future__ import annotations

import pytest

from secret_kinds import KINDS

from howto_hook.generate.redact import REDACTED, redact, sounds_secret
from howto_hook.generate.untrusted import holds_key

A36 = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # 36 letters and digits
HEX32 = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("line, secret", [
    # token formats, wherever they stand (here in an innocent-looking call)
    pytest.param(f'stripe.charge(key="sk_live_{A36[:24]}")', f"sk_live_{A36[:24]}", id="stripe-secret"),
    pytest.param(f'use("rk_live_{A36[:24]}")', f"rk_live_{A36[:24]}", id="stripe-restricted"),
    pytest.param(f'use("sk_test_{A36[:24]}")', f"sk_test_{A36[:24]}", id="stripe-test"),
    pytest.param(f'use("whsec_{A36[:32]}")', f"whsec_{A36[:32]}", id="stripe-webhook"),
    pytest.param(f'use("ghp_{A36}")', f"ghp_{A36}", id="github-classic"),
    pytest.param(f'use("gho_{A36}")', f"gho_{A36}", id="github-oauth"),
    pytest.param(f'use("github_pat_11ABCDEFG0_{A36}{A36[:20]}")',
                 f"github_pat_11ABCDEFG0_{A36}{A36[:20]}", id="github-fine-grained"),
    pytest.param('use("glpat-xYz12AbC34dEf56GhI78")', "glpat-xYz12AbC34dEf56GhI78", id="gitlab-pat"),
    pytest.param('use("gldt-xYz12AbC34dEf56GhI78")', "gldt-xYz12AbC34dEf56GhI78",
                 id="gitlab-deploy-token"),
    pytest.param(f'use("hf_{A36[:34]}")', f"hf_{A36[:34]}", id="hugging-face"),
    pytest.param('use("AKIAIOSFODNN7EXAMPLE")', "AKIAIOSFODNN7EXAMPLE", id="aws-access-key-id"),
    pytest.param('use("ASIAY34FZKBOKMUTVV7A")', "ASIAY34FZKBOKMUTVV7A", id="aws-session-key-id"),
    pytest.param('use("xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp")',
                 "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", id="slack-bot"),
    pytest.param('use("xoxp-1234567890-0987654321-AbCdEfGhIjKl")', "xoxp-1234567890-0987654321",
                 id="slack-user"),
    pytest.param('use("https://hooks.slack.com/services/T000/B000/XXXXXXXX")',
                 "T000/B000/XXXXXXXX", id="slack-webhook"),
    pytest.param(f'use("sk-{A36}{A36[:12]}")', f"sk-{A36}", id="openai-legacy"),
    pytest.param(f'use("sk-proj-{A36}_{A36}")', f"sk-proj-{A36}", id="openai-project"),
    pytest.param(f'use("sk-svcacct-{A36}")', f"sk-svcacct-{A36}", id="openai-service-account"),
    pytest.param(f'use("sk-ant-api03-{A36}{A36}-AA")', f"sk-ant-api03-{A36}", id="anthropic"),
    pytest.param(f'use("AIza{A36[:35]}")', f"AIza{A36[:35]}", id="google-api-key"),
    pytest.param(f'use("GOCSPX-{A36[:28]}")', f"GOCSPX-{A36[:28]}", id="google-oauth-secret"),
    pytest.param(f'use("ya29.{A36}")', f"ya29.{A36}", id="google-access-token"),
    pytest.param('use("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N")',
                 "eyJzdWIiOiIxMjM0NTY3ODkwIn0", id="jwt"),
    pytest.param(f'use("npm_{A36}")', f"npm_{A36}", id="npm"),
    pytest.param(f'use("pypi-AgEIcHlwaS5vcmc{A36}{A36}")', f"pypi-AgEIcHlwaS5vcmc{A36}",
                 id="pypi"),
    pytest.param(f'use("SG.{A36[:22]}.{A36[:30]}")', f"SG.{A36[:22]}", id="sendgrid"),
    pytest.param(f'use("SK{HEX32}")', f"SK{HEX32}", id="twilio"),
    pytest.param(f'use("dop_v1_{HEX32}{HEX32}")', f"dop_v1_{HEX32}", id="digitalocean"),
    pytest.param(f'use("shpat_{HEX32}")', f"shpat_{HEX32}", id="shopify"),
    pytest.param(f'use("dapi{HEX32}")', f"dapi{HEX32}", id="databricks"),
    pytest.param('use("123456789:AAH9bq8iKDzXmTxE1wTxZ5b8J7r3c2y1k0A")',
                 "AAH9bq8iKDzXmTxE1wTxZ5b8J7r3c2y1k0A", id="telegram-bot"),
    pytest.param('c = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=' + A36 + '==;"',
                 A36, id="azure-storage"),
    pytest.param(f'headers = {{"X": "Bearer {A36}"}}', A36, id="bearer-header-value"),
    pytest.param('KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n'
                 '-----END RSA PRIVATE KEY-----"""', "MIIEowIBAAKCAQEA7bq", id="pem-rsa"),
    pytest.param('K = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n-----END OPENSSH '
                 'PRIVATE KEY-----"', "b3BlbnNzaC1rZXk", id="pem-openssh-escaped"),
    pytest.param('K = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkq"', "MIIEvQIBADANBgkq",
                 id="pem-cut-short"),
    # credentials inside URLs
    pytest.param('DB = "postgresql://admin:PASSWORD@db.internal:5432/app"', "PASSWORD",
                 id="url-postgres"),
    pytest.param('connect("mysql+pymysql://root:s3cr3t@localhost/db")', "s3cr3t", id="url-mysql"),
    pytest.param('r = Redis.from_url("redis://:hunter2hunter2@cache:6379/0")', "hunter2hunter2",
                 id="url-redis-no-user"),
    pytest.param('url = "amqp://guest:p@ss@rabbit/"', "p@ss", id="url-password-with-at"),
    pytest.param('s = "Server=db;Database=app;User Id=sa;Password=Tr0ub4dor&3;"', "Tr0ub4dor",
                 id="connection-string"),
    # string literals given to secret-sounding names, in every shape
    pytest.param('password = "hunter2-correct-horse"', "hunter2", id="assign"),
    pytest.param('password: str = "hunter2-correct-horse"', "hunter2", id="annotated"),
    pytest.param('password: Optional[str] = "hunter2-correct-horse"', "hunter2",
                 id="annotated-generic"),
    pytest.param('password = f"hunter2-{suffix}"', "hunter2", id="f-string"),
    pytest.param('password = rb"hunter2-correct"', "hunter2", id="bytes-raw"),
    pytest.param('password = (\n    "hunter2-"\n    "correct-horse"\n)', "correct-horse",
                 id="parenthesised-concatenation"),
    pytest.param('password = """hunter2\ncorrect horse"""', "correct horse", id="triple-quoted"),
    pytest.param("DB_PASSWORD = 'hunter2-correct-horse'", "hunter2", id="upper-snake"),
    pytest.param('self.client_secret = "abcDEF123456"', "abcDEF123456", id="attribute"),
    pytest.param('clientSecret = "abcDEF123456"', "abcDEF123456", id="camel-case"),
    pytest.param('AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
                 "wJalrXUtnFEMI", id="aws-secret-access-key"),
    pytest.param('conf = {"api_key": "abcdef123456", "name": "x"}', "abcdef123456", id="dict-key"),
    pytest.param('os.environ["GITHUB_TOKEN"] = "abcdef123456"', "abcdef123456", id="subscript"),
    pytest.param('login(user="bob", password="hunter2-correct")', "hunter2", id="keyword-arg"),
    pytest.param('def login(password: str = "hunter2-default"):', "hunter2", id="default-arg"),
    pytest.param('if password == "hunter2-correct":', "hunter2", id="comparison"),
    pytest.param('key = os.environ.get("API_KEY", "fallback-abcdef")', "fallback-abcdef",
                 id="env-default"),
    pytest.param('token = os.getenv("SLACK_TOKEN", "fallback-abcdef")', "fallback-abcdef",
                 id="getenv-default"),
    # a text built to make following values slow fails closed: every literal goes
    pytest.param("login(" * 3000 + '"hunter2-pw")', "hunter2", id="nested-past-the-budget"),
])
def test_secret_is_redacted(line: str, secret: str) -> None:
    out = redact(line)
    assert secret not in out
    assert REDACTED in out


@pytest.mark.parametrize("source, secret", [
    pytest.param(k.source, k.secret, id=k.name) for k in KINDS])
def test_each_kind_of_the_attack_run_is_redacted(source: str, secret: str) -> None:
    out = redact(source)
    assert secret not in out
    assert REDACTED in out


@pytest.mark.parametrize("text, secret", [
    pytest.param("Connect with the API key 8f14e45fceea167a5a36dedd4bea2543.", "8f14e45fceea",
                 id="api-key-in-prose"),
    pytest.param("Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "9944b091",
                 id="header-line"),
    pytest.param("The admin password is Tr0ub4dor&3 until March.", "Tr0ub4dor", id="password-is"),
    pytest.param("token=abc123def456 (staging)", "abc123def456", id="name-equals-value"),
    pytest.param("Set `password: hunter2!` in the config.", "hunter2!", id="in-backticks"),
])
def test_secret_in_a_docstring_is_redacted(text: str, secret: str) -> None:
    out = redact(text, prose=True)
    assert secret not in out and REDACTED in out


@pytest.mark.parametrize("line", [
    pytest.param('author = "Jane Doe"', id="author-is-not-auth"),
    pytest.param('tokenizer = "bert-base-uncased"', id="tokenizer-is-not-token"),
    pytest.param('key = "name"', id="plain-key"),
    pytest.param('password = ""', id="empty-password"),
    pytest.param('if password == "":', id="empty-comparison"),
    pytest.param('password = os.environ["DB_PASSWORD"]', id="read-from-environment"),
    pytest.param('url = "https://example.com:8080/path?q=1"', id="url-without-credentials"),
    pytest.param('mail = "someone@example.com"', id="email"),
    pytest.param('model = "sk-learn"', id="short-sk"),
    pytest.param('msg = "Basic usage: call it twice"', id="basic-prose"),
    pytest.param('return [v * factor for v in values]', id="code"),
    # hashes in test vectors and ids stand beside no secret name
    pytest.param('assert sha256(b"abc").hexdigest() == "ba7816bf8f01cfea414140de5dae2223b0036'
                 '1a396177a9cb410ff61f20015ad"', id="sha256-test-vector"),
    pytest.param('EXPECTED_MD5 = "d41d8cd98f00b204e9800998ecf8427e"  # md5 of ""', id="md5-vector"),
    pytest.param('commit = "4ea5698a1b2c3d4e5f60718293a4b5c6d7e8f901"', id="commit-id"),
    pytest.param('uuid = "123e4567-e89b-12d3-a456-426614174000"', id="uuid"),
    # versions and requirements
    pytest.param('__version__ = "1.2.3rc1"', id="version"),
    pytest.param('requires = ["libcst>=1.5,<2", "tomli>=1.1"]', id="requirements"),
    pytest.param("# Requires Python 3.9 or later; the token needs the repo scope.",
                 id="version-after-token-in-comment"),
    # names about secrets that hold none
    pytest.param('api_key = os.environ.get("OPENAI_API_KEY")', id="env-name"),
    pytest.param('password = getpass.getpass("Password: ")', id="prompt"),
    pytest.param('password_prompt = "Password: "', id="prompt-name"),
    pytest.param('token_url = "https://oauth2.example.com/token"', id="token-url"),
    pytest.param("if token.type == tokenize.NAME and token.string == 'def':", id="lexer-token"),
    pytest.param('TOKEN_TYPES = {"+": "PLUS", "-": "MINUS"}', id="token-types"),
    pytest.param("if token != '.':", id="compared-with-punctuation"),
    pytest.param('raise TokenError("EOF in multi-line statement", pos)', id="error-message"),
    pytest.param('headers = {"Authorization": f"Bearer {token}"}', id="bearer-field"),
    pytest.param('key = hashlib.sha256(data).hexdigest()', id="key-computed"),
    pytest.param('signature = inspect.signature(func)', id="signature"),
    pytest.param('cache_key = f"{user}:{version}"', id="cache-key"),
    pytest.param('def login(self, user: str, password: str) -> None:', id="signature-line"),
    pytest.param('nntp.login(user=None, password=None, usenetrc=True)', id="none-defaults"),
    pytest.param('passwd = passwd + "@"', id="expression"),
    pytest.param('"""Return the token\'s type and its start position."""', id="docstring-prose"),
    pytest.param("# the password is read from the keyring, never from the file",
                 id="comment-prose"),
    pytest.param("# Pass type_comments=True to get back type comments", id="pass-verb"),
    pytest.param("# e.g. the key points, see section 2.1.3", id="weak-word-prose"),
])
def test_ordinary_code_is_kept(line: str) -> None:
    assert redact(line) == line


def test_redaction_keeps_the_code_around_it() -> None:
    source = ('def connect(host: str) -> str:\n'
              '    password: str = "hunter2-correct-horse"\n'
              '    return f"postgresql://admin:{password}@{host}/db"\n')
    out = redact(source)
    assert out == ('def connect(host: str) -> str:\n'
                   "    password: str = '<redacted>'\n"
                   '    return f"postgresql://admin:{password}@{host}/db"\n'.replace(
                       "admin:{password}@", "admin:<redacted>@"))


@pytest.mark.parametrize("name, secret", [
    pytest.param("db_password", True, id="snake"),
    pytest.param("dbPassword", True, id="camel"),
    pytest.param("API_KEY", True, id="upper-pair"),
    pytest.param("apiKey", True, id="camel-pair"),
    pytest.param("self.access_token", True, id="dotted"),
    pytest.param("x-api-key", True, id="header-name"),
    pytest.param("author", False, id="author"),
    pytest.param("monkey", False, id="monkey"),
    pytest.param("primary_key", False, id="primary-key"),
    pytest.param("auth_tokens", True, id="tokens-word"),
    pytest.param("max_tokens_hint", False, id="about-tokens"),
    pytest.param("token_type", False, id="token-type"),
    pytest.param("TokenInfo", False, id="token-info"),
    pytest.param("api_key_env", False, id="names-a-variable"),
    pytest.param("db_pass", True, id="pass-last"),
    pytest.param("passValue", False, id="pass-verb"),
    pytest.param("Authorization", True, id="authorization-header"),
    pytest.param("pw", True, id="pw"),
])
def test_sounds_secret(name: str, secret: bool) -> None:
    assert sounds_secret(name) is secret


# --- the key on the way back ----------------------------------------------------------

KEY = "sk-test-0123456789abcdefghij"


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize("value", [
    pytest.param(f"uses {KEY}", id="plain"),
    pytest.param("uses " + "\u200b".join(KEY), id="zero-width-between"),
    pytest.param("uses " + "\u202e".join(KEY) + "\x1b[0m", id="bidi-and-control"),
    pytest.param('{"description": "uses ' + _escaped(KEY) + '"}', id="u-escapes"),
    pytest.param('{"d": "' + _escaped(KEY).replace("\\", "\\\\") + '"}', id="escaped-escapes"),
    pytest.param("uses " + "".join(f"\\x{ord(c):02x}" for c in KEY), id="x-escapes"),
    pytest.param("uses " + "".join(f"&#{ord(c)};" for c in KEY), id="html-references"),
    pytest.param("uses " + "".join(f"%{ord(c):02X}" for c in KEY), id="percent-encoding"),
    pytest.param('Sure! Here it is:\n{"description": "uses ' + _escaped(KEY) + '"}',
                 id="prose-before-json"),
    pytest.param({"steps": [{"label": KEY[:12] + "*" + KEY[12:], "text": "x"}]},
                 id="star-in-step-label"),
    pytest.param({"usage_example": "k = (\n" + "\n".join(
        f'    "{KEY[i:i + 5]}"  # part {i}' for i in range(0, len(KEY), 5)) + "\n)"},
        id="comment-in-example"),
    pytest.param({"description": "uses " + KEY[:14], "usage_example": KEY[14:]},
                 id="split-over-fields"),
    pytest.param(KEY.upper(), id="upper-case"),
    pytest.param("".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in KEY),
                 id="fullwidth"),
    pytest.param(f"logs {KEY[8:20]} only", id="a-12-character-run"),
    pytest.param({"description": "x", "steps": [], "usage_example": f"print('{KEY[-13:]}')"},
                 id="cached-answer-with-a-run"),
])
def test_the_key_is_found_in_every_disguise(value) -> None:
    assert holds_key(value, KEY)


@pytest.mark.parametrize("value, key", [
    pytest.param("The `scale` function multiplies each value.", KEY, id="prose"),
    pytest.param("from m import scale\nprint(scale([1, 2], factor=3.0))", KEY, id="example"),
    pytest.param(f"logs {KEY[8:19]} only", KEY, id="an-11-character-run"),
    pytest.param("It is not needed here.", "not-needed", id="placeholder-key-as-words"),
    pytest.param("no key required for the local server", "sk-no-key-required",
                 id="placeholder-key-as-phrase"),
    pytest.param("uses local", "local", id="short-key"),
])
def test_an_answer_without_the_key_passes(value, key: str) -> None:
    assert not holds_key(value, key)


def test_a_placeholder_key_is_still_refused_whole() -> None:
    assert holds_key("set it to " + _escaped("not-needed"), "not-needed")
