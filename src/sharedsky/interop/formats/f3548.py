"""ASTM F3548-21 operational intents out and in (``uas_standards.astm.f3548.v21.api``).

Out: ``{"operational_intents": [OperationalIntent, …]}``, one per notice that is filed
(``Accepted``) or active (``Activated``); F3548 has no state for an ended or cancelled intent
(the DSS forgets it), so none is written for those. ``reference.id`` and
``reference.subscription_id`` are version-4-formatted UUIDs derived from the notice's id (F3548
ids are UUIDs; the same notice always gets the same), ``manager`` the owner party,
``version`` the notice's, ``time_start``/``time_end`` the span of its volumes, ``uss_base_url``
``https://sharedsky.invalid`` (a mechanism is no USS: nothing is served there). ``details``
holds each volume as a ``Volume4D``: a circle as ``outline_circle``, a polygon (its exterior:
F3548 polygons have no holes, so a hole is filled, the conservative side) or a corridor's
containing polygon as ``outline_polygon`` (vertices not repeated), and the band as ellipsoid
heights (``W84``, metres: F3548 knows no other): a limit filed on W84 as filed (feet become
metres), any other widened to hold it wherever the geoid lies (``heights.w84_interval``), so
only a band filed on W84 comes back from an F3548 file as it was filed.

In: a list of operational intents, ``{"operational_intents": […]}``, one intent (or
``{"operational_intent": …}``), or bare ``Volume4D``s (a list, or ``{"volumes": […]}``): each
intent (checked with the ``OperationalIntent`` model) becomes a notice of its ``volumes`` and
``off_nominal_volumes``, bare volumes one notice; kind ``uav`` unless the options say, title
the options' or the intent's id. Altitudes are kept as filed: ellipsoid heights (``W84``, in
``M``) become W84 limits in metres, which the server resolves through the geoid under the
volume; a volume without altitudes or times takes the options'.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any

from implicitdict import ImplicitDict
from uas_standards.astm.f3548.v21 import api as f3548

from sharedsky.domain.errors import InvalidImport
from sharedsky.domain.priority import PriorityStatus, rank_of
from sharedsky.interop.formats.heights import Height, w84_interval
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

USS_BASE_URL = "https://sharedsky.invalid"
"""What ``uss_base_url`` says: a mechanism is no USS, and nothing is served there."""

STATES = {"planned": "Accepted", "active": "Activated"}
"""Notice status → OperationalIntentState; other statuses have no intent."""


def entity_id(text_id: str) -> str:
    """A version-4-formatted UUID derived from ``text_id`` (always the same for the same)."""
    digest = hashlib.sha256(text_id.encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _time(value: str) -> dict[str, str]:
    return {"value": value, "format": "RFC3339"}


def _centre(outline: v1.Outline) -> tuple[float, float]:
    if isinstance(outline, v1.CircleOutline):
        return outline.center
    ring = outline_rings(outline)[0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def _box(outline: v1.Outline) -> tuple[float, float, float, float]:
    """A box (min_lon, min_lat, max_lon, max_lat) that holds the outline, padded by 0.05°
    (over 3 km: more than a geodesic edge bulges, and the geoid's grid is 2.5')."""
    if isinstance(outline, v1.CircleOutline):
        lon, lat = outline.center
        dlat = outline.radius_m / 110_574.0
        dlon = outline.radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
        box = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    else:
        ring = outline_rings(outline)[0]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        box = (min(lons), min(lats), max(lons), max(lats))
    pad = 0.05
    return box[0] - pad, max(box[1] - pad, -90.0), box[2] + pad, min(box[3] + pad, 90.0)


def volume4d(volume: v1.Volume) -> dict[str, Any]:
    """One volume as an F3548 ``Volume4D`` (a dict)."""
    outline = volume.outline
    lower_m, upper_m = w84_interval(volume.altitude, _box(outline))
    if isinstance(outline, v1.CircleOutline):
        shape: dict[str, Any] = {
            "outline_circle": {
                "center": {"lng": outline.center[0], "lat": outline.center[1]},
                "radius": {"value": outline.radius_m, "units": "M"},
            }
        }
    else:
        exterior = outline_rings(outline)[0][:-1]
        shape = {"outline_polygon": {"vertices": [{"lng": x, "lat": y} for x, y in exterior]}}
    start, end = volume.time.start, volume.time.end or volume.time.start
    return {
        "volume": shape
        | {
            "altitude_lower": {"value": lower_m, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": upper_m, "reference": "W84", "units": "M"},
        },
        "time_start": _time(_rfc3339(start)),
        "time_end": _time(_rfc3339(end)),
    }


def intents(export: ExportSet) -> list[dict[str, Any]]:
    """The export's current notices as F3548 operational intents (dicts)."""
    out = []
    for notice in export.notices:
        state = STATES.get(notice.status)
        if state is None or not notice.volumes:
            continue
        volumes = [volume4d(v) for v in notice.volumes]
        start = min(v.time.start for v in notice.volumes)
        end = max(v.time.end or v.time.start for v in notice.volumes)
        reference = {
            "id": entity_id(notice.id),
            "manager": notice.party,
            "uss_availability": "Normal",
            "version": notice.version,
            "state": state,
            "time_start": _time(_rfc3339(start)),
            "time_end": _time(_rfc3339(end)),
            "uss_base_url": USS_BASE_URL,
            "subscription_id": entity_id(f"subscription:{notice.id}"),
        }
        # F3548 priority: higher values are given way to, as our ranks (none 0 … emergency 4)
        details = {"volumes": volumes, "off_nominal_volumes": [], "priority": _rank(notice)}
        out.append({"reference": reference, "details": details})
    return out


