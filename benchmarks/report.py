"""The budgets of the performance issue, judged on one run's measures, and that run's Markdown report.

`evaluate_budgets(measures)` returns one row per budget, always all of them: a budget whose measure did
not run has `met` None and a note saying why. Every budget is judged against a figure measured in the
same run. `render_markdown(report)` turns latest.json's contents into latest.md.
"""

from __future__ import annotations

import operator

BUDGETS = {
    "batch_msg_per_s_min": 900,  # `netlint <1,000 files>` in one process
    "batch_vs_write_good_min": 1.0,  # ... faster than write-good on the same files
    "cost_vs_tokenizer_max": 3.0,  # in-process time per message <= 3 x spaCy's tokenizer alone
    "jobs_speedup_min": 1.7,  # `--jobs 2` wall time: one process / two jobs
    "cold_start_ratio_max": 1.15,  # `netlint draft.txt` <= 1.15 x `import spacy; spacy.blank('en')`
    "startup_delta_max_s": 0.10,  # `--version` / `--help` within 0.1 s of `python -c pass`
    "lsp_change_p95_max_ms": 25,  # language server, change -> diagnostics
    "rss_flat_ratio_max": 1.10,  # our criterion for "flat": RSS(largest N) <= 1.10 x RSS(1k)
    "warm_server_p95_max_ms": 50,  # `netlint -` through a warm `netlint server`, end to end
}


OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt}


def _measured(measure: dict) -> bool:
    return measure.get("status") == "measured"


def _why_not(measure: dict, what: str) -> str:
    if str(measure.get("note", "")).startswith("not measured"):
        return measure["note"]
    return f"not measured: {what} {measure.get('status', 'did not run')}" + (
        f" ({measure['note']})" if measure.get("note") else "")


def _judge(key: str, name: str, op: str, limit: float, unit: str, figures: tuple | str) -> dict:
    """One budget row. `figures` is (value, baseline in the same run, ratio text), or why it was not measured."""
    row = {"key": key, "name": name, "budget": f"{op} {limit}{unit}", "unit": unit.strip(), "value": None,
           "met": None, "baseline": "", "ratio": ""}
    if isinstance(figures, str):
        row["note"] = figures
        return row
    row["value"], row["baseline"], row["ratio"] = figures
    row["met"] = OPERATORS[op](row["value"], limit)
    return row


def _batch_rate(batch: dict) -> tuple | str:
    if not _measured(batch):
        return _why_not(batch, "cli_batch")
    return (batch["msg_per_s"]["netlint"]["median"],
            f"spaCy floor script {_fmt(batch['msg_per_s']['floor']['median'], 'msg/s')}", _ratio_text(batch["ratio_vs_floor"]))


def _versus_write_good(batch: dict) -> tuple | str:
    if not _measured(batch):
        return _why_not(batch, "cli_batch")
    peer = batch["others"].get("write-good", {})
    if not _measured(peer):
        return _why_not(peer, "write-good")
    versus = batch["ratio_vs_peers"]["write-good"]
    return versus["value"], f"write-good {_fmt(peer['msg_per_s']['median'], 'msg/s')}", _ratio_text(versus)


def _cost(throughput: dict) -> tuple | str:
    if not _measured(throughput):
        return _why_not(throughput, "throughput")
    tokenizer_ms = 1000 / throughput["msg_per_s"]["tokenizer"]["median"]
    cost = throughput["cost_vs_tokenizer"]
    return cost["value"], f"tokenizer {_fmt(tokenizer_ms, 'ms')} per message", _ratio_text(cost)


def _speedup(jobs: dict) -> tuple | str:
    if not _measured(jobs):
        return _why_not(jobs, "jobs")
    return jobs["speedup"]["value"], f"one process {_fmt(jobs['single_wall_s']['median'], 's')}", _ratio_text(jobs["speedup"])


def _cold(cold: dict) -> tuple | str:
    if not _measured(cold):
        return _why_not(cold, "cold_start")
    r = cold["ratio_draft_vs_spacy_floor"]
    return r["value"], f"spaCy floor {_fmt(cold['wall_s']['spacy_floor']['median'], 's')}", _ratio_text(r)


