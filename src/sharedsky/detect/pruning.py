"""Candidate pairs of tracks for tactical detection: a 3D grid over swept boxes, then a coarse CPA.

`candidate_pairs` never drops a pair of different parties whose straight-line motion comes
within `lateral_m` horizontally while within `vertical_m` vertically at some time in
[0, lookahead_s]; the caller widens the minima by its own model error, so the candidates are
a superset of the conflicts it will confirm exactly.

Motion is given twice (`TrackMotion`): as 3D vectors (Earth-centred metres: surface position,
local vertical, velocity) for the coarse CPA test, and as its image in one plane (x, y) for the
grid. Stages, each counted in `PruneStats`:

1. **grid** — each track's swept box over the look-ahead (x, y, altitude), padded by half of
   `box_lateral_m` / `vertical_m` on every side, is entered into every cell of a 3D grid that
   it touches; two tracks are examined only in the one cell that holds the low corner of the
   intersection of their boxes (so no pair is examined twice);
2. **party and box** — same-party pairs and pairs whose boxes do not intersect are dropped;
3. **coarse CPA** — relative motion, projected on the horizontal plane at the pair's midpoint,
   must come within `lateral_m` at a time when the altitudes are within `vertical_m` (for two
   tracks on different datums, within `vertical_m` for some offsets of their datums:
   `TrackMotion.datums`; their swept boxes span those offsets too).

`box_lateral_m` must bound the planar distance whenever the coarse test's distance is below
`lateral_m` (the caller proves its bound). The loop over cells is compiled with Numba
(`_grid_kernel`): a NumPy version spent most of its time at N = 100,000 building and filtering
the tens of millions of cell-sharing pairs as temporary arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_CELL_M = 1.0


@dataclass(frozen=True, slots=True)
class TrackMotion:
    """Tracks as straight lines: party codes, planar image (metres), Earth-centred vectors."""

    party: IntArray
    x_m: FloatArray
    y_m: FloatArray
    vx_mps: FloatArray
    vy_mps: FloatArray
    alt_m: FloatArray
    vs_mps: FloatArray
    pos_m: FloatArray
    """(N, 3) positions on the ellipsoid, Earth-centred metres."""
    up: FloatArray
    """(N, 3) unit vectors of the local vertical."""
    vel_mps: FloatArray
    """(N, 3) horizontal velocity vectors, metres per second."""
    datums: FloatArray | None = None
    """(N, 3) each track's datum code (``detect.tracks.Datum``) and the least and greatest
    offset of its height above mean sea level from ``alt_m`` over the look-ahead (metres;
    0 and 0 for a geometric altitude); None when every track is on one datum. Two tracks on
    different datums are compared through those offsets, two on one datum exactly."""

    def packed(self) -> FloatArray:
        """(N, 14) C-contiguous rows of the vectors, the altitude, the vertical rate and the
        datum with its offsets: the ``state`` that the compiled kernels read (columns POS, UP,
        VEL, ALT, VS, DATUM, LOW, HIGH of `_grid_kernel` and `_cpa_kernel`)."""
        datums = self.datums if self.datums is not None else np.zeros((len(self.alt_m), 3))
        columns = [
            self.pos_m,
            self.up,
            self.vel_mps,
            self.alt_m[:, None],
            self.vs_mps[:, None],
            datums,
        ]
        return np.ascontiguousarray(np.concatenate(columns, axis=1))


@dataclass(frozen=True, slots=True)
class PruneStats:
    """How many pairs each stage let through (counts of unordered pairs)."""

    pairs_all: int
    """N·(N−1)/2."""
    pairs_examined: int
    """Pairs that share a grid cell (each counted once)."""
    pairs_box: int
    """Pairs of different parties whose swept boxes intersect."""
    candidates: int
    """Pairs left after the coarse CPA test."""


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs (i < j, indices into the tracks) and the counters of the stages."""

    i: IntArray
    j: IntArray
    stats: PruneStats


