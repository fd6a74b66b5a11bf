"""The command line, run for real: exit codes, formats, stdin, config, suppressions, bad input."""

from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import EXAMPLES, ROOT, netlint

GENERIC = EXAMPLES / "pick-your-brain.txt"
GOOD = EXAMPLES / "specific-value-first.txt"


def test_generic_pick_your_brain_draft_fails_with_findings_a_person_would_agree_with():
    result = netlint(str(GENERIC))
    assert result.code == 1
    for code in ("NL101", "NL102", "NL308", "NL303", "NL401"):
        assert code in result.out
    assert "strategy: Research and Preparation" in result.out
    assert "FAIL" in result.out


def test_specific_value_first_draft_passes():
    result = netlint(str(GOOD))
    assert result.code == 0, result.out
    assert "PASS" in result.out


def test_scores_order_the_two_examples():
    files = {f["path"]: f for f in netlint(str(GENERIC), str(GOOD), "--format", "json").json()["files"]}
    bad, good = files[str(GENERIC)]["scores"], files[str(GOOD)]["scores"]
    assert good["overall"] > bad["overall"]
    for label in ("genericness", "self_serving", "missing_research"):
        assert good[label] < bad[label], label


def test_version_and_help_do_not_need_spacy():
    assert netlint("--version").out.strip().startswith("netlint ")
    result = netlint("--help")
    assert result.code == 0 and "explain" in result.out and "Exit codes" in result.out


def test_console_script_is_installed():
    import shutil
    import subprocess

    exe = shutil.which("netlint")
    assert exe, "pip install should put `netlint` on PATH"
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "netlint" in proc.stdout


def test_concise_format_is_path_line_col_code():
    result = netlint(str(GENERIC), "--format", "concise")
    first = result.out.splitlines()[0]
    path, line, col, rest = first.split(":", 3)
    assert path == str(GENERIC) and line.isdigit() and col.isdigit()
    assert rest.strip().startswith("NL")


def test_stdin_uses_the_given_filename_and_keeps_exit_codes():
    text = GENERIC.read_text()
    result = netlint("-", "--stdin-filename", "drafts/to-jordan.txt", "--format", "concise", input=text)
    assert result.code == 1
    assert all(line.startswith("drafts/to-jordan.txt:") for line in result.out.splitlines())


def test_stdin_config_comes_from_the_given_filename(tmp_path):
    # The editor runs netlint from anywhere; the buffer's own folder decides its configuration.
    (tmp_path / "quiet").mkdir()
    (tmp_path / "quiet" / ".netlint.toml").write_text('ignore = ["NL102"]\n')
    text = GENERIC.read_text()
    elsewhere = netlint("-", "--stdin-filename", str(tmp_path / "d.txt"), "--format", "json", input=text)
    quiet = netlint("-", "--stdin-filename", str(tmp_path / "quiet" / "d.txt"), "--format", "json", input=text)
    assert "NL102" in {f["code"] for f in elsewhere.json()["files"][0]["findings"]}
    assert "NL102" not in {f["code"] for f in quiet.json()["files"][0]["findings"]}


def test_cli_columns_count_characters_with_emoji_cjk_combining_marks_and_crlf():
    # 1-based character columns: one for 🙏, for 李 and for e + U+0301; a CRLF ends one line.
    text = "Hi Zoë,\r\n\r\n🙏 李 Re\u0301ne: I came across your profile.\r\n"
    result = netlint("-", "--stdin-filename", "d.txt", "--format", "concise", input=text)
    nl101 = next(line for line in result.out.splitlines() if ": NL101 " in line)
    assert nl101.startswith("d.txt:3:12: NL101"), nl101


def test_stdin_template_mode_comes_from_the_filename():
    template = "Hi {{ first_name }}, I'd love to connect with professionals at {{ company }}."
    as_template = netlint("-", "--stdin-filename", "outreach.j2", "--format", "json", input=template).json()
    as_draft = netlint("-", "--stdin-filename", "outreach.txt", "--format", "json", input=template).json()
    assert as_template["files"][0]["mode"] == "template"
    assert "NL701" not in {f["code"] for f in as_template["files"][0]["findings"]}
    assert "NL702" in {f["code"] for f in as_template["files"][0]["findings"]}
    assert "NL701" in {f["code"] for f in as_draft["files"][0]["findings"]}


