"""OpenTelemetry spans and metrics for model calls, agent runs and tools, per the GenAI semantic conventions.

Imported only once tracing is on (see `_observe`). Names and attributes follow the conventions: spans
`invoke_agent`, `chat {model}` and `execute_tool {tool}`; `gen_ai.*` attributes; the metrics
`gen_ai.client.token.usage`, `gen_ai.client.operation.duration` and `gen_ai.client.operation.time_to_first_chunk`.
OpenRouter's own facts go under `openrouter.*`. Content (messages, tool arguments and results, exception
text) is recorded only with `capture_content`.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from ._observe import capture_content

if TYPE_CHECKING:
    from ..wire._response import FunctionCall, ModelResponse
    from ._call import Call

__all__ = ["Tracing", "global_tracing"]

_SCOPE = "routerkit"
_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
_SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]


class Tracing:
    """A tracer and the metric instruments, from the given providers (None: the global ones)."""

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        from .. import __version__

        self.tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider)
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider)
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=_SECONDS_BUCKETS,
        )
        self.first_chunk = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk",
            unit="s",
            description="Time to receive the first chunk of a streamed response.",
            explicit_bucket_boundaries_advisory=_SECONDS_BUCKETS,
        )

    # Model calls

    def start_chat(self, call: Call, parent: Any) -> Any:
        attributes: dict[str, Any] = {**_call_attributes(call), **_server(call.url)}
        if capture_content():
            attributes.update(_request_content(call.payload))
        return self.tracer.start_span(
            f"chat {call.requested_model}", parent, kind=SpanKind.CLIENT, attributes=attributes
        )

    def end_chat(self, span: Any, call: Call, response: ModelResponse | None, error: BaseException | None) -> None:
        base = {**_call_attributes(call), **_server(call.url)}
        if response is not None:
            span.set_attributes(_response_attributes(response))
            base["gen_ai.response.model"] = response.model or call.requested_model
            usage = response.usage
            for kind, count in (("input", usage.input_tokens), ("output", usage.output_tokens)):
                if isinstance(count, int) and _is_count(count):
                    self.tokens.record(count, {**base, "gen_ai.token.type": kind})
            if response.time_to_first_token is not None and call.stream is not None:
                span.set_attribute("gen_ai.response.time_to_first_chunk", response.time_to_first_token)
                self.first_chunk.record(response.time_to_first_token, base)
            if capture_content():
                span.set_attribute("gen_ai.output.messages", _dumps(_messages(response.output)))
        if call.retries:
            span.set_attribute("openrouter.retries", call.retries)
        if error is not None and not isinstance(error, GeneratorExit):
            base["error.type"] = _fail(span, error)
        self.duration.record(time.perf_counter() - call.started, base)
        span.end()

    # Agent runs

    def start_run(self, agent: Any, output: Any, parent: Any) -> tuple[Any, Any]:
        model = getattr(agent, "model", None)
        name = getattr(agent, "name", None)
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": _provider(model),
            "gen_ai.request.model": output.requested_model,
            "gen_ai.conversation.id": output.session_id,
            "openrouter.run_id": output.run_id,
        }
        if isinstance(name, str) and name:
            attributes["gen_ai.agent.name"] = name
        span = self.tracer.start_span(
            f"invoke_agent {name}" if isinstance(name, str) and name else "invoke_agent",
            parent,
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )
        return span, trace.set_span_in_context(span, parent)

    def end_run(self, span: Any, output: Any, error: BaseException | None) -> None:
        metrics_ = output.metrics
        attributes: dict[str, Any] = {
            "gen_ai.usage.input_tokens": metrics_.input_tokens,
            "gen_ai.usage.output_tokens": metrics_.output_tokens,
            "openrouter.fallback": bool(output.fallback_used),
        }
        if output.model:
            attributes["gen_ai.response.model"] = output.model
        if metrics_.cost is not None:
            attributes["openrouter.cost"] = metrics_.cost
        if capture_content() and isinstance(output.content, str):
            attributes["gen_ai.output.messages"] = _dumps(
                [{"role": "assistant", "parts": [{"type": "text", "content": output.content}]}]
            )
        span.set_attributes(attributes)
        if error is not None and not isinstance(error, GeneratorExit):
            _fail(span, error)
        span.end()

    # Tools

    def start_tool(self, run_span: Any, call: FunctionCall) -> tuple[Any, Any]:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.call.id": call.call_id,
            "gen_ai.tool.type": "function",
        }
        if capture_content():
            attributes["gen_ai.tool.call.arguments"] = call.arguments
        parent = trace.set_span_in_context(run_span)
        span = self.tracer.start_span(f"execute_tool {call.name}", parent, attributes=attributes)
        return span, otel_context.attach(trace.set_span_in_context(span))

    def end_tool(self, span: Any, token: Any, call: FunctionCall, result: Any, error: BaseException | None) -> None:
        otel_context.detach(token)
        if result is not None:
            if capture_content():
                span.set_attribute("gen_ai.tool.call.result", str(result.output))
            if result.is_error:
                value = result.value
                span.set_attribute("error.type", type(value).__name__ if value is not None else "ToolArgumentsError")
                span.set_status(Status(StatusCode.ERROR, str(result.output) if capture_content() else None))
        if error is not None:
            _fail(span, error)
        span.end()


_global: tuple[Any, Tracing] | None = None
#: Whether a tracer provider is named in the environment (read once: the API's own look-up reads `os.environ` on
#: every call, ~6 µs, which an application that imports OpenTelemetry without configuring it would pay per call).
_PROVIDER_IN_ENV = "OTEL_PYTHON_TRACER_PROVIDER" in os.environ


def global_tracing() -> Tracing | None:
    """A `Tracing` on the global providers, when the application configured a tracer provider; else None."""
    global _global
    if getattr(trace, "_TRACER_PROVIDER", ...) is None and not _PROVIDER_IN_ENV:
        return None  # nothing set yet (the private global is read only when present; else the public call)
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        return None
    if _global is None or _global[0] is not provider:
        _global = (provider, Tracing())
    return _global[1]


def _provider(model: Any) -> str:
    return str(getattr(model, "provider_name", "openai"))


def _call_attributes(call: Call) -> dict[str, Any]:
    return {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": call.provider,
        "gen_ai.request.model": call.requested_model,
    }


def _server(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    attributes: dict[str, Any] = {"server.address": parts.hostname or ""}
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    attributes["server.port"] = port
    return attributes


def _response_attributes(response: ModelResponse) -> dict[str, Any]:
    attributes: dict[str, Any] = {"openrouter.fallback": response.fallback_used}
    if response.model:
        attributes["gen_ai.response.model"] = response.model
    if response.id:
        attributes["gen_ai.response.id"] = response.id
    if response.generation_id:
        attributes["openrouter.generation_id"] = response.generation_id
    attributes["gen_ai.response.finish_reasons"] = [_finish_reason(response)]
    usage = response.usage
    if _is_count(usage.input_tokens):
        attributes["gen_ai.usage.input_tokens"] = usage.input_tokens
    if _is_count(usage.output_tokens):
        attributes["gen_ai.usage.output_tokens"] = usage.output_tokens
    cost = usage.cost
    if isinstance(cost, int | float) and not isinstance(cost, bool) and cost == cost and abs(cost) != float("inf"):
        attributes["openrouter.cost"] = float(cost)
    return attributes


def _finish_reason(response: ModelResponse) -> str:
    if response.function_calls:
        return "tool_call"
    if response.status == "incomplete":
        return "length" if response.incomplete_reason == "max_output_tokens" else str(response.incomplete_reason)
    return "stop" if response.status == "completed" else response.status


def _fail(span: Any, error: BaseException) -> str:
    """Mark the span failed; the exception's text (content) only when content is captured."""
    kind = type(error).__name__
    span.set_attribute("error.type", kind)
    if capture_content():
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, str(error)))
    else:
        span.set_status(Status(StatusCode.ERROR))
    return kind


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _request_content(payload: bytes) -> dict[str, Any]:
    """The request's messages as `gen_ai.input.messages` (and its instructions), from the JSON sent."""
    try:
        body = json.loads(payload)
    except ValueError:
        return {}
    attributes: dict[str, Any] = {}
    items = body.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    if isinstance(items, list):
        attributes["gen_ai.input.messages"] = _dumps(_messages(items))
    if isinstance(body.get("instructions"), str):
        attributes["gen_ai.system_instructions"] = _dumps([{"type": "text", "content": body["instructions"]}])
    return attributes


def _messages(items: list[Any]) -> list[dict[str, Any]]:
    """Responses items in the conventions' message shape: role and parts (text, tool calls, tool results)."""
    messages: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message")
        if kind == "message":
            messages.append({"role": item.get("role", "user"), "parts": _text_parts(item.get("content"))})
        elif kind == "function_call":
            part = {"type": "tool_call", "id": item.get("call_id"), "name": item.get("name")}
            messages.append({"role": "assistant", "parts": [{**part, "arguments": item.get("arguments")}]})
        elif kind == "function_call_output":
            part = {"type": "tool_call_response", "id": item.get("call_id"), "response": item.get("output")}
            messages.append({"role": "tool", "parts": [part]})
        elif kind == "reasoning":
            texts = [p.get("text") for p in item.get("summary") or item.get("content") or () if isinstance(p, dict)]
            messages.append(
                {"role": "assistant", "parts": [{"type": "reasoning", "content": "".join(map(str, texts))}]}
            )
    return messages


def _text_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts = []
    for part in content if isinstance(content, list) else ():
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append({"type": "text", "content": part["text"]})
    return parts


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
