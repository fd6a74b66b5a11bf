"""What a user sees for the bundled examples, text and JSON, compared with snapshots a reviewer can read.

After a deliberate change to the output, rewrite the snapshots and review their diff:
    NETLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from conftest import netlint

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATING = os.environ.get("NETLINT_UPDATE_SNAPSHOTS") == "1"

# Each example as a user runs it from the repository root, and the exit code they get.
EXAMPLES = {
    "pick-your-brain": ("examples/pick-your-brain.txt", 1),
    "specific-value-first": ("examples/specific-value-first.txt", 0),
    "first-name-only": ("examples/templates/first-name-only.j2", 1),
}


def pretty(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def differences(expected: str, actual: str, snapshot: Path) -> str:
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"tests/snapshots/{snapshot.name}",
        tofile="netlint now",
    )
    return (
        f"output differs from tests/snapshots/{snapshot.name}; if that is intended, run\n"
        f"    NETLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py\n" + "".join(diff)
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_text_report_matches_snapshot(name):
    path, exit_code = EXAMPLES[name]
    result = netlint(path, "--format", "text", "--no-color")
    assert result.code == exit_code, result.err
    snapshot = SNAPSHOTS / f"{name}.txt"
    if UPDATING:
        snapshot.write_text(result.out, encoding="utf-8")
        return
    expected = snapshot.read_text(encoding="utf-8")
    if result.out != expected:
        pytest.fail(differences(expected, result.out, snapshot), pytrace=False)


@pytest.mark.parametrize("name", EXAMPLES)
def test_json_report_matches_snapshot(name):
    path, exit_code = EXAMPLES[name]
    result = netlint(path, "--format", "json")
    assert result.code == exit_code, result.err
    # The whole report is compared: nothing in it varies between machines (the path is as given, relative
    # to the repository root where the command runs, and the report holds no timings).
    report = result.json()
    snapshot = SNAPSHOTS / f"{name}.json"
    if UPDATING:
        snapshot.write_text(pretty(report), encoding="utf-8")
        return
    expected = json.loads(snapshot.read_text(encoding="utf-8"))
    if report != expected:
        pytest.fail(differences(pretty(expected), pretty(report), snapshot), pytrace=False)
