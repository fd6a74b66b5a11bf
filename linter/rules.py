"""Rule files: loading, validating and compiling them into spaCy matchers.

A rule is one YAML file under `rules/<category>/` (README.md, "A rule is one file", lists the keys). It
finds words in one of three ways: `phrases` (plain phrases with `(a|b|)` alternatives, matched on token
norms), `patterns` (spaCy Matcher token patterns) or `check` (the name of a procedural check in
`linter.checks`, which reads the vocabularies of `rules/lexicons/`). User rule files may not use regular
expressions, so no rule can make the linter hang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = ("genericness", "self_serving", "research", "confidence", "clarity", "template")
SEVERITIES = ("error", "warning", "info")
SCOPES = ("any", "subject", "greeting", "body", "opening", "sign_off")
SIGNALS = ("research", "offer", "shared_context", "thanks_message", "follow_up", "ask", "easy_out")
# What the generic checks' params may name: a sentence's flags (`signals.Sentence`) and what a limit counts.
SENTENCE_FLAGS = (
    "ask", "big_ask", "offer", "easy_out", "research", "research_slot", "shared_context", "shallow", "praise",
    "specific", "flattery", "filler", "self_intro", "apology", "thanks", "question", "follow_up",
)
SENTENCE_LISTS = ("hedges",)
COUNTS = ("words", "asks", "questions")
FIX_ACTIONS = ("delete", "delete-sentence", "delete-word", "delete-words", "replace")
KEYS = {
    "code", "name", "category", "severity", "strategy", "message", "why", "suggestion", "phrases",
    "patterns", "check", "params", "scope", "unless", "fix", "examples",
}
FIX_KEYS = {"action", "replacement", "safe", "words", "keep"}
FORBIDDEN_TOKEN_KEYS = {"REGEX", "FUZZY"}
MAX_EXPANSIONS = 1024


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Fix:
    action: str
    replacement: str = ""
    safe: bool = True
    words: tuple[str, ...] = ()  # delete-words: the words or phrases to delete within the finding
    keep: int = 0  # delete-words: how many of them to leave, first ones first


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: str
    strategy: str
    message: str
    why: str
    suggestion: str
    phrases: tuple[str, ...] = ()
    patterns: tuple = ()
    check: str | None = None
    params: dict = field(default_factory=dict, hash=False, compare=False)
    scope: str = "body"
    unless: tuple[str, ...] = ()
    fix: Fix | None = None
    flag_examples: tuple[str, ...] = ()
    pass_examples: tuple[str, ...] = ()
    # per flag example, what its finding must point at (`match`) and the text once fixed (`fixed`), if given
    flag_expected: tuple[dict, ...] = field(default=(), hash=False, compare=False)
    path: str = ""

    @property
    def uses_lemmas(self) -> bool:
        """A token pattern matches on LEMMA, so the pipeline must lemmatise."""
        return any(str(key).upper() == "LEMMA" for pattern in self.patterns for token in pattern for key in token)


def expand_phrase(phrase: str) -> list[str]:
    """'I (hope|trust) this (email|) finds you' -> every spelled-out variant; groups may nest."""
    variants, rest = _expand_sequence(phrase, 0)
    if rest != len(phrase):
        raise ValueError(f"phrase {phrase!r} has an unmatched ')'")
    return sorted({" ".join(v.split()) for v in variants if v.strip()})


def _expand_sequence(phrase: str, i: int) -> tuple[list[str], int]:
    """Expand from i up to an unmatched '|' or ')' (not consumed)."""
    variants = [""]
    while i < len(phrase) and phrase[i] not in "|)":
        if phrase[i] == "(":
            options: list[str] = []
            i += 1
            while True:
                branch, i = _expand_sequence(phrase, i)
                options.extend(branch)
                if i >= len(phrase):
                    raise ValueError(f"phrase {phrase!r} has an unclosed '('")
                if phrase[i] == ")":
                    i += 1
                    break
                i += 1  # skip '|'
        else:
            j = i
            while j < len(phrase) and phrase[j] not in "()|":
                j += 1
            options = [phrase[i:j]]
            i = j
        variants = [v + o for v in variants for o in options]
        if len(variants) > MAX_EXPANSIONS:
            raise ValueError(f"phrase {phrase!r} expands to more than {MAX_EXPANSIONS} variants")
    return variants, i


def _require(data: dict, key: str, kind: type, where: str):
    if key not in data:
        raise RuleError(f"{where}: missing key '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise RuleError(f"{where}: key '{key}' must be a {kind.__name__}")
    return value


def parse_rule(data: object, where: str, strategies: set[str], checks: set[str]) -> Rule:
    if not isinstance(data, dict):
        raise RuleError(f"{where}: a rule file must be a mapping of keys")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key '{unknown[0]}'")
    code = _require(data, "code", str, where)
    if not re.fullmatch(r"[A-Z]{2,8}[0-9]{2,4}", code):
        raise RuleError(f"{where}: key 'code' must look like NL101 (letters then digits), not {code!r}")
    category = _require(data, "category", str, where)
    if category not in CATEGORIES:
        raise RuleError(f"{where}: key 'category' must be one of {', '.join(CATEGORIES)}")
    severity = _require(data, "severity", str, where)
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: key 'severity' must be one of {', '.join(SEVERITIES)}")
    strategy = _require(data, "strategy", str, where)
    if strategy not in strategies:
        raise RuleError(f"{where}: key 'strategy' names no strategy of the chapter: {strategy!r}")
    phrases = data.get("phrases", [])
    patterns = data.get("patterns", [])
    check = data.get("check")
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise RuleError(f"{where}: key 'phrases' must be a list of non-empty strings")
    if not isinstance(patterns, list) or not all(isinstance(p, list) and p for p in patterns):
        raise RuleError(f"{where}: key 'patterns' must be a list of token patterns (lists of mappings)")
    for pattern in patterns:
        for token in pattern:
            if not isinstance(token, dict):
                raise RuleError(f"{where}: key 'patterns' holds a token that is not a mapping")
            for attr, value in token.items():
                if attr.upper() in FORBIDDEN_TOKEN_KEYS or (
                    isinstance(value, dict) and FORBIDDEN_TOKEN_KEYS & {k.upper() for k in value}
                ):
                    raise RuleError(f"{where}: key 'patterns' uses {attr}: regular expressions are not allowed")
    if check is not None and check not in checks:
        raise RuleError(f"{where}: key 'check' names no known check: {check!r}")
    if sum(bool(x) for x in (phrases, patterns, check)) != 1:
        raise RuleError(f"{where}: give exactly one of 'phrases', 'patterns' or 'check'")
    try:
        for phrase in phrases:
            expand_phrase(phrase)
    except ValueError as exc:
        raise RuleError(f"{where}: key 'phrases': {exc}") from None
    scope = data.get("scope", "body")
    if scope not in SCOPES:
        raise RuleError(f"{where}: key 'scope' must be one of {', '.join(SCOPES)}")
    unless = data.get("unless", [])
    if not isinstance(unless, list) or any(u not in SIGNALS for u in unless):
        raise RuleError(f"{where}: key 'unless' must list signals from {', '.join(SIGNALS)}")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise RuleError(f"{where}: key 'params' must be a mapping")
    if "confirmed_by" in params and params["confirmed_by"] not in ("genericness", "self_serving", "missing_research"):
        raise RuleError(f"{where}: params.confirmed_by must be genericness, self_serving or missing_research")
    confirmed_at = params.get("confirmed_at", 50)
    if isinstance(confirmed_at, bool) or not isinstance(confirmed_at, (int, float)) or not 0 <= confirmed_at <= 100:
        raise RuleError(f"{where}: params.confirmed_at must be a score from 0 to 100")
    problem = _generic_params_problem(check, params)
    if problem:
        raise RuleError(f"{where}: {problem}")
    fix = None
    if "fix" in data:
        raw = data["fix"]
        if not isinstance(raw, dict) or set(raw) - FIX_KEYS:
            bad = sorted(set(raw) - FIX_KEYS)[0] if isinstance(raw, dict) else "fix"
            raise RuleError(f"{where}: unknown key 'fix.{bad}'" if isinstance(raw, dict) else f"{where}: key 'fix' must be a mapping")
        if raw.get("action") not in FIX_ACTIONS:
            raise RuleError(f"{where}: key 'fix.action' must be one of {', '.join(FIX_ACTIONS)}")
        words, keep = raw.get("words", []), raw.get("keep", 0)
        if raw["action"] == "delete-words" and (
            not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words)
        ):
            raise RuleError(f"{where}: key 'fix.words' must list the words that 'delete-words' deletes")
        if not isinstance(keep, int) or keep < 0:
            raise RuleError(f"{where}: key 'fix.keep' must be a whole number")
        fix = Fix(raw["action"], str(raw.get("replacement", "")), bool(raw.get("safe", True)), tuple(words), keep)
    examples = data.get("examples")
    if not isinstance(examples, dict) or set(examples) - {"flag", "pass"}:
        raise RuleError(f"{where}: key 'examples' must be a mapping with 'flag' and 'pass' lists")
    flag = examples.get("flag", [])
    passing = examples.get("pass", [])
    if not isinstance(flag, list) or not isinstance(passing, list) or not flag or not passing:
        raise RuleError(f"{where}: key 'examples' needs at least one 'flag' and one 'pass' example")
    for example in flag + passing:
        # An example is a draft, or a template with recipients' rows: {template: ..., context: [...]}. A flag
        # example may say what the finding points at and, for a rule with a fix, the text once fixed:
        # {text: ..., match: ..., fixed: ...} or {template: ..., context: [...], match: ...}.
        if isinstance(example, dict):
            keys = set(example) - {"match", "fixed"}
            is_text = keys == {"text"} and isinstance(example["text"], str)
            is_template = keys == {"template", "context"} and "fixed" not in example and isinstance(example["template"], str) and (
                isinstance(example["context"], list) and all(isinstance(r, dict) for r in example["context"])
            )
            if not (is_text or is_template):
                raise RuleError(f"{where}: key 'examples' holds a mapping that is not {{text, match, fixed}} or {{template, context: [rows], match}}")
            if not all(isinstance(example.get(k, ""), str) for k in ("match", "fixed")):
                raise RuleError(f"{where}: an example's 'match' and 'fixed' must be text")
            if "fixed" in example and fix is None:
                raise RuleError(f"{where}: an example says how it is 'fixed' but the rule has no 'fix'")
        elif not isinstance(example, str):
            raise RuleError(f"{where}: key 'examples' must hold strings or {{text, match, fixed}} or {{template, context}} mappings")
    if any(isinstance(e, dict) and ("match" in e or "fixed" in e) for e in passing):
        raise RuleError(f"{where}: a 'pass' example finds nothing, so it cannot say what it matches")
    flag, expected = zip(*(_example_and_expected(e) for e in flag))
    return Rule(
        code=code,
        name=_require(data, "name", str, where),
        category=category,
        severity=severity,
        strategy=strategy,
        message=_require(data, "message", str, where).strip(),
        why=" ".join(_require(data, "why", str, where).split()),
        suggestion=_require(data, "suggestion", str, where).strip(),
        phrases=tuple(phrases),
        patterns=tuple(patterns),
        check=check,
        params=params,
        scope=scope,
        unless=tuple(unless),
        fix=fix,
        flag_examples=tuple(flag),
        flag_expected=expected,
        pass_examples=tuple(passing),
        path=where,
    )


def _example_and_expected(example):
    """A flag example as it is linted (a draft's text, or {template, context}), and what it must give."""
    if not isinstance(example, dict):
        return example, {}
    expected = {k: example[k] for k in ("match", "fixed") if k in example}
    return (example["text"] if "text" in example else {"template": example["template"], "context": example["context"]}), expected


def _names(value, allowed: tuple[str, ...]) -> bool:
    return isinstance(value, list) and all(v in allowed for v in value)


def _generic_params_problem(check: str | None, params: dict) -> str | None:
    """What is wrong with the params of a generic check (`sentence`, `absent`, `limit`, `recipients`), if any."""
    flags = ", ".join(SENTENCE_FLAGS)
    if check == "sentence":
        if not _names(params.get("has", []), SENTENCE_FLAGS) or not _names(params.get("lacks", []), SENTENCE_FLAGS):
            return f"params.has and params.lacks must list sentence flags from {flags}"
        if params.get("count", "hedges") not in SENTENCE_LISTS or not isinstance(params.get("min", 1), int):
            return f"params.count must be one of {', '.join(SENTENCE_LISTS)}, with a whole number `min`"
    if check == "absent":
        if not _names(params.get("signals"), SIGNALS) or not params.get("signals"):
            return f"params.signals must list message signals from {', '.join(SIGNALS)}"
        if params.get("given", "ask") not in SENTENCE_FLAGS:
            return f"params.given must be a sentence flag from {flags}"
        if params.get("at", "first") not in ("first", "last") or not isinstance(params.get("min_words", 0), int):
            return "params.at must be first or last, and params.min_words a whole number"
    if check == "limit":
        limits = params.get("limits")
        if not isinstance(limits, list) or not limits or not all(
            isinstance(spec, dict) and spec.get("count") in COUNTS and isinstance(spec.get("max"), int)
            and spec.get("at", "over") in ("over", "last") and set(spec) <= {"count", "max", "at", "what"}
            for spec in limits
        ):
            return f"params.limits must list {{count: {'|'.join(COUNTS)}, max: N, at: over|last, what: ...}}"
    if check == "recipients" and params.get("summary") not in ("empty-fields", "render-failures", "sameness"):
        return "params.summary must be empty-fields, render-failures or sameness"
    return None


def _load_yaml(path: Path, cache=None):
    """A rule file's data; with a start-up cache, parsed YAML is reused while the file's bytes are the same."""
    import hashlib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file ({exc.__class__.__name__})") from None
    key = hashlib.sha256(raw).hexdigest()
    if cache:
        known = cache.get("yaml", key)
        if known is not None:
            return known
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise RuleError(f"{path}: not valid YAML{at}") from None
    except UnicodeDecodeError as exc:
        raise RuleError(f"{path}: cannot read rule file ({exc.__class__.__name__})") from None
    if cache and data is not None and _plain_json(data):
        cache.put("yaml", key, data)
    return data


def _plain_json(data) -> bool:
    """Whether `data` survives a JSON round trip unchanged (YAML can hold dates, tuples, non-string keys)."""
    import json

    try:
        return json.loads(json.dumps(data)) == data
    except (TypeError, ValueError):
        return False


def load_strategies(rules_root: Path, cache=None) -> dict[str, dict]:
    data = _load_yaml(rules_root / "strategies.yml", cache)
    return {entry["name"]: entry for entry in data["strategies"]}


def load_rules(folders: list[Path], strategies: set[str], checks: set[str], cache=None) -> list[Rule]:
    from linter.data import rules_dir

    builtin_lexicons = rules_dir() / "lexicons"
    rules: dict[str, Rule] = {}
    for folder in folders:
        if not folder.is_dir():
            raise RuleError(f"{folder}: rule folder does not exist")
        for path in sorted(folder.rglob("*.yml")) + sorted(folder.rglob("*.yaml")):
            if path.name == "strategies.yml" or path.parent == builtin_lexicons:
                continue  # the chapter's strategies and the built-in vocabularies are not rules
            rule = parse_rule(_load_yaml(path, cache), str(path), strategies, checks)
            if rule.code in rules:
                raise RuleError(f"{path}: code {rule.code} is already used by {rules[rule.code].path}")
            rules[rule.code] = rule
    return sorted(rules.values(), key=lambda r: r.code)


class CompiledRules:
    """Every phrase of a rule set in one trie of token norms, and its token patterns in a spaCy Matcher.

    Phrases match on spaCy's NORM, token by token, as spaCy's PhraseMatcher would. The trie is built
    from the norms of each distinct whitespace-separated chunk (spaCy tokenises chunk by chunk, so a
    phrase's tokens are its chunks' tokens): a few hundred tokenizer calls instead of one Doc for each
    of the thousands of spelled-out variants, which took a fifth of every cold start.
    """

    END = ""  # trie key under which a node lists the codes whose phrase ends there

    def __init__(self, rules: list[Rule], nlp, cache=None) -> None:
        from spacy.matcher import Matcher

        self.rules = {rule.code: rule for rule in rules}
        self.phrases = self._phrase_trie(rules, nlp, cache)
        self.matcher = Matcher(nlp.vocab)
        for rule in rules:
            if rule.patterns:
                try:
                    self.matcher.add(rule.code, [list(p) for p in rule.patterns])
                except (ValueError, KeyError, TypeError) as exc:
                    message = str(exc).splitlines()[0][:160]
                    raise RuleError(f"{rule.path}: key 'patterns' is not a valid spaCy pattern ({message})") from None

    def _phrase_trie(self, rules: list[Rule], nlp, cache) -> dict:
        """norm -> norm -> ... -> {END: [codes]}; from the start-up cache when the phrases and spaCy are the same."""
        import hashlib
        import json

        import spacy

        pipeline = [spacy.__version__, nlp.lang, nlp.meta.get("name"), nlp.meta.get("version")]
        key = hashlib.sha256(json.dumps([pipeline, [(r.code, r.phrases) for r in rules]]).encode()).hexdigest()
        stored = cache.get("tries", key) if cache else None
        if isinstance(stored, dict) and isinstance(stored.get("trie"), str):
            # kept as JSON text with its sha256, so a damaged entry is rebuilt rather than matched against
            if hashlib.sha256(stored["trie"].encode()).hexdigest() == stored.get("sha256"):
                return json.loads(stored["trie"])
        trie = {}
        chunk_norms: dict[str, list[str]] = {}
        for rule in rules:
            for variant in (v for phrase in rule.phrases for v in expand_phrase(phrase)):
                node = trie
                for chunk in variant.split():
                    if chunk not in chunk_norms:
                        chunk_norms[chunk] = [t.norm_ for t in nlp.tokenizer(chunk)]
                    for norm in chunk_norms[chunk]:
                        node = node.setdefault(norm, {})
                codes = node.setdefault(self.END, [])
                if rule.code not in codes:
                    codes.append(rule.code)
        if cache:
            text = json.dumps(trie, separators=(",", ":"))
            cache.put("tries", key, {"trie": text, "sha256": hashlib.sha256(text.encode()).hexdigest()})
        return trie

    def phrase_matches(self, tokens) -> list[tuple[str, int, int]]:
        """(code, start_char, end_char) of every phrase found in `tokens` (signals.Token), overlaps included."""
        found = []
        root, end_key = self.phrases, self.END
        for i, first in enumerate(tokens):
            node = root.get(first.norm)
            j = i
            while node is not None:
                for code in node.get(end_key, ()):
                    found.append((code, first.start, tokens[j].end))
                j += 1
                if j == len(tokens):
                    break
                node = node.get(tokens[j].norm)
        return found

    def matches(self, doc, tokens) -> list[tuple[str, int, int]]:
        """(code, start_char, end_char) of every phrase and pattern match, longest first per start."""
        found = self.phrase_matches(tokens) if self.phrases else []
        if len(self.matcher):
            strings = doc.vocab.strings
            for match_id, start, end in self.matcher(doc):
                span = doc[start:end]
                found.append((strings[match_id], span.start_char, span.end_char))
        return sorted(set(found), key=lambda m: (m[1], -(m[2] - m[1]), m[0]))
