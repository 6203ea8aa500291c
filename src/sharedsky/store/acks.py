"""AckRepository: who must acknowledge what by when, and who did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, case, func, insert, select, update

from sharedsky.domain.acknowledgements import AckBacklog, AckRequest, AckStatus, AckSubject
from sharedsky.domain.agreement import AgreementReply, Position
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.store import tables as t
from sharedsky.store.mapping import ack_from_row, ack_values, answer_values, position_from_row
from sharedsky.store.pending import Pending
from sharedsky.units import to_us

_INSERT = insert(t.ack_requests)
"""The insert statement (values as parameters: its cache key computed once)."""


class AckRepository:
    """Acknowledgement requests and their outcome."""

    def __init__(
        self,
        connection: Connection,
        pending: Pending | None = None,
    ) -> None:
        self._c = connection
        self._pending = Pending(connection) if pending is None else pending
        """Where inserts go: held with the transaction's others, or at once (the default)."""

    def add(self, request: AckRequest) -> None:
        """Insert a request."""
        self.add_many([request])

    def add_many(self, requests: Sequence[AckRequest]) -> None:
        """Insert requests in one statement; nothing happens for an empty list."""
        if not requests:
            return
        rows = [ack_values(r) for r in requests]
        self._pending.insert(_INSERT, rows)

    def for_subject(self, subject_id: str, party: PartyId | None = None) -> list[AckRequest]:
        """Every request about the subject (optionally of one party), oldest first."""
        query = select(t.ack_requests).where(t.ack_requests.c.subject_id == subject_id)
        if party is not None:
            query = query.where(t.ack_requests.c.party_id == party)
        query = query.order_by(t.ack_requests.c.requested_us, t.ack_requests.c.id)
        return [ack_from_row(row) for row in self._c.execute(query)]

    def pending(self, party: PartyId) -> list[AckRequest]:
        """The party's pending requests, earliest due first."""
        query = (
            select(t.ack_requests)
            .where(
                t.ack_requests.c.party_id == party,
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .order_by(t.ack_requests.c.due_us, t.ack_requests.c.id)
        )
        return [ack_from_row(row) for row in self._c.execute(query)]

    def backlog(self, now_us: int) -> list[AckBacklog]:
        """Per party with at least one pending request, how many are pending, overdue at
        ``now_us`` (due at or before it) and escalated; one grouped query over the pending
        rows (index ``ix_ack_requests_due``), parties in id order; empty when none is pending."""
        c = t.ack_requests.c
        query = (
            select(
                c.party_id,
                func.count(),
                func.sum(case((c.due_us <= now_us, 1), else_=0)),
                func.sum(case((c.rung > 0, 1), else_=0)),
            )
            .where(c.status == str(AckStatus.PENDING))
            .group_by(c.party_id)
            .order_by(c.party_id)
        )
        return [
            AckBacklog(PartyId(party), int(pending), int(overdue or 0), int(escalated or 0))
            for party, pending, overdue, escalated in self._c.execute(query)
        ]

    def acknowledge(self, request_id: str, operator: OperatorId, at: datetime) -> None:
        """Record the acknowledgement of a pending request; no-op otherwise."""
        self._c.execute(
            update(t.ack_requests)
            .where(
                t.ack_requests.c.id == request_id,
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .values(status=str(AckStatus.ACKNOWLEDGED), acked_us=to_us(at), acked_by=operator)
        )

    def answer(
        self, request_id: str, reply: AgreementReply, operator: OperatorId, at: datetime
    ) -> None:
        """Record ``operator``'s answer ``reply`` to a pending request for agreement at ``at``
        (the request is settled, as an acknowledgement settles one); no-op otherwise."""
        self._c.execute(
            update(t.ack_requests)
            .where(
                t.ack_requests.c.id == request_id,
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .values(
                status=str(AckStatus.ACKNOWLEDGED),
                acked_us=to_us(at),
                acked_by=operator,
                **answer_values(reply),
            )
        )

    def positions(self, subject_id: str) -> list[Position]:
        """The requests for agreement with notice ``subject_id`` (every version's, every
        party's), oldest first, each with its answer; empty when it never asked."""
        c = t.ack_requests.c
        query = (
            select(t.ack_requests)
            .where(c.subject_id == subject_id, c.subject == str(AckSubject.AGREEMENT))
            .order_by(c.requested_us, c.id)
        )
        return [position_from_row(row) for row in self._c.execute(query)]

    def supersede(self, subject_id: str) -> None:
        """Mark every pending request about the subject superseded (it changed or went away)."""
        self._c.execute(
            update(t.ack_requests)
            .where(
                t.ack_requests.c.subject_id == subject_id,
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .values(status=str(AckStatus.SUPERSEDED))
        )

    def supersede_for(self, subject_id: str, parties: Sequence[str]) -> None:
        """Mark the pending requests of ``parties`` about the subject superseded."""
        self._c.execute(
            update(t.ack_requests)
            .where(
                t.ack_requests.c.subject_id == subject_id,
                t.ack_requests.c.party_id.in_(list(parties)),
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .values(status=str(AckStatus.SUPERSEDED))
        )

    def due(self, now_us: int, limit: int, *, lock: bool) -> list[AckRequest]:
        """Pending requests whose due time is at or before ``now_us``, earliest first, at most
        ``limit``. With ``lock`` (PostgreSQL) the rows are locked and rows another
        transaction holds are skipped (``FOR UPDATE SKIP LOCKED``), so that concurrent
        schedulers share the work and never take the same request."""
        c = t.ack_requests.c
        query = (
            select(t.ack_requests)
            .where(c.status == str(AckStatus.PENDING), c.due_us <= now_us)
            .order_by(c.due_us, c.id)
            .limit(limit)
        )
        if lock:
            query = query.with_for_update(skip_locked=True)
        return [ack_from_row(row) for row in self._c.execute(query)]

    def climb(self, request_id: str, rung: int, due_us: int) -> None:
        """Move a pending request to ``rung`` with a new due time; no-op otherwise."""
        self._c.execute(
            update(t.ack_requests)
            .where(
                t.ack_requests.c.id == request_id,
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .values(rung=rung, due_us=due_us)
        )

    def lapse(self, request_id: str) -> None:
        """Mark a pending request superseded (its subject no longer needs an answer)."""
        self._c.execute(
            update(t.ack_requests)
            .where(
                t.ack_requests.c.id == request_id,
                t.ack_requests.c.status == str(AckStatus.PENDING),
            )
            .values(status=str(AckStatus.SUPERSEDED))
        )
