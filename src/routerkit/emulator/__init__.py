"""A local OpenRouter: a real HTTP server speaking ``/api/v1/responses`` and ``/api/v1/models``.

For tests, benchmarks and the offline demo. ``Emulator()`` runs it in a background thread;
``serve()`` / ``python -m routerkit.emulator [--port N]`` in the foreground.

Requests need ``Authorization: Bearer <anything>``. Model ids (a contract other code relies on):

==========================================  =========================================================
``emulator/echo``                           the last user message back, one word per delta, then what
                                            media it carried ("Received 1 image (image/png, 12 KB).")
``emulator/markdown-N``                     a markdown document of ~10·N bytes in exactly N deltas
``emulator/reasoning``                      ``reasoning_text`` deltas, then an answer
``emulator/reasoning-summary``              reasoning summary deltas, then an answer
``emulator/reasoning-encrypted``            a reasoning item with only ``encrypted_content`` (HMAC of
                                            the item id, per-process secret); replaying an ``rs_enc_``
                                            item altered or without it → 400
``emulator/tool``                           calls the first function tool with schema-valid arguments;
                                            every tool in parallel if the last user message says "all
                                            tools" / "every tool" (and ``parallel_tool_calls`` is not
                                            false); ``tool_choice: {type: function, name}`` picks one.
                                            When ``function_call_output`` items follow the last user
                                            message, answers with those outputs verbatim.
``emulator/json``                           JSON valid for ``text.format`` (json_schema)
``emulator/fail-STATUS``                    that status, OpenRouter body; 429 → ``Retry-After: 1``,
                                            503 → ``Retry-After: 1``
``emulator/fail-429-ms`` / ``-none``        429 with ``retry-after-ms: 200`` / no retry header
``emulator/fail-503-in-400``                HTTP 400 with ``error.code`` 503
``emulator/unavailable``                    503 no available provider
``emulator/html-502``                       502 HTML page
``emulator/slow-MS``                        echo, after MS milliseconds (a provider's latency)
``emulator/flaky-N``                        503 for the first N sends of an ``input``, then echo
``emulator/stall`` / ``truncate``           3 deltas, then silence (≤120 s) / close without terminal
``emulator/error-event|failed|incomplete``  3 deltas, then ``error`` / ``response.failed`` /
                                            ``response.incomplete``
``<id>@MS``                                 deltas MS milliseconds apart (absolute schedule)
``openai/gpt-oss-20b`` …                    realistic ids (see ``GET /models``)
==========================================  =========================================================

Media parts (``input_image``, ``input_file``, ``input_audio``, ``input_video``) are checked as OpenRouter
does: a missing ``detail`` or an audio format other than wav/mp3 is a 400 ``invalid_prompt``; base64 that does
not decode, or an image whose bytes are no image, is a 400 "Provider returned error".

Reasoning replay, as the upstreams do it: ``include: ["reasoning.encrypted_content"]`` gives reasoning
items an ``encrypted_content`` (and an ``rs_enc_`` id). The ``openai/*`` ids and ``emulator/reasoning*``
answer 400 "Item with id 'rs_…' not found. Items are not persisted when `store` is set to false. …" when
an ``rs_`` item comes back in ``input`` without ``encrypted_content``; other ids accept it.

Capabilities: an ``openrouter:web_search`` (or ``web_search*``) tool, ``plugins: [{"id": "web"}]`` or a
``:online`` suffix adds a ``web_search_call`` and an answer with ``url_citation`` annotations; ``modalities``
with ``"image"`` (or ``openrouter:image_generation``) adds an ``image_generation_call`` with a PNG;
``openrouter:datetime`` adds its item (a fixed moment in the tool's ``timezone``); a long prompt sent again
(same model and ``prompt_cache_key`` or ``session_id``) reads ``cached_tokens`` (``anthropic/*`` with
``cache_control`` also reports ``cache_write_tokens``); ``provider.only`` / ``ignore`` that exclude the
model's provider → 404; ``openrouter/auto``, ``~openai/gpt-latest`` and ``@preset/emulator`` are served by
another model. Realistic ids answer as the real service does (keep-alives between events, ``"usage": null`` in
the opening events, raw reasoning inside ``content_part`` events, ``format`` on raw reasoning, ``phase`` on
messages, gpt-oss closing its reasoning after the message, JSON bodies without a top-level ``status``) unless
``X-Emulator-Mode: clean``.
``GET /generation?id=``, ``/key``, ``/credits`` and ``/models/user`` answer in OpenRouter's shapes.

Fallback: ``model`` then ``models`` in order; pre-stream failures move on; ``response.model`` is the
served model. ``X-OpenRouter-Metadata: enabled`` adds ``openrouter_metadata``. ``X-Emulator-Framing:
openai`` switches streams to ``event:`` lines without ``[DONE]``. :func:`encode_event` is that one SSE
encoder, for tests that build streams by hand. ``Emulator(rate_limit=RateLimit(N, S))`` (``routerkit emulator
--rpm N``): past N requests in S seconds the account answers 429 with ``Retry-After``.
"""

from ._account import RateLimit
from ._framing import Framing, encode_event
from ._script import DONE, Close, Pause, RecordedRequest, Reply, Reset, ScriptedReply, Step, StreamReply
from ._server import Emulator, main, serve

__all__ = [
    "DONE",
    "Close",
    "Emulator",
    "Framing",
    "Pause",
    "RateLimit",
    "RecordedRequest",
    "Reply",
    "Reset",
    "ScriptedReply",
    "Step",
    "StreamReply",
    "encode_event",
    "main",
    "serve",
]
