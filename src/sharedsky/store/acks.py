"""AckRepository: who must acknowledge what by when, and who did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.channels import Priority
from sharedsky.domain.ids import AckId, OperatorId, PartyId
from sharedsky.store import tables as t
from sharedsky.store.mapping import from_us, opt_from_us, opt_to_us, to_us


def _from_row(row: Any) -> AckRequest:
    return AckRequest(
        id=AckId(row.id),
        party=PartyId(row.party_id),
        subject=AckSubject(row.subject),
        subject_id=row.subject_id,
        subject_version=row.subject_version,
        priority=Priority(row.priority),
        requested_at=from_us(row.requested_us),
        due_at=from_us(row.due_us),
        status=AckStatus(row.status),
        acked_at=opt_from_us(row.acked_us),
        acked_by=None if row.acked_by is None else OperatorId(row.acked_by),
    )


class AckRepository:
    """Acknowledgement requests and their outcome."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, request: AckRequest) -> None:
        """Insert a request."""
        self.add_many([request])

    def add_many(self, requests: Sequence[AckRequest]) -> None:
        """Insert requests in one statement; nothing happens for an empty list."""
        if not requests:
            return
        rows = [
            {
                "id": r.id,
                "party_id": r.party,
                "subject": str(r.subject),
                "subject_id": r.subject_id,
                "subject_version": r.subject_version,
                "priority": str(r.priority),
                "requested_us": to_us(r.requested_at),
                "due_us": to_us(r.due_at),
                "status": str(r.status),
                "acked_us": opt_to_us(r.acked_at),
                "acked_by": r.acked_by,
            }
            for r in requests
        ]
        self._c.execute(insert(t.ack_requests), rows)

    def for_subject(self, subject_id: str, party: PartyId | None = None) -> list[AckRequest]:
        """Every request about the subject (optionally of one party), oldest first."""
        query = select(t.ack_requests).where(t.ack_requests.c.subject_id == subject_id)
        if party is not None:
            query = query.where(t.ack_requests.c.party_id == party)
        query = query.order_by(t.ack_requests.c.requested_us, t.ack_requests.c.id)
        return [_from_row(row) for row in self._c.execute(query)]

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
        return [_from_row(row) for row in self._c.execute(query)]

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
