"""The separation rule: accuracy of horizontal distance, thresholds, and properties."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import shapely
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.detect.reference import reference_distance_m
from sharedsky.detect.separation import (
    Separation,
    VolumeGeom,
    _seeds,
    bbox_lower_bound_m,
    clash,
    horizontal_distance_m,
    interval_gap,
)
from sharedsky.geo.distance import geodesic_destination, point_distance_m
from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    validate_outline,
)
from sharedsky.geo.projection import frame_at

SEP = Separation(9_260.0, 300.0, 600.0)


def volume(outline: Outline, alt_lo_m: float = 0.0, t_start_s: float = 0.0) -> VolumeGeom:
    return VolumeGeom(outline, alt_lo_m, alt_lo_m + 300.0, t_start_s, t_start_s + 3_600.0)


def circle_at(centre: CircleOutline, azimuth_deg: float, gap_m: float, radius_m: float) -> Outline:
    """A circle of radius_m whose boundary is gap_m (geodesic) from centre's boundary."""
    distance_m = centre.radius_m + gap_m + radius_m
    lon, lat = geodesic_destination(centre.center[0], centre.center[1], azimuth_deg, distance_m)
    return CircleOutline((float(lon), float(lat)), radius_m)


# ── accuracy ────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("lat", [0.0, 20.0, 40.0, 60.0, -55.0])
@pytest.mark.parametrize("radius_m", [500.0, 20_000.0, 250_000.0])
def test_circle_distance_is_the_centre_distance_minus_radii(lat: float, radius_m: float) -> None:
    #   (  A  )── gap ──(  B  )
    a = CircleOutline((30.0, lat), radius_m)
    for azimuth, gap_m in ((0.0, 50_000.0), (73.0, 9_260.0), (200.0, 12.5)):
        b = circle_at(a, azimuth, gap_m, radius_m * 0.7)
        assert isinstance(b, CircleOutline)
        exact = point_distance_m(a.center, b.center) - a.radius_m - b.radius_m
        assert horizontal_distance_m(a, b) == pytest.approx(exact, abs=1e-3)


def test_distance_matches_the_geodesic_reference_for_random_shapes(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
) -> None:
    #   random polygons (some with holes), circles and corridors, 1–500 km, 0–60°,
    #   placed 0.1–50 km apart
    rng = np.random.default_rng(2024)
    checked = 0
    while checked < 40:
        lat = float(rng.uniform(0.0, 60.0)) * float(rng.choice([-1.0, 1.0]))
        size_a, size_b = np.exp(rng.uniform(np.log(1e3), np.log(5e5), 2))
        a = make_outline(rng, 20.0, lat, float(size_a))
        gap = float(rng.uniform(0.55, 0.6)) * (size_a + size_b) + rng.uniform(100, 50_000)
        lon_b, lat_b = geodesic_destination(20.0, lat, rng.uniform(0, 360), gap)
        b = make_outline(rng, float(lon_b), float(lat_b), float(size_b))
        expected = reference_distance_m(a, b)
        if not 0.0 < expected < 50_000.0:
            continue
        assert horizontal_distance_m(a, b) == pytest.approx(expected, abs=0.5)
        checked += 1


def test_distance_is_exact_between_large_outlines_far_from_their_centres() -> None:
    #   ┌──────────────────────────┐  1,400 km box at 50°N;
    #   │                          │○ a circle 9,259 m off its far eastern edge,
    #   └──────────────────────────┘  near the north-east corner
    ring = ((0.0, 45.0), (19.0, 45.0), (19.0, 54.0), (0.0, 54.0), (0.0, 45.0))
    box = PolygonOutline((ring,))
    validate_outline(box)
    probe = CircleOutline((19.5, 53.0), 1.0)
    core_gap_m = reference_distance_m(box, probe) + 1.0
    circle = CircleOutline((19.5, 53.0), core_gap_m - 9_259.0)
    assert reference_distance_m(box, circle) == pytest.approx(9_259.0, abs=1e-3)
    assert horizontal_distance_m(box, circle) == pytest.approx(9_259.0, abs=0.05)


def test_long_parallel_corridors_find_the_true_closest_place() -> None:
    #   ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━  900 km corridors, nearly parallel,
    #   ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━  closest near one end
    north = CorridorOutline(((0.0, 40.1), (5.0, 40.1), (10.0, 40.1)), 1_000.0)
    south = CorridorOutline(((0.0, 40.0), (5.0, 40.0), (10.0, 40.001)), 1_000.0)
    expected = reference_distance_m(north, south)
    assert horizontal_distance_m(north, south) == pytest.approx(expected, abs=0.05)


