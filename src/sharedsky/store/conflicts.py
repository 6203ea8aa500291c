"""ConflictRepository: detected conflicts and their state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, insert, or_, select, update

from sharedsky.domain.conflicts import (
    Conflict,
    ConflictFilter,
    ConflictState,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.ids import PartyId
from sharedsky.store import tables as t
from sharedsky.store.mapping import conflict_from_row, conflict_values
from sharedsky.units import to_us


class ConflictRepository:
    """Conflicts of the mechanism."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, conflict: Conflict) -> None:
        """Insert a new conflict."""
        self.add_many([conflict])

    def add_many(self, conflicts: Sequence[Conflict]) -> None:
        """Insert new conflicts in one statement; nothing happens for an empty list."""
        if conflicts:
            self._c.execute(insert(t.conflicts), [conflict_values(c) for c in conflicts])

    def get(self, conflict_id: str) -> Conflict | None:
        """The conflict with this id; None when there is none."""
        row = self._c.execute(select(t.conflicts).where(t.conflicts.c.id == conflict_id)).first()
        return None if row is None else conflict_from_row(row)

    def open_involving(self, object_type: ObjectType, object_id: str) -> list[Conflict]:
        """Stored-open conflicts with the object on either side (expiry is not applied), in id
        order: the events written from them (a conflict resolved by an amendment) then come in
        one order on every backend (PostgreSQL returns rows in no set order without it)."""
        c = t.conflicts.c
        query = (
            select(t.conflicts)
            .where(
                c.state == str(ConflictState.OPEN),
                or_(
                    and_(c.a_type == str(object_type), c.a_id == object_id),
                    and_(c.b_type == str(object_type), c.b_id == object_id),
                ),
            )
            .order_by(c.id)
        )
        return [conflict_from_row(row) for row in self._c.execute(query)]

    def resolve(self, conflict_id: str, reason: ResolvedReason, at: datetime) -> None:
        """Mark the conflict resolved; no-op when it does not exist."""
        self._c.execute(
            update(t.conflicts)
            .where(t.conflicts.c.id == conflict_id)
            .values(
                state=str(ConflictState.RESOLVED),
                resolved_us=to_us(at),
                resolved_reason=str(reason),
            )
        )

    def find(self, flt: ConflictFilter, now: datetime) -> list[Conflict]:
        """Conflicts matching the filter, newest first; ``state`` is judged at ``now``."""
        c = t.conflicts.c
        query = select(t.conflicts)
        if flt.party is not None:
            query = query.where(or_(c.a_party == flt.party, c.b_party == flt.party))
        if flt.object_id is not None:
            query = query.where(or_(c.a_id == flt.object_id, c.b_id == flt.object_id))
        now_us = to_us(now)
        not_expired = or_(c.expires_us.is_(None), c.expires_us > now_us)
        if flt.state is ConflictState.OPEN:
            query = query.where(c.state == str(ConflictState.OPEN), not_expired)
        elif flt.state is ConflictState.RESOLVED:
            query = query.where(or_(c.state == str(ConflictState.RESOLVED), ~not_expired))
        query = query.order_by(c.detected_us.desc(), c.id).limit(flt.limit)
        return [conflict_from_row(row) for row in self._c.execute(query)]

    def clashing_volumes(
        self, viewer: PartyId, object_ids: Sequence[str], now: datetime
    ) -> dict[str, frozenset[int]]:
        """For each object id, the indexes of its volumes in an open conflict with one of
        ``viewer``'s objects at ``now``; objects with none are absent."""
        if not object_ids:
            return {}
        c = t.conflicts.c
        now_us = to_us(now)
        found: dict[str, set[int]] = defaultdict(set)
        open_now = and_(
            c.state == str(ConflictState.OPEN), or_(c.expires_us.is_(None), c.expires_us > now_us)
        )
        for mine, theirs in (("a", "b"), ("b", "a")):
            query = select(getattr(c, f"{theirs}_id"), getattr(c, f"{theirs}_volume")).where(
                open_now,
                getattr(c, f"{mine}_party") == viewer,
                getattr(c, f"{theirs}_id").in_(list(object_ids)),
            )
            for object_id, volume_index in self._c.execute(query):
                found[object_id].add(volume_index)
        return {key: frozenset(value) for key, value in found.items()}
