"""A commit that appended events, in any process over one PostgreSQL schema, wakes every
``PgListener`` on that schema at once; a killed listening connection is reopened (R-STREAM-2)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import T0
from sqlalchemy import text

from sharedsky.bootstrap import start_event_listener
from sharedsky.events.bus import EventBus
from sharedsky.events.pg_notify import PgListener
from sharedsky.store.engine import make_engine
from sharedsky.store.uow import Database, SqlUnitOfWork

ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""Only the PostgreSQL side of the ``database_url`` fixture (never skipped under ``CI=true``)."""

WITHIN_S = 1.0


class Wakes:
    """A ``wake`` callback that counts its calls and lets a test wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self._event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def wait(self, timeout_s: float) -> bool:
        return self._event.wait(timeout_s)


@pytest.fixture
def writer(database_url: str) -> Iterator[Database]:
    """The committing side: a Database over its own engine."""
    db = Database(make_engine(database_url, pool_size=2))
    yield db
    db.close()


@pytest.fixture
def listening(database_url: str) -> Iterator[tuple[PgListener, Wakes]]:
    """The other side: a started listener over another engine's URL, and its wake-ups."""
    engine = make_engine(database_url, pool_size=1)
    wakes = Wakes()
    listener = PgListener(engine.url, wakes)
    listener.start()
    assert listener.wait_listening(10.0)
    yield listener, wakes
    listener.stop()
    engine.dispose()


def _append(uow: SqlUnitOfWork) -> None:
    uow.events.append(T0, "test", "test.pinged", {"n": 1})


@ON_POSTGRES
def test_a_commit_in_one_database_wakes_a_listener_on_another_within_a_second(
    writer: Database, listening: tuple[PgListener, Wakes]
) -> None:
    """R-STREAM-2: the notification is sent in the transaction and delivered at its commit."""
    listener, wakes = listening
    latencies_s = []
    for _ in range(5):
        wakes.clear()
        committed_s = time.monotonic()
        writer.run(_append)
        assert wakes.wait(WITHIN_S), "no wake-up within a second of the commit"
        latencies_s.append(time.monotonic() - committed_s)
    assert listener.notifications == 5
    assert max(latencies_s) < WITHIN_S


@ON_POSTGRES
def test_nothing_wakes_the_listener_without_a_committed_event(
    writer: Database, listening: tuple[PgListener, Wakes]
) -> None:
    """R-STREAM-2: a rolled-back append, a transaction without events, and another schema's
    channel send nothing to this schema's listeners."""
    listener, wakes = listening
    assert listener.channel is not None and listener.channel.startswith("sharedsky_events_t_")

    class Abandon(Exception):
        pass

    def append_then_fail(uow: SqlUnitOfWork) -> None:
        _append(uow)
        raise Abandon

    wakes.clear()
    with pytest.raises(Abandon):
        writer.run(append_then_fail)
    writer.run(lambda uow: uow.parties.mechanism_json())
    with writer.engine.begin() as conn:
        conn.execute(text("SELECT pg_notify('sharedsky_events_elsewhere', '')"))
    assert not wakes.wait(0.5)
    assert listener.notifications == 0


@ON_POSTGRES
def test_a_shared_transaction_whose_only_append_was_rolled_back_wakes_nothing(
    writer: Database, listening: tuple[PgListener, Wakes]
) -> None:
    """R-STREAM-2, R-TXN-1: the notification queued by a write's first append goes with its
    savepoint when the write fails; the write after it in the batch appends nothing, and the
    batch commits without waking anyone. A later append in a batch wakes the listener once."""
    listener, wakes = listening

    class Abandon(Exception):
        pass

    def append_then_fail(uow: SqlUnitOfWork) -> None:
        _append(uow)
        raise Abandon

    wakes.clear()
    outcomes = writer._run_batch([append_then_fail, lambda uow: uow.parties.mechanism_json()])
    assert [ok for ok, _ in outcomes] == [False, True]
    assert not wakes.wait(0.5)
    assert listener.notifications == 0
    outcomes = writer._run_batch([append_then_fail, _append])
    assert [ok for ok, _ in outcomes] == [False, True]
    assert wakes.wait(WITHIN_S)
    assert writer.run(lambda uow: uow.events.after(0), readonly=True)[0].seq == 1


@ON_POSTGRES
def test_the_listener_reconnects_after_its_connection_is_killed(
    writer: Database,
    listening: tuple[PgListener, Wakes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R-STREAM-2: ``pg_terminate_backend`` on the listening connection is logged, the listener
    opens a new one, and commits wake it again."""
    listener, wakes = listening
    killed = listener.backend_pid
    with caplog.at_level(logging.WARNING, logger="sharedsky.events.pg_notify"):
        with writer.engine.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": killed}).scalar()
        deadline = time.monotonic() + 10.0
        while listener.connections < 2 or not listener.listening:
            assert time.monotonic() < deadline, "the listener did not reconnect"
            time.sleep(0.02)
    assert listener.backend_pid != killed
    assert any("lost its PostgreSQL connection" in r.getMessage() for r in caplog.records)
    wakes.clear()
    writer.run(_append)
    assert wakes.wait(WITHIN_S)


@ON_POSTGRES
def test_start_event_listener_wakes_the_bus_and_its_stopper_stops_it(
    writer: Database, database_url: str
) -> None:
    """R-STREAM-2: the composition root's listener notifies the app's bus."""
    bus = EventBus()
    woken, ready, done = threading.Event(), threading.Event(), threading.Event()

    async def follow() -> None:
        with bus.subscribe() as wakeup:
            ready.set()
            while not done.is_set():
                if await wakeup.wait(0.05):
                    woken.set()

    reader = threading.Thread(target=asyncio.run, args=(follow(),))
    listener_db = Database(make_engine(database_url, pool_size=1))
    stop = start_event_listener(listener_db, bus)
    try:
        reader.start()
        assert ready.wait(5.0)
        time.sleep(0.2)  # the wake-up of the listener's own connect has passed
        woken.clear()
        writer.run(_append)
        assert woken.wait(WITHIN_S)
    finally:
        done.set()
        reader.join(5.0)
        stop()
        listener_db.close()
    assert not any(t.name == "pg-listener" for t in threading.enumerate())  # stopped


def test_start_event_listener_does_nothing_on_sqlite(tmp_path: Path) -> None:
    """R-STREAM-2: one SQLite file is served by one process; there is nothing to listen to."""
    db = Database(make_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    stop = start_event_listener(db, EventBus())
    assert not any(t.name == "pg-listener" for t in threading.enumerate())
    stop()
    db.close()
