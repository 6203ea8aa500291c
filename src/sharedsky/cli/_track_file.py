"""A file of track states for ``sharedsky tracks detect``: CSV (header row) or Parquet with the
columns ``id, party, lat, lon, alt_m, gs_mps, trk_deg, vs_mps`` and optionally ``alt_ref``
(further columns ignored), read into the tactical engine's columns, or a `TrackFileError`
saying what is wrong.

``alt_ref`` is the datum of each row's ``alt_m``, as on the wire: ``AMSL`` (also an empty cell
or no column), ``STD`` (a pressure altitude, flight level × 30.48 m) or ``W84`` (above the WGS84
ellipsoid, brought to mean sea level through the geoid here)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

from sharedsky.detect.tracks import Datum, TrackColumns
from sharedsky.geo.states import COLUMNS as STATE_COLUMNS
from sharedsky.geo.states import Bounds, StateError, States, frozen_column

COLUMNS = ("id", "party", "lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps")
_NUMBERS = COLUMNS[2:]
_NAME_OF = dict(zip(STATE_COLUMNS, _NUMBERS, strict=True))
"""The file's name of each column of `States`."""
ALT_REFS = ("AMSL", "STD", "W84")
"""The values of the optional ``alt_ref`` column (an empty cell is ``AMSL``)."""
_LIMITS = {"trk_deg": Bounds(0.0, 360.0, closed=False)}
"""A file's track angles lie in [0, 360), as in a reported batch."""


class TrackFileError(ValueError):
    """A track file that cannot be read or holds an invalid value."""


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
    refs = _alt_refs(raw.get("alt_ref"), len(states))
    ellipsoid = refs == ALT_REFS.index("W84")
    if ellipsoid.any():
        from dataclasses import replace

        from sharedsky.geo import geoid

        alt_m = states.alt_m.copy()
        alt_m[ellipsoid] -= geoid.undulation_m(states.lat_deg[ellipsoid], states.lon_deg[ellipsoid])
        states = replace(states, alt_m=frozen_column(alt_m))
    ids = [str(v) for v in raw["id"]]
    parties = [str(v) for v in raw["party"]]
    codes = {name: k for k, name in enumerate(sorted(set(parties)))}
    party = np.array([codes[p] for p in parties], dtype=np.int64)
    datum = np.where(refs == ALT_REFS.index("STD"), Datum.PRESSURE, Datum.GEOMETRIC)
    return ids, TrackColumns(party, states, datum.astype(np.int8))


def _alt_refs(column: list[object] | None, rows: int) -> npt.NDArray[np.int64]:
    """The index in `ALT_REFS` of each row's datum (AMSL for all when there is no column)."""
    if column is None:
        return np.zeros(rows, dtype=np.int64)
    found = []
    for row, value in enumerate(column, start=1):
        name = "" if value is None else str(value).strip().upper()
        if name not in ("", *ALT_REFS):
            raise TrackFileError(
                f"row {row}: alt_ref {value!r} is not one of {', '.join(ALT_REFS)}"
            )
        found.append(ALT_REFS.index(name or "AMSL"))
    return np.array(found, dtype=np.int64)


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
