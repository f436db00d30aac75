"""`OpenAIResponses`: a model behind any OpenAI-Responses-compatible endpoint.

Four calls, two shapes: `invoke` / `ainvoke` return a `ModelResponse`; `invoke_stream` / `ainvoke_stream`
yield typed stream events ending in `ResponseCompleted`. The protocol (body, stream parsing, errors, retry
schedule) lives in `routerkit.wire` and `_call.py`; the four drivers below only move bytes and sleep.
"""

from __future__ import annotations

import atexit
import ipaddress
import json
import os
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import httpx2

from .. import __version__
from ..errors import APIError, UsageError
from ..wire.errors import RetryPolicy
from ..wire.events import StreamEvent
from ..wire.request import build_body, check_input, check_model_id, check_range, check_reasoning
from ..wire.response import ModelResponse
from ._call import Call, translate_errors

if TYPE_CHECKING:
    import asyncio

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
    extra_headers: dict[str, str] | None = field(default=None, repr=False)
    extra_body: dict[str, Any] | None = None
    timeout: float | None = 600.0
    """Overall deadline for one call, retries and waits included (seconds; None for no limit)."""
    connect_timeout: float = 10.0
    stall_timeout: float = 120.0
    """A stream that sends no bytes for this long is given up (keep-alive comments count as bytes)."""
    max_retries: int = 2
    allow_insecure_http: bool = False
    """Allow a plain http:// base_url to a host other than loopback (the API key would travel unencrypted)."""
    http_client: httpx2.Client | None = field(default=None, repr=False, compare=False)
    async_http_client: httpx2.AsyncClient | None = field(default=None, repr=False, compare=False)

    api_key_env: ClassVar[str] = "OPENAI_API_KEY"
    base_url_env: ClassVar[str | None] = None

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
        if self.base_url_env and os.environ.get(self.base_url_env) and self.base_url == type(self).base_url:
            self.base_url = os.environ[self.base_url_env]
        self.base_url = self._check_base_url(self.base_url)

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
    ) -> dict[str, Any]:
        """The JSON body this model sends for `input`: useful to inspect, and what every call uses.

        `include` adds to the model's own `include` list (the agent asks for encrypted reasoning this way).
        """
        text = dict(self.text or {})
        if self.verbosity is not None:
            text["verbosity"] = self.verbosity
        if text_format is not None:
            text["format"] = dict(text_format)
        fields: dict[str, Any] = {
            "instructions": instructions,
            "tools": list(tools) if tools else None,
            "tool_choice": tool_choice,
            "text": text or None,
            "reasoning": self.reasoning,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_output_tokens": self.max_output_tokens,
            "include": list(dict.fromkeys([*(self.include or ()), *(include or ())])) or None,
            "metadata": self.metadata,
            "user": self.user,
            **self._extra_fields(),
        }
        return build_body(self.id, check_input(input), stream=stream, fields=fields, extra_body=self.extra_body)

    def _extra_fields(self) -> dict[str, Any]:
        """Body fields a subclass adds (OpenRouter: models, provider, plugins, store)."""
        return {}

    def _extra_request_headers(self) -> dict[str, str]:
        return {}

    def _requested_models(self) -> list[str]:
        return [self.id]

    def _resolve_api_key(self) -> str:
        key = self.api_key or os.environ.get(self.api_key_env)
        if not key:
            raise UsageError(f"api_key is not set: pass api_key=... or set the {self.api_key_env} environment variable")
        return key

    def _prepare(self, input: Input, stream: bool, options: Mapping[str, Any]) -> Call:
        body = self.request_body(input, stream=stream, **options)
        headers = {
            "Authorization": f"Bearer {self._resolve_api_key()}",
            "Content-Type": "application/json",
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": f"routerkit/{__version__}",
            **self._extra_request_headers(),
            **(self.extra_headers or {}),
        }
        return Call(
            url=self.base_url + "/responses",
            headers=headers,
            payload=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
            requested_model=self.id,
            models=self._requested_models(),
            policy=RetryPolicy(max_retries=self.max_retries),
            connect_timeout=self.connect_timeout,
            stall_timeout=self.stall_timeout,
            total_timeout=self.timeout,
        )

    # Sync drivers

    def invoke(self, input: Input, **options: Any) -> ModelResponse:
        """One call; returns the finished response. Options: instructions, tools, tool_choice, text_format."""
        call = self._prepare(input, False, options)
        client = self._client()
        while True:
            try:
                # Read the body in chunks, not with `post`: a server trickling bytes resets the read timeout on
                # every chunk, and only a check between chunks keeps the call within its overall `timeout`.
                body = bytearray()
                with (
                    translate_errors(call),
                    client.stream(
                        "POST", call.url, content=call.payload, headers=call.headers, timeout=call.timeout()
                    ) as r,
                ):
                    for chunk in r.iter_bytes():
                        body += chunk
                        call.check_deadline()
                call.raise_for_status(r.status_code, r.headers, bytes(body))
                return call.read_json(r.headers, bytes(body))
            except APIError as exc:
                time.sleep(call.backoff(exc))

    def invoke_stream(self, input: Input, **options: Any) -> Iterator[StreamEvent]:
        """One streamed call; yields events as they arrive. Closing the iterator closes the connection."""
        call = self._prepare(input, True, options)
        client = self._client()
        while True:
            stream = None
            try:
                with (
                    translate_errors(call),
                    client.stream(
                        "POST", call.url, content=call.payload, headers=call.headers, timeout=call.timeout()
                    ) as r,
                ):
                    if r.status_code >= 300:  # errors, and redirects (never followed)
                        call.raise_for_status(r.status_code, r.headers, r.read())
                    stream = call.new_stream(r.headers)
                    with translate_errors(call, stream):
                        for chunk in r.iter_bytes():
                            yield from stream.feed(chunk)
                            call.check_deadline(stream)
                        yield from stream.close()
                return
            except APIError as exc:
                time.sleep(call.backoff(exc, stream))

    # Async drivers

    async def ainvoke(self, input: Input, **options: Any) -> ModelResponse:
        call = self._prepare(input, False, options)
        client = self._aclient()
        while True:
            try:
                body = bytearray()  # read in chunks with a deadline check, as in `invoke`
                with translate_errors(call):
                    async with client.stream(
                        "POST", call.url, content=call.payload, headers=call.headers, timeout=call.timeout()
                    ) as r:
                        async for chunk in r.aiter_bytes():
                            body += chunk
                            call.check_deadline()
                call.raise_for_status(r.status_code, r.headers, bytes(body))
                return call.read_json(r.headers, bytes(body))
            except APIError as exc:
                await _sleep(call.backoff(exc))

    async def ainvoke_stream(self, input: Input, **options: Any) -> AsyncIterator[StreamEvent]:
        call = self._prepare(input, True, options)
        client = self._aclient()
        while True:
            stream = None
            try:
                with translate_errors(call):
                    async with client.stream(
                        "POST", call.url, content=call.payload, headers=call.headers, timeout=call.timeout()
                    ) as r:
                        if r.status_code >= 300:  # errors, and redirects (never followed)
                            call.raise_for_status(r.status_code, r.headers, await r.aread())
                        stream = call.new_stream(r.headers)
                        with translate_errors(call, stream):
                            async for chunk in r.aiter_bytes():
                                for event in stream.feed(chunk):
                                    yield event
                                call.check_deadline(stream)
                            for event in stream.close():
                                yield event
                return
            except APIError as exc:
                await _sleep(call.backoff(exc, stream))

    # Clients

    def _client(self) -> httpx2.Client:
        return self.http_client if self.http_client is not None else _shared_client()

    def _aclient(self) -> httpx2.AsyncClient:
        return self.async_http_client if self.async_http_client is not None else _shared_async_client()

    def _check_base_url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"base_url must be an http(s) URL such as 'https://openrouter.ai/api/v1', got {url!r}")
        if parts.scheme == "http" and not self.allow_insecure_http and not is_loopback_host(parts.hostname):
            raise UsageError(
                f"base_url {url!r} is plain http to a non-loopback host, which would send the API key "
                "unencrypted; use https, or pass allow_insecure_http=True if you mean it"
            )
        return url.rstrip("/")


