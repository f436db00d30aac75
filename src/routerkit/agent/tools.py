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
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

from routerkit.agent.structured import CleanJsonSchema, summarize_validation_error
from routerkit.errors import UsageError

__all__ = ["FunctionTool", "ToolResult", "function_tool", "parse_docstring"]

_TOOL_NAME = re.compile(r"\A[a-zA-Z0-9_-]{1,64}\Z")


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


@dataclass(frozen=True, slots=True)
class _Binding:
    """How one validated field is passed to the function."""

    field_name: str
    param_name: str
    positional_only: bool
    always_pass: bool  # the default is a pydantic FieldInfo, not a value the function can use itself


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
    _args_model: type[BaseModel] | None = field(default=None, repr=False, compare=False)
    _bindings: tuple[_Binding, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._args_model is None:
            model, bindings, _ = _build_args_model(self.function, self.name, {})
            object.__setattr__(self, "_args_model", model)
            object.__setattr__(self, "_bindings", bindings)

    def to_wire(self) -> dict[str, Any]:
        """The flat Responses function tool: ``{"type": "function", "name", "description", "parameters",
        "strict": false}``.

        ``strict`` is always false. Strict function calling would require every parameter to be
        required (optional ones rewritten as nullable) and every object closed, which changes what the
        model sends for parameters with defaults, and not every provider behind OpenRouter supports it.
        The arguments are validated here with pydantic instead, and a mismatch goes back to the model as
        an error result it can correct.
        """
        wire: dict[str, Any] = {"type": "function", "name": self.name}
        if self.description:
            wire["description"] = self.description
        wire["parameters"] = copy.deepcopy(self.parameters)
        wire["strict"] = False
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
        args, kwargs = parsed
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
        args, kwargs = parsed
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
        model = self._args_model
        assert model is not None
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
        positional: list[tuple[_Binding, bool]] = []
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
            _check_name(name, fn.name)
        return dataclasses.replace(
            fn,
            name=name if name is not None else fn.name,
            description=description if description is not None else fn.description,
        )
    if not callable(fn):
        raise UsageError(f"function_tool expects a callable or a FunctionTool, got {type(fn).__name__} {fn!r}")
    tool_name = name if name is not None else _callable_name(fn)
    _check_name(tool_name, _callable_name(fn))
    doc = parse_docstring(inspect.getdoc(fn) or "")
    model, bindings, parameters = _build_args_model(fn, tool_name, doc.params)
    return FunctionTool(
        name=tool_name,
        description=description if description is not None else doc.description,
        parameters=parameters,
        function=fn,
        is_async=_is_async(fn),
        _args_model=model,
        _bindings=bindings,
    )


# -- schema and validator --------------------------------------------------------------------------------


def _build_args_model(
    fn: Callable[..., Any], tool_name: str, param_docs: Mapping[str, str]
) -> tuple[type[BaseModel], tuple[_Binding, ...], dict[str, Any]]:
    label = f"tool {tool_name!r}" if tool_name == _callable_name(fn) else f"tool {tool_name!r} ({_callable_name(fn)})"
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{label}: cannot read the signature: {exc}") from None
    hints = _type_hints(fn, label)
    fields: dict[str, Any] = {}
    bindings: list[_Binding] = []
    bound = _partial_keywords(fn)
    for index, param in enumerate(signature.parameters.values()):
        if param.name in bound:  # fixed by functools.partial: not the model's to choose
            continue
        if param.kind is param.VAR_POSITIONAL:
            raise UsageError(f"{label}: parameter *{param.name} is not supported; the model passes named arguments")
        if param.kind is param.VAR_KEYWORD:
            raise UsageError(
                f"{label}: parameter **{param.name} is not supported; declare each argument with a type hint"
            )
        annotation = hints.get(param.name, param.annotation)
        if annotation is inspect.Parameter.empty:
            raise UsageError(
                f"{label}: parameter {param.name!r} has no type hint; annotate it (use `Any` to accept anything)"
            )
        default = param.default
        always_pass = isinstance(default, FieldInfo)
        extra: dict[str, Any] = {"alias": param.name}
        described = (always_pass and default.description) or _annotated_description(annotation)
        if param.name in param_docs and not described:
            extra["description"] = param_docs[param.name]
        if always_pass:
            info = FieldInfo.merge_field_infos(default, **extra, validation_alias=param.name)
        else:
            info = Field(default if default is not param.empty else ..., **extra)
        # Internal field names keep pydantic away from the parameter names (leading underscores,
        # names like `json` or `model_config`); the parameter names are the aliases the model sees.
        field_name = f"p{index}"
        fields[field_name] = (annotation, info)
        bindings.append(_Binding(field_name, param.name, param.kind is param.POSITIONAL_ONLY, always_pass))
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=False, validate_by_alias=True)
    model_name = re.sub(r"\W", "_", f"{tool_name}_args")
    try:
        model = create_model(model_name, __config__=config, **fields)
        schema = model.model_json_schema(by_alias=True, schema_generator=CleanJsonSchema)
    except Exception as exc:
        culprit = _find_unsupported(fields, bindings, config)
        where = f"parameter {culprit!r}" if culprit else "parameters"
        raise UsageError(f"{label}: {where} has a type that cannot be used in a tool: {_first_line(exc)}") from None
    schema.pop("title", None)
    schema.setdefault("properties", {})
    return model, tuple(bindings), schema


