"""What every measure shares: running and timing child processes, peak RSS, statistics, machine info, load.

A measure is a module with `NAME` and `measure(bench: Bench) -> dict`; `run.py` calls them in order.
This module owns how a child is started (environment, GNU time for peak RSS, the list of children to
end if the run is interrupted), how repeated figures are summarised (`summary`, `ratio`, `latency`),
what the machine is (`machine_info`) and how busy other processes keep it (`OtherLoad`, `run_measure`).
It knows nothing about any one measure.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Bench:
    """One run's shared state: its configuration, temporary folder, the netlint command, earlier results."""

    cfg: dict
    work: Path
    netlint: list[str]
    seed: int
    results: dict = field(default_factory=dict)


@dataclass
class Settings:
    """Run-wide choices made once by run.py from its flags."""

    pycache_prefix: str | None = None  # full runs: children cache bytecode in the run's temporary folder
    wait_idle_s: float = 0.0  # --wait-idle


settings = Settings()


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------
# statistics


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
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency(values: list[float]) -> dict:
    """p50 / p95 of latencies in seconds."""
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "min": min(values) if values else None, "max": max(values) if values else None}


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


# ----------------------------------------------------------------------------------------------------
# child processes


def netlint_command() -> tuple[list[str], str]:
    """The real `netlint` console script of this interpreter (no pyenv/venv shim in front of it)."""
    beside = Path(sys.executable).parent / ("netlint.exe" if os.name == "nt" else "netlint")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)], str(beside)
    found = shutil.which("netlint")
    if found:
        return [found], found
    return [sys.executable, "-m", "linter"], f"{sys.executable} -m linter"


def child_env(bytecode_cache: bool = True) -> dict:
    """Environment of every child. In full runs bytecode is cached in a temporary folder.

    Some environments (this CI image among them) set PYTHONDONTWRITEBYTECODE=1; an editable install then
    recompiles netlint's own modules on every start, which a wheel install never does. Full runs unset it
    and point PYTHONPYCACHEPREFIX at a temporary folder (warmed up before timing), so no file is written
    into the repository and netlint and its baselines get the same treatment. `bytecode_cache=False` is
    the same environment with no bytecode written or redirected, as this image runs commands.
    """
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("PYTHONSTARTUP", None)
    if settings.pycache_prefix and bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = settings.pycache_prefix
    elif not bytecode_cache:
        env.pop("PYTHONPYCACHEPREFIX", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class ChildResult:
    wall: float
    code: int
    rss_kb: int | None
    cpu: float | None
    stderr: str

    @property
    def rss_mb(self) -> float | None:
        return None if self.rss_kb is None else self.rss_kb / 1024


ACTIVE: set[subprocess.Popen] = set()  # children still running, ended if the run is interrupted


def start_child(cmd: list[str], **kwargs) -> subprocess.Popen:
    process = subprocess.Popen(cmd, **kwargs)
    ACTIVE.add(process)
    return process


def end_child(process: subprocess.Popen) -> None:
    """End one child this run started, by its own handle."""
    if process.poll() is None:
        try:
            process.kill()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
    ACTIVE.discard(process)


def end_active_children() -> None:
    for process in list(ACTIVE):
        end_child(process)


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
            last = probe.stderr.strip().splitlines()[-1:]
            if probe.returncode == 0 and last and last[0].isdigit():
                return candidate
    return None


TIME_BIN = _gnu_time()


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (KB) of a process, from /proc; empty where there is no /proc."""
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


def own_hwm_mb() -> float:
    return (proc_status(os.getpid()).get("VmHWM") or 0) / 1024


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
        process = start_child(cmd, cwd=cwd, stdin=inp, stdout=stdout, stderr=err, env=env or child_env())
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
            lines = [line for line in Path(rss_file.name).read_text().splitlines() if line.strip()]
            rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else None
        except OSError:
            rss = None
        finally:
            os.unlink(rss_file.name)
    elif rss is not None and rss <= own_hwm_mb() * 1024:
        rss = None  # only the runner's inherited high-water mark: unknown
    return ChildResult(wall, code, rss, cpu, text[-600:])


def check_ok(result: ChildResult, what: str, ok_codes=(0, 1)) -> None:
    if result.code not in ok_codes:
        raise RuntimeError(f"{what} exited {result.code}: {result.stderr.strip()[-300:]}")


def run_streaming(cmd: list[str], cwd: Path, checkpoints: list[int], timeout: float = 3600,
                  budget_s: float = 0.0) -> dict:
    """Run a json-lines netlint, count output lines as they stream, sample RSS; RSS at each checkpoint.

    With budget_s > 0 the run is stopped after that many seconds and reported as partial.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = start_child(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                              env=child_env())
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
            status = proc_status(process.pid)
            if status:
                samples.append((time.perf_counter() - start, state["lines"], status.get("VmRSS", 0),
                                status.get("VmHWM", 0)))
        try:
            code, _, cpu = _reap(process)
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


def help_text(cmd: list[str]) -> str | None:
    """What `cmd` prints for help (stdout), or None when it fails to run or exits non-zero."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=child_env())
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


# ----------------------------------------------------------------------------------------------------
# the machine and how busy it is


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
        "load_average_at_start": load_average(),
        "git_head": _git_head(),
    }


def _git_head() -> str | None:
    """The checked-out commit, read from .git files (no git command is run). The tree may have edits."""
    git = ROOT / ".git"
    try:
        if git.is_file():  # a worktree: .git names the real folder
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(None, 1)[1]
        common = git / "commondir"
        roots = [git] + ([(git / common.read_text().strip()).resolve()] if common.is_file() else [])
        for root in roots:
            loose = root / ref
            if loose.is_file():
                return loose.read_text().strip()
            packed = root / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0]
    except (OSError, IndexError):
        return None
    return None


def load_average() -> list[float] | None:
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
    """Run one measure: an error becomes its result; elapsed time, load and other processes' CPU are added."""
    waited = wait_for_quiet(settings.wait_idle_s) if settings.wait_idle_s > 0 else 0.0
    log(f"{name}: start" + (f" (waited {waited:.0f} s for other processes to quieten)" if waited else ""))
    start = time.perf_counter()
    load_before = load_average()
    other = OtherLoad()
    try:
        result = function(*args)
    except Exception as exc:
        log(f"{name}: ERROR {exc.__class__.__name__}: {exc}")
        result = {"status": "error", "note": f"{exc.__class__.__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=6)}
    result.setdefault("elapsed_s", time.perf_counter() - start)
    result.setdefault("load_average", {"before": load_before, "after": load_average()})
    result.setdefault("other_processes", other.result())
    if waited:
        result.setdefault("waited_for_quiet_s", waited)
    log(f"{name}: {result.get('status')} in {time.perf_counter() - start:.1f} s")
    return result
