"""The composition root: ``build(settings) → Container``, every long-lived part of one serving
process, made and wired once; ``api.create_app(container)`` serves it, and the app's lifespan
runs ``Container.start`` and ``Container.stop``.

Who owns what. A ``Container`` holds what the app's routes, dependencies and middleware share —
the use cases' ``Deps``, the ``EventBus`` that commits notify and the ``FeedPump`` that every
event stream reads through, the ``DeliveryBuffer``, the ``CheckpointBoard``, the caches of
tokens and operators' keys and the ``CredentialsWatch`` over them, the open-stream count, the
live picture and the tactical board, the request limits and the metrics — and runs the
event-loop tasks that keep them current (deliveries written, checkpoints published, operators
re-read). Its ``ServingProcess`` (``build`` makes one; ``Container.for_deps``, for tests, does
not) holds what only ``serve`` runs beside its app: the database it opened and closes, the
``DutyRunner`` with the duties it makes while this process holds the lease (deadlines, webhooks,
the tactical tick, the ``--metrics-port`` listener), the board follower and the PostgreSQL event
listener (``service/duties.py``, ``events/pg_notify.py``).

Nothing is made on demand elsewhere: the app keeps one attribute, ``app.state.container``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import anyio.to_thread
from sqlalchemy.engine import make_url

from sharedsky.api.limits import RequestLimits
from sharedsky.api.observability import (
    REFRESH_S,
    LaneCount,
    Metrics,
    MetricsPort,
    StreamCount,
)
from sharedsky.api.shared_buckets import WORKERS_DIR_VARIABLE
from sharedsky.detect.tactical import warm as warm_tactical
from sharedsky.domain.addresses import TargetRules
from sharedsky.domain.errors import InvalidSetting, SharedskyError, StateConflict
from sharedsky.events.bus import EventBus
from sharedsky.events.feed import POLL_S, EventFeed, FeedPump
from sharedsky.events.pg_notify import PgListener
from sharedsky.events.streams import (
    DEFAULT_CHECKPOINT_EVERY,
    DEFAULT_CHECKPOINT_INTERVAL_S,
    DEFAULT_KEEPALIVE_S,
    CheckpointBoard,
)
from sharedsky.events.webhooks import HttpxSender, RetryPolicy, TargetGuard
from sharedsky.interop import catalogues
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.deadlines import DeadlineScheduler
from sharedsky.service.duties import AlwaysHeld, Duty, DutyLease, DutyRunner
from sharedsky.service.ledger import OperatorKeyCache, checkpoint, keep_every_operators_keys
from sharedsky.service.mechanism import TokenCache
from sharedsky.service.operators import CredentialsWatch
from sharedsky.service.ports import Clock, Deps, IdFactory, RandomIds, SystemClock
from sharedsky.service.stream import DeliveryBuffer, fetch_events, head_of_log
from sharedsky.service.tactical import BoardFollower, TacticalBoard, TacticalTicker
from sharedsky.service.tracks import LivePicture, Picture, SharedPicture, TrackConfig
from sharedsky.service.uow import Database as DatabasePort
from sharedsky.service.webhooks import WebhookWorker
from sharedsky.settings import Settings
from sharedsky.store.duty_lock import DutyFileLock, DutyLock, sqlite_lock_path
from sharedsky.store.engine import is_sqlite, make_engine, normalise_url, sqlite_file
from sharedsky.store.live import LiveStore
from sharedsky.store.schema import head_revisions, upgrade
from sharedsky.store.uow import Database
from sharedsky.tuning import DELIVERY_FLUSH_S, OPENED_AT_START, settle_heap

log = logging.getLogger("sharedsky.bootstrap")

LISTEN_READY_S = 10.0
"""How long ``start_event_listener`` waits for the first ``LISTEN``, in seconds."""
CHECKPOINT_LOOK_S = 0.5
"""How often the publisher looks whether a checkpoint is due, in seconds."""
CREDENTIALS_POLL_S = 0.5
"""Seconds between two looks of a server at the operators' version: a token revoked, rotated
or expired through any process is refused here, and its streams closed, within about this."""


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


def build_deps(
    db: DatabasePort,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    webhook_targets: TargetGuard | None = None,
) -> Deps:
    """The use-case dependencies over a database that holds a mechanism (the SQL one, or any
    other that keeps ``service.uow.Database``); ``webhook_targets``: the webhook URLs it
    accepts (default: https to public addresses only). StateConflict when the database holds
    no mechanism."""
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


def check_database(settings: Settings) -> None:
    """Migrate the database of ``settings.db`` and check that it holds a mechanism (what each
    of N workers then builds its container over); SharedskyError when it holds none."""
    database = open_database(settings.db, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        build_deps(database)
    finally:
        database.close()


def duty_lease(db: Database) -> DutyLease:
    """What elects the process that runs the duties among those over ``db``: the advisory
    lock of its schema on PostgreSQL; nothing to elect over SQLite, which one process serves
    (``serving_lock`` keeps a file to one ``serve``; only its own process opens a database in
    memory)."""
    return AlwaysHeld() if is_sqlite(db.engine) else DutyLock(db.engine.url)


@contextmanager
def serving_lock(url: str) -> Iterator[None]:
    """Hold, for the block, the lock that keeps the SQLite file of ``url`` to one serving
    process (``PATH.duties``, ``store/duty_lock.DutyFileLock``): over SQLite each process keeps
    the live tracks it is sent, and the tactical tick of one would miss those of another.
    StateConflict, at once, when another process holds it; InvalidSetting when the lock file
    cannot be opened. Nothing to hold over PostgreSQL (its processes share the picture) or for
    a database in memory."""
    parsed = make_url(normalise_url(url))
    database, path = sqlite_file(parsed), sqlite_lock_path(parsed)
    if database is None or path is None:
        yield
        return
    lock = DutyFileLock(path)
    try:
        taken = lock.try_take()
    except OSError as exc:
        raise InvalidSetting(f"the lock file {path} cannot be locked: {exc}", ("db",)) from exc
    if not taken:
        raise StateConflict(
            f"another sharedsky serve process serves {database} (it holds {path}): SQLite "
            "admits one server process per database; stop it, or serve several over PostgreSQL"
        )
    try:
        yield
    finally:
        lock.release()


def start_event_listener(db: Database, bus: EventBus) -> Callable[[], None]:
    """On PostgreSQL, start a ``PgListener`` that wakes ``bus`` whenever any process commits
    events to this database and schema (R-STREAM-2), and wait until it listens; return the
    function that stops it. SQLite notifies nothing (the streams poll the file for what the
    offline commands beside the server commit): the returned function does nothing."""
    if db.engine.dialect.name != "postgresql":
        return lambda: None
    listener = PgListener(db.engine.url, bus.notify)
    listener.start()
    if not listener.wait_listening(LISTEN_READY_S):
        log.warning("the event listener is not listening yet; streams poll meanwhile")
    return listener.stop


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingProcess:
    """What ``serve`` runs beside its app in one process (see the module docstring)."""

    settings: Settings
    """The settings it was built from (``build``)."""
    database: Database
    """The database ``build`` opened, the one ``deps.db``; ``Container.stop`` closes it."""
    duties: DutyRunner
    """Runs the periodic duties while this process holds the lease (``duty_lease``)."""
    sender: HttpxSender
    """The webhook worker's HTTP client; closed by ``Container.stop``."""
    follower: BoardFollower | None
    """Follows the holder's tactical board while another process holds the duties (None on
    SQLite, which one process serves with the live picture and board in its memory)."""


