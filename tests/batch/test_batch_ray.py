"""`routerkit.ray.ResponsesMapper` in a real local Ray (2 CPUs, no dashboard) against the emulator: a small
`map_batches` pipeline on two actors adds answer/model/cost/error columns, every row paid once, under one
shared pace."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'routerkit[ray]' to run these tests")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'routerkit[ray]'")

from routerkit.emulator import Emulator, RateLimit  # noqa: E402

# Ray's own modules warn about their deprecated settings on import: Ray's business, not a failure here.
# Starting Ray and its worker processes takes seconds, and minutes on a loaded 2-core machine (240 s ran out at
# load 17): the timeout is a bound on a hang, not a speed check.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning"),
    pytest.mark.timeout(600),
]

TEST_KEY = "sk-or-v1-ray-canary-7a0d2c4e6f8b1d3a"
PACE = "routerkit-test-pace"


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    options: dict[str, Any] = dict(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        namespace="routerkit-tests",
        runtime_env={"env_vars": {"OPENROUTER_API_KEY": TEST_KEY}},
    )
    try:
        ray.init(**options)
    except Exception as exc:  # Ray gives its raylet a fixed 30 s to register, which load 15 can exceed: once more
        if "timed out during startup" not in str(exc):
            raise
        ray.shutdown()
        ray.init(**options)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def limited() -> Iterator[Emulator]:
    with Emulator(rate_limit=RateLimit(8, 1.0)) as emu:
        yield emu


def test_pipeline_on_two_actors_answers_every_row_once_and_adds_columns(ray_local, limited):
    from routerkit.ray import ResponsesMapper

    ds = ray.data.from_items([{"input": f"question {i}"} for i in range(32)]).map_batches(
        ResponsesMapper,
        fn_constructor_kwargs={
            "model": "emulator/echo",
            "base_url": limited.base_url,
            "concurrency": 8,
            "rpm": 360,  # 6 a second for both actors together, under the account's 8
            "pace_name": PACE,
        },
        batch_size=8,
        compute=ray.data.ActorPoolStrategy(size=2),
    )
    out = {row["input"]: row for row in ds.take_all()}
    assert len(out) == 32
    row = out["question 3"]
    assert row["answer"] == "question 3" and row["model"] == "emulator/echo"
    assert all(r["error"] is None and r["cost"] > 0 for r in out.values())
    # What the server saw: each row answered (and billed) exactly once; any extra request was a refused 429
    # that was retried. A loaded machine may bunch the paced sends into a 429; it must never cost a row twice.
    sent = [r.body["input"] for r in limited.requests if r.path.endswith("/responses")]
    assert set(sent) == set(out)
    billed = httpx2.get(limited.base_url + "/credits", headers={"Authorization": f"Bearer {TEST_KEY}"})
    assert billed.json()["data"]["total_usage"] == pytest.approx(sum(r["cost"] for r in out.values()), rel=1e-9)
    assert TEST_KEY not in repr(out)


def test_every_process_books_its_requests_on_one_pace(ray_local):
    """Two Ray tasks (in worker processes, as mappers are) ask the named pace for a start: the second waits
    for the first's booking (60 s apart at 1 rpm), so actors anywhere share the account's limit, not one each."""
    from routerkit.ray import shared_pace

    @ray.remote(num_cpus=0)
    def book() -> float:
        return float(ray.get(shared_pace(rpm=1, name="routerkit-test-one-rpm").reserve.remote(0)))

    first, second = sorted(ray.get([book.remote(), book.remote()]))
    assert first == 0.0 and second > 30.0


def test_failed_rows_fill_the_error_column(ray_local, monkeypatch):
    from routerkit.ray import ResponsesMapper

    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)  # the mapper runs here, in the driver
    mapper = ResponsesMapper(
        "emulator/echo", base_url="http://127.0.0.1:9/api/v1", max_retries=0, pace_name=PACE, concurrency=2
    )
    batch = ray_local.data.from_items([{"input": "x"}]).take_batch(1, batch_format="numpy")
    try:
        out = mapper(batch)
    finally:
        mapper.close()
    assert out["answer"][0] is None and "Connection failed" in out["error"][0] and math.isnan(out["cost"][0])
