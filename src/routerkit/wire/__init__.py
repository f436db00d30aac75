"""The Responses protocol with no I/O: what goes out, what comes back, and what each failure means.

Like h11, this layer is fed bytes and dicts and returns values: `build_body` makes the request body,
`ResponseStream.feed(chunk)` turns stream bytes into the events every layer above consumes
(`TextDelta`, `ReasoningDelta`, `FunctionCallEvent`, `ResponseCompleted`, and for UIs
`FunctionCallArgumentsDelta` and `CitationAdded`), `build_response` reads a JSON
answer, and `error_from_status` / `RetryPolicy` say which failure it was and whether to try again. It imports
nothing else of routerkit; the exception classes it raises are defined here and re-exported by
`routerkit.errors`.
"""

from ._events import (
    CitationAdded,
    FunctionCallArgumentsDelta,
    FunctionCallEvent,
    ReasoningDelta,
    ResponseCompleted,
    StreamEvent,
    TextDelta,
)
from ._failures import RetryPolicy, error_from_event, error_from_status, parse_retry_after
from ._items import Citation, GeneratedImage, ServerToolCall
from ._request import (
    REASONING_EFFORTS,
    REASONING_KEYS,
    build_body,
    check_api_key,
    check_header_values,
    check_input,
    check_json,
    check_model_id,
    check_models,
    check_range,
    check_reasoning,
    check_seconds,
    encode_body,
)
from ._response import (
    FunctionCall,
    ModelResponse,
    Usage,
    build_response,
    function_call,
    is_fallback,
    is_router,
    parse_usage,
    read_output,
)
from ._sse import MAX_EVENT_BYTES, SSEDecoder, SSEEvent, SSEFramingError
from ._stream import ResponseStream

__all__ = [
    "MAX_EVENT_BYTES",
    "REASONING_EFFORTS",
    "REASONING_KEYS",
    "Citation",
    "CitationAdded",
    "FunctionCall",
    "FunctionCallArgumentsDelta",
    "FunctionCallEvent",
    "GeneratedImage",
    "ModelResponse",
    "ReasoningDelta",
    "ResponseCompleted",
    "ResponseStream",
    "RetryPolicy",
    "SSEDecoder",
    "SSEEvent",
    "SSEFramingError",
    "ServerToolCall",
    "StreamEvent",
    "TextDelta",
    "Usage",
    "build_body",
    "build_response",
    "check_api_key",
    "check_header_values",
    "check_input",
    "check_json",
    "check_model_id",
    "check_models",
    "check_range",
    "check_reasoning",
    "check_seconds",
    "encode_body",
    "error_from_event",
    "error_from_status",
    "function_call",
    "is_fallback",
    "is_router",
    "parse_retry_after",
    "parse_usage",
    "read_output",
]
