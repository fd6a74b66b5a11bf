#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris) of the rule engine and the template front end.

    python fuzz/fuzz_lint.py -max_total_time=60 [CORPUS_DIR ...]

An input is one byte choosing the mode (even: draft, odd: Jinja2 template) followed by the text as UTF-8
(invalid bytes become U+FFFD: undecodable files never reach the engine, see linter/sources.py). Each input
is linted, formatted every way, fixed, and, as a template, parsed, compiled and rendered in the sandbox.
Any exception, or a finding outside the text, is a crash; libFuzzer saves the input as `crash-*`.
Without a corpus folder (or with an empty one), a temporary one is seeded from examples/, every rule's
flag examples and the kept corpus `fuzz/corpus/`: inputs a 25-minute campaign found new coverage with,
minimised with libFuzzer's merge. To extend it after a longer run:

    python fuzz/fuzz_lint.py -merge=1 fuzz/corpus CAMPAIGN_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["linter"]):
    from linter import fixes, formats, template
    from linter.config import Config
    from linter.engine import Linter
    from linter.results import RunResult
    from linter.run import load_rule_catalogue

ROOT = Path(__file__).resolve().parent.parent
LINTER = Linter(Config(), model=None)
RULES = load_rule_catalogue()


def lint(data: bytes) -> None:
    if not data:
        return
    mode = "template" if data[0] & 1 else "draft"
    text = data[1:].decode("utf-8", "replace")
    report = LINTER.lint_text(text, "fuzz.j2" if mode == "template" else "fuzz.txt", mode)
    for finding in report.findings:
        if not 0 <= finding.start <= finding.end <= len(text):
            raise AssertionError(f"{finding.code} at {finding.start}-{finding.end} is outside a text of {len(text)}")
    result = RunResult(reports=[report])
    formats.to_json(result)
    formats.sarif(result, RULES)
    formats.text(report)
    formats.github(report)
    fixes.apply(text, report.findings, unsafe=True)
    if mode == "template" and template.syntax_problem(text) is None:
        template.variables(text)
        template.branch_variants(text, text)
        try:
            template.render(template.compile_template(text), {"first_name": "Ana", "company": "Acme"})
        except template.RenderError:
            pass  # a stop with a one-line reason is the documented outcome


def seed(folder: Path) -> None:
    texts = [p.read_bytes() for p in sorted((ROOT / "examples").rglob("*")) if p.is_file()]
    for rule in RULES:
        for example in rule.flag_examples:
            texts.append((example["template"] if isinstance(example, dict) else example).encode())
    for i, text in enumerate(texts):
        (folder / f"seed-{i:03d}").write_bytes(bytes([i & 1]) + text)
    for kept in sorted((ROOT / "fuzz" / "corpus").glob("*")):
        (folder / kept.name).write_bytes(kept.read_bytes())


def main() -> None:
    argv = list(sys.argv)
    if not any(os.path.isdir(arg) for arg in argv[1:] if not arg.startswith("-")):
        corpus = Path(tempfile.mkdtemp(prefix="netlint-fuzz-"))
        seed(corpus)
        print(f"fuzz_lint: corpus in {corpus}", file=sys.stderr)
        argv.append(str(corpus))
    else:
        for arg in argv[1:]:
            if not arg.startswith("-") and os.path.isdir(arg) and not any(Path(arg).iterdir()):
                seed(Path(arg))
    atheris.Setup(argv, lint)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
