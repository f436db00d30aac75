"""OpenRouter's account endpoints: what a past generation cost, the key's limits, the credits, the models
the account may use.

`GET /generation?id=` gives the exact cost, provider, latency and native token counts of a generation
(its id is `ModelResponse.generation_id`); `GET /key` the key's limit, usage and rate limit; `GET /credits`
the credits bought and used; `GET /models/user` the models the account's settings allow. Each goes
through the model's connection settings, pools, caps and typed errors, like a model call; the answer is
OpenRouter's `data` object as sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .. import __version__
from ..wire._errors import MalformedResponseError, StreamInterruptedError, UsageError
from ..wire._failures import RetryPolicy
from ..wire._json import loads
from . import _drivers
from ._call import Call

if TYPE_CHECKING:
    from .openai import OpenAIResponses

__all__ = ["account_call", "aget", "check_generation_id", "get", "read_data"]

_MAX_BYTES = 16 * 1024 * 1024


def account_call(model: OpenAIResponses, path: str, query: dict[str, str] | None = None) -> Call:
    """The GET request for `path` under the model's base URL, with its key and timeouts."""
    url = f"{model.base_url}{path}" + (f"?{urlencode(query)}" if query else "")
    headers = {
        "Authorization": f"Bearer {model._resolve_api_key()}",
        "Accept": "application/json",
        "User-Agent": f"routerkit/{__version__}",
        **(model.extra_headers or {}),
    }
    return Call(
        url=url,
        headers=headers,
        payload=b"",
        requested_model=model.id,
        models=[model.id],
        policy=RetryPolicy(max_retries=model.max_retries),
        connect_timeout=model.connect_timeout,
        stall_timeout=model.stall_timeout,
        total_timeout=model.timeout,
        max_response_bytes=min(model.max_response_bytes, _MAX_BYTES),
        method="GET",
    )


def check_generation_id(value: object) -> dict[str, str]:
    if not isinstance(value, str) or not value.strip() or len(value) > 256:
        raise UsageError(f"id must be a generation id such as 'gen-1764953206-sYVybrPT0BXzTsnOdD0U', got {value!r:.80}")
    return {"id": value.strip()}


def read_data(call: Call, body: bytes) -> Any:
    """The `data` member of an account answer; a typed error when the body is not such an object."""
    try:
        payload = loads(body)
    except ValueError:
        raise StreamInterruptedError(f"the answer from {call.url} is not JSON", models=call.models) from None
    if not isinstance(payload, dict) or "data" not in payload:
        raise MalformedResponseError(f"the answer from {call.url} has no 'data'", models=call.models)
    return payload["data"]


def get(model: OpenAIResponses, path: str, query: dict[str, str] | None = None) -> Any:
    call = account_call(model, path, query)
    return read_data(call, _drivers.fetch(call, model._client()))


async def aget(model: OpenAIResponses, path: str, query: dict[str, str] | None = None) -> Any:
    call = account_call(model, path, query)
    return read_data(call, await _drivers.afetch(call, model._aclient()))
