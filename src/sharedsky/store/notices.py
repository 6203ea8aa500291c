"""NoticeRepository: notices at their current version (volumes live in the VolumeIndex)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, insert, not_, or_, select, update

from sharedsky.domain.channels import Activation
from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.notices import Notice, NoticeFilter, NoticeStatus, NoticeStep
from sharedsky.store import tables as t
from sharedsky.store.mapping import notice_from_row, notice_values
from sharedsky.store.volumes import VolumeIndex
from sharedsky.units import to_us


class NoticeRepository:
    """Notices of the mechanism, read with their volumes."""

    def __init__(self, connection: Connection, volumes: VolumeIndex) -> None:
        self._c = connection
        self._volumes = volumes

    def add(self, notice: Notice) -> None:
        """Insert a new notice row (volumes are stored by the caller through the index)."""
        self._c.execute(insert(t.notices), notice_values(notice))

    def replace(self, notice: Notice) -> None:
        """Overwrite the row of ``notice.id`` with this version; no-op if there is none."""
        values = notice_values(notice)
        del values["id"]
        self._c.execute(update(t.notices).where(t.notices.c.id == notice.id).values(values))

    def cancel(self, notice_id: str, at: datetime) -> None:
        """Mark the notice cancelled at ``at`` (nothing else of it changes); no-op if absent."""
        self._c.execute(
            update(t.notices).where(t.notices.c.id == notice_id).values(cancelled_us=to_us(at))
        )

    def mark(self, notice_id: str, step: NoticeStep, at: datetime) -> None:
        """Record that the notice was activated, released or flagged as not activated
        (``step``) at ``at`` (nothing else of it changes); no-op if absent."""
        self._c.execute(
            update(t.notices)
            .where(t.notices.c.id == notice_id)
            .values({_STEP_COLUMNS[step]: to_us(at)})
        )

    def awaiting_activation(self, now: datetime, limit: int) -> list[Notice]:
        """Live ``manual`` notices that have started by ``now`` (and not ended), were neither
        activated nor released, and were not flagged yet, by start then id; the caller
        applies each one's grace."""
        c = t.notices.c
        now_us = to_us(now)
        query = (
            select(t.notices)
            .where(
                c.activation == str(Activation.MANUAL),
                c.cancelled_us.is_(None),
                c.released_us.is_(None),
                c.activated_us.is_(None),
                c.not_activated_us.is_(None),
                c.t_start_us <= now_us,
                c.t_end_us > now_us,
            )
            .order_by(c.t_start_us, c.id)
            .limit(limit)
        )
        rows = list(self._c.execute(query))
        found = self._assemble(rows)
        return [found[row.id] for row in rows]

    def get(self, notice_id: str) -> Notice | None:
        """The notice with this id at its current version; None when there is none."""
        found = self.get_many([notice_id])
        return found.get(notice_id)

    def get_many(self, notice_ids: Sequence[str]) -> dict[str, Notice]:
        """The notices with these ids; ids that match nothing are absent from the result."""
        if not notice_ids:
            return {}
        rows = list(self._c.execute(select(t.notices).where(t.notices.c.id.in_(notice_ids))))
        return self._assemble(rows)

    def find(self, flt: NoticeFilter, now: datetime) -> list[Notice]:
        """Notices matching every filter, by start time then id; empty when none match."""
        c = t.notices.c
        query = select(t.notices)
        if flt.party is not None:
            query = query.where(c.party_id == flt.party)
        if flt.kind is not None:
            query = query.where(c.kind == str(flt.kind))
        if flt.time_from is not None:
            query = query.where(c.t_end_us > to_us(flt.time_from))
        if flt.time_to is not None:
            query = query.where(c.t_start_us < to_us(flt.time_to))
        if flt.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = flt.bbox
            query = query.where(
                c.max_lon >= min_lon,
                c.min_lon <= max_lon,
                c.max_lat >= min_lat,
                c.min_lat <= max_lat,
            )
        if flt.status is not None:
            query = query.where(_status_is(flt.status, to_us(now)))
        query = query.order_by(c.t_start_us, c.id).limit(flt.limit)
        rows = list(self._c.execute(query))
        found = self._assemble(rows)
        return [found[row.id] for row in rows]

    def _assemble(self, rows: Sequence[Any]) -> dict[str, Notice]:
        volumes = self._volumes.volumes_of(ObjectType.NOTICE, [row.id for row in rows])
        return {row.id: notice_from_row(row, volumes.get(row.id, [])) for row in rows}


_STEP_COLUMNS: dict[NoticeStep, str] = {
    NoticeStep.ACTIVATED: "activated_us",
    NoticeStep.RELEASED: "released_us",
    NoticeStep.NOT_ACTIVATED: "not_activated_us",
}


def _status_is(status: NoticeStatus, now_us: int) -> ColumnElement[bool]:
    """The rows whose notice has ``status`` at ``now_us`` (``Notice.status`` in SQL)."""
    c = t.notices.c
    live = c.cancelled_us.is_(None)
    unreleased = and_(live, c.released_us.is_(None))
    running = and_(unreleased, c.t_end_us > now_us)
    started = or_(
        c.activated_us.is_not(None),
        and_(c.activation == str(Activation.AT_START), c.t_start_us <= now_us),
    )
    match status:
        case NoticeStatus.CANCELLED:
            return not_(live)
        case NoticeStatus.RELEASED:
            return and_(live, c.released_us.is_not(None))
        case NoticeStatus.ENDED:
            return and_(unreleased, c.t_end_us <= now_us)
        case NoticeStatus.ACTIVE:
            return and_(running, started)
        case NoticeStatus.PLANNED:
            return and_(running, not_(started))
