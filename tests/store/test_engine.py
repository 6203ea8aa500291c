"""Connections of the pool: a server opens some as it starts; on PostgreSQL one that sat idle
is checked before use and replaced when the server dropped it, one in steady use is not
pinged."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from _support import PG_URL
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from sharedsky.settings import Settings
from sharedsky.store import engine as engine_module
from sharedsky.store.engine import make_engine
from sharedsky.store.uow import Database


def test_a_starting_server_opens_its_connections_ahead(database: Database) -> None:
    pool = database.engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedin() == 0
    assert database.open_connections(3) == 3
    assert database.open_connections(100) == pool.size() < 100  # no more than the pool keeps
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


@pytest.mark.postgres
def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    pg_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_schema_url, pool_size=1)
    admin = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            killed = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": killed}).scalar()
        monkeypatch.setattr(engine_module, "PING_IDLE_S", 0.0)  # it has been idle long enough
        with engine.connect() as connection:
            pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert pid != killed
    finally:
        engine.dispose()
        admin.dispose()


@pytest.mark.postgres
def test_a_connection_in_steady_use_is_not_pinged(
    pg_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_schema_url, pool_size=1)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    try:
        for _ in range(5):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        assert pings == []
        monkeypatch.setattr(engine_module, "PING_IDLE_S", 0.0)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_closing_waits_for_a_connection_still_in_use_in_another_thread(
    database: Database,
) -> None:
    """A read finishing in another thread as the database closes hands its connection back
    first: nothing is left open for the garbage collector to find."""
    holding = threading.Event()

    def read() -> None:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            holding.set()
            time.sleep(0.3)

    thread = threading.Thread(target=read)
    thread.start()
    assert holding.wait(5.0)
    started = time.monotonic()
    database.close()
    assert time.monotonic() - started >= 0.2  # it waited for the read
    thread.join(5.0)
    pool = database.engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedout() == 0


@pytest.mark.parametrize(("level", "pragma"), [("NORMAL", 1), ("FULL", 2)])
def test_an_sqlite_engine_commits_at_the_synchronous_level_it_was_given(
    tmp_path: Path, level: str, pragma: int
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", sqlite_synchronous=level)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == pragma
    finally:
        engine.dispose()


def test_an_unknown_synchronous_level_is_refused() -> None:
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        make_engine("sqlite://", sqlite_synchronous="OFF")


def test_the_synchronous_setting_takes_either_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHAREDSKY_SQLITE_SYNCHRONOUS", "full")
    assert Settings().sqlite_synchronous == "FULL"
    monkeypatch.setenv("SHAREDSKY_SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("sqlite:////var/lib/sharedsky/sky.db", "/var/lib/sharedsky/sky.db"),
        ("sqlite:///sky.db", "sky.db"),
        ("sqlite:///file:/tmp/sky.db?uri=true", "/tmp/sky.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///file:mem?mode=memory&cache=shared&uri=true", None),
        ("postgresql+psycopg://u@localhost/test", None),
    ],
)
def test_the_file_of_an_sqlite_url_is_found_and_an_in_memory_one_has_none(
    url: str, file: str | None
) -> None:
    from sqlalchemy.engine import make_url

    from sharedsky.store.engine import sqlite_file

    assert sqlite_file(make_url(url)) == (None if file is None else Path(file))
