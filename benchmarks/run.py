"""netlint's benchmark suite: one entry point, every figure beside its baseline from the same run.

    python benchmarks/run.py            # full run (1,000 and 100,000 messages; 100k run capped by --stream-budget)
    python benchmarks/run.py --quick    # tiny configuration for CI (seconds; never asserts times)
    python benchmarks/run.py --output DIR

Writes DIR/latest.json (everything, raw samples included) and DIR/latest.md (a Markdown table);
DIR defaults to benchmarks/results/. See benchmarks/README.md for what each figure means.

Measures
 1. throughput  Linter.lint over N messages, in process, vs spaCy's tokenizer alone and vs
                spacy.blank('en') + sentencizer on the same texts (ratio netlint/tokenizer).
 2. cold_start  `netlint draft.txt` vs `python -c "import spacy; spacy.blank('en')"`;
                `netlint --version` / `--help` vs `python -c pass` (subprocess wall time).
 3. cli_batch   one `netlint` call on N files (messages/s) vs a spaCy floor script on the same files,
                beside proselint / write-good when installed.
 4. memory      peak RSS of one draft, of N streamed messages (json-lines), RSS inside one 100k run;
                `--jobs 2` vs one job on the same files.
 5. lsp         open-to-diagnostics and change-to-diagnostics p50/p95 of `python -m linter.lsp`.
 6. context     template rendering with `--context` over 10,000 rows (when netlint has the option).

Nothing here needs anything beyond the standard library, spaCy and netlint itself.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_corpus  # noqa: E402

SCHEMA = "netlint-bench/1"
MEASURES = ("throughput", "cold_start", "cli_batch", "memory", "lsp", "context")

# Budgets from the performance issue. Ratios are netlint / baseline unless said otherwise.
BUDGETS = {
    "throughput_ratio_min": 0.3,  # netlint msg/s >= 0.3 x spaCy tokenizer msg/s
    "throughput_ratio_stretch": 0.5,
    "cold_start_ratio_max": 1.15,  # `netlint draft.txt` <= 1.15 x `import spacy; spacy.blank('en')`
    "startup_delta_max_s": 0.10,  # `--version` / `--help` within 0.1 s of `python -c pass`
    "rss_flat_ratio_max": 1.10,  # our own criterion for "flat": RSS(largest N) <= 1.10 x RSS(1k)
}
# Orientation figures quoted in the issue: reported by others on other machines, not measured here.
REPORTED = [
    ("proselint", "~260 msg/s"),
    ("write-good", "~650-900 msg/s"),
    ("textlint + write-good", "~460 msg/s"),
]

CONFIGS = {
    "quick": {
        "throughput_n": 40, "throughput_repeats": 3,
        "cold_repeats": 1, "cold_warmup": False,
        "batch_n": 20, "batch_repeats": 1,
        "stream_sizes": [100], "stream_checkpoints": [20, 50, 100], "big_n": 0,
        "lsp_opens": 2, "lsp_changes": 3,
        "context_rows": 20, "context_repeats": 1,
    },
    "full": {
        "throughput_n": 1000, "throughput_repeats": 5,
        "cold_repeats": 5, "cold_warmup": True,
        "batch_n": 1000, "batch_repeats": 5,
        "stream_sizes": [], "stream_checkpoints": [1000, 10_000, 50_000, 100_000], "big_n": 100_000,
        "lsp_opens": 20, "lsp_changes": 40,
        "context_rows": 10_000, "context_repeats": 2,
        # The 100k run alone takes 100,000 / (msg/s): ~7 min at 240 msg/s. Past this it is stopped and
        # reported as partial, so a slow netlint cannot stretch the whole run far past ~10 minutes.
        "stream_budget_s": 420,
    },
}

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

CONTEXT_TEMPLATE = """Subject: {{ topic }} at {{ company }}

Hi {{ first_name }},

{{ research_note }} I lead a small team working on {{ topic }}, and we tried something similar last quarter with mixed results on weekends.

I wrote up what we changed and what did not work; happy to send it if it is useful. Would you be open to a 15-minute call next week about how you handled {{ topic }}?

If the timing is bad, no worries at all.

