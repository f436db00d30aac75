"""`print_response`'s body: a run's events shown through a `RunPrinter`.

The agent hands over its event iterator; this module decides what each event looks like. A failed run is
reported in a red panel and returned (with `.error` set) rather than raised, as agno's `print_response`
does; Ctrl-C stops the stream, notes the interruption, leaves the terminal clean and re-raises
(with a short traceback: the run is already recorded as interrupted, with its partial answer).

Where the output goes decides how it is drawn, deliberately: `print_response` is for people reading, and
agno users run their scripts under `| tee`, into log files and in notebooks, where they expect the same
panels as on a terminal. So it always uses the `LivePrinter`'s rendering: on a terminal the answer is
redrawn live; elsewhere rich writes no colours or cursor movement, and each finished block is printed once,
in order (a log reads like the terminal did). In Jupyter, each section is printed whole when it ends,
which the notebook shows as rich output (a live region there would need ipywidgets). The CLI's pipe-clean
output (the answer alone on stdout) is `PlainPrinter.split`, not this.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..agent import (
    ReasoningContentDeltaEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunOutput,
    RunOutputEvent,
    RunPausedEvent,
    ToolCallCompletedEvent,
    ToolCallStartedEvent,
)
from ..errors import IncompleteResponseError, UsageError
from ..run.base import RunStatus
from ._facts import RunSummary, answer_notes

if TYPE_CHECKING:
    from rich.console import Console

    from ._printer import RunPrinter

__all__ = ["aprint_run", "items_text", "print_run", "run_notes", "run_summary"]


def print_run(
    events: Iterator[RunOutputEvent],
    message: str | Sequence[dict[str, Any]],
    *,
    markdown: bool,
    stream: bool,
    show_message: bool,
    show_reasoning: bool,
    console: Console | None,
) -> RunOutput | None:
    """`Agent.print_response`: show a run's events as they come; return its output (None if it never ended)."""
    printer = _printer(console, markdown, stream, show_reasoning, show_message, message)
    output = None
    with _showing(printer):
        try:
            for event in events:
                output = _show(printer, event, stream) or output
        finally:
            _close(events)
    return output


async def aprint_run(
    events: AsyncIterator[RunOutputEvent],
    message: str | Sequence[dict[str, Any]],
    *,
    markdown: bool,
    stream: bool,
    show_message: bool,
    show_reasoning: bool,
    console: Console | None,
) -> RunOutput | None:
    """`Agent.aprint_response`: `print_run` over an async event stream."""
    printer = _printer(console, markdown, stream, show_reasoning, show_message, message)
    output = None
    with _showing(printer):
        try:
            async for event in events:
                output = _show(printer, event, stream) or output
        finally:
            await _aclose(events)
    return output


@contextmanager
def _showing(printer: RunPrinter) -> Iterator[None]:
    """How a shown run ends, for both loops: the printer is closed; Ctrl-C is noted and re-raised; bad input
    is raised; a failure is swallowed, since the `RunErrorEvent` before it was shown as a red panel."""
    with printer:
        try:
            yield
        except KeyboardInterrupt:
            printer.interrupted()
            # A fresh exception: the traceback then ends here, not deep inside the HTTP read it interrupted.
            raise KeyboardInterrupt from None
        except UsageError:
            raise
        except Exception:
            pass


def _printer(
    console: Console | None,
    markdown: bool,
    stream: bool,
    show_reasoning: bool,
    show_message: bool,
    message: str | Sequence[dict[str, Any]],
) -> RunPrinter:
    from rich.console import Console

    from ._live import LivePrinter

    console = Console() if console is None else console
    live = stream and not console.is_jupyter  # see the module's docstring
    printer = LivePrinter(console, markdown=markdown, stream=live, show_reasoning=show_reasoning)
    if show_message:
        printer.message(message if isinstance(message, str) else items_text(message))
    return printer


