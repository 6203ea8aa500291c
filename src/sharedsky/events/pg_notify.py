"""PgListener: wakes this process's streams when any process commits events to one PostgreSQL.

Several ``serve`` processes over one PostgreSQL form one mechanism (R-STREAM-2). Every
transaction that appends events also queues a ``pg_notify`` on its schema's channel
(``store/events.NOTIFY_CHANNEL_SQL``); PostgreSQL delivers it to every listener when the
transaction commits, that is exactly when the events become visible, and never for a
transaction that rolled back. A ``PgListener`` holds one dedicated autocommit connection that
``LISTEN``s on that channel and calls its ``wake`` callback (``EventBus.notify``) on every
notification. The notification carries no event: streams read the log themselves, and they poll
too, so a notification lost while the connection was down delays delivery by at most one poll
interval and loses nothing. A dropped connection is logged and reopened, with a growing pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from sqlalchemy import URL

from sharedsky.store.engine import conninfo
from sharedsky.store.events import NOTIFY_CHANNEL_SQL

log = logging.getLogger("sharedsky.events.pg_notify")

WAIT_S = 0.5
"""Longest wait for a notification in one go, in seconds: how soon ``stop`` takes effect."""
RECONNECT_MIN_S = 0.1
"""Pause before the first attempt to reopen a dropped connection, in seconds."""
RECONNECT_MAX_S = 5.0
"""Longest pause between two attempts to reopen the connection, in seconds."""
CONNECT_TIMEOUT_S = 5
"""libpq connect timeout of the listening connection, in whole seconds."""
KEEPALIVE_IDLE_S = 10
"""TCP keep-alive: seconds of silence before the first probe, so that a connection that died
without a word (a lost network path) is noticed; ``KEEPALIVE_PROBES`` unanswered probes, one
every ``KEEPALIVE_INTERVAL_S`` seconds, close it."""
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_PROBES = 3
APPLICATION_NAME = "sharedsky-listener"
"""How the listening connection shows in ``pg_stat_activity``."""


class PgListener:
    """``LISTEN``s on the mechanism's channel on a background thread and calls ``wake`` on each
    notification (and once after every reconnection, for whatever committed meanwhile).

    ``wake`` is called from the listener's thread; it must be quick and never raise
    (``EventBus.notify`` is both). Started by ``start()``, stopped by ``stop()``.
    """

    def __init__(self, url: URL, wake: Callable[[], None]) -> None:
        self._conninfo = make_conninfo(
            conninfo(url),
            connect_timeout=CONNECT_TIMEOUT_S,
            keepalives=1,
            keepalives_idle=KEEPALIVE_IDLE_S,
            keepalives_interval=KEEPALIVE_INTERVAL_S,
            keepalives_count=KEEPALIVE_PROBES,
            application_name=APPLICATION_NAME,
        )
        self._wake = wake
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self.connections = 0
        """How many times a connection was opened and is (or was) listening."""
        self.notifications = 0
        """How many notifications have arrived since ``start``."""
        self.channel: str | None = None
        """The channel listened on, once known (``sharedsky_events_<schema>``)."""
        self.backend_pid: int | None = None
        """The PostgreSQL process id of the listening connection, once open."""

    def start(self) -> None:
        """Open the connection and listen, on a daemon thread; idempotent."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop listening and close the connection; returns within about ``WAIT_S`` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._listening.clear()

    def wait_listening(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` seconds until a connection is listening; True if it is."""
        return self._listening.wait(timeout_s)

    @property
    def listening(self) -> bool:
        """True while a connection is listening."""
        return self._listening.is_set()

    def _run(self) -> None:
        pause_s = RECONNECT_MIN_S
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    self._listen(connection)
                    pause_s = RECONNECT_MIN_S
                    self._follow(connection)
            except Exception as exc:  # the listener must outlive a lost connection; logged
                self._listening.clear()
                if self._stop.is_set():
                    return
                log.warning(
                    "event listener lost its PostgreSQL connection (%s); reconnecting in %.1f s",
                    str(exc).strip() or type(exc).__name__,
                    pause_s,
                    exc_info=not isinstance(exc, psycopg.Error),
                )
                if self._stop.wait(pause_s):
                    return
                pause_s = min(pause_s * 2, RECONNECT_MAX_S)
        self._listening.clear()

    def _listen(self, connection: psycopg.Connection[TupleRow]) -> None:
        row = connection.execute(sql.SQL(f"SELECT {NOTIFY_CHANNEL_SQL}")).fetchone()
        if row is None or not isinstance(row[0], str):
            raise psycopg.OperationalError("no current schema to name the event channel after")
        self.channel = row[0]
        connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        self.backend_pid = connection.info.backend_pid
        self.connections += 1
        if self.connections > 1:
            log.info("event listener reconnected to PostgreSQL (channel %s)", self.channel)
        self._listening.set()
        self._wake()  # events committed while no connection listened are read at once

    def _follow(self, connection: psycopg.Connection[TupleRow]) -> None:
        while not self._stop.is_set():
            for _notify in connection.notifies(timeout=WAIT_S):
                self.notifications += 1
                self._wake()
                if self._stop.is_set():
                    return
