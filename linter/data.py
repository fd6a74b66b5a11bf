"""Where netlint's own data lives: rule packs, the model, schemas, rewrite templates.

A wheel carries them inside the package as `linter/_data/`; an editable install or a source checkout
finds the same folders at the repository's top level. Nothing else in netlint builds these paths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    packaged = _PACKAGE / "_data"
    if (packaged / "rules").is_dir():
        return packaged
    return _PACKAGE.parent


def rules_dir() -> Path:
    return data_root() / "rules"


def models_dir() -> Path:
    return data_root() / "models"


def schema_path() -> Path:
    return _PACKAGE / "schema" / "report.schema.json"
