"""Brute-force reference for `sharedsky.detect.conformance`: sample the path, test every sample.

Written apart from the engine and sharing none of its code (pyproj and Shapely only). A track is
sampled at given times, its positions placed on its geodesic by pyproj's `Geod.fwd` (Karney),
its altitude alt + vs·t. Each sample gets three *depths* in a region, positive inside:

* horizontal, metres — circle: radius − the geodesic distance to the centre (`Geod.inv`, exact);
  polygon: ± the distance to the boundary in a PROJ azimuthal-equidistant frame at the polygon's
  vertex mean, with the rings cut every 250 m along their geodesics (`Geod.npts`); corridor:
  half-width − the distance to the path (cut every 100 m): such a frame decides the samples
  that are surely more than `NEAR_M` inside or outside, the others are measured again in a
  frame centred on the sample itself, where distance from the centre is geodesic distance.
  Depths beyond `NEAR_M` are reported as ±inf: only their sign matters to the tests.
* vertical, metres: min(alt − alt_lo_m, alt_hi_m − alt);
* time, seconds: min(t − t_start_s, t_end_s − t).

A sample is *clearly inside* a region when all three exceed their tolerances, *clearly outside*
when one is below minus its tolerance, and *borderline* otherwise; the union of a notice's
regions is clearly inside when one region is, clearly outside when all are. An aeqd frame never
shrinks a distance and stretches it by less than ρ²/2R² at ρ from its centre (1.3e-4 at 100 km),
far below the tolerances here.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod, Transformer

from sharedsky.detect.conformance import Region
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline

_GEOD = Geod(ellps="WGS84")
NEAR_M = 3.0
"""Horizontal depths are exact within this distance of the boundary (metres)."""
_POLYGON_STEP_M = 250.0
_PATH_STEP_M = 100.0
_R_MIN_M = 6_335_439.0

INSIDE, BORDER, OUTSIDE = 1, 0, -1


@dataclass(frozen=True)
class Track:
    """One aircraft's state now (degrees, metres, metres per second)."""

    lat: float
    lon: float
    alt: float
    gs: float
    trk: float
    vs: float


@dataclass(frozen=True)
class Depths:
    """Per sample: horizontal (m), vertical (m) and time (s) depth in a region, positive inside."""

    horizontal: np.ndarray
    vertical: np.ndarray
    time: np.ndarray


def positions(
    tracks: Sequence[Track], which: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, alt) of track which[k] at times[k], along its geodesic."""
    lat0 = np.array([t.lat for t in tracks])[which]
    lon0 = np.array([t.lon for t in tracks])[which]
    trk = np.array([t.trk for t in tracks])[which]
    gs = np.array([t.gs for t in tracks])[which]
    alt = np.array([t.alt for t in tracks])[which] + np.array([t.vs for t in tracks])[which] * times
    lon, lat, _ = _GEOD.fwd(lon0, lat0, trk, gs * times)
    return np.asarray(lon), np.asarray(lat), alt


def depths(region: Region, tracks: Sequence[Track], which: np.ndarray, times: np.ndarray) -> Depths:
    """The three depths in the region of track which[k] at times[k], for every k."""
    lon, lat, alt = positions(tracks, which, times)
    with np.errstate(invalid="ignore"):
        time = np.minimum(times - region.t_start_s, region.t_end_s - times)
    return Depths(
        horizontal_depth(region.outline, lon, lat),
        np.minimum(alt - region.alt_lo_m, region.alt_hi_m - alt),
        np.nan_to_num(time, nan=np.inf),
    )


def classify(d: Depths, tol_h: float, tol_v: float, tol_t: float) -> np.ndarray:
    """INSIDE, BORDER or OUTSIDE per sample (see the module docstring)."""
    inside = (d.horizontal > tol_h) & (d.vertical > tol_v) & (d.time > tol_t)
    outside = (d.horizontal < -tol_h) | (d.vertical < -tol_v) | (d.time < -tol_t)
    return np.where(inside, INSIDE, np.where(outside, OUTSIDE, BORDER))


def union_class(classes: list[np.ndarray]) -> np.ndarray:
    """The class of the union of regions from the classes in each."""
    stacked = np.array(classes)
    inside = np.any(stacked == INSIDE, axis=0)
    outside = np.all(stacked == OUTSIDE, axis=0)
    return np.where(inside, INSIDE, np.where(outside, OUTSIDE, BORDER))


# ── horizontal depth ────────────────────────────────────────────────────────────────────────


def horizontal_depth(outline: Outline, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Signed horizontal depth (metres, positive inside) of each point in the outline."""
    if isinstance(outline, CircleOutline):
        c_lon, c_lat = outline.center
        _, _, dist = _GEOD.inv(np.full(lon.size, c_lon), np.full(lon.size, c_lat), lon, lat)
        return outline.radius_m - np.asarray(dist)
    if isinstance(outline, PolygonOutline):
        return _polygon_depth(outline, lon, lat)
    assert isinstance(outline, CorridorOutline)
    return _corridor_depth(outline, lon, lat)


def _frame(lon0: float, lat0: float) -> Transformer:
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +ellps=WGS84"
    )


