"""DeliveryLog: when a notice, conflict or message first reached each party."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sharedsky.domain.deliveries import Delivery
from sharedsky.store import tables as t
from sharedsky.store.mapping import delivery_from_row, delivery_values


class DeliveryLog:
    """First deliveries; a later delivery of the same subject to the same party changes nothing."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def record(self, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """Record first deliveries and return those that were first (in the order given);
        those already recorded are left as they were."""
        if not deliveries:
            return []
        rows = [delivery_values(d) for d in deliveries]
        dialect = self._c.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        c = t.deliveries.c
        statement = (
            insert(t.deliveries)
            .on_conflict_do_nothing()
            .returning(c.subject, c.subject_id, c.party_id, sort_by_parameter_order=True)
        )
        fresh = {(r.subject, r.subject_id, r.party_id) for r in self._c.execute(statement, rows)}
        first: list[Delivery] = []
        for d in deliveries:
            key = (d.subject, d.subject_id, d.party)
            if key in fresh:
                fresh.discard(key)  # the same delivery offered twice in one call counts once
                first.append(d)
        return first

    def of(self, subject: str, subject_ids: Sequence[str]) -> list[Delivery]:
        """The recorded deliveries of these subjects; empty when none reached anyone."""
        if not subject_ids:
            return []
        c = t.deliveries.c
        query = select(t.deliveries).where(
            c.subject == subject, c.subject_id.in_(list(subject_ids))
        )
        return [delivery_from_row(r) for r in self._c.execute(query)]
