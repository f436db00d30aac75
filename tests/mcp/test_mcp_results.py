"""MCP results as the model reads them, from the SDK's own result types: text as is, structured content as
JSON when no text came with it, binary content described, errors flagged, and every output bounded."""

from __future__ import annotations

import json

from mcp_types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from routerkit.tools._mcp_results import MAX_OUTPUT_CHARS, result_text


def test_structured_content_alone_is_sent_as_json():
    result = CallToolResult(content=[], structured_content={"city": "Paris", "temp": 21.5, "tags": ["ok"]})
    text, is_error = result_text(result)
    assert json.loads(text) == {"city": "Paris", "temp": 21.5, "tags": ["ok"]} and not is_error


def test_text_wins_over_its_structured_copy():
    result = CallToolResult(content=[TextContent(type="text", text='{"a": 1}')], structured_content={"a": 1})
    assert result_text(result) == ('{"a": 1}', False)


def test_resources_and_audio_are_described_and_embedded_text_is_kept():
    result = CallToolResult(
        content=[
            EmbeddedResource(type="resource", resource=TextResourceContents(uri="file:///a.txt", text="inside")),
            EmbeddedResource(
                type="resource", resource=BlobResourceContents(uri="file:///b.bin", blob="AAAA", mime_type="x/y")
            ),
            ResourceLink(type="resource_link", name="c", uri="file:///c.pdf", mime_type="application/pdf"),
            AudioContent(type="audio", data="AAAAAA==", mime_type="audio/wav"),
        ]
    )
    text, _ = result_text(result)
    assert text.splitlines() == [
        "inside",
        "[resource file:///b.bin (x/y), 3 bytes: not shown to the model]",
        "[resource file:///c.pdf (application/pdf)]",
        "[audio audio/wav, 4 bytes: not shown to the model]",
    ]


def test_an_error_result_is_flagged_and_a_huge_one_is_cut():
    result = CallToolResult(content=[TextContent(type="text", text="x" * (MAX_OUTPUT_CHARS * 3))], is_error=True)
    text, is_error = result_text(result)
    assert is_error
    assert len(text) < MAX_OUTPUT_CHARS + 100
    assert text.endswith(f"[truncated: the tool returned {MAX_OUTPUT_CHARS * 3:,} characters]")
