"""A real LSP client (pytest-lsp's, on pygls) driving `howto-check server`
over stdio in a child process: what the server tests and bench/lsp_bench.py
talk to it with."""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import defaultdict
from typing import AsyncIterator, Dict, List, Optional

from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp.client import (
    DEFAULT_CLIENT_FEATURES,
    LanguageClient,
    client_capabilities,
    register_lsp_features,
)

WAIT = 30.0  # seconds: generous for a loaded machine; a passing run never waits this long


class Client:
    """One server process and the client talking to it."""

    def __init__(self) -> None:
        self.lsp = LanguageClient(converter_factory=default_converter)
        self.queues: Dict[str, "asyncio.Queue[types.PublishDiagnosticsParams]"] = \
            defaultdict(asyncio.Queue)
        self.logs: List[types.LogMessageParams] = []
        self.registrations: List[types.Registration] = []
        self.versions: Dict[str, int] = {}

        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.queues[params.uri].put_nowait(params)

        def log(params: types.LogMessageParams) -> None:
            self.logs.append(params)

        def register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        register_lsp_features(self.lsp, {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.WINDOW_LOG_MESSAGE: log,
            types.CLIENT_REGISTER_CAPABILITY: register,
        })

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


@contextlib.asynccontextmanager
async def session(root: str, *, options: Optional[dict] = None,
                  editor: str = "visual-studio-code") -> AsyncIterator[Client]:
    """`howto-check server` started in `root` and initialised with `options`;
    shut down and exited on the way out."""
    c = Client()
    await c.lsp.start_io(sys.executable, "-m", "howto_hook", "server", cwd=root,
                         env=dict(os.environ))
    try:
        await asyncio.wait_for(c.lsp.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(editor), root_uri=from_fs_path(root),
            initialization_options=options)), WAIT)
        yield c
        await asyncio.wait_for(c.lsp.shutdown_session(), WAIT)
    finally:
        server = c.lsp._server
        if server is not None and server.returncode is None:
            server.kill()  # a test that failed sent no exit: the client would wait forever
        await asyncio.wait_for(c.lsp.stop(), WAIT)
