"""Measure 3, one CLI call on N files, beside a spaCy floor script and the peer linters; and `--jobs 2`.

Each repetition runs, back to back: the floor (a Python script reading the same files through
`spacy.blank('en')` + sentencizer), `netlint --format json-lines <N paths>` in one process, and
`netlint --jobs 2` on the same paths; so the `--jobs 2` speed-up is reported here too (as measure "jobs").
The peers (proselint, write-good, alex, textlint with its write-good rule) run on the same files when
`shutil.which` finds them on PATH; none is a netlint dependency.
Run alone: `python benchmarks/cli_batch.py [--quick]` (the same as `run.py --only cli_batch`).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass

import bench_corpus
from harness import Bench, check_ok, help_text, ratio, run_child, skipped, summary

NAME = "cli_batch"
ALSO_REPORTS = ("jobs",)

FLOOR_BATCH = r"""
import sys, json, os
import spacy
nlp = spacy.blank("en"); nlp.add_pipe("sentencizer")
paths = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
def texts():
    for p in paths:
        with open(p, encoding="utf-8") as h:
            yield h.read()
out = sys.stdout
for p, doc in zip(paths, nlp.pipe(texts(), batch_size=64)):
    out.write(json.dumps({"path": p, "tokens": len(doc), "sentences": sum(1 for _ in doc.sents)}) + "\n")
"""

# Orientation figures quoted in the issue: reported by others on other machines, never compared as measured.
REPORTED = {
    "proselint": "~260 msg/s",
    "write-good": "~650-900 msg/s",
    "textlint + write-good": "~460 msg/s",
}


@dataclass(frozen=True)
class Peer:
    """Another prose linter, run on the same files when it is installed."""

    name: str
    executable: str
    arguments: tuple[str, ...] = ()  # before the paths
    ok_codes: tuple[int, ...] | None = (0, 1)  # None: the exit code counts findings (any code >= 0 is fine)
    subcommand: str = ""  # put first when `--help` lists it


PEERS = (
    Peer("proselint", "proselint", subcommand="check"),  # 0.16 wants `proselint check`; older ones take paths
    Peer("write-good", "write-good", ok_codes=None),
    Peer("alex", "alex"),
    Peer("textlint + write-good", "textlint", ("--rule", "write-good")),
)


def _peer_command(peer: Peer, exe: str) -> list[str]:
    arguments = list(peer.arguments)
    if peer.subcommand and peer.subcommand in (help_text([exe, "--help"]) or "").split():
        arguments.insert(0, peer.subcommand)
    return [exe, *arguments]


def _version(exe: str) -> str | None:
    text = help_text([exe, "--version"])
    return text.strip().splitlines()[0] if text and text.strip() else None


def _peers(paths: list[str], bench: Bench) -> dict:
    found = {}
    for peer in PEERS:
        exe = shutil.which(peer.executable)
        if not exe:
            found[peer.name] = skipped(f"{peer.executable} not installed (shutil.which found nothing)")
            continue
        cmd = _peer_command(peer, exe) + paths
        walls = []
        try:
            for _ in range(bench.cfg["batch_repeats"]):
                result = run_child(cmd, bench.work)
                failed = result.code < 0 if peer.ok_codes is None else result.code not in peer.ok_codes
                if failed or any(line.startswith(("Error", "Traceback")) for line in result.stderr.splitlines()):
                    raise RuntimeError(f"exited {result.code}: {result.stderr.strip()[-200:]}")
                walls.append(result.wall)
        except RuntimeError as exc:
            found[peer.name] = {"status": "error", "note": f"{peer.name}: {exc}"}
            continue
        found[peer.name] = {"status": "measured", "command": f"{' '.join(cmd[:len(cmd) - len(paths)])} <{len(paths)} files>",
                            "version": _version(exe), "executable": exe,
                            "wall_s": summary(walls), "msg_per_s": summary([len(paths) / w for w in walls])}
    return found


def measure(bench: Bench) -> dict:
    n = bench.cfg["batch_n"]
    work = bench.work
    folders = bench_corpus.write_files(work / f"batch-{n}", n, bench.seed)
    paths = bench_corpus.file_paths(folders)
    paths_file = work / f"batch-{n}-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    single = bench.netlint + ["--format", "json-lines", *paths]
    two_jobs = bench.netlint + ["--jobs", "2", "--format", "json-lines", *paths]
    floor = [sys.executable, "-c", FLOOR_BATCH, str(paths_file)]
    walls = {"netlint": [], "floor": [], "pair": []}
    rss, cpu, pair_cpu, floor_cpu = [], [], [], []
    for _ in range(bench.cfg["batch_repeats"]):
        result = run_child(floor, work)
        check_ok(result, "spaCy floor script", (0,))
        walls["floor"].append(result.wall)
        floor_cpu.append(result.cpu)
        result = run_child(single, work)
        check_ok(result, "netlint on all files")
        walls["netlint"].append(result.wall)
        rss.append(result.rss_mb)
        cpu.append(result.cpu)
        result = run_child(two_jobs, work)
        check_ok(result, "netlint --jobs 2 on all files")
        walls["pair"].append(result.wall)
        pair_cpu.append(result.cpu or 0)
    netlint_rates = [n / w for w in walls["netlint"]]
    others = _peers(paths, bench)
    batch = {
        "status": "measured",
        "messages": n,
        "repeats": bench.cfg["batch_repeats"],
        "command": f"netlint --format json-lines <{n} file paths>",
        "baseline": "python + spacy.blank('en') + sentencizer reading and piping the same files",
        "wall_s": {k: summary(v) for k, v in walls.items() if k != "pair"},
        "msg_per_s": {"netlint": summary(netlint_rates), "floor": summary([n / w for w in walls["floor"]])},
        "ratio_vs_floor": ratio(netlint_rates, [n / w for w in walls["floor"]]),
        "ratio_vs_peers": {name: ratio(netlint_rates, other["msg_per_s"]["values"])
                           for name, other in others.items() if other["status"] == "measured"},
        "cpu_s": {"netlint": summary(cpu), "floor": summary(floor_cpu)},
        "cpu_ratio_vs_floor": ratio(floor_cpu, cpu),
        "others": others,
        "reported": REPORTED,
    }
    jobs = {
        "status": "measured",
        "messages": n,
        "note": "netlint --jobs 2 vs --jobs 1 on the same files (wall); speed-up = single / jobs-2",
        "speedup": ratio(walls["netlint"], walls["pair"]),
        "single_wall_s": summary(walls["netlint"]),
        "pair_wall_s": summary(walls["pair"]),
        "ratio_pair_vs_single": ratio(walls["pair"], walls["netlint"]),
        "single_cpu_s": summary(cpu),
        "pair_cpu_s": summary(pair_cpu),
        "rss_at_n_mb": summary(rss),
    }
    return {"status": "measured", NAME: batch, "jobs": jobs}


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