def test_overlapping_outlines_are_at_distance_zero() -> None:
    ring = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0))
    assert horizontal_distance_m(PolygonOutline((ring,)), CircleOutline((1.0, 0.5), 10.0)) == 0.0


def test_bbox_lower_bound_never_exceeds_the_distance() -> None:
    rng = np.random.default_rng(9)
    for _ in range(100):
        lat = float(rng.uniform(-80, 80))
        a = CircleOutline((0.0, lat), float(rng.uniform(1e3, 1e5)))
        b = circle_at(a, float(rng.uniform(0, 360)), float(rng.uniform(0, 5e5)), 1e3)
        assert bbox_lower_bound_m(a, b) <= horizontal_distance_m(a, b) + 1e-6


# ── thresholds ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("gap_m", "conflict"), [(9_259.0, True), (9_261.0, False)])
def test_two_circles_at_the_lateral_threshold(gap_m: float, conflict: bool) -> None:
    #   (  A  )── 9,260 ± 1 m ──( B )
    a = CircleOutline((35.0, 33.0), 4_000.0)
    b = circle_at(a, 123.0, gap_m, 2_500.0)
    assert (clash(volume(a), volume(b), SEP) is not None) is conflict


@pytest.mark.parametrize(("delta_m", "conflict"), [(-1.0, True), (1.0, False)])
def test_polygon_and_circle_at_the_lateral_threshold(delta_m: float, conflict: bool) -> None:
    #   ┌────┐
    #   │    │── 9,260 ± 1 m ──○
    #   └────┘
    ring = ((35.0, 33.0), (35.4, 33.05), (35.5, 33.4), (35.1, 33.5), (35.0, 33.0))
    polygon = PolygonOutline((ring,))
    centre = (35.7, 33.2)
    core_m = reference_distance_m(polygon, CircleOutline(centre, 1.0)) + 1.0
    circle = CircleOutline(centre, core_m - SEP.lateral_m - delta_m)
    assert (clash(volume(polygon), volume(circle), SEP) is not None) is conflict


@pytest.mark.parametrize(("delta_m", "conflict"), [(-1.0, True), (1.0, False)])
def test_corridor_and_polygon_at_the_lateral_threshold(delta_m: float, conflict: bool) -> None:
    #   ┌────┐
    #   │    │── 9,260 ± 1 m ──━━━━━━━
    #   └────┘
    ring = ((-70.0, 45.0), (-69.0, 45.0), (-69.0, 46.0), (-70.0, 46.0), (-70.0, 45.0))
    polygon = PolygonOutline((ring,))
    path = ((-68.6, 45.3), (-67.0, 45.9), (-66.0, 45.2))
    core_m = reference_distance_m(polygon, CorridorOutline(path, 1.0)) + 1.0
    corridor = CorridorOutline(path, core_m - SEP.lateral_m - delta_m)
    assert (clash(volume(polygon), volume(corridor), SEP) is not None) is conflict


@pytest.mark.parametrize("radius_m", [None, 800.0])
@pytest.mark.parametrize("lat", [0.0, 47.5])
def test_a_distance_of_exactly_the_lateral_minimum_is_separated(
    lat: float, radius_m: float | None
) -> None:
    """The minimum is kept, not infringed: at exactly the measured distance, no clash; one
    ulp more of minimum, a clash (circles, and a circle beside a polygon)."""
    a = CircleOutline((10.0, lat), 1_000.0)
    if radius_m is None:
        lon, lat_b = geodesic_destination(10.0, lat, 70.0, 8_000.0)
        d = 0.01
        ring = (
            (lon, lat_b),
            (lon + d, lat_b),
            (lon + d, lat_b + d),
            (lon, lat_b + d),
            (lon, lat_b),
        )
        b: Outline = PolygonOutline((ring,))
    else:
        b = circle_at(a, 70.0, 7_000.0, radius_m)
    gap_m = horizontal_distance_m(a, b)
    kept = Separation(gap_m, 300.0, 600.0)
    infringed = Separation(float(np.nextafter(gap_m, math.inf)), 300.0, 600.0)
    assert clash(volume(a), volume(b), kept) is None
    found = clash(volume(a), volume(b), infringed)
    assert found is not None and found.distance_m == gap_m


