"""``sharedsky notice …``: file, list, show, amend, cancel and acknowledge notices (via the SDK)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    EndOption,
    JsonOption,
    LimitArg,
    LowerOption,
    OutlineOption,
    QuietOption,
    StartOption,
    UpperOption,
    band_text,
    check_quiet,
    connection_options,
    details,
    duration_text,
    emit_ids,
    emit_json,
    limit_args,
    moment,
    now_of,
    outline_parts,
    print_table,
    read_body,
    read_outline,
    stdout,
    table,
    volume,
    when_text,
    window_text,
)
from sharedsky.cli._names import Names, title_of
from sharedsky.cli._option_groups import C, GroupOption, with_option_group
from sharedsky.cli._schedules import (
    DailyOption,
    FromDateOption,
    ToDateOption,
    WeekdaysOption,
    schedule_body,
    schedule_text,
)
from sharedsky.cli.conflicts import known_names, print_conflicts, priority_text
from sharedsky.wire import v1
from sharedsky.wire.v1.common import PriorityStatus
from sharedsky.wire.v1.notices import NoticeKind

app = typer.Typer(
    help="Notices, advance notification of planned activity: file, amend, list, show and cancel"
    " them, activate and release them (when the mechanism asks for it, or early), ack"
    " (acknowledge receipt of) a counterparty's, and answer one that asks for agreement: agree,"
    " deny or counter; the filer accepts a counter-proposal.",
    no_args_is_help=True,
)

KindOption = Annotated[NoticeKind | None, typer.Option("--kind", help="What the notice is of.")]
TitleOption = Annotated[str | None, typer.Option("--title", help="A short title.")]
RemarksOption = Annotated[str | None, typer.Option("--remarks", help="Free text.")]
ContactOption = Annotated[str | None, typer.Option("--contact", help="How to reach the filer.")]
FromJsonOption = Annotated[
    Path | None,
    typer.Option(
        "--from-json",
        exists=True,
        dir_okay=False,
        help="The whole notice as a v1 NoticeIn JSON body (instead of the flags).",
    ),
]
OutsideAreaOption = Annotated[
    bool,
    typer.Option(
        "--outside-area",
        help="File volumes that lie wholly outside the mechanism's area of responsibility as"
        " they are (without it they are refused: the numbers may be swapped).",
    ),
]
RecordPastOption = Annotated[
    bool,
    typer.Option(
        "--record-past",
        help="Record activity after the fact: the window may have ended already (without it a"
        " notice wholly in the past is refused).",
    ),
]
PriorityChoice = Literal["medevac", "humanitarian", "sar", "emergency", "none"]
PriorityOption = Annotated[
    PriorityChoice | None,
    typer.Option(
        "--priority",
        help="The activity's operational priority (emergency > medevac > sar > humanitarian):"
        " conflicts with it are acknowledged within the flash deadline and advice moves the"
        " other side; 'none' clears it when amending.",
    ),
]
AgreementOption = Annotated[
    bool | None,
    typer.Option(
        "--request-agreement/--no-request-agreement",
        help="Ask the counterparties to agree, not only to acknowledge receipt (they answer"
        " with notice agree, deny or counter); amending keeps the current choice unless given.",
    ),
]
IdArgument = Annotated[str, typer.Argument(help="The notice's id.", show_default=False)]


@dataclass(frozen=True, slots=True)
class _Flags:
    """The notice flags of ``file`` and ``amend``; None where not given."""

    kind: NoticeKind | None
    title: str | None
    outline: Path | None
    lower: LimitArg | None
    upper: LimitArg | None
    start: str | None
    """As given: ISO-8601 or relative to now (read when the notice is made)."""
    end: str | None
    remarks: str | None
    contact: str | None
    priority: PriorityChoice | None
    """``--priority`` as given ('none' clears it)."""
    from_json: Path | None
    """The whole notice as a JSON body, instead of the other flags."""
    weekdays: str | None = None
    """``--weekdays`` as given: with the other schedule flags, recurring windows."""
    daily: str | None = None
    from_date: str | None = None
    to_date: str | None = None
    outside_area: bool = False
    """``--outside-area`` (also with --from-json)."""
    record_past: bool = False
    """``--record-past`` (also with --from-json)."""
    request_agreement: bool | None = None
    """``--request-agreement`` or ``--no-request-agreement``; None: not given."""

    def volume_given(self) -> bool:
        parts = (self.outline, self.lower, self.upper, self.start, self.end)
        return self.schedule_given() or any(p is not None for p in parts)

    def schedule_given(self) -> bool:
        parts = (self.weekdays, self.daily, self.from_date, self.to_date)
        return any(p is not None for p in parts)

    def any_given(self) -> bool:
        others = (self.kind, self.title, self.remarks, self.contact, self.priority)
        return self.volume_given() or any(p is not None for p in others)


_FLAG_OPTIONS = (
    GroupOption("kind", KindOption),
    GroupOption("title", TitleOption),
    GroupOption("outline", OutlineOption),
    GroupOption("lower", LowerOption),
    GroupOption("upper", UpperOption),
    GroupOption("start", StartOption),
    GroupOption("end", EndOption),
    GroupOption("weekdays", WeekdaysOption),
    GroupOption("daily", DailyOption),
    GroupOption("from_date", FromDateOption),
    GroupOption("to_date", ToDateOption),
    GroupOption("remarks", RemarksOption),
    GroupOption("contact", ContactOption),
    GroupOption("priority", PriorityOption),
    GroupOption("from_json", FromJsonOption),
    GroupOption("outside_area", OutsideAreaOption, False),
    GroupOption("record_past", RecordPastOption, False),
    GroupOption("request_agreement", AgreementOption),
)


def _flags_of(_ctx: typer.Context, given: Mapping[str, Any]) -> _Flags:
    return _Flags(
        kind=given["kind"],
        title=given["title"],
        outline=given["outline"],
        lower=given["lower"],
        upper=given["upper"],
        start=given["start"],
        end=given["end"],
        remarks=given["remarks"],
        contact=given["contact"],
        priority=given["priority"],
        from_json=given["from_json"],
        weekdays=given["weekdays"],
        daily=given["daily"],
        from_date=given["from_date"],
        to_date=given["to_date"],
        outside_area=given["outside_area"],
        record_past=given["record_past"],
        request_agreement=given["request_agreement"],
    )


def _notice_flags(command: C) -> C:
    """Give a command the notice flags (``--kind`` … ``--contact``, ``--from-json``), received
    as one `_Flags` in its parameter of that type."""
    return with_option_group(command, _Flags, _FLAG_OPTIONS, _flags_of)


def _volume(ctx: typer.Context, flags: _Flags, old: v1.NoticeVolume | None) -> v1.NoticeVolume:
    """The volume the flags name; parts not given are taken from ``old`` (when there is one).
    The schedule flags give recurring windows instead of --start/--end (an old schedule is
    kept unless --start or --end replaces it)."""
    now = now_of(ctx)
    outline = None if old is None else old.outline.model_dump()
    if flags.outline is not None:
        outline = read_outline(flags.outline)
    old_lower, old_upper = (None, None) if old is None else limit_args(old.altitude)
    lower = flags.lower if flags.lower is not None else old_lower
    upper = flags.upper if flags.upper is not None else old_upper
    timed = flags.start is not None or flags.end is not None
    if flags.schedule_given() and timed:
        raise typer.BadParameter(
            "give --start/--end or the schedule flags (--weekdays, --daily, --from-date,"
            " --to-date), not both"
        )
    old_plan = None if old is None else old.schedule
    if flags.schedule_given() or (old_plan is not None and not timed):
        if outline is None or lower is None or upper is None:
            given = {"--outline": outline, "--lower": lower, "--upper": upper}
            missing = [k for k, v in given.items() if v is None]
            raise typer.BadParameter(f"missing {', '.join(missing)} (or give --from-json FILE)")
        plan = schedule_body(flags.weekdays, flags.daily, flags.from_date, flags.to_date, old_plan)
        body = volume(outline, lower, upper, now, None).model_dump(mode="json")
        return _notice_volume(body | {"time": None, "schedule": plan})
    old_time = None if old is None or old_plan is not None else old.time
    start = None if old_time is None else old_time.start
    if flags.start is not None:
        start = moment(flags.start, now, "'--start'")
    end = None if old_time is None else old_time.end
    if flags.end is not None:
        end = moment(flags.end, now, "'--end'")
    if outline is None or lower is None or upper is None or start is None or end is None:
        given = {"--outline": outline, "--lower": lower, "--upper": upper}
        missing = [k for k, v in (given | {"--start": start, "--end": end}).items() if v is None]
        raise typer.BadParameter(f"missing {', '.join(missing)} (or give --from-json FILE)")
    return _notice_volume(volume(outline, lower, upper, start, end).model_dump(mode="json"))


def _notice_volume(body: dict[str, Any]) -> v1.NoticeVolume:
    try:
        return v1.NoticeVolume.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise typer.BadParameter(f"{where}: {first['msg']}") from exc


def _draft(ctx: typer.Context, flags: _Flags, base: v1.NoticeIn | None) -> v1.NoticeIn:
    """The request body: --from-json, or the flags (over ``base`` when amending), with
    ``--outside-area`` and ``--record-past`` set when given."""
    body = _content(ctx, flags, base)
    meant: dict[str, bool] = {
        name: True
        for name, on in (("outside_area", flags.outside_area), ("record_past", flags.record_past))
        if on
    }
    if flags.request_agreement is not None:
        meant["request_agreement"] = flags.request_agreement
    return body.model_copy(update=meant) if meant else body


def _content(ctx: typer.Context, flags: _Flags, base: v1.NoticeIn | None) -> v1.NoticeIn:
    """The notice the flags or --from-json describe (over ``base`` when amending)."""
    if flags.from_json is not None:
        if flags.any_given():
            raise typer.BadParameter(
                "--from-json holds the whole notice; give no other notice flags with it",
                param_hint="'--from-json'",
            )
        return read_body(flags.from_json, v1.NoticeIn, "'--from-json'")
    if base is None:
        if flags.kind is None or flags.title is None:
            raise typer.BadParameter("missing --kind or --title (or give --from-json FILE)")
        base = v1.NoticeIn(kind=flags.kind, title=flags.title, volumes=[])
    volumes = list(base.volumes)
    if flags.volume_given() or not volumes:
        # a notice of several volumes becomes one volume, named in full by the flags
        volumes = [_volume(ctx, flags, volumes[0] if len(volumes) == 1 else None)]
    return v1.NoticeIn(
        kind=base.kind if flags.kind is None else flags.kind,
        title=base.title if flags.title is None else flags.title,
        volumes=volumes,
        remarks=base.remarks if flags.remarks is None else flags.remarks,
        contact=base.contact if flags.contact is None else flags.contact,
        priority_status=_priority(flags.priority, base.priority_status),
        request_agreement=base.request_agreement,
    )


def _priority(
    given: PriorityChoice | None, current: PriorityStatus | None
) -> PriorityStatus | None:
    """The priority status to send: ``current`` unless ``--priority`` was given ('none':
    none)."""
    if given is None:
        return current
    return None if given == "none" else given


def _as_draft(notice: v1.NoticeOut) -> v1.NoticeIn:
    """A notice as returned, turned back into the body that would file it."""
    parts = {"__all__": {"outline", "altitude", "time", "schedule"}}
    kept = {"kind", "title", "remarks", "contact", "priority_status", "request_agreement"}
    fields = notice.model_dump(include=kept)
    return v1.NoticeIn.model_validate(fields | notice.model_dump(include={"volumes": parts}))


AFTER_THE_FACT = "its window had ended when it was filed (a record, not a notice)"
"""What ``recorded after the fact`` means, where a notice is shown whole."""


def _print_filing(console: Console, verb: str, filing: v1.FilingOut, names: Names) -> None:
    priority = f" · [bold]{priority_text(filing.priority_status)}[/bold]"
    console.print(
        f"{verb} notice “{escape(filing.title)}” [bold]{escape(filing.id)}[/bold]"
        f" · version {filing.version} · {filing.status}"
        + (priority if filing.priority_status else "")
    )
    if filing.recorded_after_the_fact:
        console.print(f"recorded after the fact: {AFTER_THE_FACT}")
    lead = f"lead time {duration_text(filing.lead_time_s)} ({filing.lead_time_s:.0f} s)"
    if filing.late:
        lead += f" · [bold red]LATE[/bold red] for {escape(', '.join(filing.late_for))}"
    else:
        lead += " · on time"
    console.print(lead)
    print_conflicts(console, filing.conflicts, names.know([filing]))


@app.command("file")
@connection_options
@_notice_flags
def file_notice(
    ctx: typer.Context,
    flags: _Flags,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """File a notice with one volume from the flags, or any notice from --from-json."""
    check_quiet(json_, quiet)
    body = _draft(ctx, flags, None)
    with connection.open() as client:
        filing = client.file_notice(body)
        if json_:
            emit_json(filing)
        elif quiet:
            emit_ids([filing.id])
        else:
            _print_filing(stdout(), "Filed", filing, Names(client))


@app.command("amend")
@connection_options
@_notice_flags
def amend_notice(
    ctx: typer.Context,
    notice_id: IdArgument,
    version: Annotated[
        int, typer.Option("--version", help="The version being amended (If-Match).", min=1)
    ],
    flags: _Flags,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Amend version N of a notice: flags not given keep their current value.

    Volume flags change the notice's only volume; a notice with several volumes takes all five
    volume flags (and then has one) or --from-json.
    """
    check_quiet(json_, quiet)
    with connection.open() as client:
        base = None if flags.from_json is not None else _as_draft(client.get_notice(notice_id))
        body = _draft(ctx, flags, base)
        filing = client.amend_notice(notice_id, version, body)
        if json_:
            emit_json(filing)
        elif quiet:
            emit_ids([filing.id])
        else:
            _print_filing(stdout(), "Amended", filing, Names(client))


