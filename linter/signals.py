"""What a message does, sentence by sentence, measured without any rule file.

Owns the procedural reading of a draft: which sentences ask, offer, refer to the recipient's work, praise
without a specific, or talk about the sender; where the reader/writer focus lies; how long the body is.
Rules (`checks.py`) and scores (`scoring.py`) read these signals; nothing here knows about either.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from linter.message import Message

# Word lists are written for outreach English; each one is matched on lower-cased sentence text.
_ASK = re.compile(
    r"\b(would|could|can|will|might) you\b|\bwould it be (possible|ok|okay)\b|\bare you (open|available|free|willing|up for)\b|"
    r"\bdo you have (time|a few|any|15|10|20|30)\b|\bany chance\b|\bi('d| would) (love|like|appreciate|be grateful)\b|"
    r"\bi('m| am) (looking|hoping|seeking|searching|interested in)\b|\bplease (let|refer|consider|share|introduce|send|review|forward|connect|help|reply|schedule|book)\b|"
    r"\blet me know\b|\bhoping (you|to)\b|\brefer(ral)?\b|\bpick your brain\b|\b(quick|short|brief) (call|chat|question|meeting)\b|"
    r"\b(15|10|20|30|fifteen|ten|twenty|thirty)[- ]?(min|minute)|\bcoffee\b|\bhop on\b|\bbook a\b|\bschedule\b|"
    r"\bwould love (to|your)\b|\bmind if\b|\bopen to\b|\bkeep me in mind\b|\bget in touch\b|\bconnect me\b|\bintroduce me\b|"
    r"\bwondering if\b|\bneed (your|a|help)\b|\bif you could\b|\bshall we\b|\blet's (connect|chat|talk|meet|grab|set|find|schedule|jump)\b|"
    r"\bwould you\b|\bcan i\b|\bmay i\b|\bcould i\b|\bcan we\b|\bcould we\b|"
    r"\bkindly (consider|let|share|help|refer|forward|revert|advise|guide|connect|review|send|reply)\b|\bconsider (me|my)\b|"
    r"\b(be|am) (highly |very |most )?(obliged|grateful) if\b|\bdo the needful\b|\blmk\b|"
    r"\bi('d| would) be (honou?red|thrilled) (to|if)\b|\b(love|like|honou?red|keen) to connect\b|"
    r"\b(would be|i'd be|i would be|i'll be|be) (glad|happy) to connect\b(?! you| them| him| her| the two)"
)
_BIG_ASK = re.compile(
    r"\brefer(ral|ring)?\b|\b(job|position|role|opening|internship|vacanc)\w*\b|\bhir(e|ing)\b|\bmentor(ship)?\b|"
    r"\bintroduce me\b|\bintroduction to\b|\bdemo\b|\bpurchase\b|\bbuy\b|\bsign up\b|\binvest\w*\b|\b(an|one|1) hour\b|"
    r"\b(30|45|60)[- ]?(min|minute)|\bresume\b|\bcv\b|\bput in a (good )?word\b|\bpass (my|along)\b|\bsponsor\w*\b|\bfund(ing)?\b"
)
_OFFER = re.compile(
    r"\bhappy to (share|send|help|introduce|connect|return|give|pass|make|review|do|chat|walk|answer)\b|"
    r"\b(i'd|i would|i'll|i will|i can|i could) (be (glad|happy|delighted) to|send(?! (you |over )?(my|a copy of my) (resume|cv|résumé|portfolio|application|details|info))|share|help|introduce|connect you|put you|pass|return|offer|review|give|make|draft|write|test|record)\b|"
    r"\bin return\b|\bif (it'?s|it is|that'?s|this is|it would be) (helpful|useful|of (any )?use|valuable)\b|\bif helpful\b|\bif useful\b|"
    r"\bhere('s| is| are) (a|an|the|my|some|what)\b|\b(attached|enclosed|linked) (is|are) (a|an|the|my)? ?(summary|notes|list|deck|report|write-?up|analysis|draft|doc|checklist|guide|dataset|article|link|template)\b|"
    r"\bi (wrote|put together|made|built|compiled|recorded|created|drafted|collected|mapped|tested|benchmarked|fixed)\b|"
    r"\bi (found|spotted) (a|an|two|three|some|the same|one) ?(small |tiny |possible )?(bug|typo|issue|broken|error|problem|mistake|gap|dead link)\b|"
    r"\bfree\b|\bno (strings|cost|charge|obligation)\b|\bi noticed (a|an|that your|your) (bug|typo|issue|broken|error|problem|small)\b|"
    r"\bthought you('d| would| might| may)\b|\byou (might|may) (find|like|enjoy|want)\b|\bsharing (this|a|an|my|the)\b|"
    r"\bfor your team\b|\bcould save you\b|\bhappy to\b|\bglad to\b|\bmy pleasure\b|\bpay it forward\b|\bhow can i help\b|"
    r"\banything i can do\b|\bif i can (ever )?(help|be of)\b|\blet me know if (i|there'?s anything)\b|\bin exchange\b|\bbuy you (a )?coffee\b|"
    r"\bmy treat\b|\bon me\b|\bwould you (like|want) (me|a copy|the)\b|\bfeedback on your\b|"
    # Sending the reader your own CV or portfolio is part of an ask, not an offer.
    r"\bcan send\b(?! (you |over )?(my|a copy of my) (resume|cv|résumé|portfolio|application|details|info))|"
    r"\bsend (you|over) (a|the|my)\b(?! ?(resume|cv|résumé|portfolio|application|details|info))"
)
_EASY_OUT = re.compile(
    r"\bno (worries|pressure|problem|stress) if\b|\bno (worries|pressure) at all\b|\bif the timing is (bad|wrong|off|not right)\b|\btotally (understand|fine|ok|okay)\b|\bcompletely understand\b|"
    r"\bif (the timing|now) (isn't|is not|doesn't)\b|\bif not,? (no worries|totally|that's)\b|\bno need to reply\b|"
    r"\bfeel free to (ignore|say no|pass|decline)\b|\bno reply needed\b|\bif you're (too )?(busy|swamped)\b|\bif it'?s not a fit\b"
)
_RESEARCH_OBJECT = (
    r"(recent |latest |new |last |great |fantastic |excellent )?(blog )?(post|article|talk|keynote|paper|book|blog|essay|thread|podcast|episode|"
    r"interview|newsletter|video|webinar|presentation|panel|research|study|project|launch|product|app|tool|library|"
    r"repo|repository|framework|course|piece|comment|answer|tweet|report|op-?ed|feature|release|campaign|design|"
    r"startup|lab|team's|company's|work on|work with|work at|thesis|dissertation|chapter|slides|demo|session|lecture|"
    r"workshop|class|exhibit\w*|album|show|series|column|story|analysis|findings|survey|data|model|framework|approach|"
    r"initiative|program|programme|announcement|expansion|acquisition|funding|raise|round|ipo|hire|promotion|award|"
    r"question|point|take|comment|reply|answer|remarks|advice|perspective|stance|argument|open[- ]source|contribution|"
    r"portfolio|gallery|piece|installation|recipe|menu|podcast|pr|pull request|issue|mission|roadmap|pivot|move)s?"
)
_RESEARCH_REF = re.compile(
    r"\b(your|their|the team's|your team's|your company's|your lab's)\s+" + _RESEARCH_OBJECT + r"\b|"
    r"\b(read|watched|listened to|heard|attended|saw|seen|enjoyed|loved|liked|followed|used|tried|been using|"
    r"been following|came across|found|noticed|caught|re-?read|shared|bookmarked|cited|reading|watching)\b.{0,40}\byour\b|"
    r"\b(congrat\w*|kudos)\b.{0,20}\b(on|to)\b|\bsaw (that|the news|the announcement|your)\b|\byou (wrote|said|mentioned|posted|shared|argued|described|built|launched|spoke|presented|published|talked|recommended|suggested|pointed out|explained)\b"
)
_SHARED = re.compile(
    r"\b(suggested|recommended|mentioned|told me|pointed me|referred me|passed along|gave me your|introduced us|"
    r"put us in touch|thought we should|said you)\b|\bmutual (friend|connection|contact|colleague)\b|\bwe (met|spoke|chatted|talked|"
    r"connected|sat|worked|overlapped|both|were both|studied|volunteered|played)\b|\bmet you\b|\bfellow\b|\balum(ni|nus|na)?\b|"
    r"\bboth (went|studied|worked|attended|spoke|members|in|at|from|graduated)\b|\balso (went|studied|worked|attended|grew up|from|graduated)\b|"
    r"\bsame (school|program|programme|cohort|team|class|bootcamp|university|college|lab|city|hometown|group|community|slack|discord|meetup|event|conference)\b|"
    r"\b(our|the) (chat|conversation|call|talk|discussion|meeting) (at|last|yesterday|on|about|during)\b|\bat (the|last) \w+ (meetup|conference|event|summit|panel|workshop|fair|dinner|hackathon)\b|"
    r"\b(you and i|like you,? i)\b|\bformer (colleague|classmate|teammate|manager)\b|\bwhen we\b|\bthanks to \w+\b|\byour (talk|session|panel|workshop) at\b"
)
_SHALLOW = re.compile(
    r"\b(came across|stumbled (up)?on|found|saw|viewed|was looking at|checked out|browsing|went through) (your|ur) (linkedin |impressive |amazing |great )?(profile|page|background|linkedin|experience|bio|resume)\b|"
    r"\b(i )?(see|saw|noticed|notice) (that )?you('re| are)? (work|working|a|an|the)\b|\byour (impressive|amazing|incredible|inspiring|extensive|great|strong|diverse|rich) "
    r"(background|profile|experience|career|journey|résumé|resume|work)\b|\byour (background|profile|experience|journey|career path)\b"
)
_PRAISE = re.compile(
    r"\b(amazing|impressive|impressed|inspiring|inspired|inspiration|incredible|admire|admired|huge fan|big fan|fan of|"
    r"love what you|great work|outstanding|remarkable|fascinating|brilliant|rockstar|legend|thought leader|"
    r"phenomenal|awesome|stellar|exceptional|wonderful|extraordinary|stunning|respect|look up to|role model|"
    r"visionary|trailblazer|leader in|leading the way|truly|so much|really great|great job)\b"
)
_FILLER = re.compile(
    r"\bhope (this|you|all|your|the|that)\b.{0,30}\b(well|great|good|fine|finds you|safe|healthy)\b|\b(i )?(wanted|want) to (reach out|connect|touch base|introduce)\b|"
    r"\breaching out\b|\bjust (following|checking|circling|bumping|wanted|touching)\b|\btouch base\b|\bcircle back\b|"
    r"\bbump(ing)? (this|my)\b|\bfollowing up on my\b|\bi came across\b|\bhope you('re| are) (doing )?well\b"
)
_SELF_INTRO = re.compile(
    r"\bmy name is\b|\bi('m| am) (a|an|the|currently|currently a|currently an|now|recently|finishing|studying|pursuing|working|in my)\b|"
    r"\bi (work|worked|have worked|studied|graduated|recently graduated|have been|lead|led|run|manage|founded|started|specialize)\b|"
    r"\bi have \w+ years\b|\bmy (background|experience|expertise|skills|resume|cv|portfolio|passion|goal|dream)\b"
)
_APOLOGY = re.compile(r"\b(sorry|apolog\w+|forgive me|excuse (me|the)|pardon)\b")
_THANKS = re.compile(r"\b(thank(s| you)|grateful|appreciate(d)?|gratitude|thx)\b")
_FOLLOW_UP = re.compile(
    r"\bfollow(ing)?[- ]up\b|\bcircling back\b|\bbump(ing)?\b|\bmy (last|previous|earlier) (email|message|note)\b|"
    r"\bchecking in\b|\bhaven't heard\b|\bany update\b|\bdid you (get|have) a chance\b"
)
_DETAIL = re.compile(r"\b(on|about|where|when|how|that|titled|called)\b \w+")
_WORD = re.compile(r"[\w'’-]+")
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll", "im", "ive"})
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll", "u", "ur"})
_COMMON_CAPS = frozenset(
    "i i'm i'd i've i'll im hi hello hey dear thanks thank best regards cheers my your you we our the a an and but "
    "so if it this that these those linkedin monday tuesday wednesday thursday friday saturday sunday english "
    "mr mrs ms dr prof sir madam ps p.s. ok okay also just would could can please let looking hope as since "
    "when while what why how who where which there here after before its it's".split()
)
_ENGLISH_FUNCTION = frozenset(
    "the a an and or but to of in on for with at by from is are was were be been am i you your my me we our it "
    "this that have has had do did would could can will not no so if as about just like what how".split()
)


@dataclass
class Sentence:
    start: int
    end: int
    region: str
    text: str
    ask: bool = False
    big_ask: bool = False
    offer: bool = False
    easy_out: bool = False
    research: bool = False
    shared_context: bool = False
    shallow: bool = False
    praise: bool = False
    specific: bool = False
    filler: bool = False
    self_intro: bool = False
    apology: bool = False
    thanks: bool = False
    question: bool = False
    research_slot: bool = False
    first_person: int = 0
    second_person: int = 0
    specifics: list[str] = field(default_factory=list)

    @property
    def flattery(self) -> bool:
        return self.praise and not (self.specific or self.research or self.research_slot)

    @property
    def move(self) -> str:
        """The sentence's most likely move, from these signals alone."""
        if self.region in ("greeting", "sign_off", "subject"):
            return {"subject": "other"}.get(self.region, self.region)
        for flag, move in (
            (self.offer, "value_offer"),
            (self.research or self.research_slot, "research"),
            (self.shared_context, "common_ground"),
            (self.ask, "ask"),
            (self.apology, "apology"),
            (self.flattery, "flattery"),
            (self.filler, "filler"),
            (self.thanks, "thanks"),
            (self.self_intro, "self_intro"),
        ):
            if flag:
                return move
        return "other"


