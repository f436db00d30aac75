"""Tools as agno names them: `from routerkit.tools import tool, Toolkit`; OpenRouter's server tools
(`WebSearch`, `WebFetch`, `Datetime`, `ImageGeneration`); MCP servers' tools are
`routerkit.tools.mcp.MCPTools` (the `[mcp]` extra).

Names load on first use, so `import routerkit.tools` stays cheap until a tool is built (building one loads
pydantic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..agent._tool_decorator import tool
    from ..agent._toolkit import Toolkit
    from ..agent.tools import FunctionTool
    from ._server import Datetime, ImageGeneration, ServerTool, WebFetch, WebSearch

__all__ = ["Datetime", "FunctionTool", "ImageGeneration", "ServerTool", "Toolkit", "WebFetch", "WebSearch", "tool"]

_WHERE = {
    "tool": "routerkit.agent._tool_decorator",
    "Toolkit": "routerkit.agent._toolkit",
    "FunctionTool": "routerkit.agent.tools",
    **dict.fromkeys(("Datetime", "ImageGeneration", "ServerTool", "WebFetch", "WebSearch"), "routerkit.tools._server"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'routerkit.tools' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
