"""Writes that arrive together share a transaction, yet each commits whole or not at all, sees
the writes before it, and gets its own result or its own exception (R-TXN-1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from _support import T0
from sqlalchemy import func, select

from sharedsky.domain.acknowledgements import AckRequest, AckSubject
from sharedsky.domain.channels import Priority
from sharedsky.domain.errors import StateConflict
from sharedsky.domain.idempotency import KeptResult
from sharedsky.domain.ids import AckId, OperatorId, PartyId
from sharedsky.domain.messages import Message, MessageId
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
    assert database.runs_alone == 0  # each rolled back to its savepoint, not its batch


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
    assert group.batches == 0 and group.runs_alone == 2


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


def _message(n: int) -> Message:
    return Message(
        id=MessageId(f"msg-{n}"),
        thread="parties:alpha|bravo",
        sender=PartyId("alpha"),
        sender_operator=OperatorId("alpha-duty"),
        recipient=PartyId("bravo"),
        priority=Priority.FLASH,
        template=None,
        params={},
        text=f"message {n}",
        about=None,
        sent_at=T0,
    )


def _sends(n: int) -> Callable[[SqlUnitOfWork], int]:
    """A write as a hotline message makes it: a message, its acknowledgement request (both held
    inserts, both noted for the state entry) and its ledger entry."""

    def work(uow: SqlUnitOfWork) -> int:
        uow.messages.add(_message(n))
        uow.acks.add(
            AckRequest(
                id=AckId(f"ack-{n}"),
                party=PartyId("bravo"),
                subject=AckSubject.MESSAGE,
                subject_id=f"msg-{n}",
                subject_version=1,
                priority=Priority.FLASH,
                requested_at=T0,
                due_at=None,
            )
        )
        return uow.events.append(T0, "alpha-duty", "message.sent", {"id": f"msg-{n}"})

    return work


def _fails_after_writing(n: int, statements: bool = True) -> Callable[[SqlUnitOfWork], int]:
    """``_sends(n)``, then (``statements``) a row stored at once and a read, which sends every
    row held so far, those of the writes before it too, after its SAVEPOINT; then a refusal."""

    def work(uow: SqlUnitOfWork) -> int:
        _sends(n)(uow)
        if statements:
            kept = KeptResult("0" * 64, "{}")
            uow.idempotency.put("alpha-duty", f"key-{n}", kept, 0)
            _count(uow)
        raise StateConflict(f"write {n} refused after writing")

    return work


def _stored(database: Database) -> tuple[list[str], list[str], int]:
    """The messages and acknowledgement requests stored (ids), and the idempotency rows."""

    def read(uow: SqlUnitOfWork) -> tuple[list[str], list[str], int]:
        c = uow.connection
        messages = sorted(c.execute(select(t.messages.c.id)).scalars())
        acks = sorted(c.execute(select(t.ack_requests.c.id)).scalars())
        keys = int(c.execute(select(func.count()).select_from(t.idempotency)).scalar_one())
        return messages, acks, keys

    return database.run(read, readonly=True)


@pytest.mark.parametrize("statements", [True, False], ids=["sending", "holding-only"])
@pytest.mark.parametrize("failing", [0, 1, 2])
def test_a_write_that_raises_after_writing_leaves_nothing_and_the_batch_commits(
    database: Database, failing: int, statements: bool
) -> None:
    """R-TXN-1: the failing write is taken back, whether it appended first (and read the
    ledger head), between or last, and whether it sent statements (rolled back to its
    savepoint) or only held rows (dropped): no row, held insert or ledger entry of it is kept,
    the others commit in one transaction with a gapless verified chain, one commit
    notification is heard, and no write runs again alone."""
    from sharedsky.service.ledger import verify_database

    head = database.run(_append(0))
    heard: list[int] = []
    database.on_commit(lambda: heard.append(database.events_appended))
    appended, batches = database.events_appended, database.batches
    works = [_sends(n) for n in range(1, 4)]
    works[failing] = _fails_after_writing(failing + 1, statements)
    outcomes = database._run_batch(works)

    assert [ok for ok, _ in outcomes] == [n != failing for n in range(3)]
    assert isinstance(outcomes[failing][1], StateConflict)
    kept = [n for n in range(1, 4) if n != failing + 1]
    assert [o for ok, o in outcomes if ok] == [head + 1, head + 2]  # the seqs the writers got
    assert _stored(database) == ([f"msg-{n}" for n in kept], [f"ack-{n}" for n in kept], 0)
    events = database.run(lambda uow: uow.events.after(head), readonly=True)
    assert [(e.seq, e.type) for e in events] == [
        (head + 1, "message.sent"),
        (head + 2, "message.sent"),
    ]
    assert [e.payload["id"] for e in events[:2]] == [f"msg-{n}" for n in kept]
    assert verify_database(database, all_signatures=True).ok
    assert database.events_appended == appended + 2 and heard == [appended + 2]
    assert database.batches == batches  # _run_batch itself: the group was not involved


def test_a_batch_whose_only_appending_write_fails_notifies_nothing(database: Database) -> None:
    heard: list[int] = []
    database.on_commit(lambda: heard.append(1))
    outcomes = database._run_batch([_fails_after_writing(1), lambda uow: _count(uow)])
    assert [ok for ok, _ in outcomes] == [False, True]
    assert heard == [] and database.events_appended == 0
    assert database.run(_count, readonly=True) == 0
    assert _stored(database) == ([], [], 0)


def test_a_failing_write_among_queued_writes_runs_nothing_again_alone(
    database: Database,
) -> None:
    """Through the group: writes queued behind a lead share one transaction; the one that
    raises gets its exception, the others their seqs, and ``runs_alone`` stays 0."""
    gate, holding = threading.Event(), threading.Event()

    def hold(_uow: SqlUnitOfWork) -> None:
        holding.set()
        assert gate.wait(10)

    holder = threading.Thread(target=database.run, args=(hold,))
    holder.start()
    assert holding.wait(10)
    works: list[Callable[[SqlUnitOfWork], object]] = [_sends(n) for n in range(1, 9)]
    works[4] = _fails_after_writing(5)
    outcomes: list[object] = [None] * len(works)

    def one(i: int) -> None:
        try:
            outcomes[i] = database.run(works[i])
        except StateConflict as exc:
            outcomes[i] = exc

    writers = [threading.Thread(target=one, args=(i,)) for i in range(len(works))]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 10
    while len(database._group._queue) < len(writers):  # every write waits behind the holder
        assert time.monotonic() < deadline
        time.sleep(0.005)
    batches = database.batches
    gate.set()
    for thread in [holder, *writers]:
        thread.join(10)
    assert isinstance(outcomes.pop(4), StateConflict)
    assert all(isinstance(o, int) for o in outcomes) and len(set(outcomes)) == 7
    assert database.batches == batches + 2  # the holder's, then the eight together
    assert database.runs_alone == 0
    kept = [n for n in range(1, 9) if n != 5]
    assert _stored(database) == ([f"msg-{n}" for n in kept], [f"ack-{n}" for n in kept], 0)


@pytest.mark.postgres
def test_a_write_that_lost_the_ledger_head_to_another_process_waits_its_turn_and_commits(
    pg_schema_url: str,
) -> None:
    """Two processes: each time this write has taken its snapshot, the other commits an
    append before this one appends. Racing again would lose every time (its snapshot never
    holds the other's head) until it is refused; its second attempt instead waits for the
    ledger's order before it starts, so the other process's append waits for it."""
    from sharedsky.store.engine import make_engine

    mine, other = (Database(make_engine(pg_schema_url, pool_size=2)) for _ in range(2))
    racers: list[threading.Thread] = []
    attempts = 0

    def write(uow: SqlUnitOfWork) -> int:
        nonlocal attempts
        attempts += 1
        uow.parties.mechanism_json()  # the transaction's snapshot is taken here
        racer = threading.Thread(target=other.run, args=(_append(-attempts),))
        racer.start()
        racers.append(racer)
        racer.join(0.5)  # committed meanwhile, unless it waits for this write's turn
        return uow.events.append(T0, "test", "test.written", {"n": attempts})

    try:
        before = mine.run(_count, readonly=True)
        seq = mine.run(write)
        for racer in racers:
            racer.join(30)
        assert attempts == 2
        assert mine.run(_count, readonly=True) == before + 3  # two racers and this write
        assert seq == before + 2  # after the first racer; the second waited for this write
    finally:
        mine.close()
        other.close()


@pytest.mark.postgres
def test_a_shared_transaction_that_lost_the_ledger_head_runs_again_whole_in_its_turn(
    pg_schema_url: str,
) -> None:
    """The writes of a batch that lost the head to another process do not each race again
    alone: the batch runs once more, whole, in the ledger's order."""
    from sharedsky.store.engine import make_engine

    mine, other = (Database(make_engine(pg_schema_url, pool_size=2)) for _ in range(2))
    racers: list[threading.Thread] = []
    attempts = 0

    def first(uow: SqlUnitOfWork) -> int:
        nonlocal attempts
        attempts += 1
        uow.parties.mechanism_json()  # the shared transaction's snapshot is taken here
        racer = threading.Thread(target=other.run, args=(_append(-attempts),))
        racer.start()
        racers.append(racer)
        racer.join(0.5)
        return uow.events.append(T0, "test", "test.written", {"n": attempts})

    try:
        before = mine.run(_count, readonly=True)
        outcomes = mine._run_batch([first, _append(1)])
        for racer in racers:
            racer.join(30)
        assert attempts == 2 and mine.runs_alone == 0
        assert outcomes == [(True, before + 2), (True, before + 3)]
        assert mine.run(_count, readonly=True) == before + 4
    finally:
        mine.close()
        other.close()
