"""find_clashes against brute force, and the index invariant: the cells find every clash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sharedsky.detect.reference import brute_force_clashes
from sharedsky.detect.separation import Clash, Separation, VolumeGeom, clash
from sharedsky.detect.strategic import Candidate, find_clashes
from sharedsky.geo.cells import query_cells, storage_cells
from sharedsky.geo.distance import geodesic_destination
from sharedsky.geo.outlines import Outline

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


def test_no_candidates_no_clashes() -> None:
    assert find_clashes([], []) == []


@pytest.mark.slow
def test_the_index_finds_every_clash(make_pair: PairMaker) -> None:
    """The safety property: clash(a, b) ⇒ storage_cells(b) ∩ query_cells(a, lateral) ≠ ∅.

    10,000 random pairs: polygons (some with holes), circles and corridors of 1–500 km, about a
    quarter built at lateral ± 1 m (or − 1 cm), others at the vertical or time threshold.
    """
    #   A ⊕ lateral  ∩  B  ≠ ∅   ⇒   query cells of A  ∩  storage cells of B  ≠ ∅
    rng = np.random.default_rng(20_260_401)
    clashes = 0
    for _ in range(10_000):
        pair = make_pair(rng)
        if clash(pair.a, pair.b, pair.sep) is None:
            continue
        clashes += 1
        stored = set(storage_cells(pair.b.outline))
        assert stored & set(query_cells(pair.a.outline, pair.sep.lateral_m)), pair
    assert clashes > 1_500