@app.command("list")
@connection_options
def list_notices(
    ctx: typer.Context,
    party: Annotated[str | None, typer.Option("--party", help="Only this party's.")] = None,
    status: Annotated[
        Literal["planned", "active", "released", "ended", "cancelled"] | None,
        typer.Option("--status", help="Only notices in this status."),
    ] = None,
    kind: KindOption = None,
    bbox: Annotated[
        str | None, typer.Option("--bbox", help="min_lon,min_lat,max_lon,max_lat (degrees).")
    ] = None,
    time_from: Annotated[str | None, typer.Option("--from", help="Active after.")] = None,
    time_to: Annotated[str | None, typer.Option("--to", help="Active before.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=5000)] = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Notices you may see (redacted ones show only the volumes that clash with yours)."""
    check_quiet(json_, quiet)
    now = now_of(ctx)
    box = _bbox(bbox)
    after = None if time_from is None else moment(time_from, now, "'--from'")
    before = None if time_to is None else moment(time_to, now, "'--to'")
    with connection.open() as client:
        notices = client.list_notices(
            bbox=box,
            time_from=after,
            time_to=before,
            party=party,
            status=status,
            kind=kind,
            limit=limit,
        )
    if json_:
        emit_json(v1.NoticeList(notices=notices))
        return
    if quiet:
        emit_ids(n.id for n in notices)
        return
    columns = ("id", "party", "kind", "title", "status", "band", "window", "lead time")
    grid = table(f"Notices ({len(notices)})", *columns)
    for n in notices:
        marks = (
            ("LATE", n.late),
            ("redacted", n.redacted),
            ("recorded after the fact", n.recorded_after_the_fact),
        )
        flags = [name for name, on in marks if on]
        grid.add_row(
            n.id,
            n.party,
            " ".join(filter(None, (n.kind, priority_text(n.priority_status)))),
            escape(title_of(n)),
            f"v{n.version} {n.status}",
            _bands(n.volumes),
            _envelope(n.volumes),
            " ".join([duration_text(n.lead_time_s), *flags]),
        )
    print_table(stdout(), grid)


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in text.split(","))
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not min_lon,min_lat,max_lon,max_lat", param_hint="'--bbox'"
        ) from exc
    return min_lon, min_lat, max_lon, max_lat


def _bands(volumes: list[v1.VolumeOut]) -> str:
    """The bands of a notice's volumes as filed (``FL120–FL300``), each once, in order."""
    shown = dict.fromkeys(band_text(v.altitude, short=True) for v in volumes)
    return ", ".join(shown) or "-"


def _envelope(volumes: list[v1.VolumeOut]) -> str:
    if not volumes:
        return "-"
    if len(volumes) == 1 and volumes[0].schedule is not None:
        return schedule_text(volumes[0].schedule)
    start = min(v.time.start for v in volumes)
    ends = [v.time.end for v in volumes]
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return window_text(start, end, short=True)


@app.command("show")
@connection_options
def show_notice(
    notice_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """One notice: details, volumes, open conflicts and acknowledgements."""
    with connection.open() as client:
        notice = client.get_notice(notice_id)
        if json_:
            emit_json(notice)
            return
        names = known_names(client) if notice.conflicts else Names(client)
        _print_notice(stdout(), notice, names.know([notice]))


def _print_notice(console: Console, notice: v1.NoticeDetailOut, names: Names) -> None:
    """A notice whole: its details, volumes, conflicts (each side named) and acks."""
    late = f"LATE for {', '.join(notice.late_for)}" if notice.late else "on time"
    rows = [
        ("notice", f"{notice.id} v{notice.version} · {notice.status}"),
        ("party", notice.party),
        ("kind", notice.kind),
        *([("priority", priority_text(notice.priority_status))] if notice.priority_status else []),
        ("title", title_of(notice)),
        ("filed", when_text(notice.filed_at)),
        ("updated", when_text(notice.updated_at)),
        ("lead time", f"{duration_text(notice.lead_time_s)} · {late}"),
        ("contact", notice.contact),
        ("remarks", notice.remarks),
    ]
    if notice.cancelled_at is not None:
        rows.append(("cancelled", when_text(notice.cancelled_at)))
    if notice.redacted:
        rows.append(("redacted", "only the volumes that clash with yours are shown"))
    if notice.recorded_after_the_fact:
        rows.append(("recorded", f"after the fact: {AFTER_THE_FACT}"))
    if notice.request_agreement:
        rows.append(("agreement", "asked of the counterparties (not only receipt)"))
    console.print(details(rows))
    volumes = table("Volumes", "#", "outline", "at", "band", "window", whole=("at",))
    for v in notice.volumes:
        volumes.add_row(
            str(v.index),
            *outline_parts(v.outline),
            band_text(v.altitude),
            window_text(v.time.start, v.time.end)
            if v.schedule is None
            else schedule_text(v.schedule),
        )
    print_table(console, volumes)
    print_conflicts(console, notice.conflicts, names)
    if notice.acknowledgements:
        acks = table(
            "Acknowledgements (receipts, not approvals)",
            "party",
            "v",
            "status",
            "priority",
            "due",
            "acknowledged",
        )
        for a in notice.acknowledgements:
            done = "-" if a.acked_at is None else f"{when_text(a.acked_at)} by {a.acked_by}"
            acks.add_row(a.party, str(a.version), a.status, a.priority, when_text(a.due_at), done)
        print_table(console, acks)
    if notice.agreement:
        print_table(console, _agreement_table(notice.agreement))


def _agreement_table(positions: list[v1.AgreementOut]) -> Any:
    """The positions on a notice's current version: who, state, due, answer and what with."""
    agreement = table("Agreement", "party", "v", "state", "due", "answered", "reason / counter")
    for p in positions:
        done = "-" if p.answered_at is None else f"{when_text(p.answered_at)} by {p.answered_by}"
        said = p.reason or ""
        if p.counter_id is not None:
            windows = ", ".join(window_text(v.time.start, v.time.end) for v in p.volumes or [])
            said = f"counter {p.counter_id}: {windows}" + (f" ({p.note})" if p.note else "")
        due = when_text(p.due_at) if p.state == "pending" else "-"
        agreement.add_row(p.party, str(p.version), p.state, due, done, said)
    return agreement


@app.command("cancel")
@connection_options
def cancel_notice(
    notice_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Cancel a notice; its conflicts resolve."""
    with connection.open() as client:
        notice = client.cancel_notice(notice_id)
    if json_:
        emit_json(notice)
    else:
        stdout().print(
            f"Cancelled notice {escape(Names(None).name(notice))} [bold]{escape(notice.id)}[/bold]"
            f" (version {notice.version}) at {when_text(notice.cancelled_at)}"
        )


@app.command("activate")
@connection_options
def activate_notice(
    notice_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Activate an own notice (up to the channel's early allowance before its start: an early
    activation reaches the counterparties with flash priority)."""
    with connection.open() as client:
        notice = client.activate_notice(notice_id)
    if json_:
        emit_json(notice)
    else:
        early = notice.activated_at is not None and notice.activated_at < _start(notice)
        stdout().print(
            f"Activated notice {escape(Names(None).name(notice))} [bold]{escape(notice.id)}"
            f"[/bold] at {when_text(notice.activated_at)}{' (early: flash)' if early else ''}"
        )


@app.command("release")
@connection_options
def release_notice(
    notice_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Release an own active notice early: its new version ends now and stops clashing."""
    with connection.open() as client:
        filing = client.release_notice(notice_id)
    if json_:
        emit_json(filing)
    else:
        stdout().print(
            f"Released notice {escape(Names(None).name(filing))} [bold]{escape(filing.id)}"
            f"[/bold] (version {filing.version}) at {when_text(filing.released_at)}"
        )


def _start(notice: v1.NoticeOut) -> datetime:
    """The earliest start of the notice's volumes."""
    return min(v.time.start for v in notice.volumes)


@app.command("ack")
@connection_options
def ack_notice(
    notice_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Acknowledge receipt of a counterparty's notice (a receipt, never an approval: to agree
    to a notice that asks for it, use notice agree, deny or counter)."""
    with connection.open() as client:
        ack = client.ack_notice(notice_id)
        if json_:
            emit_json(ack)
            return
        name = Names(client).subject("notice", ack.subject_id)
    stdout().print(
        f"Acknowledged {escape(name)} ([bold]{escape(ack.subject_id)}[/bold]) v{ack.version}"
        f" for {escape(ack.party)} at {when_text(ack.acked_at)} (a receipt, not an approval)"
    )


def _position_line(verb: str, position: v1.AgreementOut, notice_id: str) -> str:
    return (
        f"{verb} notice [bold]{escape(notice_id)}[/bold] v{position.version} for"
        f" {escape(position.party)} at {when_text(position.answered_at)}"
    )


@app.command("agree")
@connection_options
def agree_notice(
    notice_id: IdArgument,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Agree to the current version of a counterparty's notice that asks for agreement (one
    answer per version)."""
    with connection.open() as client:
        position = client.agree_notice(notice_id)
    if json_:
        emit_json(position)
    else:
        stdout().print(_position_line("Agreed to", position, notice_id))


@app.command("deny")
@connection_options
def deny_notice(
    notice_id: IdArgument,
    reason: Annotated[
        str, typer.Option("--reason", help="Why your party does not agree (required).")
    ],
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Deny agreement to the current version of a counterparty's notice, with a reason."""
    with connection.open() as client:
        position = client.deny_notice(notice_id, reason)
    if json_:
        emit_json(position)
    else:
        stdout().print(_position_line("Denied", position, notice_id) + f": {escape(reason)}")


@app.command("counter")
@connection_options
def counter_notice(
    notice_id: IdArgument,
    volumes: Annotated[
        Path,
        typer.Option(
            "--volumes",
            exists=True,
            dir_okay=False,
            help="JSON file: a list of volumes, or any object with 'volumes' (a notice as"
            " --from-json takes it, a resolution option).",
        ),
    ],
    connection: Connection,
    note: Annotated[str, typer.Option("--note", help="What to say with it.")] = "",
    json_: JsonOption = False,
) -> None:
    """Answer the current version of a counterparty's notice with a counter-proposal: the
    volumes your party would agree to; its filer accepts it with notice accept."""
    body = _counter_body(volumes, note)
    with connection.open() as client:
        position = client.counter_notice(notice_id, body.volumes, body.note)
    if json_:
        emit_json(position)
    else:
        stdout().print(
            _position_line("Countered", position, notice_id)
            + f" with counter-proposal [bold]{escape(position.counter_id or '')}[/bold]"
        )


def _counter_body(path: Path, note: str) -> v1.CounterIn:
    """The counter-proposal of a JSON file of volumes (a list, or an object's ``volumes``)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="'--volumes'") from exc
    listed = found.get("volumes") if isinstance(found, dict) else found
    try:
        return v1.CounterIn.model_validate({"volumes": listed, "note": note})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise typer.BadParameter(
            f"{path} holds no valid volumes: {where}: {first['msg']}", param_hint="'--volumes'"
        ) from exc


@app.command("accept")
@connection_options
def accept_counter(
    notice_id: IdArgument,
    counter_id: Annotated[
        str, typer.Argument(help="The counter-proposal's id (notice show lists it).")
    ],
    connection: Connection,
    version: Annotated[
        int | None,
        typer.Option(
            "--version", min=1, help="The version being amended (If-Match); default: the current."
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Accept a counter-proposal of your notice: the notice is amended to its volumes (and
    the counterparties are asked to agree again)."""
    check_quiet(json_, quiet)
    with connection.open() as client:
        current = client.get_notice(notice_id).version if version is None else version
        filing = client.accept_counter(notice_id, counter_id, current)
        if json_:
            emit_json(filing)
        elif quiet:
            emit_ids([filing.id])
        else:
            _print_filing(stdout(), "Accepted the counter-proposal; amended", filing, Names(client))
