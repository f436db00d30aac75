"""Every routerkit error survives pickling (multiprocessing, Ray and batch workers send them between processes)
with its message and facts intact."""

from __future__ import annotations

import pickle

import pytest

from routerkit import errors

CASES = [
    errors.UsageError("temperature must be between 0 and 2, got 5"),
    errors.RateLimitError("slow down", status=429, code=429, models=["a/b"], generation_id="gen-1", retry_after=2.0),
    errors.StreamInterruptedError("broke", models=["a/b"], partial_text="half an answer"),
    errors.UnknownToolError("get_wether", ["get_weather"]),
    errors.MCPError("tool 'hang' of MCP server 'srv' did not answer within 10 s", server="'srv'", tool="hang"),
]


@pytest.mark.parametrize("error", CASES, ids=lambda e: type(e).__name__)
def test_round_trip_keeps_message_and_facts(error: Exception) -> None:
    error.run_output = "kept"  # type: ignore[attr-defined]  # the agent attaches the run to errors it raises
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert vars(back) == vars(error)
