"""agno's common Agent arguments; the ones of features routerkit lacks are refused by name."""

from pydantic import BaseModel

from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.errors import UsageError
from routerkit.models.openrouter import OpenRouterResponses


class Answer(BaseModel):
    city: str
    population: int


def instructions(agent: Agent) -> list[str]:
    return [f"You are {agent.name}.", "Answer in one sentence."]


agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-4o"),
    name="Geo",
    id="geo-agent",
    user_id="ava",
    session_id="geo-session",
    instructions=instructions,
    description="You know geography.",
    expected_output="A city and its population.",
    additional_context="The user lives in Europe.",
    add_datetime_to_context=True,
    tool_call_limit=5,
    num_history_runs=2,
    add_history_to_context=True,
    db=SqliteDb(db_file="tmp/agents.db"),
    output_schema=Answer,
    markdown=True,
    debug_mode=True,
    retries=1,
)
out = agent.run("The largest city of France")
assert isinstance(out.content, Answer) and out.content_type == "Answer"
assert out.agent_name == "Geo" and out.agent_id == "geo-agent" and out.user_id == "ava"
assert out.session_id == "geo-session"
assert agent.model.max_retries == 1

for feature in ({"knowledge": object()}, {"enable_user_memories": True}, {"team": []}):
    try:
        Agent(model=OpenRouterResponses(id="openai/gpt-4o"), **feature)
    except UsageError as exc:
        assert next(iter(feature)) in str(exc), exc
    else:
        raise AssertionError(f"{feature} was accepted")
try:
    Agent(model=OpenRouterResponses(id="openai/gpt-4o"), not_an_agno_argument=1)
except TypeError as exc:
    assert "not_an_agno_argument" in str(exc)
else:
    raise AssertionError("an unknown argument was accepted")
print("ok")
