"""The batch engine: streamed rows in, results out as they finish, within concurrency, pace and budget.

One async implementation; `Batch.run` drives it for scripts and the Ray mapper drives it inside each actor.
Retries happen here, not in the model (its own `max_retries` is set to 0 for the batch): every attempt's
429 must reach the shared cool-down and the adaptive concurrency, which a retry hidden inside the model
would keep from them. The schedule is still the model layer's `RetryPolicy`, Retry-After included.
Calls go through the models' shared, sharded connection pools of the running loop (unless the model brings
its own client): one pool of `concurrency` connections costs httpcore2 a scan of all of them per request,
which at 64 in flight was a quarter of the client's CPU per row (cProfile call counts in BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import APIError, RateLimitError, RouterkitError, UsageError
from ..models.openai import OpenAIResponses
from ..wire import ResponseCompleted, RetryPolicy, Usage
from ._limits import Concurrency, LocalPace, Pace, PaceGate
from ._rows import BatchResult, BatchRow

if TYPE_CHECKING:
    from ..agent import Agent

__all__ = ["Batch", "BatchStats"]

Row = BatchRow | str | Mapping[str, Any]

_MODELS_KEPT = 64
#: The `Usage` fields a result's `usage` may carry (its cost is the result's own `cost`). Read by name, not
#: through `dataclasses.asdict`, which deep-copies every field (~100 Python calls a row).
_USAGE_FIELDS = tuple(f.name for f in dataclasses.fields(Usage) if f.name != "cost")


@dataclass(slots=True)
class BatchStats:
    """Running totals, read by progress displays while the batch runs."""

    started: int = 0
    done: int = 0
    errors: int = 0
    cost: float = 0.0
    rate_limited: int = 0
    retries: int = 0
    stopped: str | None = None
    """Why the batch stopped before its rows ran out: "max_cost", or None."""


class Batch:
    """Run many Responses calls: `async for result in Batch(model=m, concurrency=32).arun(rows)`.

    - `model` (an `OpenRouterResponses`, used as a template: a row's own `model` replaces its id) or
      `agent` (a function returning a fresh `Agent` per row, for tools) — exactly one of them.
    - `concurrency`: the most calls in flight; halved on rate limits, restored as calls succeed.
    - `rpm` / `tpm`: the account's requests / tokens per minute, spread evenly; `pace` instead shares one
      pace between processes (the Ray mapper passes one backed by a named actor).
    - `max_cost`: USD; once spent, no new row starts (rows in flight finish) and `stats.stopped` says so.
    - `max_retries`: attempts after the first, per row, on retryable failures (429, 5xx, network). With
      `agent`, a retried row runs its agent again from the start, so its tools run again: tools with side
      effects must be safe to repeat, or pass `max_retries=0` (`--max-retries 0`) and rerun error rows later.
    """

    def __init__(
        self,
        *,
        model: OpenAIResponses | None = None,
        agent: Callable[[], Agent] | None = None,
        concurrency: int = 16,
        rpm: float | None = None,
        tpm: float | None = None,
        max_cost: float | None = None,
        max_retries: int = 6,
        pace: PaceGate | None = None,
    ) -> None:
        if (model is None) == (agent is None):
            raise UsageError(
                "pass exactly one of model= (an OpenRouterResponses) or agent= (a function returning an Agent)"
            )
        if model is not None and not isinstance(model, OpenAIResponses):
            raise UsageError(
                f"model must be a routerkit model such as OpenRouterResponses(...), got {type(model).__name__}"
            )
        if agent is not None and not callable(agent):
            raise UsageError(f"agent must be a function returning an Agent, got {type(agent).__name__}")
        _check_positive("concurrency", concurrency, integer=True)
        _check_positive("rpm", rpm)
        _check_positive("tpm", tpm)
        _check_positive("max_cost", max_cost)
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise UsageError(f"max_retries must be an integer ≥ 0, got {max_retries!r}")
        self.model = model
        self.agent = agent
        self.concurrency = concurrency
        self.max_cost = max_cost
        self.policy = RetryPolicy(max_retries=max_retries)
        self.pace: PaceGate = pace if pace is not None else LocalPace(Pace(rpm, tpm))
        self.estimate_tokens = tpm is not None
        self.stats = BatchStats()
        self.slots: Concurrency | None = None
        self._agent_model_id: str | None = None
        # The model each requested id runs on, for rows without options of their own: built once, not per row
        # (`dataclasses.replace` checks every field again).
        self._models: dict[str, OpenAIResponses] = {}

    # Drivers

    def run(self, rows: Iterable[Row]) -> Iterator[BatchResult]:
        """The sync driver, for scripts: results as they finish, on a private event loop."""
        loop = asyncio.new_event_loop()
        results = self.arun(rows)
        try:
            while True:
                try:
                    yield loop.run_until_complete(anext(results))
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(results.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def arun(self, rows: Iterable[Row]) -> AsyncGenerator[BatchResult, None]:
        """Results as rows finish. Rows are read one at a time as slots free up, never all at once.

        `concurrency` workers each take the next row as soon as their last one is done: a freed slot starts
        its next call without waiting for the caller or another task to be scheduled (at 1 s a call and 100 in
        flight, each such hop cost every row milliseconds of an idle slot). A worker hands its result over and
        blocks while `concurrency` results wait for the caller, so a slow caller holds new rows back.
        """
        # A new semaphore for this event loop, keeping what earlier runs learnt (the Ray mapper runs once a batch).
        self.slots = Concurrency(self.concurrency, self.slots.limit if self.slots else None)
        finished: asyncio.Queue[BatchResult | None] = asyncio.Queue(maxsize=self.concurrency)
        source = enumerate(rows)
        failure: list[BaseException] = []  # reading `rows` failed: no new row starts, and the caller gets it

        async def work() -> None:
            while not failure:
                if self.max_cost is not None and self.stats.cost >= self.max_cost:
                    self.stats.stopped = "max_cost"
                    return
                try:
                    index, raw = next(source)
                    row = _as_row(raw, index)
                except StopIteration:
                    return
                except Exception as exc:
                    failure.append(exc)
                    return
                self.stats.started += 1
                result = await self._row(row)
                self._count(result)  # now, not when the caller takes it: the budget check above needs it
                await finished.put(result)

        async def close() -> None:
            try:
                await asyncio.gather(*workers)  # re-raises a worker's own failure (failed rows are results)
            finally:
                await finished.put(None)

        workers = [asyncio.create_task(work()) for _ in range(self.concurrency)]
        closer = asyncio.create_task(close())
        try:
            while (result := await finished.get()) is not None:
                yield result
            await closer
            if failure:
                raise failure[0]
        finally:
            for task in (closer, *workers):
                task.cancel()
            await asyncio.gather(closer, *workers, return_exceptions=True)

    # One row

    async def _row(self, row: BatchRow) -> BatchResult:
        assert self.slots is not None
        requested = row.model or self._default_model_id()
        attempts = 0
        while True:
            attempts += 1
            epoch = await self.slots.acquire()
            try:
                await self.pace.wait(_estimate(row) if self.estimate_tokens else 0)
                try:
                    result = await self._call(row, requested)
                except APIError as exc:
                    if isinstance(exc, RateLimitError):
                        self.stats.rate_limited += 1
                        self.slots.rate_limited(epoch)
                        await self.pace.cool_down(exc.retry_after)
                    delay = self.policy.delay(exc, attempts - 1, None)
                    if delay is None:
                        return BatchResult(row.custom_id, requested, attempts=attempts, error=exc)
                except RouterkitError as exc:  # bad row input, invalid structured output, tool call limit
                    return BatchResult(row.custom_id, requested, attempts=attempts, error=exc)
                else:
                    self.slots.succeeded()
                    if self.estimate_tokens:
                        await self.pace.charge(int(result.usage.get("output_tokens") or 0))
                    result.attempts = attempts
                    return result
            finally:
                await self.slots.release()
            self.stats.retries += 1
            await asyncio.sleep(delay)

    async def _call(self, row: BatchRow, requested: str) -> BatchResult:
        if self.model is not None:
            return await _call_model(self._model_for(row, requested), row, requested)
        return await self._call_agent(row, requested)

    def _model_for(self, row: BatchRow, requested: str) -> OpenAIResponses:
        assert self.model is not None
        if not row.options and (model := self._models.get(requested)) is not None:
            return model
        extra = {**(self.model.extra_body or {}), **(row.options or {})} or None
        model = dataclasses.replace(
            self.model,
            id=requested,
            extra_body=extra,
            max_retries=0,
        )
        if not row.options:
            if len(self._models) >= _MODELS_KEPT:  # rows naming ever new models: keep the cache small
                self._models.clear()
            self._models[requested] = model
        return model

    async def _call_agent(self, row: BatchRow, requested: str) -> BatchResult:
        from ..agent import RunCompletedEvent

        assert self.agent is not None
        agent = self.agent()
        if not isinstance(agent.model, OpenAIResponses):
            raise UsageError(
                "agent must build an Agent on an OpenAIResponses or OpenRouterResponses model (the batch sets its "
                f"id, retries and connection pool), got {type(agent.model).__name__}"
            )
        agent.model = dataclasses.replace(agent.model, id=requested, max_retries=0)
        if row.instructions is not None:
            agent.instructions = row.instructions
        async for event in agent.arun(_agent_input(row.input), stream=True, stream_events=True):
            if isinstance(event, RunCompletedEvent):
                out = event.output
                last = out.responses[-1] if out.responses else None
                content = out.content
                text = content if isinstance(content, str) or content is None else _dump(content)
                return BatchResult(
                    row.custom_id,
                    requested,
                    model=out.model,
                    text=text,
                    output=out.items,
                    status="completed",
                    response_id=last.id if last else None,
                    generation_id=last.generation_id if last else None,
                    usage=_agent_usage(out.metrics.as_dict()),
                    cost=_money(out.metrics.cost),
                    time_to_first_token=out.metrics.time_to_first_token,
                    duration=out.metrics.duration,
                )
        raise AssertionError("an agent run ends in RunCompletedEvent or raises")  # pragma: no cover

    def _default_model_id(self) -> str:
        if self.model is not None:
            return self.model.id
        if self._agent_model_id is None:
            assert self.agent is not None
            self._agent_model_id = self.agent().model.id
        return self._agent_model_id

    def _count(self, result: BatchResult) -> None:
        self.stats.done += 1
        if result.error is not None:
            self.stats.errors += 1
        if result.cost is not None:
            self.stats.cost += result.cost


async def _call_model(model: OpenAIResponses, row: BatchRow, requested: str) -> BatchResult:
    """One streamed call (streaming is what gives the time to first token), read to its end so the
    connection goes back to the pool instead of being closed with a half-read body.

    Times run from the send, so a slow first byte counts: the stream's own clock starts at the headers.
    """
    options = {"instructions": row.instructions} if row.instructions is not None else {}
    started = time.perf_counter()
    first: float | None = None
    done: ResponseCompleted | None = None
    async for event in model.ainvoke_stream(row.input, **options):
        if first is None:
            first = time.perf_counter() - started
        if isinstance(event, ResponseCompleted):
            done = event
    assert done is not None, "a stream ends in ResponseCompleted or raises"
    r = done.response
    usage = {k: v for k in _USAGE_FIELDS if _count_value(v := getattr(r.usage, k))}
    return BatchResult(
        row.custom_id,
        requested,
        model=r.model,
        text=r.text,
        output=r.output,
        status=r.status,
        response_id=r.id,
        generation_id=r.generation_id,
        usage=usage,
        cost=_money(r.usage.cost),
        time_to_first_token=first,
        duration=time.perf_counter() - started,
    )


def _as_row(raw: Row, index: int) -> BatchRow:
    if isinstance(raw, BatchRow):
        return raw
    if isinstance(raw, str):
        return BatchRow(custom_id=str(index), input=raw)
    if isinstance(raw, Mapping):
        from ._jsonl import row_from_json

        return row_from_json(raw, f"row {index}")
    raise UsageError(f"rows must be BatchRow, str or dict items, got {type(raw).__name__} at row {index}")


def _agent_input(value: Any) -> Any:
    return value if isinstance(value, str) else [dict(item) for item in value]


def _agent_usage(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("input_tokens", "output_tokens", "total_tokens", "reasoning_tokens")
    return {k: metrics[k] for k in keys if _count_value(metrics.get(k))}


def _count_value(value: Any) -> bool:
    """A token count worth keeping: a non-negative int (the network may send strings, floats, NaN)."""
    return type(value) is int and value >= 0  # not `isinstance`: a bool is an int too


def _money(value: float | None) -> float | None:
    """A cost that can be summed against a budget: NaN, infinite or negative costs are unknown costs."""
    return value if isinstance(value, float) and math.isfinite(value) and value >= 0 else None


def _estimate(row: BatchRow) -> int:
    """Input tokens, roughly (4 bytes a token): what a tpm pace books before the call."""
    text = row.input if isinstance(row.input, str) else json.dumps(row.input, default=str)
    return len(text) // 4 + 1


def _dump(value: Any) -> str:
    dump = getattr(value, "model_dump_json", None)
    return dump() if callable(dump) else str(value)


def _check_positive(name: str, value: object, *, integer: bool = False) -> None:
    if value is None and not integer:
        return
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not (value > 0 and math.isfinite(value)):
        what = "a positive integer" if integer else "a positive finite number or None"
        raise UsageError(f"{name} must be {what}, got {value!r}")
