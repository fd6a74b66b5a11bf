"""Safe fixes: --fix, --diff and the invariants that keep a writer's text intact."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import netlint
from linter import fixes

OPENERS = [
    "I hope this email finds you well.",
    "Sorry to bother you, but",
    "I know you're busy, but",
    "This might be a dumb question, but",
    "I just wanted to",
    "Hope you're doing well!",
    "I was wondering if maybe you could perhaps, possibly,",
]
BODIES = [
    "ask how your team runs design reviews.",
    "your talk at RustConf on error messages changed how we write ours.",
    "could we talk for 15 minutes next week?",
    "I read your post on pricing pages.",
    "maybe we could possibly talk sometime, perhaps.",
]


def test_fix_deletes_the_pleasantry_and_keeps_everything_else(tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_bytes(b"Hi Ana,\r\n\r\nI hope this email finds you well. Sorry to bother you, but your PyCon talk on retries fixed our outage.\r\n\r\nBest,\r\nJo\r\n")
    result = netlint(str(draft), "--fix")
    assert draft.read_bytes() == b"Hi Ana,\r\n\r\nYour PyCon talk on retries fixed our outage.\r\n\r\nBest,\r\nJo\r\n"
    assert result.code in (0, 1)


def test_diff_prints_and_changes_nothing(tmp_path):
    draft = tmp_path / "d.txt"
    original = "Hi Ana,\n\nI just wanted to ask about your PyCon talk on retries.\n"
    draft.write_text(original)
    result = netlint(str(draft), "--diff")
    assert "-I just wanted to ask" in result.out and "+I wanted to ask" in result.out
    assert draft.read_text() == original


def test_stacked_hedges_collapse_to_the_first_one(tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("Hi Ana,\n\nI was wondering if maybe you might have a little time to possibly chat.\n"
                     "Perhaps we could maybe talk, possibly.\n")
    netlint(str(draft), "--fix", "--select", "NL404")
    assert draft.read_text() == ("Hi Ana,\n\nI was wondering if maybe you might have a little time to chat.\n"
                                 "Perhaps we could talk.\n")


def test_unsafe_fixes_need_their_flag(tmp_path):
    draft = tmp_path / "d.txt"
    original = "Hi Ana,\n\nI wanted to reach out because your PyCon talk on retries fixed our outage.\n"
    draft.write_text(original)
    netlint(str(draft), "--fix")
    assert draft.read_text() == original
    netlint(str(draft), "--fix", "--unsafe-fixes")
    assert "reach out" not in draft.read_text()


def test_fix_keeps_file_mode(tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("Hi Ana,\n\nSorry to bother you, but can I ask about your talk at PyCon on retries?\n")
    draft.chmod(0o640)
    netlint(str(draft), "--fix")
    assert draft.stat().st_mode & 0o777 == 0o640
    assert "Sorry" not in draft.read_text()


def test_stdin_fix_prints_the_fixed_text():
    result = netlint("-", "--fix", "--stdin-filename", "d.txt", input="Hi Al,\n\nSorry to bother you, but may I ask one question?\n")
    assert result.out == "Hi Al,\n\nMay I ask one question?\n"


def _fix_all(linter, text):
    for _ in range(5):
        report = linter.lint_text(text, "d.txt")
        new, applied = fixes.apply(text, report.findings)
        if not applied:
            return text
        text = new
    return text


drafts = st.builds(
    lambda greet, opener, body, newline, tail: f"{greet}{newline}{newline}{opener} {body}{tail}{newline}",
    st.sampled_from(["Hi Ana,", "Dear Dr. Obi,", "hey sam,"]),
    st.sampled_from(OPENERS),
    st.sampled_from(BODIES),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["", " Thanks!", " 🙏"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts)
def test_fixes_are_idempotent_and_never_mangle_text(rules_only, draft):
    fixed = _fix_all(rules_only, draft)
    assert _fix_all(rules_only, fixed) == fixed, "a second --fix changes nothing"
    newline = "\r\n" if "\r\n" in draft else "\n"
    assert fixed.count(newline) == draft.count(newline) or "finds you well" in draft or "doing well" in draft
    if "\r\n" in draft:
        assert "\n" not in fixed.replace("\r\n", "")
    assert "  " not in fixed and " ," not in fixed and " ." not in fixed
    body = fixed.split(newline * 2, 1)[1]
    assert body[:1].isupper() or body[:1] in "🙏", f"the sentence after a deletion starts with a capital: {body!r}"
    assert fixed.split(newline)[0] == draft.split(newline)[0], "the greeting is untouched"


def test_overlapping_fixes_resolve_deterministically(rules_only):
    text = "Hi Al,\n\nSorry to bother you, but I just wanted to ask about your talk.\n"
    report = rules_only.lint_text(text, "d.txt")
    once = fixes.apply(text, report.findings)
    again = fixes.apply(text, list(reversed(report.findings)))
    assert once == again
