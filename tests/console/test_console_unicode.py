"""Text that cannot be encoded never breaks `print_response`: a lone surrogate from the network, an output
whose encoding lacks a character, a tool call's `arguments` sent as a JSON object (issue 11)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from routerkit.agent import Agent
from routerkit.console import RunPrinter, clean_text
from routerkit.emulator import DONE, Emulator, StreamReply

# A delta whose JSON escapes half a surrogate pair: it decodes to a lone surrogate no encoder accepts.
_BAD_DELTA = (
    b'data: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,'
    b'"content_index":0,"delta":"caf\\u00e9 \\ud800 end"}\n\n'
)


def _script(emu: Emulator) -> None:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": []}
    done = {**message, "content": [{"type": "output_text", "text": "café ? end", "annotations": []}]}
    response = {"id": "gen-1", "object": "response", "created_at": 1, "model": "emulator/echo", "status": "completed"}
    usage = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3, "cost": 0.0001}
    emu.enqueue(
        StreamReply(
            [
                {"type": "response.created", "response": {**response, "status": "in_progress", "output": []}},
                {"type": "response.output_item.added", "output_index": 0, "item": message},
                _BAD_DELTA,
                {"type": "response.output_item.done", "output_index": 0, "item": done},
                {"type": "response.completed", "response": {**response, "output": [done], "usage": usage}},
                DONE,
            ]
        )
    )


def _pipe(encoding: str) -> tuple[Console, io.BytesIO]:
    raw = io.BytesIO()
    file = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
    return Console(file=file, width=80), raw


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "café \ufffd end"), ("ascii", "caf? ? end")])
def test_print_response_to_a_pipe_writes_what_the_pipe_can_encode(emu, make_model, encoding, expected):
    _script(emu)
    console, raw = _pipe(encoding)
    Agent(model=make_model()).print_response("hi", stream=True, console=console)
    text = raw.getvalue().decode(encoding)
    assert expected in text and "emulator/echo" in text


def test_print_response_on_a_terminal_shows_the_replacement_character(emu, make_model):
    _script(emu)
    console = Console(file=io.StringIO(), force_terminal=True, width=80, height=24, record=True)
    Agent(model=make_model()).print_response("hi", stream=True, console=console)
    assert "café \ufffd end" in console.export_text()


@pytest.mark.parametrize("terminal", [True, False])
def test_any_value_where_text_is_expected_is_shown_as_text(terminal):
    console = Console(file=io.StringIO(), force_terminal=terminal, width=80, record=True)
    with RunPrinter(console) as printer:
        printer.tool_call("lookup", {"city": "Par\udcffis"})  # type: ignore[arg-type]
        printer.tool_result("lookup", None, is_error=False)  # type: ignore[arg-type]
        printer.content_delta("ok \ud83d")
    text = console.export_text()
    assert 'lookup({"city": "Par\ufffdis"})' in text and "ok \ufffd" in text


def test_clean_text() -> None:
    assert clean_text("plain") == "plain"
    assert clean_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean_text("é\ud800", "ascii") == "??"
    assert clean_text(["x", 1]) == '["x", 1]'
    assert clean_text(None) == ""
