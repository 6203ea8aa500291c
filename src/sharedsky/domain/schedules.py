"""Recurring windows: a volume's time as weekdays × a daily HH:MM UTC window × a date range.

A schedule's occurrences are, for every date from ``first_date`` to ``last_date`` (both
included) whose weekday is listed, the window [date at ``from_time``, date at ``to_time``) in
UTC, expanded with python-dateutil's ``rrule`` (RFC 5545 rules). A window whose ``to_time`` is
earlier than its ``from_time`` crosses midnight: it ends the next day at ``to_time`` (an
occurrence always starts on a listed weekday within the dates). ``to_time`` equal to
``from_time`` is refused (it would read as empty or as a whole day alike): a whole day is
00:00–23:59 or two volumes.

A scheduled volume keeps its schedule as filed, and its time window is the schedule's
envelope (the first occurrence's start to the last one's end): what the cell index, the
lead-time rule (the first occurrence), the notice's status and the exports read. Detection
expands it into its occurrences (R-SCHED-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice

from dateutil.rrule import DAILY, rrule, weekday

from sharedsky.domain.errors import FieldPath, InvalidVolume

MAX_OCCURRENCES = 366
"""Most occurrences one schedule may have."""
_LAST_START = date.max - timedelta(days=1)


class Weekday(StrEnum):
    """A day of the week, by its RFC 5545 two-letter code."""

    MO = "MO"
    TU = "TU"
    WE = "WE"
    TH = "TH"
    FR = "FR"
    SA = "SA"
    SU = "SU"

    @property
    def number(self) -> int:
        """0 for Monday to 6 for Sunday (``date.weekday()``)."""
        return list(Weekday).index(self)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekdays × a daily window [from_time, to_time) UTC × the dates first_date..last_date."""

    weekdays: tuple[Weekday, ...]
    """The listed days, in week order, each once (`schedule` normalises them)."""
    from_time: time
    """Start of each day's window, UTC, whole minutes."""
    to_time: time
    """End of each day's window, UTC, whole minutes; earlier than from_time: the next day."""
    first_date: date
    last_date: date
    """The last date an occurrence may start on (included)."""

    @property
    def crosses_midnight(self) -> bool:
        """True when each window ends the day after it starts."""
        return self.to_time < self.from_time


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One window [start, end) of a schedule, UTC."""

    start: datetime
    end: datetime


def schedule(
    weekdays: Sequence[Weekday | str],
    from_time: time,
    to_time: time,
    first_date: date,
    last_date: date,
) -> Schedule:
    """A schedule with its weekdays in week order, each once (ValueError for an unknown code)."""
    days = {Weekday(str(d)) for d in weekdays}
    return Schedule(
        tuple(d for d in Weekday if d in days), from_time, to_time, first_date, last_date
    )


def occurrences(plan: Schedule, limit: int = MAX_OCCURRENCES + 1) -> tuple[Occurrence, ...]:
    """The schedule's first ``limit`` occurrences in time order (all, when fewer); none starts
    on the calendar's last day (9999-12-31), whose window could not end."""
    if not plan.weekdays:
        return ()
    length = _length(plan)
    if length <= timedelta(0):
        return ()
    rule = rrule(
        DAILY,
        dtstart=datetime.combine(plan.first_date, plan.from_time, UTC),
        # the last day of the calendar starts no occurrence: its window would end past it
        until=datetime.combine(min(plan.last_date, _LAST_START), plan.from_time, UTC),
        byweekday=tuple(weekday(d.number) for d in plan.weekdays),
    )
    return tuple(Occurrence(start, start + length) for start in islice(rule, limit))


def _length(plan: Schedule) -> timedelta:
    """How long each occurrence lasts."""
    day = date(2000, 1, 1)  # any day: the length is the same on every day (UTC)
    start = datetime.combine(day, plan.from_time)
    end = datetime.combine(day, plan.to_time)
    if plan.crosses_midnight:
        end += timedelta(days=1)
    return end - start


