"""IncidentRepository: incidents, by id and newest first."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from sharedsky.domain.incidents import Incident
from sharedsky.store import tables as t
from sharedsky.store.mapping import incident_from_record, incident_values


class IncidentRepository:
    """Incidents; an incident never changes once added."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, incident: Incident) -> None:
        """Insert an incident (its id must be new)."""
        self._c.execute(insert(t.incidents).values(incident_values(incident)))

    def get(self, incident_id: str) -> Incident | None:
        """The incident with this id; None when there is none."""
        query = select(t.incidents.c.record).where(t.incidents.c.id == incident_id)
        record = self._c.execute(query).scalar()
        return None if record is None else incident_from_record(record)

    def latest(self, limit: int) -> list[Incident]:
        """Every incident, newest filed first (ties by id, descending), at most ``limit``;
        empty when there are none."""
        c = t.incidents.c
        query = select(c.record).order_by(c.filed_us.desc(), c.id.desc()).limit(limit)
        return [incident_from_record(r) for r in self._c.execute(query).scalars()]
