"""Jinja2 message templates: syntax, conditional branches, and rendering with recipients' data.

Linting a template judges the text it will produce. Each combination of `{% if %}` branches is a
possible message; `branch_variants` yields each as a same-length text (unchosen branches blanked), so
findings keep pointing at template source lines and columns. `render` renders the template for one
recipient's row in Jinja2's sandbox, bounded in time and output size.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_VARIANTS = 16
MAX_OUTPUT_CHARS = 100_000
MAX_RENDER_SECONDS = 2.0
MAX_SEQUENCE = 10_000

_TAG = re.compile(r"\{%-?\s*(if|elif|else|endif|for|endfor)\b.*?-?%\}", re.S)


@dataclass
class Branching:
    """One `{% if %}` block: the body span of each branch (an implicit empty else when there is none)."""

    branches: list[tuple[int, int]] = field(default_factory=list)
    has_else: bool = False


def if_blocks(text: str) -> list[Branching]:
    blocks: list[Branching] = []
    stack: list[tuple[Branching, int]] = []
    for m in _TAG.finditer(text):
        kind = m.group(1)
        if kind == "if":
            stack.append((Branching(), m.end()))
        elif kind in ("elif", "else") and stack:
            block, start = stack[-1]
            block.branches.append((start, m.start()))
            block.has_else = block.has_else or kind == "else"
            stack[-1] = (block, m.end())
        elif kind == "endif" and stack:
            block, start = stack.pop()
            block.branches.append((start, m.start()))
            blocks.append(block)
    return blocks


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in "\r\n":
            chars[i] = " "


def branch_variants(analysed: str, text: str) -> list[str]:
    """Same-length versions of `analysed`, one per combination of branches (at most MAX_VARIANTS)."""
    blocks = if_blocks(text)
    if not blocks:
        return [analysed]
    options = [list(range(len(b.branches))) + ([] if b.has_else else [-1]) for b in blocks]
    variants = []
    for choice in itertools.islice(itertools.product(*options), MAX_VARIANTS):
        chars = list(analysed)
        for block, chosen in zip(blocks, choice):
            for index, (start, end) in enumerate(block.branches):
                if index != chosen:
                    _blank(chars, start, end)
        variants.append("".join(chars))
    return variants


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    message: str
    span: tuple[int, int] | None = None  # offsets of the offending token or unclosed tag, when found


# Jinja2 names some tokens by kind in its messages; these are their spellings in the source.
_TOKEN_SPELLING = {"end of print statement": "}}", "end of statement block": "%}", "end of template": ""}


def _locate(text: str, line: int, message: str) -> tuple[int, int] | None:
    """Where in `text` the error is: Jinja2 gives only the line, so find the token its message names."""
    block = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
    if block:  # an unclosed block: point at its opening tag (the last one, the innermost)
        openings = list(re.finditer(r"\{%[-+]?\s*" + re.escape(block[1]) + r"\b", text))
        return (openings[-1].start(), openings[-1].end()) if openings else None
    named = re.search(r"(?:unexpected|got) '([^']*)'", message)
    lines = text.splitlines(keepends=True)
    if not named or not 1 <= line <= len(lines):
        return None
    token = _TOKEN_SPELLING.get(named[1], named[1])
    body = lines[line - 1]
    tag = max(body.rfind("{{"), body.rfind("{%"))
    at = body.find(token, max(tag, 0) + 2) if token and tag >= 0 else -1
    if at < 0:
        return None
    start = sum(len(l) for l in lines[: line - 1]) + at
    return start, start + len(token)


def syntax_problem(text: str) -> SyntaxProblem | None:
    from jinja2 import TemplateSyntaxError

    try:
        # Compiled, not only parsed: an unknown filter or test is found when compiling (TemplateAssertionError).
        # The bounded sandbox folds no `*`, `**` or `+`, so compiling builds nothing large.
        _environment().from_string(text)
    except TemplateSyntaxError as exc:
        line, message = exc.lineno or 1, (exc.message or "invalid template syntax").rstrip(".")
        return SyntaxProblem(line, message, _locate(text, line, message))
    except RecursionError:  # Jinja2's parser recurses once per nested bracket: `{{{{...` can exhaust the stack
        return SyntaxProblem(1, "brackets nest too deeply to parse")
    return None


# ---- Rendering with data -------------------------------------------------------------------------


class RenderError(Exception):
    """A rendering that was stopped or failed; the message says why in one line."""


def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class OptionalUndefined(StrictUndefined):
        """Printing a missing field is an error; testing it (`{% if recent_post %}`) is simply false."""

        def __bool__(self) -> bool:
            return False

    class BoundedEnvironment(SandboxedEnvironment):
        """The sandbox, plus limits on the operators that can build huge values."""

        intercepted_binops = frozenset(["*", "**", "+"])

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise RenderError(f"exponent {right} is too large")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT_CHARS:
                        raise RenderError("template builds a value larger than the output limit")
            if operator == "+" and isinstance(left, (str, list)) and isinstance(right, type(left)):
                if len(left) + len(right) > MAX_OUTPUT_CHARS:
                    raise RenderError("template builds a value larger than the output limit")
            return super().call_binop(context, operator, left, right)

    env = BoundedEnvironment(undefined=OptionalUndefined, autoescape=False)
    env.globals["range"] = _bounded_range
    return env


def _bounded_range(*args):
    r = range(*args)
    if len(r) > MAX_SEQUENCE:
        raise RenderError(f"range of {len(r):,} items is over the limit of {MAX_SEQUENCE:,}")
    return r


def compile_template(text: str):
    return _environment().from_string(text)


def render(template, row: dict) -> str:
    """Render one row; raises RenderError with a one-line reason (sandbox, limits, missing data)."""
    from jinja2 import TemplateError, UndefinedError
    from jinja2.exceptions import SecurityError

    started = time.perf_counter()
    pieces: list[str] = []
    size = 0
    try:
        for piece in template.generate(**row):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise RenderError(f"output is over {MAX_OUTPUT_CHARS:,} characters: stopped")
            if time.perf_counter() - started > MAX_RENDER_SECONDS:
                raise RenderError(f"rendering took over {MAX_RENDER_SECONDS:g} s: stopped")
            pieces.append(piece)
    except RenderError:
        raise
    except SecurityError as exc:
        raise RenderError(f"blocked by the sandbox: {exc}") from None
    except UndefinedError as exc:
        raise RenderError(f"missing field: {exc.message}") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise RenderError(f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else 'failed'}") from None
    return "".join(pieces)


def read_rows(path: Path) -> Iterator[dict]:
    """Recipients from CSV, JSON (a list of objects) or JSONL, streamed where the format allows."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.DictReader(handle)
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError(f"line {number} is not a JSON object")
                    yield row
    elif suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError("a JSON context file must be a list of objects")
        yield from data
    else:
        raise ValueError("context file must be .csv, .json or .jsonl")


