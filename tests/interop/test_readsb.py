"""The readsb/tar1090 ``aircraft.json`` reader: snapshots made by the test decode to states in SI
units dated by ``now − seen_pos``, each position once; the pressure altitude and the GNSS
height keep their datums; bad snapshots and entries are counted, never raised; a URL is polled
from a local HTTP server the test starts, a file read when it changes."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from _feeds import served

from sharedsky.cli.demo import free_port
from sharedsky.interop.feed_states import AltitudeDatum
from sharedsky.interop.readsb import (
    ReadsbConfig,
    ReadsbDecoder,
    ReadsbStats,
    file_fetch,
    poll,
    url_fetch,
)
from sharedsky.units import FPM_MPS, FT_M, KT_MPS

NOW_S = datetime(2026, 11, 24, 12, 0, tzinfo=UTC).timestamp()


def plane(hexid: str = "4ca1f2", **fields: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "hex": hexid, "type": "adsb_icao", "flight": "ALP123  ", "alt_baro": 25000,
        "alt_geom": 25450, "gs": 450.0, "track": 275.5, "baro_rate": -1216, "geom_rate": -1200,
        "lat": 34.81234, "lon": 36.20001, "seen_pos": 0.5, "seen": 0.1, "rssi": -20.1,
    }  # fmt: skip
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def snapshot(*aircraft: dict[str, object], now_s: float = NOW_S) -> str:
    return json.dumps({"now": now_s, "messages": 1234, "aircraft": list(aircraft)})


def test_an_aircraft_decodes_in_si_units_at_the_time_of_its_position() -> None:
    [state] = ReadsbDecoder().feed(snapshot(plane()))
    assert state.id == "4CA1F2" and state.callsign == "ALP123"  # "flight", trimmed
    assert state.to_wire()["callsign"] == "ALP123"
    assert state.time == datetime(2026, 11, 24, 11, 59, 59, 500_000, tzinfo=UTC)
    assert (state.lat_deg, state.lon_deg) == (34.81234, 36.20001)
    assert state.pressure_alt_m == 25000 * FT_M
    assert state.geometric_alt_m == 25450 * FT_M
    assert state.gs_mps == 450 * KT_MPS
    assert state.trk_deg == 275.5
    assert state.vs_mps == -1200 * FPM_MPS  # the geometric rate first
    assert state.height.datum is AltitudeDatum.STD  # alt_baro is posted before alt_geom
    assert (state.to_wire()["alt_m"], state.to_wire()["alt_ref"]) == (25000 * FT_M, "STD")


def test_without_a_pressure_altitude_the_gnss_height_is_posted_and_says_so() -> None:
    [state] = ReadsbDecoder().feed(snapshot(plane(alt_baro=None)))
    assert state.height.datum is AltitudeDatum.W84  # alt_geom: above the WGS84 ellipsoid
    assert (state.to_wire()["alt_m"], state.to_wire()["alt_ref"]) == (25450 * FT_M, "W84")
    [baro] = ReadsbDecoder().feed(snapshot(plane(alt_geom=None, geom_rate=None)))
    assert baro.height.datum is AltitudeDatum.STD
    assert baro.vs_mps == -1216 * FPM_MPS


def test_each_position_is_given_once_across_snapshots() -> None:
    decoder = ReadsbDecoder()
    assert len(decoder.feed(snapshot(plane(), plane("738a01")))) == 2
    assert decoder.feed(snapshot(plane(), plane("738a01"))) == []  # the same file read again
    later = snapshot(plane(seen_pos=0.2), plane("738a01", seen_pos=1.5), now_s=NOW_S + 1.0)
    assert [s.id for s in decoder.feed(later)] == ["4CA1F2"]  # 738a01's is its old position
    assert decoder.stats.old_positions == 3


def test_positions_older_than_the_limit_and_aircraft_on_the_ground_are_skipped() -> None:
    decoder = ReadsbDecoder(ReadsbConfig(max_position_age_s=30.0))
    ground = plane("738a01", alt_baro="ground", alt_geom=None)
    assert decoder.feed(snapshot(plane(seen_pos=45.0), ground)) == []
    assert (decoder.stats.old_positions, decoder.stats.ground) == (1, 1)
    [taxiing] = ReadsbDecoder(ReadsbConfig(include_ground=True)).feed(
        snapshot(plane("738a01", alt_baro="ground", alt_geom=300))
    )
    assert taxiing.pressure_alt_m is None and taxiing.geometric_alt_m == 300 * FT_M


def test_bad_snapshots_and_entries_are_counted_and_the_rest_read() -> None:
    decoder = ReadsbDecoder()
    for bad in ("{not json", "[1, 2]", '{"aircraft": []}', '{"now": 1, "aircraft": 3}'):
        assert decoder.feed(bad) == []
    good = plane("abcdef")
    entries = [
        plane("111111", lat=None, lon=None),  # no position (Mode S only)
        plane("222222", gs=None),  # no velocity yet
        plane("333333", alt_baro=None, alt_geom=None),  # no altitude
        plane("444444", lat=95.0),  # out of range
        plane("555555", track="north"),
        "not an object",
        good,
    ]
    [state] = decoder.feed(snapshot(*entries))  # type: ignore[arg-type]  # a bad entry on purpose
    assert state.id == "ABCDEF"
    stats = decoder.stats
    assert (stats.snapshots, stats.bad_snapshots, stats.aircraft) == (5, 4, 7)
    assert (stats.without_position, stats.incomplete, stats.states) == (1, 5, 1)
    assert stats.skipped == 10
    said = " ".join(stats.errors)
    for words in ("not JSON", "not an object", "no number 'now'", "no list 'aircraft'",
                  "222222: no ground speed", "333333: no altitude", "444444: latitude 95",
                  "555555: track 'north' is not a number"):  # fmt: skip
        assert words in said, words


def test_a_url_is_polled_and_each_poll_gives_its_new_positions() -> None:
    first = snapshot(plane(), plane("738a01")).encode()
    second = snapshot(plane(seen_pos=0.1), plane("738a01", seen_pos=1.5), now_s=NOW_S + 1).encode()
    decoder = ReadsbDecoder()
    with served([first, second]) as url, httpx.Client() as http:
        stop = threading.Event()
        polls = poll(url_fetch(url, http, decoder.stats), decoder, every_s=0.01, stop=stop)
        got = [[s.id for s in next(polls)] for _ in range(3)]
        polls.close()
    assert got == [["4CA1F2", "738A01"], ["4CA1F2"], []]
    assert decoder.stats.fetches == 3


def test_a_url_that_does_not_answer_is_counted_not_raised() -> None:
    decoder = ReadsbDecoder()
    with httpx.Client(timeout=1.0) as http:
        fetch = url_fetch(f"http://127.0.0.1:{free_port()}/data/aircraft.json", http, decoder.stats)
        assert list(poll(fetch, decoder, once=True)) == [[]]
    assert (decoder.stats.fetch_errors, decoder.stats.fetches) == (1, 0)
    assert "GET http://127.0.0.1" in decoder.stats.errors[0]


def test_a_file_is_read_again_only_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "aircraft.json"
    path.write_text(snapshot(plane()), encoding="utf-8")
    stats = ReadsbStats()
    fetch = file_fetch(path, stats)
    assert fetch() is not None
    assert fetch() is None  # unchanged
    path.write_text(snapshot(plane(seen_pos=0.1), now_s=NOW_S + 1), encoding="utf-8")
    os.utime(path, ns=(0, 1))  # a new modification time, however coarse the clock
    assert fetch() is not None
    path.unlink()
    assert fetch() is None and stats.fetch_errors == 1
    assert stats.fetches == 2


def test_poll_once_reads_a_single_snapshot() -> None:
    decoder = ReadsbDecoder()
    documents = iter([snapshot(plane()).encode()])
    batches = list(poll(lambda: next(documents), decoder, once=True))
    assert [[s.id for s in batch] for batch in batches] == [["4CA1F2"]]


@pytest.mark.parametrize("flight", ["        ", None, 7, "AL@@@@@@", "A" * 17])
def test_a_blank_missing_or_garbled_callsign_is_none(flight: object) -> None:
    """The state is kept; only its callsign, which the wire would refuse, is left out."""
    [state] = ReadsbDecoder().feed(snapshot(plane(flight=flight)))
    assert state.callsign is None and state.to_wire()["callsign"] is None
