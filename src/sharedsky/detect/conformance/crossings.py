"""Where a straight path piece is inside a part (disc, slab, polygon), and a point's distance to it.

A piece runs from (x0, y0) at u = 0 to (x1, y1) at u = 1 in its part's frame (metres). The
answers are closed parameter intervals [u_start, u_end] ⊆ [0, 1]:

* disc: the roots of |P0 + u·D|² = r² (the numerically stable form of the quadratic);
* slab: two bands |along| ≤ half_length and |across| ≤ half_width clipped as in Liang–Barsky;
* polygon: the piece is split where it meets an edge (or passes within 1 µm of a vertex) and
  each sub-piece is classified by its midpoint (Shapely, prepared). Pieces wholly inside the
  disc around the frame centre that the polygon contains skip all that, and pieces that do not
  meet the boundary are classified by one point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from sharedsky.detect.conformance.parts import (
    DISC,
    POLYGON,
    SLAB,
    FloatArray,
    IntArray,
    Parts,
    from_frame,
    to_frame,
)
from sharedsky.geo.distance import geodesic_inverse

_STILL_M2 = 1e-12
"""A piece shorter than 1 µm is a point."""
_PARAM_SLACK = 1e-9
_TOUCH_M = 1e-6
_JOIN_ROWS = 500_000
"""Piece × edge rows examined at once (bounds the memory of the polygon stage)."""


@dataclass(frozen=True, slots=True)
class Pieces:
    """Straight pieces, each in the frame of its part: from (x0, y0) to (x1, y1), metres."""

    part: IntArray
    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray


@dataclass(frozen=True, slots=True)
class ParamSpans:
    """Parameter intervals [u_start, u_end] along pieces (several per piece possible)."""

    piece: IntArray
    u_start: FloatArray
    u_end: FloatArray


def piece_spans(parts: Parts, pieces: Pieces) -> ParamSpans:
    """The intervals of each piece that lie inside its part (boundary included)."""
    kind = parts.kind[pieces.part]
    found: list[ParamSpans] = []
    for code, solve in ((DISC, _disc_spans), (SLAB, _slab_spans), (POLYGON, _polygon_spans)):
        chosen = np.flatnonzero(kind == code)
        if chosen.size:
            found.append(solve(parts, pieces, chosen))
    if not found:
        return ParamSpans(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    return ParamSpans(
        np.concatenate([s.piece for s in found]),
        np.concatenate([s.u_start for s in found]),
        np.concatenate([s.u_end for s in found]),
    )


def _clipped(chosen: IntArray, lo: FloatArray, hi: FloatArray) -> ParamSpans:
    start, end = np.maximum(lo, 0.0), np.minimum(hi, 1.0)
    keep = start <= end
    return ParamSpans(chosen[keep], start[keep], end[keep])


# ── discs ────────────────────────────────────────────────────────────────────────────────────


def _disc_spans(parts: Parts, pieces: Pieces, chosen: IntArray) -> ParamSpans:
    x0, y0 = pieces.x0[chosen], pieces.y0[chosen]
    dx, dy = pieces.x1[chosen] - x0, pieces.y1[chosen] - y0
    radius = parts.radius_m[pieces.part[chosen]]
    a = dx * dx + dy * dy
    b = 2.0 * (x0 * dx + y0 * dy)
    c = (x0 * x0 + y0 * y0) - radius * radius
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0))
        q = -0.5 * (b + np.copysign(root, b))
        u1 = q / a
        u2 = np.where(q != 0.0, c / q, u1)
    lo, hi = np.minimum(u1, u2), np.maximum(u1, u2)
    meets = b * b - 4.0 * a * c >= 0.0
    still = a <= _STILL_M2
    lo = np.where(still, np.where(c <= 0.0, 0.0, np.inf), np.where(meets, lo, np.inf))
    hi = np.where(still, np.where(c <= 0.0, 1.0, -np.inf), np.where(meets, hi, -np.inf))
    return _clipped(chosen, lo, hi)


# ── slabs ────────────────────────────────────────────────────────────────────────────────────


def _band(s0: FloatArray, ds: FloatArray, half: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The parameters u with |s0 + u·ds| ≤ half (±inf when ds is 0 and s0 is inside)."""
    moving = np.abs(ds) > 1e-12
    safe = np.where(moving, ds, 1.0)
    u_a, u_b = (-half - s0) / safe, (half - s0) / safe
    inside = np.abs(s0) <= half
    lo = np.where(moving, np.minimum(u_a, u_b), np.where(inside, -np.inf, np.inf))
    hi = np.where(moving, np.maximum(u_a, u_b), np.where(inside, np.inf, -np.inf))
    return lo, hi


