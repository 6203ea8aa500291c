"""``sharedsky zone …``: declare, list, show and withdraw zones (via the SDK)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    EndOption,
    JsonOption,
    LowerOption,
    OutlineOption,
    QuietOption,
    StartOption,
    UpperOption,
    band_text,
    check_quiet,
    connection_options,
    details,
    emit_ids,
    emit_json,
    moment,
    now_of,
    outline_text,
    print_table,
    read_outline,
    stdout,
    table,
    volume,
    when_text,
    window_text,
)
from sharedsky.cli._names import Names, title_of
from sharedsky.cli.conflicts import print_conflicts
from sharedsky.wire import v1
from sharedsky.wire.v1.zones import ZoneKind

app = typer.Typer(
    help="Zones, declared areas with a meaning (protected, red_line, restricted): declare, list,"
    " show and withdraw them.",
    no_args_is_help=True,
)

IdArgument = Annotated[str, typer.Argument(help="The zone's id.", show_default=False)]


def _print_zone(console: Console, zone: v1.ZoneOut) -> None:
    vol = zone.volume
    rows = [
        ("zone", f"{zone.id} v{zone.version} · {zone.status}"),
        ("party", zone.party),
        ("kind", zone.kind),
        ("title", title_of(zone)),
        ("outline", outline_text(vol.outline)),
        ("band", band_text(vol.altitude)),
        ("window", window_text(vol.time.start, vol.time.end)),
        ("declared", when_text(zone.declared_at)),
        ("remarks", zone.remarks),
    ]
    if zone.withdrawn_at is not None:
        rows.append(("withdrawn", when_text(zone.withdrawn_at)))
    console.print(details(rows))


@app.command("declare")
@connection_options
def declare_zone(
    ctx: typer.Context,
    kind: Annotated[ZoneKind, typer.Option("--kind", help="What the zone means.")],
    title: Annotated[str, typer.Option("--title", help="A short title.")],
    outline: OutlineOption = None,
    lower: LowerOption = None,
    upper: UpperOption = None,
    start: StartOption = None,
    end: EndOption = None,
    remarks: Annotated[str, typer.Option("--remarks", help="Free text.")] = "",
    outside_area: Annotated[
        bool,
        typer.Option(
            "--outside-area",
            help="Declare a volume that lies wholly outside the mechanism's area of"
            " responsibility as it is (without it it is refused: the numbers may be swapped).",
        ),
    ] = False,
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Declare a zone with one volume; it starts now unless --start is given and is open-ended
    unless --end is given."""
    check_quiet(json_, quiet)
    if outline is None or lower is None or upper is None:
        raise typer.BadParameter("--outline, --lower and --upper are required")
    now = now_of(ctx)
    body = v1.ZoneIn(
        kind=kind,
        title=title,
        volume=volume(
            read_outline(outline),
            lower,
            upper,
            now if start is None else moment(start, now, "'--start'"),
            None if end is None else moment(end, now, "'--end'"),
        ),
        remarks=remarks,
        outside_area=outside_area,
    )
    with connection.open() as client:
        declared = client.declare_zone(body)
        if json_:
            emit_json(declared)
            return
        if quiet:
            emit_ids([declared.id])
            return
        console = stdout()
        console.print(
            f"Declared zone “{escape(declared.title)}” [bold]{escape(declared.id)}[/bold]"
            f" · version {declared.version} · {declared.status}"
        )
        print_conflicts(console, declared.conflicts, Names(client).know([declared]))


@app.command("list")
@connection_options
def list_zones(
    party: Annotated[str | None, typer.Option("--party", help="Only this party's.")] = None,
    kind: Annotated[ZoneKind | None, typer.Option("--kind", help="Only this kind.")] = None,
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="Include withdrawn zones.")
    ] = False,
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Zones you may see."""
    check_quiet(json_, quiet)
    with connection.open() as client:
        zones = client.list_zones(party=party, kind=kind, withdrawn=withdrawn)
    if json_:
        emit_json(v1.ZoneList(zones=zones))
        return
    if quiet:
        emit_ids(z.id for z in zones)
        return
    columns = ("id", "party", "kind", "title", "v", "status", "band", "window")
    grid = table(f"Zones ({len(zones)})", *columns)
    for z in zones:
        grid.add_row(
            z.id,
            z.party,
            z.kind,
            escape(title_of(z)) + (" (redacted)" if z.redacted else ""),
            str(z.version),
            z.status,
            band_text(z.volume.altitude, short=True),
            window_text(z.volume.time.start, z.volume.time.end, short=True),
        )
    print_table(stdout(), grid)


@app.command("show")
@connection_options
def show_zone(
    zone_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """One zone."""
    with connection.open() as client:
        zone = client.get_zone(zone_id)
    if json_:
        emit_json(zone)
    else:
        _print_zone(stdout(), zone)


@app.command("withdraw")
@connection_options
def withdraw_zone(
    zone_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Withdraw a zone; its conflicts resolve."""
    with connection.open() as client:
        zone = client.withdraw_zone(zone_id)
    if json_:
        emit_json(zone)
    else:
        stdout().print(
            f"Withdrew zone {escape(Names(None).name(zone))} [bold]{escape(zone.id)}[/bold]"
            f" (version {zone.version}) at {when_text(zone.withdrawn_at)}"
        )