Best,
Sam
"""


# ----------------------------------------------------------------------------------------------------
# small helpers


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def summary(values: list[float]) -> dict:
    """Median and spread of repeated measurements."""
    values = [float(v) for v in values if v is not None]
    if not values:
        return {"n": 0, "median": None, "min": None, "max": None, "q1": None, "q3": None, "values": []}
    result = {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "q1": None,
        "q3": None,
        "values": [round(v, 6) for v in values],
    }
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        result["q1"], result["q3"] = q1, q3
    return result


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(numerator: list[float], denominator: list[float]) -> dict:
    """Ratio of medians, plus the range of the per-repetition (paired) ratios."""
    top, bottom = summary(numerator)["median"], summary(denominator)["median"]
    value = top / bottom if top is not None and bottom else None
    paired = [a / b for a, b in zip(numerator, denominator) if a is not None and b]
    return {
        "value": value,
        "paired_min": min(paired) if paired else None,
        "paired_max": max(paired) if paired else None,
    }


def skipped(note: str) -> dict:
    return {"status": "skipped", "note": note}


def netlint_command() -> tuple[list[str], str]:
    """The real `netlint` console script of this interpreter (no pyenv/venv shim in front of it)."""
    beside = Path(sys.executable).parent / ("netlint.exe" if os.name == "nt" else "netlint")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)], str(beside)
    found = shutil.which("netlint")
    if found:
        return [found], found
    return [sys.executable, "-m", "linter"], f"{sys.executable} -m linter"


PYCACHE_PREFIX: str | None = None  # set by main() for full runs


def child_env() -> dict:
    """Environment of every child. In full runs bytecode is cached in a temporary folder.

    Some environments (this CI image among them) set PYTHONDONTWRITEBYTECODE=1; an editable install then
    recompiles netlint's own modules on every start, which a wheel install never does. Full runs unset it
    and point PYTHONPYCACHEPREFIX at a temporary folder (warmed up before timing), so no file is written
    into the repository and netlint and its baselines get the same treatment.
    """
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("PYTHONSTARTUP", None)
    if PYCACHE_PREFIX:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYCACHE_PREFIX
    return env


class ChildResult:
    def __init__(self, wall: float, code: int, rss_kb: int | None, cpu: float | None, stderr: str) -> None:
        self.wall = wall
        self.code = code
        self.rss_kb = rss_kb
        self.cpu = cpu
        self.stderr = stderr

    @property
    def rss_mb(self) -> float | None:
        return None if self.rss_kb is None else self.rss_kb / 1024


ACTIVE: set[subprocess.Popen] = set()  # children still running, ended if the run is interrupted


def _start(cmd: list[str], **kwargs) -> subprocess.Popen:
    process = subprocess.Popen(cmd, **kwargs)
    ACTIVE.add(process)
    return process


def _end_active_children() -> None:
    for process in list(ACTIVE):
        if process.returncode is None:
            try:
                process.kill()  # only processes this run started, by their own handle
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        ACTIVE.discard(process)


def _reap(process: subprocess.Popen) -> tuple[int, int | None, float | None]:
    """Wait for one child: exit code, ru_maxrss (KB; includes RSS inherited across fork, see run_child) and CPU s."""
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        ACTIVE.discard(process)
        rss = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
        return process.returncode, rss, usage.ru_utime + usage.ru_stime
    code = process.wait()
    ACTIVE.discard(process)
    return code, None, None


def _gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (supports -f and -o)."""
    for candidate in ("/usr/bin/time", shutil.which("gtime")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            try:
                probe = subprocess.run([candidate, "-f", "%M", "true"], capture_output=True, text=True, timeout=10)
            except (OSError, subprocess.SubprocessError):
                continue
            if probe.returncode == 0 and probe.stderr.strip().splitlines()[-1:] and \
                    probe.stderr.strip().splitlines()[-1].isdigit():
                return candidate
    return None


TIME_BIN = _gnu_time()


def _own_hwm_kb() -> int | None:
    return _proc_status(os.getpid()).get("VmHWM")


def run_child(cmd: list[str], cwd: Path, stdin_path: Path | None = None, timeout: float = 900,
              stdout=subprocess.DEVNULL, env: dict | None = None) -> ChildResult:
    """Run one command; wall time, exit code, CPU seconds (wait4) and peak RSS.

    Peak RSS: Linux carries a process's RSS high-water mark across fork+exec, so a child's ru_maxrss is
    at least this (large, spaCy-importing) runner's RSS at the time of the fork. When GNU time is
    installed the command runs under `time -f %M` (time is a small process, so its child's figure is
    the command's own); otherwise ru_maxrss is kept only when it exceeds the runner's own high-water mark.
    """
    rss_file = None
    if TIME_BIN:
        rss_file = tempfile.NamedTemporaryFile(prefix="netlint-bench-rss-", delete=False)
        rss_file.close()
        cmd = [TIME_BIN, "-f", "%M", "-o", rss_file.name, *cmd]
    with tempfile.TemporaryFile() as err, (open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb")) as inp:
        start = time.perf_counter()
        process = _start(cmd, cwd=cwd, stdin=inp, stdout=stdout, stderr=err, env=env or child_env())
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            code, rss, cpu = _reap(process)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if rss_file is not None:
        try:
            lines = [l for l in Path(rss_file.name).read_text().splitlines() if l.strip()]
            rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else None
        except OSError:
            rss = None
        finally:
            os.unlink(rss_file.name)
    else:
        own = _own_hwm_kb()
        if rss is not None and own is not None and rss <= own:
            rss = None  # only the runner's inherited high-water mark: unknown
    return ChildResult(wall, code, rss, cpu, text[-600:])


def check_ok(result: ChildResult, what: str, ok_codes=(0, 1)) -> None:
    if result.code not in ok_codes:
        raise RuntimeError(f"{what} exited {result.code}: {result.stderr.strip()[-300:]}")


def _proc_status(pid: int) -> dict[str, int]:
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0])
    except OSError:
        pass
    return values


def run_streaming(cmd: list[str], cwd: Path, checkpoints: list[int], timeout: float = 3600,
                  budget_s: float = 0.0) -> dict:
    """Run a json-lines netlint, count output lines as they stream, sample RSS; RSS at each checkpoint.

    With budget_s > 0 the run is stopped after that many seconds and reported as partial.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = _start(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=child_env())
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        state = {"lines": 0, "bytes": 0}

        def count() -> None:
            while True:
                chunk = process.stdout.read1(1 << 16)
                if not chunk:
                    return
                state["lines"] += chunk.count(b"\n")
                state["bytes"] += len(chunk)

        reader = threading.Thread(target=count, daemon=True)
        reader.start()
        samples: list[tuple[float, int, int, int]] = []  # (seconds, lines, VmRSS KB, VmHWM KB)
        stopped = False
        while reader.is_alive():
            reader.join(0.25)
            if budget_s and not stopped and time.perf_counter() - start > budget_s:
                process.kill()  # our own child: the time budget of the run is spent
                stopped = True
            status = _proc_status(process.pid)
            if status:
                samples.append((time.perf_counter() - start, state["lines"], status.get("VmRSS", 0),
                                status.get("VmHWM", 0)))
        try:
            code, rss, cpu = _reap(process)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.stdout.close()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")[-600:]
    at = {}
    for point in checkpoints:
        hit = next((s for s in samples if s[1] >= point), None)
        if hit is not None:
            at[str(point)] = {"seconds": round(hit[0], 2), "lines": hit[1], "rss_mb": round(hit[2] / 1024, 1),
                              "hwm_mb": round(hit[3] / 1024, 1)}
    step = max(1, len(samples) // 60)
    hwm = max((s[3] for s in samples), default=0)
    return {
        "wall_s": wall,
        "code": code,
        "lines": state["lines"],
        "output_mb": round(state["bytes"] / 1e6, 1),
        # VmHWM of the netlint process itself (reset by exec), not ru_maxrss (see run_child).
        "peak_rss_mb": hwm / 1024 if hwm else None,
        "cpu_s": cpu,
        "checkpoints": at,
        "stopped_by_budget": stopped,
        "samples": [(round(s[0], 2), s[1], round(s[2] / 1024, 1)) for s in samples[::step]],
        "stderr": stderr,
    }


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "memory_gb": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
        "spacy": ver("spacy"),
        "spacy_lookups_data": ver("spacy-lookups-data"),
        "netlint": ver("netlint"),
        "click": ver("click"),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "git_head": _git_head(),
    }


def _git_head() -> str | None:
    """The checked-out commit, read from .git files (no git command is run). The tree may have edits."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(None, 1)[1]
        loose = git / ref
        if loose.is_file():
            return loose.read_text().strip()
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
    except (OSError, IndexError):
        return None
    return None


def lsp_draft(seed: int) -> str:
    """A ~150-word draft for the language-server measure."""
    for text in bench_corpus.messages(500, seed + 1):
        if 145 <= bench_corpus.words(text) <= 155:
            return text
    return next(bench_corpus.messages(1, seed + 1))


# ----------------------------------------------------------------------------------------------------
# 1. in-process throughput


