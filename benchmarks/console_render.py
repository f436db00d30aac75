"""CPU cost of streaming a markdown answer through `RunPrinter` on a terminal-like console.

Streams a generated ~20 KB markdown document in 2,000 and in 4,000 deltas into a console that believes it is
a 100x40 terminal and writes to /dev/null, and prints the CPU seconds (`time.process_time`) of each run and
their ratio. Rendering that re-parses the whole answer on every delta grows with the square of the delta
count (ratio near 4); routerkit's printer commits finished blocks once, so the ratio should stay near 2.

Targets: at most 1 s of CPU for 2,000 deltas, and a 4,000/2,000 ratio of at most 2.2.

Shapes: a second measurement streams answers of other shapes (the markdown mix, one long paragraph on a single
line, one tall code block) at 150 KB and at 300 KB, in 50-character deltas that arrive 2 ms apart on a virtual
clock, and counts the characters the printer renders (`RunPrinter.stats`). The virtual clock makes the count
exact and the same on every machine: the printer's 15-a-second redraw throttle sees the stream's own pace, not
this machine's speed. Target: doubling the answer at most 2.2× the characters rendered, for every shape.

    python benchmarks/console_render.py [--size 20000] [--repeat 3] [--shapes]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from rich.console import Console

from routerkit.console import RunPrinter, RunSummary

SHAPE_SIZES = (150_000, 300_000)
DELTA_CHARS = 50
PACE_S = 0.002

WORDS_TEXT = (
    "router model fallback stream token reasoning answer latency cost budget provider request response "
    "terminal render block paragraph linear quadratic delta cursor scroll buffer commit"
)
WORDS = WORDS_TEXT.split()


def make_document(size: int, seed: int = 1) -> str:
    """A markdown answer of about `size` characters: headings, paragraphs, lists, code, tables, quotes."""
    rng = random.Random(seed)

    def sentence(n: int) -> str:
        text = " ".join(rng.choice(WORDS) for _ in range(n))
        return text[0].upper() + text[1:] + "."

    blocks: list[str] = []
    total = 0
    index = 0
    while total < size:
        kind = index % 6
        if kind == 0:
            block = f"## Part {index // 6 + 1}"
        elif kind == 1:
            block = " ".join(sentence(rng.randint(8, 16)) for _ in range(rng.randint(2, 5)))
        elif kind == 2:
            block = "\n".join(f"- **{rng.choice(WORDS)}**: {sentence(6)}" for _ in range(rng.randint(3, 6)))
        elif kind == 3:
            lines = "\n".join(f"    total += {rng.choice(WORDS)}_{i} * {rng.randint(2, 99)}" for i in range(8))
            block = f"```python\ndef step_{index}(items):\n    total = 0\n{lines}\n\n    return total\n```"
        elif kind == 4:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {sentence(3)} |" for _ in range(5))
            block = f"| name | count | note |\n|---|---:|---|\n{rows}"
        else:
            block = f"> {sentence(10)}\n> {sentence(8)}"
        blocks.append(block)
        total += len(block) + 2
        index += 1
    return "\n\n".join(blocks) + "\n"


def make_paragraph(size: int, seed: int = 1) -> str:
    """One paragraph of about `size` characters on a single line: no newline to cut a preview at."""
    rng = random.Random(seed)
    words: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    return " ".join(words).capitalize() + ".\n"


def make_code_block(size: int, seed: int = 1) -> str:
    """One fenced code block of about `size` characters: a block taller than any screen."""
    rng = random.Random(seed)
    lines = ["```python"]
    total = 0
    while total < size:
        line = f"    total += {rng.choice(WORDS)}_{len(lines)} * {rng.randint(2, 99)}"
        lines.append(line)
        total += len(line) + 1
    return "\n".join([*lines, "```"]) + "\n"


SHAPES: dict[str, Callable[[int], str]] = {
    "markdown mix": make_document,
    "one long single-line paragraph": make_paragraph,
    "one tall code block": make_code_block,
}


def split(text: str, count: int) -> list[str]:
    step = max(1, len(text) // count)
    pieces = [text[i : i + step] for i in range(0, len(text), step)]
    if len(pieces) > count:
        pieces[count - 1 :] = ["".join(pieces[count - 1 :])]
    return pieces


def run(doc: str, deltas: int, refresh_interval: float | None = None) -> tuple[float, RunPrinter]:
    with open(os.devnull, "w", encoding="utf-8") as sink:
        console = Console(file=sink, force_terminal=True, width=100, height=40)
        pieces = split(doc, deltas)
        start = time.process_time()
        with RunPrinter(console) as printer:
            if refresh_interval is not None:
                printer.refresh_interval = refresh_interval
            printer.message("Write a long markdown answer.")
            for piece in pieces:
                printer.content_delta(piece)
            printer.summary(RunSummary("openai/gpt-oss-120b", "openai/gpt-oss-120b", 20, 5000, None, 0.0012, 0.3, 4.0))
        return time.process_time() - start, printer


@contextmanager
def virtual_clock(step: float) -> Iterator[Callable[[], None]]:
    """Replace `time.monotonic` with a clock that only moves when the returned `tick()` is called, by `step`
    seconds: what the printer's redraw throttle reads while deltas are fed as fast as this machine can."""
    now = [0.0]

    def tick() -> None:
        now[0] += step

    with mock.patch("time.monotonic", lambda: now[0]):
        yield tick


