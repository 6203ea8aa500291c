"""The composition root: build(settings) → Deps (engine, database, clock, ids, mechanism)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

from sharedsky.domain.errors import StateConflict
from sharedsky.events.bus import EventBus
from sharedsky.events.pg_notify import PgListener
from sharedsky.events.webhooks import TargetGuard
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.ports import Clock, Deps, IdFactory, RandomIds, SystemClock
from sharedsky.store.engine import make_engine
from sharedsky.store.schema import upgrade
from sharedsky.store.uow import Database

log = logging.getLogger("sharedsky.bootstrap")

LISTEN_READY_S = 10.0
"""How long ``start_event_listener`` waits for the first ``LISTEN``, in seconds."""


def open_database(
    url: str, *, migrate: bool = True, sqlite_synchronous: str = "NORMAL"
) -> Database:
    """A Database over ``url``, migrated to the newest schema unless told otherwise; an SQLite
    file gets its WAL checkpointed in the background (``Database.close()`` stops that) and
    commits at the ``sqlite_synchronous`` level (``store.engine.SQLITE_SYNCHRONOUS_LEVELS``)."""
    engine = make_engine(url, sqlite_synchronous=sqlite_synchronous)
    if migrate:
        upgrade(engine)
    return Database(engine, background_checkpoints=True)


OPENED_AT_START = 8
"""Database connections ``serve`` opens before it answers (``Database.open_connections``)."""

GC_THRESHOLDS = (20_000, 20, 20)
"""The cyclic collector's thresholds in a server (Python's: 700, 10, 10). A busy server
allocates thousands of objects per request, most freed at once by reference counting; at 700
the youngest generation is scanned every few requests, with every request in flight: a fifth
of the CPU of a hotline message, measured through the ASGI app (1.0 → 0.8 ms)."""


def settle_heap() -> None:
    """Collect, then freeze what start-up allocated, so that the cyclic garbage collector no
    longer rescans it on every full collection (pauses of tens of milliseconds otherwise); and
    collect less often (``GC_THRESHOLDS``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def build(
    db: Database,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    webhook_targets: TargetGuard | None = None,
) -> Deps:
    """The use-case dependencies over a database that holds a mechanism; ``webhook_targets``:
    the webhook URLs it accepts (default: https to public addresses only)."""
    text = db.run(lambda uow: uow.parties.mechanism_json(), readonly=True)
    if text is None:
        raise StateConflict("the database holds no mechanism; run `sharedsky init` first")
    mechanism, _ = parse_mechanism(text)
    return Deps(
        db=db,
        clock=clock or SystemClock(),
        ids=ids or RandomIds(),
        mechanism=mechanism,
        webhook_targets=webhook_targets or TargetGuard(),
    )


def start_event_listener(db: Database, bus: EventBus) -> Callable[[], None]:
    """On PostgreSQL, start a ``PgListener`` that wakes ``bus`` whenever any process commits
    events to this database and schema (R-STREAM-2), and wait until it listens; return the
    function that stops it. On SQLite (one process) there is nothing to listen to: the returned
    function does nothing."""
    if db.engine.dialect.name != "postgresql":
        return lambda: None
    listener = PgListener(db.engine.url, bus.notify)
    listener.start()
    if not listener.wait_listening(LISTEN_READY_S):
        log.warning("the event listener is not listening yet; streams poll meanwhile")
    return listener.stop
