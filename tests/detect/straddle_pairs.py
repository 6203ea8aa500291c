"""Pairs of volumes built to straddle each separation minimum, with their distance known.

Like `strategic_reference`, nothing here comes from ``sharedsky`` (pyproj `Geod`, NumPy and the
standard library only), so the intended distances owe nothing to the engine.

How the lateral distance is known by construction. Every shape is built from an *anchor* X on
its core and an azimuth ``away`` (the side on which the shape lies); seen from any point Q on
the geodesic leaving X at ``away + 180°``, X is the point of the core nearest to Q:

    anchor kinds          the core lies …                       why X is nearest to Q
    circle                at X (core = centre)                   trivially
    vertex (polygon),     inside the geodesic disc of radius R   |Q c| = |Q X| + R and every
    end (corridor)        around c = X + R·away, touching it     core point is within R of c
                          only at X
    side (polygon,        on the geodesic through X across       X is the perpendicular foot;
    corridor)             ``away`` (the near edge), and beyond   the far edges lie beyond it
    hole (polygon)        around a hole whose near edge is a     as for a side, seen from
                          side through X, the pair inside it     inside the hole

Two sides never face each other: geodesics perpendicular to one geodesic converge on a surface
of positive curvature, so two facing edges come closest at their ends, not at the anchors.

So B's anchor is put at ``core_gap`` metres from X_A along A's outward azimuth, facing back,
with core_gap = intended distance + both radii; an overlap puts B's core across A's (a
penetration shallower than the radii, or B's vertex inside a polygon A).

Vertical and time straddles are exact in floating point: bands and windows are chosen so that
``later start − earlier end`` equals the minimum (or ±1 m, ±1 s) exactly, which the generator
asserts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from detect.strategic_reference import Circle, Corridor, Minima, Polygon, Shape, Volume
from pyproj import Geod

GEOD = Geod(ellps="WGS84")

LATERALS_M = (500.0, 5_000.0, 9_260.0, 18_520.0, 50_000.0)
VERTICALS_M = (152.4, 300.0, 304.8, 1_000.0)
TIMES_S = (120.0, 300.0, 600.0, 900.0)
SITE_REACH_M = 230_000.0
"""Every pair lies within this distance of its site's centre (asserted by the tests)."""
SITE_LATS_DEG = (-80.0, -62.0, -40.0, -15.0, 0.0, 20.0, 45.0, 66.0, 80.0)
_SITE_SPACING_M = 2.0 * SITE_REACH_M + 60_000.0
_T0_S = 1_800_000_000

A_KINDS = ("circle", "vertex", "side", "end", "corridor_side", "hole")
B_KINDS = ("circle", "vertex", "side", "end", "corridor_side")


@dataclass(frozen=True, slots=True)
class StraddlePair:
    """Two volumes, their minima and what the pair was built to test."""

    a: Volume
    b: Volume
    minima: Minima
    site: int
    """Index in `sites()`: sites are more than 510 km apart, each pair within `SITE_REACH_M`
    (230 km) of its own (asserted by the tests)."""
    dimension: str
    """The minimum it straddles: lateral, vertical or time (the others are then well inside)."""
    offset: str
    """Where it lies: "-1", "0", "+1" (metres or seconds from the minimum; laterally only ±1),
    "inside", "outside", "overlap" (lateral) or "overlap", "far" (vertical, time)."""
    intended_m: float
    """The horizontal distance by construction (0 for overlaps)."""
    kinds: tuple[str, str]


def sites() -> list[tuple[float, float]]:
    """(lon, lat) centres: rings of latitudes, ≥ 520 km apart, the outermost of each ring
    close to the antimeridian but with room for a whole pair on its side."""
    found = []
    for lat in SITE_LATS_DEG:
        metres_per_deg = 111_320.0 * math.cos(math.radians(lat))
        margin_deg = (SITE_REACH_M + 20_000.0) / metres_per_deg
        step_deg = _SITE_SPACING_M * 1.1 / metres_per_deg
        lon = -180.0 + margin_deg
        while lon <= 180.0 - margin_deg:
            found.append((lon, lat))
            lon += step_deg
    return found


def reach_m(site: tuple[float, float], shape: Shape) -> float:
    """Farthest any point of shape lies from site, metres: its vertices' farthest + its radius
    (edges are geodesics between the vertices, inside the geodesic disc that holds them)."""
    if isinstance(shape, Circle):
        points, radius_m = [(shape.lon, shape.lat)], shape.radius_m
    elif isinstance(shape, Polygon):
        points, radius_m = [p for ring in shape.rings for p in ring], 0.0
    else:
        points, radius_m = list(shape.path), shape.half_width_m
    xy = np.array(points)
    _, _, d = GEOD.inv(np.full(len(xy), site[0]), np.full(len(xy), site[1]), xy[:, 0], xy[:, 1])
    return float(np.max(d)) + radius_m