def _startup(cold: dict, key: str) -> tuple | str:
    if not _measured(cold):
        return _why_not(cold, "cold_start")
    python = cold["wall_s"]["python_pass"]["median"]
    return (cold["wall_s"][key]["median"] - python, f"python -c pass {_fmt(python, 's', 3)}",
            _ratio_text(cold[f"ratio_{key.split('_')[1]}_vs_python"]))


def _lsp_p95(lsp: dict) -> tuple | str:
    if not _measured(lsp):
        return _why_not(lsp, "lsp")
    return (lsp["change_s"]["p95"] * 1000, f"in-process lint_text p95 {lsp['inprocess_lint_s']['p95'] * 1000:.1f} ms",
            _ratio_text(lsp["ratio_change_p95_vs_inprocess"]))


def _flat(memory: dict) -> tuple | str:
    if not _measured(memory) or "ratio_largest_vs_smallest" not in memory:
        return _why_not(memory, "memory")
    flat = memory["ratio_largest_vs_smallest"]
    smallest = memory["by_messages"][str(flat["smallest"])]["peak_rss_mb"]
    return (flat["value"], f"{flat['smallest']:,} messages {_fmt(smallest, 'MB', 0)} (largest run: {flat['largest']:,})",
            f"{flat['value']:.2f}x")


def _warm_p95(warm: dict) -> tuple | str:
    if not _measured(warm):
        return _why_not(warm, "warm_server")
    return (warm["warm_s"]["p95"] * 1000, f"no server: p95 {warm['cold_s']['p95'] * 1000:.0f} ms",
            _ratio_text(warm["ratio_p95_warm_vs_cold"]))


def evaluate_budgets(measures: dict) -> list[dict]:
    b = BUDGETS
    m = {name: measures.get(name, {}) for name in
         ("cli_batch", "throughput", "jobs", "cold_start", "lsp", "memory", "warm_server")}
    files = m["cli_batch"].get("messages", 1000)
    return [
        _judge("batch_rate", f"{files:,} files in one process (msg/s)", ">=", b["batch_msg_per_s_min"], " msg/s",
               _batch_rate(m["cli_batch"])),
        _judge("batch_vs_write_good", "… faster than write-good on the same files", ">", b["batch_vs_write_good_min"],
               "x", _versus_write_good(m["cli_batch"])),
        _judge("cost", "per-message cost, in process, over spaCy's tokenizer alone", "<=", b["cost_vs_tokenizer_max"],
               "x", _cost(m["throughput"])),
        _judge("jobs", "`--jobs 2` speed-up over one process", ">=", b["jobs_speedup_min"], "x", _speedup(m["jobs"])),
        _judge("cold_start", "cold start `netlint draft.txt` / `import spacy; spacy.blank('en')`", "<=",
               b["cold_start_ratio_max"], "x", _cold(m["cold_start"])),
        _judge("netlint_version", "`netlint --version` - `python -c pass` (s)", "<=", b["startup_delta_max_s"], " s",
               _startup(m["cold_start"], "netlint_version")),
        _judge("netlint_help", "`netlint --help` - `python -c pass` (s)", "<=", b["startup_delta_max_s"], " s",
               _startup(m["cold_start"], "netlint_help")),
        _judge("lsp", "language server change → diagnostics, p95 (ms)", "<=", b["lsp_change_p95_max_ms"], " ms",
               _lsp_p95(m["lsp"])),
        _judge("memory", "peak RSS, largest run / smallest (flat memory over 100,000 messages)", "<=",
               b["rss_flat_ratio_max"], "x", _flat(m["memory"])),
        _judge("warm_server", "warm stdin lint through a warm server, end to end, p95 (ms)", "<=",
               b["warm_server_p95_max_ms"], " ms", _warm_p95(m["warm_server"])),
    ]


# ----------------------------------------------------------------------------------------------------
# Markdown


def _status(budget: dict | None) -> str:
    if budget is None:
        return "info"
    if budget["met"] is None:
        return "not measured"
    return "met" if budget["met"] else "MISSED"


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


def _not_run(measure: dict) -> str:
    return f"{measure.get('status')}: {measure.get('note', '')}"


