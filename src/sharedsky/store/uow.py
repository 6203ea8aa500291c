"""The unit of work: one transaction with every repository, retried on serialization failure."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from sharedsky.domain.errors import Unavailable
from sharedsky.ledger.signing import Signer
from sharedsky.store.acks import AckRepository
from sharedsky.store.conflicts import ConflictRepository
from sharedsky.store.deliveries import DeliveryLog
from sharedsky.store.engine import WalCheckpointer, is_sqlite
from sharedsky.store.escalations import EscalationLog
from sharedsky.store.events import EventLog, in_ledger_order
from sharedsky.store.group_commit import BatchFailed, GroupCommit
from sharedsky.store.idempotency import IdempotencyStore
from sharedsky.store.incidents import IncidentRepository
from sharedsky.store.ledger_keys import LedgerKeys, ServerKeyCache
from sharedsky.store.messages import MessageRepository
from sharedsky.store.notices import NoticeRepository
from sharedsky.store.parties import PartyRepository
from sharedsky.store.pending import Pending
from sharedsky.store.schema import current_revisions
from sharedsky.store.tactical import TacticalRepository
from sharedsky.store.volumes import VolumeIndex
from sharedsky.store.webhooks import WebhookRepository
from sharedsky.store.zones import ZoneRepository

T = TypeVar("T")

CLOSE_WAIT_S = 2.0
"""How long ``Database.close`` waits for connections in use to come back, in seconds."""
MAX_ATTEMPTS = 12
"""Attempts of one transaction before a serialization failure is given up (``Unavailable``,
reason ``contention``: 503 with ``Retry-After``). Every attempt after the first waits for its
turn among the ledger's writers before it starts (``events.in_ledger_order``), so that it
cannot lose the ledger's head to another process again; what may still fail it is a
serialization conflict over other rows."""
BACKOFF_CAP_S = 0.2
"""The longest pause between two attempts, in seconds (drawn at random up to 5 ms × 2^n:
writers of several processes that failed together do not retry together)."""
_RETRY_SQLSTATES = {"40001", "40P01"}
_UNIQUE_VIOLATION = "23505"
_NUMBERED_KEYS = frozenset({"pk_events", "pk_volumes", "pk_escalations"})
"""Primary keys a writer numbers itself from what it read: a clash on one is a race lost."""


class SqlUnitOfWork:
    """Every repository, bound to one open transaction (``service.uow.UnitOfWork``)."""

    def __init__(
        self,
        connection: Connection,
        server_keys: ServerKeyCache,
        pending: Pending | None = None,
    ) -> None:
        self.connection = connection
        self.pending = Pending(connection) if pending is None else pending
        """The transaction's held inserts and ledger head (``store/pending.py``); the writes of
        one shared transaction share it."""
        pending = self.pending
        self.parties = PartyRepository(connection)
        self.volumes = VolumeIndex(connection)
        self.notices = NoticeRepository(connection, self.volumes)
        self.zones = ZoneRepository(connection, self.volumes)
        self.conflicts = ConflictRepository(connection)
        self.tactical = TacticalRepository(connection)
        self.acks = AckRepository(connection, pending)
        self.messages = MessageRepository(connection, pending)
        self.incidents = IncidentRepository(connection)
        self.server_keys = server_keys
        self.events = EventLog(connection, self.server_keys, pending)
        self.ledger_keys = LedgerKeys(connection)
        self.escalations = EscalationLog(connection)
        self.deliveries = DeliveryLog(connection)
        self.idempotency = IdempotencyStore(connection)
        self.webhooks = WebhookRepository(connection)

    def server_signer(self, now: datetime) -> Signer:
        """The server's ledger signing key (read once per process); made and stored in this
        transaction at ``now`` when the database has none yet."""
        return self.server_keys.signer(self.ledger_keys, now)


def _fails_the_batch(exc: Exception) -> bool:
    """True when ``exc``, raised by a write of a shared transaction, is the transaction's
    failure rather than the write's own: one that a retry may cure (``_retryable``)."""
    return isinstance(exc, DBAPIError) and _retryable(exc)


