"""Configuration discovery, validation, per-file ignores, extra rule folders and inline suppression."""

from __future__ import annotations

import textwrap

import pytest

from conftest import netlint

DRAFT = "Hi Sam,\n\nI came across your profile and would love to connect.\n\nBest,\nJo\n"


def codes(result):
    return {f["code"] for file in result.json()["files"] for f in file["findings"]}


def test_netlint_toml_is_found_upward_from_the_linted_file(tmp_path):
    (tmp_path / ".netlint.toml").write_text('ignore = ["NL101"]\n')
    (tmp_path / "drafts" / "deep").mkdir(parents=True)
    draft = tmp_path / "drafts" / "deep" / "a.txt"
    draft.write_text(DRAFT)
    assert "NL101" not in codes(netlint(str(draft), "--format", "json"))


def test_pyproject_tool_netlint_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.netlint]\nselect = ["genericness"]\n')
    draft = tmp_path / "a.txt"
    draft.write_text(DRAFT)
    found = codes(netlint(str(draft), "--format", "json"))
    assert found and all(c.startswith("NL1") for c in found)


def test_nearest_config_wins(tmp_path):
    (tmp_path / ".netlint.toml").write_text('ignore = ["NL101"]\n')
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / ".netlint.toml").write_text('ignore = ["NL103"]\n')
    draft = tmp_path / "team" / "a.txt"
    draft.write_text(DRAFT)
    found = codes(netlint(str(draft), "--format", "json"))
    assert "NL101" in found and "NL103" not in found


def test_unknown_key_is_an_error_naming_file_and_key(tmp_path):
    (tmp_path / ".netlint.toml").write_text('selekt = ["NL1"]\n')
    draft = tmp_path / "a.txt"
    draft.write_text(DRAFT)
    result = netlint(str(draft))
    assert result.code == 2
    assert ".netlint.toml" in result.err and "selekt" in result.err and "Traceback" not in result.err


def test_malformed_toml_is_an_error(tmp_path):
    (tmp_path / ".netlint.toml").write_text("select = [\n")
    draft = tmp_path / "a.txt"
    draft.write_text(DRAFT)
    result = netlint(str(draft))
    assert result.code == 2 and "not valid TOML" in result.err


def test_explicit_config_and_thresholds(tmp_path):
    config = tmp_path / "strict.toml"
    config.write_text("[thresholds]\noverall = 100\n")
    good = tmp_path / "good.txt"
    good.write_text("Hi Ana,\n\nYour PyCon talk on queue design fixed our retry storm. Happy to share our numbers if useful. Could I ask one question about backoff?\n\nBest,\nJo")
    assert netlint(str(good), "--config", str(config)).code == 1


def test_per_file_ignores(tmp_path):
    (tmp_path / ".netlint.toml").write_text('[per-file-ignores]\n"followups/*" = ["NL1"]\n')
    (tmp_path / "followups").mkdir()
    draft = tmp_path / "followups" / "a.txt"
    draft.write_text(DRAFT)
    assert not any(c.startswith("NL1") for c in codes(netlint(str(draft), "--format", "json")))


def house_rule(folder, rule: str, draft: str = DRAFT):
    """`rule` (YAML) as the only file of a `house-rules` folder that the folder's config names; returns
    a draft path beside it."""
    (folder / "house-rules").mkdir()
    (folder / "house-rules" / "rule.yml").write_text(textwrap.dedent(rule))
    (folder / ".netlint.toml").write_text('rule-folders = ["house-rules"]\n')
    path = folder / "a.txt"
    path.write_text(draft)
    return path


def test_users_add_their_own_rule_folder(tmp_path):
    draft = house_rule(tmp_path, """\
        code: ACME001
        name: no-synergize
        category: genericness
        severity: warning
        strategy: Be Genuine
        message: "'{match}' is house-banned."
        why: Our readers hate it.
        suggestion: Say what you mean.
        phrases: [synergize]
        examples:
          flag: ["Let's synergize."]
          pass: ["Let's work together on the audit."]
        """, "Hi Bo, let's synergize on the Q3 audit you presented at FinOps Day.")
    assert "ACME001" in codes(netlint(str(draft), "--format", "json"))


def test_malformed_rule_file_names_file_and_key(tmp_path):
    draft = house_rule(tmp_path, "code: ACME002\nname: x\ncategory: genericness\nseverity: loud\n")
    result = netlint(str(draft))
    assert result.code == 2
    assert "rule.yml" in result.err and "severity" in result.err and "Traceback" not in result.err


