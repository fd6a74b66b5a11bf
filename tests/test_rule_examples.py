"""Every rule proves itself: each `flag` example must trigger it where it says, and fix as it says; each `pass`
example must not trigger it."""

import pytest

from linter import fixes
from linter.run import load_rule_catalogue

RULES = load_rule_catalogue()
CASES = [(r.code, "flag", e, x) for r in RULES for e, x in zip(r.flag_examples, r.flag_expected)] + [
    (r.code, "pass", e, {}) for r in RULES for e in r.pass_examples
]


def test_the_launch_set_has_at_least_forty_rules_across_every_category():
    assert len(RULES) >= 40
    assert {r.category for r in RULES} == {"genericness", "self_serving", "research", "confidence", "clarity", "template"}


def test_every_rule_has_examples_both_ways():
    for rule in RULES:
        assert rule.flag_examples and rule.pass_examples, rule.code


def lint_example(linter, example, tmp_path):
    """A draft is linted as written; a {template, context} example is rendered for its rows."""
    if isinstance(example, str):
        return linter.lint_text(example, "example.txt")
    import json

    from linter.context import report_with_context
    from linter.engine import Source

    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps(example["context"]))
    return report_with_context(linter, Source("example.j2", example["template"], "template"), rows)


def test_every_flag_example_of_a_rule_says_what_it_matches():
    for rule in RULES:
        for expected in rule.flag_expected:
            assert "match" in expected, rule.code
            assert ("fixed" in expected) == (rule.fix is not None), rule.code


@pytest.mark.parametrize(("code", "kind", "example", "expected"), CASES, ids=[f"{c}-{k}-{i}" for i, (c, k, _, _) in enumerate(CASES)])
def test_rule_example(linter, code, kind, example, expected, tmp_path):
    report = lint_example(linter, example, tmp_path)
    mine = sorted((f for f in report.findings if f.code == code), key=lambda f: (f.start, f.end))
    if kind == "pass":
        assert not mine, f"{code} should pass {example!r}"
        return
    assert mine, f"{code} should flag {example!r}; got {sorted({f.code for f in report.findings})}"
    text = example if isinstance(example, str) else example["template"]
    if "match" in expected:
        assert text[mine[0].start : mine[0].end] == expected["match"]
    if "fixed" in expected:
        fixed, applied = fixes.apply(text, mine, unsafe=True)
        assert applied and fixed == expected["fixed"]


def test_every_finding_names_a_strategy_from_the_chapter(rules_only):
    from linter.data import rules_dir
    from linter.rules import load_strategies

    strategies = set(load_strategies(rules_dir()))
    chapter = (rules_dir().parent / ".." / "shared" / "seed" / "networking-challenges.md").resolve()
    for rule in RULES:
        assert rule.strategy in strategies
        if chapter.exists():
            assert f"**{rule.strategy}**" in chapter.read_text(encoding="utf-8")
