"""Deterministic content for the emulator's models: words, markdown, haiku, reasoning, schema samples."""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "chat_answer",
    "chunk",
    "estimate_tokens",
    "haiku",
    "markdown_deltas",
    "plain_answer",
    "reasoning_text",
    "sample_from_schema",
    "split_words",
    "summary",
]

_WORD = re.compile(r"\S+\s*|\s+")


def split_words(text: str) -> list[str]:
    """Words with their following whitespace; ``"".join(split_words(t)) == t``."""
    return _WORD.findall(text)


def chunk(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of ``size`` characters (at least one piece, possibly empty)."""
    if not text:
        return [""]
    return [text[i : i + size] for i in range(0, len(text), size)]


def estimate_tokens(text: str) -> int:
    """About four characters per token, at least one for non-empty text; deterministic."""
    return (len(text) + 3) // 4


def _markdown_section(i: int) -> list[str]:
    """One section of the markdown document as a list of blocks (each block stays whole)."""
    n = i + 1
    return [
        f"## Section {n}: notes on streaming\n\n",
        f"Streaming renders **markdown** as it arrives; this is paragraph {n} with `inline code` "
        f"and a [link](https://openrouter.ai/docs/{n}).\n\n",
        f"- item {n}.1: keep blocks whole\n- item {n}.2: print finished blocks once\n"
        f"- item {n}.3: redraw only the tail\n\n",
        f"```python\ndef section_{n}(x: int) -> int:\n    return x * {n}\n```\n\n",
        f"| key | value |\n| --- | --- |\n| section | {n} |\n| bytes | {n * 10} |\n\n",
        f"> Quote {n}: small deltas, steady output.\n\n",
    ]


def markdown_deltas(n: int) -> list[str]:
    """A markdown document of about ``10 * n`` bytes cut into exactly ``n`` deltas (ASCII only)."""
    n = max(1, n)
    target = 10 * n
    parts = ["# Emulator markdown\n\n"]
    size = len(parts[0])
    i = 0
    while size < target:
        for block in _markdown_section(i):
            parts.append(block)
            size += len(block)
            if size >= target:
                break
        i += 1
    doc = "".join(parts)
    base, extra = divmod(len(doc), n)
    out: list[str] = []
    pos = 0
    for k in range(n):
        step = base + (1 if k < extra else 0)
        out.append(doc[pos : pos + step])
        pos += step
    return out


def haiku(topic: str) -> str:
    """A short markdown haiku about ``topic`` (the prompt's subject), deterministic."""
    words = [w for w in re.findall(r"[A-Za-z]+", topic.lower()) if w not in _STOP]
    subject = words[-1] if words else "code"
    return (
        f"**{subject.capitalize()}**\n\n"
        f"*Quiet keys at night*  \n"
        f"*{subject} unfolds line by line*  \n"
        f"*the tests all turn green*\n"
    )


_STOP = {"a", "an", "the", "about", "write", "me", "please", "haiku", "on", "of", "for", "short"}


def _one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    short = text.strip().replace("\n", " ")
    return short if len(short) <= limit else short[: limit - 3] + "..."


def reasoning_text(prompt: str) -> str:
    """A plausible chain of thought about ``prompt``."""
    short = _one_line(prompt, 80)
    return (
        f'The user asks: "{short}". I should answer directly and keep it brief. '
        "Plan: restate the request, give the answer, format it as markdown."
    )


def summary(prompt: str) -> str:
    """A reasoning summary of ``prompt``, markdown with a bold title as OpenAI's summaries have."""
    short = prompt.strip().replace("\n", " ")[:60]
    return f"**Understanding the request**\n\nThe user wants: {short}. I will answer concisely."


def plain_answer(prompt: str) -> str:
    """The ``emulator/*`` answer: the prompt quoted back."""
    return f"You said: {prompt}" if prompt else "Hello from the routerkit emulator."


def chat_answer(prompt: str) -> str:
    """The realistic ids' answer: a haiku when asked for one, else a short markdown reply."""
    if "haiku" in prompt.lower():
        return haiku(prompt)
    return (
        f"Here is a brief answer to **{_one_line(prompt, 120) or 'your message'}**:\n\n"
        "- This reply comes from the offline *routerkit emulator*.\n"
        "- It streams like OpenRouter, with usage and cost.\n"
    )


_FORMAT_SAMPLES = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
}


def _resolve(ref: Any, root: Any) -> dict[str, Any]:
    """The local ``$ref`` target; ``{}`` (any value) when it points nowhere."""
    node: Any = root
    for part in str(ref).lstrip("#/").split("/"):
        if part:
            if not isinstance(node, dict):
                return {}
            node = node.get(part.replace("~1", "/").replace("~0", "~"))
    return node if isinstance(node, dict) else {}


def sample_from_schema(schema: Any, root: Any = None, name: str = "value", depth: int = 0) -> Any:
    """A value valid for the JSON Schema ``schema`` (types, enums, consts, required properties,
    nested objects/arrays, local ``$ref``s, simple numeric and length bounds). Deterministic."""
    if root is None:
        root = schema
    if not isinstance(schema, dict) or depth > 12:
        return None if depth > 12 else f"example {name}"
    if "$ref" in schema:
        return sample_from_schema(_resolve(schema["$ref"], root), root, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if not (isinstance(o, dict) and o.get("type") == "null")]
            return sample_from_schema((options or schema[key])[0], root, name, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for sub in schema["allOf"]:
            sub = _resolve(sub["$ref"], root) if isinstance(sub, dict) and "$ref" in sub else sub
            for k, v in sub.items():
                if k in ("properties",) and k in merged:
                    merged[k] = {**merged[k], **v}
                elif k == "required" and k in merged:
                    merged[k] = [*merged[k], *v]
                else:
                    merged[k] = v
        return sample_from_schema(merged, root, name, depth + 1)
    typ = schema.get("type")
    if isinstance(typ, list):
        non_null = [t for t in typ if t != "null"]
        typ = non_null[0] if non_null else "null"
    if typ is None:
        typ = "object" if "properties" in schema else "string"
    if typ == "object":
        props = schema.get("properties", {})
        return {k: sample_from_schema(v, root, k, depth + 1) for k, v in props.items()}
    if typ == "array":
        count = max(1, schema.get("minItems", 1))
        if "maxItems" in schema:
            count = min(count, schema["maxItems"])
        items = schema.get("items", {})
        if "prefixItems" in schema:
            return [sample_from_schema(s, root, name, depth + 1) for s in schema["prefixItems"]]
        return [sample_from_schema(items, root, name, depth + 1) for _ in range(count)]
    if typ in ("integer", "number"):
        lo = schema.get("minimum", schema.get("exclusiveMinimum"))
        hi = schema.get("maximum", schema.get("exclusiveMaximum"))
        value: float = 1
        if lo is not None:
            value = lo + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
        if hi is not None and value > hi:
            value = hi - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
        mult = schema.get("multipleOf")
        if mult:
            value = mult * max(1, int(value // mult) + (1 if value % mult else 0))
        return int(value) if typ == "integer" else float(value)
    if typ == "boolean":
        return True
    if typ == "null":
        return None
    text = _FORMAT_SAMPLES.get(schema.get("format", ""), f"example {name}")
    lo_len, hi_len = schema.get("minLength", 0), schema.get("maxLength")
    if len(text) < lo_len:
        text = text + "x" * (lo_len - len(text))
    if hi_len is not None and len(text) > hi_len:
        text = text[:hi_len]
    return text
