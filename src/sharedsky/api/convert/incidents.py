"""Incidents and published reports: wire.v1 ↔ use-case values."""

from __future__ import annotations

from sharedsky.api.convert.notices import ack_state
from sharedsky.domain.incidents import IncidentDraft
from sharedsky.service.incidents import IncidentDetail
from sharedsky.service.reports import Publication
from sharedsky.wire import v1


def incident_draft(body: v1.IncidentIn) -> IncidentDraft:
    """The draft of an incident to file."""
    lon, lat = body.position
    return IncidentDraft(
        body.time,
        (lon, lat),
        body.narrative,
        tuple(body.notices),
        tuple(body.zones),
        tuple(body.conflicts),
        tuple(body.tracks),
    )


def incident_out(detail: IncidentDetail) -> v1.IncidentOut:
    """The wire form of an incident with its acknowledgements."""
    incident, draft = detail.incident, detail.incident.draft
    return v1.IncidentOut(
        id=incident.id,
        party=incident.party,
        operator=incident.operator,
        time=draft.at,
        position=list(draft.position),
        notices=list(draft.notices),
        zones=list(draft.zones),
        conflicts=list(draft.conflicts),
        tracks=list(draft.tracks),
        narrative=draft.narrative,
        parties=list(incident.parties),
        timeline=list(incident.timeline),
        filed_at=incident.filed_at,
        acks=[ack_state(a) for a in detail.acks],
    )


def incident_list(details: list[IncidentDetail]) -> v1.IncidentList:
    """The wire form of a list of incidents."""
    return v1.IncidentList(incidents=[incident_out(d) for d in details])


def report_out(publication: Publication) -> v1.ReportOut:
    """The server's signature of a published report and the seq that records it."""
    return v1.ReportOut(signature=dict(publication.signature.to_json()), seq=publication.seq)
