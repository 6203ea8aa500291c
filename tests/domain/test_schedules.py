"""Recurring windows: a schedule expands as a day-by-day reference expansion does (R-SCHED-1),
a schedule with no occurrence or too many is refused (R-SCHED-2), and it reads in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from sharedsky.domain.errors import InvalidVolume
from sharedsky.domain.schedules import (
    MAX_OCCURRENCES,
    Occurrence,
    Schedule,
    Weekday,
    describe,
    envelope,
    occurrences,
    schedule,
    schedule_form,
    schedule_of,
    validate_schedule,
)
from sharedsky.domain.volumes import (
    AltitudeBand,
    TimeWindow,
    Volume4D,
    occurrence_windows,
    scheduled,
    validate_volume,
    validate_volumes,
)
from sharedsky.geo.outlines import CircleOutline
from tests._hypothesis import examples

HERE = CircleOutline((35.0, 33.0), 10_000.0)
NOW = datetime(2026, 12, 6, 8, tzinfo=UTC)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


def reference(plan: Schedule) -> list[Occurrence]:
    """Every date from first to last, one by one: a window on each listed weekday (no
    dateutil)."""
    days = {d.number for d in plan.weekdays}
    found = []
    day = plan.first_date
    while day <= plan.last_date:
        if day.weekday() in days:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                hours=plan.from_time.hour, minutes=plan.from_time.minute
            )
            end_day = day + timedelta(days=1) if plan.to_time < plan.from_time else day
            end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC) + timedelta(
                hours=plan.to_time.hour, minutes=plan.to_time.minute
            )
            found.append(Occurrence(start, end))
        day += timedelta(days=1)
    return found


minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
plans = st.builds(
    lambda days, a, b, first, span: schedule(days, a, b, first, first + timedelta(days=span)),
    st.lists(st.sampled_from(list(Weekday)), max_size=7),
    minutes,
    minutes,
    st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    st.integers(-3, 500),
)


@hyp_settings(max_examples=examples(300))
@given(plans)
def test_a_schedule_expands_as_the_day_by_day_reference_does(plan: Schedule) -> None:
    """R-SCHED-1: dateutil's rule gives exactly the reference's occurrences, in order."""
    expected = reference(plan) if plan.from_time != plan.to_time else []
    assert list(occurrences(plan, limit=10_000)) == expected
    assert list(occurrences(plan)) == expected[: MAX_OCCURRENCES + 1]


@hyp_settings(max_examples=examples(200))
@given(plans)
def test_a_schedule_is_accepted_exactly_when_it_has_1_to_366_occurrences(plan: Schedule) -> None:
    """R-SCHED-2: refused (InvalidVolume under ``schedule``) when it has none or too many,
    or when its window starts and ends at one time."""
    count = len(reference(plan))
    valid = plan.from_time != plan.to_time and 1 <= count <= MAX_OCCURRENCES
    if valid:
        validate_schedule(plan, ("volumes", 0))
        span = envelope(plan)
        assert (span.start, span.end) == (reference(plan)[0].start, reference(plan)[-1].end)
    else:
        with pytest.raises(InvalidVolume) as caught:
            validate_schedule(plan, ("volumes", 0))
        assert caught.value.path[:3] == ("volumes", 0, "schedule")


def weekdays(first: date, last: date, start: str = "07:00", end: str = "11:30") -> Schedule:
    return schedule(WEEKDAYS, time.fromisoformat(start), time.fromisoformat(end), first, last)


def test_a_window_that_ends_before_it_starts_ends_the_next_day() -> None:
    # Friday 22:00 → Saturday 02:00
    plan = weekdays(date(2026, 12, 11), date(2026, 12, 11), "22:00", "02:00")
    assert occurrences(plan) == (
        Occurrence(datetime(2026, 12, 11, 22, tzinfo=UTC), datetime(2026, 12, 12, 2, tzinfo=UTC)),
    )


@pytest.mark.parametrize(
    ("plan", "field", "words"),
    [
        (weekdays(date(2026, 12, 12), date(2026, 12, 13)), "weekdays", "no occurrence"),
        (schedule((), time(7), time(8), date(2026, 12, 7), date(2026, 12, 8)), "weekdays", "one"),
        (weekdays(date(2026, 12, 7), date(2026, 12, 8), "07:00", "07:00"), "to", "another time"),
        (weekdays(date(2026, 12, 8), date(2026, 12, 7)), "last_date", "before its first"),
        (
            schedule(list(Weekday), time(7), time(8), date(2026, 12, 7), date(2027, 12, 8)),
            "last_date",
            "at most 366",
        ),
        (
            schedule(WEEKDAYS, time(7, 0, 30), time(8), date(2026, 12, 7), date(2026, 12, 8)),
            "from",
            "HH:MM",
        ),
    ],
)
def test_a_schedule_that_detection_cannot_expand_is_refused_with_its_field(
    plan: Schedule, field: str, words: str
) -> None:
    """R-SCHED-2: a weekend-only range of weekdays, no weekday, from = to, the dates
    reversed, 367 occurrences, seconds: each refused with the field's path."""
    with pytest.raises(InvalidVolume, match=words) as caught:
        validate_schedule(plan, ("volumes", 2))
    assert caught.value.path == ("volumes", 2, "schedule", field)


