"""Server tools: tools OpenRouter runs itself during a response (web search, page fetch, the date, images).

They go in the request's `tools` list beside function tools, but the client never runs them: their
results come back as output items of their own (`openrouter:web_search`, `web_search_call`, …). Their
parameters are checked here, before any request, against the published schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import UsageError
from ._options import SERVER_TOOL_PARAMETERS, check_object, closest

__all__ = ["SERVER_TOOL_TYPES", "ServerTool"]

#: The `openrouter:*` tool types of the published schema.
SERVER_TOOL_TYPES = (
    "openrouter:web_search",
    "openrouter:web_fetch",
    "openrouter:datetime",
    "openrouter:image_generation",
    "openrouter:experimental__search_models",
    "openrouter:advisor",
    "openrouter:subagent",
    "openrouter:fusion",
    "openrouter:files",
    "openrouter:bash",
    "openrouter:shell",
    "openrouter:apply_patch",
    "openrouter:tool_search",
)


class ServerTool:
    """An OpenRouter server tool for `Agent(tools=[...])`: `ServerTool("openrouter:datetime")`, or one of the
    typed ones in `routerkit.tools` (`WebSearch`, `WebFetch`, `Datetime`, `ImageGeneration`)."""

    __slots__ = ("parameters", "type")

    def __init__(self, type: str, parameters: Mapping[str, Any] | None = None) -> None:
        if not isinstance(type, str) or type not in SERVER_TOOL_TYPES:
            near = closest(type, list(SERVER_TOOL_TYPES)) if isinstance(type, str) else ""
            raise UsageError(
                f"ServerTool type must be an OpenRouter server tool{near}, got {type!r:.60}; "
                f"accepted: {', '.join(SERVER_TOOL_TYPES)}"
            )
        spec = SERVER_TOOL_PARAMETERS.get(type)
        label = self.__class__.__name__ if self.__class__ is not ServerTool else f"{type} parameters"
        if parameters is not None and spec is not None:
            parameters = check_object(label, parameters, spec)
        elif parameters is not None and not isinstance(parameters, Mapping):
            raise UsageError(f"{type} parameters must be a dict, got {parameters.__class__.__name__}")
        self.type = type
        self.parameters = {k: v for k, v in (parameters or {}).items() if v is not None}

    @property
    def name(self) -> str:
        return self.type

    def to_wire(self) -> dict[str, Any]:
        """The entry of the request's `tools` list."""
        return {"type": self.type, "parameters": dict(self.parameters)} if self.parameters else {"type": self.type}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        if type(self) is ServerTool:
            return f"ServerTool({self.type!r}, {self.parameters!r})"
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerTool) and (self.type, self.parameters) == (other.type, other.parameters)

    def __hash__(self) -> int:
        return hash(self.type)
