"""Volume4D: an outline × an altitude band (metres AMSL) × a time window [start, end)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.errors import FieldPath, InvalidVolume
from sharedsky.domain.heights import (
    MAX_ALT_M,
    MAX_FLIGHT_LEVEL,
    MIN_ALT_M,
    Datums,
    FiledBand,
    Height,
    HeightUnit,
    Limit,
    LimitSpan,
    Reference,
    Special,
    limit_span,
    plain_span,
)
from sharedsky.domain.ids import PartyId
from sharedsky.domain.schedules import Schedule, occurrences, validate_schedule
from sharedsky.domain.schedules import envelope as schedule_envelope
from sharedsky.geo.outlines import Outline, OutlineError, validate_outline
from sharedsky.units import OPEN_END_US, to_us

MAX_VOLUMES = 100
"""Most volumes one notice may carry."""
MAX_DURATION = timedelta(days=30)
"""Longest time window of one notice volume."""
MAX_WINDOWS = 1_000
"""Most windows one notice may have in all: its volumes' occurrences (R-SCHED-2), a volume
without a schedule counting one (each window is a volume to detection)."""
MAX_PAST_START = timedelta(days=1)
"""How far in the past a notice volume may start (late filing of an ongoing activity)."""


@dataclass(frozen=True, slots=True)
class AltitudeBand:
    """Altitudes in metres above mean sea level, lower_m < upper_m.

    A band given in metres AMSL has ``filed`` None. A band given on other datums
    (``domain/heights.py``) keeps them in ``filed``, and lower_m / upper_m are then its
    conservative AMSL interval under the mechanism's datums (`resolve_band`): what every
    consumer of metres AMSL (the cell index, conformance, the conflict's band) reads.
    """

    lower_m: float
    upper_m: float
    filed: FiledBand | None = None
    """The band as filed, when not in metres AMSL."""

    @classmethod
    def as_filed(cls, filed: FiledBand) -> AltitudeBand:
        """A band given on its datums, whose AMSL interval is not known yet (NaN, which no
        validation accepts, until `resolve_band` computes it: every filing does)."""
        return cls(math.nan, math.nan, filed)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The half-open interval [start, end); ``end`` None means open-ended (zones only)."""

    start: datetime
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Volume4D:
    """An outline × an altitude band × a time window, or a schedule of windows.

    A scheduled volume's ``time`` is its schedule's envelope (`scheduled`): the first
    occurrence's start to the last one's end, what the index and the lead-time rule read;
    detection expands it into its occurrences within ``time`` (`occurrence_windows`)."""

    outline: Outline
    altitude: AltitudeBand
    time: TimeWindow
    schedule: Schedule | None = None
    """The recurring windows, as filed (``domain/schedules.py``); None for one window."""


def scheduled(outline: Outline, altitude: AltitudeBand, plan: Schedule) -> Volume4D:
    """A volume whose time is ``plan`` (its window the schedule's envelope)."""
    span = schedule_envelope(plan)
    return Volume4D(outline, altitude, TimeWindow(span.start, span.end), plan)


def occurrence_windows(volume: Volume4D) -> tuple[TimeWindow, ...]:
    """The windows detection treats: each occurrence of a scheduled volume within its time
    window (a notice released early cuts its window, and the occurrences with it), else its
    one window."""
    if volume.schedule is None:
        return (volume.time,)
    lo, hi = volume.time.start, volume.time.end
    windows = []
    for found in occurrences(volume.schedule):
        start, end = max(found.start, lo), found.end if hi is None else min(found.end, hi)
        if start < end:
            windows.append(TimeWindow(start, end))
    return tuple(windows)


@dataclass(frozen=True, slots=True)
class StoredVolume:
    """One indexed volume with the object it belongs to."""

    object_type: ObjectType
    object_id: str
    volume_index: int
    party: PartyId
    version: int
    """The object's version these volumes belong to."""
    volume: Volume4D


def window_us(volume: Volume4D) -> tuple[int, int]:
    """The volume's window in microseconds, an open end as ``OPEN_END_US``."""
    end = volume.time.end
    return to_us(volume.time.start), OPEN_END_US if end is None else to_us(end)


def occurrence_volumes(volume: Volume4D) -> tuple[Volume4D, ...]:
    """The volume over each of its windows (`occurrence_windows`), each with one window and
    no schedule; a volume without a schedule is its own one."""
    if volume.schedule is None:
        return (volume,)
    return tuple(Volume4D(volume.outline, volume.altitude, w) for w in occurrence_windows(volume))


def validate_volume(
    volume: Volume4D, now: datetime, path: FieldPath, *, standing: bool = False
) -> None:
    """Raise InvalidVolume (with the field path) when ``volume`` breaks a rule.

    ``standing`` relaxes the rules for zones: open-ended windows, no duration limit, and a
    start in the past.
    """
    try:
        validate_outline(volume.outline)
    except OutlineError as exc:
        raise InvalidVolume(exc.reason, (*path, "outline", *exc.path)) from exc
    band = volume.altitude
    if band.filed is not None:
        # resolve_band checked the filed limits; their span may leave the range
        if not band.lower_m < band.upper_m:
            raise InvalidVolume(
                "the band's AMSL interval was not resolved", (*path, "altitude", "lower")
            )
    else:
        for name, value in (("lower_m", band.lower_m), ("upper_m", band.upper_m)):
            if not (MIN_ALT_M <= value <= MAX_ALT_M):
                raise InvalidVolume(
                    f"altitude {value} m is outside [{MIN_ALT_M:.0f}, {MAX_ALT_M:.0f}] m AMSL",
                    (*path, "altitude", name),
                )
        if band.lower_m >= band.upper_m:
            raise InvalidVolume(
                "the lower altitude must be below the upper altitude",
                (*path, "altitude", "lower_m"),
            )
    if volume.schedule is not None:
        validate_schedule(volume.schedule, path)
    window = volume.time
    for name, moment in (("start", window.start), ("end", window.end)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidVolume(
                "times must carry a timezone (use Z for UTC)", (*path, "time", name)
            )
    if window.end is None:
        if not standing:
            raise InvalidVolume("a notice volume needs an end time", (*path, "time", "end"))
    elif window.end <= window.start:
        raise InvalidVolume("the end time must be after the start time", (*path, "time", "end"))
    if standing:
        return
    if window.start < now - MAX_PAST_START:
        at = ("schedule", "first_date") if volume.schedule is not None else ("time", "start")
        raise InvalidVolume("the start time is more than a day in the past", (*path, *at))
    if volume.schedule is not None:
        return  # each occurrence lasts less than a day; MAX_OCCURRENCES bounds the envelope
    if window.end is not None and window.end - window.start > MAX_DURATION:
        raise InvalidVolume("a volume may last at most 30 days", (*path, "time", "end"))


def validate_volumes(volumes: Sequence[Volume4D], now: datetime) -> None:
    """Validate the volumes of a notice: 1 to 100 of them, each valid, with at most
    MAX_WINDOWS windows in all."""
    if not volumes:
        raise InvalidVolume("a notice needs at least one volume", ("volumes",))
    if len(volumes) > MAX_VOLUMES:
        raise InvalidVolume(
            f"a notice may carry at most {MAX_VOLUMES} volumes, not {len(volumes)}", ("volumes",)
        )
    for index, volume in enumerate(volumes):
        validate_volume(volume, now, ("volumes", index))
    windows = sum(len(occurrence_windows(v)) for v in volumes)
    if windows > MAX_WINDOWS:
        raise InvalidVolume(
            f"a notice may have at most {MAX_WINDOWS} windows in all (its schedules'"
            f" occurrences, one for each other volume), not {windows}",
            ("volumes",),
        )


def envelope(volumes: Sequence[Volume4D]) -> TimeWindow:
    """The smallest window holding every volume's window (end None if any is open)."""
    start = min(v.time.start for v in volumes)
    ends = [v.time.end for v in volumes]
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return TimeWindow(start, end)


# ── heights on their datums ─────────────────────────────────────────────────────────────────


def band_spans(
    band: AltitudeBand, datums: Datums, outline: Outline, path: FieldPath = ()
) -> tuple[LimitSpan, LimitSpan]:
    """The spans of the band's lower and upper limits (``domain/heights.py``); a band in
    metres AMSL spans exactly its values."""
    if band.filed is None:
        return plain_span(band.lower_m), plain_span(band.upper_m)
    at = (*path, "altitude")
    return (
        limit_span(band.filed.lower, datums, outline, (*at, "lower")),
        limit_span(band.filed.upper, datums, outline, (*at, "upper")),
    )


def _check_limit(limit: Limit, side: str, path: FieldPath) -> None:
    """Refuse a limit that its side cannot take or whose unit and reference disagree."""
    if limit is Special.SFC and side == "upper":
        raise InvalidVolume("SFC (the surface) can only be a lower limit", path)
    if limit is Special.UNL and side == "lower":
        raise InvalidVolume("UNL (unlimited) can only be an upper limit", path)
    if not isinstance(limit, Height):
        return
    if not math.isfinite(limit.value):
        raise InvalidVolume("a height must be a finite number", (*path, "value"))
    if limit.unit is HeightUnit.FL:
        if limit.reference is not Reference.STD:
            raise InvalidVolume(
                "a flight level is a pressure altitude: its reference is STD", (*path, "reference")
            )
        if not (0.0 <= limit.value <= MAX_FLIGHT_LEVEL):
            raise InvalidVolume(
                f"a flight level is within [0, {MAX_FLIGHT_LEVEL:.0f}], not {limit.value:g}",
                (*path, "value"),
            )
    elif limit.reference is Reference.STD:
        raise InvalidVolume(
            "STD (standard pressure) is given as a flight level: unit FL", (*path, "unit")
        )


def resolve_band(
    band: AltitudeBand, datums: Datums, outline: Outline, path: FieldPath
) -> AltitudeBand:
    """The band with its conservative AMSL interval under ``datums`` (a band in metres AMSL
    is returned as it is). InvalidVolume (the limit's path) when a limit is refused: SFC as
    an upper or UNL as a lower limit, a flight level not on STD or outside [0, 999], an AGL
    limit without the mechanism's terrain bounds, a nominal height outside
    [MIN_ALT_M, MAX_ALT_M], or a lower limit not below the upper one (compared exactly when
    both are on one reference, else at their nominal heights)."""
    filed = band.filed
    if filed is None:
        return band
    at = (*path, "altitude")
    _check_limit(filed.lower, "lower", (*at, "lower"))
    _check_limit(filed.upper, "upper", (*at, "upper"))
    lower, upper = band_spans(band, datums, outline, path)
    for side, span in (("lower", lower), ("upper", upper)):
        if not (MIN_ALT_M <= span.nominal_m <= MAX_ALT_M):
            raise InvalidVolume(
                f"the {side} limit is {span.nominal_m:.0f} m AMSL, outside "
                f"[{MIN_ALT_M:.0f}, {MAX_ALT_M:.0f}] m",
                (*at, side),
            )
    same = lower.reference == upper.reference
    below = lower.exact_m < upper.exact_m if same else lower.nominal_m < upper.nominal_m
    if not below:
        raise InvalidVolume("the lower limit must be below the upper limit", (*at, "lower"))
    return AltitudeBand(lower.low_m, upper.high_m, filed)


def resolve_volume(volume: Volume4D, datums: Datums, path: FieldPath) -> Volume4D:
    """The volume with its band resolved (`resolve_band`); its outline is checked first, as
    a W84 limit reads the geoid under it."""
    if volume.altitude.filed is None:
        return volume
    try:
        validate_outline(volume.outline)
    except OutlineError as exc:
        raise InvalidVolume(exc.reason, (*path, "outline", *exc.path)) from exc
    return replace(volume, altitude=resolve_band(volume.altitude, datums, volume.outline, path))


def resolve_volumes(volumes: Sequence[Volume4D], datums: Datums) -> tuple[Volume4D, ...]:
    """`resolve_volume` of each of a notice's volumes (paths ``volumes.i``)."""
    return tuple(resolve_volume(v, datums, ("volumes", i)) for i, v in enumerate(volumes))
