"""The compiled loop of `detect.pruning`: pairs of tracks sharing a grid cell → candidates.

Inputs are packed row by row, tracks sorted by the cell of their box's low corner, with the
columns named below: ``cells`` (grid cells of the box's corners, and the party), ``boxes`` (the
swept box, metres) and ``state`` (position, vertical and velocity in Earth-centred metres and
m/s, altitude m, vertical rate m/s, datum code and offsets m).

Stages (each a small compiled function, called by `grid_pairs` in this order):

1. `_entries`: one entry (cell key, track) for every cell a track's box touches;
2. `_sorted_entries`: entries by cell, and within a cell by the lowest altitude of their box, so
   that the scan for partners of an entry stops at the first box that starts above it;
3. `_entry_columns`: each entry's box, low-corner cell, party and state copied in entry order
   (the scan then reads memory in sequence instead of jumping between tracks);
4. `_cell_groups` and `_chunk_bounds`: where each cell's entries start, and the cells cut into
   chunks of about equal work;
5. `_scan` of each chunk, in parallel, into its own slice of the output; a chunk that overflows
   its slice is scanned again alone with room (`_rescan_overflows`), and `_join` puts the
   slices together in chunk order: the same pairs in the same order as one serial scan.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from numba import njit, prange

IntArray = npt.NDArray[np.int64]

CHUNKS = 64
"""Chunks of cells the candidate scan is cut into (scanned in parallel, joined in order)."""

# columns of ``cells``: the grid cells of the box's low and high corners on each axis, the party
GX0, GX1, GY0, GY1, GZ0, GZ1, PARTY = 0, 1, 2, 3, 4, 5, 6
# columns of ``boxes``: the swept box's low and high sides, metres
X0, X1, Y0, Y1, Z0, Z1 = 0, 1, 2, 3, 4, 5
# columns of ``state``: Earth-centred position (3), unit vertical (3) and velocity (3), then
# the altitude and the vertical rate, the datum code and the least and greatest offset of the
# height above mean sea level from the altitude (`pruning.TrackMotion.datums`)
POS, UP, VEL, ALT, VS, DATUM, LOW, HIGH = 0, 3, 6, 9, 10, 11, 12, 13
# columns of the entries' low-corner cell and party (``_entry_columns``)
EGX, EGY, EGZ, EPARTY = 0, 1, 2, 3
# columns of a chunk's tally
EXAMINED, BOXED, FOUND, OVERFLOWED = 0, 1, 2, 3


def _loss_interval_py(p: float, v: float, limit: float) -> tuple[float, float]:
    """Open interval of t where |p + v·t| < limit (empty: lo ≥ hi)."""
    if v == 0.0:
        if abs(p) < limit:
            return -math.inf, math.inf
        return math.inf, -math.inf
    a = (-limit - p) / v
    b = (limit - p) / v
    return min(a, b), max(a, b)


def _coarse_conflict_py(
    state: Any,
    a: int,
    b: int,
    lookahead_s: float,
    lateral_m: float,
    vertical_m: float,
) -> bool:
    # the vertical loss interval first: the cheapest test; two tracks on different datums
    # lose it when some offsets of theirs close the gap (b − a's offset in [low, high]): the
    # gap moved to the middle of that range and the minimum widened by half its width
    dz = state[b, ALT] - state[a, ALT]
    limit = vertical_m
    if state[a, DATUM] != state[b, DATUM]:
        low = state[b, LOW] - state[a, HIGH]
        high = state[b, HIGH] - state[a, LOW]
        dz += 0.5 * (low + high)
        limit += 0.5 * (high - low)
    v_in, v_out = _loss_interval(dz, state[b, VS] - state[a, VS], limit)
    if max(v_in, 0.0) >= min(v_out, lookahead_s):
        return False
    # Horizontal plane at the midpoint: normal m, relative position r and velocity w in it.
    m0 = state[a, UP] + state[b, UP]
    m1 = state[a, UP + 1] + state[b, UP + 1]
    m2 = state[a, UP + 2] + state[b, UP + 2]
    norm = math.sqrt(m0 * m0 + m1 * m1 + m2 * m2)
    if norm == 0.0:
        return True
    m0, m1, m2 = m0 / norm, m1 / norm, m2 / norm
    r0 = state[b, POS] - state[a, POS]
    r1 = state[b, POS + 1] - state[a, POS + 1]
    r2 = state[b, POS + 2] - state[a, POS + 2]
    w0 = state[b, VEL] - state[a, VEL]
    w1 = state[b, VEL + 1] - state[a, VEL + 1]
    w2 = state[b, VEL + 2] - state[a, VEL + 2]
    rm = r0 * m0 + r1 * m1 + r2 * m2
    wm = w0 * m0 + w1 * m1 + w2 * m2
    r0, r1, r2 = r0 - rm * m0, r1 - rm * m1, r2 - rm * m2
    w0, w1, w2 = w0 - wm * m0, w1 - wm * m1, w2 - wm * m2
    ww = w0 * w0 + w1 * w1 + w2 * w2
    if ww == 0.0:
        if r0 * r0 + r1 * r1 + r2 * r2 >= lateral_m * lateral_m:
            return False
        h_in, h_out = -math.inf, math.inf
    else:
        t_mid = -(r0 * w0 + r1 * w1 + r2 * w2) / ww
        c0, c1, c2 = r1 * w2 - r2 * w1, r2 * w0 - r0 * w2, r0 * w1 - r1 * w0
        room2 = lateral_m * lateral_m - (c0 * c0 + c1 * c1 + c2 * c2) / ww
        if room2 <= 0.0:
            return False
        half = math.sqrt(room2 / ww)
        h_in, h_out = t_mid - half, t_mid + half
    return max(h_in, v_in, 0.0) < min(h_out, v_out, lookahead_s)


def _kernel_py(
    cells: Any,
    boxes: Any,
    state: Any,
    lookahead_s: float,
    lateral_m: float,
    vertical_m: float,
) -> Any:
    n = cells.shape[0]
    ny = cells[:, GY1].max() + 1
    nz = cells[:, GZ1].max() + 1
    keys, owner = _entries(cells, ny, nz)
    keys, owner = _sorted_entries(keys, owner, boxes)
    ebox, ecell, estate = _entry_columns(cells, boxes, state, owner)
    groups = _cell_groups(keys)
    g = groups.shape[0] - 1
    chunks = min(CHUNKS, max(g, 1))
    bound = _chunk_bounds(groups, keys.shape[0], chunks)
    entries = (keys, owner, ebox, ecell, estate, groups)
    grid = (ny, nz)
    limits = (lookahead_s, lateral_m, vertical_m)
    cap = max(1024, (4 * n) // chunks + 1)
    out_i = np.empty(chunks * cap, dtype=np.int64)
    out_j = np.empty(chunks * cap, dtype=np.int64)
    tally = np.zeros((chunks, 4), dtype=np.int64)
    for c in prange(chunks):
        lo, hi = c * cap, (c + 1) * cap
        _scan(entries, bound[c], bound[c + 1], grid, limits, out_i[lo:hi], out_j[lo:hi], tally[c])
    spill_i, spill_j = _rescan_overflows(entries, bound, grid, limits, tally)
    res_i, res_j = _join(out_i, out_j, cap, spill_i, spill_j, tally)
    counts = np.array(
        [tally[:, EXAMINED].sum(), tally[:, BOXED].sum(), tally[:, FOUND].sum()], dtype=np.int64
    )
    return res_i, res_j, counts


def _entries_py(cells: Any, ny: int, nz: int) -> tuple[Any, Any]:
    """(cell key, track) for every cell that each track's box touches, track by track."""
    n = cells.shape[0]
    total = 0
    for t in range(n):
        c = cells[t]
        total += (c[GX1] - c[GX0] + 1) * (c[GY1] - c[GY0] + 1) * (c[GZ1] - c[GZ0] + 1)
    keys = np.empty(total, dtype=np.int64)
    owner = np.empty(total, dtype=np.int64)
    k = 0
    for t in range(n):
        c = cells[t]
        for cx in range(c[GX0], c[GX1] + 1):
            for cy in range(c[GY0], c[GY1] + 1):
                for cz in range(c[GZ0], c[GZ1] + 1):
                    keys[k] = (cx * ny + cy) * nz + cz
                    owner[k] = t
                    k += 1
    return keys, owner


