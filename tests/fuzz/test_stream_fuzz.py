"""Property tests for `routerkit.wire._stream.ResponseStream`.

1. A stream generated from a strategy (text, raw reasoning, reasoning summaries and function calls, with
   multibyte text) gives the same result — deltas, function calls, final text, reasoning, usage, status —
   however its bytes are cut (inside lines, inside UTF-8 characters, between the two newlines of a
   separator), with `:` comments and unknown events mixed in, with CRLF line ends or `event:` framing.
2. Any bytes at all, fed in any chunks, end in a clean result or a `RouterkitError`, never another exception.
3. So do well-framed events of every known type whose fields hold random JSON values.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routerkit.emulator import DONE, Framing, encode_event
from routerkit.errors import RouterkitError
from routerkit.wire._events import FunctionCallEvent, ReasoningDelta, ResponseCompleted, TextDelta
from routerkit.wire._stream import ResponseStream

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that exercises UTF-8: ASCII, accents, CJK, emoji (4-byte), combining marks, and JSON-escaped characters.
_ALPHABET = st.sampled_from([*'ab z.,\n\t"\\/{}:', "é", "ß", "語", "漢", "😀", "🚀", "e\u0301", "\u2028", "\x00"])
texts = st.lists(_ALPHABET, max_size=12).map("".join)
deltas = st.lists(texts, min_size=1, max_size=5)


@st.composite
def output_items(draw: st.DrawFn, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One output item and the delta events that stream it."""
    kind = draw(st.sampled_from(["message", "reasoning", "summary", "function_call"]))
    item_id = f"item_{index}"
    base = {"output_index": index, "item_id": item_id}
    if kind == "message":
        parts = draw(deltas)
        item = {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "".join(parts), "annotations": []}],
        }
        events = [{"type": "response.output_text.delta", "content_index": 0, "delta": p, **base} for p in parts]
    elif kind == "reasoning":
        parts = draw(deltas)
        item = {
            "id": item_id,
            "type": "reasoning",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "".join(parts)}],
        }
        events = [{"type": "response.reasoning_text.delta", "content_index": 0, "delta": p, **base} for p in parts]
    elif kind == "summary":
        summaries = draw(st.lists(deltas, min_size=1, max_size=3))
        item = {
            "id": item_id,
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": "".join(s)} for s in summaries],
        }
        events = [
            {"type": "response.reasoning_summary_text.delta", "summary_index": n, "delta": p, **base}
            for n, s in enumerate(summaries)
            for p in s
        ]
    else:
        arguments = json.dumps({"city": draw(texts), "days": draw(st.integers(0, 9))}, ensure_ascii=False)
        cuts = sorted(draw(st.sets(st.integers(1, max(len(arguments) - 1, 1)), max_size=3)))
        pieces = [arguments[a:b] for a, b in zip([0, *cuts], [*cuts, len(arguments)], strict=True)]
        item = {
            "id": item_id,
            "type": "function_call",
            "status": "completed",
            "call_id": f"call_{index}",
            "name": draw(st.sampled_from(["get_weather", "lookup", "ツール"])),
            "arguments": arguments,
        }
        events = [{"type": "response.function_call_arguments.delta", "delta": p, **base} for p in pieces if p]
    return item, events


@st.composite
def streams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """The events of one complete streamed response."""
    n = draw(st.integers(1, 4))
    items = [draw(output_items(i)) for i in range(n)]
    usage = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "input_tokens": st.integers(0, 10_000),
                "output_tokens": st.integers(0, 10_000),
                "total_tokens": st.integers(0, 20_000),
            },
            optional={
                "cost": st.floats(0, 10, allow_nan=False),
                "output_tokens_details": st.fixed_dictionaries({"reasoning_tokens": st.integers(0, 999)}),
            },
        )
    )
    status = draw(st.sampled_from(["completed", "incomplete"]))
    final_output = [item for item, _ in items] if draw(st.booleans()) else []  # empty: rebuilt from items
    response = {"id": "gen-fuzz", "object": "response", "model": "fuzz/model", "status": "in_progress", "output": []}
    events: list[dict[str, Any]] = [{"type": "response.created", "response": response}]
    for index, (item, item_events) in enumerate(items):
        opened = {**item, "status": "in_progress"}
        opened.pop("content", None)
        events.append({"type": "response.output_item.added", "output_index": index, "item": opened})
        events.extend(item_events)
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    terminal = {**response, "status": status, "output": final_output, "usage": usage}
    if status == "incomplete":
        terminal["incomplete_details"] = {"reason": "max_output_tokens"}
    events.append({"type": f"response.{status}", "response": terminal})
    return events


def encode(events: list[dict[str, Any] | bytes], *, event_lines: bool, done: bool) -> bytes:
    framing: Framing = "openai" if event_lines else "openrouter"
    out = [event if isinstance(event, bytes) else encode_event(event, framing) for event in events]
    if done:
        out.append(DONE)
    return b"".join(out)


