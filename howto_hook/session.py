"""The language server's state and work: preferences, open documents,
checks, code actions, hover (server.py wires them to pygls).

Each open buffer is checked by `stdin.check_buffer`, the function
`--stdin-filename PATH -` calls, with the settings the command line takes
for PATH and against PATH's committed version (scope "changed", the
default) or whole (scope "file"). Checks run on one worker thread, off the
event loop: a keystroke cancels the pending check, and a result for an older
version of the buffer is dropped. The code actions run the `--fix` path
(fix.fix_data) on the buffer and send back the lines that changed.
"""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from howto_hook import check, cli, editor, pool, stdin
from howto_hook.config import ConfigError
from howto_hook.discover import UsageError, display, is_excluded
from howto_hook.model import Target
from howto_hook.plan import Configs
from howto_hook.report import fixable

NAME = "howto-check"
CONFIG_FILES = ("howto.toml", ".howto.toml", "pyproject.toml")
LOG = types.MessageType
T = TypeVar("T")


@dataclass(frozen=True)
class Preferences:
    """What the editor may set (initializationOptions, or the "howto-check"
    section of its settings)."""

    scope: str = "changed"  # "changed": what differs from HEAD, as the hook; "file": all
    severity: str = "warning"  # of every diagnostic: error, warning, information, hint
    debounce: float = 0.1  # seconds after the last keystroke before a check

    def update(self, raw: Any) -> Tuple["Preferences", List[str]]:
        """These preferences with the valid keys of `raw` laid over; the problems."""
        if not isinstance(raw, dict):
            return self, []
        raw = raw.get(NAME, raw) if isinstance(raw.get(NAME), dict) else raw
        out, problems = self, []
        for key, ok in (("scope", lambda v: v in ("changed", "file")),
                        ("severity", lambda v: v in editor.SEVERITIES),
                        ("debounce", lambda v: isinstance(v, (int, float)) and 0 <= v <= 5)):
            if key in raw and raw[key] is not None:
                if ok(raw[key]):
                    out = replace(out, **{key: raw[key]})
                else:
                    problems.append(f"ignored {key} = {raw[key]!r}")
        return out, problems


@dataclass
class Document:
    path: str
    head: Optional[bytes] = None  # HEAD's copy of the file; None: check it whole
    head_stale: bool = True  # HEAD's copy must be read again before the next check
    task: Optional["asyncio.Task[None]"] = None
    shown: Tuple[types.Diagnostic, ...] = ()
    changed: Optional[FrozenSet[int]] = None  # the lines the shown check took
    broken: bool = False  # the buffer does not parse: the last good diagnostics stay


