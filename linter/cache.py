"""An on-disk cache for the slow parts of start-up that depend only on file contents.

Parsing the rule files (YAML) and building the phrase trie (expanding the rules' phrases, 171 today, into their 5,508 variants and
tokenising their chunks) take about a quarter of a second each time netlint starts. Their results
depend only on the rule files' bytes and on spaCy's tokenizer, so they are kept in one JSON file and
reused while those stay the same.

- JSON only, never pickle: the cache holds data, never code. Cached rule files go through the same
  validation as rule files (`rules.parse_rule`); the phrase trie is stored as JSON text with its sha256
  and rebuilt when that does not match.
- Entries are keyed by a sha256 of what they were made from (a rule file's bytes; every rule's code and
  phrases with the spaCy version, language and pipeline), so an edited rule or an upgraded spaCy never
  sees stale data.
- Written atomically (temporary file, then rename); any problem reading or writing it is ignored and the
  values are rebuilt. Nothing the user wrote is ever touched.
- Where: `$NETLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/netlint`, else `~/.cache/netlint`.
  `NETLINT_CACHE_DIR=""` (empty) turns the cache off.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FILE_NAME = "start-up-v3.json"
MAX_ENTRIES = 2_000  # per table; our own rule set is 50 files and one trie


def folder() -> Path | None:
    explicit = os.environ.get("NETLINT_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "netlint"


class StartupCache:
    """Two tables: `yaml` (sha256 of a file -> its parsed data) and `tries` (sha256 of a rule set's
    phrases and the spaCy pipeline -> the phrase trie, see `rules.CompiledRules`)."""

    def __init__(self) -> None:
        self.path = folder() / FILE_NAME if folder() else None
        self.tables: dict[str, dict] = {"yaml": {}, "tries": {}}
        self.used: dict[str, set] = {"yaml": set(), "tries": set()}
        self.changed = False
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                for table in self.tables:
                    if isinstance(data.get(table), dict):
                        self.tables[table] = data[table]
        except (OSError, ValueError):
            pass

    def get(self, table: str, key: str):
        value = self.tables[table].get(key)
        if value is not None:
            self.used[table].add(key)
        return value

    def put(self, table: str, key: str, value) -> None:
        self.tables[table][key] = value
        self.used[table].add(key)
        self.changed = True

    def save(self) -> None:
        """Write the tables back when this run added to them; past MAX_ENTRIES, only what this run used."""
        if self.path is None or not self.changed:
            return
        kept = {
            table: entries if len(entries) <= MAX_ENTRIES else {k: v for k, v in entries.items() if k in self.used[table]}
            for table, entries in self.tables.items()
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".start-up.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(kept, handle, separators=(",", ":"))
            os.replace(temp, self.path)
        except OSError:
            try:
                os.unlink(temp)
            except (OSError, UnboundLocalError):
                pass
        self.changed = False
