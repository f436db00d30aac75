"""The hand-kept option tables agree with OpenRouter's OpenAPI document: every key and accepted value of
`provider`, each plugin and each server tool's parameters, so a value the service accepts is never refused
here and a typo is refused before sending."""

from __future__ import annotations

from typing import Any

import pytest

from routerkit.errors import UsageError
from routerkit.wire._options import PLUGINS, PROVIDER, SERVER_TOOL_PARAMETERS, check_plugins, check_provider
from routerkit.wire._server_tool import SERVER_TOOL_TYPES, ServerTool
from tests.openapi_schema import schema

PLUGIN_SCHEMAS = {
    "web": "WebSearchPlugin",
    "web-fetch": "WebFetchPlugin",
    "file-parser": "FileParserPlugin",
    "response-healing": "ResponseHealingPlugin",
    "moderation": "ModerationPlugin",
    "context-compression": "ContextCompressionPlugin",
    "auto-router": "AutoRouterPlugin",
    "auto-beta-router": "AutoBetaRouterPlugin",
    "pareto-router": "ParetoRouterPlugin",
    "fusion": "FusionPlugin",
}
TOOL_SCHEMAS = {
    "openrouter:web_search": "WebSearchServerToolConfig",
    "openrouter:web_fetch": "WebFetchServerToolConfig",
    "openrouter:datetime": "DatetimeServerToolConfig",
}


def resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema(node["$ref"].rsplit("/", 1)[1])
    return node


def enum_of(node: dict[str, Any]) -> set[str] | None:
    values = resolved(node).get("enum")
    return {v for v in values if v is not None} if values else None


def check_table(table: dict[str, Any], properties: dict[str, Any]) -> None:
    assert set(table) == set(properties)
    for key, rule in table.items():
        enum = enum_of(properties[key])
        if enum is not None:
            assert isinstance(rule, tuple) and set(rule) == enum, key


def test_provider_table_matches_the_schema() -> None:
    properties = schema("ProviderPreferences")["properties"]
    check_table(
        {k: v for k, v in PROVIDER.items() if k != "quantizations"},
        {k: v for k, v in properties.items() if k != "quantizations"},
    )
    assert set(PROVIDER["quantizations"][0]) == enum_of(properties["quantizations"]["items"])  # type: ignore[index]


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_plugin_tables_match_the_schema(plugin: str) -> None:
    properties = dict(schema(PLUGIN_SCHEMAS[plugin])["properties"])
    properties.pop("id")
    check_table(PLUGINS[plugin], properties)
    assert set(PLUGIN_SCHEMAS) == set(
        schema("ResponsesRequest")["properties"]["plugins"]["items"]["discriminator"]["mapping"]
    )


@pytest.mark.parametrize("tool", sorted(SERVER_TOOL_PARAMETERS))
def test_server_tool_tables_match_the_schema(tool: str) -> None:
    check_table(SERVER_TOOL_PARAMETERS[tool], schema(TOOL_SCHEMAS[tool])["properties"])


def test_every_server_tool_type_is_in_the_schema() -> None:
    variants = schema("ResponsesRequest")["properties"]["tools"]["items"]["anyOf"]
    types = set()
    for variant in variants:
        for ref in resolved(variant).get("oneOf", [variant]):
            types |= enum_of(resolved(ref).get("properties", {}).get("type", {})) or set()
    assert set(SERVER_TOOL_TYPES) <= types


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"sortt": "price"}, "unknown key 'sortt' (did you mean 'sort'?)"),
        ({"order": "openai"}, "provider['order'] must be a list of strings"),
        ({"sort": {"by": "price", "partition": "all"}}, "provider['sort'] must be one of"),
        ({"preferred_max_latency": {"p95": 2}}, "provider['preferred_max_latency'] must be"),
        ({"data_collection": "never"}, "one of 'allow', 'deny'"),
    ],
)
def test_provider_typos_name_the_fix(value: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as info:
        check_provider(value)
    assert message in str(info.value)


def test_valid_provider_and_plugins_pass_unchanged() -> None:
    prefs = {"order": ["openai"], "sort": {"by": "latency"}, "preferred_max_latency": {"p90": 2.5}, "zdr": True}
    assert check_provider(prefs) == prefs
    plugins = [{"id": "web", "max_results": 3}, {"id": "response-healing"}]
    assert check_plugins(plugins) == plugins


def test_unknown_server_tool_names_the_closest() -> None:
    with pytest.raises(UsageError, match="did you mean 'openrouter:web_search'"):
        ServerTool("openrouter:websearch")