def _retryable(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    if sqlstate == _UNIQUE_VIOLATION:
        # another process appended the same seq, or numbered a volume or an escalation step
        # the same (one more than the greatest), after this transaction's snapshot was taken
        # (PostgreSQL takes it before the event-order lock is granted): run it again
        diag = getattr(exc.orig, "diag", None)
        return getattr(diag, "constraint_name", None) in _NUMBERED_KEYS
    return "database is locked" in str(exc.orig)


class Database:
    """Runs use cases in transactions: SQLite BEGIN IMMEDIATE, PostgreSQL SERIALIZABLE
    (``service.uow.Database``)."""

    def __init__(self, engine: Engine, *, background_checkpoints: bool = False) -> None:
        self.engine = engine
        self._listeners: list[Callable[[], None]] = []
        self.events_appended = 0
        """Ledger entries this process has committed since it opened the database (a counter
        for the metrics; written by the committing threads under ``_count_lock``)."""
        self._count_lock = threading.Lock()
        self._checkpointer = WalCheckpointer(engine)
        self.server_keys = ServerKeyCache()
        """The database's ledger signing key, read once."""
        self._group: GroupCommit[Callable[[SqlUnitOfWork], object]] = GroupCommit(
            self._run_batch, self._run_alone
        )
        """Writes that arrive together share one transaction (``store/group_commit.py``): on
        SQLite, which admits one writer at a time and makes the others wait in a busy handler
        that sleeps in growing steps, they queue in this process instead; on both backends a
        batch pays for one commit and one wake-up of the streams."""
        if background_checkpoints:
            self._checkpointer.start()

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the committing thread, after the commit) whenever a
        transaction that appended events has committed; it must be quick and never raise."""
        self._listeners.append(listener)

    def connections_in_use(self) -> int:
        """Pooled connections checked out now (0 for a pool that does not count them)."""
        pool = self.engine.pool
        return pool.checkedout() if isinstance(pool, QueuePool) else 0

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect's name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def schema_revisions(self) -> frozenset[str]:
        """The schema revision(s) the database is at (one short read); empty when it was never
        migrated. Raises whatever the driver raises when the database does not answer."""
        with self.engine.connect() as connection:
            return current_revisions(connection)

    @property
    def skips_locked_rows(self) -> bool:
        """True when concurrent transactions can share a queue with ``FOR UPDATE SKIP LOCKED``
        (PostgreSQL); SQLite serialises writers instead."""
        return not is_sqlite(self.engine)

    def open_connections(self, count: int) -> int:
        """Open up to ``count`` pooled connections now (no more than the pool keeps) and put
        them back in the pool; returns how many it holds idle. A server calls it as it starts:
        a new PostgreSQL connection is a new server process, milliseconds that its first
        requests, arriving together, would otherwise wait for one after the other."""
        pool = self.engine.pool
        keep = min(count, pool.size()) if isinstance(pool, QueuePool) else count
        opened = []
        try:
            for _ in range(keep):
                opened.append(self.engine.connect())
        finally:
            for connection in opened:
                connection.close()
        return pool.checkedin() if isinstance(pool, QueuePool) else len(opened)

    def close(self) -> None:
        """Stop background work, wait up to ``CLOSE_WAIT_S`` for the connections in use to come
        back (a stream's last read, a last write finishing in another thread), and close every
        pooled connection. One that came back only after the pool was closed would stay open
        until the garbage collector found it."""
        self._checkpointer.stop()
        pool = self.engine.pool
        if isinstance(pool, QueuePool):
            deadline = time.monotonic() + CLOSE_WAIT_S
            while pool.checkedout() and time.monotonic() < deadline:
                time.sleep(0.01)
        self.engine.dispose()

    def run(self, work: Callable[[SqlUnitOfWork], T], *, readonly: bool = False) -> T:
        """Run ``work`` in one transaction and commit; retry it whole on a serialization
        failure (so ``work`` must have no effect outside the transaction). A write may share
        its transaction with others that arrived at the same time, each in its own savepoint:
        it commits whole or not at all, and sees those before it as committed."""
        if readonly:
            return self._run_alone(work, readonly=True)
        return cast(T, self._group.submit(work))

    async def run_async(self, work: Callable[[SqlUnitOfWork], T]) -> T:
        """``run(work)`` for a coroutine: the write joins the next shared transaction without
        taking a thread of the event loop's pool (the group's lead thread runs it), and the
        result comes back to the loop. If the caller is cancelled meanwhile, the write still
        commits or fails whole."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(result: object, error: BaseException | None) -> None:
            if future.cancelled():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(cast(T, result))

        def done(result: object, error: BaseException | None) -> None:
            try:
                loop.call_soon_threadsafe(settle, result, error)
            except RuntimeError:  # the loop closed meanwhile: nobody waits any more
                pass

        self._group.submit_nowait(work, done)
        return await future

    @property
    def batches(self) -> int:
        """Write transactions committed by groups so far."""
        return self._group.batches

    @property
    def runs_alone(self) -> int:
        """Writes run again in a transaction of their own after their shared transaction
        failed as a whole (a write that fails alone is rolled back to its savepoint instead)."""
        return self._group.runs_alone

    def _run_alone(self, work: Callable[[SqlUnitOfWork], T], *, readonly: bool = False) -> T:
        """``work`` in a transaction of its own, retried up to ``MAX_ATTEMPTS`` times on a
        serialization failure (a write's retries in the ledger's order); ``Unavailable``
        (``contention``), with nothing stored, when every attempt failed so."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with self.engine.connect() as connection:
                    if readonly:
                        connection = connection.execution_options(sharedsky_readonly=True)
                    uow = SqlUnitOfWork(connection, self.server_keys)
                    with self._turn(connection, attempt > 0 and not readonly):
                        with connection.begin():
                            result = work(uow)
                    if uow.events.appended:
                        self._committed(uow.events.appended)
                    return result
            except DBAPIError as exc:
                if not _retryable(exc):
                    raise
                if attempt + 1 < MAX_ATTEMPTS:
                    time.sleep(random.uniform(0.0, min(BACKOFF_CAP_S, 0.005 * 2**attempt)))
                    continue
                raise Unavailable(
                    f"the database stayed too busy for this write ({MAX_ATTEMPTS} attempts "
                    "collided with others); nothing was stored: send it again",
                    reason="contention",
                ) from exc
        raise RuntimeError("unreachable: the loop returns or raises")

    @staticmethod
    def _turn(connection: Connection, ordered: bool) -> AbstractContextManager[None]:
        """``events.in_ledger_order`` when ``ordered``, else nothing."""
        return in_ledger_order(connection) if ordered else nullcontext()

    def _run_batch(
        self, works: list[Callable[[SqlUnitOfWork], object]]
    ) -> list[tuple[bool, object]]:
        """Every work in one transaction, one after the other, each in a savepoint of its own:
        (True, result) for a work that returned, (False, exception) for one that raised. The
        savepoint of a work that raised is rolled back: it leaves no row, held insert, ledger
        entry or commit notification behind, and the others commit. BatchFailed,
        with nothing kept, when the transaction itself fails (a serialization failure or
        deadlock on PostgreSQL, a locked database on SQLite, a failed flush of held inserts, a
        savepoint or commit that failed): each work then runs again alone. On PostgreSQL a
        batch that lost a serialization race (the ledger's head to another process, say)
        first runs again whole, in the ledger's order (``events.in_ledger_order``): its
        writes need not each lose the race again alone."""
        if len(works) == 1:
            try:
                return [(True, self._run_alone(works[0]))]
            except Exception as exc:
                return [(False, exc)]
        ordered = False
        while True:
            try:
                outcomes, appended = self._batch_once(works, ordered)
                break
            except DBAPIError as exc:
                if _retryable(exc):
                    if not ordered and self.dialect == "postgresql":
                        ordered = True
                        continue
                    raise BatchFailed(str(exc)) from exc
                raise BatchFailed(f"the shared transaction failed: {exc}") from exc
            except Exception as exc:
                raise BatchFailed(f"the shared transaction failed: {exc}") from exc
        if appended:
            self._committed(appended)
        return outcomes

    def _batch_once(
        self, works: list[Callable[[SqlUnitOfWork], object]], ordered: bool
    ) -> tuple[list[tuple[bool, object]], int]:
        """One attempt of ``_run_batch``: the outcomes and the ledger entries appended, once
        committed; raises what failed the transaction."""
        outcomes: list[tuple[bool, object]] = []
        appended = 0
        with self.engine.connect() as connection, self._turn(connection, ordered):
            with connection.begin():
                pending = Pending(connection)
                with pending.holding():  # the writes' inserts go together
                    for work in works:
                        uow = SqlUnitOfWork(connection, self.server_keys, pending=pending)
                        try:
                            with pending.savepoint():
                                result = work(uow)
                        except Exception as exc:
                            if pending.failed is not None or _fails_the_batch(exc):
                                raise
                            outcomes.append((False, exc))
                            continue
                        if pending.failed is not None:  # a failed flush that the work swallowed
                            raise pending.failed
                        outcomes.append((True, result))
                        appended += uow.events.appended
        return outcomes, appended

    def _committed(self, appended: int) -> None:
        with self._count_lock:
            self.events_appended += appended
        for listener in self._listeners:
            listener()