# ── geodesic helpers ────────────────────────────────────────────────────────────────────────


def _fwd(p: tuple[float, float], azimuth: float, distance_m: float) -> tuple[float, float, float]:
    """(lon, lat, azimuth on arrival) after distance_m along azimuth from p."""
    lon, lat, back = GEOD.fwd(p[0], p[1], azimuth, distance_m)
    return float(lon), float(lat), (float(back) + 180.0) % 360.0


def _to(p: tuple[float, float], azimuth: float, distance_m: float) -> tuple[float, float]:
    lon, lat, _ = _fwd(p, azimuth, distance_m)
    return lon, lat


def _azimuth(p: tuple[float, float], q: tuple[float, float]) -> float:
    az, _, _ = GEOD.inv(p[0], p[1], q[0], q[1])
    return float(az)


# ── shapes around an anchor ─────────────────────────────────────────────────────────────────


def _radius(kind: str, size_m: float, rng: np.random.Generator) -> float:
    """The radius (circle) or half-width (corridor) of a shape of about size_m; polygons 0."""
    if kind == "circle":
        return float(size_m * rng.uniform(0.2, 0.5))
    if kind in ("end", "corridor_side"):
        return float(size_m * rng.uniform(0.02, 0.2))
    return 0.0


def _shape(
    kind: str,
    x: tuple[float, float],
    away: float,
    size_m: float,
    radius_m: float,
    rng: np.random.Generator,
) -> Shape:
    """A shape of about size_m on the ``away`` side of its anchor x (see the module doc)."""
    if kind == "circle":
        return Circle(x[0], x[1], radius_m)
    if kind == "vertex":
        return _vertex_polygon(x, away, size_m, rng, hole=bool(rng.random() < 0.3))
    if kind == "side":
        h, depth = size_m * rng.uniform(0.3, 0.8), size_m * rng.uniform(0.5, 1.0)
        return Polygon((_side_ring(x, away, h, depth),))
    if kind == "end":
        centre = _to(x, away, size_m / 2.0)
        turn = _to(centre, float(rng.uniform(0.0, 360.0)), size_m / 2.0 * rng.uniform(0.3, 0.9))
        return Corridor((x, centre, turn), radius_m)
    h = size_m * rng.uniform(0.5, 1.5)
    return Corridor((_to(x, away - 90.0, h), _to(x, away + 90.0, h)), radius_m)


def _vertex_polygon(
    x: tuple[float, float], away: float, size_m: float, rng: np.random.Generator, hole: bool
) -> Polygon:
    """A star-shaped polygon within the disc of radius size_m/2 around x + size_m/2·away."""
    radius = size_m / 2.0
    centre = _to(x, away, radius)
    back = _azimuth(centre, x)
    count = int(rng.integers(4, 9))
    ring = [x]
    for k in range(1, count):
        azimuth = back + (k + rng.uniform(-0.3, 0.3)) * 360.0 / count
        ring.append(_to(centre, azimuth, radius * rng.uniform(0.6, 1.0)))
    ring.append(x)
    rings = [tuple(ring)]
    if hole:
        azimuths = np.linspace(0.0, 360.0, 6, endpoint=False)[::-1]
        inner = [_to(centre, float(a), radius * 0.25) for a in azimuths]
        rings.append((*inner, inner[0]))
    return Polygon(tuple(rings))


def _side_ring(
    x: tuple[float, float], away: float, h: float, depth: float
) -> tuple[tuple[float, float], ...]:
    """A quadrilateral whose near edge is the geodesic through x across ``away`` (h metres
    each way), depth metres deep."""
    left_lon, left_lat, left_heading = _fwd(x, away - 90.0, h)
    right_lon, right_lat, right_heading = _fwd(x, away + 90.0, h)
    left, right = (left_lon, left_lat), (right_lon, right_lat)
    far_left = _to(left, left_heading + 90.0, depth)
    far_right = _to(right, right_heading - 90.0, depth)
    return (left, far_left, far_right, right, left)


# ── pairs ───────────────────────────────────────────────────────────────────────────────────


def _size(rng: np.random.Generator) -> float:
    """Log-uniform between 2 km and 57.5 km."""
    return float(np.exp(rng.uniform(math.log(2e3), math.log(SITE_REACH_M / 4.0))))


