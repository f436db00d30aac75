"""The seed's three examples, shipped inside the package so `routerkit demo` runs them from an installed wheel.

`examples/basic.py`, `examples/reasoning.py` and `examples/fallback.py` hold exactly these texts (a test checks).
"""

from __future__ import annotations

__all__ = ["EXAMPLES"]

#: file name → source, in the order `routerkit demo` runs them.
EXAMPLES: dict[str, str] = {
    "basic.py": """\
from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses

agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-oss-20b"),
    markdown=True,
)

agent.print_response("Write a short poem about the ocean")
""",
    "reasoning.py": """\
from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses

agent = Agent(
    model=OpenRouterResponses(id="openai/gpt-oss-20b", reasoning={"enabled": True}),
    markdown=True,
)

agent.print_response("What is 25 * 37? Show your work.", stream=True)
""",
    "fallback.py": """\
from routerkit.agent import Agent
from routerkit.models.openrouter import OpenRouterResponses

agent = Agent(
    model=OpenRouterResponses(
        id="openai/gpt-oss-20b",
        reasoning={"enabled": True},
        models=["openai/gpt-oss-20b", "openai/gpt-4o"],
    ),
    markdown=True,
)

agent.print_response("Write a haiku about coding", stream=True)
""",
}
