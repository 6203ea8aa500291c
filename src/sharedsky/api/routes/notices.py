"""Routes of notices: file, list, show, amend, cancel, activate, release, acknowledge, and
agree, deny, counter, accept (agreement)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, ContainerDep, DepsDep, KeyDep
from sharedsky.api.errors import PreconditionRequired
from sharedsky.api.routes._render import idempotent, json_response
from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.agreement import Answer, Position
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.notices import Notice
from sharedsky.service import queries, receipts
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.activation import activate_notice, release_notice
from sharedsky.service.agreement import accept_counter, answer_notice
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.notices import (
    Filing,
    amend_notice,
    cancel_notice,
    check_notice,
    file_notice,
)
from sharedsky.service.ports import Deps
from sharedsky.service.resolutions import notice_resolutions
from sharedsky.wire import v1

router = APIRouter(prefix="/v1/notices", tags=["notices"])


def parse_version(if_match: str | None) -> int:
    if if_match is None:
        raise PreconditionRequired(
            "amendments need If-Match with the version being amended", ("If-Match",)
        )
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput("If-Match must be the version number, e.g. 3", ("If-Match",))
    return int(text)


@router.post("", status_code=201, responses={201: {"model": v1.FilingOut}})
def file(body: v1.NoticeIn, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """File a notice; the answer lists the conflicts found (201)."""
    draft = convert.notice_draft(body)

    def build(filing: Filing) -> v1.FilingOut:
        return convert.filing_out(filing, actor.viewer, deps.mechanism, deps.clock.now())

    answer = idempotent(
        deps, actor, rk, 201, build, lambda idem: file_notice(deps, actor, draft, idem)
    )
    return with_resolutions(answer, deps, actor)


def with_resolutions(answer: Response, deps: Deps, actor: Actor) -> Response:
    """The answer to a filing or an amendment with the notice's resolution options as of
    now, when it has conflicts (``resolutions``, the list each of its conflicts'
    ``/resolutions`` gives the filer). Advice is not part of the filing: the answer kept for
    an Idempotency-Key holds none, and a replay gets the options of its own time."""
    body = json.loads(bytes(answer.body))
    if not body.get("conflicts"):
        return answer
    options = notice_resolutions(deps, actor, body["id"])
    body["resolutions"] = [
        convert.resolution_out(o).model_dump(mode="json", by_alias=True) for o in options
    ]
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
    return Response(
        json.dumps(body, separators=(",", ":")),
        answer.status_code,
        headers=headers,
        media_type="application/json",
    )


@router.post("/check", responses={200: {"model": v1.FilingCheckOut}})
def check(
    body: v1.NoticeIn,
    actor: ActorDep,
    deps: DepsDep,
    amending: Annotated[
        str | None, Query(description="Check as an amendment of this own notice.")
    ] = None,
) -> Response:
    """A dry run of filing (or, with ``amending``, of amending): the conflicts the server would
    report, the lead time and the counterparties it would be late for. Nothing is stored."""
    found = check_notice(deps, actor, convert.notice_draft(body), amending)
    now = deps.clock.now()
    return json_response(convert.filing_check_out(found, actor.viewer, deps.mechanism, now))


@router.get("", responses={200: {"model": v1.NoticeList}})
def list_notices(
    actor: ActorDep,
    deps: DepsDep,
    container: ContainerDep,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    time_from: Annotated[datetime | None, Query(alias="from")] = None,
    time_to: Annotated[datetime | None, Query(alias="to")] = None,
    party: str | None = None,
    status: Literal["planned", "active", "released", "ended", "cancelled"] | None = None,
    kind: Literal[
        "air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other"
    ]
    | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Response:
    """Notices the caller may see, filtered; redacted ones show only their clashing volumes.
    Reading them delivers them to the caller's party (R-LEAD-2)."""
    flt = convert.notice_filter(
        bbox=bbox,
        time_from=time_from,
        time_to=time_to,
        party=party,
        status=status,
        kind=kind,
        limit=limit,
    )
    now = deps.clock.now()
    views = queries.list_notices(deps, actor.viewer, flt)
    container.deliveries.note(receipts.notices_read(actor.viewer, (v.notice for v in views), now))
    return json_response(convert.notice_list(views, now))


@router.get("/{notice_id}", responses={200: {"model": v1.NoticeDetailOut}})
def show(notice_id: str, actor: ActorDep, deps: DepsDep, container: ContainerDep) -> Response:
    """One notice with its open conflicts and acknowledgements (404 if not visible); reading
    it delivers it to the caller's party (R-LEAD-2)."""
    now = deps.clock.now()
    detail = queries.show_notice(deps, actor.viewer, notice_id)
    container.deliveries.note(receipts.notices_read(actor.viewer, [detail.view.notice], now))
    return json_response(convert.notice_detail_out(detail, actor.viewer, now))


