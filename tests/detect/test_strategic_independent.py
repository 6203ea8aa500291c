"""The strategic engine against an independent geodesic reference, on pairs straddling each
minimum (R-DETECT-1).

`strategic_reference` and `straddle_pairs` import nothing of sharedsky: the distance of every
pair is known by construction, confirmed by the reference (to 1 mm), and the engine must then
agree with the reference on every decision and every field:

* verdict: the same, including pairs at lateral ± 1 m and ± 0.1 m (twice `EXACT_M`) and at
  the vertical and time minima exactly (no conflict) and ± 1 m / ± 1 s;
* gaps, window and band: exactly equal;
* distance: within `EXACT_M` of the reference; where `find_clashes` proved a clash by its
  coarse stage alone (only possible more than 10 m inside the lateral minimum), an upper
  bound within 0.5 % + 25 m (its documented coarse error, as in test_strategic.py);
* regions: checked against the reference with the tolerances of its module docstring.

    A ─────── lateral ± 1 m ─────── B        [A band] gap = vertical, vertical ± 1 m [B band]
                                              [A window) gap = time, time ± 1 s [B window)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from detect import strategic_reference as ref
from detect.straddle_pairs import (
    SITE_REACH_M,
    StraddlePair,
    antimeridian_pairs,
    reach_m,
    sites,
    straddle_pairs,
)
from pyproj import Geod

from sharedsky.detect.separation import Clash, Separation, VolumeGeom, clash
from sharedsky.detect.strategic import Candidate, find_clashes
from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    validate_outline,
)

PAIRS = 3_000
EXACT_M = 0.05
"""Largest difference between the engine's exact distance and the reference's, metres."""
AT_LEAST = 150
"""Fewest pairs at each minimum (exactly at it, or ± 1), conflicts and not, per dimension."""
NEAR = ("-1", "+1", "-0.1", "+0.1")
"""The lateral offsets from the minimum, metres."""

REGION_M = 4_000_000.0
"""find_clashes is given candidates up to this far from a subject (the index gives it only
nearby ones; see test_find_clashes_finds_no_clash_with_a_candidate_at_the_antipode)."""

_GEOD = Geod(ellps="WGS84")


# ── conversions ─────────────────────────────────────────────────────────────────────────────


def outline(shape: ref.Shape) -> Outline:
    """The engine's outline of a reference shape."""
    if isinstance(shape, ref.Circle):
        return CircleOutline((shape.lon, shape.lat), shape.radius_m)
    if isinstance(shape, ref.Polygon):
        return PolygonOutline(shape.rings)
    return CorridorOutline(shape.path, shape.half_width_m)


def geom(volume: ref.Volume) -> VolumeGeom:
    """The engine's volume of a reference volume."""
    return VolumeGeom(
        outline(volume.shape), volume.alt_lo_m, volume.alt_hi_m, volume.t_start_s, volume.t_end_s
    )


def separation(minima: ref.Minima) -> Separation:
    return Separation(minima.lateral_m, minima.vertical_m, minima.time_s)


# ── the pairs, built once ───────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def pairs() -> list[StraddlePair]:
    return straddle_pairs(np.random.default_rng(14), PAIRS)


@pytest.fixture(scope="module")
def verdicts(pairs: list[StraddlePair]) -> list[ref.Verdict]:
    return ref.verdicts([(p.a, p.b, p.minima) for p in pairs])


