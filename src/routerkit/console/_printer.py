"""`RunPrinter`: draws one agent run on a rich console.

Theory of operation
-------------------
The run is a sequence of *sections*: the user's message, reasoning, tool calls, the answer, notes, and the
footer. Only reasoning and the answer stream. A streamed section feeds its deltas to a splitter
(`BlockSplitter` for markdown, `LineSplitter` for plain text) which hands back the parts that can no
longer change. Those are rendered once and printed to the scrollback; a `Live` region below them shows
only the open tail, redrawn at most `refresh_interval` apart (the deltas drive the refresh; there is no
refresh thread). Rendering work is therefore proportional to the answer's length, not its square.

The live region never grows taller than the screen: if a single open block (a long code block, say) is
taller, only its last lines are shown while it streams, and the whole block is printed once it finishes,
so the scrollback holds all of it. rich's own cropping (the "..." line) is switched off.

On a console that is not a terminal (a pipe, a file) there is no live region and no escape code: deltas
are written through as they arrive, as raw text, and the other sections are plain lines.
"""

from __future__ import annotations

import contextlib
import copy
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from routerkit.console._blocks import BlockSplitter, LineSplitter, preview_source
from routerkit.console._facts import (
    RunSummary,
    error_facts,
    error_partial_text,
    summary_parts,
)

__all__ = ["RenderStats", "RunPrinter"]

# rich's Markdown builds a new markdown-it parser for every instance, which costs twice the parse of a typical
# block. Blocks are rendered one at a time here, so one parser (configured as rich configures its own) is
# shared, and each block's Markdown is a copy of one rich built, with its own text and parse.
_PARSER = MarkdownIt().enable("strikethrough").enable("table")
_PROTOTYPE = Markdown("")


def _markdown(text: str, style: str) -> Markdown:
    block = copy.copy(_PROTOTYPE)
    block.markup = text
    block.parsed = _PARSER.parse(text)
    block.style = style
    return block


_REASONING = "reasoning"
_ANSWER = "answer"
_TOOLS = "tools"
_NOTE = "note"
_MESSAGE = "message"

_CAN_MASK = hasattr(signal, "pthread_sigmask") and hasattr(signal, "SIGINT")

_ARGUMENTS_LIMIT = 400
_OUTPUT_LIMIT = 400

_SUMMARY_STYLES = {
    "status": "bold yellow",
    "model": "bold",
    "fallback": "yellow",
    "tokens": "dim",
    "cost": "dim",
    "time": "dim",
}


@dataclass
class RenderStats:
    """Counts of rendering work, to check that streaming stays linear."""

    #: Characters of source text parsed for display: each committed block once, and the open tail (cut to
    #: about a screenful) each time it changed and was redrawn.
    rendered_chars: int = 0
    #: Times the open tail was rendered.
    tail_renders: int = 0
    #: Blocks (or line groups) printed to the scrollback.
    committed_blocks: int = 0


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} chars)"


def _is_plain_blank(line: list[Segment]) -> bool:
    """A line with nothing visible on it: only spaces, and no background (a code block's padding has one)."""
    for segment in line:
        if segment.control or segment.text.strip():
            return False
        style = segment.style
        if segment.text and style is not None and (style.bgcolor is not None or style.reverse):
            return False
    return True


def _block_lines(
    console: Console, options: ConsoleOptions, renderable: RenderableType, *, gap: bool
) -> list[list[Segment]]:
    """Render one block to lines without its own leading and trailing blank lines, so that blocks printed
    one by one are spaced evenly: `gap` puts exactly one blank line before it."""
    lines = console.render_lines(renderable, options.update(height=None), pad=False)
    start, end = 0, len(lines)
    while start < end and _is_plain_blank(lines[start]):
        start += 1
    while end > start and _is_plain_blank(lines[end - 1]):
        end -= 1
    lines = lines[start:end]
    if gap and lines:
        lines.insert(0, [])
    return lines


