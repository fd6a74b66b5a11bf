"""The rule catalogue's words, composed once: a rule's entry (title, why, strategy, suggestion, fix,
examples) and the outputs made of entries: `netlint rules` (text and JSON) and `netlint explain` (text
and JSON). SARIF's rule descriptors (`machine.sarif_rule`) are made of the same entries.
"""

from __future__ import annotations

import json

from linter.rules import Rule

LISTED = ("code", "name", "category", "severity", "strategy")  # the fields `netlint rules --format json` lists


def rule_entry(rule: Rule, strategies: dict[str, dict] | None = None) -> dict:
    """What a rule file documents, as one value; `strategies` (from rules/strategies.yml) adds what its
    strategy means. This is the object `netlint explain CODE --format json` prints."""
    strategy = (strategies or {}).get(rule.strategy, {})
    return {
        "code": rule.code,
        "name": rule.name,
        "category": rule.category,
        "severity": rule.severity,
        "strategy": rule.strategy,
        "strategy_summary": strategy.get("summary", ""),
        "challenge": strategy.get("challenge", ""),
        "why": rule.why,
        "suggestion": rule.suggestion,
        "fix": {"action": rule.fix.action, "safe": rule.fix.safe} if rule.fix else None,
        "examples": {"flag": list(rule.flag_examples), "pass": list(rule.pass_examples)},
    }


def rules_listing(entries: list[dict]) -> list[str]:
    """`netlint rules`: one aligned line a rule."""
    return [
        f"{e['code']}  {e['name']:<32} {e['severity']:<8} {e['category']:<13} {e['strategy']}{' (fix)' if e['fix'] else ''}"
        for e in entries
    ]


def rules_json(entries: list[dict]) -> str:
    """`netlint rules --format json`."""
    return json.dumps([{**{key: e[key] for key in LISTED}, "fixable": e["fix"] is not None} for e in entries], indent=2)


def explain_text(entry: dict) -> list[str]:
    """`netlint explain CODE`: what the rule checks, why, its strategy, what to do instead, its examples."""
    lines = [
        f"{entry['code']} {entry['name']} ({entry['category']}, {entry['severity']})", "",
        f"Why: {entry['why']}", "",
        f"Strategy: {entry['strategy']} — {entry['strategy_summary']} (challenge: {entry['challenge']})", "",
        f"Suggestion: {entry['suggestion']}", "",
    ]
    fix = entry["fix"]
    if fix:
        lines += [f"Fix: {fix['action']} ({'safe' if fix['safe'] else 'unsafe, needs --unsafe-fixes'})", ""]
    lines.append("Flags:")
    lines += [f"  ✗ {example!r}" for example in entry["examples"]["flag"]]
    lines.append("Passes:")
    lines += [f"  ✓ {example!r}" for example in entry["examples"]["pass"]]
    return lines


def explain_json(entry: dict) -> str:
    """`netlint explain CODE --format json`: the rule's entry."""
    return json.dumps(entry, indent=2, ensure_ascii=False)