class Session:
    """The server's state: preferences, configuration, open documents."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.prefs = Preferences()
        self.root = os.getcwd()
        self.configs: Optional[Configs] = None
        self.docs: Dict[str, Document] = {}
        self.pool = ThreadPoolExecutor(1, thread_name_prefix=NAME)
        self.said: set = set()  # messages logged once
        self.shut = False  # `shutdown` came: `exit` then ends with status 0

    def log(self, message: str, kind: types.MessageType = LOG.Warning, once: bool = False) -> None:
        if once and message in self.said:
            return
        self.said.add(message)
        self.server.window_log_message(types.LogMessageParams(kind, f"{NAME}: {message}"))

    def reload(self) -> None:
        """Read the configuration again (settings are cached per Configs)."""
        try:
            self.configs = Configs(cli.parse_args([]), self.root)
        except (ConfigError, UsageError) as e:
            self.configs = None
            self.log(f"configuration: {e}", LOG.Error)
        for doc in self.docs.values():
            doc.head_stale = True

    def text(self, uri: str) -> Tuple[str, Optional[int]]:
        d = self.server.workspace.get_text_document(uri)
        return d.source, d.version

    # -- checking ---------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        doc = self.docs.get(uri)
        if doc is None:
            return
        if doc.task is not None:
            doc.task.cancel()  # the keystroke that made it stale
        doc.task = asyncio.ensure_future(self._check(uri, doc, delay))

    async def _check(self, uri: str, doc: Document, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        text, version = self.text(uri)
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self.pool, self._work, doc, text)
        except (ConfigError, UsageError) as e:
            self.log(f"configuration: {e}", LOG.Error, once=True)
            return
        except Exception as e:  # a bug of ours: say it once, keep the session
            self.log(f"cannot check {doc.path}: {type(e).__name__}: {e}", LOG.Error, once=True)
            return
        if self.docs.get(uri) is not doc or self.text(uri)[1] != version:
            return  # closed, or edited while it ran: the newer check publishes
        self._publish(uri, doc, text, version, *outcome)

    def _work(self, doc: Document, text: str) -> Tuple[Optional[FrozenSet[int]],
                                                        Optional[check.FileResult]]:
        """The check itself, on the worker thread: one call to check_buffer."""
        configs = self.configs
        if configs is None:
            raise ConfigError("fix the configuration file; nothing is checked until then")
        if doc.head_stale:
            doc.head_stale = False
            doc.head = _committed(doc.path) if self.prefs.scope == "changed" else None
        settings = configs.for_file(doc.path)
        if is_excluded(doc.path, settings):
            return None, None
        # libcst loaded here once, so that each forked check starts with it
        from howto_hook import locate  # noqa: F401

        data, head = _encode(text), doc.head

        def work() -> Tuple[Optional[FrozenSet[int]], check.FileResult]:
            job, _ = stdin.buffer_job(data, doc.path, configs, os.getcwd(), head)
            return job.changed, stdin.check_buffer(data, job, settings)

        try:
            return _bounded(work, settings.file_timeout)
        except Unfinished as e:  # shown as the buffer being unparsable: the last good stay
            return None, check.not_checked(doc.path, str(e), frozenset({"HOW002"}))

    def _publish(self, uri: str, doc: Document, text: str, version: Optional[int],
                 changed: Optional[FrozenSet[int]], result: Optional[check.FileResult]) -> None:
        found = result.violations if result is not None else ()
        unparsed = [v for v in found if not v.symbol and v.code in ("HOW001", "HOW002")]
        if unparsed:  # mid-edit: keep what the last good buffer showed
            if not doc.broken:
                v = unparsed[0]
                self.log(f"{doc.path}:{v.line}:{v.col}: {v.message}; keeping the last "
                         "diagnostics until the buffer parses", LOG.Info)
            doc.broken = True
            return
        doc.broken = False
        lines = editor.split_lines(text)
        severity = editor.SEVERITIES[self.prefs.severity]
        encoding = self.server.workspace.position_encoding or types.PositionEncodingKind.Utf16
        doc.shown = tuple(editor.diagnostic(v, lines, severity, encoding) for v in found)
        doc.changed = changed
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, list(doc.shown), version))

    # -- code actions -----------------------------------------------------

    async def actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        uri = params.text_document.uri
        doc = self.docs.get(uri)
        if doc is None or self.configs is None:
            return []
        hits = [d for d in doc.shown if editor.overlaps(d.range, params.range)]
        if not hits:
            return []
        text, version = self.text(uri)
        loop = asyncio.get_running_loop()
        targets = await loop.run_in_executor(self.pool, self._targets, doc, text)
        encoding = self.server.workspace.position_encoding or types.PositionEncodingKind.Utf16
        banned = dict(self.configs.for_file(doc.path).banned_words)
        lines = editor.split_lines(text)
        guides: List[types.CodeAction] = []
        fixes: List[types.CodeAction] = []
        noqa: Dict[Tuple[int, str], types.CodeAction] = {}
        for d in hits:
            symbol, line = d.data["symbol"], d.data["line"]
            if symbol and fixable(str(d.code)) and all(symbol not in a.title for a in guides):
                guides.append(self._guide_action(f"Write a usage guide for `{symbol}`", [d],
                                                 uri, version, frozenset({line})))
            if d.code == "HOW301":
                word = editor.word_at(lines, d.range, encoding)
                fixes.extend(_action(f"Replace {word!r} with {verb!r}", [d], uri,
                                     [types.TextEdit(d.range, verb)])
                             for verb in editor.verbs(word, banned))
            target = _owner(targets, symbol, line)
            if target is not None and d.code != "HOW900":
                noqa.setdefault((target.line, str(d.code)), _action(
                    f"Add `# noqa: {d.code}`", [d], uri,
                    editor.noqa_edits(text, target.line, str(d.code), encoding)))
        out = guides + fixes + list(noqa.values())
        if out:
            out[0].is_preferred = True
        if any(d.data["symbol"] and fixable(str(d.code)) for d in hits):
            out.append(self._guide_action("Write a usage guide for every definition in this "
                                          "file", [d for d in doc.shown], uri, version,
                                          doc.changed))
        return out

    def _targets(self, doc: Document, text: str) -> Tuple[Target, ...]:
        """Every definition of the buffer: where a noqa comment goes."""
        assert self.configs is not None
        settings = self.configs.for_file(doc.path)
        try:
            return _bounded(lambda: check.analyse(_encode(text), path=doc.path,
                                                  settings=settings, enabled=frozenset(),
                                                  spans=False).every, settings.file_timeout)
        except Exception:
            return ()

    def _guide_action(self, title: str, diagnostics: List[types.Diagnostic], uri: str,
                      version: Optional[int], lines: Optional[FrozenSet[int]]) -> types.CodeAction:
        data = {"uri": uri, "version": version,
                "lines": sorted(lines) if lines is not None else None}
        return types.CodeAction(title, kind=types.CodeActionKind.QuickFix,
                                diagnostics=diagnostics, data=data)

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """The guide actions' edit: the `--fix` path run on the buffer."""
        data = action.data or {}
        uri = data.get("uri", "")
        doc = self.docs.get(uri)
        if doc is None or action.edit is not None:
            return action
        text, version = self.text(uri)
        if version != data.get("version"):
            self.log("the buffer changed since the action was offered; ask again")
            return action
        lines = data.get("lines")
        loop = asyncio.get_running_loop()
        new, failed = await loop.run_in_executor(
            self.pool, self._write, doc, text, None if lines is None else frozenset(lines))
        for qualname, line, reason in failed:
            self.log(f"{doc.path}:{line}: cannot write a guide for {qualname}: {reason}")
        if new is not None:
            encoding = self.server.workspace.position_encoding or types.PositionEncodingKind.Utf16
            action.edit = types.WorkspaceEdit(
                changes={uri: editor.line_edits(text, new, encoding)})
        return action

    def _write(self, doc: Document, text: str, changed: Optional[FrozenSet[int]]
               ) -> Tuple[Optional[str], Sequence[Tuple[str, int, str]]]:
        """fix_data on the buffer with the configured generator, as `--fix`."""
        from howto_hook.fix import fix_data
        from howto_hook.fixrun import _generator

        from howto_hook import examples
        from howto_hook.plan import Plan

        assert self.configs is not None
        settings = self.configs.for_file(doc.path)
        job = self.configs.job(doc.path, display(doc.path, os.getcwd()), changed)
        # the candidates' examples run against the buffer as `--fix` runs a
        # file's; with no interpreter that imports the project, only the
        # project's own examples are written (never an unrun one)
        try:
            work = examples.prepare(Plan(settings, None, [job._replace(settings=settings)], 1,
                                         settings.generator), fixing=True)
        except UsageError as e:
            return None, [("the definitions", 0, str(e))]
        settings = work.jobs[0].settings or work.settings

        def write() -> Tuple[Optional[bytes], Sequence[Tuple[str, int, str]]]:
            generator = _generator(settings.generator, settings, settings.root)
            fixed = fix_data(_encode(text), path=doc.path, display=job.display,
                             settings=settings, enabled=job.enabled, changed=changed,
                             generator=generator)
            return fixed.after, fixed.failed

        try:
            after, failed = _bounded(write, settings.file_timeout)
        except Unfinished as e:
            return None, [("the definitions", 0, str(e))]
        return (after.decode("utf-8") if after else None), failed

    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        doc = self.docs.get(params.text_document.uri)
        if doc is None:
            return None
        here = types.Range(params.position, params.position)
        hits = [d for d in doc.shown if editor.overlaps(d.range, here)]
        text = editor.hover([str(d.code) for d in hits])
        if text is None:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text), hits[0].range)


