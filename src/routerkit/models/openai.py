"""`OpenAIResponses`: a model behind any OpenAI-Responses-compatible endpoint.

Four calls, two shapes: `invoke` / `ainvoke` return a `ModelResponse`; `invoke_stream` / `ainvoke_stream`
yield typed stream events ending in `ResponseCompleted`. This module holds the settings, their checks and
the request; the protocol lives in `routerkit.wire`, the call loop in `_drivers.py` and `_call.py`, and
the shared connection pools in `_clients.py`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from .. import __version__
from ..wire._errors import UsageError
from ..wire._events import StreamEvent
from ..wire._failures import RetryPolicy
from ..wire._request import (
    CheckedList,
    build_body,
    check_api_key,
    check_header_values,
    check_input,
    check_json,
    check_model_id,
    check_range,
    check_reasoning,
    check_seconds,
    check_tool_controls,
    encode_body,
)
from ..wire._response import ModelResponse
from . import _drivers
from ._call import Call
from ._clients import shared_async_client, shared_client
from ._settings import check_base_url, check_size, is_loopback_host

if TYPE_CHECKING:
    import httpx2

    from ._async_pools import AsyncSender
    from ._drivers import SyncSender

__all__ = ["OpenAIResponses", "is_loopback_host"]

Input = str | Sequence[Mapping[str, Any]]


@dataclass
class OpenAIResponses:
    """A Responses API model. Parameters left as None are not sent."""

    id: str = "gpt-4o"
    name: str = "OpenAIResponses"
    provider: Any = "OpenAI"
    api_key: str | None = field(default=None, repr=False)
    base_url: str = "https://api.openai.com/v1"
    reasoning: dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_output_tokens: int | None = None
    text: dict[str, Any] | None = None
    verbosity: str | None = None
    include: list[str] | None = None
    metadata: dict[str, str] | None = None
    user: str | None = None
    tool_choice: str | dict[str, Any] | None = None
    """`"auto"`, `"none"`, `"required"` or `{"type": "function", "name": ...}`. An agent sends it on the first
    model call of each run only, so a forcing choice cannot make the model call tools forever."""
    parallel_tool_calls: bool | None = None
    max_tool_calls: int | None = None
    """At most this many server tool steps (web search, …) in one response (OpenRouter: at most 30)."""
    prompt_cache_key: str | None = None
    """Groups requests that share a long prefix, so the provider's prompt cache finds it."""
    extra_headers: dict[str, str] | None = field(default=None, repr=False)
    extra_body: dict[str, Any] | None = None
    timeout: float | None = 600.0
    """Overall deadline for one call, retries and waits included (seconds; None for no limit)."""
    connect_timeout: float = 10.0
    stall_timeout: float = 120.0
    """A stream that sends no bytes for this long is given up (keep-alive comments count as bytes)."""
    max_retries: int = 2
    max_response_bytes: int = 64 * 1024 * 1024
    """A JSON answer larger than this is refused with `ResponseTooLargeError` (stream events: 16 MiB each)."""
    allow_insecure_http: bool = False
    """Allow a plain http:// base_url to a host other than loopback (the API key would travel unencrypted)."""
    http_client: httpx2.Client | None = field(default=None, repr=False, compare=False)
    async_http_client: httpx2.AsyncClient | None = field(default=None, repr=False, compare=False)

    api_key_env: ClassVar[str] = "OPENAI_API_KEY"
    base_url_env: ClassVar[str | None] = None
    provider_name: ClassVar[str] = "openai"
    """`gen_ai.provider.name` in traces."""

    def __post_init__(self) -> None:
        check_model_id(self.id)
        self.reasoning = check_reasoning(self.reasoning)
        check_range("temperature", self.temperature, 0.0, 2.0)
        check_range("top_p", self.top_p, 0.0, 1.0)
        if self.max_output_tokens is not None and (
            not isinstance(self.max_output_tokens, int)
            or isinstance(self.max_output_tokens, bool)
            or self.max_output_tokens < 1
        ):
            raise UsageError(f"max_output_tokens must be a positive integer, got {self.max_output_tokens!r}")
        if not isinstance(self.max_retries, int) or isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise UsageError(f"max_retries must be an integer ≥ 0, got {self.max_retries!r}")
        if self.timeout is not None:
            self.timeout = check_seconds("timeout (or None for no limit)", self.timeout)
        self.connect_timeout = check_seconds("connect_timeout", self.connect_timeout)
        self.stall_timeout = check_seconds("stall_timeout", self.stall_timeout)
        self.max_response_bytes = check_size("max_response_bytes", self.max_response_bytes)
        if self.api_key is not None:
            self.api_key = check_api_key(self.api_key, "api_key")
        if self.extra_headers is not None:
            self.extra_headers = check_header_values("extra_headers", self.extra_headers)
        check_tool_controls(self.tool_choice, self.parallel_tool_calls, self.max_tool_calls)
        if self.prompt_cache_key is not None and not isinstance(self.prompt_cache_key, str):
            raise UsageError(f"prompt_cache_key must be text, got {type(self.prompt_cache_key).__name__}")
        check_json("extra_body", self.extra_body)
        check_json("metadata", self.metadata)
        if self.base_url_env and os.environ.get(self.base_url_env) and self.base_url == type(self).base_url:
            self.base_url = os.environ[self.base_url_env]
        self.base_url = check_base_url(self.base_url, allow_insecure_http=self.allow_insecure_http)

    # Requests

    def request_body(
        self,
        input: Input,
        *,
        stream: bool = False,
        instructions: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: Any = None,
        text_format: Mapping[str, Any] | None = None,
        include: Sequence[str] | None = None,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """The JSON body this model sends for `input`: useful to inspect, and what every call uses.

        `include` adds to the model's own `include` list (the agent asks for encrypted reasoning this way).
        `tool_choice` replaces the model's own for this call. `session_id` is the agent's conversation:
        OpenRouter routes a session's requests to one provider so its prompt cache is hit (OpenAI has no
        such field, so this class does not send it).
        """
        text = dict(self.text) if self.text else {}
        if self.verbosity is not None:
            text["verbosity"] = self.verbosity
        if text_format is not None:
            text["format"] = dict(text_format)
        fields: dict[str, Any] = {
            "instructions": instructions,
            "tools": (tools if type(tools) is CheckedList else list(tools)) if tools else None,
            "tool_choice": tool_choice if tool_choice is not None else self.tool_choice,
            "parallel_tool_calls": self.parallel_tool_calls,
            "max_tool_calls": self.max_tool_calls,
            "prompt_cache_key": self.prompt_cache_key,
            "text": text or None,
            "reasoning": self.reasoning,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_output_tokens": self.max_output_tokens,
            "include": list(dict.fromkeys([*(self.include or ()), *(include or ())])) or None,
            "metadata": self.metadata,
            "user": self.user,
            **self._extra_fields(session_id),
        }
        for name in ("instructions", "tools", "tool_choice", "text"):
            check_json(name, fields[name])
        return build_body(self.id, check_input(input), stream=stream, fields=fields, extra_body=self.extra_body)

    def _extra_fields(self, session_id: str | None) -> dict[str, Any]:
        """Body fields a subclass adds (OpenRouter: models, provider, plugins, store, session_id, …)."""
        return {}

    def _extra_request_headers(self) -> dict[str, str]:
        return {}

    def _requested_models(self) -> list[str]:
        return [self.id]

    def _resolve_api_key(self) -> str:
        if self.api_key:
            return self.api_key
        key = check_api_key(os.environ.get(self.api_key_env) or "", self.api_key_env)
        if not key:
            raise UsageError(f"api_key is not set: pass api_key=... or set the {self.api_key_env} environment variable")
        return key

    def _prepare(self, input: Input, stream: bool, options: Mapping[str, Any]) -> Call:
        body = self.request_body(input, stream=stream, **options)
        return self._request(
            "/responses",
            encode_body(body),
            "text/event-stream" if stream else "application/json",
            models=self._requested_models(),
            max_response_bytes=self.max_response_bytes,
        )

    def _request(self, path: str, payload: bytes, accept: str, *, models: list[str], max_response_bytes: int) -> Call:
        """A call to `path` under base_url (POST with a JSON `payload`, else GET) with the key, the headers
        and this model's retries and timeouts: what model calls and account calls share."""
        headers = {
            "Authorization": f"Bearer {self._resolve_api_key()}",
            **({"Content-Type": "application/json"} if payload else {}),
            "Accept": accept,
            "User-Agent": f"routerkit/{__version__}",
            **self._extra_request_headers(),
            **(self.extra_headers or {}),
        }
        return Call(
            url=self.base_url + path,
            headers=headers,
            payload=payload,
            requested_model=self.id,
            models=models,
            policy=_policy(self.max_retries),
            connect_timeout=self.connect_timeout,
            stall_timeout=self.stall_timeout,
            total_timeout=self.timeout,
            max_response_bytes=max_response_bytes,
            method="POST" if payload else "GET",
            provider=self.provider_name,
        )

    # Calls

    def invoke(self, input: Input, **options: Any) -> ModelResponse:
        """One call; returns the finished response. Options: instructions, tools, tool_choice, text_format,
        include, session_id."""
        return _drivers.invoke(self._prepare(input, False, options), self._client())

    def invoke_stream(self, input: Input, **options: Any) -> Iterator[StreamEvent]:
        """One streamed call; yields events as they arrive. Closing the iterator closes the connection.

        Nothing runs (not even the input checks) until the first event is asked for, as with a generator.
        """
        return _drivers.invoke_stream(lambda: self._prepare(input, True, options), self._client)

    async def ainvoke(self, input: Input, **options: Any) -> ModelResponse:
        """`invoke`, async."""
        return await _drivers.ainvoke(self._prepare(input, False, options), self._aclient())

    def ainvoke_stream(self, input: Input, **options: Any) -> AsyncIterator[StreamEvent]:
        """`invoke_stream`, async. The driver's own generator is returned, not wrapped in another: when a loop
        shuts down it closes every open async generator at once, and nested ones would be closed twice."""
        return _drivers.ainvoke_stream(lambda: self._prepare(input, True, options), self._aclient)

    # Clients

    def _client(self) -> SyncSender:
        return self.http_client if self.http_client is not None else shared_client()

    def _aclient(self) -> AsyncSender:
        return self.async_http_client if self.async_http_client is not None else shared_async_client()


@lru_cache(maxsize=16)
def _policy(max_retries: int) -> RetryPolicy:
    """The retry policy of a model's calls: one frozen object per setting, not one per request."""
    return RetryPolicy(max_retries=max_retries)
