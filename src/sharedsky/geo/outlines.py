"""Outline values (polygon, circle, corridor) in WGS84 lon/lat, their validation and wire form.

Positions are (lon_deg, lat_deg). Polygon edges and corridor paths are geodesics. Validation
refuses, besides malformed input, outlines that cross the antimeridian or reach beyond
±`MAX_ABS_LAT_DEG` latitude (polar outlines are not supported), and outlines wider than
`MAX_EXTENT_M`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from sharedsky.geo.distance import EARTH_MIN_RADIUS_M, WGS84, geodesic_distance_m
from sharedsky.geo.projection import frame_at

Position = tuple[float, float]
"""(lon_deg, lat_deg)."""

MAX_EXTENT_M = 2_000_000.0
"""Largest accepted outline dimension, metres."""

MAX_ABS_LAT_DEG = 84.0
"""Outlines must stay within this latitude (degrees) north and south."""

_M_PER_DEG_LAT_MIN = EARTH_MIN_RADIUS_M * math.pi / 180.0


@dataclass(frozen=True, slots=True)
class PolygonOutline:
    """A polygon with geodesic edges: exterior ring first, then holes; each ring closed."""

    rings: tuple[tuple[Position, ...], ...]


@dataclass(frozen=True, slots=True)
class CircleOutline:
    """Every point within radius_m metres (geodesic) of center."""

    center: Position
    radius_m: float


@dataclass(frozen=True, slots=True)
class CorridorOutline:
    """Every point within half_width_m metres of the geodesic polyline path (round ends)."""

    path: tuple[Position, ...]
    half_width_m: float


Outline = PolygonOutline | CircleOutline | CorridorOutline


class OutlineError(ValueError):
    """An invalid outline: `path` locates the offending element, `reason` says what is wrong.

    The path is relative to the outline's wire form, e.g. ("coordinates", 0, 3) or ("radius_m",).
    """

    def __init__(self, path: tuple[str | int, ...], reason: str) -> None:
        super().__init__(f"{'/'.join(map(str, path))}: {reason}")
        self.path = path
        self.reason = reason


# ── validation ──────────────────────────────────────────────────────────────────────────────


def validate_outline(outline: Outline) -> None:
    """Raise `OutlineError` for the first problem found in outline; return None if it is valid."""
    if isinstance(outline, PolygonOutline):
        _validate_polygon(outline)
        key = "coordinates"
    elif isinstance(outline, CircleOutline):
        _check_position(outline.center, ("center",))
        _check_positive(outline.radius_m, ("radius_m",))
        key = "radius_m"
    else:
        _validate_corridor(outline)
        key = "path"
    _check_placement(outline, (key,))
    if outline_extent_m(outline) > MAX_EXTENT_M:
        raise OutlineError((key,), "the outline is wider than 2,000 km")


def _validate_polygon(outline: PolygonOutline) -> None:
    if not outline.rings:
        raise OutlineError(("coordinates",), "a polygon needs an exterior ring")
    for i, ring in enumerate(outline.rings):
        if len(ring) < 4:
            raise OutlineError(("coordinates", i), "a ring needs at least 4 positions")
        for j, position in enumerate(ring):
            _check_position(position, ("coordinates", i, j))
        if ring[0] != ring[-1]:
            raise OutlineError(("coordinates", i), "the ring is not closed (first ≠ last)")
        _check_no_antimeridian(ring, ("coordinates", i))
    lon0, lat0 = _bbox_centre(outline_bbox(outline))
    frame = frame_at(lon0, lat0)
    rings = []
    for i, ring in enumerate(outline.rings):
        xy = np.column_stack(frame.forward([p[0] for p in ring], [p[1] for p in ring]))
        linear = shapely.linearrings(xy)
        if not shapely.is_simple(linear) or not shapely.is_valid(shapely.polygons(linear)):
            raise OutlineError(("coordinates", i), "the ring intersects itself")
        rings.append(shapely.polygons(linear))
    shell = rings[0]
    for k, hole in enumerate(rings[1:], start=1):
        if not shapely.contains(shell, hole):
            raise OutlineError(("coordinates", k), "the hole is not inside the exterior ring")
        for m, other in enumerate(rings[1:k], start=1):
            if shapely.intersects(hole, other):
                raise OutlineError(("coordinates", k), f"the hole overlaps hole {m}")
    holes = [r.exterior for r in rings[1:]]
    polygon = shapely.Polygon(shell.exterior, holes)
    if not shapely.is_valid(polygon):
        reason = shapely.is_valid_reason(polygon)
        raise OutlineError(("coordinates",), f"the polygon is invalid ({reason})")


def _validate_corridor(outline: CorridorOutline) -> None:
    if len(outline.path) < 2:
        raise OutlineError(("path",), "a corridor path needs at least 2 positions")
    for j, position in enumerate(outline.path):
        _check_position(position, ("path", j))
        if j > 0 and position == outline.path[j - 1]:
            raise OutlineError(("path", j), "the position repeats the previous one")
    _check_no_antimeridian(outline.path, ("path",))
    _check_positive(outline.half_width_m, ("half_width_m",))


def _check_position(position: Position, path: tuple[str | int, ...]) -> None:
    if len(position) != 2:
        raise OutlineError(path, "a position is [longitude, latitude]")
    lon, lat = position
    if not -180.0 <= lon <= 180.0:
        raise OutlineError(path, f"longitude {lon} is outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise OutlineError(path, f"latitude {lat} is outside [-90, 90]")


def _check_positive(value_m: float, path: tuple[str | int, ...]) -> None:
    if not (math.isfinite(value_m) and value_m > 0.0):
        raise OutlineError(path, f"must be a positive finite number of metres, not {value_m}")


def _check_no_antimeridian(positions: tuple[Position, ...], path: tuple[str | int, ...]) -> None:
    lons = np.array([p[0] for p in positions])
    if np.any(np.abs(np.diff(lons)) > 180.0):
        raise OutlineError(path, "outlines crossing the antimeridian are not supported")


def _check_placement(outline: Outline, path: tuple[str | int, ...]) -> None:
    min_lon, min_lat, max_lon, max_lat = outline_bbox(outline)
    if min_lon < -180.0 or max_lon > 180.0:
        raise OutlineError(path, "outlines crossing the antimeridian are not supported")
    if min_lat < -MAX_ABS_LAT_DEG or max_lat > MAX_ABS_LAT_DEG:
        raise OutlineError(
            path, f"outlines beyond {MAX_ABS_LAT_DEG:g}° latitude (polar) are not supported"
        )


# ── measures ────────────────────────────────────────────────────────────────────────────────


def outline_extent_m(outline: Outline) -> float:
    """Largest dimension of outline in metres: the geodesic diameter (vertex pairs, hull-based).

    For a circle 2·radius_m; for a corridor the path's diameter + 2·half_width_m.
    """
    if isinstance(outline, CircleOutline):
        return 2.0 * outline.radius_m
    if isinstance(outline, PolygonOutline):
        return _diameter_m(outline.rings[0])
    return _diameter_m(outline.path) + 2.0 * outline.half_width_m


def _diameter_m(positions: tuple[Position, ...]) -> float:
    lon = np.array([p[0] for p in positions], dtype=np.float64)
    lat = np.array([p[1] for p in positions], dtype=np.float64)
    frame = frame_at(float(lon.mean()), float(lat.mean()))
    x, y = frame.forward(lon, lat)
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))
    hx, hy = shapely.get_coordinates(hull).T
    dx = hx[:, None] - hx[None, :]
    dy = hy[:, None] - hy[None, :]
    i, j = np.unravel_index(np.argmax(dx * dx + dy * dy), dx.shape)
    (lon1, lon2), (lat1, lat2) = frame.inverse(hx[[i, j]], hy[[i, j]])
    return float(geodesic_distance_m(lon1, lat1, lon2, lat2))


def outline_bbox(outline: Outline) -> tuple[float, float, float, float]:
    """Conservative (min_lon, min_lat, max_lon, max_lat) in degrees of the whole area.

    Polygon and corridor vertices are padded for geodesic edges bulging poleward; circles and
    corridors by their radius / half-width. Longitudes may leave [-180, 180] when the area
    crosses the antimeridian.
    """
    if isinstance(outline, CircleOutline):
        points = [outline.center]
        pad_m = outline.radius_m
    elif isinstance(outline, PolygonOutline):
        points = list(outline.rings[0])
        pad_m = 0.0
    else:
        points = list(outline.path)
        pad_m = outline.half_width_m
    lon = np.array([p[0] for p in points], dtype=np.float64)
    lat = np.array([p[1] for p in points], dtype=np.float64)
    bulge_deg = _edge_bulge_deg(lon, lat)
    pad_lat_deg = pad_m / _M_PER_DEG_LAT_MIN * 1.001
    max_lat = min(90.0, float(lat.max()) + pad_lat_deg + bulge_deg)
    min_lat = max(-90.0, float(lat.min()) - pad_lat_deg - bulge_deg)
    widest = max(abs(max_lat), abs(min_lat))
    cos_lat = math.cos(math.radians(widest))
    pad_lon_deg = 180.0 if cos_lat < 1e-9 else min(180.0, pad_lat_deg / cos_lat)
    return (
        float(lon.min()) - pad_lon_deg,
        min_lat,
        float(lon.max()) + pad_lon_deg,
        max_lat,
    )


def _edge_bulge_deg(lon: np.ndarray, lat: np.ndarray) -> float:
    """A bound in degrees on how far geodesic edges between the points leave their latitudes."""
    if lon.size < 2:
        return 0.0
    _, _, length_m = WGS84.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    longest_m = float(np.max(length_m))
    widest = min(89.0, float(np.max(np.abs(lat))))
    # sagitta of a great circle against its parallel: L² tan φ / (8 R), doubled for safety
    bulge_m = longest_m**2 * math.tan(math.radians(widest)) / (4.0 * EARTH_MIN_RADIUS_M)
    return bulge_m / _M_PER_DEG_LAT_MIN


def _bbox_centre(bbox: tuple[float, float, float, float]) -> Position:
    return (bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0


def outline_centre(outline: Outline) -> Position:
    """Centre of the outline's bounding box, (lon_deg, lat_deg)."""
    return _bbox_centre(outline_bbox(outline))


