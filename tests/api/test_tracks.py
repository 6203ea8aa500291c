"""POST/GET /v1/tracks, the tactical tick and GET /v1/conflicts?kind=tactical through the API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from _support import T0, THREE_PARTY_YAML, Api, make_env

from sharedsky.domain.ids import PartyId
from sharedsky.domain.visibility import Viewer
from sharedsky.events.streams import StreamCursor
from sharedsky.service.stream import read_stream
from sharedsky.service.tactical import tick
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

NM_M = 1852.0


def state(
    track_id: str,
    lat: float,
    lon: float,
    trk: float,
    *,
    at: datetime = T0,
    alt: float = 7600.0,
    gs: float = 230.0,
    **extra: Any,
) -> dict[str, Any]:
    """One wire state."""
    return {
        "id": track_id,
        "time": at.isoformat().replace("+00:00", "Z"),
        "lat": lat,
        "lon": lon,
        "alt_m": alt,
        "gs_mps": gs,
        "trk_deg": trk,
        "vs_mps": 0,
        **extra,
    }


def post(api: Api, party: str, *states: dict[str, Any]) -> Any:
    return api.client.post("/v1/tracks", json={"tracks": list(states)}, headers=api.as_(party))


def run_tick(api: Api) -> Any:
    return tick(api.env.deps, api.container.picture, api.container.board)


def head_on(api: Api, at: datetime = T0, gap_deg: float = 0.6) -> None:
    """Alpha's A1 flies east and Bravo's B1 west at one altitude, ``gap_deg`` of longitude
    apart (0.6° ≈ 55 km at 34.5° N: loss of 5 NM in about 100 s at 230 m/s each)."""
    assert post(api, "alpha", state("A1", 34.5, 36.0, 90.0, at=at)).status_code == 202
    assert post(api, "bravo", state("B1", 34.5, 36.0 + gap_deg, 270.0, at=at)).status_code == 202


def tactical(api: Api, party: str, **params: str) -> list[dict[str, Any]]:
    answer = api.client.get(
        "/v1/conflicts", params={"kind": "tactical", **params}, headers=api.as_(party)
    )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["conflicts"]
    return found


def events_of(api: Api, party: str, prefix: str) -> list[dict[str, Any]]:
    answer = api.client.get("/v1/ledger", headers=api.as_(party))
    lines = [json.loads(line) for line in answer.text.splitlines() if line.strip()]
    return [e for e in lines if str(e.get("type", "")).startswith(prefix)]


def test_a_party_reports_its_tracks_and_reads_them_back(api: Api) -> None:
    answer = post(api, "alpha", state("A1", 34.5, 36.0, 90.0), state("A2", 34.0, 36.5, 0.0))
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"accepted": 2, "stale": 0}
    mine = api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"]
    assert sorted(t["id"] for t in mine) == ["A1", "A2"]
    assert all(t["party"] == "alpha" and t["age_s"] == 0 for t in mine)
    # alpha-bravo share conflicts_only: bravo sees none of alpha's tracks while nothing clashes
    assert api.client.get("/v1/tracks", headers=api.as_("bravo")).json()["tracks"] == []
    host = api.client.get("/v1/tracks", headers=api.as_("host")).json()["tracks"]
    assert len(host) == 2


def test_the_columnar_form_is_the_same_batch(api: Api) -> None:
    columns = {
        "id": ["A1", "A2"],
        "time": ["2026-11-24T12:00:00Z", "2026-11-24T12:00:00Z"],
        "lat": [34.5, 34.0],
        "lon": [36.0, 36.5],
        "alt_m": [7600, 3000],
        "gs_mps": [230, 120],
        "trk_deg": [90, 180],
    }
    answer = api.client.post("/v1/tracks", json={"columns": columns}, headers=api.as_("alpha"))
    assert answer.status_code == 202, answer.text
    mine = api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"]
    assert [(t["id"], t["alt_m"], t["vs_mps"]) for t in mine] == [
        ("A1", 7600.0, 0.0),
        ("A2", 3000.0, 0.0),
    ]


def test_a_callsign_is_trimmed_kept_and_read_back_in_both_forms(api: Api) -> None:
    """The callsign a feed gives travels with the state: trimmed, kept with the newest state,
    replaced by a newer one, absent (null) where none came."""
    named = state("A1", 34.5, 36.0, 90.0, callsign="  VIPER 11 ")
    assert post(api, "alpha", named, state("A2", 34.0, 36.5, 0.0)).status_code == 202
    mine = api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"]
    assert [(t["id"], t["callsign"]) for t in mine] == [("A1", "VIPER 11"), ("A2", None)]
    later = api.env.clock.advance(1)
    assert post(api, "alpha", state("A2", 34.0, 36.5, 0.0, at=later, callsign="ALP2")).is_success
    columns = {
        "id": ["A3", "A4"],
        "time": ["2026-11-24T12:00:01Z"] * 2,
        "lat": [34.5, 34.0],
        "lon": [36.0, 36.5],
        "alt_m": [7600, 3000],
        "gs_mps": [230, 120],
        "trk_deg": [90, 180],
        "callsign": ["RESCUE-7", None],
    }
    answer = api.client.post("/v1/tracks", json={"columns": columns}, headers=api.as_("alpha"))
    assert answer.status_code == 202, answer.text
    mine = api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"]
    assert {t["id"]: t["callsign"] for t in mine} == {
        "A1": "VIPER 11",
        "A2": "ALP2",
        "A3": "RESCUE-7",
        "A4": None,
    }
    host = api.client.get("/v1/tracks", headers=api.as_("host")).json()["tracks"]
    assert {t["id"]: t["callsign"] for t in host} == {t["id"]: t["callsign"] for t in mine}


@pytest.mark.parametrize("bad", ["", "   ", "A" * 17, "ALP@12", "-ALP", "VIPER\n11", 12])
def test_a_bad_callsign_gets_422_with_its_path_in_either_form(api: Api, bad: object) -> None:
    answer = post(
        api, "alpha", state("A1", 34.5, 36.0, 90.0), state("A2", 34.0, 36.5, 0.0, callsign=bad)
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == ["tracks", 1, "callsign"]
    columns = {
        "id": ["A1"],
        "time": ["2026-11-24T12:00:00Z"],
        "lat": [34.5],
        "lon": [36.0],
        "alt_m": [7600],
        "gs_mps": [230],
        "trk_deg": [90],
        "callsign": [bad],
    }
    answer = api.client.post("/v1/tracks", json={"columns": columns}, headers=api.as_("alpha"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == ["columns", "callsign", 0]
    assert api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"] == []


def test_a_tactical_conflict_names_each_track_by_its_callsign(api: Api) -> None:
    """The callsigns ride with the alert: in its sides on every read, and in the payload of
    its detection (``a_callsign``, ``b_callsign``) on the stream and in the ledger."""
    assert post(api, "alpha", state("A1", 34.5, 36.0, 90.0, callsign="ALP123")).is_success
    assert post(api, "bravo", state("B1", 34.5, 36.6, 270.0)).is_success  # no callsign
    assert run_tick(api).opened == 1
    for party in ("alpha", "bravo", "host"):
        (alert,) = tactical(api, party)
        sides = {alert["a"]["id"]: alert["a"], alert["b"]["id"]: alert["b"]}
        assert sides["A1"]["callsign"] == "ALP123" and sides["B1"]["callsign"] is None, party
        assert not any(k.endswith("_callsign") for k in alert["figures"]), party
    (detected,) = events_of(api, "bravo", "tactical.detected")
    payload = detected["payload"]
    side_of = {payload["a"][1]: "a", payload["b"][1]: "b"}
    assert payload[f"{side_of['A1']}_callsign"] == "ALP123"
    assert f"{side_of['B1']}_callsign" not in payload


def test_a_flight_level_against_a_geometric_altitude_alerts_with_its_datum_margin(
    api: Api,
) -> None:
    """Alpha's A1 reports FL 250 (7,620 m of pressure altitude, STD), bravo's B1 flies head-on
    500 m above it on GNSS through the geoid (W84): as metres AMSL they would be 500 m apart,
    but FL 250 lies up to 300 m higher at a QNH of 1050 hPa, so the alert is raised, with
    ``datum_margin_m`` (the gap at the standard QNH) on every read and in its payload. The
    same pair both on flight levels is clear; alt_ref comes back as reported."""
    from sharedsky.geo import geoid

    undulation_m = float(geoid.undulation_m(34.5, 36.3))
    b1_m = 7_620.0 + 500.0 + undulation_m  # 500 m above 7,620 m AMSL where they meet
    assert post(api, "alpha", state("A1", 34.5, 36.0, 90.0, alt=7_620.0, alt_ref="STD")).is_success
    b1 = state("B1", 34.5, 36.6, 270.0, alt=b1_m, alt_ref="W84")
    assert post(api, "bravo", b1).is_success
    refs = {t["id"]: t["alt_ref"] for t in api.client.get(
        "/v1/tracks", headers=api.as_("host")).json()["tracks"]}  # fmt: skip
    assert refs == {"A1": "STD", "B1": "W84"}
    assert run_tick(api).opened == 1
    (alert,) = tactical(api, "alpha")
    assert alert["datum_margin_m"] == pytest.approx(500.0, abs=2.0)  # the geoid moves 1.2 m
    assert "datum_margin_m" not in alert["figures"]
    (detected,) = events_of(api, "bravo", "tactical.detected")
    assert detected["payload"]["datum_margin_m"] == alert["datum_margin_m"]
    both_levels = state("B2", 34.5, 36.6, 270.0, alt=8_120.0, alt_ref="STD")
    assert post(api, "bravo", both_levels).is_success
    run_tick(api)
    assert {a["b"]["id"] for a in tactical(api, "alpha")} | {
        a["a"]["id"] for a in tactical(api, "alpha")} == {"A1", "B1"}  # fmt: skip
    refused = post(api, "alpha", state("A2", 34.5, 36.0, 90.0, alt_ref="AGL"))
    assert refused.status_code == 422 and refused.json()["path"] == ["tracks", 0, "alt_ref"]


def test_a_callsign_is_withheld_with_its_tracks_id_under_host_only(
    database: Database, clock: FakeClock
) -> None:
    """alpha and charlie share host_only: each is told of the alert, neither reads the other
    aircraft's id or callsign (in the list, on the stream); the host reads both."""
    api = Api(make_env(database, clock, THREE_PARTY_YAML))
    with api.client:
        assert post(api, "alpha", state("A1", 34.5, 36.0, 90.0, callsign="ALP123")).is_success
        assert post(api, "charlie", state("C1", 34.5, 36.6, 270.0, callsign="CHA9")).is_success
        assert run_tick(api).opened == 1
        for viewer, own, other in (("alpha", "ALP123", "charlie"), ("charlie", "CHA9", "alpha")):
            (alert,) = tactical(api, viewer)
            sides = {alert["a"]["party"]: alert["a"], alert["b"]["party"]: alert["b"]}
            assert sides[viewer]["callsign"] == own
            assert sides[other]["id"] is None and sides[other]["callsign"] is None
            page = read_stream(
                api.env.deps, Viewer(PartyId(viewer), False), StreamCursor(0, 0.0), 0.0
            )
            (detected,) = [e for e in page.events if e.type == "tactical.detected"]
            assert {own} == {v for k, v in detected.payload.items() if k.endswith("_callsign")}
        (alert,) = tactical(api, "host")
        assert {alert["a"]["callsign"], alert["b"]["callsign"]} == {"ALP123", "CHA9"}


