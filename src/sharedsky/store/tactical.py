"""TacticalRepository: tactical alerts (track × track, track × zone, track × its notice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from sharedsky.domain.tactical import CLEARED, OPEN, Severity, StoredAlert
from sharedsky.store import tables as t
from sharedsky.store.mapping import alert_from_row, alert_values, figures_text
from sharedsky.units import to_us


class TacticalRepository:
    """Tactical alerts of the mechanism."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_many(self, alerts: Sequence[StoredAlert]) -> None:
        """Insert new alerts; nothing happens for an empty list."""
        if not alerts:
            return
        rows = [alert_values(a) for a in alerts]
        self._c.execute(insert(t.tactical_alerts), rows)

    def update_severity(
        self, alert_id: str, severity: Severity, figures: Mapping[str, object], at: datetime
    ) -> None:
        """Record a new severity (and the figures that caused it)."""
        self._c.execute(
            update(t.tactical_alerts)
            .where(t.tactical_alerts.c.id == alert_id)
            .values(
                severity=str(severity),
                figures=figures_text(figures),
                updated_us=to_us(at),
            )
        )

    def clear(self, alert_id: str, at: datetime) -> None:
        """Mark the alert cleared."""
        self._c.execute(
            update(t.tactical_alerts)
            .where(t.tactical_alerts.c.id == alert_id)
            .values(state=CLEARED, cleared_us=to_us(at), updated_us=to_us(at))
        )

    def get(self, alert_id: str) -> StoredAlert | None:
        """The alert with this id; None when there is none."""
        query = select(t.tactical_alerts).where(t.tactical_alerts.c.id == alert_id)
        row = self._c.execute(query).first()
        return None if row is None else alert_from_row(row)

    def open_alerts(self) -> list[StoredAlert]:
        """Every open alert, oldest first."""
        c = t.tactical_alerts.c
        query = select(t.tactical_alerts).where(c.state == OPEN).order_by(c.opened_us, c.id)
        return [alert_from_row(row) for row in self._c.execute(query)]

    def find(self, state: str | None, limit: int = 1000) -> list[StoredAlert]:
        """Alerts in ``state`` (any when None), newest first."""
        c = t.tactical_alerts.c
        query = select(t.tactical_alerts).order_by(c.opened_us.desc(), c.id).limit(limit)
        if state is not None:
            query = query.where(c.state == state)
        return [alert_from_row(row) for row in self._c.execute(query)]
