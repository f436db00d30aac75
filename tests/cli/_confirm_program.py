"""A run that pauses for confirmation, shown by the CLI's renderer as `routerkit ask` / `chat` show a run.

No tool the CLI attaches today asks for confirmation, so this program gives the agent one (`delete_file`) and
drives the run exactly as the commands do: `make_view` for the terminal it finds, then `drive(..., agent)`.
It prints what became of the call on the last line.
"""

import sys

from routerkit.agent import Agent
from routerkit.cli._render import drive, make_view
from routerkit.models.openrouter import OpenRouterResponses
from routerkit.tools import tool

deleted = []


@tool(requires_confirmation=True)
def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: The file to delete.
    """
    deleted.append(path)
    return f"deleted {path}"


agent = Agent(model=OpenRouterResponses(id="emulator/tool"), tools=[delete_file])
terminal = sys.stdout.isatty()
output = drive(
    agent.run("Delete the old report", stream=True, stream_events=True),
    make_view(terminal=terminal, show_reasoning=True),
    agent=agent,
)
print(f"status={output.status.value} deleted={len(deleted)} confirmed={output.tools[0].confirmed}")
