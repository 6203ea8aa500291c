"""The composition root: a container's ``start`` runs its background parts and ``stop`` ends
them (a second ``stop`` does nothing); ``build`` makes a serving process's container from the
settings alone, and refuses a database that holds no mechanism; the duty lease fits the
database (several processes over one SQLite file elect one holder as over PostgreSQL)."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import Env, make_env
from sqlalchemy import create_engine

from sharedsky.bootstrap import Container, build, duty_lease
from sharedsky.domain.errors import StateConflict
from sharedsky.service.duties import AlwaysHeld, DutyRunner
from sharedsky.settings import Settings
from sharedsky.store.duty_lock import DutyFileLock, DutyLock
from sharedsky.store.engine import make_engine
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

TASKS = {"flush-deliveries", "publish-checkpoints", "watch-credentials"}
"""The event-loop tasks every container runs while started."""


def _ours(threads: set[threading.Thread]) -> set[threading.Thread]:
    """The threads of the container's parts among ``threads`` (not anyio's idle workers)."""
    return {t for t in threads if t.is_alive() and not t.name.startswith("AnyIO worker")}


def _ended(threads: set[threading.Thread], within_s: float = 10.0) -> set[threading.Thread]:
    """Those of ``threads`` still alive after waiting up to ``within_s`` seconds."""
    deadline = time.monotonic() + within_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {t for t in threads if t.is_alive()}


@pytest.fixture
def interpreter() -> Iterator[None]:
    """Undo what a serving process's start does to the interpreter (it freezes the heap and
    sets the collector's thresholds and the GIL's switch interval)."""
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(interval)


def test_start_runs_the_tasks_and_fills_the_caches_and_stop_ends_them_once(env: Env) -> None:
    container = Container.for_deps(env.deps)

    async def serve() -> None:
        assert not container.running
        await container.start()
        assert container.running
        running = {t for t in asyncio.all_tasks() if t.get_name() in TASKS}
        assert {t.get_name() for t in running} == TASKS
        assert all(container.tokens.get(token) is not None for token in env.tokens.values())
        await container.start()  # once per loop: no second set of tasks
        assert len([t for t in asyncio.all_tasks() if t.get_name() in TASKS]) == len(TASKS)
        await container.stop()
        assert not container.running
        assert all(task.done() for task in running)
        await container.stop()  # harmless
        assert not container.running

    asyncio.run(serve())
    env.deps.db.run(lambda uow: uow.parties.version(), readonly=True)  # its database stays open


def test_stop_writes_the_deliveries_noted_last(env: Env) -> None:
    """R-LEAD-2's deliveries noted by a stream just before shutdown are not lost."""
    container = Container.for_deps(env.deps)
    flushed: list[int] = []
    flush = container.deliveries.flush

    def counted() -> int:
        flushed.append(flush())
        return flushed[-1]

    container.deliveries.flush = counted  # type: ignore[method-assign]

    async def serve() -> None:
        await container.start()
        await container.stop()

    asyncio.run(serve())
    assert flushed  # at least the last one, at stop


def test_a_built_container_runs_its_duties_and_listener_until_stopped(
    database: Database, database_url: str, clock: FakeClock, interpreter: None
) -> None:
    make_env(database, clock)
    before = set(threading.enumerate())
    container = build(Settings(db=database_url, metrics_port=None))
    process = container.process
    assert process is not None and container.duty_holder is not None
    assert process.database.engine.url.render_as_string() == database.engine.url.render_as_string()
    postgres = database.engine.dialect.name == "postgresql"
    assert (process.follower is not None) is postgres
    started: set[threading.Thread] = set()

    async def serve() -> None:
        await container.start()
        assert container.running
        assert process.duties.wait_held(10.0)  # the only process: it takes the duties
        assert container.duty_holder is not None and container.duty_holder()
        started.update(_ours(set(threading.enumerate()) - before))
        names = {t.name for t in started}
        assert "duties" in names
        assert ("board-follower" in names) is postgres
        await container.stop()
        assert not container.running
        assert not process.duties.held
        await container.stop()  # harmless: nothing is stopped or closed twice

    asyncio.run(serve())
    assert _ended(started) == set(), "threads outlived stop"
    assert _ours(set(threading.enumerate()) - before) == set()


def test_build_refuses_a_database_without_a_mechanism(database_url: str) -> None:
    before = _ours(set(threading.enumerate()))
    with pytest.raises(StateConflict, match="holds no mechanism"):
        build(Settings(db=database_url))
    assert _ended(_ours(set(threading.enumerate())) - before) == set()  # its database closed


def test_the_duty_lease_is_an_advisory_lock_a_file_lock_or_always_held_by_database(
    database: Database,
) -> None:
    lease = duty_lease(database)
    if database.dialect == "postgresql":
        assert isinstance(lease, DutyLock)
    else:
        assert isinstance(lease, DutyFileLock)
        assert str(lease.path) == f"{database.engine.url.database}.duties"
    memory = Database(create_engine("sqlite://"))
    try:
        assert isinstance(duty_lease(memory), AlwaysHeld)
    finally:
        memory.close()


def test_one_of_two_runners_over_one_sqlite_file_holds_the_duties_and_the_other_takes_over(
    tmp_path: Path,
) -> None:
    """R-STREAM-3 over SQLite: the leases of two processes sharing one file (two open lock
    files conflict in one process as in two); when the holder gives the duties up (a process
    that stops or dies closes its lock file), the other takes them within its retry."""
    url = f"sqlite:///{tmp_path / 'sky.db'}"
    databases = [Database(make_engine(url)) for _ in range(2)]
    started: list[list[str]] = [[], []]

    class Duty:
        def __init__(self, log: list[str]) -> None:
            self.log = log

        def start(self) -> None:
            self.log.append("start")

        def stop(self) -> None:
            self.log.append("stop")

    runners = [
        DutyRunner(duty_lease(db), lambda log=log: [Duty(log)], retry_s=0.05)
        for db, log in zip(databases, started, strict=True)
    ]
    try:
        for runner in runners:
            runner.start()
        assert [r.held for r in runners] == [True, False]
        time.sleep(0.3)  # the other keeps trying, and keeps failing
        assert [r.held for r in runners] == [True, False] and started == [["start"], []]
        runners[0].stop()
        assert runners[1].wait_held(5.0)
        assert started == [["start", "stop"], ["start"]] and runners[1].takeovers == 1
    finally:
        for runner in runners:
            runner.stop()
        for db in databases:
            db.close()
