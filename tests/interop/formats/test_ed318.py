"""ED-318 out and in: the export parses with uas_standards' ED-318 models, maps zone kinds to
zone types as docs/formats.md says and carries the band as an AMSL layer; a file's zones come
back with their kind, band and window, and each bad feature is reported by index."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _exports import CIRCLE, CORRIDOR, sample_export, zone_out
from implicitdict import ImplicitDict
from uas_standards import eurocae_ed318 as model

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats import ed318
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.wire import v1


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ed318.write(sample_export(**changes)))
    return document


def test_the_export_parses_with_the_ed318_models() -> None:
    document = _document()
    ed318.check_document(document)
    # the parts implicitdict can parse whole, whole
    schema = model.ED318Schema.from_dict(dict(document, features=[]))
    assert schema.metadata.provider[0].text == "levant-deconfliction"
    zone = ImplicitDict.parse(document["features"][0]["geometry"], model.Point)
    assert zone.extent.radius == 2000.0
    polygon = ImplicitDict.parse(document["features"][1]["geometry"], model.Polygon)
    assert polygon.layer.lowerReference == model.CodeVerticalReferenceType.AMSL


def test_a_feature_that_breaks_the_model_is_caught() -> None:
    document = _document()
    del document["features"][0]["properties"]["zoneAuthority"]
    with pytest.raises(ValueError, match="zoneAuthority"):
        ed318.check_document(document)


def test_zones_are_written_with_their_type_layer_window_and_owner() -> None:
    (zone, *notice_volumes) = _document()["features"]
    props = zone["properties"]
    assert (props["identifier"], props["country"], props["type"], props["reason"]) == (
        "zon-000002",
        "XXX",
        "PROHIBITED",
        ["SENSITIVE"],
    )
    assert props["name"] == [{"text": "Hospital", "lang": "tr"}]
    assert props["limitedApplicability"] == [{"startDateTime": "2026-11-24T12:00:00Z"}]
    assert props["zoneAuthority"][0]["name"][0]["text"] == "Bravo Air Command"
    assert zone["geometry"]["layer"] == {
        "upper": 3000.0,
        "upperReference": "AMSL",
        "lower": 0.0,
        "lowerReference": "AMSL",
        "uom": "m",
    }
    assert [f["properties"]["type"] for f in notice_volumes] == ["CONDITIONAL"] * 3


@pytest.mark.parametrize(
    ("kind", "zone_type"),
    [("protected", "PROHIBITED"), ("red_line", "PROHIBITED"), ("restricted", "REQ_AUTHORIZATION")],
)
def test_each_kind_has_its_zone_type_and_comes_back(kind: str, zone_type: str) -> None:
    data = ed318.write(sample_export(zones=(zone_out(kind=kind),), notices=()))
    assert json.loads(data)["features"][0]["properties"]["type"] == zone_type
    (item,) = ed318.read(data, ReadOptions()).items
    assert isinstance(item.body, v1.ZoneIn) and item.body.kind == kind


def test_reading_the_export_gives_back_zones_and_notices() -> None:
    parsed = ed318.read(ed318.write(sample_export()), ReadOptions())
    assert parsed.problems == ()
    zone, notice = (item.body for item in parsed.items)
    assert isinstance(zone, v1.ZoneIn) and isinstance(notice, v1.NoticeIn)
    assert zone.volume.outline.model_dump(mode="json") == CIRCLE
    assert (zone.title, zone.remarks, zone.volume.time.end) == ("Hospital", "keep clear", None)
    assert notice.kind == "air_sortie" and len(notice.volumes) == 3
    assert notice.volumes[2].outline.model_dump(mode="json") == CORRIDOR


def _foreign(zone_type: str, layer: dict[str, Any], **props: Any) -> dict[str, Any]:
    ring = [[36.0, 34.0], [36.1, 34.0], [36.1, 34.1], [36.0, 34.0]]
    return {
        "type": "Feature",
        "properties": {
            "identifier": "AB123",
            "country": "ESP",
            "type": zone_type,
            "variant": "COMMON",
            "zoneAuthority": [{"purpose": "AUTHORIZATION"}],
            "limitedApplicability": [{"startDateTime": "2026-11-24T15:00:00Z"}],
        }
        | props,
        "geometry": {"type": "Polygon", "coordinates": [ring], "layer": layer},
    }


def _layer(reference: str = "AMSL", uom: str = "ft") -> dict[str, Any]:
    return {"upper": 400, "upperReference": reference, "lower": 0, "lowerReference": "AMSL",
            "uom": uom}  # fmt: skip


def test_a_foreign_file_reads_per_feature_and_reports_what_it_cannot() -> None:
    document = {
        "type": "FeatureCollection",
        "metadata": {},
        "features": [
            _foreign("REQ_AUTHORIZATION", _layer(), name=[{"text": "Airfield", "lang": "es"}]),
            _foreign("NO_RESTRICTION", _layer()),
            _foreign("PROHIBITED", _layer("AGL")),
            _foreign("PROHIBITED", _layer("WGS84", "m")),
            {"type": "Feature", "properties": {"identifier": "X"}},
            _foreign("PROHIBITED", _layer("STD")),
        ],
    }
    parsed = ed318.read(json.dumps(document).encode(), ReadOptions())
    feet, agl, w84 = (item.body for item in parsed.items)
    assert isinstance(feet, v1.ZoneIn)
    assert (feet.kind, feet.title) == ("restricted", "Airfield")
    assert [item.index for item in parsed.items] == [0, 2, 3]
    assert feet.volume.altitude == _filed((0, "ft", "AMSL"), (400, "ft", "AMSL"))
    assert isinstance(agl, v1.ZoneIn) and isinstance(w84, v1.ZoneIn)
    assert agl.volume.altitude == _filed((0, "ft", "AMSL"), (400, "ft", "AGL"))
    assert w84.volume.altitude == _filed((0, "m", "AMSL"), (400, "m", "W84"))
    reasons = {p.index: p.reason for p in parsed.problems}
    assert "zone type NO_RESTRICTION asks nothing of anyone" in reasons[1]
    assert reasons[4].startswith("not an ED-318 feature")
    assert reasons[5].startswith("not an ED-318 feature")  # ED-318 has no flight levels


def _filed(lower: tuple[float, str, str], upper: tuple[float, str, str]) -> v1.FiledAltitude:
    return v1.FiledAltitude.model_validate(
        {name: dict(zip(("value", "unit", "reference"), limit, strict=True))
         for name, limit in (("lower", lower), ("upper", upper))}
    )  # fmt: skip


def test_a_file_that_is_not_ed318_is_refused_whole() -> None:
    with pytest.raises(InvalidImport, match="no ED-318 FeatureCollection"):
        ed318.read(b'{"features": {}}', ReadOptions())


def test_a_layer_is_the_band_as_filed_when_ed318_can_say_it_else_its_amsl_interval() -> None:
    """One uom, references AMSL/AGL/WGS84 and SFC (0 AGL) are said natively; a flight level,
    UNL or two units fall back to the AMSL interval (the extension keeps the band as filed)."""

    def filed(lower: dict[str, Any], upper: dict[str, Any]) -> v1.FiledAltitude:
        amsl = {"lower_m": 100.0, "upper_m": 900.0}
        return v1.FiledAltitude.model_validate({"lower": lower, "upper": upper, "amsl_m": amsl})

    feet_agl = {"value": 500, "unit": "ft", "reference": "AGL"}
    assert ed318.layer(filed({"special": "SFC"}, feet_agl)) == {
        "upper": 500, "upperReference": "AGL", "lower": 0.0, "lowerReference": "AGL", "uom": "ft"
    }  # fmt: skip
    w84 = {"value": 1200, "unit": "m", "reference": "W84"}
    assert ed318.layer(filed({"value": 0, "unit": "m"}, w84))["upperReference"] == "WGS84"
    for lower, upper in (
        ({"value": 50, "unit": "FL"}, {"value": 90, "unit": "FL"}),
        (feet_agl, {"special": "UNL"}),
        (feet_agl, w84),
    ):
        assert ed318.layer(filed(lower, upper)) == {
            "upper": 900.0, "upperReference": "AMSL", "lower": 100.0, "lowerReference": "AMSL",
            "uom": "m",
        }  # fmt: skip


def test_a_layer_from_0_agl_reads_as_the_surface() -> None:
    """ED-318 says the surface as 0 AGL (and we write SFC so): read back it is SFC, which
    needs no terrain bounds, whatever the unit; any other AGL lower limit stays AGL."""
    surface = _layer("AGL") | {"lowerReference": "AGL"}
    above = surface | {"lower": 50}
    features = [_foreign("PROHIBITED", surface), _foreign("PROHIBITED", above)]
    document = {"type": "FeatureCollection", "metadata": {}, "features": features}
    parsed = ed318.read(json.dumps(document).encode(), ReadOptions())
    assert not parsed.problems
    from_surface, from_50 = (item.body for item in parsed.items)
    assert isinstance(from_surface, v1.ZoneIn) and isinstance(from_50, v1.ZoneIn)
    assert from_surface.volume.altitude == v1.FiledAltitude.model_validate(
        {"lower": {"special": "SFC"}, "upper": {"value": 400, "unit": "ft", "reference": "AGL"}}
    )
    assert from_50.volume.altitude == _filed((50, "ft", "AGL"), (400, "ft", "AGL"))
