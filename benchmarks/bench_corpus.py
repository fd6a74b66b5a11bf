"""A deterministic corpus of outreach messages for the benchmarks.

Messages are seeded random combinations of sentence pieces written here: subjects, greetings, openers,
research references, self-introductions, offers, asks, easy outs and sign-offs, with slots filled from
small name, company and topic lists. Good and bad habits are mixed (generic openers, flattery, big asks,
researched references, offers) so that most rules, checks and the classifier all do real work.

Each message is 60-200 words (whitespace-separated, subject and sign-off included). `messages(n, seed)`
is a generator: the 100,000-message corpus is never held in memory. Only `random.Random.random()` is used
(never `choice`/`randrange`/`shuffle`), so the corpus is the same on every Python 3 version.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from pathlib import Path

DEFAULT_SEED = 20240611
MIN_WORDS, MAX_WORDS = 60, 200

FIRST_NAMES = [
    "Priya", "Jordan", "Ana", "Tomás", "Mei", "Kwame", "Sofia", "Lukas", "Aisha", "Daniel", "Yuki", "Omar",
    "Hannah", "Mateo", "Chloe", "Ravi", "Ingrid", "Samuel", "Leila", "Noah", "Fatima", "Elena", "Kofi", "Grace",
]
SENDERS = ["Sam", "Dana", "Alex Rivera", "Morgan", "Chris Okafor", "Taylor", "Jamie Chen", "Robin", "Casey Novak"]
COMPANIES = [
    "Ledgerly", "Brightpath Health", "Northwind Analytics", "Cobalt Robotics", "Fernway", "Helio Labs",
    "Quarry Data", "Marlow Children's", "Tidewater Energy", "Oakline Studio", "Parcelly", "Verdant Foods",
]
TOPICS = [
    "support triage", "pricing experiments", "onboarding emails", "churn analysis", "warehouse routing",
    "accessibility audits", "on-call rotations", "design systems", "nurse scheduling", "carbon accounting",
    "fraud detection", "community moderation", "API versioning", "hiring rubrics", "user interviews",
]
EVENTS = ["PyCon", "the SaaS Growth Summit", "the Data Council meetup", "the Product Camp in Leeds", "QCon", "the HIMSS panel"]
ROLES = ["product manager", "data analyst", "backend engineer", "UX researcher", "nurse", "designer", "founder"]
NUMBERS = ["3", "12", "40%", "18%", "two weeks", "5 days", "1,200", "90 minutes", "six months", "27"]

SUBJECTS = [
    "Subject: Quick question",
    "Subject: {topic} at {company}",
    "Subject: Your post on {topic}",
    "Subject: Following up",
    "Subject: Idea for {company}",
    "Subject: Introduction",
    "Subject: A note on {topic} from a fellow {role}",
]
GREETINGS = ["Hi {name},", "Hello {name},", "Dear {name},", "Hey {name},", "Hi there,", "Dear Hiring Manager,", "Hi {name}!"]
OPENERS = [
    "I hope this email finds you well.",
    "I hope you are doing well and having a great week.",
    "I came across your profile and I am really impressed by your background.",
    "I wanted to reach out and introduce myself.",
    "Just following up on my last message in case it got buried.",
    "Sorry to bother you, I know you must be incredibly busy.",
    "I am reaching out because I admire what you have built at {company}.",
    "Your post on {topic} made me rethink how we run our own team.",
    "I watched your talk at {event} on {topic} and took two pages of notes.",
    "We met briefly at {event} after your session on {topic}.",
    "{friend} suggested I write to you about {topic}.",
    "Congratulations on the launch of the new {topic} feature at {company}.",
]
RESEARCH = [
    "Your article about {topic} at {company} stayed with me, especially the part about cutting handoffs from {number} to one.",
    "In your podcast episode with {friend} you said the hardest part of {topic} is deciding what not to measure.",
    "I read the {company} engineering blog post where you explained why you moved {topic} to a weekly review.",
    "Your thread on {topic} pointed out that most teams copy the process without copying the constraints.",
    "I noticed your team published the {topic} dataset last month and that it already has {number} citations.",
    "Your keynote at {event} argued that {topic} fails when nobody owns the follow-up, which matched what I saw.",
    "Your profile says you lead {topic} at {company}.",
    "I see that you work at {company} as a senior {role}.",
    "Your impressive background in {topic} is truly inspiring.",
]
SELF_INTROS = [
    "I am a recent graduate looking for opportunities in {topic} and I am passionate about making an impact.",
    "I'm a {role} at {company2} and I have spent the last {number} working on {topic}.",
    "My name is {sender} and I have five years of experience as a {role}.",
    "I finish my degree in May, and my capstone project was a {number} study of {topic}.",
    "I lead a small team that tried something similar with {topic}, with mixed results on nights and weekends.",
    "I am a hard-working and detail-oriented {role} with a strong background in {topic}.",
]
OFFERS = [
    "I wrote up what we changed and what did not work; happy to send it if it is useful.",
    "I put together a short checklist on {topic} that might save your team a few hours.",
    "If helpful, I can share the spreadsheet we used to track {topic} over {number}.",
    "I noticed a broken link on your {topic} page and thought you would want to know.",
    "Happy to return the favour by introducing you to {friend}, who runs {topic} at {company2}.",
    "I would be glad to test the beta of your {topic} tool and send detailed notes.",
]
ASKS = [
    "Could you refer me for any open roles on your team?",
    "Would you be open to a 15-minute call next week about how you handled {topic}?",
    "I would love to pick your brain about your career journey.",
    "Can we schedule an hour to discuss how I can help {company} grow?",
    "Would you be willing to introduce me to the hiring manager for the {role} position?",
    "Could I ask you two questions about {topic} over email?",
    "Would you mind taking a look at my resume and passing it along?",
    "Do you have 10 minutes on Thursday to tell me whether our approach to {topic} makes sense?",
    "I'd love to connect and learn more about your story.",
    "Let me know if you would be interested in a quick demo of our platform.",
]
EXTRAS = [
    "We tried three versions of the rota and the second one cut wait times from {number} to two days.",
    "Our biggest surprise was that the weekend shift mattered more than the tooling.",
    "I think there is a lot of synergy between what we do and what {company} is building.",
    "We are a fast-growing, innovative, best-in-class solution for {topic}.",
    "I know you are very busy, so I will keep this short.",
    "It would mean the world to me, and I think I would be a great fit for your culture.",
    "The part I still cannot figure out is how you kept the review meeting under {number}.",
    "I have attached my resume for your reference.",
]
EASY_OUTS = [
    "If the timing is bad, no worries at all.",
    "No pressure if now is not a good time.",
    "Feel free to ignore this if it is not a fit.",
    "Thanks so much in advance for your time and consideration!",
    "Looking forward to hearing from you soon.",
]
SIGN_OFFS = ["Best,", "Thanks,", "Thanks in advance,", "Cheers,", "Kind regards,", "Warm regards,", "All the best,"]


def _pick(rng: random.Random, items: list[str]) -> str:
    return items[int(rng.random() * len(items))]


def _fill(rng: random.Random, template: str, name: str, sender: str) -> str:
    values = {
        "name": name,
        "sender": sender,
        "friend": _pick(rng, FIRST_NAMES),
        "company": _pick(rng, COMPANIES),
        "company2": _pick(rng, COMPANIES),
        "topic": _pick(rng, TOPICS),
        "event": _pick(rng, EVENTS),
        "role": _pick(rng, ROLES),
        "number": _pick(rng, NUMBERS),
    }
    return template.format(**values)


def words(text: str) -> int:
    return len(text.split())


def message(rng: random.Random) -> str:
    """One message of 60-200 words."""
    name = _pick(rng, FIRST_NAMES)
    sender = _pick(rng, SENDERS)
    target = MIN_WORDS + int(rng.random() * (MAX_WORDS - MIN_WORDS + 1))
    head: list[str] = []
    if rng.random() < 0.6:
        head.append(_fill(rng, _pick(rng, SUBJECTS), name, sender))
    head.append(_fill(rng, _pick(rng, GREETINGS), name, sender))
    tail = [_pick(rng, SIGN_OFFS), sender]
    fixed = words(" ".join(head + tail))
    # The body, paragraph by paragraph: opener, research or intro, extras, an offer or not, the ask(s).
    plan = [OPENERS]
    plan.append(RESEARCH if rng.random() < 0.6 else SELF_INTROS)
    plan.append(SELF_INTROS if rng.random() < 0.5 else EXTRAS)
    if rng.random() < 0.5:
        plan.append(OFFERS)
    plan.append(ASKS)
    sentences = [_fill(rng, _pick(rng, pool), name, sender) for pool in plan]
    fillers = [EXTRAS, RESEARCH, OFFERS, SELF_INTROS, EXTRAS]
    while fixed + words(" ".join(sentences)) < target - 8:
        pool = fillers[int(rng.random() * len(fillers))]
        position = 1 + int(rng.random() * (len(sentences) - 1))
        sentences.insert(position, _fill(rng, _pick(rng, pool), name, sender))
    if rng.random() < 0.5:
        sentences.append(_pick(rng, EASY_OUTS))
    while fixed + words(" ".join(sentences)) > MAX_WORDS and len(sentences) > 2:
        sentences.pop(len(sentences) // 2)
    while fixed + words(" ".join(sentences)) < MIN_WORDS:
        sentences.insert(1, _fill(rng, _pick(rng, EXTRAS), name, sender))
    # Paragraphs of one to three sentences.
    paragraphs: list[str] = []
    i = 0
    while i < len(sentences):
        size = 1 + int(rng.random() * 3)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    lines = head[:-1] + ([""] if len(head) > 1 else []) + [head[-1], ""]
    lines += "\n\n".join(paragraphs).split("\n")
    lines += ["", *tail]
    return "\n".join(lines) + "\n"


def messages(n: int, seed: int = DEFAULT_SEED) -> Iterator[str]:
    """n messages, streamed: the same n messages for the same seed, and a prefix of any longer run."""
    rng = random.Random(seed)
    for _ in range(n):
        yield message(rng)


def fingerprint(n: int, seed: int = DEFAULT_SEED) -> str:
    """sha256 of the first n messages: proves two runs linted the same corpus."""
    digest = hashlib.sha256()
    for text in messages(n, seed):
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def write_files(folder: Path, n: int, seed: int = DEFAULT_SEED, per_dir: int = 1000) -> list[Path]:
    """Write n messages as .txt files in subfolders of at most `per_dir` files; return the subfolders.

    Passing the subfolders (not 100,000 paths) keeps the command line short, and netlint lists one
    folder at a time.
    """
    folders: list[Path] = []
    for index, text in enumerate(messages(n, seed)):
        if index % per_dir == 0:
            current = folder / f"part-{index // per_dir:04d}"
            current.mkdir(parents=True, exist_ok=True)
            folders.append(current)
        (current / f"msg-{index:06d}.txt").write_text(text, encoding="utf-8")
    return folders


def file_paths(folders: list[Path]) -> list[str]:
    return [str(p) for f in folders for p in sorted(f.iterdir())]


def draft(seed: int = DEFAULT_SEED) -> str:
    """The one ~150-word draft that cold start, the language server and the warm server lint."""
    for text in messages(500, seed + 1):
        if 145 <= words(text) <= 155:
            return text
    return next(messages(1, seed + 1))


if __name__ == "__main__":  # print a few, for a look
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for text in messages(count):
        print(text, f"--- {words(text)} words", sep=os.linesep)
