"""`PlainPrinter`: a run as plain text, for a pipe, a file or a dumb terminal; no escape codes in the answer.

Deltas are written through as they arrive, raw (markdown stays markdown), and flushed, so a reader at the
other end of a pipe sees the answer as it streams. The other sections are plain lines.

Two outputs: the answer goes to one, everything else (the message, reasoning, tool calls, notes, the
footer, errors) to the other. `print_response` uses one console for both; the CLI uses `PlainPrinter.split`:
stdout gets the answer and nothing else, stderr the rest (dim when it is a terminal and NO_COLOR is unset).
A blank line separates two sections written to the same output.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, TextIO

from routerkit.console._printer import ANSWER, REASONING, RunPrinter, clean_text

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["PlainPrinter"]


class _Sink:
    """One output: where text goes, and whether it ends at the start of a line."""

    def __init__(self) -> None:
        self.at_line_start = True
        self.used = False  # a section was written here

    def write(self, text: str) -> None:
        if text:
            self._write(text)
            self.at_line_start = text.endswith("\n")

    def line(self, text: str) -> None:
        """`text` on a line of its own."""
        self.end_line()
        self.write(text + "\n")

    def end_line(self) -> None:
        if not self.at_line_start:
            self.write("\n")

    def _write(self, text: str) -> None:
        pass  # discards: the answer when the caller shows it another way

    def flush(self) -> None:
        pass


class _ConsoleSink(_Sink):
    """A rich console's output (recording and capture work as for anything printed on it)."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self.encoding = console.encoding

    def _write(self, text: str) -> None:
        self.console.out(clean_text(text, self.encoding), end="", highlight=False)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed or odd file: nothing to flush
            self.console.file.flush()


class _FileSink(_Sink):
    """A text stream, with text dimmed when `dim` (the stream is a terminal)."""

    def __init__(self, file: TextIO, *, dim: bool) -> None:
        super().__init__()
        self.file = file
        self.dim = dim
        self.encoding = getattr(file, "encoding", None) or "utf-8"

    def _write(self, text: str) -> None:
        text = clean_text(text, self.encoding)
        if self.dim:
            body = text.rstrip("\n")
            text = f"\x1b[2m{body}\x1b[0m{text[len(body) :]}" if body else text
        self.file.write(text)

    def flush(self) -> None:
        self.file.flush()


def _is_terminal(file: TextIO) -> bool:
    try:
        return file.isatty() and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):
        return False


class PlainPrinter(RunPrinter):
    """`RunPrinter` for anything that is not a terminal: plain text, the answer written as it arrives."""

    def __init__(
        self,
        console: Console | None = None,
        *,
        markdown: bool = True,
        stream: bool = True,
        show_reasoning: bool = True,
    ) -> None:
        super().__init__(console, markdown=markdown, stream=stream, show_reasoning=show_reasoning)
        if console is None:
            from rich.console import Console

            console = Console()
        self.encoding = console.encoding
        self._answer: _Sink = _ConsoleSink(console)
        self._aside: _Sink = self._answer

    @classmethod
    def split(cls, answer: TextIO | None, aside: TextIO, *, show_reasoning: bool = True) -> PlainPrinter:
        """A printer that writes the answer alone to `answer` (None: the answer is not shown) and everything
        else to `aside`, dim when `aside` is a terminal: the CLI's pipe-clean output."""
        printer = object.__new__(cls)  # no console: the streams are given
        RunPrinter.__init__(printer, markdown=False, show_reasoning=show_reasoning)
        printer._answer = _FileSink(answer, dim=False) if answer is not None else _Sink()
        printer._aside = _FileSink(aside, dim=_is_terminal(aside))
        return printer

    def _sink(self, section: str) -> _Sink:
        return self._answer if section == ANSWER else self._aside

    # -- sections ----------------------------------------------------------------------------------

    def _start_section(self, section: str) -> None:
        sink = self._sink(section)
        if sink.used:
            sink.end_line()
            sink.write("\n")
        sink.used = True
        if section == REASONING:
            sink.line("Thinking:")

    def _open_stream(self, section: str, *, markdown: bool) -> None:
        pass  # written through: nothing to set up

    def _stream(self, section: str, text: str) -> None:
        sink = self._sink(section)
        sink.write(text)
        sink.flush()

    def _end_stream(self, section: str) -> None:
        self._sink(section).end_line()

    # -- what is written ---------------------------------------------------------------------------

    def _show_message(self, text: str) -> None:
        self._aside.line(f"Message: {text}")

    def _show_note(self, text: str) -> None:
        self._aside.line(text)

    def _show_tool_call(self, name: str, arguments: str) -> None:
        self._aside.line(f"tool call: {name}({arguments})")

    def _show_tool_result(self, name: str, output: str, *, is_error: bool) -> None:
        label = "tool error" if is_error else "tool result"
        self._aside.line(f"{label}: {name}: {output}")

    def _show_content(self, text: str) -> None:
        self._answer.write(text)

    def _show_summary(self, parts: list[tuple[str, str]]) -> None:
        self._aside.line(" · ".join(part for _, part in parts))

    def _show_error(self, title: str, lines: list[str]) -> None:
        self._aside.line(f"error: {title}: " + " | ".join(lines))

    def _show_interrupted(self, kept: str) -> None:
        self._aside.line(f"[interrupted by the user; {kept}]")

    def _finish(self) -> None:
        for sink in {id(s): s for s in (self._answer, self._aside)}.values():
            sink.end_line()
            sink.flush()
