"""Replay of recorded track states as live traffic, 1× to 100× faster than recorded.

States are wire-form dicts (the elements of ``POST /v1/tracks``: ``id``, ``time``, ``lat``,
``lon``, ``alt_m``, ``gs_mps``, ``trk_deg``, ``vs_mps``, ``notice_id``), sorted by ``time``
within each feed. The recording's origin ``t0`` (its first time unless given) is mapped to the
wall-clock instant the replay starts, ``now0``, and time is compressed by ``speed``: a state
recorded at ``t`` is re-stamped ``now0 + (t − t0) / speed`` and delivered at that wall instant or
just after it, so a 2019 recording reaches the server as current traffic at any speed (ground
and vertical speeds stay as recorded). States are grouped in windows of ``batch_s`` recorded
seconds, each delivered when the replay reaches the window's end (so no state is ever stamped in
the future); ``batch_s=0`` delivers each distinct timestamp at its own instant. A sink that is
slower than the pace makes the replay late, never drops a state; the report says how late.

The clock is a `ReplayClock` (wall time, a monotonic counter and sleep), so tests pace a replay
with a fake clock and no waiting. Nothing here does I/O: the sink posts the batches.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sharedsky.geo.projection import frame_at

FloatArray = npt.NDArray[np.float64]
State = dict[str, object]
"""One wire-form track state."""

MIN_SPEED = 1.0
MAX_SPEED = 100.0


class ReplayClock(Protocol):
    """What a replay reads and waits on."""

    def now(self) -> datetime:
        """The current UTC time (read once, when the replay starts)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a counter that never goes back (paces the batches)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock: `datetime.now`, `time.monotonic` and `time.sleep`."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """`time.monotonic`, seconds."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """`time.sleep`."""
        time.sleep(seconds)


@dataclass(frozen=True, slots=True)
class Shift:
    """A translation that keeps shapes: a point x metres east and y metres north of the source
    centre moves to x metres east and y metres north of the target centre (azimuthal-equidistant
    frames at both centres; track angles are kept, which is right within about 1° up to 200 km
    from the centres)."""

    source_lon_deg: float
    source_lat_deg: float
    target_lon_deg: float
    target_lat_deg: float

    def apply(
        self, lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """The moved (lon_deg, lat_deg) of arrays of positions."""
        x_m, y_m = frame_at(self.source_lon_deg, self.source_lat_deg).forward(lon_deg, lat_deg)
        return frame_at(self.target_lon_deg, self.target_lat_deg).inverse(x_m, y_m)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay delivered."""

    batches: int
    """Calls of the sink."""
    states: int
    recorded_s: float
    """Recorded time from the origin to the last state, seconds."""
    max_lag_s: float
    """How far behind its due wall instant the latest delivery was, seconds (0: on time)."""


Sink = Callable[[list[State]], None]
FeedSink = Callable[[str, list[State]], None]
"""Receives (feed name, batch), e.g. (party, states to post with that party's token)."""


