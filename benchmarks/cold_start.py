"""Measure 2, cold start: `netlint draft.txt` beside `python -c "import spacy; spacy.blank('en')"`.

Also `netlint --version` and `--help` beside `python -c pass`, and (full runs) `netlint draft.txt` with
no bytecode cache at all. Commands run interleaved, one repetition at a time, as separate processes.
Run alone: `python benchmarks/cold_start.py [--quick]` (the same as `run.py --only cold_start`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import bench_corpus
from harness import Bench, check_ok, child_env, ratio, run_child, settings, summary

NAME = "cold_start"


def measure(bench: Bench) -> dict:
    cfg, work = bench.cfg, bench.work
    draft = work / "draft.txt"
    draft.write_text(bench_corpus.draft(bench.seed), encoding="utf-8")
    py = sys.executable
    commands = {
        "netlint_draft": bench.netlint + [draft.name],
        "spacy_floor": [py, "-c", "import spacy; spacy.blank('en')"],
        "netlint_version": bench.netlint + ["--version"],
        "netlint_help": bench.netlint + ["--help"],
        "python_pass": [py, "-c", "pass"],
    }
    ok_codes = {"netlint_draft": (0, 1)}
    if cfg["cold_warmup"]:
        for cmd in commands.values():
            run_child(cmd, work)
    walls: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    no_cache: list[float] = []
    for _ in range(cfg["cold_repeats"]):
        for name, cmd in commands.items():
            result = run_child(cmd, work)
            check_ok(result, " ".join(cmd[-2:]), ok_codes.get(name, (0,)))
            walls[name].append(result.wall)
            rss[name].append(result.rss_mb)
            cpu[name].append(result.cpu)
        if settings.pycache_prefix:  # the same command with no bytecode written or redirected (as this image runs it)
            result = run_child(commands["netlint_draft"], work, env=child_env(bytecode_cache=False))
            check_ok(result, "netlint draft.txt without bytecode cache", (0, 1))
            no_cache.append(result.wall)
    deltas = {
        name: summary([a - b for a, b in zip(walls[name], walls["python_pass"])])
        for name in ("netlint_version", "netlint_help")
    }
    return {
        "status": "measured",
        "repeats": cfg["cold_repeats"],
        "draft_words": bench_corpus.words(draft.read_text(encoding="utf-8")),
        "commands": {k: " ".join(Path(v[0]).name if i == 0 else a for i, a in enumerate(v)) for k, v in commands.items()},
        "wall_s": {k: summary(v) for k, v in walls.items()},
        "peak_rss_mb": {k: summary(v) for k, v in rss.items()},
        "ratio_draft_vs_spacy_floor": ratio(walls["netlint_draft"], walls["spacy_floor"]),
        "ratio_version_vs_python": ratio(walls["netlint_version"], walls["python_pass"]),
        "ratio_help_vs_python": ratio(walls["netlint_help"], walls["python_pass"]),
        "delta_vs_python_s": deltas,
        "cpu_s": {k: summary(v) for k, v in cpu.items()},
        "cpu_ratio_draft_vs_spacy_floor": ratio(cpu["netlint_draft"], cpu["spacy_floor"]),
        "no_bytecode_cache": ({"note": "netlint draft.txt with PYTHONDONTWRITEBYTECODE=1 and no cache prefix: "
                                       "modules without a .pyc beside them are compiled on every start",
                               "wall_s": summary(no_cache),
                               "ratio_vs_spacy_floor": ratio(no_cache, walls["spacy_floor"])} if no_cache else None),
    }


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
