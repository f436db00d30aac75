"""OpenRouter's model list (`GET /models`), through the same pool, caps, error mapping and key hygiene as
every model call."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..wire._errors import APIError, MalformedResponseError, StreamInterruptedError
from ..wire._failures import RetryPolicy
from ..wire._json import loads
from ..wire._request import check_api_key, check_seconds
from . import _drivers
from ._call import Call, translate_errors
from ._clients import shared_client
from ._settings import check_base_url, is_loopback_host

__all__ = ["DEFAULT_BASE_URL", "list_models"]

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
_MAX_LIST_BYTES = 64 * 1024 * 1024


def list_models(
    *,
    base_url: str = DEFAULT_BASE_URL,
    api_key: str | None = None,
    timeout: float = 30.0,
) -> list[dict[str, Any]]:
    """The models the service lists: one dict per model with at least a text `id`, as OpenRouter sent it.

    The list is public, so the key (`api_key`, else `OPENROUTER_API_KEY`) is sent only where it cannot
    leak: over https or to this machine. Failures raise the same typed errors as a model call.
    """
    url = check_base_url(base_url, allow_insecure_http=True)
    seconds = check_seconds("timeout", timeout)
    key = check_api_key(api_key if api_key is not None else os.environ.get("OPENROUTER_API_KEY", ""), "api_key")
    headers = {"Accept": "application/json", "User-Agent": f"routerkit/{__version__}"}
    if key and (url.startswith("https://") or is_loopback_host(urlsplit(url).hostname or "")):
        headers["Authorization"] = f"Bearer {key}"
    call = Call(
        url=url + "/models",
        headers=headers,
        payload=b"",
        requested_model="",
        models=[],
        policy=RetryPolicy(),
        connect_timeout=min(10.0, seconds),
        stall_timeout=seconds,
        total_timeout=seconds,
        max_response_bytes=_MAX_LIST_BYTES,
        method="GET",
    )
    client = shared_client()
    while True:
        try:
            with translate_errors(call), _drivers.send(call, client) as r:
                body = _drivers.read_body(call, r)
            call.raise_for_status(r.status_code, r.headers, body)
            return _models_in(body, call.url)
        except APIError as exc:
            time.sleep(call.backoff(exc))


def _models_in(body: bytes, url: str) -> list[dict[str, Any]]:
    try:
        payload = loads(body)
    except ValueError:
        raise StreamInterruptedError(f"the model list from {url} is not JSON") from None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        raise MalformedResponseError(f"the model list from {url} has no 'data' list")
    return [m for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)]
