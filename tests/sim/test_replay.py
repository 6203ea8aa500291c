"""Replay: batches paced by a (fake) clock at the chosen speed, times re-based to now, positions
optionally moved, speed limited to [1, 100]."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

import pytest

from sharedsky.geo.distance import geodesic_azimuth_deg, point_distance_m
from sharedsky.sim.replay import (
    ReplayReport,
    Shift,
    State,
    SystemClock,
    check_speed,
    format_time,
    parse_time,
    replay,
    replay_feeds,
)

RECORDED = datetime(2019, 10, 3, 8, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """A replay clock that moves only when slept on; remembers every sleep."""

    def __init__(self) -> None:
        self.mono_s = 100.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return NOW + timedelta(seconds=self.mono_s - 100.0)

    def monotonic(self) -> float:
        return self.mono_s

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono_s += seconds


class Recorder:
    """A sink that notes when (on the fake clock, seconds from the start) each batch came."""

    def __init__(self, clock: FakeClock, cost_s: float = 0.0) -> None:
        self.clock = clock
        self.cost_s = cost_s
        self.calls: list[tuple[float, str, list[State]]] = []

    def __call__(self, name: str, batch: list[State]) -> None:
        self.calls.append((self.clock.mono_s - 100.0, name, batch))
        self.clock.mono_s += self.cost_s


def state(offset_s: float, track_id: str = "A1", lat: float = 48.0, lon: float = 2.0) -> State:
    moment = RECORDED + timedelta(seconds=offset_s)
    return {"id": track_id, "time": format_time(moment), "lat": lat, "lon": lon, "alt_m": 7600.0}


def lonlat(s: State) -> tuple[float, float]:
    lon, lat = s["lon"], s["lat"]
    assert isinstance(lon, float) and isinstance(lat, float)
    return lon, lat


RECORDING = [state(0.0), state(0.5, "B2"), state(1.0), state(2.5)]


def run(
    speed: float, batch_s: float, states: list[State] = RECORDING
) -> tuple[Recorder, ReplayReport]:
    clock = FakeClock()
    recorder = Recorder(clock)
    report = replay(
        states,
        lambda batch: recorder("", batch),
        speed=speed,
        batch_s=batch_s,
        clock=clock,
    )
    return recorder, report


def test_at_1x_each_second_of_recording_is_delivered_at_its_end() -> None:
    recorder, report = run(speed=1.0, batch_s=1.0)
    assert [when for when, _, _ in recorder.calls] == [1.0, 2.0, 3.0]
    assert [len(batch) for _, _, batch in recorder.calls] == [2, 1, 1]
    times = [s["time"] for _, _, batch in recorder.calls for s in batch]
    assert times == [
        "2026-11-25T12:00:00Z",
        "2026-11-25T12:00:00.500Z",
        "2026-11-25T12:00:01Z",
        "2026-11-25T12:00:02.500Z",
    ]
    assert report == ReplayReport(batches=3, states=4, recorded_s=2.5, max_lag_s=0.0)


def test_at_100x_the_same_recording_takes_a_hundredth_of_the_time() -> None:
    recorder, report = run(speed=100.0, batch_s=1.0)
    assert [when for when, _, _ in recorder.calls] == pytest.approx([0.01, 0.02, 0.03], abs=1e-12)
    times = [s["time"] for _, _, batch in recorder.calls for s in batch]
    assert times == [
        "2026-11-25T12:00:00Z",
        "2026-11-25T12:00:00.005Z",
        "2026-11-25T12:00:00.010Z",
        "2026-11-25T12:00:00.025Z",
    ]
    assert report.recorded_s == 2.5


def test_a_zero_window_delivers_each_timestamp_at_its_own_instant() -> None:
    recorder, _ = run(speed=2.0, batch_s=0.0)
    assert [when for when, _, _ in recorder.calls] == [0.0, 0.25, 0.5, 1.25]
    assert all(len(batch) == 1 for _, _, batch in recorder.calls)


def test_times_are_rebased_to_now_and_other_fields_are_kept() -> None:
    recorder, _ = run(speed=1.0, batch_s=10.0)
    [(_, _, batch)] = recorder.calls
    assert [parse_time(s["time"]) - NOW for s in batch] == [
        timedelta(seconds=x) for x in (0.0, 0.5, 1.0, 2.5)
    ]
    assert batch[1] == RECORDING[1] | {"time": "2026-11-25T12:00:00.500Z"}
    assert RECORDING[1]["time"] == "2019-10-03T08:15:00.500Z"  # the input is not changed


def test_a_slow_sink_makes_the_replay_late_but_loses_nothing() -> None:
    clock = FakeClock()
    recorder = Recorder(clock, cost_s=1.5)
    report = replay_feeds({"x": RECORDING}, recorder, speed=1.0, batch_s=1.0, clock=clock)
    assert [when for when, _, _ in recorder.calls] == [1.0, 2.5, 4.0]
    assert report.states == 4 and report.max_lag_s == pytest.approx(1.0)


def test_feeds_share_one_time_base_and_each_gets_its_own_batches() -> None:
    clock = FakeClock()
    recorder = Recorder(clock)
    feeds = {
        "alpha": [state(5.0, "A"), state(6.0, "A")],
        "bravo": [state(0.0, "B"), state(5.2, "B")],
    }
    replay_feeds(feeds, recorder, speed=1.0, batch_s=1.0, clock=clock)
    calls = [(when, name, [s["time"] for s in batch]) for when, name, batch in recorder.calls]
    assert calls == [
        (1.0, "bravo", ["2026-11-25T12:00:00Z"]),
        (6.0, "alpha", ["2026-11-25T12:00:05Z"]),
        (6.0, "bravo", ["2026-11-25T12:00:05.200Z"]),
        (7.0, "alpha", ["2026-11-25T12:00:06Z"]),
    ]


def test_an_origin_maps_that_recorded_instant_to_now() -> None:
    clock = FakeClock()
    recorder = Recorder(clock)
    origin = RECORDED - timedelta(seconds=10)
    replay(RECORDING, lambda b: recorder("", b), batch_s=0.0, origin=origin, clock=clock)
    assert recorder.calls[0][0] == 10.0
    assert recorder.calls[0][2][0]["time"] == "2026-11-25T12:00:10Z"


def test_latest_only_keeps_the_newest_state_of_each_id_in_a_batch() -> None:
    clock = FakeClock()
    recorder = Recorder(clock)
    states = [state(0.0, "A"), state(0.2, "B"), state(0.4, "A"), state(0.6, "A")]
    replay(states, lambda b: recorder("", b), batch_s=1.0, latest_only=True, clock=clock)
    [(_, _, batch)] = recorder.calls
    assert [(s["id"], s["time"]) for s in batch] == [
        ("B", "2026-11-25T12:00:00.200Z"),
        ("A", "2026-11-25T12:00:00.600Z"),
    ]


def test_a_shift_moves_positions_and_keeps_distances() -> None:
    shift = Shift(2.35, 48.86, 37.0, 34.9)
    clock = FakeClock()
    recorder = Recorder(clock)
    states = [state(0.0, "C", lat=48.86, lon=2.35), state(0.0, "D", lat=49.2, lon=2.9)]
    replay(states, lambda b: recorder("", b), shift=shift, clock=clock)
    [(_, _, [c, d])] = recorder.calls
    assert lonlat(c) == pytest.approx((37.0, 34.9), abs=1e-6)
    before = point_distance_m((2.35, 48.86), (2.9, 49.2))
    after = point_distance_m(lonlat(c), lonlat(d))
    assert after == pytest.approx(before, rel=1e-3)
    azimuth_before = float(geodesic_azimuth_deg(2.35, 48.86, 2.9, 49.2))
    azimuth_after = float(geodesic_azimuth_deg(*lonlat(c), *lonlat(d)))
    assert azimuth_after == pytest.approx(azimuth_before, abs=1.0)


@pytest.mark.parametrize("speed", [0.0, 0.99, 100.5, -1.0, math.nan, math.inf])
def test_a_speed_outside_1_to_100_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="speed"):
        check_speed(speed)
    with pytest.raises(ValueError, match="speed"):
        replay(RECORDING, lambda b: None, speed=speed, clock=FakeClock())


def test_the_speed_limits_themselves_are_allowed() -> None:
    assert check_speed(1.0) == 1.0 and check_speed(100.0) == 100.0


def test_states_out_of_time_order_are_refused() -> None:
    with pytest.raises(ValueError, match="earlier"):
        replay([state(1.0), state(0.0)], lambda b: None, clock=FakeClock())


def test_a_time_without_a_zone_or_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ValueError, match="zone"):
        replay([{"id": "A", "time": "2019-10-03T08:15:00"}], lambda b: None, clock=FakeClock())
    with pytest.raises(ValueError, match="ISO 8601"):
        replay([{"id": "A", "time": 12}], lambda b: None, clock=FakeClock())
    with pytest.raises(ValueError, match="batch_s"):
        replay(RECORDING, lambda b: None, batch_s=-1.0, clock=FakeClock())


def test_an_empty_recording_delivers_nothing() -> None:
    recorder, report = run(speed=1.0, batch_s=1.0, states=[])
    assert recorder.calls == [] and report.batches == 0


def test_a_real_replay_at_100x_takes_about_a_hundredth_of_its_length() -> None:
    recording = [state(float(k), "R") for k in range(21)]  # 20 s
    delivered: list[float] = []
    started = time.monotonic()
    report = replay(
        recording,
        lambda b: delivered.append(time.monotonic() - started),
        speed=100.0,
        batch_s=0.0,
        clock=SystemClock(),
    )
    elapsed = time.monotonic() - started
    assert report.states == 21
    assert 0.19 <= elapsed < 2.0
    assert delivered[-1] >= 0.19
