"""What the emulator answers to ``POST /responses``: validation, fallback, and the model behaviours.

Sans-IO: :meth:`Engine.handle` turns (headers, raw body) into an outcome value — a plain HTTP reply, a
stream plan (pre-encoded frames plus pacing and ending), a bounded hang, or a dropped connection. The
ASGI layer (:mod:`._app`) only moves those bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from . import _content as content
from ._framing import DONE_FRAME, Framing, encode_event, framing_from_headers
from ._models import ModelSpec, price, provider_name, resolve

__all__ = ["Drop", "Engine", "Hang", "HttpReply", "Outcome", "StreamPlan"]

_ALNUM = string.ascii_letters + string.digits
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

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
        "openrouter:web_search",
        "openrouter:web_fetch",
        "openrouter:datetime",
        "openrouter:image_generation",
        "openrouter:experimental__search_models",
        "openrouter:advisor",
        "openrouter:subagent",
        "openrouter:fusion",
        "openrouter:files",
        "openrouter:bash",
        "openrouter:shell",
        "openrouter:apply_patch",
        "openrouter:tool_search",
    }
)
ALL_TOOLS_TRIGGERS = ("all tools", "all the tools", "every tool", "all of the tools")
STALL_LIMIT_S = 120.0
_PARTIAL = ["Partial ", "answer ", "then "]


# --------------------------------------------------------------------------------------------- outcomes
@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(slots=True)
class StreamPlan:
    """Frames to send. ``paced[i]`` marks frames that wait ``pace_ms`` after the previous paced one
    (absolute schedule). ``ending``: ``done`` finish the body; ``stall`` go silent (bounded);
    ``truncate`` close the socket without finishing the body."""

    headers: list[tuple[bytes, bytes]]
    frames: list[bytes]
    paced: list[bool]
    pace_ms: int
    ending: Literal["done", "stall", "truncate"]
    framing: Framing


@dataclass(frozen=True, slots=True)
class Hang:
    """Accept the request and never answer (until the client leaves, the server stops or ``seconds``)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the connection without any response."""


Outcome = HttpReply | StreamPlan | Hang | Drop


class _Failure(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpReply:
    hdrs = [(b"content-type", b"application/json")]
    hdrs += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    return HttpReply(status, hdrs, _dumps(body).encode())


def _rand(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _shape_b(message: str, metadata: Any = None) -> _Failure:
    return _Failure(400, {"error": {"code": "invalid_prompt", "message": message}, "metadata": metadata})


# ------------------------------------------------------------------------------------------ input helpers
def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and isinstance(part.get("text"), str):
        return part["text"]
    return ""


def _content_text(value: Any) -> str:
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


def _is_message(item: dict[str, Any]) -> bool:
    return item.get("type", "message") == "message" and "role" in item


def _last_user(items: list[dict[str, Any]]) -> tuple[int, str]:
    for idx in range(len(items) - 1, -1, -1):
        item = items[idx]
        if _is_message(item) and item.get("role") == "user":
            return idx, _content_text(item.get("content"))
    return -1, ""


def _all_text(body: dict[str, Any]) -> str:
    parts = [body.get("instructions") if isinstance(body.get("instructions"), str) else ""]
    for item in _items(body):
        parts.append(_content_text(item.get("content")))
        for key in ("arguments", "output"):
            parts.append(_content_text(item.get(key)))
    if body.get("tools"):
        parts.append(_dumps(body["tools"]))
    return "".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------ output builder
class _Builder:
    """Accumulates output items and the stream events that produce them."""

    def __init__(self, base: dict[str, Any], chunk_size: int = 10) -> None:
        self.base = base
        self.output: list[dict[str, Any]] = []
        self.events: list[tuple[dict[str, Any], bool]] = []
        self.text = ""
        self.reasoning = ""
        self.extra_reasoning_tokens = 0
        self.text_for_usage = ""
        self.chunk_size = chunk_size

    def emit(self, event: dict[str, Any], paced: bool = False) -> None:
        self.events.append((event, paced))

    def message(self, deltas: list[str], status: str = "completed") -> None:
        idx = len(self.output)
        item_id = f"msg_tmp_{_rand(11).lower()}"
        text = "".join(deltas)
        self.emit(
            {
                "type": "response.output_item.added",
                "output_index": idx,
                "item": {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress", "content": []},
            }
        )
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        common = {"item_id": item_id, "output_index": idx, "content_index": 0}
        self.emit({"type": "response.content_part.added", **common, "part": part})
        for d in deltas:
            self.emit({"type": "response.output_text.delta", **common, "delta": d, "logprobs": []}, True)
        self.text += text
        final = {
            "type": "message",
            "id": item_id,
            "role": "assistant",
            "status": status,
            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
        }
        self.output.append(final)
        if status != "completed":
            return
        self.emit({"type": "response.output_text.done", **common, "text": text, "logprobs": []})
        self.emit({"type": "response.content_part.done", **common, "part": {**part, "text": text}})
        self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})

    def reasoning_text(self, deltas: list[str]) -> None:
        idx = len(self.output)
        item_id = f"rs_tmp_{_rand(11).lower()}"
        text = "".join(deltas)
        self.emit(
            {
                "type": "response.output_item.added",
                "output_index": idx,
                "item": {"type": "reasoning", "id": item_id, "summary": []},
            }
        )
        # No content_part events for reasoning_text: OpenRouter sends them, but its published schema
        # only allows output_text/refusal parts, and every emitted event must validate.
        common = {"item_id": item_id, "output_index": idx, "content_index": 0}
        for d in deltas:
            self.emit({"type": "response.reasoning_text.delta", **common, "delta": d}, True)
        self.emit({"type": "response.reasoning_text.done", **common, "text": text})
        final = {
            "type": "reasoning",
            "id": item_id,
            "summary": [],
            "content": [{"type": "reasoning_text", "text": text}],
        }
        self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})
        self.output.append(final)
        self.reasoning += text

    def reasoning_summary(self, deltas: list[str], encrypted: str | None = None, item_id: str = "") -> None:
        idx = len(self.output)
        item_id = item_id or f"rs_tmp_{_rand(11).lower()}"
        text = "".join(deltas)
        self.emit(
            {
                "type": "response.output_item.added",
                "output_index": idx,
                "item": {"type": "reasoning", "id": item_id, "status": "in_progress", "summary": []},
            }
        )
        common = {"item_id": item_id, "output_index": idx, "summary_index": 0}
        self.emit(
            {"type": "response.reasoning_summary_part.added", **common, "part": {"type": "summary_text", "text": ""}}
        )
        for d in deltas:
            self.emit({"type": "response.reasoning_summary_text.delta", **common, "delta": d}, True)
        self.emit({"type": "response.reasoning_summary_text.done", **common, "text": text})
        self.emit(
            {"type": "response.reasoning_summary_part.done", **common, "part": {"type": "summary_text", "text": text}}
        )
        final: dict[str, Any] = {
            "type": "reasoning",
            "id": item_id,
            "status": "completed",
            "summary": [{"type": "summary_text", "text": text}],
        }
        if encrypted is not None:
            final["encrypted_content"] = encrypted
            final["format"] = "openai-responses-v1"
            self.extra_reasoning_tokens += 64
        self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})
        self.output.append(final)
        self.reasoning += text

    def reasoning_encrypted(self, item_id: str, encrypted: str) -> None:
        idx = len(self.output)
        self.emit(
            {
                "type": "response.output_item.added",
                "output_index": idx,
                "item": {"type": "reasoning", "id": item_id, "status": "in_progress", "summary": []},
            }
        )
        final = {
            "type": "reasoning",
            "id": item_id,
            "status": "completed",
            "summary": [],
            "encrypted_content": encrypted,
            "format": "openai-responses-v1",
        }
        self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})
        self.output.append(final)
        self.extra_reasoning_tokens += 96

    def function_calls(self, calls: list[tuple[str, str]]) -> None:
        """``calls``: (name, arguments JSON). Each call's events are emitted in turn."""
        for name, arguments in calls:
            idx = len(self.output)
            item_id = f"fc_tmp_{_rand(11).lower()}"
            call_id = f"call_{_rand(24)}"
            base = {"type": "function_call", "id": item_id, "call_id": call_id, "name": name}
            self.emit(
                {
                    "type": "response.output_item.added",
                    "output_index": idx,
                    "item": {**base, "arguments": "", "status": "in_progress"},
                }
            )
            common = {"item_id": item_id, "output_index": idx}
            for d in content.chunk(arguments, self.chunk_size):
                self.emit({"type": "response.function_call_arguments.delta", **common, "delta": d}, True)
            self.emit({"type": "response.function_call_arguments.done", **common, "name": name, "arguments": arguments})
            final = {**base, "arguments": arguments, "status": "completed"}
            self.emit({"type": "response.output_item.done", "output_index": idx, "item": final})
            self.output.append(final)
            self.text_for_usage += arguments


