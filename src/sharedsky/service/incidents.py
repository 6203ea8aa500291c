"""Use cases of incidents (R-INC-1 … R-INC-3): file one (its related objects checked as the
filer sees them, their ledger timeline attached, the other parties asked to acknowledge),
acknowledge one, and read them as the visibility rules allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sharedsky.domain.acknowledgements import AckRequest, AckSubject, due_at
from sharedsky.domain.channels import Priority
from sharedsky.domain.errors import InvalidInput, NotFound, StateConflict
from sharedsky.domain.events import IncidentAcknowledged, IncidentFiled
from sharedsky.domain.ids import AckId, PartyId
from sharedsky.domain.incidents import Incident, IncidentDraft, check_draft
from sharedsky.domain.operators import Role
from sharedsky.domain.visibility import Viewer, see_conflict, see_zone
from sharedsky.service._common import record_event, remember
from sharedsky.service.acknowledgements import settle
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.ports import Deps
from sharedsky.service.queries import notice_seen
from sharedsky.service.uow import UnitOfWork

INCIDENT_PRIORITY = Priority.PRIORITY
"""An incident is acknowledged within the priority deadline of the channel."""
MAX_TIMELINE = 10_000
"""Most ledger entries a timeline attaches per related object."""
MAX_LIST = 500
"""Most incidents a list gives."""


@dataclass(frozen=True, slots=True)
class IncidentDetail:
    """An incident with its acknowledgement requests."""

    incident: Incident
    acks: tuple[AckRequest, ...]


def _owners(
    uow: UnitOfWork, deps: Deps, viewer: Viewer, draft: IncidentDraft, now: datetime
) -> set[PartyId]:
    """The owners of the related objects, each checked as ``viewer`` sees it; InvalidInput at
    the field for an id that does not exist or that the viewer may not see."""
    owners: set[PartyId] = set()
    for index, notice_id in enumerate(draft.notices):
        notice = uow.notices.get(notice_id)
        if notice is None or notice_seen(uow, deps.mechanism, viewer, notice, now) is None:
            raise InvalidInput(f"no notice {notice_id!r}", ("notices", index))
        owners.add(notice.party)
    for index, zone_id in enumerate(draft.zones):
        zone = uow.zones.get(zone_id)
        clashing = zone is not None and zone.id in uow.conflicts.clashing_volumes(
            viewer.party, [zone.id], now
        )
        if zone is None or see_zone(viewer, zone, deps.mechanism, clashing) is None:
            raise InvalidInput(f"no zone {zone_id!r}", ("zones", index))
        owners.add(zone.party)
    for index, conflict_id in enumerate(draft.conflicts):
        conflict = uow.conflicts.get(conflict_id)
        if conflict is not None and see_conflict(viewer, conflict, deps.mechanism) is not None:
            owners.update((conflict.a.party, conflict.b.party))
            continue
        alert = uow.tactical.get(conflict_id)
        if alert is None or not (viewer.is_host or alert.told(viewer.party)):
            raise InvalidInput(f"no conflict {conflict_id!r}", ("conflicts", index))
        owners.update((alert.key.a_party, alert.key.b_party))
    head = uow.events.head()
    for index, track in enumerate(draft.tracks):
        named = [] if head is None else uow.events.entries_naming(track, 0, head.seq, 1)
        if not named:
            raise InvalidInput(f"no track {track!r} in the ledger", ("tracks", index))
    return owners


def _timeline(uow: UnitOfWork, draft: IncidentDraft) -> tuple[int, ...]:
    """The seqs of the ledger entries that name a related object, oldest first."""
    head = uow.events.head()
    if head is None:
        return ()
    seqs: set[int] = set()
    for ids in draft.related().values():
        for object_id in ids:
            seqs.update(
                e.seq for e in uow.events.entries_naming(object_id, 0, head.seq, MAX_TIMELINE)
            )
    return tuple(sorted(seqs))


def file_incident(
    deps: Deps, actor: Actor, draft: IncidentDraft, idem: Idempotency[Incident] | None = None
) -> Incident:
    """File an incident now (``incident.filed``): the related objects are checked as the
    actor sees them, the seqs of the ledger entries about them attached, and each other party
    that owns one of them asked to acknowledge it by the priority deadline. InvalidInput (at
    the field) for a time in the future, a position off the globe, an empty narrative or a
    related id that does not exist or that the actor may not see."""
    now = deps.clock.now()
    actor.require_role(Role.DUTY, "file incidents")
    check_draft(draft, now)
    mech = deps.mechanism

    def work(uow: UnitOfWork) -> Incident:
        owners = _owners(uow, deps, actor.viewer, draft, now)
        parties = tuple(p for p in mech.counterparties(actor.party) if p in owners)
        incident = Incident(
            deps.ids.new("inc"),
            actor.party,
            actor.operator,
            draft,
            parties,
            _timeline(uow, draft),
            now,
        )
        acks = tuple(
            AckRequest(
                id=AckId(deps.ids.new("ack")),
                party=party,
                subject=AckSubject.INCIDENT,
                subject_id=incident.id,
                subject_version=1,
                priority=INCIDENT_PRIORITY,
                requested_at=now,
                due_at=due_at(mech.channel(actor.party, party), INCIDENT_PRIORITY, now),
            )
            for party in parties
        )
        event = IncidentFiled(
            incident.id,
            incident.party,
            incident.parties,
            incident.operator,
            draft.at,
            draft.position,
            draft.narrative,
            draft.notices,
            draft.zones,
            draft.conflicts,
            draft.tracks,
            incident.timeline,
            now,
            acks,
        )
        record_event(uow, now, actor.operator, event, actor.signature)
        return remember(uow, actor, idem, incident, now)

    return deps.db.run(work)


def _visible(uow: UnitOfWork, viewer: Viewer, incident_id: str) -> Incident:
    incident = uow.incidents.get(incident_id)
    if incident is None or not incident.concerns(viewer):
        raise NotFound(f"no incident {incident_id!r}")
    return incident


def acknowledge_incident(
    deps: Deps, actor: Actor, incident_id: str, idem: Idempotency[AckRequest] | None = None
) -> AckRequest:
    """Acknowledge receipt of an incident for the actor's party (``incident.acknowledged``);
    again: the earlier answer, nothing recorded. NotFound when the actor may not see it;
    StateConflict when its party was not asked (the filer, the host)."""
    now = deps.clock.now()
    actor.require_role(Role.DUTY, "acknowledge incidents")

    def work(uow: UnitOfWork) -> AckRequest:
        incident = _visible(uow, actor.viewer, incident_id)

        def event(latest: AckRequest, settled: tuple[str, ...]) -> IncidentAcknowledged:
            return IncidentAcknowledged(
                incident.id,
                incident.party,
                incident.parties,
                actor.party,
                actor.operator,
                now,
                settled,
            )

        requests = uow.acks.for_subject(incident.id, actor.party)
        answer = settle(uow, actor, idem, requests, now, event)
        if answer is None:
            raise StateConflict(f"your party owes no acknowledgement of incident {incident_id!r}")
        return answer

    return deps.db.run(work)


def show_incident(deps: Deps, viewer: Viewer, incident_id: str) -> IncidentDetail:
    """One incident with its acknowledgements; NotFound when absent or not the viewer's."""

    def work(uow: UnitOfWork) -> IncidentDetail:
        incident = _visible(uow, viewer, incident_id)
        return IncidentDetail(incident, tuple(uow.acks.for_subject(incident.id)))

    return deps.db.run(work, readonly=True)


def list_incidents(deps: Deps, viewer: Viewer) -> list[IncidentDetail]:
    """The incidents the viewer filed or is party to (the host: all), newest first."""

    def work(uow: UnitOfWork) -> list[IncidentDetail]:
        found = [i for i in uow.incidents.latest(MAX_LIST) if i.concerns(viewer)]
        return [IncidentDetail(i, tuple(uow.acks.for_subject(i.id))) for i in found]

    return deps.db.run(work, readonly=True)