_SYNC_CLIENT: httpx2.Client | None = None
_ASYNC_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx2.AsyncClient] = weakref.WeakKeyDictionary()


def _shared_client() -> httpx2.Client:
    """One connection pool for every model in the process: agents reuse warm connections, and no model
    leaves sockets behind when it is dropped. Closed at exit."""
    global _SYNC_CLIENT
    if _SYNC_CLIENT is None:
        _SYNC_CLIENT = httpx2.Client(follow_redirects=False, trust_env=False)
        atexit.register(_SYNC_CLIENT.close)
    return _SYNC_CLIENT


def _shared_async_client() -> httpx2.AsyncClient:
    """One async pool per event loop (pooled connections cannot move between loops), closed with the loop's
    async generators so `asyncio.run` leaves no open transport behind."""
    import asyncio

    loop = asyncio.get_running_loop()
    client = _ASYNC_CLIENTS.get(loop)
    if client is None:
        client = _ASYNC_CLIENTS[loop] = httpx2.AsyncClient(follow_redirects=False, trust_env=False)
        _close_with_loop(loop, client)
    return client


def _close_with_loop(loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient) -> None:
    original = loop.shutdown_asyncgens

    async def shutdown_asyncgens() -> None:
        _ASYNC_CLIENTS.pop(loop, None)
        await client.aclose()
        await original()

    loop.shutdown_asyncgens = shutdown_asyncgens  # type: ignore[method-assign]


async def _sleep(seconds: float) -> None:
    import asyncio  # imported here: the sync path, and `import routerkit`, never need asyncio

    await asyncio.sleep(seconds)


def is_loopback_host(host: str) -> bool:
    """Whether `host` is this machine, where plain http cannot expose the API key to the network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
