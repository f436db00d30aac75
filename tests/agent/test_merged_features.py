"""The tools, media and agno features together: a per-call session and user on a run that pauses and is
continued, agno's answer-only stream ending in the pause, media with agno's keywords, and the store's
statuses next to `RunStatus`."""

from __future__ import annotations

from routerkit.agent import Agent, RunContentEvent, RunPausedEvent
from routerkit.db.sqlite import SqliteDb
from routerkit.media import Image
from routerkit.run.base import RunStatus
from routerkit.tools import tool


@tool(requires_confirmation=True)
def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    return f"deleted {path}"


def test_a_run_with_a_per_call_session_and_user_pauses_and_continues_there(emu, make_model, tmp_path):
    db = SqliteDb(db_file=str(tmp_path / "agent.db"))
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file], db=db, session_id="default")
    paused = agent.run("delete the file", session_id="other", user_id="ava")
    assert paused.status == RunStatus.paused and paused.session_id == "other" and paused.user_id == "ava"
    (stored,) = db.get_runs("other", statuses=("paused",), user_id="ava")
    assert stored.run_id == paused.run_id and db.get_runs("default", statuses=("paused", "completed")) == []
    paused.active_requirements[0].confirm()
    out = agent.continue_run(run_response=paused)
    assert out.status == RunStatus.completed and out.session_id == "other" and out.tools[0].confirmed
    (stored,) = db.get_runs("other", statuses=("completed",))
    assert stored.status == "completed" and stored.run_id == paused.run_id
    assert agent.get_last_run_output("other") is out
    assert out.to_dict()["status"] == "COMPLETED"


def test_an_answer_only_stream_ends_with_the_pause_the_caller_must_answer(emu, make_model):
    agent = Agent(model=make_model("emulator/tool"), tools=[delete_file])
    events = list(agent.run("delete the file", stream=True))
    assert isinstance(events[-1], RunPausedEvent) and events[-1].output.is_paused
    assert all(isinstance(e, RunContentEvent | RunPausedEvent) for e in events)


async def test_async_answer_only_stream_with_media_and_an_output_override(emu, make_model):
    agent = Agent(model=make_model())
    events = [
        e
        async for e in agent.arun(
            "What is this?", stream=True, images=[Image(url="https://example.com/a.png")], user_id="bo"
        )
    ]
    assert events and all(isinstance(e, RunContentEvent) for e in events)
    out = agent.get_last_run_output()
    assert out is not None and out.status == RunStatus.completed and out.user_id == "bo"
    assert out.items[0]["content"][-1] == {
        "type": "input_image",
        "detail": "auto",
        "image_url": "https://example.com/a.png",
    }
    assert out.messages[0].role == "user"
