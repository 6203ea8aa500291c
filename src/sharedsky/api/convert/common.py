"""Outlines, volumes and times: the wire forms every resource shares (``wire/v1/common.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
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


def volume_in(model: v1.Volume) -> Volume4D:
    """A Volume4D from its wire form (times converted to UTC)."""
    end = model.time.end
    return Volume4D(
        outline_in(model.outline),
        AltitudeBand(model.altitude.lower_m, model.altitude.upper_m),
        TimeWindow(as_utc(model.time.start), None if end is None else as_utc(end)),
    )


def volume_out(volume: Volume4D) -> v1.Volume:
    """The wire form of a volume."""
    return v1.Volume.model_validate(volume_fields(volume))


def volume_fields(volume: Volume4D) -> dict[str, object]:
    """The wire fields of a volume (a dict, to nest in a notice's or a zone's fields)."""
    return {
        "outline": outline_to_geojson(volume.outline),
        "altitude": {"lower_m": volume.altitude.lower_m, "upper_m": volume.altitude.upper_m},
        "time": {"start": volume.time.start, "end": volume.time.end},
    }
