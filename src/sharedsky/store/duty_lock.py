"""DutyLock: the PostgreSQL advisory lock that elects the one server process running the
mechanism's periodic duties (``service/duties.py``).

The lock is session-level (``pg_try_advisory_lock``), taken on a connection of its own that the
holder keeps open (autocommit, outside the pool): it lasts exactly as long as that session, so
when the holder dies (a crash, SIGKILL, a lost machine) PostgreSQL releases it as soon as it
notices the session is gone — at once when the process died on a live machine (its socket is
closed by the kernel), after the server's TCP keep-alive gives up when the machine or the network
vanished. The key is derived in SQL from a fixed name and the connection's current schema
(``hashtextextended``), so that mechanisms in several schemas of one database elect their
holders independently.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from sqlalchemy import URL

from sharedsky.store.engine import conninfo

log = logging.getLogger("sharedsky.store.duty_lock")

LOCK_NAME = "sharedsky-duties"
"""The fixed part of the lock's key (the schema name is the other)."""
KEY_SQL = "hashtextextended(%s || ':' || current_schema(), 0)"
"""The advisory lock key: a 64-bit hash of the name and the current schema."""
CONNECT_TIMEOUT_S = 3
"""libpq connect timeout of the lock's connection, in whole seconds."""
USER_TIMEOUT_MS = 5000
"""``tcp_user_timeout``: a check of the lock gives up after this long without an answer, in
milliseconds, instead of waiting for TCP's retransmissions (minutes)."""
KEEPALIVE_IDLE_S = 5
KEEPALIVE_INTERVAL_S = 2
KEEPALIVE_PROBES = 3
APPLICATION_NAME = "sharedsky-duties"
"""How the lock's connection shows in ``pg_stat_activity``."""


class DutyLock:
    """The duty lease over one PostgreSQL schema (``service/duties.DutyLease``)."""

    def __init__(self, url: URL, name: str = LOCK_NAME) -> None:
        self._conninfo = make_conninfo(
            conninfo(url),
            connect_timeout=CONNECT_TIMEOUT_S,
            tcp_user_timeout=USER_TIMEOUT_MS,
            keepalives=1,
            keepalives_idle=KEEPALIVE_IDLE_S,
            keepalives_interval=KEEPALIVE_INTERVAL_S,
            keepalives_count=KEEPALIVE_PROBES,
            application_name=APPLICATION_NAME,
        )
        self._name = name
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._held = False
        self.backend_pid: int | None = None
        """The PostgreSQL process id of the session holding the lock, while held."""

    def try_take(self) -> bool:
        """Try the lock once (opening the connection if needed); True when held now."""
        if self._held:
            return True
        try:
            if self._connection is None or self._connection.closed:
                self._connection = psycopg.connect(self._conninfo, autocommit=True)
            row = self._connection.execute(
                f"SELECT pg_try_advisory_lock({KEY_SQL})", (self._name,)
            ).fetchone()
        except psycopg.Error as exc:
            log.warning("the duty lock could not be tried: %s", str(exc).strip())
            self._close()
            return False
        self._held = row is not None and bool(row[0])
        if self._held:
            self.backend_pid = self._connection.info.backend_pid
        return self._held

    def still_held(self) -> bool:
        """True while the session that took the lock answers (a session-level lock lasts as
        long as its session); False, and the connection closed, when it does not."""
        if not self._held or self._connection is None:
            return False
        try:
            self._connection.execute("SELECT 1").fetchone()
        except psycopg.Error as exc:
            log.warning("the duty lock's connection failed: %s", str(exc).strip())
            self._close()
            return False
        return True

    def release(self) -> None:
        """Close the session, which releases the lock."""
        self._close()

    def _close(self) -> None:
        self._held = False
        self.backend_pid = None
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except psycopg.Error:  # already broken: nothing more to release
                pass
