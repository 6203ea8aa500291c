"""EUROCAE ED-318 geographical zones out and in (the ``uas_standards.eurocae_ed318`` models).

Out: an ED-318 FeatureCollection of the caller's zones; with ``include=notices`` each notice
volume too. Each Feature's ``properties`` is a ``UASZone``: ``identifier`` the sharedsky id,
``country`` ``XXX`` (a mechanism spans no one state), ``name`` the title in the owner's
language, ``type`` and ``reason`` from the kind (table below), ``limitedApplicability`` the
window (no ``endDateTime`` when open-ended), ``zoneAuthority`` the owner (``NOTIFICATION``),
``message`` the remarks, and ``extendedProperties.sharedsky`` what ED-318 cannot say (the
object, kind, party, version, status, a notice's volume index, a corridor's exact outline).
The geometry is a Polygon, or a Point with a Circle ``extent``, with its ``layer``: the band as
filed when ED-318 can say it (both limits in one unit, ``m`` or ``ft``, on ``AMSL``, ``AGL`` or
``WGS84``; ``SFC`` as 0 ``AGL``), else its AMSL interval in metres (a flight level or ``UNL``:
ED-318 has no standard-pressure reference and no unlimited). A band filed on its datums is also
in ``extendedProperties.sharedsky.altitude`` (the wire form), which an import reads first, so
that sharedsky's own export comes back exactly as filed.

Zone kinds and ED-318 zone types (``ZONE_TYPES``; ED-269's restriction reads the same):

=============  ==============================  ==========================================
sharedsky      written as (type, reason)       read from (type / ED-269 restriction)
=============  ==============================  ==========================================
protected      PROHIBITED, SENSITIVE           PROHIBITED
red_line       PROHIBITED, SENSITIVE           (only from ``extendedProperties``)
restricted     REQ_AUTHORIZATION, OTHER        REQ_AUTHORIZATION, CONDITIONAL
notice volume  CONDITIONAL, OTHER              (``extendedProperties`` object ``notice``)
=============  ==============================  ==========================================

``NO_RESTRICTION`` and ``USPACE`` zones ask nothing of anyone: a per-feature problem. A
``red_line`` is a party's declaration, not a property of airspace, so no foreign zone type
becomes one; ``extendedProperties.sharedsky.kind`` (as written out) wins over the table.

In: each Feature, checked against ``uas_standards``' ``Feature`` model, becomes a zone (or,
when its ``extendedProperties`` say so or the options ask, a notice): the band from the
geometry's ``layer`` kept as filed (metres or feet on ``AMSL``, ``AGL``, which needs the
mechanism's terrain bounds, or ``WGS84``; ``extendedProperties.sharedsky.altitude`` wins), the
window from each ``limitedApplicability`` period (a zone per period; daily schedules are
refused), the title from ``name``.
"""

from __future__ import annotations

import json
from typing import Any

from implicitdict import ImplicitDict
from uas_standards import eurocae_ed318 as ed318

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats.heights import Height, amsl_interval
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

COUNTRY = "XXX"
"""ISO 3166 alpha-3 has no code for a mechanism's area; ``XXX`` (unspecified) is written."""

ZONE_TYPES = {
    "protected": ("PROHIBITED", "SENSITIVE"),
    "red_line": ("PROHIBITED", "SENSITIVE"),
    "restricted": ("REQ_AUTHORIZATION", "OTHER"),
}
"""sharedsky zone kind → (ED-318 zone type, reason) written."""

NOTICE_TYPE = ("CONDITIONAL", "OTHER")
"""(ED-318 zone type, reason) of a notice volume written as a zone."""

KIND_OF_TYPE = {
    "PROHIBITED": "protected",
    "REQ_AUTHORIZATION": "restricted",
    "REQ_AUTHORISATION": "restricted",
    "CONDITIONAL": "restricted",
}
"""ED-318 zone type (or ED-269 restriction) → the sharedsky zone kind read."""


def zone_kind(zone_type: str) -> str | None:
    """The sharedsky zone kind of an ED-318 zone type or ED-269 restriction; None: none."""
    return KIND_OF_TYPE.get(zone_type.strip().upper())


