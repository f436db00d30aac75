"""Values crossing a store's boundary: checked and encoded on the way in, decoded and summarised on the way out.

Every store goes through these functions (via :class:`~routerkit.db.base.SessionStore`), so they refuse the same
arguments, store the same JSON text and report the same titles and costs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from routerkit.errors import UsageError

from ._types import FINAL_STATUSES, RUN_STATUSES, SessionInfo, StoredRun

__all__ = [
    "FinishedRun",
    "RunRow",
    "check_id",
    "check_limit",
    "check_statuses",
    "check_user_id",
    "encodable",
    "finished_run",
    "imported_row",
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


def _shown(value: object) -> str:
    """``repr(value)`` cut to a readable length, for error messages about arguments of any size."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_id(value: object, name: str) -> str:
    """A session or run id: a non-empty string that can be stored as it is (ids are keys, never rewritten)."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{name} must be a non-empty string, got {_shown(value)}")
    if _SURROGATE.search(value):
        raise UsageError(f"{name} must be valid Unicode text; {_shown(value)} contains a lone surrogate")
    return value


def check_user_id(value: object) -> str | None:
    """``None`` (no user) or a user id, checked like a session id."""
    return None if value is None else check_id(value, "user_id")


def check_limit(limit: object) -> int | None:
    """``None`` (every run) or a count of runs, ``0`` meaning none."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise UsageError(
            f"limit must be a non-negative integer (0 returns no runs) or None for all, got {_shown(limit)}"
        )
    return limit


def check_statuses(statuses: object) -> frozenset[str]:
    """The set of statuses asked for; a bare string is refused, since ``"completed"`` would read as letters."""
    if isinstance(statuses, str | bytes) or not isinstance(statuses, Collection):
        raise UsageError(f"statuses must be a collection of statuses such as ('completed',), got {_shown(statuses)}")
    unknown = [status for status in statuses if not isinstance(status, str) or status not in RUN_STATUSES]
    if unknown:
        raise UsageError(f"statuses may only contain {', '.join(sorted(RUN_STATUSES))}; got {_shown(unknown)}")
    return frozenset(statuses)


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
"""`json.dumps` with these options, without building an encoder per call (every run writes three columns)."""


def _to_json(value: Any, what: str) -> str:
    """Compact JSON text for a column; ``what`` names the argument in errors."""
    try:
        text = _compact(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise UsageError(
            f"{what} must hold only JSON values (dict, list, str, int, float, bool, None): {exc}"
        ) from None
    try:
        text.encode("utf-8")  # much faster than searching for surrogates
    except UnicodeEncodeError:
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
    """What :meth:`~routerkit.db.base.SessionStore.finish_run` records, checked and encoded."""

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
    if not isinstance(status, str) or status not in FINAL_STATUSES:
        raise UsageError(f"status must be one of {', '.join(sorted(FINAL_STATUSES))}; got {_shown(status)}")
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
        status=status,
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
    user_id: str | None = None

    def decode(self, status: str) -> StoredRun:
        """The run as read back, reported with ``status`` (a store may report ``"running"`` as interrupted).

        A file may have been edited by other software, so every column is checked: ``ValueError`` names the
        first one that does not hold what routerkit wrote.
        """
        content, model = self.content, self.model
        texts = (content, model, self.user_id)
        if not all(text is None or isinstance(text, str) for text in texts):
            raise ValueError("its content, model or user_id is not text")
        if not isinstance(self.created_at, int | float) or not isinstance(self.updated_at, int | float):
            raise ValueError("its timestamps are not numbers")
        return StoredRun(
            run_id=self.run_id,
            session_id=self.session_id,
            status=status,
            input_items=_load(self.input_json, list, "input_items"),
            output_items=_load(self.output_json, list, "output_items"),
            content=content,
            model=model,
            metrics=_load(self.metrics_json, dict, "metrics"),
            created_at=float(self.created_at),
            updated_at=float(self.updated_at),
            user_id=self.user_id,
        )


def imported_row(run: object) -> RunRow:
    """A run read from another store, checked like the arguments of ``start_run`` and ``finish_run``.

    Its ids, times and user are kept; a ``"running"`` run becomes ``"interrupted"``, since nothing in the store
    it moves to will finish it.
    """
    if not isinstance(run, StoredRun):
        raise UsageError(f"runs must be StoredRun values (as get_runs returns them), got {type(run).__name__}")
    status = "interrupted" if run.status == "running" else run.status
    if status not in FINAL_STATUSES:
        raise UsageError(f"a run's status must be one of {', '.join(sorted(RUN_STATUSES))}; got {_shown(status)}")
    times = (run.created_at, run.updated_at)
    if not all(isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) for t in times):
        raise UsageError(f"a run's created_at and updated_at must be finite numbers, got {_shown(times)}")
    for name in ("content", "model"):
        if getattr(run, name) is not None and not isinstance(getattr(run, name), str):
            raise UsageError(f"a run's {name} must be a string or None, got {type(getattr(run, name)).__name__}")
    if not isinstance(run.metrics, Mapping):
        raise UsageError(f"a run's metrics must be a dict, got {type(run.metrics).__name__}")
    return RunRow(
        session_id=check_id(run.session_id, "session_id"),
        run_id=check_id(run.run_id, "run_id"),
        status=status,
        input_json=items_json(run.input_items, "input_items"),
        output_json=items_json(run.output_items, "output_items"),
        content=None if run.content is None else encodable(run.content),
        model=None if run.model is None else encodable(run.model),
        metrics_json=_to_json(dict(run.metrics), "metrics"),
        created_at=float(run.created_at),
        updated_at=float(run.updated_at),
        user_id=check_user_id(run.user_id),
    )


