"""`RunPrinter`: the one interface for showing an agent run, and what every printer shares.

A run is a sequence of *sections*: the user's message, reasoning, tool calls, the answer, notes, and the
footer. Only reasoning and the answer stream. This base class keeps the order of sections, cleans every
value where it enters (text that cannot be encoded becomes U+FFFD; a value of the wrong type becomes text),
and leaves the drawing to two printers:

- `LivePrinter` (`_live.py`): a terminal; live markdown, the open block redrawn in a bounded live region.
- `PlainPrinter` (`_plain.py`): anything else; raw text written as it arrives, no escape codes, and, for
  the CLI, the answer alone on stdout with everything else on stderr.

`RunPrinter(console, ...)` picks one of them for the console; the subclasses can also be built directly.
Nothing here imports rich.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from routerkit.console._facts import RunSummary, error_facts, error_partial_text, summary_parts

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["RenderStats", "RunPrinter", "clean_text"]

REASONING = "reasoning"
ANSWER = "answer"
TOOLS = "tools"
NOTE = "note"
MESSAGE = "message"

_ARGUMENTS_LIMIT = 400
_OUTPUT_LIMIT = 400

_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF = re.compile(r"utf[-_]?(8|16|32)", re.IGNORECASE)


def clean_text(value: object, encoding: str = "utf-8") -> str:
    """`value` as text that `encoding` can write: lone surrogates (from invalid UTF-8 or JSON) become
    U+FFFD, characters the encoding lacks become its replacement, and a value that is not a string (a
    tool call's arguments sent as a JSON object, say) becomes its JSON text."""
    if isinstance(value, str):
        text = value
    elif value is None:
        text = ""
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:  # a circular structure
            text = repr(value)
    if text.isascii():
        return text
    text = _SURROGATE.sub("\ufffd", text)
    if not _UTF.match(encoding):
        text = text.encode(encoding, "replace").decode(encoding)
    return text


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} chars)"


@dataclass
class RenderStats:
    """Counts of rendering work (deterministic, unlike time), to check that streaming stays linear."""

    #: Characters of source text handed to the renderer: each committed block once, and the open block's
    #: bounded preview each time it changed and was redrawn.
    rendered_chars: int = 0
    #: Times the open block was redrawn.
    tail_renders: int = 0
    #: Blocks (or line groups) printed to the scrollback.
    committed_blocks: int = 0


