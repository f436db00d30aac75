"""agno's async idioms: `async for` over arun(stream=True), `await arun`, aprint_response."""

import asyncio

from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.run.agent import RunContentEvent, RunEvent


async def main() -> None:
    agent = Agent(model=OpenRouterResponses(id="openai/gpt-4o"))
    text = ""
    async for event in agent.arun("Share a breakfast recipe", stream=True):
        assert isinstance(event, RunContentEvent) and event.event == RunEvent.run_content
        text += event.content
    assert text and text == agent.get_last_run_output().content

    names = [event.event async for event in agent.arun("hello", stream=True, stream_events=True)]
    assert names[0] == "RunStarted" and names[-1] == "RunCompleted"

    response = await agent.arun("What is the capital of France?")
    assert response.status == "COMPLETED" and response.content

    await agent.aprint_response("Share a dinner recipe", stream=True)


asyncio.run(main())