def test_the_pairs_are_what_they_were_built_to_be(
    pairs: list[StraddlePair], verdicts: list[ref.Verdict]
) -> None:
    #   the reference confirms every intended distance; the engine accepts every outline;
    #   each minimum is straddled by enough pairs, with conflicts and non-conflicts
    for pair, verdict in zip(pairs, verdicts, strict=True):
        assert verdict.distance_m == pytest.approx(pair.intended_m, abs=1e-3), pair.kinds
        validate_outline(outline(pair.a.shape))
        validate_outline(outline(pair.b.shape))
    at_minimum: Counter[tuple[str, bool]] = Counter()
    exactly: Counter[str] = Counter()
    tenth: Counter[str] = Counter()
    for pair, verdict in zip(pairs, verdicts, strict=True):
        if pair.offset in ("0", *NEAR):
            at_minimum[(pair.dimension, verdict.conflict)] += 1
        if pair.offset == "0":
            gap = verdict.vertical_gap_m if pair.dimension == "vertical" else verdict.time_gap_s
            minimum = pair.minima.vertical_m if pair.dimension == "vertical" else pair.minima.time_s
            assert gap == minimum  # exactly, in floating point
            exactly[pair.dimension] += 1
        if pair.dimension == "lateral" and pair.offset in NEAR:
            lateral_m = pair.minima.lateral_m
            assert verdict.distance_m == pytest.approx(lateral_m + float(pair.offset), abs=1e-3)
            assert verdict.conflict is (float(pair.offset) < 0)
            tenth[pair.offset] += pair.offset in ("-0.1", "+0.1")
    for dimension in ("lateral", "vertical", "time"):
        assert at_minimum[(dimension, True)] >= AT_LEAST, dimension
        assert at_minimum[(dimension, False)] >= AT_LEAST, dimension
    assert exactly["vertical"] >= AT_LEAST // 2 and exactly["time"] >= AT_LEAST // 2
    assert tenth["-0.1"] >= AT_LEAST // 2 and tenth["+0.1"] >= AT_LEAST // 2
    kinds = Counter(k for p in pairs for k in p.kinds)
    assert min(kinds.values()) >= 100 and len(kinds) == 6
    assert sum(math.isinf(p.a.t_end_s) for p in pairs) >= 100
    assert {round(abs(lat)) for _, lat in sites()} >= {0, 40, 66, 80}


def test_pairs_of_different_sites_are_far_apart(pairs: list[StraddlePair]) -> None:
    #   every pair lies within SITE_REACH_M of its site, and sites are 2 × that + 60 km apart,
    #   so find_clashes over many sites at once must find only each site's own pair
    centres = np.array(sites())
    lon, lat = np.meshgrid(centres[:, 0], centres[:, 0]), np.meshgrid(centres[:, 1], centres[:, 1])
    _, _, apart = _GEOD.inv(lon[0].ravel(), lat[0].ravel(), lon[1].ravel(), lat[1].ravel())
    apart = np.asarray(apart).reshape(len(centres), len(centres))
    np.fill_diagonal(apart, np.inf)
    assert apart.min() > 2 * SITE_REACH_M + max(p.minima.lateral_m for p in pairs)
    for pair in pairs:
        site = (float(centres[pair.site, 0]), float(centres[pair.site, 1]))
        assert reach_m(site, pair.a.shape) < SITE_REACH_M
        assert reach_m(site, pair.b.shape) < SITE_REACH_M


# ── the engine against the reference ───────────────────────────────────────────────────────


def test_clash_agrees_with_the_reference_on_every_pair(
    pairs: list[StraddlePair], verdicts: list[ref.Verdict]
) -> None:
    decided = Counter[bool]()
    for pair, verdict in zip(pairs, verdicts, strict=True):
        for a, b in ((pair.a, pair.b), (pair.b, pair.a)):
            found = clash(geom(a), geom(b), separation(pair.minima))
            assert (found is not None) is verdict.conflict, _describe(pair, verdict)
            if found is not None:
                # every field of the rule is symmetric in a and b
                assert_fields(found, verdict, coarse=False, lateral_m=pair.minima.lateral_m)
        decided[verdict.conflict] += 1
    assert decided[True] > PAIRS // 4 and decided[False] > PAIRS // 4


def test_find_clashes_agrees_with_the_reference_on_every_pair(
    pairs: list[StraddlePair], verdicts: list[ref.Verdict]
) -> None:
    #   one pair per site in each call, sites of one region: every site's A is a subject, every
    #   site's B a candidate; only the pairs the reference calls conflicts may come back
    coarse = 0
    for chunk in _chunks(pairs, size=130):
        subjects = [geom(pairs[k].a) for k in chunk]
        candidates = [
            Candidate(k, geom(pairs[k].b), separation(pairs[k].minima), sides=bool(k % 2))
            for k in chunk
        ]
        hits = find_clashes(subjects, candidates)
        expected = [k for k in chunk if verdicts[k].conflict]
        assert [h.key for h in hits] == expected
        assert [chunk[h.subject_index] for h in hits] == expected
        for hit in hits:
            k = int(str(hit.key))
            # a pair measured exactly gets clash's distance, bit for bit
            alone = clash(geom(pairs[k].a), geom(pairs[k].b), separation(pairs[k].minima))
            assert alone is not None
            proven = hit.clash.distance_m != alone.distance_m
            coarse += proven
            assert_fields(
                hit.clash, verdicts[k], coarse=proven, lateral_m=pairs[k].minima.lateral_m
            )
            assert (hit.clash.region_a is None) is (k % 2 == 0)
    assert coarse > 100  # the coarse stage's proofs are checked too