def _lateral_pair(
    rng: np.random.Generator,
    site: tuple[float, float],
    kinds: tuple[str, str],
    distance_m: float | None,
    lateral_m: float,
) -> tuple[Shape, Shape]:
    """(a, b): b at distance_m from a, or overlapping a when None; a's anchor at the site."""
    kind_a, kind_b = kinds
    size_a, size_b = _size(rng), _size(rng)
    outward = float(rng.uniform(0.0, 360.0))
    r_b = _radius(kind_b, size_b, rng)
    if kind_a == "hole":
        assert distance_m is not None
        return _hole_pair(rng, site, outward, kind_b, distance_m, lateral_m, r_b)
    r_a = _radius(kind_a, size_a, rng)
    a = _shape(kind_a, site, outward + 180.0, size_a, r_a, rng)
    if distance_m is not None:
        lon, lat, heading = _fwd(site, outward, distance_m + r_a + r_b)
    elif r_a + r_b > 0.0:  # overlap: the cores closer than the radii
        lon, lat, heading = _fwd(site, outward, (r_a + r_b) * rng.uniform(0.05, 0.9))
    else:  # two polygons: B's anchor vertex inside A, B lying back across A's edge
        lon, lat, heading = _fwd(site, outward + 180.0, size_a * rng.uniform(0.02, 0.2))
        heading += 180.0
    b = _shape(kind_b, (lon, lat), heading, size_b, r_b, rng)
    return a, b


def _hole_pair(
    rng: np.random.Generator,
    site: tuple[float, float],
    outward: float,
    kind_b: str,
    distance_m: float,
    lateral_m: float,
    r_b: float,
) -> tuple[Shape, Shape]:
    """A polygon with a rectangular hole, and b inside the hole at distance_m from its near
    edge (through the anchor); the hole's other edges are 3 × lateral_m farther than b
    (lateral_m ≤ 9,260 m, so that the pair stays within `SITE_REACH_M`)."""
    size_b = min(_size(rng), 20_000.0)
    r_b = min(r_b, size_b * 0.2)
    room = distance_m + r_b + 2.0 * size_b + 3.0 * lateral_m + 2_000.0
    hole = _side_ring(site, outward, room, room)
    centre = _to(site, outward, room / 2.0)
    shell = [_to(centre, k * 45.0, room * 1.4) for k in range(8)]
    lon, lat, heading = _fwd(site, outward, distance_m + r_b)
    b = _shape(kind_b, (lon, lat), heading, size_b, r_b, rng)
    return Polygon(((*shell, shell[0]), hole[::-1])), b


def _band(rng: np.random.Generator, gap_m: float | None) -> tuple[float, float, float, float]:
    """(lo_a, hi_a, lo_b, hi_b) with B gap_m above or below A exactly (overlap when None)."""
    thickness = float(rng.choice([300.0, 600.5, 1_500.25, 3_000.0]))
    if gap_m is None:
        lo_a = float(rng.choice([3_000.0, 4_000.0, 5_500.5]))  # B stays above -500 m
        lo_b = lo_a + thickness * float(rng.uniform(-0.9, 0.9))
        return lo_a, lo_a + thickness, lo_b, lo_b + thickness
    # high tops first; a top far below the gap keeps every bit of it (same binary exponent)
    tops = (4_096.0, 2_048.0, 3_048.0, 1_000.0, 1_000.5, 128.0, 64.0, 16.0, 0.0)
    for hi_a in tops:
        lo_b = hi_a + gap_m
        if lo_b - hi_a == gap_m:
            lo_a = max(-400.0, hi_a - thickness)
            if rng.random() < 0.5:  # B below A: the same two bands, swapped
                return lo_b, lo_b + thickness, lo_a, hi_a
            return lo_a, hi_a, lo_b, lo_b + thickness
    raise AssertionError(f"no band is exactly {gap_m} m from another")


def _window(
    rng: np.random.Generator, gap_s: float | None, open_ended: bool
) -> tuple[float, float, float, float]:
    """(start_a, end_a, start_b, end_b), whole POSIX seconds; B gap_s after or before A
    (overlapping when None); A never ends when ``open_ended``."""
    start_a = float(_T0_S + int(rng.integers(0, 3 * 86_400)))
    duration = float(rng.choice([1_800, 3_600, 7_200]))
    end_a = math.inf if open_ended else start_a + duration
    if gap_s is None:
        start_b = start_a + float(rng.integers(-1_700, 1_700))
        return start_a, end_a, start_b, start_b + duration
    if open_ended or rng.random() < 0.5:  # B ends gap_s before A starts
        return start_a, end_a, start_a - gap_s - duration, start_a - gap_s
    return start_a, end_a, end_a + gap_s, end_a + gap_s + duration


_STEPS = {"-1": -1.0, "0": 0.0, "+1": 1.0, "-0.1": -0.1, "+0.1": 0.1}
"""Offsets from a minimum; ± 0.1 m only laterally, twice the engine's stated accuracy."""
_SIDES = ("side", "corridor_side", "hole")


