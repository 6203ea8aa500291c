"""Engines per database URL: SQLite in WAL mode with immediate write transactions, or PostgreSQL."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from sharedsky.tuning import PING_IDLE_S

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_SYNCHRONOUS_LEVELS = ("NORMAL", "FULL")
"""The ``PRAGMA synchronous`` levels an engine may use in WAL mode. NORMAL (the default):
a commit writes the WAL but does not wait for the disk, so a process that is killed loses no
committed transaction (the operating system holds its writes), a power cut or kernel crash may
lose the last ones (never corrupts the file). FULL: every commit waits for the WAL to reach the
disk, so a power cut loses nothing that was answered; each commit costs an fsync."""
SQLITE_AUTOCHECKPOINT_PAGES = 10_000
"""WAL size (pages) at which a commit checkpoints by itself: a backstop for processes without
a background checkpointer (the default of 1,000 pages puts a checkpoint on every ~50th filing)."""
CHECKPOINT_INTERVAL_S = 0.5
_IDLE_SINCE = "sharedsky_idle_since"
SQLITE_POOL_SIZE = 64
"""SQLite connections kept open per engine: a busy server has dozens of threads reading at
once, and a connection opened and closed per request (with its pragmas) costs more than the
request."""


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite database URL (relative to the working directory as SQLite opens
    it); None for an in-memory database (``sqlite://``, ``:memory:``, a ``mode=memory`` URI)
    and for another backend."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = str(url.database)
    if database.startswith("file:"):  # an SQLite URI (``?uri=true``)
        if url.query.get("mode") == "memory" or "mode=memory" in database:
            return None
        database = database.removeprefix("file:").split("?", 1)[0]
        if database in ("", ":memory:"):
            return None
    return Path(database)


def is_sqlite(engine: Engine) -> bool:
    """True for an SQLite engine."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 10, sqlite_synchronous: str = "NORMAL") -> Engine:
    """An engine for ``url``.

    SQLite: WAL, ``synchronous=`` ``sqlite_synchronous`` (``SQLITE_SYNCHRONOUS_LEVELS``), a
    busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so that two writers never
    interleave (reads use a deferred BEGIN).
    PostgreSQL: SERIALIZABLE isolation; the unit of work retries serialization failures.
    ValueError for a synchronous level not in ``SQLITE_SYNCHRONOUS_LEVELS``.
    """
    if sqlite_synchronous not in SQLITE_SYNCHRONOUS_LEVELS:
        raise ValueError(f"sqlite_synchronous must be one of {SQLITE_SYNCHRONOUS_LEVELS}")
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )
        _configure_sqlite(engine, sqlite_synchronous)
        return engine
    engine = create_engine(
        url, isolation_level="SERIALIZABLE", pool_size=pool_size, max_overflow=pool_size
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout when it sat idle for ``PING_IDLE_S`` or more; one
    that does not answer (the server restarted, a firewall dropped it) is replaced before the
    transaction starts. SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip
    per transaction, a tenth of a busy group commit's time."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # any failure to answer means: use another connection
            raise DisconnectionError(f"a pooled connection did not answer: {exc}") from exc
        if not alive:
            raise DisconnectionError("a pooled connection did not answer")


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get("sharedsky_readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class WalCheckpointer:
    """Checkpoints an SQLite WAL from a background thread, so that no request pays for it.

    A PASSIVE checkpoint copies committed pages into the database file without blocking readers
    or writers; sqlite3 releases the GIL meanwhile. Started by ``start()``, stopped by
    ``stop()``; does nothing for other databases.
    """

    def __init__(self, engine: Engine, interval_s: float = CHECKPOINT_INTERVAL_S) -> None:
        self._engine = engine
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin checkpointing every ``interval_s`` seconds (SQLite files only)."""
        if not is_sqlite(self._engine) or self._thread is not None:
            return
        if sqlite_file(self._engine.url) is None:
            return
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (after one last checkpoint)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint, outside any transaction."""
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            cursor.close()
        finally:
            connection.close()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.checkpoint()
        self.checkpoint()


def conninfo(url: URL) -> str:
    """The libpq connection URI of a SQLAlchemy PostgreSQL URL (the driver suffix dropped, the
    password and query options such as ``options=-csearch_path=…`` kept).

    >>> from sqlalchemy import make_url
    >>> conninfo(make_url("postgresql+psycopg://u:p@h:5432/d?options=-csearch_path%3Ds"))
    'postgresql://u:p@h:5432/d?options=-csearch_path%3Ds'
    """
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
