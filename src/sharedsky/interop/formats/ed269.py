"""EUROCAE ED-269 UAS zones in (the ``uas_standards.eurocae_ed269`` models); no export: ED-318
replaces it.

Each ``UASZoneVersion`` of ``features``, checked against the model, becomes a zone per
airspace volume of its ``geometry`` and per ``applicability`` period: the kind from its
``restriction`` (``PROHIBITED`` protected; ``REQ_AUTHORISATION`` and ``CONDITIONAL``
restricted; ``NO_RESTRICTION`` a per-feature problem: docs/formats.md, ``ed318.ZONE_TYPES``),
the title from ``name`` (else ``identifier``), the remarks from ``message``. A volume's
``horizontalProjection`` is a Polygon (``coordinates``) or a Circle (``center``, ``radius`` in
``uomDimensions``), positions [longitude, latitude]; its limits are in ``uomDimensions`` (``M``,
``FT``) on their ``lowerVerticalReference`` / ``upperVerticalReference`` (``AMSL`` or ``AGL``),
kept as filed (an AGL limit needs the mechanism's terrain bounds); a missing lower limit is the
surface (``SFC``), a missing upper one unlimited (``UNL``). ED-269 has no flight levels. A
``permanent: YES`` period without times takes the window of the options.
"""

from __future__ import annotations

from typing import Any

from implicitdict import ImplicitDict
from uas_standards import eurocae_ed269 as ed269

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats.ed318 import zone_kind
from sharedsky.interop.formats.heights import SFC, UNL, FileLimit, Height
from sharedsky.interop.formats.reading import (
    Assembly,
    Parsed,
    Piece,
    ReadOptions,
    json_document,
    mapping,
    text,
)
from sharedsky.units import FT_M

_UNIT = {"M": "m", "FT": "ft"}


def read(data: bytes, options: ReadOptions) -> Parsed:
    """The zones of an ED-269 document."""
    document = mapping(json_document(data, "ED-269"))
    features = document.get("features")
    if not isinstance(features, list):
        raise InvalidImport("the file is no ED-269 document: it has no features", ("body",))
    into = Assembly("ed269", options)
    for index, feature in enumerate(features):
        try:
            ImplicitDict.parse(feature, ed269.UASZoneVersion)
        except (ValueError, TypeError, KeyError) as exc:
            into.problem(index, f"not an ED-269 UAS zone: {exc}", ("features", index))
            continue
        _read_zone(index, mapping(feature), into)
    return into.parsed()


def _limit(volume: Any, name: str) -> FileLimit:
    """A volume's ``lower`` or ``upper`` limit; none given: the surface or unlimited."""
    value = volume.get(f"{name}Limit")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return SFC if name == "lower" else UNL
    unit = _UNIT.get(str(volume.get("uomDimensions", "")).upper(), str(volume.get("uomDimensions")))
    return Height(float(value), unit, str(volume.get(f"{name}VerticalReference", "")))


def _outline(projection: Any, unit: str) -> dict[str, Any] | None:
    kind = projection.get("type")
    if kind == "Polygon":
        coordinates = projection.get("coordinates")
        return {"type": "Polygon", "coordinates": coordinates}
    if kind == "Circle":
        radius = projection.get("radius")
        scale = FT_M if unit.upper() == "FT" else 1.0
        radius_m = radius * scale if isinstance(radius, int | float) else radius
        return {"type": "Circle", "center": projection.get("center"), "radius_m": radius_m}
    return None


def _read_zone(index: int, zone: Any, into: Assembly) -> None:
    restriction = str(zone.get("restriction", ""))
    kind = zone_kind(restriction)
    if kind is None and into.options.kind is None:
        into.problem(
            index, f"restriction {restriction} asks nothing of anyone: no sharedsky zone kind",
            ("restriction",),
        )  # fmt: skip
        return
    periods = [mapping(p) for p in zone.get("applicability") or []]
    if any(p.get("schedule") for p in periods):
        into.problem(index, "daily schedules are not supported yet", ("applicability",))
        return
    times: list[dict[str, Any] | None] = [
        {"start": p["startDateTime"], "end": p.get("endDateTime")}
        for p in periods
        if p.get("startDateTime")
    ] or [None]
    pieces = []
    for number, volume in enumerate(mapping(v) for v in zone.get("geometry") or []):
        band = into.band(index, _limit(volume, "lower"), _limit(volume, "upper"))
        if band is None:
            return
        outline = _outline(
            mapping(volume.get("horizontalProjection")), str(volume.get("uomDimensions", "M"))
        )
        if outline is None:
            into.problem(
                index,
                f"geometry {number}: a projection is a Polygon or a Circle",
                ("geometry", number),
            )
            return
        pieces.append((outline, band))
    title = text(zone.get("name")) or text(zone.get("identifier"))
    for period, time in enumerate(times):
        for number, (outline, band) in enumerate(pieces):
            into.add(
                Piece(
                    index=index,
                    outline=outline,
                    altitude=band,
                    time=time,
                    object="zone",
                    group=f"feature {index}/{period}/{number}",
                    kind=kind,
                    title=title,
                    remarks=text(zone.get("message")),
                )
            )
