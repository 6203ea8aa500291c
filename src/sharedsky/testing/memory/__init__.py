"""MemoryDatabase: the unit of work of ``service/uow.py`` kept in memory, for tests, the demo
and benchmarks that exercise the use cases without a database.

It answers every repository method as the SQL store (``store/``) does, because it holds the
same thing: each table as a dict of rows, every row exactly as the SQL repository writes it
(``store/mapping.py``'s ``*_values``, values of the column's type) and read back through the
same ``*_from_row`` functions, each query a Python loop with the SQL query's conditions, order
and limit. So the "found nothing" answers, the orders and the values (JSON round trips, floats
where a column is a float) are the SQL store's; a row that breaks a primary, unique or foreign
key or leaves a NOT NULL column empty raises ``ConstraintViolation`` where SQL raises its
IntegrityError (``KeyTaken`` for a taken idempotency key, as there); the ledger is chained and
signed by ``sharedsky.ledger`` as ``store/events.py`` does, so that a fake run's ledger
verifies with ``sharedsky.ledger.verify``; and its tables are the projection of the typed
events the use cases record (``service/projection.py``), numbered as the SQL store numbers them
(one more than the greatest vid or escalation id). ``tests/service/test_uow_contract.py`` runs
the same assertions against both, and ``tests/testing/test_memory.py`` the same use cases
side by side.

What it simplifies, on purpose:

- **One transaction at a time.** ``run`` holds one lock for the whole work, read-only or not,
  as SQLite admits one writer (``dialect`` answers ``sqlite``: sequence numbers are taken and
  committed in order, so a stream waits no gap out; ``skips_locked_rows`` is False). A write is
  atomic by an undo log: when ``work`` raises, every change it made is taken back. Writes are
  never grouped into a shared transaction (a valid outcome of ``store/group_commit.py``, where
  a write may always run alone), never retried (nothing collides),
  and ``run_async`` runs the work in the calling coroutine. A ``run`` inside a ``run`` of the
  same thread raises RuntimeError instead of waiting for itself.
- **Numbered rows**: ``volumes.vid`` and ``escalations.id`` are one more than the greatest, as
  the SQL store numbers them (a replay of the ledger numbers them alike);
  ``webhook_deliveries.id`` comes from a counter that a rollback does not take back, as
  PostgreSQL's sequences.
- **Strings order by code point** (SQLite's binary collation; a PostgreSQL database with a
  language collation may order mixed-case or punctuated ids otherwise). Queries without an
  ORDER BY in SQL answer in primary-key order.
- ``entries_naming`` applies its limit to the exact matches (SQLite's case-blind LIKE may count
  case variants against the limit before they are dropped).
- ``schema_revisions`` answers what it was given (no migrations run here).

The volume index is not simplified: a candidate shares a cell with the query and meets both
open intervals, as ``store/volumes.py`` finds it, so detection sees the same candidates.
"""

from sharedsky.testing.memory.database import MemoryDatabase, MemoryUnitOfWork
from sharedsky.testing.memory.live import MemoryLiveTables
from sharedsky.testing.memory.tables import SCHEMA, ConstraintViolation, TableSpec

__all__ = [
    "SCHEMA",
    "ConstraintViolation",
    "MemoryDatabase",
    "MemoryLiveTables",
    "MemoryUnitOfWork",
    "TableSpec",
]