# ------------------------------------------------------------------------------------------------ engine
@dataclass
class _Request:
    body: dict[str, Any]
    headers: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)
    user_text: str = ""
    user_index: int = -1


class Engine:
    """Stateless per request except for ``emulator/flaky-N`` counters and the reasoning HMAC secret."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)
        self._flaky: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._flaky.clear()

    # -- encrypted reasoning ------------------------------------------------------------------------
    def sign_reasoning(self, item_id: str, model: str) -> str:
        payload = base64.urlsafe_b64encode(_dumps({"model": model, "v": 1}).encode()).decode().rstrip("=")
        mac = hmac.new(self._secret, f"{item_id}.{payload}".encode(), hashlib.sha256).digest()
        return f"gAAAAA{payload}.{base64.urlsafe_b64encode(mac).decode()}"

    def _verify_reasoning(self, item: dict[str, Any]) -> bool:
        enc = item.get("encrypted_content")
        if not isinstance(enc, str) or not enc.startswith("gAAAAA") or "." not in enc:
            return False
        payload, _, mac_b64 = enc[6:].partition(".")
        try:
            mac = base64.urlsafe_b64decode(mac_b64)
        except ValueError:
            return False
        want = hmac.new(self._secret, f"{item['id']}.{payload}".encode(), hashlib.sha256).digest()
        return hmac.compare_digest(mac, want)

    # -- entry point ---------------------------------------------------------------------------------
    def handle(self, headers: dict[str, str], raw: bytes) -> Outcome:
        try:
            return self._handle(headers, raw)
        except _Failure as f:
            return _json_reply(f.status, f.body, f.headers)

    def _handle(self, headers: dict[str, str], raw: bytes) -> Outcome:
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            raise _Failure(401, {"error": {"message": "No cookie auth credentials found", "code": 401}})
        try:
            body = json.loads(raw) if raw.strip() else None
        except (ValueError, UnicodeDecodeError) as exc:
            raise _shape_b(f"Invalid JSON in request body: {exc}") from None
        if not isinstance(body, dict):
            raise _shape_b("Invalid Responses API request: the body must be a JSON object")
        self._validate(body)
        candidates = self._candidates(body)
        specs = []
        for mid in candidates:
            spec = resolve(mid)
            if spec is None:
                raise _Failure(400, {"error": {"code": 400, "message": f"{mid} is not a valid model ID"}})
            specs.append(spec)
        req = _Request(body=body, headers=headers, items=_items(body))
        req.user_index, req.user_text = _last_user(req.items)
        self._check_replayed_reasoning(req, specs[0])
        attempts: list[dict[str, Any]] = []
        failure: _Failure | HttpReply | None = None
        for spec in specs:
            fail = self._pre_stream_failure(spec, req)
            provider = provider_name(spec.base)
            if fail is None:
                attempts.append({"model": spec.base, "provider": provider, "status": 200})
                meta = self._metadata(req, candidates, attempts, spec) if self._wants_meta(headers) else None
                return self._generate(spec, req, meta)
            attempts.append({"model": spec.base, "provider": provider, "status": fail.status})
            failure = fail
        assert failure is not None
        if isinstance(failure, HttpReply):
            return failure
        if self._wants_meta(headers) and isinstance(failure.body, dict):
            failure.body["openrouter_metadata"] = self._metadata(req, candidates, attempts, None)
        return _json_reply(failure.status, failure.body, failure.headers)

    # -- validation ----------------------------------------------------------------------------------
    @staticmethod
    def _validate(body: dict[str, Any]) -> None:
        if body.get("store") is True:
            raise _shape_b("Invalid Responses API request: 'store' must be false; this API is stateless.")
        if body.get("previous_response_id") is not None:
            raise _shape_b(
                "previous_response_id is not supported: this API is stateless. "
                "Send the full conversation history in input instead."
            )
        tools = body.get("tools")
        if tools is not None:
            issues = []
            for i, tool in enumerate(tools if isinstance(tools, list) else []):
                kind = tool.get("type") if isinstance(tool, dict) else None
                if kind not in KNOWN_TOOL_TYPES:
                    issues.append(
                        {
                            "code": "invalid_union",
                            "errors": [
                                [
                                    {
                                        "code": "invalid_value",
                                        "values": ["function"],
                                        "path": ["type"],
                                        "message": 'Invalid input: expected "function"',
                                    }
                                ]
                            ],
                            "path": ["tools", i],
                            "message": "Invalid input",
                        }
                    )
            if not isinstance(tools, list):
                issues.append(
                    {
                        "code": "invalid_type",
                        "expected": "array",
                        "path": ["tools"],
                        "message": "Invalid input: expected array",
                    }
                )
            if issues:
                raise _shape_b("Invalid Responses API request", {"raw": json.dumps(issues, indent=2)})
        model, models = body.get("model"), body.get("models")
        if not model and not (isinstance(models, list) and models):
            raise _shape_b("Missing required parameter: 'model'.")

    @staticmethod
    def _candidates(body: dict[str, Any]) -> list[str]:
        out: list[str] = []
        model = body.get("model")
        models = body.get("models") if isinstance(body.get("models"), list) else []
        for mid in [model, *models] if model else models:
            if mid not in out:
                out.append(mid)
        return out

    def _check_replayed_reasoning(self, req: _Request, spec: ModelSpec) -> None:
        for item in req.items:
            if item.get("type") != "reasoning" or not str(item.get("id", "")).startswith("rs_enc_"):
                continue
            rid = item["id"]
            if not item.get("encrypted_content"):
                msg = (
                    f"Item with id '{rid}' not found. Items are not persisted when `store` is set to false. "
                    "Try again with `store` set to true, or remove this item from your input."
                )
            elif not self._verify_reasoning(item):
                msg = f"The encrypted content for item {rid} could not be verified."
            else:
                continue
            raw = _dumps(
                {
                    "error": {
                        "message": msg,
                        "type": "invalid_request_error",
                        "param": "input",
                        "code": "invalid_encrypted_content",
                    }
                }
            )
            raise _Failure(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": msg,
                        "metadata": {"raw": raw, "provider_name": provider_name(spec.base)},
                    }
                },
            )

    # -- failures ------------------------------------------------------------------------------------
    def _pre_stream_failure(self, spec: ModelSpec, req: _Request) -> _Failure | HttpReply | None:
        prov = provider_name(spec.base)
        if spec.family == "fail":
            return _fail_body(spec, prov)
        if spec.family == "unavailable":
            return _Failure(
                503,
                {
                    "error": {
                        "code": 503,
                        "message": (
                            f"No endpoints available for {spec.base}: no available model provider meets your routing "
                            "requirements"
                        ),
                        "metadata": {"provider_name": None, "error_type": "provider_unavailable"},
                    }
                },
            )
        if spec.family == "html-502":
            return HttpReply(502, [(b"content-type", b"text/html; charset=UTF-8")], _HTML_502)
        if spec.family == "flaky":
            key = (spec.base, hashlib.sha256(_dumps(req.body.get("input")).encode()).hexdigest())
            with self._lock:
                seen = self._flaky.get(key, 0)
                self._flaky[key] = seen + 1
            if seen < spec.n:
                return _Failure(
                    503,
                    {
                        "error": {
                            "code": 503,
                            "message": "Provider returned error",
                            "metadata": {
                                "raw": "upstream connect error or disconnect/reset before headers (attempt "
                                f"{seen + 1} of {spec.n} fails)",
                                "provider_name": prov,
                            },
                        }
                    },
                )
        return None

    # -- metadata ------------------------------------------------------------------------------------
    @staticmethod
    def _wants_meta(headers: dict[str, str]) -> bool:
        value = headers.get("x-openrouter-metadata") or headers.get("x-openrouter-experimental-metadata") or ""
        return value.strip().lower() == "enabled"

    @staticmethod
    def _metadata(
        req: _Request, candidates: list[str], attempts: list[dict[str, Any]], served: ModelSpec | None
    ) -> dict[str, Any]:
        available = [
            {
                "model": resolve(m).base if resolve(m) else m,
                "provider": provider_name(m),
                "selected": served is not None and m == served.id,
            }
            for m in candidates
        ]
        return {
            "requested": candidates[0],
            "strategy": "fallback" if len(candidates) > 1 else "direct",
            "attempt": len(attempts),
            "attempts": attempts,
            "endpoints": {"available": available, "total": len(available)},
            "is_byok": False,
            "region": "local",
            "summary": f"available={len(available)} attempts={len(attempts)}",
        }

    # -- generation ----------------------------------------------------------------------------------
    def _base_response(self, spec: ModelSpec, req: _Request, gen_id: str, created: int) -> dict[str, Any]:
        body = req.body
        tools = [
            {
                "type": "function",
                "name": t.get("name", ""),
                "description": t.get("description"),
                "parameters": t.get("parameters"),
                "strict": t.get("strict"),
            }
            for t in body.get("tools") or []
            if isinstance(t, dict) and t.get("type") == "function"
        ]
        choice = body.get("tool_choice", "auto")
        if not (choice in ("auto", "none", "required") or (isinstance(choice, dict) and "type" in choice)):
            choice = "auto"
        reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else None
        if reasoning is not None:
            reasoning = {k: reasoning[k] for k in ("effort", "summary") if k in reasoning}
        text = body.get("text") if isinstance(body.get("text"), dict) else {"format": {"type": "text"}}
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}

        def num(key: str) -> Any:
            v = body.get(key)
            return v if isinstance(v, int | float) and not isinstance(v, bool) else None

        return {
            "id": gen_id,
            "object": "response",
            "created_at": created,
            "model": spec.id,
            "status": "in_progress",
            "completed_at": None,
            "output": [],
            "output_text": "",
            "error": None,
            "incomplete_details": None,
            "tools": tools,
            "tool_choice": choice,
            "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
            "max_output_tokens": body.get("max_output_tokens")
            if isinstance(body.get("max_output_tokens"), int)
            else None,
            "temperature": num("temperature"),
            "top_p": num("top_p"),
            "presence_penalty": num("presence_penalty"),
            "frequency_penalty": num("frequency_penalty"),
            "max_tool_calls": None,
            "metadata": metadata,
            "background": False,
            "previous_response_id": None,
            "service_tier": "auto",
            "truncation": "disabled",
            "store": False,
            "instructions": body.get("instructions") if isinstance(body.get("instructions"), str) else None,
            "text": text,
            "reasoning": reasoning,
            "safety_identifier": None,
            "prompt_cache_key": body.get("prompt_cache_key") if isinstance(body.get("prompt_cache_key"), str) else None,
            "user": body.get("user") if isinstance(body.get("user"), str) else None,
        }

    def _usage(self, spec: ModelSpec, req: _Request, b: _Builder) -> dict[str, Any]:
        inp = content.estimate_tokens(_all_text(req.body)) + 8
        reasoning = content.estimate_tokens(b.reasoning) + b.extra_reasoning_tokens
        out = content.estimate_tokens(b.text + b.text_for_usage) + reasoning + 1
        p_in, p_out = price(spec.base)
        c_in, c_out = round(inp * p_in, 12), round(out * p_out, 12)
        return {
            "input_tokens": inp,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": inp + out,
            "cost": round(c_in + c_out, 12),
            "is_byok": False,
            "cost_details": {
                "upstream_inference_cost": None,
                "upstream_inference_input_cost": c_in,
                "upstream_inference_output_cost": c_out,
            },
        }

    def _generate(self, spec: ModelSpec, req: _Request, meta: dict[str, Any] | None) -> Outcome:
        stream = req.body.get("stream") is True
        if not stream and spec.family == "stall":
            return Hang(STALL_LIMIT_S)
        if not stream and spec.family == "truncate":
            return Drop()
        created = int(time.time())
        gen_id = f"gen-{created}-{_rand(20)}"
        base = self._base_response(spec, req, gen_id, created)
        b = _Builder(base)
        ending: Literal["done", "stall", "truncate"] = "done"
        terminal = "completed"
        self._behave(spec, req, b)
        fam = spec.family
        if fam in ("stall", "truncate", "error-event", "failed", "incomplete"):
            b.message(_PARTIAL, status="incomplete")
            if fam in ("stall", "truncate"):
                ending = fam  # type: ignore[assignment]
            terminal = {"error-event": "error", "failed": "failed", "incomplete": "incomplete"}.get(fam, fam)
        final = dict(base)
        final["output"] = b.output
        final["output_text"] = b.text
        final["usage"] = self._usage(spec, req, b)
        final["completed_at"] = created if terminal == "completed" else None
        final["status"] = {"completed": "completed", "incomplete": "incomplete"}.get(terminal, "failed")
        if terminal in ("failed", "error"):
            final["error"] = {"code": "server_error", "message": "Provider returned error: upstream stream failed"}
            final["error_type"] = "server"
        if terminal == "incomplete":
            final["incomplete_details"] = {"reason": "max_output_tokens"}
        if meta is not None:
            final["openrouter_metadata"] = meta
        gen_headers = {"x-generation-id": gen_id}
        if not stream:
            return _json_reply(200, final, gen_headers)
        framing = framing_from_headers(req.headers)
        events: list[tuple[dict[str, Any], bool]] = [
            ({"type": "response.created", "response": base}, False),
            ({"type": "response.in_progress", "response": base}, False),
            *b.events,
        ]
        if terminal == "completed":
            events.append(({"type": "response.completed", "response": final}, False))
        elif terminal == "incomplete":
            events.append(({"type": "response.incomplete", "response": final}, False))
        elif terminal == "failed":
            events.append(({"type": "response.failed", "response": final}, False))
        elif terminal == "error":
            events.append(
                (
                    {
                        "type": "error",
                        "code": "server_error",
                        "message": "Provider returned error: upstream stream failed",
                        "param": None,
                    },
                    False,
                )
            )
        frames: list[bytes] = []
        paced: list[bool] = []
        for seq, (event, is_paced) in enumerate(events):
            event["sequence_number"] = seq
            frames.append(encode_event(event, framing))
            paced.append(is_paced)
        if ending == "done" and framing == "openrouter":
            frames.append(DONE_FRAME)
            paced.append(False)
        hdrs = [
            (b"content-type", b"text/event-stream"),
            (b"cache-control", b"no-cache"),
            (b"x-generation-id", gen_id.encode()),
        ]
        return StreamPlan(hdrs, frames, paced, spec.pace_ms, ending, framing)

    def _behave(self, spec: ModelSpec, req: _Request, b: _Builder) -> None:
        fam = spec.family
        text = req.user_text
        body = req.body
        if fam in ("stall", "truncate", "error-event", "failed", "incomplete"):
            return
        if fam == "markdown":
            b.message(content.markdown_deltas(spec.n))
            return
        if fam in ("echo", "flaky", "slow"):
            b.message(content.split_words(text))
            return
        persona = spec.persona if fam == "realistic" else fam
        if persona in ("reasoning", "raw-reasoning"):
            b.reasoning_text(content.split_words(content.reasoning_text(text)))
        elif persona == "reasoning-summary":
            b.reasoning_summary(content.split_words(_summary(text)))
        elif persona == "reasoning-encrypted":
            rid = f"rs_enc_{_rand(24)}"
            b.reasoning_encrypted(rid, self.sign_reasoning(rid, spec.base))
        elif persona == "summary-encrypted":
            rid = f"rs_enc_{_rand(24)}"
            b.reasoning_summary(content.split_words(_summary(text)), self.sign_reasoning(rid, spec.base), rid)
        if self._tool_turn(fam, req, b):
            return
        fmt = (body.get("text") or {}).get("format") if isinstance(body.get("text"), dict) else None
        if fam == "json" or (isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")):
            b.message(content.chunk(_json_answer(fmt, text), b.chunk_size))
            return
        if fam == "realistic":
            b.message(content.split_words(_chat_answer(text)))
        else:
            b.message(content.split_words(_plain_answer(text)))

    def _tool_turn(self, fam: str, req: _Request, b: _Builder) -> bool:
        """Call tools, or answer with their outputs. Returns True if it produced the answer."""
        body = req.body
        tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"]
        if fam != "tool" and not tools:
            return False
        names = {i.get("call_id"): i.get("name") for i in req.items if i.get("type") == "function_call"}
        outputs = [i for i in req.items[req.user_index + 1 :] if i.get("type") == "function_call_output"]
        if outputs:
            lines = ["Here is what the tools returned:\n\n"]
            for o in outputs:
                out = o.get("output")
                out_text = out if isinstance(out, str) else _content_text(out)
                lines.append(f"- {names.get(o.get('call_id'), 'tool')}: {out_text}\n")
            b.message(content.split_words("".join(lines)))
            return True
        choice = body.get("tool_choice", "auto")
        if not tools or choice == "none":
            return False
        chosen = tools[:1]
        if isinstance(choice, dict) and choice.get("type") == "function":
            chosen = [t for t in tools if t.get("name") == choice.get("name")] or chosen
        elif any(trigger in req.user_text.lower() for trigger in ALL_TOOLS_TRIGGERS):
            chosen = tools if body.get("parallel_tool_calls") is not False else tools[:1]
        calls = []
        for tool in chosen:
            params = tool.get("parameters") or {"type": "object", "properties": {}}
            args = content.sample_from_schema(params)
            calls.append((str(tool.get("name", "")), _dumps(args if isinstance(args, dict) else {})))
        b.function_calls(calls)
        return True


def _summary(text: str) -> str:
    short = text.strip().replace("\n", " ")[:60]
    return f"**Understanding the request**\n\nThe user wants: {short}. I will answer concisely."


def _plain_answer(text: str) -> str:
    return f"You said: {text}" if text else "Hello from the routerkit emulator."


def _chat_answer(text: str) -> str:
    if "haiku" in text.lower():
        return content.haiku(text)
    short = text.strip().replace("\n", " ")
    if len(short) > 120:
        short = short[:117] + "..."
    return (
        f"Here is a brief answer to **{short or 'your message'}**:\n\n"
        "- This reply comes from the offline *routerkit emulator*.\n"
        "- It streams like OpenRouter, with usage and cost.\n"
    )


def _json_answer(fmt: Any, text: str) -> str:
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return _dumps(content.sample_from_schema(fmt["schema"]))
    return _dumps({"answer": text})


def _fail_body(spec: ModelSpec, prov: str) -> _Failure:
    status, model = spec.status, spec.base
    if spec.persona == "503-in-400":
        return _Failure(
            400,
            {
                "error": {
                    "code": 503,
                    "message": "Provider returned error",
                    "metadata": {"raw": "Service Unavailable: upstream connect error", "provider_name": prov},
                }
            },
        )
    if status == 429:
        headers = {"-ms": {"retry-after-ms": "200"}, "-none": {}}.get(spec.persona, {"retry-after": "1"})
        return _Failure(
            429,
            {
                "error": {
                    "code": 429,
                    "message": (
                        f"{model} is temporarily rate-limited upstream. Please retry shortly, or add your own key to "
                        "accumulate your rate limits: https://openrouter.ai/settings/integrations"
                    ),
                    "metadata": {"raw": f"{model} is temporarily rate-limited upstream.", "provider_name": prov},
                }
            },
            headers,
        )
    messages = {
        400: ("Provider returned error", {"raw": '{"error":{"message":"Bad request"}}', "provider_name": prov}),
        401: ("User not found.", None),
        402: (
            "This request requires more credits, or fewer max_tokens. Add more using "
            "https://openrouter.ai/settings/credits",
            None,
        ),
        403: (
            f'{model} requires moderation on {prov}. Your input was flagged for "harassment". No credits were charged.',
            {"reasons": ["harassment"], "flagged_input": "...", "provider_name": prov, "model_slug": model},
        ),
        404: (f"No endpoints found for {model}.", None),
        408: ("Operation timed out. Please try again later.", None),
        413: ("Payload too large", None),
        422: ("Unprocessable entity", None),
        500: ("Internal Server Error", None),
        502: ("Provider returned error", {"raw": "error code: 502", "provider_name": prov}),
        503: ("Service temporarily unavailable", {"provider_name": prov}),
        504: ("Gateway timeout", None),
        524: ("Request timed out. Please try again later.", None),
        529: (
            "Provider returned error",
            {
                "raw": '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
                "provider_name": prov,
            },
        ),
    }
    message, metadata = messages.get(status, (f"Provider returned error ({status})", {"provider_name": prov}))
    error: dict[str, Any] = {"code": status, "message": message}
    if status == 401:
        error = {"message": message, "code": 401}
    if metadata is not None:
        error["metadata"] = metadata
    headers = {"retry-after": "1"} if status == 503 else {}
    return _Failure(status, {"error": error}, headers)


_HTML_502 = (
    b'<!DOCTYPE html>\n<html lang="en-US">\n<head><title>openrouter.ai | 502: Bad gateway</title></head>\n'
    b"<body>\n<h1>Bad gateway</h1>\n<p>Error code 502</p>\n"
    b"<p>The web server reported a bad gateway error.</p>\n</body>\n</html>\n"
)
