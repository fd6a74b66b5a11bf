"""The one line index of a text: where each line starts and ends, and which line an offset is on.

CRLF, CR and LF end a line, and nothing else (not U+2028, form feed and the others `str.splitlines`
splits on): the line breaks of the LSP, and the ones a reader sees in the output's line numbers.
"""

from __future__ import annotations

import bisect
import re

LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Character offsets <-> lines. Lines are counted from 0; `position` and `line_text` count from 1."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_end(self, line: int) -> int:
        """Offset of the first line-break character of `line` (or the end of the text)."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        return end - 2 if self.text[end - 2 : end] == "\r\n" else end - 1

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of every line, the end before its line break."""
        return [(start, self.line_end(line)) for line, start in enumerate(self.starts)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the JSON contract; columns count characters."""
        line = self.line_of(offset)
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, without its line break."""
        return self.text[self.starts[line - 1] : self.line_end(line - 1)]
