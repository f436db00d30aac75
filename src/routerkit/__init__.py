"""routerkit: agents on OpenRouter's Responses API."""

__version__ = "0.1.0"
