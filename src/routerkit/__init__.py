"""routerkit: agents on OpenRouter's Responses API.

The names most programs need are importable from here (`from routerkit import Agent, OpenRouterResponses`);
each is loaded on first use, so `import routerkit` itself stays as cheap as the CLI's start-up needs. The
agno-compatible module paths (`routerkit.agent`, `routerkit.models.openrouter`, `routerkit.db.sqlite`) hold the
same objects.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import errors
    from .agent import Agent, RunOutput
    from .db.memory import InMemoryDb
    from .db.sqlite import SqliteDb
    from .emulator import Emulator
    from .errors import APIError, RouterkitError, UsageError
    from .models.openai import OpenAIResponses
    from .models.openrouter import OpenRouterResponses
    from .otel import instrument

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Agent": "routerkit.agent",
    "RunOutput": "routerkit.agent",
    "OpenAIResponses": "routerkit.models.openai",
    "OpenRouterResponses": "routerkit.models.openrouter",
    "SqliteDb": "routerkit.db.sqlite",
    "InMemoryDb": "routerkit.db.memory",
    "Emulator": "routerkit.emulator",
    "RouterkitError": "routerkit.errors",
    "APIError": "routerkit.errors",
    "UsageError": "routerkit.errors",
    "instrument": "routerkit.otel",
}

__all__ = [
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
]


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("routerkit.errors")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'routerkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
