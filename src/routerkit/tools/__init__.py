"""Tools and tool sources beyond plain functions: `routerkit.tools.mcp.MCPTools` (the `[mcp]` extra)."""

__all__: list[str] = []
