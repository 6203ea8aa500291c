"""``sharedsky watch``: follow the event stream in the terminal, one readable line per event in
the operator's language; flash traffic stands out. ``--json`` prints the events as they come."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from sharedsky.cli._common import (
    Connection,
    TimeUp,
    connection_options,
    duration_s,
    duration_text,
    report,
    stderr,
    stdout,
    time_limit,
    when_text,
)
from sharedsky.client import ClientError
from sharedsky.client.events import EventFollower
from sharedsky.client.tls import client_context
from sharedsky.domain.errors import SharedskyError
from sharedsky.domain.events import AckEscalated, ConflictDetected, ConflictResolved
from sharedsky.domain.templates import CATALOGUE, validate_params
from sharedsky.interop.catalogues import load_catalogues
from sharedsky.interop.event_lines import EventLines, load_event_lines
from sharedsky.wire import v1
from sharedsky.wire.v1.events import EventOut

_STYLES = {
    ConflictDetected.TYPE: "bold yellow",
    AckEscalated.TYPE: "bold magenta",
    ConflictResolved.TYPE: "green",
}


def message_text(payload: dict[str, Any], language: str) -> str:
    """What a message says, in ``language``: its template rendered with its parameters (then
    the parameters, ``[minutes=5]``), then its free text; ``(no text)`` when it has neither."""
    parts: list[str] = []
    template_id = payload.get("template")
    params = payload.get("params") or {}
    if isinstance(template_id, str):
        template = CATALOGUE.get(template_id)
        rendered = template_id
        if template is not None:
            try:
                checked = validate_params(template, params)
            except SharedskyError:  # parameters this client's catalogue does not know
                checked = None
            if checked is not None:
                rendered = load_catalogues().render(template, checked, language)
        parts.append(rendered)
        if params:
            parts.append("[" + ", ".join(f"{k}={v}" for k, v in params.items()) + "]")
    free = payload.get("text")
    if isinstance(free, str) and free.strip():
        parts.append(("— " if parts else "") + free.strip())
    return " ".join(parts) or "(no text)"


def _side(side: object, hidden: str) -> str:
    """``alpha notice ntc-…`` from a payload's ``[type, id, party]``."""
    if not isinstance(side, list | tuple) or len(side) != 3:
        return str(side)
    kind, object_id, party = side
    return f"{party} {kind} {object_id or hidden}"


def _values(event: EventOut, language: str, lines: EventLines) -> dict[str, str]:
    """The placeholders of an event's line, from its payload."""
    payload = event.payload
    hidden = lines.line("watch.hidden", language, {})
    values = {
        k: str(v) for k, v in payload.items() if not isinstance(v, dict | list) and v is not None
    }
    for side in ("a", "b"):
        if side in payload:
            values[side] = _side(payload[side], hidden)
    if isinstance(payload.get("lead_time_s"), int | float):
        values["lead_time"] = duration_text(payload["lead_time_s"])
    if isinstance(payload.get("window_start_us"), int):
        start = datetime.fromtimestamp(payload["window_start_us"] / 1e6, tz=UTC)
        values["start"] = when_text(start)
    if event.type == "message.sent":
        values["sender"] = str(payload.get("from", "?"))
        values["text"] = message_text(payload, language)
    if values.get("priority") == "flash":
        values["priority"] = "FLASH"
    if "severity" in values:
        values["severity"] = values["severity"].upper()
    return values


def describe(event: EventOut, language: str = "en", lines: EventLines | None = None) -> Text:
    """One line for an event: its time (UTC) and seq, then what happened in ``language``
    (``interop/event_lines.py``); a notice late for a counterparty says so."""
    book = load_event_lines() if lines is None else lines
    payload = event.payload
    flash = payload.get("priority") == "flash"
    style = "bold white on red" if flash else _STYLES.get(event.type, "")
    said = book.line(event.type, language, _values(event, language, book))
    late = payload.get("late_for")
    if isinstance(late, list) and late:
        said += f" · LATE ({', '.join(str(p) for p in late)})"
    line = Text(f"{event.time:%H:%M:%SZ} #{event.seq} ", style="dim")
    line.append(said, style=style or None)
    return line


def connected_line(me: v1.Me, after: int | None, lines: EventLines | None = None) -> str:
    """The line printed on connecting: mechanism, operator, party and where the stream starts
    (resumed after a seq, every event from the start, or live from now on)."""
    book = load_event_lines() if lines is None else lines
    if after is None:
        since = book.line("watch.live", me.language, {})
    elif after == 0:
        since = book.line("watch.everything", me.language, {})
    else:
        since = book.line("watch.resumed", me.language, {"seq": str(after)})
    values = {
        "mechanism": me.mechanism,
        "operator": me.operator,
        "party": me.party,
        "name": me.name,
        "since": since,
    }
    return book.line("watch.connected", me.language, values)


@connection_options
def watch(
    connection: Connection,
    after: Annotated[
        int | None, typer.Option(help="Replay from after this seq (0: everything).")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "--count",
            min=1,
            help="Stop after this many events (default: follow forever).",
        ),
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
    json_: Annotated[
        bool,
        typer.Option("--json", help="Print each event as the server sends it (one JSON a line)."),
    ] = False,
) -> None:
    """Follow every event you may see, live, one line each in your party's language (a message
    with its text and parameters); reconnects without losing any. A first line says where it
    connected and from which seq. Flash traffic is shown in red and rings the terminal bell.
    Ctrl-C, --limit or --for stops it (exit 0)."""
    tls = connection.tls
    try:
        client_context(tls.ca, tls.cert, tls.key)  # a bad file is refused before the first read
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--ca', '--cert' or '--key'") from exc
    with connection.open() as client:
        me = client.me()
    book = load_event_lines()
    hello = connected_line(me, after, book)
    (stderr() if json_ else stdout()).print(hello, markup=False, highlight=False)
    follower = EventFollower(
        connection.url,
        connection.bearer(),
        after=after,
        keep=checkpoints,
        ca=tls.ca,
        cert=tls.cert,
        key=tls.key,
        http=connection.http,
    )
    out = stdout()
    seen = 0
    try:
        with time_limit(for_s):
            for event in follower:
                if json_:
                    sys.stdout.write(event.model_dump_json(by_alias=True) + "\n")
                    sys.stdout.flush()
                else:
                    if event.payload.get("priority") == "flash":
                        out.bell()
                    out.print(describe(event, me.language, book), soft_wrap=True)
                seen += 1
                if limit is not None and seen >= limit:
                    return
    except (KeyboardInterrupt, TimeUp):
        return
    except ClientError as exc:  # a refused token, a server gone for good (no --after loop)
        report(exc)
        raise typer.Exit(1) from exc
