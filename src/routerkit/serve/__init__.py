"""`routerkit serve`: an agent as an OpenAI-Responses-compatible endpoint, with a web chat page at `/`.

`POST /v1/responses` (JSON, or streamed with OpenRouter's SSE framing), `GET /v1/models`; a request's
`conversation` (or `previous_response_id`) is the agent's session, so any Responses client can hold a
conversation with the agent as if it were a model. Bound to 127.0.0.1 unless told otherwise, and then only
with a key.
"""

from ._app import ServeApp
from ._server import load_agent, serve

__all__ = ["ServeApp", "load_agent", "serve"]
