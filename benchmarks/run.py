"""netlint's benchmark suite, the one command: runs every measure in order and writes latest.json and latest.md.

    python benchmarks/run.py            # full run (1,000 and 100,000 messages; 100k run capped by --stream-budget)
    python benchmarks/run.py --quick    # tiny configuration for CI (seconds; never asserts times)
    python benchmarks/run.py --only cold_start,lsp   # a subset; the rest are reported as not selected
    python benchmarks/cold_start.py [flags]          # one measure alone: the same as --only cold_start

Writes DIR/latest.json (everything, raw samples included) and DIR/latest.md (budgets and tables);
DIR defaults to benchmarks/results/, also for --only and single-measure runs. See benchmarks/README.md.

Each measure is one module (`NAME`, `measure(bench)`), listed in MEASURES in the order they run:
throughput.py, cold_start.py, cli_batch.py (also reports "jobs"), memory.py, lsp_latency.py ("lsp"),
context.py, warm_server.py. harness.py runs children and summarises figures; report.py judges the
budgets and writes the Markdown.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_corpus  # noqa: E402
import cli_batch  # noqa: E402
import cold_start  # noqa: E402
import context  # noqa: E402
import lsp_latency  # noqa: E402
import memory  # noqa: E402
import report  # noqa: E402
import throughput  # noqa: E402
import warm_server  # noqa: E402
from harness import (  # noqa: E402
    TIME_BIN, Bench, end_active_children, log, machine_info, netlint_command, run_measure, settings, skipped,
)

SCHEMA = "netlint-bench/1"
MEASURES = (throughput, cold_start, cli_batch, memory, lsp_latency, context, warm_server)

CONFIGS = {
    "quick": {
        "throughput_n": 40, "throughput_repeats": 3,
        "cold_repeats": 1, "cold_warmup": False,
        "batch_n": 20, "batch_repeats": 1,
        "stream_sizes": [100], "stream_checkpoints": [20, 50, 100], "big_n": 0,
        "lsp_opens": 2, "lsp_changes": 3,
        "context_rows": 20, "context_repeats": 1,
        "warm_server_repeats": 4,
    },
    "full": {
        "throughput_n": 1000, "throughput_repeats": 5,
        "cold_repeats": 5, "cold_warmup": True,
        "batch_n": 1000, "batch_repeats": 5,
        "stream_sizes": [], "stream_checkpoints": [1000, 10_000, 50_000, 100_000], "big_n": 100_000,
        "lsp_opens": 20, "lsp_changes": 40,
        "context_rows": 10_000, "context_repeats": 2,
        "warm_server_repeats": 40,
        # The 100k run alone takes 100,000 / (msg/s): ~7 min at 240 msg/s. Past this it is stopped and
        # reported as partial, so a slow netlint cannot stretch the whole run far past ~10 minutes.
        "stream_budget_s": 420,
    },
}


def _names(module) -> tuple[str, ...]:
    return (module.NAME, *getattr(module, "ALSO_REPORTS", ()))


def _selected(only: str | None) -> set[str]:
    """The measures to run: those named, and those they need (memory needs cli_batch's repetitions)."""
    if not only:
        return {m.NAME for m in MEASURES}
    named = set(only.split(","))
    known = {name for m in MEASURES for name in _names(m)}
    if named - known:
        raise SystemExit(f"--only: unknown measure(s) {', '.join(sorted(named - known))}; known: {', '.join(sorted(known))}")
    chosen = {m.NAME for m in MEASURES if named & set(_names(m))}
    return chosen | {need for m in MEASURES if m.NAME in chosen for need in getattr(m, "NEEDS", ())}


def _run_all(bench: Bench, selected: set[str]) -> None:
    for module in MEASURES:
        names = _names(module)
        if module.NAME not in selected:
            for name in names:
                bench.results[name] = skipped("not selected (--only)")
            continue
        result = run_measure(module.NAME, module.measure, bench)
        if len(names) == 1:
            bench.results[module.NAME] = result
            continue
        for name in names:  # one run, several measures: each gets its part and the run's timing and load
            part = dict(result.get(name, result))
            for key in ("elapsed_s", "load_average", "other_processes"):
                part[key] = result.get(key)
            bench.results[name] = part


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny configuration for CI (never asserts times)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for latest.json and latest.md")
    parser.add_argument("--seed", type=int, default=bench_corpus.DEFAULT_SEED)
    parser.add_argument("--only", help="comma-separated subset of measures: "
                        + ", ".join(name for m in MEASURES for name in _names(m)) + "; the rest are skipped")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder of generated files")
    parser.add_argument("--stream-budget", type=float, default=None, metavar="SECONDS",
                        help="stop the 100,000-message run after SECONDS and report it as partial "
                             "(default 420 in full runs; 0 = no limit)")
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before each measure, wait up to SECONDS for other processes to use < 25%% of the machine")
    args = parser.parse_args(argv)
    selected = _selected(args.only)
    settings.wait_idle_s = args.wait_idle
    # SIGTERM ends the run like Ctrl-C: children are ended and the temporary folder removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    mode = "quick" if args.quick else "full"
    cfg = dict(CONFIGS[mode])
    if args.stream_budget is not None:
        cfg["stream_budget_s"] = args.stream_budget
    started = time.perf_counter()
    stamp = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    netlint, netlint_path = netlint_command()
    word_counts = [bench_corpus.words(t) for t in bench_corpus.messages(1000, args.seed)]
    result: dict = {
        "schema": SCHEMA,
        "mode": mode,
        "started": stamp,
        "machine": machine_info(),
        "netlint_command": netlint_path,
        "config": cfg,
        "budgets_definition": report.BUDGETS,
        "corpus": {
            "seed": args.seed,
            "generator": "benchmarks/bench_corpus.py",
            "fingerprint": bench_corpus.fingerprint(1000, args.seed),
            "fingerprint_of": "first 1,000 messages",
            "words": {"min": min(word_counts), "median": statistics.median(word_counts), "max": max(word_counts)},
            "sizes": sorted({cfg["throughput_n"], cfg["batch_n"], *cfg["stream_sizes"]} | ({cfg["big_n"]} if cfg["big_n"] else set())),
        },
        "measures": {},
        "notes": [
            f"Subprocesses run the real console script ({netlint_path}) and {sys.executable} directly, not through "
            "a pyenv/venv shim, in a temporary folder with no netlint configuration.",
            "Peak RSS: " + ("GNU time -f %M around each command" if TIME_BIN else "os.wait4 ru_maxrss")
            + " (a child's ru_maxrss from this runner would include the runner's own RSS, inherited across fork); "
              "streaming runs: the process's VmHWM from /proc.",
        ],
    }
    work = Path(tempfile.mkdtemp(prefix="netlint-bench-"))
    if mode == "full":
        settings.pycache_prefix = str(work / "pycache")
        result["notes"].append("Children ran with PYTHONPYCACHEPREFIX in a temporary folder (warmed up) and without "
                               "PYTHONDONTWRITEBYTECODE, as an installed netlint would; see cold_start.no_bytecode_cache "
                               "for the cost of running without a bytecode cache.")
    else:
        result["notes"].append(f"Children inherit the environment as is (PYTHONDONTWRITEBYTECODE="
                               f"{os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')}).")
    bench = Bench(cfg=cfg, work=work, netlint=netlint, seed=args.seed, results=result["measures"])
    try:
        _run_all(bench, selected)
    finally:
        end_active_children()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if cfg["big_n"] == 0:
        result["notes"].append("Quick run: tiny sizes and single repetitions; figures are for checking the harness, "
                               "not for comparing with the budgets.")
    busy = {name: (m.get("other_processes") or {}).get("share_of_machine") for name, m in bench.results.items()}
    noisy = {name: share for name, share in busy.items() if share is not None and share > 0.05}
    if noisy:
        result["notes"].append(
            "Other processes used CPU during this run (share of the whole machine: "
            + ", ".join(f"{k} {v:.0%}" for k, v in noisy.items())
            + "); wall-time figures are noisier than on an idle machine. latest.json also holds CPU-time figures.")
    result["budgets"] = report.evaluate_budgets(bench.results)
    result["duration_s"] = time.perf_counter() - started
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    (args.output / "latest.md").write_text(report.render_markdown(result), encoding="utf-8")
    log(f"wrote {args.output / 'latest.json'} and latest.md in {result['duration_s']:.0f} s")
    return 0


def main_for(name: str) -> int:
    """One measure alone, from its own module: `python benchmarks/NAME.py [flags]` is `run.py --only NAME`."""
    return main(["--only", name, *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
