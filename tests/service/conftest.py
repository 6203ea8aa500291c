"""The service tests run the use cases over the in-memory unit of work (``testing/memory.py``):
``env`` (and ``api`` over it) here is the fake's. A test about what a SQL backend does
(concurrent transactions, ``SKIP LOCKED``) asks for ``sql_env`` or
``database`` instead, on SQLite and PostgreSQL; ``test_uow_contract.py`` holds the fake to the
SQL store."""

from __future__ import annotations

import pytest
from _support import Env, make_env

from sharedsky.store.schema import head_revisions
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase


@pytest.fixture
def memory() -> MemoryDatabase:
    """An empty in-memory database at the newest schema revision."""
    return MemoryDatabase(revisions=head_revisions())


@pytest.fixture
def env(memory: MemoryDatabase, clock: FakeClock) -> Env:
    """The Levant mechanism (alpha, bravo: conflicts_only; host) loaded in memory."""
    return make_env(memory, clock)


@pytest.fixture
def sql_env(database: Database, clock: FakeClock) -> Env:
    """The Levant mechanism loaded in a SQL database (SQLite, PostgreSQL)."""
    return make_env(database, clock)
