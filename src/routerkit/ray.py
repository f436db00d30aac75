"""Ray Data: `ResponsesMapper`, a callable class for `Dataset.map_batches` (`pip install 'routerkit[ray]'`).

```python
import ray
from routerkit.ray import ResponsesMapper

ds = ray.data.read_json("questions.jsonl")            # a column "input" (text or Responses input items)
ds = ds.map_batches(
    ResponsesMapper,
    fn_constructor_kwargs={"model": "openai/gpt-4o-mini", "concurrency": 32, "rpm": 600},
    batch_size=64,
    compute=ray.data.ActorPoolStrategy(size=4),         # Ray ≥ 2.51: not the deprecated concurrency=
)
ds.write_json("answers/")                             # adds answer, model, cost, error columns
```

Each actor runs the `routerkit.batch` engine on its own event loop, so one actor keeps `concurrency`
calls in flight (Ray Data's HTTP processor sends one request at a time per batch). OpenRouter limits the
account, not the machine: every actor takes its pace (rpm, tpm, and the cool-down after a 429) from one
named Ray actor, so four actors with `rpm=600` send 600 requests a minute together, not 2,400. The pace
actor is detached, named after its limits, and costs no CPU; it ends with the Ray cluster.

The API key comes from `OPENROUTER_API_KEY` in the workers' environment (pass it with
`ray.init(runtime_env={"env_vars": {...}})` on a cluster); it is never a column or a task argument.
Ray is imported only by this module: `import routerkit` never loads it.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import numpy as np
import ray

from .batch import Batch, BatchRow, Pace
from .errors import UsageError
from .models.openrouter import OpenRouterResponses

__all__ = ["ResponsesMapper", "shared_pace"]


class _SharedPace:
    """The account's `Pace`, in one actor that every mapper asks before each request."""

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.pace = Pace(rpm, tpm)

    def reserve(self, tokens: int) -> float:
        return self.pace.reserve(tokens)

    def charge(self, tokens: int) -> None:
        self.pace.charge(tokens)

    def cool_down(self, seconds: float | None) -> None:
        self.pace.cool_down(seconds)


class _ActorPace:
    """The batch engine's `PaceGate`, answered by the shared pace actor."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    async def wait(self, tokens: int) -> None:
        delay = await self.actor.reserve.remote(tokens)
        if delay > 0:
            await asyncio.sleep(delay)

    async def charge(self, tokens: int) -> None:
        await self.actor.charge.remote(tokens)

    async def cool_down(self, seconds: float | None) -> None:
        await self.actor.cool_down.remote(seconds)


def shared_pace(rpm: float | None = None, tpm: float | None = None, name: str | None = None) -> Any:
    """The named pace actor for these limits (created by whichever caller comes first)."""
    remote = ray.remote(num_cpus=0)(_SharedPace)
    name = name or f"routerkit-pace-rpm{rpm}-tpm{tpm}"
    return remote.options(name=name, get_if_exists=True, lifetime="detached").remote(rpm, tpm)


class ResponsesMapper:
    """A `map_batches` callable: each row's `input_column` sent to `model`; adds `answer`, `model`, `cost`
    (USD, NaN when unknown) and `error` (the typed error's one-line description, or None) columns.

    `instructions` is sent with every row; `concurrency` is the calls in flight per actor; `rpm` / `tpm`
    the account's limits shared by all actors; `model_options` further `OpenRouterResponses` parameters
    (`reasoning`, `max_output_tokens`, `models`, …).
    """

    def __init__(
        self,
        model: str = "openai/gpt-oss-20b",
        *,
        input_column: str = "input",
        instructions: str | None = None,
        concurrency: int = 32,
        rpm: float | None = None,
        tpm: float | None = None,
        max_retries: int = 6,
        base_url: str | None = None,
        model_options: dict[str, Any] | None = None,
        pace_name: str | None = None,
    ) -> None:
        if not isinstance(input_column, str) or not input_column:
            raise UsageError(f"input_column must be a column name, got {input_column!r}")
        options = dict(model_options or {})
        if base_url is not None:
            options["base_url"] = base_url
        self.input_column = input_column
        self.instructions = instructions
        # One loop for the actor's life, so its pooled connections stay warm from one Ray batch to the next.
        self.loop = asyncio.new_event_loop()
        self.model = OpenRouterResponses(id=model, **options)
        self.batch = Batch(
            model=self.model,
            concurrency=concurrency,
            max_retries=max_retries,
            pace=_ActorPace(shared_pace(rpm, tpm, pace_name)),
        )

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.input_column not in batch:
            raise UsageError(f"input_column {self.input_column!r} is not a column; columns: {sorted(batch)}")
        inputs = batch[self.input_column]
        rows = [
            BatchRow(custom_id=str(i), input=_input(value), instructions=self.instructions)
            for i, value in enumerate(inputs)
        ]
        answers: list[str | None] = [None] * len(rows)
        models: list[str | None] = [None] * len(rows)
        costs = np.full(len(rows), math.nan)
        errors: list[str | None] = [None] * len(rows)

        async def collect() -> None:
            async for result in self.batch.arun(rows):
                i = int(result.custom_id)
                answers[i], models[i] = result.text, result.model or result.requested_model
                if result.cost is not None:
                    costs[i] = result.cost
                if result.error is not None:
                    errors[i] = str(result.error)

        self.loop.run_until_complete(collect())
        return {
            **batch,
            "answer": np.array(answers, dtype=object),
            "model": np.array(models, dtype=object),
            "cost": costs,
            "error": np.array(errors, dtype=object),
        }

    def close(self) -> None:
        """Close the event loop and its connections (Ray ends actors without asking; scripts may)."""
        self.loop.close()


def _input(value: Any) -> Any:
    """Ray hands text as numpy strings and item lists as arrays: back to what the Responses API takes."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, np.ndarray):
        return [dict(item) for item in value]
    return value
