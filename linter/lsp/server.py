"""The language server: the protocol, open documents, and the answers to each request and notification.

Diagnostics are pushed on didOpen, didChange and didSave (analysed on the worker thread, see
`linter.lsp.analysis`); hover explains a finding; code actions offer quick fixes, fix-all and rewrite.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path

from linter import __version__, fixes
from linter.formats import lsp as lsp_format
from linter.lsp.analysis import JINJA_LANGUAGE_IDS, SOURCE, Analyser, Outcome, Snapshot
from linter.lsp.log import configure_logging
from linter.lsp.positions import PositionMap, overlaps, position_key, range_from_json
from linter.lsp.settings import DEFAULT_DEBOUNCE_MS, DEFAULT_MAX_CHARACTERS, SETTING_NAMES, Settings, parse_settings
from linter.lsp.worker import Worker

logger = logging.getLogger("netlint.lsp")

FIX_ALL_KIND = "source.fixAll.netlint"
REWRITE_KIND = types.CodeActionKind.RefactorRewrite.value  # "refactor.rewrite"
REWRITE_TITLE = "netlint: rewrite this message (hook, offer, one small ask, easy out)"
CONFIG_FILE_NAMES = (".netlint.toml", "pyproject.toml")


@dataclass
class Published:
    """What the client was last sent for a document: diagnostics, with the findings behind them."""

    version: int | None
    text: str
    diagnostics: list[types.Diagnostic]
    findings: list  # linter.report.Finding, the ones analysed for `version`
    encoding: str
    verdict: str | None = None  # "pass" or "fail"; None when the text was not (wholly) analysed


@dataclass
class Document:
    uri: str
    text: str
    version: int | None
    language_id: str
    task: asyncio.Task | None = None
    published: Published | None = None

    def apply(self, change: Any, encoding: str) -> None:
        if getattr(change, "range", None) is not None:
            positions = PositionMap(self.text, encoding)
            start = positions.offset(change.range.start)
            end = max(start, positions.offset(change.range.end))
            self.text = self.text[:start] + change.text + self.text[end:]
        else:
            self.text = change.text


class NetlintProtocol(LanguageServerProtocol):
    """pygls' protocol, with netlint's own document store and replies to requests it cannot read.

    pygls keeps documents split by `str.splitlines`, which also breaks lines at U+2028, form feeds and
    other characters that are not LSP line breaks; positions after them would drift. The server keeps
    its own texts instead (see `Document` and `PositionMap`).
    """

    _server: NetlintServer

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._server.did_open(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._server.did_change(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        self._server.did_close(params)

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data and isinstance(data["id"], (int, str)):
                # A request whose parameters cannot be read: answer it, so the client does not wait forever.
                logger.warning("invalid parameters for %r (request %r)", data.get("method"), data["id"])
                self._send_response(data["id"], error=exc.to_response_error())
                return _Unreadable()
            raise


class _Unreadable:
    """Stands for a message already answered with an error; `handle_message` ignores it."""

    jsonrpc = "unreadable"


class NetlintServer(LanguageServer):
    def __init__(self, debounce_ms: int | None = None, max_characters: int | None = None) -> None:
        super().__init__(
            "netlint",
            __version__,
            protocol_cls=NetlintProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        defaults = Settings()
        if debounce_ms is not None:
            defaults = Settings(**{**defaults.__dict__, "debounce_ms": debounce_ms})
        if max_characters is not None:
            defaults = Settings(**{**defaults.__dict__, "max_characters": max_characters})
        self.defaults = defaults
        self.settings = defaults
        self.documents: dict[str, Document] = {}
        self.analyser = Analyser()
        self.worker = Worker()
        self.generation = 0
        self.encoding = "utf-16"
        self.loop: asyncio.AbstractEventLoop | None = None
        self.loop_thread: int | None = None
        self.shutdown_requested = False
        self._register()

    # ---- registration

    def _register(self) -> None:
        features: list[tuple[str, Any, Callable]] = [
            (types.INITIALIZE, None, self.on_initialize),
            (types.INITIALIZED, None, self.on_initialized),
            (types.SHUTDOWN, None, self.on_shutdown),
            (types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False), self.on_did_save),
            (types.TEXT_DOCUMENT_HOVER, None, self.on_hover),
            (types.TEXT_DOCUMENT_CODE_ACTION,
             types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND, REWRITE_KIND]),
             self.on_code_action),
            (types.WORKSPACE_DID_CHANGE_CONFIGURATION, None, self.on_did_change_configuration),
            (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, None, self.on_did_change_watched_files),
        ]
        for name, options, method in features:
            self.feature(name, options)(_handler(method))

    def report_server_error(self, error: Exception, source) -> None:
        # pygls' default pops a window/showMessage for every unreadable notification; a log line will do.
        logger.error("%s: %s", getattr(source, "__name__", source), error)

    # ---- lifecycle

    def on_initialize(self, params: types.InitializeParams) -> None:
        self.loop = asyncio.get_running_loop()
        self.loop_thread = threading.get_ident()
        self.encoding = str(getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding) or "utf-16")
        settings, problems = parse_settings(params.initialization_options, self.defaults)
        self.defaults = self.settings = settings  # later settings apply on top of the initialization options
        for problem in problems:
            logger.warning("%s", problem)
        client = params.client_info.name if params.client_info else "unknown client"
        logger.info("netlint %s language server for %s (positions in %s)", __version__, client, self.encoding)
        root = self.workspace.root_path or str(Path.cwd())
        self.worker.submit(("warm-up",), partial(self.analyser.warm_up, str(Path(root) / "message.txt"), settings, self.generation))

    async def on_initialized(self, params: types.InitializedParams) -> None:
        caps = self.client_capabilities
        watched = caps.workspace.did_change_watched_files if caps.workspace else None
        if watched is not None and watched.dynamic_registration:
            registration = types.Registration(
                id="netlint-config-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILE_NAMES]
                ),
            )
            try:
                await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except Exception as exc:  # noqa: BLE001 - watching is a convenience
                logger.info("client did not register file watchers: %s", exc)
        await self._pull_settings()

    def on_shutdown(self, params: Any) -> None:
        self.shutdown_requested = True
        for document in self.documents.values():
            if document.task is not None:
                document.task.cancel()
        self.worker.stop()
        logger.info("shutting down")

    # ---- settings

    def _supports_configuration(self) -> bool:
        caps = self.client_capabilities
        return bool(caps.workspace and caps.workspace.configuration)

    async def _pull_settings(self) -> bool:
        if not self._supports_configuration():
            return False
        try:
            result = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="netlint")])
            )
        except Exception as exc:  # noqa: BLE001 - a client may refuse; keep the settings we have
            logger.info("workspace/configuration failed: %s", exc)
            return False
        value = result[0] if isinstance(result, (list, tuple)) and result else None
        if value is None:
            return False
        self._apply_settings(value)
        return True

    def _apply_settings(self, raw: Any) -> None:
        settings, problems = parse_settings(raw, self.defaults)
        for problem in problems:
            logger.warning("%s", problem)
        if settings != self.settings:
            logger.info("settings changed: %s", settings)
            self.settings = settings
            self.reload("settings changed")

    async def on_did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and "netlint" in settings:
            self._apply_settings(settings["netlint"])
        elif await self._pull_settings():
            pass
        elif isinstance(settings, dict) and any(k in SETTING_NAMES for k in settings):
            self._apply_settings(settings)
        else:
            self.reload("configuration changed")

    def on_did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.rsplit("/", 1)[-1] in CONFIG_FILE_NAMES for change in params.changes):
            self.reload("configuration file changed")

    def reload(self, reason: str) -> None:
        """Forget cached configs and linters, and re-lint every open document."""
        self.generation += 1
        logger.info("%s: re-checking %d open documents", reason, len(self.documents))
        for uri in list(self.documents):
            self.schedule(uri, 0)

    # ---- documents

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        self.documents[item.uri] = Document(item.uri, item.text, item.version, item.language_id or "plaintext")
        self.schedule(item.uri, 0)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.documents.get(params.text_document.uri)
        if document is None:
            logger.warning("change to a document that is not open: %s", params.text_document.uri)
            return
        for change in params.content_changes:
            document.apply(change, self.encoding)
        document.version = params.text_document.version
        self.schedule(document.uri, self.settings.debounce_ms / 1000)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        document = self.documents.pop(params.text_document.uri, None)
        if document is not None and document.task is not None:
            document.task.cancel()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    def on_did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri.rsplit("/", 1)[-1] in CONFIG_FILE_NAMES:
            self.reload("configuration file saved")
        elif uri in self.documents:
            self.schedule(uri, 0)

    # ---- linting

    def schedule(self, uri: str, delay: float) -> None:
        document = self.documents.get(uri)
        if document is None or self.shutdown_requested:
            return
        if document.task is not None and not document.task.done():
            document.task.cancel()
        if uri.rsplit("/", 1)[-1] in CONFIG_FILE_NAMES:
            return  # a configuration file opened in the editor: not a message
        document.task = asyncio.get_running_loop().create_task(self._lint_after(uri, delay))
        document.task.add_done_callback(self._task_done)

    @staticmethod
    def _task_done(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.error("linting failed: %r", task.exception(), exc_info=task.exception())

    def snapshot(self, document: Document) -> Snapshot:
        return Snapshot(
            uri=document.uri,
            version=document.version,
            text=document.text,
            language_id=document.language_id,
            path=self._path_for(document),
            settings=self.settings,
            encoding=self.encoding,
            generation=self.generation,
        )

    def _path_for(self, document: Document) -> str:
        path = to_fs_path(document.uri) if document.uri.startswith("file:") else None
        if path:
            return path
        root = self.workspace.root_path or str(Path.cwd())
        suffix = ".j2" if document.language_id.lower() in JINJA_LANGUAGE_IDS else (".md" if document.language_id == "markdown" else ".txt")
        return str(Path(root) / f"untitled{suffix}")

    def is_current(self, snapshot: Snapshot) -> bool:
        document = self.documents.get(snapshot.uri)
        return (
            document is not None
            and document.version == snapshot.version
            and document.text is snapshot.text
            and snapshot.generation == self.generation
        )

    async def analyse(self, document: Document, key: Any) -> Outcome | None:
        snapshot = self.snapshot(document)
        outcome = await self.worker.submit(key, partial(self.analyser.analyse, snapshot, self.is_current))
        if outcome is None or not self.is_current(snapshot):
            return None
        return outcome

    async def _lint_after(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        document = self.documents.get(uri)
        if document is None:
            return
        outcome = await self.analyse(document, ("lint", uri))
        if outcome is not None:
            self.publish(document, outcome)

    def publish(self, document: Document, outcome: Outcome) -> None:
        snapshot = outcome.snapshot
        document.published = Published(snapshot.version, snapshot.text, outcome.diagnostics, outcome.findings,
                                       snapshot.encoding, outcome.verdict)
        logger.debug("%s v%s: %d diagnostics in %.1f ms", snapshot.uri, snapshot.version, len(outcome.diagnostics), outcome.seconds * 1000)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snapshot.uri, diagnostics=outcome.diagnostics, version=snapshot.version)
        )

    async def current_published(self, document: Document) -> Published | None:
        """The published results for the document's current text, linting it now if they are stale."""
        if document.published is not None and document.published.version == document.version and document.published.text is document.text:
            return document.published
        outcome = await self.analyse(document, ("now", document.uri))
        if outcome is None:
            return None
        if document.task is not None and not document.task.done():
            document.task.cancel()  # this lint is the same one, already done
        self.publish(document, outcome)
        return document.published

    # ---- hover

    def on_hover(self, params: types.HoverParams) -> types.Hover | None:
        document = self.documents.get(params.text_document.uri)
        if document is None or document.published is None:
            return None
        at = position_key(params.position)
        hits = [
            d for d in document.published.diagnostics
            if isinstance(d.data, dict) and position_key(d.range.start) <= at <= position_key(d.range.end)
        ]
        if not hits:
            return None
        markdown = self._markdown_hover()
        start = min((d.range.start for d in hits), key=position_key)
        end = max((d.range.end for d in hits), key=position_key)
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
                value=lsp_format.hover([{"code": d.code, "message": d.message, "data": d.data} for d in hits], markdown),
            ),
            range=types.Range(start=start, end=end),
        )

    def _markdown_hover(self) -> bool:
        caps = self.client_capabilities
        hover = caps.text_document.hover if caps.text_document else None
        formats = hover.content_format if hover else None
        return not formats or types.MarkupKind.Markdown in formats

    # ---- code actions

    async def on_code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        document = self.documents.get(params.text_document.uri)
        if document is None:
            return None
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wants(only, types.CodeActionKind.QuickFix):
            actions.extend(self._quick_fixes(document, params))
        if _wants(only, FIX_ALL_KIND):
            fix_all = await self._fix_all(document)
            if fix_all is not None:
                actions.append(fix_all)
        if _wants(only, REWRITE_KIND):
            rewrite = await self._rewrite(document)
            if rewrite is not None:
                actions.append(rewrite)
        return actions

    def _quick_fixes(self, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
        diagnostics = [d for d in params.context.diagnostics if d.source == SOURCE]
        published = document.published
        if published is not None:
            # Clients that do not echo `data` back (or send no diagnostics at all) get the server's copy.
            def ours(d: types.Diagnostic) -> types.Diagnostic | None:
                return next((p for p in published.diagnostics if p.code == d.code and p.range == d.range), None)

            diagnostics = [d if isinstance(d.data, dict) else (ours(d) or d) for d in diagnostics]
            if not diagnostics:
                diagnostics = [d for d in published.diagnostics if overlaps(d.range, params.range)]
        actions = []
        for diagnostic in diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else None
            fix = data.get("fix") if data else None
            if not fix or data.get("version") != document.version:
                continue  # no fix, or computed for an older text: a fresh lint is on its way
            try:
                edits = [types.TextEdit(range=range_from_json(e["range"]), new_text=str(e["newText"])) for e in fix["edits"]]
            except (KeyError, TypeError, ValueError):
                continue
            title = f"{fix['title']} ({diagnostic.code})" if fix.get("safe") else f"{fix['title']} ({diagnostic.code}, may change the meaning)"
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=bool(fix.get("safe")),
                    edit=self._workspace_edit(document.uri, data.get("version"), edits),
                )
            )
        return actions

    async def _fix_all(self, document: Document) -> types.CodeAction | None:
        published = await self.current_published(document)
        if published is None:
            return None
        edits = fixes.choose(published.findings)
        if not edits:
            return None
        positions = PositionMap(published.text, published.encoding)
        text_edits = [types.TextEdit(range=positions.range(e.start, e.end), new_text=e.replacement) for e in edits]
        return types.CodeAction(
            title="Fix all safe netlint findings",
            kind=FIX_ALL_KIND,
            edit=self._workspace_edit(document.uri, published.version, text_edits),
        )

    async def _rewrite(self, document: Document) -> types.CodeAction | None:
        """The whole message rewritten, for a draft whose current text fails; computed on the worker."""
        published = await self.current_published(document)
        if published is None or published.verdict != "fail":
            return None
        snapshot = self.snapshot(document)
        text = await self.worker.submit(("rewrite", document.uri), partial(self.analyser.rewrite, snapshot, self.is_current))
        if text is None or not self.is_current(snapshot):
            return None
        whole = PositionMap(snapshot.text, snapshot.encoding).range(0, len(snapshot.text))
        return types.CodeAction(
            title=REWRITE_TITLE,
            kind=REWRITE_KIND,
            edit=self._workspace_edit(document.uri, snapshot.version, [types.TextEdit(range=whole, new_text=text)]),
        )

    def _workspace_edit(self, uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        caps = self.client_capabilities
        edit_caps = caps.workspace.workspace_edit if caps.workspace else None
        if edit_caps is not None and edit_caps.document_changes:
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                        edits=edits,
                    )
                ]
            )
        return types.WorkspaceEdit(changes={uri: edits})


