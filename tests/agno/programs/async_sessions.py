"""agno's run messages and async session reads: `RunOutput.messages` starts with the system message, and
`aget_session`, `aget_session_messages`, `aget_chat_history`, `aget_last_run_output` answer as the sync ones.

Run twice: the second process reads the first one's runs back from tmp/agent.db.
"""

import asyncio
import sys

from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.models.openrouter import OpenRouterResponses

SYSTEM = "You are a helpful assistant.\n\n- Answer briefly."

agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-4o"),
    db=SqliteDb(db_file="tmp/agent.db"),
    session_id="facts",
    description="You are a helpful assistant.",
    instructions=["Answer briefly."],
    add_history_to_context=True,
)


def roles(messages):
    return [m.role for m in messages]


def texts(messages):
    return [(m.role, m.content) for m in messages]


run = agent.run("Tell me a fact about space")
assert roles(run.messages) == ["system", "user", "assistant"], roles(run.messages)
assert run.messages[0].content == SYSTEM and run.to_dict()["messages"][0]["role"] == "system"
for _ in agent.run("And one about oceans", stream=True):
    pass
streamed = agent.get_last_run_output()
assert roles(streamed.messages) == ["system", "user", "assistant"]  # the history replayed is not this run's


async def main() -> None:
    out = await agent.arun("And one about rivers")
    assert roles(out.messages) == ["system", "user", "assistant"] and out.messages[0].content == SYSTEM
    async for _ in agent.arun("And one about lakes", stream=True):
        pass
    runs = 4 * int(sys.argv[1])
    session = await agent.aget_session()
    assert session is not None and len(session.runs) == runs and session.session_id == "facts"
    assert texts(session.runs[0].messages)[0] == ("system", SYSTEM)  # read back from the db
    assert texts(session.runs[-1].messages) == texts(agent.get_session().runs[-1].messages)
    messages = await agent.aget_session_messages()
    assert roles(messages) == ["system"] + ["user", "assistant"] * runs  # the system message once, as agno
    assert texts(messages) == texts(agent.get_session_messages())
    history = await agent.aget_chat_history()
    assert roles(history) == ["user", "assistant"] * runs and texts(history) == texts(agent.get_chat_history())
    last = await agent.aget_last_run_output()
    assert last is not None and last.content == agent.get_last_run_output().content
    fresh = Agent(model=agent.model, db=agent.db, session_id="facts")  # nothing in memory: the db answers
    last = await fresh.aget_last_run_output()
    assert last is not None and last.messages[1].content == "And one about lakes"
    assert await fresh.aget_session("nobody") is None and await fresh.aget_chat_history("nobody") == []


asyncio.run(main())
print("ok")
