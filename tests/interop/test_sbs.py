"""The BaseStation (SBS-1) reader: messages accumulate per aircraft into complete states in SI
units, stale parts are not used, bad lines are counted and skipped, and the three sources
(lines, files plain or gzip, a TCP feed that drops and reconnects) all decode."""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from sharedsky.interop.sbs import (
    SbsConfig,
    SbsDecoder,
    SbsState,
    encode,
    read_file,
    read_lines,
    read_socket,
)
from sharedsky.sim.traffic import load_sample
from sharedsky.units import FPM_MPS, FT_M, KT_MPS
from sharedsky.wire.v1 import TrackStateIn

COLUMNS = ("time_s", "lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps")

DATE = "2026/11/25"


def msg(kind: int, clock: str, hexident: str = "4CA1F2", **fields: str) -> str:
    """One MSG line generated at ``DATE clock`` with the named fields set (the rest empty)."""
    names = [
        "callsign",
        "alt",
        "gs",
        "trk",
        "lat",
        "lon",
        "vrate",
        "squawk",
        "alert",
        "emergency",
        "spi",
        "ground",
    ]
    tail = [fields.get(name, "") for name in names]
    head = ["MSG", str(kind), "1", "1", hexident, "1", DATE, clock, DATE, clock]
    return ",".join(head + tail)


def position(clock: str, hexident: str = "4CA1F2", alt: str = "25000") -> str:
    return msg(3, clock, hexident, alt=alt, lat="34.81234", lon="36.20001", ground="0")


def velocity(clock: str, hexident: str = "4CA1F2") -> str:
    return msg(4, clock, hexident, gs="450", trk="275.5", vrate="-1216")


def test_position_and_velocity_make_one_state_in_si_units() -> None:
    [state] = read_lines([velocity("12:00:00.000"), position("12:00:01.250")])
    assert state.hexident == "4CA1F2"
    assert state.time == datetime(2026, 11, 25, 12, 0, 1, 250_000, tzinfo=UTC)
    assert (state.lat_deg, state.lon_deg) == (34.81234, 36.20001)
    assert state.alt_m == 25000 * FT_M == 7620.0
    assert state.gs_mps == 450 * KT_MPS
    assert state.gs_mps == pytest.approx(231.5, abs=1e-9)
    assert state.trk_deg == 275.5
    assert state.vs_mps == -1216 * FPM_MPS
    assert state.vs_mps == pytest.approx(-6.17728, abs=1e-9)


def test_partial_messages_accumulate_until_the_state_is_complete() -> None:
    decoder = SbsDecoder()
    assert decoder.feed(msg(1, "12:00:00.000", callsign="ALP123")) is None
    assert decoder.feed(position("12:00:00.500")) is None  # no velocity yet
    state = decoder.feed(velocity("12:00:01.000"))  # completes the waiting position
    assert state is not None
    assert state.callsign == "ALP123"
    assert state.time == datetime(2026, 11, 25, 12, 0, 0, 500_000, tzinfo=UTC)
    assert decoder.feed(velocity("12:00:02.000")) is None  # that position is emitted once
    assert decoder.feed(position("12:00:03.000")) is not None
    assert decoder.stats.emitted == 2


def test_each_aircraft_has_its_own_accumulator() -> None:
    lines = [velocity("12:00:00", "AAAAAA"), position("12:00:01", "BBBBBB")]
    assert list(read_lines(lines)) == []
    lines += [velocity("12:00:02", "BBBBBB"), position("12:00:03", "AAAAAA")]
    assert [s.hexident for s in read_lines(lines)] == ["BBBBBB", "AAAAAA"]


def test_a_stale_velocity_is_not_used() -> None:
    decoder = SbsDecoder(SbsConfig(max_velocity_age_s=10.0))
    assert decoder.feed(velocity("12:00:00")) is None
    assert decoder.feed(position("12:00:10.500")) is None  # velocity 10.5 s old
    fresh = decoder.feed(velocity("12:00:11"))
    assert fresh is not None and fresh.time.second == 10


def test_a_position_whose_velocity_comes_too_late_is_dropped_and_counted() -> None:
    decoder = SbsDecoder(SbsConfig(max_position_age_s=5.0))
    assert decoder.feed(position("12:00:00")) is None
    assert decoder.feed(velocity("12:00:06")) is None
    assert decoder.feed(position("12:00:07")) is not None
    assert decoder.stats.incomplete == 1


def test_a_stale_altitude_is_not_used_and_altitude_only_messages_count() -> None:
    decoder = SbsDecoder(SbsConfig(max_altitude_age_s=5.0))
    decoder.feed(msg(5, "12:00:00", alt="31000"))
    decoder.feed(velocity("12:00:08"))
    assert decoder.feed(msg(3, "12:00:09", lat="34.0", lon="36.0")) is None  # alt 9 s old
    decoder.feed(msg(5, "12:00:10", alt="32000"))
    state = decoder.feed(msg(3, "12:00:11", lat="34.1", lon="36.1"))
    assert state is not None and state.alt_m == 32000 * FT_M


