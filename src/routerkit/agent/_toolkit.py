"""agno's `Toolkit`: several tools under one name, given to an agent as one item of `tools=[...]`.

The usual agno shape works unchanged: a subclass passes its bound methods,
``super().__init__(name="files", tools=[self.read, self.delete], requires_confirmation_tools=["delete"])``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import UsageError
from .tools import FunctionTool, function_tool

__all__ = ["Toolkit"]


class Toolkit:
    """A named group of tools; the per-tool options name the tools they apply to, as in agno."""

    def __init__(
        self,
        name: str = "toolkit",
        tools: Sequence[Callable[..., Any]] = (),
        *,
        instructions: str | None = None,
        add_instructions: bool = False,
        include_tools: Sequence[str] | None = None,
        exclude_tools: Sequence[str] | None = None,
        requires_confirmation_tools: Sequence[str] | None = None,
        stop_after_tool_call_tools: Sequence[str] | None = None,
        show_result_tools: Sequence[str] | None = None,
        cache_results: bool = False,
        cache_ttl: int = 3600,
        **unsupported: Any,
    ) -> None:
        if unsupported:
            raise UsageError(f"Toolkit {name!r} got options routerkit does not have: {', '.join(sorted(unsupported))}")
        if add_instructions:
            raise UsageError(
                f"Toolkit {name!r}: add_instructions is not supported; put the instructions in Agent(instructions=...)"
            )
        if isinstance(tools, str | bytes) or not isinstance(tools, Sequence):
            raise UsageError(f"Toolkit {name!r}: tools must be a list of functions, got {type(tools).__name__}")
        self.name = name
        self.instructions = instructions
        self.cache_results, self.cache_ttl = cache_results, cache_ttl
        self._include = include_tools
        self._exclude = set(exclude_tools or ())
        self._flags = {
            "requires_confirmation": set(requires_confirmation_tools or ()),
            "stop_after_tool_call": set(stop_after_tool_call_tools or ()),
            "show_result": set(show_result_tools or ()) | set(stop_after_tool_call_tools or ()),
        }
        self.functions: dict[str, FunctionTool] = {}
        for function in tools:
            self.register(function)
        self._check_names()

    def register(self, function: Callable[..., Any], name: str | None = None) -> None:
        """Add a tool (a function, a bound method or a `FunctionTool`) unless include/exclude leave it out."""
        built = function_tool(function, name=name)
        if built.name in self._exclude or (self._include is not None and built.name not in self._include):
            return
        flags: dict[str, Any] = {flag: True for flag, names in self._flags.items() if built.name in names}
        if self.cache_results:
            flags.update(cache_results=True, cache_ttl=self.cache_ttl)
        self.functions[built.name] = dataclasses.replace(built, **flags) if flags else built

    def _check_names(self) -> None:
        named = [*(self._include or ()), *(n for names in self._flags.values() for n in names)]
        unknown = sorted({n for n in named if n not in self.functions and n not in self._exclude})
        if unknown:
            raise UsageError(
                f"Toolkit {self.name!r} names tools it does not have: {', '.join(unknown)}; "
                f"its tools are {', '.join(self.functions) or 'none'}"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, tools={list(self.functions)})"
