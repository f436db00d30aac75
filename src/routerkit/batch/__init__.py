"""`routerkit.batch`: many Responses calls at once — streamed rows, limits, budget, results as they finish.

```python
from routerkit.batch import Batch
from routerkit.models.openrouter import OpenRouterResponses

batch = Batch(model=OpenRouterResponses(id="openai/gpt-4o-mini"), concurrency=32, rpm=600, max_cost=5.0)
for result in batch.run(["What is 2+2?", "Name a prime."]):
    print(result.custom_id, result.text if result.ok else result.error)
```

`Batch.arun` is the async form. `routerkit batch IN.jsonl -o OUT.jsonl` and `routerkit.ray.ResponsesMapper`
are shells around the same engine.
"""

from ._core import Batch, BatchStats
from ._limits import Concurrency, LocalPace, Pace, PaceGate
from ._rows import BatchResult, BatchRow, error_facts

__all__ = [
    "Batch",
    "BatchResult",
    "BatchRow",
    "BatchStats",
    "Concurrency",
    "LocalPace",
    "Pace",
    "PaceGate",
    "error_facts",
]
