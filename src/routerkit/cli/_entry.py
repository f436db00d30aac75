"""One logged turn, as `ask` and `chat` keep it and `routerkit logs` shows it.

Apart from the log's SQLite store (`_logbook`) so that keeping a turn never imports `sqlite3`: `ask` only
appends the entry to the inbox, and filing it into the store is some later command's work.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["FIELDS", "Entry"]

#: An entry's fields, in the order `--json` and exports show them.
FIELDS = (
    "prompt",
    "model_requested",
    "command",
    "status",
    "session_id",
    "system",
    "attachments",
    "answer",
    "reasoning",
    "model_served",
    "reasoning_setting",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost",
    "duration",
    "error",
    "created_at",
    "id",
)


class Entry:
    """One logged turn. A plain class rather than a dataclass: building a 19-field dataclass on import was a
    fifth of what logging an `ask` costs (~2 ms of CPU on every run)."""

    __slots__ = FIELDS

    def __init__(
        self,
        prompt: str,
        model_requested: str,
        command: str = "ask",
        status: str = "completed",
        session_id: str | None = None,
        system: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        answer: str | None = None,
        reasoning: str | None = None,
        model_served: str | None = None,
        reasoning_setting: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        reasoning_tokens: int = 0,
        cost: float | None = None,
        duration: float | None = None,
        error: str | None = None,
        created_at: float | None = None,
        id: int | None = None,
    ) -> None:
        self.prompt, self.model_requested, self.command, self.status = prompt, model_requested, command, status
        self.session_id, self.system, self.attachments = session_id, system, attachments or []
        self.answer, self.reasoning, self.model_served = answer, reasoning, model_served
        #: The `reasoning` the turn asked for, as JSON (`{"effort": "high"}`), or None: `chat` resumes with it.
        self.reasoning_setting = reasoning_setting
        self.input_tokens, self.output_tokens, self.reasoning_tokens = input_tokens, output_tokens, reasoning_tokens
        self.cost, self.duration, self.error = cost, duration, error
        self.created_at = time.time() if created_at is None else created_at
        self.id = id

    def __repr__(self) -> str:
        return f"Entry(id={self.id!r}, model_requested={self.model_requested!r}, status={self.status!r})"

    def as_json(self) -> dict[str, Any]:
        """The entry as a JSON object (for `--json`, exports and the inbox)."""
        return {name: getattr(self, name) for name in FIELDS}

    @classmethod
    def from_json(cls, value: object) -> Entry:
        """An entry from its :meth:`as_json` form, as the inbox keeps it; `ValueError` if it is not one."""
        if not isinstance(value, dict) or not all(isinstance(value.get(name), str) for name in _REQUIRED):
            raise ValueError("not a log entry")
        for name, given in value.items():
            kinds = _KINDS.get(name)
            if kinds is None or not isinstance(given, kinds) or isinstance(given, bool):
                raise ValueError(f"its {name} is not what a log entry holds")
            if isinstance(given, int) and not -(2**63) <= given < 2**63:  # past what SQLite stores
                raise ValueError(f"its {name} is out of range")
        if not all(isinstance(item, dict) for item in value.get("attachments") or ()):
            raise ValueError("its attachments are not what a log entry holds")
        return cls(**{name: given for name, given in value.items() if name != "id"})


_REQUIRED = ("prompt", "model_requested", "command", "status")
_TEXT = (str, type(None))
_KINDS: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(_REQUIRED, (str,)),
    **dict.fromkeys(("session_id", "system", "answer", "reasoning", "model_served", "reasoning_setting"), _TEXT),
    **dict.fromkeys(("input_tokens", "output_tokens", "reasoning_tokens"), (int,)),
    **dict.fromkeys(("cost", "duration"), (int, float, type(None))),
    "error": _TEXT,
    "attachments": (list,),
    "created_at": (int, float),
    "id": (int, type(None)),
}
