"""What the emulator answers to ``POST /responses``: fallback over the candidate models, then generation.

Sans-IO: :meth:`Engine.handle` turns (headers, raw body) into an :data:`~._outcomes.Outcome`. The pieces
live beside it — request validation (:mod:`._request`), the fault catalogue (:mod:`._faults`), the
behaviours table (:mod:`._behaviours`), the event builder (:mod:`._builder`), the SSE encoder
(:mod:`._framing`) — and the ASGI layer (:mod:`._app`) only moves the bytes.
"""

from __future__ import annotations

import time
from typing import Any

from . import _content as content
from ._behaviours import Turn, behave
from ._builder import OutputBuilder, rand_id
from ._capabilities import (
    PromptCache,
    datetime_item,
    datetime_zone,
    image_png,
    provider_failure,
    search_sources,
    wants_image,
    wants_web_search,
)
from ._faults import MID_STREAM, STALL_LIMIT_S, FlakyCounter, MidStream, pre_stream_failure
from ._framing import DONE_FRAME, KEEPALIVE, encode_event, framing_from_headers
from ._ledger import Ledger
from ._models import ModelSpec, price, provider_name, resolve
from ._outcomes import Drop, Failure, Hang, HttpReply, Outcome, StreamPlan, dumps, json_reply
from ._reasoning import Sealer
from ._request import Request, all_text, parse_request

__all__ = ["Engine"]

_COMPLETED = MidStream("completed", "done")
_UPSTREAM_FAILED = "Provider returned error: upstream stream failed"