def candidate_pairs(
    motion: TrackMotion,
    *,
    lookahead_s: float,
    lateral_m: float,
    vertical_m: float,
    box_lateral_m: float,
    cell_xy_m: float | None = None,
    cell_z_m: float | None = None,
) -> Candidates:
    """Every pair that may lose `lateral_m` and `vertical_m` at once within [0, lookahead_s].

    cell_xy_m / cell_z_m: grid cell sizes in metres (default: derived from the minima and the
    median distance flown in the look-ahead; at least a quarter of the padded minima); they
    change the speed, never the result.
    """
    n = len(motion.x_m)
    pairs_all = n * (n - 1) // 2
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty.copy(), PruneStats(pairs_all, 0, 0, 0))
    x0, x1 = _swept(motion.x_m, motion.vx_mps, lookahead_s, box_lateral_m / 2.0)
    y0, y1 = _swept(motion.y_m, motion.vy_mps, lookahead_s, box_lateral_m / 2.0)
    z0, z1 = _swept(motion.alt_m, motion.vs_mps, lookahead_s, vertical_m / 2.0)
    if motion.datums is not None:  # each box spans every height AMSL its track may be at
        z0, z1 = z0 + motion.datums[:, 1], z1 + motion.datums[:, 2]
    # Defaults measured at N = 100,000 (benchmark traffic): cells of 3/4 of the median box and
    # one altitude layer (the sweep by altitude inside a cell already does the z work) beat
    # finer layers by 10–20 %.
    if cell_xy_m is None:
        reach_m = float(np.median(np.maximum(x1 - x0, y1 - y0)))
        cell_xy_m = max(0.75 * reach_m, 2.0 * box_lateral_m)
    if cell_z_m is None:
        cell_z_m = float(z1.max() - z0.min()) + 1.0
    # cells much smaller than the padding only multiply the entries (and could overflow keys)
    cell_xy_m = max(cell_xy_m, box_lateral_m / 4.0, _MIN_CELL_M)
    cell_z_m = max(cell_z_m, vertical_m / 4.0, _MIN_CELL_M)
    # Tracks sorted by the cell of their box's low corner, and the columns that the inner loop
    # reads packed row by row: pairs in one cell then touch nearby memory.
    # cells counted from the low corner of all boxes (both ends of a box on the same grid)
    x_low_m, y_low_m, z_low_m = float(x0.min()), float(y0.min()), float(z0.min())
    gx0, gx1 = _cell(x0, cell_xy_m, x_low_m), _cell(x1, cell_xy_m, x_low_m)
    gy0, gy1 = _cell(y0, cell_xy_m, y_low_m), _cell(y1, cell_xy_m, y_low_m)
    gz0, gz1 = _cell(z0, cell_z_m, z_low_m), _cell(z1, cell_z_m, z_low_m)
    order = np.lexsort((gz0, gy0, gx0))
    cells = np.stack([gx0, gx1, gy0, gy1, gz0, gz1, motion.party], axis=1)[order]
    boxes = np.stack([x0, x1, y0, y1, z0, z1], axis=1)[order]
    state = motion.packed()[order]
    from sharedsky.detect._grid_kernel import grid_pairs  # Numba loads on first use

    i, j, counts = grid_pairs(
        np.ascontiguousarray(cells, dtype=np.int64),
        np.ascontiguousarray(boxes),
        np.ascontiguousarray(state),
        float(lookahead_s),
        float(lateral_m),
        float(vertical_m),
    )
    i, j = order[i], order[j]
    i, j = np.minimum(i, j), np.maximum(i, j)
    stats = PruneStats(pairs_all, int(counts[0]), int(counts[1]), int(counts[2]))
    return Candidates(i, j, stats)


def _cell(value: FloatArray, size: float, origin_m: float) -> IntArray:
    return np.floor((value - origin_m) / size).astype(np.int64)


def _swept(
    p: FloatArray, v: FloatArray, lookahead_s: float, pad: float
) -> tuple[FloatArray, FloatArray]:
    end = p + v * lookahead_s
    return np.minimum(p, end) - pad, np.maximum(p, end) + pad
