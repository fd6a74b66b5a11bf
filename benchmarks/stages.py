"""Where one message's time goes: a stage-by-stage breakdown of netlint's pipeline, in one process.

    python benchmarks/stages.py [--messages 1000] [--repeat 3] [--output benchmarks/results/stages.md]

Each stage is the same call the engine makes (`Linter.parse`, `nlp.pipe`, `signals.measure`, the phrase
matcher, each check, `scoring.score`, the classifier's sentence readings, a formatter), run on its own
over the benchmark corpus (`bench_corpus.py`) and timed with `time.perf_counter`; nothing in netlint is
patched. The figure per stage is the best of `--repeat` passes, in microseconds per message, beside
spaCy's tokenizer on the same texts, the baseline the budgets are stated against.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_corpus import messages  # noqa: E402

from linter import formats  # noqa: E402
from linter.checks import CHECKS, MODEL_CHECKS  # noqa: E402
from linter.config import Config  # noqa: E402
from linter.engine import Linter, Source  # noqa: E402
from linter.model import body_sentence_terms, load_default, terms  # noqa: E402
from linter.scoring import features, rules_logits, score  # noqa: E402
from linter.signals import Analysis, measure  # noqa: E402

TOKENIZER = "baseline: spaCy tokenizer alone"
END_TO_END = "end to end: Linter.lint"


def profile(texts: list[str]) -> dict[str, float]:
    """Seconds spent in each stage over all `texts`."""
    linter = Linter(Config(), model=load_default())
    model = linter.model
    spent: dict[str, float] = {}

    def timed(stage: str, function, *args):
        started = time.perf_counter()
        result = function(*args)
        spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - started
        return result

    parsed = timed("parse (placeholders, regions)", lambda: [linter.parse(t) for t in texts])
    docs = timed("spaCy pipeline (tokenizer + sentencizer)", lambda: list(linter.nlp.pipe([m.analysed for m in parsed])))
    checks = [r for r in linter.rules if r.check and r.check not in MODEL_CHECKS]
    for text, message, doc in zip(texts, parsed, docs):
        signals = timed("signals (tokens, sentences, sentence moves by rule)", measure, message, doc)
        analysis = Analysis(message=message, doc=doc, signals=signals, mode="draft")
        timed("phrase and pattern matching", lambda: list(linter.compiled.matches(doc, signals.tokens)))
        for rule in checks:
            timed(f"check: {rule.check}", CHECKS[rule.check], analysis, rule.params)
        found = timed("rule findings, all (matching + checks + filters)", linter.findings, analysis, "m.txt")
        values = timed("scoring features and rules' logits", lambda: rules_logits(features(analysis, found), found))
        timed("classifier: message n-grams", terms, analysis)
        sentence_terms = timed("classifier: body-sentence n-grams", body_sentence_terms, analysis)
        timed("classifier: sentence moves", model.moves.features, sentence_terms)
        timed("classifier: message logits (all labels)", model.predict, analysis, features(analysis, found), values)
        timed("scores, all (features + classifier + reasons)", score, analysis, found, model)
        timed("classifier: sentence readings (NL190, NL390)", model.sentence_readings, analysis)
        report = timed("whole report after signals (as the engine runs it)", linter.report, Source("m.txt", text), analysis)
        timed("format: json line", formats.json_line, report)
        timed("format: text", formats.text, report)
    started = time.perf_counter()
    list(linter.nlp.tokenizer.pipe(texts))
    spent[TOKENIZER] = time.perf_counter() - started
    started = time.perf_counter()
    for _ in linter.lint(Source(f"m{i}.txt", t) for i, t in enumerate(texts)):
        pass
    spent[END_TO_END] = time.perf_counter() - started
    return spent


def per_message(texts: list[str], repeat: int = 3) -> dict[str, float]:
    """Microseconds per message of each stage: the best of `repeat` passes, after a warm-up pass."""
    profile(texts[:50])  # warm-up: caches, lazy imports
    runs = [profile(texts) for _ in range(repeat)]
    return {stage: 1e6 * min(run[stage] for run in runs) / len(texts) for stage in runs[0]}


def table(us_per_message: dict[str, float]) -> list[str]:
    """The stage table in Markdown, each stage also as a multiple of the tokenizer's cost."""
    tokenizer = us_per_message[TOKENIZER]
    lines = ["| stage | µs per message | x tokenizer |", "|---|---|---|"]
    lines += [f"| {stage} | {us:.0f} | {us / tokenizer:.1f} |" for stage, us in us_per_message.items()]
    end_to_end = us_per_message[END_TO_END]
    lines += ["", f"End to end: {1e6 / end_to_end:.0f} messages/s in one process, "
                  f"{end_to_end / tokenizer:.1f}x the tokenizer."]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "stages.md")
    args = parser.parse_args()
    texts = list(messages(args.messages))
    lines = [
        f"# Stage profile: {len(texts)} benchmark messages, best of {args.repeat}",
        "",
        "Produced by `python benchmarks/stages.py`. Stages overlap where named \"all\"; \"x tokenizer\" is the",
        "stage's cost over spaCy's tokenizer alone on the same texts.",
        "",
        *table(per_message(texts, args.repeat)),
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