class _Running:
    """What ``Container.start`` started, for ``stop`` (the one mutable part of a container)."""

    def __init__(self) -> None:
        self.tasks: dict[asyncio.AbstractEventLoop, list[asyncio.Task[None]]] = {}
        """The tasks of each event loop that serves the app: one in a server (a test may serve
        one app from two clients at once, each with a loop of its own)."""
        self.process_started = False
        self.stop_listener: Callable[[], None] = _nothing
        """Stops the process's event listener (PostgreSQL)."""


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    """Every long-lived part of one app (see the module docstring); ``start`` and ``stop``
    run its background parts."""

    deps: Deps
    bus: EventBus
    """Notified after every commit that appended events (``Database.on_commit``), and by the
    event listener for the commits of other processes."""
    feed: FeedPump
    """The window of newest events that every stream reads, kept fresh from ``bus``."""
    deliveries: DeliveryBuffer
    """First deliveries noted by streams, written every ``DELIVERY_FLUSH_S`` seconds."""
    checkpoints: CheckpointBoard
    """The newest checkpoint this process published, passed on by every stream."""
    tokens: TokenCache
    """Tokens already checked (``api/auth.py``)."""
    operator_keys: OperatorKeyCache
    """Operators' signing keys already read (``api/auth.py``)."""
    credentials: CredentialsWatch
    """The operators as last read, over ``tokens``: re-read when they change in any process."""
    streams: StreamCount
    """Open event streams by party (for the metrics)."""
    picture: Picture
    """The live tracks, shared with the tactical tick."""
    board: TacticalBoard
    """The open tactical alerts, shared with the tactical tick."""
    limits: RequestLimits
    """The request rates and body bounds applied in front of everything (``api/limits.py``)."""
    metrics: Metrics
    """This app's metrics (``api/observability.py``)."""
    fast_lane: LaneCount
    """Requests the fast lane of ``POST /v1/messages`` answered (``api/fastlane.py``)."""
    schema_head: frozenset[str]
    """The newest schema revision(s) of this code, read once (``GET /readyz``)."""
    stream_keepalive_s: float
    """Seconds of silence after which an event stream sends a heartbeat."""
    duty_holder: Callable[[], bool] | None = None
    """Tells whether this process runs the periodic duties (shown by ``/readyz`` and the
    metrics when given)."""
    process: ServingProcess | None = None
    """The parts only ``serve`` runs (``build``); None for ``for_deps``."""
    _running: _Running = field(default_factory=_Running, init=False, repr=False, compare=False)

    @classmethod
    def for_deps(
        cls,
        deps: Deps,
        *,
        picture: Picture | None = None,
        board: TacticalBoard | None = None,
        limits: RequestLimits | None = None,
        tokens: TokenCache | None = None,
        keepalive_s: float = DEFAULT_KEEPALIVE_S,
        poll_s: float = POLL_S,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        checkpoint_interval_s: float = DEFAULT_CHECKPOINT_INTERVAL_S,
        duty_holder: Callable[[], bool] | None = None,
        process: ServingProcess | None = None,
    ) -> Container:
        """A container over ``deps`` (built elsewhere: the tests, ``build``): new, empty
        picture, board and token cache unless given; the default request limits unless given;
        ``keepalive_s``, ``poll_s`` and the checkpoint cadence as the settings of those names
        (``stream_keepalive_s``, ``stream_poll_s``, ``ledger_checkpoint_every``,
        ``ledger_checkpoint_interval_s``). Without ``process`` it runs no duties and listens
        to no other process, and ``stop`` leaves ``deps.db`` open."""
        picture = picture if picture is not None else LivePicture()
        board = board if board is not None else TacticalBoard()
        tokens = tokens if tokens is not None else TokenCache()
        bus = EventBus()
        deps.db.on_commit(bus.notify)
        streams = StreamCount()
        return cls(
            deps=deps,
            bus=bus,
            feed=FeedPump(
                EventFeed(),
                bus,
                lambda seq, limit: fetch_events(deps, seq, limit),
                lambda: head_of_log(deps),
                poll_s,
            ),
            deliveries=DeliveryBuffer(deps),
            checkpoints=CheckpointBoard(checkpoint_every, checkpoint_interval_s),
            tokens=tokens,
            operator_keys=OperatorKeyCache(),
            credentials=CredentialsWatch(tokens),
            streams=streams,
            picture=picture,
            board=board,
            limits=limits if limits is not None else RequestLimits(),
            metrics=Metrics(deps, picture, board, streams, duty_holder),
            fast_lane=LaneCount(),
            schema_head=head_revisions(),
            stream_keepalive_s=keepalive_s,
            duty_holder=duty_holder,
            process=process,
        )

    @property
    def running(self) -> bool:
        """True from ``start`` to ``stop`` (in any event loop)."""
        return bool(self._running.tasks)

    async def start(self) -> None:
        """Start the background parts, in the event loop that serves the app. A serving
        process first opens its connections, warms up, settles its heap, takes the duties if
        free, follows the holder's board and listens for other processes' commits; then every
        container reads the catalogues and the credentials (the first requests read nothing)
        and starts its tasks in this loop: deliveries written, checkpoints published,
        operators re-read. Does nothing in a loop where it runs already."""
        loop = asyncio.get_running_loop()
        if loop in self._running.tasks:
            return
        if self.process is not None and not self._running.process_started:
            self._start_process(self.process)
        await anyio.to_thread.run_sync(catalogues.warm)
        await anyio.to_thread.run_sync(self._remember_credentials)
        tasks = [
            loop.create_task(work, name=name)
            for name, work in (
                ("flush-deliveries", self._flush_deliveries()),
                ("publish-checkpoints", self._publish_checkpoints()),
                ("watch-credentials", self._watch_credentials()),
                *(
                    (("refresh-metrics", self._refresh_metrics()),)
                    if self.metrics.shared_dir
                    else ()
                ),
            )
        ]
        for task in tasks:
            task.add_done_callback(_log_failure)
        self._running.tasks[loop] = tasks

    async def stop(self) -> None:
        """Stop what ``start`` started, in reverse: this loop's tasks (then the deliveries
        noted last are written); then, once no loop runs the container, the process's
        listener, follower and duties (given up), its webhook client and its database.
        Harmless when not started, or stopped already."""
        tasks = self._running.tasks.pop(asyncio.get_running_loop(), [])
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            await anyio.to_thread.run_sync(self.deliveries.flush)
        if self._running.tasks:  # another loop still serves the app
            return
        process = self.process
        if process is not None and self._running.process_started:
            self._running.process_started = False
            self._running.stop_listener()
            self._running.stop_listener = _nothing
            if process.follower is not None:
                process.follower.stop()
            process.duties.stop()
            process.sender.close()
            process.database.close()

    def _start_process(self, process: ServingProcess) -> None:
        self._running.process_started = True  # ``stop`` undoes what follows, however far it got
        process.database.open_connections(OPENED_AT_START)
        if process.settings.warm_kernels:
            warm_tactical()  # the first tactical tick must not wait for Numba to compile
        settle_heap()
        sys.setswitchinterval(process.settings.gil_switch_interval_s)
        process.duties.start()
        if process.follower is not None:
            process.follower.start()
        self._running.stop_listener = start_event_listener(process.database, self.bus)

    def _remember_credentials(self) -> None:
        """Fill the caches of tokens and operators' keys from the database (blocking)."""
        operators = self.credentials.load(self.deps.db, self.deps.mechanism)
        keep_every_operators_keys(self.deps, self.operator_keys, operators)

    async def _refresh_metrics(self) -> None:
        """Set this process's gauges every ``REFRESH_S`` (a process of several: a scrape
        answered by another reads them from the shared files)."""
        while True:
            await asyncio.sleep(REFRESH_S)
            self.metrics.refresh()

    async def _flush_deliveries(self) -> None:
        """Write the deliveries the streams noted, every ``DELIVERY_FLUSH_S`` seconds."""
        while True:
            await anyio.sleep(DELIVERY_FLUSH_S)
            await anyio.to_thread.run_sync(self.deliveries.flush)

    async def _publish_checkpoints(self) -> None:
        """While streams are open, publish a signed checkpoint when one is due and wake every
        stream to send it. Not a duty: it reads the head and signs a statement about it,
        appending nothing, for this process's streams (docs/architecture.md, Not duties)."""
        board, pump = self.checkpoints, self.feed
        while True:
            await anyio.sleep(CHECKPOINT_LOOK_S)
            if not pump.running or not board.due(pump.feed.head, time.monotonic()):
                continue
            made = await anyio.to_thread.run_sync(checkpoint, self.deps)
            board.publish(made, time.monotonic())
            pump.poke_all()

    async def _watch_credentials(self) -> None:
        """Load the operators again whenever they changed (in any process), and wake the event
        streams so that those of a token no longer valid close."""
        deps = self.deps
        while True:
            await anyio.sleep(CREDENTIALS_POLL_S)
            try:
                changed = await anyio.to_thread.run_sync(
                    self.credentials.poll, deps.db, deps.mechanism
                )
            except Exception:  # the database did not answer: look again next time
                log.warning("the operators could not be read", exc_info=True)
                continue
            if changed:
                self.feed.poke_all()


