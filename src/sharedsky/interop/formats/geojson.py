"""GeoJSON (RFC 7946) out and in.

Out: one FeatureCollection of the caller's picture. A feature per notice volume and per zone
(``properties.object`` ``notice`` or ``zone``): its outline as a Polygon (a circle or corridor
as the polygon that contains it, ``polygons.py``, its exact parameters in
``properties.outline``), the band as filed and as an AMSL interval (``heights.band_fields``),
the window, party (with its name and colour), kind, title, ids, version and status; a feature
per conflict (``object: conflict``, the clash region as geometry) and per live track
(``object: track``, a Point). Coordinates are [lon, lat] without a third number: RFC 7946
would read it as a height above the ellipsoid, and sharedsky's bands are above sea level.

In: Features whose geometry is a Polygon or MultiPolygon (one volume per polygon), a Point with
``properties.radius_m`` (a circle) or a LineString with ``properties.half_width_m`` (a
corridor); ``properties.outline`` (as written out) wins over the geometry. The band from
``properties.altitude`` (the wire form) or ``properties.lower`` / ``upper`` (``{"value",
"unit", "reference"}`` or ``{"special": "SFC" | "UNL"}``), kept as filed
(``heights.band_from``), the window from ``properties.time`` (or ``start`` / ``end``); what a
feature leaves out, the options give. Features of one exported notice (``object: notice`` with
the same ``id``) become one notice again, volumes in ``volume_index`` order; conflicts and
tracks are left out (counted as ignored).
"""

from __future__ import annotations

import json
from typing import Any

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats.heights import FileLimit, Height, Named, band_fields
from sharedsky.interop.formats.model import ExportSet
from sharedsky.interop.formats.polygons import outline_rings
from sharedsky.interop.formats.reading import (
    Assembly,
    Parsed,
    Piece,
    ReadOptions,
    json_document,
    mapping,
    text,
)
from sharedsky.wire import v1

# -- out --------------------------------------------------------------------------------------


def _geometry(outline: v1.Outline) -> dict[str, Any]:
    rings = outline_rings(outline)
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in rings]}


def _exact(outline: v1.Outline) -> dict[str, Any]:
    """The exact parameters of a circle or corridor (a polygon is its own geometry)."""
    if isinstance(outline, v1.PolygonOutline):
        return {}
    return {"outline": outline.model_dump(mode="json")}


def _volume_properties(volume: v1.Volume) -> dict[str, Any]:
    """The volume's band and window; a scheduled volume's window is its envelope (every
    occurrence within it: a reader that knows no schedule errs on the safe side) and its
    ``schedule`` comes beside it, which an import files again."""
    properties = {
        **_exact(volume.outline),
        **band_fields(volume.altitude),
        "time": volume.time.model_dump(mode="json"),
    }
    if volume.schedule is not None:
        properties["schedule"] = volume.schedule.model_dump(mode="json", by_alias=True)
    return properties


def features(export: ExportSet) -> list[dict[str, Any]]:
    """The features of ``export``: notice volumes, zones, conflicts and tracks, in that order."""
    party = {p.id: p for p in export.parties}

    def who(party_id: str) -> dict[str, Any]:
        known = party.get(party_id)
        name, colour = (known.name, known.colour) if known else (party_id, None)
        return {"party": party_id, "party_name": name, "colour": colour}

    out: list[dict[str, Any]] = []
    for notice in export.notices:
        for volume in notice.volumes:
            props = {
                "object": "notice",
                "id": notice.id,
                "version": notice.version,
                **who(notice.party),
                "kind": notice.kind,
                "priority_status": notice.priority_status,
                "title": notice.title,
                "status": notice.status,
                "redacted": notice.redacted,
                "remarks": notice.remarks,
                "contact": notice.contact,
                "volume_index": volume.index,
                **_volume_properties(volume),
            }
            out.append(
                {"type": "Feature", "geometry": _geometry(volume.outline), "properties": props}
            )
    for zone in export.zones:
        props = {
            "object": "zone",
            "id": zone.id,
            "version": zone.version,
            **who(zone.party),
            "kind": zone.kind,
            "title": zone.title,
            "status": zone.status,
            "redacted": zone.redacted,
            "remarks": zone.remarks,
            **_volume_properties(zone.volume),
        }
        out.append(
            {"type": "Feature", "geometry": _geometry(zone.volume.outline), "properties": props}
        )
    for conflict in export.conflicts:
        region = conflict.region
        empty = not region.get("coordinates")
        props = {
            "object": "conflict",
            "id": conflict.id,
            "state": conflict.state,
            "own": conflict.own.model_dump(mode="json"),
            "with": conflict.with_.model_dump(mode="json"),
            **band_fields(conflict.altitude),
            "window": conflict.window.model_dump(mode="json"),
            "distance_m": conflict.distance_m,
            "detected_at": conflict.detected_at.isoformat(),
        }
        out.append({"type": "Feature", "geometry": None if empty else region, "properties": props})
    for track in export.tracks:
        props = {
            "object": "track",
            "id": track.id,
            **who(track.party),
            "time": track.time.isoformat(),
            "alt_m": track.alt_m,
            "gs_mps": track.gs_mps,
            "trk_deg": track.trk_deg,
            "vs_mps": track.vs_mps,
            "notice_id": track.notice_id,
        }
        point = {"type": "Point", "coordinates": [track.lon, track.lat]}
        out.append({"type": "Feature", "geometry": point, "properties": props})
    return out