def measure_throughput(cfg: dict, seed: int) -> dict:
    import spacy

    from linter.config import Config
    from linter.engine import Linter, Source
    from linter.model import load_default

    n = cfg["throughput_n"]
    texts = list(bench_corpus.messages(n, seed))
    started = time.perf_counter()
    linter = Linter(Config(), model=load_default())
    load_s = time.perf_counter() - started
    tokenizer_nlp = spacy.blank("en")
    sentencizer_nlp = spacy.blank("en")
    sentencizer_nlp.add_pipe("sentencizer")

    def run_netlint() -> int:
        count = 0
        for _ in linter.lint(Source(f"msg-{i:06d}.txt", t, "draft") for i, t in enumerate(texts)):
            count += 1
        return count

    def run_tokenizer() -> int:
        return sum(1 for _ in tokenizer_nlp.tokenizer.pipe(texts, batch_size=64))

    def run_sentencizer() -> int:
        return sum(1 for _ in sentencizer_nlp.pipe(texts, batch_size=64))

    def run_netlint_pipeline() -> int:  # netlint's own spaCy pipeline: tokenizer, sentencizer, lookup lemmas
        return sum(1 for _ in linter.nlp.pipe(texts, batch_size=64))

    contenders = {"netlint": run_netlint, "tokenizer": run_tokenizer, "blank_sentencizer": run_sentencizer,
                  "netlint_spacy_pipeline": run_netlint_pipeline}
    for function in contenders.values():  # warm-up: vocabulary, string store, caches
        function()
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    cpu_rates: dict[str, list[float]] = {name: [] for name in contenders}
    for repeat in range(cfg["throughput_repeats"]):
        for name, function in contenders.items():  # interleaved, so drift hits every contender alike
            gc.collect()
            start, cpu_start = time.perf_counter(), time.process_time()
            count = function()
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            if count != n:
                raise RuntimeError(f"{name} produced {count} results for {n} messages")
            rates[name].append(n / elapsed)
            cpu_rates[name].append(n / cpu if cpu > 0 else None)
    result = {
        "status": "measured",
        "messages": n,
        "repeats": cfg["throughput_repeats"],
        "linter_load_s": load_s,
        "msg_per_s": {name: summary(values) for name, values in rates.items()},
        "ratio_vs_tokenizer": ratio(rates["netlint"], rates["tokenizer"]),
        "ratio_vs_blank_sentencizer": ratio(rates["netlint"], rates["blank_sentencizer"]),
        "cpu_msg_per_s": {name: summary(values) for name, values in cpu_rates.items()},
        "cpu_ratio_vs_tokenizer": ratio(cpu_rates["netlint"], cpu_rates["tokenizer"]),
    }
    try:
        result["breakdown"] = stage_breakdown(linter, texts)
    except Exception as exc:  # internals move while others edit netlint: never fail the run for this
        result["breakdown"] = {"error": f"{exc.__class__.__name__}: {exc}"}
    return result


class _Timed:
    """Wraps a callable and adds up the seconds spent in it."""

    def __init__(self, function) -> None:
        self.function = function
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def stage_breakdown(linter, texts: list[str]) -> dict:
    """Per-message milliseconds of each stage, from one pass over the texts with netlint's own functions.

    parse, spaCy pipeline and signals are called directly; `Linter.report` is called as the engine calls it,
    with timers wrapped (for this pass only) around the parts it delegates to, where they exist:
    `Linter.findings`, `scoring.score` (as the engine imported it), and the model's `predict` and
    `sentence_readings`. Parts that do not exist in this version of netlint are left out.
    """
    import linter.engine as engine
    from linter.engine import Source
    from linter.signals import Analysis, measure

    parse = getattr(linter, "parse", None)
    if parse is None:
        from linter.message import parse
    n = len(texts)
    times: dict[str, float] = {}
    start = time.perf_counter()
    messages = [parse(t) for t in texts]
    times["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    docs = list(linter.nlp.pipe([m.analysed for m in messages], batch_size=64))
    times["spaCy pipeline (nlp.pipe)"] = time.perf_counter() - start
    start = time.perf_counter()
    analyses = [Analysis(message=m, doc=d, signals=measure(m, d), mode="draft") for m, d in zip(messages, docs)]
    times["signals.measure"] = time.perf_counter() - start

    wrapped: list[tuple[object, str, object, str, bool]] = []  # (owner, attribute, original, label, on_instance)

    def wrap(owner, attribute: str, label: str) -> None:
        original = getattr(owner, attribute, None)
        if owner is None or original is None:
            return
        timer = _Timed(original)
        on_instance = attribute in getattr(owner, "__dict__", {})
        setattr(owner, attribute, timer)
        wrapped.append((owner, attribute, original, label, on_instance))

    wrap(linter, "findings", "↳ rules and checks (Linter.findings)")
    wrap(engine, "score", "↳ scores (scoring.score, classifier included)")
    wrap(linter.model, "predict", "↳↳ of which classifier predict")
    wrap(linter.model, "sentence_readings", "↳ classifier per-sentence readings (model.sentence_readings)")
    try:
        start = time.perf_counter()
        for i, analysis in enumerate(analyses):
            linter.report(Source(f"msg-{i:06d}.txt", texts[i], "draft"), analysis)
        times["Linter.report (everything after signals)"] = time.perf_counter() - start
    finally:
        for owner, attribute, original, label, on_instance in reversed(wrapped):
            timer = getattr(owner, attribute)
            if isinstance(timer, _Timed):
                times[label] = timer.seconds
            if on_instance or isinstance(owner, type(engine)):
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)  # back to the class's method
    total = times["parse"] + times["spaCy pipeline (nlp.pipe)"] + times["signals.measure"] + \
        times["Linter.report (everything after signals)"]
    order = ["parse", "spaCy pipeline (nlp.pipe)", "signals.measure", "Linter.report (everything after signals)",
             "↳ classifier per-sentence readings (model.sentence_readings)", "↳ rules and checks (Linter.findings)",
             "↳ scores (scoring.score, classifier included)", "↳↳ of which classifier predict"]
    result = {name: {"ms_per_msg": 1000 * times[name] / n, "share": times[name] / total} for name in order if name in times}
    result["total"] = {"ms_per_msg": 1000 * total / n, "share": 1.0}
    return result


# ----------------------------------------------------------------------------------------------------
# 2. cold start


