"""What the language server says about a finding: its diagnostic's fields and the hover text over it.

Plain JSON values in LSP's shape (severity as the protocol's number), so this module needs neither
pygls nor lsprotocol; `linter.lsp` wraps them in its types and supplies the ranges in the client's
position encoding.
"""

from __future__ import annotations

from collections.abc import Callable

from linter.report import Finding
from linter.rules import Rule

SOURCE = "netlint"
SEVERITY = {"error": 1, "warning": 2, "info": 3}  # LSP DiagnosticSeverity: Error, Warning, Information
WARNING = SEVERITY["warning"]


def diagnostic(finding: Finding, rule: Rule | None, uri: str, version: int | None,
               lsp_range: Callable[[int, int], dict]) -> dict:
    """A diagnostic's code, message, severity, source and data (all but its own range); `lsp_range` turns
    character offsets into an LSP range for the fix's edits. `data` carries what hover and quick fixes read."""
    fix = None
    if finding.fix is not None:
        fix = {
            "title": finding.fix.description,
            "safe": finding.fix.safe,
            "edits": [{"range": lsp_range(e.start, e.end), "newText": e.replacement} for e in finding.fix.edits],
        }
    return {
        "message": f"{finding.message} ({finding.strategy})",
        "severity": SEVERITY.get(finding.severity, WARNING),
        "code": finding.code,
        "source": SOURCE,
        "data": {
            "uri": uri,
            "version": version,
            "name": finding.name,
            "category": finding.category,
            "severity": finding.severity,
            "strategy": finding.strategy,
            "why": rule.why if rule else "",
            "suggestion": finding.suggestion,
            "fix": fix,
        },
    }


def hover(diagnostics: list[dict], markdown: bool) -> str:
    """The hover over one or more diagnostics (each with `code`, `message` and the `data` above), as
    Markdown or, for clients that show only plain text, as plain text."""
    return ("\n\n---\n\n" if markdown else "\n\n").join(_hover_section(d, markdown) for d in diagnostics)


def _hover_section(diagnostic: dict, markdown: bool) -> str:
    code, data = diagnostic["code"], diagnostic["data"]
    fix = data.get("fix")
    fix_line = ""
    if fix:
        fix_line = f"Quick fix: {fix['title']}" + ("" if fix.get("safe") else " (may change the meaning)")
    if not markdown:
        lines = [f"{code} {data.get('name', '')} ({data.get('severity', '')}, {data.get('category', '')})",
                 diagnostic["message"], f"Why: {data.get('why', '')}", f"Suggestion: {data.get('suggestion', '')}",
                 f"Strategy: {data.get('strategy', '')}"]
        return "\n".join(lines + ([fix_line] if fix_line else []))
    parts = [
        f"**{code}** `{data.get('name', '')}` · {data.get('severity', '')} · {data.get('category', '')}",
        diagnostic["message"],
        f"**Why:** {data.get('why', '')}",
        f"**Suggestion:** {data.get('suggestion', '')}",
        f"**Strategy:** {data.get('strategy', '')}" + (f" · {fix_line}" if fix_line else ""),
    ]
    return "\n\n".join(parts)