def test_unfilled_placeholder_in_a_draft_is_an_error_that_fails_the_file(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi [First Name],\n\nYour talk at PyData Berlin on causal forests was great. Could I ask one question about it?\n\nBest,\nLe")
    data = netlint(str(draft), "--format", "json").json()
    errors = [f for f in data["files"][0]["findings"] if f["severity"] == "error"]
    assert errors and errors[0]["code"] == "NL701"
    assert errors[0]["range"]["start"] == {"line": 1, "column": 4}
    assert errors[0]["range"]["end"] == {"line": 1, "column": 16}
    assert data["files"][0]["verdict"] == "fail"


def test_a_file_named_like_a_subcommand_is_linted_when_written_as_a_path(tmp_path):
    (tmp_path / "rules").write_text("I came across your profile and would love to connect.")
    result = netlint("./rules", "--format", "concise", cwd=tmp_path)
    assert "NL101" in result.out
    assert netlint("rules").out.startswith("NL101")


def test_select_ignore_by_code_prefix_and_category():
    only_confidence = netlint(str(GENERIC), "--select", "confidence", "--format", "json").json()
    codes = {f["code"] for f in only_confidence["files"][0]["findings"]}
    assert codes and all(c.startswith("NL4") for c in codes)
    ignored = netlint(str(GENERIC), "--ignore", "NL1,NL3", "--format", "json").json()
    codes = {f["code"] for f in ignored["files"][0]["findings"]}
    assert not any(c.startswith(("NL1", "NL3")) for c in codes)


def test_unknown_code_in_select_is_a_usage_error():
    result = netlint(str(GENERIC), "--select", "NL999")
    assert result.code == 2
    assert "NL999" in result.err and "Traceback" not in result.err


def test_fail_on_and_exit_zero():
    assert netlint(str(GOOD), "--fail-on", "info").code in (0, 1)
    assert netlint(str(GENERIC), "--exit-zero").code == 0


def test_score_thresholds_from_the_command_line():
    assert netlint(str(GOOD), "--min-overall", "100").code == 1
    assert netlint(str(GOOD), "--max-genericness", "0", "--min-overall", "0").code in (0, 1)


def test_statistics_counts_rules():
    result = netlint(str(GENERIC), "--statistics", "--quiet")
    assert "NL101" in result.out.splitlines()[-1] or any("NL101" in l for l in result.out.splitlines()[-12:])


def test_explain_prints_why_strategy_suggestion_and_examples():
    result = netlint("explain", "NL101")
    assert result.code == 0
    assert "Why:" in result.out and "Research and Preparation" in result.out and "Flags:" in result.out
    unknown = netlint("explain", "NL000")
    assert unknown.code == 2 and "unknown rule" in unknown.err


def test_rules_lists_every_rule():
    lines = netlint("rules").out.splitlines()
    assert len(lines) >= 40
    assert json.loads(netlint("rules", "--format", "json").out)[0]["code"] == "NL101"


def test_folders_are_searched_for_drafts_and_templates(tmp_path):
    (tmp_path / "a.txt").write_text("I came across your profile.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.j2").write_text("Hi {{ first_name }}, let's connect!")
    (tmp_path / "notes.py").write_text("print('not a draft')")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "c.txt").write_text("I came across your profile.")
    data = netlint(str(tmp_path), "--format", "json").json()
    paths = sorted(os.path.relpath(f["path"], tmp_path) for f in data["files"])
    assert paths == ["a.txt", os.path.join("sub", "b.j2")]


def test_globs_are_expanded(tmp_path):
    (tmp_path / "a.txt").write_text("I came across your profile.")
    (tmp_path / "b.txt").write_text("Let's connect sometime!")
    data = netlint(str(tmp_path / "*.txt"), "--format", "json").json()
    assert len(data["files"]) == 2


# Bad input: one line naming the file and the problem, exit 2, no traceback, others still linted.
BAD_INPUTS = {
    "missing.txt": None,
    "binary.txt": b"\x00\x01\x02\x03GIF89a\x00",
    "latin1.txt": "Caf\u00e9 au lait, I came across your profile.".encode("latin-1"),
    "empty.txt": b"",
    "blank.txt": b"   \n\t\n",
    "huge.txt": b"word " * 300_000,
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_clear_line_and_exit_2_while_others_are_linted(tmp_path, name):
    if BAD_INPUTS[name] is not None:
        (tmp_path / name).write_bytes(BAD_INPUTS[name])
    good = tmp_path / "good.txt"
    good.write_text(GOOD.read_text())
    result = netlint(str(tmp_path / name), str(good), "--format", "json")
    assert result.code == 2
    assert "Traceback" not in result.err
    error_lines = [l for l in result.err.splitlines() if l.startswith("netlint: error:")]
    assert len(error_lines) == 1 and name in error_lines[0]
    data = result.json()
    assert [f["path"] for f in data["files"]] == [str(good)]
    assert data["summary"]["errors"][0]["path"].endswith(name)


def test_utf16_with_bom_is_read():
    result = netlint("-", "--stdin-filename", "x.txt", "--format", "json",
                     input="I came across your profile and would love to connect.".encode("utf-16"))
    assert result.code in (0, 1)
    assert "NL101" in {f["code"] for f in result.json()["files"][0]["findings"]}


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hello there")
    secret.chmod(0)
    result = netlint(str(secret))
    assert result.code == 2 and "permission denied" in result.err


def test_folder_with_nothing_lintable(tmp_path):
    (tmp_path / "x.py").write_text("pass")
    result = netlint(str(tmp_path))
    assert result.code == 2 and "no lintable files" in result.err


def test_non_english_text_says_scores_are_unreliable(tmp_path):
    draft = tmp_path / "es.txt"
    draft.write_text("Hola María, me encantó tu charla sobre energía solar en Sevilla. ¿Podríamos hablar diez minutos la próxima semana?")
    data = netlint(str(draft), "--format", "json").json()["files"][0]
    assert data["reliable"] is False
    assert "NL801" in {f["code"] for f in data["findings"]}
    assert data["notes"] and "unreliable" in data["notes"][0]


def test_no_paths_is_a_usage_error():
    result = netlint("check")
    assert result.code == 2 and "no paths" in result.err


def test_github_annotations():
    result = netlint(str(GENERIC), "--format", "github")
    assert result.out.startswith("::warning file=")
    assert "title=NL102 hope-this-finds-you-well" in result.out


def test_broken_pipe_is_quiet(tmp_path):
    import subprocess

    for i in range(30):
        (tmp_path / f"d{i}.txt").write_text(GENERIC.read_text())
    proc = subprocess.run(f"{sys.executable} -m linter {tmp_path} --format concise | head -1", shell=True,
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_jobs_give_the_same_output_in_the_same_order(tmp_path):
    for i in range(40):
        (tmp_path / f"d{i:02d}.txt").write_text(GENERIC.read_text() if i % 2 else GOOD.read_text())
    one = netlint(str(tmp_path), "--format", "concise")
    two = netlint(str(tmp_path), "--format", "concise", "--jobs", "2")
    assert one.code == two.code == 1
    assert one.out == two.out and one.out
