"""A tiny terminal model for the console tests: enough of VT100 to replay what rich writes.

It understands printable text, CR, LF, cursor up (CSI n A), erase in line (CSI n K), and ignores colours,
cursor show/hide and OSC hyperlinks. The screen is `height` rows; lines scrolled off the top go to the
scrollback, and the cursor can never move above the top row, as in a real terminal.
"""

from __future__ import annotations

import re

__all__ = ["Screen"]

_ESCAPE = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\r|\n|[^\x1b\r\n]+")


class Screen:
    def __init__(self, width: int = 80, height: int = 24) -> None:
        self.width = width
        self.height = height
        self.lines: list[str] = [""]  # scrollback and screen; the screen is the last `height` rows
        self.row = 0  # index into lines
        self.col = 0
        self.cursor_visible = True

    def _top(self) -> int:
        return max(0, len(self.lines) - self.height)

    def feed(self, data: str) -> None:
        for match in _ESCAPE.finditer(data):
            token = match.group(0)
            if token == "\r":
                self.col = 0
            elif token == "\n":
                self.row += 1
                self.col = 0
                if self.row == len(self.lines):
                    self.lines.append("")
            elif token.startswith("\x1b["):
                params, command = match.group(1), match.group(2)
                if command == "A":
                    self.row = max(self._top(), self.row - int(params or 1))
                elif command == "K":
                    mode = int(params or 0)
                    line = self.lines[self.row]
                    if mode == 2:
                        self.lines[self.row] = ""
                    elif mode == 0:
                        self.lines[self.row] = line[: self.col]
                elif params == "?25" and command in "hl":
                    self.cursor_visible = command == "h"
            elif token.startswith("\x1b]"):
                continue
            else:
                self._put(token)

    def _put(self, text: str) -> None:
        line = self.lines[self.row].ljust(self.col)
        self.lines[self.row] = line[: self.col] + text + line[self.col + len(text) :]
        self.col += len(text)

    def text(self) -> str:
        """Everything the user can scroll through, trailing spaces and trailing blank lines removed."""
        return "\n".join(line.rstrip() for line in self.lines).rstrip("\n")
