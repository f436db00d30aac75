"""Encrypted reasoning: sealing the items the emulator emits and checking the ones a client sends back.

``encrypted_content`` is an HMAC of the item id under a per-process secret, so a replay can be checked
without storing anything (like the real thing, the emulator is stateless). Replays are refused with the
400 the upstream sends (wire reference §6.3): an ``rs_enc_`` item altered or without its
``encrypted_content`` on any model, and any ``rs_`` item without ``encrypted_content`` on a model served
as by OpenAI (``store`` is always false on OpenRouter, so the upstream has nothing to look the id up in).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from ._models import ModelSpec, provider_name
from ._outcomes import Failure, dumps
from ._request import Request

__all__ = ["Sealer"]


class Sealer:
    """Signs reasoning items and verifies replayed ones (one secret per engine)."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def seal(self, item_id: str, model: str) -> str:
        """The ``encrypted_content`` for ``item_id`` (Fernet-looking: ``gAAAAA`` + payload + MAC)."""
        payload = base64.urlsafe_b64encode(dumps({"model": model, "v": 1}).encode()).decode().rstrip("=")
        mac = hmac.new(self._secret, f"{item_id}.{payload}".encode(), hashlib.sha256).digest()
        return f"gAAAAA{payload}.{base64.urlsafe_b64encode(mac).decode()}"

    def verify(self, item_id: str, encrypted: Any) -> bool:
        """Whether ``encrypted`` is what :meth:`seal` gave for ``item_id``."""
        if not isinstance(encrypted, str) or not encrypted.startswith("gAAAAA") or "." not in encrypted:
            return False
        payload, _, mac_b64 = encrypted[6:].partition(".")
        try:
            mac = base64.urlsafe_b64decode(mac_b64)
        except ValueError:
            return False
        want = hmac.new(self._secret, f"{item_id}.{payload}".encode(), hashlib.sha256).digest()
        return hmac.compare_digest(mac, want)

    def replay_failure(self, req: Request, spec: ModelSpec) -> Failure | None:
        """The upstream's 400 for the first replayed reasoning item ``spec``'s provider cannot accept."""
        for item in req.items:
            rid = item.get("id")
            if item.get("type") != "reasoning" or not isinstance(rid, str) or not rid.startswith("rs_"):
                continue
            encrypted = item.get("encrypted_content")
            sealed_here = rid.startswith("rs_enc_")
            if not encrypted and (sealed_here or spec.openai_upstream):
                return _upstream_400(spec, _not_found(rid))
            if sealed_here and not self.verify(rid, encrypted):
                return _upstream_400(spec, f"The encrypted content for item {rid} could not be verified.")
        return None


def _not_found(rid: str) -> str:
    return (
        f"Item with id '{rid}' not found. Items are not persisted when `store` is set to false. "
        "Try again with `store` set to true, or remove this item from your input."
    )


def _upstream_400(spec: ModelSpec, message: str) -> Failure:
    """OpenRouter's envelope around the upstream's own error body (kept verbatim in ``metadata.raw``)."""
    raw = dumps(
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": "input",
                "code": "invalid_encrypted_content",
            }
        }
    )
    metadata = {"raw": raw, "provider_name": provider_name(spec.base)}
    return Failure(400, {"error": {"code": 400, "message": message, "metadata": metadata}})
