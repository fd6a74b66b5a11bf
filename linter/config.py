"""The one place that reads configuration.

netlint looks upward from each linted file for `.netlint.toml` (keys at top level) or a `pyproject.toml`
with a `[tool.netlint]` table; the nearest wins. `--config FILE` names one file for every path. Command
line options override the file. An unknown key is an error that names it.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

DEFAULT_THRESHOLDS = {"genericness": 70, "self-serving": 70, "missing-research": 80, "overall": 50}  # overall is P(good) x 100: fail below even odds
KEYS = {
    "select", "ignore", "extend-select", "per-file-ignores", "fail-on", "thresholds", "rule-folders",
    "spacy-model", "exclude", "mode", "identity-fields", "research-fields", "rewrite-template",
}
THRESHOLD_KEYS = set(DEFAULT_THRESHOLDS)


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: str = "error"
    thresholds: tuple[tuple[str, int], ...] = ()  # only those the user set; see `threshold`
    rule_folders: tuple[Path, ...] = ()
    spacy_model: str | None = None
    exclude: tuple[str, ...] = ()
    mode: str | None = None
    identity_fields: tuple[str, ...] = ()
    research_fields: tuple[str, ...] = ()
    rewrite_template: Path | None = None

    def threshold(self, calibrated: dict[str, int] | None = None) -> dict[str, int]:
        """The verdict's limits: the user's, else the model's calibrated ones, else the rules-only defaults."""
        return {**DEFAULT_THRESHOLDS, **(calibrated or {}), **dict(self.thresholds)}

    def ignored_for(self, path: str) -> tuple[str, ...]:
        if not self.per_file_ignores:
            return ()
        base = self.path.parent if self.path else Path.cwd()
        try:
            relative = Path(path).resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            relative = Path(path).as_posix()
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(path).name, pattern):
                codes.extend(ignored)
        return tuple(codes)

    def with_options(self, **options) -> Config:
        return replace(self, **{k: v for k, v in options.items() if v is not None})


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key '{key}' must be a list of strings")
    return tuple(value)


def parse(table: dict, where: Path) -> Config:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' in netlint configuration")
    options: dict = {"path": where}
    for key in ("select", "ignore", "extend-select", "exclude", "identity-fields", "research-fields"):
        if key in table:
            options[key.replace("-", "_")] = _strings(table[key], str(where), key)
    if "per-file-ignores" in table:
        raw = table["per-file-ignores"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: key 'per-file-ignores' must be a table of glob = [codes]")
        options["per_file_ignores"] = tuple(
            (glob, _strings(codes, str(where), f"per-file-ignores.{glob}")) for glob, codes in raw.items()
        )
    if "fail-on" in table:
        if table["fail-on"] not in ("error", "warning", "info"):
            raise ConfigError(f"{where}: key 'fail-on' must be error, warning or info")
        options["fail_on"] = table["fail-on"]
    if "thresholds" in table:
        raw = table["thresholds"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: key 'thresholds' must be a table")
        bad = sorted(set(raw) - THRESHOLD_KEYS)
        if bad:
            raise ConfigError(f"{where}: unknown key 'thresholds.{bad[0]}'")
        merged = {}
        for key, value in raw.items():
            if not isinstance(value, int) or not 0 <= value <= 100:
                raise ConfigError(f"{where}: key 'thresholds.{key}' must be a whole number from 0 to 100")
            merged[key] = value
        options["thresholds"] = tuple(merged.items())
    if "rule-folders" in table:
        folders = _strings(table["rule-folders"], str(where), "rule-folders")
        options["rule_folders"] = tuple((where.parent / f).resolve() for f in folders)
    if "spacy-model" in table:
        if not isinstance(table["spacy-model"], str):
            raise ConfigError(f"{where}: key 'spacy-model' must be a string")
        local = where.parent / table["spacy-model"]
        options["spacy_model"] = str(local.resolve()) if local.exists() else table["spacy-model"]
    if "rewrite-template" in table:
        if not isinstance(table["rewrite-template"], str):
            raise ConfigError(f"{where}: key 'rewrite-template' must be a path")
        template = (where.parent / table["rewrite-template"]).resolve()
        if not template.is_file():
            raise ConfigError(f"{where}: key 'rewrite-template': no such file {template}")
        options["rewrite_template"] = template
    if "mode" in table:
        if table["mode"] not in ("draft", "template"):
            raise ConfigError(f"{where}: key 'mode' must be draft or template")
        options["mode"] = table["mode"]
    return Config(**options)


@cache
def load_file(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc.__class__.__name__})") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("netlint", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.netlint] must be a table")
    return parse(data, path)


@cache
def _discover_in(folder: Path) -> Path | None:
    for directory in (folder, *folder.parents):
        candidate = directory / ".netlint.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "netlint" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                    return pyproject
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                return pyproject  # let load_file report it with its name
    return None


def discover(path: Path) -> Config:
    """The configuration for a linted file (or the current folder for stdin)."""
    try:
        folder = path.resolve().parent if not path.is_dir() else path.resolve()
    except RuntimeError:  # a symlink loop cannot be resolved; the folder holding the link still can
        folder = path.absolute().parent.resolve()
    found = _discover_in(folder)
    return load_file(found) if found else Config()
