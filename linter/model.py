"""The trained classifier at lint time: weights read from JSON, arithmetic in plain Python.

`models/classifier.json` holds, per label, a logistic regression over two blocks of features: tf-idf
word uni- and bigrams of the message (this module's `terms()`, shared with training) and the named
signals of `scoring.features()` plus the rules' own logits, standardised. No pickle, no scikit-learn at
lint time: loading is `json.load` and a checksum. With no model file, scores come from the rules alone.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

import numpy as np

from linter.data import models_dir

MODEL_FILE = "classifier.json"
FORMAT = "netlint-linear-v1"
# Classifier labels -> the score each one drives.
LABEL_TO_SCORE = {"generic": "genericness", "self_serving": "self_serving", "not_researched": "missing_research", "good": "good"}


class ModelError(RuntimeError):
    """The model file is missing a part, truncated or altered; the message names the file."""


def terms(analysis, start: int = 0, end: int | None = None) -> list[str]:
    """Word uni- and bigrams of a message's body and greeting (or of one span), placeholders as their role
    and each stock phrase a rule found as its code: the classifier learns "__NL102__", not the words."""
    first, last = analysis.signals.token_range(start, len(analysis.message.text) if end is None else end)
    words: list[str] = []
    for word, is_slot in _token_terms(analysis)[first:last]:
        if word is None or (is_slot and words and words[-1] == word):  # one slot, one term
            continue
        words.append(word)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _token_terms(analysis) -> list[tuple[str | None, bool]]:
    """Each token's term (None: not read) and whether it stands for a slot: worked out once per message
    (and again only if the phrase findings change)."""
    cached = analysis.term_index
    if cached is not None and cached[0] is analysis.phrases:
        return cached[1]
    message = analysis.message
    slots = [(p.start, p.end, f"__{p.role}_slot__") for p in message.placeholders]
    slots += [(a, b, f"__{code}__") for a, b, code in analysis.phrases]
    # What stands at each character: written last-first so the first slot listed wins, as a scan would.
    at: list[str | None] = [None] * (len(message.text) + 1)
    for a, b, name in reversed(slots):
        at[a:b] = [name] * (b - a)
    for region in message.regions:
        if region.kind in ("sign_off", "subject"):
            at[region.start:region.end] = [""] * (region.end - region.start)
    out: list[tuple[str | None, bool]] = []
    for token in analysis.signals.tokens:
        slot = at[token.start]
        if token.space or token.punct or slot == "":
            out.append((None, False))
        elif slot:
            out.append((slot, True))
        elif token.number:
            out.append(("__num__", False))
        elif token.alpha or "'" in token.lower:
            out.append((token.lower, False))
        else:
            out.append((None, False))
    analysis.term_index = (analysis.phrases, out)
    return out


# The sentence moves whose share in a message the classifier reads (greeting and sign-off are not body).
MESSAGE_MOVES = ("pleasantry", "self_intro", "research", "common_ground", "value_offer", "ask", "flattery",
                 "filler", "apology", "thanks", "other")


_SUBLINEAR = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]  # 1 + log(count), looked up, not recomputed


def tfidf(words: list[str], vocabulary: dict[str, int], idf) -> dict[int, float]:
    """Sparse tf-idf of one bag of terms, exactly as scikit-learn's TfidfVectorizer(sublinear_tf, l2)."""
    counts = Counter(map(vocabulary.get, words))  # keeps first-seen order, so sums add up in the same order
    counts.pop(None, None)
    sublinear = _SUBLINEAR
    sparse = {i: (sublinear[n] if n < 64 else 1.0 + math.log(n)) * idf[i] for i, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in sparse.values()))
    return {i: v / norm for i, v in sparse.items()} if norm > 0 else sparse


class MoveReader:
    """A softmax regression over a sentence's terms that names its move (research, ask, value_offer ...),
    trained on the corpus's sentence labels."""

    def __init__(self, data: dict) -> None:
        self.names: list[str] = data["names"]
        self.vocabulary: dict[str, int] = data["vocabulary"]
        self.idf: list[float] = data["idf"]
        self.weights = np.array(data["weights"], dtype=float).reshape(len(self.idf), len(self.names))
        self.intercepts = np.array(data["intercepts"], dtype=float)

    def probabilities(self, sentence_terms: list[list[str]]) -> "np.ndarray":
        """(sentences x moves) probabilities: one gather and one segmented sum for the whole message."""
        indices, values, starts = stack([tfidf(words, self.vocabulary, self.idf) for words in sentence_terms])
        logits = np.tile(self.intercepts, (len(sentence_terms), 1))
        nonempty = np.diff(np.append(starts, len(indices))) > 0  # reduceat would give an empty one its neighbour
        if nonempty.any():
            logits[nonempty] += np.add.reduceat(self.weights[indices] * values[:, None], starts[nonempty], axis=0)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def features(self, sentence_terms: list[list[str]]) -> dict[str, float]:
        """Per move, its largest probability over the body's sentences and its mean share."""
        if not sentence_terms:
            return {f"move_{kind}_{move}": 0.0 for move in MESSAGE_MOVES for kind in ("max", "share")}
        rows = self.probabilities(sentence_terms)
        out: dict[str, float] = {}
        for move in MESSAGE_MOVES:
            column = rows[:, self.names.index(move)].tolist()
            out[f"move_max_{move}"] = max(column)
            out[f"move_share_{move}"] = sum(column) / len(column)
        return out