@router.put("/{notice_id}", responses={200: {"model": v1.FilingOut}})
def amend(
    notice_id: str,
    body: v1.NoticeIn,
    actor: ActorDep,
    deps: DepsDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Amend a notice at the version named by If-Match (412 when stale)."""
    filing = amend_notice(
        deps, actor, notice_id, parse_version(if_match), convert.notice_draft(body)
    )
    answer = json_response(
        convert.filing_out(filing, actor.viewer, deps.mechanism, deps.clock.now())
    )
    return with_resolutions(answer, deps, actor)


@router.post("/{notice_id}/cancel", responses={200: {"model": v1.NoticeOut}})
def cancel(notice_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Cancel a notice; its conflicts resolve."""

    def build(notice: Notice) -> v1.NoticeOut:
        return convert.own_notice_out(notice, actor.viewer, deps.mechanism, deps.clock.now())

    return idempotent(
        deps, actor, rk, 200, build, lambda idem: cancel_notice(deps, actor, notice_id, idem)
    )


@router.post("/{notice_id}/activate", responses={200: {"model": v1.NoticeOut}})
def activate(notice_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Activate an own notice (R-ACT-2): from ``early_activation_s`` before its window's start
    (an early activation reaches the counterparties with flash priority) until its end;
    409 ``too-early`` before, ``window-ended`` after, ``state-conflict`` when activated
    already."""

    def build(notice: Notice) -> v1.NoticeOut:
        return convert.own_notice_out(notice, actor.viewer, deps.mechanism, deps.clock.now())

    return idempotent(
        deps, actor, rk, 200, build, lambda idem: activate_notice(deps, actor, notice_id, idem)
    )


@router.post("/{notice_id}/release", responses={200: {"model": v1.FilingOut}})
def release(notice_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Release an own active notice early (R-ACT-3): its next version ends now, so it clashes
    no more from now on; the answer is that version with its open conflicts. 409
    ``window-ended`` after its end, ``state-conflict`` when it is not active."""

    def build(filing: Filing) -> v1.FilingOut:
        return convert.filing_out(filing, actor.viewer, deps.mechanism, deps.clock.now())

    return idempotent(
        deps, actor, rk, 200, build, lambda idem: release_notice(deps, actor, notice_id, idem)
    )


@router.post("/{notice_id}/ack", responses={200: {"model": v1.AckOut}})
def ack(notice_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Acknowledge a counterparty's notice: a receipt, never an approval (to agree, use
    ``/agree``; an acknowledgement settles no request for agreement)."""
    return idempotent(
        deps,
        actor,
        rk,
        200,
        convert.ack_out,
        lambda idem: acknowledge(deps, actor, AckSubject.NOTICE, notice_id, idem),
    )


def _answered(
    deps: Deps, actor: Actor, rk: KeyDep, call: Callable[[Idempotency[Position] | None], Position]
) -> Response:
    return idempotent(deps, actor, rk, 200, convert.agreement_out, call)


@router.post("/{notice_id}/agree", responses={200: {"model": v1.AgreementOut}})
def agree(notice_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Agree to the current version of a counterparty's notice that asks for agreement
    (R-AGREE-2); the answer is the caller's position. 403 ``own-notice`` for the filer, 404
    when the notice is not visible, 409 ``agreement-not-requested`` when its current version
    does not ask the caller's party, 409 ``already-answered`` for a second answer to one
    version; nothing is stored on a refusal."""
    return _answered(
        deps, actor, rk, lambda idem: answer_notice(deps, actor, notice_id, Answer.AGREE, idem=idem)
    )


@router.post("/{notice_id}/deny", responses={200: {"model": v1.AgreementOut}})
def deny(notice_id: str, body: v1.DenyIn, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Deny agreement to the current version of a counterparty's notice, with a reason (422 at
    ``reason`` when blank; R-AGREE-2)."""
    return _answered(
        deps,
        actor,
        rk,
        lambda idem: answer_notice(
            deps, actor, notice_id, Answer.DENY, reason=body.reason, idem=idem
        ),
    )


@router.post("/{notice_id}/counter", responses={200: {"model": v1.AgreementOut}})
def counter(
    notice_id: str, body: v1.CounterIn, actor: ActorDep, deps: DepsDep, rk: KeyDep
) -> Response:
    """Answer the current version of a counterparty's notice with a counter-proposal: the
    volumes the caller's party would agree to, validated as a filing's (422 at
    ``volumes[i]…``; R-AGREE-3). Its ``counter_id`` is what the filer accepts."""
    volumes = [convert.volume_in(v) for v in body.volumes]
    return _answered(
        deps,
        actor,
        rk,
        lambda idem: answer_notice(
            deps, actor, notice_id, Answer.COUNTER, note=body.note, volumes=volumes, idem=idem
        ),
    )


@router.post("/{notice_id}/accept", responses={200: {"model": v1.FilingOut}})
def accept(
    notice_id: str,
    body: v1.AcceptIn,
    actor: ActorDep,
    deps: DepsDep,
    rk: KeyDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Accept a counter-proposal of an own notice at the version named by If-Match
    (R-AGREE-4): the notice is amended to its volumes (conflicts detected again, the
    counterparties asked to acknowledge and agree again); 404 for an unknown
    ``counter_id``, 412 when it was about an earlier version or If-Match is stale."""
    version = parse_version(if_match)

    def build(filing: Filing) -> v1.FilingOut:
        return convert.filing_out(filing, actor.viewer, deps.mechanism, deps.clock.now())

    answer = idempotent(
        deps,
        actor,
        rk,
        200,
        build,
        lambda idem: accept_counter(deps, actor, notice_id, body.counter_id, version, idem),
    )
    return with_resolutions(answer, deps, actor)
