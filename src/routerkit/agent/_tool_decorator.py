"""agno's `@tool` decorator: a function with how the agent treats its calls (confirmation, stopping, caching).

The result is a `FunctionTool`, still callable as the function. agno options routerkit does not have are
refused by name rather than ignored, so a program never silently loses, say, a hook it relies on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, overload

from ..errors import UsageError
from .tools import FunctionTool, function_tool

__all__ = ["tool"]

_AGNO_ONLY = (
    "instructions",
    "add_instructions",
    "pre_hook",
    "post_hook",
    "tool_hooks",
    "requires_user_input",
    "user_input_fields",
    "external_execution",
    "cache_dir",
    "show_result_in_context",
)


@overload
def tool(fn: Callable[..., Any], /) -> FunctionTool: ...
@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = False,
    requires_confirmation: bool = False,
    stop_after_tool_call: bool = False,
    show_result: bool | None = None,
    cache_results: bool = False,
    cache_ttl: int = 3600,
    **unsupported: Any,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...
def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = False,
    requires_confirmation: bool = False,
    stop_after_tool_call: bool = False,
    show_result: bool | None = None,
    cache_results: bool = False,
    cache_ttl: int = 3600,
    **unsupported: Any,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Make `fn` a tool, as agno's `@tool` / `@tool(...)` does.

    `requires_confirmation` pauses the run until the user confirms or rejects the call; `stop_after_tool_call`
    ends the run after the call with its result as the answer (`show_result` then defaults to True, as in
    agno); `show_result` adds the result to the answer the user sees; `cache_results` reuses a successful
    result for the same arguments for `cache_ttl` seconds (in memory, for this process); `strict` asks the
    provider for strict function calling.
    """
    if unsupported:
        names = ", ".join(sorted(unsupported))
        known = [n for n in sorted(unsupported) if n in _AGNO_ONLY]
        why = "agno options routerkit does not have" if len(known) == len(unsupported) else "unknown options"
        raise UsageError(
            f"@tool got {why}: {names}; accepted: name, description, strict, requires_confirmation, "
            "stop_after_tool_call, show_result, cache_results, cache_ttl"
        )
    flags: dict[str, Any] = {
        "strict": strict,
        "requires_confirmation": requires_confirmation,
        "stop_after_tool_call": stop_after_tool_call,
        "show_result": stop_after_tool_call if show_result is None else show_result,
        "cache_results": cache_results,
        "cache_ttl": cache_ttl,
    }
    for flag, value in flags.items():
        if flag != "cache_ttl" and not isinstance(value, bool):
            raise UsageError(f"@tool: {flag} must be True or False, got {value!r}")
    if not isinstance(cache_ttl, int) or isinstance(cache_ttl, bool) or cache_ttl <= 0:
        raise UsageError(f"@tool: cache_ttl must be a positive number of seconds, got {cache_ttl!r}")

    def decorate(function: Callable[..., Any]) -> FunctionTool:
        built = function_tool(function, name=name, description=description)
        return dataclasses.replace(built, **flags)

    return decorate if fn is None else decorate(fn)
