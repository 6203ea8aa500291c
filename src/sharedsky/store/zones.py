"""ZoneRepository: declared zones at their current version (the volume lives in the VolumeIndex)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.ids import PartyId
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.store import tables as t
from sharedsky.store.mapping import zone_from_row, zone_values
from sharedsky.store.volumes import VolumeIndex
from sharedsky.units import to_us


class ZoneRepository:
    """Zones of the mechanism, read with their volume."""

    def __init__(self, connection: Connection, volumes: VolumeIndex) -> None:
        self._c = connection
        self._volumes = volumes

    def add(self, zone: Zone) -> None:
        """Insert a new zone row (its volume is stored by the caller through the index)."""
        self._c.execute(insert(t.zones).values(zone_values(zone)))

    def replace(self, zone: Zone) -> None:
        """Overwrite the row of ``zone.id`` with this version; no-op if there is none."""
        values = zone_values(zone)
        del values["id"]
        self._c.execute(update(t.zones).where(t.zones.c.id == zone.id).values(values))

    def withdraw(self, zone_id: str, at: datetime) -> None:
        """Mark the zone withdrawn (and updated) at ``at``; no-op if absent."""
        at_us = to_us(at)
        self._c.execute(
            update(t.zones)
            .where(t.zones.c.id == zone_id)
            .values(withdrawn_us=at_us, updated_us=at_us)
        )

    def get(self, zone_id: str) -> Zone | None:
        """The zone with this id; None when there is none."""
        return self.get_many([zone_id]).get(zone_id)

    def get_many(self, zone_ids: Sequence[str]) -> dict[str, Zone]:
        """The zones with these ids; ids that match nothing are absent."""
        if not zone_ids:
            return {}
        rows = list(self._c.execute(select(t.zones).where(t.zones.c.id.in_(zone_ids))))
        return self._assemble(rows)

    def find(
        self, party: PartyId | None = None, kind: ZoneKind | None = None, withdrawn: bool = False
    ) -> list[Zone]:
        """Zones, optionally of one party or kind; withdrawn ones only when asked, by id."""
        query = select(t.zones).order_by(t.zones.c.id)
        if party is not None:
            query = query.where(t.zones.c.party_id == party)
        if kind is not None:
            query = query.where(t.zones.c.kind == str(kind))
        if not withdrawn:
            query = query.where(t.zones.c.withdrawn_us.is_(None))
        rows = list(self._c.execute(query))
        found = self._assemble(rows)
        return [found[row.id] for row in rows]

    def _assemble(self, rows: Sequence[Any]) -> dict[str, Zone]:
        volumes = self._volumes.volumes_of(ObjectType.ZONE, [row.id for row in rows])
        return {row.id: zone_from_row(row, volumes[row.id][0]) for row in rows}
