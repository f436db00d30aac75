from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses

agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-oss-20b", reasoning={"enabled": True}),
    markdown=True,
)

agent.print_response("What is 25 * 37? Show your work.", stream=True)
