"""``serve``'s processes: one, or ``--workers N`` on one port, each a whole server.

A ``Runtime`` is what one serving process runs beside uvicorn: its database connections, the
app, the event listener (PostgreSQL), and the ``DutyRunner`` that runs the periodic duties —
deadlines, webhooks, the tactical tick and the ``--metrics-port`` listener — while this process
holds the duty lease (``service/duties.py``; always, on SQLite). The app's lifespan starts and
stops it.

With one worker, ``serve`` builds the runtime itself (an error is a message and exit 1) and runs
uvicorn's ``Server`` in its own process. With N, uvicorn's supervisor (``Multiprocess``) binds
the socket in the parent and spawns N processes that each unpickle the ``ServeConfig``, build
their own runtime from the options it carries (``ServeConfig.load_app``), and serve the
inherited socket; the parent restarts a worker that dies, and stops them all on SIGINT or
SIGTERM.
"""

from __future__ import annotations

import logging
import ssl
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, start_http_server
from uvicorn.config import STARTUP_FAILURE

from sharedsky.api.app import create_app
from sharedsky.api.limits import RequestLimits
from sharedsky.api.logs import log_config
from sharedsky.api.protocol import protocol_class
from sharedsky.api.routes.stream import install as install_stream
from sharedsky.api.tls import server_context
from sharedsky.bootstrap import (
    OPENED_AT_START,
    build,
    open_database,
    settle_heap,
    start_event_listener,
)
from sharedsky.detect.tactical import warm as warm_tactical
from sharedsky.domain.addresses import TargetRules
from sharedsky.domain.errors import SharedskyError
from sharedsky.events.webhooks import HttpxSender, RetryPolicy, TargetGuard
from sharedsky.service.deadlines import DeadlineScheduler
from sharedsky.service.duties import AlwaysHeld, Duty, DutyLease, DutyRunner
from sharedsky.service.tactical import BoardFollower, TacticalBoard, TacticalTicker
from sharedsky.service.tracks import LivePicture, Picture, SharedPicture, TrackConfig
from sharedsky.service.webhooks import WebhookWorker
from sharedsky.settings import Settings
from sharedsky.store.duty_lock import DutyLock
from sharedsky.store.engine import is_sqlite
from sharedsky.store.live import LiveStore

log = logging.getLogger("sharedsky.serve")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What ``serve`` was told (its options over the settings), handed to every worker."""

    db: str
    host: str
    port: int
    tls_cert: Path | None
    tls_key: Path | None
    tls_client_ca: Path | None
    metrics_port: int | None
    log_format: str
    workers: int


class MetricsPort:
    """The ``--metrics-port`` listener (127.0.0.1, no token), a duty: only the process holding
    the duties binds it, so that N workers never clash over it; a port held by another program
    is logged, and the process serves on without it."""

    def __init__(self, port: int, registry: CollectorRegistry) -> None:
        self._port = port
        self._registry = registry
        self._server: Any = None

    def start(self) -> None:
        """Bind the port and serve the metrics on a thread of its own."""
        try:
            self._server = start_http_server(self._port, addr="127.0.0.1", registry=self._registry)[
                0
            ]
        except OSError as exc:
            log.warning("the metrics port %d could not be bound: %s", self._port, exc)

    def stop(self) -> None:
        """Close the listener."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()


