"""`netlint lsp`: the language server (LSP over stdio, pygls 2).

Diagnostics are pushed on didOpen, didChange and didSave; hover explains a finding (why and
suggestion); code actions offer one quick fix per fixable finding, `source.fixAll.netlint` for every
safe fix and, for a failing draft (not a template), `refactor.rewrite`: the whole message rewritten as
`netlint rewrite` does (hook, offer, one small ask, easy out, with [slots] to fill). Configuration comes
from the document's folder (`.netlint.toml` / `[tool.netlint]`, as on the command line) with the
client's `netlint` settings on top (`select`, `ignore`, `extendSelect`, `mode`, `debounceMs`,
`maxCharacters`).

How it stays responsive:

- spaCy, the rules and the classifier load once, on a worker thread, while the client initialises; one
  `Linter` is cached per distinct `Config`.
- All analysis runs on that one worker thread, never on the protocol thread. The worker holds at most
  one pending job per document: a newer version replaces an older one that has not started, a job whose
  version is no longer current is skipped when it reaches the front, and results for a version that was
  edited meanwhile are dropped. The latest version always wins. Because of that there is no fixed
  debounce by default (`debounceMs` 0): a burst of keystrokes costs at most one analysis in flight
  and one pending, and a pause shows diagnostics as soon as one analysis finishes.
- Analysis reads at most `maxCharacters` (default 20,000, some 3,500 words; 0 for no limit); a longer
  document gets an Information diagnostic saying where checking stopped.
- Requests that cannot be read get a JSON-RPC error reply; unknown methods get MethodNotFound (requests)
  or are ignored (notifications). Logs go to stderr and, from netlint's own logger, to window/logMessage.

Positions: the server keeps its own copy of each open document (full or incremental sync) with LSP line
breaks (CRLF, CR, LF and nothing else) and converts netlint's character offsets into the negotiated
position encoding: UTF-16 code units unless the client offers utf-8 or utf-32 in
`general.positionEncodings`.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import fnmatch
import logging
import re
import sys
import threading
import time
from collections import OrderedDict
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

from linter import __version__
from linter.formats import lsp as lsp_format
from linter.formats.lsp import SOURCE

logger = logging.getLogger("netlint.lsp")

FIX_ALL_KIND = "source.fixAll.netlint"
REWRITE_KIND = types.CodeActionKind.RefactorRewrite.value  # "refactor.rewrite"
REWRITE_TITLE = "netlint: rewrite this message (hook, offer, one small ask, easy out)"
DEFAULT_DEBOUNCE_MS = 0  # no fixed pause: the worker's one-pending-job-per-document already coalesces bursts
DEFAULT_MAX_CHARACTERS = 20_000
CONFIG_RECHECK_SECONDS = 1.0
LINTER_CACHE_SIZE = 8
CONFIG_FILE_NAMES = (".netlint.toml", "pyproject.toml")
JINJA_LANGUAGE_IDS = {"jinja", "jinja2", "j2", "jinja-html", "jinja-md", "jinja-txt", "htmldjango", "django-html", "django-txt"}
CODE_TRUNCATED = "netlint-truncated"
CODE_CONFIG = "netlint-config"


# --------------------------------------------------------------------------------------------------------
# Positions


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    """Length of `text` in code units of the LSP position encoding."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class PositionMap:
    """Character offsets <-> LSP positions for one text, in one position encoding.

    Lines end at CRLF, CR or LF only (the LSP's line breaks; not U+2028, form feed and the others that
    `str.splitlines` also splits on). A position past the end of a line means the end of that line, one
    past the last line means the end of the text.
    """

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def _line_end(self, line: int) -> int:
        """Offset of the first line-break character of `line` (or the end of the text)."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        return end - 2 if self.text[end - 2 : end] == "\r\n" else end - 1

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        end = min(offset, self._line_end(line))  # inside a CRLF: the end of the line
        return types.Position(line=line, character=_units(self.text[start:end], self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: types.Position) -> int:
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        end = self._line_end(position.line)
        wanted = max(0, position.character)
        if self.encoding == "utf-32":
            return min(start + wanted, end)
        counted = 0
        index = start
        while index < end and counted < wanted:
            counted += _units(self.text[index], self.encoding)
            if counted > wanted:  # inside a character: that character
                break
            index += 1
        return index


# --------------------------------------------------------------------------------------------------------
# Documents and settings


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


@dataclass(frozen=True)
class Settings:
    """The client's `netlint` settings."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    mode: str | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    max_characters: int = DEFAULT_MAX_CHARACTERS


