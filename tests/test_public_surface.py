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
}


def test_top_level_all_is_pinned() -> None:
    assert set(routerkit.__all__) == TOP_LEVEL


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