def digest(chunks: list[bytes]) -> dict[str, Any]:
    """Everything a caller can observe from feeding `chunks` and closing the stream."""
    stream = ResponseStream("fuzz/model", clock=lambda: 0.0)
    events = []
    for chunk in chunks:
        events.extend(stream.feed(chunk))
    events.extend(stream.close())
    completed = [e for e in events if isinstance(e, ResponseCompleted)]
    assert len(completed) == 1 and events[-1] is completed[0]
    r = completed[0].response
    return {
        "text_deltas": "".join(e.delta for e in events if isinstance(e, TextDelta)),
        "reasoning_deltas": [(e.kind, e.delta) for e in events if isinstance(e, ReasoningDelta)],
        "calls": [e.call for e in events if isinstance(e, FunctionCallEvent)],
        "text": r.text,
        "reasoning_text": r.reasoning_text,
        "reasoning_summary": r.reasoning_summary,
        "function_calls": r.function_calls,
        "output": r.output,
        "usage": r.usage,
        "status": r.status,
        "incomplete_reason": r.incomplete_reason,
        "model": r.model,
    }


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


_NOISE = st.sampled_from(
    [
        b": OPENROUTER PROCESSING\n\n",
        b":\n\n",
        b": comment with \xc3\xa9 in it\n\n",
        b'data: {"type": "response.brand_new", "delta": "not text"}\n\n',
        b'event: mystery\ndata: {"surprise": [1, 2, 3]}\n\n',
        b'data: {"type": "response.output_text.annotation.added", "annotation": {}}\n\n',
        b"id: 42\nretry: 1000\n\n",
        b'data: {"no_type": true}\n\n',
        b"data: [1, 2, 3]\n\n",
    ]
)


@SETTINGS
@given(
    events=streams(),
    cuts=st.lists(st.integers(0, 1 << 20), max_size=40),
    noise=st.lists(st.tuples(st.integers(0, 1 << 10), _NOISE), max_size=8),
    event_lines=st.booleans(),
    crlf=st.booleans(),
    done=st.booleans(),
)
def test_same_result_however_the_stream_is_cut_and_padded(events, cuts, noise, event_lines, crlf, done):
    reference = digest([encode(events, event_lines=False, done=True)])

    noisy: list[dict[str, Any] | bytes] = list(events)
    for position, frame in sorted(noise, reverse=True):
        noisy.insert(position % (len(noisy) + 1), frame)
    body = encode(noisy, event_lines=event_lines, done=done)
    if crlf:
        body = body.replace(b"\n", b"\r\n")  # JSON escapes its own newlines: only framing changes
    assert digest(split(body, cuts)) == reference

    # And byte by byte, the worst case for a split separator or character.
    if len(body) < 3000:
        assert digest([body[i : i + 1] for i in range(len(body))]) == reference


def test_the_reference_reads_what_was_generated():
    """The properties compare cut and uncut streams; this pins the uncut reading to the generated items."""
    text_item = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "héllo 😀", "annotations": []}],
    }
    events = [
        {"type": "response.created", "response": {"id": "g", "model": "fuzz/model", "status": "in_progress"}},
        {"type": "response.output_item.added", "output_index": 0, "item": {"id": "m", "type": "message"}},
        {"type": "response.output_text.delta", "output_index": 0, "delta": "héllo "},
        {"type": "response.output_text.delta", "output_index": 0, "delta": "😀"},
        {"type": "response.output_item.done", "output_index": 0, "item": text_item},
        {"type": "response.completed", "response": {"id": "g", "model": "fuzz/model", "status": "completed"}},
    ]
    result = digest([encode(events, event_lines=False, done=True)])
    assert result["text"] == result["text_deltas"] == "héllo 😀"
    assert result["output"] == [text_item] and result["status"] == "completed"


def _feed_all(chunks: list[bytes]) -> None:
    stream = ResponseStream("fuzz/model")
    try:
        for chunk in chunks:
            stream.feed(chunk)
        stream.close()
    except RouterkitError:
        pass  # a typed failure is a correct outcome for garbage


@SETTINGS
@given(data=st.binary(max_size=2000), cuts=st.lists(st.integers(0, 4000), max_size=20))
def test_random_bytes_end_cleanly_or_in_a_routerkit_error(data, cuts):
    _feed_all(split(data, cuts))


@SETTINGS
@given(
    events=streams(),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=6),
    cut_at=st.none() | st.integers(0, 1 << 20),
    cuts=st.lists(st.integers(0, 1 << 20), max_size=10),
)
def test_corrupted_streams_end_cleanly_or_in_a_routerkit_error(events, flips, cut_at, cuts):
    body = bytearray(encode(events, event_lines=False, done=True))
    for position, value in flips:
        body[position % len(body)] = value
    if cut_at is not None:
        del body[cut_at % len(body) :]
    _feed_all(split(bytes(body), cuts))
