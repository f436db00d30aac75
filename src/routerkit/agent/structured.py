"""Structured output: a pydantic model class becomes a strict ``text.format`` and parses the answer back.

```python
fmt = response_format(WeatherReport)          # {"type": "json_schema", "name": "weather_report", …}
report = parse_output(WeatherReport, answer)  # a WeatherReport, or OutputValidationError
```

Strict mode (OpenAI structured outputs, which OpenRouter passes through) accepts a subset of JSON Schema:
every object must be closed (``additionalProperties: false``) and list *all* of its properties in
``required``. :func:`strict_json_schema` rewrites pydantic's schema to that shape without changing which
instances of the model are accepted:

* a property that was optional becomes required but nullable, and loses its ``default``; when the model
  then answers ``null`` for a field that does not itself accept ``None``, :func:`parse_output` drops the
  key so the pydantic default applies — the exact inverse of the rewrite;
* ``oneOf`` becomes ``anyOf`` (pydantic emits ``oneOf`` for discriminated unions; strict mode knows only
  ``anyOf``) and the OpenAPI ``discriminator`` keyword is removed;
* a ``$ref`` with sibling keywords (pydantic puts a field's ``description`` next to the ``$ref``) is
  replaced by the referenced definition with the siblings merged in, and a root ``$ref`` (recursive
  models) is resolved, so the root is an object schema;
* an open mapping (``dict[str, X]``, ``extra="allow"``) cannot be expressed strictly — closing it would
  reject valid instances — so it is refused with :class:`~routerkit.errors.UsageError`; use a list of
  key/value models, or ``response_format(model, strict=False)``.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any, TypeVar

import pydantic_core
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema

from routerkit.errors import OutputValidationError, UsageError

__all__ = ["parse_output", "response_format", "strict_json_schema"]

M = TypeVar("M", bound=BaseModel)

_NAME_MAX = 64
# Keywords whose value is a schema, a list of schemas, or a name → schema mapping. Everything else
# (enum, const, default, examples, …) is data and is never rewritten.
_SCHEMA_KEYS = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_SCHEMA_LIST_KEYS = frozenset({"anyOf", "allOf", "oneOf", "prefixItems"})
_SCHEMA_MAP_KEYS = frozenset({"properties", "$defs", "definitions", "patternProperties", "dependentSchemas"})
# Keywords that only annotate a schema; they move outside when a schema is wrapped to become nullable.
_ANNOTATION_KEYS = ("title", "description", "examples", "deprecated", "readOnly", "writeOnly")


class CleanJsonSchema(GenerateJsonSchema):
    """pydantic's schema generator without the ``title`` it derives from every field name (pure noise
    for a model); class titles in ``$defs`` are kept."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def response_format(model_cls: type[BaseModel], *, strict: bool = True) -> dict[str, Any]:
    """The Responses ``text.format`` object asking for JSON that matches `model_cls`.

    With ``strict=True`` (default) the schema is rewritten for strict mode (see the module docstring) and
    ``"strict": true`` is sent; ``strict=False`` sends pydantic's schema as is, for models with open
    mappings that strict mode cannot express.
    """
    _require_model(model_cls)
    original, strict_schema = _schemas(model_cls, strict)
    return {
        "type": "json_schema",
        "name": format_name(model_cls),
        "schema": copy.deepcopy(strict_schema if strict else original),
        "strict": strict,
    }


def format_name(model_cls: type) -> str:
    """``WeatherReport`` → ``weather_report``: snake case, only ``[a-zA-Z0-9_-]``, at most 64 characters."""
    raw = getattr(model_cls, "__name__", "") or "output"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", raw).lower()
    name = re.sub(r"[^a-zA-Z0-9_-]+", "_", snake).strip("_")
    return name[:_NAME_MAX] or "output"


