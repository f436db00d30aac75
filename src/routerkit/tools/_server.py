"""The OpenRouter server tools worth naming, with their documented parameters as keyword arguments.

```python
Agent(tools=[get_weather, WebSearch(max_results=3, allowed_domains=["nasa.gov"]), Datetime()])
```

Each is checked when made (`WebSearch(engine="bing")` raises `UsageError` listing the accepted engines),
so a mistake costs no request. OpenRouter runs them; their results come back as output items the agent
keeps and replays, and the web search's sources become `RunOutput.citations`.
"""

from __future__ import annotations

from typing import Any

from ..wire._server_tool import ServerTool

__all__ = ["Datetime", "ImageGeneration", "ServerTool", "WebFetch", "WebSearch"]


class WebSearch(ServerTool):
    """`openrouter:web_search`: the model searches the web; the answer cites its sources."""

    __slots__ = ()

    def __init__(
        self,
        *,
        max_results: int | None = None,
        max_total_results: int | None = None,
        engine: str | None = None,
        allowed_domains: list[str] | None = None,
        excluded_domains: list[str] | None = None,
        search_context_size: str | None = None,
        max_uses: int | None = None,
        max_characters: int | None = None,
        mode: str | None = None,
        user_location: dict[str, Any] | None = None,
    ) -> None:
        if allowed_domains and excluded_domains:
            from ..errors import UsageError

            raise UsageError("WebSearch takes allowed_domains or excluded_domains, not both (OpenRouter refuses both)")
        super().__init__(
            "openrouter:web_search",
            {
                "max_results": max_results,
                "max_total_results": max_total_results,
                "engine": engine,
                "allowed_domains": allowed_domains,
                "excluded_domains": excluded_domains,
                "search_context_size": search_context_size,
                "max_uses": max_uses,
                "max_characters": max_characters,
                "mode": mode,
                "user_location": user_location,
            },
        )


class WebFetch(ServerTool):
    """`openrouter:web_fetch`: the model reads a web page or PDF by URL."""

    __slots__ = ()

    def __init__(
        self,
        *,
        max_uses: int | None = None,
        max_content_tokens: int | None = None,
        engine: str | None = None,
        allowed_domains: list[str] | None = None,
        blocked_domains: list[str] | None = None,
    ) -> None:
        super().__init__(
            "openrouter:web_fetch",
            {
                "max_uses": max_uses,
                "max_content_tokens": max_content_tokens,
                "engine": engine,
                "allowed_domains": allowed_domains,
                "blocked_domains": blocked_domains,
            },
        )


class Datetime(ServerTool):
    """`openrouter:datetime`: the current date and time (in `timezone`, an IANA name; UTC by default)."""

    __slots__ = ()

    def __init__(self, *, timezone: str | None = None) -> None:
        super().__init__("openrouter:datetime", {"timezone": timezone})


class ImageGeneration(ServerTool):
    """`openrouter:image_generation`: the model makes images with an image model (`model`, default
    OpenRouter's choice) and any `image_config` option (`size`, `quality`, `aspect_ratio`, …)."""

    __slots__ = ()

    def __init__(self, *, model: str | None = None, **options: str | float | list[Any]) -> None:
        from ..wire._request import check_json

        check_json("ImageGeneration options", options)
        super().__init__("openrouter:image_generation", {"model": model, **options})
