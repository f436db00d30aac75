"""Function tools: schemas from signatures, docstring descriptions, refusals, and calling."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import functools
import json
import threading
from typing import Annotated, Any, Literal, NotRequired, Optional

import jsonschema
import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from routerkit.agent._docstrings import parse_docstring
from routerkit.agent.tools import FunctionTool, ToolResult, function_tool
from routerkit.errors import UsageError

# Module-level types: the annotations of the functions below are strings (`from __future__ import
# annotations`) and resolve against this module's globals.


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Point(BaseModel):
    x: float
    y: float


@dataclasses.dataclass
class Box:
    width: int
    height: int = 1


class Filters(TypedDict):
    tag: str
    limit: NotRequired[int]


def check_schema(tool: FunctionTool) -> dict[str, Any]:
    schema = tool.parameters
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    return schema


# -- schemas ---------------------------------------------------------------------------------------------


def test_scalar_params_defaults_not_required_and_no_titles():
    def search(query: str, limit: int = 10, exact: bool = False, ratio: float = 0.5) -> str:
        """Search."""
        return query

    tool = function_tool(search)
    schema = check_schema(tool)
    assert schema["required"] == ["query"]
    assert schema["properties"] == {
        "query": {"type": "string"},
        "limit": {"type": "integer", "default": 10},
        "exact": {"type": "boolean", "default": False},
        "ratio": {"type": "number", "default": 0.5},
    }
    assert "title" not in schema
    assert schema["additionalProperties"] is False
    assert tool.name == "search" and tool.description == "Search." and tool.is_async is False


def test_optional_literal_enum_list_dict():
    def f(
        a: Optional[int],  # noqa: UP045 - the typing spelling on purpose
        b: Literal["x", "y"],
        c: Color,
        d: list[str],
        e: dict[str, int],
        g: int | None = None,
    ) -> None:
        pass

    schema = check_schema(function_tool(f))
    props = schema["properties"]
    assert schema["required"] == ["a", "b", "c", "d", "e"]
    assert props["a"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert props["b"] == {"enum": ["x", "y"], "type": "string"}
    assert props["c"] == {"$ref": "#/$defs/Color"}
    assert schema["$defs"]["Color"]["enum"] == ["red", "green"]
    assert props["d"] == {"type": "array", "items": {"type": "string"}}
    assert props["e"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert props["g"]["default"] is None
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"a": None, "b": "x", "c": "red", "d": ["q"], "e": {"k": 1}})
    assert not validator.is_valid({"a": 1, "b": "z", "c": "red", "d": [], "e": {}})


def test_nested_model_dataclass_typeddict_and_annotated_field():
    def place(
        where: Point,
        box: Box,
        filters: Filters,
        count: Annotated[int, Field(ge=1, description="How many.")] = 1,
    ) -> str:
        """Place boxes."""
        return ""

    schema = check_schema(function_tool(place))
    defs = schema["$defs"]
    assert set(defs) == {"Point", "Box", "Filters"}
    assert defs["Point"]["required"] == ["x", "y"]
    assert defs["Box"]["required"] == ["width"]
    assert defs["Filters"]["required"] == ["tag"]
    assert schema["properties"]["count"] == {
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": "How many.",
    }
    validator = jsonschema.Draft202012Validator(schema)
    good = {"where": {"x": 1, "y": 2.5}, "box": {"width": 3}, "filters": {"tag": "a"}, "count": 2}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "count": 0})


def test_no_parameters_gives_empty_object_schema():
    def now() -> str:
        return "12:00"

    tool = function_tool(now)
    assert check_schema(tool)["properties"] == {}
    assert tool.call("").output == "12:00"
    assert tool.call("{}").output == "12:00"


def test_to_wire_is_flat_responses_function_tool():
    def get_weather(city: str) -> str:
        """Current weather.

        Args:
            city: City name.
        """
        return "sunny"

    wire = function_tool(get_weather).to_wire()
    assert wire == {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name."}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": False,
    }
    wire["parameters"]["properties"].clear()  # a copy: the tool is not affected
    assert function_tool(get_weather).parameters["properties"]


def test_awkward_parameter_names_are_kept():
    def f(json: str, model_config: int, _hidden: bool = False) -> list[Any]:
        return [json, model_config, _hidden]

    tool = function_tool(f)
    assert set(check_schema(tool)["properties"]) == {"json", "model_config", "_hidden"}
    result = tool.call('{"json": "j", "model_config": 2, "_hidden": true}')
    assert result.value == ["j", 2, True]


def test_name_and_description_overrides_and_decorator_forms():
    @function_tool
    def plain(x: int) -> int:
        """Double."""
        return 2 * x

    @function_tool(name="renamed", description="Custom.")
    def other(x: int) -> int:
        return x

    assert isinstance(plain, FunctionTool) and plain(4) == 8  # still callable directly
    assert (other.name, other.description) == ("renamed", "Custom.")
    assert function_tool(plain) is plain
    again = function_tool(plain, name="plain2")
    assert again.name == "plain2" and again.description == "Double." and again.call('{"x": 1}').value == 2


def test_lambda_partial_method_and_callable_object():
    def power(base: int, exp: int) -> int:
        return base**exp

    square = function_tool(functools.partial(power, exp=2), name="square")
    assert square.call('{"base": 3}').value == 9

    class Counter:
        def __init__(self) -> None:
            self.n = 0

        def add(self, k: int) -> int:
            """Add k."""
            self.n += k
            return self.n

        def __call__(self, label: str) -> str:
            return label.upper()

    counter = Counter()
    add = function_tool(counter.add)
    assert add.name == "add" and list(add.parameters["properties"]) == ["k"]
    assert add.call('{"k": 5}').value == 5 and counter.n == 5
    obj_tool = function_tool(counter)
    assert obj_tool.name == "Counter" and obj_tool.call('{"label": "hi"}').output == "HI"


def test_direct_construction_derives_validator_from_function():
    def f(a: int) -> int:
        return a + 1

    tool = FunctionTool(name="f", description="", parameters={"type": "object"}, function=f)
    assert tool.call('{"a": "41"}').value == 42
    assert "description" not in tool.to_wire()


# -- docstrings ------------------------------------------------------------------------------------------


def test_google_docstring():
    def f(city: str, days: int = 1) -> str:
        """Forecast for a city.

        Uses the national service.

        Args:
            city (str): The city
                name, in English.
            days: Number of days.

        Returns:
            The forecast.

        Raises:
            ValueError: never.
        """
        return city

    tool = function_tool(f)
    assert tool.description == "Forecast for a city.\n\nUses the national service."
    props = tool.parameters["properties"]
    assert props["city"]["description"] == "The city name, in English."
    assert props["days"]["description"] == "Number of days."


def test_numpy_docstring():
    def f(query: str, limit: int = 5, offset: int = 0) -> str:
        """Search the index.

        Parameters
        ----------
        query : str
            What to look
            for.
        limit, offset : int, optional
            Paging window.

        Returns
        -------
        str
            Matches.
        """
        return query

    tool = function_tool(f)
    assert tool.description == "Search the index."
    props = tool.parameters["properties"]
    assert props["query"]["description"] == "What to look for."
    assert props["limit"]["description"] == props["offset"]["description"] == "Paging window."


def test_rest_docstring():
    def f(path: str, mode: str = "r") -> str:
        """Read a file.

        :param path: Where the file
            lives.
        :param str mode: Open mode.
        :type mode: str
        :returns: The contents.
        :raises OSError: when missing.
        """
        return path

    tool = function_tool(f)
    assert tool.description == "Read a file."
    props = tool.parameters["properties"]
    assert props["path"]["description"] == "Where the file lives."
    assert props["mode"]["description"] == "Open mode."


def test_field_description_wins_over_docstring_and_no_docstring_is_fine():
    def f(a: Annotated[int, Field(description="From Field.")], b: int) -> int:
        """Sum.

        Args:
            a: From docstring.
        """
        return a + b

    props = function_tool(f).parameters["properties"]
    assert props["a"]["description"] == "From Field."
    assert "description" not in props["b"]

    def g(a: int) -> int:
        return a

    assert function_tool(g).description == ""


def test_parse_docstring_prose_only_and_unknown_params_ignored():
    assert parse_docstring("Just a line.").params == {}
    doc = parse_docstring("Do it.\n\nArgs:\n    ghost: not a parameter.\n")
    assert doc.description == "Do it." and doc.params == {"ghost": "not a parameter."}

    def f(x: int) -> int:
        """Do it.

        Args:
            ghost: not a parameter.
        """
        return x

    assert "description" not in function_tool(f).parameters["properties"]["x"]


# -- refusals --------------------------------------------------------------------------------------------


def test_refuses_var_args_and_kwargs_naming_parameter():
    def f(a: int, *rest: int) -> None:
        pass

    def g(a: int, **options: Any) -> None:
        pass

    with pytest.raises(UsageError, match=r"tool 'f'.*\*rest"):
        function_tool(f)
    with pytest.raises(UsageError, match=r"tool 'g'.*\*\*options"):
        function_tool(g)


def test_refuses_unannotated_parameter():
    def f(a: int, b):  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(UsageError, match=r"tool 'f': parameter 'b' has no type hint"):
        function_tool(f)
    with pytest.raises(UsageError, match=r"parameter 'x' has no type hint"):
        function_tool(lambda x: x, name="ident")


def test_any_annotation_is_accepted():
    def f(blob: Any) -> Any:
        return blob

    tool = function_tool(f)
    assert tool.parameters["properties"]["blob"] == {}
    assert tool.call('{"blob": [1, {"a": null}]}').value == [1, {"a": None}]


def test_refuses_unsupported_type_naming_parameter():
    class Opaque:
        pass

    def f(ok: int, conn: Opaque) -> None:
        pass

    f.__annotations__["conn"] = Opaque  # a local class: give the resolved type directly
    with pytest.raises(UsageError, match=r"tool 'f': parameter 'conn' has a type that cannot be used"):
        function_tool(f)


def test_refuses_typing_typeddict_on_old_python_or_accepts_it():
    import sys
    import typing

    class TD(typing.TypedDict):
        a: int

    def f(td: TD) -> None:
        pass

    f.__annotations__["td"] = TD
    if sys.version_info < (3, 12):
        with pytest.raises(UsageError, match="parameter 'td'"):
            function_tool(f)
    else:
        assert function_tool(f).parameters["properties"]["td"]


def test_refuses_non_callables_and_bad_names():
    with pytest.raises(UsageError, match="expects a callable or a FunctionTool, got int"):
        function_tool(42)  # type: ignore[arg-type]

    def f(a: int) -> None:
        pass

    with pytest.raises(UsageError, match="tool name 'has space'"):
        function_tool(f, name="has space")
    with pytest.raises(UsageError, match="tool name"):
        function_tool(f, name="x" * 65)
    with pytest.raises(UsageError, match=r"tool name '<lambda>'"):
        function_tool(lambda a: a)


def test_unresolvable_forward_reference():
    def f(a: DoesNotExist) -> None:  # type: ignore[name-defined]  # noqa: F821
        pass

    with pytest.raises(UsageError, match=r"tool 'f': cannot resolve the type hints: NameError"):
        function_tool(f)


# -- calling ---------------------------------------------------------------------------------------------


def add(a: int, b: int = 2) -> int:
    """Add two numbers."""
    return a + b


def test_call_good_arguments_and_lax_coercion():
    tool = function_tool(add)
    assert tool.call('{"a": 1, "b": 5}') == ToolResult(output="6", is_error=False, value=6)
    assert tool.call('{"a": "40"}').value == 42
    assert tool.call({"a": 1}).value == 3  # an already-decoded mapping is accepted too


def test_defaults_not_given_are_left_to_the_function():
    seen: list[Any] = []

    def f(items: list[int] = [], tag: str | None = None) -> str:  # noqa: B006
        seen.append(items)
        return "ok"

    tool = function_tool(f)
    tool.call("{}")
    assert seen[0] is f.__defaults__[0]  # the function's own default object, not a pydantic copy


def test_positional_only_parameters():
    def f(a: int, b: int = 10, /, c: int = 100) -> int:
        return a + b + c

    tool = function_tool(f)
    assert tool.call('{"a": 1}').value == 111
    assert tool.call('{"a": 1, "b": 2, "c": 3}').value == 6


def test_invalid_json_arguments():
    result = function_tool(add).call('{"a": 1,')
    assert result.is_error and result.value is None
    assert result.output.startswith("Invalid arguments for tool add: arguments are not valid JSON (")


def test_non_object_arguments():
    result = function_tool(add).call("[1, 2]")
    assert result.is_error
    assert result.output == "Invalid arguments for tool add: arguments must be a JSON object, got list"


def test_validation_errors_are_summarized():
    result = function_tool(add).call('{"b": "many", "c": 1}')
    assert result.is_error
    assert result.output.startswith("Invalid arguments for tool add: ")
    assert "a: Field required" in result.output
    assert "b: Input should be a valid integer" in result.output and "(got 'many')" in result.output
    assert "c: Extra inputs are not permitted" in result.output


def test_nested_validation_error_location():
    def f(where: Point) -> str:
        return ""

    result = function_tool(f).call('{"where": {"x": 1, "y": "up"}}')
    assert result.is_error and "where.y: Input should be a valid number" in result.output


def test_nested_values_arrive_as_python_objects():
    def f(where: Point, box: Box, color: Color, filters: Filters) -> dict[str, Any]:
        return {"where": where, "box": box, "color": color, "filters": filters}

    result = function_tool(f).call(
        '{"where": {"x": 1, "y": 2}, "box": {"width": 3}, "color": "green", "filters": {"tag": "t"}}'
    )
    assert not result.is_error
    assert result.value["where"] == Point(x=1, y=2)
    assert result.value["box"] == Box(width=3)
    assert result.value["color"] is Color.GREEN
    assert json.loads(result.output) == {
        "where": {"x": 1.0, "y": 2.0},
        "box": {"width": 3, "height": 1},
        "color": "green",
        "filters": {"tag": "t"},
    }


def test_raising_tool_becomes_error_result():
    def boom(a: int) -> int:
        raise ValueError(f"bad value {a}")

    result = function_tool(boom).call('{"a": 3}')
    assert result.is_error and result.output == "Error: ValueError: bad value 3"
    assert isinstance(result.value, ValueError)

    def quiet() -> None:
        raise KeyError

    assert function_tool(quiet).call("").output == "Error: KeyError"


def test_base_exceptions_propagate():
    def stop() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        function_tool(stop).call("{}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        ("", ""),
        (None, "null"),
        (3, "3"),
        (2.5, "2.5"),
        (True, "true"),
        ({"a": [1, None]}, '{"a":[1,null]}'),
        ([Point(x=1, y=2)], '[{"x":1.0,"y":2.0}]'),
        (Point(x=0, y=0), '{"x":0.0,"y":0.0}'),
        (Color.RED, '"red"'),
        (object, str(object)),
    ],
)
def test_return_value_serialization(value: Any, expected: str):
    def f() -> Any:
        return value

    result = function_tool(f).call("")
    assert result == ToolResult(output=expected, is_error=False, value=value)


def test_container_with_unserializable_part():
    def f() -> dict[str, Any]:
        return {"kind": object, "n": 1}

    assert json.loads(function_tool(f).call("").output) == {"kind": str(object), "n": 1}


def test_partial_bound_keywords_are_hidden_from_the_model():
    class Connection:
        def lookup(self, key: str) -> str:
            return key * 2

    def query(key: str, conn: Connection) -> str:
        return conn.lookup(key)

    query.__annotations__["conn"] = Connection
    tool = function_tool(functools.partial(query, conn=Connection()), name="query")
    assert list(tool.parameters["properties"]) == ["key"]
    assert tool.call('{"key": "ab"}').output == "abab"
    assert "conn: Extra inputs" in tool.call('{"key": "a", "conn": 1}').output


def test_unserializable_value_falls_back_to_str():
    def f() -> bytes:
        return b"\xff\xfe"

    assert function_tool(f).call("").output == str(b"\xff\xfe")


async def test_acall_async_tool():
    async def fetch(url: str, retries: int = 1) -> dict[str, Any]:
        """Fetch a URL."""
        await asyncio.sleep(0)
        return {"url": url, "retries": retries}

    tool = function_tool(fetch)
    assert tool.is_async
    result = await tool.acall('{"url": "https://x"}')
    assert result == ToolResult(output='{"url":"https://x","retries":1}', value={"url": "https://x", "retries": 1})
    bad = await tool.acall('{"url": 1}')
    assert bad.is_error and "url: Input should be a valid string" in bad.output


async def test_acall_async_raising_tool():
    async def boom() -> None:
        raise RuntimeError("nope")

    result = await function_tool(boom).acall("")
    assert result.is_error and result.output == "Error: RuntimeError: nope"


async def test_acall_sync_tools_run_concurrently_in_threads():
    barrier = threading.Barrier(2, timeout=5)
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def wait(tag: str) -> str:
        threads.append(threading.get_ident())
        barrier.wait()  # raises BrokenBarrierError unless both calls are running at once
        return tag

    tool = function_tool(wait)
    first, second = await asyncio.gather(tool.acall('{"tag": "a"}'), tool.acall('{"tag": "b"}'))
    assert (first.output, second.output) == ("a", "b")
    assert not first.is_error and not second.is_error
    assert loop_thread not in threads and len(set(threads)) == 2


async def test_acall_sync_tool_raising():
    def boom() -> None:
        raise OSError("disk")

    result = await function_tool(boom).acall("{}")
    assert result.is_error and result.output == "Error: OSError: disk"


def test_call_runs_async_tool_without_a_loop():
    async def double(x: int) -> int:
        return 2 * x

    assert function_tool(double).call('{"x": 21}').value == 42


async def test_call_async_tool_inside_loop_is_a_usage_error():
    async def double(x: int) -> int:
        return 2 * x

    with pytest.raises(UsageError, match=r"use `await tool.acall"):
        function_tool(double).call('{"x": 1}')


async def test_async_callable_object_and_partial():
    class Fetcher:
        async def __call__(self, n: int) -> int:
            return n + 1

    async def scale(x: int, factor: int) -> int:
        return x * factor

    obj = function_tool(Fetcher())
    part = function_tool(functools.partial(scale, factor=3), name="triple")
    assert obj.is_async and part.is_async
    assert (await obj.acall('{"n": 1}')).value == 2
    assert (await part.acall('{"x": 2}')).value == 6
    assert set(part.parameters["properties"]) == {"x"}


def test_validator_is_built_once(monkeypatch: pytest.MonkeyPatch):
    import routerkit.agent._tool_schema as schema_module

    tool = function_tool(add)
    calls: list[Any] = []
    monkeypatch.setattr(schema_module, "create_model", lambda *a, **k: calls.append(a))
    for i in range(3):
        assert tool.call(json.dumps({"a": i})).value == i + 2
    assert calls == []


def test_tools_are_hashable_and_comparable():
    tool = function_tool(add)
    assert tool == function_tool(add)
    assert len({tool, function_tool(add)}) == 1


async def _later(x: int) -> int:
    return x + 1


def test_sync_callable_returning_a_coroutine_is_awaited():
    def f(x: int) -> Any:
        return _later(x)

    tool = function_tool(f)
    assert not tool.is_async
    assert tool.call('{"x": 1}').value == 2


async def test_sync_callable_returning_a_coroutine_in_acall():
    def f(x: int) -> Any:
        return _later(x)

    assert (await function_tool(f).acall('{"x": 5}')).value == 6


def test_a_function_is_built_into_a_tool_once_and_shared_by_agents() -> None:
    """An agent per request (a server, a batch) must not rebuild the same function's validator and schema."""
    from routerkit.agent import Agent
    from routerkit.models.openrouter import OpenRouterResponses

    def lookup(city: str) -> str:
        """Look a city up."""
        return city

    model = OpenRouterResponses(id="emulator/tool", api_key="k")
    first = Agent(model=model, tools=[lookup]).tools_by_name()["lookup"]
    second = Agent(model=model, tools=[lookup]).tools_by_name()["lookup"]
    assert first is second
    renamed = function_tool(lookup, name="find_city")
    assert renamed is not first and renamed.name == "find_city" and first.name == "lookup"
    first.to_wire()["parameters"]["properties"].clear()  # what a caller does with the wire copy stays there
    assert second.to_wire()["parameters"]["properties"]
