"""A volume's recurring windows on the command line: the options, their parsing, the words."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

import typer

from sharedsky.domain.schedules import Weekday, describe, schedule
from sharedsky.wire import v1

WeekdaysOption = Annotated[
    str | None,
    typer.Option(
        "--weekdays",
        help="Recurring windows on these days: MO-FR, SA,SU, MO,WE,FR (with --daily,"
        " --from-date and --to-date, instead of --start/--end).",
    ),
]
DailyOption = Annotated[
    str | None,
    typer.Option(
        "--daily",
        help="Each day's window, HH:MM-HH:MM UTC (an end before the start ends the next day).",
    ),
]
FromDateOption = Annotated[
    str | None, typer.Option("--from-date", help="The first date of the recurring windows.")
]
ToDateOption = Annotated[
    str | None,
    typer.Option("--to-date", help="The last date of the recurring windows (included)."),
]

_DAYS = list(Weekday)


def weekdays_of(text: str) -> list[str]:
    """The weekdays of ``MO-FR``, ``SA,SU``, ``MO,WE-FR`` (a run may wrap: ``FR-MO``).

    >>> weekdays_of("mo-we,su")
    ['MO', 'TU', 'WE', 'SU']
    """
    found: list[str] = []
    for part in text.upper().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        try:
            lo, hi = Weekday(first).number, Weekday(last or first).number
        except ValueError:
            raise typer.BadParameter(
                f"{part!r} is not a weekday (MO TU WE TH FR SA SU) or a run such as MO-FR",
                param_hint="'--weekdays'",
            ) from None
        span = (hi - lo) % 7
        found += [str(_DAYS[(lo + k) % 7]) for k in range(span + 1)]
    return list(dict.fromkeys(found))


def daily_of(text: str) -> tuple[str, str]:
    """(from, to) of ``HH:MM-HH:MM``."""
    start, _, end = text.replace(" ", "").partition("-")
    try:
        for part in (start, end):
            time.fromisoformat(part)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a daily window HH:MM-HH:MM (UTC)", param_hint="'--daily'"
        ) from None
    return start, end


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint=option) from None


def schedule_body(
    weekdays: str | None,
    daily: str | None,
    from_date: str | None,
    to_date: str | None,
    old: v1.Schedule | None,
) -> dict[str, Any]:
    """The wire form of the schedule the options name, parts not given taken from ``old``."""
    body: dict[str, Any] = {} if old is None else old.model_dump(by_alias=True, mode="json")
    if weekdays is not None:
        body["weekdays"] = weekdays_of(weekdays)
    if daily is not None:
        body["from"], body["to"] = daily_of(daily)
    if from_date is not None:
        body["first_date"] = _date(from_date, "'--from-date'").isoformat()
    if to_date is not None:
        body["last_date"] = _date(to_date, "'--to-date'").isoformat()
    missing = [
        option
        for option, key in (
            ("--weekdays", "weekdays"),
            ("--daily", "from"),
            ("--from-date", "first_date"),
            ("--to-date", "last_date"),
        )
        if key not in body
    ]
    if missing:
        raise typer.BadParameter(f"a schedule also needs {', '.join(missing)}")
    return body


def schedule_text(plan: v1.Schedule) -> str:
    """The schedule in words: ``weekdays 07:00–11:30 UTC, 7 Dec 2026 – 29 Jan 2027``."""
    return describe(
        schedule(
            plan.weekdays,
            time.fromisoformat(plan.from_),
            time.fromisoformat(plan.to),
            plan.first_date,
            plan.last_date,
        )
    )
