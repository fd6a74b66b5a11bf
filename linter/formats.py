"""Output formats. Each is a pure function of `FileReport`s (and errors) to text.

text (for people), concise (`path:line:col: CODE message`, for editors), json (the versioned contract,
see `linter/schema/report.schema.json`), json-lines (one file per line, streamed), github (workflow
annotations) and sarif (2.1.0, for code scanning).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from linter import __version__
from linter.report import FileReport, Finding
from linter.rules import Rule

JSON_VERSION = "1.0"
FORMATS = ("text", "concise", "json", "json-lines", "github", "sarif")


@dataclass
class InputError:
    path: str
    message: str


@dataclass
class RunResult:
    reports: list[FileReport] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


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


def concise(report: FileReport) -> list[str]:
    lines = []
    for f in report.findings:
        line, column = report.position(f.start)
        lines.append(f"{report.path}:{line}:{column}: {f.code} [{f.severity}] {f.message} ({f.strategy})")
    return lines


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


def sarif(result: RunResult, rules: list[Rule]) -> str:
    used = sorted({f.code for r in result.reports for f in r.findings})
    by_code = {rule.code: rule for rule in rules}
    index = {code: i for i, code in enumerate(used)}
    level = {"error": "error", "warning": "warning", "info": "note"}
    driver_rules = []
    for code in used:
        rule = by_code.get(code)
        if rule is None:
            driver_rules.append({"id": code, "shortDescription": {"text": code}})
            continue
        driver_rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.name.replace("-", " ")},
                "fullDescription": {"text": rule.why},
                "help": {
                    "text": f"{rule.why}\n\nStrategy: {rule.strategy}.\n\nSuggestion: {rule.suggestion}",
                    "markdown": f"{rule.why}\n\n**Strategy:** {rule.strategy}\n\n**Suggestion:** {rule.suggestion}",
                },
                "defaultConfiguration": {"level": level[rule.severity]},
                "properties": {"category": rule.category, "strategy": rule.strategy},
            }
        )
    results = []
    for report in result.reports:
        for f in report.findings:
            start_line, start_col = report.position(f.start)
            end_line, end_col = report.position(f.end)
            results.append(
                {
                    "ruleId": f.code,
                    "ruleIndex": index[f.code],
                    "level": level[f.severity],
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


def _style(text: str, color: bool, **style) -> str:
    if not color:
        return text
    import click

    return click.style(text, **style)


def _window(line: str, start: int, width: int, room: int = 100) -> tuple[str, int]:
    """The part of a long line around a span, with '…' where it was cut; (text, span offset)."""
    if len(line) <= room:
        return line, start
    left = max(0, start - 30)
    right = min(len(line), max(start + width + 20, left + room))
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(line) else ""
    return prefix + line[left:right] + suffix, start - left + len(prefix)


_SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}


def text(report: FileReport, color: bool = False, quiet: bool = False) -> list[str]:
    out: list[str] = []
    for f in report.findings:
        line, column = report.position(f.start)
        end_line, end_column = report.position(f.end)
        source = report.line_text(line)
        width = (end_column if end_line == line else len(source) + 1) - column
        head = f"{report.path}:{line}:{column}: "
        out.append(
            head
            + _style(f.code, color, fg=_SEVERITY_COLOR[f.severity], bold=True)
            + " "
            + _style(f"[{f.severity}]", color, fg=_SEVERITY_COLOR[f.severity])
            + f" {f.message}"
        )
        gutter = " " * len(str(line))
        shown, offset = _window(source, column - 1, width)
        out.append(f"  {gutter} |")
        out.append(f"  {line} | {shown}")
        caret = _style("^" * max(1, min(width, len(shown) - offset)), color, fg=_SEVERITY_COLOR[f.severity])
        out.append(f"  {gutter} | " + " " * offset + caret)
        out.append(f"  {gutter} = strategy: {f.strategy}")
        out.append(f"  {gutter} = suggestion: {f.suggestion}")
        if f.fix is not None:
            kind = "--fix" if f.fix.safe else "--fix --unsafe-fixes"
            out.append(f"  {gutter} = fix ({'safe' if f.fix.safe else 'unsafe'}): {f.fix.description} [{kind}]")
        out.append("")
    if quiet:
        return out
    scores = report.scores
    verdict = report.verdict.upper()
    verdict_text = _style(verdict, color, fg="green" if report.verdict == "pass" else "red", bold=True)
    if scores is None:
        out.append(f"{report.path}: {verdict_text}")
        return out
    out.append(
        f"{report.path}: {verdict_text}  overall {scores.overall}/100 · genericness {scores.genericness}"
        f" · self-serving {scores.self_serving} · missing research {scores.missing_research}"
    )
    for label, title in (("genericness", "genericness"), ("self_serving", "self-serving"), ("missing_research", "missing research")):
        reasons = [r for r in scores.reasons.get(label, []) if abs(r.effect) >= 1][:3]
        if reasons:
            parts = ", ".join(f"{r.label} ({r.effect:+.0f})" for r in reasons)
            out.append(f"  {title}: {parts}")
    overall = scores.reasons.get("overall", [])
    if overall and report.verdict == "fail" and overall[0].effect < 0:
        out.append(f"  overall: {overall[0].label} ({overall[0].effect:+.0f})")
    for note in report.notes:
        out.append(f"  note: {note}")
    fixable = sum(1 for f in report.findings if f.fix is not None and f.fix.safe)
    if fixable:
        out.append(f"  {fixable} finding{'s' if fixable != 1 else ''} fixable with --fix")
    return out


def statistics(result: RunResult) -> list[str]:
    counts = Counter((f.code, f.name, f.severity) for r in result.reports for f in r.findings)
    return [f"{n:5d}  {code}  {name} [{severity}]" for (code, name, severity), n in counts.most_common()]
