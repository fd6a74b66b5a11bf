"""The labelled corpus: loading, validating and hashing `corpus/messages/*.jsonl`.

Run `python -m linter.corpus validate FILE...` to check a batch while writing it; `stats` prints the
datasheet's counts table, `agreement` the annotator agreement and `cues` how often each surface cue
(length, "!", stock phrases, placeholders ...) occurs among each label's positives and negatives.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

KINDS = (
    "cold_email",
    "linkedin_note",
    "referral_ask",
    "informational_interview",
    "mentor_request",
    "follow_up",
    "thank_you",
    "post_event",
    "introduction_request",
    "sales_prospecting",
)
MESSAGE_LABELS = ("generic", "self_serving", "researched", "good")
MOVES = (
    "greeting",
    "pleasantry",
    "self_intro",
    "research",
    "common_ground",
    "value_offer",
    "ask",
    "flattery",
    "filler",
    "apology",
    "thanks",
    "sign_off",
    "other",
)
REQUIRED_KEYS = {"id", "kind", "template", "pair", "tags", "text", "labels", "sentences"}


@dataclass(frozen=True)
class Message:
    id: str
    kind: str
    template: bool
    pair: str | None
    tags: tuple[str, ...]
    text: str
    labels: dict[str, int]
    sentences: tuple[tuple[str, str], ...]  # (move, text)
    source: str
    spans: tuple[tuple[int, int], ...] = ()  # where each sentence stands in `text`


class CorpusError(ValueError):
    """A corpus line that breaks the schema; the message names file and line."""


def parse_line(line: str, where: str) -> Message:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise CorpusError(f"{where}: each line must be a JSON object")
    missing = REQUIRED_KEYS - row.keys()
    extra = row.keys() - REQUIRED_KEYS
    if missing:
        raise CorpusError(f"{where}: missing keys {sorted(missing)}")
    if extra:
        raise CorpusError(f"{where}: unknown keys {sorted(extra)}")
    if row["kind"] not in KINDS:
        raise CorpusError(f"{where}: unknown kind {row['kind']!r}; use one of {', '.join(KINDS)}")
    labels = row["labels"]
    if not isinstance(labels, dict) or set(labels) != set(MESSAGE_LABELS):
        raise CorpusError(f"{where}: labels must have exactly {list(MESSAGE_LABELS)}")
    if any(v not in (0, 1) for v in labels.values()):
        raise CorpusError(f"{where}: label values must be 0 or 1")
    text = row["text"]
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: text must be a non-empty string")
    if not isinstance(row["template"], bool):
        raise CorpusError(f"{where}: template must be true or false")
    if not isinstance(row["tags"], list) or not all(isinstance(t, str) for t in row["tags"]):
        raise CorpusError(f"{where}: tags must be a list of strings")
    sentences = []
    spans = []
    cursor = 0
    for item in row["sentences"]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise CorpusError(f"{where}: each sentence must be [move, text]")
        move, sentence = item
        if move not in MOVES:
            raise CorpusError(f"{where}: unknown move {move!r}; use one of {', '.join(MOVES)}")
        found = text.find(sentence, cursor)
        if found < 0 or not sentence.strip():
            raise CorpusError(f"{where}: sentence {sentence[:40]!r} is not found in text after the previous one")
        cursor = found + len(sentence)
        sentences.append((move, sentence))
        spans.append((found, cursor))
    if not sentences:
        raise CorpusError(f"{where}: sentences must list the message's sentences")
    return Message(
        id=row["id"],
        kind=row["kind"],
        template=row["template"],
        pair=row["pair"],
        tags=tuple(row["tags"]),
        text=text,
        labels={k: int(v) for k, v in labels.items()},
        sentences=tuple(sentences),
        source=where.split(":")[0],
        spans=tuple(spans),
    )


def load(paths: list[Path]) -> list[Message]:
    messages: list[Message] = []
    seen: set[str] = set()
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            message = parse_line(line, f"{path.name}:{number}")
            if message.id in seen:
                raise CorpusError(f"{path.name}:{number}: duplicate id {message.id!r}")
            seen.add(message.id)
            messages.append(message)
    return messages


def corpus_files(root: Path) -> list[Path]:
    return sorted((root / "messages").glob("*.jsonl"))


# Batches from this one on (round 3) were written to look like real outreach, with surface cues spread
# evenly over the labels; the batches before it are the "old" domain for cross-domain model choice.
NEW_ROUND = 10
TEST_SHARE = 20  # percent of groups, in both domains
VALIDATION_SHARE = 20  # percent of the new domain's groups: the verdict's thresholds are chosen there


def batch_number(message: Message) -> int:
    return int(re.sub(r"\D", "", message.source.split(".")[0]) or 0)


def domain_of(message: Message) -> str:
    return "new" if batch_number(message) >= NEW_ROUND else "old"


def group_of(message: Message) -> str:
    """Messages that must share a split: a near-miss or counterfactual pair, or one sequence."""
    sequence = next((t for t in message.tags if t.startswith("seq:")), None)
    return sequence or message.pair or message.id


def split_of(message: Message) -> str:
    """"train", "validation" (new domain only) or "test", by hash of the message's group."""
    share = int(hashlib.sha256(group_of(message).encode()).hexdigest()[:8], 16) % 100
    if share < TEST_SHARE:
        return "test"
    if domain_of(message) == "new" and share < TEST_SHARE + VALIDATION_SHARE:
        return "validation"
    return "train"


