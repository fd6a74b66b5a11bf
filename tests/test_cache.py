"""The start-up cache: reused when nothing changed, never stale, harmless when damaged, off on request."""

from __future__ import annotations

import json

from conftest import EXAMPLES, netlint

DRAFT = EXAMPLES / "pick-your-brain.txt"

RULE = """\
code: ACME010
name: vehicle
category: genericness
severity: warning
strategy: Be Genuine
message: "'{{match}}' again."
why: w
suggestion: s
phrases:
  - {phrase}
examples: {{flag: [a {phrase} here], pass: [nothing here]}}
"""


def test_a_second_start_reuses_the_cache_and_says_the_same(tmp_path):
    env = {"NETLINT_CACHE_DIR": str(tmp_path / "cache")}
    first = netlint(str(DRAFT), "--format", "json", env=env)
    cached = json.loads((tmp_path / "cache" / "start-up-v3.json").read_text())
    second = netlint(str(DRAFT), "--format", "json", env=env)
    assert len(cached["yaml"]) >= 40 and len(cached["tries"]) == 1
    assert first.out == second.out and first.code == second.code == 1


def test_an_edited_rule_file_is_never_served_from_the_cache(tmp_path):
    env = {"NETLINT_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "r").mkdir()
    (tmp_path / ".netlint.toml").write_text('rule-folders = ["r"]\n')
    (tmp_path / "d.txt").write_text("Hi Ana,\n\nI saw a zebra crossing and a yellow submarine.\n\nBest,\nJo\n")
    found = []
    for phrase in ("zebra crossing", "yellow submarine"):
        (tmp_path / "r" / "acme.yml").write_text(RULE.format(phrase=phrase))
        result = netlint("d.txt", "--select", "ACME010", "--format", "json", cwd=tmp_path, env=env)
        found.append([f["message"] for f in result.json()["files"][0]["findings"]])
    assert found == [["'zebra crossing' again."], ["'yellow submarine' again."]]


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path):
    env = {"NETLINT_CACHE_DIR": str(tmp_path)}
    clean = netlint(str(DRAFT), "--format", "json", env={"NETLINT_CACHE_DIR": ""})
    (tmp_path / "start-up-v3.json").write_text('{"yaml": {"not": "a rule"}, "tries": [1, 2')
    damaged = netlint(str(DRAFT), "--format", "json", env=env)
    assert damaged.out == clean.out and damaged.err == ""
    assert set(json.loads((tmp_path / "start-up-v3.json").read_text())) == {"yaml", "tries"}


def test_an_empty_cache_dir_turns_the_cache_off(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"NETLINT_CACHE_DIR": "", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    assert netlint(str(DRAFT), env=env).code == 1
    assert not any(home.rglob("*"))


def test_an_altered_phrase_trie_fails_its_checksum_and_is_rebuilt(tmp_path):
    env = {"NETLINT_CACHE_DIR": str(tmp_path)}
    clean = netlint(str(DRAFT), "--format", "json", env=env)
    path = tmp_path / "start-up-v3.json"
    cached = json.loads(path.read_text())
    for entry in cached["tries"].values():
        entry["trie"] = "{}"  # no phrase would match, were it believed
    path.write_text(json.dumps(cached))
    assert netlint(str(DRAFT), "--format", "json", env=env).out == clean.out
