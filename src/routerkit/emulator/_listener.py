"""The emulator's listening socket: Nagle off on every connection, and each connection findable by peer.

Two things the ASGI interface cannot do are done here with plain socket calls, so nothing depends on a
server's internals: TCP_NODELAY on accepted sockets (with Nagle on, a reply's body waits behind its
headers for the client's delayed ACK, ~40 ms a request on Linux), and socket-level faults (close without
finishing the response, reset) on the connection behind a request, found by its ``scope["client"]``.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import weakref
from typing import Any

__all__ = ["Listener", "close_connection"]


class Listener(socket.socket):
    """A listening TCP socket that remembers the connections it accepted (weakly, by peer address).

    The event loop accepts through :meth:`accept`, as asyncio's selector loop does for the sockets
    handed to ``loop.create_server(sock=...)`` (the emulator always runs on an asyncio loop).
    """

    def __init__(self, host: str, port: int) -> None:
        # proto IPPROTO_TCP (not 0): accepted sockets inherit it, and asyncio only sets TCP_NODELAY on
        # sockets whose proto says TCP. accept() also sets it itself.
        super().__init__(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._accepted: weakref.WeakValueDictionary[tuple[str, int], socket.socket] = weakref.WeakValueDictionary()
        self.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.bind((host, port))
        self.listen(128)
        self.setblocking(False)

    def accept(self) -> tuple[socket.socket, Any]:
        """Accept as usual; turn Nagle off and remember the connection."""
        conn, addr = super().accept()
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._accepted[(str(addr[0]), int(addr[1]))] = conn
        return conn, addr

    def connection(self, client: Any) -> socket.socket | None:
        """The accepted socket whose peer is ``client`` (an ASGI ``scope["client"]``), if still open."""
        if not isinstance(client, list | tuple) or len(client) < 2:
            return None
        conn = self._accepted.get((str(client[0]), int(client[1])))
        return conn if conn is not None and conn.fileno() != -1 else None


def close_connection(conn: socket.socket | None, *, reset: bool) -> None:
    """End a connection under the server's feet: FIN now (``reset=False``) or RST (``reset=True``).

    Only ``shutdown`` is called, never ``close``: the event loop still owns the file descriptor. It reads
    end-of-file next and closes the connection itself — with SO_LINGER 0 that close is a reset.
    """
    if conn is None:
        return
    with contextlib.suppress(OSError):
        if reset:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.shutdown(socket.SHUT_RD)
        else:
            conn.shutdown(socket.SHUT_RDWR)
