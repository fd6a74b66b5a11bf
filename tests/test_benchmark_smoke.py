"""The benchmark harness runs end to end in its tiny configuration. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("throughput", "cold_start", "cli_batch", "memory", "lsp", "context")
CORE = ("throughput", "cold_start", "cli_batch", "memory")


def test_quick_benchmark_writes_json_and_markdown(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert report["schema"] == "netlint-bench/1"
    assert report["mode"] == "quick"
    for key in ("started", "duration_s", "machine", "corpus", "measures", "budgets", "notes"):
        assert key in report, key
    for key in ("cpu_model", "cpu_count", "python", "spacy", "netlint"):
        assert key in report["machine"], key
    assert len(report["corpus"]["fingerprint"]) == 64
    assert 60 <= report["corpus"]["words"]["min"] <= report["corpus"]["words"]["max"] <= 200
    measures = report["measures"]
    for name in MEASURES:
        assert measures[name]["status"] in ("measured", "skipped", "error"), name
    for name in CORE:  # the harness's own measures must work; lsp/context depend on features in progress
        assert measures[name]["status"] == "measured", (name, measures[name].get("note"), measures[name].get("traceback"))
    assert "ratio_vs_tokenizer" in measures["throughput"]
    assert {"netlint_draft", "spacy_floor", "netlint_version", "netlint_help", "python_pass"} <= set(
        measures["cold_start"]["wall_s"]
    )
    assert "ratio_vs_floor" in measures["cli_batch"]
    assert measures["memory"]["by_messages"]
    assert "ratio_pair_vs_single" in measures["jobs"]
    for budget in report["budgets"]:
        assert {"name", "value", "budget", "met"} <= set(budget)
    markdown = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert markdown.startswith("# netlint benchmarks")
    assert "| # | measure | netlint | baseline | ratio | budget | status |" in markdown
