"""``sharedsky mechanism show``: the parties with their comms cards, and the channels."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    connection_options,
    emit_json,
    print_table,
    stdout,
    table,
)
from sharedsky.wire import v1

app = typer.Typer(
    help="The mechanism: show its parties and host with their comms cards (frequencies, phone"
    " lines, languages, hours) and the rules of every channel.",
    no_args_is_help=True,
)


def frequency_text(f: v1.FrequencyOut) -> str:
    """``Guard 121.500 MHz``: three decimals, as frequencies are spoken (8.992, 121.500)."""
    return f"{f.label} {f.mhz:.3f} MHz"


def comms_cells(party: v1.PartyOut) -> tuple[str, str, str, str]:
    """The comms card's frequencies, phone lines (one a line), languages and hours; a dash
    for each part the card leaves out, ``no comms card`` when there is none."""
    card = party.comms
    if card is None:
        return "no comms card", "-", "-", "-"
    return (
        "\n".join(frequency_text(f) for f in card.frequencies) or "-",
        "\n".join(f"{p.label} {p.number}" for p in card.phones) or "-",
        ", ".join(card.languages) or "-",
        card.hours or "-",
    )


def parties_table(mechanism: v1.MechanismOut, me: str | None) -> Table:
    """Every party, then the host: id, name, console language, and its comms card."""
    grid = table(
        f"Mechanism {mechanism.mechanism}: parties and comms cards",
        "party",
        "name",
        "language",
        "frequencies",
        "phones",
        "languages spoken",
        "hours",
    )
    for party in [*mechanism.parties, mechanism.host]:
        marks = ["host"] if party.id == mechanism.host.id else []
        if party.id == me:
            marks.append("you")
        name = party.name + (f" ({', '.join(marks)})" if marks else "")
        grid.add_row(party.id, Text(name), party.language, *(Text(c) for c in comms_cells(party)))
    return grid


def channels_table(mechanism: v1.MechanismOut) -> Table:
    """The rules of every channel: sharing, default lead time, deadlines, separation."""
    grid = table("Channels", "between", "sharing", "lead time", "ack deadlines", "separation")
    for c in mechanism.channels:
        lead = c.min_lead_time_s.get("default")
        deadlines = ", ".join(f"{k} {v} s" for k, v in c.ack_deadline_s.items())
        s = c.separation
        grid.add_row(
            " – ".join(c.between),
            c.sharing,
            "-" if lead is None else f"{lead} s",
            deadlines,
            f"{s.lateral_m:g} m, {s.vertical_m:g} m, {s.time_s:g} s",
        )
    return grid


@app.command("show")
@connection_options
def show(*, connection: Connection, json_: JsonOption = False) -> None:
    """The mechanism's parties and host, each with its comms card (frequencies, phone lines,
    the languages spoken on them, hours), then the rules of every channel."""
    with connection.open() as client:
        mechanism = client.mechanism()
        me = None if json_ else client.me().party
    if json_:
        emit_json(mechanism)
        return
    console = stdout()
    print_table(console, parties_table(mechanism, me))
    print_table(console, channels_table(mechanism))
