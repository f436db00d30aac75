"""Models: the Responses API over HTTP (`OpenAIResponses`, `OpenRouterResponses`) and the model list.

`routerkit.models.openrouter` and `routerkit.models.openai` are agno's module paths for the same classes.
"""

from ._catalog import list_models
from .openai import OpenAIResponses
from .openrouter import OpenRouterResponses

__all__ = ["OpenAIResponses", "OpenRouterResponses", "list_models"]
