"""Measure 4, memory: peak RSS of one draft, of N messages streamed by one process, RSS inside a 100k run.

One draft's RSS comes from the cold-start runs and RSS at the batch size from measure 3's repetitions,
when those ran. The streaming run writes the messages as files (folders of 1,000, from the generator),
runs `netlint --format json-lines` on them and samples the process's VmRSS/VmHWM every 0.25 s while
counting its output lines, so RSS after 1k, 10k, 50k and 100k messages is read inside one process:
the flat-memory evidence. `stream_budget_s` stops that run and reports it as partial.
Run alone: `python benchmarks/memory.py [--quick]` (the same as `run.py --only memory`; measure 3 runs too).
"""

from __future__ import annotations

import time

import bench_corpus
from harness import TIME_BIN, Bench, log, own_hwm_mb, run_streaming

NAME = "memory"
NEEDS = ("cli_batch",)  # RSS at the batch size comes from its repetitions


def measure(bench: Bench) -> dict:
    cfg, work = bench.cfg, bench.work
    cold = bench.results.get("cold_start", {})
    jobs = bench.results.get("jobs", {})
    result: dict = {"status": "measured",
                    "method": ("peak RSS of one command from GNU time -f %M" if TIME_BIN else
                               "peak RSS from os.wait4 ru_maxrss, kept only above the runner's own high-water mark")
                    + "; streaming runs: VmHWM of the netlint process sampled from /proc every 0.25 s while its "
                      "json-lines output is counted",
                    "runner_hwm_mb": own_hwm_mb()}
    if cold.get("status") == "measured" and cold["peak_rss_mb"]["netlint_draft"]["median"] and \
            cold["peak_rss_mb"]["spacy_floor"]["median"]:
        result["one_draft_mb"] = cold["peak_rss_mb"]["netlint_draft"]
        result["spacy_floor_mb"] = cold["peak_rss_mb"]["spacy_floor"]
        result["ratio_one_draft_vs_spacy_floor"] = {
            "value": cold["peak_rss_mb"]["netlint_draft"]["median"] / cold["peak_rss_mb"]["spacy_floor"]["median"]}
    by_n: dict[str, dict] = {}
    if jobs.get("status") == "measured" and jobs["rss_at_n_mb"]["median"]:
        by_n[str(jobs["messages"])] = {"peak_rss_mb": jobs["rss_at_n_mb"]["median"], "runs": jobs["rss_at_n_mb"]["n"],
                                      "source": "cli_batch repetitions"}
    sizes = list(cfg["stream_sizes"]) + ([cfg["big_n"]] if cfg["big_n"] else [])
    largest = max(sizes)
    log(f"memory: writing {largest:,} messages as files (streamed from the generator)")
    start = time.perf_counter()
    folders = bench_corpus.write_files(work / f"stream-{largest}", largest, bench.seed)
    result["write_files_s"] = time.perf_counter() - start
    for size in sizes:
        parts = folders[: max(1, -(-size // 1000))]
        count = min(size, 1000 * len(parts))
        cmd = bench.netlint + ["--format", "json-lines", *map(str, parts)]
        log(f"memory: netlint --format json-lines on {count:,} messages")
        checkpoints = [c for c in cfg["stream_checkpoints"] if c <= count]
        budget = cfg.get("stream_budget_s", 0) if size == largest else 0
        run = run_streaming(cmd, work, checkpoints, budget_s=budget)
        entry = {"peak_rss_mb": run["peak_rss_mb"], "runs": 1, "wall_s": run["wall_s"], "cpu_s": run["cpu_s"],
                 "output_mb": run["output_mb"], "checkpoints": run["checkpoints"], "samples": run["samples"],
                 "source": "streaming run"}
        if run["stopped_by_budget"]:
            reached = run["lines"]
            rate = reached / run["wall_s"] if run["wall_s"] else None
            entry.update({"partial": True, "target": count, "msg_per_s": rate,
                          "estimated_full_s": count / rate if rate else None})
            result.setdefault("notes", []).append(
                f"the {count:,}-message run was stopped by --stream-budget {budget:.0f} s after {reached:,} messages; "
                f"at {rate:.0f} msg/s all {count:,} would take {count / rate / 60:.1f} min" if rate else
                f"the {count:,}-message run was stopped by --stream-budget {budget:.0f} s before any output")
            if reached:
                by_n[str(reached)] = entry
            continue
        if run["code"] not in (0, 1):
            raise RuntimeError(f"netlint on {count} files exited {run['code']}: {run['stderr'][-300:]}")
        if run["lines"] != count:
            raise RuntimeError(f"netlint printed {run['lines']} json lines for {count} files")
        entry["msg_per_s"] = count / run["wall_s"]
        by_n[str(count)] = entry
    by_n = {k: v for k, v in by_n.items() if v.get("peak_rss_mb")}
    result["by_messages"] = by_n
    if not by_n:
        raise RuntimeError("no peak RSS could be read (no GNU time, no /proc)")
    ordered = sorted(by_n.items(), key=lambda kv: int(kv[0]))
    smallest, biggest = ordered[0], ordered[-1]
    result["ratio_largest_vs_smallest"] = {
        "value": biggest[1]["peak_rss_mb"] / smallest[1]["peak_rss_mb"],
        "largest": int(biggest[0]), "smallest": int(smallest[0])}
    inner = biggest[1].get("checkpoints") or {}
    if len(inner) >= 2:
        points = sorted(inner.items(), key=lambda kv: int(kv[0]))
        result["ratio_within_run"] = {"value": points[-1][1]["hwm_mb"] / points[0][1]["hwm_mb"],
                                      "from": int(points[0][0]), "to": int(points[-1][0])}
    return result


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
