"""`netlint train`: rebuild `models/classifier.json` and `models/MODEL_CARD.md` from `corpus/`.

Deterministic: the same corpus and rules give the same bytes. Splits are grouped (pairs and sequences
stay together; `corpus.split_of`) and the test splits are read only for the final report. Every choice
(feature set, C, rules blend) is made by a cross-domain criterion: train on the old batches and validate
on the new ones, then the reverse, and take the worse fold. The verdict's thresholds are chosen on the new
batches' validation split.

`python -m linter.train --rewrite` measures what `netlint rewrite` does to the test split's scores.

Needs scikit-learn (`pip install netlint[train]`); linting never imports this module.
"""

from __future__ import annotations

import hashlib
import json
import re
import math
import platform
import subprocess
import sys
import time
from pathlib import Path

from dataclasses import dataclass

from linter import __version__
from linter.config import Config
from linter.corpus import (TEST_SHARE, VALIDATION_SHARE, Message, corpus_files, corpus_hash, domain_of, group_of, load,
                           split_of, training_set)
from linter.data import data_root, models_dir, rules_dir
from linter.engine import Linter, Source, source_for
from linter.model import (FORMAT, LABEL_TO_SCORE, MODEL_FILE, LinearModel, MoveReader, body_sentence_terms, checksum,
                          dense_inputs, terms)
from linter.rewrite import rewrite
from linter.scoring import features, rules_logits

LABELS_TRAINED = ("generic", "self_serving", "not_researched", "good")
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
RULES_WEIGHTS = (0.0, 0.3, 0.5)
MIN_DF = 3
MOVE_C = 1.0  # the sentence-move reader's regularisation, fixed beforehand
CROSS_FIT = 5  # folds for the move features of the messages the move reader itself learns from
# Feature sets compared, each by the worst of the two cross-domain folds.
KINDS = ("signals", "ngrams", "moves", "signals+moves", "ngrams+signals", "ngrams+moves", "all")
KIND_NAMES = {"signals": "rule signals", "ngrams": "n-grams (stock phrases as rule codes)", "moves": "sentence moves",
              "signals+moves": "signals + moves", "ngrams+signals": "n-grams + signals", "ngrams+moves": "n-grams + moves",
              "all": "all three"}
FOLDS = (("old", "new"), ("new", "old"))  # (train on, validate on)
GOOD_PASS = 0.85  # the verdict's goals on the validation split: share of good messages that pass ...
NOT_GOOD_FAIL = 0.85  # ... and of the others that fail
PROBLEM_LIMITS = (60, 70, 80, 90, 100)


def rules_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.y*ml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def target(message: Message, label: str) -> int:
    if label == "not_researched":
        return 1 - message.labels["researched"]
    return message.labels[label]


@dataclass
class Example:
    """One corpus message as the classifier sees it; `dense` gains its move features once a reader exists."""

    message: Message
    words: list[str]  # the message's n-grams
    signals: dict[str, float]  # scoring.features() and the rules' logits
    rules: dict[str, float]  # the rules-only logit of each label
    body: list[list[str]]  # n-grams of each body sentence as netlint splits them (what the move reader reads)
    moves: list[tuple[str, list[str]]]  # (move, n-grams) of each sentence as the corpus labels them


def mode_of(message: Message) -> str:
    return "template" if message.template else "draft"


def extract(messages: list[Message], linter: Linter | None = None) -> list[Example]:
    """Each message through the rules exactly as at lint time: rule findings, then signals and terms."""
    linter = linter or Linter(Config(), model=None)
    examples = []
    for message in messages:
        analysis = linter.analyse(Source(message.id, message.text, mode_of(message)))
        findings = linter.findings(analysis)
        values = features(analysis, findings)
        by_rules = rules_logits(values, findings)
        labelled = [(move, terms(analysis, start, end)) for (move, _), (start, end) in zip(message.sentences, message.spans)]
        examples.append(Example(message, terms(analysis), dense_inputs(values, by_rules, {}),
                                {label: by_rules[LABEL_TO_SCORE[label]] for label in LABELS_TRAINED},
                                body_sentence_terms(analysis), labelled))
    return examples


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _auc(y, p) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 3) if len(set(y)) > 1 else None


