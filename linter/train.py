"""`netlint train`: rebuild `models/classifier.json` and `models/MODEL_CARD.md` from `corpus/`.

Deterministic: the same corpus and rules give the same bytes. Splits are grouped (near-miss pairs stay
together) and the test split is read only once, for the final report. Model choice per label uses
leave-one-batch-out cross-validation on the training split: each corpus batch was written by a different
writer, so this estimates how the model does on writing it has not seen.

Needs scikit-learn (`pip install netlint[train]`); linting never imports this module.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import subprocess
import sys
import time
from pathlib import Path

from linter import __version__
from linter.config import Config
from linter.corpus import Message, corpus_files, corpus_hash, load
from linter.data import data_root, models_dir, rules_dir
from linter.engine import Linter, Source
from linter.model import FORMAT, LABEL_TO_SCORE, MODEL_FILE, LinearModel, checksum, terms
from linter.scoring import features, rules_logits

LABELS_TRAINED = ("generic", "self_serving", "not_researched", "good")
RULE_SCORE = {"generic": "genericness", "self_serving": "self_serving", "not_researched": "missing_research"}
TEST_SHARE = 20  # percent of groups
C_GRID = (0.1, 0.3, 1.0, 3.0)
RULES_WEIGHTS = (0.0, 0.3, 0.5)
STRESS_WEIGHTS = (0.0, 0.3, 0.5, 0.7)  # blends reported on the out-of-style stress set
NGRAM_MARGIN = 0.02
MIN_DF = 3


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


def group_of(message: Message) -> str:
    return message.pair or message.id


def in_test(message: Message) -> bool:
    digest = hashlib.sha256(group_of(message).encode()).hexdigest()
    return int(digest[:8], 16) % 100 < TEST_SHARE


def extract(messages: list[Message]) -> tuple[list[list[str]], list[dict[str, float]], list[dict[str, float]]]:
    """Per message: n-gram terms, dense features (signals + rule logits), and the rules-only logits."""
    linter = Linter(Config(), model=None)
    words, dense, rules_only = [], [], []
    for message in messages:
        source = Source(message.id, message.text, "template" if message.template else "draft")
        analysis = linter.analyse(source)
        findings = linter.findings(analysis)
        values = features(analysis, findings)
        by_rules = rules_logits(values, findings)
        row = dict(values)
        row.update({f"rules_logit_{k}": by_rules[k] for k in ("genericness", "self_serving", "missing_research")})
        words.append(terms(analysis))
        dense.append(row)
        rules_only.append({label: by_rules[LABEL_TO_SCORE[label]] for label in LABELS_TRAINED})
    return words, dense, rules_only


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _metrics(y, p) -> dict:
    from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

    predicted = [int(x >= 0.5) for x in p]
    out = {
        "precision": round(float(precision_score(y, predicted, zero_division=0)), 3),
        "recall": round(float(recall_score(y, predicted, zero_division=0)), 3),
        "f1": round(float(f1_score(y, predicted, zero_division=0)), 3),
    }
    out["roc_auc"] = round(float(roc_auc_score(y, p)), 3) if len(set(y)) > 1 else None
    return out


class Featurizer:
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "ngrams", "dense" or "both"

    def fit(self, words, dense):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import StandardScaler

        self.names = sorted(dense[0])
        self.vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=MIN_DF, norm="l2")
        self.vectorizer.fit(words)
        self.scaler = StandardScaler().fit([[row[n] for n in self.names] for row in dense])
        return self

    def transform(self, words, dense):
        from scipy.sparse import csr_matrix, hstack

        blocks = []
        if self.kind in ("ngrams", "both"):
            blocks.append(self.vectorizer.transform(words))
        if self.kind in ("dense", "both"):
            blocks.append(csr_matrix(self.scaler.transform([[row[n] for n in self.names] for row in dense])))
        return hstack(blocks).tocsr()


def _fit(kind: str, c: float, words, dense, y):
    from sklearn.linear_model import LogisticRegression

    featurizer = Featurizer(kind).fit(words, dense)
    model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    model.fit(featurizer.transform(words, dense), y)
    return featurizer, model


def _cross_validate(kind: str, c: float, words, dense, y, batches, rules) -> dict[float, float]:
    """Mean ROC-AUC over leave-one-batch-out folds of the training split, per rules weight."""
    from sklearn.metrics import roc_auc_score

    aucs: dict[float, list[float]] = {w: [] for w in RULES_WEIGHTS}
    for held in sorted(set(batches)):
        train = [i for i, b in enumerate(batches) if b != held]
        test = [i for i, b in enumerate(batches) if b == held]
        ys = [y[i] for i in test]
        if len(set(ys)) < 2 or len({y[i] for i in train}) < 2:
            continue
        featurizer, model = _fit(kind, c, [words[i] for i in train], [dense[i] for i in train], [y[i] for i in train])
        p = model.predict_proba(featurizer.transform([words[i] for i in test], [dense[i] for i in test]))[:, 1]
        for weight in RULES_WEIGHTS:
            blended = [(1 - weight) * _logit(pp) + weight * rules[i] for pp, i in zip(p, test)]
            aucs[weight].append(roc_auc_score(ys, blended))
    return {w: (sum(v) / len(v) if v else 0.0) for w, v in aucs.items()}


def build(root: Path, log=print) -> tuple[dict, str, dict]:
    """Train and evaluate; returns (model file content, model card, probabilities on the test split)."""
    import numpy as np
    import sklearn

    started = time.perf_counter()
    messages = load(corpus_files(root / "corpus"))
    words, dense, rules_only = extract(messages)
    split = [in_test(m) for m in messages]
    train_idx = [i for i, t in enumerate(split) if not t]
    test_idx = [i for i, t in enumerate(split) if t]
    batches = [messages[i].source for i in train_idx]
    tr_words = [words[i] for i in train_idx]
    tr_dense = [dense[i] for i in train_idx]
    te_words = [words[i] for i in test_idx]
    te_dense = [dense[i] for i in test_idx]

    stress_dir = root / "corpus" / "stress"
    # Each stress set is reported on its own: each was written after a different model, in other voices.
    stress_sets = {path.stem: load([path]) for path in sorted(stress_dir.glob("*.jsonl"))} if stress_dir.is_dir() else {}
    stress_features = {name: extract(items) for name, items in stress_sets.items()}

    featurizer = Featurizer("both").fit(tr_words, tr_dense)
    vocabulary = {term: int(i) for term, i in sorted(featurizer.vectorizer.vocabulary_.items(), key=lambda kv: kv[1])}
    payload_labels: dict[str, dict] = {}
    report: dict[str, dict] = {}
    test_probabilities: dict[str, list[float]] = {}
    for label in LABELS_TRAINED:
        y_train = [target(messages[i], label) for i in train_idx]
        y_test = [target(messages[i], label) for i in test_idx]
        tr_rules = [rules_only[i][label] for i in train_idx]
        candidates = []
        for kind in ("dense", "ngrams", "both"):
            for c in C_GRID:
                for weight, auc in _cross_validate(kind, c, tr_words, tr_dense, y_train, batches, tr_rules).items():
                    candidates.append((round(auc, 4), kind, c, weight))
        rules_cv = _rules_cv_auc(tr_rules, y_train, batches)
        best_auc, best_kind, best_c, best_weight = choose(candidates)
        grid = {kind: max((t for t in candidates if t[1] == kind), key=lambda t: (t[0], t[3], -t[2]))
                for kind in ("dense", "ngrams", "both")}
        use = "model" if best_auc > rules_cv else "rules"
        log(f"{label}: rules CV AUC {rules_cv:.3f}; best {best_kind} C={best_c} rules weight {best_weight} "
            f"CV AUC {best_auc:.3f} -> use {use}")
        # The exported model always has the full feature layout; unused blocks get zero weights.
        fitted, model = _fit(best_kind, best_c, tr_words, tr_dense, y_train)
        weights = _full_weights(best_kind, model, featurizer, fitted)
        p_raw = model.predict_proba(fitted.transform(te_words, te_dense))[:, 1].tolist()
        p_rules = [_sigmoid(rules_only[i][label]) for i in test_idx]
        p_final = [_sigmoid((1 - best_weight) * _logit(p) + best_weight * rules_only[i][label]) for p, i in zip(p_raw, test_idx)]
        majority = max(set(y_train), key=y_train.count)
        report[label] = {
            "chosen": use,
            "model_kind": best_kind,
            "C": best_c,
            "rules_weight": best_weight,
            "cv_auc_model": best_auc,
            "cv_auc_rules": round(rules_cv, 4),
            "cv_grid": {kind: {"auc": t[0], "C": t[2], "rules_weight": t[3]} for kind, t in grid.items()},
            "test": {
                "classifier": _metrics(y_test, p_final),
                "rules_only": _metrics(y_test, p_rules),
                "majority": _metrics(y_test, [float(majority)] * len(y_test)),
            },
            "positives_test": int(sum(y_test)),
        }
        report[label]["stress"] = {}
        for name, (st_words, st_dense, st_rules) in stress_features.items():  # reported, never used for a choice
            y_stress = [target(m, label) for m in stress_sets[name]]
            p_stress = model.predict_proba(fitted.transform(st_words, st_dense))[:, 1].tolist()
            report[label]["stress"][name] = {
                "rules_only": _metrics(y_stress, [_sigmoid(r[label]) for r in st_rules]),
                "blends": {w: _metrics(y_stress, [_sigmoid((1 - w) * _logit(p) + w * r[label]) for p, r in zip(p_stress, st_rules)])
                           for w in STRESS_WEIGHTS},
                "positives": int(sum(y_stress)),
            }
        payload_labels[label] = {"use": use, "intercept": float(model.intercept_[0]), "weights": weights,
                                 "rules_weight": best_weight if use == "model" else 1.0}
        test_probabilities[label] = p_raw
    payload = {
        "vocabulary": vocabulary,
        "idf": [float(x) for x in featurizer.vectorizer.idf_],
        "dense_features": featurizer.names,
        "dense_mean": [float(x) for x in featurizer.scaler.mean_],
        "dense_scale": [float(x) for x in featurizer.scaler.scale_],
        "labels": payload_labels,
        "corpus_hash": corpus_hash(root / "corpus"),
        "rules_hash": rules_hash(rules_dir()),
    }
    document = {"format": FORMAT, "sha256": checksum(payload), "payload": payload}
    info = {
        "messages": len(messages),
        "train": len(train_idx),
        "test": len(test_idx),
        "netlint": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "seconds": round(time.perf_counter() - started, 1),
        "inputs_date": inputs_date(root),
        "stress": {name: len(items) for name, items in stress_sets.items()},
    }
    # The verdict and sentence-rule figures come from a Linter with the model just built, as users get it.
    linter = Linter(Config(), model=LinearModel(payload, "fresh model"))
    info["sentence_rules"] = sentence_rule_rates(linter, [messages[i] for i in train_idx])
    info["verdicts"] = {"test split": verdict_agreement(linter, [messages[i] for i in test_idx]),
                        **{name: verdict_agreement(linter, items) for name, items in stress_sets.items()}}
    card = model_card(payload, report, info, messages)
    return document, card, {"test_idx": test_idx, "probabilities": test_probabilities, "report": report}


def inputs_date(root: Path) -> str:
    """The date of the newest commit that changed the corpus or the rules: the model's date.

    Taken from git rather than the clock so that rebuilding the same inputs gives the same card."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", "corpus", "rules"], cwd=root,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    return out.stdout.strip() or "unknown (not a git checkout)"


