"""agno's session cookbook: SqliteDb in tmp/, history, chat history, the last run, per-user sessions.

Run twice: the second process continues the conversation of the first.
"""

import sys

from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.models.openrouter import OpenRouterResponses

db = SqliteDb(db_file="tmp/agent.db")
agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-4o"),
    db=db,
    session_id="chat_history",
    instructions="You are a helpful assistant that can answer questions about space and oceans.",
    add_history_to_context=True,
)
agent.print_response("Tell me a new interesting fact about space")
agent.print_response("Tell me a new interesting fact about oceans", user_id="ava", session_id="ava_session")

history = agent.get_chat_history()
roles = [m.role for m in history]
expected_runs = int(sys.argv[1])
assert roles == ["user", "assistant"] * expected_runs, roles
assert history[-2].content == "Tell me a new interesting fact about space"
messages = agent.get_session_messages()
assert [m.role for m in messages] == ["system"] + ["user", "assistant"] * expected_runs  # the system message once
assert messages[0].content == "You are a helpful assistant that can answer questions about space and oceans."

last = agent.get_last_run_output()
assert last is not None and last.content and last.status == "COMPLETED"
session = agent.get_session()
assert session is not None and len(session.runs) == expected_runs and session.session_id == "chat_history"
assert [m.role for m in session.get_chat_history()] == roles

ava = agent.get_session("ava_session")
assert ava is not None and ava.user_id == "ava" and all(run.user_id == "ava" for run in ava.runs)
assert [s.session_id for s in db.list_sessions(user_id="ava")] == ["ava_session"]
assert len(db.get_runs("ava_session", user_id="ava")) == expected_runs
assert db.get_runs("ava_session", user_id="bob") == []
print("ok")
