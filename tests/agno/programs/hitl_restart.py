"""agno's human in the loop across processes: a run paused for confirmation, continued (async, streamed) in a
new process, then read back in a third; every field of its `ToolExecution` survives each restart.

Run as `hitl_restart.py start`, then `resume`, then `check`, in the same directory.
"""

import asyncio
import json
import sys
import time
from pathlib import Path

from routerkit.agent import Agent
from routerkit.db.sqlite import SqliteDb
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.run.agent import RunEvent
from routerkit.tools import tool

STATE = Path("paused.json")


@tool(requires_confirmation=True)
def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    return f"deleted {path}"


agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-4o"),
    tools=[delete_file],
    db=SqliteDb(db_file="tmp/hitl.db"),
    session_id="hitl",
)
step = sys.argv[1]

if step == "start":
    run = agent.print_response("Delete the old report")
    assert run is not None and run.is_paused and run.tools[0].created_at
    STATE.write_text(json.dumps({"run_id": run.run_id, "created_at": run.tools[0].created_at}))
    time.sleep(1.1)  # so a timestamp made afresh by the next process could not pass for the saved one

elif step == "resume":
    saved = json.loads(STATE.read_text())

    async def main() -> None:
        run = await agent.acontinue_run(run_id=saved["run_id"])  # read back from the db: still paused
        (tool_call,) = run.tools
        assert run.is_paused and tool_call.created_at == saved["created_at"], (tool_call, saved)
        assert tool_call.requires_confirmation and tool_call.confirmed is None and not tool_call.tool_call_error
        run.active_requirements[0].reject("Keep it for now.")
        content = [
            ev.content
            async for ev in agent.acontinue_run(run_response=run, stream=True)
            if ev.event == RunEvent.run_content
        ]
        done = agent.get_last_run_output()
        assert done.run_id == run.run_id and done.status == "COMPLETED" and "".join(content) == done.content

    asyncio.run(main())

else:
    saved = json.loads(STATE.read_text())
    run = agent.get_last_run_output()
    assert run is not None and run.run_id == saved["run_id"] and run.status == "COMPLETED"
    (tool_call,) = run.tools
    assert tool_call.created_at == saved["created_at"] and tool_call.tool_call_error, tool_call
    assert tool_call.confirmed is False and tool_call.confirmation_note == "Keep it for now."
    assert tool_call.requires_confirmation and tool_call.result.startswith("Error: the user rejected")
    assert tool_call.tool_args == {"path": tool_call.tool_args["path"]} and tool_call.tool_name == "delete_file"
print("ok")
