"""OpenSky Network state vectors (the REST ``/states/all`` shape) → `FeedState` (metres, m/s,
degrees, UTC), in time order, for replay.

A snapshot is ``{"time": 1764072000, "states": [[…], …]}``, each state vector a list::

    0 icao24  1 callsign  2 origin_country  3 time_position  4 last_contact  5 longitude
    6 latitude  7 baro_altitude  8 on_ground  9 velocity  10 true_track  11 vertical_rate
    12 sensors  13 geo_altitude  14 squawk  15 spi  16 position_source  (17 category)

in SI units already: altitudes in metres (``baro_altitude`` a pressure altitude on the standard
setting, ``geo_altitude`` a GNSS height), speeds in m/s, the position valid at
``time_position`` (epoch seconds). A file holds one snapshot (pretty-printed or not) or one
snapshot per line (JSON Lines). A snapshot that is not JSON or not of that shape, and a vector
without position, on the ground, already read, out of time order, or missing velocity or
altitude, is counted (`OpenSkyStats`) and skipped, never raised.

Snapshots taken every few seconds repeat an aircraft's last position until it sends a new
one, and a vector's ``time_position`` may lie seconds before its snapshot's ``time``:
`read_file` drops repeats and puts the rest in time order through a buffer of
``reorder_s`` seconds of snapshot time, so that the replay receives them sorted.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sharedsky.interop.feed_states import (
    FeedState,
    FeedStateError,
    callsign_of,
    track_angle_deg,
)

VECTOR_FIELDS = 17
_ERRORS_KEPT = 20


class OpenSkyShapeError(ValueError):
    """A document that is not an OpenSky ``/states/all`` snapshot."""


@dataclass(frozen=True, slots=True)
class OpenSkyConfig:
    """What to keep and how long to wait for stragglers."""

    include_ground: bool = False
    """Keep vectors whose ``on_ground`` is true."""
    reorder_s: float = 60.0
    """How far (snapshot time) a vector's position may lag behind a later snapshot's and still
    be replayed in order; a later one is skipped as `OpenSkyStats.out_of_order`."""


@dataclass(slots=True)
class OpenSkyStats:
    """Counts of what a reader has seen since it was made."""

    snapshots: int = 0
    """Documents read, good or bad."""
    bad_snapshots: int = 0
    """Documents that are not JSON or not of the shape (nothing of them is read)."""
    vectors: int = 0
    """State vectors of the good snapshots."""
    states: int = 0
    """States handed on, in time order."""
    without_position: int = 0
    repeated: int = 0
    """Positions already read from an earlier snapshot (same aircraft, same time_position)."""
    out_of_order: int = 0
    """Positions older than a state already handed on, beyond `OpenSkyConfig.reorder_s`."""
    incomplete: int = 0
    """Vectors with a position but no time, velocity or altitude, or a value out of range."""
    ground: int = 0
    errors: list[str] = field(default_factory=list)
    """The reasons of the most recent skips (the last 20)."""

    @property
    def skipped(self) -> int:
        """Bad snapshots and vectors skipped for any reason but repeating a position."""
        return (
            self.bad_snapshots
            + self.without_position
            + self.out_of_order
            + self.incomplete
            + self.ground
        )

    def note(self, reason: str) -> None:
        """Keep ``reason`` among the last 20."""
        self.errors = [*self.errors[-(_ERRORS_KEPT - 1) :], reason]


class OpenSkyDecoder:
    """Turns snapshots into states (not yet in time order: `read_documents` sorts them)."""

    def __init__(self, config: OpenSkyConfig | None = None) -> None:
        self.config = config or OpenSkyConfig()
        self.stats = OpenSkyStats()
        self._read_s: dict[str, float] = {}
        """The newest time_position read, per icao24."""

    def feed(self, document: object) -> tuple[float, list[FeedState]]:
        """(the snapshot's time in epoch seconds, its new states) of one parsed JSON
        document; (nan, []) for a document that is not a snapshot."""
        stats = self.stats
        stats.snapshots += 1
        try:
            time_s, vectors = _shape(document)
        except OpenSkyShapeError as exc:
            stats.bad_snapshots += 1
            stats.note(f"snapshot {stats.snapshots}: {exc}")
            return math.nan, []
        states: list[FeedState] = []
        for vector in vectors:
            stats.vectors += 1
            try:
                state = self._vector(vector)
            except (ValueError, TypeError, OverflowError) as exc:  # FeedStateError too
                stats.incomplete += 1
                stats.note(f"snapshot {stats.snapshots}: {_icao_of(vector)}: {exc}")
                continue
            if state is not None:
                self._read_s[state.id] = state.time.timestamp()
                states.append(state)
        return time_s, states

    def _vector(self, vector: object) -> FeedState | None:
        """The new state of one vector; None when it is skipped and counted."""
        stats = self.stats
        if not isinstance(vector, list) or len(vector) < VECTOR_FIELDS:
            raise FeedStateError(f"a state vector is a list of {VECTOR_FIELDS} or more values")
        icao24 = vector[0]
        if not isinstance(icao24, str) or not icao24.strip():
            raise FeedStateError("no icao24")
        lon_deg, lat_deg = _number(vector, 5, "longitude"), _number(vector, 6, "latitude")
        if lat_deg is None or lon_deg is None:
            stats.without_position += 1
            return None
        if vector[8] is True and not self.config.include_ground:
            stats.ground += 1
            return None
        time_s = _number(vector, 3, "time_position")
        if time_s is None:
            raise FeedStateError("no time_position")
        ident = icao24.strip().upper()
        if time_s <= self._read_s.get(ident, -math.inf):
            stats.repeated += 1
            return None
        speed_mps, track_deg = _number(vector, 9, "velocity"), _number(vector, 10, "true_track")
        if speed_mps is None or track_deg is None:
            raise FeedStateError("no velocity or true_track")
        rate_mps = _number(vector, 11, "vertical_rate")
        callsign = vector[1]
        return FeedState(
            id=ident,
            time=datetime.fromtimestamp(time_s, UTC),
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            gs_mps=speed_mps,
            trk_deg=track_angle_deg(track_deg),
            vs_mps=0.0 if rate_mps is None else rate_mps,
            geometric_alt_m=_number(vector, 13, "geo_altitude"),
            pressure_alt_m=_number(vector, 7, "baro_altitude"),
            callsign=callsign_of(callsign),
        )


def _shape(document: object) -> tuple[float, list[object]]:
    """(``time`` in epoch seconds, the ``states`` list) of a snapshot (``states`` may be null
    when nothing was in view)."""
    if not isinstance(document, dict):
        raise OpenSkyShapeError(f"a JSON {type(document).__name__}, not an object")
    time_s, states = document.get("time"), document.get("states", ...)
    if isinstance(time_s, bool) or not isinstance(time_s, int | float) or not math.isfinite(time_s):
        raise OpenSkyShapeError("no number 'time'")
    if states is None:
        return float(time_s), []
    if not isinstance(states, list):
        raise OpenSkyShapeError("no list 'states'")
    return float(time_s), states


def _number(vector: list[object], index: int, name: str) -> float | None:
    value = vector[index]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FeedStateError(f"{name} {value!r} is not a number")
    return float(value)


def _icao_of(vector: object) -> str:
    icao24 = vector[0] if isinstance(vector, list) and vector else None
    return icao24[:10] if isinstance(icao24, str) else "state vector"


def documents(lines: Iterable[str], stats: OpenSkyStats) -> Iterator[object]:
    """The JSON documents of a file's lines: one per line when its first non-blank line is a
    whole document (JSON Lines), else the whole text as one. A line or text that is not JSON
    is counted in ``stats`` as a bad snapshot."""
    iterator = iter(lines)
    head: list[str] = []
    for line in iterator:
        head.append(line)
        if line.strip():
            break
    if not head or not head[-1].strip():
        return
    try:
        first = json.loads(head[-1])
    except ValueError:
        text = "".join(head) + "".join(iterator)
        try:
            yield json.loads(text)
        except ValueError as exc:
            stats.snapshots += 1
            stats.bad_snapshots += 1
            stats.note(f"not JSON ({exc})")
        return
    yield first
    for number, line in enumerate(iterator, len(head) + 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            stats.snapshots += 1
            stats.bad_snapshots += 1
            stats.note(f"line {number}: not JSON ({exc})")


def in_time_order(snapshots: Iterable[object], decoder: OpenSkyDecoder) -> Iterator[FeedState]:
    """The states of parsed snapshots sorted by time: each is held until a snapshot
    ``reorder_s`` seconds later (snapshot time) has been read, and a straggler older than a
    state already handed on is skipped and counted."""
    stats = decoder.stats
    reorder_s = decoder.config.reorder_s
    pending: list[tuple[float, int, FeedState]] = []
    released_s = -math.inf
    order = 0
    for document in snapshots:
        time_s, states = decoder.feed(document)
        for state in states:
            state_s = state.time.timestamp()
            if state_s < released_s:
                stats.out_of_order += 1
                stats.note(f"{state.id}: position at {state_s:.0f} s read after {released_s:.0f}")
                continue
            heapq.heappush(pending, (state_s, order, state))
            order += 1
        while pending and pending[0][0] <= time_s - reorder_s:
            released_s, _, state = heapq.heappop(pending)
            stats.states += 1
            yield state
    while pending:
        released_s, _, state = heapq.heappop(pending)
        stats.states += 1
        yield state


def read_file(path: Path, decoder: OpenSkyDecoder | None = None) -> Iterator[FeedState]:
    """The states of an OpenSky snapshot file (one snapshot, or one per line), sorted by
    time; pass a decoder to read its stats."""
    decoder = decoder or OpenSkyDecoder()
    with path.open(encoding="utf-8", errors="replace") as handle:
        yield from in_time_order(documents(handle, decoder.stats), decoder)


__all__ = [
    "OpenSkyConfig",
    "OpenSkyDecoder",
    "OpenSkyShapeError",
    "OpenSkyStats",
    "documents",
    "in_time_order",
    "read_file",
]
