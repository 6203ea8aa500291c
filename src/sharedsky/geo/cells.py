"""The candidate index: H3 cells covering an outline, and its buffer by a reach.

The safety property: if the geodesic distance between outlines A and B is < reach_m, then
`set(storage_cells(B)) & set(query_cells(A, reach_m))` is not empty.

Why it holds. A point p lies in exactly one cell per resolution (`latlng_to_cell`); that cell's
centre is within the circumradius ρ_r of p (ρ_r ≤ 1.104 × the average hexagon edge, measured over
every cell of resolutions 2 and 3; we use 1.25 ×). So a cell containing any point of a region Ω
has its centre in Ω ⊕ ρ_r, and H3's *centre containment* over a polygon that encloses Ω ⊕ ρ_r
returns it. If dist(A, B) < reach_m, B has a point p within reach_m of A; p's cell at B's
storage resolution has its centre in both B ⊕ ρ_r and A ⊕ (reach_m + ρ_r), hence is in both sets.

The enclosing polygon is built in a local aeqd frame: the outline's core (polygon exterior,
circle centre or corridor path, densified at 10 km) is buffered by reach + radius + ρ_r, widened
for the frame's stretch, the buffer's inscribed arcs, and 1 % + 100 m for the straight
lon/lat edges H3 reads between our vertices; then inverse-projected, split at the antimeridian.
"""

from __future__ import annotations

import math

import h3.api.basic_int as h3
import numpy as np
import shapely

from sharedsky.geo.outlines import Outline, outline_centre, outline_extent_m
from sharedsky.geo.projection import LocalFrame, frame_at, frame_stretch
from sharedsky.geo.shapes import FloatArray, core_shape, outline_core

CELL_RESOLUTIONS: tuple[int, ...] = (2, 3, 4, 5)
"""Resolutions storage may use; queries cover every one of them."""

_STORAGE_RESOLUTION_BY_EXTENT: tuple[tuple[float, int], ...] = (
    (150_000.0, 5),
    (400_000.0, 4),
    (1_000_000.0, 3),
    (math.inf, 2),
)
"""(largest extent in metres, resolution): storage uses the finest resolution that fits."""

_CIRCUMRADIUS_PER_EDGE = 1.25
_CORE_SEGMENT_M = 10_000.0
_QUAD_SEGS = 8
_RELATIVE_MARGIN = 0.01
_ABSOLUTE_MARGIN_M = 100.0
_MIN_LONLAT_SEGMENT_M = 2_000.0


def storage_resolution(outline: Outline) -> int:
    """The one H3 resolution at which `storage_cells` covers outline, chosen by its extent."""
    extent_m = outline_extent_m(outline)
    for limit_m, resolution in _STORAGE_RESOLUTION_BY_EXTENT:
        if extent_m <= limit_m:
            return resolution
    raise AssertionError("unreachable: the last limit is infinite")


def storage_cells(outline: Outline) -> list[int]:
    """Sorted H3 cells (int64) at `storage_resolution(outline)` covering every point of outline.

    About 5–120 cells for any valid outline (a 100 km square: ~60; 2,000 km: ~70 at res 2).
    """
    return _cover(outline, 0.0, (storage_resolution(outline),))


def query_cells(outline: Outline, reach_m: float) -> list[int]:
    """Sorted H3 cells at every resolution in CELL_RESOLUTIONS covering outline ⊕ reach_m.

    Raises ValueError if reach_m is negative or the buffered area would contain a pole.
    """
    if not reach_m >= 0.0:
        raise ValueError(f"reach_m must be non-negative, not {reach_m}")
    return _cover(outline, reach_m, CELL_RESOLUTIONS)


def circumradius_m(resolution: int) -> float:
    """A bound in metres on the distance from any H3 cell's centre to its farthest point."""
    return _CIRCUMRADIUS_PER_EDGE * float(h3.average_hexagon_edge_length(resolution, "m"))


def _cover(outline: Outline, reach_m: float, resolutions: tuple[int, ...]) -> list[int]:
    core = outline_core(outline, _CORE_SEGMENT_M)
    frame = frame_at(*outline_centre(outline))
    shape = core_shape(core, frame)
    if core.kind == "polygon":
        shape = shapely.make_valid(shapely.Polygon(shapely.get_exterior_ring(shape)))
    x, y = shapely.get_coordinates(shape).T
    core_reach_m = float(np.max(np.hypot(x, y)))
    poles = shapely.points(np.column_stack(frame.forward([0.0, 0.0], [90.0, -90.0])))
    cells: set[int] = set()
    for resolution in resolutions:
        cell_reach_m = circumradius_m(resolution)
        buffer_m = reach_m + core.radius_m + cell_reach_m
        planar_m = (
            buffer_m * (1.0 + frame_stretch(core_reach_m + buffer_m)) * (1.0 + _RELATIVE_MARGIN)
        ) / math.cos(math.pi / (4 * _QUAD_SEGS)) + _ABSOLUTE_MARGIN_M
        region = shapely.buffer(shape, planar_m, quad_segs=_QUAD_SEGS)
        if np.any(shapely.intersects(region, poles)):
            raise ValueError("the buffered outline contains a pole; polar areas are unsupported")
        segment_m = max(_MIN_LONLAT_SEGMENT_M, cell_reach_m / 10.0)
        for part in shapely.get_parts(region):
            ring = shapely.segmentize(shapely.get_exterior_ring(part), segment_m)
            for piece in _lonlat_pieces(shapely.get_coordinates(ring), frame):
                poly = h3.LatLngPoly(piece[:, ::-1].tolist())  # (lat, lon) pairs
                cells.update(h3.polygon_to_cells_experimental(poly, resolution, contain="center"))
    return sorted(cells)


def _lonlat_pieces(ring_xy: FloatArray, frame: LocalFrame) -> list[FloatArray]:
    """The planar ring in lon/lat, cut at the antimeridian into rings within [-180, 180]."""
    lon, lat = frame.inverse(ring_xy[:, 0], ring_xy[:, 1])
    lon = frame.lon0_deg + (lon - frame.lon0_deg + 180.0) % 360.0 - 180.0
    if lon.min() >= -180.0 and lon.max() <= 180.0:
        return [np.column_stack([lon, lat])]
    polygon = shapely.Polygon(np.column_stack([lon, lat]))
    pieces = []
    for shift_deg in (-360.0, 0.0, 360.0):
        window = shapely.box(-180.0 - shift_deg, -90.0, 180.0 - shift_deg, 90.0)
        part = shapely.intersection(polygon, window)
        for p in shapely.get_parts(part):
            if shapely.get_type_id(p) == 3 and not p.is_empty:
                xy = shapely.get_coordinates(p.exterior)
                pieces.append(np.column_stack([xy[:, 0] + shift_deg, xy[:, 1]]))
    return pieces
