"""Every output netlint prints or sends, each a pure function of values (reports, a run's result, rule
entries) to text, lines or a JSON value: no printing, no files.

- `human`: text and concise, the run summary line, `--statistics`.
- `machine`: json, json-lines, github, sarif, `rewrite --format json`.
- `catalogue`: a rule's words composed once; `rules` and `explain` (text and JSON) print them.
- `lsp`: the language server's diagnostic fields and hover text.
"""

from __future__ import annotations

from linter.formats.catalogue import explain_json, explain_text, rule_entry, rules_json, rules_listing
from linter.formats.lsp import diagnostic, hover
from linter.formats.machine import (
    JSON_VERSION,
    file_dict,
    finding_dict,
    github,
    json_error_line,
    json_line,
    rewrite_json,
    sarif,
    sarif_rule,
    summary_dict,
    to_json,
)
from linter.formats.human import concise, run_summary, statistics, text

__all__ = [
    "JSON_VERSION", "concise", "diagnostic", "explain_json", "explain_text", "file_dict", "finding_dict",
    "github", "hover", "json_error_line", "json_line", "rewrite_json", "rule_entry", "rules_json", "rules_listing",
    "run_summary", "sarif", "sarif_rule", "statistics", "summary_dict", "text", "to_json",
]
