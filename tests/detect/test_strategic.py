"""find_clashes against brute force, and the index invariant: the cells find every clash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _hypothesis import examples

from sharedsky.detect.reference import brute_force_clashes
from sharedsky.detect.separation import Clash, Separation, VolumeGeom, clash
from sharedsky.detect.strategic import Candidate, find_clashes
from sharedsky.geo.cells import query_cells, storage_cells
from sharedsky.geo.distance import WGS84, geodesic_destination
from sharedsky.geo.outlines import CircleOutline, Outline

PairMaker = Callable[[np.random.Generator], Any]
OutlineMaker = Callable[[np.random.Generator, float, float, float], Outline]


def test_find_clashes_agrees_with_brute_force(make_pair: PairMaker) -> None:
    #   a few subjects, many candidates around them, ~a third near a threshold
    rng = np.random.default_rng(77)
    for _ in range(6):
        pairs = [make_pair(rng) for _ in range(60)]
        subjects = [p.a for p in pairs[:3]]
        candidates = [Candidate(k, p.b, p.sep) for k, p in enumerate(pairs)]
        # move every candidate next to one of the subjects
        candidates += [Candidate(("near", k), p.b, p.sep) for k, p in enumerate(pairs[:3])]
        fast = find_clashes(subjects, candidates)
        slow = brute_force_clashes(subjects, candidates)
        assert [(h.subject_index, h.key) for h in fast] == [(h.subject_index, h.key) for h in slow]
        for f, s in zip(fast, slow, strict=True):
            assert_same_clash(f.clash, s.clash)


def assert_same_clash(fast: Clash, exact: Clash) -> None:
    """Windows, bands and gaps equal; the distance of a coarse-proven clash is an upper bound
    within the coarse error; every region is drawn."""
    for name in ("vertical_gap_m", "time_gap_s", "t_start_s", "t_end_s", "alt_lo_m", "alt_hi_m"):
        assert getattr(fast, name) == getattr(exact, name), name
    assert exact.distance_m - 0.01 <= fast.distance_m <= exact.distance_m * 1.005 + 25.0
    for region in (fast.region_a, fast.region_b, fast.region):
        assert region["type"] in ("Polygon", "MultiPolygon")
        assert region["coordinates"]


def test_find_clashes_on_dense_candidates(make_outline: OutlineMaker) -> None:
    #   one 50 km subject and 150 candidates of 5–100 km scattered within 150 km
    rng = np.random.default_rng(5)
    subject = VolumeGeom(make_outline(rng, 35.0, 33.0, 50_000.0), 0.0, 3_000.0, 0.0, 7_200.0)
    candidates = []
    for k in range(150):
        lon, lat = geodesic_destination(35.0, 33.0, rng.uniform(0, 360), rng.uniform(0, 150e3))
        outline = make_outline(rng, float(lon), float(lat), float(rng.uniform(5e3, 1e5)))
        volume = VolumeGeom(outline, 1_000.0 * (k % 5), 1_000.0 * (k % 5) + 500.0, 0.0, 3_600.0)
        candidates.append(Candidate(k, volume, Separation(9_260.0, 300.0, 600.0)))
    fast = find_clashes([subject], candidates)
    slow = brute_force_clashes([subject], candidates)
    assert [h.key for h in fast] == [h.key for h in slow]
    assert 0 < len(fast) < len(candidates)
    # without regions (resolution advice): the same verdicts and figures, regions left empty
    # where the coarse stage alone proved the clash
    bare = find_clashes([subject], candidates, regions=False)
    assert [h.key for h in bare] == [h.key for h in fast]
    for plain, drawn in zip(bare, fast, strict=True):
        assert plain.clash.distance_m == drawn.clash.distance_m
        assert (plain.clash.t_start_s, plain.clash.alt_hi_m) == (
            drawn.clash.t_start_s,
            drawn.clash.alt_hi_m,
        )
    assert any(h.clash.region["coordinates"] == [] for h in bare)


def test_no_candidates_no_clashes() -> None:
    assert find_clashes([], []) == []


@pytest.mark.slow
@pytest.mark.parametrize("minimum", [1.0, 0.5])
def test_minima_of_a_metre_or_a_second_or_less_still_catch_overlapping_volumes(
    minimum: float,
) -> None:
    #   [A band ▒▒▒▒ B band]   overlapping bands and windows: gaps of 0 < any positive minimum
    sep = Separation(9_260.0, minimum, minimum)
    a = VolumeGeom(CircleOutline((35.0, 33.0), 5_000.0), 0.0, 1_000.0, 0.0, 3_600.0)
    b = VolumeGeom(CircleOutline((35.05, 33.0), 5_000.0), 500.0, 2_000.0, 1_800.0, 7_200.0)
    found = clash(a, b, sep)
    assert found is not None and (found.vertical_gap_m, found.time_gap_s) == (0.0, 0.0)
    (hit,) = find_clashes([a], [Candidate("b", b, sep)])
    fields = ("distance_m", "vertical_gap_m", "time_gap_s", "t_start_s", "t_end_s", "alt_lo_m")
    assert [getattr(hit.clash, f) for f in fields] == [getattr(found, f) for f in fields]


def test_open_ended_windows_are_compared_without_a_floating_point_warning() -> None:
    #   [A window ────────────────────▶ ∞)   [B window ──────▶ ∞)   ∞ − ∞ is set aside
    sep = Separation(9_260.0, 300.0, 600.0)
    a = VolumeGeom(CircleOutline((35.0, 33.0), 5_000.0), 0.0, 1_000.0, 0.0, np.inf)
    b = VolumeGeom(CircleOutline((35.05, 33.0), 5_000.0), 0.0, 1_000.0, 100.0, np.inf)
    with np.errstate(all="raise"):
        hits = find_clashes([a, b], [Candidate("b", b, sep), Candidate("a", a, sep)])
    assert sorted((h.subject_index, h.key) for h in hits) == [
        (0, "a"),
        (0, "b"),
        (1, "a"),
        (1, "b"),
    ]


def test_the_index_finds_every_clash(make_pair: PairMaker) -> None:
    """The safety property: clash(a, b) ⇒ storage_cells(b) ∩ query_cells(a, lateral) ≠ ∅.

    5,000 random pairs (50,000 under ``make thorough``): polygons (some with holes), circles and
    corridors of 1–500 km, about a quarter built at lateral ± 1 m (or − 1 cm), others at the
    vertical or time threshold.
    """
    #   A ⊕ lateral  ∩  B  ≠ ∅   ⇒   query cells of A  ∩  storage cells of B  ≠ ∅
    rng = np.random.default_rng(20_260_401)
    clashes = 0
    pairs = examples(5_000)
    for _ in range(pairs):
        pair = make_pair(rng)
        if clash(pair.a, pair.b, pair.sep) is None:
            continue
        clashes += 1
        stored = set(storage_cells(pair.b.outline))
        assert stored & set(query_cells(pair.a.outline, pair.sep.lateral_m)), pair
    assert clashes > 0.15 * pairs


def _circle_area_m2(lon: float, lat: float, radius_m: float) -> float:
    """Geodesic area of the circle (a 3,600-gon of geodesic points: within 2e-6 relative)."""
    az = np.linspace(0.0, 360.0, 3600, endpoint=False)
    lons, lats, _ = WGS84.fwd(
        np.full(az.size, lon), np.full(az.size, lat), az, np.full(az.size, radius_m)
    )
    area, _ = WGS84.polygon_area_perimeter(lons, lats)
    return abs(float(area))


def _region_area_m2(region: dict[str, Any]) -> float:
    polygons = [region["coordinates"]] if region["type"] == "Polygon" else region["coordinates"]
    total = 0.0
    for rings in polygons:
        for k, ring in enumerate(rings):
            lons, lats = zip(*ring, strict=True)
            area, _ = WGS84.polygon_area_perimeter(lons, lats)
            total += abs(float(area)) * (1 if k == 0 else -1)
    return total


def _region_centroid(region: dict[str, Any]) -> tuple[float, float]:
    rings = region["coordinates"] if region["type"] == "Polygon" else region["coordinates"][0]
    points = np.array(rings[0][:-1])
    return float(points[:, 0].mean()), float(points[:, 1].mean())


def test_coarse_proven_clashes_draw_each_candidates_own_region_whole() -> None:
    #   a 30 km subject holding two circles of 20 km and 12 km (each wholly within it): both
    #   clash far inside the minimum, so the coarse stage proves them and draws the regions; each
    #   candidate's region is its own circle whole (to the 64-gon the buffer draws: 0.16 % of
    #   the area short), not the other's, and the distance is exactly 0
    sep = Separation(9_260.0, 300.0, 600.0)
    big = VolumeGeom(CircleOutline((35.0, 33.0), 30_000.0), 0.0, 3_000.0, 0.0, 3_600.0)
    east = geodesic_destination(35.0, 33.0, 90.0, 8_000.0)
    west = geodesic_destination(35.0, 33.0, 270.0, 15_000.0)
    inner = {
        "east": (float(east[0]), float(east[1]), 20_000.0),
        "west": (float(west[0]), float(west[1]), 12_000.0),
    }
    candidates = [
        Candidate(key, VolumeGeom(CircleOutline((lon, lat), r), 0.0, 3_000.0, 0.0, 3_600.0), sep)
        for key, (lon, lat, r) in inner.items()
    ]
    hits = find_clashes([big], candidates)
    assert [h.key for h in hits] == ["east", "west"]
    for hit, candidate in zip(hits, candidates, strict=True):
        (alone,) = find_clashes([big], [candidate])
        assert hit.clash == alone.clash  # each drawn in the batch exactly as alone
    for hit in hits:
        lon, lat, r = inner[str(hit.key)]
        assert hit.clash.distance_m == 0.0
        assert exact_distance_is_coarse(big, hit, candidates)
        region_b = hit.clash.region_b
        assert region_b is not None
        ratio = _region_area_m2(region_b) / _circle_area_m2(lon, lat, r)
        assert 0.997 < ratio < 1.0005, (hit.key, ratio)
        centroid = _region_centroid(region_b)
        _, _, off_m = WGS84.inv(lon, lat, *centroid)
        assert off_m < 200.0, (hit.key, off_m)
    #   the other way round: each small circle as the subject, the big one its candidate, whose
    #   region_a is the subject whole
    for key, (lon, lat, r) in inner.items():
        small = VolumeGeom(CircleOutline((lon, lat), r), 0.0, 3_000.0, 0.0, 3_600.0)
        (hit,) = find_clashes([small], [Candidate("big", big, sep)])
        assert hit.clash.distance_m == 0.0 and hit.clash.region_a is not None
        ratio = _region_area_m2(hit.clash.region_a) / _circle_area_m2(lon, lat, r)
        assert 0.997 < ratio < 1.0005, (key, ratio)


def exact_distance_is_coarse(subject: VolumeGeom, hit: Any, candidates: list[Candidate]) -> bool:
    """The hit was proven by the coarse stage (its regions drawn there), not measured exactly:
    `clash` draws the same pair with another method (a far finer outline)."""
    (candidate,) = [c for c in candidates if c.key == hit.key]
    exact = clash(subject, candidate.volume, candidate.separation)
    return exact is not None and exact.region_b != hit.clash.region_b