def write(export: ExportSet) -> bytes:
    """The caller's picture as one GeoJSON FeatureCollection (UTF-8)."""
    document = {
        "type": "FeatureCollection",
        "features": features(export),
        "generated_at": export.generated_at.isoformat(),
        "viewer": export.viewer,
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False).encode()


# -- in ---------------------------------------------------------------------------------------


def _height(value: Any) -> FileLimit | None:
    given = mapping(value)
    if given.get("special") in ("SFC", "UNL"):
        return Named(given["special"])
    number = given.get("value")
    if not isinstance(number, int | float) or isinstance(number, bool):
        return None
    return Height(float(number), str(given.get("unit", "m")), str(given.get("reference", "")))


def _outlines(index: int, geometry: Any, props: Any, into: Assembly) -> list[dict[str, Any]]:
    exact = mapping(props.get("outline"))
    if exact.get("type") in ("Polygon", "Circle", "Corridor"):
        return [dict(exact)]
    shape = mapping(geometry)
    kind = shape.get("type")
    coordinates = shape.get("coordinates")
    if kind == "Polygon":
        return [{"type": "Polygon", "coordinates": coordinates}]
    if kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        return [{"type": "Polygon", "coordinates": part} for part in coordinates]
    if kind == "Point" and "radius_m" in props:
        return [{"type": "Circle", "center": coordinates, "radius_m": props["radius_m"]}]
    if kind == "LineString" and "half_width_m" in props:
        return [{"type": "Corridor", "path": coordinates, "half_width_m": props["half_width_m"]}]
    into.problem(
        index,
        f"geometry {kind or 'null'} is no volume outline: give a Polygon, a MultiPolygon, a"
        " Point with properties.radius_m or a LineString with properties.half_width_m",
        ("geometry",),
    )
    return []


def _time(props: Any) -> dict[str, Any] | None:
    window = mapping(props.get("time"))
    if "start" in window:
        return {"start": window["start"], "end": window.get("end")}
    if "start" in props:
        return {"start": props["start"], "end": props.get("end")}
    return None


def read(data: bytes, options: ReadOptions) -> Parsed:
    """The notices and zones of a GeoJSON FeatureCollection (or one Feature)."""
    document = mapping(json_document(data, "GeoJSON"))
    if document.get("type") == "Feature":
        found: list[Any] = [document]
    elif document.get("type") == "FeatureCollection" and isinstance(document.get("features"), list):
        found = document["features"]
    else:
        raise InvalidImport("the file is no GeoJSON FeatureCollection nor Feature", ("body",))
    into = Assembly("geojson", options)
    for index, feature in enumerate(found):
        props = mapping(mapping(feature).get("properties"))
        what = props.get("object")
        if what in ("conflict", "track"):
            into.ignored += 1
            continue
        altitude = mapping(props.get("altitude")) or None
        band = (
            dict(altitude)
            if altitude is not None
            else into.band(index, _height(props.get("lower")), _height(props.get("upper")))
        )
        identity = text(props.get("id"))
        order = props.get("volume_index")
        for part, outline in enumerate(
            _outlines(index, mapping(feature).get("geometry"), props, into)
        ):
            into.add(
                Piece(
                    index=index,
                    outline=outline,
                    altitude=band,
                    time=_time(props),
                    schedule=dict(mapping(props.get("schedule"))) or None,
                    object=what if what in ("notice", "zone") else None,
                    group=identity if what == "notice" and identity else f"feature {index}",
                    order=(order if isinstance(order, int) else index) * 1000 + part,
                    kind=text(props.get("kind")),
                    title=text(props.get("title")),
                    remarks=text(props.get("remarks")),
                    contact=text(props.get("contact")),
                    priority_status=text(props.get("priority_status")),
                )
            )
    return into.parsed()
