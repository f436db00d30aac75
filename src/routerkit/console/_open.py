"""`OpenText`: the growing text of a block that is still open, and a bounded preview of its end.

A streamed block can grow without limit (a paragraph with no newline, a code block of a million lines). The
text is kept as a list of complete lines and a list of the pieces of the last, unfinished line, so adding a
delta copies nothing already stored; the whole text is joined only once, when the block is committed.

`preview` is what the live region draws on each redraw: at most a screenful of lines and a fixed number of
characters from the end, so a redraw costs the screen's size however long the block grows. Where a single
line is longer than the budget, it is cut at a point that moves in steps of half the budget (then on to the
next space), so the wrapped preview stays still between two steps instead of reflowing on every delta.
"""

from __future__ import annotations

__all__ = ["OpenText"]

# How far past a stable cut point a space is looked for, so the preview starts on a word.
_WORD_SEARCH = 64


def _stable_start(length: int, budget: int) -> int:
    """Where to cut a line of `length` characters so at most `budget` remain; the cut moves in steps of
    half the budget as the line grows, and leaves at least half the budget."""
    if length <= budget:
        return 0
    step = max(1, budget // 2)
    return ((length - budget) // step + 1) * step


def _after_space(text: str) -> str:
    space = text.find(" ", 0, _WORD_SEARCH)
    return text[space + 1 :] if space >= 0 else text


class OpenText:
    """The text of one open block: complete lines, then the pieces of the unfinished last line."""

    def __init__(self) -> None:
        self.lines: list[str] = []  # complete lines, each ending in "\n"
        self._pieces: list[str] = []  # the unfinished last line, as it arrived
        self._partial_length = 0
        self._first = -1  # index in `lines` of the first line with text (-1: none yet)
        #: Lines at the start of the block that give the rest its meaning (a code fence's opening line, a
        #: table's header and delimiter rows): the preview keeps them. Set by the splitter.
        self.head_lines = 0
        #: Whether the block holds anything but blank space.
        self.visible = False

    @property
    def text(self) -> str:
        """The whole open text (joined: costs its length)."""
        return "".join(self.lines) + "".join(self._pieces)

    def add_partial(self, text: str) -> None:
        """Append text that holds no newline to the unfinished line."""
        if text:
            self._pieces.append(text)
            self._partial_length += len(text)
            if not self.visible and not text.isspace():
                self.visible = True

    def finish_line(self, end: str) -> str:
        """The unfinished line completed by `end` (which ends in a newline); it is not stored yet."""
        if not self._pieces:
            return end
        line = "".join(self._pieces) + end
        self._pieces.clear()
        self._partial_length = 0
        return line

    def add_line(self, line: str) -> None:
        """Store a complete line."""
        if self._first < 0 and not line.isspace():
            self._first = len(self.lines)
            self.visible = True
        self.lines.append(line)

    def take(self) -> str:
        """The whole text, and start afresh (the block was committed)."""
        text = self.text
        self.__init__()  # type: ignore[misc]
        return text

    def preview(self, max_lines: int, max_chars: int) -> str:
        """The end of the text: at most `max_lines` complete lines and the unfinished one, in at most about
        `max_chars` characters, behind the block's head lines when those were cut off."""
        if len(self.lines) <= max_lines and self._length_up_to(max_chars) <= max_chars:
            return self.text
        parts: list[str] = []
        used = 0
        start = len(self.lines)  # index of the first complete line shown
        if self._partial_length:
            partial = self._partial_suffix(max_chars)
            parts.append(partial)
            used = len(partial)
            if len(partial) < self._partial_length:
                return self._with_head(start, parts, max_chars)
        while start > 0 and len(self.lines) - start < max_lines:
            line = self.lines[start - 1]
            if used + len(line) > max_chars:
                if not parts:  # the last line alone is too long: its stable end
                    parts.append(_after_space(line[_stable_start(len(line), max_chars) :]))
                    start -= 1
                break
            parts.append(line)
            used += len(line)
            start -= 1
        return self._with_head(start, parts, max_chars)

    def _length_up_to(self, limit: int) -> int:
        """The text's length, counted only until it passes `limit` (so the check is cheap)."""
        total = self._partial_length
        for line in reversed(self.lines):
            if total > limit:
                break
            total += len(line)
        return total

    def _partial_suffix(self, budget: int) -> str:
        cut = _stable_start(self._partial_length, budget)
        if cut == 0:
            return "".join(self._pieces)
        keep = self._partial_length - cut
        taken: list[str] = []
        have = 0
        for piece in reversed(self._pieces):
            taken.append(piece)
            have += len(piece)
            if have >= keep:
                break
        suffix = "".join(reversed(taken))
        return _after_space(suffix[len(suffix) - keep :])

    def _with_head(self, start: int, parts: list[str], max_chars: int) -> str:
        """`parts` (collected from the end) behind the head lines, if the preview starts after them and they
        fit in the budget."""
        parts.reverse()
        if self.head_lines and self._first >= 0:
            head = self.lines[self._first : min(start, self._first + self.head_lines)]
            if sum(map(len, head)) <= max_chars:
                parts[:0] = head
        return "".join(parts)
