"""The shape of one message before any language analysis.

Owns: placeholders (`[First Name]`, `{{ company }}`, `%FIRSTNAME%` ...), the regions of a message (subject,
greeting, body, sign-off) and inline suppression comments. `Message.analysed` is the text the language
pipeline reads: the same length as the original, so every offset points at the user's own characters,
with placeholders turned into plain word-like tokens and template tags and comments blanked out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linter.lines import LineIndex

IDENTITY_WORDS = frozenset(
    "first last full given family nick name names fname lname firstname lastname fullname recipient "
    "prospect contact company companyname organization organisation org employer business account "
    "title jobtitle role position job industry sector city location country region state school "
    "university college department team email phone date day sender my your signature website url "
    "salutation greeting surname degree major program event eventname".split()
)
# A slot the sender fills about themselves ("[Your Name]", "{{Sender_Name}}", "[my calendar link]"): only
# a template has one, so a plain file with such a slot is a template, not a draft with a gap.
SENDER_WORDS = frozenset("your my sender signature yourname myname".split())
RESEARCH_WORDS = frozenset(
    "post posts article articles talk talks paper papers podcast episode detail details specific project "
    "projects achievement achievements accomplishment news launch launched funding raise round mutual "
    "shared common connection referrer referred conversation topic discussed talked book blog thread "
    "research study work product feature features pain point trigger observation insight recent quote "
    "interest interests hobby award promotion publication video keynote panel presentation newsletter "
    "comment tweet repo library case story initiative challenge problem goal liked admired noticed "
    "read watched heard specifically personal personalized personalised custom hook reason why".split()
)

_JINJA_VAR = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_JINJA_TAG = re.compile(r"\{%.*?%\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#(.*?)#\}", re.S)
_HTML_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_BRACKET = re.compile(r"\[([A-Za-z][^\[\]\n]{0,80})\](?!\()")
_BRACE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_ .]{0,40})\}(?!\})")
_PERCENT = re.compile(r"%([A-Za-z][A-Za-z0-9_]{1,30})%")
_MAILCHIMP = re.compile(r"\*\|([A-Za-z][A-Za-z0-9_:]{0,30})\|\*")
_ANGLE = re.compile(r"<<\s*([A-Za-z][A-Za-z0-9_ ]{0,30})\s*>>")

_SUBJECT = re.compile(r"(?i)^\s*(subject|subj|re|fwd?)\s*:")
_GREETING = re.compile(
    r"(?i)^\s*(hi|hello|hey|heya|hiya|dear|good\s+(morning|afternoon|evening|day)|greetings|howdy|yo|"
    r"to\s+whom|hallo|hola|namaste|salut|bonjour)\b"
)
_SIGN_OFF = re.compile(
    r"(?i)^\s*(best|thanks|thank\s+you|thx|cheers|regards|kind\s+regards|warm\s+regards|best\s+regards|"
    r"sincerely|warmly|warm\s+wishes|all\s+the\s+best|many\s+thanks|respectfully|take\s+care|talk\s+soon|"
    r"yours|with\s+gratitude|gratefully|appreciatively|cordially|until\s+soon|ciao|--|—|–|sent\s+from)\b"
)
_SUPPRESS = re.compile(r"netlint(?::|-)\s*(disable|enable)(-next-line|-line)?\s*=?\s*([A-Za-z0-9_, ]*)")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Placeholder:
    start: int
    end: int
    name: str
    role: str  # "identity" (the recipient's name, company ...), "sender" ("[Your Name]"), "research" or "other"
    syntax: str  # "jinja", "bracket", "brace", "percent", "mailchimp", "angle"


@dataclass(frozen=True)
class Region:
    kind: str  # "subject", "greeting", "body", "sign_off"
    start: int
    end: int


@dataclass
class Suppressions:
    everywhere: set[str] = field(default_factory=set)  # codes or prefixes; "*" means all
    by_line: dict[int, set[str]] = field(default_factory=dict)  # 1-based line -> codes
    from_line: list[tuple[int, set[str], bool]] = field(default_factory=list)  # (line, codes, disable?)

    def covers(self, code: str, line: int) -> bool:
        def hit(codes: set[str]) -> bool:
            return "*" in codes or any(code.startswith(c) for c in codes)

        if hit(self.everywhere) or hit(self.by_line.get(line, set())):
            return True
        active = False
        for start, codes, disable in self.from_line:
            if start <= line and hit(codes):
                active = disable
        return active


@dataclass
class Message:
    text: str
    analysed: str
    placeholders: list[Placeholder]
    regions: list[Region]
    suppressions: Suppressions

    def region_at(self, offset: int) -> str:
        for region in self.regions:
            if region.start <= offset < region.end:
                return region.kind
        return "body"

    def region(self, kind: str) -> Region | None:
        return next((r for r in self.regions if r.kind == kind), None)


def placeholder_role(name: str, identity: tuple[str, ...] = (), research: tuple[str, ...] = ()) -> str:
    """What a placeholder will hold, from its name; config lists of field names take precedence."""
    if name in research:
        return "research"
    if name in identity:
        return "identity"
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)]
    if not words:
        return "other"
    if any(w in RESEARCH_WORDS for w in words):
        return "research"
    if words[0] in SENDER_WORDS or "sender" in words:
        return "sender"
    if any(w in IDENTITY_WORDS for w in words):
        return "identity"
    return "other"


def find_placeholders(
    text: str, identity: tuple[str, ...] = (), research: tuple[str, ...] = ()
) -> tuple[list[Placeholder], list[tuple[int, int]], list[tuple[int, int]]]:
    """Placeholders, template tag spans and comment spans, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[Placeholder] = []
    tags: list[tuple[int, int]] = []
    comments: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for pattern, bucket in ((_JINJA_COMMENT, comments), (_HTML_COMMENT, comments), (_JINJA_TAG, tags)):
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                bucket.append((m.start(), m.end()))
    for m in _JINJA_VAR.finditer(text):
        if not free(m.start(), m.end()):
            continue
        expression = m.group(1)
        name_match = re.match(r"[A-Za-z_][A-Za-z0-9_.]*", expression)
        name = name_match.group(0) if name_match else expression
        taken.append((m.start(), m.end()))
        found.append(Placeholder(m.start(), m.end(), name, placeholder_role(name, identity, research), "jinja"))
    for pattern, syntax in (
        (_MAILCHIMP, "mailchimp"),
        (_ANGLE, "angle"),
        (_PERCENT, "percent"),
        (_BRACE, "brace"),
        (_BRACKET, "bracket"),
    ):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            name = m.group(1).strip()
            if syntax == "bracket" and not _looks_like_slot(name):
                continue
            taken.append((m.start(), m.end()))
            found.append(Placeholder(m.start(), m.end(), name, placeholder_role(name, identity, research), syntax))
    found.sort(key=lambda p: p.start)
    return found, sorted(tags), sorted(comments)


