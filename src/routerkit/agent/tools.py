"""Function tools: plain Python functions (sync or async) that the model can call.

```python
def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict:
    \"\"\"Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    \"\"\"

tool = function_tool(get_weather)
tool.to_wire()                       # {"type": "function", "name": "get_weather", …}
result = await tool.acall('{"city": "Paris"}')   # ToolResult(output='{"temp": 21}', is_error=False, …)
```

The JSON Schema of the parameters comes from the type hints through pydantic, so everything pydantic
validates works (``Optional``, ``Literal``, enums, lists, dicts, nested models, dataclasses,
``typing_extensions.TypedDict``, ``Annotated[..., Field(...)]``); a parameter with a default is not
required. The tool description is the docstring's prose before its first section, and each parameter's
description comes from a Google (``Args:``), NumPy (``Parameters`` / ``----------``) or reST
(``:param x:``) section, unless ``Annotated[..., Field(description=...)]`` already gives one.

Refused at definition time with :class:`~routerkit.errors.UsageError` naming the function and parameter:
``*args``/``**kwargs``, parameters without a type hint (the model would get no schema for them; annotate
with ``Any`` to accept anything on purpose), types pydantic cannot validate or describe, non-callables,
and names outside ``[a-zA-Z0-9_-]{1,64}`` (pass ``name=`` for lambdas).

Calls never raise for the model's mistakes or the tool's failures: invalid JSON, arguments that do not
validate and exceptions raised by the function all become a :class:`ToolResult` with ``is_error=True``
whose ``output`` tells the model what went wrong, so it can retry. (``BaseException``\\s that are not
``Exception``\\s — cancellation, ``KeyboardInterrupt`` — propagate.)
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import inspect
import time
import typing
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic_core
from pydantic import BaseModel, ValidationError

from ..errors import UsageError
from ._docstrings import parse_docstring
from ._strict_schema import strict_json_schema
from ._tool_schema import Binding, build_args_model, callable_name, check_name, is_async
from .structured import _drop_injected_nulls, summarize_validation_error

if typing.TYPE_CHECKING:
    from ._schema_tool import SchemaValidator

__all__ = ["FunctionTool", "ToolResult", "function_tool"]


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The outcome of one tool call.

    ``output`` is what goes back to the model as ``function_call_output.output``; ``value`` is the
    Python return value, or the exception when the function raised (``None`` when the arguments were
    rejected before the call).
    """

    output: str
    is_error: bool = False
    value: Any = None