@dataclass
class Signals:
    sentences: list[Sentence]
    body_words: int
    words: int
    questions: int
    first_person: int
    second_person: int
    self_focus: float  # 0 (all about the reader) .. 1 (all about the writer), position-weighted
    english_ratio: float
    entities: list[str] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list, repr=False)
    token_starts: list[int] = field(default_factory=list, repr=False)
    token_ends: list[int] = field(default_factory=list, repr=False)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices [first, last) of the tokens that overlap the characters [start, end)."""
        return _range(self.token_starts, self.token_ends, start, end)

    def any(self, flag: str) -> bool:
        return any(getattr(s, flag) for s in self.sentences if s.region == "body")

    def count(self, flag: str) -> int:
        return sum(1 for s in self.sentences if s.region == "body" and getattr(s, flag))

    @cached_property
    def body(self) -> list[Sentence]:
        return [s for s in self.sentences if s.region == "body"]

    @cached_property
    def has(self) -> dict[str, bool]:
        """Message-level signals that a rule's `unless` may name."""
        body = self.body
        return {
            "research": any(s.research or s.research_slot for s in body),
            "offer": any(s.offer for s in body),
            "shared_context": any(s.shared_context for s in body),
            "thanks_message": bool(body) and sum(s.thanks for s in body) >= max(1, len(body) // 3),
            "follow_up": any(_FOLLOW_UP.search(s.text.lower()) for s in body),
            "ask": any(s.ask for s in body),
            "easy_out": any(s.easy_out for s in body),
        }


class Token(NamedTuple):
    """One spaCy token as plain values, read once per message: later passes never touch the Doc again."""

    start: int
    end: int
    text: str
    lower: str  # lower-cased, curly apostrophes straightened
    alpha: bool
    punct: bool
    space: bool  # whitespace-only
    number: bool
    sent_start: bool
    proper: bool  # tagged PROPN by a trained pipeline (never set by the blank default)
    norm: str  # spaCy's NORM, what phrase rules match on


_TOKEN_ATTRS: list | None = None
_PROPN = 96  # spacy.parts_of_speech.PROPN
_LOWER: dict[int, str] = {}  # spaCy's LOWER hash -> our lower-cased form, shared by every message
_NORM: dict[int, str] = {}  # spaCy's NORM hash -> the string


def tokens_of(doc, text: str) -> list[Token]:
    """Read the Doc once, through `Doc.to_array` (C speed) rather than a Python object per token.

    `text` is the text the Doc was made from (`Doc.text` would rebuild it token by token)."""
    global _TOKEN_ATTRS
    if _TOKEN_ATTRS is None:
        from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LENGTH, LIKE_NUM, LOWER, NORM, POS, SENT_START

        _TOKEN_ATTRS = [IDX, LENGTH, IS_ALPHA, IS_PUNCT, IS_SPACE, LIKE_NUM, SENT_START, LOWER, POS, NORM]
    if not len(doc):
        return []
    strings = doc.vocab.strings
    lowers, norms = _LOWER, _NORM
    out = []
    new = tuple.__new__  # Token(...) without the Python-level __new__: this loop runs once per token
    for idx, length, alpha, punct, space, number, sent_start, lower, pos, norm in doc.to_array(_TOKEN_ATTRS).tolist():
        low = lowers.get(lower)
        if low is None:
            low = lowers[lower] = strings[lower].replace("’", "'")
        normal = norms.get(norm)
        if normal is None:
            normal = norms[norm] = strings[norm]
        end = idx + length
        # spaCy's trailing whitespace is at most one space; line breaks are tokens of their own.
        out.append(new(Token, (idx, end, text[idx:end], low, alpha == 1, punct == 1, space == 1, number == 1, sent_start == 1, pos == _PROPN, normal)))
    return out


def sentence_spans(message: Message, tokens: list[Token]) -> list[tuple[int, int]]:
    """Sentence spans in characters: spaCy's sentences, also cut at line breaks and region edges."""
    edges = sorted({r.start for r in message.regions} | {r.end for r in message.regions})
    spans: list[tuple[int, int]] = []
    start = end = None
    previous_newline = False
    for token in tokens:
        if token.space:
            previous_newline = previous_newline or "\n" in token.text or "\r" in token.text
            continue
        begins = token.sent_start or previous_newline
        if not begins and end is not None:
            i = bisect_left(edges, end)  # a region edge between the previous token and this one
            begins = i < len(edges) and edges[i] <= token.start
        if begins and start is not None:
            spans.append((start, end))
            start = None
        if start is None:
            start = token.start
        end = token.end
        previous_newline = False
    if start is not None:
        spans.append((start, end))
    return spans


def _specifics(span: list[Token], message: Message, ents: list) -> list[str]:
    """Words in a sentence that point at something particular: names, titles, numbers, quotes."""
    found = []
    identity = [(p.start, p.end) for p in message.placeholders if p.role != "research"]
    for i, token in enumerate(span):
        if identity and any(a <= token.start < b for a, b in identity):
            continue
        text = token.text
        low = text.lower()
        if i > 0 and text[:1].isupper() and low not in _COMMON_CAPS and token.alpha and not span[i - 1].text in ".!?:":
            found.append(text)
        elif token.proper and low not in _COMMON_CAPS:  # a trained pipeline's tagger knows lower-case names
            found.append(text)
        elif token.number and low not in {"one", "a"}:
            found.append(text)
        elif text in {'"', "“", "”", "‘"} or text.startswith('"'):
            found.append(text)
    for ent in ents:
        if ent.label_ in {"ORG", "PRODUCT", "EVENT", "WORK_OF_ART", "PERSON", "GPE", "DATE", "FAC", "NORP", "LAW"}:
            found.append(ent.text)
    return found


def _range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """Indices of the tokens that overlap the characters [start, end), given their sorted start and end offsets."""
    return bisect_right(ends, start), bisect_left(starts, end)


def _between(tokens: list[Token], starts: list[int], ends: list[int], start: int, end: int) -> list[Token]:
    """The tokens that overlap the characters [start, end)."""
    first, last = _range(starts, ends, start, end)
    return tokens[first:last]


def _is_word(token: Token) -> bool:
    return token.alpha or "'" in token.lower


def measure(message: Message, doc) -> Signals:
    text = message.analysed
    research_slots = [(p.start, p.end) for p in message.placeholders if p.role == "research"]
    tokens = tokens_of(doc, text)
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    sentences: list[Sentence] = []
    all_ents = list(doc.ents)  # empty without a trained pipeline
    for start, end in sentence_spans(message, tokens):
        span = _between(tokens, starts, ends, start, end)
        region = message.region_at(start)
        raw = text[start:end]
        low = raw.lower().replace("’", "'")
        ents = [e for e in all_ents if e.start_char >= start and e.end_char <= end] if all_ents else []
        words = [t.lower for t in span if _is_word(t)]
        sentence = Sentence(start=start, end=end, region=region, text=raw)
        sentence.question = "?" in raw
        sentence.research_slot = any(start <= a < end for a, _ in research_slots)
        sentence.specifics = _specifics(span, message, ents)
        sentence.specific = len(sentence.specifics) >= 1 or sentence.research_slot
        sentence.shallow = bool(_SHALLOW.search(low))
        sentence.shared_context = bool(_SHARED.search(low))
        reference = bool(_RESEARCH_REF.search(low))
        detailed = sentence.specific or bool(_DETAIL.search(low))
        sentence.research = sentence.research_slot or (reference and detailed and not (sentence.shallow and not sentence.specific))
        sentence.ask = bool(_ASK.search(low)) or (sentence.question and any(w in _SECOND_PERSON for w in words))
        sentence.big_ask = sentence.ask and bool(_BIG_ASK.search(low))
        sentence.offer = bool(_OFFER.search(low))
        sentence.easy_out = bool(_EASY_OUT.search(low))
        sentence.praise = bool(_PRAISE.search(low))
        sentence.filler = bool(_FILLER.search(low))
        sentence.self_intro = bool(_SELF_INTRO.search(low))
        sentence.apology = bool(_APOLOGY.search(low))
        sentence.thanks = bool(_THANKS.search(low))
        sentence.first_person = sum(w in _FIRST_PERSON for w in words)
        sentence.second_person = sum(w in _SECOND_PERSON for w in words)
        sentences.append(sentence)

    body = [s for s in sentences if s.region == "body"]
    weighted_first = weighted_second = 0.0
    for index, s in enumerate(body):
        weight = 2.0 if index == 0 else 1.5 if index == len(body) - 1 else 1.0
        weighted_first += weight * s.first_person
        weighted_second += weight * s.second_person
    total = weighted_first + weighted_second
    alpha = [t.lower for t in tokens if t.alpha]
    english = sum(w in _ENGLISH_FUNCTION for w in alpha)
    body_words = sum(len(_WORD.findall(s.text)) for s in body)
    return Signals(
        sentences=sentences,
        body_words=body_words,
        words=len(alpha),
        questions=text.count("?"),
        first_person=sum(s.first_person for s in body),
        second_person=sum(s.second_person for s in body),
        self_focus=(weighted_first / total) if total else 0.5,
        english_ratio=(english / len(alpha)) if alpha else 0.0,
        entities=[e.text for e in all_ents],
        tokens=tokens,
        token_starts=starts,
        token_ends=ends,
    )


@dataclass
class Analysis:
    """One message after parsing and measuring: what rules, checks and scores read."""

    message: Message
    doc: object
    signals: Signals
    mode: str  # "draft" or "template"
    context: object = None  # template.ContextSummary when rendered with --context
    readings: list = field(default_factory=list)  # model.SentenceReading, when a classifier is loaded
    phrases: list = field(default_factory=list)  # (start, end, rule code) of each phrase rule's finding
    body_terms: list | None = None  # the classifier's n-grams of each body sentence, once worked out
    term_index: tuple | None = None  # (phrases, each token's term), see model._token_terms
