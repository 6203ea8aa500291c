"""``GET /metrics`` (Prometheus text, for the host's operators) and ``GET /readyz`` (whether the
database answers at the newest schema; no token)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sharedsky.api.auth import ActorDep, DepsDep
from sharedsky.api.observability import Metrics
from sharedsky.domain.errors import ForbiddenRole, Unavailable
from sharedsky.service.operations import newest_schema, readiness

router = APIRouter(tags=["meta"])

_METRICS_DESCRIPTION = (
    "Prometheus text exposition format (`text/plain; version=0.0.4`): the metrics whose names "
    "start with `sharedsky_` (docs/operations.md)."
)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"description": _METRICS_DESCRIPTION, "content": {"text/plain": {}}},
        403: {"description": "the token is a party's (`forbidden-role`)"},
    },
)
def metrics(request: Request, actor: ActorDep) -> Response:
    """The server's metrics, for the host's operators only (a party's token: 403)."""
    if not actor.is_host:
        raise ForbiddenRole("the metrics are for the host's operators")
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/readyz",
    responses={
        503: {"description": "not ready: `reason` is database-unreachable or schema-behind"}
    },
)
def readyz(request: Request, deps: DepsDep) -> dict[str, str]:
    """Readiness: 200 when the database answers and its schema is at the newest revision of
    this code; 503 problem+json saying which is not so. No token needed. ``duties`` (from
    ``serve``): ``held`` when this process runs the periodic duties, else ``standby``."""
    head: frozenset[str] | None = getattr(request.app.state, "schema_head", None)
    if head is None:
        head = newest_schema()
        request.app.state.schema_head = head
    found = readiness(deps.db, head)
    if found.reason is not None:
        raise Unavailable(found.detail, found.reason)
    holder: Callable[[], bool] | None = getattr(request.app.state, "duty_holder", None)
    if holder is None:
        return {"status": "ready"}
    return {"status": "ready", "duties": "held" if holder() else "standby"}