def parse_output(model_cls: type[M], text: str) -> M:
    """Validate the model's answer `text` as an instance of `model_cls`.

    Surrounding whitespace and a Markdown code fence (```` ```json … ``` ````) are tolerated. Raises
    :class:`~routerkit.errors.OutputValidationError` (with ``raw_text``) when the text is not JSON or does
    not match the model.
    """
    _require_model(model_cls)
    body = _unfence(text)
    if not body:
        raise OutputValidationError(
            f"Structured output is not valid JSON: the answer is empty (expected a {model_cls.__name__} object)",
            raw_text=text,
        )
    try:
        data = pydantic_core.from_json(body)
    except ValueError as exc:
        raise OutputValidationError(f"Structured output is not valid JSON: {exc}", raw_text=text) from exc
    original, _ = _schemas(model_cls, False)
    data = _drop_injected_nulls(data, original, original, frozenset())
    try:
        return model_cls.model_validate_json(pydantic_core.to_json(data))
    except ValidationError as exc:
        raise OutputValidationError(
            f"Structured output does not match {model_cls.__name__}: {summarize_validation_error(exc)}",
            raw_text=text,
        ) from exc


def summarize_validation_error(exc: ValidationError, *, limit: int = 5) -> str:
    """A one-line, model-readable summary of a pydantic error: ``loc: msg (got …)``, at most `limit`."""
    parts = []
    for err in exc.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        part = f"{loc}: {err['msg']}"
        if err["type"] not in ("missing", "extra_forbidden") and "input" in err:
            shown = repr(err["input"])
            part += f" (got {shown if len(shown) <= 60 else shown[:57] + '...'})"
        parts.append(part)
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more error{'s' if more > 1 else ''}")
    return "; ".join(parts)


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` rewritten for strict structured outputs (see the module docstring).

    Raises :class:`~routerkit.errors.UsageError` for open mappings, which strict mode cannot express.
    """
    out = _strictify(schema, "#")
    root_ref = out.get("$ref")
    if isinstance(root_ref, str):
        defs = out.pop("$defs", {})
        siblings = {k: v for k, v in out.items() if k != "$ref"}
        resolved = {**copy.deepcopy(_lookup(root_ref, {"$defs": defs})), **siblings}
        out = {**resolved, "$defs": defs} if defs else resolved
    inlined: dict[str, Any] = _inline_sibling_refs(out, out, frozenset())
    return inlined


# -- internals -------------------------------------------------------------------------------------------


def _require_model(model_cls: Any) -> None:
    if not (isinstance(model_cls, type) and issubclass(model_cls, BaseModel)):
        shown = model_cls.__name__ if isinstance(model_cls, type) else f"{type(model_cls).__name__} {model_cls!r}"
        raise UsageError(f"output_schema must be a pydantic BaseModel subclass, got {shown}")


@functools.lru_cache(maxsize=256)
def _schemas(model_cls: type[BaseModel], strict: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    original = model_cls.model_json_schema(schema_generator=CleanJsonSchema)
    if not strict:
        return original, original
    try:
        strict_schema = strict_json_schema(original)
    except UsageError as exc:
        raise UsageError(f"output_schema {model_cls.__name__}: {exc}") from None
    if strict_schema.get("type") != "object":
        raise UsageError(
            f"output_schema {model_cls.__name__} must describe a JSON object at the root, "
            f"got type {strict_schema.get('type')!r}"
        )
    return original, strict_schema


def _strictify(node: Any, path: str) -> Any:
    if isinstance(node, list):
        return [_strictify(item, f"{path}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "discriminator":
            continue
        new_key = "anyOf" if key == "oneOf" else key
        if key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
            out[new_key] = {name: _strictify(sub, f"{path}/{key}/{name}") for name, sub in value.items()}
        elif key in _SCHEMA_KEYS or key in _SCHEMA_LIST_KEYS:
            out[new_key] = _strictify(value, f"{path}/{key}")
        else:
            out[new_key] = value
    if out.get("type") == "object" or "properties" in out:
        _close_object(out, path)
    return out


def _close_object(obj: dict[str, Any], path: str) -> None:
    extra = obj.get("additionalProperties")
    props: dict[str, Any] = obj.get("properties", {})
    if extra is not False and (extra is not None or "properties" not in obj or "patternProperties" in obj):
        raise UsageError(
            f"the open mapping at {path} (a dict or extra='allow') cannot be expressed in strict mode; "
            "use a list of key/value models or response_format(..., strict=False)"
        )
    obj["additionalProperties"] = False
    required = set(obj.get("required", ()))
    for name, prop in list(props.items()):
        if name not in required:
            props[name] = _nullable(prop)
    obj["required"] = list(props)


def _nullable(prop: Any) -> Any:
    if not isinstance(prop, dict):
        return prop
    prop = {k: v for k, v in prop.items() if k != "default"}
    if _accepts_null(prop, None):
        return prop
    notes = {k: prop[k] for k in _ANNOTATION_KEYS if k in prop}
    inner = {k: v for k, v in prop.items() if k not in notes}
    return {"anyOf": [inner, {"type": "null"}], **notes}


def _accepts_null(schema: Any, root: dict[str, Any] | None, seen: frozenset[str] = frozenset()) -> bool:
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "const" in schema:
        return schema["const"] is None
    if "enum" in schema and None in schema["enum"]:
        return True
    if any(_accepts_null(s, root, seen) for s in schema.get("anyOf", []) + schema.get("oneOf", [])):
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str) and root is not None and ref not in seen:
        return _accepts_null(_lookup(ref, root), root, seen | {ref})
    return False


def _lookup(ref: str, root: dict[str, Any]) -> Any:
    if not ref.startswith("#"):
        raise UsageError(f"only local $ref are supported, got {ref!r}")
    node: Any = root
    for part in ref[1:].split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _inline_sibling_refs(node: Any, root: dict[str, Any], inlining: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_inline_sibling_refs(item, root, inlining) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if ref in inlining:  # a recursive definition: keep the plain reference, drop the annotations
            return {"$ref": ref}
        target = _lookup(ref, root)
        return _inline_sibling_refs({**copy.deepcopy(target), **siblings}, root, inlining | {ref})
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
            out[key] = {name: _inline_sibling_refs(sub, root, inlining) for name, sub in value.items()}
        elif key in _SCHEMA_KEYS or key in _SCHEMA_LIST_KEYS:
            out[key] = _inline_sibling_refs(value, root, inlining)
        else:
            out[key] = value
    return out


def _drop_injected_nulls(data: Any, schema: Any, root: dict[str, Any], seen: frozenset[str]) -> Any:
    """Undo the nullable rewrite: walk `data` along the *original* schema and remove ``null`` values of
    optional properties that do not accept null, so the model's defaults apply."""
    if not isinstance(schema, dict):
        return data
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:  # references that loop without descending into the data
            return data
        try:
            target = _lookup(ref, root)
        except (KeyError, TypeError, UsageError):
            return data
        data = _drop_injected_nulls(data, target, root, seen | {ref})
    if isinstance(data, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            required = set(schema.get("required", ()))
            for key in list(data):
                sub = props.get(key)
                if sub is None:
                    continue
                if data[key] is None and key not in required and not _accepts_null(sub, root):
                    del data[key]
                else:
                    data[key] = _drop_injected_nulls(data[key], sub, root, frozenset())
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in data:
                if not (isinstance(props, dict) and key in props):
                    data[key] = _drop_injected_nulls(data[key], extra, root, frozenset())
    elif isinstance(data, list):
        items = schema.get("items")
        if isinstance(items, dict):
            data = [_drop_injected_nulls(item, items, root, frozenset()) for item in data]
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            branch = _pick_branch(data, branches, root)
            if branch is not None:
                data = _drop_injected_nulls(data, branch, root, seen)
    return data


def _pick_branch(data: Any, branches: list[Any], root: dict[str, Any]) -> Any:
    """The single union branch that `data` plausibly belongs to, or None when ambiguous."""
    if not isinstance(data, (dict, list)):
        return None
    wanted = "object" if isinstance(data, dict) else "array"
    candidates = []
    for branch in branches:
        resolved = branch
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            try:
                resolved = _lookup(branch["$ref"], root)
            except (KeyError, TypeError, UsageError):
                continue
        if isinstance(resolved, dict) and (
            resolved.get("type") == wanted or (wanted == "object" and "properties" in resolved)
        ):
            candidates.append((branch, resolved))
    if len(candidates) == 1:
        return candidates[0][0]
    if wanted == "object":  # several object branches: the one whose properties cover every key
        covering = [b for b, r in candidates if set(data) <= set(r.get("properties", {}))]
        if len(covering) == 1:
            return covering[0]
    return None


_FENCE = re.compile(r"\A```[ \t]*(?:[A-Za-z0-9_+-]*)[ \t]*\n(.*?)\n?[ \t]*```\Z", re.DOTALL)


def _unfence(text: str) -> str:
    body = text.strip()
    match = _FENCE.match(body)
    if match:
        body = match.group(1).strip()
    return body
