"""The Alembic migrations build exactly the schema the tables declare, on both backends; every
use case leaves its event in the log."""

from __future__ import annotations

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
