"""The one TLS context every shared pool uses: certificates and host names checked against the system's CAs.

Loading the CAs costs tens of ms of CPU and ~0.7 MiB, so it is done once, on the first https request: a
plain-http base URL (the emulator, a local server) never pays for it, and a burst of new connections does not
load the bundle again each. The CAs are the system's, found as httpx2's default finds them: on macOS and
Windows the operating system's trust store (through `truststore`); elsewhere OpenSSL's compiled-in file or
directory, else the file the common Linux distributions keep. Not `SSL_CERT_FILE` or `SSL_CERT_DIR`: the
shared pools take no settings from the environment (pass your own `http_client` for that).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

__all__ = ["tls_context"]

#: Where Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE and FreeBSD keep the CA bundle.
_CA_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
)

_lock = threading.Lock()
_context: ssl.SSLContext | None = None


def tls_context() -> ssl.SSLContext:
    """The shared context, made on first use."""
    global _context
    with _lock:
        if _context is None:
            _context = _system_context()
        return _context


def _system_context() -> ssl.SSLContext:
    import ssl  # here: a plain-http base URL never needs it (~10 ms of every start)

    if sys.platform in ("darwin", "win32"):
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verify_mode CERT_REQUIRED and check_hostname on
    paths = ssl.get_default_verify_paths()
    cafile = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
    capath = paths.openssl_capath if os.path.isdir(paths.openssl_capath) else None
    if cafile is None and capath is None:
        cafile = next((path for path in _CA_FILES if os.path.isfile(path)), None)
    if cafile is not None or capath is not None:
        context.load_verify_locations(cafile, capath)
    return context
