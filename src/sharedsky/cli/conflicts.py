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
    emit_ids,
    emit_json,
    position_text,
    print_table,
    stdout,
    table,
    when_text,
    window_text,
)
from sharedsky.wire import v1

app = typer.Typer(
    help="Conflicts, the clashes detected between parties' notices, zones and tracks: list, show"
    " and ack (acknowledge) them; what is pending acknowledgement.",
    no_args_is_help=True,
)

IdArgument = Annotated[str, typer.Argument(help="The conflict's id.", show_default=False)]


def conflicts_table(conflicts: list[v1.ConflictOut], *, own: bool = False) -> Table:
    """The conflicts as a table: id, (own side,) other side, window, band, distance, state."""
    columns = ["id", *(["own"] if own else []), "with", "window", "band", "distance", "state"]
    grid = table("Conflicts", *columns)
    for c in conflicts:
        other = f"{c.with_.party} {c.with_.type} {c.with_.id or '(hidden)'}"
        row = [c.id]
        if own:
            row.append(f"{c.own.type} {c.own.id} v{c.own.version}")
        state = c.state if c.resolved_reason is None else f"{c.state} ({c.resolved_reason})"
        row += [
            other,
            window_text(c.window.start, c.window.end, short=True),
            band_text(c.altitude, short=True),
            distance_text(c.distance_m),
            state,
        ]
        grid.add_row(*row)
    return grid


def print_conflicts(
    console: Console, conflicts: list[v1.ConflictOut], *, own: bool = False
) -> None:
    """The conflicts table, or a line saying there is none."""
    if conflicts:
        print_table(console, conflicts_table(conflicts, own=own))
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


def print_tactical(console: Console, alerts: list[v1.TacticalConflictOut]) -> None:
    """The tactical conflicts table, or a line saying there is none."""
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
            escape(f"{alert.a.party} {alert.a.id}{_at(f.get('a_position'))}"),
            escape(
                f"{alert.b.party} {alert.b.type} {alert.b.id or '(hidden)'}"
                f"{_at(f.get('b_position'))}"
            ),
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
    if kind == "tactical":
        with connection.open() as client:
            alerts = client.tactical_conflicts(
                None if state is None else ("open" if state == "open" else "cleared")
            )
        if json_:
            emit_json(v1.TacticalConflictList(conflicts=alerts))
        elif quiet:
            emit_ids(a.id for a in alerts)
        else:
            print_tactical(stdout(), alerts)
        return
    with connection.open() as client:
        conflicts = client.list_conflicts(state=state, object_id=notice)
    if json_:
        emit_json(v1.ConflictList(conflicts=conflicts))
    elif quiet:
        emit_ids(c.id for c in conflicts)
    else:
        print_conflicts(stdout(), conflicts, own=True)


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
    own = conflict.own
    other = conflict.with_
    state = str(conflict.state)
    if conflict.resolved_reason is not None:
        state += f" ({conflict.resolved_reason}, {when_text(conflict.resolved_at)})"
    rows = [
        ("conflict", f"{conflict.id} · {conflict.kind} · {state}"),
        ("own", f"{own.party} {own.type} {own.id} v{own.version} volume {own.volume_index}"),
        ("with", f"{other.party} {other.type} {other.id or '(hidden)'}"),
        ("window", window_text(conflict.window.start, conflict.window.end)),
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
    else:
        stdout().print(
            f"Acknowledged conflict [bold]{escape(ack.subject_id)}[/bold] for {escape(ack.party)}"
            f" at {when_text(ack.acked_at)} by {escape(ack.acked_by or '?')}"
            " (a receipt, not an approval)"
        )


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
    columns = ("id", "subject", "v", "priority", "requested", "due")
    grid = table(f"Awaiting acknowledgement ({len(pending)})", *columns)
    for a in pending:
        grid.add_row(
            a.subject_id,
            a.subject,
            str(a.version),
            a.priority,
            when_text(a.requested_at, short=True),
            when_text(a.due_at, short=True),
        )
    print_table(stdout(), grid)
