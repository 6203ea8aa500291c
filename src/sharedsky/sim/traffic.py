"""Demo traffic: real recorded ADS-B trajectories moved into the Levant, and synthetic military
flights that clash between parties within minutes.

Real traffic comes from the samples of the PyPI package ``traffic`` (install it with
``pip install --no-deps traffic==2.13``; ``make`` does). Its files are read with the standard
library (gzip + json): the package itself is never imported (it fails with pandas 3 and pulls a
hundred dependencies). Records on the ground, with a missing field or with an implausible value
are dropped; feet become metres, knots and feet per minute metres per second. A sample is moved
whole into the demo region with a shape-keeping `Shift` and its aircraft are dealt to the
parties at random (seeded).

Synthetic military traffic, seeded too: each party flies orbits for the whole demo; every
`ENCOUNTER_EVERY_S` seconds from `FIRST_ENCOUNTER_S` on, two transits of different parties cross
(1 to 3 km apart, within 150 m of altitude: a loss of separation under any usual minima); and one
aircraft flies in each air-sortie or UAV notice of the scenario during its time window, carrying
the notice's id when ``notice_ids`` maps its title to one.

`demo_feeds` gives, per party, a time-ordered stream of wire-form states for `replay_feeds`.
"""

from __future__ import annotations

import gzip
import heapq
import importlib.util
import json
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sharedsky.geo.projection import frame_at
from sharedsky.interop.feed_states import callsign_of
from sharedsky.sim.replay import Shift, State, format_time, parse_time
from sharedsky.sim.scenarios import Scenario, levant
from sharedsky.units import FPM_MPS, FT_M, KT_MPS

FloatArray = npt.NDArray[np.float64]

QUICKSTART = "collections/quickstart.json.gz"
"""213 aircraft around Paris over 3 hours, one record a second (traffic 2.13)."""
SWITZERLAND = "collections/switzerland.json.gz"
"""842 aircraft en route over Switzerland over 17 hours, one record every 10 s."""
DEMO_BOX = (35.0, 33.0, 41.0, 37.0)
"""The demo region (lon0, lat0, lon1, lat1), degrees: recorded traffic, orbits and transits
stay inside (flights in notices fly where their notices are)."""
DEMO_CENTRE = (37.0, 34.9)
"""Where the centre of a real sample is moved (lon, lat), degrees: over Homs and the Orontes."""
DEMO_DURATION_S = 14 * 3600.0
"""Long enough for every notice of the Levant scenario to be flown (the real sample lasts 3 h)."""
FIRST_ENCOUNTER_S = 120.0
ENCOUNTER_EVERY_S = 300.0
MAX_ALT_M = 15_000.0
MAX_GS_MPS = 350.0
MAX_VS_MPS = 100.0
_STEP_S = 1.0
_RATE_ONE_RAD_S = math.radians(3.0)
_NOTICE_KINDS = frozenset({"air_sortie", "uav"})
_COLUMNS = ("time_s", "lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps")
_FIELDS = (
    "timestamp",
    "latitude",
    "longitude",
    "altitude",
    "groundspeed",
    "track",
    "vertical_rate",
)


class TrafficSamplesMissing(RuntimeError):
    """The ``traffic`` package, whose files hold the recorded trajectories, is not installed."""


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One aircraft's states as aligned columns, in time order."""

    id: str
    time_s: FloatArray
    """Seconds since the Unix epoch (UTC)."""
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    """Degrees clockwise from true north, in [0, 360)."""
    vs_mps: FloatArray
    notice_id: str | None = None
    callsign: str | None = None

    def __len__(self) -> int:
        return len(self.time_s)


def samples_dir() -> Path:
    """The sample directory of the installed ``traffic`` package, found without importing it;
    TrafficSamplesMissing with the command that installs it."""
    spec = importlib.util.find_spec("traffic")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / "data" / "samples"
        if path.is_dir():
            return path
    raise TrafficSamplesMissing(
        "the recorded demo traffic comes from the samples of the PyPI package 'traffic'; "
        "install it with: pip install --no-deps traffic==2.13 "
        "(--no-deps: sharedsky reads only its data files)"
    )


