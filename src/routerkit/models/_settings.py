"""Checks on a model's connection settings, run when the model is made: a bad value costs no request.

Kept apart from the model class so the model list (`_catalog.py`) applies exactly the same rules.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..wire._errors import UsageError

__all__ = ["check_base_url", "check_size", "is_loopback_host"]


def check_base_url(url: object, *, allow_insecure_http: bool) -> str:
    """`url` without a trailing slash, if it is an http(s) base URL the API key may be sent to.

    Refused: other schemes, no host, a port that is not a number, userinfo (a password in the URL would
    show in every repr, error and log, and httpx2 would send it as Basic auth), a query or a fragment (the
    path `/responses` is appended, so they would be silently misplaced), and plain http to another machine
    unless `allow_insecure_http`.
    """
    if not isinstance(url, str):
        raise UsageError(f"base_url must be text such as 'https://openrouter.ai/api/v1', got {type(url).__name__}")
    parts = urlsplit(url.strip())
    if "@" in parts.netloc or (not parts.netloc and "@" in url):
        raise UsageError(
            "base_url must not hold a user name or password (user:password@host); pass the API key as "
            "api_key=... and put any other credential in extra_headers"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"base_url must be an http(s) URL such as 'https://openrouter.ai/api/v1', got {url!r:.200}")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise UsageError(f"base_url has a port that is not a number from 0 to 65535: {url!r:.200}") from None
    if parts.query or parts.fragment or url.strip().endswith(("?", "#")):
        raise UsageError(f"base_url must not have a query string or fragment ('?…', '#…'), got {url!r:.200}")
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback_host(parts.hostname):
        raise UsageError(
            f"base_url {url!r:.200} is plain http to a non-loopback host, which would send the API key "
            "unencrypted; use https, or pass allow_insecure_http=True if you mean it"
        )
    return url.strip().rstrip("/")


def check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{name} must be a positive number of bytes, got {value!r}")
    return value


def is_loopback_host(host: str) -> bool:
    """Whether `host` is this machine, where plain http cannot expose the API key to the network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
