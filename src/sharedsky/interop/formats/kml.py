"""KML 2.2 out and in.

Out: a Document with one Style per party (its colour as KML ``aabbggrr``: lines opaque, fills
40 % opaque) and one Folder per party holding its notice volumes, zones and live tracks, then a
Folder of the open conflicts. A volume is a Placemark with its ``TimeSpan`` (``begin``, and
``end`` unless open-ended) and a MultiGeometry of absolute altitudes (metres above mean sea
level): the outline at the upper limit, the outline at the lower limit, and one wall between
them for each edge of its exterior ring, so that a viewer shows the band, not a prism down to
the ground. A circle or corridor is its containing polygon (``polygons.py``); its exact
parameters, the band and the ids are in ``ExtendedData`` (``object``, ``id``, ``version``,
``party``, ``kind``, ``status``, ``volume_index``, ``lower_m``, ``upper_m``, ``outline``, and
``altitude``, the band as filed in the wire form, when it was filed on its datums). A track is
a Point at its altitude.

In: every Placemark with a Polygon (the first one, with its holes: what the export writes
first is the top). The band from ``ExtendedData`` ``altitude`` (as filed) or ``lower_m``/
``upper_m``, or else from the altitudes of the coordinates (lowest and highest), kept on their
reference: metres AMSL for ``absolute``, metres AGL for ``relativeToGround`` (which needs the
mechanism's terrain bounds); a polygon extruded to the ground from one height has the surface
(``SFC``) as its lower limit; one clamped to the ground takes the band of the options. The
window from ``TimeSpan`` (``TimeStamp``: a start), the title from ``name``; placemarks of one
exported notice become one notice again; conflicts, tracks and placemarks without a polygon
are left out (counted as ignored). The file is parsed without entities, DTDs or network
access.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from lxml import etree

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats.heights import SFC, FileLimit, Height, amsl_interval
from sharedsky.interop.formats.model import ExportSet
from sharedsky.interop.formats.polygons import Ring, outline_rings
from sharedsky.interop.formats.reading import Assembly, Parsed, Piece, ReadOptions
from sharedsky.wire import v1

KML_NS = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NS}}}"
_FILL_ALPHA = "66"


def kml_colour(hex_rgb: str, alpha: str = "ff") -> str:
    """``#rrggbb`` as KML's ``aabbggrr`` (grey when it is not such a colour)."""
    text = hex_rgb.lstrip("#")
    if len(text) != 6:
        text = "808080"
    return f"{alpha}{text[4:6]}{text[2:4]}{text[0:2]}".lower()


# -- out --------------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _K + tag)
    if text is not None:
        element.text = text
    return element


def _coordinates(ring: Ring, alt_m: float) -> str:
    return " ".join(f"{lon!r},{lat!r},{alt_m!r}" for lon, lat in ring)


def _polygon(parent: etree._Element, rings: list[Ring], alt_m: float) -> None:
    polygon = _sub(parent, "Polygon")
    _sub(polygon, "altitudeMode", "absolute")
    for index, ring in enumerate(rings):
        boundary = _sub(polygon, "outerBoundaryIs" if index == 0 else "innerBoundaryIs")
        _sub(_sub(boundary, "LinearRing"), "coordinates", _coordinates(ring, alt_m))


def _wall(
    parent: etree._Element, a: tuple[float, float], b: tuple[float, float], low: float, high: float
) -> None:
    ring = [(a, low), (b, low), (b, high), (a, high), (a, low)]
    polygon = _sub(parent, "Polygon")
    _sub(polygon, "altitudeMode", "absolute")
    text = " ".join(f"{p[0]!r},{p[1]!r},{alt!r}" for p, alt in ring)
    _sub(_sub(_sub(polygon, "outerBoundaryIs"), "LinearRing"), "coordinates", text)