def load_sample(name: str | Path = QUICKSTART) -> list[Trajectory]:
    """The plausible airborne trajectories of a ``traffic`` sample file (a path relative to
    ``traffic/data/samples``, or an absolute path to a file of the same form), one per
    aircraft, ordered by id; recorded times kept."""
    path = Path(name) if Path(name).is_absolute() else samples_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"no traffic sample at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records: list[dict[str, Any]] = json.load(handle)
    ms, lat, lon, alt_ft, gs_kt, trk, vr_fpm = (_column(records, name) for name in _FIELDS)
    alt_m, gs_mps, vs_mps = alt_ft * FT_M, gs_kt * KT_MPS, vr_fpm * FPM_MPS
    with np.errstate(invalid="ignore"):  # NaN (a missing field) compares false: dropped
        keep = (
            (np.abs(lat) <= 90.0)
            & (np.abs(lon) <= 180.0)
            & (alt_m >= 0.0)
            & (alt_m <= MAX_ALT_M)
            & (gs_mps >= 0.0)
            & (gs_mps <= MAX_GS_MPS)
            & (np.abs(vs_mps) <= MAX_VS_MPS)
            & np.isfinite(ms)
            & np.isfinite(trk)
            & np.array([r.get("onground") is not True for r in records], dtype=bool)
        )
    names, owner = np.unique(
        [str(r.get("icao24", "")).upper() for r in records], return_inverse=True
    )
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        return []
    rows = rows[np.lexsort((ms[rows], owner[rows]))]
    callsigns = {
        int(owner[k]): str(r["callsign"]).strip()
        for k, r in enumerate(records)
        if r.get("callsign")
    }
    trajectories = []
    for index, group in _groups(owner[rows]):
        sel = rows[group]
        sel = sel[np.concatenate(([True], np.diff(ms[sel]) > 0.0))]  # one state per instant
        trajectories.append(
            Trajectory(
                id=str(names[index]),
                time_s=ms[sel] / 1000.0,
                lat_deg=lat[sel],
                lon_deg=lon[sel],
                alt_m=alt_m[sel],
                gs_mps=gs_mps[sel],
                trk_deg=trk[sel] % 360.0,
                vs_mps=vs_mps[sel],
                callsign=callsigns.get(index),
            )
        )
    return trajectories


def _column(records: list[dict[str, Any]], name: str) -> FloatArray:
    """One field of every record as floats; NaN where missing or not a number."""
    values = [r.get(name) for r in records]
    try:
        return np.array(values, dtype=np.float64)  # None becomes NaN
    except (TypeError, ValueError):
        return np.array(
            [v if isinstance(v, int | float) else math.nan for v in values], dtype=np.float64
        )


def _groups(keys: npt.NDArray[np.intp]) -> Iterator[tuple[int, slice]]:
    """(key, slice) of each run of equal values in a sorted array."""
    bounds = np.flatnonzero(np.diff(keys)) + 1
    starts = np.concatenate(([0], bounds))
    stops = np.concatenate((bounds, [len(keys)]))
    for first, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        yield int(keys[first]), slice(first, stop)


def shift_sample(
    trajectories: Sequence[Trajectory], centre: tuple[float, float], start: datetime
) -> list[Trajectory]:
    """The trajectories moved so that their common bounding box is centred on ``centre``
    (lon, lat; shapes kept, see `Shift`) and their first instant is ``start``."""
    if not trajectories:
        return []
    lon = np.concatenate([t.lon_deg for t in trajectories])
    lat = np.concatenate([t.lat_deg for t in trajectories])
    t_first = min(float(t.time_s[0]) for t in trajectories)
    source = ((lon.min() + lon.max()) / 2.0, (lat.min() + lat.max()) / 2.0)
    shift = Shift(float(source[0]), float(source[1]), centre[0], centre[1])
    moved = []
    for t in trajectories:
        new_lon, new_lat = shift.apply(t.lon_deg, t.lat_deg)
        times = t.time_s - t_first + start.timestamp()
        moved.append(replace(t, time_s=times, lon_deg=new_lon, lat_deg=new_lat))
    return moved


