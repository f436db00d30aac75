"""Human in the loop: what a paused run waits for, and how a run is picked up again where it paused.

A tool built with `requires_confirmation=True` is not run when the model calls it: the run pauses, its
`RunOutput` lists one `RunRequirement` per such call, and the user confirms or rejects each. The paused run
is recorded in the session store like any other, so `Agent.continue_run` can rebuild it from the store alone,
in the same process or in a new one on the same `db`: its items say which calls have no output yet, and the
saved `ToolExecution`s (`saved_facts`) give back every other field agno has on them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ._ids import new_id
from .run import RunMetrics, ToolExecution

if TYPE_CHECKING:
    from ..db.base import StoredRun
    from .run import RunOutput
    from .tools import FunctionTool

__all__ = [
    "EXECUTIONS_KEY",
    "SYSTEM_KEY",
    "RunRequirement",
    "apply_answers",
    "executions_from_stored",
    "metrics_from",
    "parse_args",
    "saved_facts",
]

#: Where a stored run's metrics (the store's free-form JSON about a run) keep its `ToolExecution`s and its
#: system message: facts to read back, never replayed.
EXECUTIONS_KEY = "tool_executions"
SYSTEM_KEY = "system_message"
#: The saved fields restored over those the items give, with the types a value must have to be taken.
_RESTORED: dict[str, tuple[type, ...]] = {
    "tool_call_error": (bool,),
    "created_at": (int,),
    "requires_confirmation": (bool,),
    "confirmed": (bool, type(None)),
    "confirmation_note": (str, type(None)),
    "stop_after_tool_call": (bool,),
}


class RunRequirement:
    """A tool call waiting for the user: `confirm()` runs it, `reject(note=...)` tells the model it was refused
    (with the note), then `agent.continue_run(run_id=..., requirements=...)` goes on. agno's name and methods."""

    def __init__(self, tool_execution: ToolExecution, id: str | None = None) -> None:
        from datetime import UTC, datetime  # here: only a tool that needs confirmation makes one

        self.id = id or new_id()
        self.tool_execution = tool_execution
        self.created_at = datetime.now(UTC)
        self.confirmation: bool | None = tool_execution.confirmed
        self.confirmation_note: str | None = tool_execution.confirmation_note

    def __repr__(self) -> str:
        tool = self.tool_execution
        return f"RunRequirement({tool.tool_name}({tool.tool_args!r}), confirmation={self.confirmation!r})"

    @property
    def needs_confirmation(self) -> bool:
        return self.confirmation is None and self.tool_execution.requires_confirmation

    def confirm(self) -> None:
        """Let the tool call run when the run continues."""
        self._answer(True, None)

    def reject(self, note: str | None = None) -> None:
        """Refuse the tool call; the model is told it was rejected, with `note` as the reason."""
        if note is not None and not isinstance(note, str):
            raise UsageError(f"note must be a string or None, got {type(note).__name__}")
        self._answer(False, note)

    def is_resolved(self) -> bool:
        return not self.needs_confirmation

    def _answer(self, confirmed: bool, note: str | None) -> None:
        if not self.needs_confirmation:
            raise UsageError(
                f"the call to {self.tool_execution.tool_name} is already "
                f"{'confirmed' if self.confirmation else 'rejected'}; each requirement is answered once"
            )
        self.confirmation = confirmed
        self.confirmation_note = note
        self.tool_execution.confirmed = confirmed
        self.tool_execution.confirmation_note = note


