"""The definitions of routerkit's exception types; the tree and what each carries is documented in the public
module that re-exports them, `routerkit.errors`. They live here, in the I/O-free `wire` layer, so that `wire`
imports nothing else of routerkit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "IncompleteResponseError",
    "InsufficientCreditsError",
    "MCPError",
    "MalformedResponseError",
    "OutputValidationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ResponseTooLargeError",
    "RouterkitError",
    "ServerError",
    "StreamInterruptedError",
    "UnknownToolError",
    "UsageError",
]


class RouterkitError(Exception):
    """Base class of every exception routerkit raises on purpose."""


class UsageError(RouterkitError, ValueError):
    """Invalid input from the caller, refused before any request is sent."""


class APIError(RouterkitError):
    """The service, or the way to it, did not deliver a complete answer."""

    #: A short human label for the kind of failure, used in one-line reports.
    kind = "API error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | int | None = None,
        metadata: Mapping[str, Any] | None = None,
        models: Sequence[str] = (),
        generation_id: str | None = None,
        partial_text: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.metadata = dict(metadata) if metadata else {}
        self.models = list(models)
        self.generation_id = generation_id
        self.partial_text = partial_text
        self.retry_after = retry_after

    def __str__(self) -> str:
        facts = [f"HTTP {self.status}"] if self.status is not None else []
        if self.code is not None and self.code != self.status:
            facts.append(f"code {self.code}")
        text = self.kind + (f" ({', '.join(facts)})" if facts else "") + f": {self.message}"
        if self.models:
            text += f" [model: {', '.join(self.models)}]"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r}, code={self.code!r})"


class APIStatusError(APIError):
    """An HTTP error status received before the answer started."""

    kind = "HTTP error"


class BadRequestError(APIStatusError):
    kind = "Bad request"


class AuthenticationError(APIStatusError):
    kind = "Authentication failed"


class InsufficientCreditsError(APIStatusError):
    kind = "Insufficient credits"


class PermissionDeniedError(APIStatusError):
    kind = "Permission denied"


class RateLimitError(APIStatusError):
    kind = "Rate limited"


class ServerError(APIStatusError):
    kind = "Provider or server error"


class ResponseFailedError(APIError):
    kind = "Response failed"


class IncompleteResponseError(APIError):
    kind = "Response incomplete"


class APITimeoutError(APIError):
    kind = "Timed out"


class ResponseTooLargeError(APIError):
    """A body or stream event exceeded its size cap; `message` names the limit and how to raise it."""

    kind = "Response too large"


class MalformedResponseError(APIError):
    """A 200 answer that parsed as JSON but cannot be read. Never retried: the generation was paid for."""

    kind = "Malformed response"


class APIConnectionError(APIError):
    kind = "Connection failed"


class StreamInterruptedError(APIError):
    kind = "Stream interrupted"


class OutputValidationError(RouterkitError):
    """Structured output that could not be parsed or validated; `raw_text` holds what the model said."""

    def __init__(self, message: str, *, raw_text: str) -> None:
        super().__init__(message)
        self.raw_text = raw_text


class UnknownToolError(RouterkitError):
    """The model called a tool the agent does not have, was told so, and called an unknown tool again."""

    def __init__(self, name: str, available: list[str]) -> None:
        listed = ", ".join(available) or "none"
        super().__init__(
            f"the model asked again for a tool that does not exist ({name[:80]!r}) after being told which tools "
            f"there are ({listed}); the run was stopped"
        )
        self.name = name
        self.available = available

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.name, self.available), self.__dict__


class MCPError(RouterkitError):
    """An MCP server could not be started, listed or reached, or broke the protocol. `server` names it (the
    command, or the URL without credentials or query) and `tool` the tool being called, if any."""

    def __init__(self, message: str, *, server: str, tool: str | None = None) -> None:
        super().__init__(message)
        self.server = server
        self.tool = tool

    def __reduce__(self) -> tuple[Any, ...]:
        return _mcp_error, (str(self), self.server, self.tool), self.__dict__


def _mcp_error(message: str, server: str, tool: str | None) -> MCPError:
    return MCPError(message, server=server, tool=tool)
