"""A real LSP client (pygls's) driving `howto-check server` over stdio in a
child process: what the server tests and bench/lsp_bench.py talk to it with.

(pytest-lsp is not used: its pytest plugin breaks every test item that is
not a function, such as `pytest --howto-examples`'s.)"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import defaultdict
from typing import AsyncIterator, Dict, List, Optional

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

WAIT = 30.0  # seconds: generous for a loaded machine; a passing run never waits this long


class Client:
    """One server process and the client talking to it."""

    def __init__(self) -> None:
        self.lsp = LanguageClient("howto-tests", "1")
        self.queues: Dict[str, "asyncio.Queue[types.PublishDiagnosticsParams]"] = \
            defaultdict(asyncio.Queue)
        self.logs: List[types.LogMessageParams] = []
        self.registrations: List[types.Registration] = []
        self.versions: Dict[str, int] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.queues[params.uri].put_nowait(params)

        @self.lsp.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            self.logs.append(params)

        @self.lsp.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        @self.lsp.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list:
            return [None for _ in params.items]

    @property
    def pid(self) -> int:
        assert self.lsp._server is not None
        return self.lsp._server.pid

    async def diagnostics(self, uri: str, timeout: float = WAIT
                          ) -> List[types.Diagnostic]:
        """The next diagnostics the server publishes for `uri`."""
        params = await asyncio.wait_for(self.queues[uri].get(), timeout)
        return list(params.diagnostics)

    async def quiet(self, uri: str, seconds: float) -> bool:
        """Whether the server publishes nothing for `uri` for `seconds`."""
        try:
            await asyncio.wait_for(self.queues[uri].get(), seconds)
        except asyncio.TimeoutError:
            return True
        return False

    def open(self, path: str, text: str) -> str:
        uri = from_fs_path(path)
        self.versions[uri] = 1
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "python", 1, text)))
        return uri

    def replace(self, uri: str, text: str) -> None:
        """The whole buffer replaced, as an editor sends it after a paste."""
        self.versions[uri] += 1
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(self.versions[uri], uri),
            [types.TextDocumentContentChangeWholeDocument(text)]))

    def edit(self, uri: str, line: int, start: int, end: int, text: str) -> None:
        """One keystroke's change: characters start..end of 0-based `line` become `text`."""
        self.versions[uri] += 1
        rng = types.Range(types.Position(line, start), types.Position(line, end))
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(self.versions[uri], uri),
            [types.TextDocumentContentChangePartial(rng, text)]))


def capabilities(resolves: bool) -> types.ClientCapabilities:
    """An editor's: with `resolves`, one that asks for a code action's edit
    only when it is chosen (VS Code, Neovim); otherwise one that needs every
    edit up front."""
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True)),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                data_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(["edit"]) if resolves
                else None),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True, code_description_support=True, data_support=True)))


@contextlib.asynccontextmanager
async def session(root: str, *, options: Optional[dict] = None,
                  resolves: bool = True) -> AsyncIterator[Client]:
    """`howto-check server` started in `root` and initialised with `options`;
    shut down and exited on the way out."""
    c = Client()
    await c.lsp.start_io(sys.executable, "-m", "howto_hook", "server", cwd=root,
                         env=dict(os.environ))
    try:
        await asyncio.wait_for(c.lsp.initialize_async(types.InitializeParams(
            capabilities=capabilities(resolves), process_id=os.getpid(),
            root_uri=from_fs_path(root), initialization_options=options)), WAIT)
        c.lsp.initialized(types.InitializedParams())
        yield c
        await asyncio.wait_for(c.lsp.shutdown_async(None), WAIT)
        c.lsp.exit(None)
        assert c.lsp._server is not None
        await asyncio.wait_for(c.lsp._server.wait(), WAIT)
    finally:
        server = c.lsp._server
        if server is not None and server.returncode is None:
            server.kill()  # a test that failed sent no exit: the client would wait forever
        await asyncio.wait_for(c.lsp.stop(), WAIT)
