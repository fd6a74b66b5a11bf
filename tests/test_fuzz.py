"""The fuzz target runs clean for a fixed budget, and every crash it found stays fixed.

`fuzz/fuzz_lint.py` is the atheris target; `python fuzz/fuzz_lint.py -max_total_time=60` runs it by hand.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, netlint

FUZZER = ROOT / "fuzz" / "fuzz_lint.py"

# Inputs the fuzzer found (base64, as libFuzzer prints them), each a crash once.
CRASHES = {
    # `{{{{...`: Jinja2's parser recursed once per bracket and raised RecursionError from syntax checking.
    "nested-braces": "AUhpIEokZmFpbHBlIHlvdXt7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7e3t7eydyZW/kIGluZyB3ZWxsISBXb3VsZCB5b3UgaGE/",
}


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_input_that_crashed_the_fuzzer_is_a_finding(tmp_path: Path, name: str):
    data = base64.b64decode(CRASHES[name])
    text = data[1:].decode("utf-8", "replace")
    (tmp_path / "found.j2").write_text(text, encoding="utf-8")
    result = netlint("found.j2", "--format", "concise", cwd=tmp_path)
    assert "Traceback" not in result.err and result.err == ""
    assert result.code == 1 and "found.j2:1:1: NL703" in result.out


def test_deep_brackets_in_a_draft_with_template_tags_are_a_finding_not_a_traceback(tmp_path: Path):
    (tmp_path / "d.txt").write_text("Hi Jo, {% if x %}" + "{" * 400 + "{% endif %} could I ask one question?", encoding="utf-8")
    result = netlint("d.txt", "--format", "concise", cwd=tmp_path)
    assert result.err == "" and "brackets nest too deeply" in result.out


def test_unknown_filter_is_reported_instead_of_crashing_a_context_run(tmp_path: Path):
    # Found while building the fuzz target: parsing accepted it, compiling for --context raised.
    (tmp_path / "t.j2").write_text("Hi {{ first_name|shout }}, your talk on caching fixed our outage.\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("first_name\nAna\n", encoding="utf-8")
    result = netlint("t.j2", "--context", "people.csv", "--format", "concise", cwd=tmp_path)
    assert result.err == ""
    assert result.code == 1 and "t.j2:1:1: NL703" in result.out and "No filter named 'shout'" in result.out


@pytest.mark.slow
def test_fuzzer_finds_no_crash_in_thirty_seconds(tmp_path: Path):
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    proc = subprocess.run(
        [sys.executable, str(FUZZER), "-max_total_time=30", "-rss_limit_mb=2048", "-timeout=20",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    found = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    assert proc.returncode == 0 and not found, proc.stderr[-4000:]
    assert "Done" in proc.stderr and any(corpus.iterdir()), "the fuzzer ran and kept a corpus"