def _band_geometry(
    parent: etree._Element, rings: list[Ring], altitude: v1.Altitude | v1.FiledAltitude
) -> None:
    low, high = amsl_interval(altitude)
    shape = _sub(parent, "MultiGeometry")
    _polygon(shape, rings, high)
    _polygon(shape, rings, low)
    exterior = rings[0]
    for a, b in itertools.pairwise(exterior):
        _wall(shape, a, b, low, high)


def _data(placemark: etree._Element, fields: dict[str, Any]) -> None:
    extended = _sub(placemark, "ExtendedData")
    for name, value in fields.items():
        if value is None:
            continue
        data = _sub(extended, "Data")
        data.set("name", name)
        _sub(data, "value", value if isinstance(value, str) else json.dumps(value))


def _span(placemark: etree._Element, start: str, end: str | None) -> None:
    span = _sub(placemark, "TimeSpan")
    _sub(span, "begin", start)
    if end is not None:
        _sub(span, "end", end)


def _volume_placemark(
    folder: etree._Element, name: str, style: str, volume: v1.Volume, fields: dict[str, Any]
) -> None:
    placemark = _sub(folder, "Placemark")
    _sub(placemark, "name", name)
    time = volume.time.model_dump(mode="json")
    _span(placemark, time["start"], time["end"])
    _sub(placemark, "styleUrl", f"#{style}")
    low, high = amsl_interval(volume.altitude)
    exact = (
        None
        if isinstance(volume.outline, v1.PolygonOutline)
        else volume.outline.model_dump(mode="json")
    )
    filed = (
        volume.altitude.model_dump(mode="json")
        if isinstance(volume.altitude, v1.FiledAltitude)
        else None
    )
    _data(
        placemark,
        fields | {"lower_m": low, "upper_m": high, "outline": exact, "altitude": filed},
    )
    _band_geometry(placemark, outline_rings(volume.outline), volume.altitude)


