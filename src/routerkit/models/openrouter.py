"""`OpenRouterResponses`: OpenRouter's Responses API, with the seed's parameters and defaults.

Adds what OpenRouter has and OpenAI lacks: the `models` fallback list (tried in order, server-side),
`provider` routing preferences, `plugins`, app attribution headers and routing metadata. OpenRouter is
stateless, so `store=True` is refused and `previous_response_id` is never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import UsageError
from ..wire._request import check_model_id, check_models
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
        if self.provider is not None and not isinstance(self.provider, (str, Mapping)):
            raise UsageError(
                "provider must be a label string or a dict of OpenRouter provider preferences, "
                f"got {type(self.provider).__name__}"
            )
        if self.plugins is not None and (
            not isinstance(self.plugins, list) or not all(isinstance(p, Mapping) and "id" in p for p in self.plugins)
        ):
            raise UsageError("plugins must be a list of dicts each with an 'id', such as [{'id': 'web'}]")
        if self.extra_body and "previous_response_id" in self.extra_body:
            raise UsageError(
                "extra_body['previous_response_id'] is not supported: OpenRouter's Responses API is stateless"
            )
        if self.extra_body and self.extra_body.get("store", False) is not False:
            raise UsageError("extra_body['store'] must be False: OpenRouter's Responses API is stateless")
        super().__post_init__()

    def _extra_fields(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "provider": dict(self.provider) if isinstance(self.provider, Mapping) else None,
            "plugins": self.plugins,
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

    def _requested_models(self) -> list[str]:
        ordered = [check_model_id(self.id)]
        ordered += [m for m in self.models or () if m not in ordered]
        return ordered
