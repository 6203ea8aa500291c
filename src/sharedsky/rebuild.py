"""The state tables rebuilt from the ledger alone (R-LEDGER-8): the recovery step when the
tables are lost or suspect, and the check that they are a projection of the ledger.

In one transaction: every projected table and the cell index emptied, then the ledger's
entries applied in order (``service/projection.rebuild``: a ledger written before the typed
events through its ``state.recorded`` after-images, then each typed event through its
``apply``). ``check`` compares every row of every table with what it was, then rolls the
transaction back: the database is left as it was, and the answer lists the differences.
A rebuild for real refuses to run while a server serves the database (it would empty the
tables under it): SQLite's serving lock, PostgreSQL's duty lock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from sharedsky.bootstrap import serving_lock
from sharedsky.domain.errors import StateConflict
from sharedsky.service.projection import StoredEntry, rebuild
from sharedsky.store import legacy_state
from sharedsky.store import tables as t
from sharedsky.store.duty_lock import DutyLock
from sharedsky.store.engine import is_sqlite
from sharedsky.store.uow import Database, SqlUnitOfWork

TABLES = {**legacy_state.PROJECTED, "volume_cells": t.volume_cells}
"""What a rebuild makes: the projected tables and the candidate index derived from them."""
PAGE = 10_000
"""Ledger entries read at a time."""
SHOWN = 20
"""Most differences an answer lists (the count is always whole)."""

Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild applied and made; ``differences`` (a check only) names each row that
    came out otherwise than it was, ``missing`` + ``extra`` + ``changed`` of them in all."""

    entries: int
    rows: Mapping[str, int]
    checked: bool
    differences: tuple[str, ...] = ()
    differing: int = 0

    @property
    def identical(self) -> bool:
        return self.differing == 0


def snapshot(connection: Connection) -> Rows:
    """Every row of every rebuilt table, in key order (a table without a key: by every column)."""
    return {
        name: [
            dict(row._mapping)
            for row in connection.execute(
                select(table).order_by(*(table.primary_key.columns or table.columns))
            )
        ]
        for name, table in TABLES.items()
    }


def _key(table: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    columns = TABLES[table].primary_key.columns or TABLES[table].columns
    return tuple(row[c.name] for c in columns)


def differences(before: Rows, after: Rows) -> list[str]:
    """Each row missing, extra or changed in ``after``, table by table, named by its key."""
    found: list[str] = []
    for table, rows in before.items():
        old = {_key(table, r): r for r in rows}
        new = {_key(table, r): r for r in after[table]}
        for key in old.keys() - new.keys():
            found.append(f"{table} {key}: missing after the rebuild")
        for key in new.keys() - old.keys():
            found.append(f"{table} {key}: made by the rebuild, absent before")
        for key in old.keys() & new.keys():
            changed = {c: (v, new[key][c]) for c, v in old[key].items() if new[key][c] != v}
            if changed:
                shown = ", ".join(f"{c}: {a!r} → {b!r}" for c, (a, b) in changed.items())
                found.append(f"{table} {key}: {shown}")
    return sorted(found)


@contextmanager
def _alone(db: Database) -> Iterator[None]:
    """Hold, for the block, what a serving process holds: StateConflict if one serves ``db``."""
    if is_sqlite(db.engine):
        with serving_lock(db.engine.url.render_as_string(hide_password=False)):
            yield
        return
    lock = DutyLock(db.engine.url)
    if not lock.try_take():
        lock.release()
        raise StateConflict(
            "a sharedsky serve process serves this database (it holds the duty lock): stop "
            "every server before a rebuild, or rebuild with --check, which changes nothing"
        )
    try:
        yield
    finally:
        lock.release()


def _replay(connection: Connection, db: Database) -> int:
    """Empty the rebuilt tables and apply the whole ledger; the number of entries applied."""
    for table in TABLES.values():
        connection.execute(delete(table))
    writer = SqlUnitOfWork(connection, db.server_keys)
    entries: list[StoredEntry] = []
    after = 0
    while batch := writer.events.entries(after, PAGE):
        entries += (
            StoredEntry(e.seq, e.content.type, e.content.payload)
            for e in batch
            if e.content is not None  # a redacted entry: its content is gone from this ledger
        )
        after = batch[-1].seq
    rebuild(
        entries,
        legacy_state.projection_from_seq(connection),
        writer,
        lambda payload: legacy_state.apply(connection, payload),
        lambda: legacy_state.reindex(connection),
    )
    return len(entries)


def rebuild_state(db: Database, *, check: bool) -> RebuildReport:
    """Rebuild the state tables of ``db`` from its ledger; with ``check``, compare and roll
    back (safe beside a running server), otherwise commit (StateConflict while one serves)."""
    if check:
        with db.engine.connect() as connection, connection.begin() as transaction:
            before = snapshot(connection)
            applied = _replay(connection, db)
            after = snapshot(connection)
            transaction.rollback()
        found = differences(before, after)
        return RebuildReport(
            applied,
            {name: len(rows) for name, rows in after.items()},
            True,
            tuple(found[:SHOWN]),
            len(found),
        )
    with _alone(db), db.engine.begin() as connection:
        applied = _replay(connection, db)
        made = {name: len(rows) for name, rows in snapshot(connection).items()}
    return RebuildReport(applied, made, False)