@dataclass(frozen=True)
class FunctionTool:
    """A Python callable described to the model as a Responses function tool.

    Build one with :func:`function_tool`. Constructing it directly with only a name, description,
    parameters and function also works: the argument validator is then derived from the function's
    signature (``parameters`` is only what the model is shown).
    """

    name: str
    description: str
    parameters: dict[str, Any] = field(hash=False)
    function: Callable[..., Any]
    is_async: bool = False
    strict: bool = False
    requires_confirmation: bool = False
    stop_after_tool_call: bool = False
    show_result: bool = False
    cache_results: bool = False
    cache_ttl: int = 3600
    _args_model: type[BaseModel] | None = field(default=None, repr=False, compare=False)
    _bindings: tuple[Binding, ...] = field(default=(), repr=False, compare=False)
    _cache: dict[str, tuple[float, ToolResult]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _schema: SchemaValidator | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._args_model is None and self._schema is None:
            model, bindings, _ = build_args_model(self.function, self.name, {})
            object.__setattr__(self, "_args_model", model)
            object.__setattr__(self, "_bindings", bindings)
        if self.strict:
            try:
                strict_json_schema(self.parameters)
            except UsageError as exc:
                raise UsageError(f"tool {self.name!r} with strict=True: {exc}") from None
        if not isinstance(self.cache_ttl, int) or isinstance(self.cache_ttl, bool) or self.cache_ttl <= 0:
            raise UsageError(
                f"tool {self.name!r}: cache_ttl must be a positive number of seconds, got {self.cache_ttl!r}"
            )

    @classmethod
    def from_schema(
        cls, *, name: str, parameters: Mapping[str, Any], fn: Callable[..., Any], description: str = ""
    ) -> FunctionTool:
        """A tool described by a JSON Schema rather than a signature (a wrapper taking ``**kwargs``, a tool
        from another system). The model's arguments are validated against `parameters` before the call and
        passed to `fn` (sync or async) as keyword arguments; a mismatch goes back to the model as an error."""
        from ._schema_tool import SchemaValidator, check_parameters

        label = f"tool {name!r}"
        check_name(name, name)
        if not callable(fn):
            raise UsageError(f"{label}: fn must be a callable (sync or async), got {type(fn).__name__}")
        if not isinstance(description, str):
            raise UsageError(f"{label}: description must be a string, got {type(description).__name__}")
        schema = check_parameters(parameters, label)
        validator = SchemaValidator(schema, label)
        return cls(name, description, schema, fn, is_async=is_async(fn), _schema=validator)

    def to_wire(self) -> dict[str, Any]:
        """The flat Responses function tool: ``{"type": "function", "name", "description", "parameters",
        "strict"}``.

        ``strict`` is false unless the tool was built with ``strict=True``: strict function calling needs
        every parameter required (optional ones become nullable) and every object closed, and not every
        provider behind OpenRouter supports it. Either way the arguments are validated here with pydantic;
        a mismatch goes back to the model as an error result it can correct, and the ``null`` a strict model
        sends for an optional parameter means "use the default".
        """
        wire: dict[str, Any] = {"type": "function", "name": self.name}
        if self.description:
            wire["description"] = self.description
        wire["parameters"] = strict_json_schema(self.parameters) if self.strict else copy.deepcopy(self.parameters)
        wire["strict"] = self.strict
        return wire

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the underlying function directly (so ``@function_tool`` keeps the function usable)."""
        return self.function(*args, **kwargs)

    def call(self, arguments: str | Mapping[str, Any] | None) -> ToolResult:
        """Validate the model's JSON `arguments` and run the function in this thread.

        An async function is run with :func:`asyncio.run`; inside a running event loop that is impossible,
        and :class:`~routerkit.errors.UsageError` says to use :meth:`acall`.
        """
        parsed = self._parse(arguments)
        if isinstance(parsed, ToolResult):
            return parsed
        key, cached = self._cached(parsed)
        if cached is not None:
            return cached
        return self._keep(key, self._call(*parsed))

    def _call(self, args: list[Any], kwargs: dict[str, Any]) -> ToolResult:
        if self.is_async:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                raise UsageError(
                    f"tool {self.name!r} is async and an event loop is running; use `await tool.acall(...)`"
                )
            return asyncio.run(self._run_async(args, kwargs))
        try:
            value = self.function(*args, **kwargs)
        except Exception as exc:
            return _error_result(exc)
        if inspect.isawaitable(value):  # a sync callable that handed back a coroutine
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(self._await(value))
            if inspect.iscoroutine(value):
                value.close()
            raise UsageError(f"tool {self.name!r} returned an awaitable inside a running event loop; use acall")
        return _success(value)

    async def acall(self, arguments: str | Mapping[str, Any] | None) -> ToolResult:
        """Validate the model's JSON `arguments` and run the function without blocking the event loop:
        async functions are awaited, sync ones run in a worker thread (so parallel calls overlap)."""
        parsed = self._parse(arguments)
        if isinstance(parsed, ToolResult):
            return parsed
        key, cached = self._cached(parsed)
        if cached is not None:
            return cached
        return self._keep(key, await self._acall(*parsed))

    async def _acall(self, args: list[Any], kwargs: dict[str, Any]) -> ToolResult:
        if self.is_async:
            return await self._run_async(args, kwargs)
        try:
            value = await asyncio.to_thread(self.function, *args, **kwargs)
        except Exception as exc:
            return _error_result(exc)
        if inspect.isawaitable(value):
            return await self._await(value)
        return _success(value)

    # -- internals ---------------------------------------------------------------------------------------

    def _cached(self, parsed: tuple[list[Any], dict[str, Any]]) -> tuple[str | None, ToolResult | None]:
        """With `cache_results`, the cache key of these arguments and the result cached under it (if fresh)."""
        if not self.cache_results:
            return None, None
        args, kwargs = parsed
        key = pydantic_core.to_json([args, sorted(kwargs.items())], fallback=repr).decode()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return key, hit[1]
        return key, None

    def _keep(self, key: str | None, result: ToolResult) -> ToolResult:
        """Cache a successful result for `cache_ttl` seconds (errors are retried, not remembered)."""
        if key is not None and not result.is_error:
            self._cache[key] = (time.monotonic() + self.cache_ttl, result)
        return result

    async def _run_async(self, args: list[Any], kwargs: dict[str, Any]) -> ToolResult:
        try:
            value = await self.function(*args, **kwargs)
        except Exception as exc:
            return _error_result(exc)
        return _success(value)

    @staticmethod
    async def _await(awaitable: Any) -> ToolResult:
        try:
            value = await awaitable
        except Exception as exc:
            return _error_result(exc)
        return _success(value)

    def _parse(self, arguments: str | Mapping[str, Any] | None) -> tuple[list[Any], dict[str, Any]] | ToolResult:
        """One validation path for call and acall: the positional and keyword arguments, or the error
        result for the model."""
        if self._schema is not None:
            checked = self._schema.parse(arguments)
            if isinstance(checked, str):
                return ToolResult(output=f"Invalid arguments for tool {self.name}: {checked}", is_error=True)
            return [], checked
        model = self._args_model
        assert model is not None
        if self.strict and isinstance(arguments, (str, bytes)) and arguments.strip():
            arguments = _without_injected_nulls(arguments, self.parameters)
        try:
            if arguments is None or (isinstance(arguments, (str, bytes)) and not arguments.strip()):
                validated = model.model_validate({})
            elif isinstance(arguments, (str, bytes)):
                validated = model.model_validate_json(arguments)
            else:
                validated = model.model_validate(arguments)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            if errors and errors[0]["type"] == "json_invalid":
                why = f"arguments are not valid JSON ({errors[0].get('ctx', {}).get('error', errors[0]['msg'])})"
            elif errors and errors[0]["type"] == "model_type" and not errors[0]["loc"]:
                why = f"arguments must be a JSON object, got {type(errors[0].get('input')).__name__}"
            else:
                why = summarize_validation_error(exc)
            return ToolResult(output=f"Invalid arguments for tool {self.name}: {why}", is_error=True)
        given = validated.model_fields_set
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional: list[tuple[Binding, bool]] = []
        for binding in self._bindings:
            passed = binding.always_pass or binding.field_name in given
            if binding.positional_only:
                positional.append((binding, passed))
            elif passed:
                kwargs[binding.param_name] = getattr(validated, binding.field_name)
        # Positional-only parameters are passed up to the last one that was given (earlier ones with their
        # validated defaults); later ones are left to the function's own defaults.
        last = max((i for i, (_, passed) in enumerate(positional) if passed), default=-1)
        args = [getattr(validated, b.field_name) for b, _ in positional[: last + 1]]
        return args, kwargs


@typing.overload
def function_tool(
    fn: Callable[..., Any] | FunctionTool, *, name: str | None = None, description: str | None = None
) -> FunctionTool: ...


@typing.overload
def function_tool(
    fn: None = None, *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def function_tool(
    fn: Callable[..., Any] | FunctionTool | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Turn a sync or async callable into a :class:`FunctionTool` (a built tool is returned as is, or with
    `name`/`description` replaced).

    Usable as ``function_tool(fn)``, ``@function_tool`` or ``@function_tool(name=...)``. The argument
    validator and the JSON Schema are built once, here.
    """
    if fn is None:
        return functools.partial(function_tool, name=name, description=description)
    if isinstance(fn, FunctionTool):
        if name is None and description is None:
            return fn
        if name is not None:
            check_name(name, fn.name)
        return dataclasses.replace(
            fn,
            name=name if name is not None else fn.name,
            description=description if description is not None else fn.description,
        )
    if not callable(fn):
        raise UsageError(f"function_tool expects a callable or a FunctionTool, got {type(fn).__name__} {fn!r}")
    if name is None and description is None:
        try:
            built = _BUILT.get(fn)
        except TypeError:  # a callable that cannot be weakly referenced is simply built each time
            return _build(fn, None, None)
        if built is None:
            built = _BUILT[fn] = _build(fn, None, None)
        return built
    return _build(fn, name, description)


#: Tools already built from plain functions: an agent per request (a server, a batch) would otherwise
#: rebuild the pydantic validator and JSON Schema of the same function every time (~0.8 ms each).
_BUILT: weakref.WeakKeyDictionary[Callable[..., Any], FunctionTool] = weakref.WeakKeyDictionary()


def _build(fn: Callable[..., Any], name: str | None, description: str | None) -> FunctionTool:
    tool_name = name if name is not None else callable_name(fn)
    check_name(tool_name, callable_name(fn))
    doc = parse_docstring(inspect.getdoc(fn) or "")
    model, bindings, parameters = build_args_model(fn, tool_name, doc.params)
    return FunctionTool(
        name=tool_name,
        description=description if description is not None else doc.description,
        parameters=parameters,
        function=fn,
        is_async=is_async(fn),
        _args_model=model,
        _bindings=bindings,
    )


def _without_injected_nulls(arguments: str | bytes, schema: dict[str, Any]) -> str:
    """A strict model sends ``null`` for every optional parameter it leaves out; drop those so the function's
    defaults apply (arguments that are not JSON are left for the validator to report)."""
    try:
        data = pydantic_core.from_json(arguments)
    except ValueError:
        return arguments if isinstance(arguments, str) else arguments.decode(errors="replace")
    return pydantic_core.to_json(_drop_injected_nulls(data, schema, schema, frozenset())).decode()


# -- results ---------------------------------------------------------------------------------------------


def _success(value: Any) -> ToolResult:
    if isinstance(value, ToolResult):  # the function chose its own output and error flag (an MCP tool does)
        return value
    try:
        output = _to_output(value)
    except Exception as exc:  # a `__str__` that raises: the model is told, the run goes on
        why = _describe(exc)
        return ToolResult(
            output=f"Error: the tool returned a {type(value).__name__} that could not be turned into text ({why})",
            is_error=True,
            value=exc,
        )
    return ToolResult(output=output, is_error=False, value=value)


def _error_result(exc: Exception) -> ToolResult:
    return ToolResult(output=f"Error: {_describe(exc)}", is_error=True, value=exc)


def _describe(exc: Exception) -> str:
    """`Type: message` of an exception, even one whose own `__str__` raises."""
    try:
        message = str(exc)
    except Exception:
        message = ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _to_output(value: Any) -> str:
    """A string goes back as is; anything else as JSON (``None`` → ``null``, models and dataclasses as
    objects); a value JSON cannot hold becomes ``str(value)`` (inside a container: that part only)."""
    if isinstance(value, str):
        return value
    try:
        return pydantic_core.to_json(value).decode()
    except Exception:
        pass
    if isinstance(value, (dict, list, tuple, set, frozenset, BaseModel)) or dataclasses.is_dataclass(value):
        try:  # a container holding something odd: JSON with that part as its str()
            return pydantic_core.to_json(value, fallback=str).decode()
        except Exception:
            pass
    return str(value)
