"""``sharedsky tracks replay|opensky|sbs|asterix|readsb|list`` through CliRunner, against the
real app: ``sbs`` reads a BaseStation feed served on a local port by the test, ``asterix``
datagrams the test sends to a local port or a multicast group through the loopback, ``readsb``
an HTTP server the test starts, ``opensky`` a file it writes."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _feeds import sending, served
from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.cli.demo import free_port
from sharedsky.interop.asterix import encode_cat021, encode_cat062
from sharedsky.interop.feed_states import FeedState, flight_level_m
from sharedsky.interop.sbs import SbsState, encode
from sharedsky.units import FT_M

if TYPE_CHECKING:
    from _support import Api


def run(api: Api, *args: str, party: str = "alpha") -> Result:
    return CliRunner().invoke(
        app,
        [*args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200"},
    )


def capture(path: Path, seconds: int = 20) -> None:
    """Two aircraft recorded in 2019, one state each second, as an SBS-1 capture."""
    t0 = datetime(2019, 6, 1, 10, 0, tzinfo=UTC)
    lines: list[str] = []
    for k in range(seconds):
        for hexident, lat in (("4CA1F2", 34.5), ("738A01", 34.0)):
            state = SbsState(
                hexident, t0 + timedelta(seconds=k), lat, 36.0 + 0.002 * k, 9000.0, 230.0,
                90.0, 0.0, "ALP123" if hexident == "4CA1F2" else None,
            )  # fmt: skip
            lines += encode(state)
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def test_a_recorded_capture_replays_as_live_tracks(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "capture.sbs"
    capture(path)
    result = run(api, "tracks", "replay", str(path), "--speed", "100")
    assert result.exit_code == 0, result.output
    assert "0 stale" in result.output
    listed = run(api, "tracks", "list", "--json")
    tracks = json.loads(listed.stdout)["tracks"]
    assert sorted(t["id"] for t in tracks) == ["4CA1F2", "738A01"]
    # re-stamped to the command's now, the last recorded state kept
    assert all(t["time"].startswith("2026-11-24T12:00:00.1") for t in tracks)  # 19 s at 100×
    assert {round(t["lon"], 3) for t in tracks} == {36.038}
    assert {t["id"]: t["callsign"] for t in tracks} == {"4CA1F2": "ALP123", "738A01": None}
    shown = run(api, "tracks", "list")
    assert "2 live tracks" in shown.output and "4CA1F2" in shown.output
    assert "ALP123" in shown.output


def test_for_replays_only_the_first_seconds_times_the_speed(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "capture.sbs"
    capture(path)  # 20 s recorded
    started = time.monotonic()
    result = run(api, "tracks", "replay", str(path), "--speed", "10", "--for", "1s")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 5.0
    assert "(9 s recorded)" in result.output  # the first 10 s: states at 0 … 9 s
    tracks = json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"]
    assert {round(t["lon"], 3) for t in tracks} == {36.018}
    refused = run(api, "tracks", "replay", str(path), "--for", "soon")
    assert refused.exit_code == 2 and "not a duration" in refused.output


@contextmanager
def feed(lines: list[str]) -> Iterator[int]:
    """A BaseStation feed on a local port: sends ``lines`` to the first client, then stays
    connected and silent (as a receiver with no traffic in range) until the block ends."""
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(("\r\n".join(lines) + "\r\n").encode("ascii"))
            done.wait(30.0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        done.set()
        thread.join(10.0)
        server.close()


def test_sbs_forwards_a_silent_feed_until_for_runs_out(api: Api) -> None:
    now = api.env.clock.now()
    lines = [
        line
        for k in range(3)
        for hexident, lat in (("4CA1F2", 34.5), ("738A01", 34.0))
        for line in encode(
            SbsState(hexident, now - timedelta(seconds=3 - k), lat, 36.0, 9000.0, 230.0, 90.0, 0.0)
        )
    ]
    with feed(lines) as port:
        started = time.monotonic()
        result = run(api, "tracks", "sbs", f"127.0.0.1:{port}", "--for", "1s")
        waited_s = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert 0.9 < waited_s < 10.0
    text = " ".join(result.output.split())
    assert "12 lines (0 malformed) in 1 connections, 2 states accepted in 1 posts" in text
    tracks = json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"]
    assert sorted(t["id"] for t in tracks) == ["4CA1F2", "738A01"]


def test_sbs_with_no_feed_answering_exits_1_after_for(api: Api) -> None:
    port = free_port()  # nothing listens there
    result = run(api, "tracks", "sbs", f"127.0.0.1:{port}", "--for", "0.5")
    assert result.exit_code == 1, result.output
    assert f"no BaseStation feed answered at 127.0.0.1:{port}" in result.stderr


def test_a_speed_outside_1_to_100_is_refused(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "capture.sbs"
    capture(path, seconds=2)
    for speed in ("0.5", "101"):
        result = run(api, "tracks", "replay", str(path), "--speed", speed)
        assert result.exit_code == 2, result.output
    assert json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"] == []


def test_conflicts_list_kind_tactical(api: Api) -> None:
    from sharedsky.service.tactical import tick

    for party, track, lon, trk in (("alpha", "A1", 36.0, 90), ("bravo", "B1", 36.6, 270)):
        body = {"tracks": [{"id": track, "time": "2026-11-24T12:00:00Z", "lat": 34.5, "lon": lon,
                            "alt_m": 7000, "gs_mps": 230, "trk_deg": trk}]}  # fmt: skip
        assert api.client.post("/v1/tracks", json=body, headers=api.as_(party)).is_success
    tick(api.env.deps, api.container.picture, api.container.board)
    shown = run(api, "conflicts", "list", "--kind", "tactical", party="bravo")
    assert shown.exit_code == 0, shown.output
    assert "separation" in shown.output and "CAUTION" in shown.output and "A1" in shown.output
    listed = json.loads(run(api, "conflicts", "list", "--kind", "tactical", "--json").stdout)
    assert [c["category"] for c in listed["conflicts"]] == ["separation"]
    assert (
        "no tactical conflicts"
        in run(api, "conflicts", "list", "--kind", "tactical", "--state", "resolved").output
    )


def listing(api: Api) -> dict[str, dict[str, object]]:
    """The live tracks alpha sees, by id."""
    tracks = json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"]
    return {t["id"]: t for t in tracks}


def said(result: Result) -> str:
    return " ".join(result.output.split())


def asterix_feed(now: datetime) -> list[bytes]:
    """What a radar tracker and an ADS-B station might send: junk, a CAT048 plot (not read), a
    CAT062 datagram (one track with a geometric altitude and a flight level, one with a flight
    level only and no address, one with a geometric altitude only) and a CAT021 report with a
    flight level only."""
    import asterix.generated as gen

    cat048 = gen.Cat_048_1_32
    plot = cat048.cv_record.create({"010": (("SAC", 1), ("SIC", 2)), "040": 0})
    when = now - timedelta(seconds=1)
    both = FeedState("4CA1F2", when, 34.5, 36.0, 230.0, 90.0, geometric_alt_m=9150.0,
                     pressure_alt_m=flight_level_m(300), callsign="ALP123")  # fmt: skip
    level = FeedState("MIL", when, 34.0, 36.2, 180.0, 270.0, pressure_alt_m=flight_level_m(250),
                      callsign="VIPER11")  # fmt: skip
    adsb = FeedState("738A01", when, 33.8, 35.9, 200.0, 0.0, pressure_alt_m=flight_level_m(200),
                     callsign="BRV42")  # fmt: skip
    gnss = FeedState("4CA1F3", when, 33.5, 36.5, 50.0, 0.0, geometric_alt_m=1500.0)
    return [
        b"\x00\x01 not asterix",
        cat048.create([plot]).unparse().to_bytes(),
        encode_cat062([both, level, gnss], sac=7, sic=9, first_track_number=310),
        encode_cat021([adsb]),
    ]


@pytest.mark.parametrize("address", ["127.0.0.1", "239.255.62.21"])
def test_asterix_forwards_cat062_and_cat021_over_udp_and_counts_the_rest(
    api: Api, address: str
) -> None:
    port = free_port()
    with sending(address, port, asterix_feed(api.env.clock.now())):
        result = run(
            api, "tracks", "asterix", "--listen", f"udp://{address}:{port}",
            "--interface", "127.0.0.1", "--for", "1.5", "--batch-s", "0.2",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = said(result)
    counts = re.search(r"(\d+) datagrams not ASTERIX, (\d+) datablocks of other categories", text)
    assert counts and int(counts[1]) >= 1 and int(counts[2]) >= 1, text
    assert re.search(r"[1-9]\d* states accepted", text), text
    assert "flight levels (STD)" in text and "geometric (W84 ellipsoid)" in text
    assert "skipped: datagram" in result.stderr
    tracks = listing(api)
    assert sorted(tracks) == ["4CA1F2", "4CA1F3", "738A01", "TN-7-9-311"]
    # each altitude with its datum: the flight level before the geometric altitude
    assert tracks["4CA1F2"]["alt_m"] == flight_level_m(300)
    assert tracks["TN-7-9-311"]["alt_m"] == flight_level_m(250)  # FL 250 as 7,620 m
    assert tracks["738A01"]["alt_m"] == flight_level_m(200)
    assert tracks["4CA1F3"]["alt_m"] == pytest.approx(1500.0, abs=6.25 * FT_M)  # I062/130
    refs = {track_id: t["alt_ref"] for track_id, t in tracks.items()}
    assert refs == {"4CA1F2": "STD", "TN-7-9-311": "STD", "738A01": "STD", "4CA1F3": "W84"}
    # I062/380 ID, I062/380 ID of a track known by its number, I021/170
    callsigns = {track_id: t["callsign"] for track_id, t in tracks.items()}
    assert callsigns == {
        "4CA1F2": "ALP123",
        "TN-7-9-311": "VIPER11",
        "738A01": "BRV42",
        "4CA1F3": None,
    }


def test_asterix_refuses_an_address_that_is_not_udp(api: Api) -> None:
    result = run(api, "tracks", "asterix", "--listen", "tcp://127.0.0.1:8600", "--for", "1s")
    assert result.exit_code == 2 and "is not udp://ADDR:PORT" in said(result)
    result = run(api, "tracks", "asterix", "--listen", "udp://192.0.2.1:8600", "--for", "1s")
    assert result.exit_code == 1 and "cannot listen on udp://192.0.2.1:8600" in result.stderr


def readsb_snapshot(now: datetime, seen_pos_s: float = 0.5, gnss_only: bool = False) -> bytes:
    """Two aircraft with positions (and with ``gnss_only`` a third that reports no pressure
    altitude) and one Mode S aircraft without a position."""
    aircraft = [
        {"hex": "4ca1f2", "flight": "ALP123  ", "alt_baro": 30000, "alt_geom": 30400, "gs": 450,
         "track": 90.0, "lat": 34.5, "lon": 36.0, "seen_pos": seen_pos_s},
        {"hex": "738a01", "alt_baro": 25000, "gs": 400, "track": 270.0, "lat": 34.0,
         "lon": 36.2, "seen_pos": seen_pos_s},
        {"hex": "aaaaaa", "alt_baro": 12000, "seen": 1.0},  # Mode S only: no position
    ]  # fmt: skip
    if gnss_only:
        aircraft.append({"hex": "4ca1f3", "alt_geom": 5000, "gs": 100, "track": 0.0,
                         "lat": 33.5, "lon": 36.5, "seen_pos": seen_pos_s})  # fmt: skip
    return json.dumps({"now": now.timestamp(), "aircraft": aircraft}).encode()


def test_readsb_polls_a_url_until_for_runs_out(api: Api) -> None:
    now = api.env.clock.now()
    snapshots = [readsb_snapshot(now, 1.0, True), readsb_snapshot(now, 0.5, True), b"{broken"]
    with served(snapshots) as url:
        result = run(api, "tracks", "readsb", url, "--every", "0.2", "--for", "1.2")
    assert result.exit_code == 0, result.output
    text = said(result)
    assert re.search(r"[3-9] snapshots read \(0 failed\)", text), text
    assert "6 new positions" in text  # three aircraft, two positions each, then repeats
    assert re.search(r"[1-9]\d* snapshots not of the aircraft.json shape", text), text
    assert "flight levels (STD" in text and "geometric (W84" in text
    tracks = listing(api)
    assert sorted(tracks) == ["4CA1F2", "4CA1F3", "738A01"]
    posted = {track_id: (t["alt_m"], t["alt_ref"]) for track_id, t in tracks.items()}
    assert posted == {
        "4CA1F2": (30000 * FT_M, "STD"),  # alt_baro before alt_geom
        "738A01": (25000 * FT_M, "STD"),
        "4CA1F3": (5000 * FT_M, "W84"),  # alt_geom: above the WGS84 ellipsoid
    }
    assert (tracks["4CA1F2"]["callsign"], tracks["738A01"]["callsign"]) == ("ALP123", None)


def test_readsb_reads_a_file_once(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "aircraft.json"
    path.write_bytes(readsb_snapshot(api.env.clock.now()))
    result = run(api, "tracks", "readsb", str(path))
    assert result.exit_code == 0, result.output
    assert "1 snapshots read (0 failed), 3 aircraft: 2 new positions" in said(result)
    assert "1 without position" in said(result)
    assert sorted(listing(api)) == ["4CA1F2", "738A01"]


def test_readsb_follows_a_file_as_readsb_rewrites_it(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "aircraft.json"
    now = api.env.clock.now()
    path.write_bytes(readsb_snapshot(now, 1.0))

    def rewrite() -> None:
        time.sleep(0.4)
        path.write_bytes(readsb_snapshot(now, 0.5))
        os.utime(path, ns=(0, 1))  # a new modification time, however coarse the clock

    writer = threading.Thread(target=rewrite)
    writer.start()
    result = run(api, "tracks", "readsb", str(path), "--follow", "--every", "0.1", "--for", "1")
    writer.join(5.0)
    assert result.exit_code == 0, result.output
    assert "2 snapshots read (0 failed), 6 aircraft: 4 new positions" in said(result)


def test_readsb_with_nothing_answering_exits_1(api: Api, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/data/aircraft.json"
    result = run(api, "tracks", "readsb", url, "--every", "0.2", "--for", "0.5")
    assert result.exit_code == 1, result.output
    assert f"no aircraft.json could be read from {url}" in result.stderr
    missing = run(api, "tracks", "readsb", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "no file" in said(missing)


def test_opensky_replays_state_vectors_restamped_to_now(api: Api, tmp_path: Path) -> None:
    t0 = int(datetime(2019, 6, 1, 10, 0, tzinfo=UTC).timestamp())

    def vector(
        icao24: str, t: int, lon: float, geo: float | None, baro: float | None = 9144.0
    ) -> list[object]:
        return [icao24, "ALP123  ", "Turkey", t, t, lon, 34.5, baro, False, 230.0, 90.0,
                0.0, None, geo, None, False, 0]  # fmt: skip

    lines = [
        json.dumps({"time": t0 + 10 * k, "states": [
            vector("4ca1f2", t0 + 10 * k, 36.0 + 0.02 * k, 9300.0, None),
            vector("738a01", t0 + 10 * k - 2, 36.5 - 0.02 * k, None),
            vector("aaaaaa", t0, 36.0, None)[:5],  # not a state vector
        ]})
        for k in range(4)
    ]  # fmt: skip
    path = tmp_path / "states.jsonl"
    path.write_text("\n".join([*lines, '{"time": "soon"}']) + "\n", encoding="utf-8")
    result = run(api, "tracks", "opensky", str(path), "--speed", "100", "--batch-s", "0.01")
    assert result.exit_code == 0, result.output
    text = said(result)
    assert "replayed 8 states (32 s recorded)" in text and "0 stale" in text
    assert "5 snapshots, 12 state vectors: 0 repeated positions, 5 skipped (1 snapshots" in text
    assert "4 incomplete" in text
    assert "4 geometric (W84" in text and "4 flight levels (STD" in text
    tracks = listing(api)
    assert sorted(tracks) == ["4CA1F2", "738A01"]
    assert (tracks["4CA1F2"]["alt_m"], tracks["4CA1F2"]["alt_ref"]) == (9300.0, "W84")
    assert (tracks["738A01"]["alt_m"], tracks["738A01"]["alt_ref"]) == (9144.0, "STD")
    assert {t["callsign"] for t in tracks.values()} == {"ALP123"}  # "ALP123  ", trimmed
    assert all(str(t["time"]).startswith("2026-11-24T12:00:00.") for t in tracks.values())
    refused = run(api, "tracks", "opensky", str(path), "--speed", "500")
    assert refused.exit_code == 2
