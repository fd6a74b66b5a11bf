"""The committed classifier: fresh, faithful to scikit-learn, and refused when damaged."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, netlint
from linter.corpus import corpus_files, corpus_hash, load
from linter.data import models_dir, rules_dir
from linter.model import MODEL_FILE, ModelError
from linter.model import load as load_model

MODEL = models_dir() / MODEL_FILE


def test_committed_model_is_fresh_against_corpus_and_rules():
    from linter.train import rules_hash

    payload = json.loads(MODEL.read_text())["payload"]
    assert payload["corpus_hash"] == corpus_hash(ROOT / "corpus"), "corpus changed: run `netlint train`"
    assert payload["rules_hash"] == rules_hash(rules_dir()), "rules changed: run `netlint train`"
    card = (models_dir() / "MODEL_CARD.md").read_text()
    assert payload["corpus_hash"] in card


def test_lint_time_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = "import sys, linter.run as r; r.run(r.Options(paths=('examples/pick-your-brain.txt',), quiet=True)); print('sklearn' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert out.strip().splitlines()[-1] == "False False"


@pytest.mark.slow
def test_training_reproduces_the_committed_model_and_card(tmp_path):
    """A retrain gives the committed model: vocabularies, choices, thresholds and hashes exactly, the card's
    figures to rounding (`train.differences`: floats differ in their last bits between CPUs)."""
    from linter.train import build, differences

    document, card, held_out = build(ROOT, log=lambda _: None)
    committed_card = (models_dir() / "MODEL_CARD.md").read_text()
    assert differences(document, card, json.loads(MODEL.read_text()), committed_card) == []

    # The exported JSON model, linting as users do, gives scikit-learn's probabilities on the test split.
    from linter.config import Config
    from linter.engine import Linter

    fresh = tmp_path / MODEL_FILE
    fresh.write_text(json.dumps(document, sort_keys=True, indent=1) + "\n")
    by_id = {m.id: m for m in load(corpus_files(ROOT / "corpus"))}
    linter = Linter(Config(), model=load_model(fresh))
    for label, probabilities in held_out["probabilities"].items():
        if linter.model.labels[label]["use"] != "model":
            continue
        for message_id, expected in probabilities.items():
            message = by_id[message_id]
            report = linter.lint_text(message.text, "m.txt", "template" if message.template else "draft")
            ours = report.scores.classifier[label]
            assert abs(ours - expected) < 1e-6, (message_id, label)


def test_training_and_linting_read_the_same_features():
    """What `netlint train` extracts from a corpus message is what the classifier reads when linting it,
    with the committed model's sentence-move reader: no finding of the classifier's own leaks back in."""
    from linter.config import Config
    from linter.engine import Linter
    from linter.model import MoveReader
    from linter.train import extract

    model = load_model(MODEL)
    linter = Linter(Config(), model=model)
    messages = [m for m in load(corpus_files(ROOT / "corpus")) if "{%" not in m.text][::25]
    reader = MoveReader(json.loads(MODEL.read_text())["payload"]["moves"])
    fired_model_rules = 0
    for example in extract(messages):
        message = example.message
        report = linter.lint_text(message.text, "m.txt", "template" if message.template else "draft")
        fired_model_rules += any(f.source == "model" for f in report.findings)
        expected = {**example.signals, **reader.features(example.body)}
        assert report.scores.inputs.keys() == expected.keys(), message.id
        for name, value in expected.items():
            assert report.scores.inputs[name] == pytest.approx(value, abs=1e-9), (message.id, name)
    assert fired_model_rules, "the sample should include messages the classifier's sentence rules speak on"


def _copy_model(tmp_path):
    target = tmp_path / MODEL_FILE
    shutil.copy(MODEL, target)
    return target


def test_truncated_model_is_a_clear_error(tmp_path):
    target = _copy_model(tmp_path)
    target.write_text(target.read_text()[:1000])
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(target)


def test_tampered_model_is_refused(tmp_path):
    target = _copy_model(tmp_path)
    data = json.loads(target.read_text())
    data["payload"]["labels"]["good"]["intercept"] += 5
    target.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_model(target)


def test_pickle_payload_is_never_unpickled(tmp_path):
    import pickle

    target = tmp_path / MODEL_FILE
    target.write_bytes(pickle.dumps({"format": "x"}))
    with pytest.raises(ModelError):
        load_model(target)


def test_broken_model_in_the_cli_is_one_line_and_exit_2(tmp_path):
    import os
    import subprocess
    import sys

    # A copy of the package with a damaged model next to it, as an installed wheel would have.
    site = tmp_path / "site"
    shutil.copytree(ROOT / "linter", site / "linter", ignore=shutil.ignore_patterns("__pycache__", "_data"))
    shutil.copytree(ROOT / "rules", site / "linter" / "_data" / "rules")
    (site / "linter" / "_data" / "models").mkdir(parents=True)
    (site / "linter" / "_data" / "models" / MODEL_FILE).write_text('{"format": "netlint-linear-v1", "payl')
    proc = subprocess.run([sys.executable, "-m", "linter", str(ROOT / "examples" / "pick-your-brain.txt")],
                          capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)})
    assert proc.returncode == 2
    assert "classifier.json" in proc.stderr and "Traceback" not in proc.stderr


def test_rules_only_flag_scores_without_the_model():
    with_model = netlint("examples/pick-your-brain.txt", "--format", "json").json()["files"][0]
    without = netlint("examples/pick-your-brain.txt", "--format", "json", "--no-model").json()["files"][0]
    assert "model" in {r["source"] for r in with_model["explanation"]["genericness"]}
    assert "model" not in {r["source"] for r in without["explanation"]["genericness"]}


def test_datasheet_agreement_figures_come_from_the_command_it_names():
    out = subprocess.run([sys.executable, "-m", "linter.corpus", "agreement"], capture_output=True, text=True, check=True, cwd=ROOT)
    measured = json.loads(out.stdout)
    datasheet = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    for label in ("generic", "self_serving", "researched", "good"):
        row = re.search(rf"^\| {label} \| ([\d.]+) \| ([\d.]+) \| (\d+) \|$", datasheet, re.M)
        assert row, label
        assert float(row[1]) == round(measured[label]["kappa"], 3)
        assert float(row[2]) == round(measured[label]["agreement"], 3)
        assert int(row[3]) == len(measured[label]["disagreements"])


def test_datasheet_counts_table_is_what_the_stats_command_prints():
    out = subprocess.run([sys.executable, "-m", "linter.corpus", "stats"], capture_output=True, text=True, check=True, cwd=ROOT)
    datasheet = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    assert out.stdout.strip() in datasheet
    total = sum(1 for path in corpus_files(ROOT / "corpus") for line in path.read_text().splitlines() if line.strip())
    assert f"| **all** | **{total}** |" in out.stdout, "the table counts every message in corpus/messages/"


def test_datasheet_cues_table_is_what_the_cues_command_prints_and_within_limits():
    out = subprocess.run([sys.executable, "-m", "linter.corpus", "cues", "--check"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-2000:]
    table = out.stdout.split("\n\n")[1].strip()
    assert table.startswith("| cue |")
    assert table in (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")


def test_every_round_three_batch_has_counterfactual_pairs_that_share_a_split():
    from linter.corpus import NEW_ROUND, batch_number, split_of

    messages = [m for m in load(corpus_files(ROOT / "corpus")) if batch_number(m) >= NEW_ROUND]
    pairs: dict[str, list] = {}
    for m in messages:
        if "counterfactual" in m.tags:
            pairs.setdefault(m.pair, []).append(m)
    assert sum(len(p) for p in pairs.values()) >= 400
    for pair, items in pairs.items():
        assert len(items) == 2, pair
        flipped = {label for label in items[0].labels if items[0].labels[label] != items[1].labels[label]}
        assert flipped and {f"cf:{label}" for label in flipped} <= set(items[0].tags), pair
        assert split_of(items[0]) == split_of(items[1]), pair


ETNA = ("Hi Giulia, we poured your 2019 Etna Rosso by the glass all winter at Ostra and guests kept asking about "
        "the volcanic soil. I'd love to bring a few of our staff on a harvest visit if you ever host trade. Either "
        "way, thank you for that wine.\n")


def test_no_research_finding_yields_to_the_classifier_when_it_sees_research():
    # The rules find no research phrase here; the classifier reads the wine, the bar and the soil as research.
    with_model = netlint("-", "--stdin-filename", "etna.txt", "--format", "json", input=ETNA).json()["files"][0]
    rules_only = netlint("-", "--stdin-filename", "etna.txt", "--format", "json", "--no-model", input=ETNA).json()["files"][0]
    assert with_model["scores"]["missing_research"] < 50
    assert "NL201" not in {f["code"] for f in with_model["findings"]}
    assert rules_only["scores"]["missing_research"] >= 50
    assert "NL201" in {f["code"] for f in rules_only["findings"]}


def test_a_low_overall_with_no_high_problem_names_its_reason():
    """`overall` never contradicts the three problem scores silently: when all three are low and
    `overall` still fails the message, its explanation says what the classifier read."""
    from linter.corpus import split_of

    from linter.config import Config
    from linter.engine import Linter

    linter = Linter(Config(), model=load_model(MODEL))
    floor = linter.config.threshold(linter.model.thresholds)["overall"]
    seen = 0
    for message in load(corpus_files(ROOT / "corpus")):
        if split_of(message) != "test" or not message.template:
            continue
        report = linter.lint_text(message.text, "m.j2", "template")
        s = report.scores
        if max(s.genericness, s.self_serving, s.missing_research) < 50 and s.overall < floor:
            seen += 1
            reason = s.reasons["overall"][0].label
            assert reason.startswith("no problem score is high") and ("'" in reason or "findings:" in reason), message.id
    assert seen, "the test split should hold such messages"


def test_a_retrain_that_changes_a_choice_or_a_figure_is_a_difference():
    from linter.train import differences

    committed = json.loads(MODEL.read_text())
    card = (models_dir() / "MODEL_CARD.md").read_text()
    assert differences(committed, card, committed, card) == []
    nudged = json.loads(MODEL.read_text())
    nudged["payload"]["moves"]["weights"][0] += 1e-9  # another CPU's last bits
    assert differences(nudged, card, committed, card) == []
    chosen = json.loads(MODEL.read_text())
    label = next(iter(chosen["payload"]["labels"]))
    chosen["payload"]["labels"][label]["vocabulary_size_marker"] = 1  # a structural change
    assert differences(chosen, card, committed, card) == ["the model's vocabularies, choices or hashes differ"]
    figure = re.search(r"0\.\d\d\d", card).group()
    moved = card.replace(figure, f"{float(figure) - 0.05:.3f}", 1)
    assert differences(committed, moved, committed, card)[0].startswith("the model card's figures differ")