def test_malformed_lines_are_counted_and_skipped_without_raising() -> None:
    bad: list[str | bytes] = [
        "garbage",
        "MSG,3,1,1",  # too few fields
        "MSG,x,1,1,4CA1F2,1,2026/11/25,12:00:00,2026/11/25,12:00:00",  # bad type
        "MSG,9,1,1,4CA1F2,1,2026/11/25,12:00:00,2026/11/25,12:00:00",  # no such type
        position("12:00:00").replace("34.81234", "abc"),
        position("12:00:00").replace("34.81234", "95.0"),  # latitude out of range
        position("12:00:00").replace("34.81234", "nan"),
        position("12:00:00").replace(DATE, "2026/13/45"),  # no such date
        position("12:00:00").replace("12:00:00", "12-00"),
        velocity("12:00:00").replace("450", "-3"),  # negative ground speed
        position("12:00:00") + ",extra,fields",
        "MSG,3,1,1,,1,2026/11/25,12:00:00,2026/11/25,12:00:00",  # no hexident
        b"MSG,3,\xff\xfe",
    ]
    ignored = ["", "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM"]
    decoder = SbsDecoder()
    good = [velocity("12:00:00"), position("12:00:01")]
    states = list(read_lines([*bad, *ignored, *good], decoder))
    assert len(states) == 1
    assert decoder.stats.malformed == len(bad)
    assert decoder.stats.ignored == len(ignored)
    assert decoder.stats.lines == len(bad) + len(ignored) + len(good)
    assert decoder.stats.messages == len(good)
    assert all(reason.startswith("line ") for reason in decoder.stats.errors)


def test_aircraft_on_the_ground_are_left_out_unless_asked_for() -> None:
    on_ground = msg(3, "12:00:01", alt="400", lat="34.0", lon="36.0", ground="-1")
    surface = msg(2, "12:00:03", alt="400", gs="12", trk="90", lat="34.0", lon="36.01")
    lines = [velocity("12:00:00"), on_ground, velocity("12:00:02"), surface]
    assert list(read_lines(lines)) == []
    kept = list(read_lines(lines, SbsDecoder(SbsConfig(include_ground=True))))
    assert len(kept) == 2


def test_times_written_in_the_receivers_zone_become_utc() -> None:
    zone = timezone(timedelta(hours=3))
    decoder = SbsDecoder(SbsConfig(feed_tz=zone))
    [state] = read_lines([velocity("15:00:00"), position("15:00:01")], decoder)
    assert state.time == datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC)


def test_silent_aircraft_are_forgotten() -> None:
    decoder = SbsDecoder(SbsConfig(forget_after_s=120.0))
    decoder.feed(velocity("12:00:00", "AAAAAA"))
    decoder.feed(velocity("12:01:30", "BBBBBB"))
    assert decoder.tracked == 2
    decoder.feed(velocity("12:03:00", "BBBBBB"))
    assert decoder.tracked == 1


def test_a_state_converts_to_the_wire_form() -> None:
    [state] = read_lines([velocity("12:00:00"), position("12:00:01.250")])
    wire = state.to_wire(notice_id="N-1")
    assert wire["id"] == "4CA1F2" and wire["time"] == "2026-11-25T12:00:01.250Z"
    assert wire["alt_m"] == 7620.0 and wire["notice_id"] == "N-1"
    assert wire["alt_ref"] == "STD"  # SBS-1 altitudes are the transponder's pressure altitude
    assert set(wire) == {
        "id",
        "time",
        "lat",
        "lon",
        "alt_m",
        "gs_mps",
        "trk_deg",
        "vs_mps",
        "notice_id",
        "callsign",
        "alt_ref",
    }
    assert wire["callsign"] is None  # no identification message came


def test_the_identification_message_gives_the_wire_its_callsign_trimmed() -> None:
    """MSG,1 carries the callsign (padded to eight characters by some receivers); a later
    blank or garbled one (``@`` for lost characters) keeps the last good one."""
    lines = [
        msg(1, "12:00:00", callsign="ALP123  "),
        velocity("12:00:00"),
        position("12:00:01"),
        msg(1, "12:00:02", callsign="AL@@@@@@"),
        velocity("12:00:02"),
        position("12:00:03"),
    ]
    first, second = read_lines(lines)
    assert first.to_wire()["callsign"] == second.to_wire()["callsign"] == "ALP123"
    assert TrackStateIn.model_validate(first.to_wire()).callsign == "ALP123"