def _sorted_entries_py(keys: Any, owner: Any, boxes: Any) -> tuple[Any, Any]:
    """The entries by cell, and within a cell by their box's lowest altitude: one sort of
    cell key × n + the track's altitude rank (unique per entry)."""
    n = boxes.shape[0]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(boxes[:, Z0], kind="mergesort")] = np.arange(n)
    order = np.argsort(keys * n + rank[owner])
    return keys[order], owner[order]


def _entry_columns_py(cells: Any, boxes: Any, state: Any, owner: Any) -> tuple[Any, Any, Any]:
    """Each entry's box, low-corner cell and party (columns EGX … EPARTY), and state."""
    total = owner.shape[0]
    ecell = np.empty((total, 4), dtype=np.int64)
    for e in range(total):
        c = cells[owner[e]]
        ecell[e, EGX], ecell[e, EGY], ecell[e, EGZ] = c[GX0], c[GY0], c[GZ0]
        ecell[e, EPARTY] = c[PARTY]
    return boxes[owner], ecell, state[owner]


def _cell_groups_py(keys: Any) -> Any:
    """The first entry of each cell, then one past the last entry (g + 1 values for g cells)."""
    total = keys.shape[0]
    groups = np.empty(total + 1, dtype=np.int64)
    g = 0
    for e in range(total):
        if e == 0 or keys[e] != keys[e - 1]:
            groups[g] = e
            g += 1
    groups[g] = total
    return groups[: g + 1]


