"""`pytest --howto-examples`: each usage guide's Usage Example as a test item.

Registered in the `pytest11` entry-point group, so installing howto-hook in
a project's test environment makes the flag available; without it the
plugin collects nothing. Like `--doctest-modules`, it looks at every `.py`
file pytest collects (or is given) and adds one item per guide, named
`path::qualname`, that runs the example in the test process: the project's
own environment, beside its tests. The example is compiled with the file's
name and its own line numbers in the file, so a failure's traceback points
into the docstring.

Each example runs with its file's import root (the project root or `src/`)
on `sys.path` and a fresh temporary working directory, as `--run-examples`
runs them, and alone: in a child forked from the pytest process for it (on
POSIX), so that no example runs after another in the same interpreter and
none changes the session (its signal handlers, its modules, its cwd). The
child keeps pytest's own rules: no sandbox beyond that (`--run-examples`
has one). A file that does not parse is passed over: the linter reports
it (HOW001).
"""
from __future__ import annotations

import asyncio
import os
import select
import sys
import tempfile
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

import pytest

if TYPE_CHECKING:
    from howto_hook.config import Settings

# compile() flag for a top-level `await`, as the rules accept it (3.8+)
_TOP_LEVEL_AWAIT = getattr(__import__("ast"), "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
_CO_COROUTINE = 0x80


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("howto", "usage guides (howto-hook)")
    group.addoption("--howto-examples", action="store_true", default=False,
                    dest="howto_examples",
                    help="run the Usage Example of each usage guide in the collected .py "
                         "files as a test item (path::qualname)")


def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> Optional[pytest.Collector]:
    if file_path.suffix == ".py" and parent.config.getoption("howto_examples"):
        return GuideFile.from_parent(parent, path=file_path)
    return None


@lru_cache(maxsize=256)
def _settings(directory: str) -> "Settings":
    """The nearest configuration's settings (custom titles and section names)."""
    from howto_hook.config import load_settings

    return load_settings(cwd=directory)


class GuideFile(pytest.File):
    """The guides of one Python file; one item per Usage Example."""

    def collect(self) -> Iterator["GuideExample"]:
        from howto_hook import check, examples
        from howto_hook import guide as g
        from howto_hook.locate import UnparsableError

        data = self.path.read_bytes()
        settings = _settings(str(self.path.parent))
        if not examples.might_hold_example(data, settings):
            return
        try:
            analysis = check.analyse(data, path=str(self.path), settings=settings,
                                     enabled=frozenset())
        except UnparsableError:  # pragma: no cover - analyse reports, never raises
            return
        if analysis.file_level:
            return  # undecodable or unparsable: the linter's HOW001/HOW002
        seen = set()
        for target in analysis.every:  # every definition that has a guide, in scope or not
            if target.docstring is None:
                continue
            located = examples.code_of_guide(target, g.parse(target.docstring, settings),
                                             settings)
            if located is None:
                continue
            name = target.qualname
            if name in seen:  # a redefinition (a property's setter, a conditional def)
                name = f"{name}[line {target.line}]"
            seen.add(name)
            code, places = located
            yield GuideExample.from_parent(self, name=name, code=code, places=places,
                                           root=examples.import_root(str(self.path)))


class ExampleFailed(Exception):
    """An example failed in its child; the message is its failure as shown."""


def _collect(pid: int, fd: int) -> Tuple[str, int]:
    """What the child sent and its wait status; whatever it started and left
    holding the pipe does not keep the session waiting once it has ended."""
    chunks = []
    status: Optional[int] = None
    try:
        while status is None:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                chunk = os.read(fd, 65536)
                if chunk:
                    chunks.append(chunk)
                    continue
                status = os.waitpid(pid, 0)[1]  # end of file: every writer is gone
                break
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
        os.set_blocking(fd, False)
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace"), status


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"


class GuideExample(pytest.Item):
    """One Usage Example, run in-process on the file's own line numbers."""

    def __init__(self, *, code: str, places: Tuple[Tuple[int, int], ...], root: str,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.code = code
        self.places = places
        self.root = root
        self._compiled: Any = None

    def _source(self) -> str:
        """The example padded so that its lines are the file's lines."""
        lines = [line for line, _ in self.places]
        if lines == list(range(lines[0], lines[0] + len(lines))):
            return "\n" * (lines[0] - 1) + self.code
        return self.code  # a docstring with escapes: lines do not map one to one

    def runtest(self) -> None:
        self._compiled = compile(self._source(), str(self.path), "exec", _TOP_LEVEL_AWAIT,
                                 dont_inherit=True)
        if not hasattr(os, "fork"):  # pragma: no cover - Windows: in the session itself
            self._run_here()
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run, and send back the failure as pytest shows it
            os.close(read_fd)
            try:
                try:
                    self._run_here()
                    said = b""
                except BaseException:
                    failure = self.repr_failure(pytest.ExceptionInfo.from_current())
                    said = (str(failure) or "failed").encode("utf-8", "replace")
                while said:
                    said = said[os.write(write_fd, said):]
            finally:
                os._exit(0)
        os.close(write_fd)
        said, status = _collect(pid, read_fd)
        if said:
            raise ExampleFailed(said)
        if status != 0:
            raise ExampleFailed(f"the usage example ended its interpreter "
                                f"({_ended(status)})")

    def _run_here(self) -> None:
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        added = self.root not in sys.path
        if added:
            sys.path.insert(0, self.root)
        home = os.getcwd()
        try:
            with tempfile.TemporaryDirectory(prefix="howto-example-") as work:
                os.chdir(work)
                try:
                    value = eval(self._compiled, namespace)
                    if self._compiled.co_flags & _CO_COROUTINE:
                        asyncio.run(value)
                finally:
                    os.chdir(home)
        finally:
            if added and self.root in sys.path:
                sys.path.remove(self.root)

    def _traceback_filter(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        """The traceback from the example's own frame on: pytest's frames cut."""
        traceback = excinfo.traceback
        for n, entry in enumerate(traceback):
            if entry.frame.code.raw is self._compiled:
                return traceback[n:]
        return traceback

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Optional[str] = None) -> Any:
        if isinstance(excinfo.value, ExampleFailed):
            return str(excinfo.value)  # rendered by the child that ran it
        excinfo.traceback = self._traceback_filter(excinfo)  # pytest before 8 too
        if style is None and self.config.getoption("tbstyle", "auto") == "auto":
            style = "short"  # one line per frame: the long style shows the whole file
        return super().repr_failure(excinfo, style)  # type: ignore[arg-type]

    def reportinfo(self) -> Tuple[Any, Optional[int], str]:
        return self.path, self.places[0][0] - 1, f"usage example of {self.name}"

