"""Writes that arrive together share a transaction, yet each commits whole or not at all, sees
the writes before it, and gets its own result or its own exception (R-TXN-1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from _support import T0
from sqlalchemy import func, select

from sharedsky.domain.errors import StateConflict
from sharedsky.store import tables as t
from sharedsky.store.group_commit import BatchFailed, GroupCommit
from sharedsky.store.uow import Database, SqlUnitOfWork


def _append(n: int) -> Callable[[SqlUnitOfWork], int]:
    def work(uow: SqlUnitOfWork) -> int:
        return uow.events.append(T0, "test", "test.written", {"n": n})

    return work


def _count(uow: SqlUnitOfWork) -> int:
    return int(uow.connection.execute(select(func.count()).select_from(t.events)).scalar_one())


def _run_together(db: Database, works: list[Callable[[SqlUnitOfWork], object]]) -> list[object]:
    """Run ``works`` from as many threads, all released at once; each slot holds its result or
    the exception it raised."""
    outcomes: list[object] = [None] * len(works)
    start = threading.Barrier(len(works))

    def one(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = db.run(works[i])
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_concurrent_writes_share_transactions_and_each_gets_its_own_result(
    database: Database,
) -> None:
    slow_first = threading.Event()

    def first(uow: SqlUnitOfWork) -> int:
        slow_first.wait(0.2)  # hold the lead while the others queue behind it
        return uow.events.append(T0, "test", "test.written", {"n": -1})

    works: list[Callable[[SqlUnitOfWork], object]] = [first] + [_append(i) for i in range(40)]
    before = database.batches
    outcomes = _run_together(database, works)
    assert all(isinstance(o, int) for o in outcomes)
    assert len(set(outcomes)) == len(works)  # every write its own seq
    assert database.run(_count, readonly=True) == len(works)
    assert database.batches - before < len(works)  # some writes shared a commit


def test_a_failing_write_is_rolled_back_alone(database: Database) -> None:
    def fails(uow: SqlUnitOfWork) -> int:
        uow.events.append(T0, "test", "test.written", {"n": "lost"})
        raise StateConflict("no")

    works: list[Callable[[SqlUnitOfWork], object]] = []
    for i in range(30):
        works.append(fails if i % 3 == 0 else _append(i))
    outcomes = _run_together(database, works)
    failed = [o for o in outcomes if isinstance(o, StateConflict)]
    assert len(failed) == 10
    assert database.run(_count, readonly=True) == 20


def test_a_write_sees_the_writes_committed_before_it_in_its_batch(database: Database) -> None:
    def counts(uow: SqlUnitOfWork) -> int:
        n = _count(uow)
        uow.events.append(T0, "test", "test.written", {"seen": n})
        return n

    outcomes = _run_together(database, [counts] * 20)
    assert sorted(o for o in outcomes if isinstance(o, int)) == list(range(20))


def test_commit_listeners_hear_of_batches_that_appended_events(database: Database) -> None:
    heard: list[float] = []
    database.on_commit(lambda: heard.append(time.monotonic()))
    database.run(lambda uow: None)
    assert heard == []
    _run_together(database, [_append(i) for i in range(10)])
    assert 1 <= len(heard) <= 10


def test_a_write_cannot_open_another_inside_it(database: Database) -> None:
    def nested(uow: SqlUnitOfWork) -> object:
        return database.run(_append(1))

    with pytest.raises(RuntimeError, match="cannot open another"):
        database.run(nested)


def test_a_batch_that_fails_as_a_whole_runs_each_write_alone() -> None:
    alone: list[int] = []

    def run_batch(jobs: list[int]) -> list[tuple[bool, object]]:
        raise BatchFailed("serialization failure")

    def run_alone(job: int) -> object:
        alone.append(job)
        if job == 2:
            raise StateConflict("two")
        return job * 10

    group: GroupCommit[int] = GroupCommit(run_batch, run_alone)
    assert group.submit(1) == 10
    with pytest.raises(StateConflict):
        group.submit(2)
    assert alone == [1, 2]
    assert group.batches == 0


def test_an_unexpected_batch_error_reaches_every_writer_of_the_batch() -> None:
    def run_batch(jobs: list[int]) -> list[tuple[bool, object]]:
        raise OSError("disk full")

    group: GroupCommit[int] = GroupCommit(run_batch, lambda job: job)
    with pytest.raises(OSError, match="disk full"):
        group.submit(1)
    with pytest.raises(OSError):  # the lead was released: the next writer is not stuck
        group.submit(2)


def test_writes_from_an_event_loop_share_transactions_with_threads_and_get_their_own_outcome(
    database: Database,
) -> None:
    """``run_async``: coroutines queue writes without a thread each; they share transactions
    with each other and with threads' writes, each gets its own result or exception, in the
    loop, and nothing of a failing write is kept (R-TXN-1)."""
    import asyncio

    before = database.run(_count, readonly=True)
    batches = database.batches
    release = threading.Event()

    def hold(uow: SqlUnitOfWork) -> int:  # a thread's write that keeps the lead a moment
        release.wait(5)
        return uow.events.append(T0, "test", "test.written", {"n": 0})

    def failing(uow: SqlUnitOfWork) -> int:
        uow.events.append(T0, "test", "test.written", {"n": 99})
        raise StateConflict("refused")

    holder = threading.Thread(target=database.run, args=(hold,))
    holder.start()
    time.sleep(0.05)

    async def main() -> list[object]:
        loop_thread = threading.get_ident()
        writes = [database.run_async(_append(n)) for n in range(1, 9)]
        writes.insert(4, database.run_async(failing))
        gathered = asyncio.gather(*writes, return_exceptions=True)
        await asyncio.sleep(0.05)  # every write queued behind the holder
        release.set()
        outcomes = await gathered
        assert threading.get_ident() == loop_thread
        return outcomes

    outcomes = asyncio.run(main())
    holder.join(10)
    assert isinstance(outcomes.pop(4), StateConflict)
    assert all(isinstance(o, int) for o in outcomes) and len(set(outcomes)) == 8
    assert database.run(_count, readonly=True) == before + 9  # the failing one left nothing
    assert database.batches - batches < 9  # the loop's writes shared transactions


def test_a_lone_write_from_an_event_loop_is_led_by_the_group_thread(database: Database) -> None:
    import asyncio

    async def main() -> tuple[int, int]:
        first = await database.run_async(_append(1))
        second = await database.run_async(_append(2))
        return first, second

    first, second = asyncio.run(main())
    assert second == first + 1


def test_the_lead_thread_ends_when_idle_and_a_later_write_starts_another(
    database: Database,
) -> None:
    """No thread is left behind (a process that forks, as the offline verifier does, needs
    none): the lead thread ends after ``LEAD_THREAD_IDLE_S`` without writes."""
    import asyncio

    from sharedsky.store.group_commit import LEAD_THREAD_IDLE_S

    group = database._group
    started: list[threading.Thread] = []
    for n in (1, 2):
        assert asyncio.run(database.run_async(_append(n))) > 0
        lead = group._lead_thread
        assert lead is not None and lead.name == "group-commit" and lead not in started
        started.append(lead)
        lead.join(LEAD_THREAD_IDLE_S + 5)
        assert not lead.is_alive(), "the lead thread outlived its idle time"
        assert group._lead_thread is None


def test_a_write_that_keeps_colliding_is_refused_as_busy_not_as_a_crash(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retried with jittered pauses up to ``MAX_ATTEMPTS``, then ``Unavailable`` (503
    ``contention``, Retry-After): nothing stored, never a 500."""
    from sqlalchemy.exc import OperationalError

    import sharedsky.store.uow as uow_module
    from sharedsky.domain.errors import Unavailable

    pauses: list[float] = []
    monkeypatch.setattr(uow_module.time, "sleep", pauses.append)
    attempts = 0

    def collide(_uow: object) -> None:
        nonlocal attempts
        attempts += 1
        raise OperationalError("INSERT …", {}, Exception("database is locked"))

    with pytest.raises(Unavailable) as refused:
        database._run_alone(collide)
    assert refused.value.reason == "contention"
    assert attempts == uow_module.MAX_ATTEMPTS and len(pauses) == attempts - 1
    assert all(0.0 <= p <= uow_module.BACKOFF_CAP_S for p in pauses)
