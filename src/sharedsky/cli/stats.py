"""``sharedsky stats lead-time`` and ``sharedsky inbox``: compliance figures and what awaits you."""

from __future__ import annotations

import typer

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
    late = [(c, n) for c in report.channels for n in c.late_notices]
    if late:
        rows = table("Late notices", "notice", "from → to", "kind", "lead time", "required")
        for c, n in late:
            rows.add_row(
                n.id,
                f"{c.sender} → {c.recipient}",
                n.kind,
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
    now = now_of(ctx)
    grid = table(f"Inbox ({len(pending)})", "id", "subject", "priority", "due", "left", "rung")
    for a in pending:
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
            a.subject,
            a.priority.upper() if a.priority == "flash" else a.priority,
            when_text(a.due_at, short=True),
            left,
            str(a.rung),
        )
    print_table(stdout(), grid)


__all__ = ["app", "inbox"]
