"""``sharedsky incident file|list|show|ack``: report what happened, and acknowledge what
others reported (R-INC-1 … R-INC-3)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    QuietOption,
    check_quiet,
    connection_options,
    emit_ids,
    emit_json,
    moment,
    now_of,
    print_table,
    stdout,
    table,
    when_text,
)
from sharedsky.wire import v1

app = typer.Typer(
    help="Incidents: file one (when, where, the related notices, zones, conflicts and tracks,"
    " what happened; the ledger timeline is attached), list, show, and ack (acknowledge) one"
    " filed by another party.",
    no_args_is_help=True,
)

NoticeOption = Annotated[
    list[str] | None, typer.Option("--notice", help="A related notice.", show_default=False)
]
ZoneOption = Annotated[
    list[str] | None, typer.Option("--zone", help="A related zone.", show_default=False)
]
ConflictOption = Annotated[
    list[str] | None,
    typer.Option("--conflict", help="A related conflict or alert.", show_default=False),
]
TrackOption = Annotated[
    list[str] | None, typer.Option("--track", help="A related track.", show_default=False)
]


def _position(text: str) -> list[float]:
    lon, sep, lat = text.partition(",")
    try:
        if not sep:
            raise ValueError(text)
        return [float(lon), float(lat)]
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not LON,LAT in degrees", param_hint="'--position'"
        ) from exc


@app.command("file")
@connection_options
def file_command(
    ctx: typer.Context,
    narrative: Annotated[str, typer.Argument(help="What happened.", show_default=False)],
    time_: Annotated[
        str, typer.Option("--time", help="When it happened: ISO-8601 with a zone, now, -15m.")
    ],
    position: Annotated[
        str, typer.Option("--position", help="Where: LON,LAT in degrees.", show_default=False)
    ],
    notice: NoticeOption = None,
    zone: ZoneOption = None,
    conflict: ConflictOption = None,
    track: TrackOption = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """File an incident; --notice, --zone, --conflict and --track (each repeatable) name the
    related objects, whose ledger entries are attached as its timeline. The other parties
    concerned must acknowledge it."""
    check_quiet(json_, quiet)
    with connection.open() as client:
        body = v1.IncidentIn(
            time=moment(time_, now_of(ctx), "'--time'"),
            position=_position(position),
            notices=notice or [],
            zones=zone or [],
            conflicts=conflict or [],
            tracks=track or [],
            narrative=narrative,
        )
        filed = client.file_incident(body)
    if json_:
        emit_json(filed)
    elif quiet:
        emit_ids([filed.id])
    else:
        _print(filed)


@app.command("list")
@connection_options
def list_command(connection: Connection, json_: JsonOption = False) -> None:
    """The incidents your party filed or is party to (the host: all), newest first."""
    with connection.open() as client:
        found = client.list_incidents()
    if json_:
        emit_json(v1.IncidentList(incidents=found))
        return
    grid = table("Incidents", "id", "by", "when (UTC)", "parties", "acks", "narrative")
    for item in found:
        acks = ", ".join(f"{a.party}: {a.status}" for a in item.acks) or "—"
        grid.add_row(
            escape(item.id),
            escape(item.party),
            when_text(item.time),
            escape(", ".join(item.parties) or "—"),
            escape(acks),
            escape(item.narrative[:60]),
        )
    print_table(stdout(), grid)


@app.command("show")
@connection_options
def show_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.", show_default=False)],
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """One incident: what, when, where, the related objects, the seqs of its timeline and
    who acknowledged it."""
    with connection.open() as client:
        found = client.get_incident(incident_id)
    if json_:
        emit_json(found)
    else:
        _print(found)


@app.command("ack")
@connection_options
def ack_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's id.", show_default=False)],
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Acknowledge an incident your party is asked to acknowledge (a receipt, never an
    agreement with its narrative)."""
    with connection.open() as client:
        ack = client.ack_incident(incident_id)
    if json_:
        emit_json(ack)
        return
    stdout().print(
        f"Acknowledged incident [bold]{escape(ack.subject_id)}[/bold] for {escape(ack.party)}"
        f" at {when_text(ack.acked_at)} by {escape(ack.acked_by or '?')}"
    )


def _print(item: v1.IncidentOut) -> None:
    out = stdout()
    out.print(f"[bold]Incident {escape(item.id)}[/bold] filed by {escape(item.party)}")
    out.print(f"  happened {when_text(item.time)} at lon {item.position[0]} lat {item.position[1]}")
    out.print(f"  {escape(item.narrative)}", soft_wrap=True)
    for kind in ("notices", "zones", "conflicts", "tracks"):
        ids = getattr(item, kind)
        if ids:
            out.print(f"  {kind}: {escape(', '.join(ids))}")
    out.print(f"  parties asked to acknowledge: {escape(', '.join(item.parties) or 'none')}")
    out.print(f"  timeline: ledger seqs {', '.join(map(str, item.timeline)) or 'none'}")
    for a in item.acks:
        out.print(f"  {escape(a.party)}: {a.status} (due {when_text(a.due_at)})")
