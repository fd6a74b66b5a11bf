"""The built-in vocabularies (`rules/lexicons/*.yml`): loading and validating them, once per process.

A lexicon is either `patterns` (regular expressions, matched on a sentence's lower-cased text) or `words`
(whole lower-cased tokens). Only the lexicons shipped in `rules/lexicons/` are read: user rule folders
cannot add regular expressions, so no user file can make the linter hang. `signals.py` compiles them once,
at import, and reads each sentence with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Lexicon:
    name: str
    about: str
    pattern: re.Pattern | None = None  # for `patterns` lexicons
    words: frozenset[str] = frozenset()  # for `words` lexicons


def parse_lexicon(data: object, where: str) -> Lexicon:
    if not isinstance(data, dict) or not isinstance(data.get("lexicon"), str):
        raise LexiconError(f"{where}: a lexicon file is a mapping with a 'lexicon' name")
    unknown = sorted(set(data) - {"lexicon", "about", "feeds", "patterns", "words", "objects"})
    if unknown:
        raise LexiconError(f"{where}: unknown key '{unknown[0]}'")
    patterns, words = data.get("patterns"), data.get("words")
    if (patterns is None) == (words is None):
        raise LexiconError(f"{where}: give exactly one of 'patterns' or 'words'")
    values = patterns if patterns is not None else words
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise LexiconError(f"{where}: key '{'patterns' if patterns is not None else 'words'}' must be a list of strings")
    about = str(data.get("about", ""))
    if words is not None:
        return Lexicon(data["lexicon"], about, words=frozenset(words))
    objects = data.get("objects")
    if any("<object>" in p for p in patterns) and not isinstance(objects, str):
        raise LexiconError(f"{where}: a pattern uses <object> but key 'objects' is missing")
    source = "|".join(p.replace("<object>", objects) if objects else p for p in patterns)
    try:
        return Lexicon(data["lexicon"], about, pattern=re.compile(source))
    except re.error as exc:
        raise LexiconError(f"{where}: key 'patterns' is not a valid regular expression ({exc})") from None


def load_lexicons(folder: Path) -> dict[str, Lexicon]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found = {}
    for path in sorted(folder.glob("*.yml")):
        lexicon = parse_lexicon(yaml.load(path.read_text(encoding="utf-8"), Loader=loader), str(path))
        found[lexicon.name] = lexicon
    return found


@cache
def builtin() -> dict[str, Lexicon]:
    """The shipped lexicons, read once per process."""
    from linter.data import rules_dir

    return load_lexicons(rules_dir() / "lexicons")


def words(name: str) -> frozenset[str]:
    return builtin()[name].words


def pattern(name: str) -> re.Pattern:
    return builtin()[name].pattern
