"""Shared test helpers: the mechanisms, the clock start, a loaded environment and an API client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Connection, text
from starlette.testclient import TestClient

from sharedsky.api.app import create_app
from sharedsky.bootstrap import Container, build_deps
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.mechanism import load_mechanism
from sharedsky.service.ports import Deps
from sharedsky.service.uow import Database
from sharedsky.store.tables import metadata
from sharedsky.testing.fakes import FakeClock, SequentialIds, open_targets

PG_URL = os.environ.get("SHAREDSKY_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The fake clock's start in every test."""

LEVANT_YAML = """\
mechanism: levant-deconfliction
host: {id: host, name: Joint Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: tr}
defaults:
  sharing: full
  min_lead_time_s: {default: 900, exercise: 86400}
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
  separation: {lateral_m: 9260, vertical_m: 304.8, time_s: 300}
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
"""

MATRIX_YAML = """\
mechanism: visibility-matrix
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: tr}
  - {id: charlie, name: Charlie, language: ar}
defaults:
  sharing: full
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
  - between: [bravo, charlie]
    sharing: host_only
"""
"""Three parties on every sharing rule: alpha–bravo conflicts_only, bravo–charlie host_only,
alpha–charlie full (the visibility matrices of the reads and of the exports)."""

THREE_PARTY_YAML = """\
mechanism: three-way
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: tr}
  - {id: charlie, name: Charlie, language: ar}
defaults:
  sharing: full
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
  - between: [alpha, charlie]
    sharing: host_only
"""


@dataclass
class Env:
    """A loaded mechanism: its dependencies, operator tokens and fake clock."""

    deps: Deps
    tokens: dict[str, str]
    clock: FakeClock


def empty_tables(conn: Connection) -> None:
    """Empty every table of the store and restart its numbering, as in a new database.

    Rows are deleted (children first) rather than truncated: a PostgreSQL ``TRUNCATE`` of the
    store's tables gives each a new file and syncs them at commit, some 400 ms a test here, where
    deleting a test's few rows takes a few milliseconds. (SQLite numbers rows from the largest
    rowid left: none.)"""
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
        )


def make_env(database: Database, clock: FakeClock, yaml_text: str = LEVANT_YAML) -> Env:
    """Load ``yaml_text`` into ``database`` (the SQL store's, or ``MemoryDatabase``) and build
    the dependencies."""
    mechanism, mechanism_json = parse_mechanism(yaml_text)
    tokens = load_mechanism(database, clock, mechanism, mechanism_json)
    deps = build_deps(database, clock=clock, ids=SequentialIds(), webhook_targets=open_targets())
    return Env(deps, tokens.file(), clock)


class Api:
    """A test client of the app with one bearer token per party, over ``container`` (by
    default a new one over the environment's dependencies)."""

    def __init__(self, env: Env, container: Container | None = None) -> None:
        self.env = env
        self.container = container if container is not None else Container.for_deps(env.deps)
        self.client = TestClient(create_app(self.container), raise_server_exceptions=False)

    def as_(self, party: str) -> dict[str, str]:
        """Authorization headers of ``party``'s operator."""
        return {"Authorization": f"Bearer {self.env.tokens[party]}"}


class CutStream(httpx.SyncByteStream):
    """An answer's body that breaks off after its first bytes, as a reset connection does."""

    def __init__(self, head: bytes, request: httpx.Request) -> None:
        self.head = head
        self.request = request

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise httpx.ReadError("connection reset by peer", request=self.request)
