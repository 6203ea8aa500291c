"""The state tables as a projection of the ledger: ``apply`` performs one event's table changes.

Each event type that changes the state has one pure function here: it reads nothing but the
event (no clock, no ids, no query beyond what a repository's write does) and writes through
the repositories' write methods. Applied in the ledger's order to empty tables, the events
give the tables the writes gave (``tests/ledger/test_projection.py``); the cell index
(``volume_cells``) is derived from the volumes' outlines, so a replay recomputes it when the
event does not carry the covering computed before the transaction.

Events of the configuration (mechanism, operators, keys, webhooks) are no projection: their
tables are written by their use cases and ``apply`` leaves them alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sharedsky.domain.acknowledgements import AckRequest, AckSubject
from sharedsky.domain.agreement import AgreementReply, Answer
from sharedsky.domain.channels import Priority
from sharedsky.domain.conflicts import ObjectType, ResolvedReason
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.escalation import EscalationRecord
from sharedsky.domain.event_data import notice_of
from sharedsky.domain.events import (
    EVENT_TYPES,
    STATE_RECORDED,
    AckEscalated,
    AckLapsed,
    AckParked,
    ConflictAcknowledged,
    ConflictDetected,
    ConflictResolved,
    DeliveryRecorded,
    Event,
    IncidentAcknowledged,
    IncidentFiled,
    MessageAcknowledged,
    MessageReplied,
    MessageSent,
    NoticeAcknowledged,
    NoticeActivated,
    NoticeAgreed,
    NoticeAmended,
    NoticeCancelled,
    NoticeCounterAccepted,
    NoticeCountered,
    NoticeDenied,
    NoticeFiled,
    NoticeNotActivated,
    NoticeReleased,
    TacticalAcknowledged,
    TacticalCleared,
    TacticalDetected,
    TacticalUpdated,
    ZoneAmended,
    ZoneDeclared,
    ZoneWithdrawn,
)
from sharedsky.domain.ids import AckId, OperatorId, PartyId
from sharedsky.domain.incidents import Incident, IncidentDraft
from sharedsky.domain.messages import About, Message, MessageId, MessageReply
from sharedsky.domain.notices import NoticeStep
from sharedsky.domain.tactical import OPEN, AlertKey, AlertKind, Severity, StoredAlert
from sharedsky.domain.templates import AboutType, Reply
from sharedsky.domain.volumes import Volume4D
from sharedsky.geo.cells import storage_cells
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import OPEN_END_US, from_us


def apply(event: Event, writer: UnitOfWork) -> None:
    """Perform ``event``'s changes of the state tables through ``writer``'s repositories;
    nothing for an event that changes none (the configuration's)."""
    step = _STEPS.get(type(event))
    if step is not None:
        step(event, writer)


def apply_entry(type_: str, payload: Mapping[str, Any], writer: UnitOfWork) -> None:
    """``apply`` the event of a ledger entry of type ``type_`` (read back: ``from_payload``);
    nothing for a type this version does not project."""
    kind = EVENT_TYPES.get(type_)
    if kind is not None and kind in _STEPS:
        apply(kind.from_payload(payload), writer)


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One ledger entry as a rebuild reads it."""

    seq: int
    type: str
    payload: Mapping[str, Any]


def rebuild(
    entries: Iterable[StoredEntry],
    from_seq: int,
    writer: UnitOfWork,
    legacy: Callable[[Mapping[str, Any]], None],
    reindex: Callable[[], None],
) -> None:
    """Rebuild emptied state tables from a whole ledger, in order: below ``from_seq`` (a
    ledger written before the typed events, Alembic revision 0010) the ``state.recorded``
    entries' after-images through ``legacy``, then the cell index through ``reindex``; from
    ``from_seq`` on, each typed event through ``apply``. A ledger written since has
    ``from_seq`` 1: typed events only."""
    reindexed = False
    for entry in entries:
        if entry.seq < from_seq:
            if entry.type == STATE_RECORDED:
                legacy(entry.payload)
            continue
        if not reindexed:
            reindex()
            reindexed = True
        apply_entry(entry.type, entry.payload, writer)
    if not reindexed:
        reindex()


def _cells(
    volumes: Sequence[Volume4D], known: tuple[tuple[int, ...], ...] | None
) -> Sequence[Sequence[int]]:
    """The covering of each volume: the one computed before the transaction, or computed now."""
    return known if known is not None else [storage_cells(v.outline) for v in volumes]


# -- notices and zones -----------------------------------------------------------------------


def _notice_filed(event: NoticeFiled, writer: UnitOfWork) -> None:
    notice = notice_of(
        event.content,
        event.notice,
        event.party,
        event.version,
        event.lead_time_s,
        event.late_for,
    )
    new = not isinstance(event, NoticeAmended)
    if new:
        writer.notices.add(notice)
    else:
        writer.notices.replace(notice)
    writer.volumes.put(
        ObjectType.NOTICE,
        notice.id,
        notice.party,
        notice.version,
        notice.volumes,
        _cells(notice.volumes, event.cells),
        new=new,
    )
    if not new:
        writer.acks.supersede(notice.id)
    writer.acks.add_many(event.acks)


def _notice_cancelled(event: NoticeCancelled, writer: UnitOfWork) -> None:
    writer.notices.cancel(event.notice, event.at)
    writer.volumes.unindex(ObjectType.NOTICE, event.notice)
    writer.acks.supersede(event.notice)


def _notice_activated(event: NoticeActivated, writer: UnitOfWork) -> None:
    writer.notices.mark(event.notice, NoticeStep.ACTIVATED, event.at)
    writer.acks.add_many(event.acks)


def _notice_released(event: NoticeReleased, writer: UnitOfWork) -> None:
    _notice_filed(event, writer)
    writer.notices.mark(event.notice, NoticeStep.RELEASED, event.content.updated_at)


def _notice_not_activated(event: NoticeNotActivated, writer: UnitOfWork) -> None:
    writer.notices.mark(event.notice, NoticeStep.NOT_ACTIVATED, event.at)


def _notice_answered(event: NoticeAgreed, writer: UnitOfWork) -> None:
    if isinstance(event, NoticeDenied):
        given = AgreementReply(Answer.DENY, reason=event.reason)
    elif isinstance(event, NoticeCountered):
        given = AgreementReply(Answer.COUNTER, note=event.note, volumes=event.volumes)
    else:
        given = AgreementReply(Answer.AGREE)
    writer.acks.answer(event.request, given, OperatorId(event.operator), event.at)


def _zone_stored(event: ZoneDeclared | ZoneAmended, writer: UnitOfWork) -> None:
    if isinstance(event, ZoneDeclared):
        zone = event.content.zone(event.zone, event.party, 1)
        writer.zones.add(zone)
    else:
        zone = event.content.zone(event.zone, event.party, event.version)
        writer.zones.replace(zone)
    writer.volumes.put(
        ObjectType.ZONE,
        zone.id,
        zone.party,
        zone.version,
        [zone.volume],
        _cells([zone.volume], event.cells),
    )


def _zone_withdrawn(event: ZoneWithdrawn, writer: UnitOfWork) -> None:
    writer.zones.withdraw(event.zone, event.at)
    writer.volumes.unindex(ObjectType.ZONE, event.zone)


# -- conflicts and acknowledgements ----------------------------------------------------------


def _conflict_detected(event: ConflictDetected, writer: UnitOfWork) -> None:
    writer.conflicts.add_many([event.record])
    writer.acks.add_many(event.acks)


def _conflict_resolved(event: ConflictResolved, writer: UnitOfWork) -> None:
    writer.conflicts.resolve(event.conflict, ResolvedReason(event.reason), event.at)
    writer.acks.supersede(event.conflict)


def _settled(writer: UnitOfWork, acknowledged: Sequence[str], operator: str, at: datetime) -> None:
    for request_id in acknowledged:
        writer.acks.acknowledge(request_id, OperatorId(operator), at)


def _notice_acknowledged(event: NoticeAcknowledged, writer: UnitOfWork) -> None:
    _settled(writer, event.acknowledged, event.operator, event.at)
    if event.receipt is not None:
        writer.acks.add(event.receipt)


def _acknowledged(
    event: ConflictAcknowledged | TacticalAcknowledged | MessageAcknowledged | IncidentAcknowledged,
    writer: UnitOfWork,
) -> None:
    _settled(writer, event.acknowledged, event.operator, event.at)


def _incident_filed(event: IncidentFiled, writer: UnitOfWork) -> None:
    lon, lat = event.position
    draft = IncidentDraft(
        event.at,
        (lon, lat),
        event.narrative,
        event.notices,
        event.zones,
        event.conflicts,
        event.tracks,
    )
    parties = tuple(PartyId(p) for p in event.recipients)
    writer.incidents.add(
        Incident(
            event.incident,
            PartyId(event.sender),
            OperatorId(event.operator),
            draft,
            parties,
            event.timeline,
            event.filed_at,
        )
    )
    writer.acks.add_many(event.acks)


def _escalated(event: AckEscalated, writer: UnitOfWork) -> None:
    next_due_us = OPEN_END_US if event.next_due_us is None else event.next_due_us
    writer.acks.climb(event.ack, event.rung, next_due_us)
    writer.escalations.add(
        EscalationRecord(
            event.ack,
            PartyId(event.party),
            event.rung,
            event.rung_name,
            event.at,
            None if event.next_due_us is None else from_us(event.next_due_us),
        )
    )


def _lapsed(event: AckLapsed, writer: UnitOfWork) -> None:
    writer.acks.lapse(event.ack)


def _parked(event: AckParked, writer: UnitOfWork) -> None:
    writer.acks.climb(event.ack, event.rung, OPEN_END_US)


# -- hotline and deliveries ------------------------------------------------------------------


def _message_sent(event: MessageSent, writer: UnitOfWork) -> None:
    about = None if event.about is None else About(AboutType(event.about[0]), event.about[1])
    priority = Priority(event.priority)
    writer.messages.add(
        Message(
            id=MessageId(event.message),
            thread=event.thread,
            sender=PartyId(event.sender),
            sender_operator=OperatorId(event.operator),
            recipient=PartyId(event.recipient),
            priority=priority,
            template=event.template,
            params=cast(Mapping[str, int | float | str], event.params),
            text="" if event.text is None else event.text,
            about=about,
            sent_at=event.at,
        )
    )
    writer.acks.add(
        AckRequest(
            id=AckId(event.ack),
            party=PartyId(event.recipient),
            subject=AckSubject.MESSAGE,
            subject_id=event.message,
            subject_version=1,
            priority=priority,
            requested_at=event.at,
            due_at=event.due_at,
        )
    )


def _message_replied(event: MessageReplied, writer: UnitOfWork) -> None:
    operator = OperatorId(event.operator)
    writer.messages.set_reply(event.message, MessageReply(Reply(event.reply), operator, event.at))
    _settled(writer, event.acknowledged, event.operator, event.at)


def _delivered(event: DeliveryRecorded, writer: UnitOfWork) -> None:
    _delivered_together([event], writer)


def _delivered_together(events: Sequence[DeliveryRecorded], writer: UnitOfWork) -> None:
    """The rows of a run of delivery records, written with one statement (a busy server's
    flush holds hundreds: one round trip each would hold up the writes queued behind it)."""
    writer.deliveries.record(
        [
            Delivery(
                e.subject, e.id, PartyId(e.party), datetime.fromisoformat(e.delivered_at), e.via
            )
            for e in events
        ]
    )


def apply_all(events: Sequence[Event], writer: UnitOfWork) -> None:
    """``apply`` each of ``events`` in order; a run of delivery records in one statement."""
    run: list[DeliveryRecorded] = []
    for event in events:
        if isinstance(event, DeliveryRecorded):
            run.append(event)
            continue
        if run:
            _delivered_together(run, writer)
            run = []
        apply(event, writer)
    if run:
        _delivered_together(run, writer)


# -- tactical alerts -------------------------------------------------------------------------


def _tactical_detected(event: TacticalDetected, writer: UnitOfWork) -> None:
    if isinstance(event, TacticalUpdated):
        writer.tactical.update_severity(
            event.conflict, Severity(event.severity), event.figures, event.at
        )
        if event.superseded:
            writer.acks.supersede_for(event.conflict, event.superseded)
    else:
        key = AlertKey(
            AlertKind(event.kind),
            PartyId(event.a.party),
            str(event.a.id),
            event.b.type,
            str(event.b.id),
            PartyId(event.b.party),
        )
        audience = tuple(PartyId(p) for p in event.to)
        severity = Severity(event.severity)
        writer.tactical.add_many(
            [
                StoredAlert(
                    event.conflict,
                    key,
                    audience,
                    severity,
                    event.figures,
                    event.at,
                    event.at,
                    OPEN,
                    None,
                )
            ]
        )
    writer.acks.add_many(event.acks)


def _tactical_cleared(event: TacticalCleared, writer: UnitOfWork) -> None:
    writer.tactical.clear(event.conflict, event.at)


_STEPS: Mapping[type[Event], Callable[[Any, UnitOfWork], None]] = {
    NoticeFiled: _notice_filed,
    NoticeAmended: _notice_filed,
    NoticeCancelled: _notice_cancelled,
    NoticeActivated: _notice_activated,
    NoticeReleased: _notice_released,
    NoticeNotActivated: _notice_not_activated,
    NoticeCounterAccepted: _notice_filed,
    NoticeAgreed: _notice_answered,
    NoticeDenied: _notice_answered,
    NoticeCountered: _notice_answered,
    NoticeAcknowledged: _notice_acknowledged,
    ZoneDeclared: _zone_stored,
    ZoneAmended: _zone_stored,
    ZoneWithdrawn: _zone_withdrawn,
    ConflictDetected: _conflict_detected,
    ConflictResolved: _conflict_resolved,
    ConflictAcknowledged: _acknowledged,
    MessageSent: _message_sent,
    MessageAcknowledged: _acknowledged,
    MessageReplied: _message_replied,
    TacticalDetected: _tactical_detected,
    TacticalUpdated: _tactical_detected,
    TacticalCleared: _tactical_cleared,
    TacticalAcknowledged: _acknowledged,
    AckEscalated: _escalated,
    AckLapsed: _lapsed,
    AckParked: _parked,
    DeliveryRecorded: _delivered,
    IncidentFiled: _incident_filed,
    IncidentAcknowledged: _acknowledged,
}
"""The table changes of each event type that changes the state tables."""
