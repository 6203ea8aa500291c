"""The app's answers to errors (``api/errors.py``): a write that cannot get through the
database's contention is refused as ``503`` problem+json with ``Retry-After``, never a 500."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import _bodies as bodies
import psycopg
import pytest
from _support import Api
from sqlalchemy import event, func, select

import sharedsky.store.uow as uow_module
from sharedsky.store import tables as t
from sharedsky.store.uow import Database

MESSAGE = {
    "to": "bravo",
    "priority": "flash",
    "template": "request_delay",
    "params": {"minutes": 5},
}


def _ledger_size(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(t.events)).scalar_one())


@pytest.fixture
def colliding(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[bool], None]]:
    """``colliding(True)``: from now on every write transaction fails as it reaches the ledger,
    as one that keeps colliding with other processes' writes does (PostgreSQL: psycopg's
    ``SerializationFailure``; SQLite: ``database is locked``), raised by the driver's cursor
    so that SQLAlchemy wraps it as it would; ``colliding(False)``: no more. The pauses
    between attempts are noted, not slept."""
    on = [False]
    postgres = database.dialect == "postgresql"
    pauses: list[float] = []
    monkeypatch.setattr(uow_module.time, "sleep", pauses.append)

    def collide(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if not on[0]:
            return
        if postgres and "pg_advisory_xact_lock" in statement:  # the first append's head read
            raise psycopg.errors.SerializationFailure(
                "could not serialize access due to read/write dependencies among transactions"
            )
        if not postgres and statement.startswith("INSERT INTO events"):
            raise sqlite3.OperationalError("database is locked")

    event.listen(database.engine, "before_cursor_execute", collide)
    yield lambda state: on.__setitem__(0, state)
    event.remove(database.engine, "before_cursor_execute", collide)
    assert all(0.0 <= p <= uow_module.BACKOFF_CAP_S for p in pauses)


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/messages", MESSAGE), ("/v1/notices", bodies.notice())],
    ids=["message-fast-lane", "notice"],
)
def test_a_write_that_keeps_colliding_is_answered_503_with_retry_after_and_stores_nothing(
    api: Api,
    database: Database,
    colliding: Callable[[bool], None],
    path: str,
    body: dict[str, Any],
) -> None:
    """R-TXN-1: after ``MAX_ATTEMPTS`` failed attempts the write is refused as
    ``unavailable`` / ``contention`` — 503 problem+json with ``Retry-After: 1`` — with nothing
    stored; sent again once the contention is over, it succeeds."""
    before = _ledger_size(database)
    headers = api.as_("alpha") | {"Idempotency-Key": "contended-1"}
    colliding(True)
    answer = api.client.post(path, json=body, headers=headers)
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    problem = answer.json()
    assert (problem["status"], problem["code"], problem["reason"]) == (
        503,
        "unavailable",
        "contention",
    )
    assert "error_id" not in problem  # an expected refusal, not a crash
    assert _ledger_size(database) == before
    colliding(False)
    again = api.client.post(path, json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert _ledger_size(database) > before


@pytest.mark.parametrize(
    ("path", "body", "detail"),
    [
        (
            "/v1/notices",
            b'{\n  "kind": "uav",\n  "title": "x",\n  "volumes": [,]\n}',
            "the body is not valid JSON: Expecting value at line 4, column 15",
        ),
        (
            "/v1/zones",
            b'{"kind": "protected" "title": "x"}',
            "the body is not valid JSON: Expecting ',' delimiter at line 1, column 22",
        ),
        (
            "/v1/messages",
            b'{"to": "bravo",\r\n "text": "hi"',
            "the body is not valid JSON: Expecting ',' delimiter at line 2, column 14",
        ),
    ],
    ids=["notice", "zone", "message-fast-lane"],
)
def test_a_malformed_json_body_is_named_with_its_line_and_column(
    api: Api, path: str, body: bytes, detail: str
) -> None:
    headers = {**api.as_("alpha"), "Content-Type": "application/json"}
    response = api.client.post(path, content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["detail"], problem["path"]) == ("invalid-input", detail, [])
    assert problem["errors"] == [{"path": [], "reason": detail}]
