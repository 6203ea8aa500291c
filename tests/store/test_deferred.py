"""Inserts held back in a shared transaction: every later statement sees them, they reach the
database one statement per table, and a failure among them never commits quietly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from sharedsky.store import tables as t
from sharedsky.store.deferred import (
    READS_NOTHING_HELD,
    enable_held_inserts,
    holding_inserts,
    insert_rows,
)
from sharedsky.store.engine import make_engine
from sharedsky.store.group_commit import BatchFailed
from sharedsky.store.uow import Database

_PUT = insert(t.idempotency)


def _row(n: int) -> dict[str, object]:
    return {
        "operator_id": "op",
        "key": f"k{n}",
        "request_sha256": "0" * 64,
        "status_code": 201,
        "body": "{}",
        "created_us": n,
    }


def _count(connection: Connection) -> int:
    query = select(func.count()).select_from(t.idempotency)
    return int(connection.execute(query).scalar_one())


@pytest.fixture
def sent(database: Database) -> Iterator[list[tuple[str, int]]]:
    """(first words of each statement sent, rows it carried), as the driver receives them."""
    log: list[tuple[str, int]] = []

    def before(_c: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        log.append((" ".join(statement.split()[:3]), len(params) if many else 1))

    event.listen(database.engine, "before_cursor_execute", before)
    yield log
    event.remove(database.engine, "before_cursor_execute", before)


def test_outside_a_holding_block_rows_are_inserted_at_once(database: Database) -> None:
    with database.engine.connect() as connection, connection.begin():
        insert_rows(connection, _PUT, [_row(1)])
        insert_rows(connection, _PUT, [])
        assert _count(connection) == 1


def test_held_rows_go_together_before_the_next_statement_and_every_read_sees_them(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    with database.engine.connect() as connection, connection.begin():
        with holding_inserts(connection):
            for n in range(5):
                insert_rows(connection, _PUT, [_row(n)])
            assert not any(s.startswith("INSERT INTO idempotency_keys") for s, _ in sent)
            sent.clear()
            assert _count(connection) == 5  # the read sends them first
            assert sent[0] == ("INSERT INTO idempotency_keys", 5)
            assert sent[-1][0].startswith("SELECT count")
            insert_rows(connection, _PUT, [_row(7), _row(8)])
        # the end of the block sends what is left, before the commit
        assert _count(connection) == 7
    with database.engine.connect() as connection:
        assert _count(connection) == 7


def test_a_statement_that_reads_nothing_held_runs_without_sending_them(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    with database.engine.connect() as connection, connection.begin():
        with holding_inserts(connection):
            insert_rows(connection, _PUT, [_row(1)])
            sent.clear()
            connection.execute(text("SELECT 1").execution_options(**{READS_NOTHING_HELD: True}))
            assert [s for s, _ in sent] == ["SELECT 1"]
            connection.execute(text("SELECT 2"))
            assert [s for s, _ in sent][1:] == ["INSERT INTO idempotency_keys", "SELECT 2"]


def test_a_failed_flush_fails_the_block_even_when_the_caller_swallowed_it(
    database: Database,
) -> None:
    with database.engine.connect() as connection:
        transaction = connection.begin()
        with pytest.raises(IntegrityError), holding_inserts(connection):
            insert_rows(connection, _PUT, [_row(1), _row(1)])  # one key twice
            try:
                _count(connection)
            except IntegrityError:
                pass  # a careless caller: the block must still fail
        transaction.rollback()
    with database.engine.connect() as connection:
        assert _count(connection) == 0


def test_holding_needs_the_engine_enabled_and_one_block_per_connection(
    database: Database,
) -> None:
    with database.engine.connect() as connection, holding_inserts(connection):
        with pytest.raises(RuntimeError, match="already holds"), holding_inserts(connection):
            pass
    other = make_engine(database.engine.url.render_as_string(hide_password=False))
    try:
        with other.connect() as connection:
            with pytest.raises(RuntimeError, match="enable_held_inserts"):
                with holding_inserts(connection):
                    pass
            enable_held_inserts(other)
            enable_held_inserts(other)  # idempotent
            with holding_inserts(connection):
                insert_rows(connection, _PUT, [_row(1)])
                assert _count(connection) == 1
    finally:
        other.dispose()


def test_writes_of_a_shared_transaction_with_a_duplicate_each_get_their_own_outcome(
    database: Database,
) -> None:
    """Two writes of one batch insert the same key: the held inserts fail the batch at its end,
    and run alone, the first commits and the second gets the error itself."""
    outcomes = database._run_batch(
        [
            lambda uow: insert_rows(uow.connection, _PUT, [_row(1)]),
            lambda uow: insert_rows(uow.connection, _PUT, [_row(2)]),
        ]
    )
    assert [ok for ok, _ in outcomes] == [True, True]
    with pytest.raises(BatchFailed):
        database._run_batch(
            [
                lambda uow: insert_rows(uow.connection, _PUT, [_row(3)]),
                lambda uow: insert_rows(uow.connection, _PUT, [_row(3)]),
            ]
        )
    with database.engine.connect() as connection:
        assert _count(connection) == 2  # nothing of the failed batch was kept