def _handler(method: Callable) -> Callable:
    """A plain function around a bound method: pygls marks its handlers with attributes."""
    if asyncio.iscoroutinefunction(method):

        async def handle(params):
            return await method(params)
    else:

        def handle(params):
            return method(params)

    handle.__name__ = method.__name__
    return handle


def _wants(only: Any, kind: str) -> bool:
    """Whether a code action of `kind` answers a request limited to the kinds in `only`."""
    if not only:
        return True
    return any(kind == str(k) or kind.startswith(f"{str(k)}.") for k in (getattr(k, "value", k) for k in only))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="netlint lsp", description="netlint language server (LSP over stdio).")
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default and only transport)")
    parser.add_argument("--log-level", choices=["error", "warning", "info", "debug"], default="info",
                        help="netlint's log level, on stderr and window/logMessage (default: info)")
    parser.add_argument("--debounce-ms", type=int, default=None,
                        help=f"wait this long after an edit before linting (default {DEFAULT_DEBOUNCE_MS})")
    parser.add_argument("--max-characters", type=int, default=None,
                        help=f"analyse at most this many characters of a document (default {DEFAULT_MAX_CHARACTERS:,})")
    args = parser.parse_args(argv)

    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must never corrupt the protocol stream

    server = NetlintServer(debounce_ms=args.debounce_ms, max_characters=args.max_characters)
    configure_logging(args.log_level, server)
    try:
        server.start_io(sys.stdin.buffer, protocol_out)
    finally:
        server.worker.stop()
    return 0 if server.shutdown_requested else 1
