"""The recorded ways real OpenRouter output breaks its schema: each is in the recording it cites, the
emulator's realistic ids reproduce each (clean mode none), and the client reads through each over real
HTTP — sync, async and streamed — to the same answer as from the clean output."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from routerkit.wire._events import ReasoningDelta, TextDelta

from ..models.test_models_emulator import DRIVERS, call
from ..openapi_schema import OpenAPIValidationError, errors
from ..recorded import MORE_DIR, RECORDED_DIR, load
from .helpers import sse_events, stream, validate
from .quirks import QUIRKS, Quirk, validate_emulated

CLEAN = {"X-Emulator-Mode": "clean"}
PROMPT = "Why is the sky blue"


def _recorded_instances(quirk: Quirk) -> list[dict[str, Any]]:
    """The events (or JSON bodies) of the responses in the recording `quirk` cites."""
    path = RECORDED_DIR / quirk.recording
    if path.suffix == ".yaml":
        calls = [c for c in load(path.stem) if c.is_responses_call]
    else:
        assert path.parent == MORE_DIR and path.is_file()
        calls = [None]
    out: list[dict[str, Any]] = []
    for c in calls:
        body = path.read_bytes() if c is None else c.body
        if quirk.streamed:
            out += sse_events(body)
        else:
            out.append(json.loads(body))
    return out


@pytest.mark.parametrize("quirk", QUIRKS, ids=lambda q: q.name)
def test_each_quirk_is_in_the_recording_it_cites(quirk: Quirk) -> None:
    shown = [i for i in _recorded_instances(quirk) if quirk.without(i) is not None]
    assert shown, f"{quirk.recording} does not show {quirk.name!r}"
    for instance in shown:
        before = errors(quirk.schema, instance)
        fixed = quirk.without(instance)
        assert fixed is not None
        # A real deviation from the published schema, and the quirk takes out that one and nothing else
        # (the older `more/comerge-smoke` bodies also lack fields the schema made required later).
        ours = {e for e in before if e.startswith(quirk.error)}
        assert ours and errors(quirk.schema, fixed) == before - ours


def test_realistic_ids_reproduce_every_quirk_and_clean_mode_none(client: httpx2.Client) -> None:
    body = {"model": "openai/gpt-oss-20b", "input": PROMPT}
    _, data = stream(client, body)
    shown = {name for event in sse_events(data) for name in validate_emulated("StreamEvents", event)}
    assert shown == {q.name for q in QUIRKS if q.streamed}
    r = client.post("/responses", json=body)
    assert validate_emulated("OpenResponsesResult", r.json()) == [q.name for q in QUIRKS if not q.streamed]

    _, data = stream(client, body, headers=CLEAN)
    for event in sse_events(data):
        validate("StreamEvents", event)
    validate("OpenResponsesResult", client.post("/responses", json=body, headers=CLEAN).json())


def test_the_quirk_allow_list_lets_nothing_else_through() -> None:
    event = {"type": "response.content_part.added", "item_id": "rs_1", "output_index": 0, "content_index": 0}
    with pytest.raises(AssertionError):  # a reasoning part with a field no recording shows
        validate_emulated("StreamEvents", {**event, "part": {"type": "reasoning_text", "text": "", "x": 1}})
    with pytest.raises(OpenAPIValidationError):  # any other part type stays an error
        validate_emulated("StreamEvents", {**event, "part": {"type": "summary_text", "text": ""}})


@pytest.mark.parametrize("driver", DRIVERS)
async def test_the_client_reads_through_every_quirk(make_model: Any, driver: str) -> None:
    messy, messy_events = await call(make_model("openai/gpt-oss-20b"), driver, PROMPT)
    clean, clean_events = await call(make_model("openai/gpt-oss-20b", extra_headers=CLEAN), driver, PROMPT)
    assert messy.status == clean.status == "completed"  # no `status` in the JSON body: completed all the same
    assert messy.text == clean.text and messy.text and messy.reasoning_text not in messy.text
    assert messy.reasoning_text == clean.reasoning_text and messy.reasoning_text
    # `"usage": null` while in progress does not hide the final counts
    assert messy.usage.input_tokens == clean.usage.input_tokens > 0
    assert messy.usage.output_tokens == clean.usage.output_tokens > 0 and messy.usage.cost == clean.usage.cost
    if driver.endswith("stream"):
        for events, response in ((messy_events, messy), (clean_events, clean)):
            assert "".join(e.delta for e in events if type(e) is ReasoningDelta) == response.reasoning_text
            assert "".join(e.delta for e in events if type(e) is TextDelta) == response.text