def test_the_regions_show_where_the_pair_is_within_the_lateral_minimum(
    pairs: list[StraddlePair], verdicts: list[ref.Verdict]
) -> None:
    #   region_a ⊂ A ⊕ lateral (every vertex), and A's closest point to B is shown;
    #   checked on the exact clash and on find_clashes's (possibly coarse) one
    checked = 0
    for k, (pair, verdict) in enumerate(zip(pairs, verdicts, strict=True)):
        if not verdict.conflict or k % 12:
            continue
        lateral_m = pair.minima.lateral_m
        a, b = pair.a.shape, pair.b.shape
        drawn = [clash(geom(pair.a), geom(pair.b), separation(pair.minima))]
        drawn += [h.clash for h in find_clashes([geom(pair.a)], [_candidate(pair)])]
        for found in drawn:
            assert found is not None and found.region_a is not None and found.region_b is not None
            faults = ref.region_faults(found.region_a, a, a, b, lateral_m)
            faults += ref.region_faults(found.region_b, b, a, b, lateral_m)
            faults += ref.region_faults(found.region, None, a, b, lateral_m)
            assert not faults, (_describe(pair, verdict), faults)
        checked += 1
    assert checked > 40


def test_pairs_just_inside_a_wide_minimum_get_a_region_on_each_side() -> None:
    #   (A)─────────── 50 km − 16…40 m ───────────(B)
    #   proven by find_clashes's coarse stage alone (more than 10 m inside), where the
    #   polygonal buffers can fall short of the other side: a 100 m strip is drawn instead,
    #   for one pair alone (clash) and for several at once (find_clashes, vectorised)
    minima = ref.Minima(50_000.0, 300.0, 600.0)
    a = ref.Circle(30.0, 40.0, 1_000.0)
    subject = VolumeGeom(outline(a), 0.0, 100.0, 0.0, 600.0)
    bs: list[ref.Circle] = []
    for inside_m in (16.0, 25.0, 40.0):
        for azimuth in (90.0, 91.4, 92.8, 94.2, 95.625):
            lon, lat, _ = _GEOD.fwd(a.lon, a.lat, azimuth, 52_000.0 - inside_m)
            bs.append(ref.Circle(float(lon), float(lat), 1_000.0))
    volumes = [VolumeGeom(outline(b), 0.0, 100.0, 0.0, 600.0) for b in bs]
    sep = separation(minima)
    batch = find_clashes([subject], [Candidate(k, v, sep) for k, v in enumerate(volumes)])
    assert [hit.key for hit in batch] == list(range(len(bs)))
    for b, volume, hit in zip(bs, volumes, batch, strict=True):
        for found in (clash(subject, volume, sep), hit.clash):
            assert found is not None and found.region_a is not None and found.region_b is not None
            faults = ref.region_faults(found.region_a, a, a, b, minima.lateral_m)
            faults += ref.region_faults(found.region_b, b, a, b, minima.lateral_m)
            faults += ref.region_faults(found.region, None, a, b, minima.lateral_m)
            assert not faults, (b, faults)


