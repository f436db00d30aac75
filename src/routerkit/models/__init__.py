"""Models: the Responses API over HTTP (`OpenAIResponses`, `OpenRouterResponses`) and the model list."""

from ._catalog import list_models

__all__ = ["list_models"]
