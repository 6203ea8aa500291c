"""Time intervals merged into runs, and the index arithmetic the conformance stages share."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

JOIN_S = 0.01
"""Inside intervals closer than this (seconds) are one interval, so that the hand-over between two
adjacent volumes measured in different frames never shows as an exit."""


def first_runs(
    group: IntArray, t_start: FloatArray, t_end: FloatArray, n_groups: int
) -> tuple[FloatArray, FloatArray]:
    """Start and end of each group's earliest run of intervals (overlapping, or less than
    `JOIN_S` apart); NaN where a group has none."""
    start = np.full(n_groups, np.nan)
    end = np.full(n_groups, np.nan)
    if group.size == 0:
        return start, end
    order = np.lexsort((t_start, group))
    g, s, e = group[order], t_start[order], t_end[order]
    first = np.ones(g.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    reach = _segmented_cummax(e, first)
    new_run = first.copy()
    new_run[1:] |= s[1:] > reach[:-1] + JOIN_S
    run = np.cumsum(new_run)
    in_first = run == run[first][np.cumsum(first) - 1]
    start[g[first]] = s[first]
    run_end = np.full(n_groups, -np.inf)
    np.maximum.at(run_end, g[in_first], e[in_first])
    end[g[first]] = run_end[g[first]]
    return start, end


def _segmented_cummax(values: FloatArray, first: npt.NDArray[np.bool_]) -> FloatArray:
    """Running maximum of values that restarts at every `first` row (Hillis–Steele doubling)."""
    segment = np.cumsum(first)
    out = values.copy()
    shift = 1
    while shift < out.size:
        same = segment[shift:] == segment[:-shift]
        if not np.any(same):
            break
        out[shift:] = np.where(same, np.maximum(out[shift:], out[:-shift]), out[shift:])
        shift *= 2
    return out


def ranks(count: IntArray) -> IntArray:
    """0, 1, …, count[0] − 1, 0, 1, …, count[1] − 1, … (the rank inside each repeat)."""
    total = int(np.sum(count))
    rank: IntArray = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    return rank
