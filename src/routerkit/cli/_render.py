"""Showing one agent turn: live markdown on a terminal, or a clean stdout/stderr split when piped.

`drive(events, renderer)` consumes `Agent.run(..., stream=True)`. Two renderers:

- `TerminalView`: the console layer's `RunPrinter` (live markdown, dim reasoning, the footer), as
  `Agent.print_response` shows a run.
- `PipeView`: the answer as plain text on stdout and nothing else there; reasoning (dim when stderr is a
  terminal), tool calls and the footer go to stderr.

Errors are not drawn here: the exception propagates to the command, which reports it in one line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._common import dim

if TYPE_CHECKING:
    from routerkit.agent import RunOutput, RunOutputEvent


def footer_text(output: RunOutput) -> str:
    from routerkit.console._facts import summary_parts
    from routerkit.console._run import run_summary

    return " · ".join(part for _, part in summary_parts(run_summary(output)))


class PipeView:
    """Plain text: the answer on stdout, everything else on stderr."""

    def __init__(self, *, show_reasoning: bool = True, show_content: bool = True, footer: bool = True) -> None:
        self.show_reasoning = show_reasoning
        self.show_content = show_content
        self.footer = footer
        self._out_at_line_start = True
        self._in_reasoning = False

    def reasoning(self, delta: str) -> None:
        if not self.show_reasoning or not delta:
            return
        if not self._in_reasoning:
            self._in_reasoning = True
        sys.stderr.write(dim(delta))
        sys.stderr.flush()

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self._in_reasoning = False
            sys.stderr.write("\n")
            sys.stderr.flush()

    def content(self, delta: str) -> None:
        self._end_reasoning()
        if not self.show_content or not delta:
            return
        sys.stdout.write(delta)
        sys.stdout.flush()
        self._out_at_line_start = delta.endswith("\n")

    def tool_call(self, name: str, arguments: str) -> None:
        self._end_reasoning()
        sys.stderr.write(dim(f"tool call: {name}({arguments[:400]})") + "\n")

    def tool_result(self, name: str, output: str, is_error: bool) -> None:
        label = "tool error" if is_error else "tool result"
        sys.stderr.write(dim(f"{label}: {name}: {output.strip()[:400]}") + "\n")

    def finished(self, output: RunOutput) -> None:
        self._end_reasoning()
        self._end_answer()
        if output.reasoning_encrypted and not output.reasoning_content and self.show_reasoning:
            tokens = output.metrics.reasoning_tokens
            sys.stderr.write(dim(f"reasoning: {tokens:,} tokens (encrypted, not shown)") + "\n")
        if self.footer:
            sys.stderr.write(dim(footer_text(output)) + "\n")
        sys.stderr.flush()

    def interrupted(self) -> None:
        self._end_reasoning()
        self._end_answer()
        sys.stderr.write(dim("[interrupted]") + "\n")
        sys.stderr.flush()

    def _end_answer(self) -> None:
        if self.show_content and not self._out_at_line_start:
            sys.stdout.write("\n")
            self._out_at_line_start = True
        sys.stdout.flush()

    def close(self) -> None:
        self._end_reasoning()
        self._end_answer()


class TerminalView:
    """The console layer's live markdown view of a run, on stdout."""

    def __init__(self, *, markdown: bool = True, show_reasoning: bool = True, console: Any = None) -> None:
        from routerkit.console import RunPrinter

        self.printer = RunPrinter(console, markdown=markdown, stream=True, show_reasoning=show_reasoning)
        self.console = self.printer.console

    def reasoning(self, delta: str) -> None:
        self.printer.reasoning_delta(delta)

    def content(self, delta: str) -> None:
        self.printer.content_delta(delta)

    def tool_call(self, name: str, arguments: str) -> None:
        self.printer.tool_call(name, arguments)

    def tool_result(self, name: str, output: str, is_error: bool) -> None:
        self.printer.tool_result(name, output, is_error=is_error)

    def finished(self, output: RunOutput) -> None:
        if output.reasoning_encrypted and not output.reasoning_content and self.printer.show_reasoning:
            self.printer.reasoning_encrypted(output.metrics.reasoning_tokens)
        from routerkit.console._run import run_summary

        self.printer.summary(run_summary(output))

    def interrupted(self) -> None:
        self.printer.interrupted()

    def close(self) -> None:
        self.printer.close()


View = PipeView | TerminalView


def drive(events: Iterator[RunOutputEvent], view: View) -> RunOutput:
    """Show a streamed run; return its output. A failed run's exception (or Ctrl-C) propagates after the
    view is closed, with whatever answer arrived left on screen."""
    from routerkit.agent import (
        ReasoningContentDeltaEvent,
        RunCompletedEvent,
        RunContentEvent,
        ToolCallCompletedEvent,
        ToolCallStartedEvent,
    )

    output: RunOutput | None = None
    try:
        for event in events:
            match event:
                case RunContentEvent(content=delta):
                    view.content(delta)
                case ReasoningContentDeltaEvent(reasoning_content=delta):
                    view.reasoning(delta)
                case ToolCallStartedEvent(call=call):
                    view.tool_call(call.name, call.arguments)
                case ToolCallCompletedEvent(call=call, result=result):
                    view.tool_result(call.name, result.output, result.is_error)
                case RunCompletedEvent(output=done):
                    output = done
                    view.finished(done)
    except KeyboardInterrupt:
        view.interrupted()
        raise
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
        view.close()
    assert output is not None, "a run ends in RunCompletedEvent or raises"
    return output
