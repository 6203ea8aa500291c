"""``GET /metrics`` (Prometheus text, for the host's operators) and ``GET /readyz`` (whether the
database answers at the newest schema; no token)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sharedsky.api.auth import ActorDep, ContainerDep
from sharedsky.domain.errors import ForbiddenRole, Unavailable
from sharedsky.domain.operators import Role
from sharedsky.service.operations import readiness

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
        403: {
            "description": "the token is a party's, or a host operator's below admin "
            "(`forbidden-role`)"
        },
    },
)
def metrics(actor: ActorDep, container: ContainerDep) -> Response:
    """The server's metrics, for the host's admins only (a party's token, or a host operator
    below admin: 403)."""
    if not actor.is_host:
        raise ForbiddenRole("the metrics are for the host's admins")
    actor.require_role(Role.ADMIN, "read the metrics")
    return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/readyz",
    responses={
        503: {"description": "not ready: `reason` is database-unreachable or schema-behind"}
    },
)
def readyz(container: ContainerDep) -> dict[str, str]:
    """Readiness: 200 when the database answers and its schema is at the newest revision of
    this code; 503 problem+json saying which is not so. No token needed. ``duties`` (from
    ``serve``): ``held`` when this process runs the periodic duties, else ``standby``."""
    found = readiness(container.deps.db, container.schema_head)
    if found.reason is not None:
        raise Unavailable(found.detail, found.reason)
    holder = container.duty_holder
    if holder is None:
        return {"status": "ready"}
    return {"status": "ready", "duties": "held" if holder() else "standby"}
