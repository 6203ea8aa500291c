"""Set-up commands: ``init`` (database + mechanism + tokens), ``serve`` and ``demo``."""

from __future__ import annotations

import json
import os
import ssl
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sharedsky.domain.errors import InvalidMechanism, InvalidSetting, SharedskyError
from sharedsky.settings import Settings

_err = Console(stderr=True)
_out = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (env SHAREDSKY_DB; default sqlite:///sharedsky.db)."),
]


def _db_url(db: str | None) -> str:
    return db if db is not None else Settings().db


def init_command(
    mechanism_file: Annotated[Path, typer.Argument(help="The mechanism YAML file.")],
    db: DbOption = None,
    tokens_out: Annotated[
        Path, typer.Option("--tokens-out", help="Where to write the operators' tokens (JSON).")
    ] = Path("tokens.json"),
) -> None:
    """Create the database, load the mechanism and write one operator token per party and host."""
    from sharedsky.bootstrap import open_database
    from sharedsky.interop.mechanism_yaml import parse_mechanism
    from sharedsky.service.mechanism import load_mechanism
    from sharedsky.service.ports import SystemClock

    try:
        text = mechanism_file.read_text(encoding="utf-8")
    except OSError as exc:
        _err.print(f"[red]cannot read {mechanism_file}: {exc.strerror}[/red]")
        raise typer.Exit(1) from exc
    try:
        mechanism, mechanism_json = parse_mechanism(text)
    except InvalidMechanism as exc:
        _err.print(f"[red]{mechanism_file}:{exc.line}: {exc.detail}[/red]")
        raise typer.Exit(1) from exc
    url = _db_url(db)
    database = open_database(url, sqlite_synchronous=Settings().sqlite_synchronous)
    try:
        tokens = load_mechanism(database, SystemClock(), mechanism, mechanism_json)
    except SharedskyError as exc:
        _err.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    finally:
        database.close()
    tokens_out.write_text(json.dumps(tokens.file(), indent=2) + "\n")
    os.chmod(tokens_out, 0o600)
    _out.print(
        f"mechanism [bold]{mechanism.name}[/bold] loaded into {url}: "
        f"{len(mechanism.parties)} parties and the host; tokens written to {tokens_out}"
    )


