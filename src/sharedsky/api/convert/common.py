"""Outlines, volumes and times: the wire forms every resource shares (``wire/v1/common.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sharedsky.domain.heights import FiledBand, Height, HeightUnit, Limit, Reference, Special
from sharedsky.domain.schedules import Schedule, schedule, schedule_form
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D, scheduled
from sharedsky.geo import outlines as geo
from sharedsky.geo.outlines import outline_to_geojson
from sharedsky.wire import v1


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC."""
    return moment.astimezone(UTC)


def outline_in(model: v1.PolygonOutline | v1.CircleOutline | v1.CorridorOutline) -> geo.Outline:
    """A geo outline from its wire form."""
    if isinstance(model, v1.PolygonOutline):
        return geo.PolygonOutline(
            tuple(tuple((p[0], p[1]) for p in ring) for ring in model.coordinates)
        )
    if isinstance(model, v1.CircleOutline):
        return geo.CircleOutline(model.center, model.radius_m)
    return geo.CorridorOutline(tuple(model.path), model.half_width_m)


def area_out(area: geo.PolygonOutline | None) -> v1.PolygonOutline | None:
    """The wire form of a mechanism's area of responsibility (None stays None)."""
    if area is None:
        return None
    return v1.PolygonOutline.model_validate(outline_to_geojson(area))


def limit_in(model: v1.HeightLimit | v1.SpecialLimit) -> Limit:
    """A limit from its wire form: an omitted reference is STD for a flight level, else AMSL
    (a flight level given another reference keeps it, and filing refuses it)."""
    if isinstance(model, v1.SpecialLimit):
        return Special(model.special)
    unit = HeightUnit(model.unit)
    default = Reference.STD if unit is HeightUnit.FL else Reference.AMSL
    return Height(model.value, unit, Reference(model.reference or default))


def altitude_in(model: v1.Altitude | v1.FiledAltitude) -> AltitudeBand:
    """A band from its wire form: metres AMSL, or limits on their datums whose AMSL interval
    the use case resolves (its ``amsl_m``, if sent, is ignored)."""
    if isinstance(model, v1.Altitude):
        return AltitudeBand(model.lower_m, model.upper_m)
    return AltitudeBand.as_filed(FiledBand(limit_in(model.lower), limit_in(model.upper)))


def schedule_in(model: v1.Schedule) -> Schedule:
    """A schedule from its wire form (its times HH:MM UTC, checked by the wire)."""
    return schedule(
        model.weekdays,
        time.fromisoformat(model.from_),
        time.fromisoformat(model.to),
        model.first_date,
        model.last_date,
    )


def volume_in(model: v1.Volume | v1.NoticeVolume) -> Volume4D:
    """A Volume4D from its wire form (times converted to UTC); a schedule, when given, sets
    the window (its envelope) and a ``time`` sent beside it is ignored."""
    outline, altitude = outline_in(model.outline), altitude_in(model.altitude)
    if model.schedule is not None:
        return scheduled(outline, altitude, schedule_in(model.schedule))
    if model.time is None:
        raise ValueError("a volume needs a time window or a schedule")  # the wire checks it
    end = model.time.end
    return Volume4D(
        outline,
        altitude,
        TimeWindow(as_utc(model.time.start), None if end is None else as_utc(end)),
    )


def volume_out(volume: Volume4D) -> v1.Volume:
    """The wire form of a volume."""
    return v1.Volume.model_validate(volume_fields(volume))


def limit_fields(limit: Limit) -> dict[str, object]:
    """The wire fields of a limit, as filed."""
    if isinstance(limit, Special):
        return {"special": str(limit)}
    return {"value": limit.value, "unit": str(limit.unit), "reference": str(limit.reference)}


def altitude_fields(band: AltitudeBand) -> dict[str, object]:
    """The wire fields of a band: as filed, with its AMSL interval beside limits on datums."""
    amsl: dict[str, object] = {"lower_m": band.lower_m, "upper_m": band.upper_m}
    if band.filed is None:
        return amsl
    return {
        "lower": limit_fields(band.filed.lower),
        "upper": limit_fields(band.filed.upper),
        "amsl_m": amsl,
    }


def volume_fields(volume: Volume4D) -> dict[str, object]:
    """The wire fields of a volume (a dict, to nest in a notice's or a zone's fields); a
    scheduled volume gives its schedule beside its window (the envelope)."""
    fields: dict[str, object] = {
        "outline": outline_to_geojson(volume.outline),
        "altitude": altitude_fields(volume.altitude),
        "time": {"start": volume.time.start, "end": volume.time.end},
    }
    if volume.schedule is not None:
        fields["schedule"] = schedule_form(volume.schedule)
    return fields