def choose(candidates: list[tuple[float, str, float, float]]) -> tuple[float, str, float, float]:
    """Best cross-validated (auc, features, C, rules weight), preferring models that keep the signals.

    Every batch was written by the same kind of writer, so leave-one-batch-out cannot see how much an
    n-gram-only model leans on that house vocabulary; the signals carry what transfers to other writers.
    A pure n-gram model (no signal features, no rules blend) wins only by NGRAM_MARGIN.
    """
    def key(t):
        return (t[0], t[1] == "both", t[3], -t[2])

    pure = [t for t in candidates if t[1] == "ngrams" and t[3] == 0.0]
    with_signals = [t for t in candidates if not (t[1] == "ngrams" and t[3] == 0.0)]
    best_signals = max(with_signals, key=key)
    best_pure = max(pure, key=key) if pure else None
    if best_pure and best_pure[0] > best_signals[0] + NGRAM_MARGIN:
        return best_pure
    return best_signals


def _rules_cv_auc(rules, y, batches) -> float:
    from sklearn.metrics import roc_auc_score

    aucs = []
    for held in sorted(set(batches)):
        idx = [i for i, b in enumerate(batches) if b == held]
        ys = [y[i] for i in idx]
        if len(set(ys)) < 2:
            continue
        aucs.append(roc_auc_score(ys, [rules[i] for i in idx]))
    return sum(aucs) / len(aucs) if aucs else 0.0