# -- out --------------------------------------------------------------------------------------


def _text(value: str, lang: str) -> list[dict[str, str]]:
    return [{"text": value, "lang": lang}]


_LAYER_REFERENCES = {"AMSL": "AMSL", "AGL": "AGL", "W84": "WGS84"}
"""Wire reference → ED-318 ``CodeVerticalReferenceType`` (no STD: ED-318 has no flight level)."""


def _layer_limit(limit: v1.HeightLimit | v1.SpecialLimit) -> tuple[float, str, str | None] | None:
    """(value, reference, unit) of a limit ED-318 can say (SFC: 0 AGL in any unit); None."""
    if isinstance(limit, v1.SpecialLimit):
        return (0.0, "AGL", None) if limit.special == "SFC" else None
    reference = _LAYER_REFERENCES.get(limit.reference or "AMSL")
    if limit.unit == "FL" or reference is None:
        return None
    return limit.value, reference, limit.unit


def layer(altitude: v1.Altitude | v1.FiledAltitude) -> dict[str, Any]:
    """An ED-318 ``VerticalLayer``: the band as filed when both limits fit one unit and
    ED-318's references, else its AMSL interval in metres."""
    if isinstance(altitude, v1.FiledAltitude):
        low, high = _layer_limit(altitude.lower), _layer_limit(altitude.upper)
        if low is not None and high is not None:
            units = {unit for _, _, unit in (low, high) if unit is not None}
            if len(units) <= 1:
                return _layer(low[0], low[1], high[0], high[1], min(units, default="m"))
    lower_m, upper_m = amsl_interval(altitude)
    return _layer(lower_m, "AMSL", upper_m, "AMSL", "m")


def _layer(lower: float, lower_ref: str, upper: float, upper_ref: str, uom: str) -> dict[str, Any]:
    return {
        "upper": upper,
        "upperReference": upper_ref,
        "lower": lower,
        "lowerReference": lower_ref,
        "uom": uom,
    }


def _geometry(volume: v1.Volume) -> dict[str, Any]:
    layer_ = layer(volume.altitude)
    outline = volume.outline
    if isinstance(outline, v1.CircleOutline):
        return {
            "type": "Point",
            "coordinates": list(outline.center),
            "extent": {"subType": "Circle", "radius": outline.radius_m},
            "layer": layer_,
        }
    rings = outline_rings(outline)
    return {
        "type": "Polygon",
        "coordinates": [[list(p) for p in r] for r in rings],
        "layer": layer_,
    }


def _period(volume: v1.Volume) -> dict[str, str]:
    time = volume.time.model_dump(mode="json")
    period = {"startDateTime": time["start"]}
    if time["end"] is not None:
        period["endDateTime"] = time["end"]
    return period


def _feature(
    identifier: str,
    title: str,
    zone_type: tuple[str, str],
    volume: v1.Volume,
    party: v1.PartyOut,
    remarks: str,
    extended: dict[str, Any],
    dates: tuple[str, str],
) -> dict[str, Any]:
    lang = party.language
    exact = volume.outline if isinstance(volume.outline, v1.CorridorOutline) else None
    sharedsky = extended | ({"outline": exact.model_dump(mode="json")} if exact else {})
    if isinstance(volume.altitude, v1.FiledAltitude):
        sharedsky["altitude"] = volume.altitude.model_dump(mode="json")
    zone: dict[str, Any] = {
        "identifier": identifier,
        "country": COUNTRY,
        "name": _text(title or identifier, lang),
        "type": zone_type[0],
        "variant": "COMMON",
        "reason": [zone_type[1]],
        "limitedApplicability": [_period(volume)],
        "zoneAuthority": [{"purpose": "NOTIFICATION", "name": _text(party.name, lang)}],
        "extendedProperties": {"sharedsky": sharedsky},
        "dataSource": {
            "creationDateTime": dates[0],
            "updateDateTime": dates[1],
            "originator": party.id,
        },
    }
    if remarks:
        zone["message"] = _text(remarks, lang)
    return {"type": "Feature", "properties": zone, "geometry": _geometry(volume)}


