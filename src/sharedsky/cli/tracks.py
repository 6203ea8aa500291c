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
import numpy.typing as npt
import typer

from sharedsky.cli._common import fail
from sharedsky.detect.tactical import (
    DEFAULT_LATERAL_M,
    DEFAULT_LOOKAHEAD_S,
    DEFAULT_VERTICAL_M,
    detect_conflicts,
)
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.states import COLUMNS as STATE_COLUMNS
from sharedsky.geo.states import Bounds, StateError, States, frozen_column

app = typer.Typer(
    help="Live tracks: replay a recording or an opensky state-vector file, or forward a live"
    " sbs (BaseStation) feed, asterix (CAT062/CAT021 over UDP) or a readsb aircraft.json, as"
    " your party's tracks; list the live picture and show one aircraft by its callsign; detect"
    " conflicts offline in a file of states.",
    no_args_is_help=True,
)

COLUMNS = ("id", "party", "lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps")
_NUMBERS = COLUMNS[2:]
_NAME_OF = dict(zip(STATE_COLUMNS, _NUMBERS, strict=True))
"""The file's name of each column of `States`."""
_LIMITS = {"trk_deg": Bounds(0.0, 360.0, closed=False)}
"""A file's track angles lie in [0, 360), as in a reported batch."""
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
    values: list[npt.NDArray[np.float64]] = []
    for name in _NUMBERS:
        try:
            values.append(frozen_column([_number(v) for v in raw[name]]))
        except ValueError as exc:
            raise TrackFileError(f"column {name}: {exc}") from None
    try:
        states = States(*values, limits=_LIMITS)
    except StateError as fault:
        raise TrackFileError(_complaint(fault)) from None
    ids = [str(v) for v in raw["id"]]
    parties = [str(v) for v in raw["party"]]
    codes = {name: k for k, name in enumerate(sorted(set(parties)))}
    party = np.array([codes[p] for p in parties], dtype=np.int64)
    return ids, TrackColumns(party, states)


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


def _complaint(fault: StateError) -> str:
    """The first bad value of a file, column by column (rows counted from 1 after the header)."""
    name = _NAME_OF[fault.column]
    where = f"column {name}" if fault.row is None else f"row {fault.row + 1}"
    if not math.isfinite(fault.value):
        return f"{where}: {name} is not a finite number"
    return f"{where}: {name} {fault.value:g} outside {fault.bounds}"
