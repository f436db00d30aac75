"""A function's signature as a tool's parameters: the pydantic model that validates the model's arguments
and the JSON Schema the model is shown, built once per tool.

Internal field names (``p0``, ``p1``, …) keep pydantic away from the parameter names (leading underscores,
names like ``json`` or ``model_config``); the parameter names are the aliases the model sees. Refusals are
`UsageError`s naming the tool and the parameter.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from ..errors import UsageError
from ._strict_schema import CleanJsonSchema

__all__ = ["Binding", "build_args_model", "callable_name", "check_name", "is_async"]

_TOOL_NAME = re.compile(r"\A[a-zA-Z0-9_-]{1,64}\Z")


@dataclass(frozen=True, slots=True)
class Binding:
    """How one validated field is passed to the function."""

    field_name: str
    param_name: str
    positional_only: bool
    always_pass: bool  # the default is a pydantic FieldInfo, not a value the function can use itself


def build_args_model(
    fn: Callable[..., Any], tool_name: str, param_docs: Mapping[str, str]
) -> tuple[type[BaseModel], tuple[Binding, ...], dict[str, Any]]:
    label = f"tool {tool_name!r}" if tool_name == callable_name(fn) else f"tool {tool_name!r} ({callable_name(fn)})"
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{label}: cannot read the signature: {exc}") from None
    hints = _type_hints(fn, label)
    fields: dict[str, Any] = {}
    bindings: list[Binding] = []
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
        bindings.append(Binding(field_name, param.name, param.kind is param.POSITIONAL_ONLY, always_pass))
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


def _find_unsupported(fields: dict[str, Any], bindings: list[Binding], config: ConfigDict) -> str | None:
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
        target = typing.cast(Any, target).__init__
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


def callable_name(fn: Any) -> str:
    target = fn
    while isinstance(target, functools.partial):
        target = target.func
    name = getattr(target, "__name__", None)
    return name if isinstance(name, str) else type(target).__name__


def check_name(name: str, of: str) -> None:
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise UsageError(
            f"tool name {name!r} (for {of}) must be 1-64 characters of a-z, A-Z, 0-9, '_' or '-'; pass name=..."
        )


def is_async(fn: Any) -> bool:
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004
    return not inspect.isfunction(fn) and call is not None and inspect.iscoroutinefunction(call)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
