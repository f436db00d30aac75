"""BlockSplitter: finished blocks are found incrementally and concatenate back to the original text."""

from __future__ import annotations

import io
import itertools

import pytest
from _md_doc import make_document, split_deltas
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markdown import Markdown

from routerkit.console._blocks import BlockSplitter, LineSplitter


def split_all(text: str, deltas: list[str] | None = None) -> tuple[list[str], str]:
    splitter = BlockSplitter()
    blocks: list[str] = []
    for delta in deltas if deltas is not None else [text]:
        blocks.extend(splitter.feed(delta))
    return blocks, splitter.flush()


def test_blocks_concatenate_to_the_original_text() -> None:
    doc = make_document(20_000)
    blocks, tail = split_all(doc, split_deltas(doc, 2000))
    assert "".join(blocks) + tail == doc
    assert len(blocks) > 100


def test_blocks_do_not_depend_on_where_the_deltas_are_cut() -> None:
    doc = make_document(3_000, seed=3)
    whole = split_all(doc)
    assert split_all(doc, list(doc)) == whole  # one character at a time
    assert split_all(doc, split_deltas(doc, 37)) == whole


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab #-*>|`~ \n1.", max_size=300), st.lists(st.integers(0, 300), max_size=20))
def test_any_text_and_any_cuts_concatenate_back(text: str, cuts: list[int]) -> None:
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    deltas = [text[a:b] for a, b in itertools.pairwise(points)]
    blocks, tail = split_all(text, deltas)
    assert "".join(blocks) + tail == text
    assert (blocks, tail) == split_all(text)


@pytest.mark.parametrize(
    ("text", "expected_blocks", "expected_tail"),
    [
        ("# Title\nnext", ["# Title\n"], "next"),  # a heading is complete at its newline
        ("para one\nstill\n\nnext", ["para one\nstill\n\n"], "next"),
        ("```py\na = 1\n\nb = 2\n```\nafter", ["```py\na = 1\n\nb = 2\n```\n"], "after"),
        ("~~~\n```\nx\n~~~\n", ["~~~\n```\nx\n~~~\n"], ""),  # ``` does not close a ~~~ fence
        ("````\n```\n````\n", ["````\n```\n````\n"], ""),  # a shorter fence does not close a longer one
        ("- a\n\n- b\n\n  more\n\nafter\n", ["- a\n\n- b\n\n  more\n\n"], "after\n"),
        ("1. x\n2. y\nlazy\n\n3. z\n", [], "1. x\n2. y\nlazy\n\n3. z\n"),  # the list is still open
        ("| a | b |\n|---|---|\n| 1 | 2 |\n\nz", ["| a | b |\n|---|---|\n| 1 | 2 |\n\n"], "z"),
        ("> q\n> r\n\nz", ["> q\n> r\n\n"], "z"),
        ("text\n## H\n", ["text\n", "## H\n"], ""),  # a heading interrupts a paragraph
        ("text\n```\ncode\n", ["text\n"], "```\ncode\n"),  # an open fence stays in the tail
        ("Title\n=====\nbody", ["Title\n=====\n"], "body"),  # setext heading
        ("---\n", ["---\n"], ""),
        ("    code\n\n    more\nafter\n", ["    code\n\n    more\n"], "after\n"),
        ("\n\n\npara", [], "\n\n\npara"),
    ],
)
def test_block_boundaries(text: str, expected_blocks: list[str], expected_tail: str) -> None:
    assert split_all(text) == (expected_blocks, expected_tail)
    assert split_all(text, list(text)) == (expected_blocks, expected_tail)


def test_each_line_is_scanned_once_even_for_tiny_deltas() -> None:
    doc = make_document(20_000)
    splitter = BlockSplitter()
    for delta in split_deltas(doc, 4000):
        splitter.feed(delta)
    assert splitter.scanned_chars == doc.rfind("\n") + 1


