"""`routerkit.batch.Batch` against the emulator: results as rows finish, failed rows as typed results,
rows read lazily, the budget, the shared cool-down under 429 storms, and refusing bad options."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from routerkit.batch import Batch, BatchRow, Concurrency, Pace
from routerkit.emulator import Emulator, RateLimit
from routerkit.errors import BadRequestError, RateLimitError, UsageError
from routerkit.models.openrouter import OpenRouterResponses

from ..conftest import TEST_KEY


def test_every_row_answered_and_a_failed_row_is_a_result(make_model, emu):
    rows = [f"hello {i}" for i in range(30)]
    rows.append({"custom_id": "bad", "input": "x", "model": "emulator/fail-400"})
    batch = Batch(model=make_model("emulator/echo"), concurrency=8)
    results = {r.custom_id: r for r in batch.run(rows)}
    assert len(results) == 31
    assert all(results[str(i)].text == f"hello {i}" for i in range(30))
    ok = results["0"]
    assert ok.model == "emulator/echo" and ok.cost and ok.cost > 0 and ok.usage["output_tokens"] > 0
    assert ok.time_to_first_token is not None and ok.attempts == 1 and not ok.fallback_used
    bad = results["bad"]
    assert (
        isinstance(bad.error, BadRequestError) and bad.error.status == 400 and bad.error.models == ["emulator/fail-400"]
    )
    assert bad.requested_model == "emulator/fail-400" and not bad.ok
    assert batch.stats.done == 31 and batch.stats.errors == 1
    assert TEST_KEY not in repr(bad) + str(bad.error)


def test_row_options_and_fallback_are_sent_and_reported(make_model, emu):
    row = BatchRow(
        "r1",
        "hi",
        model="emulator/fail-503",
        options={"models": ["emulator/fail-503", "emulator/echo"], "temperature": 0.2},
    )
    [result] = Batch(model=make_model(), max_retries=0).run([row])
    assert result.ok and result.model == "emulator/echo" and result.fallback_used
    body = emu.requests[-1].body
    assert body["temperature"] == 0.2 and body["models"] == ["emulator/fail-503", "emulator/echo"]


class CountedRows:
    """`n` rows ("row 0", "row 1"...), counting how many the batch has read so far."""

    def __init__(self, n: int) -> None:
        self.n, self.read = n, 0

    def __iter__(self) -> Iterator[str]:
        for i in range(self.n):
            self.read += 1
            yield f"row {i}"


def test_rows_are_read_as_slots_free_up_not_all_at_once(make_model, emu):
    rows = CountedRows(200)
    results = Batch(model=make_model(), concurrency=4).run(rows)
    next(results)
    assert rows.read <= 2 * 4 + 1  # at most: the rows in flight, those waiting for the caller, and the next one
    assert len(list(results)) == 199


async def test_a_caller_that_stops_taking_results_holds_new_rows_back(make_model, emu):
    # Finished rows wait for the caller, at most `concurrency` of them, then the workers stop reading: a slow
    # writer never makes the batch read (and pay for) the rest of the file ahead of it.
    rows = CountedRows(50)
    results = Batch(model=make_model(), concurrency=2).arun(rows)
    taken = [await anext(results)]
    for _ in range(200):  # the workers run on while the caller holds off
        if rows.read >= 5:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    assert rows.read == 5  # one taken, two waiting for the caller, two more finished by the blocked workers
    taken += [r async for r in results]
    assert sorted(r.text for r in taken) == sorted(f"row {i}" for i in range(50))


async def test_async_driver_and_retry_of_a_transient_failure(make_model, emu):
    batch = Batch(model=make_model("emulator/flaky-1"), concurrency=2)
    results = [r async for r in batch.arun(["a", "b"])]
    assert sorted(r.text for r in results) == ["a", "b"]
    assert all(r.attempts == 2 for r in results) and batch.stats.retries == 2
    assert len(emu.requests) == 4


def test_max_cost_stops_starting_rows(make_model, emu):
    batch = Batch(model=make_model(), concurrency=1, max_cost=1e-9)
    results = list(batch.run([f"row {i}" for i in range(10)]))
    assert len(results) == 1 and batch.stats.stopped == "max_cost"
    assert len(emu.requests) == 1


def test_429_storm_converges_without_failing_rows():
    with Emulator(rate_limit=RateLimit(10, 1.0)) as emu:
        model = OpenRouterResponses(id="emulator/echo", base_url=emu.base_url, api_key=TEST_KEY)
        batch = Batch(model=model, concurrency=16)
        results = list(batch.run([f"row {i}" for i in range(60)]))
        sent = len(emu.requests)
    assert len(results) == 60 and all(r.ok for r in results)
    assert batch.stats.rate_limited > 0 and batch.slots is not None and batch.slots.cuts >= 1
    # Cool-downs are shared: far fewer than one 429 per row, where each row retrying alone would storm.
    assert sent - 60 == batch.stats.rate_limited < 60
    assert batch.slots.limit < 16  # settled below the starting concurrency: the storm was heard by every row


async def test_cut_concurrency_holds_new_rows_until_enough_slots_free():
    # The slot bookkeeping alone (no calls needed): after a cut, rows wait until in-flight drops below the limit.
    slots = Concurrency(4)
    epochs = [await slots.acquire() for _ in range(4)]
    slots.rate_limited(epochs[0])  # 4 → 2 while 4 are in flight
    waiter = asyncio.ensure_future(slots.acquire())
    await slots.release()  # 3 in flight: still not below 2
    await asyncio.sleep(0)
    assert not waiter.done()
    await slots.release()
    await slots.release()  # 1 in flight: the waiting row starts
    assert await asyncio.wait_for(waiter, 5) == 1 and slots.active == 2


def test_rpm_pace_spaces_starts_and_a_429_is_retried_never_paid_twice():
    # The schedule, on a clock the test moves: request k of 240 rpm may start k/4 s after the first.
    now = [100.0]
    pace = Pace(rpm=240, clock=lambda: now[0])
    assert [pace.reserve() for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    now[0] += 10  # an idle spell earns no burst
    assert [pace.reserve(), pace.reserve()] == [0.0, 0.25]
    pace.cool_down(2.0)  # a 429's Retry-After holds every start
    assert pace.reserve() == 2.0
    # Against the account's 5 a second: a loaded machine can bunch two paced sends into one window and get a
    # 429, which is retried; every row is answered and the server saw one request per row plus the 429s.
    with Emulator(rate_limit=RateLimit(5, 1.0)) as emu:
        model = OpenRouterResponses(id="emulator/echo", base_url=emu.base_url, api_key=TEST_KEY)
        batch = Batch(model=model, concurrency=8, rpm=240)  # 4 a second under a limit of 5 a second
        results = list(batch.run([f"row {i}" for i in range(10)]))
        sent = len(emu.requests)
    assert len(results) == 10 and all(r.ok for r in results)
    assert sent == 10 + batch.stats.rate_limited


def test_exhausted_rate_limit_is_an_error_row_with_its_facts(make_model, emu):
    [result] = Batch(model=make_model("emulator/fail-429-ms"), max_retries=1).run(["x"])
    assert isinstance(result.error, RateLimitError) and result.error.retry_after == 0.2 and result.attempts == 2


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({}, "model="),
        ({"concurrency": 0}, "concurrency"),
        ({"rpm": -1}, "rpm"),
        ({"max_cost": float("nan")}, "max_cost"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_bad_options_are_refused_before_any_request(make_model, emu, kwargs, names):
    if kwargs:
        kwargs["model"] = make_model()
    with pytest.raises(UsageError, match=names):
        Batch(**kwargs)
    assert emu.requests == []


def test_bad_row_is_refused_with_its_position(make_model, emu):
    with pytest.raises(UsageError, match="row 1"):
        list(Batch(model=make_model()).run(["ok", {"input": "no id"}]))


def test_hostile_usage_values_never_reach_the_budget_or_the_output(make_model, emu):
    import json

    from routerkit.batch._jsonl import result_line
    from routerkit.emulator import StreamReply

    item = {"type": "message", "id": "m1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "hi", "annotations": []}]}  # fmt: skip
    usage = {"input_tokens": "many", "output_tokens": -3, "total_tokens": True, "cost": "NaN"}
    completed = {"id": "r1", "object": "response", "model": "emulator/echo", "status": "completed",
                 "output": [item], "usage": usage}  # fmt: skip
    emu.enqueue(StreamReply([{"type": "response.completed", "response": completed}, b"data: [DONE]\n\n"]))
    batch = Batch(model=make_model(), max_cost=1.0)
    [result] = batch.run(["x"])
    assert result.ok and result.text == "hi"
    assert result.cost is None and result.usage == {} and batch.stats.cost == 0.0
    json.dumps(result_line(result), allow_nan=False)
