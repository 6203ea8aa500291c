"""Fixtures shared by every test: databases on SQLite and PostgreSQL, a fake clock, the API."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import _hypothesis  # noqa: F401  (loads the Hypothesis profile before any test module)
import pytest
from _support import PG_URL, T0, Api, Env, empty_tables, make_env
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from sharedsky.service.uow import Database as DatabasePort
from sharedsky.store.engine import make_engine
from sharedsky.store.schema import head_revisions, upgrade
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception:
        return False
    return True


DURATIONS = Path(__file__).parent / "durations.json"
"""Seconds per test file in a whole run (``scripts/test_durations.py`` writes it from a JUnit
report): the longest files go to the xdist workers first."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest files first (longest processing time first): ``make test`` hands whole
    files to two workers in collection order (``--dist loadfile --no-loadscope-reorder``), and a
    long end-to-end file handed out last kept one worker busy minutes after the other was done.
    A stable sort: a file's tests stay together and in order; unlisted files keep their order,
    after the listed ones."""
    seconds: dict[str, float] = json.loads(DURATIONS.read_text(encoding="utf-8"))
    root = Path(__file__).parent.parent
    items.sort(key=lambda item: -seconds.get(item.path.relative_to(root).as_posix(), 0.0))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL schema of its own for this run, migrated once, dropped at the end."""
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and does not answer at {PG_URL}")
        pytest.skip(f"no PostgreSQL at {PG_URL} (required under CI=true)")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _empty(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        empty_tables(conn)
    engine.dispose()


def _fresh_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a freshly migrated, empty database on ``backend`` (sqlite, postgres)."""
    if backend == "sqlite":
        path = tmp_path / "sharedsky.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    _empty(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database URL on each backend."""
    return _fresh_url(request.param, request, tmp_path)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A Database over the fresh database (migrations already applied)."""
    db = Database(make_engine(database_url, pool_size=4))
    yield db
    db.close()  # waits for the app's last reads in other threads: no connection left open


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "memory"])
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabasePort]:
    """An empty database on each SQL backend and in memory (``testing/memory.py``), for the
    assertions that every implementation of ``service.uow.Database`` must pass."""
    if request.param == "memory":
        yield MemoryDatabase(revisions=head_revisions())
        return
    db = Database(make_engine(_fresh_url(request.param, request, tmp_path), pool_size=4))
    yield db
    db.close()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock standing at T0."""
    return FakeClock(T0)


@pytest.fixture
def env(database: Database, clock: FakeClock) -> Env:
    """The Levant mechanism (alpha, bravo: conflicts_only; host) loaded."""
    return make_env(database, clock)


@pytest.fixture
def api(env: Env) -> Iterator[Api]:
    """The API over the Levant mechanism."""
    holder = Api(env)
    with holder.client:
        yield holder


@pytest.fixture
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], str]]:
    """A factory of URLs of new, empty databases (no schema): ``fresh_database("sqlite")`` a
    file not made yet, ``fresh_database("postgres")`` a new PostgreSQL schema (dropped after
    the test; asking for it fails under ``CI=true`` when PostgreSQL does not answer, and
    skips the test elsewhere)."""
    schemas: list[str] = []
    urls: list[str] = []

    def make(backend: str) -> str:
        url = _made(backend)
        urls.append(url)
        return url

    def _made(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:8]}.db'}"
        request.getfixturevalue("pg_schema_url")  # fails or skips without PostgreSQL
        schema = f"t_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        schemas.append(schema)
        sep = "&" if "?" in PG_URL else "?"
        return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"

    yield make
    from _projection import check_projection
    from _servers import INITIALISED

    made = [url for url in INITIALISED if url in urls]
    INITIALISED[:] = [url for url in INITIALISED if url not in urls]
    try:
        for url in made:  # before a PostgreSQL schema is dropped (tests/e2e/conftest.py)
            check_projection(url)
    finally:
        _drop(schemas)


def _drop(schemas: list[str]) -> None:
    if schemas:
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