def _rank(notice: v1.NoticeOut) -> int:
    """A notice's priority as F3548 orders intents: none 0, humanitarian 1 … emergency 4."""
    status = notice.priority_status
    return rank_of(None if status is None else PriorityStatus(status))


def _rfc3339(moment: datetime) -> str:
    """``moment`` in RFC 3339, UTC, with ``Z`` (F3548 wants the zone so)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def write(export: ExportSet) -> bytes:
    """The export's notices as ``{"operational_intents": [...]}`` (UTF-8 JSON)."""
    document = {"operational_intents": intents(export)}
    return json.dumps(document, ensure_ascii=False, allow_nan=False).encode()


# -- in ---------------------------------------------------------------------------------------


def _height(value: Any) -> Height | None:
    given = mapping(value)
    number = given.get("value")
    if not isinstance(number, int | float) or isinstance(number, bool):
        return None
    return Height(float(number), str(given.get("units", "M")), str(given.get("reference", "W84")))


def _outline(volume3d: Any) -> dict[str, Any] | None:
    circle = mapping(volume3d.get("outline_circle"))
    polygon = mapping(volume3d.get("outline_polygon"))
    if circle:
        centre = mapping(circle.get("center"))
        radius = mapping(circle.get("radius"))
        return {
            "type": "Circle",
            "center": [centre.get("lng"), centre.get("lat")],
            "radius_m": radius.get("value"),
        }
    vertices = [mapping(p) for p in polygon.get("vertices") or []]
    if vertices:
        ring = [[p.get("lng"), p.get("lat")] for p in vertices]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return None


def _add_volume(
    into: Assembly, index: int, volume: Any, group: str, order: int, title: str | None
) -> bool:
    volume = mapping(volume)
    volume3d = mapping(volume.get("volume"))
    outline = _outline(volume3d)
    if outline is None:
        into.problem(index, "a Volume4D needs an outline_circle or an outline_polygon", ("volume",))
        return False
    lower, upper = _height(volume3d.get("altitude_lower")), _height(volume3d.get("altitude_upper"))
    band = into.band(index, lower, upper)
    if band is None and (lower is not None or upper is not None):
        return False
    start = mapping(volume.get("time_start")).get("value")
    end = mapping(volume.get("time_end")).get("value")
    into.add(
        Piece(
            index=index,
            outline=outline,
            altitude=band,
            time=None if start is None else {"start": start, "end": end},
            object="notice",
            group=group,
            order=order,
            kind=into.options.kind or "uav",
            title=title,
        )
    )
    return True


def read(data: bytes, options: ReadOptions) -> Parsed:
    """The notices of an F3548 file: operational intents, or bare Volume4Ds."""
    document = json_document(data, "F3548")
    found = mapping(document)
    if isinstance(document, list) and document and all("volume" in mapping(v) for v in document):
        return _bare(document, options)
    if "volumes" in found and "reference" not in found:
        return _bare(found["volumes"], options)
    if isinstance(document, list):
        listed: list[Any] = document
    elif isinstance(found.get("operational_intents"), list):
        listed = found["operational_intents"]
    elif "operational_intent" in found:
        listed = [found["operational_intent"]]
    elif "reference" in found:
        listed = [found]
    else:
        raise InvalidImport("the file holds no F3548 operational intents nor Volume4Ds", ("body",))
    into = Assembly("f3548", options)
    for index, intent in enumerate(listed):
        try:
            ImplicitDict.parse(intent, f3548.OperationalIntent)
        except (ValueError, TypeError, KeyError) as exc:
            into.problem(
                index, f"not an F3548 operational intent: {exc}", ("operational_intents", index)
            )
            continue
        reference = mapping(mapping(intent).get("reference"))
        details = mapping(mapping(intent).get("details"))
        ident = text(reference.get("id")) or str(index)
        title = f"F3548 operational intent {ident}"
        volumes = [*(details.get("volumes") or []), *(details.get("off_nominal_volumes") or [])]
        if not volumes:
            into.problem(index, "the operational intent has no volumes", ("details", "volumes"))
            continue
        for order, volume in enumerate(volumes):
            if not _add_volume(into, index, volume, f"intent {index}", order, title):
                break
    return into.parsed()


def _bare(volumes: Any, options: ReadOptions) -> Parsed:
    into = Assembly("f3548", options)
    if not isinstance(volumes, list):
        raise InvalidImport("volumes is not a list of Volume4Ds", ("body",))
    for index, volume in enumerate(volumes):
        try:
            ImplicitDict.parse(volume, f3548.Volume4D)
        except (ValueError, TypeError, KeyError) as exc:
            into.problem(index, f"not an F3548 Volume4D: {exc}", (index,))
            continue
        _add_volume(into, index, volume, "volumes", index, None)
    return into.parsed()
