"""Output contracts: JSON validates against the shipped schema, SARIF has what code scanning needs."""

from __future__ import annotations

import json

import jsonschema

from conftest import EXAMPLES, netlint
from linter.data import schema_path

SCHEMA = json.loads(schema_path().read_text())
ALL = [str(p) for p in sorted(EXAMPLES.glob("*.txt"))]


def test_json_output_validates_against_the_schema():
    data = netlint(*ALL, "--format", "json").json()
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["files"] == len(ALL)


def test_json_lines_streams_one_file_per_line():
    lines = netlint(*ALL, "--format", "json-lines").out.splitlines()
    assert len(lines) == len(ALL)
    file_schema = {**SCHEMA["$defs"]["file"], "$defs": SCHEMA["$defs"]}
    for line in lines:
        jsonschema.validate(json.loads(line), file_schema)


def test_json_ranges_point_at_the_words(tmp_path):
    draft = tmp_path / "d.txt"
    text = "Hi Al,\r\n\r\n😀 I came across your profile today.\r\n"
    draft.write_bytes(text.encode())
    finding = next(f for f in netlint(str(draft), "--format", "json").json()["files"][0]["findings"] if f["code"] == "NL101")
    start, end = finding["range"]["start"], finding["range"]["end"]
    line = text.split("\r\n")[start["line"] - 1]
    assert line[start["column"] - 1 : end["column"] - 1] == "I came across your profile"


def test_sarif_has_rules_with_help_and_regions():
    data = json.loads(netlint(*ALL, "--format", "sarif").out)
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert run["results"], "findings become results"
    for result in run["results"]:
        rule = rules[result["ruleId"]]
        assert rule["help"]["text"] and rule["fullDescription"]["text"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["level"] in ("error", "warning", "note")
