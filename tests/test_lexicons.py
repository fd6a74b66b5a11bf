"""The built-in vocabularies in rules/lexicons/: each loads, each pattern stands on its own, and they feed signals."""

from __future__ import annotations

import re

import pytest

from linter import lexicons
from linter.data import rules_dir
from linter.lexicons import LexiconError, load_lexicons, parse_lexicon


def test_every_lexicon_file_loads_under_its_own_name():
    files = sorted(p.stem for p in (rules_dir() / "lexicons").glob("*.yml"))
    assert sorted(lexicons.builtin()) == files
    assert all(lexicon.about for lexicon in lexicons.builtin().values())


@pytest.mark.parametrize("path", sorted((rules_dir() / "lexicons").glob("*.yml")), ids=lambda p: p.stem)
def test_every_pattern_of_a_lexicon_is_a_whole_alternative(path):
    """A pattern must not lean on its neighbours: each compiles alone, so one line can be read, moved or cut."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for pattern in data.get("patterns", []):
        re.compile(pattern.replace("<object>", data.get("objects", "")))


def test_a_lexicon_with_a_broken_pattern_names_its_file(tmp_path):
    (tmp_path / "asks.yml").write_text("lexicon: asks\nabout: x\npatterns: ['(would you']\n")
    with pytest.raises(LexiconError, match=r"asks\.yml: key 'patterns' is not a valid regular expression"):
        load_lexicons(tmp_path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"lexicon": "x", "patterns": ["a"], "words": ["a"]}, "exactly one of 'patterns' or 'words'"),
        ({"lexicon": "x", "words": []}, "key 'words' must be a list of strings"),
        ({"lexicon": "x", "words": [False]}, "key 'words' must be a list of strings"),  # YAML's bare `no`
        ({"lexicon": "x", "patterns": ["<object>s"]}, "uses <object> but key 'objects' is missing"),
        ({"lexicon": "x", "patterns": ["a"], "weight": 2}, "unknown key 'weight'"),
    ],
)
def test_a_malformed_lexicon_is_refused_with_the_key_named(data, problem):
    with pytest.raises(LexiconError, match=re.escape(problem)):
        parse_lexicon(data, "lexicons/x.yml")


def test_a_user_rule_folder_cannot_add_a_lexicon(tmp_path):
    """User folders hold rules only: a lexicons/ folder there is read as rules and refused, not run."""
    from linter.checks import CHECKS
    from linter.rules import RuleError, load_rules, load_strategies

    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "ask.yml").write_text("lexicon: ask\nabout: x\npatterns: ['(a+)+$']\n")
    strategies = set(load_strategies(rules_dir()))
    assert load_rules([rules_dir()], strategies, set(CHECKS))  # the built-in lexicons are skipped
    with pytest.raises(RuleError, match=r"ask\.yml: unknown key"):
        load_rules([rules_dir(), tmp_path], strategies, set(CHECKS))


def test_a_follow_up_is_read_from_the_follow_up_lexicon(rules_only):
    analysis = rules_only.analyse(_source("Hi Ana,\n\nI haven't heard back about the deck.\n\nBest,\nSam\n"))
    assert analysis.signals.has["follow_up"] and [s.follow_up for s in analysis.signals.body] == [True]


def test_hedges_are_found_per_body_sentence_in_order(rules_only):
    analysis = rules_only.analyse(_source("Hi Ana,\n\nI was wondering if maybe you might possibly have time.\n\nSam\n"))
    assert [s.hedges for s in analysis.signals.body] == [["i was wondering", "maybe", "might", "possibly"]]


def _source(text: str):
    from linter.engine import Source

    return Source("draft.txt", text)