def test_find_clashes_finds_no_clash_with_a_candidate_at_the_antipode() -> None:
    #   a small circle at (110° E, 0°) and a polygon 20,000 km away, around its antipode
    #   (70° W, 0°): clash says None; find_clashes must say the same (its docstring: "the
    #   verdicts are exactly those of clash"), not a clash at distance 0
    subject = VolumeGeom(CircleOutline((110.0, 0.0), 1_000.0), 0.0, 3_000.0, 0.0, 3_600.0)
    ring = ((-70.3, -0.1), (-69.9, -0.1), (-69.9, 0.3), (-70.3, 0.3), (-70.3, -0.1))
    far = VolumeGeom(PolygonOutline((ring,)), 0.0, 3_000.0, 0.0, 3_600.0)
    sep = Separation(9_260.0, 300.0, 600.0)
    apart = ref.distances_m([(ref.Circle(110.0, 0.0, 1_000.0), ref.Polygon((ring,)))])
    assert apart[0] > 19_000_000.0
    assert clash(subject, far, sep) is None
    assert find_clashes([subject], [Candidate("far", far, sep)]) == []


def test_pairs_across_the_antimeridian_are_judged_like_any_other() -> None:
    #            179.9999° E │ 179.9999° W
    #      ┌──────┐          │          ┌──────┐
    #      │  A   │◀── lateral ± 1 m ──▶│  B   │     each outline valid on its own side
    #      └──────┘          │          └──────┘
    pairs = antimeridian_pairs(np.random.default_rng(180), 16, ref.Minima(9_260.0, 300.0, 600.0))
    verdicts = ref.verdicts([(p.a, p.b, p.minima) for p in pairs])
    for pair, verdict in zip(pairs, verdicts, strict=True):
        validate_outline(outline(pair.a.shape))
        validate_outline(outline(pair.b.shape))
        assert verdict.distance_m == pytest.approx(pair.intended_m, abs=1e-3)
        assert verdict.conflict is (pair.offset == "-1")
    wrong = []
    for k, (pair, verdict) in enumerate(zip(pairs, verdicts, strict=True)):
        alone = clash(geom(pair.a), geom(pair.b), separation(pair.minima))
        batch = find_clashes([geom(pair.a)], [Candidate(k, geom(pair.b), separation(pair.minima))])
        if (alone is not None, bool(batch)) != (verdict.conflict, verdict.conflict):
            wrong.append((k, pair.offset, alone is not None, bool(batch)))
    assert wrong == []


# ── helpers ─────────────────────────────────────────────────────────────────────────────────


def assert_fields(found: Clash, expected: ref.Verdict, *, coarse: bool, lateral_m: float) -> None:
    """Gaps, window and band exactly equal; the distance within EXACT_M, or for a clash
    proven by the coarse stage an upper bound within 0.5 % + 25 m, 10 m inside the minimum."""
    for name in ("vertical_gap_m", "time_gap_s", "t_start_s", "t_end_s", "alt_lo_m", "alt_hi_m"):
        assert getattr(found, name) == getattr(expected, name), name
    distance_m, true_m = found.distance_m, expected.distance_m
    if not coarse:
        assert distance_m == pytest.approx(true_m, abs=EXACT_M)
        return
    assert true_m - EXACT_M <= distance_m <= true_m * 1.005 + 25.0
    assert distance_m < lateral_m - 10.0


def _candidate(pair: StraddlePair) -> Candidate:
    return Candidate("b", geom(pair.b), separation(pair.minima))


def _chunks(pairs: Sequence[StraddlePair], size: int) -> list[list[int]]:
    """Indexes of the pairs in groups of at most ``size``, no two of one site in a group and
    every site of a group within `REGION_M` of the group's first."""
    centres = np.array(sites())
    chunks: list[list[int]] = []
    for k, pair in enumerate(pairs):
        home = next((c for c in chunks if _fits(c, pair, pairs, centres, size)), None)
        if home is None:
            chunks.append([k])
        else:
            home.append(k)
    return chunks


def _fits(
    chunk: list[int],
    pair: StraddlePair,
    pairs: Sequence[StraddlePair],
    centres: np.ndarray,
    size: int,
) -> bool:
    if len(chunk) >= size or any(pairs[j].site == pair.site for j in chunk):
        return False
    (lon1, lat1), (lon2, lat2) = centres[pairs[chunk[0]].site], centres[pair.site]
    _, _, apart = _GEOD.inv(lon1, lat1, lon2, lat2)
    return bool(apart < REGION_M)


def _describe(pair: StraddlePair, verdict: ref.Verdict) -> str:
    return (
        f"{pair.dimension} {pair.offset} {pair.kinds} minima={pair.minima} "
        f"reference={verdict} a={pair.a} b={pair.b}"
    )