def measure_cold_start(cfg: dict, work: Path, netlint: list[str], seed: int) -> dict:
    draft = work / "draft.txt"
    draft.write_text(lsp_draft(seed), encoding="utf-8")
    py = sys.executable
    commands = {
        "netlint_draft": netlint + [draft.name],
        "spacy_floor": [py, "-c", "import spacy; spacy.blank('en')"],
        "netlint_version": netlint + ["--version"],
        "netlint_help": netlint + ["--help"],
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
        if PYCACHE_PREFIX:  # the same command with no bytecode written or redirected (as this image runs it)
            env = {k: v for k, v in child_env().items() if k != "PYTHONPYCACHEPREFIX"}
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            result = run_child(commands["netlint_draft"], work, env=env)
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


# ----------------------------------------------------------------------------------------------------
# 3. one CLI call on N files (+ 4. memory at N and the --jobs 2 estimate, from the same repetitions)


def _other_linters(paths_file: Path, paths: list[str], work: Path, repeats: int) -> dict:
    found = {}
    for name in ("proselint", "write-good"):
        exe = shutil.which(name)
        if not exe:
            found[name] = skipped(f"{name} not installed (shutil.which found nothing); see the reported figure")
            continue
        cmd = [exe, *paths]
        if name == "proselint":
            try:
                helptext = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60).stdout
            except (OSError, subprocess.SubprocessError):
                helptext = ""
            if "check" in helptext.split():
                cmd = [exe, "check", *paths]
        walls = []
        note = ""
        try:
            for _ in range(repeats):
                result = run_child(cmd, work)
                # write-good exits with the number of suggestions it printed; proselint with 0/1
                crashed = result.code < 0 or "Error" in result.stderr if name == "write-good" else result.code not in (0, 1, 2)
                if crashed or (name != "write-good" and result.code and result.wall < 0.2):
                    raise RuntimeError(f"exited {result.code}: {result.stderr.strip()[-200:]}")
                walls.append(result.wall)
        except Exception as exc:
            found[name] = {"status": "error", "note": f"{name}: {exc}"}
            continue
        found[name] = {"status": "measured", "command": f"{name} <{len(paths)} files>", "note": note,
                       "wall_s": summary(walls), "msg_per_s": summary([len(paths) / w for w in walls])}
    return found


