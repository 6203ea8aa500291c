"""Routes of zones: declare, list, show, amend, withdraw."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, KeyDep
from sharedsky.api.routes._render import idempotent, json_response
from sharedsky.api.routes.notices import parse_version
from sharedsky.domain.ids import PartyId
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.service import queries
from sharedsky.service.zones import Declaration, amend_zone, declare_zone, withdraw_zone
from sharedsky.wire import v1

router = APIRouter(prefix="/v1/zones", tags=["zones"])


@router.post("", status_code=201, responses={201: {"model": v1.DeclarationOut}})
def declare(body: v1.ZoneIn, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Declare a zone; the answer lists the conflicts found (201)."""
    draft = convert.zone_draft(body)

    def build(result: Declaration) -> v1.DeclarationOut:
        return convert.declaration_out(result, actor.viewer, deps.mechanism, deps.clock.now())

    return idempotent(
        deps, actor, rk, 201, build, lambda idem: declare_zone(deps, actor, draft, idem)
    )


@router.get("", responses={200: {"model": v1.ZoneList}})
def list_zones(
    actor: ActorDep,
    deps: DepsDep,
    party: str | None = None,
    kind: Literal["protected", "red_line", "restricted"] | None = None,
    withdrawn: Annotated[bool, Query(description="include withdrawn zones")] = False,
) -> Response:
    """Zones the caller may see."""
    now = deps.clock.now()
    views = queries.list_zones(
        deps,
        actor.viewer,
        None if party is None else PartyId(party),
        None if kind is None else ZoneKind(kind),
        withdrawn,
    )
    return json_response(convert.zone_list(views, now))


@router.get("/{zone_id}", responses={200: {"model": v1.ZoneOut}})
def show(zone_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """One zone (404 if not visible)."""
    view = queries.show_zone(deps, actor.viewer, zone_id)
    return json_response(convert.zone_out(view, deps.clock.now()))


@router.put("/{zone_id}", responses={200: {"model": v1.DeclarationOut}})
def amend(
    zone_id: str,
    body: v1.ZoneIn,
    actor: ActorDep,
    deps: DepsDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Amend a zone at the version named by If-Match (412 when stale)."""
    result = amend_zone(deps, actor, zone_id, parse_version(if_match), convert.zone_draft(body))
    return json_response(
        convert.declaration_out(result, actor.viewer, deps.mechanism, deps.clock.now())
    )


@router.post("/{zone_id}/withdraw", responses={200: {"model": v1.ZoneOut}})
def withdraw(zone_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Withdraw a zone; its conflicts resolve."""

    def build(zone: Zone) -> v1.ZoneOut:
        return convert.own_zone_out(zone, deps.clock.now())

    return idempotent(
        deps, actor, rk, 200, build, lambda idem: withdraw_zone(deps, actor, zone_id, idem)
    )
