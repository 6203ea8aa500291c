"""The HTTP/1.1 protocol of ``serve``: uvicorn's httptools protocol with two additions.

1. **The client certificate in the scope.** uvicorn builds the ASGI scope without the TLS
   extension. asyncio (and uvloop) call ``connection_made`` once the TLS handshake is done, so
   the protocol reads the connection's ``ssl_object`` there, once, and puts the extension
   (`api.tls.tls_extension`) into every request's scope on that connection.
2. **A time limit on request heads.** uvicorn's keep-alive timeout closes a connection that
   stays silent after a response, but nothing bounds a client that opens a connection and
   sends nothing, or sends its request line and headers a byte at a time (any byte resets the
   keep-alive timer): each such connection holds a socket forever. Here a connection must
   finish each request head within ``head_timeout_s`` seconds of being opened or of the
   previous response, or it is closed. The body is the app's to bound (`api.limits`).

It is handed to uvicorn as ``Config(http=protocol_class(head_timeout_s))``; uvicorn calls it
with its usual arguments. Everything else is uvicorn's own code.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sharedsky.api.tls import TLS_EXTENSION, tls_extension

DEFAULT_HEAD_TIMEOUT_S = 10.0


class ServeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus the TLS extension and the head timeout."""

    head_timeout_s: float = DEFAULT_HEAD_TIMEOUT_S
    """Seconds a connection has to send a complete request head (set by `protocol_class`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tls: dict[object, object] | None = None
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # the base class narrows the parameter the same way (asyncio passes a Transport)
        super().connection_made(transport)
        extension = tls_extension(transport.get_extra_info("ssl_object"))
        if extension is not None:
            self._tls = {key: value for key, value in extension.items()}
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls is not None:
            self.scope["extensions"] = {TLS_EXTENSION: self._tls}

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        busy = self.cycle is not None and not self.cycle.response_complete
        if not busy and not self.transport.is_closing():  # a pipelined request is in hand
            self.transport.close()


def protocol_class(head_timeout_s: float) -> type[ServeProtocol]:
    """`ServeProtocol` with this head timeout, in seconds, for uvicorn's ``http=``."""
    return type("ServeProtocol", (ServeProtocol,), {"head_timeout_s": head_timeout_s})
