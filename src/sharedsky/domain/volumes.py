"""Volume4D: an outline × an altitude band (metres AMSL) × a time window [start, end)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.errors import FieldPath, InvalidVolume
from sharedsky.domain.ids import PartyId
from sharedsky.geo.outlines import Outline, OutlineError, validate_outline
from sharedsky.units import OPEN_END_US, to_us

MAX_VOLUMES = 100
"""Most volumes one notice may carry."""
MAX_DURATION = timedelta(days=30)
"""Longest time window of one notice volume."""
MAX_PAST_START = timedelta(days=1)
"""How far in the past a notice volume may start (late filing of an ongoing activity)."""
MIN_ALT_M = -500.0
"""Lowest altitude accepted, metres AMSL (the Dead Sea shore is at about -430 m)."""
MAX_ALT_M = 100_000.0
"""Highest altitude accepted, metres AMSL."""


@dataclass(frozen=True, slots=True)
class AltitudeBand:
    """Altitudes in metres above mean sea level, lower_m < upper_m."""

    lower_m: float
    upper_m: float


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The half-open interval [start, end); ``end`` None means open-ended (zones only)."""

    start: datetime
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Volume4D:
    """An outline × an altitude band × a time window."""

    outline: Outline
    altitude: AltitudeBand
    time: TimeWindow


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
    for name, value in (("lower_m", band.lower_m), ("upper_m", band.upper_m)):
        if not (MIN_ALT_M <= value <= MAX_ALT_M):
            raise InvalidVolume(
                f"altitude {value} m is outside [{MIN_ALT_M:.0f}, {MAX_ALT_M:.0f}] m AMSL",
                (*path, "altitude", name),
            )
    if band.lower_m >= band.upper_m:
        raise InvalidVolume(
            "the lower altitude must be below the upper altitude", (*path, "altitude", "lower_m")
        )
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
        raise InvalidVolume(
            "the start time is more than a day in the past", (*path, "time", "start")
        )
    if window.end is not None and window.end - window.start > MAX_DURATION:
        raise InvalidVolume("a volume may last at most 30 days", (*path, "time", "end"))


def validate_volumes(volumes: Sequence[Volume4D], now: datetime) -> None:
    """Validate the volumes of a notice: 1 to 100 of them, each valid."""
    if not volumes:
        raise InvalidVolume("a notice needs at least one volume", ("volumes",))
    if len(volumes) > MAX_VOLUMES:
        raise InvalidVolume(
            f"a notice may carry at most {MAX_VOLUMES} volumes, not {len(volumes)}", ("volumes",)
        )
    for index, volume in enumerate(volumes):
        validate_volume(volume, now, ("volumes", index))


def envelope(volumes: Sequence[Volume4D]) -> TimeWindow:
    """The smallest window holding every volume's window (end None if any is open)."""
    start = min(v.time.start for v in volumes)
    ends = [v.time.end for v in volumes]
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return TimeWindow(start, end)
