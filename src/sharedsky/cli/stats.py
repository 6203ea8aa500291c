"""``sharedsky stats lead-time`` and ``sharedsky inbox``: compliance figures and what awaits you."""

from __future__ import annotations

import typer
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    connection_options,
    duration_text,
    emit_json,
    now_of,
    print_table,
    stdout,
    table,
    when_text,
)
from sharedsky.cli._names import Names
from sharedsky.cli.conflicts import known_names
from sharedsky.wire import v1

app = typer.Typer(
    help="Figures of the mechanism: lead-time compliance per channel (notices, late ones,"
    " median and minimum lead time).",
    no_args_is_help=True,
)


@app.command("lead-time")
@connection_options
def lead_time(
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Lead-time compliance per channel: notices, late ones, compliance, median and minimum."""
    with connection.open() as client:
        report = client.lead_time_report()
        if json_:
            emit_json(report)
            return
        late = [(c, n) for c in report.channels for n in c.late_notices]
        names = known_names(client) if late else Names(None)
        titles = [names.subject("notice", n.id) for _, n in late]
    grid = table(
        "Lead time given, from delivery",
        "from → to",
        "notices",
        "late",
        "on time",
        "median",
        "minimum",
        "undelivered",
    )
    for c in report.channels:
        grid.add_row(
            f"{c.sender} → {c.recipient}",
            str(c.notices),
            str(c.late),
            "-" if c.compliance is None else f"{c.compliance:.0%}",
            "-" if c.median_lead_time_s is None else duration_text(c.median_lead_time_s),
            "-" if c.min_lead_time_s is None else duration_text(c.min_lead_time_s),
            str(c.undelivered),
        )
    print_table(stdout(), grid)
    if late:
        rows = table("Late notices", "id", "notice", "from → to", "lead time", "required")
        for (c, n), title in zip(late, titles, strict=True):
            rows.add_row(
                n.id,
                escape(title),
                f"{c.sender} → {c.recipient}",
                duration_text(n.lead_time_s),
                duration_text(n.required_s),
            )
        print_table(stdout(), rows)


@connection_options
def inbox(
    ctx: typer.Context,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """What awaits your party's acknowledgement, most urgent first, with the time left."""
    with connection.open() as client:
        pending = client.pending_acks()
        if json_:
            emit_json(v1.AckList(acknowledgements=pending))
            return
        names = known_names(client) if pending else Names(None)
        subjects = [names.subject(a.subject, a.subject_id) for a in pending]
    now = now_of(ctx)
    grid = table(f"Inbox ({len(pending)})", "id", "subject", "priority", "due", "left", "rung")
    for a, subject in zip(pending, subjects, strict=True):
        if a.due_at is None:
            left = "at the host"
        else:
            seconds = (a.due_at - now).total_seconds()
            left = (
                f"{duration_text(seconds)}"
                if seconds >= 0
                else f"OVERDUE {duration_text(-seconds)}"
            )
        grid.add_row(
            a.subject_id,
            escape(subject),
            a.priority.upper() if a.priority == "flash" else a.priority,
            when_text(a.due_at, short=True),
            left,
            str(a.rung),
        )
    print_table(stdout(), grid)


__all__ = ["app", "inbox"]