def _show(printer: RunPrinter, event: RunOutputEvent, stream: bool) -> RunOutput | None:
    """Show one run event; returns the run's output when the event ends the run."""
    match event:
        case RunContentEvent(content=delta):
            printer.content_delta(delta)
        case ReasoningContentDeltaEvent(reasoning_content=delta):
            printer.reasoning_delta(delta)
        case ToolCallStartedEvent(call=call):
            printer.tool_call(call.name, call.arguments)
        case ToolCallCompletedEvent(call=call, result=result):
            printer.tool_result(call.name, result.output, is_error=result.is_error)
        case RunCompletedEvent(output=output) | RunErrorEvent(output=output):
            if not stream and output.reasoning_content:
                printer.reasoning_delta(output.reasoning_content)
            if output.reasoning_encrypted and not output.reasoning_content:
                printer.reasoning_encrypted(output.metrics.reasoning_tokens)
            if isinstance(event, RunErrorEvent):
                printer.error(event.error)
            elif not stream:
                printer.content(_answer_text(output.content))
            for line in run_notes(output):
                printer.note(line)
            printer.summary(run_summary(output))
            return output
        case RunPausedEvent(output=output):
            printer.content(_awaiting(output))
            printer.summary(run_summary(output))
            return output
    return None


def _awaiting(output: RunOutput) -> str:
    """What a paused run waits for, and how to go on."""
    calls = [
        f"- {r.tool_execution.tool_name}({json.dumps(r.tool_execution.tool_args, ensure_ascii=False)})"
        for r in output.active_requirements
    ]
    return "\n".join(
        [
            "Paused: awaiting confirmation of",
            *calls,
            "Confirm or reject each of `output.active_requirements`, then call `agent.continue_run(...)`.",
        ]
    )


def run_summary(output: RunOutput) -> RunSummary:
    """The footer's facts for a finished (or failed) run."""
    m = output.metrics
    return RunSummary(
        requested_model=output.requested_model,
        model=output.model,
        input_tokens=m.input_tokens if output.responses else None,
        output_tokens=m.output_tokens if output.responses else None,
        reasoning_tokens=m.reasoning_tokens or None,
        cost=m.cost,
        time_to_first_token=m.time_to_first_token,
        duration=m.duration,
        status=_footer_status(output),
        fallback_used=output.fallback_used,
        routed=any(r.routed_to for r in output.responses),
        cache_read_tokens=m.cache_read_tokens,
        cache_write_tokens=m.cache_write_tokens,
        input_cost=m.input_cost,
        output_cost=m.output_cost,
    )


def run_notes(output: RunOutput) -> list[str]:
    """The lines shown between the answer and the footer: searches, Sources, generated images."""
    cites = output.citations
    return answer_notes(
        cites.search_queries if cites else [],
        [(c.title, c.url) for c in cites.unique_urls()] if cites else [],
        [(i.mime_type, i.size, i.url) for i in output.images],
    )


def _footer_status(output: RunOutput) -> str:
    """The footer's word for how the run ended: agno's statuses, with an answer cut short told apart."""
    if output.status == RunStatus.completed:
        return "completed"
    if output.status == RunStatus.cancelled:
        return "interrupted"
    if output.status == RunStatus.paused:
        n = len(output.active_requirements)
        return f"paused: {n} tool call{'s' if n != 1 else ''} await{'s' if n == 1 else ''} confirmation"
    return "incomplete" if isinstance(output.error, IncompleteResponseError) else "error"


def _answer_text(content: Any) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    dump = getattr(content, "model_dump_json", None)
    return f"```json\n{dump(indent=2)}\n```" if dump else str(content)


def items_text(items: Sequence[dict[str, Any]]) -> str:
    """The text of input items, for showing a message that was given as items."""
    texts = []
    for item in items:
        content = item.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(part.get("text", "") for part in content if isinstance(part, dict))
    return "\n".join(t for t in texts if t) or f"({len(items)} input items)"


def _close(events: Iterator[RunOutputEvent]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()


async def _aclose(events: AsyncIterator[RunOutputEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
