"""``sharedsky tracks detect FILE``: offline tactical detection over a file of track states.

The file is CSV (header row) or Parquet with the columns ``id, party, lat, lon, alt_m, gs_mps,
trk_deg, vs_mps`` (degrees, metres, metres per second) and optionally ``alt_ref`` (``AMSL``,
``STD`` for a flight level × 30.48 m, ``W84``; further columns are ignored). Output: one JSON
object per conflicting pair of different parties, ordered by time of loss of separation; a
pair found only because a flight level was compared with a geometric altitude over the QNH
range carries ``datum_margin_m``. A bad file gets one line on stderr and exit code 2; nothing
is printed on stdout.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from sharedsky.cli._common import fail
from sharedsky.detect import DEFAULT_LATERAL_M, DEFAULT_LOOKAHEAD_S, DEFAULT_VERTICAL_M

app = typer.Typer(
    help="Live tracks: replay a recording or an opensky state-vector file, or forward a live"
    " sbs (BaseStation) feed, asterix (CAT062/CAT021 over UDP) or a readsb aircraft.json, as"
    " your party's tracks; list the live picture and show one aircraft by its callsign; detect"
    " conflicts offline in a file of states.",
    no_args_is_help=True,
)

_BAD_INPUT = 2


@app.command("detect")
def detect(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file of track states.")],
    lookahead: Annotated[
        float, typer.Option("--lookahead", help="Look-ahead, seconds.")
    ] = DEFAULT_LOOKAHEAD_S,
    lateral_m: Annotated[
        float, typer.Option("--lateral-m", help="Lateral separation minimum, metres.")
    ] = DEFAULT_LATERAL_M,
    vertical_m: Annotated[
        float, typer.Option("--vertical-m", help="Vertical separation minimum, metres.")
    ] = DEFAULT_VERTICAL_M,
    qnh_min: Annotated[
        float,
        typer.Option(
            "--qnh-min",
            help="Lowest QNH of the area, hPa (flight levels against geometric altitudes).",
        ),
    ] = 950.0,
    qnh_max: Annotated[
        float, typer.Option("--qnh-max", help="Highest QNH of the area, hPa.")
    ] = 1050.0,
) -> None:
    """Print one JSON line per pair of tracks of different parties predicted to conflict."""
    for name, value in (
        ("--lookahead", lookahead),
        ("--lateral-m", lateral_m),
        ("--vertical-m", vertical_m),
    ):
        if not (math.isfinite(value) and value > 0.0):
            raise fail(f"{name} must be a positive number, not {value}", code=_BAD_INPUT)
    if not (850.0 <= qnh_min <= qnh_max <= 1100.0):
        raise fail(
            f"--qnh-min {qnh_min:g} and --qnh-max {qnh_max:g} must lie in 850 … 1100 hPa, "
            "the least first",
            code=_BAD_INPUT,
        )
    import numpy as np  # here, not at the top: every other command starts without them

    from sharedsky.cli._track_file import TrackFileError, read_tracks
    from sharedsky.detect.tactical import detect_conflicts
    from sharedsky.domain.heights import Datums
    from sharedsky.service._packing import pressure_offsets

    try:
        ids, tracks = read_tracks(file)
    except TrackFileError as exc:
        raise fail(f"{file}: {exc}", code=_BAD_INPUT) from exc
    hits = detect_conflicts(
        tracks,
        lookahead_s=lookahead,
        lateral_m=lateral_m,
        vertical_m=vertical_m,
        pressure=pressure_offsets(Datums(qnh_min_hpa=qnh_min, qnh_max_hpa=qnh_max)),
    )
    for k in np.lexsort((hits.j, hits.i, hits.t_in_s)):
        line = {
            "a": ids[int(hits.i[k])],
            "b": ids[int(hits.j[k])],
            "tcpa_s": round(float(hits.tcpa_s[k]), 3),
            "dcpa_m": round(float(hits.dcpa_m[k]), 3),
            "dv_m": round(float(hits.dv_m[k]), 3),
            "t_in_s": round(float(hits.t_in_s[k]), 3),
            "t_out_s": round(float(hits.t_out_s[k]), 3),
        }
        margin = float(hits.datum_margin_m[k])
        if math.isfinite(margin):
            line["datum_margin_m"] = round(margin, 3)
        typer.echo(json.dumps(line))
