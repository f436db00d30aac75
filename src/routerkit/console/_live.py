"""`LivePrinter`: a run drawn on a terminal, the answer as live markdown, in time linear in its length.

Theory of operation
-------------------
A streamed section (reasoning, the answer) feeds its deltas to a splitter (`BlockSplitter` for markdown,
`LineSplitter` for plain text) which hands back the parts that can no longer change. Those are rendered once
and printed to the scrollback; a `Live` region below them shows only the open block, redrawn at most
`refresh_interval` apart (the deltas drive the refresh; there is no refresh thread).

A redraw renders the open block's *preview*: at most a screenful of its last lines and about two screens of
characters (see `OpenText.preview`), so its cost is bounded by the screen's size however long the block grows
(one huge paragraph, code block, table or list). The whole block is rendered once, when it finishes, so the
scrollback holds all of it. rich's own cropping (the "..." line) is switched off.

Only rich's public API is used: `Markdown` renders each block, `Live` the region.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from routerkit.console._blocks import BlockSplitter, LineSplitter
from routerkit.console._printer import REASONING, RunPrinter

__all__ = ["LivePrinter"]

_CAN_MASK = hasattr(signal, "pthread_sigmask") and hasattr(signal, "SIGINT")

_SUMMARY_STYLES = {
    "status": "bold yellow",
    "model": "bold",
    "fallback": "yellow",
    "tokens": "dim",
    "cost": "dim",
    "time": "dim",
}


def _render_source(text: str, *, markdown: bool, style: str) -> RenderableType:
    if markdown:
        return Markdown(text, style=style or "none")
    return Text(text, style=style)


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
    """The live region's renderable: the preview of the open block, cut to the screen's height."""

    def __init__(self, printer: LivePrinter) -> None:
        self._printer = printer
        self.splitter: BlockSplitter | LineSplitter | None = None
        self.markdown = True
        self.style = ""
        self.gap = False  # a blank line before the tail, as between two rendered blocks
        self.version = 0  # bumped on every change of the open block
        self._parsed: RenderableType | None = None
        self._parsed_key: tuple[int, int, int] | None = None

    def _renderable(self, splitter: BlockSplitter | LineSplitter, width: int, height: int) -> RenderableType:
        """The preview's renderable, built once per change and screen size."""
        key = (self.version, width, height)
        if self._parsed is None or self._parsed_key != key:
            self._parsed_key = key
            source = splitter.preview(height, 2 * width * height)
            self._printer.stats.rendered_chars += len(source)
            self._parsed = _render_source(source, markdown=self.markdown, style=self.style)
        return self._parsed

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        splitter = self.splitter
        if splitter is None or not splitter.has_text:
            return
        self._printer.stats.tail_renders += 1
        limit = max(1, options.size.height - self._printer.live_margin)
        renderable = self._renderable(splitter, options.max_width, options.size.height)
        lines = _block_lines(console, options, renderable, gap=self.gap)
        if len(lines) > limit:
            lines = lines[-limit:]
        new_line = Segment.line()
        for index, line in enumerate(lines):
            if index:
                yield new_line
            yield from line


