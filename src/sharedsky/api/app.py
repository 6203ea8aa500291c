"""create_app(container): the FastAPI application over the use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI

from sharedsky import __version__
from sharedsky.api import apidocs, console, errors, openapi
from sharedsky.api.fastlane import MessagesFastLane
from sharedsky.api.headers import SecurityHeaders
from sharedsky.api.limits import Limits
from sharedsky.api.observability import Observability
from sharedsky.api.routes import (
    conflicts,
    formats,
    incidents,
    ledger,
    messages,
    meta,
    notices,
    operations,
    operators,
    stats,
    stream,
    tracks,
    webhooks,
    zones,
)
from sharedsky.bootstrap import Container
from sharedsky.tuning import ROUTER_ORDER, WORKER_THREADS

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(container: Container) -> FastAPI:
    """The API of one mechanism over the parts of ``container``, the app's one piece of state
    (``app.state.container``); OpenAPI 3.1 at /openapi.json. The app's lifespan starts the
    container's background parts and stops them (``Container.start``, ``Container.stop``).
    The API's reference is at /docs (Swagger UI) and /redoc, served offline (``api/apidocs.py``)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        await container.start()
        try:
            yield
        finally:
            await container.stop()

    app = _routed(lifespan)
    app.state.container = container
    errors.install(app)
    # the common case of POST /v1/messages is answered in front of the router (fastlane.py)
    app.add_middleware(MessagesFastLane, count=container.fast_lane)
    # then, each outside the one before: the limits (a refused request reaches neither the
    # lane nor the routes); request ids, logs and metrics (of refusals too); outermost the
    # security headers (on the 500 answers of ``Observability`` as well)
    app.add_middleware(Limits, limits=container.limits)
    app.add_middleware(Observability, metrics=container.metrics)
    app.add_middleware(SecurityHeaders)
    apidocs.install(app)  # /docs and /redoc, whose files the console's mount serves
    console.install(app)  # last: its mount at / must not shadow an API route
    return app


def document_app() -> FastAPI:
    """The routes alone, with no container, middleware or console: what the OpenAPI document
    describes (``api/openapi.py``); it serves nothing."""
    return _routed(None)


def _routed(lifespan: Lifespan | None) -> FastAPI:
    """A FastAPI app with every route of the API, and the completed OpenAPI document."""
    app = FastAPI(
        lifespan=lifespan,
        title="sharedsky",
        version=__version__,
        summary="Deconfliction mechanism: notices, zones, conflicts and acknowledgements.",
        docs_url=None,
        redoc_url=None,
    )
    routers = _routers()
    for name in ROUTER_ORDER:  # the order FastAPI tries them in, a tuning (tuning.py)
        app.include_router(routers[name])

    # the document declares the problem answers, and the events of GET /v1/events
    openapi.describe(app, *stream.EVENT_MODELS)
    return app


def _routers() -> dict[str, APIRouter]:
    """The API's routers by the name of their module in ``api/routes``."""
    modules = (
        conflicts,
        formats,
        incidents,
        ledger,
        messages,
        meta,
        notices,
        operations,
        operators,
        stats,
        stream,
        tracks,
        webhooks,
        zones,
    )
    return {module.__name__.rpartition(".")[2]: module.router for module in modules}