def parse_args(arguments: str) -> dict[str, Any]:
    """The model's arguments as a dict for `ToolExecution.tool_args` ({} when they are not a JSON object: the
    tool's own validation reports that to the model)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def saved_facts(output: RunOutput) -> dict[str, Any]:
    """The metrics entries that keep the run's tool executions and system message (none it does not have).
    Of an execution only what the items lack is kept: the call, its arguments and output are in the items."""
    facts: dict[str, Any] = {}
    if output.tools:
        facts[EXECUTIONS_KEY] = [
            {"tool_call_id": e.tool_call_id, **{name: getattr(e, name) for name in _RESTORED}} for e in output.tools
        ]
    if output.system_message:
        facts[SYSTEM_KEY] = output.system_message
    return facts


def executions_from_stored(stored: StoredRun, tools: Mapping[str, FunctionTool]) -> list[ToolExecution]:
    """A stored run's tool calls: what its items say (call, arguments, output), with the saved fields of each
    (error flag, creation time, the user's answer...) put back. A saved value of the wrong type (a foreign
    edit of the store) is skipped, so the run still reads back."""
    executions = _executions_from_items(stored.output_items, tools)
    saved = stored.metrics.get(EXECUTIONS_KEY)
    by_id = {s.get("tool_call_id"): s for s in saved if isinstance(s, dict)} if isinstance(saved, list) else {}
    for execution in executions:
        fields = by_id.get(execution.tool_call_id, {})
        for name, types in _RESTORED.items():
            value = fields.get(name)
            if name in fields and isinstance(value, types) and not (int in types and isinstance(value, bool)):
                setattr(execution, name, value)
    return executions


def _executions_from_items(
    items: Sequence[Mapping[str, Any]], tools: Mapping[str, FunctionTool]
) -> list[ToolExecution]:
    """A stored run's tool calls, rebuilt from its items: a call with an output is done; one without waits for
    confirmation."""
    outputs = {i.get("call_id"): i.get("output") for i in items if i.get("type") == "function_call_output"}
    executions = []
    for item in items:
        if item.get("type") != "function_call":
            continue
        call_id, name = str(item.get("call_id", "")), str(item.get("name", ""))
        tool = tools.get(name)
        output = outputs.get(call_id)
        arguments = item.get("arguments")
        executions.append(
            ToolExecution(
                tool_call_id=call_id,
                tool_name=name,
                tool_args=parse_args(arguments) if isinstance(arguments, str) else {},
                result=output if isinstance(output, str) else None,
                requires_confirmation=output is None,
                stop_after_tool_call=bool(tool and tool.stop_after_tool_call),
            )
        )
    return executions


def apply_answers(
    executions: Sequence[ToolExecution],
    requirements: Sequence[RunRequirement] | None,
    updated_tools: Sequence[ToolExecution] | None,
) -> None:
    """Copy the user's answers (`requirements`, or agno's older `updated_tools`) onto the run's waiting calls,
    matched by `tool_call_id`."""
    waiting = {e.tool_call_id: e for e in executions if e.result is None}
    answers: list[tuple[str, bool | None, str | None]] = []
    for index, requirement in enumerate(requirements or ()):
        if not isinstance(requirement, RunRequirement):
            raise UsageError(f"requirements[{index}] must be a RunRequirement, got {type(requirement).__name__}")
        tool = requirement.tool_execution
        answers.append((tool.tool_call_id, requirement.confirmation, requirement.confirmation_note))
    for index, tool in enumerate(updated_tools or ()):
        if not isinstance(tool, ToolExecution):
            raise UsageError(f"updated_tools[{index}] must be a ToolExecution, got {type(tool).__name__}")
        answers.append((tool.tool_call_id, tool.confirmed, tool.confirmation_note))
    for call_id, confirmed, note in answers:
        execution = waiting.get(call_id)
        if execution is None:
            raise UsageError(f"no tool call {call_id!r} of this run is waiting for confirmation")
        if confirmed is not None:
            execution.confirmed, execution.confirmation_note = confirmed, note


def metrics_from(stored: StoredRun) -> RunMetrics:
    """The metrics a paused run had gathered, read back from the store (values of the wrong type skipped)."""
    metrics = RunMetrics()
    for name in RunMetrics.__slots__:
        value = stored.metrics.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            setattr(metrics, name, int(value) if isinstance(getattr(metrics, name), int) else float(value))
    return metrics