class _Block:
    """A finished block for the scrollback, trimmed of its blank edges (see `_block_lines`)."""

    def __init__(self, renderable: RenderableType, *, gap: bool) -> None:
        self.renderable = renderable
        self.gap = gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in _block_lines(console, options, self.renderable, gap=self.gap):
            yield from line
            yield new_line


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold back SIGINT (Ctrl-C) while the live region is being redrawn.

    rich records the live region's new height while rendering, before writing it out; a KeyboardInterrupt
    in between would leave the recorded height wrong, and the next redraw would erase lines of the
    scrollback above the region. A Ctrl-C that arrives meanwhile is delivered as soon as the redraw is
    written. Only the main thread receives KeyboardInterrupt, so only there is anything held back.
    """
    if not _CAN_MASK or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Tail:
    """The live region's renderable: the open block, cut to the screen's height while it streams."""

    def __init__(self, printer: RunPrinter) -> None:
        self._printer = printer
        self.text = ""
        self.markdown = True
        self.style = ""
        self.gap = False  # a blank line before the tail, as between two rendered blocks
        self._parsed: RenderableType | None = None
        self._parsed_key: tuple[str, int] | None = None

    def set(self, text: str, *, markdown: bool, style: str, gap: bool) -> None:
        self.text = text
        self.markdown = markdown
        self.style = style
        self.gap = gap

    def _renderable(self, width: int, height: int) -> RenderableType:
        """The tail's renderable, parsed once per change and cut to about a screenful of source text, so a
        redraw costs the screen's size however long the open block grows."""
        key = self._parsed_key
        if self._parsed is None or key is None or key[0] is not self.text or key[1] != height:
            self._parsed_key = (self.text, height)
            # plain text: the last screenful of characters
            source = preview_source(self.text, height) if self.markdown else self.text[-width * height :]
            self._printer.stats.rendered_chars += len(source)
            self._parsed = self._printer._render_source(source, markdown=self.markdown, style=self.style)
        return self._parsed

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.text.strip():
            return
        self._printer.stats.tail_renders += 1
        limit = max(1, options.size.height - self._printer.live_margin)
        renderable = self._renderable(options.max_width, options.size.height)
        lines = _block_lines(console, options, renderable, gap=self.gap)
        if len(lines) > limit:
            lines = lines[-limit:]
        new_line = Segment.line()
        for index, line in enumerate(lines):
            if index:
                yield new_line
            yield from line