class RunPrinter:
    """Print one agent run: message, reasoning, tool calls, the streamed answer, a footer or an error.

    Drive it with plain values in the order they happen, then call `close()` (or use it as a context
    manager). `RunPrinter(console)` gives a `LivePrinter` on a terminal (the answer rendered as markdown
    while it streams) and a `PlainPrinter` elsewhere (the answer written as plain text as it arrives).
    """

    #: Least time between two redraws of a live region, in seconds (about 15 a second).
    refresh_interval: float = 1 / 15
    #: Lines of the screen a live region leaves free.
    live_margin: int = 3

    def __new__(cls, console: Console | None = None, **options: Any) -> RunPrinter:
        if cls is RunPrinter:
            if console is None:
                from rich.console import Console

                console = Console()
            if console.is_terminal and not console.is_dumb_terminal:
                from routerkit.console._live import LivePrinter

                cls = LivePrinter
            else:
                from routerkit.console._plain import PlainPrinter

                cls = PlainPrinter
        return super().__new__(cls)

    def __init__(
        self,
        console: Console | None = None,
        *,
        markdown: bool = True,
        stream: bool = True,
        show_reasoning: bool = True,
    ) -> None:
        self.markdown = markdown
        self.stream = stream
        self.show_reasoning = show_reasoning
        #: Rendering work done so far.
        self.stats = RenderStats()
        #: The encoding text is made safe for (the output's).
        self.encoding = "utf-8"
        self._section: str | None = None  # the section being printed
        self._answer_shown = False  # some answer text was shown in this run

    # -- context manager ---------------------------------------------------------------------------

    def __enter__(self) -> RunPrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the public calls --------------------------------------------------------------------------

    def message(self, text: str) -> None:
        """Show the user's message."""
        self._begin(MESSAGE)
        self._show_message(self._clean(text))

    def reasoning_delta(self, text: str) -> None:
        """Stream reasoning text: dim, in its own section, never mixed into the answer."""
        text = self._clean(text)
        if self.show_reasoning and text:
            self._stream_delta(REASONING, text)

    def reasoning_encrypted(self, reasoning_tokens: int | None) -> None:
        """Note that the model reasoned but only sent encrypted reasoning."""
        self._begin(NOTE)
        amount = f"{reasoning_tokens:,} tokens" if isinstance(reasoning_tokens, int) else "some tokens"
        self._show_note(f"reasoning: {amount} (encrypted, not shown)")

    def tool_call(self, name: str, arguments: str) -> None:
        """Show that the model called a tool."""
        self._begin(TOOLS)
        self._show_tool_call(self._clean(name), self._clean(shorten(self._clean(arguments), _ARGUMENTS_LIMIT)))

    def tool_result(self, name: str, output: str, *, is_error: bool) -> None:
        """Show what a tool returned; errors stand out."""
        self._begin(TOOLS)
        output = self._clean(shorten(self._clean(output).strip(), _OUTPUT_LIMIT))
        self._show_tool_result(self._clean(name), output, is_error=bool(is_error))

    def content_delta(self, text: str) -> None:
        """Stream a piece of the answer."""
        text = self._clean(text)
        if text:
            self._stream_delta(ANSWER, text)

    def content(self, text: str) -> None:
        """Show a whole answer at once."""
        text = self._clean(text)
        self._end_section()
        self._begin(ANSWER)
        if text.strip():
            self._answer_shown = True
        self._show_content(text)
        self._end_section()

    def note(self, text: str) -> None:
        """A line of facts about the answer (its sources, searches, images), shown with the notes."""
        self._begin(NOTE)
        self._show_note(self._clean(text))

    def summary(self, s: RunSummary) -> None:
        """Print the footer: the model that answered (and the fallback), tokens, cost and timings."""
        self._begin(NOTE)
        self._show_summary([(kind, self._clean(part)) for kind, part in summary_parts(s)])

    def error(self, exc: BaseException) -> None:
        """Report a failure below whatever answer arrived before it (and the partial text it carries)."""
        self._end_section()
        if not self._answer_shown:
            partial = error_partial_text(exc)
            if partial.strip():
                self.content(partial)
        self._begin(NOTE)
        title, lines = error_facts(exc)
        lines = [self._clean(line) for line in lines]
        lines.append("The partial answer above was kept." if self._answer_shown else "No answer was received.")
        self._show_error(self._clean(title), lines)

    def interrupted(self) -> None:
        """Note that the user stopped the answer (Ctrl-C); what arrived stays on screen."""
        self._begin(NOTE)
        self._show_interrupted("the partial answer above is kept" if self._answer_shown else "no answer was received")

    def close(self) -> None:
        """Finish the open section and flush. Safe to call more than once."""
        try:
            self._end_section()
        finally:
            self._finish()

    # -- sections ----------------------------------------------------------------------------------

    def _clean(self, value: object) -> str:
        return clean_text(value, self.encoding)

    def _begin(self, section: str) -> None:
        """Enter `section`, finishing the previous one."""
        if self._section == section:
            return
        self._end_section()
        self._section = section
        self._start_section(section)

    def _end_section(self) -> None:
        section, self._section = self._section, None
        if section in (REASONING, ANSWER):
            self._end_stream(section)

    def _stream_delta(self, section: str, text: str) -> None:
        if self._section != section:
            self._begin(section)
            self._open_stream(section, markdown=section == ANSWER and self.markdown)
        if section == ANSWER and not self._answer_shown and not text.isspace():
            self._answer_shown = True
        self._stream(section, text)

    # -- what a printer draws (all text is clean by now) ----------------------------------------------

    def _start_section(self, section: str) -> None:
        raise NotImplementedError

    def _open_stream(self, section: str, *, markdown: bool) -> None:
        raise NotImplementedError

    def _stream(self, section: str, text: str) -> None:
        raise NotImplementedError

    def _end_stream(self, section: str) -> None:
        raise NotImplementedError

    def _show_message(self, text: str) -> None:
        raise NotImplementedError

    def _show_note(self, text: str) -> None:
        raise NotImplementedError

    def _show_tool_call(self, name: str, arguments: str) -> None:
        raise NotImplementedError

    def _show_tool_result(self, name: str, output: str, *, is_error: bool) -> None:
        raise NotImplementedError

    def _show_content(self, text: str) -> None:
        raise NotImplementedError

    def _show_summary(self, parts: list[tuple[str, str]]) -> None:
        raise NotImplementedError

    def _show_error(self, title: str, lines: list[str]) -> None:
        raise NotImplementedError

    def _show_interrupted(self, kept: str) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError
