"""`netlint rewrite`: hook -> offer -> one small ask -> easy out, keeping the writer's own words."""

from __future__ import annotations

import json

from conftest import EXAMPLES, ROOT, netlint

DRAFT = """Hi Mira,

I hope you're doing well! Sorry to bother you. I read your article on cold-chain failures in rural clinics and tried your checklist at our depot. I put our temperature logs in a short summary and I'm happy to send it over. Could we talk for 15 minutes next week about the alarm thresholds you used?

Thanks in advance,
Joel
"""


def test_generic_draft_gets_a_structure_with_marked_slots_and_keeps_name_and_signature():
    result = netlint("rewrite", str(EXAMPLES / "pick-your-brain.txt"))
    assert result.code == 0
    text = result.out
    assert text.startswith("Hi Jordan,")
    assert "[the specific post, talk or project of theirs you read" in text
    assert "15-minute" in text and "no worries" in text
    assert text.rstrip().endswith("Sam")
    for gone in ("pick your brain", "Sorry to bother", "finds you well", "came across your profile"):
        assert gone not in text
    assert "slots" in result.err


def test_the_writers_research_offer_and_ask_are_kept_verbatim():
    result = netlint("rewrite", "-", "--stdin-filename", "joel.txt", "--format", "json", input=DRAFT)
    data = json.loads(result.out)
    text = data["rewrite"]
    assert "I read your article on cold-chain failures in rural clinics and tried your checklist at our depot." in text
    assert "I put our temperature logs in a short summary and I'm happy to send it over." in text
    assert "Could we talk for 15 minutes next week about the alarm thresholds you used?" in text
    assert "Sorry" not in text and "doing well" not in text
    assert text.index("I read your article") < text.index("temperature logs") < text.index("Could we talk")
    assert data["slots"] == []
    assert data["scores"]["after"]["overall"] >= data["scores"]["before"]["overall"]


def test_a_passing_draft_is_kept_as_written():
    original = (EXAMPLES / "specific-value-first.txt").read_text()
    result = netlint("rewrite", str(EXAMPLES / "specific-value-first.txt"))
    assert result.out == original
    assert "already passes" in result.err


def test_the_layout_template_can_be_replaced_from_config(tmp_path):
    (tmp_path / "mine.j2").write_text("{{ greeting }}\n{{ ask }}\n-- {{ hook }}\n")
    (tmp_path / ".netlint.toml").write_text('rewrite-template = "mine.j2"\n')
    draft = tmp_path / "d.txt"
    draft.write_text((EXAMPLES / "pick-your-brain.txt").read_text())
    result = netlint("rewrite", str(draft))
    assert result.out.splitlines()[0] == "Hi Jordan,"
    assert result.out.splitlines()[2].startswith("-- [the specific post")


def test_every_failing_test_split_draft_improves_and_no_passing_one_gets_worse(linter):
    from linter.train import evaluate_rewrite

    figures = evaluate_rewrite(linter, ROOT)
    assert figures["failing"] > 20 and figures["passing"] > 20
    assert figures["failing_improved"] == figures["failing"], figures["not_improved"]
    assert figures["passing_worse"] == 0, figures["passing_worse_ids"]
    assert figures["mean_change_failing"]["overall"] > 0