def _metrics(y, p) -> dict:
    from sklearn.metrics import f1_score, precision_score, recall_score

    predicted = [int(x >= 0.5) for x in p]
    return {
        "precision": round(float(precision_score(y, predicted, zero_division=0)), 3),
        "recall": round(float(recall_score(y, predicted, zero_division=0)), 3),
        "f1": round(float(f1_score(y, predicted, zero_division=0)), 3),
        "roc_auc": _auc(y, p),
    }


# --- the sentence-move reader -------------------------------------------------------------------

def fit_move_reader(examples: list[Example]) -> dict:
    """A softmax regression from a sentence's n-grams to its labelled move; returns the model file's block."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    docs = [words for e in examples for _, words in e.moves if words]
    moves = [move for e in examples for move, words in e.moves if words]
    vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=MIN_DF, norm="l2").fit(docs)
    model = LogisticRegression(C=MOVE_C, max_iter=5000).fit(vectorizer.transform(docs), moves)
    vocabulary = {t: int(i) for t, i in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])}
    return {"names": [str(c) for c in model.classes_], "vocabulary": vocabulary,
            "idf": [float(x) for x in vectorizer.idf_],
            "weights": [float(x) for x in model.coef_.T.reshape(-1)],
            "intercepts": [float(x) for x in model.intercept_]}


def move_features(train: list[Example], apply: list[Example]) -> tuple[list[dict], list[dict], dict]:
    """Move features for `train` (cross-fitted: each fold read by a reader that never saw it) and for
    `apply` (read by a reader fitted on all of `train`), and that reader's model-file block."""
    fold = [int(hashlib.sha256(group_of(e.message).encode()).hexdigest()[:8], 16) % CROSS_FIT for e in train]
    own: list[dict] = [{} for _ in train]
    for k in range(CROSS_FIT):
        reader = MoveReader(fit_move_reader([e for e, f in zip(train, fold) if f != k]))
        for i, (e, f) in enumerate(zip(train, fold)):
            if f == k:
                own[i] = reader.features(e.body)
    block = fit_move_reader(train)
    reader = MoveReader(block)
    return own, [reader.features(e.body) for e in apply], block


# --- the message classifier ---------------------------------------------------------------------

class Featurizer:
    """n-gram tf-idf and standardised named features, fitted on one set of examples."""

    def fit(self, examples: list[Example], dense: list[dict]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import StandardScaler

        self.names = sorted(dense[0])
        self.vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=MIN_DF, norm="l2")
        self.vectorizer.fit([e.words for e in examples])
        self.scaler = StandardScaler().fit([[row[n] for n in self.names] for row in dense])
        self.n_terms = len(self.vectorizer.idf_)
        return self

    def transform(self, examples: list[Example], dense: list[dict]):
        from scipy.sparse import csr_matrix, hstack

        return hstack([self.vectorizer.transform([e.words for e in examples]),
                       csr_matrix(self.scaler.transform([[row[n] for n in self.names] for row in dense]))]).tocsr()

    def columns(self, kind: str) -> list[int]:
        """The columns a feature set uses, in the full layout [n-grams | named features]."""
        parts = kind.split("+") if kind != "all" else ["ngrams", "signals", "moves"]
        cols = list(range(self.n_terms)) if "ngrams" in parts else []
        for j, name in enumerate(self.names):
            is_move = name.startswith("move_")
            if (is_move and "moves" in parts) or (not is_move and "signals" in parts):
                cols.append(self.n_terms + j)
        return cols


def _fit(x, y, c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=5000, solver="lbfgs").fit(x, y)


