"""The engine: one draft in, one `FileReport` out.

read text (a draft, or a template by extension or placeholders: `source_for`) -> `message.parse` (shape,
placeholders) -> spaCy doc -> `signals.measure` -> rule findings -> `scoring.score` (with the classifier)
-> the classifier's own findings -> filters -> verdict. The engine knows no rule by name; rules live in
`rules/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from linter import fixes, nlp
from linter.cache import StartupCache
from linter.checks import CHECKS, MODEL_CHECKS, Hit
from linter.config import Config
from linter.data import rules_dir
from linter.message import find_placeholders, find_regions, parse
from linter.lines import LineIndex
from linter.report import SEVERITY_RANK, FileReport, Finding
from linter.rules import CATEGORIES, CompiledRules, Rule, RuleError, load_rules, load_strategies
from linter.scoring import score
from linter.signals import Analysis, measure

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl")


@dataclass(frozen=True)
class Source:
    """One text to lint, with the name it is reported under."""

    path: str
    text: str
    mode: str = "draft"
    note: str | None = None  # why the mode was chosen, when the file's name did not say


# A plain file is a template when its placeholders say so: a slot for the sender, or this many distinct ones.
TEMPLATE_PLACEHOLDERS = 3


def template_evidence(text: str, config: Config) -> str | None:
    """Why a .txt or .md file reads as a template, or None when its placeholders look like stray gaps."""
    placeholders, _, _ = find_placeholders(text, config.identity_fields, config.research_fields)
    sender = next((p for p in placeholders if p.role == "sender"), None)
    if sender is not None:
        return f"it has a slot for the sender, '{text[sender.start:sender.end]}'"
    names = list(dict.fromkeys(p.name.lower() for p in placeholders))
    if len(names) >= TEMPLATE_PLACEHOLDERS:
        return f"it has {len(names)} distinct placeholders"
    return None


def source_for(path: str, text: str, config: Config, forced: str | None = None) -> Source:
    """The text with its mode: as asked (`--mode`, config `mode`), by extension, or by its placeholders."""
    mode = forced or config.mode or ("template" if path.lower().endswith(TEMPLATE_SUFFIXES) else None)
    if mode:
        return Source(path, text, mode)
    evidence = template_evidence(text, config)
    if evidence is None:
        return Source(path, text, "draft")
    return Source(path, text, "template", f'judged as a template: {evidence}; set mode = "draft" to lint it as a filled draft')


def _matches_selector(rule: Rule, selector: str) -> bool:
    return selector == "ALL" or selector == rule.category or rule.code.startswith(selector.upper())


def select_rules(rules: list[Rule], config: Config) -> list[Rule]:
    known = {r.code for r in rules} | set(CATEGORIES) | {"ALL"}
    for selector in (*config.select, *config.ignore, *config.extend_select):
        if selector not in known and not any(code.startswith(selector.upper()) for code in known):
            raise RuleError(f"unknown rule code or category '{selector}' in select/ignore")
    chosen = [
        r
        for r in rules
        if any(_matches_selector(r, s) for s in (*config.select, *config.extend_select))
        and not any(_matches_selector(r, s) for s in config.ignore)
    ]
    return chosen


def _format(template: str, values: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


class Linter:
    """Rules, matchers, pipeline and model for one configuration, loaded once."""

    def __init__(self, config: Config, model=None) -> None:
        self.config = config
        root = rules_dir()
        cache = StartupCache()  # parsed rule files and the phrase trie from earlier runs (linter/cache.py)
        self.strategies = load_strategies(root, cache)
        self.all_rules = load_rules([root, *config.rule_folders], set(self.strategies), set(CHECKS), cache)
        self.rules = select_rules(self.all_rules, config)
        self.nlp = nlp.load(config.spacy_model, lemmas=any(rule.uses_lemmas for rule in self.rules))
        self.compiled = CompiledRules(self.rules, self.nlp, cache)
        cache.save()
        self.model = model

    def parse(self, text: str):
        return parse(text, self.config.identity_fields, self.config.research_fields)

    def analyse(self, source: Source, doc=None) -> Analysis:
        message = self.parse(source.text)
        doc = doc if doc is not None else self.nlp(message.analysed)
        return Analysis(message=message, doc=doc, signals=measure(message, doc), mode=source.mode)

    def lint(self, sources: Iterable[Source], batch_size: int = 64) -> Iterator[FileReport]:
        """Lint many texts, streaming: spaCy reads them in batches through `nlp.pipe`."""
        pending: list[tuple[Source, object]] = []
        for source in sources:
            pending.append((source, self.parse(source.text)))
            if len(pending) >= batch_size:
                yield from self._lint_batch(pending)
                pending = []
        if pending:
            yield from self._lint_batch(pending)

    def _lint_batch(self, batch) -> Iterator[FileReport]:
        docs = self.nlp.pipe([message.analysed for _, message in batch])
        for (source, message), doc in zip(batch, docs):
            analysis = Analysis(message=message, doc=doc, signals=measure(message, doc), mode=source.mode)
            yield self.report(source, analysis)

    def lint_text(self, text: str, path: str = "<text>", mode: str = "draft") -> FileReport:
        return next(self.lint([Source(path, text, mode)]))

    def findings(self, analysis: Analysis, path: str = "") -> list[Finding]:
        """The rules' findings: phrases, token patterns and checks. These, and nothing the classifier
        says, are what the scores (and the classifier's own inputs) count."""
        message = analysis.message
        hits: list[tuple[Rule, Hit]] = []
        opening = analysis.signals.body[0] if analysis.signals.body else None
        for code, start, end in self.compiled.matches(analysis.doc, analysis.signals.tokens):
            rule = self.compiled.rules[code]
            region = message.region_at(start)
            if rule.scope == "opening":
                if opening is None or not (opening.start <= start < opening.end):
                    continue
            elif rule.scope != "any" and region != rule.scope:
                continue
            hits.append((rule, Hit(start, end, {"match": message.text[start:end]})))
        for rule in self.rules:
            if rule.check and rule.check not in MODEL_CHECKS:
                hits.extend((rule, hit) for hit in CHECKS[rule.check](analysis, rule.params))
        found = self._to_findings(analysis, hits, path, "rule")
        # The classifier reads a stock phrase as its rule's code ("__NL102__"), not as its words.
        analysis.phrases = [(f.start, f.end, f.code) for f in found if not self.compiled.rules[f.code].check]
        return found

    def classifier_findings(self, analysis: Analysis, path: str = "") -> list[Finding]:
        """What the classifier says about single sentences (NL190, NL390), after the scores are made."""
        if self.model is None:
            return []
        analysis.readings = self.model.sentence_readings(analysis)
        hits = [(rule, hit) for rule in self.rules if rule.check in MODEL_CHECKS
                for hit in CHECKS[rule.check](analysis, rule.params)]
        return self._to_findings(analysis, hits, path, "model")

    def _to_findings(self, analysis: Analysis, hits: list[tuple[Rule, Hit]], path: str, source: str) -> list[Finding]:
        message = analysis.message
        has = analysis.signals.has
        sentences = [(s.start, s.end) for s in analysis.signals.sentences]
        lines = LineIndex(message.text)
        ignored = self.config.ignored_for(path) if path else ()
        found: list[Finding] = []
        taken: dict[str, list[tuple[int, int]]] = {}
        for rule, hit in hits:
            if any(has.get(signal) for signal in rule.unless):
                continue
            spans = taken.setdefault(rule.code, [])
            if any(hit.start < b and a < hit.end for a, b in spans):
                continue
            line, _ = lines.position(hit.start)
            if message.suppressions.covers(rule.code, line) or any(rule.code.startswith(c) for c in ignored):
                continue
            spans.append((hit.start, hit.end))
            values = {"match": message.text[hit.start : hit.end], **hit.values}
            sentence = next(((a, b) for a, b in sentences if a <= hit.start < b), None)
            found.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    category=rule.category,
                    severity=rule.severity,
                    message=_format(rule.message, values),
                    strategy=rule.strategy,
                    start=hit.start,
                    end=hit.end,
                    suggestion=_format(rule.suggestion, values),
                    fix=fixes.build(rule, message.text, hit.start, hit.end, sentence),
                    source=source,
                )
            )
        found.sort(key=lambda f: (f.start, f.end, f.code))
        return found

    def _uncovered(self, findings: list[Finding]) -> list[Finding]:
        """Rules marked `only_uncovered` (the classifier's) stay quiet where a rule of the category already spoke."""
        quiet = {r.code for r in self.rules if r.params.get("only_uncovered")}
        return [
            f for f in findings
            if f.code not in quiet
            or not any(g.code not in quiet and g.category == f.category and g.start < f.end and f.start < g.end for g in findings)
        ]

    def _branches(self, source: Source, analysis: Analysis) -> list[Analysis]:
        """A template's possible messages: one analysis per combination of `{% if %}` branches."""
        if source.mode != "template":
            return [analysis]
        from linter.template import branch_variants

        texts = branch_variants(analysis.message.analysed, source.text)
        if len(texts) == 1:
            return [analysis]
        out = []
        for text in texts:
            message = replace(analysis.message, analysed=text, regions=find_regions(text))
            doc = self.nlp(text)
            out.append(Analysis(message=message, doc=doc, signals=measure(message, doc), mode=source.mode))
        return out

    def report(self, source: Source, analysis: Analysis, context=None) -> FileReport:
        judged = []
        for candidate in self._branches(source, analysis):
            candidate.context = context
            # One direction: rule findings -> scores -> the classifier's findings -> filters.
            findings = self.findings(candidate, source.path)
            scores = score(candidate, findings, self.model)
            findings = self._uncovered(findings + self.classifier_findings(candidate, source.path))
            judged.append((findings, scores))
        merged: dict[tuple, Finding] = {}
        for findings, _ in judged:
            for finding in findings:
                merged.setdefault((finding.code, finding.start, finding.end), finding)
        scores = min((s for _, s in judged), key=lambda s: (s.overall, -s.genericness))
        findings = sorted((f for f in merged.values() if self._confirmed(f, scores)), key=lambda f: (f.start, f.end, f.code))
        notes = [source.note] if source.note else []
        if len(judged) > 1:
            notes.append(f"judged {len(judged)} combinations of the template's branches; scores are the weakest one's")
        if not scores.reliable:
            notes.append("this text does not read as English: scores are unreliable and do not decide the verdict")
        if context is not None:
            notes.extend(context.notes)
        return FileReport(
            path=source.path,
            text=source.text,
            mode=source.mode,
            findings=findings,
            scores=scores,
            verdict=self.verdict(findings, scores),
            notes=notes,
        )

    def _confirmed(self, finding: Finding, scores) -> bool:
        """A whole-message rule marked `confirmed_by: <score>` (NL201 "no research", for one) is shown only
        when that score agrees (`confirmed_at`, 50 by default, or more): the rules score it, then the classifier, which catches wording
        the rules miss ("we poured your 2019 Etna Rosso all winter"), has the last word. Scores are not
        changed by this; it only keeps a finding from contradicting its own score."""
        rule = self.compiled.rules.get(finding.code)
        score = rule.params.get("confirmed_by") if rule is not None else None
        return score is None or getattr(scores, score) >= rule.params.get("confirmed_at", 50)

    def verdict(self, findings: list[Finding], scores) -> str:
        floor = SEVERITY_RANK[self.config.fail_on]
        if any(SEVERITY_RANK[f.severity] >= floor for f in findings):
            return "fail"
        if scores is None or not scores.reliable:
            return "pass"
        limits = self.config.threshold(self.model.thresholds if self.model is not None else None)
        if (
            scores.genericness > limits["genericness"]
            or scores.self_serving > limits["self-serving"]
            or scores.missing_research > limits["missing-research"]
            or scores.overall < limits["overall"]
        ):
            return "fail"
        return "pass"
