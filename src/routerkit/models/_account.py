"""OpenRouter's account endpoints: what a past generation cost, the key's limits, the credits, the models
the account may use.

`GET /generation?id=` gives the exact cost, provider, latency and native token counts of a generation
(its id is `ModelResponse.generation_id`); `GET /key` the key's limit, usage and rate limit; `GET /credits`
the credits bought and used; `GET /models/user` the models the account's settings allow. Each goes
through the model's connection settings, pools, caps and typed errors, like a model call; the answer is
OpenRouter's `data` object as sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..wire._errors import MalformedResponseError, StreamInterruptedError, UsageError
from ..wire._json import loads
from . import _drivers
from ._call import Call

if TYPE_CHECKING:
    from .openai import OpenAIResponses

__all__ = ["account_call", "aget", "check_generation_id", "data_reader", "get"]

_MAX_BYTES = 16 * 1024 * 1024


def account_call(model: OpenAIResponses, path: str, query: dict[str, str] | None = None) -> Call:
    """The GET request for `path` under the model's base URL, with its key and timeouts."""
    path += f"?{urlencode(query)}" if query else ""
    return model._request(
        path, b"", "application/json", models=[model.id], max_response_bytes=min(model.max_response_bytes, _MAX_BYTES)
    )


def check_generation_id(value: object) -> dict[str, str]:
    if not isinstance(value, str) or not value.strip() or len(value) > 256:
        raise UsageError(f"id must be a generation id such as 'gen-1764953206-sYVybrPT0BXzTsnOdD0U', got {value!r:.80}")
    return {"id": value.strip()}


def data_reader(call: Call) -> Callable[[Mapping[str, str], bytes], Any]:
    """How `call`'s 200 body becomes the answer: its `data` member, or a typed error when the body is not
    such an object."""

    def read(_headers: Mapping[str, str], body: bytes) -> Any:
        try:
            payload = loads(body)
        except ValueError:
            raise StreamInterruptedError(f"the answer from {call.url} is not JSON", models=call.models) from None
        if not isinstance(payload, dict) or "data" not in payload:
            raise MalformedResponseError(f"the answer from {call.url} has no 'data'", models=call.models)
        return payload["data"]

    return read


def get(model: OpenAIResponses, path: str, query: dict[str, str] | None = None) -> Any:
    call = account_call(model, path, query)
    return _drivers.fetch(call, model._client(), data_reader(call))


async def aget(model: OpenAIResponses, path: str, query: dict[str, str] | None = None) -> Any:
    call = account_call(model, path, query)
    return await _drivers.afetch(call, model._aclient(), data_reader(call))
