"""Use case: a party acknowledges a counterparty's notice or a conflict (receipt, not approval)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sharedsky.domain.acknowledgements import NOTICE_PRIORITY, AckRequest, AckStatus, AckSubject
from sharedsky.domain.errors import StateConflict
from sharedsky.domain.events import (
    ConflictAcknowledged,
    Event,
    NoticeAcknowledged,
    TacticalAcknowledged,
)
from sharedsky.domain.ids import AckId
from sharedsky.domain.operators import Role
from sharedsky.service._common import record_event, remember
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.ports import Deps
from sharedsky.service.queries import visible_conflict, visible_notice, visible_tactical
from sharedsky.service.uow import UnitOfWork


def acknowledge(
    deps: Deps,
    actor: Actor,
    subject: AckSubject,
    subject_id: str,
    idem: Idempotency[AckRequest] | None = None,
) -> AckRequest:
    """Acknowledge the subject's current version for the actor's party.

    Idempotent: acknowledging again returns the earlier acknowledgement. NotFound when the
    actor may not see the subject; StateConflict when its party owes no acknowledgement.
    """
    now = deps.clock.now()
    actor.require_party("acknowledge")
    actor.require_role(Role.DUTY, "acknowledge")

    def work(uow: UnitOfWork) -> AckRequest:
        audience: tuple[str, ...] | None = None
        if subject is AckSubject.NOTICE:
            notice = visible_notice(uow, deps, actor.viewer, subject_id, now).notice
            owner, version = notice.party, notice.version
        else:
            alert = visible_tactical(uow, actor.viewer, subject_id)
            if alert is None:
                visible_conflict(uow, deps, actor.viewer, subject_id, now)
            else:  # a tactical alert: the parties it was sent to see who acknowledged it
                audience = tuple(alert.audience)
            owner, version = actor.party, 1

        def event(latest: AckRequest, settled: tuple[str, ...]) -> Event:
            version_, party, operator = latest.subject_version, actor.party, actor.operator
            if subject is AckSubject.NOTICE:
                return NoticeAcknowledged(subject_id, version_, party, operator, now, settled, None)
            if audience is not None:
                return TacticalAcknowledged(
                    subject_id, version_, party, audience, operator, now, settled
                )
            return ConflictAcknowledged(subject_id, version_, party, operator, now, settled)

        # an acknowledgement is a receipt: it never settles a request for agreement
        owed = [r for r in uow.acks.for_subject(subject_id, actor.party) if r.subject is subject]
        settled = settle(uow, actor, idem, owed, now, event)
        if settled is not None:
            return settled
        if subject is AckSubject.NOTICE and owner != actor.party:
            # a receipt nobody asked for (e.g. a notice that became visible through a conflict)
            receipt = AckRequest(
                id=AckId(deps.ids.new("ack")),
                party=actor.party,
                subject=subject,
                subject_id=subject_id,
                subject_version=version,
                priority=NOTICE_PRIORITY,
                requested_at=now,
                due_at=now,
                status=AckStatus.ACKNOWLEDGED,
                acked_at=now,
                acked_by=actor.operator,
            )
            event_ = NoticeAcknowledged(
                subject_id, version, actor.party, actor.operator, now, (), receipt
            )
            record_event(uow, now, actor.operator, event_, actor.signature)
            return remember(uow, actor, idem, receipt, now)
        raise StateConflict(f"your party owes no acknowledgement of {subject} {subject_id!r}")

    return deps.db.run(work)


def settle(
    uow: UnitOfWork,
    actor: Actor,
    idem: Idempotency[AckRequest] | None,
    requests: list[AckRequest],
    now: datetime,
    event: Callable[[AckRequest, tuple[str, ...]], Event],
) -> AckRequest | None:
    """The one way an acknowledgement settles what the actor's party owes: every pending
    request of the subject is acknowledged by the actor now, with one ledger event (``event``
    of the newest pending request and the ids of those acknowledged), and the newest is the
    answer; with nothing pending, the latest earlier acknowledgement is the answer
    (acknowledging again changes nothing); None when the party was never asked (the caller
    decides what that means)."""
    pending = [r for r in requests if r.status is AckStatus.PENDING]
    if pending:
        latest = pending[-1]
        settled = tuple(r.id for r in pending)
        record_event(uow, now, actor.operator, event(latest, settled), actor.signature)
        done = replace(latest, status=AckStatus.ACKNOWLEDGED, acked_at=now, acked_by=actor.operator)
        return remember(uow, actor, idem, done, now)
    earlier = [r for r in requests if r.status is AckStatus.ACKNOWLEDGED]
    if earlier:
        return remember(uow, actor, idem, earlier[-1], now)
    return None
