"""RunPrinter as a user sees it: output replayed through a small terminal model, or plain text off a tty."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from _md_doc import make_document, split_deltas
from _vt_screen import Screen
from rich.console import Console

import routerkit.console
from routerkit.console import RunPrinter, RunSummary
from routerkit.console._facts import format_cost
from routerkit.errors import APIError, OutputValidationError, RateLimitError, StreamInterruptedError

WIDTH = 80


def terminal(height: int = 24, **kwargs: object) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    options: dict[str, object] = {"color_system": None, **kwargs}
    console = Console(file=out, force_terminal=True, width=WIDTH, height=height, **options)  # type: ignore[arg-type]
    return console, out


def pipe() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=WIDTH), out


def screen_of(out: io.StringIO, height: int = 24) -> Screen:
    screen = Screen(WIDTH, height)
    screen.feed(out.getvalue())
    return screen


def summary(**changes: object) -> RunSummary:
    fields: dict[str, object] = {
        "requested_model": "openai/gpt-oss-120b",
        "model": "openai/gpt-oss-120b",
        "input_tokens": 12,
        "output_tokens": 345,
        "reasoning_tokens": 100,
        "cost": 0.000123,
        "time_to_first_token": 0.42,
        "duration": 3.1,
    }
    fields.update(changes)
    return RunSummary(**fields)  # type: ignore[arg-type]


ANSWER = """## Results

The **answer** streams in pieces.

| model | cost |
|-------|-----:|
| alpha | 12 |
| beta | 34 |

```python
def total(items):

    return sum(items)
```

