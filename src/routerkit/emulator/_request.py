"""Reading a ``POST /responses`` request the way OpenRouter does: auth, JSON, limits, then validation.

Every rejection is a :class:`Failure` carrying the body OpenRouter sends (shape A with an integer
``code`` for gateway errors, shape B ``invalid_prompt`` for the Responses layer). Hostile bodies — not
JSON, nested past :data:`MAX_DEPTH`, larger than :data:`MAX_BODY_BYTES` — get a 4xx, never a 500.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..wire._server_tool import SERVER_TOOL_TYPES
from ._media import check_media
from ._outcomes import Failure, dumps, invalid_prompt

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "Request", "all_text", "content_text", "parse_request", "too_large"]

MAX_BODY_BYTES = 32 * 1024 * 1024
"""Request bodies above this are refused with 413. OpenRouter's limit is not published; it refuses images over
30 MB ("Downloaded image content cannot exceed 30MB", 413, field report 2026-08), and routerkit.media sends
at most 20 MiB of base64 per request, which must fit with the conversation around it."""

MAX_DEPTH = 200
"""Deeper JSON nesting is refused with 400; real requests nest a dozen levels at most."""

KNOWN_TOOL_TYPES = frozenset(
    {
        "function",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "web_search",
        "web_search_2025_08_26",
        "file_search",
        "computer_use_preview",
        "code_interpreter",
        "mcp",
        "image_generation",
        "local_shell",
        "shell",
        "apply_patch",
        "custom",
        "namespace",
        *SERVER_TOOL_TYPES,
    }
)


@dataclass(frozen=True, slots=True)
class Request:
    """A validated request: the JSON body, lower-case headers, the input as items, and the last user turn."""

    body: dict[str, Any]
    headers: dict[str, str]
    items: list[dict[str, Any]]
    user_index: int
    user_text: str
    candidates: list[str]

    def function_tools(self) -> list[dict[str, Any]]:
        """The request's ``function`` tools, in order."""
        tools = self.body.get("tools")
        return [t for t in tools or [] if isinstance(t, dict) and t.get("type") == "function"]

    def includes(self, what: str) -> bool:
        """Whether ``include`` asks for ``what`` (e.g. ``reasoning.encrypted_content``)."""
        include = self.body.get("include")
        return isinstance(include, list) and what in include


def too_large() -> Failure:
    """The 413 OpenRouter sends for an oversized body."""
    return Failure(413, {"error": {"code": 413, "message": "Payload too large"}})


def parse_request(headers: dict[str, str], raw: bytes) -> Request:
    """Check auth, parse and validate the body; raise :class:`Failure` with OpenRouter's error otherwise."""
    auth = headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        raise Failure(401, {"error": {"message": "No cookie auth credentials found", "code": 401}})
    if len(raw) > MAX_BODY_BYTES:
        raise too_large()
    body = _load_json(raw)
    if not isinstance(body, dict):
        raise invalid_prompt("Invalid Responses API request: the body must be a JSON object")
    _validate(body)
    items = _items(body)
    check_media(items)
    user_index, user_text = _last_user(items)
    return Request(body, headers, items, user_index, user_text, _candidates(body))


def _load_json(raw: bytes) -> Any:
    try:
        body = json.loads(raw) if raw.strip() else None
    except RecursionError:
        raise invalid_prompt("Invalid JSON in request body: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_prompt(f"Invalid JSON in request body: {exc}") from None
    if _depth_exceeds(body, MAX_DEPTH):
        raise invalid_prompt(f"Invalid JSON in request body: nested deeper than {MAX_DEPTH} levels")
    return body


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative, so the check itself cannot hit the recursion limit."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


def _validate(body: dict[str, Any]) -> None:
    if body.get("store") is True:
        raise invalid_prompt("Invalid Responses API request: 'store' must be false; this API is stateless.")
    if body.get("previous_response_id") is not None:
        raise invalid_prompt(
            "previous_response_id is not supported: this API is stateless. "
            "Send the full conversation history in input instead."
        )
    _validate_tools(body.get("tools"))
    model, models = body.get("model"), body.get("models")
    if not model and not (isinstance(models, list) and models):
        raise invalid_prompt("Missing required parameter: 'model'.")


def _validate_tools(tools: Any) -> None:
    """Unknown tool types fail as OpenRouter's Zod validation does: issues dumped as a JSON string."""
    if tools is None:
        return
    issues: list[dict[str, Any]] = []
    if not isinstance(tools, list):
        issues.append(
            {"code": "invalid_type", "expected": "array", "path": ["tools"], "message": "Invalid input: expected array"}
        )
    for i, tool in enumerate(tools if isinstance(tools, list) else []):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind not in KNOWN_TOOL_TYPES:
            expected = {
                "code": "invalid_value",
                "values": ["function"],
                "path": ["type"],
                "message": 'Invalid input: expected "function"',
            }
            issues.append(
                {"code": "invalid_union", "errors": [[expected]], "path": ["tools", i], "message": "Invalid input"}
            )
    if issues:
        raise invalid_prompt("Invalid Responses API request", {"raw": json.dumps(issues, indent=2)})


def _candidates(body: dict[str, Any]) -> list[str]:
    """``model`` then ``models``, without repeats: the order OpenRouter tries them in."""
    out: list[Any] = []
    model = body.get("model")
    models = body.get("models")
    fallbacks: list[Any] = models if isinstance(models, list) else []
    for mid in [model, *fallbacks] if model else fallbacks:
        if mid not in out:
            out.append(mid)
    return out


# ------------------------------------------------------------------------------------------ input helpers
def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and isinstance(part.get("text"), str):
        return str(part["text"])
    return ""


def content_text(value: Any) -> str:
    """The text of a message ``content`` (a string or a list of parts); ``""`` for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_part_text(p) for p in value)
    return ""


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    inp = body.get("input")
    if isinstance(inp, str):
        return [{"type": "message", "role": "user", "content": inp}]
    if isinstance(inp, list):
        return [i for i in inp if isinstance(i, dict)]
    return []


def _last_user(items: list[dict[str, Any]]) -> tuple[int, str]:
    for idx in range(len(items) - 1, -1, -1):
        item = items[idx]
        if item.get("type", "message") == "message" and "role" in item and item.get("role") == "user":
            return idx, content_text(item.get("content"))
    return -1, ""


def all_text(req: Request) -> str:
    """Every piece of text the request sends (instructions, contents, arguments, outputs, tools), for usage."""
    body = req.body
    parts = [body.get("instructions") if isinstance(body.get("instructions"), str) else ""]
    for item in req.items:
        parts.append(content_text(item.get("content")))
        for key in ("arguments", "output"):
            parts.append(content_text(item.get(key)))
    if body.get("tools"):
        parts.append(dumps(body["tools"]))
    return "".join(p for p in parts if p)
