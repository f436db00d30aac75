"""Incremental markdown block splitting: which part of a growing answer is finished.

The answer arrives in deltas. `BlockSplitter.feed` appends a delta and returns the top-level markdown
blocks that can no longer change: a paragraph followed by a blank line, a heading at its newline, a fenced
code block at its closing fence, a list or indented code block once a later line is outside it, a table or
blockquote at the blank line after it. What is left, `tail`, is the open block that may still grow.

Only complete lines are classified, each exactly once: the splitter keeps an offset into its buffer, and
searches for the next newline only in text it has not searched yet, so the work done over a whole answer is
linear in its length. The buffer holds only the uncommitted text.

Joining every returned block and the final `flush()` gives back the text exactly as fed. When a line is
ambiguous the splitter keeps the block open: committing late costs a little rendering, committing early
would render a block differently from the whole document.
"""

from __future__ import annotations

import re

__all__ = ["BlockSplitter", "LineSplitter", "preview_source"]

_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_QUOTE = re.compile(r" {0,3}>")
_TABLE_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")

# Block states.
_IDLE = 0  # no block open; only blank lines since the last commit
_PARAGRAPH = 1  # a paragraph, a table, or anything else that ends at a blank line
_FENCE = 2  # inside a fenced code block
_LIST = 3  # inside a list
_QUOTE_BLOCK = 4  # inside a blockquote
_INDENTED_CODE = 5  # inside an indented code block

# What a line does to the open block.
_CONTINUE = 0  # the line belongs to the open block
_CUT_BEFORE = 1  # the open block ended before this line
_CUT_AFTER = 2  # the open block ends with this line


def _fence_open(line: str) -> re.Match[str] | None:
    """The opening line of a fenced code block (a backtick fence's info string has no backtick)."""
    fence = _FENCE_OPEN.fullmatch(line)
    if fence and fence.group(1)[0] == "`" and "`" in fence.group(2):
        return None
    return fence


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_indented(line: str) -> bool:
    return line[:1] in (" ", "\t")


def _is_code_indented(line: str) -> bool:
    return line.startswith(("    ", "\t"))


