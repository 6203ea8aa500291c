"""Set-up commands: ``init`` (database + mechanism + tokens), ``serve`` and ``demo``."""

from __future__ import annotations

import json
import os
import ssl
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
        # one line, as editors and CI logs read FILE:LINE: (never wrapped, no markup in paths)
        _err.print(
            f"{mechanism_file}:{exc.line}: {exc.detail}",
            style="red",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes on the one port (env SHAREDSKY_WORKERS; default 1; above 1 "
            "PostgreSQL only). One of them at a time runs the periodic duties.",
        ),
    ] = None,
) -> None:
    """Serve the API of the mechanism held in the database (HTTPS with --tls-cert/--tls-key)."""
    from sqlalchemy.engine import make_url

    from sharedsky.api.logs import LOG_FORMATS
    from sharedsky.bootstrap import check_database
    from sharedsky.cli.serving import ServeOptions, run, serving_app, serving_settings
    from sharedsky.store.engine import normalise_url

    settings = Settings()
    log_format = log_format or settings.log_format
    if log_format not in LOG_FORMATS:
        _err.print(f"[red]--log-format must be one of {', '.join(LOG_FORMATS)}[/red]")
        raise typer.Exit(2)
    url = _db_url(db)
    options = ServeOptions(
        db=url,
        host=host or settings.host,
        port=port or settings.port,
        tls_cert=tls_cert or settings.tls_cert,
        tls_key=tls_key or settings.tls_key,
        tls_client_ca=tls_client_ca or settings.tls_client_ca,
        metrics_port=metrics_port or settings.metrics_port,
        log_format=log_format,
        workers=workers or settings.workers,
    )
    if options.workers > 1 and make_url(normalise_url(url)).get_backend_name() == "sqlite":
        _err.print(
            f"[red]--workers {options.workers} needs PostgreSQL: SQLite admits one server "
            "process. Serve with --workers 1, or over a postgresql:// database.[/red]"
        )
        raise typer.Exit(2)
    try:
        _server_tls(options.tls_cert, options.tls_key, options.tls_client_ca)
    except SharedskyError as exc:
        _err.print(f"[red]{exc.detail}[/red]", markup=True, highlight=False)
        raise typer.Exit(1) from exc
    try:  # N workers: migrate and check the mechanism once here; each builds its own app
        app = serving_app(options, settings) if options.workers == 1 else None
        if app is None:
            check_database(serving_settings(options, settings))
    except SharedskyError as exc:
        _err.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    run(options, settings, app)


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
