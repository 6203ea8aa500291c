"""The compiled loop of `detect.pruning`: pairs of tracks sharing a grid cell → candidates.

Inputs are packed row by row, tracks sorted by the cell of their box's low corner:
``cells`` (gx0, gx1, gy0, gy1, gz0, gz1, party), ``boxes`` (x0, x1, y0, y1, z0, z1 metres) and
``state`` (position 3, vertical 3, velocity 3 in Earth-centred metres and m/s, altitude m,
vertical rate m/s). Within a cell, entries are sorted by the lowest altitude of their box, so
the scan for partners of an entry stops at the first box that starts above it.
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
    # Rows: position (3), vertical (3), velocity (3), altitude, vertical rate.
    # Vertical loss interval first: the cheapest test.
    v_in, v_out = _loss_interval(state[b, 9] - state[a, 9], state[b, 10] - state[a, 10], vertical_m)
    if max(v_in, 0.0) >= min(v_out, lookahead_s):
        return False
    # Horizontal plane at the midpoint: normal m, relative position r and velocity w in it.
    m0, m1, m2 = state[a, 3] + state[b, 3], state[a, 4] + state[b, 4], state[a, 5] + state[b, 5]
    norm = math.sqrt(m0 * m0 + m1 * m1 + m2 * m2)
    if norm == 0.0:
        return True
    m0, m1, m2 = m0 / norm, m1 / norm, m2 / norm
    r0, r1, r2 = state[b, 0] - state[a, 0], state[b, 1] - state[a, 1], state[b, 2] - state[a, 2]
    w0, w1, w2 = state[b, 6] - state[a, 6], state[b, 7] - state[a, 7], state[b, 8] - state[a, 8]
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
    # cells rows: gx0, gx1, gy0, gy1, gz0, gz1, party; boxes rows: x0, x1, y0, y1, z0, z1.
    n = cells.shape[0]
    ny = cells[:, 3].max() + 1
    nz = cells[:, 5].max() + 1
    # ── entries: one (cell key, track) per cell that a track's box touches
    total = 0
    for t in range(n):
        c = cells[t]
        total += (c[1] - c[0] + 1) * (c[3] - c[2] + 1) * (c[5] - c[4] + 1)
    keys = np.empty(total, dtype=np.int64)
    owner = np.empty(total, dtype=np.int64)
    k = 0
    for t in range(n):
        c = cells[t]
        for cx in range(c[0], c[1] + 1):
            for cy in range(c[2], c[3] + 1):
                for cz in range(c[4], c[5] + 1):
                    keys[k] = (cx * ny + cy) * nz + cz
                    owner[k] = t
                    k += 1
    # sorted by cell, and within a cell by the box's lowest altitude (for the sweep below):
    # one sort of cell key × n + the track's altitude rank (unique per entry)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(boxes[:, 4], kind="mergesort")] = np.arange(n)
    order = np.argsort(keys * n + rank[owner])
    keys, owner = keys[order], owner[order]
    # each entry's box and low-corner cell, copied in entry order: the inner loop reads memory
    # in sequence instead of jumping between tracks
    ebox = boxes[owner]
    ecell = np.empty((total, 4), dtype=np.int64)
    for e in range(total):
        c = cells[owner[e]]
        ecell[e, 0], ecell[e, 1], ecell[e, 2], ecell[e, 3] = c[0], c[2], c[4], c[6]
    # ── pairs within each cell, the cells cut into chunks scanned in parallel; each chunk
    # writes into its own slice of the output (a chunk that overflows it is scanned again
    # alone with room to grow), and the slices are joined in chunk order: the same pairs in
    # the same order as one serial scan
    groups = np.empty(total + 1, dtype=np.int64)
    g = 0
    for e in range(total):
        if e == 0 or keys[e] != keys[e - 1]:
            groups[g] = e
            g += 1
    groups[g] = total
    chunks = min(CHUNKS, max(g, 1))
    # chunk boundaries (in groups) at equal numbers of entries, so the threads share the work
    bound = np.empty(chunks + 1, dtype=np.int64)
    for c in range(chunks + 1):
        bound[c] = np.searchsorted(groups[: g + 1], (total * c) // chunks)
    bound[0], bound[chunks] = 0, g
    # the state of each entry's track in entry order, as ebox: the coarse test reads it in
    # sequence instead of jumping between tracks
    estate = state[owner]
    cap = max(1024, (4 * n) // chunks + 1)
    out_i = np.empty(chunks * cap, dtype=np.int64)
    out_j = np.empty(chunks * cap, dtype=np.int64)
    tally = np.zeros((chunks, 4), dtype=np.int64)  # examined, boxed, found, overflowed
    for c in prange(chunks):
        g0, g1 = bound[c], bound[c + 1]
        _scan(
            keys, owner, ebox, ecell, estate, groups, g0, g1, ny, nz,
            lookahead_s, lateral_m, vertical_m, out_i[c * cap : (c + 1) * cap],
            out_j[c * cap : (c + 1) * cap], tally[c],
        )  # fmt: skip
    spill_i = np.empty(0, dtype=np.int64)
    spill_j = np.empty(0, dtype=np.int64)
    for c in range(chunks):
        if tally[c, 3]:
            need = tally[c, 2]
            tally[c, 0] = tally[c, 1] = tally[c, 2] = tally[c, 3] = 0
            big_i = np.empty(need, dtype=np.int64)
            big_j = np.empty(need, dtype=np.int64)
            g0, g1 = bound[c], bound[c + 1]
            _scan(
                keys, owner, ebox, ecell, estate, groups, g0, g1, ny, nz,
                lookahead_s, lateral_m, vertical_m, big_i, big_j, tally[c],
            )  # fmt: skip
            tally[c, 3] = -1  # its pairs are in the spill, in chunk order
            spill_i = np.concatenate((spill_i, big_i))
            spill_j = np.concatenate((spill_j, big_j))
    found = tally[:, 2].sum()
    res_i = np.empty(found, dtype=np.int64)
    res_j = np.empty(found, dtype=np.int64)
    k = 0
    spilled = 0
    for c in range(chunks):
        m = tally[c, 2]
        if tally[c, 3] == -1:
            for x in range(m):
                res_i[k + x] = spill_i[spilled + x]
                res_j[k + x] = spill_j[spilled + x]
            spilled += m
        else:
            base = c * cap
            for x in range(m):
                res_i[k + x] = out_i[base + x]
                res_j[k + x] = out_j[base + x]
        k += m
    counts = np.array([tally[:, 0].sum(), tally[:, 1].sum(), found], dtype=np.int64)
    return res_i, res_j, counts


def _scan_py(
    keys: Any,
    owner: Any,
    ebox: Any,
    ecell: Any,
    estate: Any,
    groups: Any,
    g0: int,
    g1: int,
    ny: int,
    nz: int,
    lookahead_s: float,
    lateral_m: float,
    vertical_m: float,
    out_i: Any,
    out_j: Any,
    tally: Any,
) -> None:
    """Candidates among the entries of cells groups[g0] … groups[g1] into out_i/out_j (track
    indices; ``estate`` is the tracks' state in entry order); tally:
    examined, boxed, found (counted on past the room), overflowed (1 when out of room)."""
    cap = out_i.shape[0]
    examined = boxed = found = 0
    for group in range(g0, g1):
        start, stop = groups[group], groups[group + 1]
        key = keys[start]
        cx = key // (ny * nz)
        cy = (key // nz) % ny
        cz = key % nz
        for p in range(start, stop):
            ax0, ax1, ay0, ay1, az1 = ebox[p, 0], ebox[p, 1], ebox[p, 2], ebox[p, 3], ebox[p, 5]
            agx, agy, agz, aparty = ecell[p, 0], ecell[p, 1], ecell[p, 2], ecell[p, 3]
            for q in range(p + 1, stop):
                if ebox[q, 4] >= az1:
                    break  # this and every later box in the cell starts above box p
                # the pair belongs to the cell holding the low corner of the boxes' overlap
                if (
                    max(agx, ecell[q, 0]) != cx
                    or max(agy, ecell[q, 1]) != cy
                    or max(agz, ecell[q, 2]) != cz
                ):
                    continue
                examined += 1
                if aparty == ecell[q, 3]:
                    continue
                if ax0 >= ebox[q, 1] or ebox[q, 0] >= ax1 or ay0 >= ebox[q, 3] or ebox[q, 2] >= ay1:
                    continue
                boxed += 1
                if not _coarse_conflict(estate, p, q, lookahead_s, lateral_m, vertical_m):
                    continue
                a, b = owner[p], owner[q]
                if found < cap:
                    out_i[found] = a
                    out_j[found] = b
                else:
                    tally[3] = 1
                found += 1
    tally[0], tally[1], tally[2] = examined, boxed, found


_loss_interval = njit(cache=True)(_loss_interval_py)
_coarse_conflict = njit(cache=True)(_coarse_conflict_py)
_scan = njit(cache=True)(_scan_py)
grid_pairs = cast(
    Callable[..., tuple[IntArray, IntArray, IntArray]],
    njit(cache=True, parallel=True)(_kernel_py),
)
