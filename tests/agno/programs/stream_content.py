"""Streaming as agno does it: content events by default, every event with stream_events=True."""

from collections.abc import Iterator

from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.run.agent import RunCompletedEvent, RunContentEvent, RunEvent, RunOutputEvent, RunStartedEvent

agent = Agent(model=OpenRouterResponses(id="openai/gpt-oss-20b", reasoning={"enabled": True}))

chunks: list[str] = []
stream: Iterator[RunOutputEvent] = agent.run("Tell me a joke", stream=True)
for chunk in stream:
    assert chunk.event == RunEvent.run_content, chunk  # only the answer, as in agno
    chunks.append(chunk.content)
    print(chunk.content, end="", flush=True)
print()
last = agent.get_last_run_output()
assert last is not None and "".join(chunks) == last.content and last.reasoning_content

names = []
for event in agent.run("Tell me another", stream=True, stream_events=True):
    names.append(event.event)
    if isinstance(event, RunStartedEvent):
        assert event.model == "openai/gpt-oss-20b"
    if isinstance(event, RunContentEvent):
        assert isinstance(event.content, str)
    if isinstance(event, RunCompletedEvent):
        assert event.content and event.run_id and event.metrics.output_tokens > 0
assert names[0] == RunEvent.run_started and names[-1] == RunEvent.run_completed
assert RunEvent.reasoning_content_delta in names and RunEvent.run_content in names
