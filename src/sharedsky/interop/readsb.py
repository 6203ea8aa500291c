"""readsb / tar1090 / dump1090-fa ``aircraft.json`` snapshots → `FeedState` (metres, m/s,
degrees, UTC).

A receiver running readsb rewrites ``aircraft.json`` about once a second (in
``/run/readsb/``, served over HTTP as ``/data/aircraft.json`` by tar1090)::

    {"now": 1764072000.3, "messages": 12345, "aircraft": [
      {"hex": "4ca1f2", "flight": "ALP123  ", "alt_baro": 25000, "alt_geom": 25450,
       "gs": 450.1, "track": 275.5, "baro_rate": -1216, "geom_rate": -1200,
       "lat": 34.81234, "lon": 36.20001, "seen_pos": 0.4, "seen": 0.1}, …]}

Units are those of the file: altitudes in feet (``alt_baro`` a pressure altitude on the
standard setting, or ``"ground"``; ``alt_geom`` a GNSS height above the WGS84 ellipsoid),
speeds in knots, rates in feet per minute. A position was valid ``seen_pos`` seconds before
``now``. `ReadsbDecoder` keeps the time of the last position it emitted per aircraft, so a
snapshot re-read or polled again gives only positions that are new. A document that is not
JSON or not of that shape, and an aircraft without position, too old, on the ground, or missing
velocity or altitude, are counted (`ReadsbStats`) and skipped, never raised.

Sources: `poll` calls a fetch function (`url_fetch` over HTTP, `file_fetch` for a file read
once or whenever it changes) every few seconds.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sharedsky.interop.feed_states import (
    FeedState,
    FeedStateError,
    callsign_of,
    track_angle_deg,
)
from sharedsky.units import FPM_MPS, FT_M, KT_MPS

_ERRORS_KEPT = 20


class ReadsbShapeError(ValueError):
    """A document that is not a readsb ``aircraft.json`` snapshot."""


@dataclass(frozen=True, slots=True)
class ReadsbConfig:
    """What to keep."""

    max_position_age_s: float = 30.0
    """A position reported longer than this before the snapshot (``seen_pos``) is skipped
    (readsb keeps an aircraft in the file for a minute or more after its last position)."""
    include_ground: bool = False
    """Keep aircraft whose ``alt_baro`` is ``"ground"``."""


@dataclass(slots=True)
class ReadsbStats:
    """Counts of what a decoder has seen since it was made."""

    snapshots: int = 0
    """Documents read, good or bad."""
    bad_snapshots: int = 0
    """Documents that are not JSON or not of the shape (nothing of them is read)."""
    aircraft: int = 0
    """Aircraft entries of the good snapshots."""
    states: int = 0
    without_position: int = 0
    old_positions: int = 0
    """Positions already emitted from an earlier snapshot, or older than
    `ReadsbConfig.max_position_age_s`."""
    incomplete: int = 0
    """Aircraft with a position but no velocity or altitude, or a value out of range."""
    ground: int = 0
    fetch_errors: int = 0
    """Fetches that failed (connection, HTTP status, unreadable file)."""
    fetches: int = 0
    """Fetches that returned a document."""
    errors: list[str] = field(default_factory=list)
    """The reasons of the most recent skips and failures (the last 20)."""

    @property
    def skipped(self) -> int:
        """Bad snapshots and aircraft skipped for any reason but being already emitted."""
        return self.bad_snapshots + self.without_position + self.incomplete + self.ground

    def note(self, reason: str) -> None:
        """Keep ``reason`` among the last 20."""
        self.errors = [*self.errors[-(_ERRORS_KEPT - 1) :], reason]


class ReadsbDecoder:
    """Turns ``aircraft.json`` snapshots into the states they hold that are new."""

    def __init__(self, config: ReadsbConfig | None = None) -> None:
        self.config = config or ReadsbConfig()
        self.stats = ReadsbStats()
        self._emitted_s: dict[str, float] = {}
        """Time (epoch seconds) of the newest position emitted, per hex."""

    def feed(self, document: bytes | str) -> list[FeedState]:
        """The new states of one snapshot (the file's bytes or text)."""
        stats = self.stats
        stats.snapshots += 1
        try:
            now_s, aircraft = _shape(document)
        except ReadsbShapeError as exc:
            stats.bad_snapshots += 1
            stats.note(f"snapshot {stats.snapshots}: {exc}")
            return []
        states: list[FeedState] = []
        for entry in aircraft:
            stats.aircraft += 1
            try:
                state = self._aircraft(entry, now_s)
            except (ValueError, TypeError, OverflowError) as exc:  # FeedStateError too
                stats.incomplete += 1
                stats.note(f"snapshot {stats.snapshots}: {_hex_of(entry)}: {exc}")
                continue
            if state is not None:
                stats.states += 1
                self._emitted_s[state.id] = state.time.timestamp()
                states.append(state)
        return states

    def _aircraft(self, entry: object, now_s: float) -> FeedState | None:
        """The new state of one entry; None when it is skipped and counted."""
        stats, config = self.stats, self.config
        if not isinstance(entry, Mapping):
            raise FeedStateError(f"an aircraft is a JSON object, not {type(entry).__name__}")
        ident = entry.get("hex")
        if not isinstance(ident, str):
            raise FeedStateError("no hex address")
        lat_deg, lon_deg = _number(entry, "lat"), _number(entry, "lon")
        if lat_deg is None or lon_deg is None:
            stats.without_position += 1
            return None
        alt_baro = entry.get("alt_baro")
        if alt_baro == "ground" and not config.include_ground:
            stats.ground += 1
            return None
        age_s = _number(entry, "seen_pos") or 0.0
        time_s = now_s - age_s
        if age_s > config.max_position_age_s or time_s <= self._emitted_s.get(
            ident.upper(), -math.inf
        ):
            stats.old_positions += 1
            return None
        gs_kt, track_deg = _number(entry, "gs"), _number(entry, "track")
        if gs_kt is None or track_deg is None:
            raise FeedStateError("no ground speed or track")
        pressure_ft = None if alt_baro == "ground" else _number(entry, "alt_baro")
        geometric_ft = _number(entry, "alt_geom")
        rate_fpm = _number(entry, "geom_rate")
        if rate_fpm is None:
            rate_fpm = _number(entry, "baro_rate")
        callsign = entry.get("flight")
        return FeedState(
            id=ident.upper(),
            time=datetime.fromtimestamp(time_s, UTC),
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            gs_mps=gs_kt * KT_MPS,
            trk_deg=track_angle_deg(track_deg),
            vs_mps=0.0 if rate_fpm is None else rate_fpm * FPM_MPS,
            geometric_alt_m=None if geometric_ft is None else geometric_ft * FT_M,
            pressure_alt_m=None if pressure_ft is None else pressure_ft * FT_M,
            callsign=callsign_of(callsign),
        )


def _shape(document: bytes | str) -> tuple[float, list[object]]:
    """(``now`` in epoch seconds, the ``aircraft`` list) of a snapshot."""
    try:
        data = json.loads(document)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise ReadsbShapeError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReadsbShapeError(f"a JSON {type(data).__name__}, not an object")
    now_s, aircraft = data.get("now"), data.get("aircraft")
    if isinstance(now_s, bool) or not isinstance(now_s, int | float) or not math.isfinite(now_s):
        raise ReadsbShapeError("no number 'now'")
    if not isinstance(aircraft, list):
        raise ReadsbShapeError("no list 'aircraft'")
    return float(now_s), aircraft


def _number(entry: Mapping[str, object], key: str) -> float | None:
    """The finite number under ``key``, None when absent; FeedStateError when not a number."""
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FeedStateError(f"{key} {value!r} is not a number")
    return float(value)


def _hex_of(entry: object) -> str:
    ident = entry.get("hex") if isinstance(entry, Mapping) else None
    return ident[:10] if isinstance(ident, str) else "aircraft"


# --- sources ------------------------------------------------------------------------------

Fetch = Callable[[], bytes | None]
"""Returns the current document, or None when there is nothing new (unchanged, or failed)."""


def url_fetch(url: str, client: httpx.Client, stats: ReadsbStats) -> Fetch:
    """GET ``url`` with ``client``; a failure (connection, timeout, status ≥ 400) is counted
    in ``stats`` and gives None."""

    def fetch() -> bytes | None:
        try:
            response = client.get(url)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            stats.fetch_errors += 1
            stats.note(f"GET {url}: {exc}")
            return None
        stats.fetches += 1
        return response.content

    return fetch


def file_fetch(path: Path, stats: ReadsbStats) -> Fetch:
    """Read ``path`` when its size or modification time differs from the last read (the
    first call always reads); an unreadable file is counted in ``stats`` and gives None."""
    seen: list[tuple[int, int]] = []

    def fetch() -> bytes | None:
        try:
            info = path.stat()
            mark = (info.st_mtime_ns, info.st_size)
            if seen and seen[-1] == mark:
                return None
            content = path.read_bytes()
        except OSError as exc:
            stats.fetch_errors += 1
            stats.note(f"{path}: {exc.strerror}")
            return None
        seen[:] = [mark]
        stats.fetches += 1
        return content

    return fetch


def poll(
    fetch: Fetch,
    decoder: ReadsbDecoder,
    *,
    every_s: float = 1.0,
    once: bool = False,
    stop: threading.Event | None = None,
) -> Generator[list[FeedState], None, None]:
    """The new states of each fetch (an empty list when there was nothing new), one fetch
    every ``every_s`` seconds until ``stop`` is set or the generator is closed; with ``once``
    a single fetch."""
    halt = stop or threading.Event()
    while not halt.is_set():
        document = fetch()
        yield [] if document is None else decoder.feed(document)
        if once:
            return
        halt.wait(every_s)


__all__ = [
    "ReadsbConfig",
    "ReadsbDecoder",
    "ReadsbShapeError",
    "ReadsbStats",
    "file_fetch",
    "poll",
    "url_fetch",
]