def cross_domain(examples: list[Example], log) -> dict:
    """Every feature set, C and rules weight, scored per label by the worse of two folds: train on the old
    batches and validate on the new ones, and the reverse."""
    results: dict = {label: {} for label in LABELS_TRAINED}
    rules_auc: dict = {label: [] for label in LABELS_TRAINED}
    for source, held in FOLDS:
        train = [e for e in examples if domain_of(e.message) == source]
        test = [e for e in examples if domain_of(e.message) == held]
        own, other, _ = move_features(train, test)
        dense_train = [{**e.signals, **m} for e, m in zip(train, own)]
        dense_test = [{**e.signals, **m} for e, m in zip(test, other)]
        featurizer = Featurizer().fit(train, dense_train)
        x_train, x_test = featurizer.transform(train, dense_train), featurizer.transform(test, dense_test)
        for label in LABELS_TRAINED:
            y_train = [target(e.message, label) for e in train]
            y_test = [target(e.message, label) for e in test]
            rules = [e.rules[label] for e in test]
            rules_auc[label].append(_auc(y_test, rules))
            for kind in KINDS:
                cols = featurizer.columns(kind)
                for c in C_GRID:
                    p = _fit(x_train[:, cols], y_train, c).predict_proba(x_test[:, cols])[:, 1]
                    for w in RULES_WEIGHTS:
                        auc = _auc(y_test, [(1 - w) * _logit(pp) + w * r for pp, r in zip(p, rules)])
                        results[label].setdefault((kind, c, w), []).append(auc)
        log(f"cross-domain fold {source} -> {held}: {len(train)} -> {len(test)} messages")
    return {"grid": results, "rules": rules_auc}


