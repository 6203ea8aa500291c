"""A database written before the typed events (``tests/ledger/data/legacy.db``, made by
``scripts/make_legacy_ledger.py`` with that code): migrated, it marks where the typed events
take over, still verifies, takes new writes, and a rebuild reads its old ``state.recorded``
after-images up to the mark and the typed events after it into the very same tables
(docs/ledger-format.md, "Ledgers written before the typed events"; R-LEDGER-8)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from sharedsky.bootstrap import build_deps
from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.events import STATE_RECORDED
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.messages import MessageDraft
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import tick
from sharedsky.service.hotline import send_message
from sharedsky.service.ledger import verify_database
from sharedsky.service.notices import amend_notice, file_notice
from sharedsky.service.projection import StoredEntry, rebuild
from sharedsky.store import legacy_state
from sharedsky.store import tables as t
from sharedsky.store.engine import make_engine
from sharedsky.store.legacy_state import PROJECTED, projection_from_seq
from sharedsky.store.schema import upgrade
from sharedsky.store.uow import Database, SqlUnitOfWork
from sharedsky.testing.fakes import FakeClock, open_targets

LEGACY = Path(__file__).parent / "data" / "legacy.db"
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The old writes' clock started here; the new ones run after them."""
OLD_ENTRIES = 30


class FreshIds:
    """Ids that the old writes (``prefix-000001`` …) never gave."""

    def __init__(self) -> None:
        self._n = 0

    def new(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-new{self._n:03d}"


def _snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    with db.engine.connect() as connection:
        return {
            name: [
                dict(r._mapping)
                for r in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for name, table in {**PROJECTED, "volume_cells": t.volume_cells}.items()
        }


def _rebuild(db: Database) -> None:
    with db.engine.begin() as connection:
        for table in [*PROJECTED.values(), t.volume_cells]:
            connection.execute(delete(table))
        from_seq = projection_from_seq(connection)
        writer = SqlUnitOfWork(connection, db.server_keys)
        entries = [
            StoredEntry(e.seq, e.content.type, e.content.payload)
            for e in writer.events.entries(0, 100_000)
            if e.content is not None
        ]
        rebuild(
            entries,
            from_seq,
            writer,
            lambda payload: legacy_state.apply(connection, payload),
            lambda: legacy_state.reindex(connection),
        )


def test_a_ledger_written_before_is_rebuilt_from_its_after_images_then_its_typed_events(
    tmp_path: Path,
) -> None:
    path = tmp_path / "legacy.db"
    shutil.copyfile(LEGACY, path)
    db = Database(make_engine(f"sqlite:///{path}"))
    try:
        upgrade(db.engine)
        with db.engine.connect() as connection:
            assert projection_from_seq(connection) == OLD_ENTRIES + 1
        old = db.run(lambda uow: uow.events.after(0, 1000), readonly=True)
        assert len(old) == OLD_ENTRIES and old[-1].type == STATE_RECORDED
        assert verify_database(db, all_signatures=True).ok

        #   the old tables rebuild from the old entries alone (cell index derived)
        before_new = _snapshot(db)
        _rebuild(db)
        assert _snapshot(db) == before_new

        #   new writes: typed events only, on top of the old rows
        clock = FakeClock(T0 + timedelta(hours=1, minutes=1))
        deps = build_deps(db, clock=clock, ids=FreshIds(), webhook_targets=open_targets())
        alpha = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)
        bravo = Actor(OperatorId("bravo-duty"), PartyId("bravo"), False)
        window = TimeWindow(T0 + timedelta(hours=3), T0 + timedelta(hours=4))
        orbit = Volume4D(
            CircleOutline((36.3, 34.7), 20_000.0), AltitudeBand(3000.0, 9000.0), window
        )
        filed = file_notice(deps, bravo, NoticeDraft(NoticeKind.UAV, "orbit", (orbit,)))
        assert filed.conflicts  # clashes with the old notices of alpha
        amend_notice(
            deps, bravo, filed.notice.id, 1, NoticeDraft(NoticeKind.UAV, "orbit 2", (orbit,))
        )
        send_message(deps, alpha, MessageDraft(PartyId("bravo"), Priority.ROUTINE, "standby"))
        acknowledge(deps, alpha, AckSubject.NOTICE, filed.notice.id)
        clock.advance(7200)
        tick(deps)
        new = db.run(lambda uow: uow.events.after(OLD_ENTRIES, 1000), readonly=True)
        assert new and STATE_RECORDED not in {e.type for e in new}
        assert verify_database(db, all_signatures=True).ok

        #   the whole ledger rebuilds: after-images up to the mark, typed events after it
        before = _snapshot(db)
        assert all(before[name] for name in ("notices", "volumes", "conflicts", "ack_requests"))
        _rebuild(db)
        assert _snapshot(db) == before
    finally:
        db.close()