def write(export: ExportSet) -> bytes:
    """The caller's picture as one KML document (UTF-8)."""
    root = etree.Element(_K + "kml", nsmap={None: KML_NS})
    document = _sub(root, "Document")
    title = export.mechanism.mechanism if export.mechanism else "sharedsky"
    _sub(
        document,
        "name",
        f"{title}: as {export.viewer} sees it at {export.generated_at.isoformat()}",
    )
    for party in export.parties:
        style = _sub(document, "Style")
        style.set("id", f"party-{party.id}")
        _sub(_sub(style, "IconStyle"), "color", kml_colour(party.colour))
        line = _sub(style, "LineStyle")
        _sub(line, "color", kml_colour(party.colour))
        _sub(line, "width", "2")
        _sub(_sub(style, "PolyStyle"), "color", kml_colour(party.colour, _FILL_ALPHA))
    names = {p.id: p.name for p in export.parties}
    owners = [p.id for p in export.parties]
    for owner in {
        *(n.party for n in export.notices),
        *(z.party for z in export.zones),
        *(t.party for t in export.tracks),
    }:
        if owner not in owners:
            owners.append(owner)
    for owner in owners:
        notices = [n for n in export.notices if n.party == owner]
        zones = [z for z in export.zones if z.party == owner]
        tracks = [t for t in export.tracks if t.party == owner]
        if not (notices or zones or tracks):
            continue
        folder = _sub(document, "Folder")
        _sub(folder, "name", names.get(owner, owner))
        style_id = f"party-{owner}"
        for notice in notices:
            for volume in notice.volumes:
                fields = {
                    "object": "notice", "id": notice.id, "version": str(notice.version),
                    "party": notice.party, "kind": notice.kind, "status": notice.status,
                    "volume_index": str(volume.index), "remarks": notice.remarks or None,
                    "priority_status": notice.priority_status,
                }  # fmt: skip
                _volume_placemark(folder, notice.title or notice.id, style_id, volume, fields)
        for zone in zones:
            fields = {
                "object": "zone", "id": zone.id, "version": str(zone.version),
                "party": zone.party, "kind": zone.kind, "status": zone.status,
                "remarks": zone.remarks or None,
            }  # fmt: skip
            _volume_placemark(folder, zone.title or zone.id, style_id, zone.volume, fields)
        for track in tracks:
            placemark = _sub(folder, "Placemark")
            _sub(placemark, "name", track.id)
            _sub(_sub(placemark, "TimeStamp"), "when", track.time.isoformat())
            _sub(placemark, "styleUrl", f"#{style_id}")
            _data(placemark, {"object": "track", "id": track.id, "party": track.party,
                              "gs_mps": track.gs_mps, "trk_deg": track.trk_deg,
                              "vs_mps": track.vs_mps})  # fmt: skip
            point = _sub(placemark, "Point")
            _sub(point, "altitudeMode", "absolute")
            _sub(point, "coordinates", f"{track.lon!r},{track.lat!r},{track.alt_m!r}")
    if export.conflicts:
        folder = _sub(document, "Folder")
        _sub(folder, "name", "Conflicts")
        for conflict in export.conflicts:
            placemark = _sub(folder, "Placemark")
            _sub(placemark, "name", f"conflict {conflict.id}")
            window = conflict.window.model_dump(mode="json")
            _span(placemark, window["start"], window["end"])
            _data(placemark, {"object": "conflict", "id": conflict.id,
                              "with": conflict.with_.model_dump(mode="json"),
                              "own": conflict.own.model_dump(mode="json")})  # fmt: skip
            rings = _region_rings(conflict.region)
            if rings:
                shape = _sub(placemark, "MultiGeometry")
                low, high = amsl_interval(conflict.altitude)
                for polygon in rings:
                    _polygon(shape, polygon, high)
                    _polygon(shape, polygon, low)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _region_rings(region: dict[str, object]) -> list[list[Ring]]:
    """The polygons (rings of (lon, lat)) of a conflict's GeoJSON region."""
    coordinates: Any = region.get("coordinates") or []
    polygons = [coordinates] if region.get("type") == "Polygon" else coordinates
    return [
        [[(float(p[0]), float(p[1])) for p in ring] for ring in polygon]
        for polygon in polygons
        if polygon
    ]


# -- in ---------------------------------------------------------------------------------------

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if isinstance(child.tag, str) and _local(child) == name:
            return child
    return None


def _text(element: etree._Element | None, name: str) -> str | None:
    found = None if element is None else _child(element, name)
    return None if found is None or found.text is None else found.text.strip() or None


def _descendants(element: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in element.iter() if isinstance(e.tag, str) and _local(e) == name]


def _positions(text: str | None) -> list[tuple[float, ...]]:
    out = []
    for chunk in (text or "").split():
        out.append(tuple(float(n) for n in chunk.split(",")))
    return out


def _data_fields(placemark: etree._Element) -> dict[str, str]:
    fields = {}
    for data in _descendants(placemark, "Data"):
        name = data.get("name")
        value = _text(data, "value")
        if name and value is not None:
            fields[name] = value
    return fields