def demo_trajectories(
    parties: Sequence[str],
    start: datetime,
    seed: int = 7,
    *,
    civil: Sequence[Trajectory] | None = None,
    scenario: Scenario | None = None,
    notice_ids: Mapping[str, str] | None = None,
    duration_s: float = DEMO_DURATION_S,
) -> dict[str, list[Trajectory]]:
    """Each party's demo trajectories over [start, start + duration_s): its share of a real
    sample (``civil``; default the ``traffic`` quickstart sample) moved into the demo region,
    and synthetic military flights (orbits, crossing transits, flights in the notices of
    ``scenario``, default `levant` at ``start``). Reproducible for a seed."""
    if not parties:
        raise ValueError("demo traffic needs at least one party")
    rng = random.Random(seed)
    end_s = start.timestamp() + duration_s
    recorded = shift_sample(load_sample() if civil is None else civil, DEMO_CENTRE, start)
    order = [t.id for t in recorded]
    rng.shuffle(order)
    owner = {tid: parties[k % len(parties)] for k, tid in enumerate(order)}
    out: dict[str, list[Trajectory]] = {party: [] for party in parties}
    for t in recorded:
        clipped = _clip(t, start.timestamp(), end_s)
        if clipped is not None:
            out[owner[t.id]].append(clipped)
    t0_s = start.timestamp()
    for party in parties:
        for n in range(2):
            out[party].append(_orbit(rng, party, n + 1, t0_s, end_s))
    if len(parties) >= 2:
        meet_s, n = FIRST_ENCOUNTER_S, 0
        while meet_s < duration_s:
            pair = (parties[n % len(parties)], parties[(n + 1) % len(parties)])
            for party, flight in zip(
                pair, _encounter(rng, pair, n + 1, t0_s + meet_s), strict=True
            ):
                clipped = _clip(flight, t0_s, end_s)
                if clipped is not None:
                    out[party].append(clipped)
            meet_s, n = meet_s + ENCOUNTER_EVERY_S, n + 1
    items = (levant(start) if scenario is None else scenario).items
    ids = notice_ids or {}
    for n, item in enumerate(items):
        if item.kind == "notice" and item.party in out and item.body["kind"] in _NOTICE_KINDS:
            flight = _notice_flight(item.party, n, item.body, ids.get(item.body["title"]))
            clipped = _clip(flight, t0_s, end_s)
            if clipped is not None:
                out[item.party].append(clipped)
    return out


def demo_feeds(
    parties: Sequence[str],
    start: datetime,
    seed: int = 7,
    *,
    civil: Sequence[Trajectory] | None = None,
    scenario: Scenario | None = None,
    notice_ids: Mapping[str, str] | None = None,
    duration_s: float = DEMO_DURATION_S,
) -> dict[str, Iterator[State]]:
    """Per party, the time-ordered wire-form states of `demo_trajectories` (same arguments),
    ready for `replay_feeds`."""
    flights = demo_trajectories(
        parties,
        start,
        seed,
        civil=civil,
        scenario=scenario,
        notice_ids=notice_ids,
        duration_s=duration_s,
    )
    return {party: states(trajectories) for party, trajectories in flights.items()}


def states(trajectories: Sequence[Trajectory]) -> Iterator[State]:
    """The wire-form states of trajectories, merged in time order (ties by trajectory order)."""
    streams = [_states_of(k, t) for k, t in enumerate(trajectories)]
    for _, _, state in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
        yield state


