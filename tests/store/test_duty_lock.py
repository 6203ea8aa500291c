"""The duty locks. On PostgreSQL: one session of a schema holds it, it is free again as soon as
that session ends, and mechanisms in two schemas of one database do not share it. Over an SQLite
file: one open lock file holds it (in one process as in two), it is free again as soon as the
holder closes it or dies, and a lock file that cannot be made is an error, not a lock held
elsewhere."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from sharedsky.store.duty_lock import DutyFileLock, DutyLock, sqlite_lock_path
from sharedsky.store.engine import conninfo, normalise_url


def lock_of(url: str) -> DutyLock:
    return DutyLock(make_url(normalise_url(url)))


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    """True once ``condition()`` is (a session ends a moment after it was told to)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.postgres
def test_one_session_holds_the_lock_and_another_takes_it_once_it_is_released(
    pg_schema_url: str,
) -> None:
    first, second = lock_of(pg_schema_url), lock_of(pg_schema_url)
    try:
        assert first.try_take() and first.try_take()  # held: asking again changes nothing
        assert not second.try_take()
        assert first.still_held() and not second.still_held()
        first.release()
        assert not first.still_held()
        # the server frees a session lock as the closed session's process ends, a moment later
        assert wait_for(second.try_take)
        assert not first.try_take()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_the_lock_is_free_as_soon_as_the_holders_session_is_gone(pg_schema_url: str) -> None:
    holder, other = lock_of(pg_schema_url), lock_of(pg_schema_url)
    try:
        assert holder.try_take() and holder.backend_pid is not None
        assert not other.try_take()
        # the holder's process died: PostgreSQL ends its session (here: killed from outside)
        admin_url = make_url(normalise_url(pg_schema_url))
        with psycopg.connect(conninfo(admin_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (holder.backend_pid,))
        assert not holder.still_held()  # its check finds the connection gone
        assert wait_for(other.try_take)
    finally:
        holder.release()
        other.release()


@pytest.mark.postgres
def test_mechanisms_in_two_schemas_elect_their_holders_apart(
    pg_schema_url: str, fresh_database: Callable[[str], str]
) -> None:
    here, there = lock_of(pg_schema_url), lock_of(fresh_database("postgres"))
    try:
        assert here.try_take() and there.try_take()
    finally:
        here.release()
        there.release()


def test_the_lock_file_of_an_sqlite_database_lies_beside_it_and_memory_has_none() -> None:
    assert sqlite_lock_path(make_url("sqlite:////srv/sky.db")) == Path("/srv/sky.db.duties")
    assert sqlite_lock_path(make_url("sqlite://")) is None
    assert sqlite_lock_path(make_url("sqlite:///:memory:")) is None


def test_one_open_lock_file_holds_the_lock_and_another_takes_it_once_it_is_released(
    tmp_path: Path,
) -> None:
    """``flock`` locks belong to the open file: two locks in one process conflict."""
    path = tmp_path / "sky.db.duties"
    first, second = DutyFileLock(path), DutyFileLock(path)
    try:
        assert first.try_take() and first.try_take()  # held: asking again changes nothing
        assert path.exists()
        assert not second.try_take()
        first.release()
        first.release()  # harmless: nothing more to release
        assert second.try_take() and second.try_take()
        assert not first.try_take()
    finally:
        first.release()
        second.release()
    assert path.exists()  # never deleted: a later process locks the same file


_HOLDER = """\
import sys, time
from pathlib import Path
from sharedsky.store.duty_lock import DutyFileLock
assert DutyFileLock(Path(sys.argv[1])).try_take()
print("held", flush=True)
time.sleep(600)
"""


def test_the_lock_file_is_free_as_soon_as_the_holding_process_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "sky.db.duties"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    other = DutyFileLock(path)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not other.try_take()
        holder.kill()  # SIGKILL: nothing is closed by the process itself
        holder.wait(timeout=15)
        assert other.try_take()  # the kernel closed its files as it died
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=15)
        if holder.stdout is not None:
            holder.stdout.close()
        other.release()


def test_a_lock_file_that_cannot_be_made_is_an_error_not_a_lock_held_elsewhere(
    tmp_path: Path,
) -> None:
    lock = DutyFileLock(tmp_path / "missing" / "sky.db.duties")
    with pytest.raises(FileNotFoundError):
        lock.try_take()
    lock.release()  # nothing was opened
