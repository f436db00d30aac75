"""agno's `Toolkit`: a subclass passing its bound methods, with per-tool options by name, given to an agent as
one item of `tools=[...]` — run through the emulator's `emulator/tool` model."""

from __future__ import annotations

import pytest

from routerkit.agent import Agent
from routerkit.errors import UsageError
from routerkit.run.base import RunStatus
from routerkit.tools import Toolkit


class FileTools(Toolkit):
    def __init__(self, **options: object) -> None:
        self.removed: list[str] = []
        super().__init__(name="file_tools", tools=[self.read_file, self.delete_file], **options)

    def read_file(self, path: str) -> str:
        """Read a file.

        Args:
            path: The file to read.
        """
        return f"contents of {path}"

    def delete_file(self, path: str) -> str:
        """Delete a file."""
        self.removed.append(path)
        return f"deleted {path}"


def test_a_toolkit_gives_the_agent_all_its_tools(emu, make_model) -> None:
    files = FileTools()
    out = Agent(model=make_model("emulator/tool"), tools=[files]).run("use all tools")
    assert [t["name"] for t in emu.requests[0].body["tools"]] == ["read_file", "delete_file"]
    assert "self" not in emu.requests[0].body["tools"][0]["parameters"]["properties"]
    assert out.status == RunStatus.completed and [t.tool_name for t in out.tools] == ["read_file", "delete_file"]
    assert len(files.removed) == 1 and "contents of " in out.content


def test_per_tool_options_name_the_tools(emu, make_model) -> None:
    files = FileTools(requires_confirmation_tools=["delete_file"], exclude_tools=["read_file"])
    agent = Agent(model=make_model("emulator/tool"), tools=[files])
    paused = agent.run("delete it")
    assert [t["name"] for t in emu.requests[0].body["tools"]] == ["delete_file"]
    assert paused.is_paused and files.removed == []
    paused.active_requirements[0].confirm()
    assert agent.continue_run(run_response=paused).status == RunStatus.completed and len(files.removed) == 1


def test_a_toolkit_naming_a_tool_it_lacks_or_an_agno_only_option_is_refused() -> None:
    with pytest.raises(UsageError, match="names tools it does not have: remove_file; its tools are read_file"):
        FileTools(requires_confirmation_tools=["remove_file"])
    with pytest.raises(UsageError, match="add_instructions is not supported"):
        FileTools(instructions="Be careful.", add_instructions=True)
    with pytest.raises(UsageError, match="options routerkit does not have: cache_dir"):
        FileTools(cache_dir="/tmp/cache")