def read(data: bytes, options: ReadOptions) -> Parsed:
    """The notices and zones of a KML document's placemarks."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidImport(f"the file is not KML: {exc}", ("body",)) from exc
    if root is None or _local(root) != "kml":
        raise InvalidImport("the file is not KML: its root element is not <kml>", ("body",))
    into = Assembly("kml", options)
    for index, placemark in enumerate(_descendants(root, "Placemark")):
        fields = _data_fields(placemark)
        what = fields.get("object")
        polygons = _descendants(placemark, "Polygon")
        if what in ("conflict", "track") or not polygons:
            into.ignored += 1
            continue
        try:
            piece = _piece(index, placemark, polygons[0], polygons, fields, into)
        except (ValueError, IndexError) as exc:
            into.problem(index, f"unreadable placemark: {exc}", ("Placemark",))
            continue
        if piece is not None:
            into.add(piece)
    return into.parsed()


def _piece(
    index: int,
    placemark: etree._Element,
    top: etree._Element,
    polygons: list[etree._Element],
    fields: dict[str, str],
    into: Assembly,
) -> Piece | None:
    rings = []
    for boundary in ("outerBoundaryIs", "innerBoundaryIs"):
        for element in [e for e in top if isinstance(e.tag, str) and _local(e) == boundary]:
            ring = _descendants(element, "coordinates")
            rings.append(_positions(ring[0].text if ring else None))
    if not rings or not rings[0]:
        into.problem(index, "the polygon has no outer boundary", ("Polygon",))
        return None
    exact = json.loads(fields["outline"]) if "outline" in fields else None
    outline = exact if isinstance(exact, dict) else {
        "type": "Polygon", "coordinates": [[[p[0], p[1]] for p in ring] for ring in rings]
    }  # fmt: skip
    usable, band = _band(index, polygons, fields, into)
    if not usable:
        return None
    what = fields.get("object")
    span = _child(placemark, "TimeSpan")
    stamp = _child(placemark, "TimeStamp")
    time = None
    if span is not None and _text(span, "begin"):
        time = {"start": _text(span, "begin"), "end": _text(span, "end")}
    elif stamp is not None and _text(stamp, "when"):
        time = {"start": _text(stamp, "when"), "end": None}
    order = fields.get("volume_index", "")
    return Piece(
        index=index,
        outline=outline,
        altitude=band,
        time=time,
        object="notice" if what == "notice" else "zone" if what == "zone" else None,
        group=fields.get("id") if what == "notice" and "id" in fields else f"placemark {index}",
        order=int(order) if order.isdigit() else index,
        kind=fields.get("kind"),
        title=_text(placemark, "name"),
        remarks=fields.get("remarks"),
        priority_status=fields.get("priority_status"),
    )


_MODE_REFERENCES = {"absolute": "AMSL", "relativeToGround": "AGL"}
"""KML ``altitudeMode`` → the reference of its altitudes (metres)."""


def _band(
    index: int, polygons: list[etree._Element], fields: dict[str, str], into: Assembly
) -> tuple[bool, dict[str, object] | None]:
    """Whether the placemark's band can be read (a problem recorded when not), and the band:
    its ExtendedData's, its altitudes' on their reference or None (the options give it)."""
    if "altitude" in fields:
        filed = json.loads(fields["altitude"])
        if not isinstance(filed, dict):
            into.problem(index, "ExtendedData altitude is not a band", ("altitude",))
            return False, None
        return True, filed
    if "lower_m" in fields and "upper_m" in fields:
        band = into.band(
            index,
            Height(float(fields["lower_m"]), "m", "AMSL"),
            Height(float(fields["upper_m"]), "m", "AMSL"),
        )
        return band is not None, band
    modes = {(_text(p, "altitudeMode") or "clampToGround") for p in polygons}
    if modes == {"clampToGround"} or modes == {"clampToSeaFloor"}:
        return True, None
    reference = _MODE_REFERENCES.get(modes.pop()) if len(modes) == 1 else None
    if reference is None:
        into.problem(
            index,
            "altitudeMode: the polygons are neither all absolute nor all relativeToGround",
            ("altitudeMode",),
        )
        return False, None
    altitudes = [
        p[2]
        for polygon in polygons
        for coordinates in _descendants(polygon, "coordinates")
        for p in _positions(coordinates.text)
        if len(p) > 2
    ]
    if not altitudes:
        into.problem(index, "the polygon's coordinates carry no altitudes", ("coordinates",))
        return False, None
    extruded = any(_text(p, "extrude") == "1" for p in polygons)
    lower: FileLimit = Height(min(altitudes), "m", reference)
    if extruded and min(altitudes) == max(altitudes):
        lower = SFC  # extruded to the ground from one height
    band = into.band(index, lower, Height(max(altitudes), "m", reference))
    return band is not None, band
