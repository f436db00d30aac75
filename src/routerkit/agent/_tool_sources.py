"""Tool sources: objects that hand the agent a list of tools which may change between runs (the tools of an
MCP server, listed when it connects). The agent asks for them when a run starts, so a source can connect on
first use; plain functions and `FunctionTool`s are built once, as before."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .tools import FunctionTool

__all__ = ["ToolSource", "aprepare", "expand", "has_sources"]


@runtime_checkable
class ToolSource(Protocol):
    """What `Agent(tools=[...])` accepts besides functions: `get_tools` (may connect, blocking) and
    `aget_tools` (the same without blocking the event loop); both return the current tools, cached."""

    def get_tools(self) -> Sequence[FunctionTool]: ...

    async def aget_tools(self) -> Sequence[FunctionTool]: ...


def has_sources(tools: Sequence[Any]) -> bool:
    return any(isinstance(tool, ToolSource) for tool in tools)


def expand(tools: Sequence[Any]) -> list[FunctionTool]:
    """Every tool, in order, with each `Toolkit` and each source replaced by its current tools."""
    from ._toolkit import Toolkit
    from .tools import function_tool

    built: list[FunctionTool] = []
    for tool in tools:
        if isinstance(tool, Toolkit):
            built.extend(tool.functions.values())
        elif isinstance(tool, ToolSource):
            built.extend(tool.get_tools())
        else:
            built.append(function_tool(tool))
    return built


async def aprepare(tools: Sequence[Any]) -> None:
    """Let every source connect and list its tools without blocking the loop, before `expand` (sync) reads
    them from its cache."""
    for tool in tools:
        if isinstance(tool, ToolSource):
            await tool.aget_tools()
