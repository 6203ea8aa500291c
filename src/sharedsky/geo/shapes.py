"""Outlines as vertex arrays (lon/lat, densified along geodesics) and as planar Shapely shapes.

Two views of an outline:

* its *area* (`densify`, `to_shape`): polygon rings, the circle boundary, the corridor's buffer;
* its *core* (`outline_core`, `core_shape`): the polygon itself, the circle's centre point or
  the corridor's path, with a radius in metres. An outline is exactly the set of points within
  radius_m of its core, so distances between outlines are distances between cores minus radii —
  no boundary approximation enters the distance.

Densification: polygon edges and corridor paths into geodesic segments of at most
`max_segment_m` (default 1 km); circle boundaries into geodesic points spaced at most 1 km apart
and with a chord sagitta of at most 1 m (the denser of the two).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely

from sharedsky.geo.distance import WGS84
from sharedsky.geo.outlines import (
    MAX_ABS_LAT_DEG,
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    outline_centre,
)
from sharedsky.geo.projection import LocalFrame, frame_at

FloatArray = npt.NDArray[np.float64]

DEFAULT_SEGMENT_M = 1_000.0
"""Longest geodesic segment left by densification, metres."""

_CIRCLE_SAGITTA_M = 1.0
_BUFFER_QUAD_SEGS = 16
_GEOJSON_DECIMALS = 7


# ── densification (lon/lat, frame-independent) ──────────────────────────────────────────────


def densify_line(
    lon: npt.ArrayLike, lat: npt.ArrayLike, max_segment_m: float = DEFAULT_SEGMENT_M
) -> FloatArray:
    """(n, 2) lon/lat of a polyline with every geodesic edge cut into ≤ max_segment_m pieces."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    if lon_a.size < 2:
        return np.column_stack([lon_a, lat_a])
    az, _, dist = WGS84.inv(lon_a[:-1], lat_a[:-1], lon_a[1:], lat_a[1:])
    az = np.asarray(az, dtype=np.float64)
    dist = np.asarray(dist, dtype=np.float64)
    pieces = np.maximum(1, np.ceil(dist / max_segment_m)).astype(np.int64)
    edge = np.repeat(np.arange(pieces.size), pieces)
    step = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    along_m = dist[edge] * (step / pieces[edge])
    out_lon, out_lat, _ = WGS84.fwd(lon_a[edge], lat_a[edge], az[edge], along_m)
    out = np.column_stack([out_lon, out_lat])
    starts = step == 0
    out[starts] = np.column_stack([lon_a[:-1], lat_a[:-1]])
    return np.vstack([out, [[lon_a[-1], lat_a[-1]]]])


def densify_lines(lines: list[FloatArray], max_segment_m: float) -> list[FloatArray]:
    """`densify_line` of many (n, 2) lon/lat polylines with two pyproj calls in all."""
    if not lines:
        return []
    starts = np.concatenate([line[:-1] for line in lines])
    ends = np.concatenate([line[1:] for line in lines])
    az, _, dist = WGS84.inv(starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1])
    az = np.asarray(az, dtype=np.float64)
    dist = np.asarray(dist, dtype=np.float64)
    pieces = np.maximum(1, np.ceil(dist / max_segment_m)).astype(np.int64)
    edge = np.repeat(np.arange(pieces.size), pieces)
    step = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    along_m = dist[edge] * (step / pieces[edge])
    out_lon, out_lat, _ = WGS84.fwd(starts[edge, 0], starts[edge, 1], az[edge], along_m)
    out = np.column_stack([out_lon, out_lat])
    first = step == 0
    out[first] = starts[edge[first]]
    # split back per line: each line owns its edges' points, then its last vertex
    edges_per_line = np.array([len(line) - 1 for line in lines])
    points_per_line = np.add.reduceat(pieces, np.r_[0, np.cumsum(edges_per_line)[:-1]])
    bounds = np.cumsum(points_per_line)[:-1]
    return [
        np.vstack([chunk, line[-1:]])
        for chunk, line in zip(np.split(out, bounds), lines, strict=True)
    ]


def outline_cores(outlines: list[Outline], max_segment_m: float) -> list[Core]:
    """`outline_core` of many outlines, densified together (the coarse stage's batch)."""
    lines: list[FloatArray] = []
    for outline in outlines:
        if isinstance(outline, PolygonOutline):
            lines.extend(np.asarray(ring, dtype=np.float64) for ring in outline.rings)
        elif isinstance(outline, CorridorOutline):
            lines.append(np.asarray(outline.path, dtype=np.float64))
    dense = iter(densify_lines(lines, max_segment_m))
    cores = []
    for outline in outlines:
        if isinstance(outline, PolygonOutline):
            rings = tuple(next(dense) for _ in outline.rings)
            cores.append(Core("polygon", rings, 0.0))
        elif isinstance(outline, CircleOutline):
            point = np.array([outline.center], dtype=np.float64)
            cores.append(Core("point", (point,), outline.radius_m))
        else:
            cores.append(Core("line", (next(dense),), outline.half_width_m))
    return cores