def balance(messages: list[Message], rows: list[dict[str, bool]]) -> set[str]:
    """Ids of old-domain messages to leave out of training so that no cue separates any label by more
    than CUE_GAP: greedily, the message whose removal shrinks the excess gaps most goes first."""
    import numpy as np

    names = list(rows[0])
    cues = np.array([[r[n] for n in names] for r in rows], dtype=float)  # messages x cues
    # Cumulative length cues at real mail's deciles keep the median lengths together, not just the buckets.
    lengths = np.array([words_of(m.text) for m in messages])
    cues = np.hstack([cues, np.stack([lengths >= d for d in (15, 29, 46, 53, 60, 69, 77, 85, 107)], axis=1)])
    labels = np.array([[m.labels[label] for label in MESSAGE_LABELS] for m in messages], dtype=float)
    kept = np.ones(len(messages), dtype=bool)
    removable = np.array([domain_of(m) == "old" for m in messages])
    margin = CUE_GAP - 0.01  # aim a little inside the limit

    def excess(pos_c, n_pos, neg_c, n_neg):
        gap = pos_c / np.maximum(n_pos, 1)[..., None, :] - neg_c / np.maximum(n_neg, 1)[..., None, :]
        return (np.maximum(np.abs(gap) - margin, 0) ** 2).sum(axis=(-1, -2))

    while True:
        c, y = cues[kept], labels[kept]
        pos_c, n_pos = c.T @ y, y.sum(axis=0)
        neg_c, n_neg = c.T @ (1 - y), (1 - y).sum(axis=0)
        now = excess(pos_c, n_pos, neg_c, n_neg)
        candidates = np.flatnonzero(kept & removable)
        if now <= 0 or not len(candidates):
            break
        ci, yi = cues[candidates], labels[candidates]
        after = excess(pos_c - ci[:, :, None] * yi[:, None, :], n_pos - yi,
                       neg_c - ci[:, :, None] * (1 - yi)[:, None, :], n_neg - (1 - yi))
        best = int(np.argmin(after))
        if after[best] >= now:
            break
        kept[candidates[best]] = False
    return {m.id for m, k in zip(messages, kept) if not k}


def training_set(messages: list[Message], rows: list[dict[str, bool]] | None = None) -> list[Message]:
    """What `netlint train` learns from: the train split of both domains, less the old messages that
    `balance` leaves out."""
    train = [m for m in messages if split_of(m) == "train"]
    rows = rows if rows is not None else cues_of(train)
    left_out = balance(train, rows)
    return [m for m in train if m.id not in left_out]


def training_messages(root: Path) -> list[Message]:
    return training_set(load(corpus_files(root)))


