"""What goes into a batch and what comes out of it, one row at a time.

A `BatchRow` is one request (an id, the input, optionally its own model, instructions and Responses fields);
a `BatchResult` is its outcome: the answer and its facts, or the typed error that ended it. A failed row is
a result like any other, so one bad row never stops a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import APIError, RouterkitError
from ..wire import is_fallback

__all__ = ["BatchResult", "BatchRow", "error_facts"]


@dataclass(slots=True)
class BatchRow:
    """One request of a batch. `options` are further Responses body fields (temperature, max_output_tokens,
    text, …), sent as they are."""

    custom_id: str
    input: str | Sequence[Mapping[str, Any]]
    model: str | None = None
    instructions: str | None = None
    options: dict[str, Any] | None = None


@dataclass(slots=True)
class BatchResult:
    """The outcome of one row: `error` is None when it succeeded.

    `model` is the model that served the row (after an OpenRouter fallback it differs from
    `requested_model`); `duration` is the successful attempt's, `attempts` counts every send.
    """

    custom_id: str
    requested_model: str
    model: str | None = None
    text: str | None = None
    output: list[dict[str, Any]] = field(default_factory=list)
    status: str | None = None
    response_id: str | None = None
    generation_id: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    cost: float | None = None
    time_to_first_token: float | None = None
    duration: float | None = None
    attempts: int = 0
    error: RouterkitError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def fallback_used(self) -> bool:
        return self.model is not None and is_fallback(self.requested_model, self.model)


def error_facts(error: RouterkitError) -> dict[str, Any]:
    """The facts of a typed error as plain data: what a report groups by and a user acts on."""
    facts: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIError):
        facts.update(
            kind=error.kind,
            status=error.status,
            code=error.code,
            models=error.models,
            generation_id=error.generation_id,
            retry_after=error.retry_after,
        )
        if error.metadata:
            facts["metadata"] = error.metadata
    return facts
