"""Rows ↔ domain values, by explicit functions (frozen dataclasses stay free of the ORM)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.conflicts import (
    Conflict,
    ConflictState,
    ObjectRef,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.ids import ConflictId, NoticeId, PartyId, ZoneId
from sharedsky.domain.notices import Notice
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    outline_to_geojson,
)
from sharedsky.units import from_us, opt_from_us, opt_to_us, to_us


def _position(value: Any) -> tuple[float, float]:
    return (float(value[0]), float(value[1]))


def outline_from_json(data: Mapping[str, Any]) -> Outline:
    """The outline of a stored (already validated) GeoJSON-like mapping."""
    kind = data["type"]
    if kind == "Polygon":
        rings = tuple(tuple(_position(p) for p in ring) for ring in data["coordinates"])
        return PolygonOutline(rings)
    if kind == "Circle":
        return CircleOutline(_position(data["center"]), float(data["radius_m"]))
    if kind == "Corridor":
        path = tuple(_position(p) for p in data["path"])
        return CorridorOutline(path, float(data["half_width_m"]))
    raise ValueError(f"stored outline of unknown type {kind!r}")


def outline_to_text(outline: Outline) -> str:
    """Compact JSON of an outline."""
    return json.dumps(outline_to_geojson(outline), separators=(",", ":"))


def volume_from_row(row: Any) -> Volume4D:
    """A Volume4D from a ``volumes`` row."""
    return Volume4D(
        outline_from_json(json.loads(row.outline)),
        AltitudeBand(row.alt_lo_m, row.alt_hi_m),
        TimeWindow(from_us(row.t_start_us), opt_from_us(row.t_end_us)),
    )


def volume_values(
    volume: Volume4D, object_type: ObjectType, object_id: str, index: int, party: PartyId
) -> dict[str, Any]:
    """Column values of a ``volumes`` row."""
    return {
        "object_type": str(object_type),
        "object_id": object_id,
        "volume_index": index,
        "party_id": party,
        "outline": outline_to_text(volume.outline),
        "alt_lo_m": volume.altitude.lower_m,
        "alt_hi_m": volume.altitude.upper_m,
        "t_start_us": to_us(volume.time.start),
        "t_end_us": opt_to_us(volume.time.end),
    }


def notice_from_row(row: Any, volumes: Sequence[Volume4D]) -> Notice:
    """A Notice from a ``notices`` row and its volumes in index order."""
    return Notice(
        id=NoticeId(row.id),
        party=PartyId(row.party_id),
        kind=NoticeKind(row.kind),
        title=row.title,
        volumes=tuple(volumes),
        remarks=row.remarks,
        contact=row.contact,
        version=row.version,
        filed_at=from_us(row.filed_us),
        updated_at=from_us(row.updated_us),
        lead_time_s=row.lead_time_s,
        late_for=tuple(PartyId(p) for p in json.loads(row.late_for)),
        cancelled_at=opt_from_us(row.cancelled_us),
    )


def zone_from_row(row: Any, volume: Volume4D) -> Zone:
    """A Zone from a ``zones`` row and its volume."""
    return Zone(
        id=ZoneId(row.id),
        party=PartyId(row.party_id),
        kind=ZoneKind(row.kind),
        title=row.title,
        volume=volume,
        remarks=row.remarks,
        version=row.version,
        declared_at=from_us(row.declared_us),
        updated_at=from_us(row.updated_us),
        withdrawn_at=opt_from_us(row.withdrawn_us),
    )


def _ref(row: Any, side: str) -> ObjectRef:
    return ObjectRef(
        type=ObjectType(getattr(row, f"{side}_type")),
        id=getattr(row, f"{side}_id"),
        party=PartyId(getattr(row, f"{side}_party")),
        version=getattr(row, f"{side}_version"),
        volume_index=getattr(row, f"{side}_volume"),
    )


def _geojson(text: str) -> dict[str, object]:
    return cast(dict[str, object], json.loads(text))


def conflict_from_row(row: Any) -> Conflict:
    """A Conflict from a ``conflicts`` row."""
    return Conflict(
        id=ConflictId(row.id),
        a=_ref(row, "a"),
        b=_ref(row, "b"),
        window_start=from_us(row.window_start_us),
        window_end=opt_from_us(row.window_end_us),
        alt_lo_m=row.alt_lo_m,
        alt_hi_m=row.alt_hi_m,
        distance_m=row.distance_m,
        region=_geojson(row.region),
        region_a=None if row.region_a is None else _geojson(row.region_a),
        region_b=None if row.region_b is None else _geojson(row.region_b),
        detected_at=from_us(row.detected_us),
        expires_at=opt_from_us(row.expires_us),
        state=ConflictState(row.state),
        resolved_at=opt_from_us(row.resolved_us),
        resolved_reason=None
        if row.resolved_reason is None
        else ResolvedReason(row.resolved_reason),
    )


def _opt_json(value: dict[str, object] | None) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def conflict_values(conflict: Conflict) -> dict[str, Any]:
    """Column values of a ``conflicts`` row."""
    values: dict[str, Any] = {"id": conflict.id}
    for side, ref in (("a", conflict.a), ("b", conflict.b)):
        values |= {
            f"{side}_type": str(ref.type),
            f"{side}_id": ref.id,
            f"{side}_party": ref.party,
            f"{side}_version": ref.version,
            f"{side}_volume": ref.volume_index,
        }
    return values | {
        "window_start_us": to_us(conflict.window_start),
        "window_end_us": opt_to_us(conflict.window_end),
        "alt_lo_m": conflict.alt_lo_m,
        "alt_hi_m": conflict.alt_hi_m,
        "distance_m": conflict.distance_m,
        "region": json.dumps(conflict.region, separators=(",", ":")),
        "region_a": _opt_json(conflict.region_a),
        "region_b": _opt_json(conflict.region_b),
        "detected_us": to_us(conflict.detected_at),
        "expires_us": opt_to_us(conflict.expires_at),
        "state": str(conflict.state),
        "resolved_us": opt_to_us(conflict.resolved_at),
        "resolved_reason": None
        if conflict.resolved_reason is None
        else str(conflict.resolved_reason),
    }