def _slab_spans(parts: Parts, pieces: Pieces, chosen: IntArray) -> ParamSpans:
    part = pieces.part[chosen]
    ax, ay = parts.axis_x[part], parts.axis_y[part]
    x0, y0 = pieces.x0[chosen], pieces.y0[chosen]
    dx, dy = pieces.x1[chosen] - x0, pieces.y1[chosen] - y0
    lo_a, hi_a = _band(x0 * ax + y0 * ay, dx * ax + dy * ay, parts.half_length_m[part])
    lo_c, hi_c = _band(x0 * ay - y0 * ax, dx * ay - dy * ax, parts.radius_m[part])
    return _clipped(chosen, np.maximum(lo_a, lo_c), np.minimum(hi_a, hi_c))


# ── polygons ─────────────────────────────────────────────────────────────────────────────────


def _polygon_spans(parts: Parts, pieces: Pieces, chosen: IntArray) -> ParamSpans:
    table = parts.polygons
    polygon = parts.polygon[pieces.part[chosen]]
    x0, y0, x1, y1 = (v[chosen] for v in (pieces.x0, pieces.y0, pieces.x1, pieces.y1))
    far = np.maximum(np.hypot(x0, y0), np.hypot(x1, y1))
    whole = far < table.inner_m[polygon]
    test = np.flatnonzero(~whole)
    lines = shapely.linestrings(
        np.stack([np.column_stack([x0[test], y0[test]]), np.column_stack([x1[test], y1[test]])], 1)
    )
    crossing = np.zeros(len(chosen), dtype=bool)
    crossing[test] = shapely.intersects(table.boundaries[polygon[test]], lines)
    plain = np.flatnonzero(~whole & ~crossing)
    inside = shapely.intersects_xy(
        table.shapes[polygon[plain]], (x0[plain] + x1[plain]) / 2, (y0[plain] + y1[plain]) / 2
    )
    one_side = np.concatenate([np.flatnonzero(whole), plain[inside]])
    spans = [ParamSpans(chosen[one_side], np.zeros(one_side.size), np.ones(one_side.size))]
    cut = np.flatnonzero(crossing)
    # each crossing piece meets every edge of its polygon: a block holds ≤ _JOIN_ROWS of those
    rows = np.cumsum(parts.polygons.edge_count[polygon[cut]])
    block = rows // _JOIN_ROWS
    for b in np.unique(block):
        k = cut[block == b]
        spans.append(_cut_spans(parts, chosen[k], polygon[k], x0[k], y0[k], x1[k], y1[k]))
    return ParamSpans(
        np.concatenate([s.piece for s in spans]),
        np.concatenate([s.u_start for s in spans]),
        np.concatenate([s.u_end for s in spans]),
    )


