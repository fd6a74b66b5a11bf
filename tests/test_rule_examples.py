"""Every rule proves itself: each `flag` example must trigger it, each `pass` example must not."""

import pytest

from linter.run import load_rule_catalogue

RULES = load_rule_catalogue()
CASES = [(r.code, "flag", e) for r in RULES for e in r.flag_examples] + [
    (r.code, "pass", e) for r in RULES for e in r.pass_examples
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


@pytest.mark.parametrize(("code", "kind", "example"), CASES, ids=[f"{c}-{k}-{i}" for i, (c, k, _) in enumerate(CASES)])
def test_rule_example(linter, code, kind, example, tmp_path):
    report = lint_example(linter, example, tmp_path)
    codes = {f.code for f in report.findings}
    if kind == "flag":
        assert code in codes, f"{code} should flag {example!r}; got {sorted(codes)}"
    else:
        assert code not in codes, f"{code} should pass {example!r}"


def test_every_finding_names_a_strategy_from_the_chapter(rules_only):
    from linter.data import rules_dir
    from linter.rules import load_strategies

    strategies = set(load_strategies(rules_dir()))
    chapter = (rules_dir().parent / ".." / "shared" / "seed" / "networking-challenges.md").resolve()
    for rule in RULES:
        assert rule.strategy in strategies
        if chapter.exists():
            assert f"**{rule.strategy}**" in chapter.read_text(encoding="utf-8")