def test_refinement_starts_from_every_vertex_the_frame_may_have_pushed_out_of_first_place() -> None:
    """`_seeds`: beside the closest midpoint, each vertex whose planar distance to the other
    shape is within the frame's stretch of the minimum, the stretch taken at the farthest
    vertex of either shape, and 20 km from the seeds before it; not one beyond. Shape A
    reaches about 1,000 km from the frame's centre (stretch 1.2 %): its vertex 50 m behind
    the minimum of 10 km is a seed, the one 200 m behind is not, nor the closest vertex
    (5 km from the midpoint); the same with the shapes given the other way round."""
    frame = frame_at(30.0, 10.0)

    def at(x_m: float, y_m: float) -> np.ndarray:  # the pair away from the frame's centre
        return np.array([x_m + 100_000.0, y_m - 50_000.0])

    bar = np.array([at(-50e3, -1e3), at(50e3, -1e3), at(50e3, 1e3), at(-50e3, 1e3)])
    behind_50, behind_200 = at(30_000.0, 11_050.0), at(-30_000.0, 11_200.0)
    far = np.array([behind_200, at(0.0, 11_000.0), behind_50, at(8e5, 6e5), at(-8e5, 6e5)])
    shape_far, shape_bar = shapely.Polygon(far), shapely.Polygon(bar)
    assert shapely.distance(shape_far, shape_bar) == pytest.approx(10_000.0, abs=1e-6)
    for args in ((shape_far, shape_bar, far, bar), (shape_bar, shape_far, bar, far)):
        seeds = _seeds(*args, float(shapely.distance(shape_far, shape_bar)), frame)
        x, y = frame.forward([lon for lon, _ in seeds], [lat for _, lat in seeds])
        assert len(seeds) == 2
        midpoint = tuple(at(0.0, 6_000.0))  # geodesic, so a few cm off the planar one
        assert (x[0], y[0]) == pytest.approx(midpoint, abs=0.1)
        assert (x[1], y[1]) == pytest.approx(tuple(behind_50), abs=1e-3)
    #   six vertices 50 m behind, 25 km apart, over a longer bar: five of them are seeds
    row = [at(30_000.0 + 25_000.0 * k, 11_050.0) for k in range(6)]
    comb = np.array([behind_200, at(0.0, 11_000.0), *row, at(8e5, 6e5), at(-8e5, 6e5)])
    long_bar = np.array([at(-50e3, -1e3), at(200e3, -1e3), at(200e3, 1e3), at(-50e3, 1e3)])
    seeds = _seeds(shapely.Polygon(comb), shapely.Polygon(long_bar), comb, long_bar, 10e3, frame)
    x, y = frame.forward([lon for lon, _ in seeds], [lat for _, lat in seeds])
    assert len(seeds) == 6  # `_MAX_SEEDS`
    vertices = np.vstack([comb, long_bar])
    for seed_x, seed_y in zip(x[1:], y[1:], strict=True):
        assert np.min(np.hypot(vertices[:, 0] - seed_x, vertices[:, 1] - seed_y)) < 1e-3


@pytest.mark.parametrize(
    ("alt_lo_m", "conflict"), [(300.0 + 299.0, True), (300.0 + 300.0, False), (601.0, False)]
)
def test_vertical_threshold(alt_lo_m: float, conflict: bool) -> None:
    #   band A [0, 300] m; band B starts 299 / 300 / 301 m above A's top
    a = CircleOutline((0.0, 0.0), 1_000.0)
    assert (clash(volume(a), volume(a, alt_lo_m=alt_lo_m), SEP) is not None) is conflict


@pytest.mark.parametrize(
    ("t_start_s", "conflict"), [(3_600.0 + 599.0, True), (4_200.0, False), (4_201.0, False)]
)
def test_time_threshold(t_start_s: float, conflict: bool) -> None:
    a = CircleOutline((0.0, 0.0), 1_000.0)
    assert (clash(volume(a), volume(a, t_start_s=t_start_s), SEP) is not None) is conflict


def test_zero_separation_never_conflicts() -> None:
    a = volume(CircleOutline((0.0, 0.0), 1_000.0))
    assert clash(a, a, Separation(0.0, 300.0, 600.0)) is None
    assert clash(a, a, Separation(9_260.0, 0.0, 600.0)) is None
    assert clash(a, a, Separation(9_260.0, 300.0, 0.0)) is None