def stack(vectors: list[dict[int, float]]) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
    """Sparse vectors laid end to end: their indices, their values, and where each one starts."""
    starts = np.cumsum([0] + [len(v) for v in vectors[:-1]]).astype(np.intp) if vectors else np.zeros(0, np.intp)
    indices = np.fromiter((i for v in vectors for i in v), dtype=np.intp)
    values = np.fromiter((x for v in vectors for x in v.values()), dtype=float, count=len(indices))
    return indices, values, starts


def body_sentence_terms(analysis) -> list[list[str]]:
    """The terms of each body sentence (the move reader and the sentence readings share them)."""
    if analysis.body_terms is None:
        analysis.body_terms = [terms(analysis, s.start, s.end) for s in analysis.signals.body]
    return analysis.body_terms


@dataclass
class ModelOutput:
    logits: dict[str, float]  # final, blended with the rules; keyed by score name (genericness ... good)
    raw: dict[str, float]  # the classifier's own logits, keyed by label (generic ... good)
    terms: dict[str, list[str]]  # top terms that pushed each score up
    inputs: dict[str, float] = field(default_factory=dict)  # the named (dense) features it read


@dataclass(frozen=True)
class SentenceReading:
    start: int
    end: int
    label: str
    probability: float
    # The terms that pushed the label up, worked out only when a rule reports this reading.
    _top: Callable[[], list[str]] = field(repr=False, compare=False)

    @cached_property
    def terms(self) -> list[str]:
        return self._top()


