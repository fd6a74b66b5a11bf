"""What one lint run produced: a report per linted file and an error per input that could not be read.

The reader (`sources`) makes `InputError`s and the formats print them; neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linter.report import FileReport


@dataclass
class InputError:
    path: str
    message: str


@dataclass
class RunResult:
    reports: list[FileReport] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
