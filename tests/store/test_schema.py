"""The Alembic migrations build exactly the schema the tables declare, on both backends; every
use case leaves its event in the log."""

from __future__ import annotations

import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sharedsky.store.tables import metadata
from sharedsky.store.uow import Database


def test_migrations_match_the_table_metadata(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_the_event_log_appends_in_order(database: Database) -> None:
    from _support import T0

    seqs = database.run(
        lambda uow: [
            uow.events.append(T0, "alpha-duty", "notice.filed", {"n": i}) for i in range(3)
        ]
    )
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    events = database.run(lambda uow: uow.events.after(seqs[0]), readonly=True)
    assert [e.payload["n"] for e in events] == [1, 2]
    assert all(e.type == "notice.filed" and e.time == T0 for e in events)


def test_the_background_checkpointer_copies_the_wal_into_the_file(tmp_path: Path) -> None:
    from sharedsky.bootstrap import open_database

    path = tmp_path / "c.db"
    db = open_database(f"sqlite:///{path}")
    from _support import T0

    for chunk in range(20):
        db.run(
            lambda uow, chunk=chunk: [
                uow.events.append(T0, "x", "notice.filed", {"pad": "x" * 2000, "n": i})
                for i in range(chunk * 50, chunk * 50 + 50)
            ]
        )
    time.sleep(1.2)  # two checkpoint intervals
    # 2 MB of events stay in the WAL unless checkpointed (the backstop is at 40 MB): the
    # database file has grown only if the background thread copied them there
    assert path.stat().st_size > 1_000 * 2_000
    db.close()