def circle_boundary(
    lon: float, lat: float, radius_m: float, max_segment_m: float = DEFAULT_SEGMENT_M
) -> FloatArray:
    """(n, 2) closed lon/lat ring of geodesic points radius_m metres from (lon, lat)."""
    by_length = math.ceil(2.0 * math.pi * radius_m / max_segment_m)
    by_sagitta = (
        math.ceil(math.pi / math.acos(1.0 - _CIRCLE_SAGITTA_M / radius_m))
        if radius_m > _CIRCLE_SAGITTA_M
        else 16
    )
    count = max(16, by_length, by_sagitta)
    azimuth_deg = np.linspace(0.0, 360.0, count, endpoint=False)
    ring_lon, ring_lat, _ = WGS84.fwd(
        np.full(count, lon), np.full(count, lat), azimuth_deg, np.full(count, radius_m)
    )
    ring = np.column_stack([ring_lon, ring_lat])
    return np.vstack([ring, ring[:1]])


def densify(outline: Outline, max_segment_m: float = DEFAULT_SEGMENT_M) -> tuple[FloatArray, ...]:
    """The outline's boundary as (n, 2) lon/lat arrays, densified along geodesics.

    Polygon: every ring (closed), exterior first. Circle: one closed ring on the circle.
    Corridor: the path (open), densified; the area is its buffer, see `to_shape`.
    """
    if isinstance(outline, PolygonOutline):
        return tuple(_densify_positions(ring, max_segment_m) for ring in outline.rings)
    if isinstance(outline, CircleOutline):
        lon, lat = outline.center
        return (circle_boundary(lon, lat, outline.radius_m, max_segment_m),)
    return (_densify_positions(outline.path, max_segment_m),)


def _densify_positions(positions: tuple[tuple[float, float], ...], max_m: float) -> FloatArray:
    return densify_line([p[0] for p in positions], [p[1] for p in positions], max_m)


# ── cores ───────────────────────────────────────────────────────────────────────────────────

CoreKind = Literal["polygon", "point", "line"]


@dataclass(frozen=True, slots=True, eq=False)
class Core:
    """The core of an outline: the outline is every point within radius_m metres of it.

    `arrays` are (n, 2) lon/lat: polygon rings (closed, exterior first), one (1, 2) point, or
    one densified path.
    """

    kind: CoreKind
    arrays: tuple[FloatArray, ...]
    radius_m: float

    def all_vertices(self) -> FloatArray:
        """Every vertex as one (n, 2) lon/lat array."""
        return np.vstack(self.arrays)


def outline_core(outline: Outline, max_segment_m: float = DEFAULT_SEGMENT_M) -> Core:
    """The core of outline, densified along geodesics to ≤ max_segment_m metres."""
    if isinstance(outline, PolygonOutline):
        return Core("polygon", densify(outline, max_segment_m), 0.0)
    if isinstance(outline, CircleOutline):
        return Core("point", (np.array([outline.center], dtype=np.float64),), outline.radius_m)
    return Core("line", densify(outline, max_segment_m), outline.half_width_m)


def core_shape(core: Core, frame: LocalFrame) -> shapely.Geometry:
    """The core projected into frame: a Polygon, a Point or a LineString in metres."""
    vertices = core.all_vertices()
    x, y = frame.forward(vertices[:, 0], vertices[:, 1])
    return core_shape_from_xy(core, np.column_stack([x, y]))


def core_shape_from_xy(core: Core, xy: FloatArray) -> shapely.Geometry:
    """The planar core from its already projected vertices (rows in `all_vertices` order)."""
    if core.kind == "point":
        return shapely.points(xy[0])
    if core.kind == "line":
        return shapely.linestrings(xy)
    bounds = np.cumsum([len(a) for a in core.arrays])[:-1]
    rings = np.split(xy, bounds)
    return shapely.Polygon(rings[0], rings[1:])


# ── planar shapes ───────────────────────────────────────────────────────────────────────────


