"""ResponseStream: recorded OpenRouter streams and synthetic quirks, fed in arbitrary chunks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routerkit.emulator import encode_event
from routerkit.errors import (
    APIError,
    ResponseFailedError,
    RouterkitError,
    StreamInterruptedError,
)
from routerkit.wire._events import (
    FunctionCallArgumentsDelta,
    FunctionCallEvent,
    ReasoningDelta,
    ResponseCompleted,
    StreamEvent,
    TextDelta,
)
from routerkit.wire._response import FunctionCall, ModelResponse, Usage, build_response
from routerkit.wire._stream import ResponseStream
from tests.recorded import Interaction, load, responses_calls

from .streams import (
    completed,
    function_call_item,
    message_item,
    reasoning_item,
    text_events,
    text_stream,
    wire,
)


def run(
    chunks: list[bytes], model: str = "openai/gpt-oss-20b", **kwargs: Any
) -> tuple[list[StreamEvent], ResponseStream]:
    stream = ResponseStream(model, **kwargs)
    events: list[StreamEvent] = []
    for chunk in chunks:
        events += stream.feed(chunk)
    events += stream.close()
    return events, stream


def drain(stream: ResponseStream, chunks: list[bytes], sink: list[StreamEvent]) -> None:
    """Feed every chunk then close, collecting events into `sink` so they are kept if something raises."""
    for chunk in chunks:
        sink += stream.feed(chunk)
    sink += stream.close()


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def final(events: list[StreamEvent]) -> ModelResponse:
    assert isinstance(events[-1], ResponseCompleted), events[-1]
    assert sum(isinstance(e, ResponseCompleted) for e in events) == 1
    return events[-1].response


# What each recorded stream must produce. Values read from the cassettes by hand, not by this code.
@dataclass(frozen=True)
class Expected:
    model: str
    text: str
    usage: Usage
    reasoning_text: str = ""
    reasoning_summary: str = ""
    reasoning_encrypted: bool = False
    calls: tuple[FunctionCall, ...] = ()
    output_types: tuple[str, ...] = ("message",)


EXPECTED: dict[str, Expected] = {
    "llm-openrouter__test_prompt#1": Expected(
        "openai/gpt-4o",
        "Skipper or Sundance",
        Usage(
            17,
            4,
            21,
            cached_tokens=0,
            reasoning_tokens=0,
            cost=0.0000825,
            is_byok=False,
            upstream_cost=8.25e-05,
            input_cost=4.25e-05,
            output_cost=4e-05,
        ),
    ),
    "llm-openrouter__test_image_prompt#1": Expected(
        "openai/gpt-4.1-mini",
        "Red green blocks",
        Usage(
            101,
            4,
            105,
            cached_tokens=0,
            reasoning_tokens=0,
            cost=0.0000468,
            is_byok=False,
            upstream_cost=4.68e-05,
            input_cost=4.04e-05,
            output_cost=6.4e-06,
        ),
    ),
    "llm-openrouter__test_reasoning#1": Expected(
        "openai/gpt-5-nano",
        "4",
        Usage(
            20,
            19,
            39,
            cached_tokens=0,
            reasoning_tokens=0,
            cost=0.0000086,
            is_byok=False,
            upstream_cost=8.6e-06,
            input_cost=1e-06,
            output_cost=7.6e-06,
        ),
        reasoning_encrypted=True,
        output_types=("reasoning", "message"),
    ),
    "llm-openrouter__test_tool_calls#1": Expected(
        "openai/gpt-4.1-mini",
        "",
        Usage(
            42,
            12,
            54,
            cached_tokens=0,
            reasoning_tokens=0,
            cost=0.000036,
            is_byok=False,
            upstream_cost=3.6e-05,
            input_cost=1.68e-05,
            output_cost=1.92e-05,
        ),
        calls=(FunctionCall("call_faKQ4JI18zZQE2oynAbvwip4", "llm_version", "{}", id="fc_tmp_blm40ohabq8"),),
        output_types=("function_call",),
    ),
    "llm-openrouter__test_tool_calls#2": Expected(
        "openai/gpt-4.1-mini",
        "The current LLM version is 0.0+test.",
        Usage(
            65,
            15,
            80,
            cached_tokens=0,
            reasoning_tokens=0,
            cost=0.00005,
            is_byok=False,
            upstream_cost=5e-05,
            input_cost=2.6e-05,
            output_cost=2.4e-05,
        ),
    ),
    "pydantic-ai__openai_responses_raw_cot_stream_openrouter#0": Expected(
        "openai/gpt-oss-20b",
        "4",
        Usage(
            78,
            37,
            115,
            cached_tokens=0,
            reasoning_tokens=22,
            cost=0.0000113,
            is_byok=False,
            upstream_cost=None,
            input_cost=3.9e-06,
            output_cost=7.4e-06,
        ),
        reasoning_text='The user asks: "What is 2+2?" They expect a straightforward answer: 4. Just answer 4.',
        output_types=("reasoning", "message"),
    ),
}

STREAMED = responses_calls(streamed=True)


def test_every_recorded_stream_has_expectations() -> None:
    assert sorted(c.name for c in STREAMED) == sorted(EXPECTED)
    assert len(STREAMED) == 6


def check_recorded(call: Interaction, events: list[StreamEvent], stream: ResponseStream) -> None:
    want = EXPECTED[call.name]
    response = final(events)
    assert response.model == want.model
    assert response.requested_model == call.request_body["model"]
    assert response.status == "completed"
    assert response.text == want.text
    assert response.usage == want.usage
    assert response.reasoning_text == want.reasoning_text
    assert response.reasoning_summary == want.reasoning_summary
    assert response.reasoning_encrypted is want.reasoning_encrypted
    assert tuple(response.function_calls) == want.calls
    assert tuple(item["type"] for item in response.output) == want.output_types
    assert response.id.startswith("gen-")  # OpenRouter's ids, not OpenAI's resp_…
    assert response.generation_id == call.headers.get("x-generation-id")
    if response.generation_id:
        assert response.id == response.generation_id
    # The answer is never copied into the reasoning, nor the reasoning into the answer.
    if want.text:
        assert response.reasoning != response.text
    # Streamed deltas agree with the final response.
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == want.text
    assert "".join(e.delta for e in events if isinstance(e, ReasoningDelta) and e.kind == "text") == (
        want.reasoning_text
    )
    assert tuple(e.call for e in events if isinstance(e, FunctionCallEvent)) == want.calls
    assert stream.partial_text == want.text
    assert stream.response is response


@pytest.mark.parametrize("call", STREAMED, ids=lambda c: c.name)
def test_recorded_stream_whole(call: Interaction) -> None:
    events, stream = run([call.body], call.request_body["model"], generation_id=call.headers.get("x-generation-id"))
    check_recorded(call, events, stream)


@pytest.mark.parametrize("call", STREAMED, ids=lambda c: c.name)
def test_recorded_stream_with_crlf_line_endings(call: Interaction) -> None:
    body = call.body.replace(b"\n", b"\r\n")
    events, stream = run(
        split(body, list(range(1, len(body), 97))),
        call.request_body["model"],
        generation_id=call.headers.get("x-generation-id"),
    )
    check_recorded(call, events, stream)


@pytest.mark.parametrize("call", STREAMED, ids=lambda c: c.name)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40))
def test_recorded_stream_in_random_chunks(call: Interaction, cuts: list[int]) -> None:
    events, stream = run(
        split(call.body, cuts), call.request_body["model"], generation_id=call.headers.get("x-generation-id")
    )
    check_recorded(call, events, stream)


def test_recorded_stream_keepalives_are_counted() -> None:
    (call,) = [c for c in STREAMED if c.cassette.startswith("pydantic-ai__openai_responses_raw_cot")]
    _, stream = run([call.body])
    assert stream.keepalives == 1
    (call,) = [c for c in STREAMED if c.cassette == "llm-openrouter__test_image_prompt"]
    _, stream = run([call.body])
    assert stream.keepalives == 2


def test_recorded_item_ids_change_between_done_and_completed_and_completed_wins() -> None:
    # In the recorded raw-CoT stream the reasoning item is `rs_tmp_2kbe7x16sax` in `output_item.done` and
    # `rs_tmp_ku4i7pagjwn` in `response.completed`; its two `output_item.done` events also come in index order
    # 1, 0. The completed event's output is what must be replayed.
    (call,) = load("pydantic-ai__openai_responses_raw_cot_stream_openrouter")
    response = final(run([call.body])[0])
    assert [item["id"] for item in response.output] == ["rs_tmp_ku4i7pagjwn", "msg_tmp_8cjof4f6zpw"]


@pytest.mark.parametrize("call", responses_calls(streamed=False), ids=lambda c: c.name)
def test_recorded_json_body_builds_the_same_kind_of_response(call: Interaction) -> None:
    response = build_response(call.request_body["model"], call.json())
    assert response.text == "OK"
    assert response.model == "openai/gpt-5.6-sol"
    assert response.status == "completed"
    assert response.reasoning == ""
    assert response.usage.input_tokens == 4020
    assert response.usage.output_tokens == 5
    assert response.usage.is_byok is False
    cached, cost = {0: (0, 0.025265), 1: (4012, 0.002196)}[call.index]
    assert response.usage.cached_tokens == cached
    assert response.usage.cost == pytest.approx(cost)


# Synthetic streams: the quirks of §4.3 and the failures of §5.4.

MULTIBYTE = ["Hé", "llo — ", "世界", " 🎉", "ñ", "", "\u00e9\u0301 done"]


@settings(max_examples=150)
@given(cuts=st.lists(st.integers(min_value=0, max_value=100_000), max_size=60))
def test_multibyte_text_survives_any_chunking(cuts: list[int]) -> None:
    body = text_stream(MULTIBYTE)
    events, _ = run(split(body, cuts))
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "".join(MULTIBYTE)
    assert final(events).text == "".join(MULTIBYTE)


@settings(max_examples=100)
@given(
    deltas=st.lists(st.text(st.characters(blacklist_categories=["Cs"])), min_size=1, max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=100_000), max_size=30),
)
def test_generated_text_survives_any_chunking(deltas: list[str], cuts: list[int]) -> None:
    events, _ = run(split(text_stream(deltas), cuts))
    assert [e.delta for e in events if isinstance(e, TextDelta)] == deltas
    assert final(events).text == "".join(deltas)


def test_multibyte_character_split_between_feeds() -> None:
    body = text_stream(["🎉"])
    cut = body.index("🎉".encode()) + 2
    stream = ResponseStream("m")
    assert stream.feed(body[:cut]) == []
    events = stream.feed(body[cut:]) + stream.close()
    assert events[0] == TextDelta("🎉")


def test_output_item_done_out_of_order_keeps_output_order() -> None:
    # earendil-works/pi #6009: the function call finishes before the reasoning item that precedes it.
    reasoning = reasoning_item("reasoning_1", encrypted="gAAAA-secret")
    call = function_call_item("bash", '{"command":"ls"}', call_id="call_9", item_id="function_call_1")
    body = wire(
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": "reasoning_1", "type": "reasoning", "summary": []},
        },
        {"type": "response.output_item.added", "output_index": 1, "item": {**call, "arguments": ""}},
        {
            "type": "response.function_call_arguments.delta",
            "output_index": 1,
            "item_id": "function_call_1",
            "delta": '{"command":"ls"}',
        },
        {"type": "response.output_item.done", "output_index": 1, "item": call},
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning},
        completed([]),
    )
    events, _ = run([body])
    assert [type(e) for e in events] == [FunctionCallArgumentsDelta, FunctionCallEvent, ResponseCompleted]
    assert events[0] == FunctionCallArgumentsDelta("function_call_1", '{"command":"ls"}', "bash")
    response = final(events)
    assert [item["id"] for item in response.output] == ["reasoning_1", "function_call_1"]
    assert response.output[0]["encrypted_content"] == "gAAAA-secret"
    assert response.function_calls == [FunctionCall("call_9", "bash", '{"command":"ls"}', id="function_call_1")]
    assert response.reasoning_encrypted is True
    assert response.reasoning == ""


def test_terminal_event_with_empty_output_uses_items_from_done_events() -> None:
    body = wire(
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning_item(summary=[])},
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 0,
            "item_id": "rs_1",
            "summary_index": 0,
            "delta": "Adding.",
        },
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning_item(summary=["Adding."])},
        {"type": "response.output_item.added", "output_index": 1, "item": message_item("", status="in_progress")},
        {"type": "response.output_text.delta", "output_index": 1, "item_id": "msg_1", "delta": "4"},
        {"type": "response.output_item.done", "output_index": 1, "item": message_item("4")},
        completed(
            [],
            usage={
                "input_tokens": 9,
                "output_tokens": 2,
                "total_tokens": 11,
                "output_tokens_details": {"reasoning_tokens": 1},
            },
        ),
    )
    response = final(run([body])[0])
    assert response.text == "4"
    assert response.reasoning_summary == "Adding."
    assert response.reasoning_text == ""
    assert [item["type"] for item in response.output] == ["reasoning", "message"]
    assert response.usage.reasoning_tokens == 1


def test_item_ids_from_completed_win_over_done_events() -> None:
    body = wire(
        {"type": "response.output_item.added", "output_index": 0, "item": message_item("", "msg_tmp_a", "in_progress")},
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_tmp_a", "delta": "hi"},
        {"type": "response.output_item.done", "output_index": 0, "item": message_item("hi", "msg_tmp_a")},
        completed([message_item("hi", "msg_final")]),
    )
    response = final(run([body])[0])
    assert [item["id"] for item in response.output] == ["msg_final"]


def test_reasoning_kinds_are_kept_apart() -> None:
    raw = reasoning_item("rs_raw", text="raw thoughts")
    summarised = reasoning_item("rs_sum", summary=["First part.", "Second part."])
    body = wire(
        {"type": "response.reasoning_text.delta", "output_index": 0, "item_id": "rs_raw", "delta": "raw thoughts"},
        {"type": "response.output_item.done", "output_index": 0, "item": raw},
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 1,
            "item_id": "rs_sum",
            "summary_index": 0,
            "delta": "First part.",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 1,
            "item_id": "rs_sum",
            "summary_index": 1,
            "delta": "Second ",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 1,
            "item_id": "rs_sum",
            "summary_index": 1,
            "delta": "part.",
        },
        {"type": "response.output_item.done", "output_index": 1, "item": summarised},
        {"type": "response.output_text.delta", "output_index": 2, "item_id": "msg_1", "delta": "Answer"},
        completed([raw, summarised, message_item("Answer")]),
    )
    events, _ = run([body])
    deltas = [e for e in events if isinstance(e, ReasoningDelta)]
    assert deltas == [
        ReasoningDelta("raw thoughts", "text"),
        ReasoningDelta("First part.", "summary"),
        ReasoningDelta("\n\nSecond ", "summary"),
        ReasoningDelta("part.", "summary"),
    ]
    response = final(events)
    assert response.reasoning_text == "raw thoughts"
    assert response.reasoning_summary == "First part.\n\nSecond part."
    assert "".join(d.delta for d in deltas if d.kind == "summary") == response.reasoning_summary
    assert response.reasoning == "raw thoughts"  # raw text preferred for display
    assert response.reasoning_encrypted is False
    assert response.text == "Answer"


def test_summary_given_as_plain_strings_is_read() -> None:
    item = {"id": "rs_1", "type": "reasoning", "summary": ["Plain string summary."]}
    response = build_response("m", {"status": "completed", "output": [item, message_item("ok")]})
    assert response.reasoning_summary == "Plain string summary."
    assert response.reasoning == "Plain string summary."
    assert response.text == "ok"


def test_encrypted_only_reasoning_is_flagged_not_shown() -> None:
    response = build_response("m", {"output": [reasoning_item(encrypted="gAAA"), message_item("4")]})
    assert response.reasoning_encrypted is True
    assert response.reasoning == ""
    assert response.text == "4"


def test_refusal_is_the_answer_text() -> None:
    refusal_item = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "refusal", "refusal": "I can't help with that."}],
    }
    body = wire(
        {"type": "response.refusal.delta", "output_index": 0, "item_id": "msg_1", "delta": "I can't help with that."},
        completed([refusal_item]),
    )
    events, _ = run([body])
    assert events[0] == TextDelta("I can't help with that.")
    assert final(events).text == "I can't help with that."


def test_served_model_is_reported_after_fallback() -> None:
    response = final(
        run(
            [text_stream(["hi"], model="openai/gpt-4o")],
            "openai/gpt-oss-20b",
            models=["openai/gpt-oss-20b", "openai/gpt-4o"],
        )[0]
    )
    assert response.model == "openai/gpt-4o"
    assert response.requested_model == "openai/gpt-oss-20b"
    assert response.fallback_used is True
    same = final(run([text_stream(["hi"], model="openai/gpt-oss-20b")], "openai/gpt-oss-20b")[0])
    assert same.fallback_used is False


@pytest.mark.parametrize(
    ("requested", "served", "fallback"),
    [
        ("openai/gpt-4o", "openai/gpt-4o", False),
        ("openai/gpt-4o", "openai/gpt-4o-2024-08-06", False),
        ("openai/gpt-5-nano", "openai/gpt-5-nano-20250807", False),
        ("openai/gpt-oss-20b:free", "openai/gpt-oss-20b", False),
        ("openai/gpt-4o", "openai/gpt-4o-mini", True),
        ("openai/gpt-4o", "openai/gpt-4o-mini-2024-07-18", True),
        ("openai/gpt-oss-20b", "openai/gpt-4o", True),
    ],
)
def test_fallback_is_a_different_model_not_a_dated_name(requested: str, served: str, fallback: bool) -> None:
    response = final(run([text_stream(["x"], model=served)], requested)[0])
    assert response.fallback_used is fallback


def test_failure_is_raised_again_on_later_calls() -> None:
    stream = ResponseStream("m")
    body = wire({"type": "response.output_text.delta", "delta": "a"}, {"type": "error", "message": "gone"})
    assert stream.feed(body) == [TextDelta("a")]
    with pytest.raises(ResponseFailedError):
        stream.feed(b"")
    with pytest.raises(ResponseFailedError):
        stream.close()


def test_openrouter_metadata_on_the_final_event_is_kept() -> None:
    meta = {"requested": "openai/gpt-oss-20b", "strategy": "fallback", "attempt": 2}
    body = wire(completed([message_item("x")], openrouter_metadata=meta))
    assert final(run([body])[0]).openrouter_metadata == meta


def test_openai_event_line_framing_is_accepted() -> None:
    # OpenAI's own framing: `event:` lines, no [DONE]. Dispatch is on the JSON type either way.
    body = b"".join(encode_event(event, "openai") for event in text_events(["a", "b"]))
    assert body.startswith(b"event: response.created\ndata: {") and b"[DONE]" not in body
    response = final(run([body])[0])
    assert response.text == "ab"


def test_event_type_taken_from_event_line_when_json_has_none() -> None:
    body = (
        b'event: response.output_text.delta\ndata: {"delta":"x"}\n\n'
        + b'event: response.completed\ndata: {"response":{"status":"completed","output":[]}}\n\n'
    )
    events, _ = run([body])
    assert events[0] == TextDelta("x")
    assert final(events).text == "x"


def test_unknown_events_and_extra_fields_are_ignored() -> None:
    plain = run([text_stream(["a", "b"])])[0]
    noisy_body = wire(
        {"type": "response.debug", "debug": {"echo_upstream_body": {"x": 1}}, "sequence_number": 1},
        {"type": "response.fusion_call.started", "whatever": [1, 2]},
        {"type": "response.web_search_call.searching", "item_id": "ws_1", "output_index": 5},
        {
            "type": "response.content_part.added",
            "output_index": 0,
            "item_id": "msg_1",
            "content_index": 0,
            "part": {"type": "output_text", "text": ""},
        },
        {"type": "response.queued"},
        {"no_type": True},
        [1, 2, 3],  # type: ignore[list-item]  # valid JSON that is not an object
        done=False,
    ).replace(b"data: [1, 2, 3]", b"data: [1, 2, 3]")
    body = text_stream(["a", "b"])
    events, _ = run([noisy_body, body])
    assert [e for e in events if not isinstance(e, ResponseCompleted)] == [
        e for e in plain if not isinstance(e, ResponseCompleted)
    ]
    assert final(events).text == "ab"
    with_extras = body.replace(b'"delta":"a"', b'"delta":"a","future_field":{"nested":true},"obfuscation":"x"')
    assert with_extras != body
    assert final(run([with_extras])[0]).text == "ab"


def test_events_after_the_terminal_event_are_ignored() -> None:
    stream = ResponseStream("m")
    events = stream.feed(text_stream(["done"]))
    assert final(events).text == "done"
    assert stream.feed(b"data: not json at all\n\n" + text_stream(["again"])) == []
    assert stream.close() == []


def test_response_incomplete_is_returned_with_its_reason() -> None:
    body = wire(
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_1", "delta": "The beginning"},
        completed(
            [message_item("The beginning")],
            status="incomplete",
            kind="response.incomplete",
            incomplete_details={"reason": "max_output_tokens"},
        ),
    )
    response = final(run([body])[0])
    assert response.status == "incomplete"
    assert response.incomplete_reason == "max_output_tokens"
    assert response.text == "The beginning"


def test_response_incomplete_with_empty_output_keeps_streamed_text() -> None:
    body = wire(
        {"type": "response.output_item.added", "output_index": 0, "item": message_item("", status="in_progress")},
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_1", "delta": "Partial ans"},
        completed(
            [], status="incomplete", kind="response.incomplete", incomplete_details={"reason": "max_output_tokens"}
        ),
    )
    response = final(run([body])[0])
    assert (response.status, response.incomplete_reason, response.text) == (
        "incomplete",
        "max_output_tokens",
        "Partial ans",
    )


def test_response_failed_raises_with_partial_text_and_metadata() -> None:
    body = wire(
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_1", "delta": "Half an "},
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_1", "delta": "answer"},
        {
            "type": "response.failed",
            "response": {
                "id": "gen-9-x",
                "status": "failed",
                "error_type": "server",
                "error": {"code": "server_error", "message": "Internal server error"},
            },
        },
    )
    stream = ResponseStream("openai/gpt-oss-20b", models=["openai/gpt-oss-20b", "openai/gpt-4o"])
    delivered: list[StreamEvent] = []
    with pytest.raises(ResponseFailedError) as info:
        drain(stream, [body], delivered)
    # The output that arrived before the failure reaches the caller before the exception does.
    assert delivered == [TextDelta("Half an "), TextDelta("answer")]
    exc = info.value
    assert exc.partial_text == "Half an answer"
    assert exc.code == "server_error"
    assert exc.message == "Internal server error"
    assert exc.metadata == {"error_type": "server"}
    assert exc.generation_id == "gen-9-x"
    assert exc.models == ["openai/gpt-oss-20b", "openai/gpt-4o"]
    assert "Internal server error" in str(exc) and "openai/gpt-oss-20b" in str(exc)


ERROR_EVENTS = {
    "flat (OpenAPI ErrorEvent)": {
        "type": "error",
        "code": "rate_limit_exceeded",
        "param": None,
        "message": "Rate limit exceeded. Please try again later.",
        "sequence_number": 2,
    },
    "nested (prose docs)": {
        "type": "error",
        "error": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded. Please try again later."},
    },
    "response.error": {
        "type": "response.error",
        "error": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded. Please try again later."},
    },
}


@pytest.mark.parametrize("event", ERROR_EVENTS.values(), ids=ERROR_EVENTS.keys())
@pytest.mark.parametrize("after_output", [False, True])
def test_error_events_raise_response_failed(event: dict[str, Any], after_output: bool) -> None:
    before = [{"type": "response.output_text.delta", "delta": "so far"}] if after_output else []
    stream = ResponseStream("m")
    delivered: list[StreamEvent] = []
    with pytest.raises(ResponseFailedError) as info:
        drain(stream, [wire(*before, event)], delivered)
    assert delivered == ([TextDelta("so far")] if after_output else [])
    assert info.value.code == "rate_limit_exceeded"
    assert info.value.message == "Rate limit exceeded. Please try again later."
    assert info.value.partial_text == ("so far" if after_output else "")


def test_error_event_without_message_still_says_something() -> None:
    with pytest.raises(ResponseFailedError, match="failure"):
        drain(ResponseStream("m"), [wire({"type": "error"})], [])


def test_end_without_terminal_event_is_interrupted_with_partial_text() -> None:
    stream = ResponseStream("openai/gpt-oss-20b", generation_id="gen-7")
    events = stream.feed(text_stream(["Once upon", " a time"], terminal=False))
    assert [e.delta for e in events if isinstance(e, TextDelta)] == ["Once upon", " a time"]
    with pytest.raises(StreamInterruptedError) as info:
        stream.close()
    assert info.value.partial_text == "Once upon a time"
    assert info.value.generation_id == "gen-7"
    assert info.value.models == ["openai/gpt-oss-20b"]


def test_done_sentinel_without_terminal_event_is_still_interrupted() -> None:
    stream = ResponseStream("m")
    stream.feed(wire({"type": "response.created", "response": {"id": "x", "status": "in_progress", "output": []}}))
    with pytest.raises(StreamInterruptedError):
        stream.close()


def test_empty_stream_is_interrupted() -> None:
    with pytest.raises(StreamInterruptedError) as info:
        ResponseStream("m").close()
    assert info.value.partial_text == ""


def test_some_opened_items_not_done_is_interrupted() -> None:
    body = wire(
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning_item()},
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning_item(text="t")},
        {"type": "response.output_item.added", "output_index": 1, "item": message_item("", status="in_progress")},
        {"type": "response.output_text.delta", "output_index": 1, "item_id": "msg_1", "delta": "cut"},
        done=False,
    )
    stream = ResponseStream("m")
    stream.feed(body)
    with pytest.raises(StreamInterruptedError) as info:
        stream.close()
    assert info.value.partial_text == "cut"


def test_all_opened_items_done_then_eof_completes() -> None:
    # moeru-ai/airi #2593: OpenRouter may close a valid stream after the last `output_item.done`.
    created = {
        "type": "response.created",
        "response": {"id": "gen-5-q", "model": "openai/gpt-4o", "status": "in_progress", "output": []},
    }
    body = wire(
        created,
        {"type": "response.output_item.added", "output_index": 0, "item": message_item("", status="in_progress")},
        {"type": "response.output_text.delta", "output_index": 0, "item_id": "msg_1", "delta": "Complete"},
        {"type": "response.output_item.done", "output_index": 0, "item": message_item("Complete")},
        {"type": "response.output_item.added", "output_index": 1, "item": {**function_call_item(), "arguments": ""}},
        {"type": "response.output_item.done", "output_index": 1, "item": function_call_item()},
        done=False,
    )
    events, _ = run([body])
    response = final(events)
    assert response.status == "completed"
    assert response.text == "Complete"
    assert response.model == "openai/gpt-4o"
    assert response.id == "gen-5-q"
    assert [c.name for c in response.function_calls] == ["get_weather"]
    assert response.usage == Usage()


@pytest.mark.parametrize(
    "bad_line",
    [
        b'data: {"type":"response.output_text.delta","delta":"x"\n\n',
        b"data: \xff\xfe\n\n",
        b"data: NaN-ish\n\n",
        b"data: " + b"[" * 200_000 + b"\n\n",
    ],
    ids=["truncated JSON", "invalid UTF-8", "not JSON", "nested too deep"],
)
def test_malformed_data_line_is_interrupted_with_partial_text(bad_line: bytes) -> None:
    stream = ResponseStream("m")
    stream.feed(wire({"type": "response.output_text.delta", "delta": "before"}, done=False))
    with pytest.raises(StreamInterruptedError) as info:
        stream.feed(bad_line)
    assert info.value.partial_text == "before"
    assert "malformed" in info.value.message


def test_malformed_final_block_is_interrupted_at_close() -> None:
    stream = ResponseStream("m")
    stream.feed(b'data: {"type":"response.output_text.delta","delta":"a"}\n\ndata: {"trunc')
    with pytest.raises(StreamInterruptedError) as info:
        stream.close()
    assert info.value.partial_text == "a"


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "first_output",
    [
        {"type": "response.output_text.delta", "delta": "x"},
        {"type": "response.reasoning_text.delta", "delta": "x"},
        {"type": "response.reasoning_summary_text.delta", "delta": "x", "summary_index": 0},
        {"type": "response.function_call_arguments.delta", "delta": "{"},
        {"type": "response.output_item.done", "output_index": 0, "item": function_call_item()},
    ],
    ids=lambda e: e["type"],
)
def test_time_to_first_token_is_measured_at_the_first_output_delta(first_output: dict[str, Any]) -> None:
    clock = FakeClock(1000.0)
    stream = ResponseStream("m", clock=clock)
    clock.now = 1001.0
    assert stream.feed(b": OPENROUTER PROCESSING\n\n") == []
    clock.now = 1002.0
    stream.feed(
        wire(
            {"type": "response.created", "response": {"status": "in_progress", "output": []}},
            {"type": "response.in_progress", "response": {"status": "in_progress", "output": []}},
            {"type": "response.output_item.added", "output_index": 0, "item": reasoning_item()},
            done=False,
        )
    )
    assert stream.output_started is False
    assert stream.first_output_at is None
    clock.now = 1005.5
    stream.feed(wire(first_output, done=False))
    assert stream.output_started is True
    clock.now = 1007.0
    stream.feed(wire({"type": "response.output_text.delta", "delta": "later"}, done=False))
    clock.now = 1010.0
    events = stream.feed(wire(completed([message_item("xlater")])))
    response = final(events)
    assert response.time_to_first_token == pytest.approx(5.5)
    assert response.duration == pytest.approx(10.0)


def test_time_to_first_token_is_none_without_output() -> None:
    clock = FakeClock()
    stream = ResponseStream("m", clock=clock)
    clock.now += 3
    response = final(stream.feed(wire(completed([]))))
    assert response.time_to_first_token is None
    assert response.duration == pytest.approx(3.0)
    assert response.text == ""


# Whatever arrives, only routerkit's own exceptions come out.


def _feed_all(chunks: list[bytes]) -> None:
    stream = ResponseStream("m")
    try:
        for chunk in chunks:
            stream.feed(chunk)
        stream.close()
    except RouterkitError as exc:
        assert isinstance(exc, APIError)
        assert isinstance(exc.partial_text, str)


@settings(max_examples=300)
@given(st.lists(st.binary(max_size=200), max_size=10))
def test_random_bytes_raise_only_routerkit_errors(chunks: list[bytes]) -> None:
    _feed_all(chunks)


@settings(max_examples=300)
@given(st.lists(st.binary(max_size=60).map(lambda b: b"data: " + b + b"\n\n"), max_size=10))
def test_random_data_lines_raise_only_routerkit_errors(chunks: list[bytes]) -> None:
    _feed_all(chunks)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
_EVENT_TYPES = [
    "response.created",
    "response.in_progress",
    "response.output_text.delta",
    "response.refusal.delta",
    "response.reasoning_text.delta",
    "response.reasoning_summary_text.delta",
    "response.function_call_arguments.delta",
    "response.output_item.added",
    "response.output_item.done",
    "response.completed",
    "response.incomplete",
    "response.failed",
    "response.error",
    "error",
]
_FIELDS = [
    "response",
    "delta",
    "item",
    "output_index",
    "item_id",
    "summary_index",
    "error",
    "message",
    "code",
    "output",
    "usage",
    "content",
    "summary",
    "incomplete_details",
    "status",
    "model",
    "type",
    "arguments",
]


@st.composite
def _hostile_event(draw: st.DrawFn) -> dict[str, Any]:
    """A known event type whose fields hold any JSON at all, sometimes nested in plausible places."""
    event: dict[str, Any] = {"type": draw(st.sampled_from(_EVENT_TYPES))}
    for key in draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True)):
        event[key] = draw(_json)
    if draw(st.booleans()):
        inner = {k: draw(_json) for k in draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True))}
        inner.setdefault("type", draw(st.sampled_from(["message", "reasoning", "function_call", "output_text"])))
        event[draw(st.sampled_from(["item", "response"]))] = inner
    return event


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_hostile_event(), max_size=6))
def test_valid_json_with_hostile_shapes_raises_only_routerkit_errors(events: list[dict[str, Any]]) -> None:
    _feed_all([wire(*events, done=False)])