def envelope(plan: Schedule) -> Occurrence:
    """The first occurrence's start to the last one's end (of the first MAX_OCCURRENCES + 1).

    A schedule with no occurrence gives the empty window at first_date's from_time, which
    `validate_schedule` refuses."""
    found = occurrences(plan)
    if not found:
        at = datetime.combine(plan.first_date, plan.from_time, UTC)
        return Occurrence(at, at)
    return Occurrence(found[0].start, found[-1].end)


def validate_schedule(plan: Schedule, path: FieldPath) -> None:
    """Raise InvalidVolume (path ``…schedule.field``) unless the schedule is one that
    detection can expand: at least one weekday, whole minutes, from_time ≠ to_time,
    first_date ≤ last_date, and 1 to MAX_OCCURRENCES occurrences."""
    at = (*path, "schedule")
    if not plan.weekdays:
        raise InvalidVolume("a schedule needs at least one weekday", (*at, "weekdays"))
    for name, moment in (("from", plan.from_time), ("to", plan.to_time)):
        if moment.second or moment.microsecond or moment.tzinfo is not None:
            raise InvalidVolume("a schedule's times are HH:MM UTC", (*at, name))
    if plan.from_time == plan.to_time:
        raise InvalidVolume(
            "a schedule's window must end at another time than it starts", (*at, "to")
        )
    if plan.last_date < plan.first_date:
        raise InvalidVolume(
            "a schedule's last date must not be before its first date", (*at, "last_date")
        )
    count = len(occurrences(plan))
    if count == 0:
        raise InvalidVolume(
            "the schedule has no occurrence: none of its weekdays falls between its dates",
            (*at, "weekdays"),
        )
    if count > MAX_OCCURRENCES:
        raise InvalidVolume(
            f"a schedule may have at most {MAX_OCCURRENCES} occurrences", (*at, "last_date")
        )


# -- words -----------------------------------------------------------------------------------

_RUNS = {
    (Weekday.MO, Weekday.TU, Weekday.WE, Weekday.TH, Weekday.FR): "weekdays",
    (Weekday.SA, Weekday.SU): "weekends",
    tuple(Weekday): "daily",
}


def weekday_words(plan: Schedule) -> str:
    """The weekdays in English: ``weekdays``, ``weekends``, ``daily``, a run such as
    ``MO–TH``, or a list such as ``MO, WE, FR``."""
    named = _RUNS.get(plan.weekdays)
    if named is not None:
        return named
    numbers = [d.number for d in plan.weekdays]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{plan.weekdays[0]}–{plan.weekdays[-1]}"
    return ", ".join(plan.weekdays)


def describe(plan: Schedule) -> str:
    """The schedule in English words, e.g. ``weekdays 07:00–11:30 UTC, 7 Dec 2026 – 29 Jan
    2027`` (a window crossing midnight ends ``(+1 day)``)."""
    window = f"{plan.from_time:%H:%M}–{plan.to_time:%H:%M} UTC"
    if plan.crosses_midnight:
        window += " (+1 day)"
    dates = f"{_day(plan.first_date)} – {_day(plan.last_date)}"
    return f"{weekday_words(plan)} {window}, {dates}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# -- forms -----------------------------------------------------------------------------------


def schedule_form(plan: Schedule) -> dict[str, object]:
    """A schedule's JSON form, as the wire and the ledger write it."""
    return {
        "weekdays": [str(d) for d in plan.weekdays],
        "from": f"{plan.from_time:%H:%M}",
        "to": f"{plan.to_time:%H:%M}",
        "first_date": plan.first_date.isoformat(),
        "last_date": plan.last_date.isoformat(),
    }


def schedule_of(form: object) -> Schedule:
    """The schedule of ``schedule_form`` (ValueError for a malformed one)."""
    if not isinstance(form, dict):
        raise ValueError("a schedule is an object")
    return schedule(
        [str(d) for d in form["weekdays"]],
        time.fromisoformat(str(form["from"])),
        time.fromisoformat(str(form["to"])),
        date.fromisoformat(str(form["first_date"])),
        date.fromisoformat(str(form["last_date"])),
    )
