"""Values from the server are normalised where they enter: non-finite or wrong-typed numbers become None, ids
become text, lone surrogates become U+FFFD, runaway nesting is malformed JSON, and a complete answer is
read whatever its optional fields hold. What goes out is encodable, or refused naming the parameter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routerkit.errors import MalformedResponseError, StreamInterruptedError, UsageError
from routerkit.wire._events import ResponseCompleted, TextDelta
from routerkit.wire._failures import error_from_event, error_from_status
from routerkit.wire._json import loads
from routerkit.wire._request import check_json, encode_body
from routerkit.wire._response import Usage, build_response, is_fallback
from routerkit.wire._stream import ResponseStream

from .streams import message_item


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'{"cost": NaN, "x": [Infinity, -Infinity]}', {"cost": None, "x": [None, None]}),
        (b'{"t": "a\\ud800b"}', {"t": "a\ufffdb"}),
        (b'{"t": "\\ud83d\\ude00 pair"}', {"t": "\U0001f600 pair"}),
        (b'{"\\udfff": "key"}', {"\ufffd": "key"}),
        (b'["x\xed\xa0\x80y"]', ["x\ufffd\ufffd\ufffdy"]),
        ('{"t": "한국어"}'.encode(), {"t": "한국어"}),
    ],
)
def test_loads_normalises_what_json_would_pass_through(raw: bytes, value: Any) -> None:
    assert loads(raw) == value


def test_loads_reads_runaway_nesting_as_malformed_json() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        loads(b"[" * 200_000 + b"]" * 200_000)


@given(st.recursive(st.text(), lambda children: st.lists(children) | st.dictionaries(st.text(), children)))
def test_loads_output_always_encodes_as_utf8(value: Any) -> None:
    parsed = loads(json.dumps(value).encode())
    json.dumps(parsed, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "extra",
    [
        {"incomplete_details": "n/a"},
        {"incomplete_details": {"reason": ["x"]}},
        {"usage": "lots"},
        {"usage": {"input_tokens": "5", "output_tokens": -3, "cost": {"usd": 1}, "is_byok": "no"}},
        {"usage": {"input_tokens_details": [], "output_tokens_details": "none"}},
        {"model": ["a"], "id": {"x": 1}, "status": None, "openrouter_metadata": []},
        {"output": "not a list"},
    ],
)
def test_malformed_optional_fields_are_read_as_absent(extra: dict[str, Any]) -> None:
    body = {"model": "m", "output": [message_item("answer")], **extra}
    response = build_response("m", body)
    assert response.status == "completed"
    assert response.text in ("answer", "")  # "" only when `output` itself is the malformed field
    assert isinstance(response.usage, Usage)
    assert response.model is None or isinstance(response.model, str)


@pytest.mark.parametrize(
    "content",
    [
        "plain string",
        ["plain string"],
        [{"type": "output_text", "text": "plain string"}, 5, None, {"type": "output_text", "text": 7}],
    ],
)
def test_message_content_in_other_shapes_still_gives_the_text(content: Any) -> None:
    item = {"type": "message", "role": "assistant", "content": content}
    assert build_response("m", {"output": [item, "junk", 3]}).text == "plain string"


def test_numbers_become_ids_and_a_number_model_is_compared_safely() -> None:
    response = build_response("openai/gpt-4o", {"id": 12, "model": 4})
    assert (response.id, response.model) == ("12", "4")
    assert response.fallback_used is True
    assert is_fallback("openai/gpt-4o", 4) is False  # type: ignore[arg-type]


def test_a_served_model_name_with_escape_sequences_or_no_end_is_made_safe_to_show() -> None:
    hostile = "openai/gpt-4o\x1b]0;owned\x07\x1b[2J\x9b31m"
    response = build_response("openai/gpt-4o", {"model": hostile})
    assert response.model == "openai/gpt-4o\ufffd]0;owned\ufffd\ufffd[2J\ufffd31m"
    assert response.fallback_used is True  # it is not the requested model
    assert len(build_response("m", {"model": "x" * 100_000}).model or "") == 256
    assert build_response("m", {"model": "~anthropic/claude-sonnet-latest"}).model == "~anthropic/claude-sonnet-latest"
    stream = ResponseStream("openai/gpt-4o")
    stream.feed(b'data: {"type":"response.created","response":{"model":"evil\\u001b[31m"}}\n\n')
    assert stream.fallback_model == "evil\ufffd[31m"  # what the "falling back to ..." line shows


@pytest.mark.parametrize("name", [["a"], {"n": 1}, None, ""])
def test_function_call_without_a_usable_name_is_a_typed_error(name: Any) -> None:
    item = {"type": "function_call", "call_id": "c", "name": name, "arguments": "{}"}
    with pytest.raises(MalformedResponseError, match="function name"):
        build_response("m", {"output": [item]})


def test_function_call_arguments_given_as_an_object_are_sent_back_as_json_text() -> None:
    item = {"type": "function_call", "call_id": 5, "name": "f", "arguments": {"x": 1}}
    (call,) = build_response("m", {"output": [item]}).function_calls
    assert (call.call_id, call.arguments) == ("5", '{"x": 1}')


def test_stream_with_hostile_values_in_its_terminal_event_completes() -> None:
    stream = ResponseStream("m")
    events = stream.feed(
        b'data: {"type":"response.output_text.delta","output_index":"zero","delta":"hi \\udc00"}\n\n'
        b'data: {"type":"response.output_item.done","output_index":[1],"item":'
        + json.dumps(message_item("hi \ufffd")).encode()
        + b'}\n\ndata: {"type":"response.completed","response":{"model":1,"output":{"x":1},'
        b'"usage":{"input_tokens":NaN,"cost":-Infinity,"total_tokens":"9"}}}\n\n'
    )
    assert events[0] == TextDelta("hi \ufffd")
    assert isinstance(events[-1], ResponseCompleted)
    response = events[-1].response
    assert response.text == "hi \ufffd" and response.model == "1"
    assert response.usage == Usage()


def test_deeply_nested_stream_event_is_an_interruption_not_a_crash() -> None:
    stream = ResponseStream("m")
    with pytest.raises(StreamInterruptedError, match="malformed data line"):
        stream.feed(b"data: " + b"[" * 100_000 + b"\n\n")


def test_hostile_error_bodies_give_a_typed_error_with_a_bounded_message() -> None:
    exc = error_from_status(500, json.dumps({"error": {"code": [1], "message": "m" * 100_000}}).encode(), {}, [])
    assert exc.code is None and len(exc.message) < 2100
    deep = error_from_status(502, b"[" * 100_000, {}, ["x"])
    assert deep.status == 502 and "non-JSON" in deep.message
    failed = error_from_event({"type": "response.failed", "response": {"id": 5, "error": {"code": {}}}}, ["m"], "")
    assert failed.code is None and failed.generation_id is None


def test_lone_surrogates_in_the_body_are_sent_as_replacement_characters() -> None:
    body = encode_body({"input": "a\ud800b", "instructions": "\udfff", "ok": "\U0001f600"})
    assert json.loads(body) == {"input": "a\ufffdb", "instructions": "\ufffd", "ok": "\U0001f600"}


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"a": [1, {"b": float("nan")}]}, "x['a'][1]['b']"),
        ({"a": object()}, "x['a']"),
        ({"a": {1, 2}}, "x['a']"),
        ({("t",): 1}, "x"),
        ([b"raw"], "x[0]"),
    ],
)
def test_check_json_names_where_the_bad_value_is(value: Any, where: str) -> None:
    with pytest.raises(UsageError) as info:
        check_json("x", value)
    assert str(info.value).startswith(where + " ")


def test_check_json_refuses_runaway_nesting_without_recursing() -> None:
    value: Any = "leaf"
    for _ in range(10_000):
        value = [value]
    with pytest.raises(UsageError, match="nested deeper"):
        check_json("extra_body", value)


@pytest.mark.parametrize(
    "item",
    [
        {"type": "message", "content": [{"type": "output_text", "text": "x", "annotations": "not a list"}]},
        {
            "type": "message",
            "content": [{"type": "output_text", "text": "x", "annotations": [None, 7, {"type": "url_citation"}]}],
        },
        {
            "type": "message",
            "content": [
                {
                    "type": "output_text",
                    "text": "x",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url": "https://a.example",
                            "title": ["x"],
                            "start_index": -1,
                            "end_index": float("nan"),
                        }
                    ],
                }
            ],
        },
        {
            "type": "image_generation_call",
            "id": "i",
            "status": "completed",
            "result": "data:image/png;base64,%%%not base64",
        },
        {"type": "image_generation_call", "id": "i", "status": "completed", "result": 12},
        {"type": "web_search_call", "id": "w", "status": "completed", "action": {"queries": [1, None]}},
        {"type": "openrouter:datetime", "datetime": {"nested": True}},
    ],
)
def test_hostile_citations_images_and_server_items_never_raise(item: dict) -> None:
    # A paid-for answer is never lost over an odd detail: what cannot be read is skipped or read as absent.
    response = build_response("m", {"output": [item], "usage": {"cost_details": "x", "server_tool_use_details": [1]}})
    for cite in response.citations:
        assert cite.url and cite.start_index is None and cite.end_index is None and cite.title is None
    assert all(image.data for image in response.images)
    assert response.function_calls == []
    assert response.usage.input_cost is None and response.usage.web_search_requests is None
