"""`OpenRouterResponses`: OpenRouter's Responses API, with the seed's parameters and defaults.

Adds what OpenRouter has and OpenAI lacks: the `models` fallback list (tried in order, server-side),
`provider` routing preferences and `plugins` (both checked against OpenRouter's schema before sending),
prompt caching (`cache_control`; the agent's `session_id` for sticky routing), image output
(`modalities`, `image_config`), app attribution headers and routing metadata. OpenRouter is stateless, so
`store=True` is refused and `previous_response_id` is never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import MalformedResponseError, UsageError
from ..wire._request import check_json, check_model_id, check_models
from .openai import OpenAIResponses

__all__ = ["OpenRouterResponses"]


@dataclass
class OpenRouterResponses(OpenAIResponses):
    """A model on OpenRouter.

    `provider` is agno's label "OpenRouter"; pass a dict instead to send OpenRouter's provider routing
    preferences (`{"order": ["openai"], "allow_fallbacks": False}`, …) as the body's `provider`.
    """

    id: str = "openai/gpt-oss-20b"
    name: str = "OpenRouterResponses"
    provider: Any = "OpenRouter"
    base_url: str = "https://openrouter.ai/api/v1"
    models: list[str] | None = None
    store: bool = False
    plugins: list[dict[str, Any]] | None = None
    app_url: str | None = None
    """Sent as `HTTP-Referer` for OpenRouter's app attribution."""
    app_title: str | None = None
    """Sent as `X-OpenRouter-Title`."""
    routing_metadata: bool = False
    """Ask OpenRouter for `openrouter_metadata` (which models were tried) with `X-OpenRouter-Metadata: enabled`."""
    cache_control: dict[str, Any] | None = None
    """`{"type": "ephemeral"}` (optionally `"ttl": "1h"`): cache the prompt up to its last cacheable block
    (Anthropic-style caching). Content parts may carry their own `cache_control` too."""
    modalities: list[str] | None = None
    """`["text", "image"]` asks an image model for images; they arrive as `RunOutput.images`."""
    image_config: dict[str, Any] | None = None
    """Image options of the provider (`aspect_ratio`, `size`, `quality`, …)."""

    api_key_env: ClassVar[str] = "OPENROUTER_API_KEY"
    base_url_env: ClassVar[str | None] = "OPENROUTER_BASE_URL"
    provider_name: ClassVar[str] = "openrouter"

    def __post_init__(self) -> None:
        if self.store is not False:
            raise UsageError(
                "store=True is not supported: OpenRouter's Responses API is stateless and rejects it; "
                "routerkit's Agent keeps the conversation history for you"
            )
        self.models = check_models(self.models) or None
        for name in ("app_url", "app_title"):  # sent as headers: a line break or "é" cannot be
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not all(" " <= c <= "~" for c in value)):
                raise UsageError(f"{name} must be printable ASCII text (it is sent as a header), got {value!r:.80}")
        if self.provider is not None and not isinstance(self.provider, (str, Mapping)):
            raise UsageError(
                "provider must be a label string or a dict of OpenRouter provider preferences, "
                f"got {type(self.provider).__name__}"
            )
        if isinstance(self.provider, Mapping) or self.plugins is not None or self.cache_control is not None:
            self._check_options()
        if self.modalities is not None and (
            not isinstance(self.modalities, list) or not self.modalities or not set(self.modalities) <= _MODALITIES
        ):
            raise UsageError(f"modalities must be a list of 'text' and 'image', got {self.modalities!r:.80}")
        if self.image_config is not None:
            if not isinstance(self.image_config, Mapping):
                raise UsageError(f"image_config must be a dict, got {type(self.image_config).__name__}")
            check_json("image_config", self.image_config)
        if self.extra_body and "previous_response_id" in self.extra_body:
            raise UsageError(
                "extra_body['previous_response_id'] is not supported: OpenRouter's Responses API is stateless"
            )
        if self.extra_body and self.extra_body.get("store", False) is not False:
            raise UsageError("extra_body['store'] must be False: OpenRouter's Responses API is stateless")
        super().__post_init__()

    def _check_options(self) -> None:
        """`provider`, `plugins` and `cache_control` against OpenRouter's schema (its tables load only here)."""
        from ..wire._options import check_object, check_plugins, check_provider

        if isinstance(self.provider, Mapping):
            self.provider = check_provider(self.provider)
        self.plugins = check_plugins(self.plugins)
        if self.cache_control is not None:
            self.cache_control = check_object("cache_control", self.cache_control, _CACHE_CONTROL)
            if self.cache_control.get("type") != "ephemeral":
                raise UsageError(f"cache_control needs 'type': 'ephemeral', got {self.cache_control!r:.80}")

    def _extra_fields(self, session_id: str | None) -> dict[str, Any]:
        return {
            "models": self.models,
            "provider": dict(self.provider) if isinstance(self.provider, Mapping) else None,
            "plugins": self.plugins,
            "cache_control": self.cache_control,
            "modalities": self.modalities,
            "image_config": self.image_config,
            "session_id": session_id[:256] if session_id else None,
            "store": False,
        }

    def _extra_request_headers(self) -> dict[str, str]:
        headers = {}
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.app_title:
            headers["X-OpenRouter-Title"] = self.app_title
        if self.routing_metadata:
            headers["X-OpenRouter-Metadata"] = "enabled"
        return headers

    # Account calls: OpenRouter's `data` object as sent (see `_account.py` for what each holds).

    def generation(self, id: str) -> dict[str, Any]:
        """A past generation's exact cost, provider, latency and native token counts (`GET /generation`).

        `id` is `ModelResponse.generation_id`. OpenRouter records a generation a moment after it ends: asked
        at once, it may answer 404."""
        from . import _account

        return _as_dict(_account.get(self, "/generation", _account.check_generation_id(id)))

    async def ageneration(self, id: str) -> dict[str, Any]:
        """`generation`, async."""
        from . import _account

        return _as_dict(await _account.aget(self, "/generation", _account.check_generation_id(id)))

    def key(self) -> dict[str, Any]:
        """The API key's label, limit, usage and rate limit (`GET /key`)."""
        from . import _account

        return _as_dict(_account.get(self, "/key"))

    async def akey(self) -> dict[str, Any]:
        """`key`, async."""
        from . import _account

        return _as_dict(await _account.aget(self, "/key"))

    def credits(self) -> dict[str, Any]:
        """`total_credits` bought and `total_usage` spent, in USD (`GET /credits`)."""
        from . import _account

        return _as_dict(_account.get(self, "/credits"))

    async def acredits(self) -> dict[str, Any]:
        """`credits`, async."""
        from . import _account

        return _as_dict(await _account.aget(self, "/credits"))

    def user_models(self) -> list[dict[str, Any]]:
        """The models this account may use, after its provider and privacy settings (`GET /models/user`)."""
        from . import _account

        return _as_list(_account.get(self, "/models/user"))

    async def auser_models(self) -> list[dict[str, Any]]:
        """`user_models`, async."""
        from . import _account

        return _as_list(await _account.aget(self, "/models/user"))

    def _requested_models(self) -> list[str]:
        ordered = [check_model_id(self.id)]
        ordered += [m for m in self.models or () if m not in ordered]
        return ordered


_CACHE_CONTROL: dict[str, Any] = {"type": ("ephemeral",), "ttl": ("5m", "1h")}
_MODALITIES = {"text", "image"}


def _as_dict(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedResponseError(f"OpenRouter's answer holds {type(data).__name__} where an object belongs")
    return data


def _as_list(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise MalformedResponseError(f"OpenRouter's answer holds {type(data).__name__} where a list belongs")
    return [m for m in data if isinstance(m, dict)]
