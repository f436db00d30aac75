"""Every failure routerkit reports, as one tree of exception types.

```
RouterkitError
├── UsageError              the caller asked for something invalid; raised before any request (also ValueError)
├── APIError                OpenRouter (or the network to it) did not deliver an answer
│   ├── APIStatusError      an HTTP error status before the answer started
│   │   ├── BadRequestError           400, 404, 413, 422
│   │   ├── AuthenticationError       401
│   │   ├── InsufficientCreditsError  402
│   │   ├── PermissionDeniedError     403 (moderation, guardrails)
│   │   ├── RateLimitError            429
│   │   └── ServerError               408, 409, 5xx and other statuses
│   ├── ResponseFailedError  the stream or body said the answer failed (`response.failed`, an `error` event)
│   ├── IncompleteResponseError  the answer stopped early (`response.incomplete`, e.g. max_output_tokens)
│   ├── APITimeoutError      connect, stall or total deadline passed
│   ├── ResponseTooLargeError    a body or stream event exceeded its size cap
│   ├── MalformedResponseError   a 200 JSON answer that cannot be read (never retried: it was paid for)
│   ├── APIConnectionError   the connection could not be made or was lost before the answer started
│   └── StreamInterruptedError   the stream broke or ended without a terminal event after output began
├── OutputValidationError   structured output that is not valid JSON or does not match the schema
├── MCPError                an MCP server could not be started, listed or reached, or broke the protocol
└── UnknownToolError        the model asked again for a tool the agent does not have, after being told once
```

Each `APIError` carries the facts a user needs to act: `status`, OpenRouter's `code`, `message` and
`metadata`, the `models` that were asked for, the `generation_id` when known, and `partial_text` when output
had already arrived. None of them ever holds the API key: messages are built from the response body only.

The classes are defined in `routerkit.wire._errors` (the lowest layer imports nothing above it); this module
re-exports the very same objects, so `except routerkit.errors.X` catches what any layer raises.
"""

from __future__ import annotations

from .wire._errors import *  # noqa: F403 - the same objects, under their public name
from .wire._errors import __all__ as __all__