def to_shape(outline: Outline, frame: LocalFrame) -> shapely.Geometry:
    """The outline's area as a planar Polygon in frame metres.

    Circles are their projected geodesic boundary; corridors the projected densified path
    buffered by half_width_m (round ends).
    """
    if isinstance(outline, CircleOutline):
        ring = densify(outline)[0]
        x, y = frame.forward(ring[:, 0], ring[:, 1])
        return shapely.polygons(np.column_stack([x, y]))
    core = outline_core(outline)
    shape = core_shape(core, frame)
    if core.kind == "line":
        return shapely.buffer(shape, core.radius_m, quad_segs=_BUFFER_QUAD_SEGS)
    return shape


def shape_to_geojson(geom: shapely.Geometry, frame: LocalFrame) -> dict[str, object]:
    """Polygonal parts of a planar geometry as GeoJSON Polygon/MultiPolygon in lon/lat.

    Exteriors counter-clockwise, rings closed, coordinates rounded to 1e-7 degrees; an empty
    geometry gives an empty MultiPolygon.
    """
    return shapes_to_geojson([geom], frame)[0]


def shapes_to_geojson(geoms: list[shapely.Geometry], frame: LocalFrame) -> list[dict[str, object]]:
    """`shape_to_geojson` of several geometries, vectorised: one inverse projection for all."""
    arr = np.array(geoms, dtype=object)
    kinds = shapely.get_type_id(arr)
    plain = np.isin(kinds, (3, 6))  # Polygon, MultiPolygon: the usual result
    for k in np.flatnonzero(~plain):  # collections with lines or points: keep the polygons
        polygonal = _polygonal(arr[k])
        arr[k] = polygonal if polygonal is not None else shapely.Polygon()
    arr = shapely.orient_polygons(arr)

    def to_lonlat(xy: FloatArray) -> FloatArray:
        lon, lat = frame.inverse(xy[:, 0], xy[:, 1])
        stacked: FloatArray = np.column_stack([lon, lat]).astype(np.float64)
        return np.round(stacked, _GEOJSON_DECIMALS, out=stacked)

    empty = shapely.is_empty(arr)
    lonlat = shapely.transform(arr, to_lonlat)
    single = shapely.get_num_geometries(lonlat) == 1
    multi = shapely.get_type_id(lonlat) == 6
    lonlat = np.where(single & multi, shapely.get_geometry(lonlat, 0), lonlat)
    texts = shapely.to_geojson(lonlat)
    return [
        {"type": "MultiPolygon", "coordinates": []} if gone else json.loads(text)
        for gone, text in zip(empty, texts, strict=True)
    ]


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons of a geometry, oriented, as one MultiPolygon; None when there are none."""
    parts = [
        p
        for p in shapely.get_parts(geom)
        if shapely.get_type_id(p) in (3, 6) and not shapely.is_empty(p)
    ]
    polygons = [shapely.orient_polygons(q) for p in parts for q in shapely.get_parts(p)]
    return shapely.multipolygons(polygons) if polygons else None


# ── relations ───────────────────────────────────────────────────────────────────────────────


def outlines_meet(a: Outline, b: Outline) -> bool:
    """True when the areas of ``a`` and ``b`` share at least a point (touching counts).

    Both are projected into one local frame centred on ``a``, so a large ``a`` (an area of
    responsibility) meets a small ``b`` where they truly meet on the ellipsoid, up to the
    densification of their edges (`DEFAULT_SEGMENT_M`).
    """
    lon0, lat0 = outline_centre(a)
    frame = frame_at(lon0, lat0)
    return bool(shapely.intersects(to_shape(a, frame), to_shape(b, frame)))


def swapped(outline: Outline) -> Outline | None:
    """The outline with every position's two numbers swapped, (lat, lon) read as (lon, lat):
    what was meant when the numbers were given in the wrong order; None when a swapped
    position would not be a valid one (a first number beyond ±90° cannot be a latitude)."""
    if isinstance(outline, CircleOutline):
        positions: tuple[tuple[float, float], ...] = (outline.center,)
    elif isinstance(outline, CorridorOutline):
        positions = outline.path
    else:
        positions = tuple(p for ring in outline.rings for p in ring)
    if any(abs(lon) > MAX_ABS_LAT_DEG for lon, _ in positions):
        return None
    if isinstance(outline, CircleOutline):
        lon, lat = outline.center
        return CircleOutline((lat, lon), outline.radius_m)
    if isinstance(outline, CorridorOutline):
        return CorridorOutline(tuple((lat, lon) for lon, lat in outline.path), outline.half_width_m)
    return PolygonOutline(tuple(tuple((lat, lon) for lon, lat in ring) for ring in outline.rings))
