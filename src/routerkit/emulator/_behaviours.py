"""The model behaviours as a table: behaviour key (from the model id, see :mod:`._models`) → what it streams.

Each entry is a reasoning prelude (or none) and an answer style. ``echo`` and ``markdown`` answer
directly; the other styles first call tools or answer with tool outputs (when the request has function
tools), then JSON when ``text.format`` asks for it, then text. Mid-stream faults only send the partial
answer of :mod:`._faults`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _content as content
from ._builder import OutputBuilder, rand_id
from ._faults import MID_STREAM, PARTIAL
from ._media import describe_media
from ._models import ModelSpec
from ._outcomes import dumps
from ._reasoning import Sealer
from ._request import Request, content_text

__all__ = ["Turn", "behave"]

ALL_TOOLS_TRIGGERS = ("all tools", "all the tools", "every tool", "all of the tools")


@dataclass(frozen=True, slots=True)
class Turn:
    """One generation: the model, the request, where output goes, and the reasoning sealer."""

    spec: ModelSpec
    req: Request
    out: OutputBuilder
    sealer: Sealer

    def seal(self, prefix: str = "rs_enc_") -> tuple[str, str]:
        """A fresh reasoning item id and its ``encrypted_content``."""
        rid = f"{prefix}{rand_id(24)}"
        return rid, self.sealer.seal(rid, self.spec.base)

    def sealed_if_asked(self) -> tuple[str, str] | None:
        """Sealed when the request has ``include: ["reasoning.encrypted_content"]``, as upstreams do."""
        return self.seal() if self.req.includes("reasoning.encrypted_content") else None


# -------------------------------------------------------------------------------------- reasoning preludes
def _raw_reasoning(t: Turn) -> None:
    t.out.reasoning_text(content.split_words(content.reasoning_text(t.req.user_text)), t.sealed_if_asked())


def _summary_reasoning(t: Turn) -> None:
    t.out.reasoning_summary(content.split_words(content.summary(t.req.user_text)), t.sealed_if_asked())


def _encrypted_reasoning(t: Turn) -> None:
    t.out.reasoning_encrypted(t.seal())


def _summary_encrypted_reasoning(t: Turn) -> None:
    t.out.reasoning_summary(content.split_words(content.summary(t.req.user_text)), t.seal())


# ------------------------------------------------------------------------------------------------- answers
def _echo(t: Turn) -> None:
    """The last user message back, then what media it carried ("Received 1 image (image/png, 12 KB).")."""
    media = describe_media(t.req.items[t.req.user_index]) if t.req.user_index >= 0 else ""
    text = t.req.user_text
    if media:
        text = f"{text}\n\nReceived {media}." if text else f"Received {media}."
    t.out.message(content.split_words(text))


def _markdown(t: Turn) -> None:
    t.out.message(content.markdown_deltas(t.spec.n))


def _partial(t: Turn) -> None:
    t.out.message(PARTIAL, status="incomplete")


def _respond(text_answer: Callable[[str], str], always_json: bool = False) -> Callable[[Turn], None]:
    """Tools first, then JSON (``always_json`` or a JSON ``text.format``), then ``text_answer``."""

    def respond(t: Turn) -> None:
        if _tool_turn(t):
            return
        body = t.req.body
        fmt = body["text"].get("format") if isinstance(body.get("text"), dict) else None
        if always_json or (isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")):
            t.out.message(content.chunk(_json_answer(fmt, t.req.user_text), t.out.chunk_size))
        else:
            t.out.message(content.split_words(text_answer(t.req.user_text)))

    return respond


@dataclass(frozen=True, slots=True)
class Behaviour:
    """A reasoning prelude (``None``: no reasoning) and the answer."""

    prelude: Callable[[Turn], None] | None
    answer: Callable[[Turn], None]


_PLAIN = _respond(content.plain_answer)
_CHAT = _respond(content.chat_answer)

BEHAVIOURS: dict[str, Behaviour] = {
    # emulator/<family>
    "echo": Behaviour(None, _echo),
    "flaky": Behaviour(None, _echo),
    "slow": Behaviour(None, _echo),  # the wait before it is the account's (_account.py)
    "markdown": Behaviour(None, _markdown),
    "reasoning": Behaviour(_raw_reasoning, _PLAIN),
    "reasoning-summary": Behaviour(_summary_reasoning, _PLAIN),
    "reasoning-encrypted": Behaviour(_encrypted_reasoning, _PLAIN),
    "tool": Behaviour(None, _PLAIN),
    "json": Behaviour(None, _respond(content.plain_answer, always_json=True)),
    **{family: Behaviour(None, _partial) for family in MID_STREAM},
    # realistic ids: their persona (see _models._REALISTIC)
    "chat": Behaviour(None, _CHAT),
    "raw-reasoning": Behaviour(_raw_reasoning, _CHAT),
    "summary-encrypted": Behaviour(_summary_encrypted_reasoning, _CHAT),
}


def behave(turn: Turn) -> None:
    """Produce ``turn``'s output with the behaviour its model id names."""
    spec = turn.spec
    behaviour = BEHAVIOURS[spec.persona if spec.family == "realistic" else spec.family]
    if behaviour.prelude is not None:
        behaviour.prelude(turn)
    behaviour.answer(turn)


