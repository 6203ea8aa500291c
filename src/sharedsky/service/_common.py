"""Helpers shared by the use cases: recording events (the one commit path of a write),
idempotency records and notice acknowledgement requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sharedsky.domain.acknowledgements import NOTICE_PRIORITY, AckRequest, AckSubject, due_at
from sharedsky.domain.agreement import AGREEMENT_PRIORITY
from sharedsky.domain.channels import ChannelRules, Priority, Sharing
from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.events import Event
from sharedsky.domain.idempotency import KeptResult
from sharedsky.domain.ids import AckId, PartyId
from sharedsky.domain.notices import Notice
from sharedsky.ledger.chain import PartySig
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.ports import Deps
from sharedsky.service.projection import apply, apply_all
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import to_us

R = TypeVar("R")

SYSTEM = "system"
"""The actor of the events the server causes itself (detection, deadlines, deliveries)."""


def record_event(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    event: Event,
    signature: PartySig | None = None,
) -> int:
    """The one way a write takes effect: apply ``event`` to the state tables
    (``projection.apply``) and append it to the ledger in this transaction, caused by
    ``actor`` (an operator, or ``SYSTEM``) at ``now``, with the submitter's verified request
    signature if it signed; returns its sequence number."""
    apply(event, uow)
    return uow.events.append(now, actor, event.TYPE, event.payload(), signature)


def record_events(uow: UnitOfWork, now: datetime, actor: str, events: Sequence[Event]) -> None:
    """``record_event`` each of ``events`` in order, their ledger entries inserted together (none:
    nothing)."""
    apply_all(events, uow)
    if events:
        uow.events.append_many(now, actor, [(e.TYPE, e.payload()) for e in events])


def remember(
    uow: UnitOfWork, actor: Actor, idem: Idempotency[R] | None, result: R, now: datetime
) -> R:
    """Keep ``result``, encoded, under the idempotency key (if any) and return it; KeyTaken
    when a concurrent request kept a result under the key first (nothing of this one stays)."""
    if idem is not None:
        kept = KeptResult(idem.request_sha256, idem.encode(result))
        uow.idempotency.put(actor.operator, idem.key, kept, to_us(now))
    return result


def notice_acks(
    deps: Deps,
    notice: Notice,
    conflicts: Sequence[Conflict],
    now: datetime,
    priority: Priority = NOTICE_PRIORITY,
) -> tuple[AckRequest, ...]:
    """The requests that each counterparty that may see this version of the notice (with
    these open ``conflicts``) acknowledge it within the deadline of ``priority``."""
    return tuple(
        AckRequest(
            id=AckId(deps.ids.new("ack")),
            party=other,
            subject=AckSubject.NOTICE,
            subject_id=notice.id,
            subject_version=notice.version,
            priority=priority,
            requested_at=now,
            due_at=due_at(rules, priority, now),
        )
        for other, rules in _told(deps, notice, conflicts)
    )


def agreement_requests(
    deps: Deps, notice: Notice, conflicts: Sequence[Conflict], now: datetime
) -> tuple[AckRequest, ...]:
    """The requests that each counterparty told of this version of the notice (as for its
    acknowledgement) agree to it, when the notice asks for agreement or the channel asks it
    for the notice's kind (R-AGREE-1); due within the routine acknowledgement deadline."""
    return tuple(
        AckRequest(
            id=AckId(deps.ids.new("ack")),
            party=other,
            subject=AckSubject.AGREEMENT,
            subject_id=notice.id,
            subject_version=notice.version,
            priority=AGREEMENT_PRIORITY,
            requested_at=now,
            due_at=due_at(rules, AGREEMENT_PRIORITY, now),
        )
        for other, rules in _told(deps, notice, conflicts)
        if notice.request_agreement or rules.asks_agreement(notice.kind)
    )


def _told(
    deps: Deps, notice: Notice, conflicts: Sequence[Conflict]
) -> list[tuple[PartyId, ChannelRules]]:
    """The counterparties that may see this version of the notice (with these open
    ``conflicts``), with the rules of their channel with its owner."""
    mech = deps.mechanism
    clashing_parties = {c.other_side(notice.party).party for c in conflicts}
    told = []
    for other in mech.counterparties(notice.party):
        rules = mech.channel(notice.party, other)
        if rules.sharing is Sharing.HOST_ONLY:
            continue
        if rules.sharing is Sharing.CONFLICTS_ONLY and other not in clashing_parties:
            continue
        told.append((other, rules))
    return told