def _full_weights(kind: str, model, full: Featurizer, fitted: Featurizer) -> list[float]:
    coefficients = [float(x) for x in model.coef_[0]]
    n_terms = len(full.vectorizer.idf_)
    n_dense = len(full.names)
    if kind == "both":
        return coefficients
    if kind == "dense":
        return [0.0] * n_terms + coefficients
    return coefficients + [0.0] * n_dense


def _lint(linter: Linter, message: Message):
    if message.template:
        return linter.lint_text(message.text, "message.j2", "template")
    return linter.lint_text(message.text, "message.txt", "draft")


def verdict_agreement(linter: Linter, messages: list[Message]) -> dict:
    """How often netlint's pass/fail verdict (default thresholds) matches the `good` label."""
    passed = [_lint(linter, m).verdict == "pass" for m in messages]
    good = [bool(m.labels["good"]) for m in messages]
    return {"messages": len(messages), "agree": sum(p == g for p, g in zip(passed, good)),
            "passed_not_good": sum(p and not g for p, g in zip(passed, good)),
            "failed_good": sum(g and not p for p, g in zip(passed, good))}


def sentence_rule_rates(linter: Linter, messages: list[Message]) -> list[dict]:
    """How often each classifier-sentence rule (NL190, NL390) fires with this model, on messages with and
    without its label. Measured on the train split: the rules' thresholds are set from this, so the test
    split stays unread. The criterion: fire on at most about 5% of messages without the label."""
    rules = [r for r in linter.rules if r.check == "classifier-sentence"]
    fired = {r.code: {0: [0, 0], 1: [0, 0]} for r in rules}
    for message in messages:
        codes = {f.code for f in _lint(linter, message).findings}
        for rule in rules:
            value = target(message, rule.params["label"])
            fired[rule.code][value][0] += rule.code in codes
            fired[rule.code][value][1] += 1
    return [{"code": r.code, "label": r.params["label"], "threshold": r.params.get("threshold"),
             "with": fired[r.code][1][0] / max(fired[r.code][1][1], 1),
             "without": fired[r.code][0][0] / max(fired[r.code][0][1], 1)} for r in rules]


