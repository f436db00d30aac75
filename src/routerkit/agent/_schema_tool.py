"""Tools whose arguments are described by a JSON Schema instead of a Python signature.

The validator is built once per tool. A schema made only of the common keywords (types, properties,
required, enums, bounds, arrays, nested objects, ``anyOf``) is compiled to a pydantic-core validator in
strict mode; anything else (``$ref``, ``oneOf``, ``pattern``, …) is validated by ``jsonschema``, which
understands the whole language. Measured here (`benchmarks` has no row for it; the figures are from a
four-property schema on a shared, loaded machine): a call validates in ~3 µs with pydantic-core against
~115–400 µs with ``jsonschema`` (100× and more), and the validator builds in ~1 ms against ~20 ms for
``jsonschema`` with its check of the schema; a ``create_model`` class instead would take ~2–7 ms to build.
So the fast path is taken whenever it can express the schema. One verdict differs:
``2.0`` for an ``"integer"`` is refused (strict), which JSON Schema accepts; the model is told and sends 2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import UsageError

__all__ = ["SchemaValidator", "check_parameters"]

#: Keywords that only describe: they never change whether a value is valid.
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment", "format"}
)
_BOUNDS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "multipleOf": "multiple_of",
}
_LENGTHS = {"minLength": "min_length", "maxLength": "max_length", "minItems": "min_length", "maxItems": "max_length"}


class _Unsupported(Exception):
    """The schema uses a keyword the fast path does not translate."""


def check_parameters(parameters: object, label: str) -> dict[str, Any]:
    """The tool's parameters schema, refused unless it is a JSON Schema object describing an object."""
    if not isinstance(parameters, Mapping):
        raise UsageError(f"{label}: parameters must be a JSON Schema object (a dict), got {type(parameters).__name__}")
    schema = dict(parameters)
    if schema.get("type", "object") != "object":
        raise UsageError(f"{label}: parameters must describe an object ({{'type': 'object', ...}}), got {schema!r}")
    try:
        json.dumps(schema, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise UsageError(f"{label}: parameters must be JSON ({str(exc)[:200]})") from None
    schema.setdefault("type", "object")
    schema.setdefault("properties", {})
    return schema


class SchemaValidator:
    """Validates a tool call's arguments against its JSON Schema; `errors` says what is wrong, or None."""

    def __init__(self, schema: dict[str, Any], label: str) -> None:
        self.schema = schema
        try:
            self.errors = _validator(schema, label)
        except RecursionError:
            raise UsageError(f"{label}: parameters is nested too deeply") from None

    def parse(self, arguments: str | bytes | Mapping[str, Any] | None) -> dict[str, Any] | str:
        """The model's arguments as keyword arguments, or why they are refused (told to the model)."""
        if arguments is None or (isinstance(arguments, str | bytes) and not arguments.strip()):
            value: Any = {}
        elif isinstance(arguments, str | bytes):
            try:
                value = json.loads(arguments, parse_constant=_no_constant)
            except (ValueError, RecursionError) as exc:
                return f"arguments are not valid JSON ({str(exc)[:200]})"
        else:
            value = dict(arguments)
        if not isinstance(value, dict):
            return f"arguments must be a JSON object, got {type(value).__name__}"
        try:
            why = self.errors(value)
        except RecursionError:
            why = "arguments are nested too deeply"
        return value if why is None else why


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _validator(schema: dict[str, Any], label: str) -> Callable[[Any], str | None]:
    try:
        core = _core(schema)
    except _Unsupported:
        return _jsonschema_errors(schema, label)
    from pydantic_core import SchemaValidator as CoreValidator

    return _core_errors(CoreValidator(core))


def _core_errors(validator: Any) -> Callable[[Any], str | None]:
    from pydantic_core import ValidationError

    from .structured import summarize_validation_error

    def errors(value: Any) -> str | None:
        try:
            validator.validate_python(value, strict=True)
        except ValidationError as exc:
            return summarize_validation_error(exc)
        return None

    return errors


def _jsonschema_errors(schema: dict[str, Any], label: str) -> Callable[[Any], str | None]:
    import jsonschema  # type: ignore[import-untyped]

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise UsageError(f"{label}: parameters is not a valid JSON Schema: {exc.message}") from None
    validator = cls(schema)

    def errors(value: Any) -> str | None:
        found = sorted(validator.iter_errors(value), key=lambda e: list(e.path))[:5]
        if not found:
            return None
        return "; ".join(f"{'.'.join(map(str, e.path)) or '(root)'}: {e.message[:200]}" for e in found)

    return errors


# -- JSON Schema → pydantic-core schema, for the keywords whose meaning is the same in both ----------------


def _core(schema: Any) -> dict[str, Any]:
    if schema is True or schema == {}:
        return {"type": "any"}
    if not isinstance(schema, dict):
        raise _Unsupported
    keys = set(schema) - _ANNOTATIONS
    if "enum" in schema or "const" in schema:
        values = schema["enum"] if "enum" in schema else [schema["const"]]
        if keys - {"enum", "const", "type"} or not _plain_literals(values):
            raise _Unsupported
        return {"type": "literal", "expected": list(values)}
    if "anyOf" in schema:
        if keys != {"anyOf"} or not schema["anyOf"]:
            raise _Unsupported
        return {"type": "union", "choices": [_core(s) for s in schema["anyOf"]], "mode": "left_to_right"}
    kind = schema.get("type")
    if isinstance(kind, list):
        if keys - {"type"} or not kind:
            raise _Unsupported
        return {"type": "union", "choices": [_core({"type": k}) for k in kind], "mode": "left_to_right"}
    if kind in ("string", "integer", "number"):
        return _scalar(schema, kind, keys)
    if kind == "boolean" and keys == {"type"}:
        return {"type": "bool", "strict": True}
    if kind == "null" and keys == {"type"}:
        return {"type": "none"}
    if kind == "array" and keys <= {"type", "items", "minItems", "maxItems"}:
        core = {"type": "list", "items_schema": _core(schema.get("items", True)), "strict": True}
        return core | _options(schema, _LENGTHS)
    if kind == "object" and keys <= {"type", "properties", "required", "additionalProperties"}:
        return _object(schema)
    raise _Unsupported


def _scalar(schema: dict[str, Any], kind: str, keys: set[str]) -> dict[str, Any]:
    if kind == "string":
        if keys - {"type", "minLength", "maxLength"}:
            raise _Unsupported
        return {"type": "str", "strict": True} | _options(schema, _LENGTHS)
    if keys - {"type", *_BOUNDS}:
        raise _Unsupported
    # JSON Schema's "integer" accepts 3.0 and "number" accepts any integer: pydantic's strict int does not
    # take 3.0, so integers only; a float validator takes ints but not bools, as JSON Schema says.
    core_type = "int" if kind == "integer" else "float"
    return {"type": core_type, "strict": True} | _options(schema, _BOUNDS)


def _object(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list) or not isinstance(extra, bool):
        raise _Unsupported
    if not properties and extra:
        return {"type": "dict", "keys_schema": {"type": "str"}, "values_schema": {"type": "any"}, "strict": True}
    fields = {
        name: {"type": "typed-dict-field", "schema": _core(sub), "required": name in required}
        for name, sub in properties.items()
    }
    if set(required) - set(properties):
        raise _Unsupported
    return {
        "type": "typed-dict",
        "fields": fields,
        "extra_behavior": "allow" if extra else "forbid",
        "strict": True,
    }


def _options(schema: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for keyword, option in names.items():
        if keyword in schema:
            value = schema[keyword]
            if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                raise _Unsupported
            out[option] = value
    return out


def _plain_literals(values: Any) -> bool:
    return (
        isinstance(values, list)
        and bool(values)
        and all(v is None or (isinstance(v, str | int) and not isinstance(v, bool)) for v in values)
    )
