"""``sharedsky tracks detect FILE``: offline tactical detection over a file of track states.

The file is CSV (header row) or Parquet with the columns ``id, party, lat, lon, alt_m, gs_mps,
trk_deg, vs_mps`` (degrees, metres, metres per second; further columns are ignored). Output:
one JSON object per conflicting pair of different parties, ordered by time of loss of
separation. A bad file gets one line on stderr and exit code 2; nothing is printed on stdout.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from sharedsky.cli._common import fail
from sharedsky.detect.tactical import (
    DEFAULT_LATERAL_M,
    DEFAULT_LOOKAHEAD_S,
    DEFAULT_VERTICAL_M,
    detect_conflicts,
)
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.states import States

app = typer.Typer(help="Live tracks: offline conflict detection.", no_args_is_help=True)

COLUMNS = ("id", "party", "lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps")
_NUMBERS = COLUMNS[2:]
_BAD_INPUT = 2


class TrackFileError(ValueError):
    """A track file that cannot be read or holds an invalid value."""


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


def read_tracks(path: Path) -> tuple[list[str], TrackColumns]:
    """The ids and columns of a CSV or Parquet track file; TrackFileError says what is wrong."""
    raw = _read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else _read_csv(path)
    missing = [name for name in COLUMNS if name not in raw]
    if missing:
        raise TrackFileError(f"missing column(s): {', '.join(missing)}")
    values: dict[str, np.ndarray] = {}
    for name in _NUMBERS:
        try:
            values[name] = np.array([_number(v) for v in raw[name]], dtype=np.float64)
        except ValueError as exc:
            raise TrackFileError(f"column {name}: {exc}") from None
        bad = np.flatnonzero(~np.isfinite(values[name]))
        if len(bad):
            raise TrackFileError(f"row {bad[0] + 1}: {name} is not a finite number")
    _check_range(values["lat"], "lat", -90.0, 90.0, upper_open=False)
    _check_range(values["lon"], "lon", -180.0, 180.0, upper_open=False)
    _check_range(values["gs_mps"], "gs_mps", 0.0, math.inf, upper_open=False)
    _check_range(values["trk_deg"], "trk_deg", 0.0, 360.0, upper_open=True)
    ids = [str(v) for v in raw["id"]]
    parties = [str(v) for v in raw["party"]]
    codes = {name: k for k, name in enumerate(sorted(set(parties)))}
    tracks = TrackColumns(
        party=np.array([codes[p] for p in parties], dtype=np.int64),
        states=States(
            lat_deg=values["lat"],
            lon_deg=values["lon"],
            alt_m=values["alt_m"],
            gs_mps=values["gs_mps"],
            trk_deg=values["trk_deg"],
            vs_mps=values["vs_mps"],
        ),
    )
    return ids, tracks


def _read_csv(path: Path) -> dict[str, list[object]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in (reader.fieldnames or [])]
            columns: dict[str, list[object]] = {name: [] for name in header}
            for row in reader:
                for key, value in zip(header, row.values(), strict=False):
                    columns[key].append(value)
    except OSError as exc:
        raise TrackFileError(f"cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TrackFileError(f"not a CSV file: {exc}") from None
    return columns


def _read_parquet(path: Path) -> dict[str, list[object]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise TrackFileError(f"not a readable Parquet file: {exc}") from None
    return {name: table.column(name).to_pylist() for name in table.column_names}


def _number(value: object) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{value!r} is not a number")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _check_range(column: np.ndarray, name: str, lo: float, hi: float, *, upper_open: bool) -> None:
    above = column >= hi if upper_open else column > hi
    bad = np.flatnonzero((column < lo) | above)
    if len(bad):
        bracket = ")" if upper_open else "]"
        raise TrackFileError(
            f"row {bad[0] + 1}: {name} {column[bad[0]]:g} outside [{lo:g}, {hi:g}{bracket}"
        )
