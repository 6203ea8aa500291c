"""Heights with their datums through the API: filed, stored and shown as filed, with the AMSL
interval beside; refused with a clear 422 when a limit cannot be placed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _bodies import notice, square, zone
from _support import LEVANT_YAML, Api, make_env

from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

TERRAIN_YAML = LEVANT_YAML + "terrain_m: {min: -430, max: 2814}\n"


@pytest.fixture
def terrain_api(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The Levant mechanism with terrain bounds (AGL heights accepted)."""
    holder = Api(make_env(database, clock, TERRAIN_YAML))
    with holder.client:
        yield holder


def banded(lower: dict[str, Any], upper: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    body = notice(**kwargs)
    body["volumes"][0]["altitude"] = {"lower": lower, "upper": upper}
    return body


FL = "FL"
BANDS = [
    ({"value": 100, "unit": FL}, {"value": 200, "unit": FL, "reference": "STD"}),
    ({"special": "SFC"}, {"value": 500, "unit": "ft", "reference": "AGL"}),
    ({"value": 1000, "unit": "m", "reference": "W84"}, {"special": "UNL"}),
    ({"value": 3000, "unit": "ft"}, {"value": 120, "unit": FL}),
]


def test_every_kind_of_band_is_stored_and_shown_as_filed(terrain_api: Api) -> None:
    """R-HEIGHT-1: each band reads back as filed (an omitted reference as AMSL, or STD for a
    flight level) with its AMSL interval beside it; a band in metres AMSL reads as before."""
    body = notice()
    plain = body["volumes"][0]
    body["volumes"] = [plain] + [
        {**plain, "altitude": {"lower": lower, "upper": upper}} for lower, upper in BANDS
    ]
    filed = terrain_api.client.post("/v1/notices", json=body, headers=terrain_api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    shown = terrain_api.client.get(
        f"/v1/notices/{filed.json()['id']}", headers=terrain_api.as_("alpha")
    ).json()
    altitudes = [v["altitude"] for v in shown["volumes"]]
    assert altitudes[0] == {"lower_m": 3000.0, "upper_m": 9000.0}
    for (lower, upper), got in zip(BANDS, altitudes[1:], strict=True):
        default = "STD" if lower.get("unit") == FL else "AMSL"
        if "value" in lower:
            assert got["lower"] == {**lower, "reference": lower.get("reference", default)}
        else:
            assert got["lower"] == lower
        if "value" in upper:
            upper_default = "STD" if upper["unit"] == FL else "AMSL"
            assert got["upper"] == {**upper, "reference": upper.get("reference", upper_default)}
        else:
            assert got["upper"] == upper
        assert got["amsl_m"]["lower_m"] < got["amsl_m"]["upper_m"]
    fl = altitudes[1]["amsl_m"]
    assert fl["lower_m"] == pytest.approx(3048 - 540.3, abs=1) and fl["upper_m"] > 6096 + 300
    agl = altitudes[2]["amsl_m"]
    assert agl == {"lower_m": -430.0, "upper_m": pytest.approx(2814 + 152.4)}
    assert altitudes[3]["amsl_m"]["upper_m"] == 100_000.0


def test_a_zone_band_in_flight_levels_is_kept_too(api: Api) -> None:
    """R-HEIGHT-1"""
    body = zone(square(35.5, 33.9, 0.1))
    body["volume"]["altitude"] = {"lower": {"special": "SFC"}, "upper": {"value": 50, "unit": FL}}
    declared = api.client.post("/v1/zones", json=body, headers=api.as_("alpha"))
    assert declared.status_code == 201, declared.text
    altitude = declared.json()["volume"]["altitude"]
    assert altitude["lower"] == {"special": "SFC"}
    assert altitude["upper"] == {"value": 50.0, "unit": "FL", "reference": "STD"}
    assert altitude["amsl_m"]["lower_m"] == -500.0  # no terrain bounds: the floor


def test_an_agl_band_without_terrain_bounds_is_refused_and_nothing_is_stored(api: Api) -> None:
    """R-HEIGHT-1, R-INPUT-1: the problem names the limit and says what the mechanism lacks."""
    body = banded({"special": "SFC"}, {"value": 400, "unit": "ft", "reference": "AGL"})
    refused = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "invalid-volume"
    assert problem["path"] == ["volumes", 0, "altitude", "upper"]
    assert "terrain_m" in problem["detail"] and "AGL" in problem["detail"]
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []


@pytest.mark.parametrize(
    ("lower", "upper", "path", "words"),
    [
        ({"value": 100, "unit": FL, "reference": "AMSL"}, {"special": "UNL"}, "lower",
         "pressure altitude"),
        ({"special": "UNL"}, {"value": 100, "unit": FL}, "lower", "UNL"),
        ({"value": 200, "unit": FL}, {"value": 100, "unit": FL}, "lower", "below the upper"),
    ],
)  # fmt: skip
def test_a_misplaced_limit_is_refused_with_its_path(
    api: Api, lower: dict[str, Any], upper: dict[str, Any], path: str, words: str
) -> None:
    """R-HEIGHT-1"""
    refused = api.client.post("/v1/notices", json=banded(lower, upper), headers=api.as_("alpha"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["path"][:4] == ["volumes", 0, "altitude", path]
    assert words in refused.json()["detail"]


def test_an_amsl_interval_sent_with_a_band_is_ignored(api: Api) -> None:
    """amsl_m is the server's: a client that sends back what it read changes nothing."""
    body = banded({"value": 100, "unit": FL}, {"value": 200, "unit": FL})
    body["volumes"][0]["altitude"]["amsl_m"] = {"lower_m": 0, "upper_m": 1}
    filed = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    shown = api.client.get(f"/v1/notices/{filed.json()['id']}", headers=api.as_("alpha")).json()
    assert shown["volumes"][0]["altitude"]["amsl_m"]["lower_m"] > 2_000


def test_a_conflict_found_only_through_the_qnh_range_carries_its_datum_margin(api: Api) -> None:
    """R-HEIGHT-3: FL100–FL120 against 4000–4500 m AMSL is 342.4 m apart at standard QNH (the
    channel asks 304.8 m) and 41 m apart at QNH 1050: a conflict, with datum_margin_m 342.4 on
    the wire, in the store (a later read) and in the ledger; two bands in metres AMSL that
    clash carry none."""
    flight_levels = banded({"value": 100, "unit": FL}, {"value": 120, "unit": FL})
    file_a = api.client.post("/v1/notices", json=flight_levels, headers=api.as_("alpha"))
    assert file_a.status_code == 201, file_a.text
    metres = notice(lower_m=4000, upper_m=4500)
    filed = api.client.post("/v1/notices", json=metres, headers=api.as_("bravo")).json()
    (conflict,) = filed["conflicts"]
    assert conflict["datum_margin_m"] == pytest.approx(4000 - 120 * 30.48, abs=1e-3)
    (read,) = api.client.get("/v1/conflicts", headers=api.as_("alpha")).json()["conflicts"]
    assert read["datum_margin_m"] == conflict["datum_margin_m"]
    ledger = api.client.get("/v1/ledger", headers=api.as_("host"))
    assert ledger.status_code == 200, ledger.text
    assert '"datum_margin_m"' in ledger.text
    overlapping = api.client.post(
        "/v1/notices", json=notice(lower_m=3500, upper_m=5000), headers=api.as_("alpha")
    ).json()
    (plain,) = overlapping["conflicts"]
    assert plain["datum_margin_m"] is None


def test_two_flight_level_bands_compare_in_pressure_altitude(api: Api) -> None:
    """R-HEIGHT-3: FL100–FL120 and FL131–FL140 are 335 m apart in pressure altitude, whatever
    the QNH: no conflict, though each one's AMSL span reaches the other's."""
    lower = banded({"value": 100, "unit": FL}, {"value": 120, "unit": FL})
    upper = banded({"value": 131, "unit": FL}, {"value": 140, "unit": FL})
    assert api.client.post("/v1/notices", json=lower, headers=api.as_("alpha")).status_code == 201
    filed = api.client.post("/v1/notices", json=upper, headers=api.as_("bravo")).json()
    assert filed["conflicts"] == []
    nearer = banded({"value": 125, "unit": FL}, {"value": 140, "unit": FL})
    clashing = api.client.post("/v1/notices", json=nearer, headers=api.as_("bravo")).json()
    assert len(clashing["conflicts"]) == 1 and clashing["conflicts"][0]["datum_margin_m"] is None


def test_the_mechanism_shows_the_datums_it_resolves_heights_with(api: Api) -> None:
    """What a console needs to offer AGL only where the server takes it: the QNH range and
    the terrain bounds, null when the mechanism declares none."""
    datums = api.client.get("/v1/mechanism", headers=api.as_("alpha")).json()["datums"]
    assert datums == {"qnh_min_hpa": 950.0, "qnh_max_hpa": 1050.0, "terrain_min_m": None,
                      "terrain_max_m": None}  # fmt: skip


def test_a_mechanism_with_terrain_bounds_shows_them(terrain_api: Api) -> None:
    headers = terrain_api.as_("alpha")
    datums = terrain_api.client.get("/v1/mechanism", headers=headers).json()["datums"]
    assert (datums["terrain_min_m"], datums["terrain_max_m"]) == (-430.0, 2814.0)
