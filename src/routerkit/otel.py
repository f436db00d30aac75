"""`routerkit.instrument()`: OpenTelemetry traces and metrics of agent runs, model calls and tools.

Needs the `otel` extra (`pip install 'routerkit[otel]'`, which is `opentelemetry-api`); exporting the spans
is the application's choice of SDK and exporter (OTLP to Jaeger, Honeycomb, Langfuse, Logfire...). Spans
follow the OpenTelemetry GenAI semantic conventions; see `routerkit.models._spans` for the names.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError
from .models import _observe

__all__ = ["instrument", "uninstrument"]


def instrument(*, tracer_provider: Any = None, meter_provider: Any = None, capture_content: bool = False) -> None:
    """Emit spans and metrics for every agent run and model call from now on.

    Without providers, the global ones are used (those set with `opentelemetry.trace.set_tracer_provider`).
    `capture_content=True` also records messages, tool arguments and results, and exception text, which
    are otherwise left out: they may hold personal data. Calling it again replaces the previous settings.
    """
    if not isinstance(capture_content, bool):
        raise UsageError(f"capture_content must be True or False, got {capture_content!r}")
    try:
        from .models._spans import Tracing
    except ImportError as exc:
        raise UsageError("routerkit.instrument() needs OpenTelemetry's API: pip install 'routerkit[otel]'") from exc
    _observe.configure(Tracing(tracer_provider, meter_provider), capture_content)


def uninstrument() -> None:
    """Stop emitting spans and metrics (a tracer provider set globally is still used, as before `instrument`)."""
    _observe.configure(None, False)
