"""What a message does, sentence by sentence: the signals that checks and scores read.

Owns the reading of a draft: which sentences ask, offer, refer to the recipient's work, praise without a
specific, or talk about the sender; where the reader/writer focus lies; how long the body is. The words
it looks for are the built-in lexicons (`rules/lexicons/`, loaded by `lexicons.py`); no rule file is read.
Rules (`checks.py`) and scores (`scoring.py`) read these signals; nothing here knows about either.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from linter import lexicons
from linter.message import Message

_WORD = re.compile(r"[\w'’-]+")
_FIRST_PERSON = lexicons.words("first-person")
_SECOND_PERSON = lexicons.words("second-person")
_COMMON_CAPS = lexicons.words("common-capitals")
_ENGLISH_FUNCTION = lexicons.words("english-function-words")
# The pattern lexicons, each searched in a sentence's lower-cased text (rules/lexicons/<name>.yml).
_ASK, _BIG_ASK, _OFFER, _EASY_OUT = map(lexicons.pattern, ("ask", "big-ask", "offer", "easy-out"))
_RESEARCH_REF, _DETAIL = lexicons.pattern("research-reference"), lexicons.pattern("detail")
_SHARED, _SHALLOW = lexicons.pattern("shared-context"), lexicons.pattern("shallow-reference")
_PRAISE, _FILLER, _SELF_INTRO = map(lexicons.pattern, ("praise", "filler", "self-intro"))
_APOLOGY, _THANKS, _FOLLOW_UP, _HEDGES = map(lexicons.pattern, ("apology", "thanks", "follow-up", "hedges"))


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
    follow_up: bool = False
    first_person: int = 0
    second_person: int = 0
    specifics: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)  # what the hedges lexicon found, in order

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
            "follow_up": any(s.follow_up for s in body),
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
        raw = text[start:end]
        low = raw.lower().replace("’", "'")
        ents = [e for e in all_ents if e.start_char >= start and e.end_char <= end] if all_ents else []
        words = [t.lower for t in span if _is_word(t)]
        sentence = Sentence(start=start, end=end, region=message.region_at(start), text=raw)
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
        # Curly apostrophes stay curly here, as before the lexicons moved to data: straightening them too
        # would change what the model was trained on ("haven’t heard"); left for a retrain that means it.
        sentence.follow_up = bool(_FOLLOW_UP.search(raw.lower()))
        sentence.hedges = _HEDGES.findall(low) if sentence.region == "body" else []
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
