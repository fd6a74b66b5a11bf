"""A linting session: the configuration for each path, one `Linter` per `Config`, the classifier loaded once.

The command line and the language server both lint through one `Session`. What they set on top of the
configuration files (command-line options, an editor's settings) is an `Overrides`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linter import config as config_files
from linter.config import Config

if TYPE_CHECKING:  # imported when the first linter is built: the language server answers `initialize` first
    from linter.engine import Linter

logger = logging.getLogger("netlint.session")


@dataclass(frozen=True)
class Overrides:
    """Settings that replace the configuration file's; None keeps the file's. Thresholds are merged in."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    fail_on: str | None = None
    mode: str | None = None
    thresholds: tuple[tuple[str, int], ...] = ()


# A process that runs many sessions (the warm server, `linter/server/daemon.py`) keeps its linters and
# the classifier here between them: an object with `linter(config, model)` and `default_model()`.
_kept = None


def keep_between_sessions(keeper) -> None:
    """Build every session's linters and classifier through `keeper` (None: each session builds its own)."""
    global _kept
    _kept = keeper


class Session:
    """Configs, linters and the classifier for one run of the command line or one language server.

    `config_path`: one configuration file for every path instead of discovering one per folder.
    `use_model`: False scores with the rules only (`--no-model`). `rules_only_on_model_error`: a model that
    fails to load is logged and the session scores with the rules only (the editor keeps working);
    otherwise the `ModelError` is raised. `recheck_seconds`: configuration files are read again at most
    this often, so an edited one applies without a restart (None: read once). `keep_linters`: the most
    recently used linters kept (None: all).
    """

    def __init__(self, overrides: Overrides = Overrides(), config_path: str | None = None, use_model: bool = True,
                 rules_only_on_model_error: bool = False, recheck_seconds: float | None = None,
                 keep_linters: int | None = None) -> None:
        self.overrides = overrides
        self.config_path = config_path
        self.use_model = use_model
        self.rules_only_on_model_error = rules_only_on_model_error
        self.recheck_seconds = recheck_seconds
        self.keep_linters = keep_linters
        self.linters: OrderedDict[Config, Linter] = OrderedDict()
        self.model = None
        self.model_loaded = False
        self.last_config_check = 0.0

    def config_for(self, path: str, overrides: Overrides | None = None) -> Config:
        """The configuration for `path` ("-" for stdin: the working folder's), with the overrides on top."""
        if self.recheck_seconds is not None:
            now = time.monotonic()
            if now - self.last_config_check > self.recheck_seconds:
                self.forget_config_files()  # an unchanged Config still finds its cached Linter
                self.last_config_check = now
        o = overrides or self.overrides
        if self.config_path:
            base = config_files.load_file(Path(self.config_path))
        else:
            base = config_files.discover(Path(path) if path != "-" else Path.cwd() / "stdin")
        thresholds = dict(base.thresholds)
        thresholds.update(o.thresholds)
        return base.with_options(select=o.select, ignore=o.ignore, extend_select=o.extend_select, fail_on=o.fail_on,
                                 mode=o.mode, thresholds=tuple(thresholds.items()))

    def linter_for(self, config: Config) -> Linter:
        """The one `Linter` for `config`, built (and the classifier loaded) the first time it is asked for."""
        if config in self.linters:
            self.linters.move_to_end(config)
            return self.linters[config]
        from linter.engine import Linter

        if not self.model_loaded and self.use_model:
            self._load_model()
        started = time.perf_counter()
        linter = _kept.linter(config, self.model) if _kept is not None else Linter(config, model=self.model)
        logger.info("loaded %d rules for %s in %.2f s", len(linter.rules),
                    config.path or "the default configuration", time.perf_counter() - started)
        self.linters[config] = linter
        while self.keep_linters is not None and len(self.linters) > self.keep_linters:
            self.linters.popitem(last=False)
        return linter

    def _load_model(self) -> None:
        from linter.model import ModelError, load_default

        try:
            self.model = _kept.default_model() if _kept is not None else load_default()
        except ModelError as exc:
            if not self.rules_only_on_model_error:
                raise
            logger.warning("classifier unavailable, scoring with rules only: %s", exc)
            self.model = None
        self.model_loaded = True

    def forget(self) -> None:
        """Drop every linter and read the configuration files again: settings or rules have changed."""
        self.linters.clear()
        self.forget_config_files()

    @staticmethod
    def forget_config_files() -> None:
        config_files.load_file.cache_clear()
        config_files._discover_in.cache_clear()
