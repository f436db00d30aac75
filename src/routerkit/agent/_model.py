"""What an `Agent` needs from its model, as a protocol: any object with these members plugs in.

`OpenAIResponses` and `OpenRouterResponses` satisfy it; so does a test double or another provider's model,
without subclassing. The options the agent passes are keyword arguments the model forwards to its request:
`instructions`, `tools`, `text_format` and `include`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from ..wire._events import StreamEvent
from ..wire._response import ModelResponse

__all__ = ["Model"]


@runtime_checkable
class Model(Protocol):
    """A Responses model as the agent uses it.

    `reasoning` is the model's reasoning configuration (None when it does not ask for reasoning): the agent
    asks for encrypted reasoning only when it is set. The streams end in a `ResponseCompleted` event.
    """

    id: str
    reasoning: dict[str, Any] | None

    def invoke(self, input: Sequence[Mapping[str, Any]], **options: Any) -> ModelResponse: ...

    def invoke_stream(self, input: Sequence[Mapping[str, Any]], **options: Any) -> Iterator[StreamEvent]: ...

    async def ainvoke(self, input: Sequence[Mapping[str, Any]], **options: Any) -> ModelResponse: ...

    def ainvoke_stream(self, input: Sequence[Mapping[str, Any]], **options: Any) -> AsyncIterator[StreamEvent]: ...