def measure_cli_batch(cfg: dict, work: Path, netlint: list[str], seed: int) -> tuple[dict, dict]:
    n = cfg["batch_n"]
    folder = work / f"batch-{n}"
    folders = bench_corpus.write_files(folder, n, seed)
    paths = bench_corpus.file_paths(folders)
    paths_file = work / f"batch-{n}-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    single = netlint + ["--format", "json-lines", *paths]
    two_jobs = netlint + ["--jobs", "2", "--format", "json-lines", *paths]
    floor = [sys.executable, "-c", FLOOR_BATCH, str(paths_file)]
    walls = {"netlint": [], "floor": [], "pair": []}
    rss, cpu, pair_cpu, floor_cpu = [], [], [], []
    for _ in range(cfg["batch_repeats"]):
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
    batch = {
        "status": "measured",
        "messages": n,
        "repeats": cfg["batch_repeats"],
        "command": f"netlint --format json-lines <{n} file paths>",
        "baseline": "python + spacy.blank('en') + sentencizer reading and piping the same files",
        "wall_s": {k: summary(v) for k, v in walls.items() if k != "pair"},
        "msg_per_s": {"netlint": summary([n / w for w in walls["netlint"]]),
                      "floor": summary([n / w for w in walls["floor"]])},
        "ratio_vs_floor": ratio([n / w for w in walls["netlint"]], [n / w for w in walls["floor"]]),
        "cpu_s": {"netlint": summary(cpu), "floor": summary(floor_cpu)},
        "cpu_ratio_vs_floor": ratio(floor_cpu, cpu),
        "others": _other_linters(paths_file, paths, work, cfg["batch_repeats"]),
        "reported": {name: figure for name, figure in REPORTED},
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
    return batch, jobs


# ----------------------------------------------------------------------------------------------------
# 4. memory


def measure_memory(cfg: dict, work: Path, netlint: list[str], seed: int, cold: dict, jobs: dict) -> dict:
    result: dict = {"status": "measured",
                    "method": ("peak RSS of one command from GNU time -f %M" if TIME_BIN else
                               "peak RSS from os.wait4 ru_maxrss, kept only above the runner's own high-water mark")
                    + "; streaming runs: VmHWM of the netlint process sampled from /proc every 0.25 s while its "
                      "json-lines output is counted",
                    "runner_hwm_mb": (_own_hwm_kb() or 0) / 1024}
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
    folders = bench_corpus.write_files(work / f"stream-{largest}", largest, seed)
    result["write_files_s"] = time.perf_counter() - start
    for size in sizes:
        parts = folders[: max(1, -(-size // 1000))]
        count = min(size, 1000 * len(parts))
        cmd = netlint + ["--format", "json-lines", *map(str, parts)]
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


# ----------------------------------------------------------------------------------------------------
# 5. language server


def measure_lsp(cfg: dict, work: Path, seed: int) -> dict:
    import importlib.util

    spec = None
    try:
        spec = importlib.util.find_spec("linter.lsp")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return skipped("linter/lsp.py does not exist yet: no language server to measure")
    source = Path(spec.origin).read_text(encoding="utf-8", errors="replace")
    if "__main__" not in source and not (Path(spec.origin).parent / "lsp" / "__main__.py").exists():
        return skipped("linter/lsp.py has no `python -m linter.lsp` entry point yet")
    from lsp_client import LspClient, LspError, file_uri

    from linter.config import Config
    from linter.engine import Linter
    from linter.model import load_default

    draft = lsp_draft(seed)
    # Baseline: the same draft linted in process (what the server must do at least once per change).
    linter = Linter(Config(), model=load_default())
    linter.lint_text(draft, "draft.txt")
    inprocess = []
    for _ in range(max(10, cfg["lsp_changes"])):
        start = time.perf_counter()
        linter.lint_text(draft, "draft.txt")
        inprocess.append(time.perf_counter() - start)

    command = [sys.executable, "-m", "linter.lsp"]
    if "--stdio" in source:
        command.append("--stdio")
    docs = work / "lsp"
    docs.mkdir(exist_ok=True)
    client = LspClient(command, cwd=str(docs), env=child_env())
    ACTIVE.add(client.process)
    result: dict = {"status": "measured", "command": " ".join(["python"] + command[1:]),
                    "draft_words": bench_corpus.words(draft)}
    import re

    debounce = re.search(r"DEBOUNCE_MS\s*=\s*(\d+)", source)  # best effort, for the table's note only
    debounce_ms = int(debounce.group(1)) if debounce else None
    try:
        start = time.perf_counter()
        result["initialize_s"] = client.initialize(docs, timeout=120)
        # Pull (`textDocument/diagnostic`) when the server offers it, as editors do; else wait for a push.
        mode = "pull" if client.pull_diagnostics else "push"
        opens, changes, counts = [], [], []
        first = None
        for i in range(cfg["lsp_opens"] + 1):
            path = docs / f"draft-{i}.txt"
            path.write_text(draft, encoding="utf-8")
            uri = file_uri(path)
            sent = client.open(uri, draft)
            latency, count = client.diagnostics_after(sent, uri, 1, mode, timeout=120 if i == 0 else 30)
            counts.append(count)
            if i == 0:
                first = latency  # cold: may include loading spaCy, rules and model
            else:
                opens.append(latency)
            client.drain(0.05)
            if i < cfg["lsp_opens"]:
                client.close_document(uri)
        edits = _edits(draft)
        for version in range(2, cfg["lsp_changes"] + 2):
            text = edits[version % len(edits)]
            sent = client.change(uri, version, text)
            latency, count = client.diagnostics_after(sent, uri, version, mode, timeout=30)
            changes.append(latency)
            counts.append(count)
            client.drain(0.05)
        result.update({
            "mode": mode,
            "sync": client.server_capabilities.get("textDocumentSync"),
            "first_open_s": first,
            "open_s": _latency(opens),
            "change_s": _latency(changes),
            "diagnostics_per_draft": summary(counts),
            "inprocess_lint_s": _latency(inprocess),
            "ratio_open_p50_vs_inprocess": {"value": _ratio_or_none(_latency(opens)["p50"], _latency(inprocess)["p50"])},
            "ratio_change_p50_vs_inprocess": {"value": _ratio_or_none(_latency(changes)["p50"], _latency(inprocess)["p50"])},
            "total_s": time.perf_counter() - start,
            "server_debounce_ms": debounce_ms,
        })
        if not any(counts):
            result["note"] = "the server reported no diagnostics at all for a draft netlint flags: check the server"
    except LspError as exc:
        result = {"status": "error", "note": f"language server: {exc}", "command": result["command"]}
    finally:
        try:
            client.close()
        except Exception:  # the process is ours: make sure it is gone
            if client.process.poll() is None:
                client.process.kill()
        ACTIVE.discard(client.process)
    return result


def _latency(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "min": min(values) if values else None, "max": max(values) if values else None}


def _ratio_or_none(a, b):
    return a / b if a is not None and b else None


def _edits(draft: str) -> list[str]:
    """Edited versions of the draft, as a writer would make them: a word, a sentence, back again."""
    lines = draft.split("\n")
    added = draft.replace("\nBest,", "\nI can send the notes by Friday.\n\nBest,")
    return [
        draft,
        draft.replace("I ", "I really ", 1),
        added,
        draft.replace(".", ",", 1),
        "\n".join(lines[:-3] + ["Happy to help either way.", ""] + lines[-3:]),
    ]


# ----------------------------------------------------------------------------------------------------
# 6. --context template rendering


def measure_context(cfg: dict, work: Path, netlint: list[str], seed: int) -> dict:
    try:
        main_help = subprocess.run(netlint + ["--help"], capture_output=True, text=True, timeout=60, env=child_env()).stdout
        check_help = subprocess.run(netlint + ["check", "--help"], capture_output=True, text=True, timeout=60,
                                    env=child_env()).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return {"status": "error", "note": f"netlint --help failed: {exc}"}
    if "--context" not in main_help and "--context" not in check_help:
        return skipped("netlint --help does not mention --context: template rendering is not implemented yet")
    import csv
    import random

    rows = cfg["context_rows"]
    template = work / "outreach.j2"
    template.write_text(CONTEXT_TEMPLATE, encoding="utf-8")
    table = work / f"recipients-{rows}.csv"
    rng = random.Random(seed)
    notes = [
        "Your post on {topic} at {company} changed how we run our reviews.",
        "I watched your talk on {topic} and took notes on the part about handoffs.",
        "",
        "Your article about {topic} made the case for weekly reviews better than anything I had read.",
    ]
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "company", "topic", "research_note"])
        for _ in range(rows):
            pick = lambda items: items[int(rng.random() * len(items))]  # noqa: E731
            topic, company = pick(bench_corpus.TOPICS), pick(bench_corpus.COMPANIES)
            writer.writerow([pick(bench_corpus.FIRST_NAMES), company, topic,
                             pick(notes).format(topic=topic, company=company)])
    cmd = netlint + [template.name, "--context", table.name, "--format", "json"]
    floor = [sys.executable, "-c", FLOOR_CONTEXT, template.name, table.name]
    walls = {"netlint": [], "floor": []}
    rss = []
    for _ in range(cfg["context_repeats"]):
        result = run_child(floor, work)
        check_ok(result, "context floor script", (0,))
        walls["floor"].append(result.wall)
        result = run_child(cmd, work)
        if result.code not in (0, 1):
            return {"status": "error", "note": f"`netlint outreach.j2 --context {table.name}` exited {result.code}: "
                    f"{result.stderr.strip()[-300:]}"}
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


# ----------------------------------------------------------------------------------------------------
# budgets and Markdown


def _status(met: bool | None, stretch: bool = False) -> str:
    if met is None:
        return "n/a"
    if stretch:
        return "met (stretch met)"
    return "met" if met else "MISSED"


def evaluate_budgets(measures: dict) -> list[dict]:
    budgets = []
    t = measures.get("throughput", {})
    if t.get("status") == "measured":
        value = t["ratio_vs_tokenizer"]["value"]
        budgets.append({"name": "throughput netlint/tokenizer", "value": value,
                        "budget": f">= {BUDGETS['throughput_ratio_min']} (stretch {BUDGETS['throughput_ratio_stretch']})",
                        "met": value >= BUDGETS["throughput_ratio_min"],
                        "stretch_met": value >= BUDGETS["throughput_ratio_stretch"]})
    c = measures.get("cold_start", {})
    if c.get("status") == "measured":
        value = c["ratio_draft_vs_spacy_floor"]["value"]
        budgets.append({"name": "cold start netlint draft.txt / spaCy floor", "value": value,
                        "budget": f"<= {BUDGETS['cold_start_ratio_max']}", "met": value <= BUDGETS["cold_start_ratio_max"]})
        for key, label in (("netlint_version", "--version"), ("netlint_help", "--help")):
            delta = c["wall_s"][key]["median"] - c["wall_s"]["python_pass"]["median"]
            budgets.append({"name": f"netlint {label} - python -c pass (s)", "value": delta,
                            "budget": f"<= +{BUDGETS['startup_delta_max_s']} s",
                            "met": delta <= BUDGETS["startup_delta_max_s"]})
    m = measures.get("memory", {})
    if m.get("status") == "measured" and "ratio_largest_vs_smallest" in m:
        value = m["ratio_largest_vs_smallest"]["value"]
        budgets.append({"name": f"peak RSS {m['ratio_largest_vs_smallest']['largest']:,} / "
                                f"{m['ratio_largest_vs_smallest']['smallest']:,} messages (flat memory)",
                        "value": value, "budget": f"<= {BUDGETS['rss_flat_ratio_max']} (our criterion)",
                        "met": value <= BUDGETS["rss_flat_ratio_max"]})
    return budgets


def _fmt(value, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.{digits}f}"
    return f"{text}{(' ' + unit) if unit else ''}"


def _spread(s: dict, unit: str = "", digits: int = 2) -> str:
    if not s or s.get("median") is None:
        return "n/a"
    if s["n"] == 1:
        return f"{_fmt(s['median'], unit, digits)} (1 run)"
    return f"{_fmt(s['median'], unit, digits)} [{_fmt(s['min'], '', digits)}–{_fmt(s['max'], '', digits)}]"


def _ratio_text(r: dict, digits: int = 2) -> str:
    if not r or r.get("value") is None:
        return "n/a"
    text = f"{r['value']:.{digits}f}x"
    if r.get("paired_min") is not None and r.get("paired_max") is not None and r["paired_min"] != r["paired_max"]:
        text += f" [{r['paired_min']:.{digits}f}–{r['paired_max']:.{digits}f}]"
    return text


def render_markdown(report: dict) -> str:
    mach = report["machine"]
    ms = report["measures"]
    budgets = {b["name"]: b for b in report["budgets"]}
    lines = [
        f"# netlint benchmarks ({report['mode']} run)",
        "",
        f"{report['started']} · {report['duration_s']:.0f} s · {mach['cpu_model']}, {mach['usable_cpus']} usable CPUs "
        f"of {mach['cpu_count']}, {mach['memory_gb']} GB · Python {mach['python']} · spaCy {mach['spacy']} · "
        f"netlint {mach['netlint']} · {mach['platform']}",
        "",
        f"Corpus: generated, seed {report['corpus']['seed']}, {report['corpus']['words']['min']}–"
        f"{report['corpus']['words']['max']} words per message (median {report['corpus']['words']['median']:.0f}); "
        f"first-1,000 sha256 `{report['corpus']['fingerprint'][:16]}…`. "
        "Cells are median [min–max] over repeated runs; ratios are netlint / baseline (ratio of medians, "
        "[range of per-repetition ratios]).",
        "",
        "| # | measure | netlint | baseline | ratio | budget | status |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(number, measure, ours, base, rat, budget="", status=""):
        lines.append(f"| {number} | {measure} | {ours} | {base} | {rat} | {budget} | {status} |")

    def budget_status(name):
        b = budgets.get(name)
        return _status(b["met"], b.get("stretch_met", False)) if b else "n/a"

    t = ms["throughput"]
    if t.get("status") == "measured":
        rates = t["msg_per_s"]
        row(1, f"in-process Linter.lint, {t['messages']:,} msgs (msg/s) vs spaCy tokenizer alone",
            _spread(rates["netlint"], "msg/s", 0), _spread(rates["tokenizer"], "msg/s", 0),
            _ratio_text(t["ratio_vs_tokenizer"]), ">= 0.3x (stretch 0.5x)", budget_status("throughput netlint/tokenizer"))
        row(1, "… vs spacy.blank('en') + sentencizer", _spread(rates["netlint"], "msg/s", 0),
            _spread(rates["blank_sentencizer"], "msg/s", 0), _ratio_text(t["ratio_vs_blank_sentencizer"]), "", "info")
    else:
        row(1, "in-process throughput", "—", "—", "—", "", f"{t.get('status')}: {t.get('note', '')}")
    c = ms["cold_start"]
    if c.get("status") == "measured":
        w = c["wall_s"]
        row(2, "cold start `netlint draft.txt` (wall) vs `python -c \"import spacy; spacy.blank('en')\"`",
            _spread(w["netlint_draft"], "s"), _spread(w["spacy_floor"], "s"), _ratio_text(c["ratio_draft_vs_spacy_floor"]),
            "<= 1.15x", budget_status("cold start netlint draft.txt / spaCy floor"))
        for key, label in (("netlint_version", "--version"), ("netlint_help", "--help")):
            delta = w[key]["median"] - w["python_pass"]["median"]
            row(2, f"`netlint {label}` vs `python -c pass`", _spread(w[key], "s", 3), _spread(w["python_pass"], "s", 3),
                f"{_ratio_text(c['ratio_' + key.split('_')[1] + '_vs_python'])} (Δ {delta:+.3f} s)", "Δ <= +0.1 s",
                budget_status(f"netlint {label} - python -c pass (s)"))
    else:
        row(2, "cold start", "—", "—", "—", "", f"{c.get('status')}: {c.get('note', '')}")
    b = ms["cli_batch"]
    if b.get("status") == "measured":
        row(3, f"one CLI call on {b['messages']:,} files, json-lines (msg/s) vs spaCy floor script on the same files",
            _spread(b["msg_per_s"]["netlint"], "msg/s", 0), _spread(b["msg_per_s"]["floor"], "msg/s", 0),
            _ratio_text(b["ratio_vs_floor"]), "", "info")
        for name, other in b["others"].items():
            if other.get("status") == "measured":
                row(3, f"… {name} on the same files (measured)", _spread(b["msg_per_s"]["netlint"], "msg/s", 0),
                    _spread(other["msg_per_s"], "msg/s", 0),
                    _ratio_text(ratio(b["msg_per_s"]["netlint"]["values"], other["msg_per_s"]["values"])), "", "info")
            else:
                reported = dict(REPORTED).get(name, "")
                row(3, f"… {name}: {other.get('status')} ({other.get('note', '')})", "", f"{reported} (reported)", "", "",
                    other.get("status"))
        row(3, "… textlint + write-good (not run here)", "", f"{dict(REPORTED)['textlint + write-good']} (reported)",
            "", "", "reported")
    else:
        row(3, "CLI batch", "—", "—", "—", "", f"{b.get('status')}: {b.get('note', '')}")
    m = ms["memory"]
    if m.get("status") == "measured":
        if "one_draft_mb" in m:
            row(4, "peak RSS, one draft vs the spaCy floor process", _spread(m["one_draft_mb"], "MB", 0),
                _spread(m["spacy_floor_mb"], "MB", 0), f"{m['ratio_one_draft_vs_spacy_floor']['value']:.2f}x", "", "info")
        ordered = sorted(m["by_messages"].items(), key=lambda kv: int(kv[0]))
        base_n, base = ordered[0]
        for n, entry in ordered:
            extra = f" ({entry['msg_per_s']:.0f} msg/s)" if entry.get("msg_per_s") else ""
            if entry.get("partial"):
                extra += f" — PARTIAL: {entry['target']:,}-message run stopped by the time budget"
            row(4, f"peak RSS, {int(n):,} messages streamed (--format json-lines){extra}",
                _fmt(entry["peak_rss_mb"], "MB", 0), f"{int(base_n):,} msgs: {_fmt(base['peak_rss_mb'], 'MB', 0)}",
                f"{entry['peak_rss_mb'] / base['peak_rss_mb']:.2f}x",
                "<= 1.10x (ours)" if n == ordered[-1][0] and len(ordered) > 1 else "",
                budget_status(next((k for k in budgets if k.startswith("peak RSS")), "")) if n == ordered[-1][0] and len(ordered) > 1 else "info")
        inner = ordered[-1][1].get("checkpoints") or {}
        if len(inner) >= 2:
            points = sorted(inner.items(), key=lambda kv: int(kv[0]))
            first = points[0][1]["hwm_mb"]
            trail = ", ".join(f"{int(k):,}: {v['hwm_mb']:.0f} MB" for k, v in points)
            row(4, f"RSS high-water mark inside the {int(ordered[-1][0]):,}-message run, after N messages",
                trail, f"after {int(points[0][0]):,}: {first:.0f} MB", f"{points[-1][1]['hwm_mb'] / first:.2f}x", "", "info")
    else:
        row(4, "memory", "—", "—", "—", "", f"{m.get('status')}: {m.get('note', '')}")
    j = ms.get("jobs", {})
    if j.get("status") == "measured":
        speedup = j["speedup"]["value"] if j.get("speedup") else None
        row(4, f"`--jobs 2` vs one job on {j['messages']:,} files (wall time; speed-up {speedup:.2f}x)",
            _spread(j["pair_wall_s"], "s"), _spread(j["single_wall_s"], "s"),
            _ratio_text(j["ratio_pair_vs_single"]), "speed-up >= 1.6x", "met" if speedup and speedup >= 1.6 else "MISSED")
    lsp = ms["lsp"]
    if lsp.get("status") == "measured":
        base = lsp["inprocess_lint_s"]
        for key, label in (("open_s", "open → diagnostics"), ("change_s", "change → diagnostics")):
            s = lsp[key]
            if key == "change_s" and lsp.get("server_debounce_ms"):
                label += f" (includes the server's {lsp['server_debounce_ms']} ms debounce)"
            row(5, f"language server {label} ({lsp['draft_words']}-word draft, {lsp['mode']}), p50 / p95",
                f"{s['p50'] * 1000:.0f} / {s['p95'] * 1000:.0f} ms (n={s['n']})",
                f"in-process lint_text {base['p50'] * 1000:.0f} / {base['p95'] * 1000:.0f} ms",
                f"{s['p50'] / base['p50']:.2f}x", "", "info")
        row(5, "language server first open (cold) / initialize", f"{lsp['first_open_s'] * 1000:.0f} ms",
            f"initialize {lsp['initialize_s'] * 1000:.0f} ms", "", "", "info")
    else:
        row(5, "language server latency", "—", "—", "—", "", f"{lsp.get('status')}: {lsp.get('note', '')}")
    ctx = ms["context"]
    if ctx.get("status") == "measured":
        row(6, f"`--context` template rendering, {ctx['rows']:,} rows (rows/s) vs Jinja2 render + spaCy floor",
            _spread(ctx["rows_per_s"]["netlint"], "rows/s", 0), _spread(ctx["rows_per_s"]["floor"], "rows/s", 0),
            _ratio_text(ctx["ratio_vs_floor"]), "", "info")
    else:
        row(6, "`--context` template rendering", "—", "—", "—", "", f"{ctx.get('status')}: {ctx.get('note', '')}")

    if t.get("status") == "measured" and isinstance(t.get("breakdown"), dict) and "total" in t["breakdown"]:
        lines += ["", "Where the in-process time goes (one extra pass over the same messages; ↳ = part of the row above it):", "",
                  "| stage | ms per message | share |", "|---|---|---|"]
        for name, value in t["breakdown"].items():
            lines.append(f"| {name} | {value['ms_per_msg']:.2f} | {value['share'] * 100:.0f}% |")
        pipe = t["msg_per_s"]["netlint_spacy_pipeline"]
        lines.append(f"| (netlint's spaCy pipeline alone, timed with the contenders) | {1000 / pipe['median']:.2f} | |")
    cpu_rows = []
    if t.get("status") == "measured" and "cpu_ratio_vs_tokenizer" in t:
        cpu_rows.append(("1 in-process netlint/tokenizer (msg per CPU-second)",
                         _spread(t["cpu_msg_per_s"]["netlint"], "msg/s", 0), _spread(t["cpu_msg_per_s"]["tokenizer"], "msg/s", 0),
                         _ratio_text(t["cpu_ratio_vs_tokenizer"])))
    if c.get("status") == "measured" and "cpu_s" in c:
        cpu_rows.append(("2 cold start netlint draft.txt / spaCy floor (CPU s)", _spread(c["cpu_s"]["netlint_draft"], "s"),
                         _spread(c["cpu_s"]["spacy_floor"], "s"), _ratio_text(c["cpu_ratio_draft_vs_spacy_floor"])))
        if c.get("no_bytecode_cache"):
            nb = c["no_bytecode_cache"]
            cpu_rows.append(("2 cold start without a bytecode cache (PYTHONDONTWRITEBYTECODE=1, wall)",
                             _spread(nb["wall_s"], "s"), _spread(c["wall_s"]["spacy_floor"], "s"),
                             _ratio_text(nb["ratio_vs_spacy_floor"])))
    if b.get("status") == "measured" and "cpu_s" in b:
        cpu_rows.append((f"3 CLI on {b['messages']:,} files: floor CPU / netlint CPU (higher is better for netlint)",
                         _spread(b["cpu_s"]["netlint"], "s"), _spread(b["cpu_s"]["floor"], "s"), _ratio_text(b["cpu_ratio_vs_floor"])))
    if cpu_rows:
        lines += ["", "CPU-time view (less sensitive to other processes on the machine) and variants:", "",
                  "| measure | netlint | baseline | ratio |", "|---|---|---|---|"]
        lines += [f"| {a} | {b_} | {c_} | {d} |" for a, b_, c_, d in cpu_rows]
    notes = list(report.get("notes") or [])
    notes += [f"memory: {n}" for n in (m.get("notes") or [])] if m.get("status") == "measured" else []
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------
# main


def _load() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def _machine_busy_s() -> float | None:
    """CPU seconds the whole machine has been busy (all CPUs), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class OtherLoad:
    """How much CPU other processes (not this run, not its children) used while a measure ran."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.busy = _machine_busy_s()
        self.own = _own_cpu_s()

    def result(self) -> dict | None:
        busy = _machine_busy_s()
        if busy is None or self.busy is None:
            return None
        wall = time.perf_counter() - self.start
        foreign = max(0.0, (busy - self.busy) - (_own_cpu_s() - self.own))
        cpus = os.cpu_count() or 1
        return {"cpu_s": round(foreign, 2), "share_of_machine": round(foreign / (wall * cpus), 3) if wall else None}


WAIT_IDLE_S = 0.0  # --wait-idle


def wait_for_quiet(limit_s: float, threshold: float = 0.25) -> float:
    """Wait (at most limit_s) until other processes use less than `threshold` of the machine."""
    waited = 0.0
    while waited < limit_s:
        probe = OtherLoad()
        time.sleep(2.0)
        waited += 2.0
        share = (probe.result() or {}).get("share_of_machine")
        if share is None or share < threshold:
            break
    return waited


def run_measure(name: str, function, *args) -> dict:
    waited = wait_for_quiet(WAIT_IDLE_S) if WAIT_IDLE_S > 0 else 0.0
    log(f"{name}: start" + (f" (waited {waited:.0f} s for other processes to quieten)" if waited else ""))
    start = time.perf_counter()
    load_before = _load()
    other = OtherLoad()
    try:
        result = function(*args)
    except Exception as exc:
        log(f"{name}: ERROR {exc.__class__.__name__}: {exc}")
        result = {"status": "error", "note": f"{exc.__class__.__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=6)}
    if isinstance(result, dict):
        result.setdefault("elapsed_s", time.perf_counter() - start)
        result.setdefault("load_average", {"before": load_before, "after": _load()})
        result.setdefault("other_processes", other.result())
        if waited:
            result.setdefault("waited_for_quiet_s", waited)
    log(f"{name}: {result.get('status') if isinstance(result, dict) else 'done'} in {time.perf_counter() - start:.1f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny configuration for CI (never asserts times)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for latest.json and latest.md")
    parser.add_argument("--seed", type=int, default=bench_corpus.DEFAULT_SEED)
    parser.add_argument("--only", help="comma-separated subset of measures (for development); the rest are skipped")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder of generated files")
    parser.add_argument("--stream-budget", type=float, default=None, metavar="SECONDS",
                        help="stop the 100,000-message run after SECONDS and report it as partial "
                             "(default 420 in full runs; 0 = no limit)")
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before each measure, wait up to SECONDS for other processes to use < 25%% of the machine")
    args = parser.parse_args(argv)
    global WAIT_IDLE_S
    WAIT_IDLE_S = args.wait_idle
    # SIGTERM ends the run like Ctrl-C: children are ended and the temporary folder removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    mode = "quick" if args.quick else "full"
    cfg = dict(CONFIGS[mode])
    if args.stream_budget is not None:
        cfg["stream_budget_s"] = args.stream_budget
    only = set(args.only.split(",")) if args.only else set(MEASURES)
    started = time.perf_counter()
    stamp = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    netlint, netlint_path = netlint_command()
    word_counts = [bench_corpus.words(t) for t in bench_corpus.messages(1000, args.seed)]
    report: dict = {
        "schema": SCHEMA,
        "mode": mode,
        "started": stamp,
        "machine": machine_info(),
        "netlint_command": netlint_path,
        "config": cfg,
        "budgets_definition": BUDGETS,
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
    global PYCACHE_PREFIX
    if mode == "full":
        PYCACHE_PREFIX = str(work / "pycache")
        report["notes"].append("Children ran with PYTHONPYCACHEPREFIX in a temporary folder (warmed up) and without "
                               "PYTHONDONTWRITEBYTECODE, as an installed netlint would; see cold_start.no_bytecode_cache "
                               "for the cost of running without a bytecode cache.")
    else:
        report["notes"].append(f"Children inherit the environment as is (PYTHONDONTWRITEBYTECODE="
                               f"{os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')}).")
    measures = report["measures"]
    try:
        def maybe(name, function, *fargs):
            if name not in only:
                return skipped("not selected (--only)")
            return run_measure(name, function, *fargs)

        measures["throughput"] = maybe("throughput", measure_throughput, cfg, args.seed)
        measures["cold_start"] = maybe("cold_start", measure_cold_start, cfg, work, netlint, args.seed)
        if "cli_batch" in only or "memory" in only:
            def batch_and_jobs(*fargs):
                batch, jobs = measure_cli_batch(*fargs)
                return {"status": "measured", "cli_batch": batch, "jobs": jobs}

            both = run_measure("cli_batch", batch_and_jobs, cfg, work, netlint, args.seed)
            if "cli_batch" in both:
                measures["cli_batch"], measures["jobs"] = both["cli_batch"], both["jobs"]
                for key in ("elapsed_s", "load_average", "other_processes"):
                    measures["cli_batch"][key] = measures["jobs"][key] = both.get(key)
            else:
                measures["cli_batch"], measures["jobs"] = both, dict(both)
        else:
            measures["cli_batch"] = measures["jobs"] = skipped("not selected (--only)")
        measures["memory"] = maybe("memory", measure_memory, cfg, work, netlint, args.seed, measures["cold_start"],
                                   measures["jobs"])
        measures["lsp"] = maybe("lsp", measure_lsp, cfg, work, args.seed)
        measures["context"] = maybe("context", measure_context, cfg, work, netlint, args.seed)
    finally:
        _end_active_children()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if cfg["big_n"] == 0:
        report["notes"].append("Quick run: tiny sizes and single repetitions; figures are for checking the harness, "
                               "not for comparing with the budgets.")
    busy = {name: (m.get("other_processes") or {}).get("share_of_machine") for name, m in measures.items()
            if isinstance(m, dict)}
    noisy = {name: share for name, share in busy.items() if share is not None and share > 0.05}
    if noisy:
        report["notes"].append(
            "Other processes used CPU during this run (share of the whole machine: "
            + ", ".join(f"{k} {v:.0%}" for k, v in noisy.items())
            + "); wall-time figures are noisier than on an idle machine. latest.json also holds CPU-time figures.")
    report["budgets"] = evaluate_budgets(measures)
    report["duration_s"] = time.perf_counter() - started
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    (args.output / "latest.md").write_text(render_markdown(report), encoding="utf-8")
    log(f"wrote {args.output / 'latest.json'} and latest.md in {report['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
