"""Routes of conflicts and of the acknowledgement inbox."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, ContainerDep, DepsDep, KeyDep
from sharedsky.api.routes._render import idempotent, json_response
from sharedsky.api.routes.tracks import BoardDep
from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.conflicts import ConflictState
from sharedsky.service import queries, receipts
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.resolutions import conflict_resolution, conflict_resolutions
from sharedsky.wire import v1

router = APIRouter(tags=["conflicts"])


@router.get(
    "/v1/conflicts",
    responses={200: {"model": v1.ConflictList | v1.TacticalConflictList}},
)
def list_conflicts(
    actor: ActorDep,
    deps: DepsDep,
    board: BoardDep,
    container: ContainerDep,
    state: Literal["open", "resolved", "cleared"] | None = None,
    object: str | None = None,
    kind: Literal["strategic", "tactical"] | None = None,
) -> Response:
    """Conflicts the caller may see: its own (both sides) or, for the host, all. Strategic
    (notices and zones) by default; ``kind=tactical`` lists the tactical conflicts (live
    tracks) sent to the caller instead, their figures as of the last detection tick
    (``state``: ``open`` or ``cleared``)."""
    now = deps.clock.now()
    if kind == "tactical":
        wanted = None if state is None else ("cleared" if state == "resolved" else state)
        alerts = queries.list_tactical(deps, actor.viewer, wanted)
        live = {a.id: a for a in board.current()}
        return json_response(convert.tactical_list(alerts, live, actor.viewer, deps.mechanism))
    if state == "cleared":
        state = "resolved"
    views = queries.list_conflicts(
        deps, actor.viewer, None if state is None else ConflictState(state), object
    )
    found = receipts.conflicts_read(actor.viewer, (v.conflict for v in views), now)
    container.deliveries.note(found)  # read: delivered (R-LEAD-2)
    return json_response(convert.conflict_list(views, actor.viewer, now))


@router.get(
    "/v1/conflicts/{conflict_id}",
    responses={200: {"model": v1.ConflictOut | v1.TacticalConflictOut}},
)
def show(
    conflict_id: str, actor: ActorDep, deps: DepsDep, board: BoardDep, container: ContainerDep
) -> Response:
    """One conflict, strategic or tactical (404 if not visible)."""
    alert = queries.show_tactical(deps, actor.viewer, conflict_id)
    if alert is not None:
        live = {a.id: a for a in board.current()}.get(alert.id)
        return json_response(convert.tactical_out(alert, live, actor.viewer, deps.mechanism))
    view, _acks = queries.show_conflict(deps, actor.viewer, conflict_id)
    now = deps.clock.now()
    container.deliveries.note(receipts.conflicts_read(actor.viewer, [view.conflict], now))
    return json_response(convert.conflict_out(view, actor.viewer, now))


@router.get(
    "/v1/conflicts/{conflict_id}/resolutions", responses={200: {"model": v1.ResolutionList}}
)
def resolutions(conflict_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """The resolution options of a strategic conflict: amendments of the caller's own notice
    in it, each verified to clear every clash of that notice (404 if the conflict is not
    visible; empty for the host, a viewer, a zone side or a resolved conflict)."""
    options = conflict_resolutions(deps, actor, conflict_id)
    return json_response(convert.resolution_list(options))


@router.get(
    "/v1/conflicts/{conflict_id}/resolutions/{option_id}",
    responses={200: {"model": v1.ResolutionOut}},
)
def resolution(conflict_id: str, option_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """One resolution option as listed now (412 when it was for an earlier version of the
    notice, 404 when there is no such option)."""
    option = conflict_resolution(deps, actor, conflict_id, option_id)
    return json_response(convert.resolution_out(option))


@router.post("/v1/conflicts/{conflict_id}/ack", responses={200: {"model": v1.AckOut}})
def ack(conflict_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Acknowledge a conflict (receipt, not approval)."""
    return idempotent(
        deps,
        actor,
        rk,
        200,
        convert.ack_out,
        lambda idem: acknowledge(deps, actor, AckSubject.CONFLICT, conflict_id, idem),
    )


@router.get("/v1/acks/pending", responses={200: {"model": v1.AckList}})
def pending(actor: ActorDep, deps: DepsDep) -> Response:
    """What the caller's party still has to acknowledge, earliest deadline first."""
    requests = queries.pending_acks(deps, actor.viewer)
    return json_response(convert.ack_list(requests))


@router.get("/v1/escalations", responses={200: {"model": v1.EscalationList}})
def escalations(actor: ActorDep, deps: DepsDep) -> Response:
    """The escalation steps of the caller's party (the host: every party's), newest first."""
    steps = queries.escalations(deps, actor.viewer)
    return json_response(convert.escalation_list(steps))