def serve_command(
    db: DbOption = None,
    host: Annotated[str | None, typer.Option(help="Listen address (env SHAREDSKY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (env SHAREDSKY_PORT).")] = None,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            "--tls-cert",
            help="Serve HTTPS only, with this PEM certificate chain (env SHAREDSKY_TLS_CERT).",
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option(
            "--tls-key", help="The certificate's PEM private key (env SHAREDSKY_TLS_KEY)."
        ),
    ] = None,
    tls_client_ca: Annotated[
        Path | None,
        typer.Option(
            "--tls-client-ca",
            help=(
                "Require a client certificate issued by a CA in this PEM file (mutual TLS; "
                "env SHAREDSKY_TLS_CLIENT_CA)."
            ),
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            "--metrics-port",
            min=1,
            max=65535,
            help="Also serve GET /metrics without a token on 127.0.0.1:PORT "
            "(env SHAREDSKY_METRICS_PORT).",
        ),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help="Log lines as `text` or `json` (env SHAREDSKY_LOG_FORMAT; default text).",
        ),
    ] = None,
) -> None:
    """Serve the API of the mechanism held in the database (HTTPS with --tls-cert/--tls-key)."""
    import uvicorn
    from prometheus_client import start_http_server

    from sharedsky.api.app import create_app
    from sharedsky.api.limits import RequestLimits
    from sharedsky.api.logs import LOG_FORMATS, log_config
    from sharedsky.api.protocol import protocol_class
    from sharedsky.api.routes.stream import install as install_stream
    from sharedsky.bootstrap import (
        OPENED_AT_START,
        build,
        open_database,
        settle_heap,
        start_event_listener,
    )
    from sharedsky.detect.tactical import warm as warm_tactical
    from sharedsky.domain.addresses import TargetRules
    from sharedsky.events.webhooks import HttpxSender, RetryPolicy, TargetGuard
    from sharedsky.service.deadlines import DeadlineScheduler
    from sharedsky.service.tactical import TacticalBoard, TacticalTicker
    from sharedsky.service.tracks import LivePicture, TrackConfig
    from sharedsky.service.webhooks import WebhookWorker

    settings = Settings()
    log_format = log_format or settings.log_format
    if log_format not in LOG_FORMATS:
        _err.print(f"[red]--log-format must be one of {', '.join(LOG_FORMATS)}[/red]")
        raise typer.Exit(2)
    metrics_port = metrics_port or settings.metrics_port
    try:
        ssl_context = _server_tls(
            tls_cert or settings.tls_cert,
            tls_key or settings.tls_key,
            tls_client_ca or settings.tls_client_ca,
        )
    except SharedskyError as exc:
        _err.print(f"[red]{exc.detail}[/red]", markup=True, highlight=False)
        raise typer.Exit(1) from exc
    database = open_database(_db_url(db), sqlite_synchronous=settings.sqlite_synchronous)
    targets = TargetGuard(
        TargetRules(
            allow_private=settings.webhook_allow_private, allow_http=settings.webhook_allow_http
        )
    )
    try:
        deps = build(database, webhook_targets=targets)
    except SharedskyError as exc:
        database.close()
        _err.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    picture = LivePicture(
        TrackConfig(
            max_age_s=settings.track_max_age_s,
            max_future_s=settings.track_max_future_s,
            max_batch=settings.track_batch_max,
            lookahead_s=settings.tactical_lookahead_s,
        )
    )
    board = TacticalBoard()
    limits = RequestLimits(
        token_per_s=settings.rate_limit_token_per_s,
        token_burst=settings.rate_limit_token_burst,
        address_per_s=settings.rate_limit_address_per_s,
        address_burst=settings.rate_limit_address_burst,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.body_timeout_s,
    )
    app = create_app(
        deps,
        keepalive_s=settings.stream_keepalive_s,
        picture=picture,
        board=board,
        limits=limits,
    )
    bus = install_stream(
        app,
        keepalive_s=settings.stream_keepalive_s,
        poll_s=settings.stream_poll_s,
        checkpoint_every=settings.ledger_checkpoint_every,
        checkpoint_interval_s=settings.ledger_checkpoint_interval_s,
    )
    metrics = app.state.metrics
    scheduler = DeadlineScheduler(deps, settings.deadline_tick_s, on_tick=metrics.deadlines_ticked)
    ticker = TacticalTicker(
        deps, picture, board, settings.tactical_tick_s, on_tick=metrics.tick_took
    )
    sender = HttpxSender(timeout_s=settings.webhook_timeout_s, guard=targets)
    hooks = WebhookWorker(
        deps,
        sender,
        settings.webhook_tick_s,
        RetryPolicy(settings.webhook_max_attempts, settings.webhook_backoff_cap_s),
        on_pass=metrics.webhooks_passed,
    )
    database.open_connections(OPENED_AT_START)
    warm_tactical()  # the first tactical tick must not wait for Numba to compile
    settle_heap()
    sys.setswitchinterval(settings.gil_switch_interval_s)
    scheduler.start()
    ticker.start()
    hooks.start()
    stop_listener = start_event_listener(database, bus)
    # the metrics listener: a thread of its own, local only, no token (the host's machine)
    metrics_server = (
        None
        if metrics_port is None
        else start_http_server(metrics_port, addr="127.0.0.1", registry=metrics.registry)[0]
    )
    try:
        uvicorn.run(
            app,
            host=host or settings.host,
            port=port or settings.port,
            log_level=settings.log_level,
            http=protocol_class(settings.head_timeout_s),
            timeout_keep_alive=settings.keep_alive_s,
            ssl_context_factory=None if ssl_context is None else lambda _c, _d: ssl_context,
            log_config=log_config(log_format, settings.log_level),
        )
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        stop_listener()
        hooks.stop()
        sender.close()
        ticker.stop()
        scheduler.stop()
        database.close()


def _server_tls(
    cert: Path | None, key: Path | None, client_ca: Path | None
) -> ssl.SSLContext | None:
    """The server's SSL context from the three files (None: plain HTTP); InvalidSetting when
    one is given without the others it needs or is unusable (`api.tls.server_context`)."""
    from sharedsky.api.tls import server_context

    if cert is None and key is None:
        if client_ca is not None:
            raise InvalidSetting("--tls-client-ca needs --tls-cert and --tls-key", ("tls_cert",))
        return None
    if cert is None:
        raise InvalidSetting("--tls-key needs --tls-cert", ("tls_cert",))
    if key is None:
        raise InvalidSetting("--tls-cert needs --tls-key", ("tls_key",))
    return server_context(cert, key, client_ca)


def demo_command(
    check: Annotated[
        bool, typer.Option("--check", help="Run the scenario headless and verify it; exit 0/1.")
    ] = False,
    port: Annotated[int, typer.Option(help="TCP port of the demo server.")] = 8000,
    workdir: Annotated[
        Path, typer.Option(help="Where the demo keeps its database and tokens.")
    ] = Path(".demo"),
) -> None:
    """Start a server with the Levant demo scenario (or, with --check, verify it end to end)."""
    from sharedsky.cli.demo import run_check, run_demo

    code = run_check(workdir) if check else run_demo(workdir, port)
    raise typer.Exit(code)
