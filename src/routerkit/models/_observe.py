"""What routerkit tells the outside while it works: records on the "routerkit" logger, and OpenTelemetry spans.

Every model call and agent run passes through here. With nothing listening, the cost per call is one
`sys.modules` look-up and a logger level check. `logging` itself is not imported to make that check: a
program that never imported it cannot have set up a handler, and the import is ~6 ms of every `routerkit
ask`. Spans and metrics are made (by `_spans`, which is the only module importing OpenTelemetry) once
`routerkit.instrument()` was called, or when the application has set a global tracer provider. Keys are
never logged or recorded; message content and exception text only after `instrument(capture_content=True)`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import logging

    from ..wire._errors import APIError
    from ..wire._response import FunctionCall
    from ._call import Call
    from ._spans import Tracing

__all__ = ["ChatObserver", "Noop", "RunObserver", "agent_run", "capture_content", "chat", "configure", "retried"]

_INFO = 20  # logging.INFO

_T = TypeVar("_T")


class _Settings:
    tracing: Tracing | None = None
    """Set by `routerkit.instrument()`; otherwise a configured global tracer provider is looked for."""
    capture_content: bool = False
    global_tracing: Callable[[], Tracing | None] | None = None
    """`_spans.global_tracing`, once OpenTelemetry is imported (kept: an import statement per call costs µs)."""
    logger: logging.Logger | None = None
    """The "routerkit" logger, once `logging` is imported (by anyone)."""


def _logger() -> logging.Logger | None:
    """The "routerkit" logger, or None while `logging` was never imported (so nothing can be listening)."""
    logger = _Settings.logger
    if logger is None:
        module = sys.modules.get("logging")
        if module is None:
            return None
        logger = _Settings.logger = module.getLogger("routerkit")
    return logger


def _logging() -> bool:
    logger = _logger()
    return logger is not None and logger.isEnabledFor(_INFO)


def _log() -> logging.Logger:
    """The logger, for an observer to write to (importing `logging` if a tracer, not a handler, is listening)."""
    import logging

    return logging.getLogger("routerkit")


def configure(tracing: Tracing | None, capture_content: bool) -> None:
    """What `routerkit.instrument()` / `uninstrument()` set."""
    _Settings.tracing = tracing
    _Settings.capture_content = capture_content


def capture_content() -> bool:
    return _Settings.capture_content


def _tracing() -> Tracing | None:
    tracing = _Settings.tracing
    if tracing is not None or "opentelemetry.trace" not in sys.modules:
        return tracing
    if _Settings.global_tracing is None:
        from ._spans import global_tracing

        _Settings.global_tracing = global_tracing
    return _Settings.global_tracing()


#: The OpenTelemetry context of the agent run in progress: its model calls' spans are made under it.
_run_context: ContextVar[Any] = ContextVar("routerkit_run_context", default=None)


class Noop:
    """What a call or run gets when nobody listens: every hook does nothing."""

    def __enter__(self) -> Callable[[_T], _T]:
        return _same

    def __exit__(self, *exc: object) -> None:
        return None

    def tool(self, call: FunctionCall) -> Noop:
        return self

    def end(self, output: Any, error: BaseException | None = None) -> None:
        return None


_NOOP = Noop()


def _same(value: _T) -> _T:
    return value


# Model calls


def chat(call: Call) -> ChatObserver | Noop:
    """The scope of one model call, retries included: a `chat {model}` span and its log records."""
    tracing = _tracing()
    if tracing is None and not _logging():
        return _NOOP
    return ChatObserver(call, tracing)


class ChatObserver:
    """One model call seen from outside. `Call.backoff` reports retries to it; the response is read from the
    call when the scope ends (`Call.read_json` and `Call.new_stream` keep it there)."""

    __slots__ = ("call", "span", "tracing")

    def __init__(self, call: Call, tracing: Tracing | None) -> None:
        self.call = call
        self.tracing = tracing
        self.span: Any = None

    def __enter__(self) -> ChatObserver:
        call = self.call
        call.observer = self
        _log().debug("request: model %s, %s", call.requested_model, call.url)
        if self.tracing is not None:
            self.span = self.tracing.start_chat(call, _run_context.get())
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        call = self.call
        call.observer = None
        response = call.response or (call.stream.response if call.stream is not None else None)
        if error is None and response is not None and response.fallback_used:
            _log().info("fallback: %s answered for %s", response.model, call.requested_model)
        if error is not None and not isinstance(error, GeneratorExit):
            _log().info("model call failed: model %s, %s", call.requested_model, _describe(error))
        if self.span is not None and self.tracing is not None:
            self.tracing.end_chat(self.span, call, response, error)

    def retry(self, error: APIError, delay: float) -> None:
        _log().info(
            "retry %d of model %s in %.2fs: %s", self.call.retries, self.call.requested_model, delay, _describe(error)
        )
        if self.span is not None:
            self.span.add_event(
                "retry",
                {"error.type": type(error).__name__, "openrouter.retry_delay": delay, **_status(error)},
            )


def retried(call: Call, error: APIError, delay: float) -> None:
    """`Call.backoff`'s report of a retry about to wait `delay` seconds."""
    observer = call.observer
    if observer is not None:
        observer.retry(error, delay)


