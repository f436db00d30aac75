"""Tools described by a JSON Schema (`FunctionTool.from_schema`): the model sees the schema as given, its
arguments are validated against it before the call, and a mismatch goes back to the model as an error."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from routerkit.agent import Agent
from routerkit.agent._schema_tool import SchemaValidator
from routerkit.agent.tools import FunctionTool
from routerkit.errors import UsageError

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 1, "description": "The city."},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
        "unit": {"enum": ["c", "f"]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        "note": {"type": ["string", "null"]},
        "where": {
            "type": "object",
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
            "additionalProperties": False,
        },
    },
    "required": ["city", "days"],
    "additionalProperties": False,
}


def test_agent_calls_a_kwargs_wrapper_with_schema_valid_arguments(emu, make_model):
    seen: list[dict[str, Any]] = []

    def forecast(**arguments: Any) -> str:
        seen.append(arguments)
        return f"sunny for {arguments['days']} days"

    tool = FunctionTool.from_schema(name="forecast", description="A forecast.", parameters=WEATHER, fn=forecast)
    out = Agent(model=make_model("emulator/tool"), tools=[tool]).run("forecast")
    sent = emu.requests[0].body["tools"][0]
    assert sent == {"type": "function", "name": "forecast", "description": "A forecast.", "parameters": WEATHER,
                    "strict": False}  # fmt: skip
    [arguments] = seen
    jsonschema.validate(arguments, WEATHER)
    assert out.tools[0].result == f"sunny for {arguments['days']} days"


async def test_async_function_and_arun(emu, make_model):
    async def lookup(**arguments: Any) -> dict[str, Any]:
        return {"found": arguments["q"]}

    tool = FunctionTool.from_schema(
        name="lookup", parameters={"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
        fn=lookup,
    )  # fmt: skip
    out = await Agent(model=make_model("emulator/tool"), tools=[tool]).arun("look it up")
    assert json.loads(out.tools[0].result)["found"] == out.tools[0].tool_args["q"]


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ('{"city": "Paris"}', "days: Field required"),
        ('{"city": "", "days": 2}', "city: String should have at least 1 character"),
        ('{"city": "Paris", "days": 0}', "days: Input should be greater than or equal to 1"),
        ('{"city": "Paris", "days": true}', "days: Input should be a valid integer"),
        ('{"city": "Paris", "days": 2, "unit": "k"}', "unit: Input should be 'c' or 'f'"),
        ('{"city": "Paris", "days": 2, "extra": 1}', "extra: Extra inputs are not permitted"),
        ('{"city": "Paris", "days": 2, "where": {"lat": 1}}', "where.lon: Field required"),
        ('{"city": "Paris", "days": NaN}', "arguments are not valid JSON (NaN is not JSON)"),
        ("[1, 2]", "arguments must be a JSON object, got list"),
        ("{oops", "arguments are not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "arguments"),
    ],
)
def test_invalid_arguments_go_back_to_the_model(arguments, why):
    called = []
    tool = FunctionTool.from_schema(name="forecast", parameters=WEATHER, fn=lambda **kw: called.append(kw))
    result = tool.call(arguments)
    assert result.is_error and result.output.startswith("Invalid arguments for tool forecast: ")
    assert why in result.output
    assert called == []


SAMPLES: list[Any] = [
    {"city": "P", "days": 1},
    {"city": "P", "days": 14, "unit": "f", "tags": ["a"], "note": None, "where": {"lat": 1, "lon": 2.5}},
    {"city": "P", "days": 15},
    {"city": "P", "days": "2"},
    {"city": 3, "days": 2},
    {"city": "P", "days": 2, "tags": ["a", "b", "c", "d"]},
    {"city": "P", "days": 2, "tags": [1]},
    {"city": "P", "days": 2, "note": 5},
    {"city": "P", "days": 2, "where": {"lat": "1", "lon": 2}},
    {"city": "P", "days": 2, "where": {"lat": 1, "lon": 2, "alt": 3}},
    {"city": "P", "days": 2, "where": {"lat": True, "lon": 2}},
    {"days": 2},
]


@pytest.mark.parametrize("value", SAMPLES)
def test_the_fast_validator_agrees_with_jsonschema(value):
    fast = SchemaValidator(WEATHER, "t")
    assert fast.errors.__qualname__.startswith("_core_errors")  # this schema takes the pydantic-core path
    assert (fast.errors(value) is None) == jsonschema.Draft202012Validator(WEATHER).is_valid(value)


def test_schemas_pydantic_core_cannot_express_are_validated_by_jsonschema():
    schema = {
        "type": "object",
        "$defs": {"Code": {"type": "string", "pattern": "^[A-Z]{3}$"}},
        "properties": {"code": {"$ref": "#/$defs/Code"}, "n": {"oneOf": [{"type": "integer"}, {"type": "null"}]}},
        "required": ["code"],
    }
    tool = FunctionTool.from_schema(name="airport", parameters=schema, fn=lambda **kw: kw["code"])
    assert tool.call('{"code": "CDG", "n": null}').output == "CDG"
    bad = tool.call('{"code": "cdg"}')
    assert bad.is_error and "code: 'cdg' does not match '^[A-Z]{3}$'" in bad.output


def _nested(depth: int) -> dict[str, Any]:
    """An object schema nested `depth` levels deep (a hostile server's)."""
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parameters": ["x"]}, "parameters must be a JSON Schema object"),
        ({"parameters": {"type": "string"}}, "parameters must describe an object"),
        ({"parameters": {"type": "object", "properties": {"a": {"type": "nope"}}}}, "not a valid JSON Schema"),
        ({"parameters": {"type": "object", "default": float("nan")}}, "parameters must be JSON"),
        ({"parameters": _nested(5000)}, "parameters must be JSON"),
        ({"parameters": _nested(400)}, "nested too deeply"),
        ({"name": "no spaces"}, "no spaces"),
        ({"fn": "not callable"}, "fn must be a callable"),
        ({"description": 3}, "description must be a string"),
    ],
)
def test_bad_definitions_are_usage_errors(kwargs, message):
    given = {"name": "t", "parameters": {"type": "object"}, "fn": lambda **kw: None} | kwargs
    with pytest.raises(UsageError, match=message):
        FunctionTool.from_schema(**given)
