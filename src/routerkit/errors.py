"""Every failure routerkit reports, as one tree of exception types.

The classes live in `routerkit.wire._errors` (the lowest layer must import nothing above it); this public
module re-exports the very same objects, so `except routerkit.errors.X` catches what any layer raises.
"""

from __future__ import annotations

from .wire._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteResponseError,
    InsufficientCreditsError,
    MalformedResponseError,
    OutputValidationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ResponseTooLargeError,
    RouterkitError,
    ServerError,
    StreamInterruptedError,
    ToolCallLimitError,
    UsageError,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "IncompleteResponseError",
    "InsufficientCreditsError",
    "MalformedResponseError",
    "OutputValidationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ResponseTooLargeError",
    "RouterkitError",
    "ServerError",
    "StreamInterruptedError",
    "ToolCallLimitError",
    "UsageError",
]
