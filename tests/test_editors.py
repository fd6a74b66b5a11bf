"""The stdin setups in docs/editors.md read real `netlint - --format concise` output correctly.

Each plugin's pattern appears here twice: exactly as the doc prints it (the test fails if the doc
changes without this file) and as the Python regular expression it amounts to, which is applied to the
real command's output. Where Vim is installed, ALE's pattern also runs through Vim's own `matchlist`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, netlint

DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")

# An error (unfilled placeholder), warnings and infos; an accent and a dash before a finding, because the
# columns count characters.
DRAFT = """Hi [Name],

I hope this email finds you well. Café owners like you — I would love to pick your brain.

Thanks in advance,
Sam
"""
LINES = DRAFT.splitlines()

ALE_DOC = r"let l:pattern = '\v^.{-}:(\d+):(\d+): (\w+) \[(\a+)\] (.*)$'"
ALE = re.compile(r"^.*?:(\d+):(\d+): ([0-9A-Za-z_]+) \[([A-Za-z]+)\] (.*)$")
ALE_TYPES_DOC = r"'type': l:match[4] is# 'error' ? 'E' : l:match[4] is# 'warning' ? 'W' : 'I',"
ALE_TYPES = {"error": "E", "warning": "W", "info": "I"}

FLYCHECK_DOC = """  ((error line-start (file-name) ":" line ":" column ": "
          (id (one-or-more alnum)) " [error] " (message) line-end)
   (warning line-start (file-name) ":" line ":" column ": "
            (id (one-or-more alnum)) " [warning] " (message) line-end)
   (info line-start (file-name) ":" line ":" column ": "
         (id (one-or-more alnum)) " [info] " (message) line-end))"""
# flycheck's (file-name) is a minimal match, (message) one or more characters; the severity is the
# pattern's own.
FLYCHECK = {level: re.compile(rf"^(.+?):(\d+):(\d+): ([0-9A-Za-z]+) \[{level}\] (.+)$") for level in ("error", "warning", "info")}

NVIM_LINT_DOC = '"^.-:(%d+):(%d+): (%w+) %[(%a+)%] (.+)$",'
NVIM_LINT = re.compile(r"^.*?:(\d+):(\d+): ([0-9A-Za-z]+) \[([A-Za-z]+)\] (.+)$")
NVIM_LINT_SEVERITIES_DOC = """      error = vim.diagnostic.severity.ERROR,
      warning = vim.diagnostic.severity.WARN,
      info = vim.diagnostic.severity.INFO,"""


@pytest.fixture(scope="module")
def output() -> list[str]:
    """What the doc's commands print for DRAFT (they all add --exit-zero)."""
    result = netlint("-", "--stdin-filename", "draft.txt", "--format", "concise", "--exit-zero", input=DRAFT)
    assert result.code == 0, result.err
    return result.out.splitlines()


def column_of(phrase: str) -> tuple[int, int]:
    """1-based line and column (in characters) of `phrase` in DRAFT."""
    line = next(i for i, text in enumerate(LINES) if phrase in text)
    return line + 1, LINES[line].index(phrase) + 1


def check_findings(findings: list[tuple[int, int, str, str, str]], output: list[str]) -> None:
    """Every line became a finding, and three known ones came through whole."""
    assert len(findings) == len(output) >= 3
    by_code = {f[2]: f for f in findings}
    assert by_code["NL701"][:4] == (1, 4, "NL701", "error")
    assert by_code["NL701"][4].startswith("Unfilled placeholder '[Name]'")
    assert by_code["NL308"][:4] == (*column_of("pick your brain"), "NL308", "warning")
    assert by_code["NL308"][4] == "'pick your brain' asks for open-ended free advice with no topic. (Define Clear Goals)"
    assert by_code["NL110"][:4] == (5, 1, "NL110", "info")


def test_ale_pattern_reads_line_column_code_severity_and_message(output):
    assert ALE_DOC in DOC and ALE_TYPES_DOC in DOC
    findings = []
    for line in output:
        match = ALE.match(line)
        assert match, line
        findings.append((int(match[1]), int(match[2]), match[3], match[4], match[5]))
        assert match[4] in ALE_TYPES
    check_findings(findings, output)


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_ale_pattern_matches_the_same_in_vim(output, tmp_path):
    pattern = re.search(r"let l:pattern = '(.*)'", DOC)[1]
    (tmp_path / "output.txt").write_text("\n".join(output) + "\n", encoding="utf-8")
    (tmp_path / "pattern.txt").write_text(pattern + "\n", encoding="utf-8")
    script = tmp_path / "match.vim"
    script.write_text(
        "set encoding=utf-8\n"
        f"let s:pattern = readfile('{tmp_path}/pattern.txt')[0]\n"
        f"let s:matches = map(readfile('{tmp_path}/output.txt'), {{_, line -> matchlist(line, s:pattern)[1:5]}})\n"
        f"call writefile([json_encode(s:matches)], '{tmp_path}/matches.json')\n"
        "qall!\n",
        encoding="utf-8",
    )
    subprocess.run(["vim", "-Es", "-u", "NONE", "-N", "-S", str(script)], check=True, timeout=60, stdin=subprocess.DEVNULL)
    in_vim = json.loads((tmp_path / "matches.json").read_text(encoding="utf-8"))
    in_python = [list(ALE.match(line).groups()) for line in output]
    assert in_vim == in_python


def test_flycheck_patterns_read_line_column_code_severity_and_message(output):
    assert FLYCHECK_DOC in DOC
    findings = []
    for line in output:
        matched = [(level, m) for level, pattern in FLYCHECK.items() if (m := pattern.match(line))]
        assert len(matched) == 1, line  # exactly one pattern, and so one severity, per line
        level, match = matched[0]
        assert match[1] == "draft.txt"
        findings.append((int(match[2]), int(match[3]), match[4], level, match[5]))
    check_findings(findings, output)


def test_nvim_lint_pattern_reads_line_column_code_severity_and_message(output):
    assert NVIM_LINT_DOC in DOC and NVIM_LINT_SEVERITIES_DOC in DOC
    findings = []
    for line in output:
        match = NVIM_LINT.match(line)
        assert match, line
        assert match[4] in ("error", "warning", "info")  # the keys of the doc's severity map
        findings.append((int(match[1]), int(match[2]), match[3], match[4], match[5]))
    check_findings(findings, output)