def _states_of(order: int, t: Trajectory) -> Iterator[tuple[float, int, State]]:
    columns = zip(*(getattr(t, name).tolist() for name in _COLUMNS), strict=True)
    for time_s, lat, lon, alt_m, gs_mps, trk_deg, vs_mps in columns:
        yield (
            time_s,
            order,
            {
                "id": t.id,
                "time": format_time(datetime.fromtimestamp(time_s, UTC)),
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "alt_m": round(alt_m, 1),
                "gs_mps": round(gs_mps, 2),
                "trk_deg": round(trk_deg, 2) % 360.0,
                "vs_mps": round(vs_mps, 2),
                "notice_id": t.notice_id,
                "callsign": callsign_of(t.callsign),
            },
        )


def _clip(t: Trajectory, start_s: float, end_s: float) -> Trajectory | None:
    keep = (t.time_s >= start_s) & (t.time_s < end_s)
    if not keep.any():
        return None
    return replace(t, **{name: getattr(t, name)[keep] for name in _COLUMNS})


def _flight(
    flight_id: str,
    centre: tuple[float, float],
    time_s: FloatArray,
    x_m: FloatArray,
    y_m: FloatArray,
    alt_m: float,
    notice_id: str | None = None,
    callsign: str | None = None,
) -> Trajectory:
    """A level flight through local (x, y) metres around ``centre`` (lon, lat) at the given
    times; ground speed and track from the successive positions."""
    lon, lat = frame_at(*centre).inverse(x_m, y_m)
    vx = np.gradient(x_m, time_s)
    vy = np.gradient(y_m, time_s)
    n = len(time_s)
    return Trajectory(
        id=flight_id,
        time_s=time_s,
        lat_deg=lat,
        lon_deg=lon,
        alt_m=np.full(n, alt_m),
        gs_mps=np.hypot(vx, vy),
        trk_deg=np.degrees(np.arctan2(vx, vy)) % 360.0,
        vs_mps=np.zeros(n),
        notice_id=notice_id,
        callsign=callsign,
    )


def _callsign(party: str, number: int) -> str:
    """A synthetic flight's callsign: up to five letters of its party and a number
    (``ALPHA 11``).

    >>> _callsign("alpha", 11), _callsign("red-cross", 71)
    ('ALPHA 11', 'REDCR 71')
    """
    letters = "".join(ch for ch in party.upper() if ch.isascii() and ch.isalnum())[:5]
    return f"{letters or 'FLT'} {number}"


def _ring(
    time_s: FloatArray, radius_m: float, speed_mps: float, phase: float
) -> tuple[FloatArray, FloatArray]:
    """(x, y) of a clockwise circle of ``radius_m`` flown at ``speed_mps``, slowed down to turn
    no faster than a rate-one turn (3 °/s) on a small circle."""
    rate = min(speed_mps / radius_m, _RATE_ONE_RAD_S)
    angle = phase + (time_s - time_s[0]) * rate
    return radius_m * np.sin(angle), radius_m * np.cos(angle)


def _orbit(rng: random.Random, party: str, n: int, t0_s: float, end_s: float) -> Trajectory:
    """A party's orbit (ISR or combat air patrol) for the whole demo."""
    lon0, lat0, lon1, lat1 = DEMO_BOX
    centre = (rng.uniform(lon0 + 0.6, lon1 - 0.6), rng.uniform(lat0 + 0.5, lat1 - 0.5))
    uav = rng.random() < 0.5
    radius_m, speed_mps = rng.uniform(12_000, 25_000), (60.0 if uav else 170.0)
    time_s = np.arange(t0_s, end_s, _STEP_S)
    x_m, y_m = _ring(time_s, radius_m, speed_mps, rng.uniform(0.0, 2.0 * math.pi))
    alt_m = float(rng.randrange(4_000, 9_000, 150))
    callsign = _callsign(party, 10 + n)
    return _flight(f"{party[:16]}-orbit-{n}", centre, time_s, x_m, y_m, alt_m, None, callsign)