def collection(export: ExportSet) -> dict[str, Any]:
    """The ED-318 FeatureCollection (a dict) of the export's zones and notice volumes."""
    parties = {p.id: p for p in export.parties}

    def party(party_id: str) -> v1.PartyOut:
        return parties.get(party_id) or v1.PartyOut(
            id=party_id, name=party_id, language="en", colour="#808080"
        )

    features = []
    for zone in export.zones:
        extended = {"object": "zone", "kind": zone.kind, "party": zone.party,
                    "version": zone.version, "status": zone.status}  # fmt: skip
        dates = (zone.declared_at.isoformat(), zone.updated_at.isoformat())
        features.append(
            _feature(
                zone.id,
                zone.title,
                ZONE_TYPES[zone.kind],
                zone.volume,
                party(zone.party),
                zone.remarks,
                extended,
                dates,
            )
        )
    for notice in export.notices:
        dates = (notice.filed_at.isoformat(), notice.updated_at.isoformat())
        for volume in notice.volumes:
            extended = {"object": "notice", "id": notice.id, "kind": notice.kind,
                        "party": notice.party, "version": notice.version,
                        "status": notice.status, "volume_index": volume.index}  # fmt: skip
            features.append(
                _feature(
                    f"{notice.id}#{volume.index}",
                    notice.title,
                    NOTICE_TYPE,
                    volume,
                    party(notice.party),
                    notice.remarks,
                    extended,
                    dates,
                )
            )
    for number, feature in enumerate(features):
        # a Feature's id is declared int | str, which implicitdict reads as an int: the
        # sharedsky id is the zone's identifier
        feature["id"] = number
    name = export.mechanism.mechanism if export.mechanism else "sharedsky"
    return {
        "type": "FeatureCollection",
        "name": name,
        "title": f"{name}: zones as {export.viewer} sees them",
        "metadata": {
            "provider": _text(name, "en"),
            "issued": export.generated_at.isoformat(),
            "description": _text(f"sharedsky export for {export.viewer}", "en"),
        },
        "features": features,
    }


_GEOMETRIES = {
    "Point": ed318.Point,
    "LineString": ed318.LineString,
    "Polygon": ed318.Polygon,
    "MultiPoint": ed318.MultiPoint,
    "MultiLineString": ed318.MultiLineString,
    "MultiPolygon": ed318.MultiPolygon,
    "GeometryCollection": ed318.GeometryCollection,
}


def check_feature(feature: Any) -> None:
    """Parse one Feature with ``uas_standards``' ED-318 models; ValueError, TypeError or
    KeyError saying where it does not fit.

    Two parts are parsed apart, around what ``implicitdict`` cannot do with these models: the
    geometry, declared a union that it reads as its first member (a Point), is parsed with
    the model its ``type`` names; ``extendedProperties``, declared ``dict[str, Any]`` (free
    form in ED-318), cannot be instantiated and is only checked to be an object."""
    if not isinstance(feature, dict):
        raise TypeError("a feature is a JSON object")
    props = feature.get("properties")
    rest = dict(feature, geometry=None, id=None)
    if isinstance(props, dict) and "extendedProperties" in props:
        if not isinstance(props["extendedProperties"], dict | None):
            raise ValueError("At properties.extendedProperties: not an object")
        rest["properties"] = {k: v for k, v in props.items() if k != "extendedProperties"}
    ImplicitDict.parse(rest, ed318.Feature)
    geometry = feature.get("geometry")
    if geometry is not None:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        model = _GEOMETRIES.get(str(kind))
        if model is None:
            raise ValueError(f"At geometry.type: {kind!r} is no GeoJSON geometry type")
        ImplicitDict.parse(geometry, model)


def check_document(document: Any) -> None:
    """Parse a whole ED-318 document with ``ED318Schema.from_dict``, each feature as
    ``check_feature`` does; ValueError, TypeError or KeyError when it does not fit."""
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise TypeError("an ED-318 document is a FeatureCollection object")
    for feature in document["features"]:
        check_feature(feature)
    ed318.ED318Schema.from_dict(dict(document, features=[]))


def write(export: ExportSet) -> bytes:
    """The export's zones (and notice volumes) as one ED-318 document (UTF-8 JSON)."""
    return json.dumps(collection(export), ensure_ascii=False, allow_nan=False).encode()


