"""The operator console: the built web assets (``web/`` → ``console_assets/``) served at ``/``.

``make assets`` builds them; until then every console path answers ``503`` with a page that says
how. The console's only origin is this server: a Content-Security-Policy keeps the browser from
loading anything (tiles, fonts, scripts) from anywhere else.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from sharedsky.api.errors import problem

ASSETS_DIR = Path(__file__).with_name("console_assets")
"""Where ``web/build.mjs`` writes the built console (not committed)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'"
)
"""Everything from this origin only; inline styles because Leaflet positions by style attribute."""

NOT_BUILT_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sharedsky console not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>The sharedsky console is not built</h1>
<p>The API works (see <code>/openapi.json</code>); the browser console's assets are missing
from <code>src/sharedsky/api/console_assets/</code>.</p>
<p>Build them with <code>make assets</code> (runs <code>npm ci</code> and the build in
<code>web/</code>), then reload this page.</p>
</body></html>
"""


class ConsoleAssets:
    """ASGI app serving ``directory`` (``index.html`` at ``/``) with the console's security
    headers, or a ``503`` page while ``index.html`` is missing. Checked per request, so assets
    built after the server started are served without a restart."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files = StaticFiles(directory=directory, html=True, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope.get("path", "")
        if path == "/v1" or path.startswith("/v1/"):  # an API path no route took: the API's 404
            answer = problem(404, "Not Found", "Not Found", "not-found", [])
            await answer(scope, receive, send)
            return
        if not (self.directory / "index.html").is_file():
            await self._not_built(send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self._files(scope, receive, send_with_headers)

    @staticmethod
    async def _not_built(send: Send) -> None:
        body = NOT_BUILT_HTML.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", b"60"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, directory: Path = ASSETS_DIR) -> None:
    """Mount the console at ``/``. Call it after every API route: a mount at ``/`` matches
    every path, so only the routes registered before it win."""
    app.mount("/", ConsoleAssets(directory), name="console")
