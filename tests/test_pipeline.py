"""A trained spaCy pipeline named in config strengthens research signals with its entities and tags."""

from __future__ import annotations

import spacy

from conftest import netlint

DRAFT = "Hi Ola,\n\nLoved your keynote at strangeloop. Could I ask one question about the parser demo?\n\nThanks,\nIb\n"


def lint_without_and_with(nlp, folder) -> tuple[dict, dict]:
    """The draft's JSON report (rules only) with the default pipeline, then with `nlp` named in config."""
    nlp.to_disk(folder / "pipeline")
    draft = folder / "d.txt"
    draft.write_text(DRAFT)
    plain = netlint(str(draft), "--format", "json", "--no-model").json()["files"][0]
    (folder / ".netlint.toml").write_text('spacy-model = "pipeline"\n')
    return plain, netlint(str(draft), "--format", "json", "--no-model").json()["files"][0]


def test_configured_pipeline_entities_count_as_research(tmp_path):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "EVENT", "pattern": "strangeloop"}])
    plain, with_entities = lint_without_and_with(nlp, tmp_path)

    assert "NL201" in {f["code"] for f in plain["findings"]}
    assert "NL201" not in {f["code"] for f in with_entities["findings"]}
    assert with_entities["scores"]["missing_research"] < plain["scores"]["missing_research"]


def test_configured_pipeline_proper_noun_tags_count_as_specifics(tmp_path):
    nlp = spacy.blank("en")
    tagger = nlp.add_pipe("attribute_ruler")
    tagger.add(patterns=[[{"LOWER": "strangeloop"}]], attrs={"POS": "PROPN"})
    plain, with_tags = lint_without_and_with(nlp, tmp_path)

    assert "NL201" in {f["code"] for f in plain["findings"]}
    assert "NL201" not in {f["code"] for f in with_tags["findings"]}


def test_a_pipeline_that_cannot_load_is_a_clear_error(tmp_path):
    (tmp_path / ".netlint.toml").write_text('spacy-model = "en_no_such_pipeline"\n')
    draft = tmp_path / "d.txt"
    draft.write_text(DRAFT)
    result = netlint(str(draft))
    assert result.code == 2
    assert "en_no_such_pipeline" in result.err and "Traceback" not in result.err
