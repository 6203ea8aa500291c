"""``GET /readyz``: ready only when the database answers at the newest schema, else 503 saying
which; ``/healthz`` and ``/readyz`` need no token. (``/metrics``: tests/api/test_observability.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from _support import Api
from sqlalchemy import text
from starlette.testclient import TestClient

from sharedsky import bootstrap
from sharedsky.api.app import create_app
from sharedsky.bootstrap import Container
from sharedsky.store import schema
from sharedsky.store.engine import make_engine
from sharedsky.store.schema import head_revisions
from sharedsky.store.uow import Database


def test_a_migrated_database_is_ready_without_a_token(api: Api) -> None:
    answer = api.client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}
    assert api.client.get("/healthz").json() == {"status": "ok"}


def test_a_database_behind_its_schema_is_not_ready(api: Api) -> None:
    db = api.env.deps.db
    [head] = head_revisions()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        answer = api.client.get("/readyz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "unavailable"
    assert problem["reason"] == "schema-behind"
    assert "older" in problem["detail"] and head in problem["detail"]
    assert api.client.get("/readyz").status_code == 200


def test_a_database_never_migrated_is_not_ready(api: Api, tmp_path: Path) -> None:
    empty = Database(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        app = create_app(Container.for_deps(dataclasses.replace(api.env.deps, db=empty)))
        answer = TestClient(app).get("/readyz")
    finally:
        empty.close()
    assert answer.status_code == 503
    assert answer.json()["reason"] == "schema-behind"
    assert "never migrated" in answer.json()["detail"]


def test_a_database_that_does_not_answer_is_not_ready(api: Api, tmp_path: Path) -> None:
    gone = Database(make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"))
    try:
        app = create_app(Container.for_deps(dataclasses.replace(api.env.deps, db=gone)))
        answer = TestClient(app).get("/readyz")
    finally:
        gone.close()
    assert answer.status_code == 503
    assert answer.json()["reason"] == "database-unreachable"
    assert answer.json()["detail"] == "the database does not answer"


def test_the_newest_revision_is_read_once_per_app(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.container.schema_head == head_revisions()

    def read_again() -> frozenset[str]:
        raise AssertionError("the newest revision was read again")

    monkeypatch.setattr(bootstrap, "head_revisions", read_again)  # what a container reads
    monkeypatch.setattr(schema, "head_revisions", read_again)
    assert api.client.get("/readyz").status_code == 200
    assert api.client.get("/readyz").status_code == 200
