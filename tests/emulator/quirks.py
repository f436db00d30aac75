"""The documented ways real OpenRouter output breaks its own OpenAPI schema, as a named allow-list.

The emulator's realistic ids reproduce these (its clean mode does not), so the schema check of emulator
output lets exactly these through: each quirk recognises its one deviation, checks that the deviating part
has the recorded shape, and hands the rest of the instance to the schema. Nothing else is relaxed.
Each quirk names the recording (under ``tests/fixtures/recorded/``) that shows it;
``test_quirks.py`` finds it there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .helpers import validate

__all__ = ["QUIRKS", "Quirk", "validate_emulated"]

_OPENING = frozenset({"response.created", "response.in_progress"})
_PARTS = frozenset({"response.content_part.added", "response.content_part.done"})


@dataclass(frozen=True, slots=True)
class Quirk:
    """One recorded deviation: where it applies, and the instance with the deviation taken out
    (``None`` when the instance does not show it)."""

    name: str
    schema: str
    recording: str
    """The file under ``tests/fixtures/recorded/`` that shows it (``more/…`` for the later additions)."""
    streamed: bool
    error: str
    """How the published schema words this deviation (the start of one of :func:`errors`' lines)."""
    without: Callable[[dict[str, Any]], dict[str, Any] | None]


def _usage_null(event: dict[str, Any]) -> dict[str, Any] | None:
    response = event.get("response")
    if event.get("type") not in _OPENING or not isinstance(response, dict) or response.get("usage", 0) is not None:
        return None
    return {**event, "response": {k: v for k, v in response.items() if k != "usage"}}


def _reasoning_part(event: dict[str, Any]) -> dict[str, Any] | None:
    part = event.get("part")
    if event.get("type") not in _PARTS or not isinstance(part, dict) or part.get("type") != "reasoning_text":
        return None
    assert set(part) == {"type", "text"} and isinstance(part["text"], str), part  # the recorded part, exactly
    return {**event, "part": {"type": "output_text", "text": part["text"], "annotations": []}}


def _no_status(body: dict[str, Any]) -> dict[str, Any] | None:
    return None if "status" in body else {**body, "status": "completed"}


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "usage null in the opening events",
        "StreamEvents",
        "llm-openrouter__test_prompt.yaml",
        True,
        "$.response.usage: None is not of type 'object'",
        _usage_null,
    ),
    Quirk(
        "reasoning text in content_part events",
        "StreamEvents",
        "more/agent-sdk-behavior__gemini-3.7-flash_run1.abridged.sse",
        True,
        "$.part: {'type': 'reasoning_text'",
        _reasoning_part,
    ),
    Quirk(
        "JSON body without a top-level status",
        "OpenResponsesResult",
        "more/comerge-smoke__responses_text_to_text.json",
        False,
        "$: 'status' is a required property",
        _no_status,
    ),
)


def validate_emulated(schema_name: str, instance: dict[str, Any]) -> list[str]:
    """Validate ``instance`` against ``schema_name``, letting through only the quirks of :data:`QUIRKS`;
    return the names of those it showed."""
    shown = []
    for quirk in QUIRKS:
        fixed = quirk.without(instance) if quirk.schema == schema_name else None
        if fixed is not None:
            instance = fixed
            shown.append(quirk.name)
    validate(schema_name, instance)
    return shown