def test_encoded_states_decode_back() -> None:
    state = SbsState(
        "738043",
        datetime(2019, 11, 3, 9, 30, 15, 500_000, tzinfo=UTC),
        33.2,
        35.4,
        10_000.0,
        240.0,
        131.0,
        -5.0,
        "ELY1747",
    )
    zone = timezone(timedelta(hours=2))
    [again] = read_lines(encode(state, zone), SbsDecoder(SbsConfig(feed_tz=zone)))
    assert (again.hexident, again.time, again.callsign) == (state.hexident, state.time, "ELY1747")
    assert again.alt_m == pytest.approx(state.alt_m, abs=0.2)
    assert again.gs_mps == pytest.approx(state.gs_mps, abs=0.05)
    assert again.vs_mps == pytest.approx(state.vs_mps, abs=0.01)
    assert (again.lat_deg, again.lon_deg, again.trk_deg) == (33.2, 35.4, 131.0)


@pytest.mark.parametrize("compress", [False, True])
def test_a_capture_file_reads_plain_or_gzip(tmp_path: Path, compress: bool) -> None:
    text = "\r\n".join([velocity("12:00:00"), position("12:00:01"), "junk", position("12:00:02")])
    path = tmp_path / ("feed.sbs.gz" if compress else "feed.sbs")
    if compress:
        with gzip.open(path, "wt", encoding="ascii") as handle:
            handle.write(text + "\r\n")
    else:
        path.write_text(text + "\r\n", encoding="ascii")
    decoder = SbsDecoder()
    states = list(read_file(path, decoder))
    assert [s.time.second for s in states] == [1, 2]
    assert decoder.stats.malformed == 1


# -- TCP feed ----------------------------------------------------------------------------------


class _Feed(socketserver.ThreadingTCPServer):
    """A loopback feed: each connection plays the next script (lines, or None: stay silent)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scripts: list[list[str] | None]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scripts = scripts
        self.lock = threading.Lock()
        self.done = threading.Event()


class _Handler(socketserver.BaseRequestHandler):
    server: _Feed

    def handle(self) -> None:
        with self.server.lock:
            script = self.server.scripts.pop(0) if self.server.scripts else []
        if script is None:
            self.server.done.wait(5.0)
            return
        payload = "".join(line + "\r\n" for line in script).encode("ascii")
        self.request.sendall(payload[:7])  # a line split over two packets
        self.request.sendall(payload[7:])


@contextlib.contextmanager
def feed(scripts: list[list[str] | None]) -> Iterator[int]:
    server = _Feed(scripts)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.done.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_tcp_feed_is_read_across_a_dropped_and_a_silent_connection() -> None:
    first = [msg(1, "12:00:00", callsign="ALP1"), velocity("12:00:00"), position("12:00:01")]
    third = [position("12:00:02"), velocity("12:00:03"), position("12:00:04")]
    with feed([first, None, third]) as port:
        decoder = SbsDecoder()
        source = read_socket(
            "127.0.0.1", port, decoder, timeout_s=0.3, reconnect_delay_s=0.01, retries=3
        )
        with contextlib.closing(source):
            states = [next(source) for _ in range(3)]
    assert [s.time.second for s in states] == [1, 2, 4]
    assert states[0].callsign == "ALP1"
    assert decoder.stats.connections == 3


def test_a_tcp_feed_gives_up_after_the_allowed_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = read_socket("127.0.0.1", port, timeout_s=0.5, reconnect_delay_s=0.01, retries=2)
    with pytest.raises(OSError):
        next(source)


def test_a_tcp_feed_stops_when_asked() -> None:
    stop = threading.Event()
    with feed([[velocity("12:00:00"), position("12:00:01")]] * 50) as port:
        source = read_socket("127.0.0.1", port, timeout_s=1.0, reconnect_delay_s=0.01, stop=stop)
        with contextlib.closing(source):
            assert next(source).time.second == 1
            stop.set()
            assert list(source) == []


def test_a_recorded_flight_encoded_as_a_feed_decodes_back(tmp_path: Path) -> None:
    [flight] = load_sample("featured/elal747.json.gz")  # Rome to Tel Aviv, 2019
    originals = [
        SbsState(
            flight.id,
            datetime.fromtimestamp(t_s, UTC),
            lat,
            lon,
            alt_m,
            gs_mps,
            trk_deg,
            vs_mps,
            flight.callsign,
        )
        for t_s, lat, lon, alt_m, gs_mps, trk_deg, vs_mps in zip(
            *(getattr(flight, name).tolist() for name in COLUMNS), strict=True
        )
    ]
    path = tmp_path / "elal747.sbs.gz"
    with gzip.open(path, "wt", encoding="ascii") as handle:
        handle.writelines(line + "\r\n" for state in originals for line in encode(state))
    decoder = SbsDecoder()
    decoded = list(read_file(path, decoder))
    assert len(decoded) == len(originals) > 1000
    assert decoder.stats.malformed == 0
    for before, after in zip(originals, decoded, strict=True):
        assert after.time == before.time.replace(microsecond=before.time.microsecond // 1000 * 1000)
        assert after.alt_m == pytest.approx(before.alt_m, abs=0.2)
        assert after.lat_deg == pytest.approx(before.lat_deg, abs=1e-5)
        assert after.gs_mps == pytest.approx(before.gs_mps, abs=0.05)