def test_long_line_without_newline_is_not_rescanned() -> None:
    splitter = BlockSplitter()
    for _ in range(5000):
        splitter.feed("word ")
    assert splitter.scanned_chars == 0
    assert splitter.feed("\n\n") == ["word " * 5000 + "\n\n"]


def _visible_lines(markup: str | list[str]) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None)
    for part in [markup] if isinstance(markup, str) else markup:
        console.print(Markdown(part))
    return [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]


def test_blocks_rendered_one_by_one_look_like_the_whole_document() -> None:
    doc = make_document(6_000, seed=7)
    blocks, tail = split_all(doc, split_deltas(doc, 500))
    assert _visible_lines([*blocks, tail]) == _visible_lines(doc)


def test_line_splitter_commits_complete_lines() -> None:
    splitter = LineSplitter()
    assert splitter.feed("ab") == []
    assert splitter.feed("c\nde\nf") == ["abc\nde\n"]
    assert splitter.tail == "f"
    assert splitter.flush() == "f"


def preview_of(text: str, lines: int, chars: int = 10_000, deltas: int = 1) -> str:
    splitter = BlockSplitter()
    for delta in split_deltas(text, deltas) if deltas > 1 else [text]:
        splitter.feed(delta)
    return splitter.preview(lines, chars)


def test_preview_of_a_long_code_block_keeps_the_fence_and_the_last_lines() -> None:
    code = "\n```python\n" + "".join(f"x{i} = {i}\n" for i in range(500)) + "x500 = 5"
    preview = preview_of(code, 10)
    assert preview.startswith("```python\n")
    assert preview.endswith("x499 = 499\nx500 = 5") and "x489 = 489" not in preview
    assert preview.count("\n") == 11


def test_preview_of_a_long_table_keeps_its_header() -> None:
    table = "| a | b |\n|---|--:|\n" + "".join(f"| {i} | {i} |\n" for i in range(100))
    preview = preview_of(table, 5)
    assert preview.startswith("| a | b |\n|---|--:|\n| 95 |")


def test_preview_of_a_short_block_is_the_block() -> None:
    assert preview_of("- a\n- b\n", 10) == "- a\n- b\n"
    long_list = "".join(f"- item {i}\n" for i in range(50))
    assert preview_of(long_list, 3) == "- item 47\n- item 48\n- item 49\n"


def test_preview_of_a_long_line_is_bounded_starts_on_a_word_and_moves_in_steps() -> None:
    splitter = BlockSplitter()
    starts = set()
    for i in range(5_000):
        splitter.feed(f"word{i} ")
        preview = splitter.preview(40, 1_000)
        assert len(preview) <= 1_000
        starts.add(preview.split(" ", 1)[0])
        assert preview.startswith("word")
    assert splitter.preview(40, 1_000).endswith("word4999 ")
    # the cut moves once per 500 characters (half the budget), not on every delta: the view stays still
    assert len(starts) <= 5_000 * 10 // 500 + 2


def test_preview_of_a_code_block_with_one_huge_line_keeps_the_fence() -> None:
    preview = preview_of("```\n" + "x" * 100_000, 40, 2_000, deltas=100)
    assert preview.startswith("```\n") and len(preview) <= 2_004 and preview.endswith("x")


def test_blocks_finished_between_redraws_all_reach_the_screen_in_order() -> None:
    """Finished blocks wait for the next redraw; ones that finish with no open text after them (so no live
    region) must still be printed, in order, when the answer ends."""
    import io

    from rich.console import Console

    from routerkit.console import RunPrinter

    console = Console(file=io.StringIO(), force_terminal=True, width=80, color_system=None)
    printer = RunPrinter(console, markdown=True, stream=True)
    for word in ("first", "second", "third", "fourth"):
        printer.content_delta(f"{word} paragraph\n\n")
    printer.close()
    out = console.file.getvalue()
    positions = [out.find(f"{word} paragraph") for word in ("first", "second", "third", "fourth")]
    assert -1 not in positions and positions == sorted(positions)
    assert out.count("third paragraph") == 1
