"""The four scores of a message and the reasons that moved them.

Each problem score (`genericness`, `self_serving`, `missing_research`) is a probability-like number 0-100
built as a sum of named contributions on the logit scale, so every point can be explained. The rules
contribute through `features()`; the trained classifier (when `models/` holds one) adds its own logit
contribution on top, keyed by the same names. `overall` rises with quality: it is the model's estimate
that a careful networker would send the message as is, or, without a model, a blend of the three
problems and the findings' severities.
"""

from __future__ import annotations

import math

from linter.report import Finding, ScoreReason, Scores
from linter.signals import Analysis

LABELS = ("genericness", "self_serving", "missing_research")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def features(analysis: Analysis, findings: list[Finding]) -> dict[str, float]:
    """The measured signals of a message as named numbers; the classifier reads these too."""
    signals = analysis.signals
    body = signals.body
    has = signals.has
    research = sum(1 for s in body if s.research and not s.research_slot)
    slots = sum(1 for s in body if s.research_slot)
    reader_specific = sum(len(s.specifics) for s in body if s.research or s.shared_context or s.second_person)
    by_category: dict[str, float] = {}
    for finding in findings:
        if finding.source == "rule":
            by_category[finding.category] = by_category.get(finding.category, 0.0) + 1.0
    identity_only = any(f.code == "NL702" for f in findings)
    asks = [s for s in body if s.ask]
    words = max(signals.body_words, 1)
    return {
        "research_sentences": float(min(research, 3)),
        "research_slots": float(min(slots, 2)),
        "shared_context": float(has["shared_context"]),
        "reader_specifics": float(min(reader_specific, 5)),
        "shallow_reference": float(any(s.shallow for s in body)),
        "flattery": float(min(sum(s.flattery for s in body), 3)),
        "filler": float(min(sum(s.filler for s in body), 3)),
        "identity_only": float(identity_only),
        "asks": float(min(len(asks), 4)),
        "big_ask": float(any(s.big_ask for s in asks)),
        "offer": float(min(sum(s.offer for s in body), 2)),
        "easy_out": float(has["easy_out"]),
        "thanks_message": float(has["thanks_message"]),
        "self_focus": signals.self_focus - 0.5,
        "self_intro": float(min(sum(s.self_intro for s in body), 3)),
        "apology": float(min(sum(s.apology for s in body), 2)),
        "log_words": math.log(words),
        "long": float(words > 200),
        "short": float(words < 20),
        "questions": float(min(signals.questions, 5)),
        "rule_genericness": min(by_category.get("genericness", 0.0), 4.0),
        "rule_self_serving": min(by_category.get("self_serving", 0.0), 4.0),
        "rule_research": min(by_category.get("research", 0.0), 2.0),
        "rule_confidence": min(by_category.get("confidence", 0.0), 4.0),
        "rule_clarity": min(by_category.get("clarity", 0.0), 4.0),
        "rule_template": min(by_category.get("template", 0.0), 2.0),
    }


# Hand-set weights on the logit scale: the rules-only scores, before any training.
RULE_WEIGHTS: dict[str, dict[str, float]] = {
    "genericness": {
        "bias": 0.2,
        "research_sentences": -1.6,
        "research_slots": -2.0,
        "shared_context": -1.6,
        "reader_specifics": -0.3,
        "shallow_reference": 0.6,
        "flattery": 0.6,
        "filler": 0.4,
        "identity_only": 1.2,
        "rule_genericness": 0.5,
        "rule_research": 0.8,
    },
    "self_serving": {
        "bias": -1.0,
        "asks": 0.5,
        "big_ask": 1.3,
        "offer": -1.5,
        "easy_out": -0.6,
        "thanks_message": -1.5,
        "self_focus": 2.0,
        "self_intro": 0.3,
        "rule_self_serving": 0.6,
        "research_sentences": -0.3,
    },
    "missing_research": {
        "bias": 1.6,
        "research_sentences": -2.2,
        "research_slots": -3.0,
        "shared_context": -2.0,
        "reader_specifics": -0.3,
        "shallow_reference": 0.5,
        "rule_research": 0.5,
    },
}
_REASON_TEXT = {
    "research_sentences": "sentences that refer to the recipient's own work",
    "research_slots": "research slots in the template",
    "shared_context": "a shared connection, event or community",
    "reader_specifics": "specific names, titles or numbers about the recipient",
    "shallow_reference": "a shallow reference (profile, background, employer)",
    "flattery": "praise without a specific",
    "filler": "filler sentences",
    "identity_only": "only identity fields vary",
    "asks": "requests",
    "big_ask": "a big ask (job, referral, mentorship, demo, an hour)",
    "offer": "something offered to the reader",
    "easy_out": "an easy out for the reader",
    "thanks_message": "a thank-you",
    "self_focus": "focus on the writer (I/me) over the reader (you)",
    "self_intro": "self-introduction",
    "rule_genericness": "genericness findings",
    "rule_self_serving": "self-serving findings",
    "rule_research": "research findings",
}


