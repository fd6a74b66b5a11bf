"""Analysis of one document version, on the worker thread: its diagnostics, findings and rewrite.

Configs, linters and the classifier come from one `Session` (configuration files re-read at most once a
second, a few linters kept, rules only if the classifier cannot load). Analysis reads at most
`maxCharacters` of a document and says where it stopped.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from linter.formats import lsp as lsp_format
from linter.formats.lsp import SOURCE
from linter.lines import LINE_BREAK
from linter.lsp.positions import PositionMap, range_json
from linter.lsp.settings import DEFAULT_MAX_CHARACTERS, Settings, overrides
from linter.session import Session

logger = logging.getLogger("netlint.lsp")

CONFIG_RECHECK_SECONDS = 1.0
LINTER_CACHE_SIZE = 8
JINJA_LANGUAGE_IDS = {"jinja", "jinja2", "j2", "jinja-html", "jinja-md", "jinja-txt", "htmldjango", "django-html", "django-txt"}
CODE_TRUNCATED = "netlint-truncated"
CODE_CONFIG = "netlint-config"


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


class Analyser:
    """Configs, linters and the model, through one `Session`: touched only on the worker thread."""

    def __init__(self) -> None:
        # Configuration files are read again at most once a second, so an edited, new or deleted
        # .netlint.toml applies without a restart.
        self.session = Session(rules_only_on_model_error=True, recheck_seconds=CONFIG_RECHECK_SECONDS,
                               keep_linters=LINTER_CACHE_SIZE)
        self.generation = 0
        self.rule_info: dict[str, Any] = {}
        self.last_error = ""

    def reset(self, generation: int) -> None:
        if generation != self.generation:
            self.session.forget()
            self.generation = generation

    def config_for(self, snapshot: Snapshot):
        return self.session.config_for(snapshot.path, overrides(snapshot.settings))

    def linter_for(self, config):
        known = config in self.session.linters
        linter = self.session.linter_for(config)
        if not known:
            for rule in linter.all_rules:
                self.rule_info[rule.code] = rule
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
            line_end = positions.lines.line_end(positions.lines.line_of(cut))
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
        line_break = next((m.group() for m in LINE_BREAK.finditer(snapshot.text)), "\n")
        return result.text.replace("\n", line_break) if line_break != "\n" else result.text

    def _diagnostic(self, finding, positions: PositionMap, snapshot: Snapshot) -> types.Diagnostic:
        fields = lsp_format.diagnostic(finding, self.rule_info.get(finding.code), snapshot.uri, snapshot.version,
                                       lambda start, end: range_json(positions.range(start, end)))
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