class LinearModel:
    def __init__(self, data: dict, where: str) -> None:
        try:
            self.vocabulary: dict[str, int] = data["vocabulary"]
            self.idf: list[float] = data["idf"]
            self.dense_names: list[str] = data["dense_features"]
            self.mean: list[float] = data["dense_mean"]
            self.scale: list[float] = data["dense_scale"]
            self.labels: dict[str, dict] = data["labels"]
            self.corpus_hash: str = data["corpus_hash"]
            self.rules_hash: str = data["rules_hash"]
            self.moves = MoveReader(data["moves"]) if data.get("moves") else None
            self.thresholds: dict[str, int] = data.get("thresholds", {})
            for label, entry in self.labels.items():
                if label not in LABEL_TO_SCORE or entry["use"] not in ("model", "rules"):
                    raise ModelError(f"{where}: unknown label or use {label!r}")
                if not 0.0 <= float(entry["rules_weight"]) <= 1.0:
                    raise ModelError(f"{where}: rules_weight of {label!r} must be between 0 and 1")
                if entry["use"] == "model" and len(entry["weights"]) != len(self.idf) + len(self.dense_names):
                    raise ModelError(f"{where}: weights for {label!r} do not match the vocabulary")
        except (KeyError, TypeError) as exc:
            raise ModelError(f"{where}: model file lacks {exc}") from None
        if len(self.idf) != len(self.vocabulary) or len(self.mean) != len(self.dense_names):
            raise ModelError(f"{where}: vocabulary and weights disagree in size")
        self.inverse: dict[int, str] = {i: w for w, i in self.vocabulary.items()}  # feature index -> term
        # The labels the classifier scores, their weights as one (features x labels) matrix: one numpy
        # product per message instead of a Python loop per label.
        self.model_labels = [label for label, entry in self.labels.items() if entry["use"] == "model"]
        self.matrix = np.array([self.labels[label]["weights"] for label in self.model_labels], dtype=float).T.reshape(-1, len(self.model_labels))
        self.intercepts = np.array([self.labels[label]["intercept"] for label in self.model_labels], dtype=float)

    def vector(self, words: list[str], dense: dict[str, float] | None) -> dict[int, float]:
        """Sparse feature vector, exactly as scikit-learn's TfidfVectorizer(sublinear_tf) + StandardScaler.

        With `dense` None, only the n-gram block (the signals left at their mean, which standardises to 0)."""
        sparse = tfidf(words, self.vocabulary, self.idf)
        if dense is None:
            return sparse
        offset = len(self.idf)
        for j, name in enumerate(self.dense_names):
            value = (dense.get(name, 0.0) - self.mean[j]) / self.scale[j]
            if value != 0.0:
                sparse[offset + j] = value
        return sparse

    def contributions(self, vector: dict[int, float]) -> tuple[list[int], "np.ndarray"]:
        """Feature indices and their (features x labels) contributions, weight x value."""
        indices = list(vector)
        values = np.fromiter(vector.values(), dtype=float, count=len(indices))
        return indices, self.matrix[indices] * values[:, None]

    def logits(self, parts: "np.ndarray") -> list[float]:
        """Each model label's logit (in `model_labels` order) from `contributions`."""
        return (self.intercepts + parts.sum(axis=0)).tolist()

    def predict(self, analysis, values: dict[str, float], by_rules: dict[str, float]) -> ModelOutput:
        """Each label's logit: (1 - w) x classifier + w x rules, w = the label's `rules_weight`."""
        moves = self.moves.features(body_sentence_terms(analysis)) if self.moves else {}
        dense = dense_inputs(values, by_rules, moves)
        vector = self.vector(terms(analysis), dense)
        indices, parts = self.contributions(vector)
        raw = dict(zip(self.model_labels, self.logits(parts)))
        blended: dict[str, float] = {}
        top: dict[str, list[str]] = {}
        for column, (label, logit) in enumerate(raw.items()):
            score_name = LABEL_TO_SCORE[label]
            weight = self.labels[label]["rules_weight"]
            blended[score_name] = (1 - weight) * logit + weight * by_rules[score_name]
            sign = -1 if label == "good" else 1
            top[score_name] = self._top_terms(indices, sign * parts[:, column], 5)
        return ModelOutput(logits=blended, raw=raw, terms=top, inputs=dense)

    def _top_terms(self, indices: list[int], contribution: "np.ndarray", n: int) -> list[str]:
        """The n terms that pushed a label up the most (ties: the later term first, as sorting tuples did)."""
        inverse = self.inverse
        positions = range(len(indices))
        if len(indices) > 4 * n:  # rank exactly only the 2n largest, found by numpy
            terms_only = np.where(np.asarray(indices) < len(self.idf), contribution, -np.inf)
            positions = np.argpartition(terms_only, len(indices) - 2 * n)[len(indices) - 2 * n:].tolist()
        values = contribution.tolist()
        ranked = heapq.nlargest(n, ((values[k], inverse[indices[k]]) for k in positions if indices[k] in inverse))
        return [t for c, t in ranked if c > 0 and "__" not in t]  # slots and rule codes are not words to show

    def sentence_readings(self, analysis, min_words: int = 4) -> list[SentenceReading]:
        """How the classifier reads each body sentence on its own (n-grams only, signals at their mean):
        one gather of the weights and one segmented sum for all the message's sentences."""
        columns = [(label, self.model_labels.index(label)) for label in ("generic", "self_serving") if label in self.model_labels]
        chosen = [(sentence, words) for sentence, words in zip(analysis.signals.body, body_sentence_terms(analysis))
                  if sum(1 for w in words if " " not in w) >= min_words]
        indices, values, starts = stack([self.vector(words, None) for _, words in chosen])
        parts = self.matrix[indices] * values[:, None]
        ends = np.append(starts[1:], len(indices))
        readings = []
        for (sentence, _), a, b in zip(chosen, starts.tolist(), ends.tolist()):
            logits = (self.intercepts + parts[a:b].sum(axis=0)).tolist()
            for label, column in columns:
                top = partial(self._top_terms, indices[a:b].tolist(), parts[a:b, column], 3)
                readings.append(SentenceReading(sentence.start, sentence.end, label, 1 / (1 + math.exp(-logits[column])), top))
        return readings


def dense_inputs(values: dict[str, float], by_rules: dict[str, float], moves: dict[str, float]) -> dict[str, float]:
    """One message's named features, as training and linting both build them."""
    dense = dict(values)
    for score_name in ("genericness", "self_serving", "missing_research"):
        dense[f"rules_logit_{score_name}"] = by_rules[score_name]
    dense.update(moves)
    return dense


def checksum(payload: dict) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()


def load(path: Path) -> LinearModel:
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"{where}: cannot read model ({exc.strerror or exc.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise ModelError(f"{where}: not a netlint model (not UTF-8 JSON); models are never unpickled") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise ModelError(f"{where}: model file is not valid JSON (truncated or damaged); run `netlint train`") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or "payload" not in data:
        raise ModelError(f"{where}: not a netlint model (expected format {FORMAT})")
    if checksum(data["payload"]) != data.get("sha256"):
        raise ModelError(f"{where}: checksum mismatch: the model file was altered; run `netlint train`")
    return LinearModel(data["payload"], where)


def load_default() -> LinearModel | None:
    path = models_dir() / MODEL_FILE
    if not path.exists():
        return None
    return load(path)
