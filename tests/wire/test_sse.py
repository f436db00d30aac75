"""The bytes-fed SSE decoder: both framings, every line ending, any chunk boundary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routerkit.wire import _sse as sse
from routerkit.wire._sse import SSEDecoder, SSEEvent, SSEFramingError

# (wire bytes, expected events, expected comment count). Every case is decoded whole, split at every byte
# position, and fed one byte at a time; the result must not depend on where the chunks break.
CASES: list[tuple[str, bytes, list[SSEEvent], int]] = [
    (
        "openrouter data only",
        b'data: {"a":1}\n\ndata: {"b":2}\n\n',
        [SSEEvent("message", b'{"a":1}'), SSEEvent("message", b'{"b":2}')],
        0,
    ),
    (
        "openrouter keep-alive then data then DONE",
        b': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {"x":1}\n\ndata: [DONE]\n\n',
        [SSEEvent("message", b'{"x":1}'), SSEEvent("message", b"[DONE]")],
        2,
    ),
    ("empty comment (recorded ': ')", b": \n\ndata: 1\n\n", [SSEEvent("message", b"1")], 1),
    ("comment inside a data block", b": ping\ndata: 1\n\n", [SSEEvent("message", b"1")], 1),
    (
        "openai framing with event lines",
        b'event: response.created\ndata: {}\n\nevent: response.completed\ndata: {"t":2}\n\n',
        [SSEEvent("response.created", b"{}"), SSEEvent("response.completed", b'{"t":2}')],
        0,
    ),
    ("event after data in the block", b"data: 1\nevent: named\n\n", [SSEEvent("named", b"1")], 0),
    (
        "CRLF line endings",
        b"event: e\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n",
        [SSEEvent("e", b"1"), SSEEvent("message", b"2")],
        0,
    ),
    (
        "CRLF keep-alive (third-party fake)",
        b": OPENROUTER PROCESSING\r\n\r\ndata: 3\r\n\r\n",
        [SSEEvent("message", b"3")],
        1,
    ),
    ("bare CR line endings", b"data: 1\r\rdata: 2\r\r", [SSEEvent("message", b"1"), SSEEvent("message", b"2")], 0),
    (
        "mixed CR, LF and CRLF",
        b"data: a\rdata: b\r\n\ndata: c\n\r\n",
        [SSEEvent("message", b"a\nb"), SSEEvent("message", b"c")],
        0,
    ),
    (
        "multi-line data joined by LF",
        b"data: line one\ndata: line two\ndata:\n\n",
        [SSEEvent("message", b"line one\nline two\n")],
        0,
    ),
    ("no space after colon", b'data:{"k":1}\n\n', [SSEEvent("message", b'{"k":1}')], 0),
    ("only one leading space is stripped", b"data:  two\n\n", [SSEEvent("message", b" two")], 0),
    ("field without colon is an empty value", b"data\n\n", [SSEEvent("message", b"")], 0),
    (
        "id, retry and unknown fields ignored",
        b"id: 7\nretry: 100\nfoo: bar\ndata: x\n\n",
        [SSEEvent("message", b"x")],
        0,
    ),
    ("block without data is no event", b"event: lonely\n\nid: 3\n\ndata: y\n\n", [SSEEvent("message", b"y")], 0),
    (
        "extra blank lines between blocks",
        b"\n\n\ndata: 1\n\n\n\n\ndata: 2\n\n",
        [SSEEvent("message", b"1"), SSEEvent("message", b"2")],
        0,
    ),
    (
        "utf-8 payload",
        'data: {"t":"héllo — 世界 🎉"}\n\n'.encode(),
        [SSEEvent("message", '{"t":"héllo — 世界 🎉"}'.encode())],
        0,
    ),
    (
        "final block without blank line is flushed",
        b"data: 1\n\ndata: last",
        [SSEEvent("message", b"1"), SSEEvent("message", b"last")],
        0,
    ),
    ("final block ending in a single LF is flushed", b"data: tail\n", [SSEEvent("message", b"tail")], 0),
    ("final block ending in CR is flushed", b"data: tail\r", [SSEEvent("message", b"tail")], 0),
    ("final comment only", b"data: 1\n\n: bye", [SSEEvent("message", b"1")], 1),
]


def decode(chunks: list[bytes]) -> tuple[list[SSEEvent], int]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.flush()
    return events, decoder.comments


@pytest.mark.parametrize(("wire", "expected", "comments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_table_unsplit(wire: bytes, expected: list[SSEEvent], comments: int) -> None:
    assert decode([wire]) == (expected, comments)


@pytest.mark.parametrize(("wire", "expected", "comments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_table_split_at_every_position(wire: bytes, expected: list[SSEEvent], comments: int) -> None:
    for cut in range(len(wire) + 1):
        assert decode([wire[:cut], wire[cut:]]) == (expected, comments), f"split at byte {cut}"
    for a in range(0, len(wire) + 1, 3):
        for b in range(a, len(wire) + 1, 5):
            assert decode([wire[:a], wire[a:b], wire[b:]]) == (expected, comments), f"split at {a} and {b}"


@pytest.mark.parametrize(("wire", "expected", "comments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_table_one_byte_at_a_time(wire: bytes, expected: list[SSEEvent], comments: int) -> None:
    assert decode([wire[i : i + 1] for i in range(len(wire))]) == (expected, comments)


def test_events_are_returned_as_soon_as_their_block_ends() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\n") == []
    assert decoder.feed(b"\n") == [SSEEvent("message", b"1")]
    assert decoder.feed(b"data: 2\n\ndata: 3") == [SSEEvent("message", b"2")]
    assert decoder.flush() == [SSEEvent("message", b"3")]
    assert decoder.flush() == []


def test_crlf_split_between_cr_and_lf_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\r") == []
    assert decoder.feed(b"\n\r") == []
    # CR LF CR LF: the block ends here, not one line later.
    assert decoder.feed(b"\n") == [SSEEvent("message", b"1")]
    assert decoder.feed(b"data: 2\r\n\r") == []
    assert decoder.feed(b"\ndata: 3\r\n\r\n") == [SSEEvent("message", b"2"), SSEEvent("message", b"3")]


def test_keepalives_are_counted_never_emitted() -> None:
    decoder = SSEDecoder()
    for _ in range(5):
        assert decoder.feed(b": OPENROUTER PROCESSING\n\n") == []
    assert decoder.comments == 5


def test_oversized_event_is_a_framing_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sse, "MAX_EVENT_BYTES", 64)
    decoder = SSEDecoder()
    assert decoder.feed(b"data: " + b"x" * 50 + b"\n\n") == [SSEEvent("message", b"x" * 50)]
    with pytest.raises(SSEFramingError):
        for _ in range(10):
            decoder.feed(b"data: " + b"y" * 20)


def test_default_size_cap_is_enforced_without_a_separator() -> None:
    decoder = SSEDecoder()
    chunk = b"x" * (1024 * 1024)
    decoder.feed(b"data: ")
    with pytest.raises(SSEFramingError, match="exceeded"):
        for _ in range(sse.MAX_EVENT_BYTES // len(chunk) + 2):
            decoder.feed(chunk)


def test_many_small_events_in_one_chunk_stay_fast() -> None:
    # Behavioural guard against re-scanning the buffer: 20k events in one feed decode to 20k events.
    wire = b"".join(b'data: {"i":%d}\n\n' % i for i in range(20_000))
    events, _ = decode([wire])
    assert len(events) == 20_000
    assert events[-1] == SSEEvent("message", b'{"i":19999}')


_line = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=20)
_event = st.tuples(
    st.one_of(st.none(), st.sampled_from(["response.created", "x"])), st.lists(_line, min_size=1, max_size=3)
)


@given(
    events=st.lists(_event, max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    keepalives=st.integers(0, 3),
    cuts=st.lists(st.integers(0, 10_000), max_size=8),
)
def test_generated_streams_decode_the_same_however_they_are_cut(
    events: list[tuple[str | None, list[str]]], newline: str, keepalives: int, cuts: list[int]
) -> None:
    text = ": OPENROUTER PROCESSING" + newline * 2
    text *= keepalives
    expected = []
    for name, lines in events:
        block = (f"event: {name}{newline}" if name else "") + "".join(f"data: {ln}{newline}" for ln in lines)
        text += block + newline
        expected.append(SSEEvent(name or "message", "\n".join(lines).encode()))
    wire = text.encode()
    points = sorted({c % (len(wire) + 1) for c in cuts})
    chunks = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    assert decode(chunks) == (expected, keepalives)
