"""Items and runs the store tests write: one user message, one assistant answer, one whole run."""

from __future__ import annotations

from typing import Any

from routerkit.db import SessionStore

__all__ = ["add_run", "answer", "user"]


def user(text: str) -> dict[str, Any]:
    """A user message item, as the agent stores it."""
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def answer(text: str) -> dict[str, Any]:
    """An assistant message item, as the agent stores it."""
    return {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}


def add_run(
    store: SessionStore,
    session_id: str,
    run_id: str,
    *,
    status: str = "completed",
    text: str = "hi",
    metrics: dict[str, Any] | None = None,
    content: str | None = "ok",
) -> None:
    """Start and finish one run: the user's `text` in, `content` out, `metrics` (3 input tokens by default)."""
    store.start_run(session_id, run_id, [user(text)])
    store.finish_run(
        session_id,
        run_id,
        status=status,
        output_items=[answer(content or "")],
        content=content,
        model="openai/gpt-4o",
        metrics=metrics if metrics is not None else {"input_tokens": 3},
    )
