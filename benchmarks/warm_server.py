"""Measure 7, warm stdin lint through a warm server: `netlint - --stdin-filename x.txt` while `netlint server` runs.

The baseline in the same run is the same stdin command that never uses a server (`NETLINT_SERVER=0`: a
cold start each time). The server runs in the foreground as a child of this run (`netlint server run`,
in the temporary folder), is ready once `netlint server status` succeeds, is warmed up with untimed
calls, timed, then ended by its handle. Skipped (reported as "not measured: no warm server") while
`netlint server --help` does not show a `netlint server` usage line.
Run alone: `python benchmarks/warm_server.py [--quick]` (the same as `run.py --only warm_server`).
"""

from __future__ import annotations

import subprocess
import time

import bench_corpus
from harness import Bench, check_ok, child_env, end_child, help_text, latency, run_child, skipped, start_child

NAME = "warm_server"


def _env(use_server: bool) -> dict:
    env = child_env()
    env.pop("NETLINT_SERVER", None)  # unset: a stdin lint uses a server only if one is listening
    if not use_server:
        env["NETLINT_SERVER"] = "0"
    return env


def _wait_until_listening(bench: Bench, server: subprocess.Popen, limit_s: float = 60.0) -> bool:
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline and server.poll() is None:
        if run_child(bench.netlint + ["server", "status"], bench.work, env=_env(True)).code == 0:
            return True
        time.sleep(0.2)
    return False


def measure(bench: Bench) -> dict:
    usage = (help_text(bench.netlint + ["server", "--help"]) or "").strip().split("\n", 1)[0]
    if "netlint server" not in usage:  # without the command, "server" is taken for a path to lint
        return skipped("not measured: no warm server (`netlint server --help` shows no `netlint server` command)")
    work = bench.work
    draft = work / "stdin-draft.txt"
    draft.write_text(bench_corpus.draft(bench.seed), encoding="utf-8")
    stdin_lint = bench.netlint + ["-", "--stdin-filename", "x.txt"]
    repeats = bench.cfg["warm_server_repeats"]

    def timed_runs(count: int, use_server: bool) -> list[float]:
        walls = []
        for _ in range(count):
            result = run_child(stdin_lint, work, stdin_path=draft, env=_env(use_server))
            check_ok(result, "netlint - --stdin-filename x.txt")
            walls.append(result.wall)
        return walls

    cold = timed_runs(max(2, repeats // 4), use_server=False)
    server = start_child(bench.netlint + ["server", "run"], cwd=work, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(True))
    try:
        if not _wait_until_listening(bench, server):
            return {"status": "error", "note": "`netlint server run` did not answer `netlint server status` "
                                               f"within 60 s (exit code {server.poll()})"}
        timed_runs(3, use_server=True)  # untimed warm-up
        warm = timed_runs(repeats, use_server=True)
    finally:
        end_child(server)
    warm_latency, cold_latency = latency(warm), latency(cold)
    result = {
        "status": "measured",
        "command": "netlint - --stdin-filename x.txt (with `netlint server run` listening)",
        "baseline": "the same command with NETLINT_SERVER=0 (never uses a server)",
        "draft_words": bench_corpus.words(draft.read_text(encoding="utf-8")),
        "warm_s": warm_latency,
        "cold_s": cold_latency,
        "ratio_p95_warm_vs_cold": {"value": warm_latency["p95"] / cold_latency["p95"] if cold_latency["p95"] else None},
    }
    if warm_latency["p50"] > cold_latency["p50"] / 2:
        result["note"] = "warm lints took more than half a cold one: the server may not have answered them"
    return result


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