class Engine:
    """Stateless per request except for ``emulator/flaky-N`` counters and the reasoning secret."""

    def __init__(self) -> None:
        self.sealer = Sealer()
        self._flaky = FlakyCounter()
        self.outages: set[str] = set()
        self.cache = PromptCache()
        self.ledger = Ledger()

    def reset(self) -> None:
        """Forget the ``flaky-N`` counters and the prompt cache."""
        self._flaky.reset()
        self.cache.reset()
        self.ledger.reset()

    def handle(self, headers: dict[str, str], raw: bytes) -> Outcome:
        """The outcome for one request; OpenRouter's error reply for anything it would refuse."""
        try:
            return self._handle(headers, raw)
        except Failure as f:
            return f.reply()

    def _handle(self, headers: dict[str, str], raw: bytes) -> Outcome:
        req = parse_request(headers, raw)
        specs = []
        for mid in req.candidates:
            spec = resolve(mid)
            if spec is None:
                raise Failure(400, {"error": {"code": 400, "message": f"{mid} is not a valid model ID"}})
            specs.append(spec)
        attempts: list[dict[str, Any]] = []
        failure: Failure | HttpReply | None = None
        for spec in specs:
            provider = provider_name(spec.base)
            failure = (
                pre_stream_failure(spec, req.body, self._flaky, down=spec.base in self.outages, size=len(raw))
                or self.sealer.replay_failure(req, spec)
                or provider_failure(req, provider)
            )
            attempts.append(
                {"model": spec.base, "provider": provider, "status": 200 if failure is None else failure.status}
            )
            if failure is None:
                meta = _metadata(req, attempts, spec) if _wants_meta(headers) else None
                return self._generate(spec, req, meta)
        if isinstance(failure, Failure) and _wants_meta(headers):
            failure.body["openrouter_metadata"] = _metadata(req, attempts, None)
        assert failure is not None  # the request has at least one candidate
        return failure if isinstance(failure, HttpReply) else failure.reply()

    # -- generation ----------------------------------------------------------------------------------
    def _generate(self, spec: ModelSpec, req: Request, meta: dict[str, Any] | None) -> Outcome:
        stream = req.body.get("stream") is True
        fault = MID_STREAM.get(spec.family, _COMPLETED)
        if not stream and fault.ending == "stall":
            return Hang(STALL_LIMIT_S)
        if not stream and fault.ending == "truncate":
            return Drop()
        created = int(time.time())
        gen_id = f"gen-{created}-{rand_id(20)}"
        base = _base_response(spec, req, gen_id, created)
        messy = spec.family == "realistic" and req.headers.get("x-emulator-mode", "").strip().lower() != "clean"
        out = OutputBuilder(messy=messy)
        zone = datetime_zone(req)
        if zone is not None:
            out.final_only(datetime_item(f"dt_tmp_{rand_id(11).lower()}", zone))
        if wants_web_search(req, spec.id):
            # Searched once per user turn; the answer after tool calls cites what that search found.
            sources = search_sources(req.user_text)
            if any(i.get("type") == "web_search_call" for i in req.items[req.user_index + 1 :]):
                out.cite = sources
            else:
                out.web_search(req.user_text[:200], sources, _has_tool(req, "openrouter:web_search"))
        behave(Turn(spec, req, out, self.sealer))
        if wants_image(req):
            out.image(image_png(req.user_text))
        final = _final_response(base, out, fault, self._usage(spec, req, out), created)
        finish = {"completed": "stop", "incomplete": "length"}.get(fault.terminal, "error")
        self.ledger.record(gen_id, spec.id, provider_name(spec.base), final["usage"], streamed=stream, finish=finish)
        if meta is not None:
            final["openrouter_metadata"] = meta
        if not stream:
            # Real JSON bodies sometimes lack the top-level `status` (the schema requires it).
            body = {k: v for k, v in final.items() if k != "status"} if messy else final
            return json_reply(200, body, {"x-generation-id": gen_id})
        # Real streams open with `"usage": null` (the schema wants an object or no key).
        opening = {**base, "usage": None} if messy else base
        events = [
            ({"type": "response.created", "response": opening}, False),
            ({"type": "response.in_progress", "response": opening}, False),
            *out.events,
        ]
        if fault.terminal in ("completed", "incomplete", "failed"):
            events.append(({"type": f"response.{fault.terminal}", "response": final}, False))
        elif fault.terminal == "error":
            error = {"type": "error", "code": "server_error", "message": _UPSTREAM_FAILED, "param": None}
            events.append((error, False))
        framing = framing_from_headers(req.headers)
        frames: list[bytes] = []
        paced: list[bool] = []
        for seq, (event, is_paced) in enumerate(events):
            event["sequence_number"] = seq
            if messy and framing == "openrouter" and seq % 7 == 3:
                frames.append(KEEPALIVE)  # real streams have keep-alive comments between events too
                paced.append(False)
            frames.append(encode_event(event, framing))
            paced.append(is_paced)
        if fault.ending == "done" and framing == "openrouter":
            frames.append(DONE_FRAME)
            paced.append(False)
        hdrs = [
            (b"content-type", b"text/event-stream"),
            (b"cache-control", b"no-cache"),
            (b"x-generation-id", gen_id.encode()),
        ]
        return StreamPlan(hdrs, frames, paced, spec.pace_ms, fault.ending, framing)

    def _usage(self, spec: ModelSpec, req: Request, out: OutputBuilder) -> dict[str, Any]:
        """Token counts estimated from the text (four characters a token), what the prompt cache read and
        wrote, and the cost at the model's price (cache reads at a tenth, writes at 1.25×)."""
        text = all_text(req)
        inp = content.estimate_tokens(text) + 8
        # Providers cache the prompt's start, tools first: the tools lead the text the cache compares.
        tools = dumps(req.body["tools"]) if req.body.get("tools") else ""
        prompt = tools + text.removesuffix(tools)
        cached = min(self.cache.lookup(spec.base, req, prompt, content.estimate_tokens), inp)
        writes = spec.base.startswith("anthropic/") and isinstance(req.body.get("cache_control"), dict)
        written = inp - cached if writes and inp >= 1024 else 0
        return _usage(spec, out, inp, cached, written if writes else None)


def _final_response(
    base: dict[str, Any], out: OutputBuilder, fault: MidStream, usage: dict[str, Any], created: int
) -> dict[str, Any]:
    """The response object of the terminal event (or of the non-streamed body)."""
    terminal = fault.terminal
    final = {**base, "output": out.output, "output_text": out.text, "usage": usage}
    final["completed_at"] = created if terminal == "completed" else None
    final["status"] = terminal if terminal in ("completed", "incomplete") else "failed"
    if terminal in ("failed", "error"):
        final["error"] = {"code": "server_error", "message": _UPSTREAM_FAILED}
        final["error_type"] = "server"
    if terminal == "incomplete":
        final["incomplete_details"] = {"reason": "max_output_tokens"}
    return final