def model_card(payload: dict, report: dict, info: dict, messages: list[Message]) -> str:
    lines = [
        "# Model card: netlint message classifier",
        "",
        "Generated by `netlint train`; do not edit by hand (a test compares it with a fresh run).",
        "",
        "## What it predicts",
        "",
        "Four probabilities per message, with the corpus's label definitions (`corpus/README.md`):",
        "`generic`, `self_serving`, `not_researched` (1 - `researched`) and `good`. They drive the scores",
        "`genericness`, `self_serving`, `missing_research` and `overall`.",
        "",
        "## How it was trained",
        "",
        f"- Date: {info['inputs_date']} (the newest commit that changed `corpus/` or `rules/`).",
        f"- Corpus: {info['messages']} messages, sha256 `{payload['corpus_hash']}`; rules sha256 `{payload['rules_hash']}`.",
        f"- Split: near-miss pairs kept together, {TEST_SHARE}% of groups held out by hash of the group id: "
        f"{info['train']} train, {info['test']} test. The test split was used only for the figures below.",
        "- Features: tf-idf word uni- and bigrams (min_df 3, sublinear tf, placeholders as their role) and the",
        "  standardised signals of `scoring.features()` plus the rules' own logits.",
        "- Model: logistic regression (lbfgs) per label. Feature set (n-grams, signals, both) and C chosen by",
        "  leave-one-batch-out cross-validation on the train split (each batch has its own writer); an",
        f"  n-gram-only model without the rules blend must beat the best model with signals by {NGRAM_MARGIN} AUC (see",
        "  `train.choose`: all batches share one kind of writer, so CV cannot see n-grams overfit its style).",
        f"- The final logit blends classifier and rules: (1 - w) x classifier + w x rules, w in {RULES_WEIGHTS}",
        "  chosen by the same cross-validation. A label uses the classifier only when that beats the rules alone.",
        f"- Versions: netlint {info['netlint']}, Python {info['python']}, scikit-learn {info['scikit-learn']}, NumPy {info['numpy']}.",
        "",
        "## Quality on the held-out test split",
        "",
        "| label | used | scorer | precision | recall | F1 | ROC-AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, entry in report.items():
        for scorer in ("classifier", "rules_only", "majority"):
            m = entry["test"][scorer]
            auc = "n/a" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
            used = entry["chosen"] if scorer == "classifier" else ""
            lines.append(f"| {label} | {used} | {scorer} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {auc} |")
    lines += [
        "",
        "Cross-validated ROC-AUC on the train split (leave one writer's batch out), which made the choices:",
        "",
        "| label | rules only | best classifier | features | C | rules weight |",
        "|---|---|---|---|---|---|",
    ]
    for label, entry in report.items():
        lines.append(f"| {label} | {entry['cv_auc_rules']:.3f} | {entry['cv_auc_model']:.3f} | {entry['model_kind']} | {entry['C']} | {entry['rules_weight']} |")
    lines += [
        "",
        f"The alternatives: best cross-validated ROC-AUC of each feature set over C in {C_GRID} and rules weight",
        f"in {RULES_WEIGHTS} (its C and weight in brackets):",
        "",
        "| label | signals only | n-grams | both |",
        "|---|---|---|---|",
    ]
    for label, entry in report.items():
        cells = [f"{g['auc']:.3f} (C={g['C']}, w={g['rules_weight']})" for g in (entry["cv_grid"][k] for k in ("dense", "ngrams", "both"))]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if info.get("verdicts"):
        lines += [
            "",
            "## Verdicts",
            "",
            "`netlint`'s pass/fail verdict with its default thresholds (see `linter/config.py`; `overall` below",
            "50 fails), against the `good` label:",
            "",
            "| messages | agree | passed, labelled not good | failed, labelled good |",
            "|---|---|---|---|",
        ]
        for name, v in info["verdicts"].items():
            lines.append(f"| {name} | {v['agree']}/{v['messages']} ({v['agree'] / v['messages']:.0%}) | "
                         f"{v['passed_not_good']} | {v['failed_good']} |")
    if info.get("sentence_rules"):
        lines += [
            "",
            "## Sentence readings",
            "",
            "The rules that quote the classifier on one sentence fire when its probability passes their",
            "threshold (set in each rule file). Share of train-split messages they fire on, with and without",
            "the label; thresholds are set so the second stays near 5% or below:",
            "",
            "| rule | label | threshold | fires with label | fires without |",
            "|---|---|---|---|---|",
        ]
        for row in info["sentence_rules"]:
            lines.append(f"| {row['code']} | {row['label']} | {row['threshold']} | {row['with']:.0%} | {row['without']:.0%} |")
    if info.get("stress"):
        lines += [
            "",
            "## Out-of-style stress set",
            "",
            "`corpus/stress/`: " + ", ".join(f"{name} ({count} messages)" for name, count in info["stress"].items()) + ",",
            "each written after the model of its day, by a writer told to avoid the training batches' voices",
            "(briefs in `corpus/README.md`). Never used for a choice; they show how the classifier carries over",
            "to writing unlike its own. ROC-AUC (F1 in brackets) by rules weight w; the chosen w is in bold:",
            "",
            "| set | label | positives | rules only | " + " | ".join(f"w={w}" for w in STRESS_WEIGHTS) + " |",
            "|---|---|---|---|" + "---|" * len(STRESS_WEIGHTS),
        ]

        def cell(m, bold=False):
            auc = "n/a" if m["roc_auc"] is None else f"{m['roc_auc']:.3f}"
            text = f"{auc} ({m['f1']:.2f})"
            return f"**{text}**" if bold else text

        for name in info["stress"]:
            for label, entry in report.items():
                stress_entry = entry["stress"][name]
                cells = [cell(stress_entry["blends"][w], w == entry["rules_weight"]) for w in STRESS_WEIGHTS]
                lines.append(f"| {name} | {label} | {stress_entry['positives']} | {cell(stress_entry['rules_only'])} | "
                             + " | ".join(cells) + " |")
    lines += [
        "",
        "## Intended use and limits",
        "",
        "- Ranking English outreach drafts and templates by how generic, self-serving and unresearched they",
        "  read, to point a writer at what to rewrite. Not for judging people, and not a reply-rate predictor.",
        "- The corpus was written by this project's team to cover many situations; real messages differ in",
        "  ways it cannot cover. Figures above are on held-out messages from the same corpus: expect lower",
        "  quality on real mail. The leave-one-writer-out figures are the more honest estimate.",
        "- English only: netlint says so and stops scoring confidently on other languages.",
        "- Weights are JSON; nothing is unpickled. The file carries a sha256 of its payload.",
        "",
    ]
    return "\n".join(lines)


def write(document: dict, card: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")


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
        current = (target_dir / MODEL_FILE).read_text(encoding="utf-8") if (target_dir / MODEL_FILE).exists() else ""
        fresh = json.dumps(document, sort_keys=True, indent=1) + "\n"
        if current != fresh:
            print(f"netlint: {target_dir / MODEL_FILE} differs from a fresh build: run `netlint train`", file=sys.stderr)
            return 1
        print("model is up to date")
        return 0
    write(document, card, target_dir)
    print(f"wrote {target_dir / MODEL_FILE} and {target_dir / 'MODEL_CARD.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main("--check" in sys.argv))