class RunPrinter:
    """Print one agent run: message, reasoning, tool calls, the streamed answer, a footer or an error.

    Drive it with plain values in the order they happen, then call `close()` (or use it as a context
    manager). On a terminal the answer is rendered as markdown while it streams; elsewhere it is written
    as plain text.
    """

    #: Least time between two redraws of the live region, in seconds (about 15 a second).
    refresh_interval: float = 1 / 15
    #: Lines of the screen the live region leaves free.
    live_margin: int = 3

    def __init__(
        self,
        console: Console | None = None,
        *,
        markdown: bool = True,
        stream: bool = True,
        show_reasoning: bool = True,
    ) -> None:
        self.console = console if console is not None else Console()
        self.markdown = markdown
        self.stream = stream
        self.show_reasoning = show_reasoning
        #: Rendering work done so far.
        self.stats = RenderStats()
        # A live, styled display; otherwise everything is written as plain text.
        self._fancy = self.console.is_terminal and not self.console.is_dumb_terminal
        self._section: str | None = None  # the section being printed
        self._printed = False  # anything printed yet (for the blank line between sections)
        self._answer_shown = False  # some answer text was shown in this run
        self._splitter: BlockSplitter | LineSplitter = LineSplitter()
        self._section_markdown = False
        self._section_style = ""
        self._section_blocks = 0  # blocks committed in the current streamed section
        self._buffer: list[str] = []  # deltas kept for later when not streaming
        self._live: Live | None = None
        self._tail = _Tail(self)
        self._last_refresh = 0.0
        self._at_line_start = True  # for text written through

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
        self._begin(_MESSAGE)
        if self._fancy:
            self.console.print(Panel(Text(text), title="Message", title_align="left", border_style="cyan", expand=True))
        else:
            self._write_line(f"Message: {text}")

    def reasoning_delta(self, text: str) -> None:
        """Stream reasoning text: dim, in its own section, never mixed into the answer."""
        if not self.show_reasoning or not text:
            return
        self._stream_delta(_REASONING, text)

    def reasoning_encrypted(self, reasoning_tokens: int | None) -> None:
        """Note that the model reasoned but only sent encrypted reasoning."""
        self._begin(_NOTE)
        amount = f"{reasoning_tokens:,} tokens" if reasoning_tokens is not None else "some tokens"
        self._note(f"reasoning: {amount} (encrypted, not shown)", "dim")

    def tool_call(self, name: str, arguments: str) -> None:
        """Show that the model called a tool."""
        self._begin(_TOOLS)
        arguments = _shorten(arguments, _ARGUMENTS_LIMIT)
        if self._fancy:
            line = Text.assemble(("⚙ ", "cyan"), (name, "bold cyan"), (f"({arguments})", "dim"))
            self.console.print(line, overflow="fold")
        else:
            self._write_line(f"tool call: {name}({arguments})")

    def tool_result(self, name: str, output: str, *, is_error: bool) -> None:
        """Show what a tool returned; errors in red."""
        self._begin(_TOOLS)
        output = _shorten(output.strip(), _OUTPUT_LIMIT)
        if self._fancy:
            if is_error:
                line = Text.assemble(("  ✗ ", "bold red"), (f"{name} failed: ", "bold red"), (output, "red"))
            else:
                line = Text.assemble(("  ↳ ", "cyan"), (f"{name}: ", "cyan"), (output, "dim"))
            self.console.print(line, overflow="fold")
        else:
            label = "tool error" if is_error else "tool result"
            self._write_line(f"{label}: {name}: {output}")

    def content_delta(self, text: str) -> None:
        """Stream a piece of the answer."""
        if not text:
            return
        self._stream_delta(_ANSWER, text)

    def content(self, text: str) -> None:
        """Show a whole answer at once."""
        self._end_section()
        self._begin(_ANSWER)
        if text.strip():
            self._answer_shown = True
        if self._fancy:
            self._print_block(text, markdown=self.markdown, style="")
        else:
            self._write(text)
        self._end_section()

    def summary(self, s: RunSummary) -> None:
        """Print the footer: the model that answered (and the fallback), tokens, cost and timings."""
        self._begin(_NOTE)
        parts = summary_parts(s)
        if self._fancy:
            line = Text()
            for index, (kind, part) in enumerate(parts):
                if index:
                    line.append(" · ", style="dim")
                line.append(part, style=_SUMMARY_STYLES.get(kind, ""))
            self.console.print(line, overflow="fold")
        else:
            self._write_line(" · ".join(part for _, part in parts))

    def error(self, exc: BaseException) -> None:
        """Report a failure in a red panel, below whatever answer arrived before it."""
        self._end_section()
        if not self._answer_shown:
            partial = error_partial_text(exc)
            if partial.strip():
                self.content(partial)
        self._begin(_NOTE)
        title, lines = error_facts(exc)
        lines.append("The partial answer above was kept." if self._answer_shown else "No answer was received.")
        if self._fancy:
            body = Text("\n".join(lines))
            self.console.print(
                Panel(body, title=Text(title, style="bold"), title_align="left", border_style="red", style="red")
            )
        else:
            self._write_line(f"error: {title}: " + " | ".join(lines))

    def interrupted(self) -> None:
        """Note that the user stopped the answer (Ctrl-C); what arrived stays on screen."""
        self._begin(_NOTE)
        kept = "the partial answer above is kept" if self._answer_shown else "no answer was received"
        if self._fancy:
            self.console.print(Text(f"⏹ Interrupted by the user (Ctrl-C); {kept}.", style="bold yellow"))
        else:
            self._write_line(f"[interrupted by the user; {kept}]")

    def close(self) -> None:
        """Finish the open section, stop the live region and flush. Safe to call more than once."""
        try:
            self._end_section()
        finally:
            self._stop_live()
            if not self._at_line_start:
                self._write("\n")
            self._flush()

    # -- sections ----------------------------------------------------------------------------------

    def _begin(self, section: str) -> None:
        """Enter `section`, finishing the previous one and leaving a blank line between them."""
        if self._section == section:
            return
        self._end_section()
        if self._printed:
            if not self._at_line_start:
                self._write("\n")
            self.console.line()
        self._printed = True
        self._section = section
        if section == _REASONING:
            if self._fancy:
                self.console.print(Rule("Thinking", style="dim", align="left", characters="─"))
            else:
                self._write_line("Thinking:")

    def _end_section(self) -> None:
        with _ctrl_c_deferred():
            self._end_section_now()

    def _end_section_now(self) -> None:
        section, self._section = self._section, None
        if section not in (_REASONING, _ANSWER):
            return
        if self._buffer:  # a section that was not streamed: render it whole, once
            text = "".join(self._buffer)
            self._buffer.clear()
            if text.strip():
                self._print_block(text, markdown=self._section_markdown, style=self._section_style)
        elif self._fancy:
            rest = self._splitter.flush()
            self._stop_live()
            finished = self._prepare([rest])
            if finished is not None:
                self.console.print(finished)
        if not self._at_line_start:
            self._write("\n")

    def _stream_delta(self, section: str, text: str) -> None:
        if self._section != section:
            self._begin(section)
            markdown = section == _ANSWER and self.markdown
            self._section_markdown = markdown
            self._section_style = "dim" if section == _REASONING else ""
            self._splitter = BlockSplitter() if markdown else LineSplitter()
            self._section_blocks = 0
        if section == _ANSWER and text.strip():
            self._answer_shown = True
        if not self._fancy:
            # Written through as it arrives: raw text, no escape codes.
            self._write(text, flush=True)
            return
        if not self.stream:
            self._buffer.append(text)
            return
        with _ctrl_c_deferred():
            self._feed_live(text)

    def _feed_live(self, text: str) -> None:
        blocks = self._splitter.feed(text)
        tail = self._splitter.tail
        if self._live is None and tail.strip():
            self._start_live()
        finished = self._prepare(blocks)
        self._tail.set(tail, markdown=self._section_markdown, style=self._section_style, gap=self._gap_before_next())
        if finished is not None:
            # Printing above the live region redraws it too, with the tail just set.
            self.console.print(finished)
            self._last_refresh = time.monotonic()
        elif self._live is not None:
            now = time.monotonic()
            if now - self._last_refresh >= self.refresh_interval:
                self._last_refresh = now
                self._live.refresh()

    def _gap_before_next(self) -> bool:
        return self._section_markdown and self._section_blocks > 0

    def _prepare(self, blocks: list[str]) -> RenderableType | None:
        """Turn finished blocks of the streamed section into one renderable for the scrollback."""
        renderables: list[RenderableType] = []
        for block in blocks:
            if not block.strip():
                continue
            gap = self._gap_before_next()
            self.stats.committed_blocks += 1
            self.stats.rendered_chars += len(block)
            source = block if self._section_markdown or not block.endswith("\n") else block[:-1]
            rendered = self._render_source(source, markdown=self._section_markdown, style=self._section_style)
            renderables.append(_Block(rendered, gap=gap))
            self._section_blocks += 1
        if not renderables:
            return None
        return renderables[0] if len(renderables) == 1 else Group(*renderables)

    def _print_block(self, text: str, *, markdown: bool, style: str) -> None:
        self.stats.rendered_chars += len(text)
        self.stats.committed_blocks += 1
        self.console.print(self._render_source(text, markdown=markdown, style=style))

    @staticmethod
    def _render_source(text: str, *, markdown: bool, style: str) -> RenderableType:
        if markdown:
            return _markdown(text, style or "none")
        return Text(text, style=style)

    # -- the live region ---------------------------------------------------------------------------

    def _start_live(self) -> None:
        # transient: when stopped, the region is erased and the finished tail is printed in full instead.
        self._live = Live(
            self._tail,
            console=self.console,
            auto_refresh=False,
            transient=True,
            vertical_overflow="visible",
        )
        self._live.start()
        self._last_refresh = 0.0

    def _stop_live(self) -> None:
        live, self._live = self._live, None
        if live is None:
            return
        self._tail.set("", markdown=False, style="", gap=False)
        with _ctrl_c_deferred():
            try:
                live.stop()
            finally:
                self.console.show_cursor(True)

    # -- plain output ------------------------------------------------------------------------------

    def _write(self, text: str, *, flush: bool = False) -> None:
        if not text:
            return
        self.console.out(text, end="", highlight=False)
        self._at_line_start = text.endswith("\n")
        if flush:
            self._flush()

    def _flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed or odd file: nothing to flush
            self.console.file.flush()

    def _write_line(self, text: str) -> None:
        if not self._at_line_start:
            self._write("\n")
        self._write(text + "\n")

    def _note(self, text: str, style: str) -> None:
        if self._fancy:
            self.console.print(Text(text, style=style))
        else:
            self._write_line(text)
