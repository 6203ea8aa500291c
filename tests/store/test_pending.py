"""What a write transaction keeps back: held inserts that every later statement sees, that reach
the database one statement per table, and whose failure never commits quietly; the ledger head
its appends moved to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _support import T0
from sqlalchemy import Connection, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from sharedsky.store import tables as t
from sharedsky.store.group_commit import BatchFailed
from sharedsky.store.pending import READS_NOTHING_HELD, Pending
from sharedsky.store.uow import Database, SqlUnitOfWork

_PUT = insert(t.idempotency)


def _row(n: int) -> dict[str, object]:
    return {
        "operator_id": "op",
        "key": f"k{n}",
        "request_sha256": "0" * 64,
        "result": "{}",
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
        pending = Pending(connection)
        pending.insert(_PUT, [_row(1)])
        pending.insert(_PUT, [])
        assert _count(connection) == 1


def test_held_rows_go_together_before_the_next_statement_and_every_read_sees_them(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        with pending.holding():
            for n in range(5):
                pending.insert(_PUT, [_row(n)])
            assert not any(s.startswith("INSERT INTO idempotency_keys") for s, _ in sent)
            sent.clear()
            assert _count(connection) == 5  # the read sends them first
            assert sent[0] == ("INSERT INTO idempotency_keys", 5)
            assert sent[-1][0].startswith("SELECT count")
            pending.insert(_PUT, [_row(7), _row(8)])
        # the end of the block sends what is left, before the commit
        assert _count(connection) == 7
    with database.engine.connect() as connection:
        assert _count(connection) == 7


def test_a_statement_that_reads_nothing_held_runs_without_sending_them(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        with pending.holding():
            pending.insert(_PUT, [_row(1)])
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
        pending = Pending(connection)
        with pytest.raises(IntegrityError), pending.holding():
            pending.insert(_PUT, [_row(1), _row(1)])  # one key twice
            try:
                _count(connection)
            except IntegrityError:
                pass  # a careless caller: the block must still fail
        transaction.rollback()
    with database.engine.connect() as connection:
        assert _count(connection) == 0


def test_holding_watches_its_own_connection_for_the_block_only(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    """No engine-wide listener and no state shared between transactions: rows held on one
    connection are not sent by a statement of another, and the listener goes with the block."""
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        with pending.holding():
            with pytest.raises(RuntimeError, match="already holds"), pending.holding():
                pass
            pending.insert(_PUT, [_row(1)])
            with database.engine.connect() as other:
                assert _count(other.execution_options(sharedsky_readonly=True)) == 0
            assert not any(s.startswith("INSERT") for s, _ in sent)
            assert not database.engine.dispatch.before_execute
        assert not connection.dispatch.before_execute
        assert _count(connection) == 1
        pending.insert(_PUT, [_row(2)])  # after the block: at once again
        assert _count(connection) == 2


def test_the_ledger_head_is_read_once_per_transaction_and_moves_with_each_append(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    """The first append reads the head; the appends after it, of any unit of work sharing the
    transaction's ``Pending``, chain after the one before without asking the database."""
    first = database.run(_append(1))
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        assert not pending.head_known
        one = SqlUnitOfWork(connection, database.server_keys, pending=pending)
        two = SqlUnitOfWork(connection, database.server_keys, pending=pending)
        sent.clear()
        assert _append(2)(one) == first + 1
        reads = [s for s, _ in sent if s.startswith("SELECT")]
        assert _append(3)(two) == first + 2
        assert [s for s, _ in sent if s.startswith("SELECT")] == reads  # no second head read
        assert pending.head_known and pending.head is not None
        assert pending.head.seq == first + 2
    fresh = database.run(lambda uow: uow.pending.head_known, readonly=True)
    assert fresh is False


def _append(n: int) -> Callable[[SqlUnitOfWork], int]:
    return lambda uow: uow.events.append(T0, "test", "test.written", {"n": n})


def test_writes_of_a_shared_transaction_with_a_duplicate_each_get_their_own_outcome(
    database: Database,
) -> None:
    """Two writes of one batch insert the same key: the held inserts fail the batch at its end,
    and run alone, the first commits and the second gets the error itself."""
    outcomes = database._run_batch(
        [
            lambda uow: uow.pending.insert(_PUT, [_row(1)]),
            lambda uow: uow.pending.insert(_PUT, [_row(2)]),
        ]
    )
    assert [ok for ok, _ in outcomes] == [True, True]
    with pytest.raises(BatchFailed):
        database._run_batch(
            [
                lambda uow: uow.pending.insert(_PUT, [_row(3)]),
                lambda uow: uow.pending.insert(_PUT, [_row(3)]),
            ]
        )
    with database.engine.connect() as connection:
        assert _count(connection) == 2  # nothing of the failed batch was kept


class _Refused(Exception):
    pass


def test_a_savepoint_that_raises_takes_back_its_rows_and_head_and_holds_the_earlier_again(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    """Rows held before the savepoint that a statement inside it sent are held again (the
    rollback undid them); rows held inside it are dropped; the head is the one before it; no
    savepoint statement sends what is held."""
    database.run(_append(1))
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        uow = SqlUnitOfWork(connection, database.server_keys, pending=pending)
        with pending.holding():
            pending.insert(_PUT, [_row(1)])
            seq = _append(2)(uow)
            head = pending.head
            sent.clear()
            with pytest.raises(_Refused), pending.savepoint():
                pending.insert(_PUT, [_row(2)])
                _append(3)(uow)
                assert _count(connection) == 2  # sends every held row inside the savepoint
                pending.insert(_PUT, [_row(3)])
                raise _Refused
            statements = [s for s, _ in sent]
            assert statements[0].startswith("SAVEPOINT")
            assert statements[-2:] == ["SELECT count(*) AS", "ROLLBACK TO SAVEPOINT"]
            assert pending.head == head and pending.failed is None
            assert _count(connection) == 1
            with pending.savepoint():
                assert _append(4)(uow) == seq + 1
        assert _count(connection) == 1
        events = uow.events.after(seq - 1)
        assert [(e.seq, e.payload["n"]) for e in events] == [(seq, 2), (seq + 1, 4)]


def test_a_write_that_sends_no_statement_costs_no_savepoint_either_way(
    database: Database, sent: list[tuple[str, int]]
) -> None:
    """The SAVEPOINT is set before a write's first statement only: a write whose inserts are
    all held sends nothing, and is taken back without a round trip; what it held is dropped."""
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        sent.clear()  # the BEGIN
        with pending.holding():
            with pending.savepoint():
                pending.insert(_PUT, [_row(1)])
            with pytest.raises(_Refused), pending.savepoint():
                pending.insert(_PUT, [_row(2)])
                raise _Refused
            with pending.savepoint():
                pending.insert(_PUT, [_row(3)])
            assert sent == []
        assert sent == [("INSERT INTO idempotency_keys", 2)]  # together, at the end
        keys = connection.execute(select(t.idempotency.c.key).order_by(t.idempotency.c.key))
        assert list(keys.scalars()) == ["k1", "k3"]


def test_a_savepoint_needs_a_holding_block_and_does_not_nest(database: Database) -> None:
    with database.engine.connect() as connection, connection.begin():
        pending = Pending(connection)
        with pytest.raises(RuntimeError, match="inside holding"), pending.savepoint():
            pass
        with pending.holding(), pending.savepoint():
            with pytest.raises(RuntimeError, match="one at a time"), pending.savepoint():
                pass
