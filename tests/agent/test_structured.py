"""Structured output: strict text.format schemas and parsing the answer back into the model."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Annotated, Any, Literal, NotRequired

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel
from typing_extensions import TypedDict

from routerkit.agent.structured import format_name, parse_output, response_format, strict_json_schema
from routerkit.errors import OutputValidationError, UsageError


class Unit(enum.Enum):
    C = "c"
    F = "f"


class Reading(BaseModel):
    """One measurement."""

    value: float
    unit: Unit = Unit.C
    note: str | None = None


class WeatherReport(BaseModel):
    city: str = Field(description="City name.")
    readings: list[Reading] = []
    summary: str | None = None
    confidence: Annotated[float, Field(ge=0, le=1)] = 0.5
    tags: list[str] = Field(default_factory=list)
    kind: Literal["forecast", "observation"] = "observation"
    primary: Reading = Field(description="The main reading.")


class TreeNode(BaseModel):
    label: str
    children: list[TreeNode] = []
    parent: TreeNode | None = None


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int = 1


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float = 1.0


class Owner(BaseModel):
    pet: Cat | Dog = Field(discriminator="pet_type")
    backup: Cat | Dog | None = None


@dataclasses.dataclass
class Size:
    width: int
    height: int = 1


class Extras(TypedDict):
    color: str
    shade: NotRequired[int]


class Mixed(BaseModel):
    size: Size
    extras: Extras
    code: int = Field(alias="Code", default=7)


class WithDict(BaseModel):
    counts: dict[str, int]


class Allowing(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: int


class Empty(BaseModel):
    pass


ALL_MODELS = [Reading, WeatherReport, TreeNode, Owner, Mixed, Empty]


def walk(node: Any):
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples"):
                yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_strict_schema_shape(model: type[BaseModel]):
    fmt = response_format(model)
    assert set(fmt) == {"type", "name", "schema", "strict"}
    assert fmt["type"] == "json_schema" and fmt["strict"] is True
    schema = fmt["schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and "$ref" not in schema
    for node in walk(schema):
        if node.get("type") == "object" or "properties" in node:
            assert node["additionalProperties"] is False
            assert node["required"] == list(node.get("properties", {}))
        assert "oneOf" not in node and "discriminator" not in node
        if "$ref" in node:
            assert set(node) == {"$ref"}, node  # no sibling keywords next to a reference


INSTANCES = [
    Reading(value=1.5),
    Reading(value=-3, unit=Unit.F, note="cold"),
    WeatherReport(city="Oslo", primary=Reading(value=2)),
    WeatherReport(
        city="Rome",
        readings=[Reading(value=20, note="noon"), Reading(value=14, unit=Unit.F)],
        summary="warm",
        confidence=1,
        tags=["a", "b"],
        kind="forecast",
        primary=Reading(value=20),
    ),
    TreeNode(label="root", children=[TreeNode(label="leaf", parent=TreeNode(label="p"))]),
    Owner(pet=Cat(pet_type="cat"), backup=Dog(pet_type="dog", barks=2.5)),
    Owner(pet=Dog(pet_type="dog")),
    Mixed(size=Size(width=2), extras={"color": "red", "shade": 3}, Code=9),
    Empty(),
]


@pytest.mark.parametrize("instance", INSTANCES, ids=lambda i: type(i).__name__)
def test_valid_instances_validate_against_strict_schema_and_round_trip(instance: BaseModel):
    model = type(instance)
    strict = response_format(model)["schema"]
    original = model.model_json_schema()
    dumped = instance.model_dump(mode="json", by_alias=True)
    jsonschema.Draft202012Validator(original).validate(dumped)
    jsonschema.Draft202012Validator(strict).validate(dumped)
    assert parse_output(model, json.dumps(dumped)) == instance


def test_strict_schema_rejects_what_the_model_rejects():
    validator = jsonschema.Draft202012Validator(response_format(WeatherReport)["schema"])
    base = WeatherReport(city="x", primary=Reading(value=1)).model_dump(mode="json")
    assert validator.is_valid(base)
    assert not validator.is_valid({**base, "confidence": 2})
    assert not validator.is_valid({**base, "kind": "guess"})
    assert not validator.is_valid({**base, "unexpected": 1})
    assert not validator.is_valid({k: v for k, v in base.items() if k != "city"})


def test_optional_fields_become_required_nullable_without_default():
    schema = response_format(Reading)["schema"]
    assert schema["required"] == ["value", "unit", "note"]
    unit = schema["properties"]["unit"]
    assert "default" not in unit
    assert unit["anyOf"] == [{"$ref": "#/$defs/Unit"}, {"type": "null"}]
    note = schema["properties"]["note"]
    assert note == {"anyOf": [{"type": "string"}, {"type": "null"}]}  # already nullable: not wrapped twice
    assert schema["description"] == "One measurement."


def test_ref_with_description_is_inlined():
    schema = response_format(WeatherReport)["schema"]
    primary = schema["properties"]["primary"]
    assert primary["description"] == "The main reading."
    assert primary["type"] == "object" and primary["additionalProperties"] is False
    assert schema["properties"]["city"] == {"type": "string", "description": "City name."}


def test_recursive_model_root_is_resolved():
    schema = response_format(TreeNode)["schema"]
    assert schema["type"] == "object" and "TreeNode" in schema["$defs"]
    assert schema["properties"]["children"]["anyOf"][0]["items"] == {"$ref": "#/$defs/TreeNode"}


def test_discriminated_union_becomes_any_of():
    schema = response_format(Owner)["schema"]
    pet = schema["properties"]["pet"]
    assert [b["$ref"] for b in pet["anyOf"]] == ["#/$defs/Cat", "#/$defs/Dog"]


@pytest.mark.parametrize(
    ("model", "name"),
    [(WeatherReport, "weather_report"), (Reading, "reading"), (TreeNode, "tree_node")],
)
def test_format_name(model: type[BaseModel], name: str):
    assert response_format(model)["name"] == name


def test_format_name_is_sanitized_and_bounded():
    long = type("A" * 100, (BaseModel,), {"__annotations__": {"x": int}})
    assert format_name(long) == "a" * 64
    generic = type("Page[int]", (), {})
    assert format_name(generic) == "page_int"
    assert format_name(type("HTTPResponse2", (), {})) == "http_response2"


def test_open_mappings_are_refused_in_strict_mode():
    with pytest.raises(UsageError, match=r"WithDict: the open mapping at #/properties/counts"):
        response_format(WithDict)
    with pytest.raises(UsageError, match=r"Allowing: the open mapping at #"):
        response_format(Allowing)
    relaxed = response_format(WithDict, strict=False)
    assert relaxed["strict"] is False
    assert relaxed["schema"]["properties"]["counts"]["additionalProperties"] == {"type": "integer"}
    assert parse_output(WithDict, '{"counts": {"a": 1}}') == WithDict(counts={"a": 1})


def test_non_object_root_is_refused():
    with pytest.raises(UsageError, match="must describe a JSON object at the root"):
        response_format(RootModel[list[int]])


@pytest.mark.parametrize("bad", [dict, int, "WeatherReport", WeatherReport(city="x", primary=Reading(value=1)), None])
def test_non_models_are_refused(bad: Any):
    with pytest.raises(UsageError, match="output_schema must be a pydantic BaseModel subclass, got"):
        response_format(bad)
    with pytest.raises(UsageError, match="output_schema must be a pydantic BaseModel subclass"):
        parse_output(bad, "{}")


def test_response_format_returns_a_copy():
    first = response_format(Reading)
    first["schema"]["properties"].clear()
    assert response_format(Reading)["schema"]["properties"]


def test_strict_json_schema_does_not_touch_data_keywords():
    schema = {
        "type": "object",
        "properties": {"mode": {"enum": [{"type": "object"}], "default": {"oneOf": 1}}},
        "required": ["mode"],
    }
    out = strict_json_schema(schema)
    assert out["properties"]["mode"] == {"enum": [{"type": "object"}], "default": {"oneOf": 1}}
    assert schema == {  # the input is not modified
        "type": "object",
        "properties": {"mode": {"enum": [{"type": "object"}], "default": {"oneOf": 1}}},
        "required": ["mode"],
    }


# -- parse_output ----------------------------------------------------------------------------------------


def test_parse_plain_whitespace_and_fenced():
    expected = Reading(value=1.5, unit=Unit.F)
    assert parse_output(Reading, '{"value": 1.5, "unit": "f", "note": null}') == expected
    assert parse_output(Reading, '\n  {"value": 1.5, "unit": "f"}  \n') == expected
    assert parse_output(Reading, '```json\n{"value": 1.5, "unit": "f"}\n```') == expected
    assert parse_output(Reading, '  ```\n{"value": 1.5,\n "unit": "f"}\n```\n') == expected
    assert parse_output(Reading, '```JSON\n{"value": 1.5, "unit": "f"}```') == expected


def test_nulls_for_optional_non_nullable_fields_take_the_default():
    text = json.dumps(
        {
            "city": "Oslo",
            "readings": None,
            "summary": None,
            "confidence": None,
            "tags": None,
            "kind": None,
            "primary": {"value": 1, "unit": None, "note": None},
        }
    )
    report = parse_output(WeatherReport, text)
    assert report == WeatherReport(city="Oslo", primary=Reading(value=1))
    assert report.summary is None and report.tags == [] and report.kind == "observation"


def test_nulls_dropped_through_lists_unions_recursion_dataclasses_typeddicts_aliases():
    tree = parse_output(
        TreeNode,
        '{"label": "r", "children": [{"label": "c", "children": null, "parent": null}], "parent": null}',
    )
    assert tree == TreeNode(label="r", children=[TreeNode(label="c")])
    owner = parse_output(
        Owner, '{"pet": {"pet_type": "dog", "barks": null}, "backup": {"pet_type": "cat", "meows": null}}'
    )
    assert owner == Owner(pet=Dog(pet_type="dog"), backup=Cat(pet_type="cat"))
    mixed = parse_output(
        Mixed, '{"size": {"width": 4, "height": null}, "extras": {"color": "b", "shade": null}, "Code": null}'
    )
    assert mixed == Mixed(size=Size(width=4), extras={"color": "b"})
    assert mixed.code == 7


def test_null_for_required_field_is_still_an_error():
    with pytest.raises(OutputValidationError, match=r"does not match Reading: value: Input should be a valid number"):
        parse_output(Reading, '{"value": null}')


@pytest.mark.parametrize("text", ["", "   ", "not json", '{"value": 1', "```json\n{\n```", "{'value': 1}"])
def test_invalid_json(text: str):
    with pytest.raises(OutputValidationError, match=r"^Structured output is not valid JSON: ") as info:
        parse_output(Reading, text)
    assert info.value.raw_text == text


def test_schema_mismatch():
    text = '{"value": "warm", "unit": "k", "extra": true}'
    with pytest.raises(OutputValidationError) as info:
        parse_output(Reading, text)
    message = str(info.value)
    assert message.startswith("Structured output does not match Reading: ")
    assert "value: Input should be a valid number" in message and "(got 'warm')" in message
    assert "unit: Input should be 'c' or 'f'" in message
    assert info.value.raw_text == text


def test_wrong_json_type_is_a_mismatch():
    with pytest.raises(OutputValidationError, match="does not match Reading"):
        parse_output(Reading, "[1, 2]")


def test_many_errors_are_capped():
    class Wide(BaseModel):
        a: int
        b: int
        c: int
        d: int
        e: int
        f: int
        g: int

    with pytest.raises(OutputValidationError, match=r"and 2 more errors$"):
        parse_output(Wide, "{}")
