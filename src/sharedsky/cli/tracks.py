"""``sharedsky tracks detect FILE``: offline tactical detection over a file of track states.

The file is CSV (header row) or Parquet with the columns ``id, party, lat, lon, alt_m, gs_mps,
trk_deg, vs_mps`` (degrees, metres, metres per second; further columns are ignored). Output:
one JSON object per conflicting pair of different parties, ordered by time of loss of
separation. A bad file gets one line on stderr and exit code 2; nothing is printed on stdout.
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
) -> None:
    """Print one JSON line per pair of tracks of different parties predicted to conflict."""
    for name, value in (
        ("--lookahead", lookahead),
        ("--lateral-m", lateral_m),
        ("--vertical-m", vertical_m),
    ):
        if not (math.isfinite(value) and value > 0.0):
            raise fail(f"{name} must be a positive number, not {value}", code=_BAD_INPUT)
    import numpy as np  # here, not at the top: every other command starts without them

    from sharedsky.cli._track_file import TrackFileError, read_tracks
    from sharedsky.detect.tactical import detect_conflicts

    try:
        ids, tracks = read_tracks(file)
    except TrackFileError as exc:
        raise fail(f"{file}: {exc}", code=_BAD_INPUT) from exc
    hits = detect_conflicts(
        tracks, lookahead_s=lookahead, lateral_m=lateral_m, vertical_m=vertical_m
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
        typer.echo(json.dumps(line))