class _Table:
    """The measures table: one row per figure, its budget's status looked up by key."""

    def __init__(self, budgets: list[dict]) -> None:
        self.budgets = {b["key"]: b for b in budgets}
        self.lines = ["| # | measure | netlint | baseline | ratio | budget | status |",
                      "|---|---|---|---|---|---|---|"]

    def row(self, number, measure, ours, base, ratio, budget_key: str | None = None, status: str = "") -> None:
        budget = self.budgets.get(budget_key) if budget_key else None
        self.lines.append(f"| {number} | {measure} | {ours} | {base} | {ratio} | {budget['budget'] if budget else ''} "
                          f"| {status or _status(budget)} |")

    def not_run(self, number, measure, result: dict) -> None:
        self.row(number, measure, "—", "—", "—", status=_not_run(result))


def _throughput_rows(table: _Table, t: dict) -> None:
    if not _measured(t):
        return table.not_run(1, "in-process throughput", t)
    rates = t["msg_per_s"]
    table.row(1, f"in-process Linter.lint, {t['messages']:,} msgs (msg/s) vs spaCy tokenizer alone",
              _spread(rates["netlint"], "msg/s", 0), _spread(rates["tokenizer"], "msg/s", 0),
              _ratio_text(t["ratio_vs_tokenizer"]))
    table.row(1, "… per-message cost over the tokenizer's (tokenizer msg/s / netlint msg/s)", "", "",
              _ratio_text(t["cost_vs_tokenizer"]), "cost")
    table.row(1, "… vs spacy.blank('en') + sentencizer", _spread(rates["netlint"], "msg/s", 0),
              _spread(rates["blank_sentencizer"], "msg/s", 0), _ratio_text(t["ratio_vs_blank_sentencizer"]))


def _cold_start_rows(table: _Table, c: dict) -> None:
    if not _measured(c):
        return table.not_run(2, "cold start", c)
    w = c["wall_s"]
    table.row(2, "cold start `netlint draft.txt` (wall) vs `python -c \"import spacy; spacy.blank('en')\"`",
              _spread(w["netlint_draft"], "s"), _spread(w["spacy_floor"], "s"), _ratio_text(c["ratio_draft_vs_spacy_floor"]),
              "cold_start")
    for key, flag in (("netlint_version", "--version"), ("netlint_help", "--help")):
        delta = w[key]["median"] - w["python_pass"]["median"]
        table.row(2, f"`netlint {flag}` vs `python -c pass`", _spread(w[key], "s", 3), _spread(w["python_pass"], "s", 3),
                  f"{_ratio_text(c['ratio_' + key.split('_')[1] + '_vs_python'])} (Δ {delta:+.3f} s)", key)


def _batch_rows(table: _Table, b: dict) -> None:
    if not _measured(b):
        return table.not_run(3, "CLI batch", b)
    ours = _spread(b["msg_per_s"]["netlint"], "msg/s", 0)
    table.row(3, f"one CLI call on {b['messages']:,} files, json-lines (msg/s) vs spaCy floor script on the same files",
              ours, _spread(b["msg_per_s"]["floor"], "msg/s", 0), _ratio_text(b["ratio_vs_floor"]), "batch_rate")
    for name, other in b["others"].items():
        key = "batch_vs_write_good" if name == "write-good" else None
        if _measured(other):
            version = f" {other['version']}" if other.get("version") else ""
            table.row(3, f"… {name}{version} on the same files (measured)", ours, _spread(other["msg_per_s"], "msg/s", 0),
                      _ratio_text(b["ratio_vs_peers"][name]), key)
        else:
            reported = b["reported"].get(name)
            table.row(3, f"… {name}: {other.get('status')} ({other.get('note', '')})", "",
                      f"{reported} (reported)" if reported else "", "", key, other.get("status"))