def _encode(text: str) -> bytes:
    """The buffer as the bytes an editor would save; a lone surrogate (a
    broken paste) passes, to be reported as undecodable like any bad file."""
    return text.encode("utf-8", "surrogatepass")


class Unfinished(Exception):
    """A job that crashed its process, ran past its time or raised."""


def _bounded(job: Callable[[], T], limit: float) -> T:
    """`job()` in a forked process under `limit` seconds (pool.py): a buffer
    that crashes libcst's native parser ends that process, not the session."""
    for outcome in pool.run(lambda _: job(), [0], 1, limit):
        if outcome.status == pool.DONE:
            return outcome.value  # type: ignore[no-any-return]
        raise Unfinished(f"not checked: {outcome.status} ({outcome.value})")
    raise Unfinished("not checked: the worker gave no answer")


def _committed(path: str) -> Optional[bytes]:
    """HEAD's copy of `path`; None outside git or for a new file (checked whole)."""
    try:
        return stdin.committed(path, os.path.dirname(path) or ".")
    except Exception:  # a missing folder, a broken repository: check the file whole
        return None


def _owner(targets: Sequence[Target], symbol: str, line: int) -> Optional[Target]:
    """The definition `symbol` a finding on `line` belongs to (the last one
    starting at or above it, for a name defined twice)."""
    fits = [t for t in targets if t.qualname == symbol and t.line <= line]
    return max(fits, key=lambda t: t.line) if fits else None


def _action(title: str, diagnostics: List[types.Diagnostic], uri: str,
            edits: List[types.TextEdit]) -> types.CodeAction:
    return types.CodeAction(title, kind=types.CodeActionKind.QuickFix, diagnostics=diagnostics,
                            edit=types.WorkspaceEdit(changes={uri: edits}))
