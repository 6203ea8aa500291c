"""Routes of incidents and of the periodic review's published reports."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, KeyDep, SubmissionDep, submission_openapi
from sharedsky.api.routes._render import idempotent, json_response
from sharedsky.domain.incidents import Incident
from sharedsky.service.incidents import (
    IncidentDetail,
    acknowledge_incident,
    file_incident,
    list_incidents,
    show_incident,
)
from sharedsky.service.reports import publish_report
from sharedsky.wire import v1

router = APIRouter(tags=["incidents"])


@router.post(
    "/v1/incidents",
    status_code=201,
    responses={201: {"model": v1.IncidentOut}},
    openapi_extra=submission_openapi(),
)
async def file(body: v1.IncidentIn, submitted: SubmissionDep) -> Response:
    """File an incident (201): when and where it happened, the related notices, zones,
    conflicts and tracks (each must exist and be visible to the caller: 422 at the field
    otherwise), and what happened. The ledger entries about the related objects are attached
    as its timeline; the other parties concerned must acknowledge it. A time in the future
    is refused (422)."""
    actor, deps, rk = submitted.actor, submitted.deps, submitted.key
    draft = convert.incident_draft(body)

    def build(incident: Incident) -> v1.IncidentOut:
        return convert.incident_out(IncidentDetail(incident, ()))

    def once() -> Response:
        return idempotent(
            deps, actor, rk, 201, build, lambda idem: file_incident(deps, actor, draft, idem)
        )

    return await anyio.to_thread.run_sync(once)


@router.get("/v1/incidents", responses={200: {"model": v1.IncidentList}})
def list_(actor: ActorDep, deps: DepsDep) -> Response:
    """The incidents the caller filed or is party to (the host: all), newest first."""
    return json_response(convert.incident_list(list_incidents(deps, actor.viewer)))


@router.get("/v1/incidents/{incident_id}", responses={200: {"model": v1.IncidentOut}})
def show(incident_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """One incident with its timeline's seqs and its acknowledgements (404 when the caller
    neither filed it nor is party to it)."""
    return json_response(convert.incident_out(show_incident(deps, actor.viewer, incident_id)))


@router.post("/v1/incidents/{incident_id}/ack", responses={200: {"model": v1.AckOut}})
def ack(incident_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """A party the incident concerns acknowledges it (receipt, not agreement)."""
    return idempotent(
        deps,
        actor,
        rk,
        200,
        convert.ack_out,
        lambda idem: acknowledge_incident(deps, actor, incident_id, idem),
    )


@router.post(
    "/v1/reports",
    status_code=201,
    responses={201: {"model": v1.ReportOut}},
    openapi_extra=submission_openapi(),
)
async def publish(body: v1.ReportIn, submitted: SubmissionDep) -> Response:
    """The host publishes a review report (201): the server signs the file's SHA-256 with
    its ledger key and records it (``report.published``). Parties: 403."""
    actor, deps = submitted.actor, submitted.deps
    publication = await anyio.to_thread.run_sync(
        publish_report, deps, actor, body.sha256, body.start, body.end, body.head_seq, body.format
    )
    return json_response(convert.report_out(publication), 201)