_SETTING_NAMES = {
    "select": "select",
    "ignore": "ignore",
    "extendSelect": "extend_select",
    "extend-select": "extend_select",
    "extend_select": "extend_select",
    "mode": "mode",
    "debounceMs": "debounce_ms",
    "debounce-ms": "debounce_ms",
    "maxCharacters": "max_characters",
    "max-characters": "max_characters",
}


def parse_settings(raw: Any, defaults: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client's JSON value; problems are reported, never raised.

    Accepts the section itself (`{"select": [...]}`) or an object holding it (`{"netlint": {...}}`).
    """
    base = defaults or Settings()
    if raw is None:
        return base, []
    if isinstance(raw, dict) and isinstance(raw.get("netlint"), dict):
        raw = raw["netlint"]
    if not isinstance(raw, dict):
        return base, [f"netlint settings must be an object, not {type(raw).__name__}"]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        name = _SETTING_NAMES.get(key)
        if name is None:
            problems.append(f"unknown netlint setting {key!r}")
        elif name in ("select", "ignore", "extend_select"):
            if isinstance(value, str):
                value = [part for part in value.split(",")]
            if value is None:
                values[name] = None
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                values[name] = tuple(v.strip() for v in value if v.strip())
            else:
                problems.append(f"netlint setting {key!r} must be a list of rule codes or categories")
        elif name == "mode":
            if value in (None, "draft", "template"):
                values[name] = value
            else:
                problems.append("netlint setting 'mode' must be \"draft\" or \"template\"")
        else:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                values[name] = value
            else:
                problems.append(f"netlint setting {key!r} must be a whole number")
    return Settings(**{**base.__dict__, **values}), problems


# --------------------------------------------------------------------------------------------------------
# The worker thread


class Worker:
    """One daemon thread that runs analysis jobs, at most one pending job per key.

    `submit` replaces (and cancels) a job with the same key that has not started yet, so a burst of
    edits to one document leaves one job behind, for the newest text. Results come back as asyncio
    futures on the protocol thread's loop.
    """

    def __init__(self) -> None:
        self._jobs: OrderedDict[Any, tuple[Callable[[], Any], asyncio.Future, asyncio.AbstractEventLoop]] = OrderedDict()
        self._condition = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="netlint-worker", daemon=True)
        self._thread.start()

    def submit(self, key: Any, job: Callable[[], Any]) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._condition:
            replaced = self._jobs.pop(key, None)
            self._jobs[key] = (job, future, loop)
            self._condition.notify()
        if replaced is not None:
            replaced[1].cancel()
        return future

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            for _, future, loop in self._jobs.values():
                _call_soon(loop, future.cancel)
            self._jobs.clear()
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._jobs and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                _, (job, future, loop) = self._jobs.popitem(last=False)
            if future.cancelled():
                continue
            try:
                result = job()
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                _call_soon(loop, _settle, future, None, exc)
            else:
                _call_soon(loop, _settle, future, result, None)


def _call_soon(loop: asyncio.AbstractEventLoop, callback, *args) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop is closed: the server is going away
        pass


def _settle(future: asyncio.Future, result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


# --------------------------------------------------------------------------------------------------------
# Analysis (runs on the worker thread)


@dataclass(frozen=True)
class Snapshot:
    uri: str
    version: int | None
    text: str
    language_id: str
    path: str  # file system path (real for file: URIs, a stand-in for others)
    settings: Settings
    encoding: str
    generation: int


@dataclass
class Outcome:
    snapshot: Snapshot
    diagnostics: list[types.Diagnostic]
    findings: list
    seconds: float
    verdict: str | None = None  # the report's verdict; None when nothing or only a part was analysed


class Engine:
    """Configs, linters and the model: touched only on the worker thread."""

    def __init__(self) -> None:
        self.linters: OrderedDict[Any, Any] = OrderedDict()
        self.model: Any = None
        self.model_loaded = False
        self.generation = 0
        self.last_config_check = 0.0
        self.rule_info: dict[str, Any] = {}
        self.last_error = ""

    def reset(self, generation: int) -> None:
        from linter import config as config_module

        if generation != self.generation:
            self.linters.clear()
            self.generation = generation
            self._forget_config_files(config_module)

    @staticmethod
    def _forget_config_files(config_module) -> None:
        for name in ("load_file", "_discover_in"):
            cached = getattr(config_module, name, None)
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()

    def config_for(self, snapshot: Snapshot):
        from linter import config as config_module

        now = time.monotonic()
        if now - self.last_config_check > CONFIG_RECHECK_SECONDS:
            # Re-read configuration files at most once a second, so an edited, new or deleted
            # .netlint.toml applies without a restart. An unchanged Config finds its cached Linter.
            self._forget_config_files(config_module)
            self.last_config_check = now
        base = config_module.discover(Path(snapshot.path))
        s = snapshot.settings
        return base.with_options(select=s.select, ignore=s.ignore, extend_select=s.extend_select, mode=s.mode)

    def linter_for(self, config):
        from linter.engine import Linter

        if config in self.linters:
            self.linters.move_to_end(config)
            return self.linters[config]
        if not self.model_loaded:
            from linter.model import ModelError, load_default

            try:
                self.model = load_default()
            except ModelError as exc:
                logger.warning("classifier unavailable, scoring with rules only: %s", exc)
                self.model = None
            self.model_loaded = True
        started = time.perf_counter()
        linter = Linter(config, model=self.model)
        logger.info("loaded %d rules for %s in %.2f s", len(linter.rules),
                    config.path or "the default configuration", time.perf_counter() - started)
        for rule in linter.all_rules:
            self.rule_info[rule.code] = rule
        self.linters[config] = linter
        while len(self.linters) > LINTER_CACHE_SIZE:
            self.linters.popitem(last=False)
        return linter

    def warm_up(self, path: str, settings: Settings, generation: int) -> None:
        self.reset(generation)
        started = time.perf_counter()
        try:
            snapshot = Snapshot("", None, "", "plaintext", path, settings, "utf-16", generation)
            linter = self.linter_for(self.config_for(snapshot))
            linter.lint_text("Hi Sam,\n\nThanks.\n", path)
        except Exception as exc:  # noqa: BLE001 - reported again, in place, when a document is linted
            logger.warning("could not preload the linter: %s", exc)
            return
        logger.info("ready in %.2f s", time.perf_counter() - started)

    def analyse(self, snapshot: Snapshot, is_current: Callable[[Snapshot], bool]) -> Outcome | None:
        if not is_current(snapshot):
            return None  # edited again since this job was queued: the newer job will run
        from linter.config import ConfigError
        from linter.nlp import PipelineError
        from linter.rules import RuleError

        started = time.perf_counter()
        self.reset(snapshot.generation)
        text = snapshot.text
        positions = PositionMap(text, snapshot.encoding)
        try:
            config = self.config_for(snapshot)
            linter = self.linter_for(config)
        except (ConfigError, RuleError, PipelineError, OSError) as exc:
            if str(exc) != self.last_error:  # once, not on every keystroke
                logger.error("%s: %s", snapshot.path, exc)
                self.last_error = str(exc)
            diagnostic = types.Diagnostic(
                range=positions.range(0, 0),
                message=f"netlint cannot check this file: {exc}",
                severity=types.DiagnosticSeverity.Error,
                code=CODE_CONFIG,
                source=SOURCE,
            )
            return Outcome(snapshot, [diagnostic], [], time.perf_counter() - started)
        if _excluded(snapshot.path, config):
            logger.debug("%s: excluded by %s", snapshot.path, config.path)
            return Outcome(snapshot, [], [], time.perf_counter() - started)
        mode = _mode(snapshot, config)
        limit = snapshot.settings.max_characters or len(text)
        cut = _cut_point(text, limit)
        diagnostics: list[types.Diagnostic] = []
        findings: list = []
        verdict = None
        if text[:cut].strip():
            report = linter.lint_text(text[:cut], snapshot.path, mode)
            findings = report.findings
            verdict = report.verdict if cut == len(text) else None
            diagnostics = [self._diagnostic(f, positions, snapshot) for f in findings]
            logger.debug("%s v%s: %d findings, verdict %s, scores %s", snapshot.uri, snapshot.version,
                         len(findings), report.verdict, report.scores.as_dict() if report.scores else None)
        if cut < len(text):
            logger.info("%s: checked the first %d of %d characters", snapshot.uri, cut, len(text))
            line_end = positions._line_end(positions.position(cut).line)
            diagnostics.append(
                types.Diagnostic(
                    range=positions.range(cut, max(cut, line_end)),
                    message=(f"netlint checked only the first {cut:,} of {len(text):,} characters; the rest "
                             f"is not analysed (setting netlint.maxCharacters, default {DEFAULT_MAX_CHARACTERS:,})"),
                    severity=types.DiagnosticSeverity.Information,
                    code=CODE_TRUNCATED,
                    source=SOURCE,
                )
            )
        return Outcome(snapshot, diagnostics, findings, time.perf_counter() - started, verdict)

    def rewrite(self, snapshot: Snapshot, is_current: Callable[[Snapshot], bool]) -> str | None:
        """`netlint rewrite` of a draft's text, or None: a template, a passing draft, or a stale snapshot."""
        if not is_current(snapshot):
            return None
        from linter.config import ConfigError
        from linter.engine import Source
        from linter.nlp import PipelineError
        from linter.rewrite import rewrite
        from linter.rules import RuleError

        self.reset(snapshot.generation)
        try:
            config = self.config_for(snapshot)
            if _excluded(snapshot.path, config) or _mode(snapshot, config) != "draft":
                return None
            result = rewrite(self.linter_for(config), Source(snapshot.path, snapshot.text, "draft"), config.rewrite_template)
        except (ConfigError, RuleError, PipelineError, OSError) as exc:  # already reported by the lint
            logger.debug("%s: no rewrite: %s", snapshot.path, exc)
            return None
        except Exception as exc:  # noqa: BLE001 - e.g. a broken rewrite-template; the other actions still count
            logger.warning("%s: could not rewrite: %r", snapshot.path, exc)
            return None
        if not result.restructured:
            return None  # the draft passes: kept as written, as `netlint rewrite` does without --force
        # Keep the document's own line breaks.
        line_break = next((m.group() for m in _LINE_BREAK.finditer(snapshot.text)), "\n")
        return result.text.replace("\n", line_break) if line_break != "\n" else result.text

    def _diagnostic(self, finding, positions: PositionMap, snapshot: Snapshot) -> types.Diagnostic:
        fields = lsp_format.diagnostic(finding, self.rule_info.get(finding.code), snapshot.uri, snapshot.version,
                                       lambda start, end: _range_json(positions.range(start, end)))
        fields["severity"] = types.DiagnosticSeverity(fields["severity"])
        return types.Diagnostic(range=positions.range(finding.start, finding.end), **fields)


def _mode(snapshot: Snapshot, config) -> str:
    """"draft" or "template": by configuration, file name, a Jinja language id, or the placeholders."""
    from linter.engine import source_for

    if not config.mode and snapshot.language_id.lower() in JINJA_LANGUAGE_IDS:
        return "template"
    return source_for(snapshot.path, snapshot.text, config).mode


def _excluded(path: str, config) -> bool:
    """Whether the configuration's `exclude` globs cover `path` (absolute, relative to the config, or name)."""
    if not config.exclude:
        return False
    target = Path(path)
    candidates = {target.as_posix(), target.name}
    if config.path is not None:
        try:
            candidates.add(target.resolve().relative_to(config.path.parent.resolve()).as_posix())
        except (ValueError, OSError):
            pass
    return any(fnmatch.fnmatch(c, pattern) for c in candidates for pattern in config.exclude)


def _cut_point(text: str, limit: int) -> int:
    """Where analysis stops: the whole text, or the last line break before `limit` characters."""
    if len(text) <= limit:
        return len(text)
    newline = max(text.rfind("\n", 0, limit), text.rfind("\r", 0, limit))
    return newline + 1 if newline >= limit // 2 else limit


def _range_json(r: types.Range) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def _range_from_json(value: Any) -> types.Range:
    return types.Range(
        start=types.Position(line=int(value["start"]["line"]), character=int(value["start"]["character"])),
        end=types.Position(line=int(value["end"]["line"]), character=int(value["end"]["character"])),
    )


def _key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def fix_all_edits(text: str, findings: list) -> list:
    """The edits `linter.fixes.apply` makes for the safe fixes of `findings`, as a list of `Edit`s.

    Falls back to one whole-text edit if `fixes.apply` ever chooses differently, so the result is
    always exactly what `netlint --fix` does in one pass.
    """
    from linter import fixes
    from linter.report import Edit

    proposals = [f.fix for f in findings if f.fix is not None and f.fix.safe]
    ordered = sorted({e for p in proposals for e in p.edits}, key=lambda e: (e.start, e.end, e.replacement))
    chosen: list = []
    for edit in ordered:
        if chosen and edit.start < chosen[-1].end:
            continue
        chosen.append(edit)
    expected, count = fixes.apply(text, findings, unsafe=False)
    if not count:
        return []
    pieces, cursor = [], 0
    for edit in chosen:
        pieces += [text[cursor : edit.start], edit.replacement]
        cursor = edit.end
    if "".join(pieces) + text[cursor:] != expected:
        return [Edit(0, len(text), expected)]
    return chosen


# --------------------------------------------------------------------------------------------------------
# The server


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
        self.engine = Engine()
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
        self.worker.submit(("warm-up",), partial(self.engine.warm_up, str(Path(root) / "message.txt"), settings, self.generation))

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
        elif isinstance(settings, dict) and any(k in _SETTING_NAMES for k in settings):
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
        outcome = await self.worker.submit(key, partial(self.engine.analyse, snapshot, self.is_current))
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
        at = _key(params.position)
        hits = [
            d for d in document.published.diagnostics
            if isinstance(d.data, dict) and _key(d.range.start) <= at <= _key(d.range.end)
        ]
        if not hits:
            return None
        markdown = self._markdown_hover()
        start = min((d.range.start for d in hits), key=_key)
        end = max((d.range.end for d in hits), key=_key)
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
                diagnostics = [d for d in published.diagnostics if _overlaps(d.range, params.range)]
        actions = []
        for diagnostic in diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else None
            fix = data.get("fix") if data else None
            if not fix or data.get("version") != document.version:
                continue  # no fix, or computed for an older text: a fresh lint is on its way
            try:
                edits = [types.TextEdit(range=_range_from_json(e["range"]), new_text=str(e["newText"])) for e in fix["edits"]]
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
        edits = fix_all_edits(published.text, published.findings)
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
        text = await self.worker.submit(("rewrite", document.uri), partial(self.engine.rewrite, snapshot, self.is_current))
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


# --------------------------------------------------------------------------------------------------------
# Logging and the entry point


class ClientLogHandler(logging.Handler):
    """Sends netlint's log records to the client as window/logMessage, from the protocol thread."""

    LEVELS = (
        (logging.ERROR, types.MessageType.Error),
        (logging.WARNING, types.MessageType.Warning),
        (logging.INFO, types.MessageType.Info),
    )

    def __init__(self, server: NetlintServer) -> None:
        super().__init__()
        self.server = server
        self._sending = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        server = self.server
        if server.loop is None or server.protocol.writer is None or getattr(self._sending, "active", False):
            return
        kind = next((t for level, t in self.LEVELS if record.levelno >= level), types.MessageType.Log)
        try:
            params = types.LogMessageParams(type=kind, message=self.format(record))
        except Exception:  # noqa: BLE001
            return
        if threading.get_ident() == server.loop_thread:
            self._send(params)
        else:
            _call_soon(server.loop, self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._sending.active = True
        try:
            self.server.window_log_message(params)
        except Exception:  # noqa: BLE001 - never let logging take the server down
            pass
        finally:
            self._sending.active = False


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

    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[stderr], force=True)
    netlint_logger = logging.getLogger("netlint")
    netlint_logger.setLevel(args.log_level.upper())

    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must never corrupt the protocol stream

    server = NetlintServer(debounce_ms=args.debounce_ms, max_characters=args.max_characters)
    client_log = ClientLogHandler(server)
    client_log.setFormatter(logging.Formatter("%(message)s"))
    netlint_logger.addHandler(client_log)
    try:
        server.start_io(sys.stdin.buffer, protocol_out)
    finally:
        server.worker.stop()
    return 0 if server.shutdown_requested else 1


if __name__ == "__main__":
    sys.exit(main())
