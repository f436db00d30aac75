"""What a run produces, at agno's paths: `routerkit.run.agent` (`RunOutput`, `RunEvent`, the event classes)
and `routerkit.run.base` (`RunStatus`).

This package imports nothing itself, so `routerkit.agent` can use `routerkit.run.base` without a cycle.
"""

__all__: list[str] = []