def choose(label_grid: dict) -> tuple[str, float, float]:
    """The (feature set, C, rules weight) with the best worst-fold AUC; ties go to the simpler model."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    return max(label_grid, key=lambda k: (min(label_grid[k]), -order[k[0]], k[2], -k[1]))


def build(root: Path, log=print) -> tuple[dict, str, dict]:
    """Train and evaluate; returns (model file content, model card, figures)."""
    import numpy as np
    import sklearn

    started = time.perf_counter()
    messages = load(corpus_files(root / "corpus"))
    linter = Linter(Config(), model=None)
    examples = extract(messages, linter)
    chosen_set = {m.id for m in training_set(messages)}
    training = [e for e in examples if e.message.id in chosen_set]
    splits = {"new validation": [e for e in examples if domain_of(e.message) == "new" and split_of(e.message) == "validation"],
              "new test": [e for e in examples if domain_of(e.message) == "new" and split_of(e.message) == "test"],
              "old test": [e for e in examples if domain_of(e.message) == "old" and split_of(e.message) == "test"]}
    stress_dir = root / "corpus" / "stress"
    stress = {path.stem: extract(load([path]), linter) for path in sorted(stress_dir.glob("*.jsonl"))} if stress_dir.is_dir() else {}

    # Model choice: cross-domain folds over the training set only; no test or validation message is read.
    search = cross_domain(training, log)

    own, _, reader_block = move_features(training, [])
    reader = MoveReader(reader_block)
    dense_train = [{**e.signals, **m} for e, m in zip(training, own)]
    featurizer = Featurizer().fit(training, dense_train)
    x_train = featurizer.transform(training, dense_train)

    def dense_of(items: list[Example]) -> list[dict]:
        return [{**e.signals, **reader.features(e.body)} for e in items]

    payload_labels: dict[str, dict] = {}
    report: dict[str, dict] = {}
    raw: dict[str, dict[str, float]] = {}  # scikit-learn's own probabilities on the new test split, by id
    evaluated = {**splits, **stress}
    evaluated_x = {name: featurizer.transform(items, dense_of(items)) for name, items in evaluated.items()}
    for label in LABELS_TRAINED:
        grid = search["grid"][label]
        kind, c, w = choose(grid)
        worst = min(grid[(kind, c, w)])
        rules_worst = min(search["rules"][label])
        use = "model" if worst > rules_worst else "rules"
        log(f"{label}: rules worst-fold AUC {rules_worst:.3f}; best {kind} C={c} w={w} worst-fold AUC {worst:.3f} -> {use}")
        cols = featurizer.columns(kind)
        model = _fit(x_train[:, cols], [target(e.message, label) for e in training], c)
        weights = [0.0] * (featurizer.n_terms + len(featurizer.names))
        for col, value in zip(cols, model.coef_[0]):
            weights[col] = float(value)
        by_kind = {k: max(((key, min(v)) for key, v in grid.items() if key[0] == k), key=lambda kv: (kv[1], kv[0][2], -kv[0][1]))
                   for k in KINDS}
        report[label] = {"use": use, "kind": kind, "C": c, "rules_weight": w, "worst": worst, "folds": grid[(kind, c, w)],
                         "rules_folds": search["rules"][label],
                         "by_kind": {k: {"C": key[1], "w": key[2], "worst": a, "folds": grid[key]} for k, (key, a) in by_kind.items()},
                         "sets": {}}
        for name, items in evaluated.items():
            y = [target(e.message, label) for e in items]
            p = model.predict_proba(evaluated_x[name][:, cols])[:, 1]
            final = [_sigmoid((1 - w) * _logit(pp) + w * e.rules[label]) if use == "model" else _sigmoid(e.rules[label])
                     for pp, e in zip(p, items)]
            if name == "new test":
                raw[label] = {e.message.id: float(pp) for pp, e in zip(p, items)}
            report[label]["sets"][name] = {"model": _metrics(y, final), "rules": _metrics(y, [_sigmoid(e.rules[label]) for e in items]),
                                           "positives": int(sum(y)), "messages": len(y)}
        payload_labels[label] = {"use": use, "intercept": float(model.intercept_[0]), "weights": weights,
                                 "rules_weight": w if use == "model" else 1.0}
    payload = {
        "vocabulary": {t: int(i) for t, i in sorted(featurizer.vectorizer.vocabulary_.items(), key=lambda kv: kv[1])},
        "idf": [float(x) for x in featurizer.vectorizer.idf_],
        "dense_features": featurizer.names,
        "dense_mean": [float(x) for x in featurizer.scaler.mean_],
        "dense_scale": [float(x) for x in featurizer.scaler.scale_],
        "moves": reader_block,
        "labels": payload_labels,
        "corpus_hash": corpus_hash(root / "corpus"),
        "rules_hash": rules_hash(rules_dir()),
    }
    # The verdict's thresholds, chosen on the new domain's validation split with the model as users get it.
    fresh = Linter(Config(), model=LinearModel(payload, "fresh model"))
    outcomes = {name: [judge(fresh, e.message) for e in items] for name, items in evaluated.items()}
    outcomes["new validation, as .txt files"] = [judge(fresh, e.message, as_file=True) for e in splits["new validation"]]
    thresholds, calibration = calibrate(outcomes["new validation"])
    payload["thresholds"] = thresholds
    document = {"format": FORMAT, "sha256": checksum(payload), "payload": payload}
    verdicts = {name: verdict_rates(items, thresholds) for name, items in outcomes.items()}
    info = {
        "messages": len(messages),
        "training": len(training),
        "training_old": sum(domain_of(e.message) == "old" for e in training),
        "old_train": sum(domain_of(m) == "old" and split_of(m) == "train" for m in messages),
        "sets": {name: len(items) for name, items in evaluated.items()},
        "netlint": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "inputs_date": inputs_date(root),
        "verdicts": verdicts,
        "calibration": calibration,
        "sentence_rules": sentence_rule_rates(fresh, [e.message for e in training]),
    }
    log(f"trained in {time.perf_counter() - started:.0f} s")
    card = model_card(payload, report, info)
    return document, card, {"report": report, "verdicts": verdicts, "probabilities": raw}


def judge(linter: Linter, message: Message, as_file: bool = False) -> dict:
    """One message linted as a user would: by its template flag, or as a .txt file (mode by placeholders)."""
    if as_file:
        report = next(linter.lint([source_for("message.txt", message.text, linter.config)]))
    else:
        report = linter.lint_text(message.text, "message.j2" if message.template else "message.txt", mode_of(message))
    s = report.scores
    return {"good": message.labels["good"], "error": any(f.severity == "error" for f in report.findings),
            "reliable": s.reliable, "overall": s.overall, "problems": max(s.genericness, s.self_serving, s.missing_research)}


def passes(outcome: dict, thresholds: dict) -> bool:
    """The verdict of `Linter.verdict` for these thresholds (all three problems share one limit here)."""
    if outcome["error"]:
        return False
    if not outcome["reliable"]:
        return True
    return outcome["problems"] <= thresholds["genericness"] and outcome["overall"] >= thresholds["overall"]


def verdict_rates(outcomes: list[dict], thresholds: dict) -> dict:
    good = [o for o in outcomes if o["good"]]
    bad = [o for o in outcomes if not o["good"]]
    good_pass = sum(passes(o, thresholds) for o in good)
    bad_fail = sum(not passes(o, thresholds) for o in bad)
    return {"messages": len(outcomes), "good": len(good), "good_pass": good_pass, "not_good": len(bad),
            "not_good_fail": bad_fail, "agree": good_pass + bad_fail}


def calibrate(outcomes: list[dict]) -> tuple[dict, dict]:
    """The overall floor and the problems' ceiling that best meet both goals on the validation split:
    the largest min(good pass rate, not-good fail rate); ties go to the loosest problem limit and the
    floor nearest 50."""
    best = None
    for limit in PROBLEM_LIMITS:
        for floor in range(5, 96):
            t = {"genericness": limit, "self-serving": limit, "missing-research": limit, "overall": floor}
            r = verdict_rates(outcomes, t)
            rates = (r["good_pass"] / max(r["good"], 1), r["not_good_fail"] / max(r["not_good"], 1))
            key = (round(min(rates), 4), limit, -abs(floor - 50))
            if best is None or key > best[0]:
                best = (key, t, rates)
    _, thresholds, rates = best
    return thresholds, {"good_pass": rates[0], "not_good_fail": rates[1],
                        "met": rates[0] >= GOOD_PASS and rates[1] >= NOT_GOOD_FAIL}


def inputs_date(root: Path) -> str:
    """The date of the newest commit that changed the corpus or the rules: the model's date.

    Taken from git rather than the clock so that rebuilding the same inputs gives the same card."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", "corpus", "rules"], cwd=root,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    return out.stdout.strip() or "unknown (not a git checkout)"


