"""LSP positions: netlint's character offsets <-> (line, character) in the negotiated position encoding.

Built on the one line index (`linter.lines`); character counts are in UTF-16 code units unless the client
chose utf-8 or utf-32. Also the small helpers that compare and (de)serialise LSP ranges.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from linter.lines import LineIndex


def units(text: str, encoding: str) -> int:
    """Length of `text` in code units of the LSP position encoding."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class PositionMap:
    """Character offsets <-> LSP positions for one text, in one position encoding.

    Lines are those of `LineIndex` (CRLF, CR or LF: the LSP's line breaks). A position past the end of a
    line means the end of that line, one past the last line means the end of the text.
    """

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        self.lines = LineIndex(text)

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = self.lines.line_of(offset)
        start = self.lines.starts[line]
        end = min(offset, self.lines.line_end(line))  # inside a CRLF: the end of the line
        return types.Position(line=line, character=units(self.text[start:end], self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: types.Position) -> int:
        if position.line < 0:
            return 0
        if position.line >= len(self.lines.starts):
            return len(self.text)
        start = self.lines.starts[position.line]
        end = self.lines.line_end(position.line)
        wanted = max(0, position.character)
        if self.encoding == "utf-32":
            return min(start + wanted, end)
        counted = 0
        index = start
        while index < end and counted < wanted:
            counted += units(self.text[index], self.encoding)
            if counted > wanted:  # inside a character: that character
                break
            index += 1
        return index


def range_json(r: types.Range) -> dict:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def range_from_json(value: Any) -> types.Range:
    return types.Range(
        start=types.Position(line=int(value["start"]["line"]), character=int(value["start"]["character"])),
        end=types.Position(line=int(value["end"]["line"]), character=int(value["end"]["character"])),
    )


def position_key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


def overlaps(a: types.Range, b: types.Range) -> bool:
    return position_key(a.start) <= position_key(b.end) and position_key(b.start) <= position_key(a.end)