def test_a_broken_config_in_one_folder_does_not_stop_the_others(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "fine").mkdir()
    (tmp_path / "broken" / ".netlint.toml").write_text("bogus-key = 1\n")
    (tmp_path / "broken" / "a.txt").write_text(DRAFT)
    (tmp_path / "fine" / "b.txt").write_text(DRAFT)
    result = netlint("broken/a.txt", "fine/b.txt", "--format", "json", cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.err
    assert "broken/a.txt: configuration error:" in result.err and "bogus-key" in result.err
    assert [f["path"] for f in result.json()["files"]] == ["fine/b.txt"]


def test_user_rules_may_not_use_regular_expressions(tmp_path):
    draft = house_rule(tmp_path, """\
        code: ACME003
        name: regex
        category: genericness
        severity: warning
        strategy: Be Genuine
        message: m
        why: w
        suggestion: s
        patterns:
          - [{TEXT: {REGEX: "(a+)+$"}}]
        examples: {flag: [a], pass: [b]}
        """)
    result = netlint(str(draft))
    assert result.code == 2 and "regular expressions are not allowed" in result.err


def test_user_rules_may_match_on_lemmas(tmp_path):
    # The bundled rules need no lemmas, so the lemma table is loaded only when a rule asks for LEMMA.
    draft = house_rule(tmp_path, """\
        code: ACME004
        name: begging
        category: self_serving
        severity: warning
        strategy: Reciprocity
        message: m
        why: w
        suggestion: s
        patterns:
          - [{LEMMA: beg}]
        examples: {flag: [I begged them twice.], pass: [I asked them twice.]}
        """, "Hi Sam,\n\nI am begging you for a referral.\n\nBest,\nAna\n")
    assert "ACME004" in codes(netlint(str(draft), "--format", "json"))


def test_inline_suppression_in_drafts(tmp_path):
    draft = tmp_path / "a.md"
    draft.write_text("Hi Sam,\n\nI came across your profile. <!-- netlint-disable-line NL101 -->\nI came across your profile again.\n")
    data = netlint(str(draft), "--format", "json").json()
    lines = [f["range"]["start"]["line"] for f in data["files"][0]["findings"] if f["code"] == "NL101"]
    assert lines == [4]


def test_file_scope_suppression_in_templates(tmp_path):
    template = tmp_path / "a.j2"
    template.write_text("{# netlint: disable=NL103,NL702 #}\nHi {{ first_name }}, I'd love to connect!\n")
    found = codes(netlint(str(template), "--format", "json"))
    assert "NL103" not in found and "NL702" not in found


def test_region_suppression_until_enabled(tmp_path):
    draft = tmp_path / "a.md"
    draft.write_text(
        "<!-- x -->\n<!-- netlint-disable NL101 -->\nI came across your profile.\n<!-- netlint-enable NL101 -->\nI came across your profile.\n"
    )
    data = netlint(str(draft), "--format", "json").json()
    lines = [f["range"]["start"]["line"] for f in data["files"][0]["findings"] if f["code"] == "NL101"]
    assert lines == [5]


def test_user_rule_confirmed_by_must_name_a_score(tmp_path):
    draft = house_rule(tmp_path, """\
        code: ACME005
        name: confirmed
        category: genericness
        severity: warning
        strategy: Be Genuine
        message: m
        why: w
        suggestion: s
        phrases: [synergy]
        params: {confirmed_by: tone}
        examples: {flag: [synergy], pass: [b]}
        """)
    result = netlint(str(draft))
    assert result.code == 2 and "confirmed_by must be genericness, self_serving or missing_research" in result.err


@pytest.mark.parametrize(
    ("check", "params", "problem"),
    [
        ("absent", "{signals: [research], at: middle}", "params.at must be first or last"),
        ("absent", "{signals: [vibes]}", "params.signals must list message signals"),
        ("sentence", "{has: [charm]}", "params.has and params.lacks must list sentence flags"),
        ("limit", "{limits: [{count: emojis, max: 3}]}", "params.limits must list {count: words|asks|questions"),
        ("recipients", "{summary: everything}", "params.summary must be empty-fields, render-failures or sameness"),
        ("absent", "{signals: [offer], confirmed_by: self_serving, confirmed_at: 150}", "params.confirmed_at must be a score"),
    ],
)
def test_a_house_rule_on_a_generic_check_must_name_what_it_reads(tmp_path, check, params, problem):
    draft = house_rule(tmp_path, f"""\
        code: ACME006
        name: generic
        category: clarity
        severity: info
        strategy: Define Clear Goals
        message: m
        why: w
        suggestion: s
        check: {check}
        params: {params}
        examples: {{flag: [a], pass: [b]}}
        """)
    result = netlint(str(draft))
    assert result.code == 2 and problem in result.err and "ACME006" not in result.out


def test_a_house_rule_can_reuse_a_generic_check(tmp_path):
    """An `absent` rule of one's own: notes of 5 or more words that never thank the reader."""
    draft = house_rule(tmp_path, """\
        code: ACME007
        name: no-thanks
        category: clarity
        severity: warning
        strategy: Build Trust
        message: "Nothing here thanks the reader."
        why: w
        suggestion: s
        check: absent
        params: {signals: [thanks_message], min_words: 5, at: last}
        examples: {flag: [a], pass: [b]}
        """)
    result = netlint(str(draft), "--format", "json")
    codes = [f["code"] for f in result.json()["files"][0]["findings"]]
    assert "ACME007" in codes
