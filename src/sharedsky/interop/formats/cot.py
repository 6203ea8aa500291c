"""Cursor on Target 2.0: the caller's picture as CoT events, for TAK clients and servers.

One event per object, each with a ``uid`` that stays the same from one export (or one
``cot push`` refresh) to the next, so that a TAK client moves or redraws what it shows instead
of adding a copy:

============  ===========================================  ==================================
object        CoT ``type`` and shape                        ``uid``
============  ===========================================  ==================================
track         ``a-f-A`` (the caller's own) or ``a-n-A``      ``sharedsky.M.track.PARTY.ID``
              (another party's), ``how="m-r"``, point with
              ``<track course speed>``
notice        one event per volume: ``u-d-c-c`` for a        ``sharedsky.M.notice.ID.INDEX``
              circle, ``u-d-f`` (closed, ``<link point>``
              per vertex) for a polygon or corridor
zone          as a notice volume                            ``sharedsky.M.zone.ID``
conflict      ``u-d-f`` per polygon of the region the        ``sharedsky.M.conflict.ID.K``
              caller may see, drawn in red
============  ===========================================  ==================================

(``M`` is the mechanism's name, lower case with anything but letters, digits, ``-`` and ``_``
made ``-``; ``sharedsky.ID...`` when the export carries no mechanism.)

Times: ``time`` is when the picture was read (``generated_at``), except a track's, which is
the time of its state. A track is ``start``-ed at its state's time and ``stale`` 20 s later
(`TRACK_STALE_S`, the server's default ``track_max_age_s``: a state older than that has left
the live picture too). A shape starts at its window's start and goes stale at its end; an
open-ended zone or conflict is stale `OPEN_STALE_S` (a day) after ``generated_at`` (``cot
push`` renews it long before). A volume, zone or conflict whose window has ended by
``generated_at``, a cancelled or ended notice, a withdrawn or expired zone and a resolved
conflict are left out: CoT shows what is current.

Positions: ``<point lat lon hae ce le>``; a track's ``hae`` is its altitude (metres above
mean sea level, the wire's ``alt_m``; see `track_hae_m` for the datum), its ``ce`` and ``le``
``9999999.0`` (unknown: the parties do not report their sensors' accuracy). A shape's point
is the middle of its outline (a circle's centre) with ``hae``, ``ce`` and ``le`` unknown; its
band goes into ``<remarks>`` and into ``<__sharedsky lower_m upper_m>``, as TAK drawings have
no vertical extent.

Shapes: polygons are drawn through their exterior ring's vertices, each geodesic edge cut
into pieces of at most 10 km (a TAK client draws straight lines; a 10 km piece bends less
than 2 m from the geodesic at 35° of latitude); holes are not drawn (a drawing holds one
ring), so the drawn area covers the filed one. A corridor is drawn as its area (the path
buffered by its half-width, round ends); a circle as an ellipse whose axes are its radius.
Colours are the party's (``strokeColor``, ``fillColor`` at 25 % opacity, ``color`` of a
track), as signed 32-bit ARGB integers as TAK writes them; a conflict is red.

``<__sharedsky>`` in ``<detail>`` names the object as the API does (``object``, ``id``,
``party``, ``version``, ``kind``, ``index``, the band and the window), for a consumer that
wants to tell them apart beyond the drawing.

``write`` returns one XML document, ``<events generated viewer mechanism>`` holding every
event in order (tracks, notices, zones, conflicts). A TAK stream has no such root: it is the
events back to back, which `events` yields one by one (`CotEvent.xml`, without an XML
declaration) for ``cot push`` and any other sender.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
import pytak

from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    outline_centre,
    outline_from_geojson,
)
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import densify, shape_to_geojson, to_shape
from sharedsky.interop.formats.heights import amsl_interval, band_text
from sharedsky.interop.formats.model import ExportSet
from sharedsky.wire import v1

ObjectType = Literal["track", "notice", "zone", "conflict", "deletion"]

TRACK_STALE_S = 20.0
"""A track's event goes stale this long after its state's time, seconds."""
OPEN_STALE_S = 86_400.0
"""An open-ended zone's or conflict's event goes stale this long after the export, seconds."""
UNKNOWN = 9_999_999.0
"""CoT's value for an unknown ``hae``, ``ce`` or ``le``."""
EDGE_M = 10_000.0
"""Longest drawn piece of a polygon's geodesic edge, metres."""
CONFLICT_COLOUR = "#D00000"
"""The red every map draws conflicts in."""
_FILL_ALPHA = 0x40
_DELETE_S = timedelta(seconds=TRACK_STALE_S)
_OTHER_COLOUR = "#808080"
"""A party missing from the export's list (never expected): grey."""
_DECIMALS = 7
"""Digits after the point of a latitude or longitude (1 cm)."""