def rule_logits(values: dict[str, float]) -> dict[str, list[tuple[str, float]]]:
    contributions = {}
    for label, weights in RULE_WEIGHTS.items():
        items = [("bias", weights["bias"])]
        items += [(name, weight * values.get(name, 0.0)) for name, weight in weights.items() if name != "bias"]
        contributions[label] = [(name, c) for name, c in items if c != 0.0]
    return contributions


def _rule_overall(problems: dict[str, float], findings: list[Finding]) -> float:
    penalty = sum({"error": 2.0, "warning": 0.35, "info": 0.1}[f.severity] for f in findings)
    logit = 2.2 - 1.8 * problems["genericness"] - 1.6 * problems["self_serving"] - 1.6 * problems["missing_research"]
    return _sigmoid(logit - min(penalty, 4.0))


def rules_logits(values: dict[str, float], findings: list[Finding]) -> dict[str, float]:
    """The rules-only estimate of each score on the logit scale, `overall` as "good"."""
    contributions = rule_logits(values)
    logits = {label: sum(c for _, c in contributions[label]) for label in LABELS}
    overall = _rule_overall({label: _sigmoid(v) for label, v in logits.items()}, findings)
    overall = min(max(overall, 1e-6), 1 - 1e-6)
    logits["good"] = math.log(overall / (1 - overall))
    return logits


def _overall_reason(overall: float, problems: dict[str, float], lowering: list[str], findings: list[Finding]) -> ScoreReason:
    """Why `overall` is what it is, in words. When no problem score is high and `overall` is still low, the
    reason names the wording and the findings that lowered it, so the two never contradict each other
    silently."""
    effect = round(100 * overall - 50, 1)
    terms = ", ".join(f"'{t}'" for t in lowering[:3])
    if overall < 0.5 and max(problems.values()) < 0.5:
        named = list(dict.fromkeys(f"{f.code} {f.name}" for f in findings if f.severity != "info"))[:2]
        return ScoreReason(f"no problem score is high, but the classifier reads wording a careful networker would "
                           f"rewrite{': ' + terms if terms else ''}{'; findings: ' + ', '.join(named) if named else ''}",
                           effect, "model")
    if overall < 0.5:
        return ScoreReason(f"the problems above{'; wording: ' + terms if terms else ''}", effect, "model")
    return ScoreReason("the classifier's estimate that a careful networker would send it", effect, "model")


def score(analysis: Analysis, findings: list[Finding], model=None) -> Scores:
    values = features(analysis, findings)
    contributions = rule_logits(values)
    by_rules = rules_logits(values, findings)
    probabilities: dict[str, float] = {}
    reasons: dict[str, list[ScoreReason]] = {}
    model_output = model.predict(analysis, values, by_rules) if model is not None else None
    for label in LABELS:
        rules_logit = by_rules[label]
        logit = rules_logit
        if model_output is not None and label in model_output.logits:
            logit = model_output.logits[label]
        probabilities[label] = _sigmoid(logit)
        base = _sigmoid(contributions[label][0][1])
        explained = []
        for name, contribution in contributions[label]:
            if name == "bias" or abs(contribution) < 0.05:
                continue
            effect = 100 * (_sigmoid(contributions[label][0][1] + contribution) - base)
            explained.append(ScoreReason(_REASON_TEXT.get(name, name.replace("_", " ")), round(effect, 1), name))
        if model_output is not None and label in model_output.logits:
            shift = 100 * (probabilities[label] - _sigmoid(rules_logit))
            terms = ", ".join(f"'{t}'" for t in model_output.terms.get(label, [])[:3])
            explained.append(ScoreReason(f"classifier{': ' + terms if terms else ''}", round(shift, 1), "model"))
        explained.sort(key=lambda r: -abs(r.effect))
        reasons[label] = explained
    if model_output is not None and "good" in model_output.logits:
        overall = _sigmoid(model_output.logits["good"])
        reasons["overall"] = [_overall_reason(overall, probabilities, model_output.terms.get("good", []), findings)]
    else:
        overall = _sigmoid(by_rules["good"])
        reasons["overall"] = [ScoreReason("blend of the three problem scores and the findings", round(100 * overall - 50, 1), "rules")]
    return Scores(
        genericness=round(100 * probabilities["genericness"]),
        self_serving=round(100 * probabilities["self_serving"]),
        missing_research=round(100 * probabilities["missing_research"]),
        overall=round(100 * overall),
        reasons=reasons,
        reliable=not any(f.code == "NL801" for f in findings),
        inputs=model_output.inputs if model_output is not None else values,
        classifier={label: _sigmoid(v) for label, v in model_output.raw.items()} if model_output is not None else {},
    )
