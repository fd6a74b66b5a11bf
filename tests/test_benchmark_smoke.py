"""The benchmark harness runs end to end in its tiny configuration. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("throughput", "cold_start", "cli_batch", "jobs", "memory", "lsp", "context", "warm_server")
CORE = ("throughput", "cold_start", "cli_batch", "jobs", "memory")
# The performance issue's budgets: each is always reported, as judged or with why it was not measured.
BUDGETS = {"batch_rate", "batch_vs_write_good", "cost", "jobs", "cold_start", "netlint_version", "netlint_help", "lsp",
           "memory", "warm_server"}


def run_benchmark(script: str, output: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((output / "latest.json").read_text(encoding="utf-8"))


def test_quick_benchmark_writes_json_and_markdown(tmp_path):
    report = run_benchmark("run.py", tmp_path)
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
    assert measures["throughput"]["cost_vs_tokenizer"]["value"] > 0
    assert "end to end: Linter.lint" in measures["throughput"]["breakdown"], measures["throughput"]["breakdown"]
    assert {"netlint_draft", "spacy_floor", "netlint_version", "netlint_help", "python_pass"} <= set(
        measures["cold_start"]["wall_s"]
    )
    assert "ratio_vs_floor" in measures["cli_batch"]
    assert measures["memory"]["by_messages"]
    assert "ratio_pair_vs_single" in measures["jobs"]
    assert {budget["key"] for budget in report["budgets"]} == BUDGETS
    for budget in report["budgets"]:
        assert {"name", "value", "budget", "met", "baseline", "ratio"} <= set(budget)
        assert budget["met"] in (True, False) or budget["note"].startswith("not measured"), budget
    markdown = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert markdown.startswith("# netlint benchmarks")
    assert "| # | measure | netlint | baseline | ratio | budget | status |" in markdown
    assert "| budget | netlint | baseline in the same run | ratio | target | status |" in markdown


def test_one_measure_runs_alone_from_its_own_file(tmp_path):
    measures = run_benchmark("warm_server.py", tmp_path)["measures"]
    assert measures["warm_server"]["status"] in ("measured", "skipped", "error")
    assert measures["warm_server"].get("note") != "not selected (--only)"
    assert {m["note"] for name, m in measures.items() if name != "warm_server"} == {"not selected (--only)"}