def _status(error: BaseException) -> dict[str, int]:
    status = getattr(error, "status", None)
    return {"http.response.status_code": status} if isinstance(status, int) else {}


def _describe(error: BaseException) -> str:
    """The error's type and status; its text (which may quote content) only when content is captured."""
    status = getattr(error, "status", None)
    shown = type(error).__name__ + (f" (HTTP {status})" if isinstance(status, int) else "")
    return f"{shown}: {error}" if _Settings.capture_content else shown


# Agent runs


def agent_run(agent: Any, output: Any) -> RunObserver | Noop:
    """The scope of one agent run: an `invoke_agent` span over its model calls and tools, and its log records.
    `end` must be called exactly once."""
    tracing = _tracing()
    if tracing is None and not _logging():
        return _NOOP
    return RunObserver(agent, output, tracing)


class RunObserver:
    __slots__ = ("_before", "output", "span", "tracing")

    def __init__(self, agent: Any, output: Any, tracing: Tracing | None) -> None:
        self.output = output
        self.tracing = tracing
        self.span: Any = None
        self._before = _run_context.get()
        if tracing is not None:
            self.span, context = tracing.start_run(agent, output, self._before)
            _run_context.set(context)  # not reset by token: an async run may end in another context

    def tool(self, call: FunctionCall) -> _ToolScope:
        return _ToolScope(self, call)

    def end(self, output: Any, error: BaseException | None = None) -> None:
        _run_context.set(self._before)
        metrics = output.metrics
        cost = f", cost ${metrics.cost:.6f}" if metrics.cost is not None else ""
        if error is None:
            _log().info(
                "run %s done: model %s, %d input + %d output tokens%s",
                output.run_id,
                output.model,
                metrics.input_tokens,
                metrics.output_tokens,
                cost,
            )
        else:
            _log().info("run %s ended by %s%s", output.run_id, _describe(error), cost)
        if self.span is not None and self.tracing is not None:
            self.tracing.end_run(self.span, output, error)


class _ToolScope:
    """One tool execution: an `execute_tool` span, current while the tool runs so its own spans nest in it."""

    __slots__ = ("call", "result", "run", "span", "token")

    def __init__(self, run: RunObserver, call: FunctionCall) -> None:
        self.run = run
        self.call = call
        self.result: Any = None
        self.span: Any = None
        self.token: Any = None

    def __enter__(self) -> Callable[[_T], _T]:
        _log().debug("tool call %s (%s)", self.call.name, self.call.call_id)
        if self.run.tracing is not None and self.run.span is not None:
            self.span, self.token = self.run.tracing.start_tool(self.run.span, self.call)
        return self._record

    def _record(self, result: _T) -> _T:
        self.result = result
        return result

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if self.result is not None and getattr(self.result, "is_error", False):
            _log().info("tool %s returned an error to the model", self.call.name)
        if self.span is not None and self.run.tracing is not None:
            self.run.tracing.end_tool(self.span, self.token, self.call, self.result, error)