_J = TypeVar("_J", list[Any], dict[str, Any])


def _load(text: object, kind: type[_J], column: str) -> _J:
    """A JSON column read back; ``ValueError`` if it is not JSON text of the ``kind`` routerkit writes."""
    try:
        value = json.loads(text)  # type: ignore[arg-type]  # checked below: anything else is damage
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"its {column} column is not valid JSON") from exc
    if not isinstance(value, kind):
        raise ValueError(f"its {column} column holds {type(value).__name__}, not {kind.__name__}")
    return value


def _title(input_json: str) -> str | None:
    """The text of the first user message among the items, whitespace collapsed, truncated and encodable."""
    try:
        items = json.loads(input_json)
    except (TypeError, ValueError, RecursionError):
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
    """``metrics["cost"]`` when it is a finite number, else 0 (a foreign file may hold anything there)."""
    try:
        metrics = json.loads(metrics_json)
        cost = metrics.get("cost") if isinstance(metrics, dict) else None
        value = float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else 0.0
    except (TypeError, ValueError, RecursionError, OverflowError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _time(value: object) -> float | None:
    """A timestamp column as a float, or ``None`` if a foreign edit left something else there."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


@dataclass(slots=True)
class _Tally:
    runs: int = 0
    created_at: float | None = None
    updated_at: float | None = None
    cost: float = 0.0
    title: str | None = None
    user_id: str | None = None


def sessions_from_rows(rows: Iterable[tuple[object, object, object, str, str, object]]) -> list[SessionInfo]:
    """Summaries from ``(session_id, created_at, updated_at, input_json, metrics_json, user_id)`` rows in run
    order.

    Most recently updated first; the title comes from the session's first run that has user text. A row a
    foreign edit left without a text session id is skipped, and a timestamp that is not a number is ignored.
    """
    tallies: dict[str, _Tally] = {}
    for session_id, created, updated, input_json, metrics_json, user_id in rows:
        if not isinstance(session_id, str):
            continue
        tally = tallies.setdefault(session_id, _Tally())
        tally.runs += 1
        times = [t for t in (tally.created_at, _time(created)) if t is not None]
        tally.created_at = min(times) if times else None
        times = [t for t in (tally.updated_at, _time(updated)) if t is not None]
        tally.updated_at = max(times) if times else None
        tally.cost += _cost(metrics_json)
        if tally.title is None:
            tally.title = _title(input_json)
        if isinstance(user_id, str):
            tally.user_id = user_id
    infos = [
        SessionInfo(sid, t.runs, t.created_at or 0.0, t.updated_at or 0.0, t.cost, t.title, t.user_id)
        for sid, t in tallies.items()
    ]
    infos.sort(key=lambda info: (info.updated_at, info.session_id), reverse=True)
    return infos
