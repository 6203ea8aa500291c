"""GeoJSON out and in: the export is an RFC 7946 FeatureCollection (validated with
geojson-pydantic) that carries what the issue lists; a file's features become notices and
zones, options fill what they leave out, and a bad feature is reported by index."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from _exports import CIRCLE, CORRIDOR, SQUARE, sample_export
from geojson_pydantic import FeatureCollection

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats import geojson
from sharedsky.interop.formats.heights import Height
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.wire import v1


def _written() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(geojson.write(sample_export()))
    return document


def test_the_export_is_a_valid_feature_collection() -> None:
    FeatureCollection.model_validate_json(geojson.write(sample_export()))
    document = _written()
    objects = [f["properties"]["object"] for f in document["features"]]
    assert objects == ["notice", "notice", "notice", "zone", "conflict", "track"]
    for feature in document["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            exterior = geometry["coordinates"][0]
            assert exterior[0] == exterior[-1]
            assert all(len(position) == 2 for position in exterior)  # no ellipsoid height


def test_a_notice_volume_carries_band_window_party_kind_and_ids() -> None:
    square, circle, corridor = (f["properties"] for f in _written()["features"][:3])
    assert square["id"] == "ntc-000001" and square["version"] == 2
    assert (square["party"], square["party_name"], square["colour"]) == (
        "alpha",
        "Alpha Air Command",
        "#1f77b4",
    )
    assert (square["kind"], square["title"], square["status"]) == (
        "air_sortie",
        "CAP north",
        "planned",
    )
    assert square["altitude"] == {"lower_m": 3000.0, "upper_m": 9000.0}
    assert square["amsl_m"] == {"lower_m": 3000.0, "upper_m": 9000.0}
    assert square["time"] == {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T17:00:00Z"}
    assert "outline" not in square  # a polygon is its own geometry
    assert circle["outline"] == CIRCLE and circle["volume_index"] == 1
    assert corridor["outline"] == CORRIDOR


def test_an_open_ended_zone_and_a_track_are_written_as_they_are() -> None:
    zone, conflict, track = _written()["features"][3:]
    assert zone["properties"]["time"] == {"start": "2026-11-24T12:00:00Z", "end": None}
    assert zone["properties"]["kind"] == "protected"
    assert conflict["properties"]["with"] == {
        "type": "zone",
        "id": "zon-000002",
        "party": "bravo",
        "priority_status": None,
        "occurrence": None,
    }
    assert track["geometry"] == {"type": "Point", "coordinates": [36.0, 34.2]}
    assert track["properties"]["alt_m"] == 6000.0


def test_reading_the_export_gives_back_the_notice_and_the_zone() -> None:
    parsed = geojson.read(geojson.write(sample_export()), ReadOptions())
    assert parsed.problems == () and parsed.ignored == 2
    notice, zone = (item.body for item in parsed.items)
    assert isinstance(notice, v1.NoticeIn) and isinstance(zone, v1.ZoneIn)
    assert [v.outline.model_dump(mode="json") for v in notice.volumes] == [SQUARE, CIRCLE, CORRIDOR]
    assert [v.altitude.lower_m for v in notice.volumes] == [3000.0, 500.0, 1000.0]
    assert (notice.kind, notice.title, notice.remarks) == (
        "air_sortie",
        "CAP north",
        "two aircraft",
    )
    assert (zone.kind, zone.title, zone.volume.time.end) == ("protected", "Hospital", None)


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _file(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_options_give_what_plain_features_leave_out() -> None:
    options = ReadOptions(
        kind="uav",
        title="survey",
        lower=Height(1000, "ft", "AMSL"),
        upper=Height(400, "m", "AMSL"),
        start=START,
    )
    point = {"type": "Point", "coordinates": [36.0, 34.0]}
    line = {"type": "LineString", "coordinates": [[36.0, 34.0], [36.1, 34.1]]}
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], SQUARE["coordinates"]]}
    parsed = geojson.read(
        _file(
            _feature(SQUARE),
            _feature(point, radius_m=500),
            _feature(line, half_width_m=200),
            _feature(multi, title="two boxes"),
        ),
        options,
    )
    assert parsed.problems == ()
    bodies = [item.body for item in parsed.items]
    assert [type(b).__name__ for b in bodies] == ["NoticeIn"] * 4
    first = bodies[0]
    assert isinstance(first, v1.NoticeIn)
    assert (first.kind, first.title) == ("uav", "survey")
    assert first.volumes[0].altitude == v1.FiledAltitude(
        lower=v1.HeightLimit(value=1000, unit="ft", reference="AMSL"),
        upper=v1.HeightLimit(value=400, unit="m", reference="AMSL"),
    )
    assert first.volumes[0].time.start == START and first.volumes[0].time.end is None
    assert [b.volumes[0].outline.type for b in bodies if isinstance(b, v1.NoticeIn)] == [
        "Polygon",
        "Circle",
        "Corridor",
        "Polygon",
    ]
    last = bodies[3]
    assert isinstance(last, v1.NoticeIn) and len(last.volumes) == 2 and last.title == "two boxes"


def test_features_become_zones_when_asked_and_need_a_zone_kind() -> None:
    band = {"lower_m": 0, "upper_m": 100}
    window = {"start": "2026-11-24T12:00:00Z"}
    parsed = geojson.read(
        _file(
            _feature(SQUARE, altitude=band, time=window, kind="red_line", title="line"),
            _feature(SQUARE, altitude=band, time=window),
        ),
        ReadOptions(object="zone"),
    )
    (item,) = parsed.items
    assert isinstance(item.body, v1.ZoneIn) and item.body.kind == "red_line"
    (problem,) = parsed.problems
    assert (problem.index, problem.path) == (1, ("kind",))
    assert "a zone needs a kind" in problem.reason


def test_limits_are_kept_as_filed_flight_levels_heights_above_ground_and_named_ones() -> None:
    window = {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T16:00:00Z"}
    given = [
        ({"special": "SFC"}, {"value": 120, "unit": "FL"}),
        ({"value": 500, "unit": "ft", "reference": "AGL"}, {"special": "UNL"}),
        ({"value": 9000, "unit": "ft", "reference": "STD"}, {"value": 1200, "unit": "m"}),
    ]
    parsed = geojson.read(
        _file(*(_feature(SQUARE, lower=lo, upper=hi, time=window) for lo, hi in given)),
        ReadOptions(),
    )
    assert parsed.problems == ()
    bands = [
        item.body.volumes[0].altitude.model_dump(mode="json", exclude_none=True)
        for item in parsed.items
        if isinstance(item.body, v1.NoticeIn)
    ]
    assert bands == [
        {"lower": {"special": "SFC"}, "upper": {"value": 120, "unit": "FL", "reference": "STD"}},
        {"lower": {"value": 500, "unit": "ft", "reference": "AGL"}, "upper": {"special": "UNL"}},
        {"lower": {"value": 90, "unit": "FL", "reference": "STD"},  # feet on STD: FL090
         "upper": {"value": 1200, "unit": "m", "reference": "AMSL"}},
    ]  # fmt: skip


def test_each_bad_feature_is_reported_with_its_index_and_reason() -> None:
    band = {"lower_m": 0, "upper_m": 100}
    window = {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T16:00:00Z"}
    flight_level = {"value": 100, "unit": "FL", "reference": "AGL"}
    metres = {"value": 0, "unit": "m", "reference": "AMSL"}
    parsed = geojson.read(
        _file(
            _feature(SQUARE, altitude=band, time=window),
            _feature(SQUARE, time=window),
            _feature({"type": "Point", "coordinates": [36, 34]}, altitude=band, time=window),
            _feature(SQUARE, lower=metres, upper=flight_level, time=window),
            _feature(SQUARE, altitude=band),
            _feature(SQUARE, altitude={"lower_m": "high"}, time=window),
        ),
        ReadOptions(),
    )
    assert [item.index for item in parsed.items] == [0]
    reasons = {p.index: p.reason for p in parsed.problems}
    assert sorted(reasons) == [1, 2, 3, 4, 5]
    assert "no altitude band" in reasons[1]
    assert "geometry Point is no volume outline" in reasons[2]
    assert reasons[3] == ("upper limit: a flight level is on the standard setting (STD), not AGL")
    assert "no time window" in reasons[4]
    assert reasons[5].startswith("volumes.0.altitude")


def test_a_file_that_is_not_geojson_is_refused_whole() -> None:
    with pytest.raises(InvalidImport, match="not GeoJSON JSON"):
        geojson.read(b"<kml/>", ReadOptions())
    with pytest.raises(InvalidImport, match="no GeoJSON FeatureCollection"):
        geojson.read(b'{"type": "Polygon"}', ReadOptions())
