"""The one value every output format reads: a `FileReport` per linted file.

Offsets inside netlint are character offsets into the text as read; `Position` turns them into the 1-based
line and column (characters, end exclusive) of the JSON contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linter.lines import LineIndex

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class FixProposal:
    description: str
    edits: tuple[Edit, ...]
    safe: bool


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    category: str
    severity: str
    message: str
    strategy: str
    start: int
    end: int
    suggestion: str
    fix: FixProposal | None = None
    source: str = "rule"  # "rule" or "model"


@dataclass(frozen=True)
class ScoreReason:
    label: str
    effect: float  # in score points, positive raises the score
    source: str  # rule code, signal name or "model"


@dataclass
class Scores:
    genericness: int
    self_serving: int
    missing_research: int
    overall: int
    reasons: dict[str, list[ScoreReason]] = field(default_factory=dict)
    reliable: bool = True
    # The classifier's named inputs (`model.dense_inputs`: signals, rules' logits, sentence moves), or
    # without a model the signals (`scoring.features`): what training reads too.
    inputs: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    # The classifier's own probability per label (generic ... good) before any blend with the rules.
    classifier: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def as_dict(self) -> dict[str, int]:
        return {
            "genericness": self.genericness,
            "self_serving": self.self_serving,
            "missing_research": self.missing_research,
            "overall": self.overall,
        }


@dataclass
class FileReport:
    path: str
    text: str
    mode: str  # "draft" or "template"
    findings: list[Finding]
    scores: Scores | None
    verdict: str  # "pass", "fail" or "error"
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def __post_init__(self) -> None:
        self._lines = LineIndex(self.text)

    def position(self, offset: int) -> tuple[int, int]:
        return self._lines.position(offset)

    def line_text(self, line: int) -> str:
        return self._lines.line_text(line)

