"""Text edits: building a rule's fix for one finding, choosing and applying fixes, fixing to a fixpoint.

Edits never mangle the text around them: the spaces after a deleted phrase go with it, a sentence that was
alone on its line takes its line break along, and when a deletion leaves a sentence starting in lower
case, the next letter is capitalised. Overlapping fixes resolve deterministically: earliest first, the
later one is skipped and applied on the next pass.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from linter.report import Edit, FileReport, Finding, FixProposal
from linter.rules import Rule

if TYPE_CHECKING:  # the engine builds fixes with this module; only the type is needed here
    from linter.engine import Linter, Source

MAX_PASSES = 5  # --fix lints and fixes again until nothing changes, this many times at the most
_SENTENCE_END = ".!?\n\r"


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in _SENTENCE_END or before.endswith(("\n", ":"))


def _capitalise_next(text: str, end: int) -> tuple[int, str]:
    """(end, extra) so the first letter after `end` becomes upper case, or (end, '') if it is already."""
    if end < len(text) and text[end].islower():
        return end + 1, text[end].upper()
    return end, ""


def _delete_phrase(text: str, start: int, end: int) -> Edit:
    while end < len(text) and text[end] in ",;:" :
        end += 1
    while end < len(text) and text[end] in " \t":
        end += 1
    if end >= len(text) or text[end] in "\r\n":
        while start > 0 and text[start - 1] in " \t":
            start -= 1
    if _starts_sentence(text, start):
        end, extra = _capitalise_next(text, end)
        return Edit(start, end, extra)
    return Edit(start, end, "")


def _delete_sentence(text: str, start: int, end: int) -> Edit:
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    alone_before = not text[line_start:start].strip()
    stop = end
    while stop < len(text) and text[stop] in " \t":
        stop += 1
    at_line_end = stop >= len(text) or text[stop] in "\r\n"
    if alone_before and at_line_end:
        # The sentence is its own paragraph: take it and the blank lines after it.
        while stop < len(text) and text[stop] in " \t\r\n":
            stop += 1
        if stop >= len(text):
            while line_start > 0 and text[line_start - 1] in " \t\r\n":
                line_start -= 1
            return Edit(line_start, len(text), "")
        return Edit(line_start, stop, "")
    if at_line_end:
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        return Edit(start, stop, "")
    stop, extra = _capitalise_next(text, stop)
    return Edit(start, stop, extra)


def _delete_words(text: str, start: int, end: int, words: tuple[str, ...], keep: int) -> list[Edit]:
    """Delete every occurrence of `words` between start and end except the first `keep`."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.I)
    found = list(pattern.finditer(text, start, end))[keep:]
    edits = []
    for match in found:
        after = match.end()
        if after < len(text) and text[after] in ".!?;:":
            # "... to chat, possibly." -> "... to chat.": take the space and comma before, keep the stop
            before = match.start()
            while before > start and text[before - 1] in " \t":
                before -= 1
            if before > start and text[before - 1] == ",":
                before -= 1
            edits.append(Edit(before, after, ""))
        else:
            edits.append(_delete_phrase(text, match.start(), after))
    return [e for i, e in enumerate(edits) if i == 0 or e.start >= edits[i - 1].end]


def build(rule: Rule, text: str, start: int, end: int, sentence: tuple[int, int] | None) -> FixProposal | None:
    fix = rule.fix
    if fix is None:
        return None
    if fix.action == "delete-sentence" and sentence is not None:
        edit = _delete_sentence(text, *sentence)
        description = f"Delete the sentence '{text[sentence[0]:sentence[1]]}'"
    elif fix.action == "delete":
        edit = _delete_phrase(text, start, end)
        description = f"Delete '{text[start:end]}'"
    elif fix.action == "delete-word":
        found = re.search(rf"\b{re.escape(fix.replacement)}\b[ \t]*", text[start:end], re.I)
        if not found:
            return None
        edit = _delete_phrase(text, start + found.start(), start + found.end())
        description = f"Delete '{found.group(0).strip()}'"
    elif fix.action == "delete-words":
        edits = _delete_words(text, start, end, fix.words, fix.keep)
        if not edits:
            return None
        deleted = ", ".join(f"'{text[e.start:e.end].strip(' ,')}'" for e in edits)
        return FixProposal(f"Delete {deleted}", tuple(edits), fix.safe)
    elif fix.action == "replace":
        replacement = fix.replacement
        if text[start:end][:1].isupper() and replacement:
            replacement = replacement[0].upper() + replacement[1:]
        edit = Edit(start, end, replacement)
        description = f"Replace '{text[start:end]}' with '{replacement}'"
    else:
        return None
    return FixProposal(description, (edit,), fix.safe)


def choose(findings: list[Finding], unsafe: bool = False) -> list[Edit]:
    """The edits one pass makes: the safe fixes of `findings` (all of them with `unsafe`), in text order.

    Earliest first; an edit that overlaps one already chosen is skipped and left for the next pass.
    """
    proposals = [f.fix for f in findings if f.fix is not None and (f.fix.safe or unsafe)]
    edits = sorted({e for p in proposals for e in p.edits}, key=lambda e: (e.start, e.end, e.replacement))
    chosen: list[Edit] = []
    for edit in edits:
        if chosen and edit.start < chosen[-1].end:
            continue
        chosen.append(edit)
    return chosen


def apply(text: str, findings: list[Finding], unsafe: bool = False) -> tuple[str, int]:
    """Apply the fixes of `findings` once; returns the new text and how many fixes were applied."""
    chosen = choose(findings, unsafe)
    pieces = []
    cursor = 0
    for edit in chosen:
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.replacement)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces), len(chosen)


def fix_to_fixpoint(linter: Linter, source: Source, unsafe: bool = False, passes: int = MAX_PASSES) -> tuple[str, FileReport]:
    """Lint and fix again until no fix applies, at most `passes` times: the text `--fix` writes.

    Returns the fixed text and the report of the text as it was.
    """
    text = source.text
    first = None
    for _ in range(passes):
        report = linter.lint_text(text, source.path, source.mode)
        first = first or report
        new, applied = apply(text, report.findings, unsafe=unsafe)
        if not applied or new == text:
            break
        text = new
    return text, first
