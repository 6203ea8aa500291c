"""EscalationLog: every step up an escalation ladder, at most once per request and rung."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from sharedsky.domain.escalation import EscalationRecord, EscalationStep
from sharedsky.domain.ids import PartyId
from sharedsky.store import tables as t
from sharedsky.store.journal import Journal
from sharedsky.units import from_us, opt_from_us, opt_to_us, to_us


def _record(row: Any) -> EscalationRecord:
    return EscalationRecord(
        row.ack_id,
        PartyId(row.party_id),
        row.rung,
        row.rung_name,
        from_us(row.at_us),
        opt_from_us(row.next_due_us),
    )


class EscalationLog:
    """The escalation steps taken."""

    def __init__(self, connection: Connection, journal: Journal | None = None) -> None:
        self._c = connection
        self._journal = journal if journal is not None else Journal()

    def add(self, record: EscalationRecord) -> None:
        """Record a step; a second record of the same (request, rung) fails on its unique key."""
        self._journal.note(t.escalations, "ack_id", record.ack_id)
        self._c.execute(
            insert(t.escalations),
            {
                "ack_id": record.ack_id,
                "party_id": record.party,
                "rung": record.rung,
                "rung_name": record.rung_name,
                "at_us": to_us(record.at),
                "next_due_us": opt_to_us(record.next_due),
            },
        )

    def of(self, ack_id: str) -> list[EscalationRecord]:
        """The steps of one request, lowest rung first; empty when it never escalated."""
        query = (
            select(t.escalations)
            .where(t.escalations.c.ack_id == ack_id)
            .order_by(t.escalations.c.rung)
        )
        return [_record(row) for row in self._c.execute(query)]

    def all(self) -> list[EscalationRecord]:
        """Every step, in the order taken."""
        query = select(t.escalations).order_by(t.escalations.c.id)
        return [_record(row) for row in self._c.execute(query)]

    def steps(self, party: PartyId | None, limit: int = 500) -> list[EscalationStep]:
        """The steps of ``party``'s requests (every party's when None), newest first, each
        with the subject of its request."""
        e, a = t.escalations, t.ack_requests
        query = (
            select(e, a.c.subject, a.c.subject_id, a.c.requested_us)
            .join(a, a.c.id == e.c.ack_id)
            .order_by(e.c.id.desc())
            .limit(limit)
        )
        if party is not None:
            query = query.where(e.c.party_id == party)
        return [
            EscalationStep(_record(row), row.subject, row.subject_id, from_us(row.requested_us))
            for row in self._c.execute(query)
        ]
