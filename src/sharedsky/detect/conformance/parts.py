"""Outlines cut into parts (discs, slabs, polygons), each exact in its own planar frame.

The conformance engine asks when a straight piece of a flight path is
inside an outline. Each outline is cut into *parts*, each measured in an azimuthal-equidistant
frame (x east, y north, metres) centred where that part is exact:

* **disc** — a circle, or the round end or bend of a corridor: the frame is centred on the disc,
  where planar radius *is* geodesic distance, so the disc is exactly the planar disc;
* **slab** — a corridor stretch of at most `SLAB_M` along its geodesic: the frame is centred at
  the stretch's midpoint, where the geodesic is exactly the straight axis; planar distance across
  it is the geodesic one times 1 − s²/6R² (s ≤ 10 km along the axis: 4e-7 of the half-width);
* **polygon** — one frame at its bounding-box centre; the frame is one-to-one, so containment is
  exact up to the chords of the edges, which are cut along their geodesics until every chord is
  within `EDGE_SAGITTA_M` (1 cm) of it: a projected geodesic ℓ long at ρ from the centre bulges
  at most ρℓ²/8R² from its chord (measured: ρℓ²/12R²).

A corridor is the union of its slabs and of a disc at every vertex of its path (the outline is
every point within half_width_m of the path), so no cap or bend is approximated. Frames are computed
with pyproj's geodesic inverse (Karney): x = s·sin α, y = s·cos α for distance s and azimuth α
from the centre, which is PROJ's ellipsoidal aeqd (agreement 3 nm) with one centre per element,
so thousands of frames cost one vectorised call rather than one PROJ transformer each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from sharedsky.geo.distance import EARTH_MIN_RADIUS_M, geodesic_forward, geodesic_inverse
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline
from sharedsky.geo.shapes import Core, outline_cores

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DISC, SLAB, POLYGON = 0, 1, 2
SLAB_M = 20_000.0
"""Longest corridor stretch measured as one slab, metres."""
EDGE_SAGITTA_M = 0.01
"""Polygon edges are cut along their geodesics until each chord lies this close to it, metres."""
_EDGE_STEPS_M = (2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3, 256e3, 512e3, 1024e3, 4096e3)
"""The cut lengths used (polygons are cut in batches of equal length)."""
_M_PER_DEG = 111_700.0
"""More metres than one degree of latitude anywhere, or of longitude on the equator."""
_REACH_SLACK_M = 1.0
_SLAB_OVERLAP_M = 0.05
"""Slabs reach this far past their ends (metres), so that consecutive slabs, each exact in its
own frame, overlap rather than leave a sliver; past the path's ends and bends this adds at most
overlap²/2w across the boundary (1.25 mm for a half-width of 1 m)."""


@dataclass(frozen=True, slots=True)
class Parts:
    """The parts of N outlines as aligned columns; outline o owns the parts from first[o] on,
    count[o] of them."""

    first: IntArray
    count: IntArray
    kind: IntArray
    """DISC, SLAB or POLYGON, per part."""
    lon_deg: FloatArray
    """Frame centre of each part."""
    lat_deg: FloatArray
    part_reach_m: FloatArray
    """Every point of the part lies within this geodesic distance of its frame centre."""
    radius_m: FloatArray
    """Disc radius, or slab half-width."""
    half_length_m: FloatArray
    """Slab half-length along its axis (0 otherwise)."""
    axis_x: FloatArray
    """Slab axis (unit vector in its frame; 0 otherwise)."""
    axis_y: FloatArray
    polygon: IntArray
    """Row in `polygons` of a polygon part, −1 otherwise."""
    polygons: PolygonTable


@dataclass(frozen=True, slots=True)
class PolygonTable:
    """Polygons in their frames: prepared shapes, their boundaries and edges (metres)."""

    shapes: npt.NDArray[np.object_]
    boundaries: npt.NDArray[np.object_]
    inner_m: FloatArray
    """Radius of a disc around the frame centre wholly inside the polygon (0 if none)."""
    edge_first: IntArray
    edge_count: IntArray
    edges: FloatArray
    """(E, 4) rows x0, y0, x1, y1."""


# ── frames ───────────────────────────────────────────────────────────────────────────────────


def to_frame(
    lon0_deg: FloatArray, lat0_deg: FloatArray, lon_deg: FloatArray, lat_deg: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(x_m, y_m) of points in the aeqd frames centred at (lon0, lat0), elementwise."""
    az, _, dist = geodesic_inverse(lon0_deg, lat0_deg, lon_deg, lat_deg)
    angle = np.radians(az)
    return dist * np.sin(angle), dist * np.cos(angle)


