"""agno's first program: a run, its RunOutput, and its serialisation."""

import json

from routerkit.agent import Agent, RunOutput
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.run.base import RunStatus

agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-4o"),
    instructions="You are a helpful assistant.",
    markdown=True,
)
response: RunOutput = agent.run("Tell me a 5 second short story about a robot")
print(response.content)
assert response.content and isinstance(response.content, str)
assert response.content_type == "str"
assert response.status == RunStatus.completed and response.status == "COMPLETED"
assert response.model == "openai/gpt-4o" and response.model_provider == "OpenRouter"
assert response.run_id and response.session_id == agent.session_id
assert isinstance(response.created_at, int)
assert response.metrics.input_tokens > 0 and response.metrics.output_tokens > 0
assert response.metrics.cost is not None and response.metrics.cost > 0
assert [m.role for m in response.messages] == ["system", "user", "assistant"]
assert response.messages[0].content == "You are a helpful assistant.\n\nUse markdown to format your answers."
assert response.messages[1].content == "Tell me a 5 second short story about a robot"
assert response.messages[2].content == response.content
data = json.loads(response.to_json())
assert data["content"] == response.content and data["status"] == "COMPLETED"
assert data["messages"][2]["role"] == "assistant" and data["metrics"]["input_tokens"] > 0
assert response.to_dict()["run_id"] == response.run_id
