"""Routes of the operators: add, list, revoke and rotate (admins; see service/operators.py)."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, credentials_changed
from sharedsky.api.routes._render import json_response
from sharedsky.domain.operators import Role
from sharedsky.service.operators import (
    add_operator,
    list_operators,
    revoke_operator,
    rotate_operator,
)
from sharedsky.wire import v1

router = APIRouter(tags=["operators"])


@router.post("/v1/operators", status_code=201, responses={201: {"model": v1.OperatorToken}})
async def add(request: Request, body: v1.OperatorIn, actor: ActorDep, deps: DepsDep) -> Response:
    """Add an operator to the caller's party (the host's admins: to any party) and issue its
    token, shown in this answer only. 409 when the id is taken; 422 for an unknown party, an
    expiry not in the future, or a malformed certificate subject."""
    expires_at = convert.operator_expiry(body, deps.clock.now())
    issued = await anyio.to_thread.run_sync(
        lambda: add_operator(
            deps,
            actor,
            body.id,
            body.party or actor.party,
            Role(body.role),
            expires_at=expires_at,
            cert_subject=body.cert_subject,
        )
    )
    await credentials_changed(request)
    return json_response(convert.operator_token(issued, deps.clock.now()), 201)


@router.get("/v1/operators", responses={200: {"model": v1.OperatorList}})
def list_all(actor: ActorDep, deps: DepsDep) -> Response:
    """The operators the caller manages: its party's (the host's admins: every party's),
    revoked and expired ones too."""
    now = deps.clock.now()
    return json_response(convert.operator_list(list_operators(deps, actor), now))


@router.post("/v1/operators/{operator_id}/revoke", responses={200: {"model": v1.OperatorOut}})
async def revoke(request: Request, operator_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """Revoke an operator: every server process refuses its token within seconds and closes
    its event streams. 409 when it is already revoked or is its party's last admin."""
    record = await anyio.to_thread.run_sync(revoke_operator, deps, actor, operator_id)
    await credentials_changed(request)
    return json_response(convert.operator_out(record, deps.clock.now()))


@router.post("/v1/operators/{operator_id}/rotate", responses={200: {"model": v1.OperatorToken}})
async def rotate(request: Request, operator_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """Issue the operator a new token (shown in this answer only); the old one is refused by
    every server process within seconds. 409 when the operator is revoked."""
    issued = await anyio.to_thread.run_sync(rotate_operator, deps, actor, operator_id)
    await credentials_changed(request)
    return json_response(convert.operator_token(issued, deps.clock.now()))
