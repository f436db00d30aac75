"""What each newer recording in `tests/fixtures/recorded/more/` must replay to, and the check for it.

Expected values were read from each recording's final response object (its `response.completed` event, or
the JSON body) and its usage block; the text is checked by its opening words and its length. `None` marks
the recorded HTTP 400.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from routerkit.wire._response import ModelResponse
from tests.recorded import Interaction

__all__ = ["EXPECTED", "Expected", "check"]


@dataclass(frozen=True)
class Expected:
    model: str
    text_start: str
    text_length: int
    usage: tuple[int, int, int, float | None]
    """input, output and total tokens, and OpenRouter's cost (None from OpenAI, which does not send one)."""
    output_types: tuple[str, ...]
    calls: tuple[str, ...] = ()
    reasoning: str = ""
    """Which reasoning the answer shows: "text" (raw), "summary", "encrypted" (none readable) or ""."""
    citations: tuple[tuple[str, int, int], ...] = ()
    """Each `url_citation`: its URL's start, and the cited span's start and end index."""
    images: tuple[tuple[str, bytes], ...] = ()
    """Each generated image: its MIME type and the first bytes of its data."""
    searched: tuple[str, ...] = ()
    """What each server tool item says it ran on (the web search queries)."""


EXPECTED: dict[str, Expected | None] = {
    "agent-sdk-behavior__gemini-3.7-flash_run1.abridged#0": Expected(
        "google/gemini-3.7-flash",
        "**Vulnerabilities Identified**\n\n- **Off-",
        1431,
        (9001, 1454, 10455, 0.006101625),
        ("reasoning", "message"),
        calls=(),
        reasoning="text",
    ),
    "comerge-smoke__responses_image_to_text#0": Expected(
        "openai/gpt-4o-mini",
        "Majestic peaks rise,  \nA lone figure gre",
        79,
        (36850, 22, 36872, 0.0055407),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "comerge-smoke__responses_text_to_image_gemini#0": Expected(
        "google/gemini-2.5-flash-image",
        "Here's a watercolor painting of a cozy c",
        64,
        (12, 1306, 1318, 0.0387436),
        ("message", "image_generation_call"),
        calls=(),
        reasoning="",
        images=(("image/png", b"\x89PNG\r\n"),),
        searched=("",),
    ),
    "comerge-smoke__responses_text_to_text#0": Expected(
        "openai/gpt-4o-mini",
        "Static typing enhances code reliability ",
        127,
        (19, 20, 39, 1.485e-05),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "effect-native__callModel_gpt-4o#0": Expected(
        "openai/gpt-4o",
        "Hello! How can I assist you today?",
        34,
        (9, 9, 18, 0.0001125),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_include_raw_annotations_non_streaming#0": Expected(
        "gpt-5.2-2025-12-11",
        "The tallest mountain in Alberta is **Mou",
        211,
        (8530, 98, 8628, None),
        ("web_search_call", "message"),
        calls=(),
        reasoning="",
        citations=(("https://www.britannica.com/place/Mount-Columbia", 126, 211),),
        searched=("tallest mountain in Alberta; Mount Columbia tallest mountain in Alberta elevation",),
    ),
    "openai-pydantic-ai__test_openai_include_raw_annotations_non_streaming#1": Expected(
        "gpt-5.2-2025-12-11",
        "The tallest mountain in Alberta is **Mou",
        162,
        (8236, 74, 8310, None),
        ("web_search_call", "message"),
        calls=(),
        reasoning="",
        citations=(("https://www.britannica.com/place/Mount-Columbia", 77, 162),),
        searched=("tallest mountain in Alberta",),
    ),
    "openai-pydantic-ai__test_openai_include_raw_annotations_streaming#0": Expected(
        "gpt-5.2-2025-12-11",
        "The tallest mountain in Alberta is **Mou",
        162,
        (12243, 140, 12383, None),
        ("web_search_call", "web_search_call", "message"),
        calls=(),
        reasoning="",
        citations=(("https://www.britannica.com/place/Mount-Columbia", 77, 162),),
        searched=(
            "tallest mountain in Alberta highest peak Alberta Mount Columbia elevation",
            "Mount Columbia highest point in Alberta 3747 m highest mountain in Alberta; "
            "Mount Columbia tallest mountain in Alberta official source",
        ),
    ),
    "openai-pydantic-ai__test_openai_include_raw_annotations_streaming#1": Expected(
        "gpt-5.2-2025-12-11",
        "Alberta’s tallest mountain (highest poin",
        179,
        (8234, 79, 8313, None),
        ("web_search_call", "message"),
        calls=(),
        reasoning="",
        citations=(("https://www.britannica.com/place/Mount-Columbia", 94, 179),),
        searched=("tallest mountain in Alberta",),
    ),
    "openai-pydantic-ai__test_openai_include_raw_annotations_streaming#2": Expected(
        "gpt-5.2-2025-12-11",
        "2+2 = 4",
        7,
        (20, 10, 30, None),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_responses_model_http_error#0": None,
    "openai-pydantic-ai__test_openai_responses_model_simple_response_with_tool_call#0": Expected(
        "gpt-4o-2024-08-06",
        "",
        0,
        (40, 18, 58, None),
        ("function_call",),
        calls=("get_capital",),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_responses_model_simple_response_with_tool_call#1": Expected(
        "gpt-4o-2024-08-06",
        "The capital of PotatoLand is Potato City",
        41,
        (67, 11, 78, None),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_responses_model_thinking_part#0": Expected(
        "gpt-5-2025-08-07",
        "Here’s a simple, safe way to cross a str",
        1225,
        (13, 2199, 2212, None),
        ("reasoning", "message"),
        calls=(),
        reasoning="summary",
    ),
    "openai-pydantic-ai__test_openai_responses_model_thinking_part#1": Expected(
        "gpt-5-2025-08-07",
        "Short version: default to a bridge or fe",
        2580,
        (314, 2737, 3051, None),
        ("reasoning", "message"),
        calls=(),
        reasoning="summary",
    ),
    "openai-pydantic-ai__test_openai_responses_model_web_search_tool_stream#0": Expected(
        "gpt-5-2025-08-07",
        "San Francisco weather today (Tuesday, Se",
        212,
        (9463, 582, 10045, None),
        ("reasoning", "web_search_call", "reasoning", "message"),
        calls=(),
        reasoning="encrypted",
        searched=("weather: San Francisco, CA",),
    ),
    "openai-pydantic-ai__test_openai_responses_model_web_search_tool_stream#1": Expected(
        "gpt-5-2025-08-07",
        "Mexico City weather today (Tuesday, Sept",
        146,
        (9703, 638, 10341, None),
        ("reasoning", "web_search_call", "reasoning", "message"),
        calls=(),
        reasoning="encrypted",
        searched=("weather: Mexico City, Mexico",),
    ),
    "openai-pydantic-ai__test_openai_responses_model_web_search_tool_without_external_access#0": Expected(
        "gpt-5.6-sol",
        "1889 ([toureiffel.paris](https://www.tou",
        125,
        (8576, 52, 8628, None),
        ("web_search_call", "message"),
        calls=(),
        reasoning="",
        citations=(("https://www.toureiffel.paris/en/news/history-and-culture/133", 5, 125),),
        searched=("Eiffel Tower opened to the public year official",),
    ),
    "openai-pydantic-ai__test_openai_responses_moderation_stream#0": Expected(
        "gpt-5-2025-08-07",
        "Paris.",
        6,
        (13, 59, 72, None),
        ("reasoning", "message"),
        calls=(),
        reasoning="encrypted",
    ),
    "openai-pydantic-ai__test_openai_responses_phase_streamed_on_part_start#0": Expected(
        "gpt-5.5-2026-04-23",
        "I’ll check the capital lookup tool for “",
        52,
        (63, 69, 132, None),
        ("reasoning", "message", "function_call"),
        calls=("get_capital",),
        reasoning="encrypted",
    ),
    "openai-pydantic-ai__test_openai_responses_phase_streamed_on_part_start#1": Expected(
        "gpt-5.5-2026-04-23",
        "The capital of PotatoLand is **Potato Ci",
        45,
        (147, 16, 163, None),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_responses_stream#0": Expected(
        "gpt-4o-2024-08-06",
        "",
        0,
        (255, 16, 271, None),
        ("function_call",),
        calls=("get_capital",),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_responses_stream#1": Expected(
        "gpt-4o-2024-08-06",
        "The capital of France is Paris.",
        31,
        (278, 9, 287, None),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "openai-pydantic-ai__test_openai_responses_streaming_usage#0": Expected(
        "gpt-5-2025-08-07",
        "",
        0,
        (53, 469, 522, None),
        ("reasoning", "function_call"),
        calls=("final_result",),
        reasoning="encrypted",
    ),
    "openai-pydantic-ai__test_openai_responses_thinking_part_iter#0": Expected(
        "o3-mini-2025-01-31",
        "I'm not a road safety professional, but ",
        1251,
        (13, 1680, 1693, None),
        ("reasoning", "message"),
        calls=(),
        reasoning="summary",
    ),
    "openai-pydantic-ai__test_openai_responses_thinking_with_tool_calls#0": Expected(
        "gpt-5-2025-08-07",
        "",
        0,
        (124, 1926, 2050, None),
        ("reasoning", "function_call"),
        calls=("update_plan",),
        reasoning="summary",
    ),
    "openai-pydantic-ai__test_openai_responses_thinking_with_tool_calls#1": Expected(
        "gpt-5-2025-08-07",
        "Softly old fountains illumine alleys\nDun",
        499,
        (2087, 124, 2211, None),
        ("message",),
        calls=(),
        reasoning="",
    ),
    "openai-pydantic-ai__test_reasoning_summary_auto#0": Expected(
        "gpt-5.2-2025-12-11",
        "```python\ndef factorial(n: int) -> int:\n",
        543,
        (34, 226, 260, None),
        ("reasoning", "message"),
        calls=(),
        reasoning="summary",
    ),
    "pydantic-ai__openai_responses_raw_cot_stream_openrouter@88de1ed8#0": Expected(
        "openai/gpt-oss-20b",
        "2\u202f+\u202f2 = 4.",
        10,
        (76, 47, 123, 1.32e-05),
        ("reasoning", "message"),
        calls=(),
        reasoning="text",
    ),
    "pydantic-ai__openai_responses_raw_cot_stream_openrouter@ff4d45be#0": Expected(
        "openai/gpt-oss-20b",
        "2\u202f+\u202f2 equals 4.",
        15,
        (74, 41, 115, 1.034e-05),
        ("reasoning", "message"),
        calls=(),
        reasoning="text",
    ),
}


def check(call: Interaction, response: ModelResponse) -> None:
    want = EXPECTED[call.name]
    assert want is not None
    assert response.model == want.model
    assert response.status == "completed"
    assert response.text.startswith(want.text_start) and len(response.text) == want.text_length
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == want.usage[:3]
    assert usage.cost == (pytest.approx(want.usage[3]) if want.usage[3] is not None else None)
    assert tuple(item["type"] for item in response.output) == want.output_types
    assert tuple(c.name for c in response.function_calls) == want.calls
    assert all(c.call_id for c in response.function_calls)
    shown = {"text": response.reasoning_text, "summary": response.reasoning_summary}
    if want.reasoning in shown:
        assert shown[want.reasoning] and response.reasoning == shown[want.reasoning]
    else:
        assert response.reasoning == ""
    assert response.reasoning_encrypted is (want.reasoning == "encrypted")
    assert len(response.citations) == len(want.citations)
    for got, (url, start, end) in zip(response.citations, want.citations, strict=True):
        assert got.url.startswith(url) and (got.start_index, got.end_index) == (start, end)
        assert got.title and response.text[start:end]
    assert [(i.mime_type, i.data[: len(head)]) for i, (_, head) in zip(response.images, want.images, strict=True)] == [
        (mime, head) for mime, head in want.images
    ]
    assert tuple(c.detail or "" for c in response.server_tool_calls) == want.searched
