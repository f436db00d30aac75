"""The public surface, pinned: what `from routerkit import …` and each public module export.

A name added or removed here is an API change and must be deliberate (httpx2 pins its `__all__` the same way).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import routerkit

TOP_LEVEL = {
    "APIError",
    "Agent",
    "Emulator",
    "InMemoryDb",
    "OpenAIResponses",
    "OpenRouterResponses",
    "RouterkitError",
    "RunOutput",
    "SqliteDb",
    "UsageError",
    "__version__",
    "errors",
    "instrument",
}


PACKAGES = {
    "routerkit.agent": {
        "Agent", "AgentSession", "Message", "Model", "ReasoningContentDeltaEvent", "RunCompletedEvent",
        "RunContentEvent", "RunContinuedEvent", "RunErrorEvent", "RunEvent", "RunMetrics", "RunOutput",
        "RunOutputEvent", "RunPausedEvent", "RunRequirement", "RunStartedEvent", "ToolCallCompletedEvent",
        "ToolCallStartedEvent", "ToolExecution",
    },
    "routerkit.tools": {
        "Datetime", "FunctionTool", "ImageGeneration", "ServerTool", "Toolkit", "WebFetch", "WebSearch", "tool",
    },
    "routerkit.run": set(),
    "routerkit.run.agent": {
        "Message", "ReasoningContentDeltaEvent", "RunCompletedEvent", "RunContentEvent", "RunContinuedEvent",
        "RunErrorEvent", "RunEvent", "RunMetrics", "RunOutput", "RunOutputEvent", "RunPausedEvent",
        "RunStartedEvent", "RunStatus", "ToolCallCompletedEvent", "ToolCallStartedEvent",
    },
    "routerkit.run.base": {"RunStatus"},
    "routerkit.models": {"OpenAIResponses", "OpenRouterResponses", "list_models"},
    "routerkit.models.openai": {"OpenAIResponses", "is_loopback_host"},
    "routerkit.models.openrouter": {"OpenRouterResponses"},
    "routerkit.media": {"Audio", "File", "Image", "MAX_FILE_BYTES", "MAX_INLINE_BYTES", "Video", "from_source"},
    "routerkit.db": {
        "FINAL_STATUSES", "InMemoryDb", "RUN_STATUSES", "SCHEMA_VERSION", "SessionInfo", "SessionStore",
        "SessionStoreError", "SqliteDb", "StoredRun",
    },
    "routerkit.db.sqlite": {"SCHEMA_VERSION", "SqliteDb"},
    "routerkit.console": {
        "LivePrinter", "PlainPrinter", "RenderStats", "RunPrinter", "RunSummary", "aprint_run", "clean_text",
        "format_cost", "items_text", "print_run", "run_notes", "run_summary",
    },
    "routerkit.emulator": {
        "Close", "DONE", "Emulator", "Framing", "Pause", "RateLimit", "RecordedRequest", "Reply", "Reset",
        "ScriptedReply", "Step", "StreamReply", "encode_event", "main", "serve",
    },
    "routerkit.errors": {
        "APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AuthenticationError",
        "BadRequestError", "IncompleteResponseError", "InsufficientCreditsError", "MCPError", "MalformedResponseError",
        "OutputValidationError", "PermissionDeniedError", "RateLimitError", "ResponseFailedError",
        "ResponseTooLargeError", "RouterkitError", "ServerError", "StreamInterruptedError",
        "UnknownToolError", "UsageError",
    },
    "routerkit.wire": {
        "Citation", "CitationAdded", "FunctionCallArgumentsDelta", "GeneratedImage", "ServerToolCall",
        "is_router", "FunctionCall", "FunctionCallEvent", "MAX_EVENT_BYTES", "ModelResponse", "REASONING_EFFORTS",
        "REASONING_KEYS", "ReasoningDelta", "ResponseCompleted", "ResponseStream", "RetryPolicy", "SSEDecoder",
        "SSEEvent", "SSEFramingError", "StreamEvent", "TextDelta", "Usage", "build_body", "build_response",
        "check_api_key", "check_header_values", "check_input", "check_json", "check_model_id", "check_models",
        "check_range", "check_reasoning", "check_seconds", "encode_body", "error_from_event", "error_from_status",
        "function_call", "is_fallback", "parse_retry_after", "parse_usage", "read_output",
    },
    "routerkit.tools.mcp": {"MCPTools"},
    "routerkit.otel": {"instrument", "uninstrument"},
    "routerkit.serve": {"ServeApp", "load_agent", "serve"},
    "routerkit.batch": {
        "Batch", "BatchResult", "BatchRow", "BatchStats", "Concurrency", "LocalPace", "Pace", "PaceGate",
        "error_facts",
    },
}  # fmt: skip


def test_top_level_all_is_pinned() -> None:
    assert set(routerkit.__all__) == TOP_LEVEL


@pytest.mark.parametrize("module", sorted(PACKAGES))
def test_package_all_is_pinned_and_every_name_resolves(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    assert set(mod.__all__) == PACKAGES[module]
    for name in mod.__all__:
        assert getattr(mod, name) is not None, name


def test_private_modules_are_marked() -> None:
    """Inside a package every module is `_private` except the agno-compatible paths and the CLI's commands."""
    from pathlib import Path

    src = Path(routerkit.__file__).parent
    public_modules = {
        "errors.py", "otel.py", "ray.py", "agent/run.py", "agent/tools.py", "agent/structured.py", "db/base.py",
        "db/memory.py", "db/sqlite.py", "models/openai.py", "models/openrouter.py",
        "run/agent.py", "run/base.py", "tools/mcp.py",
    }  # fmt: skip
    found = {
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if not path.name.startswith("_") and path.parent.name != "cli"
    }
    assert found == public_modules


@pytest.mark.parametrize("name", sorted(TOP_LEVEL - {"__version__", "errors"}))
def test_top_level_names_are_the_module_objects(name: str) -> None:
    import importlib

    value = getattr(routerkit, name)
    home = importlib.import_module(routerkit._LAZY[name])
    assert value is getattr(home, name)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Agnet'"):
        routerkit.Agnet  # noqa: B018


def test_import_routerkit_loads_nothing_heavy() -> None:
    code = (
        "import sys, routerkit; "
        "heavy = [m for m in ('httpx2', 'pydantic', 'rich', 'asyncio', 'sqlite3') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
