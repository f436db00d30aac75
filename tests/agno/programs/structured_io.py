"""Structured output per call, and input given as a pydantic model or as messages."""

from pydantic import BaseModel, Field

from routerkit.agent import Agent, Message
from routerkit.models.openrouter import OpenRouterResponses


class MovieScript(BaseModel):
    setting: str = Field(..., description="Where the movie happens.")
    characters: list[str]


class ResearchTopic(BaseModel):
    topic: str
    focus_areas: list[str]


agent = Agent(model=OpenRouterResponses(id="openai/gpt-4o"), description="You write movie scripts.")
script = agent.run("New York", output_schema=MovieScript).content
assert isinstance(script, MovieScript), script
assert isinstance(agent.run("Tokyo").content, str)  # the schema applied to that call only

out = agent.run(ResearchTopic(topic="AI", focus_areas=["agents", "evals"]))
assert out.messages[0].role == "system" and out.messages[0].content == "You write movie scripts."
assert out.messages[1].content == '{"topic":"AI","focus_areas":["agents","evals"]}'

out = agent.run([Message(role="user", content="Hi, my name is Ava")])
assert out.messages[1].role == "user" and out.messages[1].content == "Hi, my name is Ava"
print("ok")

run = agent.print_response(ResearchTopic(topic="RAG", focus_areas=["retrieval"]))
assert run is not None and run.status == "COMPLETED"
agent.print_response([Message(role="user", content="Print me")])
