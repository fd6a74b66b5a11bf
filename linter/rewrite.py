"""`netlint rewrite`: restructure a draft into hook -> offer -> one small ask -> easy out.

Keeps the writer's own research, offer and ask sentences (as the analysis found them, after safe fixes)
and the recipient's name; drops filler, flattery and apologies; fills what is missing with clearly marked
slots such as `[the specific post or project of theirs you read]`. The layout is a Jinja2 template
(`rules/rewrite/outreach.j2`) that config can replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from linter import fixes
from linter.data import rules_dir
from linter.engine import Linter, Source
from linter.signals import Sentence

SLOTS = {
    "hook": "[the specific post, talk or project of theirs you read, and what it changed for you]",
    "value": "[what you can offer them: a short summary, an introduction, feedback or data]",
    "ask": "Would you be open to a 15-minute call next week about [one specific question]?",
    "greeting": "Hi [their first name],",
}
FIX_PASSES = 3  # rounds of safe fixes before restructuring (`--fix` takes up to fixes.MAX_PASSES)
EASY_OUT = "If the timing isn't right, no worries at all."
_TIME_BOUND = re.compile(r"\b(\d+|ten|fifteen|twenty|thirty)[- ]?(min|minute)|\bthis week\b|\bnext week\b|\bby (monday|tuesday|wednesday|thursday|friday)\b|\bquick (call|chat|question)\b|\bone question\b|\btwo questions\b", re.I)
# "I'm so sorry to ask, but would you ..." keeps its ask and loses its apology.
_APOLOGY_LEAD = re.compile(r"(?i)^\s*(i'?m|i am)?\s*(so |really |very |terribly )?(sorry|apologi[sz]e)[^,.?!]*,\s*(but\s+)?")
_IMPERSONAL = re.compile(r"(?i)^\s*(to whom it may concern|dear (sir|madam|hiring|recruit)|hi there|hello there)")


@dataclass
class Rewrite:
    text: str
    slots: list[str] = field(default_factory=list)
    kept: dict[str, list[str]] = field(default_factory=dict)
    restructured: bool = True  # False: the draft already passed and only safe fixes were applied


def _clean(sentence: Sentence) -> str:
    return " ".join(sentence.text.split())


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def rewrite(linter: Linter, source: Source, template_path: Path | None = None, force: bool = False) -> Rewrite:
    text, report = fixes.fix_to_fixpoint(linter, source, passes=FIX_PASSES)
    if report.verdict == "pass" and not force:
        # A draft that already passes keeps its own structure: restructuring could only lose its voice.
        return Rewrite(text, [], {}, restructured=False)
    analysis = linter.analyse(Source(source.path, text, source.mode))
    message = analysis.message
    body = analysis.signals.body
    slots: list[str] = []

    greeting_region = message.region("greeting")
    greeting = text[greeting_region.start : greeting_region.end].strip() if greeting_region else ""
    if not greeting or _IMPERSONAL.match(greeting):
        greeting = SLOTS["greeting"]
        slots.append(SLOTS["greeting"])

    def pick(predicate) -> list[Sentence]:
        return [s for s in body if predicate(s)]

    research = pick(lambda s: s.research or s.research_slot or s.shared_context)
    offers = pick(lambda s: s.offer and s not in research)
    asks = pick(lambda s: s.ask and not s.offer and s not in research)
    intro = pick(lambda s: s.self_intro and not (s.ask or s.offer or s.apology or s in research))[:1]
    easy = pick(lambda s: s.easy_out and not s.apology)

    hook = " ".join(_first_upper(_clean(s)) for s in research[:2])
    if not hook:
        hook = SLOTS["hook"]
        slots.append(hook)
    value = " ".join(_first_upper(_clean(s)) for s in offers[:2])
    if not value:
        value = SLOTS["value"]
        slots.append(value)
    small = [s for s in asks if not s.big_ask and _TIME_BOUND.search(s.text)]
    chosen = small or [s for s in asks if not s.big_ask] or asks
    ask = _first_upper(_APOLOGY_LEAD.sub("", _clean(chosen[0]))) if chosen else ""
    if not ask or not _TIME_BOUND.search(ask):
        ask = SLOTS["ask"]
        slots.append("[one specific question]")
    easy_out = _clean(easy[0]) if easy and easy[0] not in chosen[:1] else EASY_OUT
    if easy_out in ask:
        easy_out = ""
    sign_off_region = message.region("sign_off")
    sign_off = text[sign_off_region.start : sign_off_region.end].strip() if sign_off_region else ""
    sign_off = re.sub(r"(?i)^thanks? (you )?in advance", "Thanks", sign_off)

    from jinja2 import Environment, FileSystemLoader

    path = template_path or rules_dir() / "rewrite" / "outreach.j2"
    environment = Environment(loader=FileSystemLoader(str(path.parent)), keep_trailing_newline=True, autoescape=False)
    rendered = environment.get_template(path.name).render(
        greeting=greeting, hook=hook, intro=_clean(intro[0]) if intro else "", value=value, ask=ask,
        easy_out=easy_out, sign_off=sign_off,
    )
    rendered = re.sub(r"\n{3,}", "\n\n", rendered).strip() + "\n"
    kept = {
        "research": [_clean(s) for s in research[:2]],
        "offer": [_clean(s) for s in offers[:2]],
        "ask": [_clean(chosen[0])] if chosen else [],
        "intro": [_clean(s) for s in intro],
    }
    return Rewrite(rendered, slots, kept)

