"""The 23 kinds of secret the attack run of issue 21 placed in source, one line or
block each, with the part that must never be sent.

Kept apart from the tests so that `bench/redaction.py` can count them against
any redactor. Every value is made up in its format's shape; none is real.
"""
from __future__ import annotations

from typing import List, NamedTuple


class Kind(NamedTuple):
    name: str
    source: str
    secret: str  # what must not appear in the redacted text


KINDS: List[Kind] = [
    # kinds the first redactor already caught
    Kind("openai-key", 'client = OpenAI(api_key="sk-proj-a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7")',
         "a1B2c3D4e5F6g7H8i9J0"),
    Kind("github-token", 'gh = Github("ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")',
         "a1B2c3D4e5F6g7H8i9J0"),
    Kind("aws-key-id", 's3 = client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")',
         "IOSFODNN7EXAMPLE"),
    Kind("stripe-key", 'stripe.api_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"', "4eC39HqLyjWDarjtT1zdp7dc"),
    Kind("slack-token", 'WebClient("xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp")',
         "AbCdEfGhIjKlMnOp"),
    Kind("pem-one-string", 'KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9Xk\n'
         '-----END RSA PRIVATE KEY-----"""', "MIIEowIBAAKCAQEA7bq9Xk"),
    Kind("url-password", 'DB = "postgresql://admin:Pa55w0rd-db@db.internal/app"', "Pa55w0rd-db"),
    Kind("password-assigned", 'password = "hunter2-correct-horse"', "hunter2-correct-horse"),
    Kind("jwt", 'session = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N"',
         "eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
    Kind("connection-string", 's = "Server=db;Database=app;User Id=sa;Password=Tr0ub4dor&3;"',
         "Tr0ub4dor&3"),
    Kind("secret-keyword-arg", 'Client(user="bob", client_secret="c1i3nt-s3cr3t-v4lu3")',
         "c1i3nt-s3cr3t-v4lu3"),
    # the twelve the attack run found still sent
    Kind("aws-secret-beside-key-id",
         'session = Session("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")',
         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    Kind("pem-split-over-strings",
         'KEY = (\n    "-----BEGIN RSA PRIVATE KEY-----\\n"\n    "MIIEowIBAAKCAQEA7bq9XkQ3\\n"\n'
         '    "x9ZrT2mWq8PvL4kHs7JdN1\\n"\n    "-----END RSA PRIVATE KEY-----\\n"\n)',
         "x9ZrT2mWq8PvL4kHs7JdN1"),
    Kind("auth-tuple", 'requests.get(url, auth=("admin", "s3cret-pw"))', "s3cret-pw"),
    Kind("authorization-token-header",
         'headers = {"Authorization": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}',
         "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"),
    Kind("login-positional", 'api.login(user, "hunter2-pw")', "hunter2-pw"),
    Kind("url-password-with-slash", 'REMOTE = "https://deploy:pa/ss9w0rd@git.example.com/repo.git"',
         "pa/ss9w0rd"),
    Kind("comment", "x = connect()  # prod password: Tr0ub4dor&3x", "Tr0ub4dor&3x"),
    Kind("docstring", 'def f():\n    """Use the staging token 9f86d081884c7d659a2feaa0c55ad015."""\n',
         "9f86d081884c7d659a2feaa0c55ad015"),
    Kind("hex-private-key",
         'acct = Account.from_key("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")',
         "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"),
    Kind("high-entropy-beside-key", 'signing = {"key": "q8Zt3Lk9Vw2Rx7Pm4Nc6Bd1Fh5Gj0Ys"}',
         "q8Zt3Lk9Vw2Rx7Pm4Nc6Bd1Fh5Gj0Ys"),
    Kind("basic-auth-class", 'auth = HTTPBasicAuth("admin", "s3cret-pw")', "s3cret-pw"),
    Kind("short-secret-name", 'pw = "Xy9-secret-pw"', "Xy9-secret-pw"),
]
