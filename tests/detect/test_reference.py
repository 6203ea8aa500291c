"""The slow references agree with closed forms."""

from __future__ import annotations

import pytest

from sharedsky.detect.reference import brute_force_clashes, reference_distance_m
from sharedsky.detect.separation import Separation, VolumeGeom
from sharedsky.detect.strategic import Candidate
from sharedsky.geo.distance import point_distance_m
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, PolygonOutline


def test_reference_distance_of_circles_is_centres_minus_radii() -> None:
    a, b = CircleOutline((10.0, 45.0), 1_000.0), CircleOutline((10.3, 45.1), 2_000.0)
    expected = point_distance_m(a.center, b.center) - 3_000.0
    assert reference_distance_m(a, b) == pytest.approx(expected, abs=1e-6)


def test_reference_distance_from_a_point_to_a_meridian_edge() -> None:
    #   │        ○   point 0.1° east of a meridian segment, on the equator
    #   │
    edge = CorridorOutline(((0.0, -1.0), (0.0, 1.0)), 1.0)
    point = CircleOutline((0.1, 0.0), 1.0)
    assert reference_distance_m(edge, point) == pytest.approx(11_131.949 - 2.0, abs=1e-3)


def test_reference_distance_of_overlapping_outlines_is_zero() -> None:
    ring = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0))
    assert reference_distance_m(PolygonOutline((ring,)), CircleOutline((0.5, 0.5), 10.0)) == 0.0


def test_brute_force_lists_every_clash_in_order() -> None:
    near = VolumeGeom(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 100.0, 0.0, 10.0)
    far = VolumeGeom(CircleOutline((5.0, 0.0), 1_000.0), 0.0, 100.0, 0.0, 10.0)
    sep = Separation(500.0, 10.0, 1.0)
    hits = brute_force_clashes([near, far], [Candidate("x", near, sep), Candidate("y", far, sep)])
    assert [(h.subject_index, h.key) for h in hits] == [(0, "x"), (1, "y")]