def _chunk_bounds_py(groups: Any, total: int, chunks: int) -> Any:
    """Chunk c scans cells bound[c] … bound[c + 1] − 1, cut at equal numbers of entries."""
    g = groups.shape[0] - 1
    bound = np.empty(chunks + 1, dtype=np.int64)
    for c in range(chunks + 1):
        bound[c] = np.searchsorted(groups, (total * c) // chunks)
    bound[0], bound[chunks] = 0, g
    return bound


def _rescan_overflows_py(
    entries: Any, bound: Any, grid: Any, limits: Any, tally: Any
) -> tuple[Any, Any]:
    """The pairs of every chunk that overflowed its slice, scanned again alone with room, in
    chunk order; such a chunk's tally is marked −1 in OVERFLOWED."""
    spill_i = np.empty(0, dtype=np.int64)
    spill_j = np.empty(0, dtype=np.int64)
    for c in range(tally.shape[0]):
        if tally[c, OVERFLOWED]:
            need = tally[c, FOUND]
            tally[c, :] = 0
            big_i = np.empty(need, dtype=np.int64)
            big_j = np.empty(need, dtype=np.int64)
            _scan(entries, bound[c], bound[c + 1], grid, limits, big_i, big_j, tally[c])
            tally[c, OVERFLOWED] = -1
            spill_i = np.concatenate((spill_i, big_i))
            spill_j = np.concatenate((spill_j, big_j))
    return spill_i, spill_j


def _join_py(
    out_i: Any, out_j: Any, cap: int, spill_i: Any, spill_j: Any, tally: Any
) -> tuple[Any, Any]:
    """Every chunk's pairs, in chunk order, from its slice or from the spill."""
    found = tally[:, FOUND].sum()
    res_i = np.empty(found, dtype=np.int64)
    res_j = np.empty(found, dtype=np.int64)
    k = 0
    spilled = 0
    for c in range(tally.shape[0]):
        m = tally[c, FOUND]
        if tally[c, OVERFLOWED] == -1:
            res_i[k : k + m] = spill_i[spilled : spilled + m]
            res_j[k : k + m] = spill_j[spilled : spilled + m]
            spilled += m
        else:
            res_i[k : k + m] = out_i[c * cap : c * cap + m]
            res_j[k : k + m] = out_j[c * cap : c * cap + m]
        k += m
    return res_i, res_j


def _scan_py(
    entries: Any,
    g0: int,
    g1: int,
    grid: Any,
    limits: Any,
    out_i: Any,
    out_j: Any,
    tally: Any,
) -> None:
    """Candidates among the entries of cells g0 … g1 − 1 into out_i/out_j (track indices);
    tally: examined, boxed, found (counted on past the room), overflowed (1 when out of room).
    ``entries`` is (keys, owner, ebox, ecell, estate, groups), ``grid`` (ny, nz) and
    ``limits`` (lookahead_s, lateral_m, vertical_m)."""
    keys, owner, ebox, ecell, estate, groups = entries
    ny, nz = grid
    lookahead_s, lateral_m, vertical_m = limits
    cap = out_i.shape[0]
    examined = boxed = found = 0
    for group in range(g0, g1):
        start, stop = groups[group], groups[group + 1]
        key = keys[start]
        cx = key // (ny * nz)
        cy = (key // nz) % ny
        cz = key % nz
        for p in range(start, stop):
            ax0, ax1, ay0, ay1, az1 = (
                ebox[p, X0],
                ebox[p, X1],
                ebox[p, Y0],
                ebox[p, Y1],
                ebox[p, Z1],
            )
            agx, agy, agz, aparty = ecell[p, EGX], ecell[p, EGY], ecell[p, EGZ], ecell[p, EPARTY]
            for q in range(p + 1, stop):
                if ebox[q, Z0] >= az1:
                    break  # this and every later box in the cell starts above box p
                # the pair belongs to the cell holding the low corner of the boxes' overlap
                if (
                    max(agx, ecell[q, EGX]) != cx
                    or max(agy, ecell[q, EGY]) != cy
                    or max(agz, ecell[q, EGZ]) != cz
                ):
                    continue
                examined += 1
                if aparty == ecell[q, EPARTY]:
                    continue
                if (
                    ax0 >= ebox[q, X1]
                    or ebox[q, X0] >= ax1
                    or ay0 >= ebox[q, Y1]
                    or ebox[q, Y0] >= ay1
                ):
                    continue
                boxed += 1
                if not _coarse_conflict(estate, p, q, lookahead_s, lateral_m, vertical_m):
                    continue
                if found < cap:
                    out_i[found] = owner[p]
                    out_j[found] = owner[q]
                else:
                    tally[OVERFLOWED] = 1
                found += 1
    tally[EXAMINED], tally[BOXED], tally[FOUND] = examined, boxed, found


_loss_interval = njit(cache=True)(_loss_interval_py)
_coarse_conflict = njit(cache=True)(_coarse_conflict_py)
_entries = njit(cache=True)(_entries_py)
_sorted_entries = njit(cache=True)(_sorted_entries_py)
_entry_columns = njit(cache=True)(_entry_columns_py)
_cell_groups = njit(cache=True)(_cell_groups_py)
_chunk_bounds = njit(cache=True)(_chunk_bounds_py)
_scan = njit(cache=True)(_scan_py)
_rescan_overflows = njit(cache=True)(_rescan_overflows_py)
_join = njit(cache=True)(_join_py)
grid_pairs = cast(
    Callable[..., tuple[IntArray, IntArray, IntArray]],
    njit(cache=True, parallel=True)(_kernel_py),
)
