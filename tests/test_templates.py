"""Jinja2 templates: branches, syntax errors, rendering with recipients' data, the sandbox, pre-commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import EXAMPLES, ROOT, netlint

TEMPLATES = EXAMPLES / "templates"


def findings(result, file_index=0):
    return result.json()["files"][file_index]["findings"]


def test_first_name_only_template_is_named_for_what_varies():
    result = netlint(str(TEMPLATES / "first-name-only.j2"), "--format", "json")
    nl702 = [f for f in findings(result) if f["code"] == "NL702"]
    assert nl702 and "`first_name`, `company`" in nl702[0]["message"]
    assert result.code == 1


def test_researched_template_passes():
    result = netlint(str(TEMPLATES / "researched.j2"))
    assert result.code == 0, result.out


def test_syntax_error_is_a_finding_on_the_template_line_not_a_traceback():
    result = netlint(str(TEMPLATES / "broken.j2"), "--format", "json")
    error = next(f for f in findings(result) if f["code"] == "NL703")
    assert error["severity"] == "error" and error["range"]["start"]["line"] == 3
    assert "Traceback" not in result.err


@pytest.mark.parametrize("source, line, column", [
    ("Hi {{ first_name },\n", 1, 18),  # the stray brace
    ("Hi {{ first_name second }}\n", 1, 18),  # the token Jinja did not expect
    ("Hi {{ first_name }},\n{% if recent_post %}I read {{ recent_post }}.\nThanks\n", 2, 1),  # the unclosed tag
])
def test_syntax_errors_point_at_the_offending_token(tmp_path, source, line, column):
    template = tmp_path / "t.j2"
    template.write_text(source)
    error = next(f for f in findings(netlint(str(template), "--format", "json")) if f["code"] == "NL703")
    assert (error["range"]["start"]["line"], error["range"]["start"]["column"]) == (line, column)
    assert ".." not in error["message"]


def test_each_branch_is_judged_and_findings_map_to_template_lines(tmp_path):
    template = tmp_path / "t.j2"
    template.write_text(textwrap.dedent("""\
        Hi {{ first_name }},

        {% if recent_post %}
        Your post on {{ recent_post }} changed how I plan sprints.
        {% else %}
        I came across your profile and would love to connect.
        {% endif %}

        Could I ask you one question about estimation?

        Best,
        Al
        """))
    data = netlint(str(template), "--format", "json").json()["files"][0]
    nl101 = next(f for f in data["findings"] if f["code"] == "NL101")
    assert nl101["range"]["start"] == {"line": 6, "column": 1}
    assert any("2 combinations" in n for n in data["notes"])


def test_context_keeps_counts_not_every_row_number(tmp_path):
    # Memory stays flat however many rows are empty: the first rows are named and the rest counted.
    (tmp_path / "t.j2").write_text("Hi {{ first_name }},\n\nI read {{ recent_post }}. Could we talk for 15 minutes?\n")
    rows = ["first_name,recent_post"] + [f",post {i}" for i in range(3000)]
    (tmp_path / "rows.csv").write_text("\n".join(rows) + "\n")
    result = netlint("t.j2", "--context", "rows.csv", "--format", "json", cwd=tmp_path)
    nl704 = next(f for f in findings(result) if f["code"] == "NL704")
    assert "3000 of 3000 rows (rows 1, 2, 3, 4, 5 and 2995 more)" in nl704["message"]


def test_context_reports_empty_fields_sameness_and_rows():
    result = netlint(str(TEMPLATES / "first-name-only.j2"), "--context", str(TEMPLATES / "recipients.csv"), "--format", "json")
    data = result.json()["files"][0]
    codes = {f["code"]: f for f in data["findings"]}
    assert "NL704" in codes and "rows 3" in codes["NL704"]["message"]
    assert "NL706" in codes and "100%" in codes["NL706"]["message"]
    assert any(n.startswith("rendered 3 rows") for n in data["notes"])
    assert any("email=ana@example.com" in n for n in data["notes"])


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_context_reads_json_and_jsonl(tmp_path, suffix):
    rows = [{"first_name": "Ana", "recent_post_topic": "on-call rotas"}, {"first_name": "Bo", "recent_post_topic": "SLOs"}]
    path = tmp_path / f"rows.{suffix}"
    path.write_text(json.dumps(rows) if suffix == "json" else "\n".join(json.dumps(r) for r in rows))
    result = netlint(str(TEMPLATES / "researched.j2"), "--context", str(path), "--format", "json")
    assert any(n.startswith("rendered 2 rows") for n in result.json()["files"][0]["notes"])


def test_unreadable_context_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "rows.json"
    bad.write_text("{not json")
    result = netlint(str(TEMPLATES / "researched.j2"), "--context", str(bad))
    assert result.code == 2 and "rows.json" in result.err and "Traceback" not in result.err


ESCAPES = {
    "mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "lipsum": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "huge-range": "{% for i in range(10**9) %}x{% endfor %}",
    "huge-string": "{{ 'x' * 10**9 }}",
    "nested-loops": "{% for i in range(10000) %}{% for j in range(10000) %}xxxxxxxx{% endfor %}{% endfor %}",
    "power": "{{ 9 ** 99999999 }}",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_rendering_never_runs_attacker_code_and_is_bounded(tmp_path, name):
    template = tmp_path / "evil.j2"
    template.write_text("Hi {{ first_name }}, " + ESCAPES[name] + " your talk on {{ topic }} was useful.")
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([{"first_name": "Ana", "topic": "queues"}]))
    result = netlint(str(template), "--context", str(rows), "--format", "json")
    assert "Traceback" not in result.err
    failed = [f for f in findings(result) if f["code"] == "NL705"]
    assert failed, f"{name} should be stopped and reported"
    assert "uid=" not in result.out


def test_template_module_stops_runaway_output_quickly():
    import time

    from linter.template import RenderError, compile_template, render

    template = compile_template("{% for i in range(10000) %}{% for j in range(10000) %}xxxxxxxx{% endfor %}{% endfor %}")
    started = time.perf_counter()
    with pytest.raises(RenderError):
        render(template, {})
    assert time.perf_counter() - started < 10


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A scratch repository whose pre-commit config points at this checkout's HEAD."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    repo = tmp_path_factory.mktemp("outreach")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {head.stdout.strip()}\n  hooks:\n  - id: netlint\n"
    )
    return repo, env


def _pre_commit(repo, env):
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_pre_commit_hook_fails_on_a_first_name_only_template(hook_repo):
    repo, env = hook_repo
    for name in list(repo.glob("*.j2")):
        name.unlink()
    shutil.copy(TEMPLATES / "first-name-only.j2", repo / "welcome.j2")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    proc = _pre_commit(repo, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "welcome.j2" in proc.stdout and "NL702" in proc.stdout


def test_pre_commit_hook_passes_on_a_researched_template(hook_repo):
    repo, env = hook_repo
    for name in list(repo.glob("*.j2")):
        name.unlink()
    shutil.copy(TEMPLATES / "researched.j2", repo / "researched.j2")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    proc = _pre_commit(repo, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Plain files: a .txt or .md whose placeholders show it is a template is judged as one and says so.
SHARED_TEMPLATE = (
    "Subject: [specific point] at [Company]\n\nHi [First Name],\n\nI read your post on [topic] and the part about "
    "[specific point] changed how we plan sprints. Would you be open to a 15-minute call next week?\n\nBest,\n[Your Name]\n"
)


def lint_file(tmp_path, name, text, *args):
    path = tmp_path / name
    path.write_text(text)
    result = netlint(str(path), "--format", "json", *args, cwd=tmp_path)
    return result, result.json()["files"][0]


def test_a_txt_file_with_a_sender_slot_is_judged_as_a_template(tmp_path):
    text = "Hi [First Name],\n\nYour talk on [talk topic] was the clearest take on pricing I have heard.\n\nBest,\n[Your Name]\n"
    result, report = lint_file(tmp_path, "intro.txt", text)
    assert report["mode"] == "template"
    assert any("judged as a template" in n and "[Your Name]" in n for n in report["notes"])
    assert "NL701" not in {f["code"] for f in report["findings"]}


def test_a_markdown_file_with_three_placeholders_is_judged_as_a_template(tmp_path):
    _, report = lint_file(tmp_path, "ask.md", SHARED_TEMPLATE.replace("[Your Name]", "Sam"))
    assert report["mode"] == "template"
    assert any("distinct placeholders" in n for n in report["notes"])


def test_a_stray_placeholder_in_a_filled_draft_stays_an_error(tmp_path):
    text = "Hi [First Name],\n\nYour talk on pricing at SaaStr was the clearest I have heard. Could I ask one question?\n\nBest,\nSam\n"
    result, report = lint_file(tmp_path, "draft.txt", text)
    assert report["mode"] == "draft" and report["notes"] == []
    assert [f["severity"] for f in report["findings"] if f["code"] == "NL701"] == ["error"]
    assert result.code == 1


def test_mode_draft_in_config_keeps_placeholders_errors(tmp_path):
    (tmp_path / ".netlint.toml").write_text('mode = "draft"\n')
    _, report = lint_file(tmp_path, "intro.txt", SHARED_TEMPLATE)
    assert report["mode"] == "draft"
    assert len([f for f in report["findings"] if f["code"] == "NL701"]) >= 3


def test_merge_field_and_square_placeholders_have_roles():
    from linter.message import parse

    text = "Hi {{First_Name}}, saw {{Trigger_Event}} at [Company]. [mutual connection] says hi. {{Sender_Name}} / [Your Title]"
    roles = {p.name: p.role for p in parse(text).placeholders}
    assert roles == {"First_Name": "identity", "Trigger_Event": "research", "Company": "identity",
                     "mutual connection": "research", "Sender_Name": "sender", "Your Title": "sender"}


def test_pre_commit_judges_a_plain_text_template_as_a_template(hook_repo):
    repo, env = hook_repo
    for name in [*repo.glob("*.j2"), *repo.glob("*.txt")]:
        name.unlink()
    (repo / "intro.txt").write_text(SHARED_TEMPLATE)
    (repo / "to-ana.txt").write_text("Hi [First Name],\n\nYour talk on pricing at SaaStr was the clearest I have "
                                     "heard. Could I ask one question?\n\nBest,\nSam\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    proc = _pre_commit(repo, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "to-ana.txt:1:4: NL701" in proc.stdout
    assert "intro.txt: PASS" in proc.stdout and "intro.txt:1:" not in proc.stdout and "NL701" not in proc.stdout.split("to-ana.txt")[0]
    assert "judged as a template: it has a slot for the sender, '[Your Name]'" in proc.stdout
