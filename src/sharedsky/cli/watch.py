"""``sharedsky watch``: follow the event stream in the terminal; flash traffic stands out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from sharedsky.cli._common import (
    Connection,
    TimeUp,
    connection_options,
    duration_s,
    report,
    stdout,
    time_limit,
)
from sharedsky.client import ClientError
from sharedsky.client.events import EventFollower
from sharedsky.client.tls import client_context
from sharedsky.domain.events import AckEscalated, ConflictDetected, ConflictResolved
from sharedsky.wire.v1.events import EventOut

_STYLES = {
    ConflictDetected.TYPE: "bold yellow",
    AckEscalated.TYPE: "bold magenta",
    ConflictResolved.TYPE: "green",
}


def describe(event: EventOut) -> Text:
    """One line for an event: time, type and the payload's key facts."""
    payload = event.payload
    flash = payload.get("priority") == "flash"
    style = "bold white on red" if flash else _STYLES.get(event.type, "")
    facts = " ".join(
        f"{k}={v}" for k, v in payload.items() if not isinstance(v, dict | list) and v is not None
    )
    line = Text(f"{event.time:%H:%M:%SZ} #{event.seq} ", style="dim")
    line.append(f"{event.type:<22}", style=style or None)
    line.append(f" {facts}")
    return line


@connection_options
def watch(
    connection: Connection,
    after: Annotated[
        int | None, typer.Option(help="Replay from after this seq (0: everything).")
    ] = None,
    count: Annotated[
        int | None, typer.Option(help="Stop after this many events (default: follow forever).")
    ] = None,
    for_s: Annotated[
        float | None,
        typer.Option(
            "--for",
            parser=duration_s,
            metavar="DURATION",
            help="Stop after this long: 30s, 5m, 1h30m (default: follow forever).",
        ),
    ] = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            help="Keep every ledger checkpoint received in this file (for `ledger audit`).",
        ),
    ] = None,
) -> None:
    """Follow every event you may see, live; reconnects without losing any. Flash traffic is
    shown in red and rings the terminal bell. Ctrl-C, --count or --for stops it (exit 0)."""
    tls = connection.tls
    try:
        client_context(tls.ca, tls.cert, tls.key)  # a bad file is refused before the first read
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--ca', '--cert' or '--key'") from exc
    follower = EventFollower(
        connection.url,
        connection.bearer(),
        after=after,
        keep=checkpoints,
        ca=tls.ca,
        cert=tls.cert,
        key=tls.key,
    )
    out = stdout()
    seen = 0
    try:
        with time_limit(for_s):
            for event in follower:
                if event.payload.get("priority") == "flash":
                    out.bell()
                out.print(describe(event))
                seen += 1
                if count is not None and seen >= count:
                    return
    except (KeyboardInterrupt, TimeUp):
        return
    except ClientError as exc:  # a refused token, a server gone for good (no --after loop)
        report(exc)
        raise typer.Exit(1) from exc
