"""create_app(container): the FastAPI application over the use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from sharedsky import __version__
from sharedsky.api import console, errors, openapi
from sharedsky.api.auth import ActorDep, DepsDep, KeysDep
from sharedsky.api.fastlane import MessagesFastLane
from sharedsky.api.headers import SecurityHeaders
from sharedsky.api.limits import Limits
from sharedsky.api.observability import Observability
from sharedsky.api.routes import (
    conflicts,
    ledger,
    messages,
    notices,
    operations,
    operators,
    stats,
    stream,
    tracks,
    webhooks,
    zones,
)
from sharedsky.api.routes._render import json_response
from sharedsky.bootstrap import Container
from sharedsky.tuning import ROUTER_ORDER, WORKER_THREADS
from sharedsky.wire import v1

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(container: Container) -> FastAPI:
    """The API of one mechanism over the parts of ``container``, the app's one piece of state
    (``app.state.container``); OpenAPI 3.1 at /openapi.json. The app's lifespan starts the
    container's background parts and stops them (``Container.start``, ``Container.stop``)."""

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

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Liveness: answers while the process serves."""
        return {"status": "ok"}

    @app.get("/v1/me", tags=["meta"], responses={200: {"model": v1.Me}})
    def me(actor: ActorDep, deps: DepsDep, keys: KeysDep) -> Response:
        """Who the token belongs to, the mechanism it acts in, and the keys it signs with."""
        mech = deps.mechanism
        party = mech.party(actor.party)
        ring = keys.get(deps, actor.operator, fresh=True)
        return json_response(
            v1.Me(
                operator=actor.operator,
                party=party.id,
                name=party.name,
                language=party.language,
                is_host=actor.is_host,
                mechanism=mech.name,
                signing_key_ids=sorted(k.key_id for k in ring.keys),
                role=actor.role.value,
            )
        )

    @app.get("/v1/mechanism", tags=["meta"], responses={200: {"model": v1.MechanismOut}})
    def mechanism(_actor: ActorDep, deps: DepsDep) -> Response:
        """The mechanism's parties and the rules of every channel."""
        mech = deps.mechanism
        channels = []
        for i, a in enumerate(mech.parties):
            for b in mech.parties[i + 1 :]:
                rules = mech.channel(a.id, b.id)
                channels.append(
                    v1.ChannelOut(
                        between=(a.id, b.id),
                        sharing=rules.sharing.value,
                        min_lead_time_s=dict(rules.min_lead_time_s),
                        ack_deadline_s={k.value: v for k, v in rules.ack_deadline_s.items()},
                        separation=v1.SeparationOut(
                            lateral_m=rules.separation.lateral_m,
                            vertical_m=rules.separation.vertical_m,
                            time_s=rules.separation.time_s,
                        ),
                    )
                )
        return json_response(
            v1.MechanismOut(
                mechanism=mech.name,
                host=v1.PartyOut(id=mech.host.id, name=mech.host.name, language=mech.host.language),
                parties=[
                    v1.PartyOut(id=p.id, name=p.name, language=p.language) for p in mech.parties
                ],
                channels=channels,
            )
        )

    # the document declares the problem answers, and the events of GET /v1/events
    openapi.describe(app, *stream.EVENT_MODELS)
    return app


def _routers() -> dict[str, APIRouter]:
    """The API's routers by the name of their module in ``api/routes``."""
    modules = (
        conflicts,
        ledger,
        messages,
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
