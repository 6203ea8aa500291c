"""Demo traffic: recorded samples read offline with plausible SI values, moved whole into the
demo region, dealt to the parties with synthetic military flights that clash within minutes;
reproducible for a seed."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sharedsky.geo.distance import point_distance_m
from sharedsky.sim import traffic
from sharedsky.sim.replay import parse_time
from sharedsky.sim.scenarios import levant
from sharedsky.sim.traffic import (
    DEMO_BOX,
    DEMO_CENTRE,
    DEMO_DURATION_S,
    FIRST_ENCOUNTER_S,
    TrafficSamplesMissing,
    Trajectory,
    demo_feeds,
    demo_trajectories,
    load_sample,
    samples_dir,
)
from sharedsky.units import FPM_MPS, FT_M, KT_MPS

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PARTIES = ("alpha", "bravo")
END = START + timedelta(seconds=DEMO_DURATION_S)
WIRE_KEYS = {
    *("id", "time", "lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps"),
    *("notice_id", "callsign"),
}


@pytest.fixture(scope="module")
def quickstart() -> list[Trajectory]:
    """The quickstart sample, read once for the module (about 2 s)."""
    return load_sample()


@pytest.fixture(scope="module")
def demo(quickstart: list[Trajectory]) -> dict[str, list[Trajectory]]:
    return demo_trajectories(PARTIES, START, seed=7, civil=quickstart)


def columns(flights: list[Trajectory], name: str) -> np.ndarray:
    return np.concatenate([getattr(t, name) for t in flights])


def test_the_samples_are_found_without_importing_the_package() -> None:
    assert (samples_dir() / "collections" / "quickstart.json.gz").is_file()
    assert "traffic" not in sys.modules


def test_a_missing_package_is_explained_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(TrafficSamplesMissing, match=r"pip install --no-deps traffic==2\.13"):
        samples_dir()


def test_records_are_converted_to_si_units_and_bad_ones_dropped(tmp_path: Path) -> None:
    def record(ts: int, **changes: object) -> dict[str, object]:
        base = {
            "timestamp": ts,
            "icao24": "4ca1f2",
            "callsign": "EIN1AB ",
            "latitude": 48.5,
            "longitude": 2.5,
            "altitude": 25000.0,
            "groundspeed": 450.0,
            "track": 360.0,
            "vertical_rate": -1216.0,
            "onground": False,
        }
        return base | changes

    records = [
        record(3000, latitude=48.6),  # out of order: sorted
        record(1000),
        record(1000, latitude=40.0),  # a second state at the same instant: dropped
        record(2000, onground=True),
        record(4000, altitude=None),
        record(5000, altitude=-300.0),
        record(6000, altitude=123_100.0),
        record(7000, groundspeed=900.0),
        record(8000, track="north"),
        record(9000, icao24="39856c", vertical_rate=None),
    ]
    path = tmp_path / "sample.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(records, handle)
    [t] = load_sample(path)
    assert (t.id, t.callsign) == ("4CA1F2", "EIN1AB")
    assert t.time_s.tolist() == [1.0, 3.0]
    assert t.lat_deg.tolist() == [48.5, 48.6]
    assert t.alt_m[0] == 25000.0 * FT_M
    assert t.gs_mps[0] == 450.0 * KT_MPS
    assert t.vs_mps[0] == -1216.0 * FPM_MPS
    assert t.trk_deg[0] == 0.0


def test_the_quickstart_sample_holds_plausible_airborne_states(
    quickstart: list[Trajectory],
) -> None:
    assert len(quickstart) > 200
    assert sum(len(t) for t in quickstart) > 200_000
    alt, gs = columns(quickstart, "alt_m"), columns(quickstart, "gs_mps")
    assert 0.0 <= alt.min() and alt.max() <= 15_000.0
    assert 0.0 <= gs.min() and gs.max() < 350.0
    assert all(np.all(np.diff(t.time_s) > 0) for t in quickstart)


def test_demo_traffic_lies_inside_the_demo_region(demo: dict[str, list[Trajectory]]) -> None:
    lon0, lat0, lon1, lat1 = DEMO_BOX
    for all_flights in demo.values():
        flights = [t for t in all_flights if "-notice-" not in t.id]  # those fly in notices
        lon, lat = columns(flights, "lon_deg"), columns(flights, "lat_deg")
        assert lon0 <= lon.min() and lon.max() <= lon1
        assert lat0 <= lat.min() and lat.max() <= lat1


def test_the_recorded_sample_keeps_its_shape_around_the_demo_centre(
    quickstart: list[Trajectory], demo: dict[str, list[Trajectory]]
) -> None:
    recorded = {t.id: t for t in quickstart}
    moved = {t.id: t for flights in demo.values() for t in flights if t.id in recorded}
    assert len(moved) == len(recorded)  # every recorded aircraft is dealt to a party
    a, b = recorded["4401D1"], recorded["3949F7"]
    a2, b2 = moved["4401D1"], moved["3949F7"]
    before = point_distance_m((a.lon_deg[0], a.lat_deg[0]), (b.lon_deg[0], b.lat_deg[0]))
    after = point_distance_m((a2.lon_deg[0], a2.lat_deg[0]), (b2.lon_deg[0], b2.lat_deg[0]))
    assert after == pytest.approx(before, rel=0.01)
    lon = columns(list(moved.values()), "lon_deg")
    lat = columns(list(moved.values()), "lat_deg")
    centre = ((lon.min() + lon.max()) / 2, (lat.min() + lat.max()) / 2)
    assert centre == pytest.approx(DEMO_CENTRE, abs=0.05)


def test_demo_values_are_plausible(demo: dict[str, list[Trajectory]]) -> None:
    for flights in demo.values():
        assert 0.0 <= columns(flights, "alt_m").min()
        assert columns(flights, "alt_m").max() <= 15_000.0
        assert columns(flights, "gs_mps").max() < 350.0
        trk = columns(flights, "trk_deg")
        assert 0.0 <= trk.min() and trk.max() < 360.0
        assert all(np.all(np.diff(t.time_s) > 0) for t in flights)
        start_s = START.timestamp()
        assert columns(flights, "time_s").min() >= start_s


def test_every_party_gets_real_and_military_traffic(demo: dict[str, list[Trajectory]]) -> None:
    for party, flights in demo.items():
        military = [t for t in flights if t.id.startswith(f"{party}-")]
        assert len(flights) - len(military) > 90  # about half of the 210 recorded aircraft
        assert {t.id.split("-")[1] for t in military} == {"orbit", "transit", "notice"}


def test_the_first_designed_encounter_is_a_loss_of_separation_between_parties(
    demo: dict[str, list[Trajectory]],
) -> None:
    a = next(t for t in demo["alpha"] if t.id == "alpha-transit-1")
    b = next(t for t in demo["bravo"] if t.id == "bravo-transit-1")
    meet_s = START.timestamp() + FIRST_ENCOUNTER_S
    ka, kb = int(np.searchsorted(a.time_s, meet_s)), int(np.searchsorted(b.time_s, meet_s))
    assert a.time_s[ka] == b.time_s[kb] == meet_s
    apart_m = point_distance_m((a.lon_deg[ka], a.lat_deg[ka]), (b.lon_deg[kb], b.lat_deg[kb]))
    assert 900.0 <= apart_m <= 3_100.0
    assert abs(a.alt_m[ka] - b.alt_m[kb]) <= 150.0
    assert a.time_s[0] == START.timestamp()  # already flying when the demo starts


def test_flights_in_notices_stay_inside_them_and_carry_their_ids() -> None:
    scenario = levant(START)
    notices = {
        item.body["title"]: item.body
        for item in scenario.items
        if item.kind == "notice"
        and item.body["kind"] in ("air_sortie", "uav")
        and parse_time(item.body["volumes"][0]["time"]["end"]) <= END
    }
    ids = {title: f"N-{k}" for k, title in enumerate(notices)}
    flights = demo_trajectories(PARTIES, START, civil=[], scenario=scenario, notice_ids=ids)
    flown = {t.notice_id: t for ts in flights.values() for t in ts if t.notice_id}
    assert len(ids) >= 8 and set(flown) == set(ids.values())  # each sortie and UAV notice
    for title, body in notices.items():
        flight, [volume] = flown[ids[title]], body["volumes"]
        assert parse_time(volume["time"]["start"]).timestamp() <= flight.time_s[0]
        assert flight.time_s[-1] <= parse_time(volume["time"]["end"]).timestamp()
        band = volume["altitude"]
        assert np.all((band["lower_m"] <= flight.alt_m) & (flight.alt_m <= band["upper_m"]))
        _assert_inside(volume["outline"], flight)


def _assert_inside(outline: dict[str, Any], flight: Trajectory) -> None:
    """Circles exactly; boxes by their corners; corridors by their path's box plus 0.05°."""
    points = list(zip(flight.lon_deg.tolist(), flight.lat_deg.tolist(), strict=True))
    if outline["type"] == "Circle":
        centre = tuple(outline["center"])
        assert max(point_distance_m(centre, p) for p in points) <= outline["radius_m"]
        return
    if outline["type"] == "Corridor":
        corners, margin = np.array(outline["path"]), 0.05
    else:
        corners, margin = np.array(outline["coordinates"][0]), 0.0
    lon, lat = flight.lon_deg, flight.lat_deg
    assert corners[:, 0].min() - margin <= lon.min() and lon.max() <= corners[:, 0].max() + margin
    assert corners[:, 1].min() - margin <= lat.min() and lat.max() <= corners[:, 1].max() + margin


def test_the_demo_is_reproducible_for_a_seed(quickstart: list[Trajectory]) -> None:
    def summary(seed: int) -> list[tuple[str, str, float, float]]:
        flights = demo_trajectories(PARTIES, START, seed, civil=quickstart[:50], duration_s=1800)
        return [
            (party, t.id, float(t.lat_deg.sum()), float(t.alt_m.sum()))
            for party, ts in flights.items()
            for t in ts
        ]

    assert summary(7) == summary(7)
    assert summary(7) != summary(8)


def test_feeds_are_time_ordered_wire_states(quickstart: list[Trajectory]) -> None:
    feeds = demo_feeds(PARTIES, START, civil=quickstart[:40], duration_s=600)
    assert set(feeds) == set(PARTIES)
    for stream in feeds.values():
        states = list(stream)
        assert states and all(set(s) == WIRE_KEYS for s in states)
        times = [parse_time(s["time"]) for s in states]
        assert times == sorted(times)
        assert START <= times[0] and times[-1] < START + timedelta(seconds=600)


def test_demo_traffic_needs_a_party() -> None:
    with pytest.raises(ValueError, match="party"):
        traffic.demo_trajectories([], START, civil=[])
