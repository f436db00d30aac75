"""Tools for `Agent(tools=[...])` beside plain Python functions: OpenRouter's server tools."""

from ._server import Datetime, ImageGeneration, ServerTool, WebFetch, WebSearch

__all__ = ["Datetime", "ImageGeneration", "ServerTool", "WebFetch", "WebSearch"]
