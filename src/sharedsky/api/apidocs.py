"""The API reference in the browser: Swagger UI at ``/docs``, Redoc at ``/redoc``, both on
this server's ``/openapi.json`` and both from files built into ``console_assets/apidocs/`` by
``web/build.mjs`` (npm ``swagger-ui-dist`` and ``redoc``, pinned in ``web/package.json``).

Nothing is loaded from elsewhere: the pages name only this server's files, and their
Content-Security-Policy keeps the browser from fetching anything (scripts, styles, fonts,
a validator badge) from another origin. Until ``make assets`` has run they answer ``503``
with a page that says how, as the console does.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from sharedsky.api.console import ASSETS_DIR

ASSETS_PATH = "/apidocs"
"""Where the built files are served (the console's static files, ``console_assets/apidocs``)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
"""This origin only; inline styles and blob workers because both viewers make their own."""

SWAGGER_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>sharedsky API: Swagger UI</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/swagger-init.js"></script>
</body></html>
"""

REDOC_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>sharedsky API: Redoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ margin: 0; padding: 0; }}</style>
</head><body>
<div id="redoc"></div>
<script src="{ASSETS_PATH}/redoc.standalone.js"></script>
<script src="{ASSETS_PATH}/redoc-init.js"></script>
</body></html>
"""

NOT_BUILT_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sharedsky API docs not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>The API reference pages are not built</h1>
<p>The API works and describes itself at <code>/openapi.json</code>; the files of Swagger UI
and Redoc are missing from <code>src/sharedsky/api/console_assets/apidocs/</code>.</p>
<p>Build them with <code>make assets</code>, then reload this page.</p>
</body></html>
"""


def _page(html: str, directory: Path, needs: str) -> HTMLResponse:
    """``html`` with the pages' policy, or the 503 page while ``needs`` is not built."""
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}
    if not (directory / "apidocs" / needs).is_file():
        return HTMLResponse(NOT_BUILT_HTML, 503, headers={**headers, "Retry-After": "60"})
    return HTMLResponse(html, headers=headers)


def install(app: FastAPI, directory: Path = ASSETS_DIR) -> None:
    """Add ``GET /docs`` and ``GET /redoc`` to ``app`` (left out of the OpenAPI document);
    their files are served by the console's mount (`api.console.install`), from
    ``directory``."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(SWAGGER_HTML, directory, "swagger-ui-bundle.js")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(REDOC_HTML, directory, "redoc.standalone.js")
