"""Tool call events, checked with isinstance as agno's cookbook does."""

from routerkit.agent import Agent, RunContentEvent, ToolCallCompletedEvent, ToolCallStartedEvent
from routerkit.models.openrouter import OpenRouterResponses


def get_weather(city: str) -> str:
    """Get the current weather of a city.

    Args:
        city: The city name.
    """
    return f"It is sunny in {city}."


agent = Agent(model=OpenRouterResponses(id="openai/gpt-4o"), tools=[get_weather], markdown=True)

seen = []
for chunk in agent.run("What is the weather in Paris?", stream=True, stream_events=True):
    if isinstance(chunk, RunContentEvent):
        seen.append("content")
    elif isinstance(chunk, ToolCallStartedEvent):
        seen.append(f"started {chunk.call.name}")
    elif isinstance(chunk, ToolCallCompletedEvent):
        seen.append(f"completed {chunk.call.name}: {chunk.result.output}")
assert seen[0] == "started get_weather" and seen[1].startswith("completed get_weather: It is sunny in ")
assert seen[-1] == "content"

# Without stream_events, as in agno, only the answer streams.
assert all(isinstance(c, RunContentEvent) for c in agent.run("And in Rome?", stream=True))
roles = [m.role for m in agent.get_last_run_output().messages]
assert roles == ["system", "user", "assistant", "tool", "assistant"], roles  # markdown=True makes a system message
call = agent.get_last_run_output().messages[2].tool_calls[0]
assert call["function"]["name"] == "get_weather" and call["type"] == "function"
print("ok")
