"""The polygon stage of the conformance engine, alone: where a straight piece is inside a
polygon, against Shapely's own intersection of the polygon and the piece.

The pieces here glance through a vertex of a nearly straight stretch of boundary (the boundary
bends there by 1e-10 to 5e-9 rad; the piece crosses it at 1e-10 to 2e-8 rad). The piece meets
both edges at that vertex, but at such angles the rounding of the edge parameters can put both
intersections outside [−1e-9, 1 + 1e-9]: only the vertex test ("passes within 1 µm of a vertex")
then cuts the piece where it enters. Without the cut, the sub-piece on either side of the vertex
is judged whole by one midpoint, and kilometres of path change side. Each case was found by
`tests/mutation/crossings_touch_search.py` as one where the vertex test alone decides; together
they cover the eight directions of the piece (signs of dx and dy, and which is larger).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sharedsky.detect.conformance.crossings import Pieces, piece_spans
from sharedsky.detect.conformance.parts import POLYGON, Parts, PolygonTable

Point = tuple[float, float]

# (polygon ring in its frame, piece start, piece end), metres; the second ring vertex is the one
# the piece glances through
_GLANCING: list[tuple[list[Point], Point, Point]] = [
    (
        [
            (-23053.87115725925, -53738.84211147271),
            (-29642.892046172128, -49579.93939628896),
            (-41317.45417679609, -42211.110397574696),
            (-57330.1308139044, -67580.26858060091),
            (-39066.54779436756, -79108.00029449892),
        ],
        (-26059.088733971035, -51841.98859113459),
        (-34310.91793763521, -46633.54326641392),
    ),
    (
        [
            (-17695.272622120854, -39330.64276658114),
            (-19350.67602715014, -33922.14163696059),
            (-22064.510152849336, -25055.556536937613),
            (6621.874770605475, -16275.390250164652),
            (10991.112301333957, -30550.47647980818),
        ],
        (-17717.578826930592, -39257.764375077204),
        (-21974.583587941568, -25349.362966963046),
    ),
    (
        [
            (-31983.513731692514, -21382.005629706553),
            (-19559.694271917426, -10871.989074701138),
            (-6369.133173038454, 286.65791577152595),
            (-25744.77238660593, 23190.469936168185),
            (-51359.15294525999, 1521.8063906901043),
        ],
        (-27722.07302197427, -17777.010395703895),
        (-14086.13791540986, -6241.595839992235),
    ),
    (
        [
            (-26823.873866060476, 83621.24931413171),
            (-23898.069736736717, 67860.18612118781),
            (-23341.20026404642, 64860.37664337609),
            (6154.881847282344, 70335.88028064556),
            (2672.208245268288, 89096.75295140118),
        ],
        (-26752.304307174112, 83235.71004964811),
        (-22463.85548079042, 60134.19336668835),
    ),
    (
        [
            (61808.34311477806, 47464.59021748655),
            (51071.131511539075, 38034.05465512187),
            (40161.131704569234, 28451.758522303553),
            (59958.41465048001, 5911.403867605899),
            (81605.62606068884, 24924.235562788894),
        ],
        (60468.04380330069, 46287.399899231874),
        (47970.63049441941, 35310.87234486051),
    ),
    (
        [
            (58769.9557352604, -62616.559611203724),
            (64002.69148786386, -46902.22224297401),
            (67292.27707443575, -37023.32520464613),
            (95755.69631728675, -46501.39278225386),
            (87233.37497811142, -72094.62718881146),
        ],
        (61409.011650463915, -54691.256718635435),
        (65931.50255715186, -41109.84351562033),
    ),
    (
        [
            (-11088.069024111901, 76017.73322867631),
            (-21101.83507793302, 64230.2721064793),
            (-22782.453727420325, 62251.9727424843),
            (-45645.96940043971, 81675.14578577454),
            (-33951.584697131286, 95440.90627196655),
        ],
        (-10103.741689889934, 77176.41019682451),
        (-29974.856881559426, 53785.61033689683),
    ),
    (
        [
            (-442.28451511355706, -6472.0650693726375),
            (13327.172337153112, -10886.63217139525),
            (30430.46858928734, -16370.047403340312),
            (21271.50057933654, -44937.74428273011),
            (-9601.252525064356, -35039.76194876244),
        ],
        (5747.38714556406, -8456.509375822818),
        (28589.05349551174, -15779.679186421461),
    ),
]


def one_polygon_parts(ring: list[Point]) -> Parts:
    """The parts of one polygon already in its frame (centred on the origin, no inner disc)."""
    xy = np.array(ring, dtype=np.float64)
    shape = shapely.polygons(xy)
    boundary = shapely.boundary(shape)
    shapely.prepare(shape)
    shapely.prepare(boundary)
    edges = np.column_stack([xy, np.roll(xy, -1, axis=0)])
    one = np.ones(1)
    table = PolygonTable(
        np.array([shape], dtype=object),
        np.array([boundary], dtype=object),
        np.zeros(1),
        np.zeros(1, dtype=np.int64),
        np.array([len(edges)], dtype=np.int64),
        edges,
    )
    reach = float(np.hypot(xy[:, 0], xy[:, 1]).max()) + 1.0
    zero = np.zeros(1)
    return Parts(
        np.zeros(1, dtype=np.int64),
        np.ones(1, dtype=np.int64),
        np.full(1, POLYGON, dtype=np.int64),
        zero,
        zero,
        reach * one,
        zero,
        zero,
        zero,
        zero,
        np.zeros(1, dtype=np.int64),
        table,
    )


@pytest.mark.parametrize(("ring", "start", "end"), _GLANCING)
def test_a_piece_glancing_through_a_flat_vertex_is_cut_there(
    ring: list[Point], start: Point, end: Point
) -> None:
    parts = one_polygon_parts(ring)
    spans = piece_spans(
        parts,
        Pieces(
            np.zeros(1, dtype=np.int64),
            np.array([start[0]]),
            np.array([start[1]]),
            np.array([end[0]]),
            np.array([end[1]]),
        ),
    )
    length_m = float(np.hypot(end[0] - start[0], end[1] - start[1]))
    inside_m = float(np.sum(spans.u_end - spans.u_start)) * length_m
    expected_m = shapely.intersection(
        shapely.polygons(np.array(ring)), shapely.linestrings([start, end])
    ).length
    # along a piece at 1e-8 rad to the boundary, 1 cm along it is 0.1 nm across it
    assert inside_m == pytest.approx(expected_m, abs=0.01)
    assert 0.0 < expected_m < length_m
