"""Streaming work stays linear in the answer's length, whatever its shape (issue 18).

Each shape is streamed twice, at N and 2N characters, in deltas of the same size, into a terminal console,
redrawing the open block on every delta (the worst case). `RenderStats.rendered_chars` counts the source
characters handed to rich: each finished block once, plus the open block's preview per redraw. A printer that
re-renders the open block whole would grow ~4x from N to 2N for a shape that stays one open block; the
bound is 2.2x.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from _md_doc import split_deltas
from _vt_screen import Screen
from rich.console import Console

from routerkit.console import RunPrinter

WIDTH, HEIGHT = 40, 8
DELTA = 100


def _words(n: int, start: int = 0) -> str:
    return "".join(f"w{i:05d} " for i in range(start, start + n // 7))


def paragraph(n: int) -> str:
    return _words(n)


def code_block(n: int) -> str:
    return "```python\n" + "".join(f"value_{i:05d} = {i} * 3\n" for i in range(n // 21)) + "```\n"


def code_block_one_line(n: int) -> str:
    return "```\n" + "x" * n


def table(n: int) -> str:
    rows = "".join(f"| r{i:05d} | {i} | note |\n" for i in range(n // 24))
    return "| name | count | note |\n|---|---:|---|\n" + rows


def long_list(n: int) -> str:
    return "".join(f"- item {i:05d} with **bold** text\n" for i in range(n // 30))


def deep_nesting(n: int) -> str:
    line = "> " * 3 + "- " * 3
    return "".join(f"{line}nested {i:05d}\n" for i in range(n // (len(line) + 13)))


def list_item_one_line(n: int) -> str:
    return "- " + _words(n)


SHAPES: dict[str, Callable[[int], str]] = {
    "one long paragraph": paragraph,
    "one huge code block": code_block,
    "a code block of one huge line": code_block_one_line,
    "a huge table": table,
    "a long list": long_list,
    "deep nesting": deep_nesting,
    "a list item of one long line": list_item_one_line,
}


def _stream(doc: str) -> tuple[RunPrinter, str]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=WIDTH, height=HEIGHT, color_system=None)
    with RunPrinter(console) as printer:
        printer.refresh_interval = 0
        for piece in split_deltas(doc, max(1, len(doc) // DELTA)):
            printer.content_delta(piece)
    return printer, out.getvalue()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_rendering_work_grows_linearly(shape: str) -> None:
    make = SHAPES[shape]
    small, _ = _stream(make(4_000))
    large, _ = _stream(make(8_000))
    n_small, n_large = small.stats.rendered_chars, large.stats.rendered_chars
    # every delta redrew the open block (the worst case), each redraw about two screens at most
    assert small.stats.tail_renders >= 4_000 // DELTA - 5
    assert n_large / n_small <= 2.2, (n_small, n_large)


def test_a_long_paragraph_reaches_the_scrollback_whole_and_once() -> None:
    doc = paragraph(10_000) + "\n\nThe end."
    printer, raw = _stream(doc)
    screen = Screen(WIDTH, HEIGHT)
    screen.feed(raw)
    words = screen.text().split()
    expected = doc.split()
    assert words == expected
    # the open paragraph's previews cost about two screens each, not the paragraph's length
    assert printer.stats.rendered_chars <= len(doc) + printer.stats.tail_renders * 2 * WIDTH * HEIGHT
