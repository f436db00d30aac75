"""The strict-mode rewrite of a JSON Schema, for structured outputs.

Strict mode (OpenAI structured outputs, which OpenRouter passes through) accepts a subset of JSON Schema:
every object must be closed (``additionalProperties: false``) and list *all* of its properties in
``required``. :func:`strict_json_schema` rewrites pydantic's schema to that shape without changing which
instances of the model are accepted:

* a property that was optional becomes required but nullable, and loses its ``default`` (``structured``
  undoes this when it parses an answer);
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
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from ..errors import UsageError

__all__ = ["CleanJsonSchema", "accepts_null", "lookup", "strict_json_schema"]

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


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` rewritten for strict structured outputs (see the module docstring).

    Raises :class:`~routerkit.errors.UsageError` for open mappings, which strict mode cannot express.
    """
    out = _strictify(schema, "#")
    root_ref = out.get("$ref")
    if isinstance(root_ref, str):
        defs = out.pop("$defs", {})
        siblings = {k: v for k, v in out.items() if k != "$ref"}
        resolved = {**copy.deepcopy(lookup(root_ref, {"$defs": defs})), **siblings}
        out = {**resolved, "$defs": defs} if defs else resolved
    inlined: dict[str, Any] = _inline_sibling_refs(out, out, frozenset())
    return inlined


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
    if accepts_null(prop, None):
        return prop
    notes = {k: prop[k] for k in _ANNOTATION_KEYS if k in prop}
    inner = {k: v for k, v in prop.items() if k not in notes}
    return {"anyOf": [inner, {"type": "null"}], **notes}


def accepts_null(schema: Any, root: dict[str, Any] | None, seen: frozenset[str] = frozenset()) -> bool:
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
    if any(accepts_null(s, root, seen) for s in schema.get("anyOf", []) + schema.get("oneOf", [])):
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str) and root is not None and ref not in seen:
        return accepts_null(lookup(ref, root), root, seen | {ref})
    return False


def lookup(ref: str, root: dict[str, Any]) -> Any:
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
        target = lookup(ref, root)
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