- first point
- second point
"""


def stream_run(printer: RunPrinter, answer: str = ANSWER, step: int = 3) -> None:
    printer.message("Compare the models")
    for i in range(0, 60, 6):
        printer.reasoning_delta("I should compare the two models by cost. "[i : i + 6])
    for i in range(0, len(answer), step):
        printer.content_delta(answer[i : i + step])


# -- the public surface ------------------------------------------------------------------------------


def test_public_names() -> None:
    assert set(routerkit.console.__all__) >= {"RunPrinter", "LivePrinter", "PlainPrinter", "RunSummary", "run_summary"}
    for name in routerkit.console.__all__:
        assert getattr(routerkit.console, name).__doc__, name


def test_importing_the_package_does_not_import_rich() -> None:
    code = (
        "import sys, routerkit, routerkit.console\n"
        "print(any(m == 'rich' or m.startswith('rich.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# -- on a terminal -----------------------------------------------------------------------------------


def test_streamed_run_shows_message_reasoning_then_rendered_answer() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.refresh_interval = 0
        stream_run(printer)
        printer.summary(summary())
    text = screen_of(out).text()
    lines = text.splitlines()
    assert "Message" in lines[0] and "Compare the models" in text
    thinking = next(i for i, line in enumerate(lines) if "Thinking" in line)
    reasoning = next(i for i, line in enumerate(lines) if "compare the two models by cost" in line)
    answer = next(i for i, line in enumerate(lines) if "Results" in line)
    assert thinking < reasoning < answer
    answer_text = "\n".join(lines[answer:])
    assert "compare the two models" not in answer_text  # reasoning never mixed into the answer
    # markdown is rendered: no heading marks, table pipes or fences, but the content is there
    assert "## Results" not in text and "```" not in text and "|---" not in text
    assert "answer streams in pieces" in text
    assert re.search(r"alpha\s+12", text) and re.search(r"beta\s+34", text)
    assert "def total(items):" in text and "return sum(items)" in text
    assert "• first point" in text and "• second point" in text
    # each line of the answer is on screen exactly once (the live region left no stale copies)
    assert text.count("answer streams in pieces") == 1 and text.count("second point") == 1
    assert "..." not in text and "…" not in text
    assert screen_of(out).cursor_visible


def test_streaming_gives_the_same_screen_whatever_the_delta_size() -> None:
    screens = []
    for step in (1, 7, len(ANSWER)):
        console, out = terminal()
        with RunPrinter(console) as printer:
            printer.refresh_interval = 0
            for i in range(0, len(ANSWER), step):
                printer.content_delta(ANSWER[i : i + step])
        screens.append(screen_of(out).text())
    assert screens[0] == screens[1] == screens[2]


def test_content_at_once_renders_markdown() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.content(ANSWER)
    text = screen_of(out).text()
    assert "Results" in text and "## Results" not in text and re.search(r"alpha\s+12", text)


def test_footer_marks_a_fallback_and_formats_cost_and_times() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.content("hi")
        printer.summary(summary(model="anthropic/claude-sonnet-4", cost=0.000123))
    footer = " ".join(screen_of(out).text().split("hi", 1)[1].split())  # the footer may wrap at 80 columns
    assert "anthropic/claude-sonnet-4" in footer
    assert "↪ fallback from openai/gpt-oss-120b" in footer
    assert "$0.000123" in footer
    assert "12 in" in footer and "345 out" in footer and "100 reasoning" in footer
    assert "TTFT 0.42 s" in footer and "3.10 s" in footer


def test_footer_without_fallback_and_with_missing_facts() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.summary(
            summary(
                input_tokens=None,
                output_tokens=None,
                reasoning_tokens=None,
                cost=None,
                duration=None,
                status="incomplete",
            )
        )
    footer = screen_of(out).text()
    assert "fallback" not in footer and "$" not in footer and "tokens" not in footer
    assert "incomplete" in footer and "openai/gpt-oss-120b" in footer and "TTFT" in footer


@pytest.mark.parametrize(
    ("cost", "text"), [(0.000123, "$0.000123"), (0.0421, "$0.0421"), (1.23456, "$1.2346"), (0, "$0")]
)
def test_cost_format(cost: float, text: str) -> None:
    assert format_cost(cost) == text


def test_error_panel_after_a_partial_answer() -> None:
    console, out = terminal()
    exc = StreamInterruptedError(
        "connection reset by peer", status=None, code="stream_reset", models=["openai/gpt-oss-120b"]
    )
    with RunPrinter(console) as printer:
        printer.refresh_interval = 0
        printer.content_delta("The first half of the answer\n\nand a tail still op")
        printer.error(exc)
    text = screen_of(out).text()
    assert text.index("The first half of the answer") < text.index("Stream interrupted")
    assert "and a tail still op" in text  # the open tail was kept, not erased
    assert "code stream_reset" in text and "connection reset by peer" in text
    assert "model: openai/gpt-oss-120b" in text and "partial answer above was kept" in text


def test_error_panel_shows_status_code_message_and_models() -> None:
    console, out = terminal()
    exc = RateLimitError("Provider returned 429", status=429, code=429, models=["a/one", "b/two"])
    with RunPrinter(console) as printer:
        printer.message("hello")
        printer.error(exc)
    text = screen_of(out).text()
    assert "Rate limited" in text and "HTTP 429" in text and "Provider returned 429" in text
    assert "models: a/one, b/two" in text and "No answer was received" in text
    assert "code 429" not in text  # the code repeats the status: said once


def test_error_prints_the_partial_text_an_exception_carries() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.error(APIError("boom", status=502, partial_text="**Half** an answer"))
        printer.error(OutputValidationError("not JSON", raw_text="{oops"))
        printer.error(ValueError("bad value"))
    text = screen_of(out).text()
    assert text.index("Half an answer") < text.index("boom")
    assert "**" not in text.split("boom")[0]  # rendered as markdown
    assert "ValueError" in text and "bad value" in text


def test_tool_calls_and_results_errors_in_red() -> None:
    console, out = terminal(color_system="standard")
    with RunPrinter(console) as printer:
        printer.tool_call("get_weather", '{"city": "Paris"}')
        printer.tool_result("get_weather", "sunny", is_error=False)
        ok_part = out.getvalue()
        printer.tool_result("get_weather", "city not found", is_error=True)
    error_part = out.getvalue()[len(ok_part) :]
    assert "\x1b[31m" in error_part or "\x1b[1;31m" in error_part
    assert "31m" not in ok_part
    text = screen_of(out).text()
    assert 'get_weather({"city": "Paris"})' in text and "sunny" in text and "city not found" in text


def test_long_tool_arguments_are_shortened() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.tool_call("write", "x" * 5000)
    text = screen_of(out).text()
    assert "5,000 chars" in text and text.count("x") < 1000


def test_encrypted_reasoning_note_and_hidden_reasoning() -> None:
    console, out = terminal()
    with RunPrinter(console, show_reasoning=False) as printer:
        printer.reasoning_delta("secret thoughts")
        printer.reasoning_encrypted(1234)
        printer.reasoning_encrypted(None)
        printer.content("done")
    text = screen_of(out).text()
    assert "secret thoughts" not in text and "Thinking" not in text
    assert "reasoning: 1,234 tokens (encrypted, not shown)" in text


def test_reasoning_again_after_tool_calls_gets_its_own_section() -> None:
    console, out = terminal()
    with RunPrinter(console) as printer:
        printer.reasoning_delta("first thought\n")
        printer.tool_call("lookup", "{}")
        printer.tool_result("lookup", "42", is_error=False)
        printer.reasoning_delta("second thought")
        printer.content_delta("The answer is 42.")
    lines = screen_of(out).text().splitlines()
    assert sum("Thinking" in line for line in lines) == 2
    order = ["first thought", "lookup", "second thought", "The answer is 42."]
    positions = [next(i for i, line in enumerate(lines) if word in line) for word in order]
    assert positions == sorted(positions)


def test_markdown_false_streams_plain_text_on_a_terminal() -> None:
    console, out = terminal()
    with RunPrinter(console, markdown=False) as printer:
        for piece in split_deltas(ANSWER, 50):
            printer.content_delta(piece)
    text = screen_of(out).text()
    assert "## Results" in text and "```python" in text and "| alpha | 12 |" in text


def test_stream_false_renders_the_answer_once() -> None:
    console, out = terminal()
    with RunPrinter(console, stream=False) as printer:
        for piece in split_deltas(ANSWER, 50):
            printer.content_delta(piece)
        assert "Results" not in out.getvalue()
    assert printer.stats.tail_renders == 0 and printer.stats.committed_blocks == 1
    assert "Results" in screen_of(out).text()


def test_a_block_taller_than_the_screen_scrolls_and_is_never_cropped() -> None:
    height = 24
    code = "".join(f"line_{i:03d} = {i}\n" for i in range(300))
    console, out = terminal(height=height)
    screen, seen = Screen(WIDTH, height), 0
    with RunPrinter(console) as printer:
        printer.refresh_interval = 0
        printer.content_delta("Intro paragraph.\n\n```python\n")
        for i in range(0, len(code), 40):
            printer.content_delta(code[i : i + 40])
            screen.feed(out.getvalue()[seen:])
            seen = len(out.getvalue())
            visible = screen.lines[-height:]
            assert not any("..." in line or "…" in line for line in visible)
        printer.content_delta("```\n\nAfter the code.")
    # Each redraw of the open code block parsed at most about a screenful of it, not the whole block.
    stats = printer.stats
    assert stats.rendered_chars <= stats.tail_renders * (height + 1) * 20 + 2 * len(code)
    text = screen_of(out, height).text()
    for i in range(300):
        assert text.count(f"line_{i:03d} = {i}") == 1, i
    assert text.index("line_299") < text.index("After the code.")


def test_an_unfinished_tall_block_is_printed_whole_when_closed() -> None:
    height = 24
    console, out = terminal(height=height)
    with RunPrinter(console) as printer:
        printer.refresh_interval = 0
        printer.content_delta("```\n" + "".join(f"row {i}\n" for i in range(100)))
        printer.interrupted()
    text = screen_of(out, height).text()
    assert all(text.count(f"row {i}\n") == 1 for i in range(99)) and text.count("row 99") == 1
    assert "Interrupted by the user" in text and "partial answer above is kept" in text


def test_close_is_idempotent_and_runs_on_keyboard_interrupt() -> None:
    console, out = terminal()
    with pytest.raises(KeyboardInterrupt), RunPrinter(console) as printer:
        printer.content_delta("# Title\n\nsome text that is not fini")
        raise KeyboardInterrupt
    printer.close()
    screen = screen_of(out)
    assert screen.cursor_visible
    assert "some text that is not fini" in screen.text()
    assert out.getvalue().endswith("\n")
    assert out.getvalue().count("some text that is not fini") >= 1


def test_no_color_keeps_colours_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=WIDTH, color_system="truecolor")
    with RunPrinter(console) as printer:
        stream_run(printer)
        printer.tool_result("t", "failed", is_error=True)
        printer.summary(summary(model="x/y"))
        printer.error(RateLimitError("slow", status=429))
    for params in re.findall(r"\x1b\[([0-9;]*)m", out.getvalue()):
        codes = [int(code) for code in params.split(";") if code]
        assert not any(30 <= code <= 49 or 90 <= code <= 107 for code in codes), params


# -- rendering work stays linear --------------------------------------------------------------------


def _work(size: int, deltas: int, refresh_interval: float) -> tuple[int, int]:
    doc = make_document(size, seed=11)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, height=40, color_system=None)
    with RunPrinter(console) as printer:
        printer.refresh_interval = refresh_interval
        for piece in split_deltas(doc, deltas):
            printer.content_delta(piece)
    assert printer.stats.tail_renders <= deltas + printer.stats.committed_blocks
    return printer.stats.rendered_chars, len(doc)


def test_rendering_work_is_linear_even_when_redrawing_on_every_delta() -> None:
    small, small_len = _work(5_000, 500, refresh_interval=0)
    large, large_len = _work(10_000, 1000, refresh_interval=0)
    # Re-rendering the whole answer per delta would hand ~deltas * size / 2 characters to the renderer
    # (1.25 M and 5 M here): we hand over each block once plus the open tail on each redraw.
    assert small < 20 * small_len and large < 20 * large_len
    assert large / small < 2.3


def test_time_throttle_limits_redraws() -> None:
    rendered, length = _work(20_000, 2000, refresh_interval=3600)
    assert rendered < 3 * length


# -- off a terminal (piped, a file) ------------------------------------------------------------------


def test_piped_output_is_plain_text_written_as_it_arrives() -> None:
    console, out = pipe()
    printer = RunPrinter(console)
    printer.message("Compare the models")
    printer.reasoning_delta("thinking ")
    printer.reasoning_delta("hard")
    written = []
    for piece in split_deltas(ANSWER, 40):
        printer.content_delta(piece)
        written.append(out.getvalue())
    printer.tool_call("lookup", '{"q": 1}')
    printer.tool_result("lookup", "oops", is_error=True)
    printer.summary(summary(model="x/fallback"))
    printer.close()
    raw = out.getvalue()
    assert "\x1b" not in raw
    assert written[-1].endswith(ANSWER)  # deltas are written through, raw markdown and all
    assert all(state.endswith(piece) for state, piece in zip(written, split_deltas(ANSWER, 40), strict=True))
    assert "Message: Compare the models" in raw
    assert "Thinking:\nthinking hard\n" in raw
    assert raw.index("thinking hard") < raw.index("## Results")
    assert 'tool call: lookup({"q": 1})' in raw and "tool error: lookup: oops" in raw
    footer = raw.rstrip("\n").splitlines()[-1]
    assert footer.startswith("x/fallback · ↪ fallback from openai/gpt-oss-120b") and "$0.000123" in footer
    assert raw.endswith("\n") and printer.stats.rendered_chars == 0


def test_piped_error_and_interrupt_are_plain_lines() -> None:
    console, out = pipe()
    with RunPrinter(console) as printer:
        printer.content_delta("partial answ")
        printer.interrupted()
        printer.error(RateLimitError("slow down", status=429, models=["a/b"]))
    raw = out.getvalue()
    assert "\x1b" not in raw
    assert "partial answ\n" in raw and "[interrupted by the user; the partial answer above is kept]" in raw
    assert "error: Rate limited: HTTP 429 | slow down | model: a/b" in raw


def test_piped_whole_content_and_partial_text_of_an_error() -> None:
    console, out = pipe()
    with RunPrinter(console) as printer:
        printer.error(APIError("failed", partial_text="kept **text**"))
    raw = out.getvalue()
    assert raw.startswith("kept **text**\n") and "error: API error: failed" in raw