def test_clash_reports_the_overlap_and_the_regions() -> None:
    #   (  A  (▒▒)  B  )   overlapping circles, overlapping bands and windows
    a = VolumeGeom(CircleOutline((10.0, 50.0), 5_000.0), 0.0, 1_000.0, 0.0, math.inf)
    b = VolumeGeom(CircleOutline((10.1, 50.0), 5_000.0), 500.0, 2_000.0, 100.0, 200.0)
    found = clash(a, b, SEP)
    assert found is not None
    assert (found.distance_m, found.vertical_gap_m, found.time_gap_s) == (0.0, 0.0, 0.0)
    assert (found.t_start_s, found.t_end_s, found.alt_lo_m, found.alt_hi_m) == (100, 200, 500, 1000)
    assert found.region["type"] == "Polygon"
    assert found.region_a["type"] == "Polygon" and found.region_b["type"] == "Polygon"


def test_clash_reports_the_gaps_when_apart() -> None:
    a = volume(CircleOutline((10.0, 50.0), 5_000.0))
    b = VolumeGeom(circle_at(CircleOutline((10.0, 50.0), 5_000.0), 90, 5_000.0, 1e3), 400, 500,
                   3_700, 3_800)  # fmt: skip
    found = clash(a, b, SEP)
    assert found is not None
    assert found.distance_m == pytest.approx(5_000.0, abs=1e-3)
    assert (found.vertical_gap_m, found.alt_lo_m, found.alt_hi_m) == (100.0, 300.0, 400.0)
    assert (found.time_gap_s, found.t_start_s, found.t_end_s) == (100.0, 3_600.0, 3_700.0)
    assert found.region_a["type"] == "Polygon"


def test_interval_gap() -> None:
    assert interval_gap(0.0, 10.0, 5.0, math.inf) == (0.0, 5.0, 10.0)
    assert interval_gap(20.0, 30.0, 0.0, 10.0) == (10.0, 10.0, 20.0)


# ── properties ──────────────────────────────────────────────────────────────────────────────

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=examples(40), deadline=None)
@given(seed=seeds)
def test_clash_is_symmetric(seed: int, make_pair: Callable[[np.random.Generator], Any]) -> None:
    pair = make_pair(np.random.default_rng(seed))
    ab, ba = clash(pair.a, pair.b, pair.sep), clash(pair.b, pair.a, pair.sep)
    assert (ab is None) == (ba is None) or abs(_distance(pair) - pair.sep.lateral_m) < 1e-3
    if ab is not None and ba is not None:
        assert ab.distance_m == pytest.approx(ba.distance_m, abs=1e-3)
        assert (ab.vertical_gap_m, ab.time_gap_s) == (ba.vertical_gap_m, ba.time_gap_s)
        assert (ab.t_start_s, ab.t_end_s, ab.alt_lo_m, ab.alt_hi_m) == (
            ba.t_start_s,
            ba.t_end_s,
            ba.alt_lo_m,
            ba.alt_hi_m,
        )


@settings(max_examples=examples(40), deadline=None)
@given(seed=seeds, grow=st.floats(1.0, 3.0))
def test_a_bigger_separation_never_removes_a_conflict(
    seed: int, grow: float, make_pair: Callable[[np.random.Generator], Any]
) -> None:
    pair = make_pair(np.random.default_rng(seed))
    sep = pair.sep
    bigger = Separation(sep.lateral_m * grow, sep.vertical_m * grow, sep.time_s * grow)
    if clash(pair.a, pair.b, sep) is not None:
        assert clash(pair.a, pair.b, bigger) is not None


@settings(max_examples=examples(40), deadline=None)
@given(seed=seeds, shift_s=st.sampled_from([-86_400.0, 1.0, 1.7e9]))
def test_shifting_both_times_keeps_the_verdict(
    seed: int, shift_s: float, make_pair: Callable[[np.random.Generator], Any]
) -> None:
    pair = make_pair(np.random.default_rng(seed))
    a, b, sep = pair.a, pair.b, pair.sep

    def shifted(v: VolumeGeom) -> VolumeGeom:
        return VolumeGeom(
            v.outline, v.alt_lo_m, v.alt_hi_m, v.t_start_s + shift_s, v.t_end_s + shift_s
        )

    before, after = clash(a, b, sep), clash(shifted(a), shifted(b), sep)
    assert (before is None) == (after is None)


def _distance(pair: Any) -> float:
    return float(horizontal_distance_m(pair.a.outline, pair.b.outline))
