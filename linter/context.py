"""`--context FILE`: render a template once per recipient, lint every rendering, summarise per row.

The summary (empty fields, failed renderings, sameness, worst rows) becomes findings on the template's
own report through the checks `context-empty-field`, `context-render-failed` and `context-sameness`.
Rows are streamed: memory stays flat however many recipients there are.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from linter.engine import Linter, Source
from linter.template import (
    RenderError,
    compile_template,
    optional,
    read_rows,
    render,
    row_key,
    similarity,
    strip_fields,
    syntax_problem,
    variables,
)

SAMENESS_SAMPLE = 200
WORST_ROWS = 5
ROW_SAMPLES = 5


@dataclass
class ContextSummary:
    rows: int = 0
    # Only the first ROW_SAMPLES rows of each problem are kept, with a count, so memory stays flat.
    empty_fields: dict[str, list[int]] = field(default_factory=dict)  # variable -> first row numbers
    empty_counts: dict[str, int] = field(default_factory=dict)  # variable -> rows where it is empty
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # first (row, key, reason)
    failure_count: int = 0
    sameness: float | None = None
    identity_fields: list[str] = field(default_factory=list)
    worst: list[tuple[int, int, str, dict]] = field(default_factory=list)  # (overall, row, key, scores)
    notes: list[str] = field(default_factory=list)


class ContextError(ValueError):
    """The context file cannot be read; the message names it."""


def summarise(linter: Linter, source: Source, context_path: Path, progress: bool = False) -> ContextSummary:
    summary = ContextSummary()
    if syntax_problem(source.text) is not None:
        summary.notes.append("not rendered: the template has a syntax error")
        return summary
    template = compile_template(source.text)
    used = sorted(variables(source.text))
    with_default = optional(source.text)
    message = linter.parse(source.text)
    roles = {p.name: p.role for p in message.placeholders}
    summary.identity_fields = [v for v in used if roles.get(v) == "identity"]
    sample: list[str] = []
    worst: list[tuple[int, int, str, dict]] = []

    def renderings() -> Iterator[Source]:
        try:
            for number, row in enumerate(read_rows(context_path), 1):
                summary.rows = number
                if progress and number % 500 == 0:
                    print(f"\rnetlint: rendered {number:,} rows", end="", file=sys.stderr, flush=True)
                key = row_key(row, number)
                gaps = [n for n in used if str(row.get(n) or "").strip() == "" and n not in with_default]
                for name in gaps:
                    rows = summary.empty_fields.setdefault(name, [])
                    if len(rows) < ROW_SAMPLES:
                        rows.append(number)
                    summary.empty_counts[name] = summary.empty_counts.get(name, 0) + 1
                if gaps:
                    continue  # reported as empty fields; the rendering would have a hole
                try:
                    text = render(template, {k: v for k, v in row.items() if v not in (None, "")})
                except RenderError as exc:
                    summary.failure_count += 1
                    if len(summary.failures) < ROW_SAMPLES:
                        summary.failures.append((number, key, str(exc)))
                    continue
                if len(sample) < SAMENESS_SAMPLE:
                    sample.append(strip_fields(text, row, summary.identity_fields))
                if text.strip():
                    yield Source(f"{source.path} [row {number}: {key}]", text, "draft")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ContextError(f"{context_path}: cannot read context ({str(exc).splitlines()[0]})") from None

    for report in linter.lint(renderings()):
        scores = report.scores
        row = int(report.path.rsplit("[row ", 1)[1].split(":", 1)[0])
        key = report.path.rsplit(": ", 1)[1].rstrip("]")
        item = (-scores.overall, row, key, scores.as_dict())
        if len(worst) < WORST_ROWS:
            heapq.heappush(worst, item)
        else:
            heapq.heappushpop(worst, item)
    if progress and summary.rows >= 500:
        print(file=sys.stderr)
    summary.worst = sorted(((-o, r, k, s) for o, r, k, s in worst), key=lambda t: (t[0], t[1]))
    if len(sample) >= 2:
        pairs = list(zip(sample, sample[1:]))
        summary.sameness = sum(similarity(a, b) for a, b in pairs) / len(pairs)
    summary.notes.append(f"rendered {summary.rows:,} rows from {context_path}; {summary.failure_count} failed")
    for overall, row, key, scores in summary.worst:
        summary.notes.append(
            f"row {row} ({key}): overall {overall}, genericness {scores['genericness']}, "
            f"self-serving {scores['self_serving']}, missing research {scores['missing_research']}"
        )
    return summary


def report_with_context(linter: Linter, source: Source, context_path: Path, progress: bool = False):
    """The template's own report, with findings from rendering it for every row of `context_path`."""
    summary = summarise(linter, source, context_path, progress)
    return linter.report(source, linter.analyse(source), context=summary)
