"""The formats for people: text (findings with the line and a caret, then the scores), concise
(`path:line:col: CODE [severity] message (strategy)`, one line a finding, for editors), the run's
summary line and the rule counts of `--statistics`.
"""

from __future__ import annotations

from collections import Counter

from linter.formats.machine import summary_dict
from linter.report import FileReport
from linter.results import RunResult


def concise(report: FileReport) -> list[str]:
    lines = []
    for f in report.findings:
        line, column = report.position(f.start)
        lines.append(f"{report.path}:{line}:{column}: {f.code} [{f.severity}] {f.message} ({f.strategy})")
    return lines


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


def run_summary(result: RunResult) -> str:
    """The last line of a text run over several files: the counts the JSON summary holds."""
    summary = summary_dict(result)
    return f"{summary['files']} files: {summary['passed']} passed, {summary['failed']} failed, {summary['findings']} findings"


def statistics(result: RunResult) -> list[str]:
    counts = Counter((f.code, f.name, f.severity) for r in result.reports for f in r.findings)
    return [f"{n:5d}  {code}  {name} [{severity}]" for (code, name, severity), n in counts.most_common()]
