"""EscalationLog: every step up an escalation ladder, at most once per request and rung."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select

from sharedsky.domain.escalation import EscalationRecord, EscalationStep
from sharedsky.domain.ids import PartyId
from sharedsky.store import tables as t
from sharedsky.store.mapping import escalation_from_row, escalation_values
from sharedsky.units import from_us

_ABOVE_MAX_ID = select(func.coalesce(func.max(t.escalations.c.id), 0) + 1)
"""The id of a new step: one more than the greatest (the ledger's order serialises the
writes), so that a replay of the ledger numbers the steps as the writes did."""


class EscalationLog:
    """The escalation steps taken."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, record: EscalationRecord) -> None:
        """Record a step; a second record of the same (request, rung) fails on its unique key."""
        number = self._c.execute(_ABOVE_MAX_ID).scalar_one()
        self._c.execute(insert(t.escalations), escalation_values(record) | {"id": number})

    def of(self, ack_id: str) -> list[EscalationRecord]:
        """The steps of one request, lowest rung first; empty when it never escalated."""
        query = (
            select(t.escalations)
            .where(t.escalations.c.ack_id == ack_id)
            .order_by(t.escalations.c.rung)
        )
        return [escalation_from_row(row) for row in self._c.execute(query)]

    def all(self) -> list[EscalationRecord]:
        """Every step, in the order taken."""
        query = select(t.escalations).order_by(t.escalations.c.id)
        return [escalation_from_row(row) for row in self._c.execute(query)]

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
            EscalationStep(
                escalation_from_row(row), row.subject, row.subject_id, from_us(row.requested_us)
            )
            for row in self._c.execute(query)
        ]
