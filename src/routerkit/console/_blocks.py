"""Incremental markdown block splitting: which part of a growing answer is finished.

The answer arrives in deltas. `BlockSplitter.feed` appends a delta and returns the top-level markdown
blocks that can no longer change: a paragraph followed by a blank line, a heading at its newline, a fenced
code block at its closing fence, a list or indented code block once a later line is outside it, a table or
blockquote at the blank line after it. What is left, `tail`, is the open block that may still grow.

Only complete lines are classified, each exactly once, and a newline is searched for only in the delta just
fed, so the work done over a whole answer is linear in its length. The open block is kept as an `OpenText`
(lines and pieces, never re-joined per delta); its `preview` is what a live display draws.

Joining every returned block and the final `flush()` gives back the text exactly as fed. When a line is
ambiguous the splitter keeps the block open: committing late costs a little rendering, committing early
would render a block differently from the whole document.
"""

from __future__ import annotations

import re

from routerkit.console._open import OpenText

__all__ = ["BlockSplitter", "LineSplitter"]

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
        self._text = OpenText()  # the uncommitted text
        self._state = _IDLE
        self._fence_char = ""
        self._fence_len = 0
        self._after_blank = False  # the previous line of the open block was blank
        self._table_head = False  # the open paragraph's first line may be a table's header
        #: Characters examined by the line scanner, for tests of linearity.
        self.scanned_chars = 0

    @property
    def tail(self) -> str:
        """The text of the block that is still open (it may be empty or only blank lines); joined on each
        call, so it costs the block's length."""
        return self._text.text

    @property
    def has_text(self) -> bool:
        """Whether the open block holds anything but blank space."""
        return self._text.visible

    @property
    def in_fence(self) -> bool:
        """True while the open block is an unclosed fenced code block."""
        return self._state == _FENCE

    def preview(self, max_lines: int, max_chars: int) -> str:
        """The end of the open block, cheap to render (see `OpenText.preview`)."""
        return self._text.preview(max_lines, max_chars)

    def feed(self, text: str) -> list[str]:
        """Append `text`; return the blocks it finished, in order (often none)."""
        blocks: list[str] = []
        start = 0
        while True:
            newline = text.find("\n", start)
            if newline < 0:
                self._text.add_partial(text[start:])
                return blocks
            line = self._text.finish_line(text[start : newline + 1])
            start = newline + 1
            self.scanned_chars += len(line)
            action = self._step(line[:-1])
            if action == _CUT_BEFORE:
                blocks.append(self._commit())
                action = self._step(line[:-1])  # the line opens the next block
            self._text.add_line(line)
            if action == _CUT_AFTER:
                blocks.append(self._commit())

    def flush(self) -> str:
        """Return the open tail and reset, as at the end of the answer."""
        tail = self._text.take()
        self.__init__()  # type: ignore[misc]
        return tail

    def _commit(self) -> str:
        self._state = _IDLE
        self._after_blank = False
        self._table_head = False
        return self._text.take()

    # -- one line at a time ------------------------------------------------------------------------

    def _step(self, line: str) -> int:
        state = self._state
        if state == _IDLE:
            return self._open(line)
        if state == _FENCE:
            return self._in_fence(line)
        blank = _is_blank(line)
        if state == _PARAGRAPH:
            if self._table_head:
                if _TABLE_DELIMITER.fullmatch(line):
                    self._text.head_lines = 2  # a table: the preview keeps its header and delimiter rows
                self._table_head = False
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
            self._text.head_lines = 1  # the preview keeps the opening fence
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
            self._table_head = "|" in line
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


class LineSplitter:
    """The plain-text counterpart of `BlockSplitter`: every complete line is finished."""

    def __init__(self) -> None:
        self._text = OpenText()  # the unfinished line
        self.scanned_chars = 0

    @property
    def tail(self) -> str:
        """The unfinished last line."""
        return self._text.text

    @property
    def has_text(self) -> bool:
        """Whether the unfinished line holds anything but blank space."""
        return self._text.visible

    @property
    def in_fence(self) -> bool:
        """Always False: plain text has no code fences."""
        return False

    def preview(self, max_lines: int, max_chars: int) -> str:
        """The end of the unfinished line, cheap to render."""
        return self._text.preview(max_lines, max_chars)

    def feed(self, text: str) -> list[str]:
        """Append `text`; return the complete lines it finished, joined (or nothing)."""
        self.scanned_chars += len(text)
        newline = text.rfind("\n")
        if newline < 0:
            self._text.add_partial(text)
            return []
        done = self._text.finish_line(text[: newline + 1])
        self._text = OpenText()
        self._text.add_partial(text[newline + 1 :])
        return [done]

    def flush(self) -> str:
        """Return the unfinished line and reset."""
        return self._text.take()