def parse_time(value: object) -> datetime:
    """An aware datetime from a state's ``time`` (ISO 8601 text or datetime); ValueError when
    naive or neither."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise ValueError(f"a state's time is ISO 8601 text or a datetime, not {value!r}")
    if moment.tzinfo is None:
        raise ValueError(f"a state's time needs a zone (UTC): {value!r}")
    return moment


def format_time(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.fff]Z`` of an aware datetime, rounded to the millisecond."""
    utc = moment.astimezone(UTC)
    utc = utc.replace(microsecond=0) + timedelta(milliseconds=round(utc.microsecond / 1000))
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{utc.microsecond // 1000:03d}Z" if utc.microsecond else f"{text}Z"


def check_speed(speed: float) -> float:
    """``speed`` when it is in [1, 100]; ValueError otherwise."""
    if not (math.isfinite(speed) and MIN_SPEED <= speed <= MAX_SPEED):
        raise ValueError(f"replay speed must be within [{MIN_SPEED:g}, {MAX_SPEED:g}], not {speed}")
    return speed


def replay(
    states: Iterable[Mapping[str, object]],
    sink: Sink,
    *,
    speed: float = 1.0,
    batch_s: float = 1.0,
    origin: datetime | None = None,
    shift: Shift | None = None,
    latest_only: bool = False,
    clock: ReplayClock | None = None,
) -> ReplayReport:
    """Deliver ``states`` (sorted by time) to ``sink`` in paced, re-stamped batches.

    ``speed`` in [1, 100]; ``batch_s`` recorded seconds per batch (0: one batch per distinct
    timestamp); ``origin`` the recorded instant that becomes now (default: the first state's
    time); ``shift`` moves positions; ``latest_only`` keeps only the newest state of each id in
    a batch. ValueError for a speed out of range, a negative ``batch_s``, or a state out of
    time order or without a zoned time.
    """
    return replay_feeds(
        {"": states},
        lambda _, batch: sink(batch),
        speed=speed,
        batch_s=batch_s,
        origin=origin,
        shift=shift,
        latest_only=latest_only,
        clock=clock,
    )


def replay_feeds(
    feeds: Mapping[str, Iterable[Mapping[str, object]]],
    sink: FeedSink,
    *,
    speed: float = 1.0,
    batch_s: float = 1.0,
    origin: datetime | None = None,
    shift: Shift | None = None,
    latest_only: bool = False,
    clock: ReplayClock | None = None,
) -> ReplayReport:
    """`replay` of several feeds (e.g. one per party) on one time base: each batch window calls
    ``sink(name, states)`` once per feed with states in it, in the order of ``feeds``. The
    origin defaults to the earliest first time of all feeds."""
    check_speed(speed)
    if not (math.isfinite(batch_s) and batch_s >= 0.0):
        raise ValueError(f"batch_s must be a finite number ≥ 0, not {batch_s}")
    clock = clock or SystemClock()
    names = list(feeds)
    merged = heapq.merge(*(_timed(name, k, feed) for k, (name, feed) in enumerate(feeds.items())))
    first = next(merged, None)
    if first is None:
        return ReplayReport(batches=0, states=0, recorded_s=0.0, max_lag_s=0.0)
    t0_s = origin.timestamp() if origin is not None else first[0]
    now0 = clock.now()
    start_s = clock.monotonic()
    batches = count = 0
    last_s = t0_s
    max_lag_s = 0.0
    for due_s, window in _windows(_chain(first, merged), t0_s, batch_s):
        wait_s = start_s + (due_s - t0_s) / speed - clock.monotonic()
        if wait_s > 0.0:
            clock.sleep(wait_s)
        else:
            max_lag_s = max(max_lag_s, -wait_s)
        by_feed: dict[int, list[State]] = {}
        for t_s, order, _, _, state in _thin(window) if latest_only else window:
            by_feed.setdefault(order, []).append(_restamp(state, now0, (t_s - t0_s) / speed))
            last_s = max(last_s, t_s)
        for order in sorted(by_feed):
            batch = by_feed[order]
            if shift is not None:
                _move(batch, shift)
            sink(names[order], batch)
            batches += 1
            count += len(batch)
    return ReplayReport(
        batches=batches, states=count, recorded_s=last_s - t0_s, max_lag_s=max_lag_s
    )


_Item = tuple[float, int, int, str, Mapping[str, object]]
"""(recorded time in epoch seconds, feed order, index in the feed, feed name, state)."""


def _timed(name: str, order: int, feed: Iterable[Mapping[str, object]]) -> Iterator[_Item]:
    """The feed's states with their times; ValueError at the first one out of order."""
    previous_s = -math.inf
    for index, state in enumerate(feed):
        t_s = parse_time(state.get("time")).timestamp()
        if t_s < previous_s:
            raise ValueError(f"feed {name!r}: state {index} is earlier than the one before it")
        previous_s = t_s
        yield (t_s, order, index, name, state)


def _chain(first: _Item, rest: Iterator[_Item]) -> Iterator[_Item]:
    yield first
    yield from rest


def _windows(
    items: Iterator[_Item], t0_s: float, batch_s: float
) -> Iterator[tuple[float, list[_Item]]]:
    """(due recorded time, items) per window: [t0 + k·batch_s, t0 + (k+1)·batch_s) is due at
    its end; with batch_s = 0 each distinct time is its own window, due at that time."""
    window: list[_Item] = []
    due_s = math.nan
    for item in items:
        t_s = item[0]
        if batch_s > 0.0:
            end_s = t0_s + (math.floor((t_s - t0_s) / batch_s) + 1) * batch_s
        else:
            end_s = t_s
        if window and end_s != due_s:
            yield due_s, window
            window = []
        due_s = end_s
        window.append(item)
    if window:
        yield due_s, window


def _thin(window: list[_Item]) -> list[_Item]:
    """The newest item of each (feed, id) in a window, in time order."""
    newest: dict[tuple[int, object], _Item] = {}
    for item in window:
        newest[(item[1], item[4].get("id"))] = item
    return sorted(newest.values(), key=lambda item: (item[0], item[1], item[2]))


def _restamp(state: Mapping[str, object], now0: datetime, offset_s: float) -> State:
    moved = dict(state)
    moved["time"] = format_time(now0 + timedelta(seconds=offset_s))
    return moved


def _move(batch: list[State], shift: Shift) -> None:
    lon = np.array([_float(s["lon"]) for s in batch], dtype=np.float64)
    lat = np.array([_float(s["lat"]) for s in batch], dtype=np.float64)
    new_lon, new_lat = shift.apply(lon, lat)
    for state, x, y in zip(batch, new_lon.tolist(), new_lat.tolist(), strict=True):
        state["lon"], state["lat"] = round(x, 6), round(y, 6)


def _float(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    raise ValueError(f"lat and lon are numbers, not {value!r}")