def variables(text: str) -> set[str]:
    from jinja2 import meta

    # The bounded sandbox, not a plain Environment: code generation would fold `9 ** 99999999`.
    environment = _environment()
    return set(meta.find_undeclared_variables(environment.parse(text)))


def optional(text: str) -> set[str]:
    """Variables the template copes without: used with `| default(...)` or tested by `{% if %}`."""
    with_default = re.findall(r"\{\{-?\s*([A-Za-z_]\w*)\s*\|\s*(?:default|d)\b", text)
    tested = re.findall(r"\{%-?\s*(?:el)?if\s+(?:not\s+)?([A-Za-z_]\w*)", text)
    return set(with_default) | set(tested)


def similarity(a: str, b: str) -> float:
    import difflib

    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def strip_fields(text: str, row: dict, fields: list[str]) -> str:
    """The rendering with the values of `fields` removed, to compare what else differs."""
    for name in sorted(fields, key=lambda f: -len(str(row.get(f, "")))):
        value = str(row.get(name, ""))
        if value:
            text = text.replace(value, "")
    return " ".join(text.split())


def row_key(row: dict, number: int) -> str:
    for key in ("email", "id", "name", "first_name", "firstname", "company"):
        if row.get(key):
            return f"{key}={row[key]}"
    return f"row {number}"
