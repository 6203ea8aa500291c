"""``sharedsky conflicts …``: list, show and acknowledge conflicts; what awaits acknowledgement."""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    QuietOption,
    band_text,
    check_quiet,
    connection_options,
    details,
    distance_text,
    duration_text,
    emit_ids,
    emit_json,
    position_text,
    print_table,
    stdout,
    table,
    when_text,
    window_text,
)
from sharedsky.cli._names import Names
from sharedsky.client import Client
from sharedsky.units import FT_M
from sharedsky.wire import v1

app = typer.Typer(
    help="Conflicts, the clashes detected between parties' notices, zones and tracks: list, show"
    " and ack (acknowledge) them, resolve them (the smallest amendments that clear them); what"
    " is pending acknowledgement.",
    no_args_is_help=True,
)

IdArgument = Annotated[str, typer.Argument(help="The conflict's id.", show_default=False)]


def priority_text(status: str | None) -> str:
    """A priority status as the tables show it (``MEDEVAC``); empty for none."""
    return "" if status is None else status.upper()


def conflicts_table(conflicts: list[v1.ConflictOut], names: Names, *, own: bool = False) -> Table:
    """The conflicts as a table: id, (own side,) other side, window, band, distance, state
    (with the priority status of a marked conflict: ``open MEDEVAC``); each side by its name
    (`Names.side`)."""
    columns = ["id", *(["own"] if own else []), "with", "window", "band", "distance", "state"]
    grid = table("Conflicts", *columns)
    for c in conflicts:
        other = names.side(c.with_.type, c.with_.id, c.with_.party)
        row = [c.id]
        if own:
            row.append(f"{names.side(c.own.type, c.own.id, c.own.party)} v{c.own.version}")
        state = c.state if c.resolved_reason is None else f"{c.state} ({c.resolved_reason})"
        if c.priority_status is not None:
            state = f"{state} {priority_text(c.priority_status)}"
        row += [
            other,
            window_text(c.window.start, c.window.end, short=True),
            band_text(c.altitude, short=True),
            distance_text(c.distance_m),
            state,
        ]
        grid.add_row(*row)
    return grid


def known_names(client: Client) -> Names:
    """`Names` that know every notice and zone the operator may see (two reads), so that a
    table of many conflicts or acknowledgements costs no read per row and a title shared by
    two of them is told apart."""
    return Names(client).know([*client.list_notices(), *client.list_zones(withdrawn=True)])


def print_conflicts(
    console: Console, conflicts: list[v1.ConflictOut], names: Names, *, own: bool = False
) -> None:
    """The conflicts table, or a line saying there is none."""
    if conflicts:
        print_table(console, conflicts_table(conflicts, names, own=own))
    else:
        console.print("no conflicts")


def _at(position: object) -> str:
    """`` at 34.8000N 36.7000E`` from a figure's [lon, lat, alt_m]; empty when there is none."""
    if not isinstance(position, list | tuple) or len(position) < 2:
        return ""
    lon, lat = position[0], position[1]
    if not isinstance(lon, int | float) or not isinstance(lat, int | float):
        return ""
    return f" at {position_text(lon, lat)}"


def _tactical_side(names: Names, side: v1.TacticalSide) -> str:
    """``alpha aircraft ALP123`` (its id when it has no callsign), a zone or notice by title."""
    return names.side(side.type, side.id, side.party, callsign=side.callsign)


def print_tactical(console: Console, alerts: list[v1.TacticalConflictOut], names: Names) -> None:
    """The tactical conflicts table (an aircraft by its callsign, a zone or notice by its
    title), or a line saying there is none."""
    if not alerts:
        console.print("no tactical conflicts")
        return
    shown = table("tactical conflicts", "id", "what", "severity", "a", "b", "figures", "state")
    for alert in alerts:
        f = alert.figures
        if alert.category == "separation":
            figures = f"CPA in {f.get('tcpa_s')} s at {f.get('dcpa_m')} m, Δalt {f.get('dv_m')} m"
        else:
            figures = ", ".join(
                f"{k} {v}" for k, v in sorted(f.items()) if k not in ("a_position", "b_position")
            )
        shown.add_row(
            escape(alert.id),
            alert.category,
            alert.severity.upper(),
            escape(f"{_tactical_side(names, alert.a)}{_at(f.get('a_position'))}"),
            escape(f"{_tactical_side(names, alert.b)}{_at(f.get('b_position'))}"),
            escape(figures),
            alert.state,
        )
    print_table(console, shown)