class BlockSplitter:
    """Split a streamed markdown text into finished top-level blocks and an open tail."""

    def __init__(self) -> None:
        self._buf = ""  # text not yet committed
        self._line_start = 0  # offset in _buf of the first line not yet classified
        self._searched = 0  # offset in _buf up to which no newline exists after _line_start
        self._state = _IDLE
        self._fence_char = ""
        self._fence_len = 0
        self._after_blank = False  # the previous line of the open block was blank
        #: Characters examined by the line scanner, for tests of linearity.
        self.scanned_chars = 0

    @property
    def tail(self) -> str:
        """The text of the block that is still open (it may be empty or only blank lines)."""
        return self._buf

    @property
    def in_fence(self) -> bool:
        """True while the open block is an unclosed fenced code block."""
        return self._state == _FENCE

    def feed(self, text: str) -> list[str]:
        """Append `text`; return the blocks it finished, in order (often none)."""
        if not text:
            return []
        self._buf += text
        blocks: list[str] = []
        buf = self._buf
        while True:
            newline = buf.find("\n", max(self._line_start, self._searched))
            if newline < 0:
                self._searched = len(buf)
                break
            line = buf[self._line_start : newline]
            self.scanned_chars += len(line) + 1
            action = self._step(line)
            if action == _CUT_BEFORE:
                blocks.append(buf[: self._line_start])
                buf = buf[self._line_start :]
                self._line_start = 0
                self._state = _IDLE
                self._after_blank = False
                action = self._step(line)  # the line opens the next block
            end = len(line) + 1 + self._line_start
            if action == _CUT_AFTER:
                blocks.append(buf[:end])
                buf = buf[end:]
                self._line_start = 0
                self._state = _IDLE
                self._after_blank = False
            else:
                self._line_start = end
            self._searched = self._line_start
        self._buf = buf
        return blocks

    def flush(self) -> str:
        """Return the open tail and reset, as at the end of the answer."""
        tail = self._buf
        self.__init__()  # type: ignore[misc]
        return tail

    # -- one line at a time ------------------------------------------------------------------------

    def _step(self, line: str) -> int:
        state = self._state
        if state == _IDLE:
            return self._open(line)
        if state == _FENCE:
            return self._in_fence(line)
        blank = _is_blank(line)
        if state == _PARAGRAPH:
            if blank:
                return _CUT_AFTER
            if _SETEXT_UNDERLINE.fullmatch(line):
                return _CUT_AFTER  # the paragraph was a setext heading, now complete
            if self._interrupts(line) or _THEMATIC_BREAK.fullmatch(line):
                return _CUT_BEFORE
            if _LIST_ITEM.match(line):
                self._state = _LIST  # a list glued to the paragraph: keep both in one block
            return _CONTINUE
        if state == _LIST:
            if blank:
                self._after_blank = True
                return _CONTINUE
            after_blank, self._after_blank = self._after_blank, False
            if _is_indented(line) and not _THEMATIC_BREAK.fullmatch(line):
                return _CONTINUE
            if _THEMATIC_BREAK.fullmatch(line) or self._interrupts(line):
                return _CUT_BEFORE
            if _LIST_ITEM.match(line):
                return _CONTINUE
            return _CUT_BEFORE if after_blank else _CONTINUE  # else: a lazy continuation line
        if state == _QUOTE_BLOCK:
            if blank:
                return _CUT_AFTER
            if not _QUOTE.match(line):
                if self._interrupts(line) or _THEMATIC_BREAK.fullmatch(line):
                    return _CUT_BEFORE
                if _LIST_ITEM.match(line):
                    self._state = _LIST  # a list right after the quote: it may continue past blank lines
            return _CONTINUE
        # _INDENTED_CODE
        if blank or _is_code_indented(line):
            return _CONTINUE
        return _CUT_BEFORE

    def _open(self, line: str) -> int:
        """Classify the first line of a block."""
        if _is_blank(line):
            return _CONTINUE  # leading blank lines travel with the next block
        fence = _fence_open(line)
        if fence:
            self._state = _FENCE
            self._fence_char = fence.group(1)[0]
            self._fence_len = len(fence.group(1))
            return _CONTINUE
        if _HEADING.match(line) or _THEMATIC_BREAK.fullmatch(line):
            return _CUT_AFTER
        if _is_code_indented(line):
            self._state = _INDENTED_CODE
        elif _LIST_ITEM.match(line):
            self._state = _LIST
        elif _QUOTE.match(line):
            self._state = _QUOTE_BLOCK
        else:
            self._state = _PARAGRAPH
        return _CONTINUE

    def _in_fence(self, line: str) -> int:
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) > 3:
            return _CONTINUE
        stripped = stripped.rstrip()
        char = self._fence_char
        if len(stripped) >= self._fence_len and stripped == char * len(stripped):
            return _CUT_AFTER
        return _CONTINUE

    @staticmethod
    def _interrupts(line: str) -> bool:
        """Whether `line` starts a block that closes an open paragraph, list or quote."""
        return bool(_HEADING.match(line) or _fence_open(line) or _QUOTE.match(line))


def preview_source(text: str, lines: int) -> str:
    """The end of a long open markdown block, cheap to render: its last `lines` lines, behind the lines that
    give them their meaning (a code fence's opening line, a table's header and delimiter row).

    The work is proportional to `lines`, not to the block, so a live preview of a block taller than the
    screen costs the same however long the block grows. Short blocks come back unchanged.
    """
    cut = len(text)
    for _ in range(lines):
        cut = text.rfind("\n", 0, cut)
        if cut < 0:
            return text
    last = text[cut + 1 :]
    start = 0
    while start < len(text) and text[start] in " \t\n":
        start += 1
    start = text.rfind("\n", 0, start) + 1  # the first non-blank line, with its indentation
    first_end = text.find("\n", start)
    if first_end < 0 or first_end >= cut:
        return last
    first = text[start:first_end]
    if _fence_open(first):
        return f"{first}\n{last}"
    second_end = text.find("\n", first_end + 1)
    second = text[first_end + 1 : second_end]
    if second_end < cut and "|" in first and _TABLE_DELIMITER.fullmatch(second):
        return f"{first}\n{second}\n{last}"
    return last


class LineSplitter:
    """The plain-text counterpart of `BlockSplitter`: every complete line is finished."""

    def __init__(self) -> None:
        self._buf = ""
        self.scanned_chars = 0

    @property
    def tail(self) -> str:
        return self._buf

    @property
    def in_fence(self) -> bool:
        return False

    def feed(self, text: str) -> list[str]:
        self.scanned_chars += len(text)
        newline = text.rfind("\n")
        if newline < 0:
            self._buf += text
            return []
        done = self._buf + text[: newline + 1]
        self._buf = text[newline + 1 :]
        return [done]

    def flush(self) -> str:
        tail, self._buf = self._buf, ""
        return tail