# -- in ---------------------------------------------------------------------------------------


def _height(value: Any, reference: Any, unit: Any) -> Height | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return Height(float(value), str(unit or "m"), str(reference or ""))


def _outline(geometry: Any) -> list[dict[str, Any]] | str:
    """The wire outlines of an ED-318 geometry, or why there are none."""
    shape = mapping(geometry)
    kind = shape.get("type")
    coordinates = shape.get("coordinates")
    extent = mapping(shape.get("extent"))
    if kind == "Polygon":
        return [{"type": "Polygon", "coordinates": coordinates}]
    if kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        return [{"type": "Polygon", "coordinates": part} for part in coordinates]
    if kind == "Point" and extent.get("subType") == "Circle":
        return [{"type": "Circle", "center": coordinates, "radius_m": extent.get("radius")}]
    return (
        f"geometry {kind or 'null'} is no zone outline: a Polygon, a MultiPolygon or a Point"
        " with a Circle extent"
    )


def read(data: bytes, options: ReadOptions) -> Parsed:
    """The zones (and notices) of an ED-318 FeatureCollection."""
    document = mapping(json_document(data, "ED-318"))
    features = document.get("features")
    if document.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise InvalidImport("the file is no ED-318 FeatureCollection", ("body",))
    into = Assembly("ed318", options)
    for index, feature in enumerate(features):
        try:
            check_feature(feature)
        except (ValueError, TypeError, KeyError) as exc:
            into.problem(index, f"not an ED-318 feature: {exc}", ("features", index))
            continue
        _read_feature(index, mapping(feature), into)
    return into.parsed()


def _read_feature(index: int, feature: Any, into: Assembly) -> None:
    props = mapping(feature.get("properties"))
    geometry = mapping(feature.get("geometry"))
    ours = mapping(mapping(props.get("extendedProperties")).get("sharedsky"))
    what = ours.get("object") or into.options.object or "zone"
    kind = text(ours.get("kind"))
    if kind is None and what == "zone":
        zone_type = str(props.get("type", ""))
        kind = zone_kind(zone_type)
        if kind is None and into.options.kind is None:
            into.problem(
                index,
                f"zone type {zone_type} asks nothing of anyone: no sharedsky zone kind",
                ("properties", "type"),
            )
            return
    given = mapping(geometry.get("layer"))
    band: dict[str, Any] | None = dict(mapping(ours.get("altitude"))) or None
    if band is None and given:
        unit = given.get("uom")
        band = into.band(
            index,
            _height(given.get("lower"), given.get("lowerReference"), unit),
            _height(given.get("upper"), given.get("upperReference"), unit),
        )
        if band is None:
            return
    exact = mapping(ours.get("outline"))
    outlines = [dict(exact)] if exact.get("type") else _outline(geometry)
    if isinstance(outlines, str):
        into.problem(index, outlines, ("geometry",))
        return
    periods = [mapping(p) for p in props.get("limitedApplicability") or []]
    if any(p.get("schedule") for p in periods):
        into.problem(
            index, "daily schedules are not supported yet", ("properties", "limitedApplicability")
        )
        return
    times: list[dict[str, Any] | None] = [
        {"start": p["startDateTime"], "end": p.get("endDateTime")}
        for p in periods
        if p.get("startDateTime")
    ] or [None]
    names = props.get("name") or []
    title = text(mapping(names[0]).get("text")) if names else None
    messages = props.get("message") or []
    remarks = text(mapping(messages[0]).get("text")) if messages else None
    group = text(ours.get("id")) if what == "notice" else None
    order = ours.get("volume_index")
    for period, time in enumerate(times):
        for part, outline in enumerate(outlines):
            into.add(
                Piece(
                    index=index,
                    outline=outline,
                    altitude=band,
                    time=time,
                    object="notice" if what == "notice" else "zone",
                    group=group or f"feature {index}/{period}",
                    order=(order if isinstance(order, int) else index) * 1000 + part,
                    kind=kind,
                    title=title or text(props.get("identifier")),
                    remarks=remarks,
                )
            )
