"""Set-up commands: ``init`` (database + mechanism + tokens), ``serve`` and ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sharedsky.cli._common import secret_file
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
    """Create the database, load the mechanism and write a token for every operator it lists
    (and, under each party's and the host's own name, its first operator's)."""
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
    with secret_file(tokens_out, "--tokens-out") as sink:  # before the mechanism is loaded
        database = open_database(url, sqlite_synchronous=Settings().sqlite_synchronous)
        try:
            tokens = load_mechanism(database, SystemClock(), mechanism, mechanism_json)
        except SharedskyError as exc:
            _err.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
        finally:
            database.close()
        sink.write(json.dumps(tokens.file(), indent=2) + "\n")
    _out.print(
        f"mechanism [bold]{mechanism.name}[/bold] loaded into {url}: "
        f"{len(mechanism.parties)} parties and the host; tokens written to {tokens_out}"
    )


HostOption = Annotated[str | None, typer.Option(help="Listen address (env SHAREDSKY_HOST).")]
PortOption = Annotated[int | None, typer.Option(help="TCP port (env SHAREDSKY_PORT).")]
TlsCertOption = Annotated[
    Path | None,
    typer.Option(
        "--tls-cert",
        help="Serve HTTPS only, with this PEM certificate chain (env SHAREDSKY_TLS_CERT).",
    ),
]
TlsKeyOption = Annotated[
    Path | None,
    typer.Option("--tls-key", help="The certificate's PEM private key (env SHAREDSKY_TLS_KEY)."),
]
TlsClientCaOption = Annotated[
    Path | None,
    typer.Option(
        "--tls-client-ca",
        help=(
            "Require a client certificate issued by a CA in this PEM file (mutual TLS; "
            "env SHAREDSKY_TLS_CLIENT_CA)."
        ),
    ),
]
MetricsPortOption = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        min=1,
        max=65535,
        help="Also serve GET /metrics without a token on 127.0.0.1:PORT "
        "(env SHAREDSKY_METRICS_PORT).",
    ),
]
LogFormatOption = Annotated[
    str | None,
    typer.Option(
        "--log-format",
        help="Log lines as `text` or `json` (env SHAREDSKY_LOG_FORMAT; default text).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        max=64,
        help="Server processes on the one port (env SHAREDSKY_WORKERS; default 1; above 1 "
        "PostgreSQL only). One of them at a time runs the periodic duties.",
    ),
]


def serve_command(
    db: DbOption = None,
    host: HostOption = None,
    port: PortOption = None,
    tls_cert: TlsCertOption = None,
    tls_key: TlsKeyOption = None,
    tls_client_ca: TlsClientCaOption = None,
    metrics_port: MetricsPortOption = None,
    log_format: LogFormatOption = None,
    workers: WorkersOption = None,
) -> None:
    """Serve the API of the mechanism held in the database (HTTPS with --tls-cert/--tls-key)."""
    from sharedsky.cli.serving import ServeOptions, serve

    settings = Settings()
    try:  # a wrong option is a usage error (2); a file or database that cannot serve, 1
        options = ServeOptions.of(
            settings,
            db=_db_url(db),
            host=host,
            port=port,
            tls_cert=tls_cert,
            tls_key=tls_key,
            tls_client_ca=tls_client_ca,
            metrics_port=metrics_port,
            log_format=log_format,
            workers=workers,
        )
    except InvalidSetting as exc:
        _err.print(exc.detail, style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    try:
        serve(options, settings)
    except SharedskyError as exc:  # one line, however narrow the terminal (paths are long)
        _err.print(exc.detail, style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc


def demo_command(
    check: Annotated[
        bool, typer.Option("--check", help="Run the scenario headless and verify it; exit 0/1.")
    ] = False,
    port: Annotated[
        int, typer.Option(help="TCP port of the demo server (--check takes a free one).")
    ] = 8000,
    workdir: Annotated[
        Path | None,
        typer.Option(
            help="Where the demo keeps its database and tokens, emptied first (default: .demo; "
            "with --check, a temporary directory of its own).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start a server with the Levant demo scenario (or, with --check, verify it end to end
    in a directory and on a port of its own, beside a running demo)."""
    from sharedsky.cli.demo import run_check, run_demo

    code = run_check(workdir) if check else run_demo(workdir or Path(".demo"), port)
    raise typer.Exit(code)