def sentence_rule_rates(linter: Linter, messages: list[Message]) -> list[dict]:
    """How often each classifier-sentence rule (NL190, NL390) fires with this model, on messages with and
    without its label. Measured on the train split: the rules' thresholds are set from this, so the test
    split stays unread. The criterion: fire on at most about 5% of messages without the label."""
    rules = [r for r in linter.rules if r.check == "classifier-sentence"]
    fired = {r.code: {0: [0, 0], 1: [0, 0]} for r in rules}
    for message in messages:
        codes = {f.code for f in linter.lint_text(message.text, "message.txt", mode_of(message)).findings}
        for rule in rules:
            value = target(message, rule.params["label"])
            fired[rule.code][value][0] += rule.code in codes
            fired[rule.code][value][1] += 1
    return [{"code": r.code, "label": r.params["label"], "threshold": r.params.get("threshold"),
             "with": fired[r.code][1][0] / max(fired[r.code][1][1], 1),
             "without": fired[r.code][0][0] / max(fired[r.code][0][1], 1)} for r in rules]


def model_card(payload: dict, report: dict, info: dict) -> str:
    def auc(value) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    t = payload["thresholds"]
    lines = [
        "# Model card: netlint message classifier",
        "",
        "Generated by `netlint train`; do not edit by hand (a test compares it with a fresh run).",
        "",
        "## What it predicts",
        "",
        "Four probabilities per message, with the corpus's label definitions (`corpus/README.md`):",
        "`generic`, `self_serving`, `not_researched` (1 - `researched`) and `good`. They drive the scores",
        "`genericness`, `self_serving`, `missing_research` and `overall`, and the verdict's thresholds below.",
        "",
        "## Headline: how it carries over to writing unlike its training data",
        "",
        "Every choice was made by a cross-domain criterion: train on the old batches (01-09, the first two",
        "rounds) and validate on the new ones (10 on, round 3, written to look like real outreach), then the",
        "reverse, and take the worse fold. ROC-AUC of the chosen model on each fold, and of the rules alone:",
        "",
        "| label | features | C | rules weight | old -> new | new -> old | worst fold | rules only, worst fold |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in report.items():
        lines.append(f"| {label} | {KIND_NAMES[r['kind']]} | {r['C']} | {r['rules_weight']} | {auc(r['folds'][0])} | "
                     f"{auc(r['folds'][1])} | **{auc(r['worst'])}** | {auc(min(r['rules_folds']))} |")
    lines += [
        "",
        "These are figures on this project's own corpus. Real mail, written and judged by other people, is the",
        "judge that matters and is not measured here: expect lower figures on it.",
        "",
        "### Feature sets compared (worst-fold ROC-AUC; C and rules weight in brackets)",
        "",
        "| label | " + " | ".join(KIND_NAMES[k] for k in KINDS) + " |",
        "|---|" + "---|" * len(KINDS),
    ]
    for label, r in report.items():
        cells = [f"{auc(r['by_kind'][k]['worst'])} ({r['by_kind'][k]['C']}, {r['by_kind'][k]['w']})" for k in KINDS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## How it was trained",
        "",
        f"- Date: {info['inputs_date']} (the newest commit that changed `corpus/` or `rules/`).",
        f"- Corpus: {info['messages']} messages, sha256 `{payload['corpus_hash']}`; rules sha256 `{payload['rules_hash']}`.",
        "- Splits by hash of each message's group (a near-miss or counterfactual pair, or one sequence, stays",
        f"  together): {TEST_SHARE}% test in both domains and {VALIDATION_SHARE}% validation in the new one.",
        f"- Training set: the train split, {info['training']} messages. {info['old_train'] - info['training_old']} of the "
        f"{info['old_train']} old train-split messages are left out",
        "  by `corpus.balance` so that no surface cue (length, '!', digits, stock phrases, placeholders, subject",
        "  line, greeting) differs by more than 0.10 between any label's positives and negatives",
        "  (`python -m linter.corpus cues`).",
        "- Features: tf-idf word uni- and bigrams (min_df 3, sublinear tf; placeholders as their role, each stock",
        "  phrase a rule found as its rule code); the standardised signals of `scoring.features()` and the rules'",
        "  own logits; and sentence moves: a softmax regression trained on the corpus's sentence labels reads each",
        "  body sentence, and the message gets each move's largest probability and mean share. On the training",
        f"  set the move features are cross-fitted ({CROSS_FIT} folds by group), so no message is read by a",
        "  reader that learnt from it.",
        f"- Model: logistic regression (lbfgs) per label; feature set, C in {C_GRID} and the rules blend",
        f"  w in {RULES_WEIGHTS} (final logit (1 - w) x classifier + w x rules) chosen by the worst cross-domain",
        "  fold. A label uses the classifier only when that beats the rules alone on the same criterion.",
        f"- Versions: netlint {info['netlint']}, Python {info['python']}, scikit-learn {info['scikit-learn']}, NumPy {info['numpy']}.",
        "",
        "## Held-out figures (never used for a choice, except the validation split for the thresholds)",
        "",
        "ROC-AUC, classifier (rules alone in brackets):",
        "",
        "| set | messages | " + " | ".join(report) + " |",
        "|---|---|" + "---|" * len(report),
    ]
    for name, count in info["sets"].items():
        cells = [f"{auc(r['sets'][name]['model']['roc_auc'])} ({auc(r['sets'][name]['rules']['roc_auc'])})" for r in report.values()]
        lines.append(f"| {name} | {count} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Verdicts",
        "",
        "A message fails on an error-level finding, when a problem score passes its limit, or when `overall`",
        "is under its floor. The limits were chosen on the new domain's validation split so that at least",
        f"{GOOD_PASS:.0%} of good messages pass and {NOT_GOOD_FAIL:.0%} of the others fail (`train.calibrate`): genericness, self-serving",
        f"and missing research fail above {t['genericness']}, overall below {t['overall']}. Goals "
        + ("met" if info["calibration"]["met"] else "**not met**") + " on the validation split.",
        "Messages are linted as templates when the corpus marks them so; the `.txt` row lints them as plain",
        "files, where a draft with one or two unfilled placeholders fails on NL701.",
        "",
        "| messages | good that pass | not good that fail | agreement with `good` |",
        "|---|---|---|---|",
    ]
    for name, v in info["verdicts"].items():
        lines.append(f"| {name} | {v['good_pass']}/{v['good']} ({v['good_pass'] / max(v['good'], 1):.0%}) | "
                     f"{v['not_good_fail']}/{v['not_good']} ({v['not_good_fail'] / max(v['not_good'], 1):.0%}) | "
                     f"{v['agree']}/{v['messages']} ({v['agree'] / max(v['messages'], 1):.0%}) |")
    if info.get("sentence_rules"):
        lines += [
            "",
            "## Sentence readings",
            "",
            "The rules that quote the classifier on one sentence fire when its probability passes their",
            "threshold (set in each rule file). Share of training-set messages they fire on, with and without",
            "the label; thresholds are set so the second stays near 5% or below:",
            "",
            "| rule | label | threshold | fires with label | fires without |",
            "|---|---|---|---|---|",
        ]
        for row in info["sentence_rules"]:
            lines.append(f"| {row['code']} | {row['label']} | {row['threshold']} | {row['with']:.0%} | {row['without']:.0%} |")
    lines += [
        "",
        "## Intended use and limits",
        "",
        "- Ranking English outreach drafts and templates by how generic, self-serving and unresearched they",
        "  read, to point a writer at what to rewrite. Not for judging people, and not a reply-rate predictor.",
        "- The corpus was written by this project's team (AI assistants given briefs), not by the senders of",
        "  real outreach; every figure above is on that corpus. The cross-domain figures are the more honest",
        "  estimate, and real mail will still differ.",
        "- English only: netlint says so and stops scoring confidently on other languages.",
        "- Weights are JSON; nothing is unpickled. The file carries a sha256 of its payload.",
        "",
    ]
    return "\n".join(lines)


_FIGURE = re.compile(r"-?\d+(?:\.\d+)?%?")


def _shape(value):
    """A model document with every float blanked: what a retrain must give exactly, on any machine."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k != "sha256"}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return "<float>" if isinstance(value, float) else value


def _close(committed: str, fresh: str) -> bool:
    """Two figures of a model card: counts equal, percentages within 2 points, fractions within 0.02."""
    if committed.endswith("%") or fresh.endswith("%"):
        return abs(float(committed.rstrip("%")) - float(fresh.rstrip("%"))) <= 2
    if "." in committed or "." in fresh:
        return abs(float(committed) - float(fresh)) <= 0.02
    return committed == fresh


def differences(fresh: dict, fresh_card: str, committed: dict, committed_card: str) -> list[str]:
    """How a fresh build differs from the committed model and card, beyond the last bits of its floats.

    Vocabularies, feature sets, chosen C, thresholds and hashes must be equal; the card's figures equal to
    rounding. Floats are not compared bit for bit: scikit-learn's lbfgs runs on the machine's BLAS, whose
    last bits differ between CPUs, and a retrain on another CPU moves weights a little (AUCs in the third
    decimal)."""
    problems = []
    if _shape(fresh) != _shape(committed):
        problems.append("the model's vocabularies, choices or hashes differ")
    if _FIGURE.sub("#", fresh_card) != _FIGURE.sub("#", committed_card):
        problems.append("the model card's text differs")
    else:
        far = [(a, b) for a, b in zip(_FIGURE.findall(committed_card), _FIGURE.findall(fresh_card)) if not _close(a, b)]
        if far:
            problems.append(f"the model card's figures differ: {far[:5]}")
    return problems


def write(document: dict, card: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")


def evaluate_rewrite(linter: Linter, root: Path) -> dict:
    """Rewrite every draft of the corpus test split and compare scores before and after.

    The rewrite is scored as a template (its `[slots]` are for the writer to fill), the draft as itself.
    """
    messages = [m for m in load(corpus_files(root / "corpus")) if split_of(m) == "test" and not m.template]
    rows = []
    for message in messages:
        source = Source(message.id, message.text, "draft")
        before = linter.lint_text(message.text, message.id)
        after = linter.lint_text(rewrite(linter, source).text, message.id, "template")
        rows.append((message.id, before.verdict, before.scores.as_dict(), after.scores.as_dict()))
    failing = [r for r in rows if r[1] == "fail"]
    passing = [r for r in rows if r[1] == "pass"]
    labels = ("genericness", "self_serving", "missing_research", "overall")

    def mean_change(group, label):
        return round(sum(r[3][label] - r[2][label] for r in group) / len(group), 1) if group else 0.0

    return {
        "drafts": len(rows),
        "failing": len(failing),
        "failing_improved": sum(r[3]["overall"] > r[2]["overall"] for r in failing),
        "passing": len(passing),
        "passing_worse": sum(r[3]["overall"] < r[2]["overall"] for r in passing),
        "mean_change_failing": {label: mean_change(failing, label) for label in labels},
        "mean_change_passing": {label: mean_change(passing, label) for label in labels},
        "not_improved": [r[0] for r in failing if r[3]["overall"] <= r[2]["overall"]],
        "passing_worse_ids": [r[0] for r in passing if r[3]["overall"] < r[2]["overall"]],
    }



def main(check_only: bool = False) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("netlint: error: training needs scikit-learn: pip install 'netlint[train]'", file=sys.stderr)
        return 2
    root = data_root()
    if not (root / "corpus").is_dir():
        print(f"netlint: error: {root / 'corpus'}: no corpus here (train from a source checkout)", file=sys.stderr)
        return 2
    document, card, _ = build(root, log=lambda line: print(line, file=sys.stderr))
    target_dir = models_dir()
    if check_only:
        try:
            committed = json.loads((target_dir / MODEL_FILE).read_text(encoding="utf-8"))
            committed_card = (target_dir / "MODEL_CARD.md").read_text(encoding="utf-8")
        except (OSError, ValueError):
            committed, committed_card = {}, ""
        problems = differences(document, card, committed, committed_card)
        if problems:
            print(f"netlint: {target_dir / MODEL_FILE} differs from a fresh build ({'; '.join(problems)}): run `netlint train`", file=sys.stderr)
            return 1
        print("model is up to date")
        return 0
    write(document, card, target_dir)
    print(f"wrote {target_dir / MODEL_FILE} and {target_dir / 'MODEL_CARD.md'}")
    return 0


if __name__ == "__main__":
    if "--rewrite" in sys.argv:  # how `netlint rewrite` changes the test split's scores (README, Rewrite)
        from linter.model import load_default

        print(json.dumps(evaluate_rewrite(Linter(Config(), model=load_default()), data_root()), indent=2))
        raise SystemExit(0)
    raise SystemExit(main("--check" in sys.argv))