def _find_unsupported(fields: dict[str, Any], bindings: list[_Binding], config: ConfigDict) -> str | None:
    for binding in bindings:
        try:
            probe = create_model("Probe", __config__=config, **{binding.field_name: fields[binding.field_name]})
            probe.model_json_schema(by_alias=True)
        except Exception:
            return binding.param_name
    return None


def _type_hints(fn: Callable[..., Any], label: str) -> dict[str, Any]:
    target: Any = fn
    while isinstance(target, functools.partial):
        target = target.func
    if isinstance(target, type):
        target = target.__init__
    elif not (inspect.isfunction(target) or inspect.ismethod(target)) and hasattr(target, "__call__"):  # noqa: B004
        target = type(target).__call__
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception as exc:
        raise UsageError(f"{label}: cannot resolve the type hints: {type(exc).__name__}: {exc}") from None


def _partial_keywords(fn: Any) -> set[str]:
    names: set[str] = set()
    while isinstance(fn, functools.partial):
        names.update(fn.keywords)
        fn = fn.func
    return names


def _annotated_description(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return any(isinstance(m, FieldInfo) and m.description for m in typing.get_args(annotation)[1:])
    return False


def _callable_name(fn: Any) -> str:
    target = fn
    while isinstance(target, functools.partial):
        target = target.func
    name = getattr(target, "__name__", None)
    return name if isinstance(name, str) else type(target).__name__


def _check_name(name: str, of: str) -> None:
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise UsageError(
            f"tool name {name!r} (for {of}) must be 1-64 characters of a-z, A-Z, 0-9, '_' or '-'; pass name=..."
        )


def _is_async(fn: Any) -> bool:
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004
    return not inspect.isfunction(fn) and call is not None and inspect.iscoroutinefunction(call)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -- results ---------------------------------------------------------------------------------------------


def _success(value: Any) -> ToolResult:
    return ToolResult(output=_to_output(value), is_error=False, value=value)


def _error_result(exc: Exception) -> ToolResult:
    message = str(exc)
    output = f"Error: {type(exc).__name__}: {message}" if message else f"Error: {type(exc).__name__}"
    return ToolResult(output=output, is_error=True, value=exc)


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


# -- docstrings ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Docstring:
    """A docstring split into the prose `description` and the per-parameter descriptions."""

    description: str
    params: dict[str, str]


_GOOGLE_PARAM_HEADERS = frozenset(
    {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "other parameters", "kwargs"}
)
_GOOGLE_HEADERS = _GOOGLE_PARAM_HEADERS | {
    "returns",
    "return",
    "yields",
    "yield",
    "raises",
    "raise",
    "except",
    "exceptions",
    "examples",
    "example",
    "note",
    "notes",
    "attributes",
    "see also",
    "warning",
    "warnings",
    "warns",
    "todo",
    "references",
    "methods",
}
_NUMPY_PARAM_HEADERS = frozenset({"parameters", "other parameters", "keyword arguments", "params", "args"})
_REST_FIELD = re.compile(r"^:(\w+)(?:\s+([^:]*?))?:\s*(.*)$")
_REST_PARAM_FIELDS = frozenset({"param", "parameter", "arg", "argument", "key", "keyword"})
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::\s*(.*))?$")