def run_paced(doc: str, delta_chars: int = DELTA_CHARS, pace: float = PACE_S) -> tuple[float, RunPrinter]:
    """Stream `doc` in `delta_chars` pieces that arrive `pace` seconds apart on a virtual clock; CPU seconds
    and the printer (its `stats` count the characters rendered, the same on every run)."""
    pieces = [doc[i : i + delta_chars] for i in range(0, len(doc), delta_chars)]
    with open(os.devnull, "w", encoding="utf-8") as sink, virtual_clock(pace) as tick:
        console = Console(file=sink, force_terminal=True, width=100, height=40)
        start = time.process_time()
        with RunPrinter(console) as printer:
            printer.message("Write a long answer.")
            for piece in pieces:
                tick()
                printer.content_delta(piece)
        return time.process_time() - start, printer


def shapes_report() -> None:
    print(f"-- shapes: {DELTA_CHARS}-character deltas {PACE_S * 1000:g} ms apart (virtual clock)")
    for name, make in SHAPES.items():
        rendered = {}
        for size in SHAPE_SIZES:
            seconds, printer = run_paced(make(size))
            rendered[size] = printer.stats.rendered_chars
            print(
                f"{name}, {size // 1000} KB: rendered {printer.stats.rendered_chars:,} chars in "
                f"{printer.stats.tail_renders:,} tail redraws, {seconds:.2f} s CPU"
            )
        small, large = SHAPE_SIZES
        print(f"{name}: doubling the answer renders {rendered[large] / rendered[small]:.2f}x the characters")
    print("target: <= 2.2x for every shape")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000, help="document size in characters")
    parser.add_argument("--repeat", type=int, default=3, help="runs per delta count; the best is kept")
    parser.add_argument("--shapes", action="store_true", help="measure the answer shapes instead")
    args = parser.parse_args()
    if args.shapes:
        shapes_report()
        return
    doc = make_document(args.size)
    print(f"document: {len(doc):,} chars, {doc.count(chr(10)):,} lines")
    # The default printer redraws the live tail at most 15 times a second; the second pass redraws it on
    # every delta, the worst case, to show that the cost per delta is bounded by the open block's size.
    for label, interval in (("default (15 redraws/s)", None), ("redraw on every delta", 0.0)):
        print(f"-- {label}")
        results: dict[int, float] = {}
        for deltas in (2000, 4000):
            seconds, printer = min((run(doc, deltas, interval) for _ in range(args.repeat)), key=lambda r: r[0])
            results[deltas] = seconds
            stats = printer.stats
            print(
                f"{deltas:>5} deltas: {seconds:.3f} s CPU  "
                f"(rendered {stats.rendered_chars:,} chars, {stats.tail_renders:,} tail redraws, "
                f"{stats.committed_blocks} blocks committed)"
            )
        ratio = results[4000] / results[2000]
        print(f"4000/2000 ratio: {ratio:.2f}")
    print("targets (default printer): <= 1 s CPU for 2,000 deltas, 4000/2000 ratio <= 2.2")


if __name__ == "__main__":
    main()