def _memory_rows(table: _Table, m: dict) -> None:
    if not _measured(m):
        return table.not_run(4, "memory", m)
    if "one_draft_mb" in m:
        table.row(4, "peak RSS, one draft vs the spaCy floor process", _spread(m["one_draft_mb"], "MB", 0),
                  _spread(m["spacy_floor_mb"], "MB", 0), f"{m['ratio_one_draft_vs_spacy_floor']['value']:.2f}x")
    ordered = sorted(m["by_messages"].items(), key=lambda kv: int(kv[0]))
    base_n, base = ordered[0]
    for n, entry in ordered:
        extra = f" ({entry['msg_per_s']:.0f} msg/s)" if entry.get("msg_per_s") else ""
        if entry.get("partial"):
            extra += f" — PARTIAL: {entry['target']:,}-message run stopped by the time budget"
        last = n == ordered[-1][0] and len(ordered) > 1
        table.row(4, f"peak RSS, {int(n):,} messages streamed (--format json-lines){extra}",
                  _fmt(entry["peak_rss_mb"], "MB", 0), f"{int(base_n):,} msgs: {_fmt(base['peak_rss_mb'], 'MB', 0)}",
                  f"{entry['peak_rss_mb'] / base['peak_rss_mb']:.2f}x", "memory" if last else None)
    inner = ordered[-1][1].get("checkpoints") or {}
    if len(inner) >= 2:
        points = sorted(inner.items(), key=lambda kv: int(kv[0]))
        first = points[0][1]["hwm_mb"]
        trail = ", ".join(f"{int(k):,}: {v['hwm_mb']:.0f} MB" for k, v in points)
        table.row(4, f"RSS high-water mark inside the {int(ordered[-1][0]):,}-message run, after N messages",
                  trail, f"after {int(points[0][0]):,}: {first:.0f} MB", f"{points[-1][1]['hwm_mb'] / first:.2f}x")


def _jobs_rows(table: _Table, j: dict) -> None:
    if not _measured(j):
        return table.not_run(4, "`--jobs 2`", j)
    table.row(4, f"`--jobs 2` vs one job on {j['messages']:,} files (wall time; speed-up {_ratio_text(j['speedup'])})",
              _spread(j["pair_wall_s"], "s"), _spread(j["single_wall_s"], "s"), _ratio_text(j["ratio_pair_vs_single"]),
              "jobs")


def _lsp_rows(table: _Table, lsp: dict) -> None:
    if not _measured(lsp):
        return table.not_run(5, "language server latency", lsp)
    base = lsp["inprocess_lint_s"]
    for key, label in (("open_s", "open → diagnostics"), ("change_s", "change → diagnostics")):
        s = lsp[key]
        if key == "change_s" and lsp.get("server_debounce_ms"):
            label += f" (includes the server's {lsp['server_debounce_ms']} ms debounce)"
        table.row(5, f"language server {label} ({lsp['draft_words']}-word draft, {lsp['mode']}), p50 / p95",
                  f"{s['p50'] * 1000:.0f} / {s['p95'] * 1000:.0f} ms (n={s['n']})",
                  f"in-process lint_text {base['p50'] * 1000:.0f} / {base['p95'] * 1000:.0f} ms",
                  f"{s['p50'] / base['p50']:.2f}x / {s['p95'] / base['p95']:.2f}x", "lsp" if key == "change_s" else None)
    table.row(5, "language server first open (cold) / initialize", f"{lsp['first_open_s'] * 1000:.0f} ms",
              f"initialize {lsp['initialize_s'] * 1000:.0f} ms", "")


def _context_rows(table: _Table, ctx: dict) -> None:
    if not _measured(ctx):
        return table.not_run(6, "`--context` template rendering", ctx)
    table.row(6, f"`--context` template rendering, {ctx['rows']:,} rows (rows/s) vs Jinja2 render + spaCy floor",
              _spread(ctx["rows_per_s"]["netlint"], "rows/s", 0), _spread(ctx["rows_per_s"]["floor"], "rows/s", 0),
              _ratio_text(ctx["ratio_vs_floor"]))


def _warm_server_rows(table: _Table, warm: dict) -> None:
    if not _measured(warm):
        return table.row(7, "warm stdin lint through a warm server", "—", "—", "—", "warm_server", _not_run(warm))
    w, c = warm["warm_s"], warm["cold_s"]
    table.row(7, f"`netlint -` through a warm `netlint server` ({warm['draft_words']}-word draft), p50 / p95",
              f"{w['p50'] * 1000:.0f} / {w['p95'] * 1000:.0f} ms (n={w['n']})",
              f"no server {c['p50'] * 1000:.0f} / {c['p95'] * 1000:.0f} ms", _ratio_text(warm["ratio_p95_warm_vs_cold"]),
              "warm_server")


def _budget_lines(budgets: list[dict]) -> list[str]:
    lines = ["| budget | netlint | baseline in the same run | ratio | target | status |", "|---|---|---|---|---|---|"]
    for b in budgets:
        value = "" if b["value"] is None else _fmt(b["value"]) + ("x" if b["unit"] == "x" else f" {b['unit']}")
        status = _status(b) if b["met"] is not None else b.get("note", "not measured")
        lines.append(f"| {b['name']} | {value} | {b['baseline']} | {b['ratio']} | {b['budget']} | {status} |")
    return lines


