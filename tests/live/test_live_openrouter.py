"""Opt-in checks against the real OpenRouter: `ROUTERKIT_LIVE=1 OPENROUTER_API_KEY=… python -m pytest tests/live`.

Skipped everywhere else (CI has no network). They cost a few hundredths of a cent, and check the facts the
emulator stands in for: the seed's example answers, reasoning arrives apart from the answer, the served model
and the cost are reported, and a bad model id comes back as a typed error.
"""

from __future__ import annotations

import os

import pytest

from routerkit.agent import Agent, ReasoningContentDeltaEvent, RunCompletedEvent
from routerkit.errors import BadRequestError
from routerkit.models.openrouter import OpenRouterResponses

# Read at import: the suite's autouse fixture removes OPENROUTER_* from the environment of every test.
LIVE_KEY = os.environ.get("OPENROUTER_API_KEY") if os.environ.get("ROUTERKIT_LIVE") == "1" else None

pytestmark = pytest.mark.skipif(LIVE_KEY is None, reason="live test: set ROUTERKIT_LIVE=1 and OPENROUTER_API_KEY")


def seed_model(**overrides: object) -> OpenRouterResponses:
    options: dict[str, object] = {
        "id": "openai/gpt-oss-20b",
        "reasoning": {"enabled": True},
        "models": ["openai/gpt-oss-20b", "openai/gpt-4o"],
        "api_key": LIVE_KEY,
        "app_title": "routerkit live tests",
    }
    options.update(overrides)
    return OpenRouterResponses(**options)  # type: ignore[arg-type]


def test_seed_example_streams_reasoning_then_answer_with_model_and_cost():
    events = list(Agent(model=seed_model()).run("Write a haiku about coding", stream=True))
    out = events[-1].output
    assert isinstance(events[-1], RunCompletedEvent) and out.status == "completed"
    assert out.content
    assert out.model and out.model.startswith(("openai/gpt-oss-20b", "openai/gpt-4o"))  # from the list, maybe dated
    assert out.metrics.cost is not None and out.metrics.cost > 0
    assert out.metrics.time_to_first_token is not None
    if any(isinstance(e, ReasoningContentDeltaEvent) for e in events):
        assert out.reasoning_content and out.content not in out.reasoning_content


def test_unknown_model_is_a_typed_error():
    with pytest.raises(BadRequestError) as info:
        Agent(model=seed_model(id="routerkit/no-such-model", models=None, reasoning=None)).run("hi")
    assert info.value.status in (400, 404) and info.value.message
