"""Output contracts: JSON validates against the shipped schema, SARIF has what code scanning needs, and
the emitters the snapshots do not reach (a plain-text hover, a json-lines error) say exactly what they should.

The snapshots of every format as a user sees it are in test_snapshots.py.
"""

from __future__ import annotations

import json

import subprocess
import sys

import jsonschema

from conftest import EXAMPLES, ROOT, netlint
from linter import formats
from linter.data import schema_path
from linter.run import load_rule_catalogue

SCHEMA = json.loads(schema_path().read_text())
ALL = [str(p) for p in sorted(EXAMPLES.glob("*.txt"))]


def test_json_output_validates_against_the_schema():
    data = netlint(*ALL, "--format", "json").json()
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["files"] == len(ALL)


def test_json_lines_streams_one_file_per_line():
    lines = netlint(*ALL, "--format", "json-lines").out.splitlines()
    assert len(lines) == len(ALL)
    file_schema = {**SCHEMA["$defs"]["file"], "$defs": SCHEMA["$defs"]}
    for line in lines:
        jsonschema.validate(json.loads(line), file_schema)


def test_json_ranges_point_at_the_words(tmp_path):
    draft = tmp_path / "d.txt"
    text = "Hi Al,\r\n\r\n😀 I came across your profile today.\r\n"
    draft.write_bytes(text.encode())
    finding = next(f for f in netlint(str(draft), "--format", "json").json()["files"][0]["findings"] if f["code"] == "NL101")
    start, end = finding["range"]["start"], finding["range"]["end"]
    line = text.split("\r\n")[start["line"] - 1]
    assert line[start["column"] - 1 : end["column"] - 1] == "I came across your profile"


def test_sarif_has_rules_with_help_and_regions():
    data = json.loads(netlint(*ALL, "--format", "sarif").out)
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert run["results"], "findings become results"
    for result in run["results"]:
        rule = rules[result["ruleId"]]
        assert rule["help"]["text"] and rule["fullDescription"]["text"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["level"] in ("error", "warning", "note")


def test_json_lines_reports_an_unreadable_path_in_its_own_line(tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("Hi Al,\n\nI came across your profile.\n", encoding="utf-8")
    missing = str(tmp_path / "gone.txt")
    result = netlint(missing, str(draft), "--format", "json-lines")
    assert result.code == 2
    first, second = result.out.splitlines()
    assert first == '{"version": "1.0", "path": "%s", "error": "no such file or folder"}' % missing
    assert json.loads(second)["path"] == str(draft)


REACHING_OUT = "Hi Sam,\n\nI wanted to reach out about your talk on river sensors.\n\nBest,\nJo\n"


def lsp_diagnostics(rules_only, text: str) -> list[dict]:
    """The language server's diagnostic fields for a draft; ranges as plain offsets, as no client is here."""
    rules = {rule.code: rule for rule in load_rule_catalogue()}
    report = rules_only.lint_text(text, "note.txt")
    return [formats.diagnostic(f, rules.get(f.code), "file:///note.txt", 7, lambda start, end: [start, end])
            for f in report.findings]


def test_diagnostic_carries_what_hover_and_quick_fixes_read(rules_only):
    [diagnostic] = lsp_diagnostics(rules_only, REACHING_OUT)
    assert diagnostic == {
        "message": "'I wanted to reach out' narrates the act of writing instead of saying something. (Be Genuine)",
        "severity": 3,  # Information
        "code": "NL105",
        "source": "netlint",
        "data": {
            "uri": "file:///note.txt",
            "version": 7,
            "name": "reaching-out",
            "category": "genericness",
            "severity": "info",
            "strategy": "Be Genuine",
            "why": "\"I wanted to reach out\" and \"I'm reaching out because\" describe the message rather than deliver "
                   "it. They add length and make the opening sound like a template. Start with the reason itself.",
            "suggestion": "Cut 'I wanted to reach out' and start with the reason, e.g. 'Your talk on <topic> made me "
                          "want to ask …'.",
            "fix": {"title": "Delete 'I wanted to reach out'", "safe": False, "edits": [{"range": [9, 32], "newText": "A"}]},
        },
    }


def test_plain_text_hover_for_clients_without_markdown(rules_only):
    [diagnostic] = lsp_diagnostics(rules_only, REACHING_OUT)
    assert formats.hover([diagnostic], markdown=False) == "\n".join([
        "NL105 reaching-out (info, genericness)",
        "'I wanted to reach out' narrates the act of writing instead of saying something. (Be Genuine)",
        "Why: \"I wanted to reach out\" and \"I'm reaching out because\" describe the message rather than deliver it. "
        "They add length and make the opening sound like a template. Start with the reason itself.",
        "Suggestion: Cut 'I wanted to reach out' and start with the reason, e.g. 'Your talk on <topic> made me want to "
        "ask …'.",
        "Strategy: Be Genuine",
        "Quick fix: Delete 'I wanted to reach out' (may change the meaning)",
    ])


def test_hover_over_several_findings_separates_them(rules_only):
    first, second = lsp_diagnostics(rules_only, "Hi Sam,\n\nI wanted to reach out. I know you're busy.\n\nBest,\nJo\n")[:2]
    plain = [formats.hover([d], markdown=False) for d in (first, second)]
    markdown = [formats.hover([d], markdown=True) for d in (first, second)]
    assert formats.hover([first, second], markdown=False) == "\n\n".join(plain)
    assert formats.hover([first, second], markdown=True) == "\n\n---\n\n".join(markdown)


def test_the_reader_does_not_import_the_formats():
    probe = "import sys, linter.sources; print(sorted(m for m in sys.modules if m.startswith('linter.formats')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
