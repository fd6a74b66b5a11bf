"""Procedural checks: the rules that a phrase list cannot express.

A rule file names one with `check: NAME` and may tune it with `params`. Each check reads an `Analysis`
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


@check("no-research")
def no_research(analysis: Analysis, params: dict) -> list[Hit]:
    body = _body(analysis)
    if not body or analysis.signals.body_words < params.get("min_words", 8):
        return []
    if any(s.research or s.research_slot or s.shared_context for s in body):
        return []
    return [_at(body[0])]


@check("flattery-without-specifics")
def flattery(analysis: Analysis, params: dict) -> list[Hit]:
    return [_at(s) for s in _body(analysis) if s.flattery and not s.thanks]


@check("ask-without-offer")
def ask_without_offer(analysis: Analysis, params: dict) -> list[Hit]:
    asks = [s for s in _body(analysis) if s.ask and (s.big_ask or not params.get("big_only", False))]
    if not asks or any(s.offer for s in _body(analysis)):
        return []
    return [_at(asks[0])]


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


@check("no-clear-ask")
def no_clear_ask(analysis: Analysis, params: dict) -> list[Hit]:
    body = _body(analysis)
    has = analysis.signals.has
    # A note that gives something (an offer, a resource) and asks nothing back is value first, not aimless.
    if not body or has["ask"] or has["offer"] or has["thanks_message"] or analysis.signals.body_words < params.get("min_words", 15):
        return []
    return [_at(body[-1])]


@check("multiple-asks")
def multiple_asks(analysis: Analysis, params: dict) -> list[Hit]:
    asks = [s for s in _body(analysis) if s.ask]
    limit = params.get("max_asks", 3)
    questions = analysis.signals.questions
    if len(asks) > limit:
        return [_at(asks[limit], count=len(asks), what="requests")]
    if questions > params.get("max_questions", 3):
        extra = [s for s in _body(analysis) if s.question]
        if extra:
            return [_at(extra[-1], count=questions, what="questions")]
    return []


@check("too-long")
def too_long(analysis: Analysis, params: dict) -> list[Hit]:
    limit = params.get("max_words", 200)
    words = 0
    for sentence in _body(analysis):
        words += len(re.findall(r"[\w'’-]+", sentence.text))
        if words > limit:
            return [_at(sentence, count=analysis.signals.body_words, limit=limit)]
    return []


@check("wall-of-text")
def wall_of_text(analysis: Analysis, params: dict) -> list[Hit]:
    text = analysis.message.analysed
    limit = params.get("max_words", 120)
    hits = []
    for m in re.finditer(r"(?:[^\r\n]+(?:\r\n|\r|\n)?)+", text):
        words = len(re.findall(r"[\w'’-]+", m.group(0)))
        if words > limit:
            first_line_end = re.search(r"[.!?](\s|$)", m.group(0))
            end = m.start() + (first_line_end.end() if first_line_end else len(m.group(0).rstrip()))
            hits.append(Hit(m.start(), min(end, m.start() + len(m.group(0).rstrip())), {"count": words, "limit": limit}))
    return hits


_HEDGES = re.compile(
    r"\b(maybe|perhaps|possibly|just|might|kind of|sort of|a bit|a little|i think|i guess|i suppose|"
    r"if possible|if at all possible|if it's not too much trouble|if you don't mind|i was wondering|"
    r"hopefully|somewhat|probably|not sure if|no idea if)\b"
)


@check("stacked-hedges")
def stacked_hedges(analysis: Analysis, params: dict) -> list[Hit]:
    hits = []
    for sentence in _body(analysis):
        found = _HEDGES.findall(sentence.text.lower().replace("’", "'"))
        if len(found) >= params.get("min_hedges", 3):
            hits.append(_at(sentence, count=len(found), hedges=", ".join(f"'{h}'" for h in found)))
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


@check("context-empty-field")
def context_empty_field(analysis: Analysis, params: dict) -> list[Hit]:
    summary = analysis.context
    if summary is None:
        return []
    hits = []
    for name, rows in sorted(summary.empty_fields.items()):
        start, end = _placeholder_hit(analysis, name)
        count = summary.empty_counts.get(name, len(rows))
        hits.append(Hit(start, end, {"field": name, "count": count, "total": summary.rows, "rows": _rows(rows, count)}))
    return hits


@check("context-render-failed")
def context_render_failed(analysis: Analysis, params: dict) -> list[Hit]:
    summary = analysis.context
    if summary is None or not summary.failures:
        return []
    row, key, reason = summary.failures[0]
    first_line_end = analysis.message.text.find("\n")
    end = first_line_end if first_line_end > 0 else len(analysis.message.text)
    return [Hit(0, end, {"count": summary.failure_count, "total": summary.rows, "row": row, "key": key, "reason": reason})]


@check("context-sameness")
def context_sameness(analysis: Analysis, params: dict) -> list[Hit]:
    summary = analysis.context
    if summary is None or summary.sameness is None or summary.sameness < params.get("threshold", 0.9):
        return []
    fields = ", ".join(f"`{f}`" for f in summary.identity_fields) or "no field"
    start, end = _placeholder_hit(analysis, summary.identity_fields[0]) if summary.identity_fields else (0, 1)
    return [Hit(start, end, {"similarity": f"{summary.sameness:.0%}", "fields": fields})]


@check("classifier-sentence")
def classifier_sentence(analysis: Analysis, params: dict) -> list[Hit]:
    label = params["label"]
    threshold = params.get("threshold", 0.85)
    return [
        Hit(r.start, r.end, {"probability": f"{r.probability:.2f}", "terms": ", ".join(f"'{t}'" for t in r.terms) or "its wording"})
        for r in analysis.readings
        if r.label == label and r.probability >= threshold
    ]
