"""The OpenSky state-vector reader: files the test writes (one ``/states/all`` snapshot, or one
per line) decode to states in time order with repeated positions dropped; the barometric and
geometric altitudes keep their datums; snapshots not of the shape and vectors without
position, on the ground or incomplete are counted, never raised."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sharedsky.interop.feed_states import AltitudeDatum
from sharedsky.interop.opensky import (
    OpenSkyConfig,
    OpenSkyDecoder,
    OpenSkyStats,
    documents,
    in_time_order,
    read_file,
)

T0 = 1_559_383_200  # 2019-06-01T10:00:00Z


def vector(
    icao24: str = "4ca1f2",
    time_position: int | None = T0,
    *,
    lon: float | None = 36.2,
    lat: float | None = 34.5,
    baro: float | None = 10_668.0,
    geo: float | None = 10_820.0,
    on_ground: bool = False,
    velocity: float | None = 231.5,
    track: float | None = 275.5,
) -> list[object]:
    return [
        icao24, "ALP123  ", "Turkey", time_position, time_position, lon, lat, baro, on_ground,
        velocity, track, -6.18, None, geo, "1000", False, 0,
    ]  # fmt: skip


def snapshot(time_s: int, *vectors: list[object]) -> dict[str, object]:
    return {"time": time_s, "states": list(vectors)}


def test_a_vector_decodes_with_both_altitudes_on_their_datums() -> None:
    _, [state] = OpenSkyDecoder().feed(snapshot(T0 + 1, vector()))
    assert state.id == "4CA1F2" and state.callsign == "ALP123"  # "ALP123  ", trimmed
    assert state.to_wire()["callsign"] == "ALP123"
    assert state.time == datetime(2019, 6, 1, 10, 0, tzinfo=UTC)
    assert (state.lat_deg, state.lon_deg, state.gs_mps, state.trk_deg, state.vs_mps) == (
        34.5, 36.2, 231.5, 275.5, -6.18,
    )  # fmt: skip
    assert (state.pressure_alt_m, state.geometric_alt_m) == (10_668.0, 10_820.0)
    assert state.height.datum is AltitudeDatum.STD  # baro_altitude is posted before geo_altitude
    assert (state.to_wire()["alt_m"], state.to_wire()["alt_ref"]) == (10_668.0, "STD")
    _, [baro_only] = OpenSkyDecoder().feed(snapshot(T0, vector(geo=None)))
    assert baro_only.height.datum is AltitudeDatum.STD and baro_only.to_wire()["alt_m"] == 10_668.0
    _, [gnss_only] = OpenSkyDecoder().feed(snapshot(T0 + 2, vector(baro=None)))
    assert (gnss_only.to_wire()["alt_m"], gnss_only.to_wire()["alt_ref"]) == (10_820.0, "W84")


def test_snapshots_repeat_positions_and_the_reader_gives_each_once_in_time_order() -> None:
    snapshots = [
        # 738a01's position lags its snapshot by 8 s; 4ca1f2 repeats until it moves
        snapshot(T0 + 10, vector(time_position=T0 + 9), vector("738a01", T0 + 2)),
        snapshot(T0 + 20, vector(time_position=T0 + 9), vector("738a01", T0 + 12)),
        snapshot(T0 + 30, vector(time_position=T0 + 29), vector("738a01", T0 + 12)),
    ]
    decoder = OpenSkyDecoder()
    got = [(s.id, int(s.time.timestamp()) - T0) for s in in_time_order(snapshots, decoder)]
    assert got == [("738A01", 2), ("4CA1F2", 9), ("738A01", 12), ("4CA1F2", 29)]
    assert (decoder.stats.vectors, decoder.stats.repeated, decoder.stats.states) == (6, 2, 4)


def test_a_straggler_older_than_what_was_handed_on_is_skipped() -> None:
    decoder = OpenSkyDecoder(OpenSkyConfig(reorder_s=5.0))
    snapshots = [
        snapshot(T0 + 10, vector(time_position=T0 + 10)),
        snapshot(T0 + 20, vector(time_position=T0 + 20)),  # releases T0 + 10
        snapshot(T0 + 21, vector("738a01", T0 + 3)),  # too late for its turn
    ]
    got = [s.id for s in in_time_order(snapshots, decoder)]
    assert got == ["4CA1F2", "4CA1F2"]
    assert decoder.stats.out_of_order == 1 and "738A01" in decoder.stats.errors[-1]


def test_bad_snapshots_and_vectors_are_counted_and_the_rest_read() -> None:
    decoder = OpenSkyDecoder()
    for bad in ([1, 2], {"states": []}, {"time": "now", "states": []}, {"time": 1, "states": 2}):
        assert decoder.feed(bad)[1] == []
    _, states = decoder.feed(
        snapshot(
            T0,
            vector("111111", lat=None, lon=None),
            vector("222222", on_ground=True),
            vector("333333", velocity=None),
            vector("444444", baro=None, geo=None),
            vector("555555", time_position=None),
            vector("666666", baro=99_999.0, geo=None),
            ["777777", "too short"],
            "not a list",
            vector("abcdef"),
        )
    )
    assert [s.id for s in states] == ["ABCDEF"]
    stats = decoder.stats
    assert (stats.snapshots, stats.bad_snapshots, stats.vectors) == (5, 4, 9)
    assert (stats.without_position, stats.ground, stats.incomplete) == (1, 1, 6)
    assert stats.skipped == 12
    said = " ".join(stats.errors)
    for words in (
        "not an object", "no number 'time'", "no list 'states'", "333333: no velocity",
        "444444: no altitude", "555555: no time_position", "666666: pressure altitude 99999",
        "777777: a state vector is a list",
    ):  # fmt: skip
        assert words in said, words


def test_a_snapshot_with_nothing_in_view_has_null_states() -> None:
    decoder = OpenSkyDecoder()
    assert decoder.feed({"time": T0, "states": None}) == (float(T0), [])
    assert decoder.stats.bad_snapshots == 0


def test_a_file_holds_one_pretty_printed_snapshot_or_one_per_line(tmp_path: Path) -> None:
    one = tmp_path / "states.json"
    one.write_text(json.dumps(snapshot(T0, vector(), vector("738a01")), indent=2), "utf-8")
    assert [s.id for s in read_file(one)] == ["4CA1F2", "738A01"]
    lines = tmp_path / "states.jsonl"
    lines.write_text(
        "\n".join(
            [
                json.dumps(snapshot(T0, vector())),
                "{this line is not JSON",
                "",
                json.dumps(snapshot(T0 + 5, vector(time_position=T0 + 5))),
            ]
        ),
        "utf-8",
    )
    decoder = OpenSkyDecoder()
    got = [int(s.time.timestamp()) - T0 for s in read_file(lines, decoder)]
    assert got == [0, 5]
    assert decoder.stats.bad_snapshots == 1 and "line 2: not JSON" in decoder.stats.errors[0]


def test_a_file_that_is_not_json_at_all_is_one_bad_snapshot() -> None:
    stats = OpenSkyStats()
    assert list(documents(["{\n", "nothing here\n"], stats)) == []
    assert (stats.snapshots, stats.bad_snapshots) == (1, 1)
    assert list(documents(["", "  \n"], stats)) == []
