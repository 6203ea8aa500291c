"""Make the README tour's track files in examples/ from the demo traffic (offline, seeded).

    .venv/bin/python scripts/make_examples.py [OUT_DIR]      # default: examples/

The demo traffic (`sharedsky.sim.traffic.demo_trajectories`) is recorded ADS-B — the
Switzerland sample of the PyPI package ``traffic``, which ``make`` installs with --no-deps:
842 aircraft over 17 hours, a record every 10 s — moved into the Levant and dealt to alpha and
bravo, with each party's synthetic orbits and the transits of different parties that cross every
five minutes. From it, at the instant `PICTURE_S` seconds into the sample (in its busiest
minutes, one minute before two transits meet):

- ``traffic.parquet``: the track picture, one state per airborne aircraft at that instant (the
  columns ``sharedsky tracks detect`` reads, and ``time``);
- ``flight.sbs.gz``: a BaseStation (SBS-1) capture of `RECORDED` of bravo's airliners over the
  `RECORDING_S` seconds that follow, as a receiver on port 30003 would have written it (the
  gzip stamped with no time, so the same input makes the same bytes).

Nothing is downloaded; the output is the same on every run.
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sharedsky.geo.projection import frame_at
from sharedsky.interop.sbs import SbsState, encode
from sharedsky.sim.traffic import SWITZERLAND, Trajectory, demo_trajectories, load_sample

PARTIES = ("alpha", "bravo")
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
"""Where the sample's first instant is moved (the replay re-stamps it to the present anyway)."""
PICTURE_S = 120.0 + 80 * 300.0 - 60.0
"""Seconds after START of the picture: in the sample's busiest minutes (45 airliners aloft),
one minute before the 81st encounter of two transits."""
RECORDING_S = 180.0
RECORDED = 8
"""Bravo's airliners in the capture: the first ones by address flying all of its span."""
MAX_RECORD_GAP_S = 15.0
"""A trajectory whose last record is older than this at an instant is not flying then."""
CALLSIGN_EVERY_S = 30.0
"""How often the capture repeats an aircraft's identification message (MSG,1)."""


def state_at(t: Trajectory, time_s: float) -> SbsState | None:
    """The state of ``t`` at ``time_s`` (epoch seconds): its last record before it, moved on
    along its track, climb and speed; None when it is not flying then."""
    k = int(np.searchsorted(t.time_s, time_s, side="right")) - 1
    if k < 0 or time_s - t.time_s[k] > MAX_RECORD_GAP_S or time_s > t.time_s[-1]:
        return None
    dt_s = time_s - float(t.time_s[k])
    gs_mps, trk_deg = float(t.gs_mps[k]), float(t.trk_deg[k])
    lon, lat = frame_at(float(t.lon_deg[k]), float(t.lat_deg[k])).inverse(
        gs_mps * dt_s * np.sin(np.radians(trk_deg)), gs_mps * dt_s * np.cos(np.radians(trk_deg))
    )
    return SbsState(
        hexident=t.id,
        time=datetime.fromtimestamp(time_s, UTC),
        lat_deg=round(float(lat[()]), 5),
        lon_deg=round(float(lon[()]), 5),
        alt_m=round(float(t.alt_m[k] + t.vs_mps[k] * dt_s), 1),
        gs_mps=round(gs_mps, 2),
        trk_deg=round(trk_deg, 1) % 360.0,
        vs_mps=round(float(t.vs_mps[k]), 2),
        callsign=t.callsign,
    )


def picture(flights: dict[str, list[Trajectory]], time_s: float) -> pa.Table:
    """One state per aircraft flying at ``time_s``, ordered by party and id."""
    rows = []
    for party in PARTIES:
        for t in sorted(flights[party], key=lambda t: t.id):
            state = state_at(t, time_s)
            if state is not None:
                rows.append((party, state))
    return pa.table(
        {
            "id": [s.hexident for _, s in rows],
            "party": [p for p, _ in rows],
            "time": [s.time.strftime("%Y-%m-%dT%H:%M:%SZ") for _, s in rows],
            "lat": [s.lat_deg for _, s in rows],
            "lon": [s.lon_deg for _, s in rows],
            "alt_m": [s.alt_m for _, s in rows],
            "gs_mps": [s.gs_mps for _, s in rows],
            "trk_deg": [s.trk_deg for _, s in rows],
            "vs_mps": [s.vs_mps for _, s in rows],
        }
    )


def capture(flights: list[Trajectory], start_s: float) -> list[str]:
    """BaseStation lines of the airliners (ICAO addresses: six hex digits) flying all of
    [start_s, start_s + RECORDING_S], each at its recorded instants, in time order."""
    airliners = [
        t
        for t in sorted(flights, key=lambda t: t.id)
        if len(t.id) == 6
        and state_at(t, start_s) is not None
        and state_at(t, start_s + RECORDING_S) is not None
    ][:RECORDED]
    timed: list[tuple[float, str, list[str]]] = []
    for t in airliners:
        named_s = -np.inf
        for time_s in t.time_s[(t.time_s >= start_s) & (t.time_s < start_s + RECORDING_S)]:
            state = state_at(t, float(time_s))
            assert state is not None
            if time_s - named_s < CALLSIGN_EVERY_S:
                state = replace(state, callsign=None)
            else:
                named_s = float(time_s)
            timed.append((float(time_s), t.id, encode(state)))
    return [line for _, _, lines in sorted(timed) for line in lines]


def main(out: Path) -> None:
    flights = demo_trajectories(
        list(PARTIES),
        START,
        civil=load_sample(SWITZERLAND),
        duration_s=PICTURE_S + RECORDING_S + 60.0,
    )
    at_s = START.timestamp() + PICTURE_S
    table = picture(flights, at_s)
    pq.write_table(table, out / "traffic.parquet", compression="zstd")
    lines = capture(flights["bravo"], at_s)
    with (out / "flight.sbs.gz").open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as sink:
            sink.write(("\r\n".join(lines) + "\r\n").encode("ascii"))
    print(f"{out / 'traffic.parquet'}: {table.num_rows} states")
    print(f"{out / 'flight.sbs.gz'}: {len(lines)} lines")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "examples")
