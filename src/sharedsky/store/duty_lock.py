"""The locks that make one server process run the mechanism's periodic duties
(``service/duties.py``): ``DutyLock`` elects it among those over PostgreSQL, ``DutyFileLock``
keeps an SQLite file to one serving process.

**PostgreSQL.** The lock is session-level (``pg_try_advisory_lock``), taken on a connection of
its own that the holder keeps open (autocommit, outside the pool): it lasts exactly as long as
that session, so when the holder dies (a crash, SIGKILL, a lost machine) PostgreSQL releases
it as soon as it notices the session is gone — at once when the process died on a live machine
(its socket is closed by the kernel), after the server's TCP keep-alive gives up when the
machine or the network vanished. The key is derived in SQL from a fixed name and the
connection's current schema (``hashtextextended``), so that mechanisms in several schemas of one
database elect their holders independently.

**SQLite.** One ``serve`` process serves an SQLite file (its live tracks are kept in its
memory, so a second process would split them): ``serve`` takes an exclusive ``flock`` on a file
beside the database (``PATH.duties``) without waiting before it builds its app, refuses to start
when another process holds it, and keeps it for its whole life (it then runs the duties itself).
The operating system releases it when the holder's file is closed, which it does itself when the
process dies however it dies (on the machine that holds the file: an SQLite file is not shared
across machines), so a new ``serve`` starts at once after a crash.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from sqlalchemy import URL

from sharedsky.store.engine import conninfo, sqlite_file

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


LOCK_FILE_SUFFIX = ".duties"
"""The lock file of an SQLite database ``PATH`` is ``PATH.duties``."""


class DutyFileLock:
    """The lock of the one process serving an SQLite file: an exclusive ``flock`` on ``path``,
    made when missing and never deleted (a process that deleted it could let a later one lock a
    new file while the holder still locks the old one).

    Each ``DutyFileLock`` opens the file itself, and ``flock`` locks belong to the open file,
    not to the process: two of them conflict in one process as in two."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_take(self) -> bool:
        """Try the lock once, without waiting (opening the file if needed): True when held now,
        False when another open file holds it; OSError when the file cannot be opened or
        locked otherwise (a missing directory, no permission)."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # held elsewhere: the usual answer
            os.close(fd)
            return False
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        """Close the file, which releases the lock (nothing happens when it is not held)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def sqlite_lock_path(url: URL) -> Path | None:
    """The lock file of the SQLite database at ``url`` (``PATH.duties``); None for an
    in-memory database, which only its own process can open, and for another backend."""
    path = sqlite_file(url)
    return None if path is None else path.with_name(path.name + LOCK_FILE_SUFFIX)
