"""KML out and in: the export parses with fastkml (strict) and holds one folder per party in
its colour, placemarks with their TimeSpan and absolute altitudes between the lower and upper
limits; a file's placemarks become notices and zones, and the parser expands no entities."""

from __future__ import annotations

from typing import Any

import pytest
from _exports import CIRCLE, CORRIDOR, SQUARE, sample_export
from fastkml import kml as fastkml
from lxml import etree

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats import kml
from sharedsky.interop.formats.heights import Height
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.wire import v1

NS = {"k": kml.KML_NS}


def _tree() -> Any:
    return etree.fromstring(kml.write(sample_export()))


def test_the_export_parses_strictly_with_one_folder_per_party_and_the_conflicts() -> None:
    document = fastkml.KML.from_string(kml.write(sample_export()), strict=True).features[0]
    assert [f.name for f in document.features] == [
        "Alpha Air Command",
        "Bravo Air Command",
        "Conflicts",
    ]
    alpha, bravo, _ = document.features
    assert [p.name for p in alpha.features] == ["CAP north"] * 3 + ["A1"]
    assert [p.name for p in bravo.features] == ["Hospital"]


def test_party_colours_are_written_as_aabbggrr() -> None:
    assert kml.kml_colour("#1f77b4") == "ffb4771f"
    assert kml.kml_colour("#1f77b4", "66") == "66b4771f"
    tree = _tree()
    fill = tree.xpath("//k:Style[@id='party-alpha']/k:PolyStyle/k:color/text()", namespaces=NS)
    line = tree.xpath("//k:Style[@id='party-alpha']/k:LineStyle/k:color/text()", namespaces=NS)
    assert (fill, line) == (["66b4771f"], ["ffb4771f"])


def test_a_volume_is_a_band_between_its_limits_with_its_time_span() -> None:
    tree = _tree()
    square = tree.xpath("//k:Placemark", namespaces=NS)[0]
    span = square.xpath("k:TimeSpan/*/text()", namespaces=NS)
    assert span == ["2026-11-24T15:00:00Z", "2026-11-24T17:00:00Z"]
    polygons = square.xpath(".//k:Polygon", namespaces=NS)
    assert {p.xpath("string(k:altitudeMode)", namespaces=NS) for p in polygons} == {"absolute"}
    heights = [
        {float(c.split(",")[2]) for c in p.xpath("string(.//k:coordinates)", namespaces=NS).split()}
        for p in polygons
    ]
    assert heights[:2] == [{9000.0}, {3000.0}]  # top, then bottom
    assert len(polygons) == 2 + 4  # and a wall for each of the square's four edges
    assert all(h == {3000.0, 9000.0} for h in heights[2:])
    hospital = tree.xpath("//k:Placemark[k:name='Hospital']", namespaces=NS)[0]
    assert hospital.xpath("k:TimeSpan/*/text()", namespaces=NS) == ["2026-11-24T12:00:00Z"]


def test_reading_the_export_gives_back_the_notice_and_the_zone() -> None:
    parsed = kml.read(kml.write(sample_export()), ReadOptions())
    assert parsed.problems == () and parsed.ignored == 2  # the track and the conflict
    notice, zone = (item.body for item in parsed.items)
    assert isinstance(notice, v1.NoticeIn) and isinstance(zone, v1.ZoneIn)
    outlines = [v.outline.model_dump(mode="json") for v in notice.volumes]
    assert outlines == [SQUARE, CIRCLE, CORRIDOR]
    assert [(v.altitude.lower_m, v.altitude.upper_m) for v in notice.volumes] == [
        (3000.0, 9000.0),
        (500.0, 2500.0),
        (1000.0, 1500.0),
    ]
    assert (zone.kind, zone.title, zone.volume.time.end) == ("protected", "Hospital", None)


def _placemark(geometry: str, extra: str = "") -> str:
    return f"<Placemark><name>area</name>{extra}{geometry}</Placemark>"


def _document(*placemarks: str) -> bytes:
    body = "".join(placemarks)
    return f'<kml xmlns="{kml.KML_NS}"><Document>{body}</Document></kml>'.encode()


RING = "36.0,34.0,{a} 36.1,34.0,{a} 36.1,34.1,{b} 36.0,34.1,{b} 36.0,34.0,{a}"


def _polygon(mode: str | None, a: float = 0, b: float = 0, extrude: bool = False) -> str:
    mode_tag = f"<altitudeMode>{mode}</altitudeMode>" if mode else ""
    extrude_tag = "<extrude>1</extrude>" if extrude else ""
    ring = RING.format(a=a, b=b)
    return (
        f"<Polygon>{extrude_tag}{mode_tag}<outerBoundaryIs><LinearRing><coordinates>{ring}"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon>"
    )


def test_foreign_placemarks_take_their_band_from_their_altitudes_or_the_options() -> None:
    """absolute: metres AMSL; relativeToGround: metres AGL, as filed; extruded from one
    height: from the surface; clamped to the ground: the options' band."""
    span = "<TimeSpan><begin>2026-11-24T15:00:00Z</begin></TimeSpan>"
    options = ReadOptions(lower=Height(0, "m", "AMSL"), upper=Height(500, "ft", "AMSL"))
    parsed = kml.read(
        _document(
            _placemark(_polygon("absolute", 100, 900), span),
            _placemark(_polygon(None), span),
            _placemark(_polygon("relativeToGround", 100, 200), span),
            _placemark(_polygon("absolute", 300, 300, extrude=True), span),
            "<Placemark><Point><coordinates>36,34,0</coordinates></Point></Placemark>",
            _placemark(_polygon("relativeToGround", 150, 150, extrude=True), span),
            _placemark(_polygon("absolute", 1, 2) + _polygon("relativeToGround", 1, 2), span),
        ),
        options,
    )
    bands = [
        item.body.volumes[0].altitude.model_dump(mode="json", exclude_none=True)
        for item in parsed.items
        if isinstance(item.body, v1.NoticeIn)
    ]
    metres = {"unit": "m", "reference": "AGL"}
    assert bands == [
        {"lower_m": 100, "upper_m": 900},
        {"lower": {"value": 0, "unit": "m", "reference": "AMSL"},
         "upper": {"value": 500, "unit": "ft", "reference": "AMSL"}},
        {"lower": {"value": 100} | metres, "upper": {"value": 200} | metres},
        {"lower": {"special": "SFC"}, "upper": {"value": 300, "unit": "m", "reference": "AMSL"}},
        {"lower": {"special": "SFC"}, "upper": {"value": 150} | metres},
    ]  # fmt: skip
    first = parsed.items[0].body
    assert isinstance(first, v1.NoticeIn)
    assert first.title == "area" and first.volumes[0].time.end is None
    (mixed,) = parsed.problems
    assert mixed.index == 6 and "neither all absolute nor all relativeToGround" in mixed.reason
    assert parsed.ignored == 1


def test_a_file_that_is_not_kml_is_refused_and_entities_are_never_expanded() -> None:
    with pytest.raises(InvalidImport, match="not KML"):
        kml.read(b'{"type": "FeatureCollection"}', ReadOptions())
    with pytest.raises(InvalidImport, match="root element"):
        kml.read(b"<gpx/>", ReadOptions())
    secret = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&x;</name>'
        + _polygon("absolute", 1, 2).encode()
        + b"<TimeSpan><begin>2026-11-24T15:00:00Z</begin></TimeSpan></Placemark></Document></kml>"
    )
    parsed = kml.read(secret, ReadOptions())
    (item,) = parsed.items
    assert item.body.title == "kml feature 0"  # the entity stayed unresolved: no file was read
