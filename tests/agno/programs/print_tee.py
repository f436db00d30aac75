"""`python print_tee.py | tee log`: print_response off a terminal still shows agno-style panels."""

from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses

agent = Agent(model=OpenRouterResponses(id="emulator/markdown-20"), markdown=True)
run = agent.print_response("Write a short report", stream=True)
assert run is not None and run.status == "COMPLETED"
agent.print_response("Write it again", show_message=False)