def straddle_pairs(
    rng: np.random.Generator,
    count: int,
    *,
    open_ended: bool = True,
    minima: Minima | None = None,
) -> list[StraddlePair]:
    """``count`` pairs cycling through the three minima and through the sites.

    Lateral: distance = lateral ± 1 m or ± 0.1 m (half of them), well inside (5–95 %), well outside
    (105–200 %) or overlapping; band and window overlap. Vertical and time: gap = the minimum
    exactly, ± 1 m or ± 1 s, overlapping or far (3 ×); the lateral distance well inside or
    overlapping, the other gap overlapping. ``open_ended``: 15 % of A's windows never end.
    ``minima``: the same for every pair (else drawn from the lists above).
    """
    centres = sites()
    pairs = []
    for n in range(count):
        site = n % len(centres)
        dimension = ("lateral", "vertical", "time")[n % 3]
        drawn = Minima(
            float(rng.choice(LATERALS_M)),
            float(rng.choice(VERTICALS_M)),
            float(rng.choice(TIMES_S)),
        )
        chosen = minima or drawn
        lateral_m = chosen.lateral_m
        kinds = (str(rng.choice(A_KINDS)), str(rng.choice(B_KINDS)))
        distance: float | None
        gap_v: float | None = None
        gap_t: float | None = None
        if dimension == "lateral":
            offset = str(rng.choice(["-1", "+1", "-0.1", "+0.1", "inside", "outside", "overlap"]))
            distance = {
                "inside": lateral_m * float(rng.uniform(0.05, 0.95)),
                "outside": lateral_m * float(rng.uniform(1.05, 2.0)),
                "overlap": None,
            }.get(offset, lateral_m + _STEPS.get(offset, 0.0))
        else:
            offset = str(rng.choice(["-1", "0", "+1", "-1", "0", "+1", "overlap", "far"]))
            distance = lateral_m * float(rng.uniform(0.05, 0.9)) if rng.random() < 0.7 else None
            minimum = chosen.vertical_m if dimension == "vertical" else chosen.time_s
            gap = None if offset == "overlap" else minimum * 3.0 if offset == "far" else None
            if offset in _STEPS:
                gap = minimum + _STEPS[offset]
            if dimension == "vertical":
                gap_v = gap
            else:
                gap_t = gap
        if kinds[0] == "hole" and (distance is None or lateral_m > 9_260.0):
            kinds = ("vertex", kinds[1])
        if kinds[0] in _SIDES and kinds[1] in _SIDES:  # see the module docstring
            kinds = (kinds[0], str(rng.choice(["circle", "vertex", "end"])))
        a, b = _lateral_pair(rng, centres[site], kinds, distance, lateral_m)
        lo_a, hi_a, lo_b, hi_b = _band(rng, gap_v)
        t_a0, t_a1, t_b0, t_b1 = _window(rng, gap_t, open_ended and rng.random() < 0.15)
        pairs.append(
            StraddlePair(
                Volume(a, lo_a, hi_a, t_a0, t_a1),
                Volume(b, lo_b, hi_b, t_b0, t_b1),
                chosen,
                site,
                dimension,
                offset,
                0.0 if distance is None else distance,
                kinds,
            )
        )
    return pairs


def antimeridian_pairs(rng: np.random.Generator, count: int, minima: Minima) -> list[StraddlePair]:
    """Polygon pairs on either side of the antimeridian, lateral ± 1 m apart across it.

    A's anchor vertex is 10 m west of 180°, A lying west of it; B's lies east, beyond 180°, B
    lying east of it: neither outline crosses the antimeridian (the engine refuses those), the
    pair does. Bands and windows overlap.
    """
    pairs = []
    for n in range(count):
        lat = float(rng.choice([0.0, 45.0, -60.0, 70.0]))
        anchor = _to((180.0, lat), 270.0, 10.0)
        kinds = (str(rng.choice(["vertex", "side"])), "vertex")
        offset = ("-1", "+1")[n % 2]
        distance = minima.lateral_m + _STEPS[offset]
        size_a, size_b = _size(rng), _size(rng)
        a = _shape(kinds[0], anchor, 270.0, size_a, 0.0, rng)
        lon, lat_b, heading = _fwd(anchor, 90.0, distance)
        b = _shape(kinds[1], (lon, lat_b), heading, size_b, 0.0, rng)
        t0 = float(_T0_S)
        pairs.append(
            StraddlePair(
                Volume(a, 0.0, 3_000.0, t0, t0 + 3_600.0),
                Volume(b, 1_000.0, 4_000.0, t0, t0 + 3_600.0),
                minima,
                -1,
                "lateral",
                offset,
                distance,
                kinds,
            )
        )
    return pairs
