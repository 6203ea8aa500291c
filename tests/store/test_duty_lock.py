"""The duty lock on PostgreSQL: one session of a schema holds it, it is free again as soon as
that session ends, and mechanisms in two schemas of one database do not share it."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy import make_url

from sharedsky.store.duty_lock import DutyLock
from sharedsky.store.engine import conninfo, normalise_url

pytestmark = pytest.mark.postgres


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


def test_mechanisms_in_two_schemas_elect_their_holders_apart(
    pg_schema_url: str, fresh_database: Callable[[str], str]
) -> None:
    here, there = lock_of(pg_schema_url), lock_of(fresh_database("postgres"))
    try:
        assert here.try_take() and there.try_take()
    finally:
        here.release()
        there.release()
