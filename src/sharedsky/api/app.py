"""create_app(container): the FastAPI application over the use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import Response

from sharedsky import __version__
from sharedsky.api import console, errors, openapi
from sharedsky.api.auth import (
    ActorDep,
    DepsDep,
    KeysDep,
    remember_credentials,
    watch_credentials,
)
from sharedsky.api.fastlane import LaneCount, MessagesFastLane
from sharedsky.api.headers import SecurityHeaders
from sharedsky.api.limits import Limits, RequestLimits
from sharedsky.api.observability import Metrics, Observability, StreamCount
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
from sharedsky.interop import catalogues
from sharedsky.service.ports import Deps
from sharedsky.service.tactical import TacticalBoard
from sharedsky.service.tracks import LivePicture, Picture
from sharedsky.wire import v1

WORKER_THREADS = 200
"""Threads for blocking work (sync routes, database reads of streams): every open event stream
borrows one per read, so the default of 40 would starve the routes under fifty streams."""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    if app.state.deps is None:  # only while printing the OpenAPI document
        yield
        return
    # the first requests find the catalogues read and the credentials remembered
    await anyio.to_thread.run_sync(catalogues.warm)
    await anyio.to_thread.run_sync(remember_credentials, app)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(stream.flush_deliveries, app)
        tasks.start_soon(stream.publish_checkpoints, app)
        tasks.start_soon(watch_credentials, app)
        yield
        tasks.cancel_scope.cancel()


def create_app(
    deps: Deps,
    *,
    keepalive_s: float = stream.DEFAULT_KEEPALIVE_S,
    picture: Picture | None = None,
    board: TacticalBoard | None = None,
    limits: RequestLimits | None = None,
    duty_holder: Callable[[], bool] | None = None,
) -> FastAPI:
    """The API of one mechanism; OpenAPI 3.1 at /openapi.json. ``keepalive_s``: seconds of
    silence after which an event stream sends a heartbeat; ``picture`` and ``board``: the live
    tracks and tactical alerts shared with the tactical tick (new, empty ones by default);
    ``limits``: the request rates and body bounds applied in front of everything (`api.limits`;
    the defaults when None); ``duty_holder``: tells whether this process runs the periodic
    duties (``service/duties.py``; shown by ``/readyz`` and the metrics when given). Its
    metrics are ``app.state.metrics`` (``api/observability.py``)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="sharedsky",
        version=__version__,
        summary="Deconfliction mechanism: notices, zones, conflicts and acknowledgements.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.deps = deps
    app.state.picture = picture if picture is not None else LivePicture()
    app.state.board = board if board is not None else TacticalBoard()
    app.state.stream_count = StreamCount()
    app.state.duty_holder = duty_holder
    app.state.metrics = Metrics(
        deps, app.state.picture, app.state.board, app.state.stream_count, duty_holder
    )
    errors.install(app)
    # FastAPI matches a request against the routers in this order, route by route: the
    # busiest first (no two routers' paths overlap, so the order changes nothing else)
    app.include_router(messages.router)
    app.include_router(tracks.router)
    app.include_router(notices.router)
    app.include_router(zones.router)
    app.include_router(conflicts.router)
    app.include_router(webhooks.router)
    app.include_router(stats.router)
    app.include_router(ledger.router)
    app.include_router(operations.router)
    app.include_router(operators.router)
    bus = stream.install(app, keepalive_s=keepalive_s)
    # the common case of POST /v1/messages is answered in front of the router (fastlane.py)
    app.state.fast_lane = LaneCount()
    app.add_middleware(MessagesFastLane, count=app.state.fast_lane)
    # then, each outside the one before: the limits (a refused request reaches neither the
    # lane nor the routes); request ids, logs and metrics (of refusals too); outermost the
    # security headers (on the 500 answers of ``Observability`` as well)
    app.add_middleware(Limits, limits=limits or RequestLimits())
    app.add_middleware(Observability, metrics=app.state.metrics)
    app.add_middleware(SecurityHeaders)
    if deps is not None:  # None only while printing the OpenAPI document
        deps.db.on_commit(bus.notify)

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

    console.install(app)  # last: its mount at / must not shadow an API route
    # the document declares the problem answers, and the events of GET /v1/events
    openapi.describe(app, *stream.EVENT_MODELS)
    return app
