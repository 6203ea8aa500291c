"""The kept results of idempotency keys on both backends: read back per operator and key, and a
second record of one key refused as ``KeyTaken`` with nothing of its transaction kept."""

from __future__ import annotations

import pytest
from _support import T0

from sharedsky.domain.errors import KeyTaken
from sharedsky.domain.idempotency import KeptResult
from sharedsky.store.uow import Database, SqlUnitOfWork

KEPT = KeptResult("a" * 64, '{"id":"ntc-1"}')


def test_a_kept_result_reads_back_for_its_operator_and_key(database: Database) -> None:
    database.run(lambda uow: uow.idempotency.put("alpha-duty", "k-1", KEPT, 1))
    assert database.run(lambda uow: uow.idempotency.get("alpha-duty", "k-1"), readonly=True) == KEPT
    assert database.run(lambda uow: uow.idempotency.get("alpha-duty", "k-2"), readonly=True) is None
    assert database.run(lambda uow: uow.idempotency.get("bravo-duty", "k-1"), readonly=True) is None


def test_a_second_record_of_a_key_is_refused_and_its_transaction_keeps_nothing(
    database: Database,
) -> None:
    database.run(lambda uow: uow.idempotency.put("alpha-duty", "k-1", KEPT, 1))

    def duplicate(uow: SqlUnitOfWork) -> None:
        uow.events.append(T0, "alpha-duty", "notice.filed", {"notice": "ntc-2"})
        uow.idempotency.put("alpha-duty", "k-1", KeptResult("b" * 64, "{}"), 2)

    with pytest.raises(KeyTaken) as taken:
        database.run(duplicate)
    assert taken.value.path == ("Idempotency-Key",)
    assert database.run(lambda uow: uow.events.after(0), readonly=True) == []
    assert database.run(lambda uow: uow.idempotency.get("alpha-duty", "k-1"), readonly=True) == KEPT
