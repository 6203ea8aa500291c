"""Inserts held back inside a shared transaction and sent together, one statement at a time.

In a shared transaction (``store/group_commit.py``) fifty hotline messages are fifty inserts
into each of three tables. On PostgreSQL each insert is a round trip to the server, and after
each the committing thread waits for the GIL again: the round trips, not the work, bound how
many writes a second one process commits. The busiest repositories therefore hand their plain
inserts to ``insert_rows``. Outside a shared transaction it executes them at once; inside one
(``holding_inserts``) it holds them, and sends the rows of each statement together (one
``executemany``, which the drivers pipeline) before any other statement runs on the connection
and before the commit. So every read, update or delete of the transaction sees every row
written before it, exactly as if the inserts had run when they were made.

What changes is the order in which rows of *different* statements reach the database (all the
messages, then all the acknowledgement requests, then all the events): harmless for the tables
that take held rows, none of which refers to another by a foreign key. And a held insert fails
later than it was made: the failure fails the whole shared transaction, whose writes then each
run alone, holding nothing back, so every failure still reaches its own writer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Insert, event


class _Held:
    """The rows held on one connection, by statement in the order each was first used."""

    __slots__ = ("failed", "rows")

    def __init__(self) -> None:
        self.rows: dict[Insert, list[Mapping[str, Any]]] = {}
        self.failed: BaseException | None = None
        """The error of a flush, kept should a caller swallow it (the transaction must not
        commit without the rows)."""

    def flush(self, connection: Connection) -> None:
        held, self.rows = self.rows, {}  # taken first: the flush's own statements hold nothing
        try:
            if len(held) > 1 and connection.dialect.name == "postgresql":
                # one round trip for every statement: psycopg's pipeline sends them all and
                # waits once (an error surfaces as the pipeline ends)
                with connection.connection.driver_connection.pipeline():  # type: ignore[union-attr]
                    _send(connection, held)
            else:
                _send(connection, held)
        except BaseException as exc:
            self.failed = exc
            raise


def _send(connection: Connection, held: dict[Insert, list[Mapping[str, Any]]]) -> None:
    for statement, rows in held.items():
        _execute(connection, statement, rows)


def _execute(connection: Connection, statement: Insert, rows: Sequence[Mapping[str, Any]]) -> None:
    """One statement for the rows: a plain execute for one, an ``executemany`` for more."""
    connection.execute(statement, rows[0] if len(rows) == 1 else list(rows))


_HELD: dict[Connection, _Held] = {}
"""The connections holding inserts now (each used by one thread at a time)."""
READS_NOTHING_HELD = "sharedsky_reads_nothing_held"
"""Execution option of a statement that touches no table with held rows (it runs without
sending them first, saving a round trip): only for a statement that provably does not."""


def _flush_first(
    connection: Connection,
    _statement: object,
    _multiparams: object,
    _params: object,
    execution_options: Mapping[str, Any],
) -> None:
    """``before_execute``: send the held rows before any other statement of the connection."""
    held = _HELD.get(connection)
    if held is not None and held.rows and not execution_options.get(READS_NOTHING_HELD):
        held.flush(connection)


def enable_held_inserts(engine: Engine) -> None:
    """Let ``engine``'s connections hold inserts (idempotent): every statement first sends what
    its connection holds. Call it before the engine's first ``holding_inserts``."""
    if not event.contains(engine, "before_execute", _flush_first):
        event.listen(engine, "before_execute", _flush_first)


@contextmanager
def holding_inserts(connection: Connection) -> Iterator[None]:
    """Hold ``insert_rows`` inserts on ``connection`` until another statement runs or the block
    ends (then they are sent; on an exception they are dropped, with the transaction the caller
    rolls back). Raises the error of a failed flush at the end even if the block swallowed it."""
    if not event.contains(connection.engine, "before_execute", _flush_first):
        raise RuntimeError("enable_held_inserts(engine) was not called for this engine")
    if connection in _HELD:
        raise RuntimeError("this connection already holds inserts")
    held = _HELD[connection] = _Held()
    try:
        yield
        held.flush(connection)
        if held.failed is not None:
            raise held.failed
    finally:
        del _HELD[connection]


def insert_rows(
    connection: Connection, statement: Insert, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` with ``statement`` (a plain insert, values as parameters, no RETURNING):
    at once, or held when ``connection`` holds inserts. Nothing for no rows."""
    if not rows:
        return
    held = _HELD.get(connection)
    if held is None:
        _execute(connection, statement, rows)
    else:
        held.rows.setdefault(statement, []).extend(rows)