def _wants_meta(headers: dict[str, str]) -> bool:
    value = headers.get("x-openrouter-metadata") or headers.get("x-openrouter-experimental-metadata") or ""
    return value.strip().lower() == "enabled"


def _metadata(req: Request, attempts: list[dict[str, Any]], served: ModelSpec | None) -> dict[str, Any]:
    """``openrouter_metadata``: what was requested, the attempts in order and which endpoint served."""
    available = []
    for m in req.candidates:
        spec = resolve(m)
        available.append(
            {
                "model": spec.base if spec else m,
                "provider": provider_name(m),
                "selected": served is not None and m == served.id,
            }
        )
    return {
        "requested": req.candidates[0],
        "strategy": "fallback" if len(req.candidates) > 1 else "direct",
        "attempt": len(attempts),
        "attempts": attempts,
        "endpoints": {"available": available, "total": len(available)},
        "is_byok": False,
        "region": "local",
        "summary": f"available={len(available)} attempts={len(attempts)}",
    }


def _base_response(spec: ModelSpec, req: Request, gen_id: str, created: int) -> dict[str, Any]:
    """The ``in_progress`` response object, echoing the request's settings as OpenRouter does."""
    body = req.body
    tools = [
        {
            "type": "function",
            "name": t.get("name", ""),
            "description": t.get("description"),
            "parameters": t.get("parameters"),
            "strict": t.get("strict"),
        }
        for t in req.function_tools()
    ]
    choice = body.get("tool_choice", "auto")
    if not (choice in ("auto", "none", "required") or (isinstance(choice, dict) and "type" in choice)):
        choice = "auto"
    reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else None
    if reasoning is not None:
        reasoning = {k: reasoning[k] for k in ("effort", "summary") if k in reasoning}
    text = body.get("text") if isinstance(body.get("text"), dict) else {"format": {"type": "text"}}

    def num(key: str) -> Any:
        v = body.get(key)
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None

    def string(key: str) -> str | None:
        v = body.get(key)
        return v if isinstance(v, str) else None

    max_output = body.get("max_output_tokens")
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
        "max_output_tokens": max_output if isinstance(max_output, int) else None,
        "temperature": num("temperature"),
        "top_p": num("top_p"),
        "presence_penalty": num("presence_penalty"),
        "frequency_penalty": num("frequency_penalty"),
        "max_tool_calls": None,
        "metadata": body.get("metadata") if isinstance(body.get("metadata"), dict) else {},
        "background": False,
        "previous_response_id": None,
        "service_tier": "auto",
        "truncation": "disabled",
        "store": False,
        "instructions": string("instructions"),
        "text": text,
        "reasoning": reasoning,
        "safety_identifier": None,
        "prompt_cache_key": string("prompt_cache_key"),
        "user": string("user"),
    }


def _usage(spec: ModelSpec, out: OutputBuilder, inp: int, cached: int, written: int | None) -> dict[str, Any]:
    reasoning = content.estimate_tokens(out.reasoning) + out.extra_reasoning_tokens
    completion = content.estimate_tokens(out.text + out.text_for_usage) + reasoning + 1
    p_in, p_out = price(spec.base)
    billed = (inp - cached - (written or 0)) * p_in + cached * p_in * 0.1 + (written or 0) * p_in * 1.25
    c_in, c_out = round(billed, 12), round(completion * p_out, 12)
    details: dict[str, Any] = {"cached_tokens": cached}
    if written is not None:
        details["cache_write_tokens"] = written
    usage: dict[str, Any] = {
        "input_tokens": inp,
        "input_tokens_details": details,
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": inp + completion,
        "cost": round(c_in + c_out, 12),
        "is_byok": False,
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_input_cost": c_in,
            "upstream_inference_output_cost": c_out,
        },
    }
    if out.web_searches or out.server_tools:
        usage["server_tool_use_details"] = {
            "tool_calls_requested": out.server_tools,
            "tool_calls_executed": out.server_tools,
            "web_search_requests": out.web_searches,
        }
    return usage


def _has_tool(req: Request, kind: str) -> bool:
    tools = req.body.get("tools")
    return isinstance(tools, list) and any(isinstance(t, dict) and t.get("type") == kind for t in tools)
