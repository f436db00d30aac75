"""Showing one agent turn through the console's printers: live markdown on a terminal, or a clean
stdout/stderr split when piped.

`drive(events, view)` consumes `Agent.run(..., stream=True)`. `make_view` picks the printer:

- on a terminal: `RunPrinter` (a `LivePrinter`: live markdown, dim reasoning, the footer), as
  `Agent.print_response` shows a run;
- otherwise: `PlainPrinter.split`: the answer as plain text on stdout and nothing else there; reasoning (dim
  when stderr is a terminal), tool calls and the footer go to stderr.

Errors are not drawn here: the exception propagates to the command, which reports it in one line.

A run that pauses for the user's confirmation (a tool with `requires_confirmation`) is answered here: on a
terminal each call is asked about on stderr ("Run tool({...})? [y/N]", the answer read from stdin); without
one nobody can answer, so each call is rejected with a line saying so, rather than waiting forever. The run
then goes on (`agent.continue_run`) through the same view.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routerkit.agent import Agent, RunOutput, RunOutputEvent
    from routerkit.console import RunPrinter

    from ._waiting import Waiting


class View:
    """One run shown through a console printer, with the calls `drive` makes."""

    def __init__(self, printer: RunPrinter) -> None:
        self.printer = printer
        #: What was shown, kept for the log even when the run fails or is interrupted.
        self.answer: list[str] = []
        self.reasoning_text: list[str] = []

    def reasoning(self, delta: str) -> None:
        """A piece of the model's reasoning."""
        self.reasoning_text.append(delta)
        self.printer.reasoning_delta(delta)

    def content(self, delta: str) -> None:
        """A piece of the answer."""
        self.answer.append(delta)
        self.printer.content_delta(delta)

    def tool_call(self, name: str, arguments: str) -> None:
        """The model called a tool (`arguments` may arrive as any JSON value: the printer makes it text)."""
        self.printer.tool_call(name, arguments)

    def tool_result(self, name: str, output: str, is_error: bool) -> None:
        """What the tool returned."""
        self.printer.tool_result(name, output, is_error=is_error)

    def finished(self, output: RunOutput) -> None:
        """The run completed: the encrypted-reasoning note, searches, Sources and images, and the footer."""
        from routerkit.console import run_notes, run_summary

        if output.reasoning_encrypted and not output.reasoning_content and self.printer.show_reasoning:
            self.printer.reasoning_encrypted(output.metrics.reasoning_tokens)
        for line in run_notes(output):
            self.printer.note(line)
        self.printer.summary(run_summary(output))

    def interrupted(self) -> None:
        """Ctrl-C stopped the run."""
        self.printer.interrupted()

    def close(self) -> None:
        """Finish the output (the answer's last line, the live region)."""
        self.printer.close()


def make_view(*, terminal: bool, show_reasoning: bool, show_answer: bool = True) -> View:
    """Live markdown on stdout when `terminal`; otherwise the answer alone on stdout (or nowhere, when
    `show_answer` is false) and the rest on stderr."""
    from routerkit.console import PlainPrinter, RunPrinter

    if terminal and show_answer:
        return View(RunPrinter(markdown=True, stream=True, show_reasoning=show_reasoning))
    answer = sys.stdout if show_answer else None
    return View(PlainPrinter.split(answer, sys.stderr, show_reasoning=show_reasoning))


def drive(
    events: Iterator[RunOutputEvent], view: View, waiting: Waiting | None = None, agent: Agent | None = None
) -> RunOutput:
    """Show a streamed run; return its output. A failed run's exception (or Ctrl-C) propagates after the
    view is closed, with whatever answer arrived left on screen. `waiting`'s spinner stops at the first
    event after the run's start. A run of `agent` that pauses is answered (`confirm_calls`) and continued
    until it ends; without `agent` the paused output is returned."""
    try:
        output = _show(events, view, waiting)
        while output.is_paused and agent is not None:
            confirm_calls(output, view, ask=sys.stdin.isatty() and sys.stdout.isatty())
            output = _show(agent.continue_run(run_response=output, stream=True, stream_events=True), view, None)
    finally:
        view.close()
    return output


def confirm_calls(output: RunOutput, view: View, *, ask: bool) -> None:
    """Answer each call the paused run waits for: asked on the terminal when `ask`, else rejected (no one can
    answer). What the model chose as arguments is cleaned of control characters before it is shown."""
    from routerkit.console import clean_text

    view.printer.close()  # the live region ends before the question is asked under it
    for requirement in output.active_requirements:
        tool = requirement.tool_execution
        arguments = json.dumps(tool.tool_args, ensure_ascii=False)
        call = clean_text(f"{tool.tool_name}({arguments if len(arguments) <= 300 else arguments[:299] + '…'})")
        if not ask:
            sys.stderr.write(f"routerkit: {call} needs confirmation and there is no terminal to ask on: rejected\n")
            requirement.reject("There was no terminal to ask the user on, so the call was not run.")
            continue
        sys.stderr.write(f"Run {call}? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() in ("y", "yes"):
            requirement.confirm()
        else:
            requirement.reject("The user declined the call.")


def _show(events: Iterator[RunOutputEvent], view: View, waiting: Waiting | None) -> RunOutput:
    """Show one stream of events (a run, or its continuation); the output it ended with, completed or paused."""
    from routerkit.agent import (
        ReasoningContentDeltaEvent,
        RunCompletedEvent,
        RunContentEvent,
        RunPausedEvent,
        RunStartedEvent,
        ToolCallCompletedEvent,
        ToolCallStartedEvent,
    )

    output: RunOutput | None = None
    try:
        for event in events:
            if waiting is not None and not isinstance(event, RunStartedEvent):
                waiting.stop()
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
                case RunPausedEvent(output=paused):
                    output = paused
    except KeyboardInterrupt:
        view.interrupted()
        raise
    finally:
        if waiting is not None:
            waiting.stop()
        close = getattr(events, "close", None)
        if close is not None:
            close()
    assert output is not None, "a run ends in RunCompletedEvent or RunPausedEvent, or raises"
    return output
