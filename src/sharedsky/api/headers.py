"""Security headers on every response the server sends: API answers, errors, event streams and
the console's files.

Every response gets ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
``Referrer-Policy: no-referrer``; one without a Content-Security-Policy of its own gets
``API_CONTENT_SECURITY_POLICY`` (nothing may be loaded, nothing may frame it), while the console
sends its own (``api/console.py``: scripts, styles, images and connections from this origin
only). ``Strict-Transport-Security`` is sent only on a request that came over TLS (the ASGI
scope's scheme is ``https``, as uvicorn sets it behind ``--proxy-headers`` too): over plain HTTP
it would mean nothing, and a browser ignores it there.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The policy of a response that is not a console page: it loads nothing and is never framed."""
HSTS_MAX_AGE_S = 31_536_000
"""How long a browser keeps to HTTPS for this host after a response over TLS (one year)."""

_CSP = b"content-security-policy"
_ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_HSTS = (b"strict-transport-security", f"max-age={HSTS_MAX_AGE_S}".encode())


class SecurityHeaders:
    """ASGI middleware: see the module docstring. A header the response already has is not
    sent twice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = (*_ALWAYS, (_CSP, API_CONTENT_SECURITY_POLICY.encode()))
        if scope.get("scheme") == "https":
            extra = (*extra, _HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
