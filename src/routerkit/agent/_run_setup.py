"""What a run starts from and what it leaves in the store: the per-call overrides (`RunCall`), the run's
`RunState` with its history and request options, and the record `finish_run` gets. The sync and async drivers
in `_loop` share all of it through `_run_plan`, so they only call the model, the tools and the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import IncompleteResponseError
from ..run.base import RunStatus
from ..wire._request import check_json
from ._config import debug_log, system_prompt
from ._hitl import saved_facts
from ._sessions import HISTORY_STATUSES
from ._state import RunSetup, RunState, replayable
from ._text import encodable

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..db.base import StoredRun
    from ._agent import Agent
    from ._model import Model
    from .run import RunOutput

__all__ = ["RunCall", "history_query", "new_state", "record", "stored_status"]


@dataclass(frozen=True, slots=True)
class RunCall:
    """What one call of `run` may override: its session, user and output schema."""

    session_id: str
    user_id: str | None
    output_schema: type[BaseModel] | None
    text_format: dict[str, Any] | None


def history_query(agent: Agent) -> dict[str, Any]:
    """`get_runs` keywords for the runs a new run replays (after the session id)."""
    return {"limit": agent.num_history_runs, "statuses": HISTORY_STATUSES}


def new_state(
    agent: Agent,
    items: list[dict[str, Any]],
    stored: Sequence[StoredRun],
    call: RunCall,
    run_id: str | None = None,
) -> RunState:
    """A run's state: `items` after the replayed history of `stored` runs (`run_id` when a paused run goes on)."""
    history: list[dict[str, Any]] = []
    for run in stored:
        if not run.output_items:
            continue  # killed before any answer: replaying the bare question would only confuse the model
        history.extend(encodable(run.input_items))
        history.extend(replayable(encodable(run.output_items)))
    if history:  # read from the store: checked once here, then sent as it is by each request (`RunState.request`)
        check_json("history", history)
    setup = RunSetup(
        session_id=call.session_id,
        model_id=agent.model.id,
        model_provider=_provider(agent.model),
        user_id=call.user_id,
        agent_id=agent.id,
        agent_name=agent.name,
        options=_request_options(agent, call),
        tools=agent.tools_by_name(),
        output_schema=call.output_schema,
        tool_call_limit=agent.tool_call_limit,
    )
    state = RunState(setup, items, history, run_id)
    state.output.system_message = setup.options.get("instructions")
    if agent.debug_mode:
        debug_log(
            agent.name,
            f"run {state.output.run_id} {'continued' if run_id else 'started'}: model {agent.model.id}, "
            f"session {call.session_id}, {len(history)} history items, {len(items)} input items",
        )
    return state


def record(agent: Agent, state: RunState) -> dict[str, Any]:
    """The ended run as `finish_run` arguments (the sync and async drivers store the same record)."""
    out = state.output
    agent.last_run = out
    if agent.debug_mode:
        debug_log(agent.name, f"run {out.run_id} {out.status.value}: model {out.model}, {out.metrics.to_dict()}")
    return {
        "session_id": out.session_id,
        "run_id": out.run_id,
        "status": stored_status(out),
        "output_items": state.output_items(),
        "content": out.content if isinstance(out.content, str) else _dump(out.content),
        "model": out.model,
        "metrics": {**out.metrics.as_dict(), **saved_facts(out)},
    }


def stored_status(out: RunOutput) -> str:
    """The store's status: "paused" while tool calls wait for the user; an answer stopped early (Ctrl-C, or
    cut short by the provider) is "interrupted", so the part the user saw stays in the conversation; any other
    failure is "error" and is not replayed."""
    if out.status == RunStatus.completed:
        return "completed"
    if out.status == RunStatus.paused:
        return "paused"
    if out.status == RunStatus.cancelled or isinstance(out.error, IncompleteResponseError):
        return "interrupted"
    return "error"


def _request_options(agent: Agent, call: RunCall) -> dict[str, Any]:
    # The session id lets OpenRouter keep a conversation on one provider, whose prompt cache then hits.
    options: dict[str, Any] = {"session_id": call.session_id}
    system = system_prompt(agent)
    if system:
        options["instructions"] = system
    tools = agent.tools_by_name()
    if agent._tools_wire:  # function tools, and server tools, which OpenRouter runs
        options["tools"] = agent._tools_wire
        choice = getattr(agent.model, "tool_choice", None)
        if choice is not None:
            options["tool_choice"] = choice  # the model's own; relaxed after the first call (RunState.options)
    if call.text_format is not None:
        options["text_format"] = call.text_format
    if agent.model.reasoning and (tools or agent.add_history_to_context):
        # Reasoning items go back to the model after a tool call and in the history. With store=false the
        # provider cannot look them up by id, so only items with `encrypted_content` can be replayed.
        options["include"] = ["reasoning.encrypted_content"]
    return options


def _provider(model: Model) -> str:
    """agno's `model_provider`: the model's `provider` when it has one, else its class name without
    "Responses" ("OpenRouter" for `OpenRouterResponses`)."""
    provider = getattr(model, "provider", None)
    return provider if isinstance(provider, str) else type(model).__name__.removesuffix("Responses")


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    dump = getattr(value, "model_dump_json", None)
    return dump() if dump else str(value)
