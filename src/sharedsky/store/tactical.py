"""TacticalRepository: tactical alerts (track × track, track × zone, track × its notice)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import Row

from sharedsky.domain.ids import PartyId
from sharedsky.domain.tactical import CLEARED, OPEN, AlertKey, AlertKind, Severity, StoredAlert
from sharedsky.store import tables as t
from sharedsky.store.journal import Journal
from sharedsky.units import from_us, to_us


def _from_row(row: Row[tuple[object, ...]]) -> StoredAlert:
    m = row._mapping
    return StoredAlert(
        id=m["id"],
        key=AlertKey(
            AlertKind(m["kind"]),
            PartyId(m["a_party"]),
            m["a_track"],
            m["b_type"],
            m["b_id"],
            PartyId(m["b_party"]),
        ),
        audience=tuple(PartyId(p) for p in json.loads(m["audience"])),
        severity=Severity(m["severity"]),
        figures=json.loads(m["figures"]),
        opened_at=from_us(m["opened_us"]),
        updated_at=from_us(m["updated_us"]),
        state=m["state"],
        cleared_at=None if m["cleared_us"] is None else from_us(m["cleared_us"]),
    )


class TacticalRepository:
    """Tactical alerts of the mechanism."""

    def __init__(self, connection: Connection, journal: Journal | None = None) -> None:
        self._c = connection
        self._journal = journal if journal is not None else Journal()

    def add_many(self, alerts: Sequence[StoredAlert]) -> None:
        """Insert new alerts; nothing happens for an empty list."""
        if not alerts:
            return
        rows = [
            {
                "id": a.id,
                "kind": str(a.key.kind),
                "a_party": a.key.a_party,
                "a_track": a.key.a_track,
                "b_type": a.key.b_type,
                "b_id": a.key.b_id,
                "b_party": a.key.b_party,
                "audience": json.dumps(list(a.audience)),
                "severity": str(a.severity),
                "figures": json.dumps(a.figures, sort_keys=True),
                "opened_us": to_us(a.opened_at),
                "updated_us": to_us(a.updated_at),
                "state": a.state,
                "cleared_us": None if a.cleared_at is None else to_us(a.cleared_at),
            }
            for a in alerts
        ]
        self._c.execute(insert(t.tactical_alerts), rows)
        for alert in alerts:
            self._journal.note(t.tactical_alerts, "id", alert.id)

    def update_severity(
        self, alert_id: str, severity: Severity, figures: Mapping[str, object], at: datetime
    ) -> None:
        """Record a new severity (and the figures that caused it)."""
        self._journal.note(t.tactical_alerts, "id", alert_id)
        self._c.execute(
            update(t.tactical_alerts)
            .where(t.tactical_alerts.c.id == alert_id)
            .values(
                severity=str(severity),
                figures=json.dumps(figures, sort_keys=True),
                updated_us=to_us(at),
            )
        )

    def clear(self, alert_id: str, at: datetime) -> None:
        """Mark the alert cleared."""
        self._journal.note(t.tactical_alerts, "id", alert_id)
        self._c.execute(
            update(t.tactical_alerts)
            .where(t.tactical_alerts.c.id == alert_id)
            .values(state=CLEARED, cleared_us=to_us(at), updated_us=to_us(at))
        )

    def get(self, alert_id: str) -> StoredAlert | None:
        """The alert with this id; None when there is none."""
        query = select(t.tactical_alerts).where(t.tactical_alerts.c.id == alert_id)
        row = self._c.execute(query).first()
        return None if row is None else _from_row(row)

    def open_alerts(self) -> list[StoredAlert]:
        """Every open alert, oldest first."""
        c = t.tactical_alerts.c
        query = select(t.tactical_alerts).where(c.state == OPEN).order_by(c.opened_us, c.id)
        return [_from_row(row) for row in self._c.execute(query)]

    def find(self, state: str | None, limit: int = 1000) -> list[StoredAlert]:
        """Alerts in ``state`` (any when None), newest first."""
        c = t.tactical_alerts.c
        query = select(t.tactical_alerts).order_by(c.opened_us.desc(), c.id).limit(limit)
        if state is not None:
            query = query.where(c.state == state)
        return [_from_row(row) for row in self._c.execute(query)]