@app.command("list")
@connection_options
def list_conflicts(
    state: Annotated[
        Literal["open", "resolved"] | None,
        typer.Option("--state", help="Only open or only resolved conflicts."),
    ] = None,
    notice: Annotated[
        str | None, typer.Option("--notice", help="Only those of this notice (or zone) id.")
    ] = None,
    kind: Annotated[
        Literal["strategic", "tactical"],
        typer.Option("--kind", help="strategic (notices, zones) or tactical (live tracks)."),
    ] = "strategic",
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Conflicts that involve your party (all of them, for the host)."""
    check_quiet(json_, quiet)
    with connection.open() as client:
        if kind == "tactical":
            alerts = client.tactical_conflicts(
                None if state is None else ("open" if state == "open" else "cleared")
            )
            if json_:
                emit_json(v1.TacticalConflictList(conflicts=alerts))
            elif quiet:
                emit_ids(a.id for a in alerts)
            else:
                print_tactical(stdout(), alerts, Names(client))
            return
        conflicts = client.list_conflicts(state=state, object_id=notice)
        if json_:
            emit_json(v1.ConflictList(conflicts=conflicts))
        elif quiet:
            emit_ids(c.id for c in conflicts)
        else:
            print_conflicts(stdout(), conflicts, known_names(client), own=True)


@app.command("show")
@connection_options
def show_conflict(
    conflict_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """One conflict: both sides, the shared window and band, the distance."""
    with connection.open() as client:
        conflict = client.get_conflict(conflict_id)
        if json_:
            emit_json(conflict)
            return
        names = Names(client)
        own, other = conflict.own, conflict.with_
        own_name = names.side(own.type, own.id, own.party)
        other_name = names.side(other.type, other.id, other.party)
    state = str(conflict.state)
    if conflict.resolved_reason is not None:
        state += f" ({conflict.resolved_reason}, {when_text(conflict.resolved_at)})"
    rows = [
        ("conflict", f"{conflict.id} · {conflict.kind} · {state}"),
        ("own", f"{own_name} {own.id} v{own.version} volume {own.volume_index}"),
        ("with", other_name + ("" if other.id is None else f" {other.id}")),
        ("window", window_text(conflict.window.start, conflict.window.end)),
        *(
            [("occurrence", window_text(conflict.occurrence.start, conflict.occurrence.end))]
            if conflict.occurrence is not None
            else []
        ),
        ("band", band_text(conflict.altitude)),
        ("distance", distance_text(conflict.distance_m)),
        ("detected", when_text(conflict.detected_at)),
    ]
    stdout().print(details(rows))


@app.command("ack")
@connection_options
def ack_conflict(
    conflict_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Acknowledge a conflict (a receipt, never an approval)."""
    with connection.open() as client:
        ack = client.ack_conflict(conflict_id)
        if json_:
            emit_json(ack)
            return
        name = Names(client).conflict_of(ack.subject_id)
    stdout().print(
        f"Acknowledged conflict [bold]{escape(ack.subject_id)}[/bold] ({escape(name)})"
        f" for {escape(ack.party)} at {when_text(ack.acked_at)} by {escape(ack.acked_by or '?')}"
        " (a receipt, not an approval)"
    )


def cost_text(option: v1.ResolutionOption) -> str:
    """An option's cost as an officer says it: ``65 min later``, ``+6309.36 m (207 × 100 ft)``,
    ``keep 11-24 17:05Z → 18:00Z``."""
    if isinstance(option, v1.ShiftOption):
        way = "later" if option.shift_s > 0 else "earlier"
        return f"{duration_text(abs(option.shift_s))} {way}"
    if isinstance(option, v1.MoveOption):
        steps = round(abs(option.delta_m) / FT_M / 100)
        return f"{option.delta_m:+.2f} m ({steps} × 100 ft)"
    return f"keep {window_text(option.window.start, option.window.end, short=True)}"


def options_table(options: list[v1.ResolutionOption]) -> Table:
    """The options as a table: id, kind, cost, lead time, the amended notice's bands and
    windows."""
    grid = table("Resolution options", "id", "kind", "cost", "lead", "volumes")
    for option in options:
        volumes = "; ".join(
            f"{band_text(v.altitude, short=True)} "
            f"{window_text(v.time.start, v.time.end, short=True)}"
            for v in option.volumes
        )
        grid.add_row(
            option.id,
            option.kind,
            cost_text(option),
            "LATE" if option.late else "on time",
            escape(volumes),
        )
    return grid


@app.command("resolve")
@connection_options
def resolve_conflict(
    conflict_id: IdArgument,
    connection: Connection,
    apply: Annotated[
        str | None,
        typer.Option(
            "--apply",
            help="Apply this option: amend the notice to it (412 if the notice changed since).",
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """The smallest amendments of your notice that clear the conflict — and every other clash
    of that notice — or, with --apply, amend the notice to one of them."""
    with connection.open() as client:
        if apply is not None:
            filing = client.apply_resolution(conflict_id, apply)
            if json_:
                emit_json(filing)
                return
            console = stdout()
            console.print(
                f"Applied option [bold]{escape(apply)}[/bold]: notice “{escape(filing.title)}” "
                f"[bold]{escape(filing.id)}[/bold] · version {filing.version}"
                + (" · [bold red]LATE[/bold red]" if filing.late else " · on time")
            )
            print_conflicts(console, filing.conflicts, known_names(client), own=True)
            return
        options = client.resolutions(conflict_id)
    if json_:
        emit_json(v1.ResolutionList(options=options))
    elif options:
        print_table(stdout(), options_table(options))
    else:
        stdout().print("no options (nothing of yours to amend, or nothing clears the conflict)")


@app.command("pending")
@connection_options
def pending_acks(
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """What your party still has to acknowledge (notices and conflicts), earliest due first."""
    with connection.open() as client:
        pending = client.pending_acks()
        if json_:
            emit_json(v1.AckList(acknowledgements=pending))
            return
        names = known_names(client)
        subjects = [names.subject(a.subject, a.subject_id) for a in pending]
    columns = ("id", "subject", "v", "priority", "requested", "due")
    grid = table(f"Awaiting acknowledgement ({len(pending)})", *columns)
    for a, subject in zip(pending, subjects, strict=True):
        grid.add_row(
            a.subject_id,
            escape(subject),
            str(a.version),
            a.priority,
            when_text(a.requested_at, short=True),
            when_text(a.due_at, short=True),
        )
    print_table(stdout(), grid)
