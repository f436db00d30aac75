"""A deterministic markdown document generator for the console tests: every block kind, repeated."""

from __future__ import annotations

import random

__all__ = ["make_document", "split_deltas"]

_WORDS_TEXT = (
    "router model fallback stream token reasoning answer latency cost budget provider request response "
    "terminal render block paragraph linear quadratic delta cursor scroll buffer commit"
)
_WORDS = _WORDS_TEXT.split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _block(rng: random.Random, index: int) -> str:
    kind = index % 8
    if kind == 0:
        return f"## Section {index}"
    if kind == 1:
        return "\n".join(_sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(1, 4)))
    if kind == 2:
        return "\n".join(f"- item {i}: **{rng.choice(_WORDS)}** `{rng.choice(_WORDS)}`" for i in range(4))
    if kind == 3:
        body = "\n".join(f"    value_{i} = {i} * {rng.randint(1, 9)}" for i in range(5))
        return f"```python\ndef block_{index}():\n{body}\n\n    return value_0\n```"
    if kind == 4:
        rows = "\n".join(f"| {rng.choice(_WORDS)} | {rng.randint(1, 999)} |" for _ in range(3))
        return f"| name | count |\n|------|------:|\n{rows}"
    if kind == 5:
        return "1. first step\n\n2. second step\n   continued\n\n3. third step"
    if kind == 6:
        return f"> {_sentence(rng, 8)}\n> {_sentence(rng, 6)}"
    return "~~~\nplain fence\n\nwith a blank line\n~~~"


def make_document(size: int, seed: int = 0) -> str:
    """A markdown document of about `size` characters."""
    rng = random.Random(seed)
    blocks: list[str] = []
    total = 0
    index = 0
    while total < size:
        block = _block(rng, index)
        blocks.append(block)
        total += len(block) + 2
        index += 1
    return "\n\n".join(blocks) + "\n"


def split_deltas(text: str, count: int) -> list[str]:
    """`text` cut into `count` pieces of nearly equal length."""
    step = max(1, len(text) // count)
    pieces = [text[i : i + step] for i in range(0, len(text), step)]
    if len(pieces) > count:
        pieces[count - 1 :] = ["".join(pieces[count - 1 :])]
    return pieces