def _encounter(
    rng: random.Random, pair: tuple[str, str], n: int, meet_s: float
) -> tuple[Trajectory, Trajectory]:
    """Two transits of different parties whose paths cross at ``meet_s`` 1–3 km apart and
    within 150 m of altitude, flown from 6 minutes before to 4 minutes after."""
    lon0, lat0, lon1, lat1 = DEMO_BOX
    centre = (rng.uniform(lon0 + 1.2, lon1 - 1.2), rng.uniform(lat0 + 1.0, lat1 - 1.0))
    heading = rng.uniform(0.0, 2.0 * math.pi)
    crossing = rng.uniform(math.radians(60), math.radians(150))
    miss_m, alt_m = rng.uniform(1_000, 3_000), float(rng.randrange(5_000, 11_000, 150))
    time_s = np.arange(meet_s - 360.0, meet_s + 240.0, _STEP_S)
    flights = []
    for k, (party, bearing) in enumerate(zip(pair, (heading, heading + crossing), strict=True)):
        speed_mps = rng.uniform(180.0, 250.0)
        along = (time_s - meet_s) * speed_mps
        offset = miss_m if k else 0.0  # the second passes abeam the meeting point
        x_m = along * math.sin(bearing) + offset * math.cos(bearing)
        y_m = along * math.cos(bearing) - offset * math.sin(bearing)
        level = alt_m + (rng.uniform(-150.0, 150.0) if k else 0.0)
        flight_id, callsign = f"{party[:16]}-transit-{n}", _callsign(party, 30 + n)
        flights.append(_flight(flight_id, centre, time_s, x_m, y_m, level, None, callsign))
    return flights[0], flights[1]


def _notice_flight(
    party: str, n: int, body: Mapping[str, Any], notice_id: str | None
) -> Trajectory:
    """An aircraft inside a notice's first volume for its time window (a minute's margin):
    orbiting in a circle or polygon, shuttling along a corridor; at mid-band altitude."""
    volume = body["volumes"][0]
    outline, band, window = volume["outline"], volume["altitude"], volume["time"]
    t_start = parse_time(window["start"]).timestamp() + 60.0
    t_end = parse_time(window["end"]).timestamp() - 60.0
    time_s = np.arange(t_start, max(t_end, t_start + 2 * _STEP_S), _STEP_S)
    alt_m = (float(band["lower_m"]) + float(band["upper_m"])) / 2.0
    speed_mps = 60.0 if body["kind"] == "uav" else 180.0
    flight_id, callsign = f"{party[:16]}-notice-{n}", _callsign(party, 100 + n)
    if outline["type"] == "Corridor":
        path = np.asarray(outline["path"], dtype=np.float64)
        centre = (float(path[:, 0].mean()), float(path[:, 1].mean()))
        px, py = frame_at(*centre).forward(path[:, 0], path[:, 1])
        legs = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(px), np.diff(py)))))
        travelled = (time_s - time_s[0]) * speed_mps % (2.0 * legs[-1])
        along = np.where(travelled <= legs[-1], travelled, 2.0 * legs[-1] - travelled)
        x_m, y_m = np.interp(along, legs, px), np.interp(along, legs, py)
        return _flight(flight_id, centre, time_s, x_m, y_m, alt_m, notice_id, callsign)
    if outline["type"] == "Circle":
        centre = (float(outline["center"][0]), float(outline["center"][1]))
        radius_m = 0.5 * float(outline["radius_m"])
    else:
        ring = np.asarray(outline["coordinates"][0][:-1], dtype=np.float64)
        centre = (float(ring[:, 0].mean()), float(ring[:, 1].mean()))
        rx, ry = frame_at(*centre).forward(ring[:, 0], ring[:, 1])
        radius_m = 0.35 * min(float(np.ptp(rx)), float(np.ptp(ry)))
    x_m, y_m = _ring(time_s, radius_m, speed_mps, 0.0)
    return _flight(flight_id, centre, time_s, x_m, y_m, alt_m, notice_id, callsign)
