"""The client's `netlint` settings: their names, defaults and checks, and what they override in the config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linter.session import Overrides

DEFAULT_DEBOUNCE_MS = 0  # no fixed pause: the worker's one-pending-job-per-document already coalesces bursts
DEFAULT_MAX_CHARACTERS = 20_000


@dataclass(frozen=True)
class Settings:
    """The client's `netlint` settings."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    mode: str | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    max_characters: int = DEFAULT_MAX_CHARACTERS


SETTING_NAMES = {
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
        name = SETTING_NAMES.get(key)
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



def overrides(settings: Settings) -> Overrides:
    """What the settings set on top of the document's configuration file."""
    return Overrides(select=settings.select, ignore=settings.ignore, extend_select=settings.extend_select,
                     mode=settings.mode)
