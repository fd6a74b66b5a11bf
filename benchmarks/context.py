"""Measure 6, `--context` template rendering: `netlint outreach.j2 --context recipients.csv` over many rows.

The baseline is a Python script that renders the same rows with Jinja2's sandbox and pipes them through
`spacy.blank('en')` + sentencizer. Skipped when neither `netlint --help` nor `netlint check --help`
mentions `--context`.
Run alone: `python benchmarks/context.py [--quick]` (the same as `run.py --only context`).
"""

from __future__ import annotations

import csv
import random
import sys

import bench_corpus
from harness import Bench, check_ok, help_text, ratio, run_child, skipped, summary

NAME = "context"

FLOOR_CONTEXT = r"""
import sys, csv
import spacy
from jinja2.sandbox import SandboxedEnvironment
template = SandboxedEnvironment().from_string(open(sys.argv[1], encoding="utf-8").read())
nlp = spacy.blank("en"); nlp.add_pipe("sentencizer")
def rendered():
    with open(sys.argv[2], newline="", encoding="utf-8") as h:
        for row in csv.DictReader(h):
            yield template.render(**row)
n = sum(1 for _ in nlp.pipe(rendered(), batch_size=64))
print(n)
"""

TEMPLATE = """Subject: {{ topic }} at {{ company }}

Hi {{ first_name }},

{{ research_note }} I lead a small team working on {{ topic }}, and we tried something similar last quarter with mixed results on weekends.

I wrote up what we changed and what did not work; happy to send it if it is useful. Would you be open to a 15-minute call next week about how you handled {{ topic }}?

If the timing is bad, no worries at all.

Best,
Sam
"""

RESEARCH_NOTES = [
    "Your post on {topic} at {company} changed how we run our reviews.",
    "I watched your talk on {topic} and took notes on the part about handoffs.",
    "",
    "Your article about {topic} made the case for weekly reviews better than anything I had read.",
]


def _write_rows(path, rows: int, seed: int) -> None:
    rng = random.Random(seed)

    def pick(items: list[str]) -> str:
        return items[int(rng.random() * len(items))]

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "company", "topic", "research_note"])
        for _ in range(rows):
            topic, company = pick(bench_corpus.TOPICS), pick(bench_corpus.COMPANIES)
            writer.writerow([pick(bench_corpus.FIRST_NAMES), company, topic,
                             pick(RESEARCH_NOTES).format(topic=topic, company=company)])


def measure(bench: Bench) -> dict:
    main_help = help_text(bench.netlint + ["--help"])
    if main_help is None:
        return {"status": "error", "note": "netlint --help failed"}
    if "--context" not in main_help + (help_text(bench.netlint + ["check", "--help"]) or ""):
        return skipped("netlint --help does not mention --context: template rendering is not implemented yet")
    rows = bench.cfg["context_rows"]
    work = bench.work
    template = work / "outreach.j2"
    template.write_text(TEMPLATE, encoding="utf-8")
    table = work / f"recipients-{rows}.csv"
    _write_rows(table, rows, bench.seed)
    cmd = bench.netlint + [template.name, "--context", table.name, "--format", "json"]
    floor = [sys.executable, "-c", FLOOR_CONTEXT, template.name, table.name]
    walls = {"netlint": [], "floor": []}
    rss = []
    for _ in range(bench.cfg["context_repeats"]):
        result = run_child(floor, work)
        check_ok(result, "context floor script", (0,))
        walls["floor"].append(result.wall)
        result = run_child(cmd, work)
        check_ok(result, f"`netlint outreach.j2 --context {table.name}`")
        walls["netlint"].append(result.wall)
        rss.append(result.rss_mb)
    return {
        "status": "measured",
        "rows": rows,
        "command": f"netlint outreach.j2 --context recipients-{rows}.csv --format json",
        "baseline": "python: Jinja2 sandbox render of every row + spacy.blank('en') + sentencizer pipe",
        "wall_s": {k: summary(v) for k, v in walls.items()},
        "rows_per_s": {k: summary([rows / w for w in v]) for k, v in walls.items()},
        "ratio_vs_floor": ratio([rows / w for w in walls["netlint"]], [rows / w for w in walls["floor"]]),
        "peak_rss_mb": summary(rss),
    }


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
