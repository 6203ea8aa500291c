"""ED-269 in: each UAS zone version (checked with uas_standards' ED-269 model) becomes a zone
per volume and period, its restriction mapped to a kind; limits kept as filed (AMSL or AGL, in
metres or feet; a missing one the surface or unlimited); what cannot be read is reported per
feature."""

from __future__ import annotations

import json
from typing import Any

import pytest
from implicitdict import ImplicitDict
from uas_standards import eurocae_ed269 as model

from sharedsky.domain.errors import InvalidImport
from sharedsky.interop.formats import ed269
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.wire import v1


def _zone(restriction: str, *volumes: dict[str, Any], **fields: Any) -> dict[str, Any]:
    zone = {
        "identifier": "LEZ01",
        "country": "ESP",
        "name": "Hospital del Mar",
        "type": "COMMON",
        "restriction": restriction,
        "message": "keep clear",
        "applicability": [
            {
                "permanent": "NO",
                "startDateTime": "2026-11-24T15:00:00Z",
                "endDateTime": "2026-11-24T18:00:00Z",
            }
        ],
        "zoneAuthority": [{"name": "AESA", "purpose": "AUTHORIZATION"}],
        "geometry": list(volumes),
    }
    return zone | fields


def _volume(projection: dict[str, Any], uom: str = "M", reference: str = "AMSL") -> dict[str, Any]:
    return {
        "uomDimensions": uom,
        "lowerLimit": 0,
        "lowerVerticalReference": "AMSL",
        "upperLimit": 120,
        "upperVerticalReference": reference,
        "horizontalProjection": projection,
    }


CIRCLE = {"type": "Circle", "center": [2.19, 41.38], "radius": 500}
POLYGON = {"type": "Polygon", "coordinates": [[[2.1, 41.3], [2.2, 41.3], [2.2, 41.4], [2.1, 41.3]]]}


def _read(*zones: dict[str, Any]) -> Any:
    document = {"title": "zones", "features": list(zones)}
    return ed269.read(json.dumps(document).encode(), ReadOptions())


def test_a_zone_becomes_one_zone_per_volume_with_its_kind_band_and_window() -> None:
    zone = _zone("PROHIBITED", _volume(CIRCLE), _volume(POLYGON, uom="FT"))
    ImplicitDict.parse(zone, model.UASZoneVersion)  # the test's file fits the model
    parsed = _read(zone)
    assert parsed.problems == ()
    circle, polygon = (item.body for item in parsed.items)
    assert isinstance(circle, v1.ZoneIn) and isinstance(polygon, v1.ZoneIn)
    assert (circle.kind, circle.title, circle.remarks) == (
        "protected",
        "Hospital del Mar",
        "keep clear",
    )
    assert circle.volume.outline == v1.CircleOutline(
        type="Circle", center=(2.19, 41.38), radius_m=500
    )
    assert circle.volume.altitude == v1.Altitude(lower_m=0, upper_m=120)
    assert polygon.volume.altitude == v1.FiledAltitude(
        lower=v1.HeightLimit(value=0, unit="ft", reference="AMSL"),
        upper=v1.HeightLimit(value=120, unit="ft", reference="AMSL"),
    )
    assert circle.volume.time.end is not None and circle.volume.time.end.hour == 18


@pytest.mark.parametrize(
    ("restriction", "kind"),
    [
        ("REQ_AUTHORISATION", "restricted"),
        ("CONDITIONAL", "restricted"),
        ("PROHIBITED", "protected"),
    ],
)
def test_restrictions_map_to_kinds(restriction: str, kind: str) -> None:
    (item,) = _read(_zone(restriction, _volume(CIRCLE))).items
    assert isinstance(item.body, v1.ZoneIn) and item.body.kind == kind


def test_limits_stay_on_their_reference_and_a_missing_one_is_the_surface_or_unlimited() -> None:
    no_limits = _volume(CIRCLE, uom="FT", reference="AGL")
    del no_limits["lowerLimit"]
    agl, open_band = (
        item.body.volume.altitude
        for item in _read(
            _zone("PROHIBITED", _volume(CIRCLE, reference="AGL")),
            _zone("PROHIBITED", no_limits),
        ).items
        if isinstance(item.body, v1.ZoneIn)
    )
    assert agl == v1.FiledAltitude(
        lower=v1.HeightLimit(value=0, unit="m", reference="AMSL"),
        upper=v1.HeightLimit(value=120, unit="m", reference="AGL"),
    )
    assert open_band == v1.FiledAltitude(
        lower=v1.SpecialLimit(special="SFC"),
        upper=v1.HeightLimit(value=120, unit="ft", reference="AGL"),
    )
    del no_limits["upperLimit"]
    (unlimited,) = _read(_zone("PROHIBITED", no_limits)).items
    assert isinstance(unlimited.body, v1.ZoneIn)
    assert unlimited.body.volume.altitude == v1.FiledAltitude(
        lower=v1.SpecialLimit(special="SFC"), upper=v1.SpecialLimit(special="UNL")
    )


def test_what_cannot_be_read_is_reported_by_index() -> None:
    parsed = _read(
        _zone("NO_RESTRICTION", _volume(CIRCLE)),
        _zone("PROHIBITED", _volume(CIRCLE, reference="STD")),
        {"identifier": "broken"},
        _zone("PROHIBITED", _volume(CIRCLE)),
    )
    assert [item.index for item in parsed.items] == [3]
    reasons = {p.index: p.reason for p in parsed.problems}
    assert "restriction NO_RESTRICTION asks nothing of anyone" in reasons[0]
    assert reasons[1].startswith("not an ED-269 UAS zone")  # ED-269 has no flight levels
    assert reasons[2].startswith("not an ED-269 UAS zone")


def test_a_file_without_features_is_refused_whole() -> None:
    with pytest.raises(InvalidImport, match="no ED-269 document"):
        ed269.read(b'{"title": "x"}', ReadOptions())
