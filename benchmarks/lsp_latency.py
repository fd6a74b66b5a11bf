"""Measure 5, language server latency: open → diagnostics and change → diagnostics of `python -m linter.lsp`.

A standard-library JSON-RPC client (`lsp_client.py`) starts the server over stdio, opens documents (the
first open, which loads spaCy, rules and model, is reported on its own) and sends full-text changes,
each time waiting for that URI and version's diagnostics (pull when the server offers it, else push).
The baseline is `Linter.lint_text` of the same draft in this process: what the server must do per change.
Run alone: `python benchmarks/lsp_latency.py [--quick]` (the same as `run.py --only lsp`).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from pathlib import Path

import bench_corpus
from harness import ACTIVE, Bench, child_env, end_child, latency, skipped, summary

NAME = "lsp"


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


def _server_source() -> str | None:
    """The language server's source (linter/lsp.py, or every file of the linter/lsp/ package) when it has a `python -m linter.lsp` entry point."""
    try:
        spec = importlib.util.find_spec("linter.lsp")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return None
    origin = Path(spec.origin)
    package = origin.parent if origin.name == "__init__.py" else None  # linter/lsp/ is a package
    if package is not None:
        return "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in sorted(package.glob("*.py"))) \
            if (package / "__main__.py").is_file() else None
    source = origin.read_text(encoding="utf-8", errors="replace")
    return source if "__main__" in source else None


def _over(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def measure(bench: Bench) -> dict:
    source = _server_source()
    if source is None:
        return skipped("no `python -m linter.lsp` entry point: no language server to measure")
    from lsp_client import LspClient, LspError, file_uri

    from linter.config import Config
    from linter.engine import Linter
    from linter.model import load_default

    cfg = bench.cfg
    draft = bench_corpus.draft(bench.seed)
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
    docs = bench.work / "lsp"
    docs.mkdir(exist_ok=True)
    client = LspClient(command, cwd=str(docs), env=child_env())
    ACTIVE.add(client.process)
    result: dict = {"status": "measured", "command": " ".join(["python"] + command[1:]),
                    "draft_words": bench_corpus.words(draft)}
    debounce = re.search(r"DEBOUNCE_MS\s*=\s*(\d+)", source)  # best effort, for the table's note only
    try:
        start = time.perf_counter()
        result["initialize_s"] = client.initialize(docs, timeout=120)
        mode = "pull" if client.pull_diagnostics else "push"  # as editors do: pull when the server offers it
        opens, changes, counts = [], [], []
        first = None
        for i in range(cfg["lsp_opens"] + 1):
            path = docs / f"draft-{i}.txt"
            path.write_text(draft, encoding="utf-8")
            uri = file_uri(path)
            sent = client.open(uri, draft)
            seconds, count = client.diagnostics_after(sent, uri, 1, mode, timeout=120 if i == 0 else 30)
            counts.append(count)
            if i == 0:
                first = seconds  # cold: may include loading spaCy, rules and model
            else:
                opens.append(seconds)
            client.drain(0.05)
            if i < cfg["lsp_opens"]:
                client.close_document(uri)
        edits = _edits(draft)
        for version in range(2, cfg["lsp_changes"] + 2):
            sent = client.change(uri, version, edits[version % len(edits)])
            seconds, count = client.diagnostics_after(sent, uri, version, mode, timeout=30)
            changes.append(seconds)
            counts.append(count)
            client.drain(0.05)
        baseline = latency(inprocess)
        result.update({
            "mode": mode,
            "sync": client.server_capabilities.get("textDocumentSync"),
            "first_open_s": first,
            "open_s": latency(opens),
            "change_s": latency(changes),
            "diagnostics_per_draft": summary(counts),
            "inprocess_lint_s": baseline,
            "ratio_open_p50_vs_inprocess": {"value": _over(latency(opens)["p50"], baseline["p50"])},
            "ratio_change_p50_vs_inprocess": {"value": _over(latency(changes)["p50"], baseline["p50"])},
            "ratio_change_p95_vs_inprocess": {"value": _over(latency(changes)["p95"], baseline["p95"])},
            "total_s": time.perf_counter() - start,
            "server_debounce_ms": int(debounce.group(1)) if debounce else None,
        })
        if not any(counts):
            result["note"] = "the server reported no diagnostics at all for a draft netlint flags: check the server"
    except LspError as exc:
        result = {"status": "error", "note": f"language server: {exc}", "command": result["command"]}
    finally:
        try:
            client.close()
        except Exception:  # the process is ours: end_child makes sure it is gone
            pass
        end_child(client.process)
    return result


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
