"""F3548 out and in: each current notice is an OperationalIntent that parses with
uas_standards' F3548-21 models, its volumes as Volume4Ds on ellipsoid heights that hold the band
wherever the geoid lies, a limit filed on the ellipsoid as filed; a file's intents or bare
Volume4Ds become notices whose ellipsoid altitudes stay W84 limits, as filed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from _exports import CIRCLE, notice_out, sample_export
from implicitdict import ImplicitDict
from uas_standards.astm.f3548.v21 import api as model

from sharedsky.domain.errors import InvalidImport
from sharedsky.geo.geoid import GLOBAL_RANGE_M, UNDULATION_ERROR_M, undulation_m
from sharedsky.interop.formats import f3548
from sharedsky.interop.formats.heights import Height
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.wire import v1


def _intents(**changes: Any) -> list[dict[str, Any]]:
    intents: list[dict[str, Any]] = json.loads(f3548.write(sample_export(**changes)))[
        "operational_intents"
    ]
    return intents


def test_each_current_notice_is_an_operational_intent_of_the_f3548_models() -> None:
    (raw,) = _intents()
    intent = ImplicitDict.parse(raw, model.OperationalIntent)
    reference = intent.reference
    assert uuid.UUID(reference.id).version == 4
    assert reference.id == f3548.entity_id("ntc-000001")
    assert (reference.manager, reference.version, reference.state) == ("alpha", 2, "Accepted")
    assert raw["reference"]["time_start"] == {"value": "2026-11-24T15:00:00Z", "format": "RFC3339"}
    assert len(intent.details.volumes) == 3


def test_volumes_keep_circles_and_widen_the_band_to_the_ellipsoid() -> None:
    square, circle, corridor = _intents()[0]["details"]["volumes"]
    assert circle["volume"]["outline_circle"] == {
        "center": {"lng": 36.3, "lat": 33.5},
        "radius": {"value": 2000.0, "units": "M"},
    }
    vertices = square["volume"]["outline_polygon"]["vertices"]
    assert vertices[0] == {"lng": 36.1, "lat": 34.5} and len(vertices) == 4  # not closed
    assert len(corridor["volume"]["outline_polygon"]["vertices"]) > 100
    lower, upper = square["volume"]["altitude_lower"], square["volume"]["altitude_upper"]
    assert (lower["reference"], lower["units"]) == ("W84", "M")
    # the ellipsoid heights hold the band wherever the geoid lies under it (its model error
    # included), and are narrower than a widening by the whole world's undulation range
    lats = [v["lat"] for v in vertices] + [34.7]
    lons = [v["lng"] for v in vertices] + [36.3]
    under = undulation_m(lats, lons)
    assert lower["value"] <= 3000.0 + under.min() - UNDULATION_ERROR_M
    assert upper["value"] >= 9000.0 + under.max() + UNDULATION_ERROR_M
    assert (
        lower["value"] > 3000.0 + GLOBAL_RANGE_M[0] and upper["value"] < 9000.0 + GLOBAL_RANGE_M[1]
    )


def test_ended_and_cancelled_notices_have_no_intent() -> None:
    notices = (notice_out(status="ended"), notice_out(id="ntc-9", status="cancelled"),
               notice_out(id="ntc-10", status="active"))  # fmt: skip
    (intent,) = _intents(notices=notices)
    assert intent["reference"]["state"] == "Activated"
    assert intent["reference"]["id"] == f3548.entity_id("ntc-10")


def _volume4d(altitudes: bool = True, reference: str = "W84") -> dict[str, Any]:
    volume: dict[str, Any] = {
        "volume": {"outline_circle": {"center": {"lng": 36.0, "lat": 34.0},
                                      "radius": {"value": 500, "units": "M"}}},
        "time_start": {"value": "2026-11-24T15:00:00Z", "format": "RFC3339"},
        "time_end": {"value": "2026-11-24T16:00:00Z", "format": "RFC3339"},
    }  # fmt: skip
    if altitudes:
        volume["volume"]["altitude_lower"] = {"value": 10, "reference": reference, "units": "M"}
        volume["volume"]["altitude_upper"] = {"value": 120, "reference": reference, "units": "M"}
    return volume


BAND = ReadOptions(lower=Height(0, "m", "AMSL"), upper=Height(150, "m", "AMSL"))


def _w84(value: float, unit: str = "m") -> v1.HeightLimit:
    return v1.HeightLimit.model_validate({"value": value, "unit": unit, "reference": "W84"})


def test_ellipsoid_altitudes_are_read_as_w84_limits_as_filed() -> None:
    parsed = f3548.read(f3548.write(sample_export()), ReadOptions())
    assert parsed.problems == ()
    (item,) = parsed.items
    assert isinstance(item.body, v1.NoticeIn)
    altitude = item.body.volumes[0].altitude
    assert isinstance(altitude, v1.FiledAltitude)
    assert altitude.lower.model_dump()["reference"] == "W84"
    (bare,) = f3548.read(json.dumps([_volume4d()]).encode(), ReadOptions()).items
    assert isinstance(bare.body, v1.NoticeIn)
    assert bare.body.volumes[0].altitude == v1.FiledAltitude(lower=_w84(10), upper=_w84(120))


def test_a_limit_filed_on_the_ellipsoid_is_written_as_filed_the_other_widened() -> None:
    """FL100 (not on the ellipsoid) is widened below the band's AMSL interval; 400 ft W84 is
    written as filed, in metres (F3548 knows no feet)."""
    body = notice_out()
    filed = v1.FiledAltitude(
        lower=v1.HeightLimit(value=100, unit="FL", reference="STD"),
        upper=_w84(4000, "ft"),
        amsl_m=v1.Altitude(lower_m=2800.0, upper_m=1240.0),
    )
    volumes = [v.model_copy(update={"altitude": filed}) for v in body.volumes]
    (intent,) = _intents(notices=(body.model_copy(update={"volumes": volumes}),))
    for volume in intent["details"]["volumes"]:
        lower, upper = volume["volume"]["altitude_lower"], volume["volume"]["altitude_upper"]
        assert upper == {"value": pytest.approx(1219.2), "reference": "W84", "units": "M"}
        assert lower["value"] < 2800.0 + undulation_m(34.0, 36.3).max() - UNDULATION_ERROR_M


def test_bare_volumes_without_altitudes_become_one_notice_with_the_options_band() -> None:
    for document in ([_volume4d(False), _volume4d(False)], {"volumes": [_volume4d(False)]}):
        (item,) = f3548.read(json.dumps(document).encode(), BAND).items
        assert isinstance(item.body, v1.NoticeIn) and item.body.kind == "uav"
        volume = item.body.volumes[0]
        assert volume.outline == v1.CircleOutline(type="Circle", center=(36.0, 34.0), radius_m=500)
        assert volume.altitude == v1.Altitude(lower_m=0, upper_m=150)
    (given,) = f3548.read(json.dumps([_volume4d()]).encode(), BAND).items
    assert isinstance(given.body, v1.NoticeIn)  # the file's band wins over the options'
    assert given.body.volumes[0].altitude == v1.FiledAltitude(lower=_w84(10), upper=_w84(120))


def test_an_intent_reads_back_its_outlines_with_the_options_kind() -> None:
    (raw,) = _intents()
    for volume in raw["details"]["volumes"]:
        del volume["volume"]["altitude_lower"], volume["volume"]["altitude_upper"]
    options = ReadOptions(kind="air_sortie", lower=BAND.lower, upper=BAND.upper)
    for document in ([raw], {"operational_intent": raw}, raw):
        (item,) = f3548.read(json.dumps(document).encode(), options).items
        notice = item.body
        assert isinstance(notice, v1.NoticeIn)
        assert notice.kind == "air_sortie" and notice.title.startswith("F3548 operational intent")
        assert notice.volumes[1].outline.model_dump(mode="json") == CIRCLE
        assert notice.volumes[0].outline.type == "Polygon"


def test_what_is_no_f3548_is_refused() -> None:
    with pytest.raises(InvalidImport, match="no F3548"):
        f3548.read(b'{"zones": []}', ReadOptions())
    parsed = f3548.read(json.dumps([{"reference": {}}]).encode(), BAND)
    assert parsed.problems[0].reason.startswith("not an F3548 operational intent")