@dataclass(frozen=True, slots=True)
class CotEvent:
    """One CoT event and what it stands for."""

    uid: str
    object: ObjectType
    marker: str
    """Changes exactly when the object changes (a track's state time, a notice's version and
    status …): a sender re-sends an event whose marker moved."""
    xml: bytes
    """``<event …>…</event>``, UTF-8, no XML declaration."""


def write(export: ExportSet) -> bytes:
    """The export as one CoT XML document: ``<events>`` holding every event of `events`."""
    root = ET.Element("events")
    root.set("generated", cot_time(export.generated_at))
    root.set("viewer", export.viewer)
    if export.mechanism is not None:
        root.set("mechanism", export.mechanism.mechanism)
    for _, element in _elements(export):
        root.append(element)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return document + b"\n"


def events(export: ExportSet) -> Iterator[CotEvent]:
    """Each event of the export, in `write`'s order, as bytes ready to stream to a TAK server."""
    for head, element in _elements(export):
        xml: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
        yield CotEvent(head.uid, head.object, head.marker, xml)


@dataclass(frozen=True, slots=True)
class _Head:
    uid: str
    object: ObjectType
    marker: str


def _elements(export: ExportSet) -> Iterator[tuple[_Head, ET.Element]]:
    """Each event of the export as an element, with its uid, object type and marker."""
    colours = {p.id: p.colour for p in export.parties}
    if export.mechanism is not None:
        colours |= {p.id: p.colour for p in (export.mechanism.host, *export.mechanism.parties)}
    prefix = _prefix(export)
    now = export.generated_at
    for track in export.tracks:
        yield _track(track, export.viewer, prefix, colours)
    for notice in export.notices:
        if notice.status in ("cancelled", "ended"):
            continue
        for volume in notice.volumes:
            end = volume.time.end
            if end is not None and end <= now:
                continue
            head = _Head(
                f"{prefix}.notice.{notice.id}.{volume.index}",
                "notice",
                f"{notice.version}.{notice.status}",
            )
            about = _About(
                "notice",
                notice.id,
                notice.party,
                notice.version,
                notice.kind,
                _label(notice.title, notice.kind, notice.party),
                volume.index,
                notice.priority_status,
            )
            yield head, _shape(head, about, volume, now, colours.get(notice.party, _OTHER_COLOUR))
    for zone in export.zones:
        end = zone.volume.time.end
        if zone.status != "active" or (end is not None and end <= now):
            continue
        head = _Head(f"{prefix}.zone.{zone.id}", "zone", f"{zone.version}.{zone.status}")
        about = _About(
            "zone",
            zone.id,
            zone.party,
            zone.version,
            zone.kind,
            _label(zone.title, zone.kind, zone.party),
            None,
        )
        yield head, _shape(head, about, zone.volume, now, colours.get(zone.party, _OTHER_COLOUR))
    for conflict in export.conflicts:
        end = conflict.window.end
        if conflict.state != "open" or (end is not None and end <= now):
            continue
        yield from _conflict(conflict, prefix, now)


def deletion(uid: str, now: datetime) -> CotEvent:
    """The event that tells a TAK client to remove what it shows under ``uid`` (``t-x-d-d``
    with a ``<link uid>`` to it and ``<__forcedelete/>``, as TAK clients send when a drawing
    is deleted): a sender's answer to a notice cancelled, a zone withdrawn or a conflict
    resolved since it was sent."""
    head = _Head(f"{uid}.deleted", "deletion", "")
    event = _event(head, "t-x-d-d", "h-g-i-g-o", (0.0, 0.0), UNKNOWN, (now, now, now + _DELETE_S))
    detail = _detail(event)
    _sub(detail, "link", uid=uid, relation="none", type="none")
    _sub(detail, "__forcedelete")
    xml: bytes = ET.tostring(event, encoding="utf-8", xml_declaration=False)
    return CotEvent(head.uid, "deletion", "", xml)