def _log_failure(task: asyncio.Task[None]) -> None:
    """A background task that ended by an error (not by ``stop``) is logged at once."""
    if not task.cancelled() and task.exception() is not None:
        log.error("the background task %s failed", task.get_name(), exc_info=task.exception())


def build(settings: Settings) -> Container:
    """The container of one ``serve`` process over ``settings.db`` (migrated): its parts made
    from the settings, with a ``ServingProcess`` whose duties bind ``settings.metrics_port``
    when set. SharedskyError (the database is closed again) when it holds no mechanism."""
    database = open_database(settings.db, sqlite_synchronous=settings.sqlite_synchronous)
    targets = TargetGuard(
        TargetRules(
            allow_private=settings.webhook_allow_private, allow_http=settings.webhook_allow_http
        )
    )
    try:
        deps = build_deps(database, webhook_targets=targets)
    except SharedskyError:
        database.close()
        raise
    # the tables the processes over one PostgreSQL share the live picture through
    live = None if is_sqlite(database.engine) else LiveStore(database.engine)
    config = TrackConfig(
        max_age_s=settings.track_max_age_s,
        max_future_s=settings.track_max_future_s,
        max_batch=settings.track_batch_max,
        lookahead_s=settings.tactical_lookahead_s,
    )
    picture: Picture = LivePicture(config) if live is None else SharedPicture(live, config)
    board = TacticalBoard()
    sender = HttpxSender(timeout_s=settings.webhook_timeout_s, guard=targets)
    lease = duty_lease(database)

    def make_duties() -> list[Duty]:  # each time this process takes the lease
        return _duties(settings, container, sender, live)

    def duties_changed(held: bool) -> None:
        if held:  # the tick takes the open alerts up from the database
            board.reset()

    runner = DutyRunner(lease, make_duties, settings.duty_retry_s, on_change=duties_changed)
    follower = (
        None
        if live is None
        else BoardFollower(
            deps, board, live, settings.tactical_tick_s, standby=lambda: not runner.held
        )
    )
    container = Container.for_deps(
        deps,
        picture=picture,
        board=board,
        limits=RequestLimits(
            token_per_s=settings.rate_limit_token_per_s,
            token_burst=settings.rate_limit_token_burst,
            address_per_s=settings.rate_limit_address_per_s,
            address_burst=settings.rate_limit_address_burst,
            max_body_bytes=settings.max_body_bytes,
            body_timeout_s=settings.body_timeout_s,
            shared_dir=os.environ.get(WORKERS_DIR_VARIABLE) or None,
        ),
        keepalive_s=settings.stream_keepalive_s,
        poll_s=settings.stream_poll_s,
        checkpoint_every=settings.ledger_checkpoint_every,
        checkpoint_interval_s=settings.ledger_checkpoint_interval_s,
        duty_holder=lambda: runner.held,
        process=ServingProcess(
            settings=settings, database=database, duties=runner, sender=sender, follower=follower
        ),
    )
    return container


def _duties(
    settings: Settings, container: Container, sender: HttpxSender, live: LiveStore | None
) -> list[Duty]:
    """The periodic duties of a serving process, made afresh each time it takes the lease."""
    deps, metrics = container.deps, container.metrics
    duties: list[Duty] = [
        DeadlineScheduler(deps, settings.deadline_tick_s, on_tick=metrics.deadlines_ticked),
        TacticalTicker(
            deps,
            container.picture,
            container.board,
            settings.tactical_tick_s,
            on_tick=metrics.tick_took,
            live=live,
        ),
        WebhookWorker(
            deps,
            sender,
            settings.webhook_tick_s,
            RetryPolicy(settings.webhook_max_attempts, settings.webhook_backoff_cap_s),
            on_pass=metrics.webhooks_passed,
        ),
    ]
    if settings.metrics_port is not None:
        duties.append(MetricsPort(settings.metrics_port, metrics.registry))
    return duties