# --------------------------------------------------------------------------------------------------- tools
def _tool_turn(t: Turn) -> bool:
    """Call tools, or answer with their outputs. Returns True if it produced the answer."""
    req, body = t.req, t.req.body
    tools = req.function_tools()
    if t.spec.family != "tool" and not tools:
        return False
    names = {i.get("call_id"): i.get("name") for i in req.items if i.get("type") == "function_call"}
    outputs = [i for i in req.items[req.user_index + 1 :] if i.get("type") == "function_call_output"]
    if outputs:
        lines = ["Here is what the tools returned:\n\n"]
        for o in outputs:
            out = o.get("output")
            out_text = out if isinstance(out, str) else content_text(out)
            lines.append(f"- {names.get(o.get('call_id'), 'tool')}: {out_text}\n")
        t.out.message(content.split_words("".join(lines)))
        return True
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none":
        return False
    chosen = tools[:1]
    if isinstance(choice, dict) and choice.get("type") == "function":
        chosen = [tool for tool in tools if tool.get("name") == choice.get("name")] or chosen
    elif any(trigger in req.user_text.lower() for trigger in ALL_TOOLS_TRIGGERS):
        chosen = tools if body.get("parallel_tool_calls") is not False else tools[:1]
    calls = []
    for tool in chosen:
        params = tool.get("parameters") or {"type": "object", "properties": {}}
        calls.append((str(tool.get("name", "")), dumps(_arguments(params, req.user_text))))
    t.out.function_calls(calls)
    return True


# A proper noun after a preposition ("weather in Paris", "flights to New York"): a place or a name.
_NAMED = re.compile(r"\b(?:in|for|at|of|about|to|from|near|called|named)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_WHOLE_TEXT = frozenset({"query", "q", "text", "prompt", "question", "input", "message", "search", "topic"})


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether `value` keeps to the simple bounds of `schema` (what strict schemas from type hints use)."""
    if isinstance(value, str):
        return schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)) and not (
            schema.get("pattern") or schema.get("format")
        )
    low, high = schema.get("minimum"), schema.get("maximum")
    return (low is None or value >= low) and (high is None or value <= high)


def _arguments(params: dict[str, Any], prompt: str) -> dict[str, Any]:
    """Arguments valid for `params`, taken from the prompt where it says them, as a model would: an enum
    value the prompt names, proper nouns after a preposition for strings (the whole prompt for a `query`),
    the prompt's numbers in order for numbers; a sample value for the rest."""
    args = content.sample_from_schema(params)
    if not isinstance(args, dict):
        return {}
    properties = params.get("properties")
    if not isinstance(properties, dict):
        return args
    names = iter(_NAMED.findall(prompt))
    numbers = iter(_NUMBER.findall(prompt))
    lowered = prompt.lower()
    for name, schema in properties.items():
        if name not in args or not isinstance(schema, dict):
            continue
        value: Any = None
        kind = schema.get("type")
        if isinstance(schema.get("enum"), list):
            value = next((v for v in schema["enum"] if isinstance(v, str) and v.lower() in lowered), None)
        elif kind == "string":
            value = prompt.strip() if name.lower() in _WHOLE_TEXT else next(names, None)
        elif kind in ("integer", "number"):
            text = next(numbers, None)
            if text is not None and (kind == "number" or "." not in text):
                value = int(text) if kind == "integer" else float(text)
        if value is not None and _fits(value, schema):
            args[name] = value
    return args


def _json_answer(fmt: Any, text: str) -> str:
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return dumps(content.sample_from_schema(fmt["schema"]))
    return dumps({"answer": text})
