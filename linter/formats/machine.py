"""The formats for machines: json (the versioned contract, `linter/schema/report.schema.json`), json-lines
(one file a line, streamed), github (workflow annotations), sarif (2.1.0, for code scanning) and the
JSON of `netlint rewrite --format json`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from linter import __version__
from linter.formats.catalogue import rule_entry
from linter.report import FileReport, Finding
from linter.results import InputError, RunResult
from linter.rules import Rule

if TYPE_CHECKING:
    from linter.rewrite import Rewrite  # the engine and spaCy: only for the type

JSON_VERSION = "1.0"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _range(report: FileReport, finding: Finding) -> dict:
    start_line, start_col = report.position(finding.start)
    end_line, end_col = report.position(finding.end)
    return {"start": {"line": start_line, "column": start_col}, "end": {"line": end_line, "column": end_col}}


def finding_dict(report: FileReport, finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {
            "description": finding.fix.description,
            "safe": finding.fix.safe,
            "edits": [
                {
                    "range": _range(report, Finding(**{**finding.__dict__, "start": e.start, "end": e.end})),
                    "replacement": e.replacement,
                }
                for e in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "category": finding.category,
        "severity": finding.severity,
        "message": finding.message,
        "strategy": finding.strategy,
        "range": _range(report, finding),
        "suggestion": finding.suggestion,
        "fix": fix,
        "source": finding.source,
    }


def file_dict(report: FileReport) -> dict:
    scores = report.scores
    return {
        "path": report.path,
        "mode": report.mode,
        "scores": scores.as_dict() if scores else None,
        "reliable": scores.reliable if scores else False,
        "verdict": report.verdict,
        "explanation": {
            label: [{"reason": r.label, "effect": r.effect, "source": r.source} for r in reasons]
            for label, reasons in (scores.reasons.items() if scores else [])
        },
        "notes": report.notes,
        "findings": [finding_dict(report, f) for f in report.findings],
    }


def summary_dict(result: RunResult) -> dict:
    severities = Counter(f.severity for r in result.reports for f in r.findings)
    return {
        "files": len(result.reports),
        "passed": sum(r.verdict == "pass" for r in result.reports),
        "failed": sum(r.verdict == "fail" for r in result.reports),
        "findings": sum(severities.values()),
        "by_severity": {k: severities.get(k, 0) for k in ("error", "warning", "info")},
        "errors": [{"path": e.path, "message": e.message} for e in result.errors],
    }


def to_json(result: RunResult) -> str:
    return json.dumps(
        {"version": JSON_VERSION, "files": [file_dict(r) for r in result.reports], "summary": summary_dict(result)},
        indent=2,
        ensure_ascii=False,
    )


def json_line(report: FileReport) -> str:
    return json.dumps({"version": JSON_VERSION, **file_dict(report)}, ensure_ascii=False)


def json_error_line(error: InputError) -> str:
    return json.dumps({"version": JSON_VERSION, "path": error.path, "error": error.message}, ensure_ascii=False)


def _escape_github(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(report: FileReport) -> list[str]:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in report.findings:
        start_line, start_col = report.position(f.start)
        end_line, end_col = report.position(f.end)
        props = (
            f"file={_escape_github(report.path, True)},line={start_line},col={start_col},"
            f"endLine={end_line},endColumn={end_col},title={_escape_github(f'{f.code} {f.name}', True)}"
        )
        message = f"{f.message} Strategy: {f.strategy}. {f.suggestion}"
        lines.append(f"::{level[f.severity]} {props}::{_escape_github(message)}")
    if report.scores is not None and report.verdict == "fail" and not report.findings:
        s = report.scores
        lines.append(
            f"::error file={_escape_github(report.path, True)},line=1,title=netlint scores::"
            + _escape_github(f"overall {s.overall}, genericness {s.genericness}, self-serving {s.self_serving}, missing research {s.missing_research}")
        )
    return lines


def sarif_rule(entry: dict) -> dict:
    """A rule descriptor of SARIF's `tool.driver.rules`, from the rule's catalogue entry."""
    return {
        "id": entry["code"],
        "name": entry["name"],
        "shortDescription": {"text": entry["name"].replace("-", " ")},
        "fullDescription": {"text": entry["why"]},
        "help": {
            "text": f"{entry['why']}\n\nStrategy: {entry['strategy']}.\n\nSuggestion: {entry['suggestion']}",
            "markdown": f"{entry['why']}\n\n**Strategy:** {entry['strategy']}\n\n**Suggestion:** {entry['suggestion']}",
        },
        "defaultConfiguration": {"level": SARIF_LEVEL[entry["severity"]]},
        "properties": {"category": entry["category"], "strategy": entry["strategy"]},
    }


def sarif(result: RunResult, rules: list[Rule]) -> str:
    used = sorted({f.code for r in result.reports for f in r.findings})
    by_code = {rule.code: rule for rule in rules}
    index = {code: i for i, code in enumerate(used)}
    driver_rules = [
        sarif_rule(rule_entry(by_code[code])) if code in by_code else {"id": code, "shortDescription": {"text": code}}
        for code in used
    ]
    results = []
    for report in result.reports:
        for f in report.findings:
            start_line, start_col = report.position(f.start)
            end_line, end_col = report.position(f.end)
            results.append(
                {
                    "ruleId": f.code,
                    "ruleIndex": index[f.code],
                    "level": SARIF_LEVEL[f.severity],
                    "message": {"text": f"{f.message} Strategy: {f.strategy}. Suggestion: {f.suggestion}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": report.path.replace("\\", "/")},
                                "region": {
                                    "startLine": start_line,
                                    "startColumn": start_col,
                                    "endLine": end_line,
                                    "endColumn": end_col,
                                },
                            }
                        }
                    ],
                }
            )
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "netlint",
                        "version": __version__,
                        "informationUri": "https://github.com/netlint/netlint",
                        "rules": driver_rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{e.path}: {e.message}"}} for e in result.errors
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def rewrite_json(path: str, rewrite: Rewrite, before: dict, after: dict) -> str:
    """`netlint rewrite --format json`: the rewritten text, its slots, what was kept, and the scores of
    the draft before and of the rewrite after."""
    return json.dumps(
        {"path": path, "rewrite": rewrite.text, "slots": rewrite.slots, "kept": rewrite.kept,
         "restructured": rewrite.restructured, "scores": {"before": before, "after": after}},
        indent=2,
        ensure_ascii=False,
    )