def cot_time(moment: datetime) -> str:
    """A CoT time: UTC, to the millisecond, ``Z`` (``2026-11-24T12:00:00.000Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def argb(colour: str, alpha: int = 0xFF) -> int:
    """``#RRGGBB`` with an opacity (0–255) as TAK's signed 32-bit ARGB integer.

    >>> argb("#FFFFFF"), argb("#0072B2", 0x40)
    (-1, 1073771186)
    """
    value = (alpha << 24) | int(colour.lstrip("#"), 16)
    return value - (1 << 32) if value >= 1 << 31 else value


def track_hae_m(alt_m: float) -> float:
    """A track's CoT ``hae`` from its altitude above mean sea level, metres.

    CoT wants the height above the WGS84 ellipsoid; the wire's ``alt_m`` is above mean sea
    level, which differs by the geoid's undulation (-107 m to +86 m the world over, about
    +20 m in the Levant). Until the geoid is at hand here the altitude goes as it is, and
    ``le`` says the vertical error is unknown.
    """
    # datum: add geo/geoid.undulation_m(lat, lon) when it lands, and give le its bound
    return alt_m


# -- the events ------------------------------------------------------------------------------


def _prefix(export: ExportSet) -> str:
    if export.mechanism is None:
        return "sharedsky"
    name = re.sub(r"[^a-z0-9_-]+", "-", export.mechanism.mechanism.lower()).strip("-")
    return f"sharedsky.{name}" if name else "sharedsky"


def _event(
    head: _Head,
    cot_type: str,
    how: str,
    lon_lat: tuple[float, float],
    hae_m: float,
    times: tuple[datetime, datetime, datetime],
) -> ET.Element:
    """An event with its point and an empty ``<detail>``; ``times`` = (time, start, stale)."""
    lon, lat = lon_lat
    point = pytak.cot_point(
        lat=round(lat, _DECIMALS),
        lon=round(lon, _DECIMALS),
        ce=UNKNOWN,
        hae=round(hae_m, 1),
        le=UNKNOWN,
        precision=_DECIMALS,
    )
    event: ET.Element = pytak.cot_event(
        uid=head.uid,
        cot_type=cot_type,
        how=how,
        point=point,
        detail=pytak.cot_detail(flow_tag=False),
    )
    for name, moment in zip(("time", "start", "stale"), times, strict=True):
        event.set(name, cot_time(moment))
    return event


def _detail(event: ET.Element) -> ET.Element:
    detail = event.find("detail")
    if detail is None:  # pytak always makes one (cot_event's detail argument)
        raise ValueError("a CoT event without <detail>")
    return detail


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _track(
    track: v1.TrackOut, viewer: str, prefix: str, colours: Mapping[str, str]
) -> tuple[_Head, ET.Element]:
    head = _Head(f"{prefix}.track.{track.party}.{track.id}", "track", track.time.isoformat())
    affiliation = "f" if track.party == viewer else "n"
    stale = track.time + timedelta(seconds=TRACK_STALE_S)
    event = _event(
        head,
        f"a-{affiliation}-A",
        "m-r",
        (track.lon, track.lat),
        track_hae_m(track.alt_m),
        (track.time, track.time, stale),
    )
    detail = _detail(event)
    _sub(detail, "contact", callsign=track.id)
    _sub(detail, "track", course=f"{track.trk_deg:.1f}", speed=f"{track.gs_mps:.2f}")
    _sub(detail, "color", argb=str(argb(colours.get(track.party, _OTHER_COLOUR))))
    under = f", under notice {track.notice_id}" if track.notice_id else ""
    remarks = _sub(detail, "remarks")
    remarks.text = (
        f"{track.party} track {track.id}: {track.alt_m:.0f} m AMSL, {track.gs_mps:.0f} m/s, "
        f"vertical {track.vs_mps:+.1f} m/s{under}"
    )
    _sub(
        detail,
        "__sharedsky",
        object="track",
        id=track.id,
        party=track.party,
        alt_m=f"{track.alt_m:.1f}",
        vs_mps=f"{track.vs_mps:.2f}",
        **({"notice": track.notice_id} if track.notice_id else {}),
    )
    return head, event


@dataclass(frozen=True, slots=True)
class _About:
    """What a shape stands for, for its contact, remarks and ``<__sharedsky>``."""

    object: ObjectType
    id: str
    party: str
    version: int
    kind: str
    label: str
    index: int | None
    priority: str | None = None
    """A notice's priority status (``medevac`` …), said first in its remarks."""


def _label(title: str, kind: str, party: str) -> str:
    """What a drawing is called: its title, else (redacted) its party and kind."""
    return title or f"{party} {kind.replace('_', ' ')}"