def corpus_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in corpus_files(root):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stats(messages: list[Message]) -> str:
    """The datasheet's counts table (Markdown), per kind and in all."""
    rows = sorted({m.kind for m in messages})
    lines = ["| kind | messages | templates | " + " | ".join(MESSAGE_LABELS) + " |",
             "|---|---|---|" + "---|" * len(MESSAGE_LABELS)]

    def row(name: str, items: list[Message], bold: bool = False) -> str:
        cells = [len(items), sum(m.template for m in items), *(sum(m.labels[label] for m in items) for label in MESSAGE_LABELS)]
        if bold:
            cells[1] = f"{cells[1]} ({round(100 * cells[1] / len(items))}%)"
            return f"| **{name}** | " + " | ".join(f"**{c}**" for c in cells) + " |"
        return f"| {name} | " + " | ".join(str(c) for c in cells) + " |"

    lines += [row(kind, [m for m in messages if m.kind == kind]) for kind in rows]
    lines.append(row("all", messages, bold=True))
    return "\n".join(lines)


# A cue is a surface habit that should not tell the labels apart: the labels are about research, offers,
# asks and focus, so a cue whose rate differs between positives and negatives is a habit of the writers.
CUE_GAP = 0.10
MEDIAN_RATIO = (0.8, 1.25)
LENGTH_BUCKETS = ((0, 20), (21, 45), (46, 75), (76, 110), (111, 10_000))
# Stock phrases are the phrase rules of these categories: clichés, not content. The self-serving phrase
# rules (job ask, referral ask, pick your brain) name what the self_serving label is about, so they are no cue.
STOCK_CATEGORIES = ("genericness", "confidence")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2705]|[:;]-?[)D(]")
_I_AM = re.compile(r"\bI(?: am|['’]m)\b", re.I)


def words_of(text: str) -> int:
    return len(text.split())


def cues_of(messages: list[Message]) -> list[dict[str, bool]]:
    """Each message's surface cues, by name."""
    from linter.config import Config
    from linter.engine import Linter, Source

    linter = Linter(Config(), model=None)
    stock = {r.code: f"phrase {r.code} {r.name}" for r in linter.rules
             if r.category in STOCK_CATEGORIES and (r.phrases or r.patterns) and not r.check}
    rows = []
    for message in messages:
        words = words_of(message.text)
        # The phrase itself, wherever it stands: a rule's `unless` (quiet when there is research) would
        # tie the cue to the labels.
        analysis = linter.analyse(Source(message.id, message.text, "template" if message.template else "draft"))
        parsed = analysis.message
        greeting = parsed.region("greeting")
        opener = message.text[greeting.start:greeting.end].split()[0].lower().strip(",") if greeting else ""
        row = {f"words {a}-{b}" if b < 10_000 else f"words {a}+": a <= words <= b for a, b in LENGTH_BUCKETS}
        row.update({
            "has '!'": "!" in message.text,
            "has a digit": any(c.isdigit() for c in message.text),
            "has an emoji": bool(_EMOJI.search(message.text)),
            "has 'I am' / 'I'm'": bool(_I_AM.search(message.text)),
            "subject line": parsed.region("subject") is not None,
            "greeting: none": greeting is None,
            "greeting: hi / hello / hey": opener in ("hi", "hello", "hey", "hiya", "heya"),
            "greeting: dear": opener == "dear",
            "placeholders": bool(parsed.placeholders),
            "placeholders: [square]": any(p.syntax == "bracket" for p in parsed.placeholders),
            "placeholders: {{merge}}": any(p.syntax == "jinja" for p in parsed.placeholders),
        })
        fired = {code for code, _, _ in linter.compiled.matches(analysis.doc, analysis.signals.tokens)}
        row.update({name: code in fired for code, name in stock.items()})
        rows.append(row)
    return rows


