"""What the runner takes and gives: an Example, its Result, and their words."""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

DEFAULT_TIMEOUT = 10.0

# why a candidate failed, as the --fix summary counts it
CAUSES = {
    "raised": "raised", "timeout": "timed out", "crashed": "ended its interpreter",
    "process": "started a process", "write": "wrote outside its directory",
    "connect": "opened a connection", "browser": "opened a browser",
    "signal": "signalled a process", "limits": "raised its limits",
}


class RunnerError(Exception):
    """The interpreter cannot run examples at all; the message is one line."""


class Example(NamedTuple):
    key: str  # unique within one run
    code: str  # the example's code, dedented
    roots: Tuple[str, ...]  # directories put first on sys.path
    # (module name, file path, source): a buffer the example imports instead
    # of the file on disk (stdin mode)
    module: Optional[Tuple[str, str, str]] = None


class Result(NamedTuple):
    key: str
    status: str  # "passed", "raised", "timeout", "crashed" or "refused"
    exception: str = ""  # the exception's type name; for "refused", the cause ("write")
    message: str = ""  # its message, first line; what ended the child; what was refused
    line: int = 0  # 1-based line of the example where it failed; 0 when unknown
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    @property
    def cause(self) -> str:
        """The summary's word for the outcome ("passed", "started a process")."""
        if self.ok:
            return "passed"
        return CAUSES.get(self.exception if self.status == "refused" else self.status,
                          self.status)


def describe(result: Result, timeout: float) -> str:
    """What went wrong, as the HOW403 message and the "cannot fix" reason say it."""
    if result.status == "raised":
        said = f": {result.message}" if result.message else ""
        return f"the usage example raises {result.exception}{said}"
    if result.status == "timeout":
        return f"the usage example did not finish within {timeout:g} s and was stopped"
    if result.status == "crashed":
        return f"the usage example ended its interpreter ({result.message})"
    if result.status == "refused":
        return f"the example {result.message}"
    return "the usage example runs"
