"""The checks: how a rule reads a whole message when a phrase list cannot say it.

A rule file names one with `check: NAME` and says in `params` what it reads. Four kinds are generic
(`sentence`, `absent`, `limit`, `recipients`: the vocabulary and cut-offs live in the rule file and in
`rules/lexicons/`); the others each measure one thing no generic kind does. Each check reads an `Analysis`
and returns `Hit`s: the characters to point at and values for the rule's message (`{fields}`, `{count}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from linter.signals import Analysis, Sentence


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    values: dict = field(default_factory=dict)


CHECKS: dict[str, Callable[[Analysis, dict], list[Hit]]] = {}
# Checks that read the classifier: they run after the scores, and the scores never count them.
MODEL_CHECKS = frozenset({"classifier-sentence"})


def check(name: str):
    def register(function):
        CHECKS[name] = function
        return function

    return register


def _at(sentence: Sentence, **values) -> Hit:
    return Hit(sentence.start, sentence.end, values)


def _body(analysis: Analysis) -> list[Sentence]:
    return analysis.signals.body


_WORD = re.compile(r"[\w'’-]+")


# --- Generic kinds: what they look for is named in the rule's `params`. -------------------------------

@check("sentence")
def sentence(analysis: Analysis, params: dict) -> list[Hit]:
    """Each body sentence with every flag in `has` and none in `lacks`; with `count: hedges`, at least `min` of them."""
    has, lacks = params.get("has", ()), params.get("lacks", ())
    hits = []
    for s in _body(analysis):
        if not all(getattr(s, f) for f in has) or any(getattr(s, f) for f in lacks):
            continue
        if "count" in params:
            found = getattr(s, params["count"])
            if len(found) >= params.get("min", 1):
                hits.append(_at(s, count=len(found), found=", ".join(f"'{h}'" for h in found)))
        else:
            hits.append(_at(s))
    return hits


@check("absent")
def absent(analysis: Analysis, params: dict) -> list[Hit]:
    """A body of `min_words` or more that lacks every message signal in `signals` (`Signals.has`).

    Points at the first sentence flagged `given` (no such sentence, no finding), else at the first or last
    body sentence (`at`)."""
    body = _body(analysis)
    if not body or analysis.signals.body_words < params.get("min_words", 0):
        return []
    if any(analysis.signals.has[signal] for signal in params["signals"]):
        return []
    if "given" in params:
        given = [s for s in body if getattr(s, params["given"])]
        return [_at(given[0])] if given else []
    return [_at(body[-1] if params.get("at") == "last" else body[0])]


def _counts(analysis: Analysis, what: str) -> tuple[list[int], int]:
    """Per body sentence, and in all, how many words, asking sentences or question marks."""
    body = _body(analysis)
    if what == "words":
        each = [len(_WORD.findall(s.text)) for s in body]
        return each, analysis.signals.body_words
    if what == "asks":
        each = [int(s.ask) for s in body]
        return each, sum(each)
    return [int(s.question) for s in body], analysis.signals.questions


@check("limit")
def limit(analysis: Analysis, params: dict) -> list[Hit]:
    """The first of `limits` the body goes over: [{count: words|asks|questions, max: N, at: over|last, what: ...}].

    `over` points at the sentence where the running count passes `max`; `last` at the last sentence counted."""
    body = _body(analysis)
    for spec in params["limits"]:
        each, total = _counts(analysis, spec["count"])
        if total <= spec["max"]:
            continue
        values = {"count": total, "limit": spec["max"], "what": spec.get("what", spec["count"])}
        if spec.get("at", "over") == "over":
            running = 0
            for s, n in zip(body, each):
                running += n
                if running > spec["max"]:
                    return [_at(s, **values)]
        else:
            counted = [s for s, n in zip(body, each) if n]
            if counted:
                return [_at(counted[-1], **values)]
    return []


# --- Checks of their own: each reads something no generic kind measures. ----------------------------


@check("ask-before-context")
def ask_before_context(analysis: Analysis, params: dict) -> list[Hit]:
    body = [s for s in _body(analysis) if not s.filler or s.ask]
    if len(_body(analysis)) < 2 or not body:
        return []
    first = body[0]
    if first.ask and first.big_ask and not (first.research or first.shared_context or first.offer):
        return [_at(first)]
    return []


@check("self-focus")
def self_focus(analysis: Analysis, params: dict) -> list[Hit]:
    signals = analysis.signals
    if signals.first_person < params.get("min_first_person", 5):
        return []
    if signals.self_focus < params.get("threshold", 0.7):
        return []
    heavy = max(_body(analysis), key=lambda s: s.first_person - s.second_person)
    return [_at(heavy, share=f"{signals.self_focus:.0%}", first=signals.first_person, second=signals.second_person)]


@check("wall-of-text")
def wall_of_text(analysis: Analysis, params: dict) -> list[Hit]:
    text = analysis.message.analysed
    limit = params.get("max_words", 120)
    hits = []
    for m in re.finditer(r"(?:[^\r\n]+(?:\r\n|\r|\n)?)+", text):
        words = len(_WORD.findall(m.group(0)))
        if words > limit:
            first_line_end = re.search(r"[.!?](\s|$)", m.group(0))
            end = m.start() + (first_line_end.end() if first_line_end else len(m.group(0).rstrip()))
            hits.append(Hit(m.start(), min(end, m.start() + len(m.group(0).rstrip())), {"count": words, "limit": limit}))
    return hits


@check("unfilled-placeholder")
def unfilled_placeholder(analysis: Analysis, params: dict) -> list[Hit]:
    if analysis.mode == "template":
        return []
    return [Hit(p.start, p.end, {"name": p.name}) for p in analysis.message.placeholders]


@check("identity-only-personalization")
def identity_only(analysis: Analysis, params: dict) -> list[Hit]:
    placeholders = analysis.message.placeholders
    if not placeholders or any(p.role == "research" for p in placeholders):
        return []
    if analysis.signals.has["research"] or analysis.signals.has["shared_context"]:
        return []
    names = list(dict.fromkeys(p.name for p in placeholders))
    fields = ", ".join(f"`{n}`" for n in names)
    verb = "varies" if len(names) == 1 else "vary"
    first = placeholders[0]
    return [Hit(first.start, first.end, {"fields": fields, "verb": verb})]


@check("not-english")
def not_english(analysis: Analysis, params: dict) -> list[Hit]:
    signals = analysis.signals
    letters = [c for c in analysis.message.analysed if c.isalpha()]
    # Chinese or Japanese has few spaCy "words"; mostly non-Latin letters say "not English" on their own.
    other_script = len(letters) >= 10 and sum(c < "\u0250" for c in letters) < len(letters) / 2
    if not other_script and (signals.words < params.get("min_words", 6) or signals.english_ratio >= params.get("min_ratio", 0.12)):
        return []
    body = _body(analysis) or analysis.signals.sentences
    return [_at(body[0])] if body else []


@check("template-syntax")
def template_syntax(analysis: Analysis, params: dict) -> list[Hit]:
    if analysis.mode != "template" and "{%" not in analysis.message.text:
        return []
    from linter.template import syntax_problem

    problem = syntax_problem(analysis.message.text)
    if problem is None:
        return []
    if problem.span:
        return [Hit(*problem.span, {"problem": problem.message})]
    lines = analysis.message.text.splitlines(keepends=True)
    line = min(problem.line, len(lines)) if lines else 1
    start = sum(len(l) for l in lines[: line - 1])
    end = start + len(lines[line - 1].rstrip("\r\n")) if lines else 0
    return [Hit(start, max(end, start + 1) if end > start else start, {"problem": problem.message})]


def _placeholder_hit(analysis: Analysis, name: str) -> tuple[int, int]:
    found = next((p for p in analysis.message.placeholders if p.name == name), None)
    return (found.start, found.end) if found else (0, min(1, len(analysis.message.text)))


def _rows(numbers: list[int], count: int) -> str:
    """'3, 9, 12 and 40 more': the first rows kept, and how many others there were."""
    shown = ", ".join(str(n) for n in numbers)
    return shown + (f" and {count - len(numbers)} more" if count > len(numbers) else "")


@check("recipients")
def recipients(analysis: Analysis, params: dict) -> list[Hit]:
    """What rendering a template once per recipient (`--context`) found: `summary` names which part to report."""
    if analysis.context is None:
        return []
    return _SUMMARIES[params["summary"]](analysis, params)


def _empty_fields(analysis: Analysis, params: dict) -> list[Hit]:
    summary = analysis.context
    hits = []
    for name, rows in sorted(summary.empty_fields.items()):
        start, end = _placeholder_hit(analysis, name)
        count = summary.empty_counts.get(name, len(rows))
        hits.append(Hit(start, end, {"field": name, "count": count, "total": summary.rows, "rows": _rows(rows, count)}))
    return hits


def _render_failures(analysis: Analysis, params: dict) -> list[Hit]:
    summary = analysis.context
    if not summary.failures:
        return []
    row, key, reason = summary.failures[0]
    first_line_end = analysis.message.text.find("\n")
    end = first_line_end if first_line_end > 0 else len(analysis.message.text)
    return [Hit(0, end, {"count": summary.failure_count, "total": summary.rows, "row": row, "key": key, "reason": reason})]


def _sameness(analysis: Analysis, params: dict) -> list[Hit]:
    summary = analysis.context
    if summary.sameness is None or summary.sameness < params.get("threshold", 0.9):
        return []
    fields = ", ".join(f"`{f}`" for f in summary.identity_fields) or "no field"
    start, end = _placeholder_hit(analysis, summary.identity_fields[0]) if summary.identity_fields else (0, 1)
    return [Hit(start, end, {"similarity": f"{summary.sameness:.0%}", "fields": fields})]


_SUMMARIES = {"empty-fields": _empty_fields, "render-failures": _render_failures, "sameness": _sameness}


@check("classifier-sentence")
def classifier_sentence(analysis: Analysis, params: dict) -> list[Hit]:
    label = params["label"]
    threshold = params.get("threshold", 0.85)
    return [
        Hit(r.start, r.end, {"probability": f"{r.probability:.2f}", "terms": ", ".join(f"'{t}'" for t in r.terms) or "its wording"})
        for r in analysis.readings
        if r.label == label and r.probability >= threshold
    ]