# ── wire form ───────────────────────────────────────────────────────────────────────────────


def outline_to_geojson(outline: Outline) -> dict[str, object]:
    """The wire form: GeoJSON Polygon, or the Circle / Corridor extensions (lon/lat degrees)."""
    if isinstance(outline, PolygonOutline):
        rings = [[[lon, lat] for lon, lat in ring] for ring in outline.rings]
        return {"type": "Polygon", "coordinates": rings}
    if isinstance(outline, CircleOutline):
        center = [outline.center[0], outline.center[1]]
        return {"type": "Circle", "center": center, "radius_m": outline.radius_m}
    path = [[lon, lat] for lon, lat in outline.path]
    return {"type": "Corridor", "path": path, "half_width_m": outline.half_width_m}


def outline_from_geojson(data: Mapping[str, Any]) -> Outline:
    """The outline of a wire-form mapping that was validated before (``outline_to_geojson``
    reversed: every number read as a float); ValueError for an unknown ``type``."""
    kind = data["type"]
    if kind == "Polygon":
        rings = tuple(tuple(_position(p) for p in ring) for ring in data["coordinates"])
        return PolygonOutline(rings)
    if kind == "Circle":
        return CircleOutline(_position(data["center"]), float(data["radius_m"]))
    if kind == "Corridor":
        path = tuple(_position(p) for p in data["path"])
        return CorridorOutline(path, float(data["half_width_m"]))
    raise ValueError(f"stored outline of unknown type {kind!r}")


def _position(value: Any) -> Position:
    return (float(value[0]), float(value[1]))
