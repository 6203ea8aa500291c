"""``serve``'s processes: one, or ``--workers N`` on one port, each a whole server.

Each serving process builds its own ``Container`` (``bootstrap.build``: its database
connections, the app's shared parts, the duty runner with the periodic duties — deadlines,
webhooks, the tactical tick and the ``--metrics-port`` listener — that it runs while it holds
the duty lease, ``service/duties.py`` — and the event listener on PostgreSQL) and serves
``api.create_app(container)``, whose lifespan starts and stops it.

Over an SQLite file ``serve`` first takes the file's lock (``bootstrap.serving_lock``) and
keeps it until it ends: a second ``serve`` over the same file is refused before it listens.
With one worker, ``serve`` builds the app itself (an error is a message and exit 1) and runs
uvicorn's ``Server`` in its own process. With N, uvicorn's supervisor (``Multiprocess``) binds
the socket in the parent and spawns N processes that each unpickle the ``ServeConfig``, build
their own app from the options it carries (``ServeConfig.load_app``), and serve the inherited
socket; the parent restarts a worker that dies, and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import shutil
import ssl
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from uvicorn.config import STARTUP_FAILURE

from sharedsky.api.app import create_app
from sharedsky.api.logs import LOG_FORMATS, log_config
from sharedsky.api.observability import MULTIPROCESS_DIR_VARIABLE
from sharedsky.api.protocol import protocol_class
from sharedsky.api.shared_buckets import WORKERS_DIR_VARIABLE
from sharedsky.api.tls import server_context
from sharedsky.bootstrap import build, check_database, serving_lock
from sharedsky.domain.errors import InvalidSetting, SharedskyError
from sharedsky.settings import Settings
from sharedsky.store.engine import normalise_url
from sharedsky.tuning import WORKER_HEALTHCHECK_S

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

    @classmethod
    def of(
        cls,
        settings: Settings,
        *,
        db: str,
        host: str | None,
        port: int | None,
        tls_cert: Path | None,
        tls_key: Path | None,
        tls_client_ca: Path | None,
        metrics_port: int | None,
        log_format: str | None,
        workers: int | None,
    ) -> ServeOptions:
        """The options given, each falling back on its setting; InvalidSetting for a log format
        that does not exist, or several workers over SQLite (whose live picture is each
        process's own)."""
        options = cls(
            db=db,
            host=host or settings.host,
            port=port or settings.port,
            tls_cert=tls_cert or settings.tls_cert,
            tls_key=tls_key or settings.tls_key,
            tls_client_ca=tls_client_ca or settings.tls_client_ca,
            metrics_port=metrics_port or settings.metrics_port,
            log_format=log_format or settings.log_format,
            workers=workers or settings.workers,
        )
        if options.log_format not in LOG_FORMATS:
            raise InvalidSetting(
                f"--log-format must be one of {', '.join(LOG_FORMATS)}", ("log_format",)
            )
        if options.workers > 1 and make_url(normalise_url(db)).get_backend_name() == "sqlite":
            raise InvalidSetting(
                f"--workers {options.workers} needs PostgreSQL: over SQLite each process keeps "
                "the live tracks it is sent, and the workers of one port would split them. "
                "Serve with --workers 1, or over a postgresql:// database.",
                ("workers",),
            )
        return options


def serve(options: ServeOptions, settings: Settings) -> None:
    """Check the TLS files, take an SQLite file's lock for the whole life of this process
    (``bootstrap.serving_lock``: one process serves an SQLite database, and runs its duties),
    then build the app (one worker) or migrate and check the database once (N workers, each of
    which builds its own), and serve; SharedskyError, before anything listens, when a file or
    the database cannot serve, or another process serves the SQLite file."""
    check_tls_files(options.tls_cert, options.tls_key, options.tls_client_ca)
    with serving_lock(options.db):
        app = serving_app(options, settings) if options.workers == 1 else None
        if app is None:
            check_database(serving_settings(options, settings))
        run(options, settings, app)


def check_tls_files(cert: Path | None, key: Path | None, client_ca: Path | None) -> None:
    """InvalidSetting when one TLS file is given without the others it needs, or when they do
    not make a server context (`api.tls.server_context`)."""
    if cert is None and key is None:
        if client_ca is not None:
            raise InvalidSetting("--tls-client-ca needs --tls-cert and --tls-key", ("tls_cert",))
        return
    if cert is None:
        raise InvalidSetting("--tls-key needs --tls-cert", ("tls_cert",))
    if key is None:
        raise InvalidSetting("--tls-cert needs --tls-key", ("tls_key",))
    server_context(cert, key, client_ca)


def serving_settings(options: ServeOptions, settings: Settings) -> Settings:
    """``settings`` with ``serve``'s database and metrics port (its options win)."""
    return settings.model_copy(update={"db": options.db, "metrics_port": options.metrics_port})


def serving_app(options: ServeOptions, settings: Settings) -> FastAPI:
    """The app of one serving process over the container ``bootstrap.build`` makes of the
    settings and the options; SharedskyError when the database holds no mechanism."""
    return create_app(build(serving_settings(options, settings)))


def _tls(config: uvicorn.Config, _default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    """uvicorn's ``ssl_context_factory`` (a module function: a worker unpickles it)."""
    options = getattr(config, "options", None)
    if not isinstance(options, ServeOptions) or options.tls_cert is None or options.tls_key is None:
        raise RuntimeError("the TLS factory of `serve` needs a ServeConfig with its files")
    return server_context(options.tls_cert, options.tls_key, options.tls_client_ca)


class ServeConfig(uvicorn.Config):
    """uvicorn's configuration of ``serve``: picklable (it holds the options, not the app), so
    that each worker builds its own app when uvicorn loads the app in it."""

    def __init__(
        self, options: ServeOptions, settings: Settings, app: FastAPI | None = None
    ) -> None:
        super().__init__(
            app="sharedsky.cli.serving:serving_app",  # never imported: ``load_app`` builds it
            factory=True,
            host=options.host,
            port=options.port,
            workers=options.workers,
            log_level=settings.log_level,
            http="httptools",  # ``load`` puts sharedsky's protocol here, in the worker
            timeout_keep_alive=settings.keep_alive_s,
            ssl_context_factory=None if options.tls_cert is None else _tls,
            log_config=log_config(options.log_format, settings.log_level),
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )
        self.options = options
        self.head_timeout_s = settings.head_timeout_s
        self.built = app

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["built"] = None  # a worker builds its own
        return state

    def load(self) -> None:
        """uvicorn's ``load`` with sharedsky's HTTP protocol (made here: a class built at run
        time does not pickle)."""
        self.http = protocol_class(self.head_timeout_s)
        super().load()

    def load_app(self) -> Callable[[], FastAPI]:
        """The factory of the app: the one ``serve`` built, or in a worker a new one; a worker
        that cannot build one exits with uvicorn's start-up failure code (the parent then
        stops instead of restarting it forever)."""
        if self.built is None:
            try:
                self.built = serving_app(self.options, Settings())
            except SharedskyError as exc:
                log.error("%s", exc.detail)
                sys.exit(STARTUP_FAILURE)
        app = self.built
        return lambda: app


def run(options: ServeOptions, settings: Settings, app: FastAPI | None) -> None:
    """Serve until SIGINT or SIGTERM: in this process with one worker (``app``, built by
    ``serving_app``), or in ``options.workers`` processes under uvicorn's supervisor."""
    config = ServeConfig(options, settings, app)
    if options.workers <= 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    sock = config.bind_socket()
    shared = tempfile.mkdtemp(prefix="sharedsky-workers-")
    # read by each worker as it starts: the metrics' series and the rate buckets are kept there
    os.environ[MULTIPROCESS_DIR_VARIABLE] = os.environ[WORKERS_DIR_VARIABLE] = shared
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
        del os.environ[MULTIPROCESS_DIR_VARIABLE], os.environ[WORKERS_DIR_VARIABLE]
        shutil.rmtree(shared, ignore_errors=True)