def test_old_states_are_dropped_and_never_replace_newer_ones(api: Api) -> None:
    old = T0 - timedelta(seconds=60)
    answer = post(api, "alpha", state("A1", 34.5, 36.0, 90.0, at=old))
    assert answer.json() == {"accepted": 0, "stale": 1}
    post(api, "alpha", state("A1", 34.5, 36.0, 90.0))
    earlier = T0 - timedelta(seconds=5)
    assert post(api, "alpha", state("A1", 30.0, 30.0, 0.0, at=earlier)).json()["stale"] == 1
    (track,) = api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"]
    assert track["lat"] == 34.5
    api.env.clock.advance(21)  # past the maximum age of 20 s
    assert api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"] == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"lat": 91.0}, ["tracks", 1, "lat"]),
        ({"lon": -180.5}, ["tracks", 1, "lon"]),
        ({"gs_mps": -1.0}, ["tracks", 1, "gs_mps"]),
        ({"trk_deg": 360.0}, ["tracks", 1, "trk_deg"]),
        ({"trk_deg": -0.1}, ["tracks", 1, "trk_deg"]),
        ({"time": "2026-11-24T13:00:00Z"}, ["tracks", 1, "time"]),
        ({"id": ""}, ["tracks", 1, "id"]),
        ({"time": "2026-11-24T12:00:00"}, ["tracks", 1, "time"]),
    ],
)
def test_bad_states_get_422_with_the_field_path_and_nothing_is_kept(
    api: Api, change: dict[str, Any], path: list[Any]
) -> None:
    good = state("A1", 34.5, 36.0, 90.0)
    answer = post(api, "alpha", good, {**state("A2", 34.0, 36.0, 0.0), **change})
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == path
    assert api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"] == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_anywhere_is_refused(api: Api, literal: str) -> None:
    body = json.dumps({"tracks": [state("A1", 34.5, 36.0, 90.0)]}).replace("7600.0", literal)
    answer = api.client.post(
        "/v1/tracks",
        content=body,
        headers={**api.as_("alpha"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == ["tracks", 0, "alt_m"]
    columns = {
        "id": ["A1"],
        "time": ["2026-11-24T12:00:00Z"],
        "lat": [34.5],
        "lon": [36.0],
        "alt_m": [7600],
        "gs_mps": ["__"],
        "trk_deg": [90],
    }
    body = json.dumps({"columns": columns}).replace('"__"', literal)
    answer = api.client.post(
        "/v1/tracks",
        content=body,
        headers={**api.as_("alpha"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == ["columns", "gs_mps", 0]


def test_a_batch_over_the_limit_and_ragged_columns_are_refused(api: Api) -> None:
    many = [state(f"A{i}", 34.5, 36.0, 90.0) for i in range(10_001)]
    answer = post(api, "alpha", *many)
    assert answer.status_code == 422 and answer.json()["path"] == ["tracks"], answer.text
    ragged = {
        "id": ["A1", "A2"],
        "time": ["2026-11-24T12:00:00Z"],
        "lat": [34.5, 34.0],
        "lon": [36.0, 36.5],
        "alt_m": [7600, 3000],
        "gs_mps": [230, 120],
        "trk_deg": [90, 180],
    }
    answer = api.client.post("/v1/tracks", json={"columns": ragged}, headers=api.as_("alpha"))
    assert answer.status_code == 422 and answer.json()["path"] == ["time"], answer.text
    both = api.client.post(
        "/v1/tracks", json={"tracks": [], "columns": ragged}, headers=api.as_("alpha")
    )
    assert both.status_code == 422
    assert api.client.get("/v1/tracks", headers=api.as_("alpha")).json()["tracks"] == []


def test_another_partys_tracks_and_the_host_are_refused(api: Api) -> None:
    answer = post(api, "alpha", state("B1", 34.5, 36.0, 90.0, party="bravo"))
    assert answer.status_code == 403 and answer.json()["path"] == ["tracks", 0, "party"]
    assert post(api, "alpha", state("A1", 34.5, 36.0, 90.0, party="alpha")).status_code == 202
    assert post(api, "host", state("H1", 34.5, 36.0, 90.0)).status_code == 403


def test_a_head_on_pair_alerts_both_parties_and_clears_after_30_s_of_calm(api: Api) -> None:
    """R-TACT-1, R-TACT-2, R-TACT-3."""
    head_on(api)
    report = run_tick(api)
    assert (report.tracks, report.opened) == (2, 1)
    (alert,) = tactical(api, "alpha")
    assert tactical(api, "bravo") == [alert]
    assert alert["category"] == "separation" and alert["state"] == "open"
    assert alert["severity"] == "caution"  # loss of separation in about 100 s
    assert {alert["a"]["id"], alert["b"]["id"]} == {"A1", "B1"}
    assert 90 < alert["figures"]["t_in_s"] < 110 and alert["figures"]["dcpa_m"] < 1
    # the pair is now visible to bravo under conflicts_only
    seen = api.client.get("/v1/tracks", headers=api.as_("bravo")).json()["tracks"]
    assert sorted(t["id"] for t in seen) == ["A1", "B1"]
    # both owe an acknowledgement; bravo gives it
    pending = api.client.get("/v1/acks/pending", headers=api.as_("bravo")).json()
    assert [a["subject_id"] for a in pending["acknowledgements"]] == [alert["id"]]
    ack = api.client.post(f"/v1/conflicts/{alert['id']}/ack", headers=api.as_("bravo"))
    assert ack.status_code == 200, ack.text
    assert api.client.get("/v1/acks/pending", headers=api.as_("bravo")).json() == {
        "acknowledgements": []
    }
    # the tracks turn away: the alert stays open for 30 s of calm, then clears
    later = api.env.clock.advance(10)
    post(api, "alpha", state("A1", 34.5, 36.0, 0.0, at=later, alt=3000))
    for _ in range(2):
        assert run_tick(api).cleared == 0
        api.env.clock.advance(10)
    assert tactical(api, "alpha", state="open")
    post(api, "alpha", state("A1", 34.5, 36.0, 0.0, at=api.env.clock.advance(10), alt=3000))
    post(api, "bravo", state("B1", 34.5, 36.6, 270.0, at=api.env.clock.now()))
    assert run_tick(api).cleared == 1
    assert tactical(api, "alpha", state="open") == []
    (cleared,) = tactical(api, "bravo", state="cleared")
    assert cleared["id"] == alert["id"] and cleared["cleared_at"] is not None
    types = [e["type"] for e in events_of(api, "bravo", "tactical.")]
    assert types == ["tactical.detected", "tactical.acknowledged", "tactical.cleared"]


def test_a_pair_found_again_within_30_s_continues_its_alert(api: Api) -> None:
    """R-TACT-3: no flapping."""
    head_on(api, gap_deg=2.5)  # about 7 min apart: nothing within the 300 s look-ahead
    assert run_tick(api).opened == 0
    api.env.clock.advance(1)
    head_on(api, at=api.env.clock.now(), gap_deg=1.0)
    assert run_tick(api).opened == 1
    for step in range(5):  # in and out of the look-ahead every other tick
        at = api.env.clock.advance(5)
        head_on(api, at=at, gap_deg=2.5 if step % 2 == 0 else 1.0)
        report = run_tick(api)
        assert (report.opened, report.cleared) == (0, 0)
    assert len(events_of(api, "alpha", "tactical.detected")) == 1


def test_severity_rises_at_once_and_falls_only_after_30_s(api: Api) -> None:
    """R-TACT-2."""
    head_on(api, gap_deg=1.2)  # t_in ≈ 220 s: advisory
    run_tick(api)
    (alert,) = tactical(api, "alpha")
    assert alert["severity"] == "advisory"
    head_on(api, at=api.env.clock.advance(1), gap_deg=0.3)  # t_in < 60 s: warning
    run_tick(api)
    assert tactical(api, "alpha")[0]["severity"] == "warning"
    head_on(api, at=api.env.clock.advance(1), gap_deg=1.2)
    run_tick(api)
    assert tactical(api, "alpha")[0]["severity"] == "warning"
    for _ in range(4):
        head_on(api, at=api.env.clock.advance(10), gap_deg=1.2)
        run_tick(api)
    assert tactical(api, "alpha")[0]["severity"] == "advisory"
    updates = [e for e in events_of(api, "host", "tactical.updated")]
    assert [e["payload"]["severity"] for e in updates] == ["warning", "advisory"]


def test_parties_on_another_channel_see_nothing_of_the_alert(api: Api) -> None:
    head_on(api)
    run_tick(api)
    (alert,) = tactical(api, "host")
    assert (
        api.client.get(f"/v1/conflicts/{alert['id']}", headers=api.as_("alpha")).json()["id"]
        == alert["id"]
    )
    assert events_of(api, "alpha", "tactical.detected")[0]["payload"]["to"] == ["alpha", "bravo"]


def test_a_track_heading_into_anothers_protected_zone_alerts_both(api: Api) -> None:
    """R-TACT-4."""
    import _bodies as bodies

    zone = bodies.zone(bodies.square(36.5, 34.3), kind="protected")
    assert api.client.post("/v1/zones", json=zone, headers=api.as_("bravo")).status_code == 201
    # alpha's A1 flies east at 230 m/s towards the zone's west edge, 0.2° (18 km) away
    post(api, "alpha", state("A1", 34.5, 36.3, 90.0, alt=3000, callsign="ALP1"))
    post(api, "alpha", state("A2", 34.5, 36.3, 270.0, alt=3000))  # flying away: nothing
    report = run_tick(api)
    assert report.opened == 1
    (alert,) = tactical(api, "bravo")
    assert alert["category"] == "intrusion" and alert["a"]["id"] == "A1"
    assert alert["a"]["callsign"] == "ALP1"
    assert alert["b"] == {
        "type": "zone",
        "id": alert["b"]["id"],
        "party": "bravo",
        "callsign": None,
    }
    figures = alert["figures"]
    assert 70 < figures["t_entry_s"] < 90 and 17_000 < figures["distance_m"] < 19_000
    assert alert["severity"] == "caution"
    assert tactical(api, "alpha") == [alert]


def test_a_flight_level_reported_above_a_zone_ceiling_is_alerted_when_a_qnh_puts_it_in(
    api: Api,
) -> None:
    """A zone up to 3,000 m AMSL; a track reporting 3,200 m of pressure altitude (FL105) may be
    470 m lower at 950 hPa: an intrusion. The same figure reported as AMSL is clear of it, and
    FL140 is clear for every QNH of the range."""
    import _bodies as bodies

    zone = bodies.zone(bodies.square(36.5, 34.3), kind="protected")
    assert api.client.post("/v1/zones", json=zone, headers=api.as_("bravo")).status_code == 201
    post(api, "alpha", state("A1", 34.5, 36.3, 90.0, alt=3200, alt_ref="STD"))
    post(api, "alpha", state("A2", 34.5, 36.3, 90.0, alt=3200, alt_ref="AMSL"))
    post(api, "alpha", state("A3", 34.5, 36.3, 90.0, alt=14_000 * 0.3048, alt_ref="STD"))
    assert run_tick(api).opened == 1
    (alert,) = tactical(api, "bravo")
    assert alert["category"] == "intrusion" and alert["a"]["id"] == "A1"


def test_a_track_leaving_its_notice_alerts_its_own_party(api: Api) -> None:
    """R-TACT-5."""
    import _bodies as bodies

    body = bodies.notice(
        bodies.square(36.0, 34.0), start="2026-11-24T12:00:00Z", end="2026-11-24T14:00:00Z"
    )
    filed = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["id"]
    # inside the 0.4° square, 0.05° (≈ 4.6 km) from its east edge, flying east: out in ≈ 20 s
    post(
        api, "alpha", state("A1", 34.2, 36.35, 90.0, alt=5000, notice_id=notice_id, callsign="ALP1")
    )
    post(api, "alpha", state("A2", 34.2, 36.2, 0.0, alt=5000, notice_id=notice_id))  # stays in
    post(api, "alpha", state("A3", 34.2, 36.2, 0.0, alt=5000, notice_id="ntc-nonexistent"))
    report = run_tick(api)
    assert report.opened == 2
    alerts = {a["a"]["id"]: a for a in tactical(api, "alpha")}
    assert set(alerts) == {"A1", "A3"}
    leaving = alerts["A1"]
    assert leaving["category"] == "conformance" and leaving["severity"] == "warning"
    assert leaving["figures"]["status"] == "leaving" and leaving["a"]["callsign"] == "ALP1"
    assert 15 < leaving["figures"]["t_exit_s"] < 25
    assert alerts["A3"]["figures"]["status"] == "outside"
    # alpha-bravo share conflicts_only and the notice clashes with nothing: bravo is not told
    assert tactical(api, "bravo") == []


def test_a_rise_to_warning_demands_a_flash_acknowledgement_again(api: Api) -> None:
    """R-TACT-2: acknowledged at caution, owed again within the flash deadline at warning."""
    head_on(api, gap_deg=1.0)  # caution
    run_tick(api)
    (alert,) = tactical(api, "bravo")
    assert api.client.post(f"/v1/conflicts/{alert['id']}/ack", headers=api.as_("bravo")).is_success
    head_on(api, at=api.env.clock.advance(1), gap_deg=0.3)  # warning
    assert run_tick(api).changed == 1
    for party in ("alpha", "bravo"):
        pending = api.client.get("/v1/acks/pending", headers=api.as_(party)).json()
        (owed,) = pending["acknowledgements"]
        assert owed["subject_id"] == alert["id"] and owed["priority"] == "flash", party
        assert owed["due_at"] == "2026-11-24T12:01:01Z"
    head_on(api, at=api.env.clock.advance(1), gap_deg=0.28)
    assert run_tick(api).changed == 0  # still warning: nothing more owed
    pending = api.client.get("/v1/acks/pending", headers=api.as_("bravo")).json()
    assert len(pending["acknowledgements"]) == 1


def test_a_failing_stage_neither_stops_the_tick_nor_clears_its_alerts(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tick never dies on bad data: a stage that raises holds its open alerts."""
    import _bodies as bodies

    from sharedsky.service import tactical as tactical_service

    zone = bodies.zone(bodies.square(36.5, 34.3), kind="protected")
    api.client.post("/v1/zones", json=zone, headers=api.as_("bravo"))
    post(api, "alpha", state("A1", 34.5, 36.3, 90.0, alt=3000))
    assert run_tick(api).opened == 1  # the intrusion

    def broken(*_: object, **__: object) -> list[object]:
        raise ValueError("a corrupt outline")

    monkeypatch.setattr(tactical_service, "conformance_findings", broken)
    for _ in range(4):  # 40 s: the intrusion would have cleared had the stage found nothing
        at = api.env.clock.advance(10)
        post(api, "alpha", state("A1", 34.5, 36.3, 90.0, at=at, alt=3000))
        post(api, "bravo", state("B1", 34.5, 36.9, 270.0, at=at, alt=3000))
        report = run_tick(api)
        assert report.cleared == 0
    kinds = sorted(a["category"] for a in tactical(api, "bravo", state="open"))
    assert kinds == ["intrusion", "separation"]  # separation still detected meanwhile
