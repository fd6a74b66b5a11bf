"""Measure 7, warm stdin lint through a warm server: `netlint - --stdin-filename draft.txt` while `netlint server` runs.

The baseline in the same run is the same stdin command with no server running (a cold start each
time). The server is started as a child of this run in the temporary folder, warmed up with untimed
calls, timed, then ended. Skipped (reported as "not measured: no warm server") while
`netlint server --help` does not show a `netlint server` usage line.
Run alone: `python benchmarks/warm_server.py [--quick]` (the same as `run.py --only warm_server`).
"""

from __future__ import annotations

import subprocess
import time

import bench_corpus
from harness import Bench, check_ok, child_env, end_child, help_text, latency, run_child, skipped, start_child

NAME = "warm_server"


def measure(bench: Bench) -> dict:
    usage = (help_text(bench.netlint + ["server", "--help"]) or "").strip().split("\n", 1)[0]
    if "netlint server" not in usage:  # without the command, "server" is taken for a path to lint
        return skipped("not measured: no warm server (`netlint server --help` shows no `netlint server` command)")
    work = bench.work
    draft = work / "stdin-draft.txt"
    draft.write_text(bench_corpus.draft(bench.seed), encoding="utf-8")
    stdin_lint = bench.netlint + ["-", "--stdin-filename", "x.txt"]
    repeats = bench.cfg["warm_server_repeats"]

    def timed_runs(count: int) -> list[float]:
        walls = []
        for _ in range(count):
            result = run_child(stdin_lint, work, stdin_path=draft)
            check_ok(result, "netlint - --stdin-filename x.txt")
            walls.append(result.wall)
        return walls

    cold = timed_runs(max(1, repeats // 4))
    server = start_child(bench.netlint + ["server"], cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=child_env())
    try:
        time.sleep(0.5)
        if server.poll() is not None:
            return {"status": "error", "note": f"`netlint server` exited {server.returncode} at once"}
        timed_runs(3)  # untimed warm-up: the server loads spaCy, rules and model on its first request
        warm = timed_runs(repeats)
    finally:
        end_child(server)
    warm_latency, cold_latency = latency(warm), latency(cold)
    return {
        "status": "measured",
        "command": "netlint - --stdin-filename x.txt (with `netlint server` running)",
        "baseline": "the same command with no server running",
        "draft_words": bench_corpus.words(draft.read_text(encoding="utf-8")),
        "warm_s": warm_latency,
        "cold_s": cold_latency,
        "ratio_p95_warm_vs_cold": {"value": warm_latency["p95"] / cold_latency["p95"] if cold_latency["p95"] else None},
    }


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