def _cut_spans(
    parts: Parts,
    piece: IntArray,
    polygon: IntArray,
    x0: FloatArray,
    y0: FloatArray,
    x1: FloatArray,
    y1: FloatArray,
) -> ParamSpans:
    """Pieces that meet their polygon's boundary: split at every edge met, classify the rest."""
    table = parts.polygons
    count = table.edge_count[polygon]
    row = np.repeat(np.arange(len(piece)), count)
    edge = (
        table.edge_first[polygon][row]
        + np.arange(row.size)
        - np.repeat(np.cumsum(count) - count, count)
    )
    ex, ey = table.edges[edge, 0], table.edges[edge, 1]
    fx, fy = table.edges[edge, 2] - ex, table.edges[edge, 3] - ey
    dx, dy = (x1 - x0)[row], (y1 - y0)[row]
    wx, wy = ex - x0[row], ey - y0[row]
    den = dx * fy - dy * fx
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (wx * fy - wy * fx) / den
        v = (wx * dy - wy * dx) / den
    lo, hi = -_PARAM_SLACK, 1.0 + _PARAM_SLACK
    proper = (den != 0.0) & (u >= lo) & (u <= hi) & (v >= lo) & (v <= hi)
    # an edge's first vertex on (or within 1 µm of) the piece: collinear runs and corners
    length2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (wx * dx + wy * dy) / length2
        off = np.abs(dx * wy - dy * wx) / np.sqrt(length2)
    touch = (length2 > _STILL_M2) & (off <= _TOUCH_M) & (s >= lo) & (s <= hi)
    n = len(piece)
    at = np.concatenate([np.arange(n), np.arange(n), row[proper], row[touch]])
    u_all = np.clip(np.concatenate([np.zeros(n), np.ones(n), u[proper], s[touch]]), 0.0, 1.0)
    order = np.lexsort((u_all, at))
    at, u_all = at[order], u_all[order]
    pair = (at[1:] == at[:-1]) & (u_all[1:] > u_all[:-1])
    which, u_a, u_b = at[:-1][pair], u_all[:-1][pair], u_all[1:][pair]
    mid = (u_a + u_b) / 2.0
    inside = shapely.intersects_xy(
        table.shapes[polygon[which]],
        x0[which] + mid * (x1 - x0)[which],
        y0[which] + mid * (y1 - y0)[which],
    )
    return ParamSpans(piece[which[inside]], u_a[inside], u_b[inside])


# ── distance now ─────────────────────────────────────────────────────────────────────────────


def part_distance_m(
    parts: Parts, part: IntArray, lon_deg: FloatArray, lat_deg: FloatArray
) -> FloatArray:
    """Geodesic distance in metres from each point to the area of its part (0 inside; +inf for
    a slab whose axis the point does not face: the discs at its ends measure those points).

    Discs are exact. Slabs: the planar distance across the axis, within 4e-7 of it (see module
    `parts`). Polygons: the geodesic distance to the nearest boundary point found in
    the polygon's frame, an upper bound that exceeds the true distance by a second-order term
    (the frame's stretch moves the nearest point along the boundary, not off it).
    """
    x, y = to_frame(parts.lon_deg[part], parts.lat_deg[part], lon_deg, lat_deg)
    kind = parts.kind[part]
    out = np.full(len(part), np.inf)
    disc = kind == DISC
    out[disc] = np.hypot(x[disc], y[disc]) - parts.radius_m[part[disc]]
    slab = np.flatnonzero(kind == SLAB)
    if slab.size:
        q = part[slab]
        along = x[slab] * parts.axis_x[q] + y[slab] * parts.axis_y[q]
        across = x[slab] * parts.axis_y[q] - y[slab] * parts.axis_x[q]
        facing = np.abs(along) <= parts.half_length_m[q]
        out[slab[facing]] = np.abs(across[facing]) - parts.radius_m[q[facing]]
    poly = np.flatnonzero(kind == POLYGON)
    if poly.size:
        out[poly] = _polygon_distance_m(
            parts, part[poly], x[poly], y[poly], lon_deg[poly], lat_deg[poly]
        )
    distance: FloatArray = np.maximum(out, 0.0)
    return distance


def _polygon_distance_m(
    parts: Parts, part: IntArray, x: FloatArray, y: FloatArray, lon: FloatArray, lat: FloatArray
) -> FloatArray:
    shapes = parts.polygons.shapes[parts.polygon[part]]
    inside = shapely.intersects_xy(shapes, x, y)
    out = np.zeros(len(part))
    away = np.flatnonzero(~inside)
    if away.size == 0:
        return out
    lines = shapely.shortest_line(shapes[away], shapely.points(x[away], y[away]))
    near = shapely.get_coordinates(lines).reshape(-1, 2, 2)[:, 0, :]
    q = part[away]
    near_lon, near_lat = from_frame(parts.lon_deg[q], parts.lat_deg[q], near[:, 0], near[:, 1])
    out[away] = geodesic_inverse(lon[away], lat[away], near_lon, near_lat)[2]
    return out