class Runtime:
    """One serving process: database, app, listener and duties (see the module docstring).
    Building it opens the database and reads the mechanism: SharedskyError when it holds none."""

    def __init__(self, options: ServeOptions, settings: Settings) -> None:
        self.settings = settings
        self.database = open_database(options.db, sqlite_synchronous=settings.sqlite_synchronous)
        targets = TargetGuard(
            TargetRules(
                allow_private=settings.webhook_allow_private,
                allow_http=settings.webhook_allow_http,
            )
        )
        try:
            self.deps = build(self.database, webhook_targets=targets)
        except SharedskyError:
            self.database.close()
            raise
        shared = not is_sqlite(self.database.engine)
        self.live = LiveStore(self.database.engine) if shared else None
        """The tables the processes over one PostgreSQL share the live picture through."""
        config = TrackConfig(
            max_age_s=settings.track_max_age_s,
            max_future_s=settings.track_max_future_s,
            max_batch=settings.track_batch_max,
            lookahead_s=settings.tactical_lookahead_s,
        )
        self.picture: Picture = (
            LivePicture(config) if self.live is None else SharedPicture(self.live, config)
        )
        self.board = TacticalBoard()
        lease: DutyLease = AlwaysHeld() if self.live is None else DutyLock(self.database.engine.url)
        self.duties = DutyRunner(
            lease, self._make_duties, settings.duty_retry_s, on_change=self._duties_changed
        )
        self.app = create_app(
            self.deps,
            keepalive_s=settings.stream_keepalive_s,
            picture=self.picture,
            board=self.board,
            limits=RequestLimits(
                token_per_s=settings.rate_limit_token_per_s,
                token_burst=settings.rate_limit_token_burst,
                address_per_s=settings.rate_limit_address_per_s,
                address_burst=settings.rate_limit_address_burst,
                max_body_bytes=settings.max_body_bytes,
                body_timeout_s=settings.body_timeout_s,
            ),
            duty_holder=lambda: self.duties.held,
        )
        self.bus = install_stream(
            self.app,
            keepalive_s=settings.stream_keepalive_s,
            poll_s=settings.stream_poll_s,
            checkpoint_every=settings.ledger_checkpoint_every,
            checkpoint_interval_s=settings.ledger_checkpoint_interval_s,
        )
        self.sender = HttpxSender(timeout_s=settings.webhook_timeout_s, guard=targets)
        self.metrics_port = options.metrics_port
        self.follower = (
            None
            if self.live is None
            else BoardFollower(
                self.deps,
                self.board,
                self.live,
                settings.tactical_tick_s,
                standby=lambda: not self.duties.held,
            )
        )
        self._stop_listener: Callable[[], None] = lambda: None
        _run_with(self.app, self)

    def _make_duties(self) -> list[Duty]:
        settings, deps, metrics = self.settings, self.deps, self.app.state.metrics
        duties: list[Duty] = [
            DeadlineScheduler(deps, settings.deadline_tick_s, on_tick=metrics.deadlines_ticked),
            TacticalTicker(
                deps,
                self.picture,
                self.board,
                settings.tactical_tick_s,
                on_tick=metrics.tick_took,
                live=self.live,
            ),
            WebhookWorker(
                deps,
                self.sender,
                settings.webhook_tick_s,
                RetryPolicy(settings.webhook_max_attempts, settings.webhook_backoff_cap_s),
                on_pass=metrics.webhooks_passed,
            ),
        ]
        if self.metrics_port is not None:
            duties.append(MetricsPort(self.metrics_port, metrics.registry))
        return duties

    def _duties_changed(self, held: bool) -> None:
        if held:  # the tick takes the open alerts up from the database
            self.board.reset()

    def start(self) -> None:
        """Open connections, warm up, take the duties if free, listen for other processes'
        commits (PostgreSQL)."""
        self.database.open_connections(OPENED_AT_START)
        warm_tactical()  # the first tactical tick must not wait for Numba to compile
        settle_heap()
        sys.setswitchinterval(self.settings.gil_switch_interval_s)
        self.duties.start()
        if self.follower is not None:
            self.follower.start()
        self._stop_listener = start_event_listener(self.database, self.bus)

    def stop(self) -> None:
        """Stop everything ``start`` started, give the duties up and close the database."""
        self._stop_listener()
        if self.follower is not None:
            self.follower.stop()
        self.duties.stop()
        self.sender.close()
        self.database.close()


def _run_with(app: FastAPI, runtime: Runtime) -> None:
    """Make ``app``'s lifespan start ``runtime`` before the app's own start-up and stop it
    after the app's own shutdown."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[Any]:
        runtime.start()
        try:
            async with inner(served) as state:
                yield state
        finally:
            runtime.stop()

    app.router.lifespan_context = lifespan


def _tls(config: uvicorn.Config, _default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    """uvicorn's ``ssl_context_factory`` (a module function: a worker unpickles it)."""
    options = getattr(config, "options", None)
    if not isinstance(options, ServeOptions) or options.tls_cert is None or options.tls_key is None:
        raise RuntimeError("the TLS factory of `serve` needs a ServeConfig with its files")
    return server_context(options.tls_cert, options.tls_key, options.tls_client_ca)


class ServeConfig(uvicorn.Config):
    """uvicorn's configuration of ``serve``: picklable (it holds the options, not the app), so
    that each worker builds its own ``Runtime`` when uvicorn loads the app in it."""

    def __init__(
        self, options: ServeOptions, settings: Settings, runtime: Runtime | None = None
    ) -> None:
        super().__init__(
            app="sharedsky.cli.serving:Runtime",  # never imported: ``load_app`` builds it
            factory=True,
            host=options.host,
            port=options.port,
            workers=options.workers,
            log_level=settings.log_level,
            http="httptools",  # ``load`` puts sharedsky's protocol here, in the worker
            timeout_keep_alive=settings.keep_alive_s,
            ssl_context_factory=None if options.tls_cert is None else _tls,
            log_config=log_config(options.log_format, settings.log_level),
        )
        self.options = options
        self.head_timeout_s = settings.head_timeout_s
        self.runtime = runtime

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["runtime"] = None  # a worker builds its own
        return state

    def load(self) -> None:
        """uvicorn's ``load`` with sharedsky's HTTP protocol (made here: a class built at run
        time does not pickle)."""
        self.http = protocol_class(self.head_timeout_s)
        super().load()

    def load_app(self) -> Callable[[], FastAPI]:
        """The factory of the app: the runtime ``serve`` built, or in a worker a new one; a
        worker that cannot build one exits with uvicorn's start-up failure code (the parent
        then stops instead of restarting it forever)."""
        if self.runtime is None:
            try:
                self.runtime = Runtime(self.options, Settings())
            except SharedskyError as exc:
                log.error("%s", exc.detail)
                sys.exit(STARTUP_FAILURE)
        app = self.runtime.app
        return lambda: app


def run(options: ServeOptions, settings: Settings, runtime: Runtime | None) -> None:
    """Serve until SIGINT or SIGTERM: in this process with one worker (over ``runtime``), or
    in ``options.workers`` processes under uvicorn's supervisor."""
    config = ServeConfig(options, settings, runtime)
    if options.workers <= 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