def _geodesic_line(points: list[tuple[float, float]], step_m: float) -> np.ndarray:
    """(n, 2) lon/lat of a polyline whose edges are geodesics, with a point every step_m."""
    out = [points[0]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        _, _, length = _GEOD.inv(lon1, lat1, lon2, lat2)
        inner = max(0, math.ceil(length / step_m) - 1)
        if inner:
            out.extend(_GEOD.npts(lon1, lat1, lon2, lat2, inner))
        out.append((lon2, lat2))
    return np.array(out, dtype=float)


def _stretch(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray((x * x + y * y) / (2.0 * _R_MIN_M**2), dtype=float)


@functools.lru_cache(maxsize=512)
def _polygon_frame(
    outline: PolygonOutline,
) -> tuple[Transformer, shapely.Geometry, shapely.Geometry]:
    """The polygon's aeqd frame (at its vertex mean), the polygon and its boundary in it."""
    exterior = np.array(outline.rings[0], dtype=float)
    frame = _frame(float(exterior[:-1, 0].mean()), float(exterior[:-1, 1].mean()))
    rings = []
    for ring in outline.rings:
        dense = _geodesic_line(list(ring), _POLYGON_STEP_M)
        rx, ry = frame.transform(dense[:, 0], dense[:, 1])
        rings.append(np.column_stack([rx, ry]))
    polygon = shapely.Polygon(rings[0], rings[1:])
    boundary = polygon.boundary
    shapely.prepare(polygon)
    shapely.prepare(boundary)
    return frame, polygon, boundary


def _polygon_depth(outline: PolygonOutline, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    frame, polygon, boundary = _polygon_frame(outline)
    x, y = frame.transform(lon, lat)
    x, y = np.asarray(x), np.asarray(y)
    inside = shapely.intersects_xy(polygon, x, y)
    sign = np.where(inside, 1.0, -1.0)
    points = shapely.points(x, y)
    near = shapely.dwithin(boundary, points, NEAR_M * 1.01)
    out = sign * np.inf
    # planar distances are at most (1 + stretch) times the geodesic ones, never below them
    out[near] = sign[near] * shapely.distance(boundary, points[near]) / (1 + _stretch(x, y)[near])
    return out


@functools.lru_cache(maxsize=512)
def _corridor_frame(
    outline: CorridorOutline,
) -> tuple[np.ndarray, Transformer, shapely.Geometry, float]:
    """The densified path, its aeqd frame (at the path's mean), the path in it, its reach."""
    path = _geodesic_line(list(outline.path), _PATH_STEP_M)
    frame = _frame(float(path[:, 0].mean()), float(path[:, 1].mean()))
    px, py = frame.transform(path[:, 0], path[:, 1])
    line = shapely.linestrings(np.column_stack([px, py]))
    shapely.prepare(line)
    return path, frame, line, float(np.max(np.hypot(px, py)))


def _corridor_depth(outline: CorridorOutline, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    width = outline.half_width_m
    path, frame, line, path_reach = _corridor_frame(outline)
    x, y = frame.transform(lon, lat)
    points = shapely.points(np.asarray(x), np.asarray(y))
    # planar distances lie in [d, d·(1 + stretch)] for the true distance d
    stretch = (float(np.max(np.hypot(x, y), initial=0.0)) + path_reach) ** 2 / (2.0 * _R_MIN_M**2)
    surely_in = (
        shapely.dwithin(line, points, width - NEAR_M)
        if width > NEAR_M
        else np.zeros(len(points), dtype=bool)
    )
    maybe_in = shapely.dwithin(line, points, (width + NEAR_M) * (1.0 + stretch))
    out = np.where(surely_in, np.inf, -np.inf)
    unsure = maybe_in & ~surely_in
    for k in np.flatnonzero(unsure):
        out[k] = width - _distance_to_path_m(path, float(lon[k]), float(lat[k]))
    far = np.abs(out) > NEAR_M
    out[far] = np.sign(out[far]) * np.inf
    return out


def outline_distance_m(outline: Outline, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic distance (metres) from each point to the outline, 0 for a point in it: to the
    circle's centre less its radius, to the corridor's path less its half-width, to the nearest
    ring of the polygon (its edges densified every 100 m along their geodesics), each measured
    in a frame centred on the point (see `_distance_to_path_m`)."""
    depth = horizontal_depth(outline, lon, lat)
    out = np.zeros(len(lon))
    for k in np.flatnonzero(depth < 0.0):
        if isinstance(outline, CircleOutline):
            out[k] = -depth[k] if np.isfinite(depth[k]) else _circle_gap_m(outline, lon[k], lat[k])
        elif isinstance(outline, CorridorOutline):
            path = _corridor_frame(outline)[0]
            out[k] = _distance_to_path_m(path, float(lon[k]), float(lat[k])) - outline.half_width_m
        else:
            rings = _dense_rings(outline)
            out[k] = min(_distance_to_path_m(r, float(lon[k]), float(lat[k])) for r in rings)
    return out


def _circle_gap_m(outline: CircleOutline, lon: float, lat: float) -> float:
    _, _, dist = _GEOD.inv(outline.center[0], outline.center[1], lon, lat)
    return float(dist) - outline.radius_m


@functools.lru_cache(maxsize=512)
def _dense_rings(outline: PolygonOutline) -> list[np.ndarray]:
    return [_geodesic_line(list(ring), _PATH_STEP_M) for ring in outline.rings]


def _distance_to_path_m(path: np.ndarray, lon: float, lat: float) -> float:
    """Geodesic distance from (lon, lat) to the densified path, in a frame centred on the point:
    there a point's distance from the centre is its geodesic distance, and a 100 m chord of the
    path lies within micrometres of the projected geodesic."""
    az, _, dist = _GEOD.inv(
        np.full(len(path), lon), np.full(len(path), lat), path[:, 0], path[:, 1]
    )
    angle = np.radians(np.asarray(az))
    x, y = np.asarray(dist) * np.sin(angle), np.asarray(dist) * np.cos(angle)
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    f = np.clip(-(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return float(np.min(np.hypot(ax + f * dx, ay + f * dy)))
