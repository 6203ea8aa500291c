"""head_seq: where a stream that starts "now" begins."""

from __future__ import annotations

from _support import T0

from sharedsky.events.reader import head_seq
from sharedsky.store.uow import Database, SqlUnitOfWork


def test_the_head_of_an_empty_log_is_zero_then_the_newest_seq(database: Database) -> None:
    def work(uow: SqlUnitOfWork) -> tuple[int, int, int]:
        empty = head_seq(uow.connection)
        uow.events.append(T0, "system", "test.one", {})
        seq = uow.events.append(T0, "system", "test.two", {})
        return empty, seq, head_seq(uow.connection)

    empty, seq, head = database.run(work)
    assert empty == 0
    assert head == seq > 0