def _looks_like_slot(name: str) -> bool:
    # "[First Name]" and "[specific detail you liked]" are slots; "[sic]", "[1]" and "[x]" are not.
    words = _WORD.findall(name)
    if not words or name.lower() in {"sic", "x", "link", "edit"}:
        return False
    return name[:1].isupper() or len(words) >= 2 or placeholder_role(name) != "other"


def _blank(text: str, start: int, end: int) -> str:
    return "".join(c if c in "\r\n" else " " for c in text[start:end])


def _mask(text: str, placeholders: list[Placeholder], blanks: list[tuple[int, int]]) -> str:
    """Same-length text for the language pipeline: placeholders become one capitalised word."""
    pieces = list(text)
    for p in placeholders:
        length = p.end - p.start
        pieces[p.start : p.end] = list("X" + "x" * (length - 1)) if length > 1 else ["X"]
    for start, end in blanks:
        pieces[start:end] = list(_blank(text, start, end))
    return "".join(pieces)


def find_regions(analysed: str) -> list[Region]:
    lines = [(s, e) for s, e in LineIndex(analysed).spans() if analysed[s:e].strip()]
    if not lines:
        return [Region("body", 0, len(analysed))]
    regions: list[Region] = []
    first = 0
    if _SUBJECT.match(analysed[lines[0][0] : lines[0][1]]):
        regions.append(Region("subject", lines[0][0], lines[0][1]))
        first = 1
    body_start = lines[first][0] if first < len(lines) else len(analysed)
    if first < len(lines):
        start, end = lines[first]
        line = analysed[start:end]
        if _GREETING.match(line):
            words = line.split()
            cut = re.search(r"[,!:—–]", line)
            if cut and line[cut.end() :].strip():
                # "Hi Sam, loved your talk ..." on one line: the greeting stops at its comma.
                regions.append(Region("greeting", start, start + cut.end()))
                body_start = start + cut.end()
            elif len(words) <= 6 or line.rstrip()[-1:] in ",!:":
                regions.append(Region("greeting", start, end))
                first += 1
                body_start = lines[first][0] if first < len(lines) else len(analysed)
    sign_off_start = _find_sign_off(analysed, lines, first)
    body_end = sign_off_start if sign_off_start is not None else len(analysed)
    if body_end < body_start:
        body_end = body_start
    regions.append(Region("body", body_start, body_end))
    if sign_off_start is not None:
        regions.append(Region("sign_off", sign_off_start, len(analysed)))
    return regions