def from_frame(
    lon0_deg: FloatArray, lat0_deg: FloatArray, x_m: FloatArray, y_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(lon_deg, lat_deg) of frame points: the inverse of `to_frame`."""
    az = np.degrees(np.arctan2(x_m, y_m))
    lon, lat, _ = geodesic_forward(lon0_deg, lat0_deg, az, np.hypot(x_m, y_m))
    return lon, lat


# ── cutting outlines into parts ──────────────────────────────────────────────────────────────


def outline_parts(outlines: Sequence[Outline]) -> Parts:
    """The parts of every outline: circles one disc, polygons one polygon, corridors slabs and
    discs."""
    rows: list[dict[str, FloatArray]] = []
    owner: list[IntArray] = []
    polygons = [(k, o) for k, o in enumerate(outlines) if isinstance(o, PolygonOutline)]
    circles = [(k, o) for k, o in enumerate(outlines) if isinstance(o, CircleOutline)]
    corridors = [(k, o) for k, o in enumerate(outlines) if isinstance(o, CorridorOutline)]
    table, polygon_rows = _polygon_parts([o for _, o in polygons])
    if polygons:
        rows.append(polygon_rows)
        owner.append(np.array([k for k, _ in polygons], dtype=np.int64))
    if circles:
        centres = np.array([o.center for _, o in circles], dtype=np.float64)
        radii = np.array([o.radius_m for _, o in circles], dtype=np.float64)
        rows.append(_discs(centres, radii))
        owner.append(np.array([k for k, _ in circles], dtype=np.int64))
    if corridors:
        corridor_rows, corridor_owner = _corridor_parts([o for _, o in corridors])
        rows.append(corridor_rows)
        owner.append(np.array([k for k, _ in corridors], dtype=np.int64)[corridor_owner])
    return _assemble(len(outlines), rows, owner, table)


def _discs(centres: FloatArray, radii: FloatArray) -> dict[str, FloatArray]:
    n = len(radii)
    zeros = np.zeros(n)
    return {
        "kind": np.full(n, DISC, dtype=np.float64),
        "lon_deg": centres[:, 0],
        "lat_deg": centres[:, 1],
        "part_reach_m": radii + _REACH_SLACK_M,
        "radius_m": radii,
        "half_length_m": zeros,
        "axis_x": zeros,
        "axis_y": zeros,
        "polygon": np.full(n, -1.0),
    }


def _corridor_parts(corridors: list[CorridorOutline]) -> tuple[dict[str, FloatArray], IntArray]:
    """A disc at every vertex of each path, and slabs along its edges cut every `SLAB_M`."""
    paths = [np.asarray(c.path, dtype=np.float64) for c in corridors]
    widths = np.array([c.half_width_m for c in corridors], dtype=np.float64)
    vertex_owner = np.repeat(np.arange(len(paths)), [len(p) for p in paths])
    points = np.vstack(paths)
    discs = _discs(points, widths[vertex_owner])
    # each edge, a geodesic, is cut into n equal slabs; slab k is centred at (k + ½)/n of it
    edge = np.flatnonzero(vertex_owner[1:] == vertex_owner[:-1])
    az, _, length = geodesic_inverse(
        points[edge, 0], points[edge, 1], points[edge + 1, 0], points[edge + 1, 1]
    )
    cuts = np.maximum(1, np.ceil(length / SLAB_M)).astype(np.int64)
    slab_edge = np.repeat(np.arange(edge.size), cuts)
    rank = np.arange(slab_edge.size) - np.repeat(np.cumsum(cuts) - cuts, cuts)
    half = length[slab_edge] / cuts[slab_edge] / 2.0
    start = points[edge[slab_edge]]
    slab_owner = vertex_owner[edge[slab_edge]]
    mid_lon, mid_lat, back = geodesic_forward(
        start[:, 0], start[:, 1], az[slab_edge], (2 * rank + 1) * half
    )
    # the geodesic runs through the slab's frame centre: there it is the straight axis,
    # along the forward azimuth at the midpoint (the back azimuth turned by 180°)
    axis = np.radians(back + 180.0)
    w = widths[slab_owner]
    slabs = {
        "kind": np.full(len(half), SLAB, dtype=np.float64),
        "lon_deg": mid_lon,
        "lat_deg": mid_lat,
        "part_reach_m": half + w + _SLAB_OVERLAP_M + _REACH_SLACK_M,
        "radius_m": w,
        "half_length_m": half + _SLAB_OVERLAP_M,
        "axis_x": np.sin(axis),
        "axis_y": np.cos(axis),
        "polygon": np.full(len(half), -1.0),
    }
    merged = {key: np.concatenate([discs[key], slabs[key]]) for key in discs}
    return merged, np.concatenate([vertex_owner, slab_owner]).astype(np.int64)


def _polygon_parts(polygons: list[PolygonOutline]) -> tuple[PolygonTable, dict[str, FloatArray]]:
    """Polygon parts: edges cut along their geodesics (`EDGE_SAGITTA_M`), in one frame each
    centred on the polygon's bounding box; all polygons in a handful of vectorised calls."""
    if not polygons:
        empty = np.zeros(0, dtype=np.int64)
        no_shapes = np.zeros(0, dtype=object)
        return PolygonTable(no_shapes, no_shapes, np.zeros(0), empty, empty, np.zeros((0, 4))), {}
    step = _edge_steps_m(polygons)
    cores: list[Core | None] = [None] * len(polygons)
    for length_m in np.unique(step):
        chosen = np.flatnonzero(step == length_m)
        batch = outline_cores([polygons[k] for k in chosen], float(length_m))
        for k, core in zip(chosen, batch, strict=True):
            cores[k] = core
    rings = [ring for core in cores if core is not None for ring in core.arrays]
    ring_polygon = np.repeat(np.arange(len(cores)), [len(polygon.rings) for polygon in polygons])
    ring_size = np.array([len(ring) for ring in rings], dtype=np.int64)
    lonlat = np.vstack(rings)
    vertex_ring = np.repeat(np.arange(len(rings)), ring_size)
    vertex_polygon = ring_polygon[vertex_ring]
    polygon_size = np.bincount(vertex_polygon, minlength=len(cores))
    starts = np.concatenate([[0], np.cumsum(polygon_size)[:-1]])
    lon0 = np.minimum.reduceat(lonlat[:, 0], starts) + np.maximum.reduceat(lonlat[:, 0], starts)
    lat0 = np.minimum.reduceat(lonlat[:, 1], starts) + np.maximum.reduceat(lonlat[:, 1], starts)
    lon0, lat0 = lon0 / 2.0, lat0 / 2.0
    x, y = to_frame(lon0[vertex_polygon], lat0[vertex_polygon], lonlat[:, 0], lonlat[:, 1])
    radial = np.hypot(x, y)
    sagitta = radial * step[vertex_polygon] ** 2 / (8.0 * EARTH_MIN_RADIUS_M**2)
    reach = np.maximum.reduceat(radial + sagitta, starts) + _REACH_SLACK_M
    linear = shapely.linearrings(np.column_stack([x, y]), indices=vertex_ring)
    shapes = shapely.polygons(linear, indices=ring_polygon)
    boundaries = shapely.boundary(shapes)
    shapely.prepare(shapes)
    shapely.prepare(boundaries)
    origin = shapely.points(np.zeros(2))
    inner = np.where(
        shapely.intersects_xy(shapes, 0.0, 0.0), shapely.distance(boundaries, origin), 0.0
    )
    inner = np.maximum(0.0, inner - np.maximum.reduceat(sagitta, starts) - _REACH_SLACK_M)
    # edges join consecutive vertices of the same ring
    same = vertex_ring[1:] == vertex_ring[:-1]
    edges = np.column_stack([x[:-1], y[:-1], x[1:], y[1:]])[same]
    edge_count = np.bincount(vertex_polygon[:-1][same], minlength=len(cores)).astype(np.int64)
    edge_first = np.concatenate([[0], np.cumsum(edge_count)[:-1]]).astype(np.int64)
    table = PolygonTable(shapes, boundaries, inner, edge_first, edge_count, edges)
    n = len(cores)
    zeros = np.zeros(n)
    rows = {
        "kind": np.full(n, POLYGON, dtype=np.float64),
        "lon_deg": lon0,
        "lat_deg": lat0,
        "part_reach_m": reach,
        "radius_m": zeros,
        "half_length_m": zeros,
        "axis_x": zeros,
        "axis_y": zeros,
        "polygon": np.arange(n, dtype=np.float64),
    }
    return table, rows


def _edge_steps_m(polygons: list[PolygonOutline]) -> FloatArray:
    """Per polygon, the longest cut (from `_EDGE_STEPS_M`) whose chords stay within
    `EDGE_SAGITTA_M` of the geodesic anywhere within the polygon's bounding box."""
    ring_size = np.array([len(p.rings[0]) for p in polygons], dtype=np.int64)
    lonlat = np.array([q for p in polygons for q in p.rings[0]], dtype=np.float64)
    starts = np.concatenate([[0], np.cumsum(ring_size)[:-1]])
    lon_span = np.maximum.reduceat(lonlat[:, 0], starts) - np.minimum.reduceat(lonlat[:, 0], starts)
    lat_span = np.maximum.reduceat(lonlat[:, 1], starts) - np.minimum.reduceat(lonlat[:, 1], starts)
    # from the box's centre, a point of the box is at most half a span away along a meridian
    # and half a span along a parallel; 5 % and 10 km more cover edges bulging out of the box
    rho_m = 0.525 * _M_PER_DEG * (lon_span + lat_span) + 10_000.0
    longest_m = np.sqrt(8.0 * EARTH_MIN_RADIUS_M**2 * EDGE_SAGITTA_M / rho_m)
    steps = np.array(_EDGE_STEPS_M)
    fits = np.searchsorted(steps, longest_m, side="right") - 1
    chosen: FloatArray = steps[np.maximum(fits, 0)]
    return chosen


def _assemble(
    n: int, rows: list[dict[str, FloatArray]], owner: list[IntArray], table: PolygonTable
) -> Parts:
    if not rows:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_f = np.zeros(0)
        cols = dict.fromkeys(_discs(np.zeros((0, 2)), empty_f), empty_f)
        owners = empty_i
    else:
        cols = {key: np.concatenate([r[key] for r in rows]) for key in rows[0]}
        owners = np.concatenate(owner)
    order = np.argsort(owners, kind="stable")
    cols = {key: value[order] for key, value in cols.items()}
    owners = owners[order]
    count = np.bincount(owners, minlength=n).astype(np.int64)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    return Parts(
        first=first,
        count=count,
        kind=cols["kind"].astype(np.int64),
        lon_deg=cols["lon_deg"],
        lat_deg=cols["lat_deg"],
        part_reach_m=cols["part_reach_m"],
        radius_m=cols["radius_m"],
        half_length_m=cols["half_length_m"],
        axis_x=cols["axis_x"],
        axis_y=cols["axis_y"],
        polygon=cols["polygon"].astype(np.int64),
        polygons=table,
    )


def outline_bounds(parts: Parts, outline: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(lon_deg, lat_deg, reach_m) per chosen outline: a centre (the middle of its parts'
    centres) and a reach, such that every point of the outline is within reach_m of it."""
    count = parts.count[outline]
    first = np.cumsum(count) - count
    row = np.repeat(np.arange(len(outline)), count)
    part = parts.first[outline][row] + np.arange(row.size) - first[row]
    lon, lat = parts.lon_deg[part], parts.lat_deg[part]
    if row.size == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    lon_mid = (np.minimum.reduceat(lon, first) + np.maximum.reduceat(lon, first)) / 2.0
    lat_mid = (np.minimum.reduceat(lat, first) + np.maximum.reduceat(lat, first)) / 2.0
    _, _, apart = geodesic_inverse(lon_mid[row], lat_mid[row], lon, lat)
    far = apart + parts.part_reach_m[part]
    return lon_mid, lat_mid, np.maximum.reduceat(far, first) + _REACH_SLACK_M