def _shape(head: _Head, about: _About, volume: v1.Volume, now: datetime, colour: str) -> ET.Element:
    outline = outline_from_geojson(volume.outline.model_dump())
    window = volume.time
    stale = window.end or now + timedelta(seconds=OPEN_STALE_S)
    cot_type = "u-d-c-c" if isinstance(outline, CircleOutline) else "u-d-f"
    centre = outline.center if isinstance(outline, CircleOutline) else outline_centre(outline)
    event = _event(head, cot_type, "h-e", centre, UNKNOWN, (now, window.start, stale))
    detail = _detail(event)
    _sub(detail, "contact", callsign=about.label)
    if isinstance(outline, CircleOutline):
        shape = _sub(detail, "shape")
        radius = f"{outline.radius_m:.1f}"
        _sub(shape, "ellipse", major=radius, minor=radius, angle="360")
    else:
        _links(detail, _ring(outline))
    _style(detail, colour)
    lower_m, upper_m = amsl_interval(volume.altitude)
    band = band_text(volume.altitude)
    until = cot_time(window.end) if window.end else "further notice"
    remarks = _sub(detail, "remarks")
    priority = f"PRIORITY {about.priority.upper()}: " if about.priority else ""
    remarks.text = (
        f"{priority}{about.party} {about.object} {about.id} v{about.version} ({about.kind}): "
        f"{about.label}; {band}; {cot_time(window.start)} to {until}"
    )
    extra = {"index": str(about.index)} if about.index is not None else {}
    if about.priority:
        extra["priority_status"] = about.priority
    _sub(
        detail,
        "__sharedsky",
        object=about.object,
        id=about.id,
        party=about.party,
        version=str(about.version),
        kind=about.kind,
        lower_m=f"{lower_m:.1f}",
        upper_m=f"{upper_m:.1f}",
        start=cot_time(window.start),
        **({"end": cot_time(window.end)} if window.end else {}),
        **extra,
    )
    return event


def _conflict(
    conflict: v1.ConflictOut, prefix: str, now: datetime
) -> Iterator[tuple[_Head, ET.Element]]:
    """One red drawing per polygon of the region the caller sees of the conflict."""
    region = conflict.region
    coordinates = region.get("coordinates")
    if not isinstance(coordinates, list):
        return
    polygons = [coordinates] if region.get("type") == "Polygon" else coordinates
    window = conflict.window
    stale = window.end or now + timedelta(seconds=OPEN_STALE_S)
    band = f"{conflict.altitude.lower_m:.0f}–{conflict.altitude.upper_m:.0f} m AMSL"
    other = conflict.with_
    for k, polygon in enumerate(polygons):
        ring = [(float(p[0]), float(p[1])) for p in polygon[0]]
        if len(ring) < 4:
            continue
        head = _Head(f"{prefix}.conflict.{conflict.id}.{k}", "conflict", conflict.state)
        lon = [p[0] for p in ring[:-1]]
        lat = [p[1] for p in ring[:-1]]
        centre = ((min(lon) + max(lon)) / 2.0, (min(lat) + max(lat)) / 2.0)
        event = _event(head, "u-d-f", "m-f", centre, UNKNOWN, (now, window.start, stale))
        detail = _detail(event)
        _sub(detail, "contact", callsign=f"conflict {conflict.id}")
        _links(detail, ring)
        _style(detail, CONFLICT_COLOUR)
        with_ = f"{other.type} {other.id}" if other.id else f"a {other.type}"
        until = cot_time(window.end) if window.end else "further notice"
        remarks = _sub(detail, "remarks")
        remarks.text = (
            f"conflict {conflict.id}: {conflict.own.type} {conflict.own.id} of "
            f"{conflict.own.party} with {with_} of {other.party}; {band}; "
            f"{conflict.distance_m:.0f} m apart; {cot_time(window.start)} to {until}"
        )
        _sub(
            detail,
            "__sharedsky",
            object="conflict",
            id=conflict.id,
            party=conflict.own.party,
            lower_m=f"{conflict.altitude.lower_m:.1f}",
            upper_m=f"{conflict.altitude.upper_m:.1f}",
            start=cot_time(window.start),
            **({"end": cot_time(window.end)} if window.end else {}),
        )
        yield head, event


def _ring(outline: Outline) -> list[tuple[float, float]]:
    """The closed ring a TAK client draws for a polygon or corridor, (lon, lat)."""
    if isinstance(outline, PolygonOutline):
        exterior = densify(PolygonOutline(outline.rings[:1]), EDGE_M)[0]
        return [(float(lon), float(lat)) for lon, lat in exterior]
    if isinstance(outline, CorridorOutline):
        frame = frame_at(*outline_centre(outline))
        area = shape_to_geojson(to_shape(outline, frame), frame)
        coordinates = np.asarray(area["coordinates"], dtype=np.float64)  # one Polygon
        return [(float(lon), float(lat)) for lon, lat in coordinates[0]]
    raise TypeError("a circle is drawn as an ellipse, not a ring")


def _links(detail: ET.Element, ring: list[tuple[float, float]]) -> None:
    """One ``<link point="lat,lon"/>`` per vertex, the first repeated at the end (closed)."""
    closed = ring if ring[0] == ring[-1] else [*ring, ring[0]]
    for lon, lat in closed:
        _sub(detail, "link", point=f"{lat:.{_DECIMALS}f},{lon:.{_DECIMALS}f}")


def _style(detail: ET.Element, colour: str) -> None:
    _sub(detail, "strokeColor", value=str(argb(colour)))
    _sub(detail, "strokeWeight", value="3.0")
    _sub(detail, "fillColor", value=str(argb(colour, _FILL_ALPHA)))
    _sub(detail, "labels_on", value="true")