class LivePrinter(RunPrinter):
    """`RunPrinter` on a terminal: styled sections, and the answer rendered as markdown while it streams."""

    def __init__(
        self,
        console: Console | None = None,
        *,
        markdown: bool = True,
        stream: bool = True,
        show_reasoning: bool = True,
    ) -> None:
        super().__init__(console, markdown=markdown, stream=stream, show_reasoning=show_reasoning)
        self.console = console if console is not None else Console()
        self.encoding = self.console.encoding
        self._printed = False  # anything printed yet (for the blank line between sections)
        self._splitter: BlockSplitter | LineSplitter = LineSplitter()
        self._section_markdown = False
        self._section_style = ""
        self._section_blocks = 0  # blocks committed in the current streamed section
        self._buffer: list[str] = []  # deltas kept for later when not streaming
        self._live: Live | None = None
        self._tail = _Tail(self)
        self._last_refresh = 0.0
        # Finished blocks wait here for the next redraw: printing each one at once would also redraw the live
        # tail once per block, many times a refresh interval when blocks are short.
        self._pending: list[RenderableType] = []

    # -- sections ----------------------------------------------------------------------------------

    def _start_section(self, section: str) -> None:
        if self._printed:
            self.console.line()
        self._printed = True
        if section == REASONING:
            self.console.print(Rule("Thinking", style="dim", align="left", characters="─"))

    def _end_section(self) -> None:
        with _ctrl_c_deferred():
            super()._end_section()

    def _open_stream(self, section: str, *, markdown: bool) -> None:
        self._section_markdown = markdown
        self._section_style = "dim" if section == REASONING else ""
        self._splitter = BlockSplitter() if markdown else LineSplitter()
        self._section_blocks = 0

    def _stream(self, section: str, text: str) -> None:
        if not self.stream:
            self._buffer.append(text)
            return
        with _ctrl_c_deferred():
            self._feed_live(text)

    def _end_stream(self, section: str) -> None:
        if self._buffer:  # a section that was not streamed: render it whole, once
            text = "".join(self._buffer)
            self._buffer.clear()
            if text.strip():
                self._print_block(text, markdown=self._section_markdown, style=self._section_style)
            return
        rest = self._splitter.flush()
        self._stop_live()
        finished = self._prepare([rest])
        if finished is not None:
            self.console.print(finished)

    def _feed_live(self, text: str) -> None:
        blocks = self._splitter.feed(text)
        if self._live is None and self._splitter.has_text:
            self._start_live()
        finished = self._prepare(blocks)
        if finished is not None:
            self._pending.append(finished)
        tail = self._tail
        tail.splitter = self._splitter
        tail.markdown = self._section_markdown
        tail.style = self._section_style
        tail.gap = self._gap_before_next()
        tail.version += 1
        now = time.monotonic()
        if now - self._last_refresh < self.refresh_interval:
            return
        self._last_refresh = now
        if self._pending:
            self._print_pending()  # printing above the live region redraws it too, with the tail just set
        elif self._live is not None:
            self._live.refresh()

    def _print_pending(self) -> None:
        pending, self._pending = self._pending, []
        self.console.print(pending[0] if len(pending) == 1 else Group(*pending))

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
            rendered = _render_source(source, markdown=self._section_markdown, style=self._section_style)
            renderables.append(_Block(rendered, gap=gap))
            self._section_blocks += 1
        if not renderables:
            return None
        return renderables[0] if len(renderables) == 1 else Group(*renderables)

    def _print_block(self, text: str, *, markdown: bool, style: str) -> None:
        self.stats.rendered_chars += len(text)
        self.stats.committed_blocks += 1
        self.console.print(_render_source(text, markdown=markdown, style=style))

    # -- what is drawn -----------------------------------------------------------------------------

    def _show_message(self, text: str) -> None:
        self.console.print(Panel(Text(text), title="Message", title_align="left", border_style="cyan", expand=True))

    def _show_note(self, text: str) -> None:
        self.console.print(Text(text, style="dim"))

    def _show_tool_call(self, name: str, arguments: str) -> None:
        line = Text.assemble((self._clean("⚙ "), "cyan"), (name, "bold cyan"), (f"({arguments})", "dim"))
        self.console.print(line, overflow="fold")

    def _show_tool_result(self, name: str, output: str, *, is_error: bool) -> None:
        if is_error:
            line = Text.assemble((self._clean("  ✗ "), "bold red"), (f"{name} failed: ", "bold red"), (output, "red"))
        else:
            line = Text.assemble((self._clean("  ↳ "), "cyan"), (f"{name}: ", "cyan"), (output, "dim"))
        self.console.print(line, overflow="fold")

    def _show_content(self, text: str) -> None:
        self._print_block(text, markdown=self.markdown, style="")

    def _show_summary(self, parts: list[tuple[str, str]]) -> None:
        line = Text()
        for index, (kind, part) in enumerate(parts):
            if index:
                line.append(self._clean(" · "), style="dim")
            line.append(part, style=_SUMMARY_STYLES.get(kind, ""))
        self.console.print(line, overflow="fold")

    def _show_error(self, title: str, lines: list[str]) -> None:
        body = Text("\n".join(lines))
        self.console.print(
            Panel(body, title=Text(title, style="bold"), title_align="left", border_style="red", style="red")
        )

    def _show_interrupted(self, kept: str) -> None:
        self.console.print(Text(self._clean(f"⏹ Interrupted by the user (Ctrl-C); {kept}."), style="bold yellow"))

    def _finish(self) -> None:
        self._stop_live()
        with contextlib.suppress(OSError, ValueError):  # a closed or odd file: nothing to flush
            self.console.file.flush()

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
        with _ctrl_c_deferred():
            if live is not None:
                self._tail.splitter = None
                try:
                    live.stop()
                finally:
                    self.console.show_cursor(True)
            if self._pending:  # finished blocks still waiting for a redraw (there may have been no live region)
                self._print_pending()
