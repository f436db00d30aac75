"""The `Agent` constructor's arguments: agno's names, checked before any request, and the system prompt.

agno programs pass many arguments to `Agent(...)`. Those routerkit implements are checked here; those of agno
features routerkit does not have (knowledge, memory, teams, ...) are refused with a `UsageError` that names
them, since silently ignoring `knowledge=` would give answers without the user's documents. Any other
unknown name is a plain `TypeError`, as for any Python function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ._text import encodable

if TYPE_CHECKING:
    from ._agent import Agent

__all__ = [
    "AGNO_UNSUPPORTED",
    "Instructions",
    "check_instructions",
    "check_text",
    "debug_log",
    "refuse_unsupported",
    "shown",
    "system_prompt",
]

Instructions = str | Sequence[str] | Callable[..., "str | Sequence[str]"]

#: agno `Agent` arguments of features routerkit does not have, with what the user can do instead.
AGNO_UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(
        ("knowledge", "knowledge_filters", "search_knowledge", "add_knowledge_to_context", "knowledge_retriever"),
        "routerkit has no knowledge base (RAG); retrieve in a tool and return the passages",
    ),
    **dict.fromkeys(
        (
            "memory_manager",
            "enable_agentic_memory",
            "enable_user_memories",
            "update_memory_on_run",
            "add_memories_to_context",
            "enable_session_summaries",
            "session_summary_manager",
            "add_session_summary_to_context",
        ),
        "routerkit keeps the conversation (add_history_to_context) but has no memory manager or summaries",
    ),
    **dict.fromkeys(
        ("team", "team_id", "members", "workflow_id", "parent_id"),
        "routerkit has no teams or workflows; call one agent from another agent's tool",
    ),
    **dict.fromkeys(
        ("reasoning", "reasoning_model", "reasoning_agent", "reasoning_min_steps", "reasoning_max_steps"),
        "ask the model to reason instead: OpenRouterResponses(id=..., reasoning={'effort': 'high'})",
    ),
    **dict.fromkeys(
        ("session_state", "add_session_state_to_context", "enable_agentic_state", "dependencies"),
        "routerkit has no session state; pass values to your tools directly",
    ),
    **dict.fromkeys(
        ("pre_hooks", "post_hooks", "tool_hooks", "parser_model", "output_model", "compress_tool_results"),
        "routerkit has no hooks or secondary models",
    ),
}


def refuse_unsupported(extra: dict[str, Any]) -> None:
    """Refuse the keyword arguments `Agent()` does not take: a `UsageError` naming agno's, else a `TypeError`."""
    unknown = sorted(name for name in extra if name not in AGNO_UNSUPPORTED)
    if unknown:
        raise TypeError(f"Agent() got an unexpected keyword argument {unknown[0]!r}")
    names = sorted(extra)
    reasons = "; ".join(dict.fromkeys(AGNO_UNSUPPORTED[name] for name in names))
    raise UsageError(f"Agent() does not support agno's {', '.join(names)}: {reasons}")


def check_text(value: object, name: str) -> None:
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{name} must be a string or None, got {shown(value)}")


def check_instructions(instructions: object) -> None:
    if instructions is None or isinstance(instructions, str) or callable(instructions):
        return
    if not isinstance(instructions, Sequence) or not all(isinstance(line, str) for line in instructions):
        raise UsageError(
            "instructions must be a string, a list of strings, a function of the agent returning one, or None; "
            f"got {shown(instructions)}"
        )


def system_prompt(agent: Agent) -> str | None:
    """The system text sent with every model call, assembled in agno's order: description, instructions,
    expected output, additional context, markdown and the date. Callable instructions are called per run."""
    parts: list[str] = []
    if agent.description:
        parts.append(agent.description)
    instructions = agent.instructions
    if callable(instructions):
        instructions = _called(instructions, agent)
    if isinstance(instructions, str):
        if instructions:
            parts.append(instructions)
    elif instructions:
        parts.extend(f"- {line}" for line in instructions)
    if agent.expected_output:
        parts.append(f"<expected_output>\n{agent.expected_output}\n</expected_output>")
    if agent.additional_context:
        parts.append(agent.additional_context)
    if agent.markdown and agent.output_schema is None:
        parts.append("Use markdown to format your answers.")
    if agent.add_datetime_to_context:
        from datetime import datetime

        parts.append(f"The current time is {datetime.now().astimezone().isoformat(timespec='seconds')}.")
    return encodable("\n\n".join(parts)) or None


def _called(instructions: Callable[..., Any], agent: Agent) -> str | Sequence[str]:
    """agno calls instructions with the agent when the function takes an argument, else with nothing."""
    import inspect

    try:
        takes_agent = bool(inspect.signature(instructions).parameters)
    except (TypeError, ValueError):
        takes_agent = True
    value = instructions(agent) if takes_agent else instructions()
    if isinstance(value, str) or (isinstance(value, Sequence) and all(isinstance(line, str) for line in value)):
        return value
    raise UsageError(f"instructions() must return a string or a list of strings, got {shown(value)}")


def debug_log(name: str | None, text: str) -> None:
    """One line of `debug_mode` output on stderr (logger "routerkit.agent"; never the API key or headers)."""
    import logging

    logger = logging.getLogger("routerkit.agent")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("DEBUG %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    logger.debug("%s%s", f"[{name}] " if name else "", text)


def shown(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"