def parse_docstring(doc: str) -> Docstring:
    """Split a (cleaned, e.g. :func:`inspect.getdoc`) docstring into its leading prose and the parameter
    descriptions of its Google, NumPy or reST parameter section. Multi-line descriptions are joined with
    spaces; unknown layouts yield just the prose."""
    lines = doc.expandtabs().splitlines()
    params: dict[str, str] = {}
    end = len(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt and set(nxt) <= {"-"} and len(nxt) >= 3 and stripped and not set(stripped) <= {"-"}:
            end = min(end, i)  # NumPy section header
            i = _numpy_section(lines, i + 2, indent, params if stripped.lower() in _NUMPY_PARAM_HEADERS else None)
            continue
        if stripped.endswith(":") and stripped[:-1].strip().lower() in _GOOGLE_HEADERS:
            end = min(end, i)  # Google section header
            is_params = stripped[:-1].strip().lower() in _GOOGLE_PARAM_HEADERS
            i = _google_section(lines, i + 1, indent, params if is_params else None)
            continue
        match = _REST_FIELD.match(stripped)
        if match:
            end = min(end, i)  # reST field list
            body = [match.group(3)]
            i += 1
            while (
                i < len(lines)
                and lines[i].strip()
                and not _REST_FIELD.match(lines[i].strip())
                and (len(lines[i]) - len(lines[i].lstrip()) > indent)
            ):
                body.append(lines[i].strip())
                i += 1
            if match.group(1) in _REST_PARAM_FIELDS and match.group(2):
                name = match.group(2).split()[-1].lstrip("*")
                params[name] = _join(body)
            continue
        i += 1
    description = "\n".join(lines[:end]).strip()
    return Docstring(description=description, params=params)


def _google_section(lines: list[str], i: int, header_indent: int, params: dict[str, str] | None) -> int:
    entry_indent: int | None = None
    current: str | None = None
    body: list[str] = []

    def flush() -> None:
        if params is not None and current is not None:
            params[current] = _join(body)

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= header_indent:
            break
        if entry_indent is None:
            entry_indent = indent
        if indent <= entry_indent:
            flush()
            match = _GOOGLE_ENTRY.match(line.strip())
            current, body = (match.group(1), [match.group(3)]) if match else (None, [])
        else:
            body.append(line.strip())
        i += 1
    flush()
    return i


def _numpy_section(lines: list[str], i: int, header_indent: int, params: dict[str, str] | None) -> int:
    names: list[str] = []
    body: list[str] = []

    def flush() -> None:
        if params is not None:
            for name in names:
                params[name] = _join(body)

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if stripped and indent <= header_indent and following and set(following) <= {"-"} and len(following) >= 3:
            break  # the next section
        if not stripped:
            i += 1
            continue
        if indent <= header_indent:
            if stripped.startswith(":") or (stripped.endswith(":") and stripped[:-1].lower() in _GOOGLE_HEADERS):
                break
            flush()
            match = _NUMPY_ENTRY.match(stripped)
            names = [n.strip().lstrip("*") for n in match.group(1).split(",")] if match else []
            body = []
        else:
            body.append(stripped)
        i += 1
    flush()
    return i


def _join(parts: list[str]) -> str:
    return " ".join(p for p in (s.strip() for s in parts) if p)