def _find_sign_off(text: str, lines: list[tuple[int, int]], first_body_line: int) -> int | None:
    tail = lines[first_body_line:][-6:]
    for index, (start, end) in enumerate(tail):
        line = text[start:end].strip()
        rest = tail[index:]
        short_rest = all(len(text[s:e].split()) <= 8 for s, e in rest)
        if _SIGN_OFF.match(line) and len(line.split()) <= 5 and not line.endswith("?") and short_rest:
            if (start, end) == lines[first_body_line] and len(lines) - first_body_line == 1:
                return None
            return start
    if len(lines) - first_body_line >= 2:
        start, end = lines[-1]
        last = text[start:end].strip()
        words = last.split()
        if 1 <= len(words) <= 3 and all(w[:1].isupper() or w[:1] in "-–—" for w in words) and last[-1:] not in ".?!:":
            return start
    return None


def find_suppressions(text: str, comments: list[tuple[int, int]]) -> Suppressions:
    result = Suppressions()
    lines = LineIndex(text)
    for start, end in comments:
        m = _SUPPRESS.search(text[start:end])
        if not m:
            continue
        verb, scope, raw = m.group(1), m.group(2), m.group(3)
        codes = {c.strip().upper() for c in re.split(r"[ ,]+", raw) if c.strip()} or {"*"}
        line, _ = lines.position(start)
        line_start = lines.starts[line - 1]
        line_end = lines.line_end(lines.line_of(end))
        alone = not text[line_start:start].strip() and not text[end:line_end].strip()
        if scope == "-line" or (scope is None and verb == "disable" and not alone):
            result.by_line.setdefault(line, set()).update(codes)
        elif scope == "-next-line":
            result.by_line.setdefault(line + 1, set()).update(codes)
        elif line == 1 and verb == "disable":
            result.everywhere.update(codes)
        else:
            result.from_line.append((line, codes, verb == "disable"))
    return result


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def parse(text: str, identity: tuple[str, ...] = (), research: tuple[str, ...] = ()) -> Message:
    placeholders, tags, comments = find_placeholders(text, identity, research)
    # A lone surrogate (possible from an API caller or an editor, never from a decoded file) cannot be
    # encoded for spaCy; U+FFFD takes its place, one character for one, so offsets still hold.
    analysed = _LONE_SURROGATE.sub("\ufffd", _mask(text, placeholders, tags + comments))
    return Message(
        text=text,
        analysed=analysed,
        placeholders=placeholders,
        regions=find_regions(analysed),
        suppressions=find_suppressions(text, comments),
    )
