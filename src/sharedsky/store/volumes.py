"""VolumeIndex: every current volume of notices and zones, and its H3 cell × time index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select

from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.ids import PartyId
from sharedsky.domain.volumes import StoredVolume, Volume4D
from sharedsky.store import tables as t
from sharedsky.store.mapping import stored_volume_from_row, volume_from_row, volume_values
from sharedsky.units import OPEN_END_US

_CHUNK = 500
"""Largest IN list sent in one statement."""


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterable[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_CELL_SEARCH = (
    select(t.volume_cells.c.vid)
    .distinct()
    .where(
        t.volume_cells.c.cell.in_(bindparam("cells", expanding=True)),
        t.volume_cells.c.t_start_us < bindparam("hi"),
        t.volume_cells.c.t_end_us > bindparam("lo"),
        t.volume_cells.c.party_id != bindparam("party"),
    )
)
"""The candidate search, built once (statement construction costs more than the query)."""

_ABOVE_MAX_VID = select(func.coalesce(func.max(t.volumes.c.vid), 0) + 1)
"""The vid of a new volume: one more than the greatest, not a sequence's next value, which
would skip the numbers of rolled-back writes and so differ from a replay of the ledger."""

_VOLUMES_NEAR = select(t.volumes).where(
    t.volumes.c.vid.in_(bindparam("vids", expanding=True)),
    t.volumes.c.alt_lo_m < bindparam("top"),
    t.volumes.c.alt_hi_m > bindparam("bottom"),
)


class VolumeIndex:
    """Stores volumes with their cell coverings and answers the candidate search."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def put(
        self,
        object_type: ObjectType,
        object_id: str,
        party: PartyId,
        version: int,
        volumes: Sequence[Volume4D],
        cells: Sequence[Sequence[int]],
        *,
        new: bool = False,
    ) -> None:
        """Store ``volumes`` with ``cells[i]`` covering volume i, replacing those of the object
        (``new`` skips looking for them: the object has none yet)."""
        if not new:
            self.remove(object_type, object_id)
        first = self._c.execute(_ABOVE_MAX_VID).scalar_one()
        rows = []
        for index, volume in enumerate(volumes):
            values = volume_values(volume, object_type, object_id, index, party)
            values["version"] = version
            values["vid"] = first + index
            rows.append(values)
        self._c.execute(insert(t.volumes), rows)
        vids = [values["vid"] for values in rows]
        cell_rows = [
            {
                "cell": cell,
                "t_start_us": values["t_start_us"],
                "t_end_us": OPEN_END_US if values["t_end_us"] is None else values["t_end_us"],
                "vid": vid,
                "party_id": party,
            }
            for vid, values, covering in zip(vids, rows, cells, strict=True)
            for cell in sorted(set(covering))
        ]
        if cell_rows:
            self._c.execute(insert(t.volume_cells), cell_rows)

    def unindex(self, object_type: ObjectType, object_id: str) -> None:
        """Drop the object's cells so it is no longer a candidate; its volumes stay readable.

        Nothing happens if the object has no cells.
        """
        vids = select(t.volumes.c.vid).where(
            t.volumes.c.object_type == str(object_type), t.volumes.c.object_id == object_id
        )
        self._c.execute(delete(t.volume_cells).where(t.volume_cells.c.vid.in_(vids)))

    def remove(self, object_type: ObjectType, object_id: str) -> None:
        """Drop every volume of the object and its cells; nothing happens if there are none."""
        self.unindex(object_type, object_id)
        self._c.execute(
            delete(t.volumes).where(
                t.volumes.c.object_type == str(object_type), t.volumes.c.object_id == object_id
            )
        )

    def volumes_of(
        self, object_type: ObjectType, object_ids: Sequence[str]
    ) -> dict[str, list[Volume4D]]:
        """The volumes of each object, in index order; objects with none are absent."""
        found: dict[str, list[Volume4D]] = defaultdict(list)
        for chunk in _chunks(list(object_ids)):
            query = (
                select(t.volumes)
                .where(
                    t.volumes.c.object_type == str(object_type), t.volumes.c.object_id.in_(chunk)
                )
                .order_by(t.volumes.c.object_id, t.volumes.c.volume_index)
            )
            for row in self._c.execute(query):
                found[row.object_id].append(volume_from_row(row))
        return dict(found)

    def candidates(
        self,
        cells: Sequence[int],
        t_lo_us: int,
        t_hi_us: int,
        alt_lo_m: float,
        alt_hi_m: float,
        exclude_party: PartyId,
    ) -> list[StoredVolume]:
        """Volumes of other parties that share a cell with ``cells`` and may be near in time
        and altitude.

        Means: some cell in common, time window intersecting the open interval
        (t_lo_us, t_hi_us), band intersecting the open interval (alt_lo_m, alt_hi_m), owner
        other than ``exclude_party``. Callers widen the intervals by the separation minima.
        Returns an empty list when nothing matches.
        """
        vids: set[int] = set()
        for chunk in _chunks(sorted(set(cells))):
            params = {"cells": chunk, "hi": t_hi_us, "lo": t_lo_us, "party": exclude_party}
            vids.update(self._c.execute(_CELL_SEARCH, params).scalars())
        found: list[StoredVolume] = []
        for chunk in _chunks(sorted(vids)):
            params = {"vids": chunk, "top": alt_hi_m, "bottom": alt_lo_m}
            for row in self._c.execute(_VOLUMES_NEAR, params):
                found.append(stored_volume_from_row(row))
        found.sort(key=lambda v: (v.object_type, v.object_id, v.volume_index))
        return found

    def all_current(self, now_us: int, exclude_party: PartyId) -> list[StoredVolume]:
        """Every volume of another party not over at ``now_us`` (the brute-force scan)."""
        query = select(t.volumes).where(
            t.volumes.c.party_id != exclude_party,
            or_(t.volumes.c.t_end_us.is_(None), and_(t.volumes.c.t_end_us > now_us)),
        )
        return [stored_volume_from_row(row) for row in self._c.execute(query)]