def test_a_scheduled_volume_spans_its_envelope_and_is_validated_with_its_schedule() -> None:
    plan = weekdays(date(2026, 12, 7), date(2027, 1, 29))
    volume = scheduled(HERE, AltitudeBand(0.0, 3_000.0), plan)
    assert volume.time == TimeWindow(
        datetime(2026, 12, 7, 7, tzinfo=UTC), datetime(2027, 1, 29, 11, 30, tzinfo=UTC)
    )
    validate_volume(volume, NOW, ("volumes", 0))  # longer than 30 days: a schedule may be
    assert len(occurrence_windows(volume)) == 40
    empty = scheduled(
        HERE, AltitudeBand(0.0, 3_000.0), weekdays(date(2026, 12, 12), date(2026, 12, 13))
    )
    with pytest.raises(InvalidVolume, match="no occurrence"):
        validate_volume(empty, NOW, ("volumes", 0))


def test_a_scheduled_volume_cut_short_keeps_the_occurrences_before_the_cut() -> None:
    """A release cuts the window: the occurrences after it go, the one running is cut."""
    volume = scheduled(
        HERE, AltitudeBand(0.0, 3_000.0), weekdays(date(2026, 12, 7), date(2026, 12, 11))
    )
    cut = datetime(2026, 12, 8, 9, tzinfo=UTC)
    short = volume.__class__(
        volume.outline, volume.altitude, TimeWindow(volume.time.start, cut), volume.schedule
    )
    assert occurrence_windows(short) == (
        TimeWindow(datetime(2026, 12, 7, 7, tzinfo=UTC), datetime(2026, 12, 7, 11, 30, tzinfo=UTC)),
        TimeWindow(datetime(2026, 12, 8, 7, tzinfo=UTC), cut),
    )


def test_a_schedule_reads_in_words() -> None:
    assert describe(weekdays(date(2026, 12, 7), date(2027, 1, 29))) == (
        "weekdays 07:00–11:30 UTC, 7 Dec 2026 – 29 Jan 2027"
    )
    night = schedule(["SA", "SU"], time(22), time(2), date(2026, 12, 12), date(2026, 12, 20))
    assert describe(night) == "weekends 22:00–02:00 UTC (+1 day), 12 Dec 2026 – 20 Dec 2026"
    run = schedule(["TU", "WE", "TH"], time(7), time(8), date(2026, 12, 7), date(2026, 12, 20))
    assert describe(run).startswith("TU–TH ")
    some = schedule(["FR", "MO", "WE"], time(7), time(8), date(2026, 12, 7), date(2026, 12, 20))
    assert describe(some).startswith("MO, WE, FR ")
    assert describe(schedule(list(Weekday), time(7), time(8), NOW.date(), NOW.date())).startswith(
        "daily "
    )


def test_a_schedule_comes_back_from_its_form() -> None:
    plan = schedule(["SU", "MO"], time(22, 15), time(1), date(2026, 12, 7), date(2027, 1, 29))
    assert plan.weekdays == (Weekday.MO, Weekday.SU)
    assert schedule_form(plan)["from"] == "22:15"
    assert schedule_of(schedule_form(plan)) == plan
    with pytest.raises(ValueError, match="object"):
        schedule_of(["MO"])


def test_the_calendars_last_day_starts_no_occurrence() -> None:
    """Its window could not end: a schedule of that day alone has no occurrence (a 422, not a
    crash)."""
    last = date.max
    plan = schedule(list(Weekday), time(23), time(1), last, last)
    assert occurrences(plan) == ()
    with pytest.raises(InvalidVolume, match="no occurrence"):
        validate_schedule(plan, ())


def test_a_notice_has_at_most_1000_windows_in_all() -> None:
    """R-SCHED-2: three volumes of 366 daily occurrences are 1,098 windows: refused; two of
    them and 68 single windows (800) are not."""
    daily = scheduled(
        HERE,
        AltitudeBand(0.0, 3_000.0),
        schedule(list(Weekday), time(7), time(8), date(2026, 12, 7), date(2027, 12, 7)),
    )
    single = Volume4D(HERE, AltitudeBand(0.0, 3_000.0), TimeWindow(NOW, NOW + timedelta(hours=1)))
    with pytest.raises(InvalidVolume, match="at most 1000 windows") as caught:
        validate_volumes([daily, daily, daily], NOW)
    assert caught.value.path == ("volumes",)
    validate_volumes([daily, daily, *[single] * 68], NOW)
