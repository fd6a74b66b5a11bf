"""Measure 1, in-process throughput: `Linter.lint` over N messages beside spaCy's tokenizer in the same process.

Contenders run interleaved, repetition by repetition, so drift on the machine hits each alike: netlint,
spaCy's tokenizer alone (the per-message cost budget's baseline), `spacy.blank('en')` + sentencizer, and
netlint's own spaCy pipeline. Afterwards one pass of `stages.profile` says where netlint's time goes.
Run alone: `python benchmarks/throughput.py [--quick]` (the same as `run.py --only throughput`).
"""

from __future__ import annotations

import gc
import time

import bench_corpus
from harness import Bench, ratio, summary

NAME = "throughput"


def measure(bench: Bench) -> dict:
    import spacy

    from linter.config import Config
    from linter.engine import Linter, Source
    from linter.model import load_default

    n = bench.cfg["throughput_n"]
    repeats = bench.cfg["throughput_repeats"]
    texts = list(bench_corpus.messages(n, bench.seed))
    started = time.perf_counter()
    linter = Linter(Config(), model=load_default())
    load_s = time.perf_counter() - started
    tokenizer_nlp = spacy.blank("en")
    sentencizer_nlp = spacy.blank("en")
    sentencizer_nlp.add_pipe("sentencizer")

    def run_netlint() -> int:
        return sum(1 for _ in linter.lint(Source(f"msg-{i:06d}.txt", t, "draft") for i, t in enumerate(texts)))

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
    for _ in range(repeats):
        for name, function in contenders.items():
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
        "repeats": repeats,
        "linter_load_s": load_s,
        "msg_per_s": {name: summary(values) for name, values in rates.items()},
        "ratio_vs_tokenizer": ratio(rates["netlint"], rates["tokenizer"]),
        # netlint's time per message over the tokenizer's: the "per-message cost" budget
        "cost_vs_tokenizer": ratio(rates["tokenizer"], rates["netlint"]),
        "ratio_vs_blank_sentencizer": ratio(rates["netlint"], rates["blank_sentencizer"]),
        "cpu_msg_per_s": {name: summary(values) for name, values in cpu_rates.items()},
        "cpu_ratio_vs_tokenizer": ratio(cpu_rates["netlint"], cpu_rates["tokenizer"]),
    }
    try:
        import stages  # imports netlint's stage functions, which move while others edit it

        result["breakdown"] = stages.per_message(texts, repeat=1)
    except Exception as exc:  # never fail the run for the breakdown
        result["breakdown"] = {"error": f"{exc.__class__.__name__}: {exc}"}
    return result


if __name__ == "__main__":
    import run

    raise SystemExit(run.main_for(NAME))