def _cpu_lines(ms: dict) -> list[str]:
    t, c, b = ms["throughput"], ms["cold_start"], ms["cli_batch"]
    rows = []
    if _measured(t):
        rows.append(("1 in-process netlint/tokenizer (msg per CPU-second)", _spread(t["cpu_msg_per_s"]["netlint"], "msg/s", 0),
                     _spread(t["cpu_msg_per_s"]["tokenizer"], "msg/s", 0), _ratio_text(t["cpu_ratio_vs_tokenizer"])))
    if _measured(c):
        rows.append(("2 cold start netlint draft.txt / spaCy floor (CPU s)", _spread(c["cpu_s"]["netlint_draft"], "s"),
                     _spread(c["cpu_s"]["spacy_floor"], "s"), _ratio_text(c["cpu_ratio_draft_vs_spacy_floor"])))
        if c.get("no_bytecode_cache"):
            nb = c["no_bytecode_cache"]
            rows.append(("2 cold start without a bytecode cache (PYTHONDONTWRITEBYTECODE=1, wall)",
                         _spread(nb["wall_s"], "s"), _spread(c["wall_s"]["spacy_floor"], "s"),
                         _ratio_text(nb["ratio_vs_spacy_floor"])))
    if _measured(b):
        rows.append((f"3 CLI on {b['messages']:,} files: floor CPU / netlint CPU (higher is better for netlint)",
                     _spread(b["cpu_s"]["netlint"], "s"), _spread(b["cpu_s"]["floor"], "s"), _ratio_text(b["cpu_ratio_vs_floor"])))
    if not rows:
        return []
    return ["", "CPU-time view (less sensitive to other processes on the machine) and variants:", "",
            "| measure | netlint | baseline | ratio |", "|---|---|---|---|"] + [f"| {' | '.join(r)} |" for r in rows]


def _breakdown_lines(t: dict) -> list[str]:
    breakdown = t.get("breakdown") if _measured(t) else None
    if not breakdown:
        return []
    if "error" in breakdown:
        return ["", f"Where the in-process time goes: not available ({breakdown['error']})."]
    import stages

    return ["", "Where the in-process time goes (`stages.profile`: netlint's own stage functions called in order on "
                "the same messages, one pass; stages named \"all\" overlap the rows above them):", "",
            *stages.table(breakdown)]


def render_markdown(report: dict) -> str:
    mach = report["machine"]
    ms = report["measures"]
    table = _Table(report["budgets"])
    _throughput_rows(table, ms["throughput"])
    _cold_start_rows(table, ms["cold_start"])
    _batch_rows(table, ms["cli_batch"])
    _memory_rows(table, ms["memory"])
    _jobs_rows(table, ms["jobs"])
    _lsp_rows(table, ms["lsp"])
    _context_rows(table, ms["context"])
    _warm_server_rows(table, ms["warm_server"])
    lines = [
        f"# netlint benchmarks ({report['mode']} run)",
        "",
        f"{report['started']} · {report['duration_s']:.0f} s · {mach['cpu_model']}, {mach['usable_cpus']} usable CPUs "
        f"of {mach['cpu_count']}, {mach['memory_gb']} GB · Python {mach['python']} · spaCy {mach['spacy']} · "
        f"netlint {mach['netlint']} · commit {(mach.get('git_head') or 'unknown')[:12]} · {mach['platform']}",
        "",
        f"Corpus: generated, seed {report['corpus']['seed']}, {report['corpus']['words']['min']}–"
        f"{report['corpus']['words']['max']} words per message (median {report['corpus']['words']['median']:.0f}); "
        f"first-1,000 sha256 `{report['corpus']['fingerprint'][:16]}…`. "
        "Cells are median [min–max] over repeated runs; ratios are netlint / baseline (ratio of medians, "
        "[range of per-repetition ratios]).",
        "",
        "Budgets, each judged against a baseline measured in the same run:",
        "",
        *_budget_lines(report["budgets"]),
        "",
        "Every measure:",
        "",
        *table.lines,
        *_breakdown_lines(ms["throughput"]),
        *_cpu_lines(ms),
    ]
    notes = list(report.get("notes") or [])
    if _measured(ms["memory"]):
        notes += [f"memory: {n}" for n in ms["memory"].get("notes") or []]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"
