"""`howto-check server`: the checker as a language server over stdio.

Built on pygls (the extra `howto-hook[server]`; only this command imports
it, through main.py). Each feature of the protocol is a small handler here
that hands its work to one `session.Session`; see session.py for how a
buffer is checked (`stdin.check_buffer`, as `--stdin-filename`) and fixed.
"""
from __future__ import annotations

import os
import sys
from typing import List, NoReturn, Optional, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from howto_hook import __version__
from howto_hook.session import CONFIG_FILES, LOG, NAME, Document, Session


def build() -> LanguageServer:
    """The pygls server with every feature bound to one Session."""
    server = LanguageServer(NAME, __version__,
                            text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    s = Session(server)

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        uri = params.root_uri or (folders[0].uri if folders else None)
        s.root = (to_fs_path(uri) if uri else None) or params.root_path or os.getcwd()
        s.prefs, problems = s.prefs.update(params.initialization_options)
        for p in problems:
            s.log(f"initializationOptions: {p}")
        s.reload()

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        caps = server.client_capabilities.workspace
        watch = caps.did_change_watched_files if caps is not None else None
        if watch is None or not watch.dynamic_registration:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{n}") for n in CONFIG_FILES]
        try:
            await server.client_register_capability_async(types.RegistrationParams([
                types.Registration(f"{NAME}-config", types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                   types.DidChangeWatchedFilesRegistrationOptions(watchers))]))
        except Exception as e:  # the editor declined: a restart then reads new config
            s.log(f"cannot watch the configuration files: {e}", LOG.Info)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = to_fs_path(uri) if uri.startswith("file:") else None
        s.docs[uri] = Document(os.path.abspath(path or os.path.join(s.root, "untitled.py")))
        s.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        s.schedule(params.text_document.uri, s.prefs.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        doc = s.docs.get(params.text_document.uri)
        if doc is not None:
            doc.head_stale = True  # a commit may have come before the save
        s.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        doc = s.docs.pop(params.text_document.uri, None)
        if doc is not None and doc.task is not None:
            doc.task.cancel()
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(params.text_document.uri, []))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        raw = params.settings
        if not isinstance(raw, dict) or not raw:
            caps = server.client_capabilities.workspace
            if caps is not None and caps.configuration:
                try:  # a client that pushes nothing is asked
                    raw = (await server.workspace_configuration_async(types.ConfigurationParams(
                        [types.ConfigurationItem(section=NAME)])))[0]
                except Exception:
                    raw = None
        s.prefs, problems = s.prefs.update(raw)
        for p in problems:
            s.log(f"settings: {p}")
        s.reload()
        for uri in list(s.docs):
            s.schedule(uri, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        names = {os.path.basename(to_fs_path(c.uri) or "") for c in params.changes}
        if names & set(CONFIG_FILES):
            s.reload()
            for uri in list(s.docs):
                s.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=True))
    async def code_action(params: types.CodeActionParams) -> List[types.CodeAction]:
        actions = await s.actions(params)
        caps = server.client_capabilities.text_document
        support = caps.code_action.resolve_support if caps and caps.code_action else None
        if support is None or "edit" not in support.properties:
            # the editor cannot ask for an edit later: write the guides now
            actions = [await s.resolve(a) if a.edit is None else a for a in actions]
            actions = [a for a in actions if a.edit is not None]
        return actions

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(action: types.CodeAction) -> types.CodeAction:
        return await s.resolve(action)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> Optional[types.Hover]:
        return s.hover(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        s.shut = True
        for doc in s.docs.values():
            if doc.task is not None:
                doc.task.cancel()
        s.pool.shutdown(wait=False, cancel_futures=True)

    @server.feature(types.EXIT)
    def exit_now(params: None) -> None:
        # pygls would wait for its stdin reader (blocked until the editor
        # closes the pipe) and for a check under way; everything is said, so
        # leave now (a check's forked worker dies with us: pool.py)
        sys.stdout.flush()
        os._exit(0 if s.shut else 1)

    return server


def main(argv: Sequence[str]) -> int:
    """`howto-check server`: serve one editor over stdin and stdout until it exits."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            self.exit(2, f"{NAME} server: error: {message} (see {NAME} server --help)\n")

    parser = Parser(prog=f"{NAME} server",
                    description="A language server over stdio: diagnostics as you type, code "
                                "actions that write usage guides, hover with each rule's doc.")
    try:
        parser.parse_args(argv)
    except SystemExit as e:  # --help, or a flag it does not know
        return int(e.code or 0)
    build().start_io()
    return 0
