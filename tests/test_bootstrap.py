"""The composition root: a container's ``start`` runs its background parts and ``stop`` ends
them (a second ``stop`` does nothing); ``build`` makes a serving process's container from the
settings alone, and refuses a database that holds no mechanism; the duty lease fits the
database, and one process at a time serves an SQLite file (``serving_lock``)."""

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

from sharedsky.bootstrap import Container, build, duty_lease, serving_lock
from sharedsky.domain.errors import InvalidSetting, StateConflict
from sharedsky.service.duties import AlwaysHeld
from sharedsky.settings import Settings
from sharedsky.store.duty_lock import DutyLock
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


def test_the_duty_lease_is_an_advisory_lock_on_postgresql_and_always_held_on_sqlite(
    database: Database,
) -> None:
    """An SQLite database has one serving process (``serving_lock``): nothing to elect."""
    lease = duty_lease(database)
    if database.dialect == "postgresql":
        assert isinstance(lease, DutyLock)
    else:
        assert isinstance(lease, AlwaysHeld)
    memory = Database(create_engine("sqlite://"))
    try:
        assert isinstance(duty_lease(memory), AlwaysHeld)
    finally:
        memory.close()


def test_one_process_at_a_time_holds_the_serving_lock_of_an_sqlite_file(tmp_path: Path) -> None:
    """R-STREAM-3 over SQLite: while one ``serve`` holds the file's lock (``PATH.duties``, two
    open lock files conflict in one process as in two), another is refused with a message that
    says who and why; once the first ends, the next takes it."""
    db = tmp_path / "sky.db"
    url = f"sqlite:///{db}"
    with serving_lock(url):
        assert (tmp_path / "sky.db.duties").exists()
        with pytest.raises(StateConflict) as refused, serving_lock(url):
            pass
        assert refused.value.detail == (
            f"another sharedsky serve process serves {db} (it holds {db}.duties): SQLite admits "
            "one server process per database; stop it, or serve several over PostgreSQL"
        )
        with serving_lock(f"sqlite:///{tmp_path / 'other.db'}"):  # another file: its own lock
            pass
    with serving_lock(url):
        pass


def test_the_serving_lock_is_nothing_in_memory_or_on_postgresql_and_an_error_without_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql://u@127.0.0.1:1/none"):
        with serving_lock(url), serving_lock(url):  # nothing held: no conflict, no file
            pass
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InvalidSetting, match=r"missing/sky\.db\.duties cannot be locked"):
        with serving_lock(f"sqlite:///{tmp_path / 'missing' / 'sky.db'}"):
            pass
