"""Values crossing a store's boundary: checked and encoded on the way in, decoded and summarised on the way out.

Every store goes through these functions (via :class:`~routerkit.db.base.BaseStore`), so they refuse the same
arguments, store the same JSON text and report the same titles and costs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from routerkit.errors import UsageError

from ._types import FINAL_STATUSES, RUN_STATUSES, SessionInfo, StoredRun

__all__ = [
    "FinishedRun",
    "RunRow",
    "check_id",
    "check_limit",
    "check_statuses",
    "encodable",
    "finished_run",
    "items_json",
    "sessions_from_rows",
]

_TITLE_LENGTH = 60
_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can be written as UTF-8 anywhere.

    Lone surrogates reach Python strings from ``json.loads`` of a ``"\\ud800"`` escape or from undecodable
    command-line bytes; a terminal or SQLite would raise ``UnicodeEncodeError`` on them.
    """
    return _SURROGATE.sub("\ufffd", text)


def check_id(value: object, name: str) -> str:
    """A session or run id: a non-empty string that can be stored as it is (ids are keys, never rewritten)."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{name} must be a non-empty string, got {value!r}")
    if _SURROGATE.search(value):
        raise UsageError(f"{name} must be valid Unicode text; {value!r} contains a lone surrogate")
    return value


def check_limit(limit: object) -> int | None:
    """``None`` (every run) or a count of runs, ``0`` meaning none."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise UsageError(f"limit must be a non-negative integer (0 returns no runs) or None for all, got {limit!r}")
    return limit


def check_statuses(statuses: object) -> frozenset[str]:
    """The set of statuses asked for; a bare string is refused, since ``"completed"`` would read as letters."""
    if isinstance(statuses, str | bytes) or not isinstance(statuses, Collection):
        raise UsageError(f"statuses must be a collection of statuses such as ('completed',), got {statuses!r}")
    wanted = frozenset(statuses)
    unknown = wanted - RUN_STATUSES
    if unknown:
        raise UsageError(
            f"statuses may only contain {', '.join(sorted(RUN_STATUSES))}; got {', '.join(sorted(map(repr, unknown)))}"
        )
    return wanted


def _to_json(value: Any, what: str) -> str:
    """Compact JSON text for a column; ``what`` names the argument in errors."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise UsageError(
            f"{what} must hold only JSON values (dict, list, str, int, float, bool, None): {exc}"
        ) from None
    if _SURROGATE.search(text):
        # A lone surrogate cannot be stored as UTF-8 text; ASCII escapes read back as the same value.
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text


def items_json(items: object, name: str) -> str:
    """``items`` (a list of JSON item dicts, stored exactly as given) as compact JSON text."""
    if not isinstance(items, list | tuple):
        raise UsageError(f"{name} must be a list of JSON item dicts, got {type(items).__name__}")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise UsageError(
                f"{name}[{index}] must be a dict (the JSON item as sent to or received from the API), "
                f"got {type(item).__name__}"
            )
    return _to_json(list(items), name)


@dataclass(frozen=True, slots=True)
class FinishedRun:
    """What :meth:`~routerkit.db.base.BaseStore.finish_run` records, checked and encoded."""

    status: str
    output_json: str
    content: str | None
    model: str | None
    metrics_json: str
    updated_at: float


def finished_run(
    *, status: object, output_items: object, content: object, model: object, metrics: object, now: float
) -> FinishedRun:
    """Check the arguments of ``finish_run``; display text (content, model) is made encodable."""
    if status not in FINAL_STATUSES:
        raise UsageError(f"status must be one of {', '.join(sorted(FINAL_STATUSES))}; got {status!r}")
    if content is not None and not isinstance(content, str):
        raise UsageError(f"content must be a string or None, got {type(content).__name__}")
    if model is not None and not isinstance(model, str):
        raise UsageError(
            "model must be the id of the model that answered (a string such as 'openai/gpt-4o') or None, "
            f"not a {type(model).__name__} object"
        )
    if not isinstance(metrics, Mapping):
        raise UsageError(f"metrics must be a dict, got {type(metrics).__name__}")
    return FinishedRun(
        status=str(status),
        output_json=items_json(output_items, "output_items"),
        content=None if content is None else encodable(content),
        model=None if model is None else encodable(model),
        metrics_json=_to_json(dict(metrics), "metrics"),
        updated_at=now,
    )


@dataclass(frozen=True, slots=True)
class RunRow:
    """One run as a store keeps it: the JSON columns still encoded."""

    session_id: str
    run_id: str
    status: str
    input_json: str
    output_json: str
    content: str | None
    model: str | None
    metrics_json: str
    created_at: float
    updated_at: float

    def decode(self, status: str) -> StoredRun:
        """The run as read back, reported with ``status`` (a store may report ``"running"`` as interrupted)."""
        return StoredRun(
            run_id=self.run_id,
            session_id=self.session_id,
            status=status,
            input_items=json.loads(self.input_json),
            output_items=json.loads(self.output_json),
            content=self.content,
            model=self.model,
            metrics=json.loads(self.metrics_json),
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def _title(input_json: str) -> str | None:
    """The text of the first user message among the items, whitespace collapsed, truncated and encodable."""
    try:
        items = json.loads(input_json)
    except ValueError:
        return None
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or item.get("role") != "user" or item.get("type", "message") != "message":
            continue
        content = item.get("content")
        if isinstance(content, str):
            text = content
        elif isinstance(content, list):
            text = " ".join(
                part["text"]
                for part in content
                if isinstance(part, dict) and part.get("type") == "input_text" and isinstance(part.get("text"), str)
            )
        else:
            continue
        text = " ".join(encodable(text).split())
        if text:
            return text if len(text) <= _TITLE_LENGTH else text[: _TITLE_LENGTH - 1].rstrip() + "…"
    return None


def _cost(metrics_json: str) -> float:
    try:
        metrics = json.loads(metrics_json)
    except ValueError:
        return 0.0
    cost = metrics.get("cost") if isinstance(metrics, dict) else None
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        return float(cost)
    return 0.0


@dataclass(slots=True)
class _Tally:
    runs: int
    created_at: float
    updated_at: float
    cost: float = 0.0
    title: str | None = None


def sessions_from_rows(rows: Iterable[tuple[str, float, float, str, str]]) -> list[SessionInfo]:
    """Summaries from ``(session_id, created_at, updated_at, input_json, metrics_json)`` rows in run order.

    Most recently updated first; the title comes from the session's first run that has user text.
    """
    tallies: dict[str, _Tally] = {}
    for session_id, created, updated, input_json, metrics_json in rows:
        tally = tallies.get(session_id)
        if tally is None:
            tally = tallies[session_id] = _Tally(0, created, updated)
        tally.runs += 1
        tally.created_at = min(tally.created_at, created)
        tally.updated_at = max(tally.updated_at, updated)
        tally.cost += _cost(metrics_json)
        if tally.title is None:
            tally.title = _title(input_json)
    infos = [
        SessionInfo(session_id, t.runs, t.created_at, t.updated_at, t.cost, t.title)
        for session_id, t in tallies.items()
    ]
    infos.sort(key=lambda info: (info.updated_at, info.session_id), reverse=True)
    return infos