def cue_table(messages: list[Message]) -> tuple[str, list[str]]:
    """The cues table (Markdown) and the list of cue gaps past the limits."""
    rows = cues_of(messages)
    names = list(rows[0]) if rows else []
    labels = MESSAGE_LABELS
    problems: list[str] = []
    header = "| cue | " + " | ".join(f"{label} 1 / 0" for label in labels) + " | largest gap |"
    lines = [header, "|---|" + "---|" * (len(labels) + 1)]
    for name in names:
        cells, gaps = [], []
        for label in labels:
            pos = [r[name] for r, m in zip(rows, messages) if m.labels[label]]
            neg = [r[name] for r, m in zip(rows, messages) if not m.labels[label]]
            a, b = (sum(pos) / len(pos) if pos else 0.0), (sum(neg) / len(neg) if neg else 0.0)
            gaps.append(abs(a - b))
            cells.append(f"{a:.2f} / {b:.2f}")
            if abs(a - b) > CUE_GAP + 1e-9:
                problems.append(f"{name}: {label} {a:.2f} vs {b:.2f}")
        if not any(r[name] for r in rows):
            continue
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {max(gaps):.2f} |")
    cells = []
    for label in labels:
        pos = sorted(words_of(m.text) for m in messages if m.labels[label])
        neg = sorted(words_of(m.text) for m in messages if not m.labels[label])
        a, b = (_median(pos), _median(neg))
        ratio = a / b if b else 0.0
        cells.append(f"{a:g} / {b:g} ({ratio:.2f})")
        if not MEDIAN_RATIO[0] <= ratio <= MEDIAN_RATIO[1]:
            problems.append(f"median words: {label} {a:g} vs {b:g} (ratio {ratio:.2f})")
    lines.append("| median words (ratio) | " + " | ".join(cells) + " | |")
    return "\n".join(lines), problems


def _median(values: list[int]) -> float:
    if not values:
        return 0.0
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent / "corpus"
    if argv[:1] == ["cues"]:
        files = [Path(a) for a in argv[1:] if not a.startswith("-")]
        messages = load(files) if files else training_messages(root)
        table, problems = cue_table(messages)
        print(f"{len(messages)} messages; rate of each cue among label = 1 / label = 0 "
              f"(limits: gap <= {CUE_GAP}, median-length ratio {MEDIAN_RATIO[0]}-{MEDIAN_RATIO[1]})\n")
        print(table)
        if problems:
            print(f"\n{len(problems)} past the limits:\n  " + "\n  ".join(problems))
        return 1 if problems and "--check" in argv else 0
    if argv[:1] == ["agreement"]:
        print(json.dumps(agreement(root), indent=2))
        return 0
    if argv[:1] == ["stats"]:
        print(stats(load(corpus_files(root))))
        return 0
    if len(argv) < 2 or argv[0] != "validate":
        print("usage: python -m linter.corpus validate FILE... | agreement | stats | cues [FILE...] [--check]", file=sys.stderr)
        return 2
    status = 0
    for name in argv[1:]:
        try:
            messages = load([Path(name)])
        except (CorpusError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        counts = {label: sum(m.labels[label] for m in messages) for label in MESSAGE_LABELS}
        templates = sum(m.template for m in messages)
        print(f"{name}: {len(messages)} messages ok; templates={templates}; positives={counts}")
    return status


def cohen_kappa(a: list[int], b: list[int]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(root: Path) -> dict:
    """Cohen's kappa per label between the first labels (kept in agreement/first-labels.jsonl when the
    double-labelled sample was drawn) and the independent second labels."""
    folder = root / "agreement"
    first = {r["id"]: r["labels"] for r in map(json.loads, (folder / "first-labels.jsonl").read_text().splitlines())}
    second = {r["id"]: r["labels"] for r in map(json.loads, (folder / "second-labels.jsonl").read_text().splitlines())}
    ids = sorted(set(first) & set(second))

    def compare(ids: list[str]) -> dict:
        result = {"messages": len(ids)}
        for label in MESSAGE_LABELS:
            a = [first[i][label] for i in ids]
            b = [second[i][label] for i in ids]
            result[label] = {
                "kappa": round(cohen_kappa(a, b), 3),
                "agreement": round(sum(x == y for x, y in zip(a, b)) / len(ids), 3),
                "disagreements": [i for i, x, y in zip(ids, a, b) if x != y],
            }
        return result

    result = compare(ids)
    # Each round of double labelling sampled other batches: round 1 batches 01-02, round 2 batches 08-09,
    # round 3 batches 10-17.
    batches = sorted({i.split("-")[0] for i in ids}, key=lambda b: int(b[1:]))
    result["by_batch"] = {b: compare([i for i in ids if i.startswith(b + "-")]) for b in batches}

    def round_of(i: str) -> str:
        number = int(i.split("-")[0][1:])
        return "1" if number < 8 else "2" if number < NEW_ROUND else "3"

    result["by_round"] = {r: compare([i for i in ids if round_of(i) == r]) for r in ("1", "2", "3")}
    return result


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
